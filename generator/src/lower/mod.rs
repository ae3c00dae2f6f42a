//! Lowering: the parsed spec files -> the validated [`model::Api`](crate::model::Api). Every
//! reference is resolved, every name decided, every problem reported (never only the first).
//!
//! - this module: the entry point, the pass over the whole spec (`Cx::lower`), name and type
//!   resolution shared by the others;
//! - `models`: enums, models (`extends`), unions and their dispatch rules;
//! - `operations`: resources, operations, parameters, paths, pagination;
//! - `webhooks`: webhook events.

mod models;
mod operations;
mod webhooks;

use std::collections::BTreeMap;
use std::path::Path;

use serde_saphyr::{Location, Spanned};

use crate::diag::{Diagnostics, Pos};
use crate::load::SourceFile;
use crate::model::*;
use crate::naming;
use crate::raw::{self, OrderedMap};
use crate::types::{self, Builtin, TypeExpr};

/// The auth modes the runtime implements, by spec name.
const RUNTIME_AUTH_MODES: &[&str] = &["api_key", "access_token", "platform_client"];

/// Method names every request builder has; parameters may not take them.
const BUILDER_METHODS: &[&str] = &["send", "into_future", "new"];

/// Checks the parsed files and builds the model, or returns every problem found.
pub fn lower(files: &[SourceFile]) -> Result<Api, Diagnostics> {
    let mut cx = Cx { diags: Diagnostics::default(), types: BTreeMap::new() };
    let api = cx.lower(files);
    cx.diags.into_result()?;
    api.ok_or_else(|| {
        let mut d = Diagnostics::default();
        d.error(None, "the spec could not be read", "see the errors above");
        d
    })
}

/// What a type name refers to.
#[derive(Debug, Clone, Copy)]
pub(super) enum Named {
    Model(usize),
    Enum(usize),
    Union(usize),
}

pub(super) fn drift(map: &OrderedMap<String>) -> Vec<(String, String)> {
    map.0.iter().map(|(k, v)| (k.value.clone(), v.clone())).collect()
}

pub(super) struct Cx {
    diags: Diagnostics,
    types: BTreeMap<String, Named>,
}

pub(super) fn pos(file: &Path, loc: &Location) -> Pos {
    Pos::new(file, loc.line().max(1), loc.column().max(1))
}

pub(super) fn spos<T>(file: &Path, s: &Spanned<T>) -> Pos {
    pos(file, &s.referenced)
}

