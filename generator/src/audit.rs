//! `cargo xtask audit`: what differs between the spec and an OpenAPI document of the same API.
//!
//! Operations are matched by the spec's `upstream` (the document's `operationId`). For matched
//! operations the audit compares where each lives (method, path), the parameters (name,
//! location, required), the `cal-api-version` header, the top-level fields of the request body
//! and of the response's `data` (name, required) and the values of enums at that level. Types
//! are not compared: the spec corrects them wholesale (integer ids, typed date-times).
//!
//! A difference the spec makes on purpose is listed in the operation's `known_drift` with its
//! reason (a key ending in `*` covers every difference starting with the rest), and is reported
//! as known; an entry that explains nothing is reported too, so explanations do not go stale. Differences where the upstream document contradicts itself
//! (a path placeholder it does not declare, a declared path parameter that is not in its path)
//! are reported as upstream inconsistencies, not drift.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value;

use crate::model::{Api, Operation, Type};

/// Headers the client sets itself; they are compared through `auth` and `api_version`.
use crate::model::MANAGED_HEADERS;

/// The OpenAPI document the spec is kept in step with, relative to the workspace root. Tools and
/// tests read `$CALCOM_OPENAPI` first; this is the default every one of them uses.
pub const DEFAULT_OPENAPI: &str = "../shared/calcom/openapi-v2-fea00aa.json";

/// The document to compare with: `$CALCOM_OPENAPI`, else [`DEFAULT_OPENAPI`] under `root`.
pub fn openapi_path(root: &std::path::Path) -> std::path::PathBuf {
    std::env::var_os("CALCOM_OPENAPI").map(std::path::PathBuf::from).unwrap_or_else(|| root.join(DEFAULT_OPENAPI))
}

/// The audit's findings.
#[derive(Debug, Default)]
pub struct Report {
    /// Operations in the document.
    pub upstream_operations: usize,
    /// Operations in the spec.
    pub spec_operations: usize,
    /// Operations matched by `upstream`.
    pub matched: usize,
    /// Upstream operations the spec lacks: `operationId (METHOD path)`.
    pub missing: Vec<String>,
    /// Spec operations the document lacks: `name (METHOD path)`.
    pub not_upstream: Vec<String>,
    /// Per matched operation (`name (METHOD path)`), its differences.
    pub operations: BTreeMap<String, OpFindings>,
    /// `known_drift` entries that match no difference (stale explanations).
    pub stale_known: Vec<String>,
}

/// The differences found for one operation.
#[derive(Debug, Default)]
pub struct OpFindings {
    /// Differences the spec does not explain.
    pub unexplained: Vec<String>,
    /// Differences the spec explains: (difference, reason).
    pub known: Vec<(String, String)>,
    /// Places where the upstream document contradicts itself.
    pub upstream_inconsistent: Vec<String>,
}

impl Report {
    /// Number of unexplained differences.
    pub fn unexplained(&self) -> usize {
        self.operations.values().map(|o| o.unexplained.len()).sum()
    }

    /// Number of known (explained) differences.
    pub fn known(&self) -> usize {
        self.operations.values().map(|o| o.known.len()).sum()
    }

    /// Whether the spec and the document agree up to explained differences.
    pub fn is_clean(&self) -> bool {
        self.missing.is_empty()
            && self.not_upstream.is_empty()
            && self.unexplained() == 0
            && self.stale_known.is_empty()
    }

