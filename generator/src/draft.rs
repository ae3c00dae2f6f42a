//! `cargo xtask audit --draft <operationId>`: a YAML starting point for an upstream operation the
//! spec lacks, written from the shapes the OpenAPI document declares.
//!
//! The draft carries facts only (method, path, parameters with their types and required flags,
//! the body and response models, enums, `cal-api-version`, the auth headers declared), never the
//! document's prose: every `summary` and `docs` is a `TODO` for the maintainer, who also checks
//! each shape against Cal.com's server code. Types the spec already has are reused: a model whose
//! wire fields equal an existing model's, and an enum whose values equal an existing enum's, are
//! named, not drafted again.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::Value;

use crate::audit::{flatten, resolve, success_schema};
use crate::model::{Api, MANAGED_HEADERS};
use crate::path::PathTemplate;

/// Why no draft could be written.
#[derive(Debug, PartialEq, Eq)]
pub enum DraftError {
    /// The document has no operation with that id; `near` lists ids that contain the request.
    NotFound {
        /// The id asked for.
        id: String,
        /// Document ids that contain it (case-insensitive), at most eight.
        near: Vec<String>,
    },
    /// The spec already has the operation (its `upstream` names it).
    AlreadyInSpec {
        /// The id asked for.
        id: String,
        /// The spec's `resource.operation` with that `upstream`.
        spec_name: String,
    },
}

impl std::fmt::Display for DraftError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DraftError::NotFound { id, near } => {
                write!(f, "the document has no operation `{id}`")?;
                if !near.is_empty() {
                    write!(f, "; similar: {}", near.join(", "))?;
                }
                Ok(())
            }
            DraftError::AlreadyInSpec { id, spec_name } => {
                write!(f, "`{id}` is already in the spec as `{spec_name}`; the audit compares it")
            }
        }
    }
}

/// One upstream operation found by id.
struct Found<'a> {
    method: String,
    path: String,
    op: &'a Value,
}

fn find<'a>(doc: &'a Value, id: &str) -> Result<Found<'a>, DraftError> {
    let mut near = Vec::new();
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let Some(op_id) = op.get("operationId").and_then(Value::as_str) else { continue };
            if op_id == id {
                return Ok(Found { method: method.to_uppercase(), path: path.clone(), op });
            }
            if op_id.to_lowercase().contains(&id.to_lowercase()) {
                near.push(op_id.to_owned());
            }
        }
    }
    near.sort();
    near.truncate(8);
    Err(DraftError::NotFound { id: id.to_owned(), near })
}

