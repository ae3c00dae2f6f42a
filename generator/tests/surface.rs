//! The user-facing change report of `cargo xtask codegen`: every kind of change between two
//! versions of a spec, classified by whether it breaks users' code.

use std::path::{Path, PathBuf};

fn surface(file: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let sources = vec![
        (PathBuf::from("api.yaml"), std::fs::read_to_string(dir.join("api.yaml")).unwrap()),
        (PathBuf::from("things.yaml"), std::fs::read_to_string(dir.join("surface").join(file)).unwrap()),
    ];
    codegen::surface::render(&codegen::load_model_from(&sources).unwrap_or_else(|e| panic!("{e}")))
}

#[test]
fn a_fixture_change_is_reported_item_by_item_with_its_semver_kind() {
    let report = codegen::surface::compare(&surface("before.yaml"), &surface("after.yaml"));
    let lines: Vec<(bool, &str)> = report.changes.iter().map(|c| (c.breaking, c.what.as_str())).collect();
    let expected: &[(bool, &str)] = &[
        (true, "renamed operation things.fetch_all to things.list (GET /v2/things -> list<Thing>)"),
        (true, "removed operation things.purge (DELETE /v2/things -> ())"),
        (true, "field Thing.name: optional string -> required string"),
        (true, "field Thing.size: optional integer -> optional number"),
        (true, "added field NewThing.kind (required Kind)"),
        (true, "new argument `view` (#2 string) of things.get"),
        (false, "added enum value Kind::B (b)"),
        (false, "field NewThing.note: optional string -> optional clearable string"),
        (false, "added field Thing.color (optional string)"),
        (false, "added operation things.archive (POST /v2/things/{thingId}/archive -> ())"),
        (false, "deprecated things.create: use `things.make`"),
        (false, "new setter `fields` (string) of things.get"),
        (false, "argument `thing_id` of things.get is now `id` (same position and type)"),
        (false, "operation things.get: GET /v2/things/{thingId} -> Thing => GET /v2/things/{id} -> Thing"),
    ];
    let mut got = lines.clone();
    let mut want = expected.to_vec();
    got.sort();
    want.sort();
    assert_eq!(got, want, "report:\n{}", report.render());
    // Breaking changes come first.
    assert!(lines.iter().take_while(|(b, _)| *b).count() == 6, "{}", report.render());
    assert_eq!(report.release(), codegen::surface::Release::Breaking);
    assert_eq!(report.next_version("0.1.0").as_deref(), Some("0.2.0"));
    assert_eq!(report.next_version("1.4.2").as_deref(), Some("2.0.0"));
    assert!(report.render().starts_with("user-facing changes: 14 (6 breaking, 8 compatible)\n"));
}

#[test]
fn additions_alone_are_a_compatible_release_and_the_same_spec_no_release() {
    let before = surface("before.yaml");
    assert_eq!(codegen::surface::compare(&before, &before).release(), codegen::surface::Release::None);
    // The reverse of the fixture change, minus its breaking parts, is not what we test here:
    // take only an added operation and an added response field.
    let after = before.replace(
        "model Thing field size\toptional integer\n",
        "model Thing field size\toptional integer\nmodel Thing field weight\toptional number\n",
    ) + "op things.count\tGET /v2/things/count -> integer\n";
    let report = codegen::surface::compare(&before, &after);
    assert_eq!(report.release(), codegen::surface::Release::Compatible, "{}", report.render());
    assert_eq!(report.changes.len(), 2, "{}", report.render());
    assert_eq!(report.next_version("0.1.0").as_deref(), Some("0.1.1"));
    assert_eq!(report.next_version("1.4.2").as_deref(), Some("1.5.0"));
}
