//! `cargo xtask codegen` as a maintainer runs it: writes only what changed, removes what no
//! longer belongs, `--check` changes nothing and fails naming stale files, a spec error writes nothing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).output().expect("run xtask")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A scratch directory under the target directory, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn write_check_and_stale_files() {
    let out = scratch("codegen-out");
    let spec = root().join("spec");
    let (spec, out_s) = (spec.to_str().unwrap(), out.to_str().unwrap());

    let first = xtask(&["codegen", "--spec", spec, "--out", out_s]);
    assert!(first.status.success(), "{}", text(&first));
    assert!(text(&first).contains("added"), "{}", text(&first));
    assert!(out.join("src/generated/mod.rs").exists());

    // Nothing to do the second time, and --check agrees.
    let again = xtask(&["codegen", "--spec", spec, "--out", out_s]);
    assert!(again.status.success() && text(&again).contains("up to date"), "{}", text(&again));
    let check = xtask(&["codegen", "--check", "--spec", spec, "--out", out_s]);
    assert!(check.status.success(), "{}", text(&check));

    // A hand edit and a stray file: --check fails naming both, and changes nothing.
    fs::write(out.join("src/generated/models/common.rs"), "// edited by hand\n").unwrap();
    fs::write(out.join("src/generated/stray.rs"), "// no longer generated\n").unwrap();
    let check = xtask(&["codegen", "--check", "--spec", spec, "--out", out_s]);
    assert!(!check.status.success());
    let said = text(&check);
    assert!(said.contains("changed") && said.contains("models/common.rs"), "{said}");
    assert!(said.contains("removed") && said.contains("stray.rs"), "{said}");
    assert!(said.contains("cargo xtask codegen"), "{said}");
    assert_eq!(fs::read_to_string(out.join("src/generated/models/common.rs")).unwrap(), "// edited by hand\n");

    // Regenerating repairs the edit and removes the stray file.
    let fix = xtask(&["codegen", "--spec", spec, "--out", out_s]);
    assert!(fix.status.success(), "{}", text(&fix));
    assert!(!out.join("src/generated/stray.rs").exists());
    assert!(xtask(&["codegen", "--check", "--spec", spec, "--out", out_s]).status.success());
}

#[test]
fn spec_error_writes_nothing() {
    let spec = scratch("codegen-bad-spec");
    let out = scratch("codegen-bad-out");
    fs::copy(root().join("spec/api.yaml"), spec.join("api.yaml")).unwrap();
    fs::write(spec.join("things.yaml"), "resource: things\ndocs: Things.\nauth: [api_key]\noperations:\n  - name: get\n    method: GET\n    path: /v2/things\n    summary: Get.\n    response: Nope\n").unwrap();
    for check in [false, true] {
        let mut args = vec!["codegen", "--spec", spec.to_str().unwrap(), "--out", out.to_str().unwrap()];
        if check {
            args.insert(1, "--check");
        }
        let o = xtask(&args);
        assert!(!o.status.success());
        let said = text(&o);
        assert!(said.contains("things.yaml:9:15: error: unknown type `Nope`"), "{said}");
        assert!(said.contains("nothing was written"), "{said}");
    }
    assert_eq!(fs::read_dir(&out).unwrap().count(), 0, "a failed run wrote files");
}

#[test]
fn unknown_arguments_are_refused() {
    let o = xtask(&["codegen", "--chek"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("usage"));
}

/// Regenerating after a spec change prints what it changes for users (from the recorded surface
/// of the client being replaced), which changes break them, and the version that calls for.
#[test]
fn regenerating_reports_the_user_facing_changes_and_the_version() {
    let fixtures = root().join("generator/tests/fixtures");
    let spec = scratch("report-spec");
    let out = scratch("report-out");
    fs::copy(fixtures.join("api.yaml"), spec.join("api.yaml")).unwrap();
    fs::write(out.join("Cargo.toml"), "[package]\nname = \"scratch\"\nversion = \"0.4.1\"\n").unwrap();
    let (spec_s, out_s) = (spec.to_str().unwrap(), out.to_str().unwrap());

    fs::copy(fixtures.join("surface/before.yaml"), spec.join("things.yaml")).unwrap();
    let first = xtask(&["codegen", "--spec", spec_s, "--out", out_s]);
    assert!(first.status.success(), "{}", text(&first));
    assert!(text(&first).contains("no recorded surface"), "{}", text(&first));

    fs::copy(fixtures.join("surface/after.yaml"), spec.join("things.yaml")).unwrap();
    let second = xtask(&["codegen", "--spec", spec_s, "--out", out_s]);
    let said = text(&second);
    assert!(second.status.success(), "{said}");
    assert!(said.contains("user-facing changes: 14 (6 breaking, 8 compatible)"), "{said}");
    assert!(said.contains("BREAKING removed operation things.purge"), "{said}");
    assert!(said.contains("deprecated things.create: use `things.make`"), "{said}");
    assert!(said.contains("release: breaking -> version 0.5.0 (Cargo.toml has 0.4.1)"), "{said}");

    // Nothing changed for users: no report.
    let again = xtask(&["codegen", "--spec", spec_s, "--out", out_s]);
    assert!(!text(&again).contains("user-facing changes"), "{}", text(&again));
}
