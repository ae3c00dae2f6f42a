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
            /// Stubs the operation on `mock` (any parameters) with its example answer.
            #[cfg(feature = "test-util")]
            pub stub: fn(&calcom::mock::MockServer),
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
    let stub_name = format_ident!("{}_stub", fn_name);
    let anys = (0..op.path_params.len()
        + op.query.iter().filter(|p| p.required).count()
        + op.headers.iter().filter(|p| p.required).count())
        .map(|_| quote!(calcom::mock::any()));
    let stub_accessors = r.path.iter().map(|s| ident(s));
    let f = quote! {
        fn #fn_name(client: &calcom::Client) -> BoxFuture<'_, calcom::Result<()>> {
            Box::pin(async move {
                client #( .#accessors() )* .#method( #( #args ),* ).await?;
                Ok(())
            })
        }

        #[cfg(feature = "test-util")]
        fn #stub_name(mock: &calcom::mock::MockServer) {
            mock #( .#stub_accessors() )* .#method( #( #anys ),* ).returns_example();
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
            #[cfg(feature = "test-util")]
            stub: #stub_name,
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

/// What an example value is for: the argument of a request (a body is built with the models'
/// `new`, so it has the required fields only) or an answer (JSON the client must decode into
/// the same variant a union's rule picks: the rule's `has` keys and the tag are written, and
/// optional fields that have a spec example are shown).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Request,
    Response,
}

/// An example value of a type, decided once from the spec and written out either as a Rust
/// expression (the example calls' arguments) or as JSON (the mock's example answers).
enum Sample {
    Str(String),
    Int(i64),
    Num(f64),
    Bool(bool),
    DateTime(String),
    OffsetDateTime(String),
    Date(String),
    /// A free-form value: the spec's example when it is JSON, else `{}`.
    Json(Option<String>),
    /// A list of one item, or an empty one past the nesting limit.
    List(Option<Box<Sample>>),
    Map,
    /// An enum's value (index into its values), `None` when it has none.
    Enum(usize, Option<usize>),
    /// A union's variant (index) with its value; `None`: the union has no variant.
    Union(usize, Option<(usize, Box<Sample>)>),
    /// A model with these fields (indices into its fields); `None`: past the nesting limit.
    Model(usize, Option<Vec<(usize, Sample)>>),
}

/// The example value of `ty` for `purpose`.
fn sample(api: &Api, ty: &Type, example: Option<&str>, wire: &str, depth: usize, purpose: Purpose) -> Sample {
    sample_in(api, ty, example, wire, depth, purpose, &[], &[])
}