    /// The report as text. `verbose` also lists every known difference and upstream inconsistency.
    pub fn render(&self, verbose: bool) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "operations: {} upstream, {} in the spec, {} of {} matched",
            self.upstream_operations, self.spec_operations, self.matched, self.upstream_operations
        );
        let inconsistent: usize = self.operations.values().map(|o| o.upstream_inconsistent.len()).sum();
        let _ = writeln!(
            out,
            "differences: {} unexplained, {} known (explained in the spec), {} upstream inconsistencies",
            self.unexplained(),
            self.known(),
            inconsistent
        );
        if !self.missing.is_empty() {
            let _ = writeln!(out, "\nupstream operations missing from the spec ({}):", self.missing.len());
            for m in &self.missing {
                let _ = writeln!(out, "  {m}");
            }
        }
        if !self.not_upstream.is_empty() {
            let _ = writeln!(out, "\nspec operations not in the upstream document ({}):", self.not_upstream.len());
            for m in &self.not_upstream {
                let _ = writeln!(out, "  {m}");
            }
        }
        if !self.stale_known.is_empty() {
            let _ = writeln!(
                out,
                "\nknown_drift entries that match no difference (remove them) ({}):",
                self.stale_known.len()
            );
            for m in &self.stale_known {
                let _ = writeln!(out, "  {m}");
            }
        }
        let shown: Vec<(&String, &OpFindings)> = self
            .operations
            .iter()
            .filter(|(_, f)| {
                !f.unexplained.is_empty() || (verbose && (!f.known.is_empty() || !f.upstream_inconsistent.is_empty()))
            })
            .collect();
        if !shown.is_empty() {
            let _ = writeln!(out, "\n{}:", if verbose { "differences" } else { "unexplained drift" });
            for (op, f) in shown {
                let _ = writeln!(out, "  {op}");
                for d in &f.unexplained {
                    let _ = writeln!(out, "    drift: {d}");
                }
                if verbose {
                    for (d, why) in &f.known {
                        let _ = writeln!(out, "    known: {d} ({why})");
                    }
                    for d in &f.upstream_inconsistent {
                        let _ = writeln!(out, "    upstream inconsistency: {d}");
                    }
                }
            }
            if !verbose && self.unexplained() > 0 {
                let _ = writeln!(
                    out,
                    "\nfix the spec, or if a difference is on purpose, add it to the operation's `known_drift` with the reason"
                );
            }
        }
        out
    }
}

/// One upstream operation, as the audit needs it.
struct UpOp<'a> {
    method: String,
    path: String,
    op: &'a Value,
}

/// Compares the spec with an OpenAPI 3 document.
pub fn audit(api: &Api, doc: &Value) -> Report {
    let mut report = Report::default();
    let mut upstream: BTreeMap<String, UpOp<'_>> = BTreeMap::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for (method, op) in item.as_object().into_iter().flatten() {
                if !matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                    continue;
                }
                report.upstream_operations += 1;
                let id = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("{method} {path}"));
                upstream.insert(id, UpOp { method: method.to_uppercase(), path: path.clone(), op });
            }
        }
    }
    let mut matched_ids = BTreeSet::new();
    for r in &api.resources {
        for op in &r.operations {
            report.spec_operations += 1;
            let label = format!("{}.{} ({} {})", r.path.join("."), op.name, op.method.as_str(), op.path);
            let Some(up) = op.upstream.as_ref().and_then(|id| upstream.get(id).map(|u| (id, u))) else {
                report.not_upstream.push(label);
                continue;
            };
            matched_ids.insert(up.0.clone());
            report.matched += 1;
            let findings = compare(api, op, doc, up.1);
            let mut out = OpFindings { upstream_inconsistent: findings.inconsistent, ..Default::default() };
            let mut used = BTreeSet::new();
            for d in findings.drift {
                match op.known_drift.iter().find(|(key, _)| drift_matches(key, &d)) {
                    Some((key, why)) => {
                        used.insert(key.as_str());
                        out.known.push((d, why.clone()));
                    }
                    None => out.unexplained.push(d),
                }
            }
            for (key, _) in &op.known_drift {
                if !used.contains(key.as_str()) {
                    report.stale_known.push(format!("{label}: {key}"));
                }
            }
            report.operations.insert(label, out);
        }
    }
    for (id, up) in &upstream {
        if !matched_ids.contains(id) {
            report.missing.push(format!("{id} ({} {})", up.method, up.path));
        }
    }
    report
}

/// Whether a `known_drift` key explains a difference: the same text, or, for a key ending in
/// `*`, any difference that starts with the rest (`response field *` covers all response fields).
pub fn drift_matches(key: &str, difference: &str) -> bool {
    match key.strip_suffix('*') {
        Some(prefix) => difference.starts_with(prefix.trim_end()),
        None => key == difference,
    }
}

struct Findings {
    drift: Vec<String>,
    inconsistent: Vec<String>,
}

