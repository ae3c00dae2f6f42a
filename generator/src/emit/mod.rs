//! Emitting: the validated model -> token streams, one [`Emitted`] per generated file.
//!
//! - this module: the plan (which files, built once), shared helpers (Rust types, docs), the
//!   crate's `generated/mod.rs`;
//! - `models`: model files (structs, enums, unions with their decoders);
//! - `resources`: the resource tree, request builders and operation constants;
//! - `webhooks`: the `WebhookEvent` enum;
//! - `mock`: the test kit's stubs (cargo feature `test-util`).

mod mock;
mod models;
mod resources;
mod webhooks;

use models::{ModelFile, emit_model_file, emit_models_root, model_files};
use resources::{emit_auth_consts, emit_resource, emit_resources_root};
use webhooks::emit_webhooks;

use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::model::{Api, Enum, Field, Method, Model, Operation, Param, Resource, Segment, Type, Union};
use crate::naming::ident;
use crate::types::Builtin;

/// One generated file: its path in the client crate, the spec files it comes from, and its items.
pub struct Emitted {
    /// Path relative to the client crate's root (`src/generated/resources/orgs/teams.rs`).
    pub path: PathBuf,
    /// Spec files the contents come from (for the header).
    pub sources: Vec<PathBuf>,
    /// Module docs.
    pub docs: String,
    /// The items.
    pub tokens: TokenStream,
}

/// One generated file to make: a unit of work that can run on any thread.
#[derive(Debug, Clone, Copy)]
pub enum Job {
    /// `src/generated/mod.rs`.
    Mod,
    /// `src/generated/models/mod.rs`: the model files, re-exported.
    Models,
    /// One file of models (index into the list `model_files` makes).
    ModelFile(usize),
    /// `src/generated/resources.rs`.
    ResourcesRoot,
    /// One resource's module (index into [`Api::resources`]).
    Resource(usize),
    /// `src/generated/webhooks.rs`.
    Webhooks,
    /// `src/generated/mock.rs`: the test kit's top-level stub handles and operation table.
    MockRoot,
    /// One resource's stubs (index into [`Api::resources`]).
    MockResource(usize),
    /// `src/generated/mock/webhook_events.rs`.
    MockWebhooks,
    /// `tests/generated/operations.rs`.
    Examples,
}

/// What to generate, decided once for a run: which resource groups need which types, the model
/// files they are written in, and the jobs (one per file). Shared by every worker thread.
pub struct Plan {
    features: crate::features::Features,
    model_files: Vec<ModelFile>,
    /// Every file to generate, in a fixed order.
    pub jobs: Vec<Job>,
}

impl Plan {
    /// The plan for `api`.
    pub fn new(api: &Api) -> Plan {
        let features = crate::features::Features::new(api);
        let model_files = model_files(&features);
        let mut jobs = vec![Job::Mod, Job::Models];
        jobs.extend((0..model_files.len()).map(Job::ModelFile));
        jobs.push(Job::ResourcesRoot);
        jobs.extend((0..api.resources.len()).map(Job::Resource));
        jobs.push(Job::Webhooks);
        jobs.push(Job::MockRoot);
        jobs.extend((0..api.resources.len()).map(Job::MockResource));
        jobs.extend([Job::MockWebhooks, Job::Examples]);
        Plan { features, model_files, jobs }
    }
}

/// One generated file, with its path relative to the client crate.
pub fn emit_one(api: &Api, plan: &Plan, job: Job) -> Emitted {
    let mut e = match job {
        Job::Mod => emit_mod(api, plan),
        Job::Models => emit_models_root(api, plan),
        Job::ModelFile(i) => emit_model_file(api, plan, i),
        Job::ResourcesRoot => emit_resources_root(api, plan),
        Job::Resource(i) => emit_resource(api, i),
        Job::Webhooks => emit_webhooks(api),
        Job::MockRoot => mock::emit_mock_root(api, plan),
        Job::MockResource(i) => mock::emit_mock_resource(api, i),
        Job::MockWebhooks => mock::emit_mock_webhooks(api),
        Job::Examples => return crate::examples::emit_examples(api),
    };
    e.path = Path::new("src/generated").join(&e.path);
    // A file made from nothing in particular (no resources yet, no common types) still names
    // the spec it belongs to.
    if e.sources.is_empty() {
        e.sources = vec![api.api_file.clone()];
    }
    e
}

/// Every generated file of the API, in a fixed order.
pub fn emit(api: &Api) -> Vec<Emitted> {
    let plan = Plan::new(api);
    plan.jobs.iter().map(|j| emit_one(api, &plan, *j)).collect()
}

