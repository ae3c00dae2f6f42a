//! The test kit's generated half (cargo feature `test-util` of the client): the mock's resource
//! tree (`mock.orgs().teams().memberships().get(1, 2, 3)`), one typed stub per operation with
//! its example answer, and a builder per webhook event. The machinery (server, matching,
//! recording, pages, failures) is hand-written in the client's `src/mock/`.
//!
//! Each operation's request builder type (`resources::bookings::GetRequest<'static>`) is the
//! type that names it for the mock: it implements `mock::Operation` (its body and response
//! types, and an `OpInfo` with its method, path, paging and example answer), so no new names
//! are made here.

use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::resources::{default_page_size, op_uses_models, optional_params, param_doc, response_type};
use super::*;
use crate::examples::example_json;

/// The methods every `Stub` has (hand-written, `generated-client/src/mock/stub.rs`): a query
/// parameter's setter named like one of them is written `match_<name>` instead.
const STUB_METHODS: &[&str] = &[
    "delay",
    "example",
    "examples",
    "fails",
    "header",
    "header_arg",
    "header_value",
    "new",
    "path_arg",
    "query",
    "query_arg",
    "query_value",
    "received",
    "returns",
    "returns_all",
    "returns_example",
    "when",
    "when_body",
];

/// A raw string literal (`r#"..."#`) of `text`, so example JSON reads as JSON in the generated
/// code: with one more `#` than the longest run of them after a `"` in the text.
fn raw_str(text: &str) -> TokenStream {
    let mut hashes = 1;
    while text.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let h = "#".repeat(hashes);
    format!("r{h}\"{text}\"{h}").parse().expect("a raw string literal is one token")
}

/// `mock/<path>.rs` for a resource (`mock/orgs/teams.rs`).
pub(super) fn mock_file_path(r: &Resource) -> PathBuf {
    let mut p = PathBuf::from("mock");
    for seg in &r.path {
        p.push(seg);
    }
    p.set_extension("rs");
    p
}

