//! The spec as written: one struct per YAML construct, deserialized with unknown keys rejected.
//!
//! Nothing here is interpreted. Names, types and references stay strings with their source
//! locations; [`crate::model`] checks and resolves them.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// A YAML string with where it was written.
pub type Str = Spanned<String>;

/// One spec file, either `api.yaml` (with `api`) or a resource file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    /// Facts about the whole API; exactly one file has it.
    pub api: Option<Spanned<Api>>,
    /// Dotted resource path, e.g. `orgs.teams.memberships`.
    pub resource: Option<Str>,
    /// Docs of the resource.
    pub docs: Option<String>,
    /// Default auth modes of the file's operations.
    pub auth: Option<Spanned<Vec<Str>>>,
    /// Default `cal-api-version` of the file's operations.
    pub api_version: Option<Str>,
    /// Every operation of the file is deprecated upstream: what to use instead.
    pub deprecated: Option<Str>,
    /// The operations of the resource.
    #[serde(default)]
    pub operations: Vec<Spanned<Operation>>,
    /// Models, by name.
    #[serde(default)]
    pub models: OrderedMap<Model>,
    /// Enums, by name.
    #[serde(default)]
    pub enums: OrderedMap<Enum>,
    /// Unions (one of several shapes), by name.
    #[serde(default)]
    pub unions: OrderedMap<Union>,
    /// Webhook events Cal.com sends, by trigger name.
    #[serde(default)]
    pub webhook_events: OrderedMap<WebhookEvent>,
}

/// A webhook event: what Cal.com POSTs for one trigger.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookEvent {
    /// Docs.
    pub docs: String,
    /// The model of the payload.
    pub payload: Str,
    /// `true`: the body is the payload itself, beside `triggerEvent` (no `createdAt`/`payload` wrapper).
    #[serde(default)]
    pub flat: bool,
    /// Rust variant name override.
    pub rust_name: Option<Str>,
}

/// The `api:` section.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Api {
    /// Name of the API.
    pub title: String,
    /// Default base URL.
    pub base_url: Str,
    /// Docs of the API.
    pub docs: String,
    /// Auth mode name -> docs.
    pub auth_modes: OrderedMap<String>,
    /// `cal-api-version` value -> docs.
    pub api_versions: OrderedMap<String>,
}

/// One operation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    /// Method name, snake_case.
    pub name: Str,
    /// HTTP method.
    pub method: Spanned<Method>,
    /// Path template.
    pub path: Str,
    /// One sentence.
    pub summary: String,
    /// More docs.
    pub docs: Option<String>,
    /// Upstream operationId.
    pub upstream: Option<Str>,
    /// Auth modes accepted (overrides the file's).
    pub auth: Option<Spanned<Vec<Str>>>,
    /// `cal-api-version` needed (overrides the file's).
    pub api_version: Option<Str>,
    /// Deprecated upstream: what to use instead (overrides the file's).
    pub deprecated: Option<Str>,
    /// Path parameters by wire name.
    #[serde(default)]
    pub path_params: OrderedMap<Param>,
    /// Query parameters by wire name.
    #[serde(default)]
    pub query: OrderedMap<Param>,
    /// Header parameters by wire name.
    #[serde(default)]
    pub headers: OrderedMap<Param>,
    /// Request body model name.
    pub body: Option<Str>,
    /// Response type expression.
    pub response: Option<Str>,
    /// Whether the response is wrapped in `{status, data}`.
    pub envelope: Option<bool>,
    /// Whether the response value may be absent or `null`.
    #[serde(default)]
    pub response_nullable: bool,
    /// How the operation pages through a list.
    pub pagination: Option<Spanned<Pagination>>,
    /// Whether its answers carry Cal.com's `pagination` object beside `data`.
    #[serde(default)]
    pub page_info: bool,
    /// Differences from the upstream OpenAPI document made on purpose: difference -> reason.
    #[serde(default)]
    pub known_drift: OrderedMap<String>,
    /// Where the upstream OpenAPI document makes this operation impossible to check against it.
    pub upstream_defect: Option<UpstreamDefect>,
    /// Whether credentials may be left out: a client without credentials sends none.
    #[serde(default)]
    pub auth_optional: bool,
}

/// Why Prism, serving the upstream document, cannot check an operation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamDefect {
    /// A correct request is refused: why.
    pub request: Option<String>,
    /// The document's response cannot be decoded into the real shape: why.
    pub response: Option<String>,
}

/// Paging styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pagination {
    /// `take` (page size) and `skip` (items before the page) query parameters.
    TakeSkip,
    /// `limit` (page size) and `offset` (items before the page) query parameters.
    LimitOffset,
}

impl Pagination {
    /// Every style.
    pub const ALL: [Pagination; 2] = [Pagination::TakeSkip, Pagination::LimitOffset];

    /// The wire names of its query parameters: (page size, items before the page).
    pub fn params(self) -> (&'static str, &'static str) {
        match self {
            Pagination::TakeSkip => ("take", "skip"),
            Pagination::LimitOffset => ("limit", "offset"),
        }
    }
}

/// A union: a value that has one of several shapes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Union {
    /// Docs.
    pub docs: String,
    /// The wire field that says which shape it is (internally tagged); absent: untagged.
    pub tag: Option<Str>,
    /// Variant name -> variant, in the order they are tried.
    pub variants: OrderedMap<Variant>,
    /// Differences from the upstream OpenAPI document made on purpose: difference -> reason.
    #[serde(default)]
    pub known_drift: OrderedMap<String>,
}