/// The draft of upstream operation `id`, as YAML text to paste into a resource file.
pub fn draft(api: &Api, doc: &Value, source: &str, id: &str) -> Result<String, DraftError> {
    for r in &api.resources {
        for op in &r.operations {
            if op.upstream.as_deref() == Some(id) {
                return Err(DraftError::AlreadyInSpec {
                    id: id.to_owned(),
                    spec_name: format!("{}.{}", r.path.join("."), op.name),
                });
            }
        }
    }
    let found = find(doc, id)?;
    let mut d = Drafter::new(api, doc);
    let resource = suggested_resource(&found.path);
    let existing = api.resources.iter().any(|r| r.path.join(".") == resource);

    let mut op = String::new();
    let _ = writeln!(op, "  - name: {}", suggested_name(id));
    let _ = writeln!(op, "    method: {}", found.method);
    let _ = writeln!(op, "    path: {}", found.path);
    let _ = writeln!(op, "    summary: TODO one sentence, in our own words.");
    let _ = writeln!(op, "    upstream: {id}");

    // Parameters, by location; the managed headers become `auth` and `api_version`.
    let mut by_location: BTreeMap<&str, Vec<(String, String)>> = BTreeMap::new();
    let mut auth = BTreeSet::new();
    let mut api_version = None;
    let mut query_names = BTreeSet::new();
    for p in found.op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
        let p = resolve(doc, p);
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
        let location = p.get("in").and_then(Value::as_str).unwrap_or_default();
        let schema = p.get("schema").map(|s| resolve(doc, s)).unwrap_or(&Value::Null);
        if location == "header" {
            match name.to_ascii_lowercase().as_str() {
                "authorization" => {
                    auth.insert("api_key");
                    auth.insert("access_token");
                    continue;
                }
                "x-cal-client-id" | "x-cal-secret-key" => {
                    auth.insert("platform_client");
                    continue;
                }
                "cal-api-version" => {
                    api_version = schema
                        .get("default")
                        .or_else(|| schema.pointer("/enum/0"))
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .or(Some("TODO (declared upstream without a value)".to_owned()));
                    continue;
                }
                lower if MANAGED_HEADERS.contains(&lower) => continue,
                _ => {}
            }
        }
        let required = location == "path" || p.get("required").and_then(Value::as_bool).unwrap_or(false);
        let ty = if location == "path" {
            match d.type_of(schema, name, "Param") {
                t if t == "integer" || t == "string" => t,
                t if d.enums.contains_key(&t) || api.enums.iter().any(|e| e.name == t) => t,
                _ => "string".to_owned(),
            }
        } else {
            d.type_of(schema, name, "Param")
        };
        if location == "query" {
            query_names.insert(name.to_owned());
        }
        let mut entry = format!("{{ type: {ty}");
        if required && location != "path" {
            entry.push_str(", required: true");
        }
        entry.push_str(", docs: TODO");
        if let Some(default) = schema.get("default").and_then(scalar) {
            let _ = write!(entry, ", default: {default}");
        }
        if let Some(example) = p.get("example").or_else(|| schema.get("example")).and_then(scalar) {
            let _ = write!(entry, ", example: {example}");
        }
        entry.push_str(" }");
        by_location.entry(location).or_default().push((name.to_owned(), entry));
    }
    if !auth.is_empty() {
        let modes: Vec<&str> =
            ["api_key", "access_token", "platform_client"].into_iter().filter(|m| auth.contains(m)).collect();
        let _ =
            writeln!(op, "    auth: [{}]  # from the headers declared upstream: check the guards", modes.join(", "));
    } else {
        let _ = writeln!(
            op,
            "    # auth: no auth header declared upstream: check the guards (`[]` for a public operation)"
        );
    }
    if let Some(v) = &api_version {
        let _ = writeln!(op, "    api_version: \"{v}\"");
    }
    // Path parameters in the order of the path; a placeholder upstream does not declare is drafted too.
    let order: Vec<String> =
        PathTemplate::parse(&found.path).map(|t| t.names().map(str::to_owned).collect()).unwrap_or_default();
    for name in &order {
        let params = by_location.entry("path").or_default();
        if !params.iter().any(|(n, _)| n == name) {
            let ty = if name.ends_with("Id") { "integer" } else { "string" };
            params.push((name.clone(), format!("{{ type: {ty}, docs: TODO }}  # not declared upstream")));
        }
    }
    if let Some(mut params) = by_location.remove("path") {
        params.sort_by_key(|(n, _)| order.iter().position(|o| o == n).unwrap_or(usize::MAX));
        let _ = writeln!(op, "    path_params:");
        for (name, entry) in params {
            let _ = writeln!(op, "      {name}: {entry}");
        }
    }
    for (location, key) in [("query", "query"), ("header", "headers")] {
        if let Some(params) = by_location.remove(location) {
            let _ = writeln!(op, "    {key}:");
            for (name, entry) in params {
                let _ = writeln!(op, "      {name}: {entry}");
            }
        }
    }
    if query_names.contains("take") && query_names.contains("skip") {
        let _ = writeln!(op, "    pagination: take_skip");
    } else if query_names.contains("limit") && query_names.contains("offset") {
        let _ = writeln!(op, "    pagination: limit_offset");
    }
    if let Some(body) = found.op.pointer("/requestBody/content/application~1json/schema") {
        let ty = d.type_of(body, "body", &suggested_name(id).to_upper_camel_case());
        let _ = writeln!(op, "    body: {ty}");
    }
    match success_schema(doc, found.op) {
        Some(schema) => {
            let flat = flatten(doc, schema);
            match flat.properties.get("data") {
                Some(data) => {
                    let ty = d.type_of(data, "data", &suggested_name(id).to_upper_camel_case());
                    let _ = writeln!(op, "    response: {ty}");
                }
                None if flat.properties.contains_key("status") => {
                    let _ = writeln!(op, "    # response: upstream's envelope has no `data`");
                }
                None => {
                    let ty = d.type_of(schema, "response", "Response");
                    let _ = writeln!(op, "    envelope: false");
                    let _ = writeln!(op, "    response: {ty}");
                }
            }
        }
        None => {
            let _ = writeln!(op, "    # response: none declared upstream (check what the server sends)");
        }
    }

    let mut out = String::new();
    let _ = writeln!(out, "# DRAFT, not reviewed: `{id}` ({} {}) as {source} declares it.", found.method, found.path);
    let _ = writeln!(out, "# Before it goes into the spec:");
    let _ = writeln!(out, "#   - settle every shape from Cal.com's server code (the document is often wrong);");
    let _ =
        writeln!(out, "#   - write `summary` and every `docs` in our own words (the draft carries no upstream prose);");
    let _ = writeln!(out, "#   - rename drafted types as a person would, and reuse spec types for the same concept;");
    let _ = writeln!(out, "#   - decide each union's rule (spec/README.md, \"Unions\").");
    if existing {
        let _ = writeln!(out, "# Resource: `{resource}` exists; add the operation to its file.");
    } else {
        let _ = writeln!(
            out,
            "# Resource: suggested `{resource}` (new: spec/{}.yaml, with `resource:`, `docs:` and `auth:`).",
            resource.replace('.', "/")
        );
        // An action on a thing (`.../archive`) may rather be an operation of the nearest existing resource.
        let segments: Vec<&str> = resource.split('.').collect();
        if let Some(parent) = (1..segments.len())
            .rev()
            .map(|n| segments[..n].join("."))
            .find(|p| api.resources.iter().any(|r| r.path.join(".") == *p))
        {
            let _ = writeln!(out, "# (or an operation of the nearest existing resource, `{parent}`)");
        }
    }
    let _ = writeln!(out, "operations:");
    out.push_str(&op);
    d.render_types(&mut out);
    Ok(out)
}