fn compare(api: &Api, op: &Operation, doc: &Value, up: &UpOp<'_>) -> Findings {
    let mut f = Findings { drift: Vec::new(), inconsistent: Vec::new() };
    if up.method != op.method.as_str() || up.path != op.path {
        f.drift.push(format!("location: {} {} upstream", up.method, up.path));
    }

    // Parameters.
    let placeholders: BTreeSet<String> = placeholders(&up.path);
    let mut up_params: BTreeMap<(String, String), bool> = BTreeMap::new();
    let mut up_version = false;
    for p in up.op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
        let p = resolve(doc, p);
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
        let location = p.get("in").and_then(Value::as_str).unwrap_or_default().to_owned();
        let required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
        if location == "header" && MANAGED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            up_version |= name.eq_ignore_ascii_case("cal-api-version");
            continue;
        }
        if location == "path" && !placeholders.contains(&name) {
            f.inconsistent.push(format!("declares path parameter {name}, which is not in its path"));
            continue;
        }
        up_params.insert((name, location), required);
    }
    let mut ours: BTreeMap<(String, String), bool> = BTreeMap::new();
    for (list, location) in [(&op.path_params, "path"), (&op.query, "query"), (&op.headers, "header")] {
        for p in list {
            ours.insert((p.wire.clone(), location.to_owned()), p.required);
        }
    }
    for ((name, location), required) in &ours {
        match up_params.get(&(name.clone(), location.clone())) {
            None if location == "path" => {
                f.inconsistent.push(format!("does not declare path parameter {name} of its own path"))
            }
            None => f.drift.push(format!("param {name} ({location}): missing upstream")),
            Some(up_required) if up_required != required => f.drift.push(format!(
                "param {name} ({location}): {} upstream, {} here",
                req(*up_required),
                req(*required)
            )),
            Some(_) => {}
        }
    }
    for (name, location) in up_params.keys() {
        if !ours.contains_key(&(name.clone(), location.clone())) {
            f.drift.push(format!("param {name} ({location}): missing here"));
        }
    }
    if up_version != op.api_version.is_some() {
        f.drift.push(if up_version {
            "cal-api-version: required upstream, not sent here".to_owned()
        } else {
            "cal-api-version: sent here, not declared upstream".to_owned()
        });
    }

    // Request body.
    let up_body = up.op.pointer("/requestBody/content/application~1json/schema").map(|s| resolve(doc, s));
    match (&op.body, up_body) {
        (Some(ty), Some(schema)) => compare_fields(api, ty, doc, schema, "body", &mut f.drift),
        (Some(_), None) => f.drift.push("body: none upstream".to_owned()),
        (None, Some(_)) => f.drift.push("body: missing here".to_owned()),
        (None, None) => {}
    }

    // Response data.
    let up_data = success_schema(doc, up.op).and_then(|s| {
        let s = flatten(doc, s);
        s.properties.get("data").map(|d| resolve(doc, d))
    });
    match (&op.response, up_data) {
        (Some(ty), Some(schema)) => {
            let (ty, schema) = match (ty, schema.get("type").and_then(Value::as_str)) {
                (Type::List(inner), Some("array")) => {
                    (inner.as_ref(), schema.get("items").map(|i| resolve(doc, i)).unwrap_or(schema))
                }
                (Type::List(_), _) => {
                    f.drift.push("response: a list here, not upstream".to_owned());
                    return f;
                }
                (_, Some("array")) => {
                    f.drift.push("response: a list upstream, not here".to_owned());
                    return f;
                }
                _ => (ty, schema),
            };
            compare_fields(api, ty, doc, schema, "response field", &mut f.drift);
        }
        (None, Some(_)) if op.envelope => f.drift.push("response: data upstream, none here".to_owned()),
        (Some(_), None) if op.envelope => f.drift.push("response: no data upstream".to_owned()),
        _ => {}
    }
    f
}

fn req(required: bool) -> &'static str {
    if required { "required" } else { "optional" }
}