/// One shape of a union.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// Type expression (a model when the union has a `tag`).
    #[serde(rename = "type")]
    pub ty: Str,
    /// Docs.
    pub docs: String,
    /// With `tag`: the tag field's value for this variant.
    pub tag_value: Option<Str>,
    /// Without `tag`: which objects are this variant, by the keys they have and lack.
    pub when: Option<Spanned<When>>,
}

/// The rule that claims an object for a union variant: it has every key of `has` and none of
/// `lacks`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    /// Keys the object has.
    #[serde(default)]
    pub has: Vec<Str>,
    /// Keys the object does not have.
    #[serde(default)]
    pub lacks: Vec<Str>,
}

/// HTTP methods the spec may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[allow(missing_docs)]
pub enum Method {
    #[serde(rename = "GET")]
    Get,
    #[serde(rename = "POST")]
    Post,
    #[serde(rename = "PUT")]
    Put,
    #[serde(rename = "PATCH")]
    Patch,
    #[serde(rename = "DELETE")]
    Delete,
}

impl Method {
    /// The method as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// A path, query or header parameter.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// Type expression.
    #[serde(rename = "type")]
    pub ty: Str,
    /// Whether the parameter must be given.
    #[serde(default)]
    pub required: bool,
    /// Docs.
    pub docs: String,
    /// The server's default, documented only.
    pub default: Option<Literal>,
    /// Example value.
    pub example: Option<Literal>,
    /// Rust name override.
    pub rust_name: Option<Str>,
}

/// A model (JSON object).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// Docs.
    pub docs: String,
    /// A model whose fields this one starts from.
    pub extends: Option<Str>,
    /// Fields of the `extends` model this one does not have.
    #[serde(default)]
    pub without: Vec<Str>,
    /// Fields by wire name, in order (after the inherited ones; one with an inherited name
    /// replaces it in place). Required unless the model `extends` another.
    pub fields: Option<OrderedMap<Field>>,
    /// Differences from the upstream OpenAPI document made on purpose: difference -> reason.
    #[serde(default)]
    pub known_drift: OrderedMap<String>,
}

/// A field of a model.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Type expression.
    #[serde(rename = "type")]
    pub ty: Str,
    /// Always present.
    #[serde(default)]
    pub required: bool,
    /// May be `null`.
    #[serde(default)]
    pub nullable: bool,
    /// Docs.
    pub docs: String,
    /// Example value.
    pub example: Option<Literal>,
    /// Rust name override.
    pub rust_name: Option<Str>,
}

/// A string enum.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enum {
    /// Docs.
    pub docs: String,
    /// Wire value -> docs (or docs and Rust name).
    pub values: OrderedMap<EnumValue>,
    /// Differences from the upstream OpenAPI document made on purpose: difference -> reason.
    #[serde(default)]
    pub known_drift: OrderedMap<String>,
}

/// An enum value's docs, short or long form.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum EnumValue {
    /// `VALUE: docs`.
    Docs(String),
    /// `VALUE: { docs: ..., rust_name: ... }`.
    Full(EnumValueFull),
}

/// The long form of an enum value.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValueFull {
    /// Docs.
    pub docs: String,
    /// Rust variant name override.
    pub rust_name: Option<String>,
}

impl EnumValue {
    /// The docs, whichever form was used.
    pub fn docs(&self) -> &str {
        match self {
            EnumValue::Docs(d) => d,
            EnumValue::Full(f) => &f.docs,
        }
    }

    /// The Rust name override, if any.
    pub fn rust_name(&self) -> Option<&str> {
        match self {
            EnumValue::Docs(_) => None,
            EnumValue::Full(f) => f.rust_name.as_deref(),
        }
    }
}

/// A YAML mapping whose keys keep their locations and whose order is kept.
/// (Duplicate keys are already a YAML error, reported by the parser with their location.)
#[derive(Debug)]
pub struct OrderedMap<V>(pub Vec<(Str, V)>);

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = OrderedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Str>()? {
                    let value = map.next_value::<V>()?;
                    entries.push((key, value));
                }
                Ok(OrderedMap(entries))
            }
        }
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

/// A literal value (for `default` and `example`), kept as the JSON text shown in the docs.
#[derive(Debug, Clone, PartialEq)]
pub struct Literal(pub String);

impl<'de> Deserialize<'de> for Literal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LitVisitor;
        impl<'de> Visitor<'de> for LitVisitor {
            type Value = Literal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a literal value")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Literal, E> {
                Ok(Literal(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Literal, E> {
                Ok(Literal(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Literal, E> {
                Ok(Literal(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Literal, E> {
                Ok(Literal(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Literal, E> {
                Ok(Literal(json_string(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Literal, E> {
                Ok(Literal("null".to_owned()))
            }
            fn visit_none<E: de::Error>(self) -> Result<Literal, E> {
                Ok(Literal("null".to_owned()))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Literal, D::Error> {
                Literal::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Literal, A::Error> {
                let mut items = Vec::new();
                while let Some(Literal(item)) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Literal(format!("[{}]", items.join(", "))))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Literal, A::Error> {
                // Sorted, so that the docs do not depend on the order keys were written in.
                let mut items = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    let Literal(value) = map.next_value()?;
                    items.insert(key, value);
                }
                let parts: Vec<String> = items.iter().map(|(k, v)| format!("{}: {v}", json_string(k))).collect();
                Ok(Literal(format!("{{{}}}", parts.join(", "))))
            }
        }
        deserializer.deserialize_any(LitVisitor)
    }
}

/// `s` as a JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
