//! Lowering resources, operations and their parameters, paths and pagination.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::*;
use crate::model::*;
use crate::path::{Part, PathTemplate};
use crate::raw::{self, Method};

impl Cx {
    pub(super) fn lower_resources(
        &mut self,
        files: &[SourceFile],
        auth_modes: &[AuthMode],
        api_versions: &[ApiVersion],
    ) -> Vec<Resource> {
        let mut resources = Vec::new();
        let mut declared: BTreeMap<Vec<String>, Pos> = BTreeMap::new();
        for f in files {
            let file = &f.display;
            let Some(res) = &f.file.resource else {
                if !f.file.operations.is_empty() {
                    self.diags.error(
                        Some(&spos(file, &f.file.operations[0])),
                        "operations in a file without `resource:`",
                        "add `resource: <dotted.path>` and `docs:` at the top of the file",
                    );
                }
                if f.file.docs.is_some()
                    || f.file.auth.is_some()
                    || f.file.api_version.is_some()
                    || f.file.deprecated.is_some()
                {
                    self.diags.error(
                        Some(&Pos::new(file, 1, 1)),
                        "`docs`, `auth`, `api_version` or `deprecated` in a file without `resource:`",
                        "these keys describe a resource; add `resource:` or remove them",
                    );
                }
                continue;
            };
            let p = spos(file, res);
            let path: Vec<String> = res.value.split('.').map(str::to_owned).collect();
            if path.iter().any(|s| !naming::is_snake(s)) {
                self.diags.error(
                    Some(&p),
                    format!("resource `{}` is not a dotted path of snake_case words", res.value),
                    "write it like `orgs.teams.memberships`",
                );
            }
            if let Some(prev) = declared.get(&path) {
                self.diags.error(
                    Some(&p),
                    format!("resource `{}` is declared twice", res.value),
                    format!("it is already declared at {prev}; put its operations in one file"),
                );
                continue;
            }
            declared.insert(path.clone(), p.clone());
            let docs = match &f.file.docs {
                Some(d) => d.clone(),
                None => {
                    self.diags.error(
                        Some(&p),
                        format!("resource `{}` has no `docs`", res.value),
                        "add `docs:` with one sentence about the resource",
                    );
                    String::new()
                }
            };
            let default_auth = f.file.auth.as_ref();
            let default_version = f.file.api_version.as_ref();
            let default_deprecated = f.file.deprecated.as_ref().and_then(|d| self.deprecation_note(file, d));
            let mut operations = Vec::new();
            let mut names: BTreeMap<String, Pos> = BTreeMap::new();
            for op in &f.file.operations {
                let op_pos = spos(file, &op.value.name);
                if let Some(prev) = names.get(&op.value.name.value) {
                    self.diags.error(
                        Some(&op_pos),
                        format!("duplicate operation name `{}` in resource `{}`", op.value.name.value, res.value),
                        format!("the other one is at {prev}; rename one of them"),
                    );
                } else {
                    names.insert(op.value.name.value.clone(), op_pos);
                }
                if let Some(mut o) =
                    self.lower_operation(file, &op.value, default_auth, default_version, auth_modes, api_versions)
                {
                    o.deprecated = match &op.value.deprecated {
                        Some(d) => self.deprecation_note(file, d),
                        None => default_deprecated.clone(),
                    };
                    operations.push(o);
                }
            }
            let type_name = naming::pascal(path.last().map(String::as_str).unwrap_or_default());
            resources.push(Resource { path, type_name, docs, children: Vec::new(), operations, file: file.clone() });
        }
        // Every ancestor must be declared; no operation may shadow a child accessor.
        for r in &resources {
            let p = &declared[&r.path];
            for n in 1..r.path.len() {
                let ancestor = &r.path[..n];
                if !declared.contains_key(ancestor) {
                    self.diags.error(
                        Some(p),
                        format!("resource `{}` has no parent `{}`", r.path.join("."), ancestor.join(".")),
                        format!("add a file with `resource: {}` and `docs:`", ancestor.join(".")),
                    );
                }
            }
            let children: BTreeSet<&str> = resources
                .iter()
                .filter(|c| c.path.len() == r.path.len() + 1 && c.path.starts_with(&r.path))
                .map(|c| c.accessor())
                .collect();
            for op in &r.operations {
                if children.contains(op.name.as_str()) {
                    self.diags.error(
                        Some(p),
                        format!("operation `{}` of `{}` has the name of a child resource", op.name, r.path.join(".")),
                        "rename the operation",
                    );
                }
            }
        }
        resources
    }

