//! The validated model of the spec: every reference resolved, every Rust name decided.
//!
//! [`lower`] (in `lower/`) is the only way to make an [`Api`]. It checks
//! everything it can and reports all problems at once; the emitter reads nothing but this
//! model. This module holds the model's types only.

use std::collections::BTreeSet;
use std::path::PathBuf;

pub use crate::raw::Method;
use crate::types::Builtin;

pub use crate::lower::lower;

/// The whole API.
#[derive(Debug)]
pub struct Api {
    /// Name of the API.
    pub title: String,
    /// Default base URL.
    pub base_url: String,
    /// Docs of the API.
    pub docs: String,
    /// The auth modes, in spec order.
    pub auth_modes: Vec<AuthMode>,
    /// The known `cal-api-version` values, in spec order.
    pub api_versions: Vec<ApiVersion>,
    /// Every resource, sorted by path (parents before children).
    pub resources: Vec<Resource>,
    /// Every model, sorted by name.
    pub models: Vec<Model>,
    /// Every enum, sorted by name.
    pub enums: Vec<Enum>,
    /// Every union, sorted by name.
    pub unions: Vec<Union>,
    /// Every webhook event, sorted by trigger.
    pub webhook_events: Vec<WebhookEvent>,
    /// The spec files read, in order (for the generated files' headers).
    pub files: Vec<PathBuf>,
    /// The file with the `api:` section.
    pub api_file: PathBuf,
}

/// An auth mode of the runtime that the spec declares.
#[derive(Debug)]
pub struct AuthMode {
    /// Spec name (`api_key`).
    pub name: String,
    /// Variant of the runtime's `AuthMode` enum (`ApiKey`).
    pub variant: String,
    /// Docs.
    pub docs: String,
}

/// A `cal-api-version` value.
#[derive(Debug)]
pub struct ApiVersion {
    /// Wire value (`2024-08-13`).
    pub value: String,
    /// Rust variant (`V2024_08_13`).
    pub variant: String,
    /// Docs.
    pub docs: String,
}

/// A resource: a node of `client.orgs().teams().memberships()`.
#[derive(Debug)]
pub struct Resource {
    /// Path segments (`["orgs", "teams", "memberships"]`).
    pub path: Vec<String>,
    /// Rust type of the resource handle (`Memberships`).
    pub type_name: String,
    /// Docs.
    pub docs: String,
    /// Indices (into [`Api::resources`]) of the direct children, sorted by name.
    pub children: Vec<usize>,
    /// Operations, in spec order.
    pub operations: Vec<Operation>,
    /// The spec file that declares the resource.
    pub file: PathBuf,
}

impl Resource {
    /// The accessor method name (last path segment).
    pub fn accessor(&self) -> &str {
        self.path.last().map(String::as_str).unwrap_or_default()
    }
}

/// One operation of a resource.
#[derive(Debug)]
pub struct Operation {
    /// Method name (`get`).
    pub name: String,
    /// Name of the request builder type (`GetRequest`).
    pub builder: String,
    /// HTTP method.
    pub method: Method,
    /// Path template as written (`/v2/organizations/{orgId}`).
    pub path: String,
    /// The path template split into literal text and parameters (index into `path_params`).
    pub segments: Vec<Segment>,
    /// One sentence.
    pub summary: String,
    /// More docs.
    pub docs: Option<String>,
    /// Upstream operationId.
    pub upstream: Option<String>,
    /// Accepted auth modes (indices into [`Api::auth_modes`]); empty when no credentials are sent.
    pub auth: Vec<usize>,
    /// Needed `cal-api-version` (index into [`Api::api_versions`]).
    pub api_version: Option<usize>,
    /// Deprecated upstream: the note saying what to use instead.
    pub deprecated: Option<String>,
    /// Path parameters, in path order.
    pub path_params: Vec<Param>,
    /// Query parameters, in spec order.
    pub query: Vec<Param>,
    /// Header parameters, in spec order.
    pub headers: Vec<Param>,
    /// Request body: a model or a union.
    pub body: Option<Type>,
    /// Response type; `None` returns `()`.
    pub response: Option<Type>,
    /// Whether the response is wrapped in `{status, data}`.
    pub envelope: bool,
    /// Whether the response value may be absent or `null` (the method returns an `Option`).
    pub response_nullable: bool,
    /// How the operation pages through a list, if it does.
    pub pagination: Option<Pagination>,
    /// Whether its answers carry Cal.com's `pagination` object beside `data`.
    pub page_info: bool,
    /// Differences from upstream made on purpose: difference -> reason.
    pub known_drift: Vec<(String, String)>,
    /// Why upstream refuses a correct request of this operation, if it does.
    pub upstream_request_defect: Option<String>,
    /// Why upstream's response of this operation cannot decode, if it cannot.
    pub upstream_response_defect: Option<String>,
    /// Whether a client without credentials may call it (sending none).
    pub auth_optional: bool,
}

