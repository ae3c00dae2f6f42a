#!/usr/bin/env bash
# Size and speed figures of the generator and the generated client, as quoted in README.md.
# Repeatable on any machine with hyperfine (apt-get install hyperfine); run from anywhere.
# Wall-clock figures on a shared machine are noisy: read the medians, and compare figures
# taken in the same run only.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
out=$(mktemp -d)

median() { python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(f\"{r['median']:.3f} s (mean {r['mean']:.3f} s, {len(r['times'])} runs)\")" "$1"; }

echo "== generator: release xtask, the whole spec, codegen --check (generate + compare, no writes)"
cargo build --quiet --release -p xtask
hyperfine --style none --warmup 3 --runs 30 --export-json "$out/codegen.json" 'target/release/xtask codegen --check' >/dev/null
echo "median $(median "$out/codegen.json")"

echo "== generated code"
files=$(find generated-client/src/generated -name '*.rs')
echo "lines: $(cat $files | wc -l) in $(echo "$files" | wc -l) files"
echo "model types: $(cat generated-client/src/generated/models/*.rs | grep -cE "^pub (struct|enum) ") (structs, enums and unions in models/)"
echo "operations: $(grep -c 'name: "' generated-client/tests/generated/operations.rs)"

echo "== crate-only rebuild of generated-client (debug; dependencies already built)"
cargo build --quiet -p calcom
hyperfine --style none --warmup 1 --runs 5 --prepare 'touch generated-client/src/lib.rs' \
  --export-json "$out/incr.json" 'cargo build --quiet -p calcom' >/dev/null
echo "incremental: median $(median "$out/incr.json")"
CARGO_INCREMENTAL=0 cargo build --quiet -p calcom
hyperfine --style none --warmup 1 --runs 5 --prepare 'touch generated-client/src/lib.rs' \
  --export-json "$out/full.json" 'CARGO_INCREMENTAL=0 cargo build --quiet -p calcom' >/dev/null
echo "CARGO_INCREMENTAL=0: median $(median "$out/full.json")"
for group in bookings me; do
  CARGO_INCREMENTAL=0 cargo build --quiet -p calcom --no-default-features --features "$group"
  hyperfine --style none --warmup 1 --runs 5 --prepare 'touch generated-client/src/lib.rs' \
    --export-json "$out/$group.json" "CARGO_INCREMENTAL=0 cargo build --quiet -p calcom --no-default-features --features $group" >/dev/null
  echo "one group ($group), CARGO_INCREMENTAL=0: median $(median "$out/$group.json")"
done

echo "== decoding and encoding a page of 100 bookings (release; generated models vs serde derive vs Value)"
cargo bench --quiet -p calcom --bench decode 2>&1 | grep -E "^(decode|├|╰)"
rm -rf "$out"
