//! `cargo xtask audit` finds each kind of drift between a spec and an OpenAPI document, and
//! keeps the real spec in step with Cal.com's document.

use std::path::{Path, PathBuf};

use serde_json::json;

fn fixture_spec() -> codegen::model::Api {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let sources = vec![
        (PathBuf::from("api.yaml"), std::fs::read_to_string(dir.join("api.yaml")).unwrap()),
        (PathBuf::from("audit/things.yaml"), std::fs::read_to_string(dir.join("audit/things.yaml")).unwrap()),
    ];
    codegen::load_model_from(&sources).unwrap_or_else(|e| panic!("{e}"))
}

/// An upstream document that differs from the fixture in every way the audit looks at.
fn altered_document() -> serde_json::Value {
    json!({
        "openapi": "3.0.0",
        "paths": {
            "/v2/orgs/{orgId}/things/{thingId}": {
                "get": {
                    "operationId": "getThing",
                    "parameters": [
                        { "name": "Authorization", "in": "header", "required": true, "schema": { "type": "string" } },
                        { "name": "thingId", "in": "path", "required": true, "schema": { "type": "number" } },
                        { "name": "bogus", "in": "path", "required": true, "schema": { "type": "string" } },
                        { "name": "expand", "in": "query", "required": false, "schema": { "type": "boolean" } },
                        { "name": "theirs", "in": "query", "required": true, "schema": { "type": "string" } }
                    ],
                    "responses": { "200": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ThingOutput" } } } } }
                }
            },
            "/v2/things": {
                "post": {
                    "operationId": "createThing",
                    "parameters": [],
                    "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CreateThing" } } } },
                    "responses": { "201": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ThingOutput" } } } } }
                },
                "get": { "operationId": "listThings", "responses": { "200": {} } }
            }
        },
        "components": { "schemas": {
            "ThingOutput": { "type": "object", "properties": {
                "status": { "type": "string" },
                "data": { "$ref": "#/components/schemas/Thing" }
            } },
            "Thing": { "allOf": [ { "$ref": "#/components/schemas/Base" } ], "type": "object",
                "properties": { "name": { "type": "string" }, "theirs": { "type": "string" } },
                "required": ["name"] },
            "Base": { "type": "object", "properties": { "id": { "type": "number" } }, "required": ["id"] },
            "CreateThing": { "type": "object", "properties": {
                "kind": { "type": "string", "enum": ["a", "b"] },
                "label": { "type": "string" }
            }, "required": ["kind", "label"] }
        } }
    })
}

#[test]
fn each_kind_of_drift_is_found() {
    let report = codegen::audit::audit(&fixture_spec(), &altered_document());
    let text = report.render(true);
    assert_eq!(report.upstream_operations, 3, "{text}");
    assert_eq!(report.matched, 2, "{text}");
    assert_eq!(report.missing, ["listThings (GET /v2/things)"], "{text}");
    assert_eq!(report.not_upstream.len(), 1, "{text}");
    assert!(report.not_upstream[0].starts_with("things.extra"), "{text}");
    let get = &report.operations["things.get (GET /v2/orgs/{orgId}/things/{thingId})"];
    for expected in [
        "param expand (query): optional upstream, required here",
        "param ours (query): missing upstream",
        "param theirs (query): missing here",
        "response field name: required upstream, optional here",
        "response field extra: missing upstream",
        "response field theirs: missing here",
    ] {
        assert!(get.unexplained.iter().any(|d| d == expected), "missing `{expected}` in:\n{text}");
    }
    assert_eq!(get.unexplained.len(), 6, "{text}");
    // The upstream document contradicting itself is not drift of ours.
    assert_eq!(
        get.upstream_inconsistent,
        [
            "declares path parameter bogus, which is not in its path",
            "does not declare path parameter orgId of its own path"
        ],
        "{text}"
    );
    let create = &report.operations["things.create (POST /v2/things)"];
    for expected in [
        "cal-api-version: sent here, not declared upstream",
        "body label: required upstream, optional here",
        "body kind: enum value b missing here",
    ] {
        assert!(create.unexplained.iter().any(|d| d == expected), "missing `{expected}` in:\n{text}");
    }
    assert_eq!(create.known.len(), 1, "{text}");
    assert_eq!(create.known[0].0, "body kind: enum value c missing upstream");
    assert!(!report.is_clean());
    // Six for `get`, and for `create` its three plus the same three response fields.
    assert_eq!(report.unexplained(), 12, "{text}");
}

#[test]
fn stale_explanations_are_reported() {
    let mut doc = altered_document();
    // Upstream now agrees on the enum: the explanation in the spec explains nothing.
    doc["components"]["schemas"]["CreateThing"]["properties"]["kind"]["enum"] = json!(["a", "c"]);
    let report = codegen::audit::audit(&fixture_spec(), &doc);
    assert_eq!(report.stale_known.len(), 1, "{}", report.render(true));
    assert!(report.stale_known[0].ends_with("body kind: enum value c missing upstream"));
}

#[test]
fn wildcard_keys_cover_a_prefix() {
    assert!(codegen::audit::drift_matches("response*", "response field id: missing upstream"));
    assert!(codegen::audit::drift_matches("response field *", "response field id: missing upstream"));
    assert!(!codegen::audit::drift_matches("response field *", "body id: missing upstream"));
    assert!(codegen::audit::drift_matches("body id: missing upstream", "body id: missing upstream"));
}