pub use crate::raw::Pagination;

/// Part of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Literal text.
    Literal(String),
    /// A path parameter (index into [`Operation::path_params`]).
    Param(usize),
}

/// A path, query or header parameter.
#[derive(Debug)]
pub struct Param {
    /// Wire name.
    pub wire: String,
    /// Rust name (argument or setter).
    pub rust: String,
    /// Type.
    pub ty: Type,
    /// Whether it is a positional argument.
    pub required: bool,
    /// Docs.
    pub docs: String,
    /// Server default, as JSON text.
    pub default: Option<String>,
    /// Example, as JSON text.
    pub example: Option<String>,
}

/// A resolved type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// A built-in scalar.
    Builtin(Builtin),
    /// A list.
    List(Box<Type>),
    /// A map with string keys.
    Map(Box<Type>),
    /// A model (index into [`Api::models`]).
    Model(usize),
    /// An enum (index into [`Api::enums`]).
    Enum(usize),
    /// A union (index into [`Api::unions`]).
    Union(usize),
}

impl Type {
    /// The type inside any lists and maps: `Team` for `list<map<Team>>`.
    pub fn innermost(&self) -> &Type {
        match self {
            Type::List(inner) | Type::Map(inner) => inner.innermost(),
            other => other,
        }
    }
}

/// A model (JSON object).
#[derive(Debug)]
pub struct Model {
    /// Rust and spec name.
    pub name: String,
    /// The spec files it is written in (for a model, also those of the models it extends).
    pub files: Vec<PathBuf>,
    /// Docs.
    pub docs: String,
    /// Fields, in spec order.
    pub fields: Vec<Field>,
    /// Whether the model is sent in a request body (directly or nested): it gets `new` and setters.
    pub is_input: bool,
    /// Differences from upstream made on purpose: difference -> reason.
    pub known_drift: Vec<(String, String)>,
}

/// A field of a model.
#[derive(Debug)]
pub struct Field {
    /// Wire name.
    pub wire: String,
    /// Rust name.
    pub rust: String,
    /// Type.
    pub ty: Type,
    /// Always present.
    pub required: bool,
    /// May be null.
    pub nullable: bool,
    /// Docs.
    pub docs: String,
    /// Example, as JSON text.
    pub example: Option<String>,
}

impl Field {
    /// Whether the Rust field is an `Option`.
    pub fn is_option(&self) -> bool {
        !self.required || self.nullable
    }
}

/// A string enum.
#[derive(Debug)]
pub struct Enum {
    /// Rust and spec name.
    pub name: String,
    /// The spec files it is written in (for a model, also those of the models it extends).
    pub files: Vec<PathBuf>,
    /// Docs.
    pub docs: String,
    /// Values, in spec order.
    pub values: Vec<EnumValue>,
    /// Differences from upstream made on purpose: difference -> reason.
    pub known_drift: Vec<(String, String)>,
}

/// A webhook event Cal.com sends.
#[derive(Debug)]
pub struct WebhookEvent {
    /// The `triggerEvent` value (`BOOKING_CREATED`).
    pub trigger: String,
    /// Rust variant name (`BookingCreated`).
    pub variant: String,
    /// Docs.
    pub docs: String,
    /// The payload's model.
    pub payload: Type,
    /// Whether the payload is the body itself rather than its `payload` field.
    pub flat: bool,
}