impl Cx {
    fn lower(&mut self, files: &[SourceFile]) -> Option<Api> {
        // 1. The api section.
        let mut api_sections = files.iter().filter_map(|f| f.file.api.as_ref().map(|a| (f, a)));
        let first = api_sections.next();
        for (f, a) in api_sections {
            self.diags.error(
                Some(&spos(&f.display, a)),
                "a second `api:` section",
                "exactly one file (spec/api.yaml) describes the API as a whole; remove this one",
            );
        }
        let Some((api_file, api)) = first else {
            self.diags.error(None, "no file has an `api:` section", "add spec/api.yaml; see spec/README.md");
            return None;
        };
        let api_path = &api_file.display;
        for f in files {
            if f.file.api.is_some() && (f.file.resource.is_some() || !f.file.operations.is_empty()) {
                self.diags.error(
                    Some(&Pos::new(&f.display, 1, 1)),
                    "the file with `api:` also has a resource or operations",
                    "keep api.yaml for the API as a whole and put operations in resource files",
                );
            }
        }
        let base_url = api.value.base_url.value.clone();
        if !(base_url.starts_with("https://") || base_url.starts_with("http://")) || base_url.ends_with('/') {
            self.diags.error(
                Some(&spos(api_path, &api.value.base_url)),
                format!("base_url `{base_url}` is not an http(s) URL without a trailing `/`"),
                "write it like `https://api.cal.com`",
            );
        }
        let mut auth_modes = Vec::new();
        for (name, docs) in &api.value.auth_modes.0 {
            if !RUNTIME_AUTH_MODES.contains(&name.value.as_str()) {
                self.diags.error(
                    Some(&spos(api_path, name)),
                    format!("unknown auth mode `{}`", name.value),
                    format!("the client runtime implements: {}", RUNTIME_AUTH_MODES.join(", ")),
                );
            }
            auth_modes.push(AuthMode {
                name: name.value.clone(),
                variant: naming::pascal(&name.value),
                docs: docs.clone(),
            });
        }
        let mut api_versions = Vec::new();
        for (value, docs) in &api.value.api_versions.0 {
            let variant = naming::pascal(&value.value);
            if !naming::is_identifier(&variant) {
                self.diags.error(
                    Some(&spos(api_path, value)),
                    format!("API version `{}` cannot be named in Rust", value.value),
                    "use a version like `2024-08-13`",
                );
            }
            api_versions.push(ApiVersion { value: value.value.clone(), variant, docs: docs.clone() });
        }

        // 2. Every type name, before any reference is resolved.
        let mut enum_src: Vec<(&Path, &raw::Str, &raw::Enum)> = Vec::new();
        let mut model_src: Vec<(&Path, &raw::Str, &raw::Model)> = Vec::new();
        let mut union_src: Vec<(&Path, &raw::Str, &raw::Union)> = Vec::new();
        for f in files {
            enum_src.extend(f.file.enums.0.iter().map(|(n, e)| (f.display.as_path(), n, e)));
            model_src.extend(f.file.models.0.iter().map(|(n, m)| (f.display.as_path(), n, m)));
            union_src.extend(f.file.unions.0.iter().map(|(n, u)| (f.display.as_path(), n, u)));
        }
        enum_src.sort_by(|a, b| a.1.value.cmp(&b.1.value));
        model_src.sort_by(|a, b| a.1.value.cmp(&b.1.value));
        union_src.sort_by(|a, b| a.1.value.cmp(&b.1.value));
        let declared = enum_src
            .iter()
            .enumerate()
            .map(|(i, (f, n, _))| (*f, *n, "enum", Named::Enum(i)))
            .chain(model_src.iter().enumerate().map(|(i, (f, n, _))| (*f, *n, "model", Named::Model(i))))
            .chain(union_src.iter().enumerate().map(|(i, (f, n, _))| (*f, *n, "union", Named::Union(i))));
        let mut first_seen: BTreeMap<String, Pos> = BTreeMap::new();
        for (file, name, kind, named) in declared {
            let p = spos(file, name);
            if let Some(prev) = first_seen.get(&name.value) {
                self.diags.error(
                    Some(&p),
                    format!("duplicate type name `{}`", name.value),
                    format!("`{}` is already declared at {prev}; rename one of them", name.value),
                );
            } else {
                first_seen.insert(name.value.clone(), p.clone());
                self.types.insert(name.value.clone(), named);
            }
            if !naming::is_pascal(&name.value) {
                self.diags.error(
                    Some(&p),
                    format!("{kind} name `{}` is not PascalCase", name.value),
                    format!("rename it to `{}`", naming::pascal(&name.value)),
                );
            }
            if RESERVED_TYPE_NAMES.contains(&name.value.as_str()) {
                self.diags.error(
                    Some(&p),
                    format!("{kind} name `{}` is taken by the client runtime", name.value),
                    "choose a more specific name",
                );
            }
        }

        // 3. Enums, models and unions.
        let enums: Vec<Enum> = enum_src.iter().map(|(f, n, e)| self.lower_enum(f, n, e)).collect();
        let by_name: BTreeMap<&str, (&Path, &raw::Model)> =
            model_src.iter().map(|(f, n, m)| (n.value.as_str(), (*f, *m))).collect();
        let mut models: Vec<Model> = Vec::with_capacity(model_src.len());
        for (f, n, m) in &model_src {
            let fields = self.model_fields(&by_name, f, n, m);
            models.push(self.lower_model(f, n, m, &fields));
        }
        let mut unions: Vec<Union> = union_src.iter().map(|(f, n, u)| self.lower_union(f, n, u)).collect();
        for (i, (f, n, u)) in union_src.iter().enumerate() {
            self.check_dispatch(f, n, u, i, &unions, &models);
        }

        let webhook_events = self.lower_webhook_events(files);

        // 4. Resources and their operations.
        let mut resources = self.lower_resources(files, &auth_modes, &api_versions);

        // 5. Which models and unions are request inputs (bodies and everything they contain).
        let mut stack: Vec<Type> =
            resources.iter().flat_map(|r| r.operations.iter().filter_map(|o| o.body.clone())).collect();
        while let Some(ty) = stack.pop() {
            match ty {
                Type::Model(m) if !models[m].is_input => {
                    models[m].is_input = true;
                    stack.extend(models[m].fields.iter().map(|f| f.ty.clone()));
                }
                Type::Union(u) if !unions[u].is_input => {
                    unions[u].is_input = true;
                    stack.extend(unions[u].variants.iter().map(|v| v.ty.clone()));
                }
                Type::List(inner) | Type::Map(inner) => stack.push(*inner),
                _ => {}
            }
        }
        resources.sort_by(|a, b| a.path.cmp(&b.path));
        let index: BTreeMap<Vec<String>, usize> =
            resources.iter().enumerate().map(|(i, r)| (r.path.clone(), i)).collect();
        for i in 0..resources.len() {
            let path = resources[i].path.clone();
            if path.len() > 1
                && let Some(&parent) = index.get(&path[..path.len() - 1])
            {
                resources[parent].children.push(i);
            }
        }

        Some(Api {
            title: api.value.title.clone(),
            base_url,
            docs: api.value.docs.clone(),
            auth_modes,
            api_versions,
            resources,
            models,
            enums,
            unions,
            webhook_events,
            files: files.iter().map(|f| f.display.clone()).collect(),
            api_file: api_path.clone(),
        })
    }

