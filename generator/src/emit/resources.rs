//! Resource modules: handles, request builders, operation constants.

use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::*;

pub(super) fn emit_resources_root(api: &Api, plan: &Plan) -> Emitted {
    let tops: Vec<&Resource> = api.resources.iter().filter(|r| r.path.len() == 1).collect();
    let features = &plan.features;
    let mods = tops.iter().map(|r| {
        let m = ident(r.accessor());
        let cfg = features.group(r.accessor());
        quote!(#cfg pub mod #m;)
    });
    let accessors = tops.iter().map(|r| {
        let cfg = features.group(r.accessor());
        let a = accessor(r, Parent::Client);
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

/// Where an accessor is written: on `Client` (the handle borrows the client) or on the parent
/// resource's handle (the child borrows what the parent borrows).
#[derive(Clone, Copy)]
pub(super) enum Parent {
    Client,
    Resource,
}

/// The method that reaches resource `r` from its parent.
pub(super) fn accessor(r: &Resource, parent: Parent) -> TokenStream {
    let m = ident(r.accessor());
    let ty = format_ident!("{}", r.type_name);
    let docs = doc(&r.docs);
    let (lifetime, client) = match parent {
        Parent::Client => (quote!('_), quote!(self.base())),
        Parent::Resource => (quote!('a), quote!(self.base)),
    };
    quote! {
        #docs
        pub fn #m(&self) -> #m::#ty<#lifetime> {
            #m::#ty { base: #client }
        }
    }
}

pub(super) fn resource_file_path(r: &Resource) -> PathBuf {
    let mut p = PathBuf::from("resources");
    for seg in &r.path {
        p.push(seg);
    }
    p.set_extension("rs");
    p
}

pub(super) fn emit_resource(api: &Api, index: usize) -> Emitted {
    let r = &api.resources[index];
    let ty = format_ident!("{}", r.type_name);
    let children: Vec<&Resource> = r.children.iter().map(|&c| &api.resources[c]).collect();
    let mods = children.iter().map(|c| {
        let m = ident(c.accessor());
        quote!(pub mod #m;)
    });
    let child_accessors = children.iter().map(|c| accessor(c, Parent::Resource));
    let methods = r.operations.iter().map(|op| emit_op_method(api, op));
    let builders = r.operations.iter().map(|op| emit_op_builder(api, r, op));
    let uses_models = r.operations.iter().any(op_uses_models);
    // The runtime types, then the models and credential sets the file needs.
    let runtime = if r.operations.is_empty() {
        quote!(
            use crate::runtime::Base;
        )
    } else if r.operations.iter().any(|op| !op.path_params.is_empty()) {
        quote!(
            use crate::runtime::PathPart::{Lit, Param};
            use crate::runtime::{Base, Call, Operation};
        )
    } else {
        quote!(
            use crate::runtime::PathPart::Lit;
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

pub(super) fn op_uses_models(op: &Operation) -> bool {
    let has = |t: &Type| !matches!(t.innermost(), Type::Builtin(_));
    op.body.is_some()
        || op.response.as_ref().is_some_and(has)
        || op.path_params.iter().chain(&op.query).chain(&op.headers).any(|p| has(&p.ty))
}

pub(super) fn required_params(op: &Operation) -> impl Iterator<Item = &Param> {
    op.path_params.iter().chain(op.query.iter().filter(|p| p.required)).chain(op.headers.iter().filter(|p| p.required))
}

pub(super) fn optional_params(op: &Operation) -> impl Iterator<Item = &Param> {
    op.query.iter().filter(|p| !p.required).chain(op.headers.iter().filter(|p| !p.required))
}

pub(super) fn response_type(api: &Api, op: &Operation) -> TokenStream {
    match &op.response {
        Some(t) if op.response_nullable => {
            let t = rust_type(api, t, Scope::Resources);
            quote!(Option<#t>)
        }
        Some(t) => rust_type(api, t, Scope::Resources),
        None => quote!(()),
    }
}

pub(super) fn op_doc(api: &Api, op: &Operation) -> String {
    let mut text = op.summary.clone();
    if let Some(d) = &op.docs {
        text.push_str("\n\n");
        text.push_str(d);
    }
    let args: Vec<String> = required_params(op)
        .map(|p| format!("- `{}`: {}", crate::naming::display(&p.rust), strip_period(first_line(&p.docs))))
        .chain(op.body.as_ref().map(|b| format!("- `body`: a [`{0}`](crate::{0})", type_name(api, b))))
        .collect();
    text.push_str("\n\n");
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
    if !args.is_empty() {
        text.push_str("\n\n# Arguments\n\n");
        text.push_str(&args.join("\n"));
    }
    text
}

pub(super) fn emit_op_method(api: &Api, op: &Operation) -> TokenStream {
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
    let deprecated = op.deprecated.as_ref().map(|note| quote!(#[deprecated(note = #note)]));
    quote! {
        #docs
        #deprecated
        #allow
        pub fn #name(&self, #( #args ),* ) -> #builder<'a> {
            #builder { base: self.base, #( #inits, )* }
        }
    }
}

pub(super) fn param_doc(p: &Param) -> String {
    let facts: Vec<String> = p
        .default
        .iter()
        .map(|d| format!("Server default: `{d}`."))
        .chain(p.example.iter().map(|e| format!("Example: `{e}`.")))
        .collect();
    with_facts(&p.docs, &facts)
}

/// The `Operation` constructor of an HTTP method (`Operation::get(name, path)`, ...).
pub(super) fn method_constructor(m: Method) -> proc_macro2::Ident {
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
pub(super) fn auth_const_name(api: &Api, modes: &[usize]) -> proc_macro2::Ident {
    let parts: Vec<String> = modes.iter().map(|&a| api.auth_modes[a].name.to_ascii_uppercase()).collect();
    format_ident!("{}", parts.join("_"))
}

/// Every set of auth modes some operation accepts, as named constants.
pub(super) fn emit_auth_consts(api: &Api, plan: &Plan) -> TokenStream {
    // Each set, with the groups whose operations use it (a set no enabled group uses is not compiled).
    let features = &plan.features;
    let mut sets: std::collections::BTreeMap<Vec<usize>, std::collections::BTreeSet<usize>> = Default::default();
    for r in &api.resources {
        let group = features
            .groups
            .iter()
            .position(|g| *g == r.path[0])
            .expect("every top-level resource is a group of the features");
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

pub(super) fn emit_op_builder(api: &Api, r: &Resource, op: &Operation) -> TokenStream {
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
    // The path, part by part: each placeholder named with the field that fills it, so the
    // runtime concatenates and encodes without parsing the template.
    let parts: Vec<TokenStream> = op
        .segments
        .iter()
        .map(|s| match s {
            Segment::Literal(text) => quote!(Lit(#text)),
            Segment::Param(i) => {
                let p = &op.path_params[*i];
                let (wire, id) = (&p.wire, ident(&p.rust));
                quote!(Param(#wire, &self.#id))
            }
        })
        .collect();
    let path = quote!(call.path(&[ #( #parts ),* ]););
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
            let default = default_page_size(op, size);
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

/// The page size a paginated operation's stream asks for: the server's default for its size
/// parameter (`take`, `limit`) where the spec gives one, else [`DEFAULT_PAGE_SIZE`].
pub(super) fn default_page_size(op: &Operation, size: &str) -> i64 {
    op.query
        .iter()
        .find(|q| q.wire == size)
        .and_then(|q| q.default.as_ref())
        .and_then(|d| d.parse::<i64>().ok())
        .unwrap_or(DEFAULT_PAGE_SIZE)
}

/// Page size of a paginated stream when the spec gives the server's default for neither.
pub(super) const DEFAULT_PAGE_SIZE: i64 = 100;
