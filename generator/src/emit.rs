//! From the model to Rust tokens, one function per kind of item.
//!
//! Only [`crate::model`] types are read here: every name is already decided and every
//! reference resolved. The output is token streams; [`crate::output`] formats and writes them.

use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::model::{Api, Enum, Field, Model, Operation, Param, Resource, Segment, Type, Union};
use crate::naming::ident;
use crate::raw::Method;
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
    /// `tests/generated/operations.rs`.
    Examples,
}

/// Every file to generate, in a fixed order.
pub fn jobs(api: &Api) -> Vec<Job> {
    let mut jobs = vec![Job::Mod, Job::Models];
    jobs.extend((0..model_files(&crate::features::Features::new(api)).len()).map(Job::ModelFile));
    jobs.push(Job::ResourcesRoot);
    jobs.extend((0..api.resources.len()).map(Job::Resource));
    jobs.extend([Job::Webhooks, Job::Examples]);
    jobs
}

/// One generated file, with its path relative to the client crate.
pub fn emit_one(api: &Api, job: Job) -> Emitted {
    let mut e = match job {
        Job::Mod => emit_mod(api),
        Job::Models => emit_models_root(api),
        Job::ModelFile(i) => emit_model_file(api, i),
        Job::ResourcesRoot => emit_resources_root(api),
        Job::Resource(i) => emit_resource(api, i),
        Job::Webhooks => emit_webhooks(api),
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
    jobs(api).into_iter().map(|j| emit_one(api, j)).collect()
}

/// `#[doc = "..."]` attributes, one per line, so prettyplease prints `/// ...` comments.
fn doc(text: &str) -> TokenStream {
    let lines: Vec<String> =
        text.trim_end().lines().map(|l| if l.is_empty() { String::new() } else { format!(" {l}") }).collect();
    quote! { #( #[doc = #lines] )* }
}

fn all_files(api: &Api) -> Vec<PathBuf> {
    api.files.clone()
}

fn emit_mod(api: &Api) -> Emitted {
    let auth_consts = emit_auth_consts(api);
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
enum Scope {
    Models,
    Resources,
}

fn rust_type(api: &Api, ty: &Type, scope: Scope) -> TokenStream {
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

fn named(name: &str, scope: Scope) -> TokenStream {
    let id = format_ident!("{}", name);
    match scope {
        Scope::Models => quote!(#id),
        Scope::Resources => quote!(models::#id),
    }
}

/// The largest set of groups that gets a model file of its own; types used by more groups are
/// compiled always (with `common.rs`), which costs a one-group build little and keeps the
/// number of files small.
const MAX_GROUPS_PER_FILE: usize = 3;

/// A file of models: its module name and the groups whose features compile it (`None`: always).
struct ModelFile {
    module: String,
    gate: crate::features::Gate,
}

/// The model files: one per set of groups that uses the same types (`orgs.rs`,
/// `bookings_orgs.rs`, ...), then `common.rs`; each type goes to the file of its gate.
fn model_files(features: &crate::features::Features) -> Vec<ModelFile> {
    let mut gates: Vec<std::collections::BTreeSet<usize>> = Vec::new();
    for gate in features.models.iter().chain(&features.enums).chain(&features.unions) {
        if let Some(set) = file_gate(gate)
            && !gates.contains(set)
        {
            gates.push(set.clone());
        }
    }
    let name = |set: &std::collections::BTreeSet<usize>| {
        set.iter().map(|&g| features.groups[g].as_str()).collect::<Vec<_>>().join("_")
    };
    let mut files: Vec<ModelFile> =
        gates.into_iter().map(|set| ModelFile { module: name(&set), gate: Some(set) }).collect();
    files.sort_by(|a, b| a.module.cmp(&b.module));
    if features.models.iter().chain(&features.enums).chain(&features.unions).any(|gate| file_gate(gate).is_none()) {
        files.push(ModelFile { module: "common".to_owned(), gate: None });
    }
    files
}

/// The gate a type's file has: its own, unless it is used by too many groups to be worth one.
fn file_gate(gate: &crate::features::Gate) -> Option<&std::collections::BTreeSet<usize>> {
    gate.as_ref().filter(|set| set.len() <= MAX_GROUPS_PER_FILE)
}

const MODELS_DOCS: &str = "The models (JSON objects), enums and unions of the API.\n\n\
    Every struct is `#[non_exhaustive]`: Cal.com adds fields in any release. Models sent in\n\
    request bodies are built with `new` (or `Default`) and their setters; models the server\n\
    sends are decoded (in tests, decode one from JSON). Every enum keeps values it does not\n\
    know in `Unknown`, and every union shapes it does not know in `Other` or `Unknown`.\n\n\
    The types are written in one file per set of resource groups that use them, compiled when\n\
    one of those groups' features is on, and all re-exported here.";

fn emit_models_root(api: &Api) -> Emitted {
    let features = crate::features::Features::new(api);
    let files = model_files(&features).into_iter().map(|f| {
        let module = ident(&f.module);
        let cfg = features.cfg(&f.gate);
        quote! {
            #cfg
            mod #module;
            #cfg
            pub use #module::*;
        }
    });
    Emitted {
        path: PathBuf::from("models/mod.rs"),
        sources: all_files(api),
        docs: MODELS_DOCS.to_owned(),
        tokens: quote! { #( #files )* },
    }
}

fn emit_model_file(api: &Api, index: usize) -> Emitted {
    let features = crate::features::Features::new(api);
    let file = model_files(&features).swap_remove(index);
    let here = |gate: &crate::features::Gate| file_gate(gate) == file.gate.as_ref();
    let pick =
        |gates: &[crate::features::Gate]| -> Vec<usize> { (0..gates.len()).filter(|&i| here(&gates[i])).collect() };
    let (enums, models, unions) = (pick(&features.enums), pick(&features.models), pick(&features.unions));

    // `use super::*` when a type here refers to another file's type.
    let elsewhere = models
        .iter()
        .flat_map(|&i| api.models[i].fields.iter().map(|f| &f.ty))
        .chain(unions.iter().flat_map(|&i| api.unions[i].variants.iter().map(|v| &v.ty)))
        .any(|ty| match ty.innermost() {
            Type::Model(i) => !models.contains(i),
            Type::Enum(i) => !enums.contains(i),
            Type::Union(i) => !unions.contains(i),
            Type::Builtin(_) | Type::List(_) | Type::Map(_) => false,
        });
    let use_others = elsewhere.then(|| {
        quote!(
            use super::*;
        )
    });
    // The header names the spec files this file's types are written in.
    let mut sources: Vec<PathBuf> = enums
        .iter()
        .flat_map(|&i| &api.enums[i].files)
        .chain(models.iter().flat_map(|&i| &api.models[i].files))
        .chain(unions.iter().flat_map(|&i| &api.unions[i].files))
        .cloned()
        .collect();
    sources.sort();
    sources.dedup();
    let no_cfg = quote!();
    let enums = enums.iter().map(|&i| emit_enum(&api.enums[i], no_cfg.clone()));
    let models = models.iter().map(|&i| emit_model(api, &api.models[i], no_cfg.clone()));
    let unions = unions.iter().map(|&i| emit_union(api, &api.unions[i], no_cfg.clone()));
    let docs = match &file.gate {
        None => "Types every build has: used by the webhook events, by many resource groups, or by none in particular."
            .to_owned(),
        Some(set) => {
            let names: Vec<String> = set.iter().map(|&g| format!("`{}`", features.groups[g])).collect();
            match names.as_slice() {
                [one] => format!("Types only the {one} resource group uses (compiled with the feature of that name)."),
                [init @ .., last] => format!(
                    "Types the {} and {last} resource groups use (compiled when one of those features is on).",
                    init.join(", ")
                ),
                [] => String::new(),
            }
        }
    };
    Emitted {
        path: PathBuf::from(format!("models/{}.rs", file.module)),
        sources,
        docs,
        tokens: quote! {
            #use_others

            #( #enums )* #( #models )* #( #unions )*
        },
    }
}

fn emit_enum(e: &Enum, cfg: TokenStream) -> TokenStream {
    let name = format_ident!("{}", e.name);
    let docs = doc(&e.docs);
    let variants: Vec<_> = e.values.iter().map(|v| format_ident!("{}", v.variant)).collect();
    let wires: Vec<&str> = e.values.iter().map(|v| v.wire.as_str()).collect();
    let vdocs: Vec<TokenStream> =
        e.values.iter().map(|v| doc(&format!("{} (`{}`).", strip_period(&v.docs), v.wire))).collect();
    // `as_str`, `Display`, `FromStr`, serde and query encoding come from one runtime macro.
    quote! {
        #docs
        #cfg
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #( #vdocs #variants, )*
            /// A value this version of the client does not know, as it was sent.
            Unknown(String),
        }

        #cfg
        crate::runtime::string_enum!(#name { #( #variants = #wires, )* });
    }
}

/// `text` without its final period, to continue the sentence.
fn strip_period(text: &str) -> &str {
    let t = text.trim_end();
    t.strip_suffix('.').unwrap_or(t)
}

/// Docs followed by a sentence of extra facts (example, server default) on the same paragraph.
fn with_facts(docs: &str, facts: &[String]) -> String {
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

fn field_doc(f: &Field) -> TokenStream {
    let facts: Vec<String> = f.example.iter().map(|e| format!("Example: `{e}`.")).collect();
    doc(&with_facts(&f.docs, &facts))
}

fn emit_model(api: &Api, m: &Model, cfg: TokenStream) -> TokenStream {
    let name = format_ident!("{}", m.name);
    let docs = doc(&m.docs);
    let all_optional = m.fields.iter().all(|f| !f.required);
    let default = if m.is_input && all_optional { quote!(Default,) } else { quote!() };
    let fields = m.fields.iter().map(|f| {
        let id = ident(&f.rust);
        let ty = rust_type(api, &f.ty, Scope::Models);
        let ty = if is_patch(m, f) {
            quote!(crate::Patch<#ty>)
        } else if f.is_option() {
            quote!(Option<#ty>)
        } else {
            ty
        };
        let fdoc = field_doc(f);
        quote! { #fdoc pub #id: #ty, }
    });
    // The serde impls come from a table of wire names and kinds (see `json::kind` in the
    // client): absent optional values are left out of bodies, a missing required key is an error.
    let table = m.fields.iter().map(|f| {
        let id = ident(&f.rust);
        // The wire name only where it is not the field's own name (raw identifiers always).
        let key = (id != f.wire).then(|| {
            let wire = &f.wire;
            quote!(= #wire)
        });
        let kind = if !f.required {
            quote!(optional)
        } else if f.nullable {
            quote!(nullable)
        } else {
            quote!()
        };
        quote!(#id #key #kind)
    });
    let constructors = if m.is_input { emit_model_builder(api, m, &cfg) } else { quote!() };
    // Fields may be added in any release, so no model can be built with a struct literal outside
    // this crate (`#[non_exhaustive]`): request models have `new` (or `Default`) and setters.
    quote! {
        #docs
        #cfg
        #[non_exhaustive]
        #[derive(Debug, Clone, PartialEq, #default)]
        pub struct #name {
            #( #fields )*
        }
        #cfg
        crate::json::object!(#name { #( #table ),* });
        #constructors
    }
}

/// `new(required...)` (or `Default`) and one setter per optional field, for request models.
fn emit_model_builder(api: &Api, m: &Model, cfg: &TokenStream) -> TokenStream {
    let name = format_ident!("{}", m.name);
    let required: Vec<&Field> = m.fields.iter().filter(|f| f.required).collect();
    let new = if required.is_empty() {
        quote!()
    } else {
        let args = required.iter().map(|f| {
            let id = ident(&f.rust);
            // A nullable value is a plain `Option<T>`, so that `None` needs no type annotation.
            let ty = if f.nullable {
                let ty = rust_type(api, &f.ty, Scope::Models);
                quote!(Option<#ty>)
            } else {
                arg_type(api, &f.ty, Scope::Models).0
            };
            quote!(#id: #ty)
        });
        let inits = m.fields.iter().map(|f| {
            let id = ident(&f.rust);
            if f.required {
                // The argument types of `new` follow `arg_type`, so apply its conversion.
                let conv = if f.nullable { quote!() } else { arg_type(api, &f.ty, Scope::Models).1 };
                if conv.is_empty() { quote!(#id) } else { quote!(#id: #id #conv) }
            } else if is_patch(m, f) {
                quote!(#id: crate::Patch::Unchanged)
            } else {
                quote!(#id: None)
            }
        });
        let arg_docs = required
            .iter()
            .map(|f| format!("`{}`: {}", crate::naming::display(&f.rust), strip_period(first_line(&f.docs))))
            .collect::<Vec<_>>()
            .join("; ");
        let new_doc = doc(&format!(
            "A `{}` with the required fields ({arg_docs}); set the others with the methods of the same names.",
            m.name
        ));
        let allow = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
        quote! {
            #new_doc
            #allow
            pub fn new( #( #args ),* ) -> Self {
                #name { #( #inits, )* }
            }
        }
    };
    let setters = m.fields.iter().filter(|f| !f.required).map(|f| {
        let id = ident(&f.rust);
        let (ty, conv) = arg_type(api, &f.ty, Scope::Models);
        let sdoc = field_doc(f);
        if is_patch(m, f) {
            let clear = format_ident!("clear_{}", crate::naming::serde_name(&f.rust));
            let cdoc = doc(&format!("Sends `{}: null`, clearing the value on the server.", f.wire));
            quote! {
                #sdoc
                pub fn #id(mut self, #id: #ty) -> Self {
                    self.#id = crate::Patch::Set(#id #conv);
                    self
                }
                #cdoc
                pub fn #clear(mut self) -> Self {
                    self.#id = crate::Patch::Clear;
                    self
                }
            }
        } else {
            quote! {
                #sdoc
                pub fn #id(mut self, #id: #ty) -> Self {
                    self.#id = Some(#id #conv);
                    self
                }
            }
        }
    });
    quote! {
        #cfg
        impl #name {
            #new
            #( #setters )*
        }
    }
}

/// Whether a field of a request model can say all three of "leave unchanged" (absent),
/// "clear" (`null`) and "set": optional and nullable.
fn is_patch(m: &Model, f: &Field) -> bool {
    m.is_input && !f.required && f.nullable
}

fn emit_union(api: &Api, u: &Union, cfg: TokenStream) -> TokenStream {
    let name = format_ident!("{}", u.name);
    let docs = doc(&u.docs);
    // Model variants are boxed: shapes differ a lot in size (a booking vs a list of them), and
    // a union should cost what its smallest shape costs.
    let variant_type = |ty: &Type| {
        let t = rust_type(api, ty, Scope::Models);
        if matches!(ty, Type::Model(_)) { quote!(Box<#t>) } else { t }
    };
    let variants = u.variants.iter().map(|v| {
        let vname = format_ident!("{}", v.name);
        let ty = variant_type(&v.ty);
        let vdoc = doc(&v.docs);
        let rename = v.tag_value.as_ref().map(|t| quote!(#[serde(rename = #t)]));
        quote! { #vdoc #rename #vname(#ty), }
    });
    let (attrs, how) = match &u.tag {
        Some(tag) => (
            quote!(#[serde(tag = #tag)]),
            format!(
                "The `{tag}` field says which variant a value is; an object with a `{tag}` this version of the \
                 client does not know is kept in `Other`."
            ),
        ),
        None => (quote!(#[serde(untagged)]), dispatch_docs(api, u)),
    };
    let fallback = quote! {
        /// A shape no rule of this version of the client claims, kept as it was sent.
        #[serde(untagged)]
        Other(serde_json::Value),
    };
    let how = doc(&format!("\n{how}"));
    let from_json = emit_union_from_json(api, u, &cfg);
    // `From` for each variant whose type no other variant shares, so a body can be passed as is.
    let froms = u.variants.iter().filter(|v| u.variants.iter().filter(|w| w.ty == v.ty).count() == 1).map(|v| {
        let vname = format_ident!("{}", v.name);
        let ty = rust_type(api, &v.ty, Scope::Models);
        let value = if matches!(v.ty, Type::Model(_)) { quote!(Box::new(value)) } else { quote!(value) };
        quote! {
            #cfg
            impl From<#ty> for #name {
                fn from(value: #ty) -> Self {
                    #name::#vname(#value)
                }
            }
        }
    });
    quote! {
        #docs
        #how
        #cfg
        #[derive(Debug, Clone, PartialEq, serde::Serialize)]
        #attrs
        #[non_exhaustive]
        pub enum #name {
            #( #variants )*
            #fallback
        }
        #from_json
        #( #froms )*
    }
}

/// How an untagged union's decoder picks a variant, for its docs.
fn dispatch_docs(api: &Api, u: &Union) -> String {
    let mut lines = vec!["Which variant a value is follows from what it is:".to_owned()];
    let code = |keys: &[String]| keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
    for v in &u.variants {
        let kinds = crate::model::json_kinds(&v.ty, &api.unions, &mut Vec::new());
        let what = kinds.iter().map(|k| format!("{k:?}").to_lowercase()).collect::<Vec<_>>().join(" or ");
        let mut rule = format!(
            "- `{}`: {}",
            v.name,
            if what == "object" { "an object".to_owned() } else { format!("a JSON {what}") }
        );
        if !v.has.is_empty() {
            rule.push_str(&format!(" with {}", code(&v.has)));
        }
        if !v.lacks.is_empty() {
            rule.push_str(&format!("{} without {}", if v.has.is_empty() { "" } else { " and" }, code(&v.lacks)));
        }
        lines.push(rule);
    }
    lines.push(String::new());
    lines.push(
        "An object that no rule claims is kept in `Other`; a value of another kind is a decoding error.".to_owned(),
    );
    lines.join("\n")
}

/// The union's `FromJson` (what the client decodes with) and `Deserialize` (through it): the
/// variant is chosen by the value's JSON kind, then for an object by its tag or by the keys its
/// variants' `when` rules name, and only that variant is decoded.
fn emit_union_from_json(api: &Api, u: &Union, cfg: &TokenStream) -> TokenStream {
    use crate::model::JsonKind;
    let name = format_ident!("{}", u.name);
    let name_str = &u.name;
    let kinds: Vec<_> =
        u.variants.iter().map(|v| crate::model::json_kinds(&v.ty, &api.unions, &mut Vec::new())).collect();
    let make = |v: &crate::model::Variant, from: TokenStream| {
        let vname = format_ident!("{}", v.name);
        quote!(#name::#vname(#from))
    };
    // Object variants, decided by tag or by rules.
    let objects: Vec<usize> = (0..u.variants.len()).filter(|&i| kinds[i].contains(&JsonKind::Object)).collect();
    let object_arm = if let Some(tag) = &u.tag {
        let arms = u.variants.iter().map(|v| {
            let value = v.tag_value.as_deref().unwrap_or_default();
            let made = make(v, quote!(shape.decode()?));
            quote!(Some(#value) => #made,)
        });
        quote! {
            crate::decode::Kind::Object => {
                let shape = r.shape(#name_str, Some(#tag), &[])?;
                Ok(match shape.tag() {
                    #( #arms )*
                    Some(_) => #name::Other(shape.value()?),
                    None => return Err(crate::decode::missing(#tag)),
                })
            }
        }
    } else if objects.len() == 1 && u.variants[objects[0]].has.is_empty() && u.variants[objects[0]].lacks.is_empty() {
        let made = make(&u.variants[objects[0]], quote!(crate::decode::FromJson::from_json(r)?));
        quote!(crate::decode::Kind::Object => Ok(#made),)
    } else if objects.is_empty() {
        quote!()
    } else {
        let keys = &u.keys;
        let bits = |list: &[String]| -> u64 {
            list.iter().map(|k| 1u64 << u.keys.iter().position(|x| x == k).unwrap_or(0)).fold(0, |a, b| a | b)
        };
        let rules = objects.iter().map(|&i| {
            let v = &u.variants[i];
            let (has, lacks) = (bits(&v.has), bits(&v.lacks));
            quote!((#has, #lacks))
        });
        let arms = objects.iter().enumerate().map(|(rule, &i)| {
            let made = make(&u.variants[i], quote!(crate::decode::FromJson::from_json(r)?));
            quote!(Some(#rule) => #made,)
        });
        // Decoding the previous value's variant first is safe only when each variant reads its
        // object itself (a model), not through another union.
        let guess = objects.iter().all(|&i| matches!(u.variants[i].ty, Type::Model(_)));
        let (hint_static, hint) = if guess {
            (
                quote!(
                    static HINT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(usize::MAX);
                ),
                quote!(Some(&HINT)),
            )
        } else {
            (quote!(), quote!(None))
        };
        quote! {
            crate::decode::Kind::Object => {
                #hint_static
                let mut value = None;
                r.union_by_keys(#name_str, &[ #( #keys ),* ], &[ #( #rules ),* ], #hint, &mut |r, variant| {
                    value = Some(match variant {
                        #( #arms )*
                        _ => #name::Other(crate::decode::FromJson::from_json(r)?),
                    });
                    Ok(())
                })?;
                crate::decode::decoded(value)
            }
        }
    };
    let other_arms = [
        (JsonKind::Array, quote!(crate::decode::Kind::Array)),
        (JsonKind::String, quote!(crate::decode::Kind::String)),
        (JsonKind::Number, quote!(crate::decode::Kind::Number)),
        (JsonKind::Bool, quote!(crate::decode::Kind::Bool)),
    ]
    .into_iter()
    .filter_map(|(kind, pattern)| {
        let i = (0..u.variants.len()).find(|&i| kinds[i].contains(&kind))?;
        let made = make(&u.variants[i], quote!(crate::decode::FromJson::from_json(r)?));
        Some(quote!(#pattern => Ok(#made),))
    });
    let expected = format!("{} ({})", u.name, {
        let all: std::collections::BTreeSet<JsonKind> = kinds.iter().flatten().copied().collect();
        all.iter().map(|k| format!("{k:?}").to_lowercase()).collect::<Vec<_>>().join(" or ")
    });
    quote! {
        #cfg
        impl crate::decode::FromJson for #name {
            fn from_json(r: &mut crate::decode::Reader<'_>) -> Result<Self, crate::decode::JsonError> {
                match r.kind()? {
                    #object_arm
                    #( #other_arms )*
                    _ => Err(r.invalid(#expected)),
                }
            }
        }
        #cfg
        crate::decode::deserialize_via_from_json!(#name);
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// The name of a model, enum or union type (for docs).
fn type_name<'a>(api: &'a Api, ty: &Type) -> &'a str {
    match ty {
        Type::Model(i) => &api.models[*i].name,
        Type::Enum(i) => &api.enums[*i].name,
        Type::Union(i) => &api.unions[*i].name,
        Type::Builtin(_) | Type::List(_) | Type::Map(_) => "value",
    }
}

/// The type of a method argument for a value of `ty`, and the conversion applied to it.
/// Strings take `impl Into<String>`, lists `impl IntoIterator`; everything else is by value.
fn arg_type(api: &Api, ty: &Type, scope: Scope) -> (TokenStream, TokenStream) {
    match ty {
        Type::Builtin(Builtin::String) => (quote!(impl Into<String>), quote!(.into())),
        Type::List(inner) => {
            let inner = rust_type(api, inner, scope);
            (quote!(impl IntoIterator<Item = #inner>), quote!(.into_iter().collect()))
        }
        other => (rust_type(api, other, scope), quote!()),
    }
}

fn emit_webhooks(api: &Api) -> Emitted {
    let variants = api.webhook_events.iter().map(|e| {
        let v = format_ident!("{}", e.variant);
        let payload = rust_type(api, &e.payload, Scope::Resources);
        let shape = if e.flat {
            "Cal.com sends this event flat: the payload's fields stand beside `triggerEvent`."
        } else {
            "The usual body: `{\"triggerEvent\", \"createdAt\", \"payload\"}`."
        };
        let d = doc(&format!("{}\n\nTrigger `{}`. {shape}", e.docs, e.trigger));
        let ty = if e.flat { payload } else { quote!(crate::webhooks::Delivery<#payload>) };
        quote! { #d #v(#ty), }
    });
    let names: Vec<_> = api.webhook_events.iter().map(|e| format_ident!("{}", e.variant)).collect();
    let triggers: Vec<&str> = api.webhook_events.iter().map(|e| e.trigger.as_str()).collect();
    let decoders = api.webhook_events.iter().map(|e| {
        let v = format_ident!("{}", e.variant);
        let t = &e.trigger;
        let f = if e.flat { quote!(decode_flat) } else { quote!(decode_delivery) };
        quote! { #t => WebhookEvent::#v(crate::webhooks::#f(body)?), }
    });
    let uses_models = !api.webhook_events.is_empty();
    let use_models = uses_models.then(|| {
        quote!(
            use crate::models;
        )
    });
    let tokens = quote! {
        #use_models

        /// A webhook delivery from Cal.com, verified and decoded, one variant per trigger.
        ///
        /// Get one from [`crate::webhooks::verify_and_parse`]. A trigger this version of the
        /// client does not know is not an error: it arrives as `Unknown` with the whole body. A
        /// known trigger whose body does not have the documented shape arrives as `Malformed`,
        /// with the decoding error, so the delivery is never lost.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum WebhookEvent {
            #( #variants )*
            /// A trigger this version of the client does not know.
            Unknown {
                /// The `triggerEvent` value.
                trigger: String,
                /// The whole body.
                body: serde_json::Value,
            },
            /// A known trigger whose body did not decode: log it (its error names the JSON path)
            /// and answer 2xx, or Cal.com may disable the webhook.
            Malformed(Box<crate::webhooks::MalformedEvent>),
        }

        impl WebhookEvent {
            /// The `triggerEvent` value, e.g. `BOOKING_CREATED`.
            pub fn trigger(&self) -> &str {
                match self {
                    #( WebhookEvent::#names(_) => #triggers, )*
                    WebhookEvent::Unknown { trigger, .. } => trigger,
                    WebhookEvent::Malformed(event) => &event.trigger,
                }
            }

            /// Decodes a body whose `triggerEvent` is `trigger`.
            pub(crate) fn decode(trigger: &str, body: &[u8]) -> Result<Self, crate::decode::JsonError> {
                Ok(match trigger {
                    #( #decoders )*
                    _ => WebhookEvent::Unknown { trigger: trigger.to_owned(), body: crate::decode::from_slice(body)? },
                })
            }
        }
    };
    Emitted {
        path: PathBuf::from("webhooks.rs"),
        sources: api.files.clone(),
        docs: "The webhook events Cal.com sends.".to_owned(),
        tokens,
    }
}

fn emit_resources_root(api: &Api) -> Emitted {
    let tops: Vec<&Resource> = api.resources.iter().filter(|r| r.path.len() == 1).collect();
    let features = crate::features::Features::new(api);
    let mods = tops.iter().map(|r| {
        let m = ident(r.accessor());
        let cfg = features.group(r.accessor());
        quote!(#cfg pub mod #m;)
    });
    let accessors = tops.iter().map(|r| {
        let cfg = features.group(r.accessor());
        let a = accessor(r, quote!(self.base()));
        quote!(#cfg #a)
    });
    Emitted {
        path: PathBuf::from("resources.rs"),
        sources: tops.iter().map(|r| r.file.clone()).collect(),
        docs: "The resources of the API, reached from [`Client`](crate::Client).".to_owned(),
        tokens: quote! {
            #( #mods )*

            impl crate::Client {
                #( #accessors )*
            }
        },
    }
}

/// The method that reaches resource `r` from its parent; `client` is how the parent reaches the client.
fn accessor(r: &Resource, client: TokenStream) -> TokenStream {
    let m = ident(r.accessor());
    let ty = format_ident!("{}", r.type_name);
    let docs = doc(&r.docs);
    let lifetime = if client.to_string() == "self . base ()" { quote!('_) } else { quote!('a) };
    quote! {
        #docs
        pub fn #m(&self) -> #m::#ty<#lifetime> {
            #m::#ty { base: #client }
        }
    }
}

fn resource_file_path(r: &Resource) -> PathBuf {
    let mut p = PathBuf::from("resources");
    for seg in &r.path {
        p.push(seg);
    }
    p.set_extension("rs");
    p
}

fn emit_resource(api: &Api, index: usize) -> Emitted {
    let r = &api.resources[index];
    let ty = format_ident!("{}", r.type_name);
    let children: Vec<&Resource> = r.children.iter().map(|&c| &api.resources[c]).collect();
    let mods = children.iter().map(|c| {
        let m = ident(c.accessor());
        quote!(pub mod #m;)
    });
    let child_accessors = children.iter().map(|c| accessor(c, quote!(self.base)));
    let methods = r.operations.iter().map(|op| emit_op_method(api, op));
    let builders = r.operations.iter().map(|op| emit_op_builder(api, r, op));
    let uses_models = r.operations.iter().any(op_uses_models);
    // The runtime types, then the models and credential sets the file needs.
    let runtime = if r.operations.is_empty() {
        quote!(
            use crate::runtime::Base;
        )
    } else {
        quote!(
            use crate::runtime::{Base, Call, Operation};
        )
    };
    let mut imports = Vec::new();
    if r.operations.iter().any(|op| !op.auth.is_empty()) {
        imports.push(quote!(generated::auth));
    }
    if uses_models {
        imports.push(quote!(models));
    }
    let imports = match imports.len() {
        0 => quote!(#runtime),
        1 => quote!(#runtime use crate::#( #imports )*;),
        _ => quote!(#runtime use crate::{ #( #imports ),* };),
    };
    let access: Vec<String> = r.path.iter().map(|s| format!("{}()", crate::naming::display(s))).collect();
    let access = format!("client.{}", access.join("."));
    let type_doc = doc(&format!("{}\n\nReached with `{access}`.", r.docs));
    Emitted {
        path: resource_file_path(r),
        sources: vec![r.file.clone()],
        docs: r.docs.clone(),
        tokens: quote! {
            #imports

            #( #mods )*

            #type_doc
            #[derive(Debug, Clone, Copy)]
            pub struct #ty<'a> {
                pub(crate) base: Base<'a>,
            }

            impl<'a> #ty<'a> {
                #( #child_accessors )*

                #( #methods )*
            }

            #( #builders )*
        },
    }
}

fn op_uses_models(op: &Operation) -> bool {
    let has = |t: &Type| !matches!(t.innermost(), Type::Builtin(_));
    op.body.is_some()
        || op.response.as_ref().is_some_and(has)
        || op.path_params.iter().chain(&op.query).chain(&op.headers).any(|p| has(&p.ty))
}

fn required_params(op: &Operation) -> impl Iterator<Item = &Param> {
    op.path_params.iter().chain(op.query.iter().filter(|p| p.required)).chain(op.headers.iter().filter(|p| p.required))
}

fn optional_params(op: &Operation) -> impl Iterator<Item = &Param> {
    op.query.iter().filter(|p| !p.required).chain(op.headers.iter().filter(|p| !p.required))
}

fn response_type(api: &Api, op: &Operation) -> TokenStream {
    match &op.response {
        Some(t) if op.response_nullable => {
            let t = rust_type(api, t, Scope::Resources);
            quote!(Option<#t>)
        }
        Some(t) => rust_type(api, t, Scope::Resources),
        None => quote!(()),
    }
}

fn op_doc(api: &Api, op: &Operation) -> String {
    let mut text = op.summary.clone();
    if let Some(d) = &op.docs {
        text.push_str("\n\n");
        text.push_str(d);
    }
    let args: Vec<String> = required_params(op)
        .map(|p| format!("`{}`: {}", crate::naming::display(&p.rust), strip_period(first_line(&p.docs))))
        .chain(op.body.as_ref().map(|b| format!("`body`: a [`{0}`](crate::models::{0})", type_name(api, b))))
        .collect();
    text.push_str("\n\n");
    if !args.is_empty() {
        text.push_str(&format!("Arguments: {}. ", args.join("; ")));
    }
    let mut request = format!("Sends `{} {}`", op.method.as_str(), op.path);
    if let Some(v) = op.api_version {
        request.push_str(&format!(" with `cal-api-version: {}`", api.api_versions[v].value));
    }
    if op.auth.is_empty() {
        request.push_str(", without credentials.");
    } else {
        let names: Vec<String> = op.auth.iter().map(|&a| format!("`{}`", api.auth_modes[a].name)).collect();
        request.push_str(&format!("; credentials: {}", names.join(", ")));
        request.push_str(if op.auth_optional { ", or none." } else { "." });
    }
    text.push_str(&request);
    text
}

fn emit_op_method(api: &Api, op: &Operation) -> TokenStream {
    let name = ident(&op.name);
    let builder = format_ident!("{}", op.builder);
    let docs = doc(&op_doc(api, op));
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for p in required_params(op) {
        let id = ident(&p.rust);
        let (ty, conv) = arg_type(api, &p.ty, Scope::Resources);
        args.push(quote!(#id: #ty));
        inits.push(if conv.is_empty() { quote!(#id) } else { quote!(#id: #id #conv) });
    }
    if let Some(b) = &op.body {
        let bty = rust_type(api, b, Scope::Resources);
        if matches!(b, Type::Union(_)) {
            args.push(quote!(body: impl Into<#bty>));
            inits.push(quote!(body: body.into()));
        } else {
            args.push(quote!(body: #bty));
            inits.push(quote!(body));
        }
    }
    for p in optional_params(op) {
        let id = ident(&p.rust);
        inits.push(quote!(#id: None));
    }
    let allow = (args.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        #docs
        #allow
        pub fn #name(&self, #( #args ),* ) -> #builder<'a> {
            #builder { base: self.base, #( #inits, )* }
        }
    }
}

fn param_doc(p: &Param) -> String {
    let facts: Vec<String> = p
        .default
        .iter()
        .map(|d| format!("Server default: `{d}`."))
        .chain(p.example.iter().map(|e| format!("Example: `{e}`.")))
        .collect();
    with_facts(&p.docs, &facts)
}

/// The `Operation` constructor of an HTTP method (`Operation::get(name, path)`, ...).
fn method_constructor(m: Method) -> proc_macro2::Ident {
    format_ident!(
        "{}",
        match m {
            Method::Get => "get",
            Method::Post => "post",
            Method::Put => "put",
            Method::Patch => "patch",
            Method::Delete => "delete",
        }
    )
}

/// The name of the constant (in `generated::auth`) listing a set of auth modes:
/// `API_KEY_ACCESS_TOKEN` for `[api_key, access_token]`.
fn auth_const_name(api: &Api, modes: &[usize]) -> proc_macro2::Ident {
    let parts: Vec<String> = modes.iter().map(|&a| api.auth_modes[a].name.to_ascii_uppercase()).collect();
    format_ident!("{}", parts.join("_"))
}

/// Every set of auth modes some operation accepts, as named constants.
fn emit_auth_consts(api: &Api) -> TokenStream {
    // Each set, with the groups whose operations use it (a set no enabled group uses is not compiled).
    let features = crate::features::Features::new(api);
    let mut sets: std::collections::BTreeMap<Vec<usize>, std::collections::BTreeSet<usize>> = Default::default();
    for r in &api.resources {
        let group = features.groups.iter().position(|g| *g == r.path[0]).unwrap_or_default();
        for o in r.operations.iter().filter(|o| !o.auth.is_empty()) {
            sets.entry(o.auth.clone()).or_default().insert(group);
        }
    }
    let consts = sets.iter().map(|(set, used)| {
        let name = auth_const_name(api, set);
        let modes = set.iter().map(|&a| format_ident!("{}", api.auth_modes[a].variant));
        let cfg = features.cfg(&features.for_groups(used));
        quote!(#cfg pub(crate) const #name: &[AuthMode] = &[ #( AuthMode::#modes ),* ];)
    });
    quote! {
        /// The sets of credentials operations accept.
        pub(crate) mod auth {
            use crate::AuthMode;
            #( #consts )*
        }
    }
}

fn emit_op_builder(api: &Api, r: &Resource, op: &Operation) -> TokenStream {
    let builder = format_ident!("{}", op.builder);
    let out = response_type(api, op);
    let doc_text = format!(
        "A request to [`{}::{}`]; `.await` it (or call `send`) to send it.",
        r.type_name,
        crate::naming::display(&op.name)
    );
    let docs = doc(&doc_text);
    let mut fields = Vec::new();
    for p in required_params(op) {
        let id = ident(&p.rust);
        let ty = rust_type(api, &p.ty, Scope::Resources);
        fields.push(quote!(#id: #ty));
    }
    if let Some(b) = &op.body {
        let bty = rust_type(api, b, Scope::Resources);
        fields.push(quote!(body: #bty));
    }
    let optional: Vec<&Param> = optional_params(op).collect();
    for p in &optional {
        let id = ident(&p.rust);
        let ty = rust_type(api, &p.ty, Scope::Resources);
        fields.push(quote!(#id: Option<#ty>));
    }
    let setters = optional.iter().map(|p| {
        let id = ident(&p.rust);
        let (ty, conv) = arg_type(api, &p.ty, Scope::Resources);
        let pdoc = doc(&param_doc(p));
        quote! {
            #pdoc
            pub fn #id(mut self, #id: #ty) -> Self {
                self.#id = Some(#id #conv);
                self
            }
        }
    });

    // The operation's description for the runtime.
    let op_name = format!("{}.{}", r.path.join("."), op.name);
    let template = &op.path;
    // Only what differs from the defaults (enveloped, credentials required, no API version) is
    // written, one `const fn` call each.
    let constructor = method_constructor(op.method);
    let auth = (!op.auth.is_empty()).then(|| {
        let name = auth_const_name(api, &op.auth);
        quote!(.auth(auth::#name))
    });
    let version = op.api_version.map(|v| {
        let v = format_ident!("{}", api.api_versions[v].variant);
        quote!(.version(crate::ApiVersion::#v))
    });
    let envelope = (!op.envelope).then(|| quote!(.no_envelope()));
    let auth_optional = op.auth_optional.then(|| quote!(.auth_optional()));

    // The path: the template filled with the parameters, in order.
    let path_values: Vec<TokenStream> = op
        .segments
        .iter()
        .filter_map(|s| match s {
            Segment::Param(i) => {
                let id = ident(&op.path_params[*i].rust);
                Some(quote!(&self.#id))
            }
            Segment::Literal(_) => None,
        })
        .collect();
    let path = quote!(call.path(&[ #( #path_values ),* ]););
    let query = op.query.iter().map(|p| {
        let id = ident(&p.rust);
        let wire = &p.wire;
        if p.required {
            quote!(call.query(#wire, &self.#id);)
        } else {
            quote!(call.query_opt(#wire, self.#id.as_ref());)
        }
    });
    let headers = op.headers.iter().map(|p| {
        let id = ident(&p.rust);
        let wire = &p.wire;
        if p.required {
            quote!(call.header(#wire, &self.#id);)
        } else {
            quote!(call.header_opt(#wire, self.#id.as_ref());)
        }
    });
    let body = op.body.as_ref().map(|_| quote!(call.json(&self.body);));
    let methods = match (&op.response, op.pagination) {
        (None, _) => quote!(crate::runtime::request_methods!(#builder => ());),
        (Some(Type::List(item)), Some(style)) if !op.response_nullable => {
            let (size, offset) = style.params();
            let default = op
                .query
                .iter()
                .find(|q| q.wire == size)
                .and_then(|q| q.default.as_ref())
                .and_then(|d| d.parse::<i64>().ok())
                .unwrap_or(DEFAULT_PAGE_SIZE);
            let (size_id, offset_id) = (ident(size), ident(offset));
            let item = rust_type(api, item, Scope::Resources);
            let default = proc_macro2::Literal::i64_unsuffixed(default);
            quote!(crate::runtime::request_methods!(#builder => pages of #item, #size_id, #offset_id, #default);)
        }
        (Some(_), _) => quote!(crate::runtime::request_methods!(#builder => #out);),
    };

    quote! {
        #docs
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is awaited or sent"]
        pub struct #builder<'a> {
            base: Base<'a>,
            #( #fields, )*
        }

        impl<'a> #builder<'a> {
            #( #setters )*

            fn into_call(self) -> Call<'a> {
                const OP: Operation =
                    Operation::#constructor(#template).named(#op_name) #auth #version #auth_optional #envelope;
                let mut call = Call::new(self.base, &OP);
                #path
                #( #query )*
                #( #headers )*
                #body
                call
            }
        }

        #methods
    }
}

/// Page size of a paginated stream when the spec gives the server's default for neither.
const DEFAULT_PAGE_SIZE: i64 = 100;