/// `#[doc = "..."]` attributes, one per line, so prettyplease prints `/// ...` comments.
pub(super) fn doc(text: &str) -> TokenStream {
    let lines: Vec<String> =
        text.trim_end().lines().map(|l| if l.is_empty() { String::new() } else { format!(" {l}") }).collect();
    quote! { #( #[doc = #lines] )* }
}

pub(super) fn all_files(api: &Api) -> Vec<PathBuf> {
    api.files.clone()
}

pub(super) fn emit_mod(api: &Api, plan: &Plan) -> Emitted {
    let auth_consts = emit_auth_consts(api, plan);
    let base_url = &api.base_url;
    let base_doc = doc(&format!("The base URL of {}, used unless the client is built with another.", api.title));
    let variants: Vec<_> = api.api_versions.iter().map(|v| format_ident!("{}", v.variant)).collect();
    let values: Vec<&str> = api.api_versions.iter().map(|v| v.value.as_str()).collect();
    let vdocs: Vec<TokenStream> = api.api_versions.iter().map(|v| doc(&format!("`{}`: {}", v.value, v.docs))).collect();
    let versions_doc =
        doc("A value of the `cal-api-version` header.\n\nEach operation that needs one sends it by itself; \
         name a version only to pin another one for a single request.");
    let tokens = quote! {
        pub mod models;
        pub mod resources;
        pub mod webhooks;
        /// The test kit's stubs, compiled only with the `test-util` feature.
        #[cfg(feature = "test-util")]
        pub mod mock;

        #auth_consts

        #base_doc
        pub const DEFAULT_BASE_URL: &str = #base_url;

        #versions_doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ApiVersion {
            #( #vdocs #variants, )*
        }

        impl ApiVersion {
            /// Every version this client knows, oldest first.
            pub const ALL: &'static [ApiVersion] = &[ #( ApiVersion::#variants ),* ];

            /// The header value, e.g. `2024-08-13`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    #( ApiVersion::#variants => #values, )*
                }
            }
        }

        impl std::fmt::Display for ApiVersion {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
    Emitted {
        path: PathBuf::from("mod.rs"),
        sources: vec![api.api_file.clone()],
        docs: format!("Code generated from the spec of {}: models, resources and API versions.", api.title),
        tokens,
    }
}

/// Where a type is written from: inside `models/`, or elsewhere (through `models::`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    Models,
    Resources,
}

pub(super) fn rust_type(api: &Api, ty: &Type, scope: Scope) -> TokenStream {
    match ty {
        Type::Builtin(b) => match b {
            Builtin::String => quote!(String),
            Builtin::Integer => quote!(i64),
            Builtin::Number => quote!(f64),
            Builtin::Boolean => quote!(bool),
            Builtin::DateTime => quote!(chrono::DateTime<chrono::Utc>),
            Builtin::OffsetDateTime => quote!(chrono::DateTime<chrono::FixedOffset>),
            Builtin::Date => quote!(chrono::NaiveDate),
            Builtin::Json => quote!(serde_json::Value),
        },
        Type::List(inner) => {
            let inner = rust_type(api, inner, scope);
            quote!(Vec<#inner>)
        }
        Type::Map(inner) => {
            let inner = rust_type(api, inner, scope);
            quote!(std::collections::BTreeMap<String, #inner>)
        }
        Type::Model(i) => named(&api.models[*i].name, scope),
        Type::Enum(i) => named(&api.enums[*i].name, scope),
        Type::Union(i) => named(&api.unions[*i].name, scope),
    }
}

pub(super) fn named(name: &str, scope: Scope) -> TokenStream {
    let id = format_ident!("{}", name);
    match scope {
        Scope::Models => quote!(#id),
        Scope::Resources => quote!(models::#id),
    }
}

/// `text` without its final period, to continue the sentence.
pub(super) fn strip_period(text: &str) -> &str {
    let t = text.trim_end();
    t.strip_suffix('.').unwrap_or(t)
}

/// Docs followed by a sentence of extra facts (example, server default) on the same paragraph.
pub(super) fn with_facts(docs: &str, facts: &[String]) -> String {
    if facts.is_empty() {
        return docs.to_owned();
    }
    let mut text = docs.trim_end().to_owned();
    if !text.ends_with('.') && !text.ends_with(')') {
        text.push('.');
    }
    for f in facts {
        text.push(' ');
        text.push_str(f);
    }
    text
}

pub(super) fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// The name of a model, enum or union type (for docs).
pub(super) fn type_name<'a>(api: &'a Api, ty: &Type) -> &'a str {
    match ty {
        Type::Model(i) => &api.models[*i].name,
        Type::Enum(i) => &api.enums[*i].name,
        Type::Union(i) => &api.unions[*i].name,
        Type::Builtin(_) | Type::List(_) | Type::Map(_) => "value",
    }
}

/// The type of a method argument for a value of `ty`, and the conversion applied to it.
/// Strings take `impl Into<String>`, lists `impl IntoIterator`; everything else is by value.
pub(super) fn arg_type(api: &Api, ty: &Type, scope: Scope) -> (TokenStream, TokenStream) {
    match ty {
        Type::Builtin(Builtin::String) => (quote!(impl Into<String>), quote!(.into())),
        Type::List(inner) => {
            let inner = rust_type(api, inner, scope);
            (quote!(impl IntoIterator<Item = #inner>), quote!(.into_iter().collect()))
        }
        other => (rust_type(api, other, scope), quote!()),
    }
}