    /// The Rust (snake_case) name of a field or parameter: its `rust_name`, or its converted wire name.
    pub(super) fn rust_name(&mut self, file: &Path, wire: &str, over: Option<&raw::Str>, p: &Pos) -> String {
        match over {
            Some(o) => {
                if !naming::is_snake(&o.value) {
                    self.diags.error(
                        Some(&spos(file, o)),
                        format!("rust_name `{}` is not snake_case", o.value),
                        format!("write it as `{}`", naming::snake(&o.value)),
                    );
                }
                o.value.clone()
            }
            None => {
                let rust = naming::snake(wire);
                if !naming::is_identifier(&rust) {
                    self.diags.error(
                        Some(p),
                        format!("`{wire}` converts to `{rust}`, which is not a Rust identifier"),
                        "give it a `rust_name`",
                    );
                }
                rust
            }
        }
    }

    pub(super) fn resolve(&mut self, file: &Path, text: &raw::Str) -> Option<Type> {
        let p = spos(file, text);
        match types::parse(&text.value) {
            Ok(expr) => self.resolve_expr(&expr, &p),
            Err(e) => {
                let mut at = p.clone();
                at.column += e.offset as u64;
                self.diags.error(
                    Some(&at),
                    format!("bad type expression `{}`: {}", text.value, e.message),
                    "types are string, integer, number, boolean, date-time, date, json, list<T>, map<T> or a model or enum name",
                );
                None
            }
        }
    }

    pub(super) fn resolve_expr(&mut self, expr: &TypeExpr, p: &Pos) -> Option<Type> {
        Some(match expr {
            TypeExpr::Builtin(b) => Type::Builtin(*b),
            TypeExpr::List(inner) => Type::List(Box::new(self.resolve_expr(inner, p)?)),
            TypeExpr::Map(inner) => Type::Map(Box::new(self.resolve_expr(inner, p)?)),
            TypeExpr::Named(name) => match self.types.get(name) {
                Some(Named::Model(i)) => Type::Model(*i),
                Some(Named::Enum(i)) => Type::Enum(*i),
                Some(Named::Union(i)) => Type::Union(*i),
                None => {
                    let close = self.closest_type(name);
                    self.diags.error(
                        Some(p),
                        format!("unknown type `{name}`"),
                        match close {
                            Some(c) => format!("did you mean `{c}`? Otherwise declare it under `models:`, `enums:` or `unions:`"),
                            None => "declare it under `models:`, `enums:` or `unions:` of some spec file, or use a built-in type".to_owned(),
                        },
                    );
                    return None;
                }
            },
        })
    }

    pub(super) fn closest_type(&self, name: &str) -> Option<String> {
        crate::diag::closest(name, self.types.keys().map(String::as_str)).map(str::to_owned)
    }
}