/// A union: one of several shapes.
#[derive(Debug)]
pub struct Union {
    /// Rust and spec name.
    pub name: String,
    /// The spec files it is written in (for a model, also those of the models it extends).
    pub files: Vec<PathBuf>,
    /// Docs.
    pub docs: String,
    /// The wire field naming the variant (internally tagged), or `None` (untagged: tried in order).
    pub tag: Option<String>,
    /// Variants, in spec order.
    pub variants: Vec<Variant>,
    /// Every key named by a variant's `has` or `lacks`, in order of first mention: what the
    /// decoder looks for in an object before choosing its variant.
    pub keys: Vec<String>,
    /// Whether the union is sent in a request body.
    pub is_input: bool,
    /// Differences from upstream made on purpose: difference -> reason.
    pub known_drift: Vec<(String, String)>,
}

/// One shape of a union.
#[derive(Debug)]
pub struct Variant {
    /// Rust variant name.
    pub name: String,
    /// The value's type.
    pub ty: Type,
    /// Docs.
    pub docs: String,
    /// With a tag: the tag's value for this variant.
    pub tag_value: Option<String>,
    /// Without a tag: keys an object must have to be this variant (see [`Union::keys`]).
    pub has: Vec<String>,
    /// Without a tag: keys an object must not have to be this variant.
    pub lacks: Vec<String>,
}

/// One value of an enum.
#[derive(Debug)]
pub struct EnumValue {
    /// Wire value.
    pub wire: String,
    /// Rust variant.
    pub variant: String,
    /// Docs.
    pub docs: String,
}

/// Type names the crate root exports besides the models (the runtime's, and `ApiVersion`): a
/// model, enum or union may not take one, or it would be shadowed. A test keeps this list in
/// step with `generated-client/src/lib.rs`.
pub const RESERVED_TYPE_NAMES: &[&str] = &[
    "ApiError",
    "ApiVersion",
    "AuthMode",
    "Client",
    "ClientBuilder",
    "DecodeError",
    "Error",
    "PageInfo",
    "PageStream",
    "Patch",
    "RefreshResult",
    "RequestFuture",
    "Response",
    "Result",
];

/// Headers the client sets from `auth` and `api_version`; the spec may not list them.
pub const MANAGED_HEADERS: &[&str] = &["authorization", "x-cal-client-id", "x-cal-secret-key", "cal-api-version"];

/// The JSON kinds a value of a type can have, as a union's decoder tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum JsonKind {
    /// A boolean.
    Bool,
    /// A number (integer or not: they are not told apart).
    Number,
    /// A string (also dates and enums).
    String,
    /// An array.
    Array,
    /// An object (models and maps).
    Object,
    /// Anything (`json`).
    Any,
}

impl JsonKind {
    /// "an object", "a string", ...
    pub fn describe(self) -> &'static str {
        match self {
            JsonKind::Bool => "a boolean",
            JsonKind::Number => "a number",
            JsonKind::String => "a string",
            JsonKind::Array => "an array",
            JsonKind::Object => "an object",
            JsonKind::Any => "anything",
        }
    }
}

/// The JSON kinds of a type; a union's are those of its variants (`seen` guards cycles).
pub fn json_kinds(ty: &Type, unions: &[Union], seen: &mut Vec<usize>) -> BTreeSet<JsonKind> {
    match ty {
        Type::Builtin(b) => BTreeSet::from([match b {
            Builtin::String | Builtin::DateTime | Builtin::OffsetDateTime | Builtin::Date => JsonKind::String,
            Builtin::Integer | Builtin::Number => JsonKind::Number,
            Builtin::Boolean => JsonKind::Bool,
            Builtin::Json => JsonKind::Any,
        }]),
        Type::Enum(_) => BTreeSet::from([JsonKind::String]),
        Type::List(_) => BTreeSet::from([JsonKind::Array]),
        Type::Map(_) | Type::Model(_) => BTreeSet::from([JsonKind::Object]),
        Type::Union(i) => {
            if seen.contains(i) {
                return BTreeSet::new();
            }
            seen.push(*i);
            unions[*i].variants.iter().flat_map(|v| json_kinds(&v.ty, unions, seen)).collect()
        }
    }
}