/// [`sample`] for the value of a union's variant: `keep` are keys its rule needs present,
/// `drop` keys it needs absent.
#[allow(clippy::too_many_arguments)]
fn sample_in(
    api: &Api,
    ty: &Type,
    example: Option<&str>,
    wire: &str,
    depth: usize,
    purpose: Purpose,
    keep: &[String],
    drop: &[String],
) -> Sample {
    match ty {
        Type::Builtin(b) => match b {
            Builtin::String => Sample::Str(string_example(example, wire)),
            Builtin::Integer => Sample::Int(int_example(example)),
            Builtin::Number => Sample::Num(example.and_then(|e| e.parse::<f64>().ok()).unwrap_or(1.0)),
            Builtin::Boolean => Sample::Bool(example.map(|e| e == "true").unwrap_or(true)),
            Builtin::DateTime => Sample::DateTime(
                example
                    .and_then(json_string)
                    .filter(|s| s.contains('T'))
                    .unwrap_or_else(|| "2030-01-15T10:00:00Z".to_owned()),
            ),
            Builtin::OffsetDateTime => Sample::OffsetDateTime(
                example
                    .and_then(json_string)
                    .filter(|s| s.contains('T'))
                    .unwrap_or_else(|| "2030-01-15T10:00:00+01:00".to_owned()),
            ),
            Builtin::Date => Sample::Date(example.and_then(json_string).unwrap_or_else(|| "2030-01-15".to_owned())),
            Builtin::Json => Sample::Json(
                example.filter(|e| serde_json::from_str::<serde_json::Value>(e).is_ok()).map(str::to_owned),
            ),
        },
        Type::List(inner) => {
            if purpose == Purpose::Response && depth >= MAX_DEPTH {
                Sample::List(None)
            } else {
                Sample::List(Some(Box::new(sample(api, inner, None, wire, depth + 1, purpose))))
            }
        }
        Type::Map(_) => Sample::Map,
        Type::Enum(e) => {
            let values = &api.enums[*e].values;
            let chosen = example
                .and_then(json_string)
                .and_then(|w| values.iter().position(|v| v.wire == w))
                .or_else(|| (!values.is_empty()).then_some(0));
            Sample::Enum(*e, chosen)
        }
        Type::Union(u) => {
            let union = &api.unions[*u];
            let chosen = union.variants.first().map(|v| {
                let inner = sample_in(api, &v.ty, None, wire, depth + 1, purpose, &v.has, &v.lacks);
                (0, Box::new(inner))
            });
            Sample::Union(*u, chosen)
        }
        Type::Model(m) => {
            let model = &api.models[*m];
            let past_limit = depth >= if purpose == Purpose::Request { MAX_DEPTH } else { MAX_RESPONSE_DEPTH };
            if past_limit || (purpose == Purpose::Request && model.fields.iter().all(|f| !f.required)) {
                return Sample::Model(*m, None);
            }
            let shown = |f: &Field| match purpose {
                Purpose::Request => f.required,
                Purpose::Response => {
                    !drop.contains(&f.wire)
                        && (f.required || keep.contains(&f.wire) || (f.example.is_some() && depth < MAX_DEPTH))
                }
            };
            let fields = model
                .fields
                .iter()
                .enumerate()
                .filter(|(_, f)| shown(f))
                .map(|(i, f)| (i, sample(api, &f.ty, f.example.as_deref(), &f.wire, depth + 1, purpose)))
                .collect();
            Sample::Model(*m, Some(fields))
        }
    }
}

/// Nesting depth past which an example answer writes lists empty and optional fields not at
/// all (required fields are always written, or the answer would not decode).
const MAX_RESPONSE_DEPTH: usize = 32;

/// A Rust expression for an example value of `ty`.
fn value(api: &Api, ty: &Type, example: Option<&str>, wire: &str, depth: usize) -> TokenStream {
    to_rust(api, &sample(api, ty, example, wire, depth, Purpose::Request))
}