    /// A `deprecated` note: one line of plain text (it becomes `#[deprecated(note = ...)]`, which
    /// compilers print as is) saying what to use instead.
    fn deprecation_note(&mut self, file: &Path, note: &raw::Str) -> Option<String> {
        let text = note.value.trim();
        if text.is_empty() || text.contains('\n') {
            self.diags.error(
                Some(&spos(file, note)),
                "`deprecated` needs one line saying what to use instead",
                "write e.g. `deprecated: use client.orgs().webhooks() instead; Cal.com is retiring the platform product`",
            );
            return None;
        }
        Some(text.to_owned())
    }

    fn lower_operation(
        &mut self,
        file: &Path,
        op: &raw::Operation,
        default_auth: Option<&Spanned<Vec<raw::Str>>>,
        default_version: Option<&raw::Str>,
        auth_modes: &[AuthMode],
        api_versions: &[ApiVersion],
    ) -> Option<Operation> {
        let name = &op.name.value;
        let name_pos = spos(file, &op.name);
        if !naming::is_snake(name) {
            self.diags.error(
                Some(&name_pos),
                format!("operation name `{name}` is not snake_case"),
                format!("rename it to `{}`", naming::snake(name)),
            );
        }
        if BUILDER_METHODS.contains(&name.as_str()) {
            self.diags.error(Some(&name_pos), format!("operation name `{name}` is reserved"), "choose another name");
        }

        // Auth.
        let auth = match op.auth.as_ref().or(default_auth) {
            Some(list) => {
                let mut out = Vec::new();
                for mode in &list.value {
                    match auth_modes.iter().position(|m| m.name == mode.value) {
                        Some(i) if out.contains(&i) => self.diags.error(
                            Some(&spos(file, mode)),
                            format!("auth mode `{}` listed twice", mode.value),
                            "list it once",
                        ),
                        Some(i) => out.push(i),
                        None => self.diags.error(
                            Some(&spos(file, mode)),
                            format!("unknown auth mode `{}`", mode.value),
                            format!(
                                "use one of the modes declared in api.yaml: {}",
                                auth_modes.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ")
                            ),
                        ),
                    }
                }
                out
            }
            None => {
                self.diags.error(
                    Some(&name_pos),
                    format!("operation `{name}` does not say which auth modes it accepts"),
                    "add `auth: [...]` to the operation or to the file; `auth: []` for an operation without credentials",
                );
                Vec::new()
            }
        };

        // API version.
        let api_version = op.api_version.as_ref().or(default_version).and_then(|v| {
            let found = api_versions.iter().position(|a| a.value == v.value);
            if found.is_none() {
                self.diags.error(
                    Some(&spos(file, v)),
                    format!("unknown API version `{}`", v.value),
                    format!(
                        "declare it in api.yaml or use one of: {}",
                        api_versions.iter().map(|a| a.value.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                );
            }
            found
        });

        // Path template.
        let path_pos = spos(file, &op.path);
        let path = op.path.value.clone();
        if !path.starts_with("/v2/") || path.contains('?') || path.contains('#') {
            self.diags.error(
                Some(&path_pos),
                format!("path `{path}` must start with `/v2/` and have no query or fragment"),
                "write the path template only, e.g. `/v2/teams/{teamId}`",
            );
        }
        let template = match PathTemplate::parse(&path) {
            Ok(t) => t,
            Err(msg) => {
                self.diags.error(
                    Some(&path_pos),
                    format!("bad path template `{path}`: {msg}"),
                    "placeholders look like `{orgId}`",
                );
                PathTemplate { parts: Vec::new() }
            }
        };
        let placeholders: Vec<String> = template.names().map(str::to_owned).collect();
        let mut used_names: BTreeMap<String, String> = BTreeMap::new();
        let mut path_params = Vec::new();
        for ph in &placeholders {
            match op.path_params.0.iter().find(|(w, _)| &w.value == ph) {
                Some((wire, param)) => {
                    if let Some(p) = self.lower_param(file, wire, param, ParamKind::Path, &mut used_names) {
                        path_params.push(p);
                    }
                }
                None => self.diags.error(
                    Some(&path_pos),
                    format!("path placeholder `{{{ph}}}` has no parameter"),
                    format!("declare it under `path_params:`, e.g. `{ph}: {{ type: integer, docs: ... }}`"),
                ),
            }
        }
        for (wire, _) in &op.path_params.0 {
            if !placeholders.contains(&wire.value) {
                self.diags.error(
                    Some(&spos(file, wire)),
                    format!("path parameter `{}` is not in the path `{path}`", wire.value),
                    "remove it, or add the placeholder to the path",
                );
            }
        }
        // A placeholder without a parameter was reported above; the model is then not used.
        let segments = template
            .parts
            .into_iter()
            .filter_map(|part| match part {
                Part::Literal(l) => Some(Segment::Literal(l)),
                Part::Param(n) => path_params.iter().position(|p| p.wire == n).map(Segment::Param),
            })
            .collect();

        let query = self.lower_params(file, &op.query, ParamKind::Query, &mut used_names);
        for (wire, _) in &op.headers.0 {
            if MANAGED_HEADERS.contains(&wire.value.to_ascii_lowercase().as_str()) {
                self.diags.error(
                    Some(&spos(file, wire)),
                    format!("header `{}` is set by the client", wire.value),
                    "remove it: credentials follow from `auth`, and `cal-api-version` from `api_version`",
                );
            }
        }
        let headers = self.lower_params(file, &op.headers, ParamKind::Header, &mut used_names);

        // Body and response.
        let body = op.body.as_ref().and_then(|b| match self.resolve(file, b)? {
            t @ (Type::Model(_) | Type::Union(_)) => Some(t),
            _ => {
                self.diags.error(
                    Some(&spos(file, b)),
                    format!("body `{}` is not a model or union", b.value),
                    "name a model declared under `models:` or a union under `unions:`",
                );
                None
            }
        });
        if body.is_some() && used_names.contains_key("body") {
            self.diags.error(
                Some(&name_pos),
                "a parameter is named `body`, which is the request body's argument",
                "give the parameter a `rust_name`",
            );
        }
        if body.is_some() && matches!(op.method.value, Method::Get | Method::Delete) {
            self.diags.error(
                Some(&spos(file, &op.method)),
                format!("a {} operation with a request body", op.method.value.as_str()),
                "Cal.com reads no body on GET or DELETE; remove `body`",
            );
        }
        let response = op.response.as_ref().and_then(|r| self.resolve(file, r));
        if op.pagination.is_none() {
            let has = |name: &str| query.iter().any(|q| q.wire == name);
            if Pagination::ALL.iter().any(|p| has(p.params().0) && has(p.params().1)) {
                self.diags.error(
                    Some(&name_pos),
                    format!("operation `{name}` pages with query parameters but has no `pagination`"),
                    "add `pagination: take_skip` (or `limit_offset`), so the client offers a stream over every page",
                );
            }
        }
        let pagination = op.pagination.as_ref().map(|p| {
            let (size, offset) = p.value.params();
            for wanted in [size, offset] {
                let ok =
                    query.iter().any(|q| q.wire == wanted && !q.required && q.ty == Type::Builtin(Builtin::Integer));
                if !ok {
                    self.diags.error(
                        Some(&spos(file, p)),
                        format!("a paginated operation without an optional integer query parameter `{wanted}`"),
                        format!("declare `{size}` and `{offset}` under `query:`, or remove `pagination`"),
                    );
                }
            }
            if !matches!(response, Some(Type::List(_))) || op.response_nullable {
                self.diags.error(
                    Some(&spos(file, p)),
                    "a paginated operation must return a list",
                    "set `response: list<...>`, or remove `pagination`",
                );
            }
            p.value
        });
        if op.page_info && op.pagination.is_none() {
            self.diags.error(
                Some(&name_pos),
                "`page_info` on an operation without `pagination`",
                "add `pagination:`, or remove `page_info`",
            );
        }
        if op.auth_optional && auth.is_empty() {
            self.diags.error(
                Some(&name_pos),
                "`auth_optional` on an operation that takes no credentials",
                "remove `auth_optional`, or list the modes it accepts in `auth`",
            );
        }
        if op.upstream_defect.as_ref().is_some_and(|d| d.request.is_none() && d.response.is_none()) {
            self.diags.error(
                Some(&name_pos),
                "`upstream_defect` says nothing",
                "give `request:` or `response:` with the reason",
            );
        }
        if op.response_nullable && op.response.is_none() {
            self.diags.error(
                Some(&name_pos),
                "`response_nullable` without a `response`",
                "name the response type, or remove `response_nullable`",
            );
        }

        Some(Operation {
            name: name.clone(),
            builder: format!("{}Request", naming::pascal(name)),
            method: op.method.value,
            path,
            segments,
            summary: op.summary.clone(),
            docs: op.docs.clone(),
            upstream: op.upstream.as_ref().map(|u| u.value.clone()),
            auth,
            api_version,
            deprecated: None,
            path_params,
            query,
            headers,
            body,
            response,
            envelope: op.envelope.unwrap_or(true),
            response_nullable: op.response_nullable,
            pagination,
            page_info: op.page_info,
            known_drift: drift(&op.known_drift),
            upstream_request_defect: op.upstream_defect.as_ref().and_then(|d| d.request.clone()),
            upstream_response_defect: op.upstream_defect.as_ref().and_then(|d| d.response.clone()),
            auth_optional: op.auth_optional,
        })
    }

    fn lower_params(
        &mut self,
        file: &Path,
        params: &OrderedMap<raw::Param>,
        kind: ParamKind,
        used: &mut BTreeMap<String, String>,
    ) -> Vec<Param> {
        params.0.iter().filter_map(|(wire, p)| self.lower_param(file, wire, p, kind, used)).collect()
    }

    fn lower_param(
        &mut self,
        file: &Path,
        wire: &raw::Str,
        p: &raw::Param,
        kind: ParamKind,
        used: &mut BTreeMap<String, String>,
    ) -> Option<Param> {
        let at = spos(file, wire);
        let rust = self.rust_name(file, &wire.value, p.rust_name.as_ref(), &at);
        if let Some(prev) = used.get(&rust) {
            self.diags.error(
                Some(&at),
                format!("parameters `{prev}` and `{}` both convert to `{rust}`", wire.value),
                "give one of them a distinct `rust_name`",
            );
        } else {
            used.insert(rust.clone(), wire.value.clone());
        }
        if BUILDER_METHODS.contains(&rust.as_str()) {
            self.diags.error(Some(&at), format!("parameter name `{rust}` is reserved"), "give it a `rust_name`");
        }
        let ty = self.resolve(file, &p.ty)?;
        let ok = match kind {
            ParamKind::Path => matches!(ty, Type::Builtin(Builtin::Integer | Builtin::String) | Type::Enum(_)),
            ParamKind::Query | ParamKind::Header => match &ty {
                Type::List(inner) => is_scalar(inner),
                other => is_scalar(other),
            },
        };
        if !ok {
            self.diags.error(
                Some(&spos(file, &p.ty)),
                format!(
                    "{} parameter `{}` has type `{}`, which cannot be sent there",
                    kind.as_str(),
                    wire.value,
                    p.ty.value
                ),
                match kind {
                    ParamKind::Path => "path parameters are integer, string or an enum",
                    _ => "query and header parameters are scalars, enums or lists of them",
                },
            );
        }
        Some(Param {
            wire: wire.value.clone(),
            rust,
            ty,
            required: matches!(kind, ParamKind::Path) || p.required,
            docs: p.docs.clone(),
            default: p.default.as_ref().map(|d| d.0.clone()),
            example: p.example.as_ref().map(|e| e.0.clone()),
        })
    }
}

#[derive(Debug, Clone, Copy)]
enum ParamKind {
    Path,
    Query,
    Header,
}

impl ParamKind {
    fn as_str(self) -> &'static str {
        match self {
            ParamKind::Path => "path",
            ParamKind::Query => "query",
            ParamKind::Header => "header",
        }
    }
}

fn is_scalar(ty: &Type) -> bool {
    match ty {
        Type::Enum(_) => true,
        Type::Builtin(b) => *b != Builtin::Json,
        Type::List(_) | Type::Map(_) | Type::Model(_) | Type::Union(_) => false,
    }
}
