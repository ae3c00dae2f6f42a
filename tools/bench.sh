#!/usr/bin/env bash
# Size and speed figures of the generator and the generated client, as quoted in README.md.
# Repeatable on any machine with hyperfine (apt-get install hyperfine); run from anywhere.
# Wall-clock figures on a shared machine are noisy: read the medians, and compare figures
# taken in the same run only.
#
#   tools/bench.sh                  every figure
#   tools/bench.sh --baseline REF   also the crate-only rebuild of commit REF (checked out in a
#                                   temporary worktree with its own target dir), in the same
#                                   run, so a change's build cost is measured against it
set -euo pipefail
cd "$(dirname "$0")/.."
baseline=""
if [ "${1:-}" = "--baseline" ]; then baseline="${2:?--baseline needs a git ref}"; fi
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

median() { python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(f\"{r['median']:.3f} s (mean {r['mean']:.3f} s, {len(r['times'])} runs)\")" "$1"; }

echo "== generator: release xtask, the whole spec, codegen --check (generate + compare, no writes)"
cargo build --quiet --release -p xtask
hyperfine --style none --warmup 3 --runs 30 --export-json "$out/codegen.json" 'target/release/xtask codegen --check' >/dev/null
echo "median $(median "$out/codegen.json")"

echo "== generated code"
# The test kit's files (mock.rs, mock/) compile only with the test-util feature: counted apart.
files=$(find generated-client/src/generated -name '*.rs' -not -path '*/mock/*' -not -name 'mock.rs')
echo "lines compiled by default: $(cat $files | wc -l) in $(echo "$files" | wc -l) files"
mock=$(find generated-client/src/generated -name '*.rs' \( -path '*/mock/*' -o -name 'mock.rs' \))
echo "lines of the test kit (test-util only): $(cat $mock | wc -l) in $(echo "$mock" | wc -l) files"
echo "model types: $(cat generated-client/src/generated/models/*.rs | grep -cE "^pub (struct|enum) ") (structs, enums and unions in models/)"
echo "operations: $(grep -c 'name: "' generated-client/tests/generated/operations.rs)"

# The crate-only rebuilds of the tree in "$1" (debug; dependencies already built), labelled "$2".
rebuilds() {
  local dir=$1 label=$2
  (cd "$dir" && cargo build --quiet -p calcom)
  hyperfine --style none --warmup 1 --runs 5 --prepare "touch $dir/generated-client/src/lib.rs" \
    --export-json "$out/incr.json" "cd $dir && cargo build --quiet -p calcom" >/dev/null
  echo "$label incremental: median $(median "$out/incr.json")"
  (cd "$dir" && CARGO_INCREMENTAL=0 cargo build --quiet -p calcom)
  hyperfine --style none --warmup 1 --runs 5 --prepare "touch $dir/generated-client/src/lib.rs" \
    --export-json "$out/full.json" "cd $dir && CARGO_INCREMENTAL=0 cargo build --quiet -p calcom" >/dev/null
  echo "$label CARGO_INCREMENTAL=0: median $(median "$out/full.json")"
}

echo "== crate-only rebuild of generated-client (debug; dependencies already built)"
if [ -n "$baseline" ]; then
  base_dir="$out/baseline"
  git worktree add --quiet --detach "$base_dir" "$baseline"
  trap 'git worktree remove --force "$base_dir"; rm -rf "$out"' EXIT
  rebuilds "$base_dir" "baseline ($baseline)"
fi
rebuilds "$PWD" "this tree"
for group in bookings me; do
  CARGO_INCREMENTAL=0 cargo build --quiet -p calcom --no-default-features --features "$group"
  hyperfine --style none --warmup 1 --runs 5 --prepare 'touch generated-client/src/lib.rs' \
    --export-json "$out/$group.json" "CARGO_INCREMENTAL=0 cargo build --quiet -p calcom --no-default-features --features $group" >/dev/null
  echo "one group ($group), CARGO_INCREMENTAL=0: median $(median "$out/$group.json")"
done

# The ratio of two divan rows' medians (rows named $2 and $3 in the output file $1).
ratio() {
  python3 - "$@" <<'PY'
import re, sys
units = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
medians = {}
for line in open(sys.argv[1], encoding="utf-8"):
    cells = [c.strip() for c in line.split("│")]
    m = re.match(r"^[├╰]─ (\S+)", cells[0]) if len(cells) > 2 else None
    if m:
        value, unit = cells[2].split()
        medians[m.group(1)] = float(value) * units[unit]
a, b = medians[sys.argv[2]], medians[sys.argv[3]]
print(f"ratio {sys.argv[2]} / {sys.argv[3]} = {a / b:.2f}x (medians {a * 1e6:.0f} µs / {b * 1e6:.0f} µs)")
PY
}

echo "== decoding and encoding a page of 100 bookings (release; the client's decoding vs serde derive vs Value)"
cargo bench --quiet -p calcom --bench decode 2>&1 | grep -E "^(decode|├|╰)" | tee "$out/decode.txt"
ratio "$out/decode.txt" booking_union serde_derive
echo "== requests on loopback (release; the client vs reqwest + serde derive, one server)"
cargo bench --quiet -p calcom --bench request 2>&1 | grep -E "^request"
echo "== peak memory of a 50 MB list (release; child processes)"
cargo bench --quiet -p calcom --bench memory 2>&1 | grep -E "^memory"