fn to_rust(api: &Api, s: &Sample) -> TokenStream {
    match s {
        // A `String`, not a `&str`: it also fits where an exact `String` is needed (list items
        // of `impl IntoIterator<Item = String>`).
        Sample::Str(s) => quote!(String::from(#s)),
        Sample::Int(n) => quote!(#n),
        Sample::Num(n) => quote!(#n),
        Sample::Bool(b) => quote!(#b),
        Sample::DateTime(s) => quote!(#s.parse::<chrono::DateTime<chrono::Utc>>().expect("example date-time")),
        Sample::OffsetDateTime(s) => {
            quote!(#s.parse::<chrono::DateTime<chrono::FixedOffset>>().expect("example date-time"))
        }
        Sample::Date(s) => quote!(#s.parse::<chrono::NaiveDate>().expect("example date")),
        Sample::Json(_) => quote!(serde_json::json!({})),
        Sample::List(Some(item)) => {
            let item = to_rust(api, item);
            quote!(vec![#item])
        }
        Sample::List(None) => quote!(vec![]),
        Sample::Map => quote!(Default::default()),
        Sample::Enum(e, chosen) => {
            let en = &api.enums[*e];
            let name = format_ident!("{}", en.name);
            match chosen {
                Some(i) => {
                    let variant = format_ident!("{}", en.values[*i].variant);
                    quote!(calcom::#name::#variant)
                }
                None => quote!(calcom::#name::Unknown(String::new())),
            }
        }
        Sample::Union(u, chosen) => {
            let un = &api.unions[*u];
            let name = format_ident!("{}", un.name);
            match chosen {
                Some((i, inner)) => {
                    let v = &un.variants[*i];
                    let variant = format_ident!("{}", v.name);
                    let inner = to_rust(api, inner);
                    let inner = if matches!(v.ty, Type::Model(_)) { quote!(Box::new(#inner)) } else { inner };
                    quote!(calcom::#name::#variant(#inner))
                }
                None => quote!(calcom::#name::Other(serde_json::json!({}))),
            }
        }
        Sample::Model(m, fields) => {
            let model = &api.models[*m];
            let name = format_ident!("{}", model.name);
            match fields {
                None => quote!(calcom::#name::default()),
                Some(fields) => {
                    let args = fields.iter().map(|(i, s)| {
                        let v = to_rust(api, s);
                        if model.fields[*i].nullable { quote!(Some(#v.into())) } else { v }
                    });
                    quote!(calcom::#name::new( #( #args ),* ))
                }
            }
        }
    }
}

/// The JSON text of an example value, as Cal.com would send it.
fn to_json(api: &Api, s: &Sample, out: &mut String) {
    let text = |out: &mut String, t: &str| out.push_str(&serde_json::Value::String(t.to_owned()).to_string());
    match s {
        Sample::Str(t) | Sample::DateTime(t) | Sample::OffsetDateTime(t) | Sample::Date(t) => text(out, t),
        Sample::Int(n) => out.push_str(&n.to_string()),
        Sample::Num(n) => out.push_str(&serde_json::Value::from(*n).to_string()),
        Sample::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Sample::Json(example) => {
            let value = example.as_deref().and_then(|e| serde_json::from_str::<serde_json::Value>(e).ok());
            out.push_str(&value.map_or_else(|| "{}".to_owned(), |v| v.to_string()));
        }
        Sample::List(item) => {
            out.push('[');
            if let Some(item) = item {
                to_json(api, item, out);
            }
            out.push(']');
        }
        Sample::Map => out.push_str("{}"),
        Sample::Enum(e, chosen) => text(out, chosen.map_or("", |i| api.enums[*e].values[i].wire.as_str())),
        Sample::Union(u, chosen) => match chosen {
            None => out.push_str("{}"),
            Some((i, inner)) => {
                let union = &api.unions[*u];
                let tag = union.tag.as_deref().zip(union.variants[*i].tag_value.as_deref());
                match (tag, inner.as_ref()) {
                    (Some((tag, value)), Sample::Model(m, fields)) => {
                        out.push('{');
                        text(out, tag);
                        out.push(':');
                        text(out, value);
                        model_fields(api, *m, fields.as_deref().unwrap_or_default(), true, out);
                        out.push('}');
                    }
                    _ => to_json(api, inner, out),
                }
            }
        },
        Sample::Model(m, fields) => {
            out.push('{');
            model_fields(api, *m, fields.as_deref().unwrap_or_default(), false, out);
            out.push('}');
        }
    }
}

fn model_fields(api: &Api, m: usize, fields: &[(usize, Sample)], after_first: bool, out: &mut String) {
    for (n, (i, s)) in fields.iter().enumerate() {
        if n > 0 || after_first {
            out.push(',');
        }
        out.push_str(&serde_json::Value::String(api.models[m].fields[*i].wire.clone()).to_string());
        out.push(':');
        to_json(api, s, out);
    }
}

/// The JSON of an example answer of type `ty`: the spec's field examples where it has them,
/// the required fields always, and for a union the first variant, written so that its rule
/// picks it. Shared by the mock's example answers and example webhook payloads.
pub fn example_json(api: &Api, ty: &Type) -> String {
    let mut out = String::new();
    to_json(api, &sample(api, ty, None, "value", 0, Purpose::Response), &mut out);
    out
}
