//! Generated test support: one example call per operation (`tests/generated/operations.rs`).
//!
//! Tests that must reach every operation (the mock-server request-shape test, the Prism test
//! against Cal.com's OpenAPI document) iterate the table this emits, so a new operation in the
//! spec is tested without anyone writing a test for it. The example arguments come from the
//! spec's `example` values, or from the type (and, for strings, the name) when there is none.

use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::Emitted;
use crate::model::{Api, Field, Operation, Param, Resource, Segment, Type};
use crate::naming::ident;
use crate::types::Builtin;

/// Nesting depth at which example bodies stop filling required model fields (guards cycles).
const MAX_DEPTH: usize = 8;

/// The generated file with the example call of every operation.
pub fn emit_examples(api: &Api) -> Emitted {
    let mut fns = Vec::new();
    let mut rows = Vec::new();
    for r in &api.resources {
        for op in &r.operations {
            let (f, row) = example(api, r, op);
            fns.push(f);
            rows.push(row);
        }
    }
    let tokens = quote! {
        // Deprecated operations are called too: every operation is covered until it is removed.
        // `Box::new(Model::default())` names the boxed type, which `Box::default()` would hide.
        #![allow(dead_code, deprecated, clippy::box_default)]

        use std::future::Future;
        use std::pin::Pin;

        /// The future of an example call.
        pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

        /// One operation with an example call of it.
        pub struct Example {
            /// `resource.path.method`, as the client names it.
            pub name: &'static str,
            /// The upstream `operationId`, when the spec names it.
            pub upstream: Option<&'static str>,
            /// HTTP method.
            pub method: &'static str,
            /// Path template.
            pub path_template: &'static str,
            /// The path the example call requests.
            pub path: &'static str,
            /// The auth modes the operation accepts (spec names).
            pub auth: &'static [&'static str],
            /// The `cal-api-version` it sends, if any.
            pub api_version: Option<&'static str>,
            /// Whether it sends a JSON body.
            pub has_body: bool,
            /// The query parameters the example call sends (the required ones).
            pub query: &'static [&'static str],
            /// The top-level fields the example body has (the required ones of its shape).
            pub body_fields: &'static [&'static str],
            /// Why the upstream document refuses a correct request, if it does.
            pub upstream_request_defect: Option<&'static str>,
            /// Why the upstream document's response cannot decode, if it cannot.
            pub upstream_response_defect: Option<&'static str>,
            /// Sends the example request with `client`; the decoded value is dropped.
            pub call: fn(&calcom::Client) -> BoxFuture<'_, calcom::Result<()>>,
        }

        /// Every operation of the spec, in resource order.
        pub const EXAMPLES: &[Example] = &[ #( #rows ),* ];

        #( #fns )*
    };
    Emitted {
        path: PathBuf::from("tests/generated/operations.rs"),
        sources: api.files.clone(),
        docs: "Test support: an example call of every operation, for tests that cover them all.".to_owned(),
        tokens,
    }
}