/// The client's resource path for an upstream path: literal segments, `organizations` as `orgs`.
fn suggested_resource(path: &str) -> String {
    path.trim_start_matches("/v2/")
        .split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .map(|s| if s == "organizations" { "orgs".to_owned() } else { s.to_snake_case() })
        .collect::<Vec<_>>()
        .join(".")
}

/// A method name from the verb of an `operationId` (`Controller_createRole` -> `create`).
fn suggested_name(id: &str) -> String {
    let action = id.rsplit('_').next().unwrap_or(id);
    let snake = action.to_snake_case();
    let mut words = snake.split('_');
    match (words.next(), words.next()) {
        (Some("get"), Some("all")) | (Some("list"), _) => "list".to_owned(),
        (Some("get"), _) if snake.ends_with('s') => "list".to_owned(),
        (Some(verb @ ("get" | "create" | "update" | "delete")), Some(_)) if snake.matches('_').count() == 1 => {
            verb.to_owned()
        }
        _ => snake,
    }
}

/// Whether an example string is an ISO 8601 date-time (`2024-08-13T15:30:00Z`).
fn looks_like_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 19
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
}

/// A scalar example as YAML flow text. Strings are kept only when they are values rather than
/// prose (short, without spaces), so no upstream wording reaches the draft.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if s.len() <= 40 && !s.contains(char::is_whitespace) => {
            Some(serde_json::to_string(s).unwrap_or_default())
        }
        Value::String(_) => None,
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Drafted models, enums and unions, in the order they were first needed.
struct Drafter<'a> {
    api: &'a Api,
    doc: &'a Value,
    models: BTreeMap<String, String>,
    model_order: Vec<String>,
    enums: BTreeMap<String, String>,
    /// Drafted enums by their values, so one set of values is drafted once.
    enum_values: BTreeMap<Vec<String>, String>,
    unions: BTreeMap<String, String>,
    /// Component name -> drafted (or reused) type name.
    named: BTreeMap<String, String>,
}