/// The builder type of an operation, which names it for the mock.
fn op_type(r: &Resource, op: &Operation) -> TokenStream {
    let path = r.path.iter().map(|s| ident(s));
    let builder = format_ident!("{}", op.builder);
    quote!(crate::resources #( :: #path )* :: #builder<'static>)
}

/// `src/generated/mock.rs`: the top-level stub handles, and the table of every operation.
pub(super) fn emit_mock_root(api: &Api, plan: &Plan) -> Emitted {
    let features = &plan.features;
    let tops: Vec<&Resource> = api.resources.iter().filter(|r| r.path.len() == 1).collect();
    let mods = tops.iter().map(|r| {
        let m = ident(r.accessor());
        let cfg = features.group(r.accessor());
        quote!(#cfg pub mod #m;)
    });
    let accessors = tops.iter().map(|r| {
        let m = ident(r.accessor());
        let ty = format_ident!("{}", r.type_name);
        let cfg = features.group(r.accessor());
        let docs = doc(&format!(
            "Stubs of [`{0}`](crate::resources::{1}::{0}): {2}",
            r.type_name,
            r.accessor(),
            first_line(&r.docs)
        ));
        quote! {
            #cfg
            #docs
            pub fn #m(&self) -> #m::#ty<'_> {
                #m::#ty { mock: self }
            }
        }
    });
    let tables = api.resources.iter().filter(|r| !r.operations.is_empty()).map(|r| {
        // A plain `cfg` (a statement takes no docs, so no `doc(cfg)` badge).
        let group = &r.path[0];
        let path = r.path.iter().map(|s| ident(s));
        quote!(#[cfg(feature = #group)] all.extend_from_slice( #( #path:: )* OPERATIONS);)
    });
    Emitted {
        path: PathBuf::from("mock.rs"),
        sources: tops.iter().map(|r| r.file.clone()).collect(),
        docs: "The mock's stubs, one module per resource, reached from \
               [`MockServer`](crate::mock::MockServer) as the resources are from the client."
            .to_owned(),
        tokens: quote! {
            #( #mods )*
            pub mod webhook_events;

            impl crate::mock::MockServer {
                #( #accessors )*
            }

            /// Every operation of the enabled resource groups, for the mock's routing.
            #[allow(unused_mut)]
            pub(crate) fn operations() -> Vec<&'static crate::mock::OpInfo> {
                let mut all: Vec<&'static crate::mock::OpInfo> = Vec::new();
                #( #tables )*
                all
            }
        },
    }
}

/// One resource's stub handle, its operations' `Operation` impls and typed query matchers.
pub(super) fn emit_mock_resource(api: &Api, index: usize) -> Emitted {
    let r = &api.resources[index];
    let ty = format_ident!("{}", r.type_name);
    let children: Vec<&Resource> = r.children.iter().map(|&c| &api.resources[c]).collect();
    let mods = children.iter().map(|c| {
        let m = ident(c.accessor());
        quote!(pub mod #m;)
    });
    let child_accessors = children.iter().map(|c| {
        let m = ident(c.accessor());
        let cty = format_ident!("{}", c.type_name);
        let docs = doc(&format!("Stubs of {}", first_line(&c.docs)));
        quote! {
            #docs
            pub fn #m(&self) -> #m::#cty<'m> {
                #m::#cty { mock: self.mock }
            }
        }
    });
    let methods = r.operations.iter().map(|op| stub_method(api, r, op));
    let impls = r.operations.iter().map(|op| operation_impl(api, r, op));
    let infos = r.operations.iter().map(|op| {
        let t = op_type(r, op);
        quote!(<#t as crate::mock::Operation>::INFO)
    });
    let uses_models = r.operations.iter().any(op_uses_models);
    let use_models = uses_models.then(|| {
        quote!(
            use crate::models;
        )
    });
    let table = (!r.operations.is_empty()).then(|| {
        quote! {
            /// The operations of this resource (its children have their own).
            pub(crate) const OPERATIONS: &[&crate::mock::OpInfo] = &[ #( #infos ),* ];
        }
    });
    let resource_link = format!(
        "[`{}`](crate::resources::{}::{})",
        r.type_name,
        r.path.iter().map(|s| crate::naming::display(s)).collect::<Vec<_>>().join("::"),
        r.type_name
    );
    let access: Vec<String> = r.path.iter().map(|s| format!("{}()", crate::naming::display(s))).collect();
    let type_doc = doc(&format!(
        "Stubs of the operations of {resource_link}, one method per operation, taking what the \
         operation's method takes (each path parameter a value or [`any()`](crate::mock::any)).\n\n\
         Reached with `mock.{}`.",
        access.join(".")
    ));
    Emitted {
        path: mock_file_path(r),
        sources: vec![r.file.clone()],
        docs: format!("Stubs of {}", r.docs),
        tokens: quote! {
            #use_models

            #( #mods )*

            #type_doc
            #[derive(Debug, Clone, Copy)]
            pub struct #ty<'m> {
                pub(crate) mock: &'m crate::mock::MockServer,
            }

            impl<'m> #ty<'m> {
                #( #child_accessors )*

                #( #methods )*
            }

            #( #impls )*

            #table
        },
    }
}

fn stub_method(api: &Api, r: &Resource, op: &Operation) -> TokenStream {
    let name = ident(&op.name);
    let t = op_type(r, op);
    let mut args = Vec::new();
    let mut matchers = Vec::new();
    let required = op
        .path_params
        .iter()
        .map(|p| (p, quote!(path_arg)))
        .chain(op.query.iter().filter(|p| p.required).map(|p| (p, quote!(query_arg))))
        .chain(op.headers.iter().filter(|p| p.required).map(|p| (p, quote!(header_arg))));
    for (p, how) in required {
        let id = ident(&p.rust);
        let pty = rust_type(api, &p.ty, Scope::Resources);
        let wire = &p.wire;
        args.push(quote!(#id: impl Into<crate::mock::Arg<#pty>>));
        matchers.push(quote!(.#how(#wire, #id.into())));
    }
    let method_link = format!(
        "[`{}::{}`](crate::resources::{}::{}::{})",
        r.type_name,
        crate::naming::display(&op.name),
        r.path.iter().map(|s| crate::naming::display(s)).collect::<Vec<_>>().join("::"),
        r.type_name,
        crate::naming::display(&op.name)
    );
    let docs = doc(&format!(
        "A stub of {method_link} (`{} {}`): {}.",
        op.method.as_str(),
        op.path,
        strip_period(first_line(&op.summary))
    ));
    let allow = (args.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        #docs
        #allow
        pub fn #name(&self, #( #args ),* ) -> crate::mock::Stub<'m, #t> {
            crate::mock::Stub::new(self.mock) #( #matchers )*
        }
    }
}

fn operation_impl(api: &Api, r: &Resource, op: &Operation) -> TokenStream {
    let t = op_type(r, op);
    let body = match &op.body {
        Some(b) => rust_type(api, b, Scope::Resources),
        None => quote!(()),
    };
    let response = response_type(api, op);
    let name = format!("{}.{}", r.path.join("."), op.name);
    let method = op.method.as_str();
    let template = &op.path;
    let example = raw_str(&op.response.as_ref().map(|ty| example_json(api, ty)).unwrap_or_default());
    let no_value = op.response.is_none().then(|| quote!(.no_value()));
    let no_envelope = (!op.envelope).then(|| quote!(.no_envelope()));
    let (paged, paged_impl) = match (&op.response, op.pagination) {
        (Some(Type::List(item)), Some(style)) if !op.response_nullable => {
            let (size, offset) = style.params();
            let default = proc_macro2::Literal::i64_unsuffixed(default_page_size(op, size));
            let page_info = op.page_info;
            let item = rust_type(api, item, Scope::Resources);
            (
                Some(quote!(.paged(#size, #offset, #default, #page_info))),
                Some(quote! {
                    impl crate::mock::Paged for #t {
                        type Item = #item;
                    }
                }),
            )
        }
        _ => (None, None),
    };
    let setters: Vec<TokenStream> = optional_params(op)
        .map(|p| {
            let rust =
                if STUB_METHODS.contains(&p.rust.as_str()) { format!("match_{}", p.rust) } else { p.rust.clone() };
            let id = ident(&rust);
            let (aty, conv) = arg_type(api, &p.ty, Scope::Resources);
            let vty = rust_type(api, &p.ty, Scope::Resources);
            let wire = &p.wire;
            let is_header = op.headers.iter().any(|h| std::ptr::eq(h, p));
            let how = if is_header { quote!(header_value) } else { quote!(query_value) };
            let d = doc(&format!(
                "Matches only requests whose `{wire}` is this value, as the request builder's setter sends it: {}",
                param_doc(p)
            ));
            quote! {
                #d
                pub fn #id(self, #id: #aty) -> Self {
                    let value: #vty = #id #conv;
                    self.#how(#wire, &value)
                }
            }
        })
        .collect();
    let setters = (!setters.is_empty()).then(|| {
        quote! {
            impl crate::mock::Stub<'_, #t> {
                #( #setters )*
            }
        }
    });
    quote! {
        impl crate::mock::Sealed for #t {}

        impl crate::mock::Operation for #t {
            type Body = #body;
            type Response = #response;
            const INFO: &'static crate::mock::OpInfo =
                &crate::mock::OpInfo::new(#name, #method, #template, #example) #no_value #no_envelope #paged;
        }

        #paged_impl

        #setters
    }
}

/// `src/generated/mock/webhook_events.rs`: a delivery builder per webhook event, its payload
/// the spec's example.
pub(super) fn emit_mock_webhooks(api: &Api) -> Emitted {
    let fns = api.webhook_events.iter().map(|e| {
        let name = ident(&crate::naming::snake(&e.variant));
        let payload = rust_type(api, &e.payload, Scope::Resources);
        let trigger = &e.trigger;
        let flat = e.flat;
        let example = raw_str(&example_json(api, &e.payload));
        let d = doc(&format!(
            "A `{trigger}` delivery ({}), its payload the spec's example: change it with \
             [`with`](crate::mock::webhooks::WebhookDelivery::with).",
            strip_period(first_line(&e.docs))
        ));
        quote! {
            #d
            pub fn #name() -> WebhookDelivery<#payload> {
                WebhookDelivery::example(#trigger, #flat, #example)
            }
        }
    });
    let names = api.webhook_events.iter().map(|e| ident(&crate::naming::snake(&e.variant)));
    let triggers = api.webhook_events.iter().map(|e| e.trigger.as_str());
    let uses = (!api.webhook_events.is_empty()).then(|| {
        quote!(
            use crate::mock::webhooks::WebhookDelivery;
            use crate::models;
        )
    });
    Emitted {
        path: PathBuf::from("mock/webhook_events.rs"),
        sources: api.files.clone(),
        docs: "A delivery builder per webhook event Cal.com sends.".to_owned(),
        tokens: quote! {
            #uses

            #( #fns )*

            /// Every event's example delivery: its trigger and the body Cal.com would POST, to
            /// run a webhook handler over all of them.
            pub fn every_event() -> Vec<(&'static str, Vec<u8>)> {
                vec![ #( (#triggers, #names().body()) ),* ]
            }
        },
    }
}