fn example(api: &Api, r: &Resource, op: &Operation) -> (TokenStream, TokenStream) {
    let name = format!("{}.{}", r.path.join("."), op.name);
    let fn_name = format_ident!("{}", name.replace('.', "_"));
    let accessors = r.path.iter().map(|s| ident(s));
    let method = ident(&op.name);
    let mut args: Vec<TokenStream> = op
        .path_params
        .iter()
        .chain(op.query.iter().filter(|p| p.required))
        .chain(op.headers.iter().filter(|p| p.required))
        .map(|p| value(api, &p.ty, p.example.as_deref(), &p.wire, 0))
        .collect();
    if let Some(b) = &op.body {
        args.push(value(api, b, None, "body", 0));
    }
    let path: String = op
        .segments
        .iter()
        .map(|s| match s {
            Segment::Literal(l) => l.clone(),
            Segment::Param(i) => path_text(api, &op.path_params[*i]),
        })
        .collect();
    let f = quote! {
        fn #fn_name(client: &calcom::Client) -> BoxFuture<'_, calcom::Result<()>> {
            Box::pin(async move {
                client #( .#accessors() )* .#method( #( #args ),* ).await?;
                Ok(())
            })
        }
    };
    let upstream = match &op.upstream {
        Some(u) => quote!(Some(#u)),
        None => quote!(None),
    };
    let http = op.method.as_str();
    let template = &op.path;
    let auth = op.auth.iter().map(|&a| api.auth_modes[a].name.as_str());
    let version = match op.api_version {
        Some(v) => {
            let v = &api.api_versions[v].value;
            quote!(Some(#v))
        }
        None => quote!(None),
    };
    let has_body = op.body.is_some();
    let query: Vec<&str> = op.query.iter().filter(|p| p.required).map(|p| p.wire.as_str()).collect();
    let body_fields: Vec<&str> = op.body.as_ref().map(|b| required_fields(api, b)).unwrap_or_default();
    let opt = |s: &Option<String>| match s {
        Some(s) => quote!(Some(#s)),
        None => quote!(None),
    };
    let request_defect = opt(&op.upstream_request_defect);
    let response_defect = opt(&op.upstream_response_defect);
    let row = quote! {
        Example {
            name: #name,
            upstream: #upstream,
            method: #http,
            path_template: #template,
            path: #path,
            auth: &[ #( #auth ),* ],
            api_version: #version,
            has_body: #has_body,
            query: &[ #( #query ),* ],
            body_fields: &[ #( #body_fields ),* ],
            upstream_request_defect: #request_defect,
            upstream_response_defect: #response_defect,
            call: #fn_name,
        }
    };
    (f, row)
}

/// The wire names of the required fields of the example value of `ty`: a model's own, or those
/// of a union's first variant (the one the example uses); a tagged union adds its tag.
fn required_fields<'a>(api: &'a Api, ty: &Type) -> Vec<&'a str> {
    match ty {
        Type::Model(m) => api.models[*m].fields.iter().filter(|f| f.required).map(|f| f.wire.as_str()).collect(),
        Type::Union(u) => {
            let union = &api.unions[*u];
            let mut fields = union.variants.first().map(|v| required_fields(api, &v.ty)).unwrap_or_default();
            fields.extend(union.tag.as_deref());
            fields
        }
        _ => Vec::new(),
    }
}

/// The text a path parameter's example value takes in the URL (all examples are URL-safe).
fn path_text(api: &Api, p: &Param) -> String {
    match &p.ty {
        Type::Builtin(Builtin::Integer) => int_example(p.example.as_deref()).to_string(),
        Type::Enum(e) => {
            // The same choice as `value`: the example if it is one of the values, else the first.
            let values = &api.enums[*e].values;
            p.example
                .as_deref()
                .and_then(json_string)
                .filter(|w| values.iter().any(|v| &v.wire == w))
                .or_else(|| values.first().map(|v| v.wire.clone()))
                .unwrap_or_default()
        }
        _ => string_example(p.example.as_deref(), &p.wire),
    }
}

fn int_example(example: Option<&str>) -> i64 {
    example.and_then(|e| e.parse().ok()).unwrap_or(1)
}

/// A string example: the spec's, or one that fits the usual formats by the field's name, kept
/// URL-safe (letters, digits, `-`, `_`, `@`, `.`, `+`, `:`, `/`) or else replaced.
fn string_example(example: Option<&str>, wire: &str) -> String {
    if let Some(text) = example.and_then(json_string) {
        return text;
    }
    let lower = wire.to_ascii_lowercase();
    if lower.contains("email") {
        "user@example.com".to_owned()
    } else if lower.contains("url") || lower.contains("link") || lower.contains("returnto") {
        "https://example.com/page".to_owned()
    } else if lower.contains("phone") {
        "+15555550100".to_owned()
    } else if lower.contains("timezone") {
        "Europe/London".to_owned()
    } else {
        "example".to_owned()
    }
}

/// The string inside a JSON string literal, for the simple literals examples are.
fn json_string(text: &str) -> Option<String> {
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains('\\') {
        return None;
    }
    Some(inner.to_owned())
}

/// A Rust expression for an example value of `ty`.
fn value(api: &Api, ty: &Type, example: Option<&str>, wire: &str, depth: usize) -> TokenStream {
    match ty {
        Type::Builtin(b) => match b {
            Builtin::String => {
                // A `String`, not a `&str`: it also fits where an exact `String` is needed
                // (list items of `impl IntoIterator<Item = String>`).
                let s = string_example(example, wire);
                quote!(String::from(#s))
            }
            Builtin::Integer => {
                let n = int_example(example);
                quote!(#n)
            }
            Builtin::Number => {
                let n = example.and_then(|e| e.parse::<f64>().ok()).unwrap_or(1.0);
                quote!(#n)
            }
            Builtin::Boolean => {
                let b = example.map(|e| e == "true").unwrap_or(true);
                quote!(#b)
            }
            Builtin::DateTime => {
                let s = example
                    .and_then(json_string)
                    .filter(|s| s.contains('T'))
                    .unwrap_or_else(|| "2030-01-15T10:00:00Z".to_owned());
                quote!(#s.parse::<chrono::DateTime<chrono::Utc>>().expect("example date-time"))
            }
            Builtin::OffsetDateTime => {
                let s = example
                    .and_then(json_string)
                    .filter(|s| s.contains('T'))
                    .unwrap_or_else(|| "2030-01-15T10:00:00+01:00".to_owned());
                quote!(#s.parse::<chrono::DateTime<chrono::FixedOffset>>().expect("example date-time"))
            }
            Builtin::Date => {
                let s = example.and_then(json_string).unwrap_or_else(|| "2030-01-15".to_owned());
                quote!(#s.parse::<chrono::NaiveDate>().expect("example date"))
            }
            Builtin::Json => quote!(serde_json::json!({})),
        },
        Type::List(inner) => {
            let item = value(api, inner, None, wire, depth + 1);
            quote!(vec![#item])
        }
        Type::Map(_) => quote!(Default::default()),
        Type::Enum(e) => {
            let en = &api.enums[*e];
            let name = format_ident!("{}", en.name);
            let chosen = example
                .and_then(json_string)
                .and_then(|w| en.values.iter().find(|v| v.wire == w))
                .or_else(|| en.values.first());
            match chosen {
                Some(v) => {
                    let variant = format_ident!("{}", v.variant);
                    quote!(calcom::#name::#variant)
                }
                None => quote!(calcom::#name::Unknown(String::new())),
            }
        }
        Type::Union(u) => {
            let un = &api.unions[*u];
            let name = format_ident!("{}", un.name);
            match un.variants.first() {
                Some(v) => {
                    let variant = format_ident!("{}", v.name);
                    let inner = value(api, &v.ty, None, wire, depth + 1);
                    let inner = if matches!(v.ty, Type::Model(_)) { quote!(Box::new(#inner)) } else { inner };
                    quote!(calcom::#name::#variant(#inner))
                }
                None => quote!(calcom::#name::Other(serde_json::json!({}))),
            }
        }
        Type::Model(m) => {
            let model = &api.models[*m];
            let name = format_ident!("{}", model.name);
            let required: Vec<&Field> = model.fields.iter().filter(|f| f.required).collect();
            if required.is_empty() || depth >= MAX_DEPTH {
                quote!(calcom::#name::default())
            } else {
                let args = required.iter().map(|f| {
                    let v = value(api, &f.ty, f.example.as_deref(), &f.wire, depth + 1);
                    if f.nullable { quote!(Some(#v.into())) } else { v }
                });
                quote!(calcom::#name::new( #( #args ),* ))
            }
        }
    }
}
