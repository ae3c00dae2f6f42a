//! Snapshot tests: one small spec per feature (`fixtures/ok/*`) with the code it generates, and
//! one broken spec per kind of mistake (`fixtures/bad/*`) with the diagnostics it gets.
//!
//! Each fixture directory holds the fixture's own YAML files; `fixtures/api.yaml` is added unless
//! the fixture brings an `api.yaml` of its own. Review changed snapshots with `cargo insta review`.

use std::fs;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The fixture's files as (shown path, text), shown as `<fixture>/<file>`.
fn sources(kind: &str, name: &str) -> Vec<(PathBuf, String)> {
    let dir = fixtures().join(kind).join(name);
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("fixture {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    let mut out: Vec<(PathBuf, String)> = names
        .iter()
        .map(|n| (Path::new(name).join(n), fs::read_to_string(dir.join(n)).expect("fixture file")))
        .collect();
    if !names.iter().any(|n| n == "api.yaml") {
        let text = fs::read_to_string(fixtures().join("api.yaml")).expect("fixtures/api.yaml");
        out.insert(0, (PathBuf::from("api.yaml"), text));
    }
    out
}

fn generated(name: &str) -> String {
    let files =
        codegen::generate_from(&sources("ok", name)).unwrap_or_else(|e| panic!("fixture ok/{name} fails:\n{e}"));
    let mut text = String::new();
    for f in files {
        text.push_str(&format!("// ===== {} =====\n{}\n", f.path.display(), f.contents));
    }
    text
}

fn diagnostics(name: &str) -> String {
    match codegen::generate_from(&sources("bad", name)) {
        Ok(_) => panic!("fixture bad/{name} generated code; it should have been rejected"),
        Err(codegen::Error::Spec(d)) => d.to_string(),
        Err(other) => panic!("fixture bad/{name}: not a spec error: {other}"),
    }
}

macro_rules! ok_fixtures {
    ($($name:ident),* $(,)?) => {
        /// The fixtures under `ok/` that have a test (the one list of them).
        const OK: &[&str] = &[$(stringify!($name)),*];
        mod ok {
            $(
                #[test]
                fn $name() {
                    insta::assert_snapshot!(stringify!($name), super::generated(stringify!($name)));
                }
            )*
        }
    };
}

macro_rules! bad_fixtures {
    ($($name:ident),* $(,)?) => {
        /// The fixtures under `bad/` that have a test (the one list of them).
        const BAD: &[&str] = &[$(stringify!($name)),*];
        mod bad {
            $(
                #[test]
                fn $name() {
                    insta::assert_snapshot!(stringify!($name), super::diagnostics(stringify!($name)));
                }
            )*
        }
    };
}

ok_fixtures!(
    path_params,
    query_params,
    headers,
    body,
    enums,
    optional_nullable,
    keywords,
    responses,
    nested_resources,
    unions,
    patch,
    pagination,
    feature_gates,
    extends,
    deprecated
);

bad_fixtures!(
    unknown_type,
    duplicate_name,
    missing_path_param,
    unknown_key,
    yaml_syntax,
    enum_collision,
    field_collision,
    unknown_auth_and_version,
    bad_types,
    many_errors,
    missing_parent,
    page_info_without_pagination,
    bad_unions,
    bad_union_rules,
    bad_extends,
    bad_deprecated,
);

/// Every fixture directory has a test above (a new fixture without one would silently not run).
#[test]
fn every_fixture_is_tested() {
    let listed: &[(&str, &[&str])] = &[("ok", OK), ("bad", BAD)];
    for (kind, names) in listed {
        let mut on_disk: Vec<String> = fs::read_dir(fixtures().join(kind))
            .expect("fixture kind directory")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        names.sort();
        assert_eq!(on_disk, names, "fixtures/{kind} and the test list differ");
    }
}

/// The many_errors fixture has problems in two files and several per file: all are reported.
#[test]
fn all_problems_are_reported_in_one_run() {
    let text = diagnostics("many_errors");
    let count = text.matches(": error: ").count();
    assert!(count >= 6, "expected at least 6 problems, got {count}:\n{text}");
    assert!(text.contains("many_errors/one.yaml") && text.contains("many_errors/two.yaml"), "{text}");
}