/// The real spec against Cal.com's document: every operation matched, nothing unexplained, no
/// stale explanation. (Skipped with a notice without the document; a failure with `CI=true`.)
#[test]
fn the_spec_covers_the_upstream_document_without_unexplained_drift() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf();
    let path = codegen::audit::openapi_path(&root);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true and the upstream OpenAPI document {} cannot be read: {e}", path.display())
        }
        Err(e) => {
            // Written to stderr directly, not through the test harness's capture, so it shows.
            let _ = std::io::Write::write_fmt(
                &mut std::io::stderr(),
                format_args!(
                    "NOTICE: skipped: upstream OpenAPI document {} not found ({e}); set CALCOM_OPENAPI\n",
                    path.display()
                ),
            );
            return;
        }
    };
    let doc: serde_json::Value = serde_json::from_str(&text).expect("the document is JSON");
    let api = codegen::load_model(&root.join("spec")).unwrap_or_else(|e| panic!("{e}"));
    let report = codegen::audit::audit(&api, &doc);
    assert_eq!(report.matched, report.upstream_operations, "{}", report.render(false));
    assert_eq!(report.spec_operations, report.upstream_operations, "{}", report.render(false));
    assert!(report.is_clean(), "{}", report.render(false));
}

/// `audit --draft`: a missing upstream operation drafted from the document's shapes, reusing the
/// spec's types where the wire shape is the same, with no upstream prose.
#[test]
fn draft_writes_a_missing_operation_from_the_documents_shapes() {
    let spec = fixture_spec();
    let doc = json!({
        "paths": {
            "/v2/orgs/{orgId}/things/{thingId}/archive": {
                "post": {
                    "operationId": "ThingsController_archiveThing",
                    "summary": "Archives the thing forever and ever",
                    "parameters": [
                        { "name": "Authorization", "in": "header", "required": true, "schema": { "type": "string" } },
                        { "name": "cal-api-version", "in": "header", "required": true, "schema": { "type": "string", "default": "2024-08-13" } },
                        { "name": "thingId", "in": "path", "required": true, "schema": { "type": "number" } },
                        { "name": "take", "in": "query", "schema": { "type": "number", "default": 10 } },
                        { "name": "skip", "in": "query", "schema": { "type": "number" } }
                    ],
                    "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ArchiveInput" } } } },
                    "responses": { "200": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                        "status": { "type": "string" },
                        "data": { "type": "array", "items": { "$ref": "#/components/schemas/SameAsThing" } }
                    } } } } } }
                }
            }
        },
        "components": { "schemas": {
            "ArchiveInput": { "type": "object", "properties": {
                "reason": { "type": "string", "enum": ["old", "broken"], "description": "Why the thing goes away, in prose" },
                "kind": { "type": "string", "enum": ["c", "a"] },
                "archivedAt": { "type": "string", "example": "2025-01-01T10:00:00Z" },
                "ownerId": { "type": "number", "nullable": true },
                "note": { "type": "string", "example": "A long sentence that must not be copied" }
            }, "required": ["reason"] },
            "SameAsThing": { "type": "object", "properties": {
                "id": { "type": "number" }, "name": { "type": "string" }, "extra": { "type": "string" }
            } }
        } }
    });
    let text = codegen::draft::draft(&spec, &doc, "doc.json", "ThingsController_archiveThing").expect("drafted");
    for expected in [
        "# DRAFT, not reviewed: `ThingsController_archiveThing` (POST /v2/orgs/{orgId}/things/{thingId}/archive)",
        "# Resource: suggested `orgs.things.archive` (new: spec/orgs/things/archive.yaml",
        "  - name: archive_thing\n    method: POST\n",
        "    upstream: ThingsController_archiveThing\n",
        "    auth: [api_key, access_token]",
        "    api_version: \"2024-08-13\"\n",
        // The undeclared placeholder is drafted, in path order, before the declared one.
        "      orgId: { type: integer, docs: TODO }  # not declared upstream\n      thingId: { type: integer, docs: TODO }\n",
        "      take: { type: number, docs: TODO, default: 10 }\n",
        "    pagination: take_skip\n",
        "    body: ArchiveInput\n",
        // Same wire fields as the spec's `Thing`: reused, not drafted.
        "    response: list<Thing>\n",
        "      reason: { type: ArchiveInputReason, required: true, docs: TODO }\n",
        // Same values as the spec's `Kind` enum: reused.
        "      kind: { type: Kind, docs: TODO }\n",
        "      archivedAt: { type: date-time, docs: TODO, example: \"2025-01-01T10:00:00Z\" }\n",
        "      ownerId: { type: integer, nullable: true, docs: TODO }\n",
        "  ArchiveInputReason:\n    docs: TODO\n    values:\n      \"old\": TODO\n      \"broken\": TODO\n",
    ] {
        assert!(text.contains(expected), "draft lacks {expected:?}:\n{text}");
    }
    assert!(!text.contains("SameAsThing"), "{text}");
    assert!(!text.contains("  Kind:"), "{text}");
    // No upstream prose: descriptions, summaries and sentence-like examples stay out.
    for prose in ["forever", "Why the thing", "long sentence"] {
        assert!(!text.contains(prose), "draft copies upstream prose {prose:?}:\n{text}");
    }
    // The draft is the YAML of a resource file's `operations:`, `models:` and `enums:`.
    let yaml = format!("resource: things.archive\ndocs: TODO\n{text}");
    assert!(yaml.contains("operations:\n") && yaml.contains("models:\n") && yaml.contains("enums:\n"));

    let missing = codegen::draft::draft(&spec, &doc, "doc.json", "archive").unwrap_err();
    assert_eq!(missing.to_string(), "the document has no operation `archive`; similar: ThingsController_archiveThing");
    let present = codegen::draft::draft(&spec, &altered_document(), "doc.json", "getThing").unwrap_err();
    assert_eq!(present.to_string(), "`getThing` is already in the spec as `things.get`; the audit compares it");
}