/// The fields of a model type compared with a schema's properties (names, required, enum values).
fn compare_fields(api: &Api, ty: &Type, doc: &Value, schema: &Value, what: &str, drift: &mut Vec<String>) {
    if let Type::Union(u) = ty {
        // A union against a `oneOf`: shape by shape, in order.
        let union = &api.unions[*u];
        let shapes: Vec<&Value> =
            schema.get("oneOf").and_then(Value::as_array).into_iter().flatten().map(|s| resolve(doc, s)).collect();
        if shapes.len() != union.variants.len() {
            drift.push(format!("{what}: {} shapes here, {} upstream", union.variants.len(), shapes.len()));
            return;
        }
        for (variant, shape) in union.variants.iter().zip(shapes) {
            compare_fields(api, &variant.ty, doc, shape, &format!("{what} ({})", variant.name), drift);
        }
        return;
    }
    let Type::Model(m) = ty else { return };
    let model = &api.models[*m];
    let up = flatten(doc, schema);
    if up.properties.is_empty() && !up.one_of {
        return;
    }
    for field in &model.fields {
        match up.properties.get(&field.wire) {
            None => {
                if !up.one_of {
                    drift.push(format!("{what} {}: missing upstream", field.wire));
                }
            }
            Some(prop) => {
                let up_required = up.required.contains(&field.wire);
                if up_required != field.required {
                    drift.push(format!(
                        "{what} {}: {} upstream, {} here",
                        field.wire,
                        req(up_required),
                        req(field.required)
                    ));
                }
                compare_enum(api, &field.ty, doc, prop, &format!("{what} {}", field.wire), drift);
            }
        }
    }
    let ours: BTreeSet<&str> = model.fields.iter().map(|f| f.wire.as_str()).collect();
    for name in up.properties.keys() {
        if !ours.contains(name.as_str()) {
            drift.push(format!("{what} {name}: missing here"));
        }
    }
}

fn compare_enum(api: &Api, ty: &Type, doc: &Value, schema: &Value, what: &str, drift: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    let (ty, schema) = match ty {
        Type::List(inner) => (inner.as_ref(), schema.get("items").map(|i| resolve(doc, i)).unwrap_or(schema)),
        other => (other, schema),
    };
    let Type::Enum(e) = ty else { return };
    let Some(values) = schema.get("enum").and_then(Value::as_array) else { return };
    let up: BTreeSet<String> = values.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
    if up.is_empty() {
        return;
    }
    let ours: BTreeSet<String> = api.enums[*e].values.iter().map(|v| v.wire.clone()).collect();
    for v in up.difference(&ours) {
        drift.push(format!("{what}: enum value {v} missing here"));
    }
    for v in ours.difference(&up) {
        drift.push(format!("{what}: enum value {v} missing upstream"));
    }
}

/// The JSON schema of the first 2xx response.
pub(crate) fn success_schema<'a>(doc: &'a Value, op: &'a Value) -> Option<&'a Value> {
    let responses = op.get("responses")?.as_object()?;
    let (_, resp) = responses.iter().find(|(code, _)| code.starts_with('2'))?;
    let resp = resolve(doc, resp);
    resp.pointer("/content/application~1json/schema").map(|s| resolve(doc, s))
}

/// A schema with `$ref` followed.
pub(crate) fn resolve<'a>(doc: &'a Value, mut v: &'a Value) -> &'a Value {
    for _ in 0..32 {
        let Some(r) = v.get("$ref").and_then(Value::as_str) else { return v };
        let Some(target) = r.strip_prefix('#').and_then(|p| doc.pointer(p)) else { return v };
        v = target;
    }
    v
}

/// The properties of an object schema, with `allOf` merged.
pub(crate) struct Flat<'a> {
    pub(crate) properties: BTreeMap<String, &'a Value>,
    pub(crate) required: BTreeSet<String>,
    pub(crate) one_of: bool,
}

pub(crate) fn flatten<'a>(doc: &'a Value, schema: &'a Value) -> Flat<'a> {
    let mut flat = Flat { properties: BTreeMap::new(), required: BTreeSet::new(), one_of: false };
    flatten_into(doc, resolve(doc, schema), &mut flat, 0);
    flat
}

fn flatten_into<'a>(doc: &'a Value, schema: &'a Value, flat: &mut Flat<'a>, depth: usize) {
    if depth > 16 {
        return;
    }
    for part in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        flatten_into(doc, resolve(doc, part), flat, depth + 1);
    }
    if schema.get("oneOf").is_some() || schema.get("anyOf").is_some() {
        flat.one_of = true;
    }
    for (name, prop) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
        flat.properties.insert(name.clone(), prop);
    }
    for name in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
        if let Some(n) = name.as_str() {
            flat.required.insert(n.to_owned());
        }
    }
}

fn placeholders(path: &str) -> BTreeSet<String> {
    // Upstream's paths are well-formed templates; one that is not has no placeholders to match.
    crate::path::PathTemplate::parse(path).map(|t| t.names().map(str::to_owned).collect()).unwrap_or_default()
}