impl<'a> Drafter<'a> {
    fn new(api: &'a Api, doc: &'a Value) -> Self {
        Drafter {
            api,
            doc,
            models: BTreeMap::new(),
            model_order: Vec::new(),
            enums: BTreeMap::new(),
            enum_values: BTreeMap::new(),
            unions: BTreeMap::new(),
            named: BTreeMap::new(),
        }
    }

    /// The spec type expression for a schema; `field` and `context` name inline types.
    fn type_of(&mut self, schema: &'a Value, field: &str, context: &str) -> String {
        let component = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next());
        // A named schema keeps its component name; an inline one is named after where it sits.
        let type_name =
            || component.map(str::to_owned).unwrap_or_else(|| format!("{context}{}", field.to_upper_camel_case()));
        let s = resolve(self.doc, schema);
        if let Some(values) = s.get("enum").and_then(Value::as_array) {
            let values: Vec<String> = values.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
            if !values.is_empty() {
                return self.enum_type(&type_name(), values);
            }
        }
        if let Some(shapes) = s.get("oneOf").or_else(|| s.get("anyOf")).and_then(Value::as_array) {
            return self.union_type(&type_name(), shapes);
        }
        let id_like = field == "id" || field.ends_with("Id") || field.ends_with("Ids");
        match s.get("type").and_then(Value::as_str) {
            Some("string") => match s.get("format").and_then(Value::as_str) {
                Some("date-time") => "date-time".to_owned(),
                Some("date") => "date".to_owned(),
                // Cal.com's document often omits the format of its timestamps.
                _ if field.ends_with("At")
                    || s.get("example").and_then(Value::as_str).is_some_and(looks_like_date_time) =>
                {
                    "date-time".to_owned()
                }
                _ => "string".to_owned(),
            },
            Some("integer") => "integer".to_owned(),
            Some("number") if id_like => "integer".to_owned(),
            Some("number") => "number".to_owned(),
            Some("boolean") => "boolean".to_owned(),
            Some("array") => {
                let item = s.get("items").unwrap_or(&Value::Null);
                let singular = field.strip_suffix('s').unwrap_or(field);
                format!("list<{}>", self.type_of(item, singular, context))
            }
            _ if s.get("properties").is_some() || s.get("allOf").is_some() => self.model_type(&type_name(), s),
            Some("object") => match s.get("additionalProperties") {
                Some(inner @ Value::Object(_)) => format!("map<{}>", self.type_of(inner, field, context)),
                _ => "json".to_owned(),
            },
            _ => "json".to_owned(),
        }
    }

    fn enum_type(&mut self, name: &str, values: Vec<String>) -> String {
        let set: BTreeSet<&str> = values.iter().map(String::as_str).collect();
        if let Some(e) =
            self.api.enums.iter().find(|e| e.values.iter().map(|v| v.wire.as_str()).collect::<BTreeSet<_>>() == set)
        {
            return e.name.clone();
        }
        if let Some(name) = self.enum_values.get(&values) {
            return name.clone();
        }
        let name = name.to_upper_camel_case();
        self.enum_values.insert(values.clone(), name.clone());
        if !self.enums.contains_key(&name) {
            let mut text = format!("  {name}:\n    docs: TODO\n    values:\n");
            for v in &values {
                let _ = writeln!(text, "      {}: TODO", serde_json::to_string(v).unwrap_or_default());
            }
            self.enums.insert(name.clone(), text);
        }
        name
    }

    fn union_type(&mut self, name: &str, shapes: &'a [Value]) -> String {
        let name = name.to_upper_camel_case();
        if self.unions.contains_key(&name) {
            return name;
        }
        self.unions.insert(name.clone(), String::new());
        let mut text = format!(
            "  {name}:\n    docs: TODO\n    # TODO: a rule per variant: `tag` + `tag_value`, or `when: {{ has, lacks }}`\n    variants:\n"
        );
        for (i, shape) in shapes.iter().enumerate() {
            let ty = self.type_of(shape, &format!("variant{}", i + 1), &name);
            let variant = ty.split(['<', '>']).rfind(|p| !p.is_empty()).unwrap_or("Variant").to_upper_camel_case();
            let _ = writeln!(text, "      {variant}: {{ type: {ty}, docs: TODO }}");
        }
        self.unions.insert(name.clone(), text);
        name
    }

    fn model_type(&mut self, name: &str, schema: &'a Value) -> String {
        if let Some(done) = self.named.get(name) {
            return done.clone();
        }
        let flat = flatten(self.doc, schema);
        let wires: BTreeSet<&str> = flat.properties.keys().map(String::as_str).collect();
        if let Some(m) = self.api.models.iter().find(|m| {
            !m.fields.is_empty() && m.fields.iter().map(|f| f.wire.as_str()).collect::<BTreeSet<_>>() == wires
        }) {
            self.named.insert(name.to_owned(), m.name.clone());
            return m.name.clone();
        }
        let rust = name.to_upper_camel_case();
        self.named.insert(name.to_owned(), rust.clone());
        self.model_order.push(rust.clone());
        let mut text = format!("  {rust}:\n");
        if let Some(hint) = self.closest_model(&wires) {
            text.push_str(&hint);
        }
        text.push_str("    docs: TODO\n    fields:\n");
        for (wire, prop) in &flat.properties {
            let ty = self.type_of(prop, wire, &rust);
            let prop = resolve(self.doc, prop);
            let mut entry = format!("{{ type: {ty}");
            if flat.required.contains(wire) {
                entry.push_str(", required: true");
            }
            if prop.get("nullable").and_then(Value::as_bool) == Some(true) {
                entry.push_str(", nullable: true");
            }
            entry.push_str(", docs: TODO");
            if let Some(example) = prop.get("example").and_then(scalar) {
                let _ = write!(entry, ", example: {example}");
            }
            entry.push_str(" }");
            let comment =
                if ty.contains("json") { "  # TODO: free-form upstream: settle the shape from the server" } else { "" };
            let _ = writeln!(text, "      {wire}: {entry}{comment}");
        }
        if flat.properties.is_empty() {
            text.push_str("      # TODO: no properties declared upstream\n");
        }
        self.models.insert(rust.clone(), text);
        rust
    }

    /// A comment naming the spec model with most of these wire fields (at least 70 % shared),
    /// and how they differ, so the maintainer can extend or correct it instead of adding a copy.
    fn closest_model(&self, wires: &BTreeSet<&str>) -> Option<String> {
        let (score, model) = self
            .api
            .models
            .iter()
            .map(|m| {
                let theirs: BTreeSet<&str> = m.fields.iter().map(|f| f.wire.as_str()).collect();
                let shared = theirs.intersection(wires).count();
                let union = theirs.union(wires).count().max(1);
                (shared * 100 / union, m)
            })
            .max_by_key(|(score, _)| *score)?;
        if score < 70 {
            return None;
        }
        let theirs: BTreeSet<&str> = model.fields.iter().map(|f| f.wire.as_str()).collect();
        let added: Vec<&str> = wires.difference(&theirs).copied().collect();
        let lacks: Vec<&str> = theirs.difference(wires).copied().collect();
        Some(format!(
            "    # close to spec model {} ({score} % of fields shared): upstream adds [{}], lacks [{}]\n",
            model.name,
            added.join(", "),
            lacks.join(", ")
        ))
    }

    fn render_types(&self, out: &mut String) {
        if !self.model_order.is_empty() {
            out.push_str("models:\n");
            for name in &self.model_order {
                out.push_str(&self.models[name]);
            }
        }
        if !self.enums.is_empty() {
            out.push_str("enums:\n");
            for text in self.enums.values() {
                out.push_str(text);
            }
        }
        if !self.unions.is_empty() {
            out.push_str("unions:\n");
            for text in self.unions.values() {
                out.push_str(text);
            }
        }
    }
}
