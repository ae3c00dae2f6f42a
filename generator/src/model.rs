//! The validated model of the spec: every reference resolved, every Rust name decided.
//!
//! [`lower`] is the only way to make an [`Api`]. It checks everything it can and reports all
//! problems at once; the emitter reads nothing but this model.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_saphyr::{Location, Spanned};

use crate::diag::{Diagnostics, Pos};
use crate::load::SourceFile;
use crate::naming;
use crate::raw::{self, Method, OrderedMap};
use crate::types::{self, Builtin, TypeExpr};

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

/// The auth modes the runtime implements, by spec name.
const RUNTIME_AUTH_MODES: &[&str] = &["api_key", "access_token", "platform_client"];

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
enum Named {
    Model(usize),
    Enum(usize),
    Union(usize),
}

fn drift(map: &OrderedMap<String>) -> Vec<(String, String)> {
    map.0.iter().map(|(k, v)| (k.value.clone(), v.clone())).collect()
}

struct Cx {
    diags: Diagnostics,
    types: BTreeMap<String, Named>,
}

fn pos(file: &Path, loc: &Location) -> Pos {
    Pos::new(file, loc.line().max(1), loc.column().max(1))
}

fn spos<T>(file: &Path, s: &Spanned<T>) -> Pos {
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

    fn lower_enum(&mut self, file: &Path, name: &raw::Str, e: &raw::Enum) -> Enum {
        let mut values = Vec::new();
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        if e.values.0.is_empty() {
            self.diags.error(
                Some(&spos(file, name)),
                format!("enum `{}` has no values", name.value),
                "list its wire values under `values:`",
            );
        }
        for (wire, v) in &e.values.0 {
            let variant = v.rust_name().map(str::to_owned).unwrap_or_else(|| naming::pascal(&wire.value));
            let p = spos(file, wire);
            if !naming::is_pascal(&variant) {
                self.diags.error(
                    Some(&p),
                    format!(
                        "value `{}` of enum `{}` gives the variant name `{variant}`, which is not a Rust identifier",
                        wire.value, name.value
                    ),
                    "give it a `rust_name` in PascalCase: `VALUE: { docs: ..., rust_name: Name }`",
                );
            } else if variant == "Unknown" {
                self.diags.error(
                    Some(&p),
                    format!(
                        "value `{}` of enum `{}` converts to `Unknown`, which keeps unrecognised values",
                        wire.value, name.value
                    ),
                    "give it another `rust_name`: `VALUE: { docs: ..., rust_name: Name }`",
                );
            } else if let Some(prev) = seen.get(&variant) {
                self.diags.error(
                    Some(&p),
                    format!(
                        "values `{prev}` and `{}` of enum `{}` both convert to the variant `{variant}`",
                        wire.value, name.value
                    ),
                    "give one of them a distinct `rust_name`: `VALUE: { docs: ..., rust_name: Name }`",
                );
            } else {
                seen.insert(variant.clone(), wire.value.clone());
            }
            values.push(EnumValue { wire: wire.value.clone(), variant, docs: v.docs().to_owned() });
        }
        Enum {
            name: name.value.clone(),
            files: vec![file.to_path_buf()],
            docs: e.docs.clone(),
            values,
            known_drift: drift(&e.known_drift),
        }
    }

    fn lower_webhook_events(&mut self, files: &[SourceFile]) -> Vec<WebhookEvent> {
        let mut events = Vec::new();
        let mut triggers: BTreeMap<String, Pos> = BTreeMap::new();
        let mut variants: BTreeMap<String, String> = BTreeMap::new();
        for f in files {
            let file = f.display.as_path();
            for (trigger, e) in &f.file.webhook_events.0 {
                let p = spos(file, trigger);
                if let Some(prev) = triggers.get(&trigger.value) {
                    self.diags.error(
                        Some(&p),
                        format!("webhook event `{}` is declared twice", trigger.value),
                        format!("it is already declared at {prev}"),
                    );
                    continue;
                }
                triggers.insert(trigger.value.clone(), p.clone());
                let variant =
                    e.rust_name.as_ref().map(|r| r.value.clone()).unwrap_or_else(|| naming::pascal(&trigger.value));
                if !naming::is_pascal(&variant) || variant == "Unknown" {
                    self.diags.error(
                        Some(&p),
                        format!(
                            "webhook event `{}` gives the variant name `{variant}`, which is not usable",
                            trigger.value
                        ),
                        "give it a PascalCase `rust_name` other than `Unknown`",
                    );
                } else if let Some(prev) = variants.get(&variant) {
                    self.diags.error(
                        Some(&p),
                        format!("webhook events `{prev}` and `{}` both convert to `{variant}`", trigger.value),
                        "give one of them a `rust_name`",
                    );
                } else {
                    variants.insert(variant.clone(), trigger.value.clone());
                }
                let payload = match self.resolve(file, &e.payload) {
                    Some(t @ Type::Model(_)) => t,
                    Some(_) => {
                        self.diags.error(
                            Some(&spos(file, &e.payload)),
                            format!("the payload of webhook event `{}` is not a model", trigger.value),
                            "name a model declared under `models:`",
                        );
                        Type::Builtin(Builtin::Json)
                    }
                    None => Type::Builtin(Builtin::Json),
                };
                events.push(WebhookEvent {
                    trigger: trigger.value.clone(),
                    variant,
                    docs: e.docs.clone(),
                    payload,
                    flat: e.flat,
                });
            }
        }
        events.sort_by(|a, b| a.trigger.cmp(&b.trigger));
        events
    }

    /// Checks that the decoder can tell every value's variant from what the value is: its JSON
    /// kind, and for objects the tag or the `when` rules, which no two variants may share.
    fn check_dispatch(
        &mut self,
        file: &Path,
        name: &raw::Str,
        raw: &raw::Union,
        index: usize,
        unions: &[Union],
        models: &[Model],
    ) {
        let u = &unions[index];
        let kinds: Vec<BTreeSet<JsonKind>> =
            u.variants.iter().map(|v| json_kinds(&v.ty, unions, &mut Vec::new())).collect();
        let raw_variants: Vec<(&raw::Str, &raw::Variant)> = raw.variants.0.iter().map(|(n, v)| (n, v)).collect();
        let vpos = |i: usize| spos(file, raw_variants[i].0);
        for (i, v) in u.variants.iter().enumerate() {
            if kinds[i].contains(&JsonKind::Any) && u.variants.len() > 1 {
                self.diags.error(
                    Some(&vpos(i)),
                    format!("variant `{}` of union `{}` is `json`, which matches every shape", v.name, name.value),
                    "give the variant a model or another type, so that its values can be told from the others",
                );
            }
            let is_object = kinds[i].iter().all(|k| *k == JsonKind::Object);
            if (!v.has.is_empty() || !v.lacks.is_empty()) && !is_object {
                self.diags.error(
                    Some(&vpos(i)),
                    format!("variant `{}` of union `{}` has a `when` rule but is not an object", v.name, name.value),
                    "`when` looks at the keys of an object; other variants are told apart by their JSON kind",
                );
            }
            // Keys a rule names must make sense for the variant's model.
            if let Type::Model(m) = v.ty {
                let model = &models[m];
                for k in &v.has {
                    if !model.fields.iter().any(|f| &f.wire == k) {
                        self.diags.error(
                            Some(&vpos(i)),
                            format!(
                                "`when.has` of variant `{}` names `{k}`, which model `{}` does not have",
                                v.name, model.name
                            ),
                            format!("add `{k}` to `{}`, or fix the key's spelling", model.name),
                        );
                    }
                }
                for k in &v.lacks {
                    if model.fields.iter().any(|f| &f.wire == k && f.required) {
                        self.diags.error(
                            Some(&vpos(i)),
                            format!(
                                "`when.lacks` of variant `{}` names `{k}`, a required field of `{}`",
                                v.name, model.name
                            ),
                            "an object of this variant always has that key; remove it from `lacks`",
                        );
                    }
                }
            }
        }
        if u.tag.is_some() {
            return;
        }
        for (i, a) in u.variants.iter().enumerate() {
            for (j, b) in u.variants.iter().enumerate().skip(i + 1) {
                let Some(kind) = kinds[i].intersection(&kinds[j]).next().copied() else { continue };
                if kind == JsonKind::Any {
                    continue; // reported above
                }
                let hint = if kind == JsonKind::Object {
                    let exclusive =
                        a.has.iter().any(|k| b.lacks.contains(k)) || a.lacks.iter().any(|k| b.has.contains(k));
                    if exclusive {
                        continue;
                    }
                    if a.has.is_empty() && a.lacks.is_empty() || b.has.is_empty() && b.lacks.is_empty() {
                        "give each object variant a `when` rule: keys it `has` that the other `lacks` (read Cal.com's output classes for a key only one shape has), or give the union a `tag`"
                    } else {
                        "make the rules exclusive: put a key in one variant's `has` and the other's `lacks`"
                    }
                } else {
                    "only objects can be told apart by their keys; merge the two variants or change one's type"
                };
                self.diags.error(
                    Some(&vpos(j)),
                    format!(
                        "variants `{}` and `{}` of union `{}` cannot be told apart: both can be {}",
                        a.name,
                        b.name,
                        name.value,
                        kind.describe()
                    ),
                    hint,
                );
            }
        }
    }

    fn lower_union(&mut self, file: &Path, name: &raw::Str, u: &raw::Union) -> Union {
        let mut variants = Vec::new();
        let mut seen_names: BTreeSet<String> = BTreeSet::new();
        let mut seen_tags: BTreeSet<String> = BTreeSet::new();
        if u.variants.0.is_empty() {
            self.diags.error(
                Some(&spos(file, name)),
                format!("union `{}` has no variants", name.value),
                "list its shapes under `variants:`",
            );
        }
        for (vname, v) in &u.variants.0 {
            let p = spos(file, vname);
            if !naming::is_pascal(&vname.value) || vname.value == "Other" || vname.value == "Unknown" {
                self.diags.error(
                    Some(&p),
                    format!(
                        "variant name `{}` of union `{}` must be PascalCase and not `Other` or `Unknown`",
                        vname.value, name.value
                    ),
                    "name the shape as a person would: `Regular`, `Recurring`, `Instant`",
                );
            }
            if !seen_names.insert(vname.value.clone()) {
                self.diags.error(
                    Some(&p),
                    format!("variant `{}` of union `{}` appears twice", vname.value, name.value),
                    "rename one of them",
                );
            }
            let ty = self.resolve(file, &v.ty).unwrap_or(Type::Builtin(Builtin::Json));
            match (&u.tag, &v.tag_value) {
                (Some(_), None) => self.diags.error(
                    Some(&p),
                    format!("variant `{}` of tagged union `{}` has no `tag_value`", vname.value, name.value),
                    "say which value of the tag field selects this variant",
                ),
                (None, Some(t)) => self.diags.error(
                    Some(&spos(file, t)),
                    format!("`tag_value` in union `{}`, which has no `tag`", name.value),
                    "add `tag: <wire field>` to the union, or remove `tag_value`",
                ),
                (Some(_), Some(t)) => {
                    if !seen_tags.insert(t.value.clone()) {
                        self.diags.error(
                            Some(&spos(file, t)),
                            format!("tag value `{}` is used twice in union `{}`", t.value, name.value),
                            "each variant needs its own tag value",
                        );
                    }
                    if !matches!(ty, Type::Model(_)) {
                        self.diags.error(
                            Some(&spos(file, &v.ty)),
                            format!("variant `{}` of tagged union `{}` is not a model", vname.value, name.value),
                            "the variants of a tagged union are models (JSON objects)",
                        );
                    }
                }
                (None, None) => {}
            }
            let (has, lacks) = match &v.when {
                None => (Vec::new(), Vec::new()),
                Some(when) => {
                    let wp = spos(file, when);
                    if u.tag.is_some() {
                        self.diags.error(
                            Some(&wp),
                            format!("`when` in tagged union `{}`", name.value),
                            "the tag already says which variant an object is; remove `when`",
                        );
                    }
                    if when.value.has.is_empty() && when.value.lacks.is_empty() {
                        self.diags.error(
                            Some(&wp),
                            format!("empty `when` on variant `{}` of union `{}`", vname.value, name.value),
                            "name keys the variant's objects have (`has`) or never have (`lacks`)",
                        );
                    }
                    for k in &when.value.has {
                        if when.value.lacks.iter().any(|l| l.value == k.value) {
                            self.diags.error(
                                Some(&spos(file, k)),
                                format!("key `{}` is both in `has` and in `lacks`", k.value),
                                "an object cannot both have and lack a key; keep it in one list",
                            );
                        }
                    }
                    let names = |list: &[raw::Str]| list.iter().map(|k| k.value.clone()).collect::<Vec<_>>();
                    (names(&when.value.has), names(&when.value.lacks))
                }
            };
            variants.push(Variant {
                name: vname.value.clone(),
                ty,
                docs: v.docs.clone(),
                tag_value: v.tag_value.as_ref().map(|t| t.value.clone()),
                has,
                lacks,
            });
        }
        let mut keys: Vec<String> = Vec::new();
        for k in variants.iter().flat_map(|v| v.has.iter().chain(&v.lacks)) {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
        if keys.len() > 64 {
            self.diags.error(
                Some(&spos(file, name)),
                format!(
                    "union `{}` names {} keys in its `when` rules; at most 64 are supported",
                    name.value,
                    keys.len()
                ),
                "tell the variants apart with fewer keys",
            );
        }
        Union {
            name: name.value.clone(),
            files: vec![file.to_path_buf()],
            docs: u.docs.clone(),
            tag: u.tag.as_ref().map(|t| t.value.clone()),
            variants,
            keys,
            is_input: false,
            known_drift: drift(&u.known_drift),
        }
    }

    /// A model's fields: those of the model it `extends` (recursively) minus `without`, then its
    /// own (one with an inherited name replaces it in place). Each with the file it is written in.
    fn model_fields<'s>(
        &mut self,
        by_name: &BTreeMap<&str, (&'s Path, &'s raw::Model)>,
        file: &'s Path,
        name: &'s raw::Str,
        m: &'s raw::Model,
    ) -> Vec<(&'s Path, &'s raw::Str, &'s raw::Field)> {
        // The chain of bases, nearest first. A problem is reported by the model whose own
        // `extends` has it; models further down the line stop quietly (no repeated errors).
        let mut chain: Vec<(&'s Path, &'s raw::Str, &'s raw::Model)> = vec![(file, name, m)];
        while let Some(&(_, _, current)) = chain.last() {
            let Some(base) = &current.extends else { break };
            let own = chain.len() == 1;
            match by_name.get_key_value(base.value.as_str()) {
                Some(_) if chain.iter().any(|(_, n, _)| n.value == base.value) => {
                    if chain[0].1.value == base.value {
                        let mut path: Vec<&str> = chain.iter().map(|(_, n, _)| n.value.as_str()).collect();
                        path.push(&base.value);
                        self.diags.error(
                            Some(&spos(file, m.extends.as_ref().unwrap_or(base))),
                            format!("model `{}` extends itself: {}", name.value, path.join(" -> ")),
                            "remove one of the `extends` in the cycle",
                        );
                    }
                    return Vec::new();
                }
                Some((_, &(bf, bm))) => chain.push((bf, base, bm)),
                None => {
                    if own {
                        let hint = match self.types.get(&base.value) {
                            Some(_) => "only a model can be extended (enums and unions cannot)".to_owned(),
                            None => match crate::diag::closest(&base.value, by_name.keys().copied()) {
                                Some(c) => format!("did you mean `{c}`?"),
                                None => "name a model declared under `models:` in some spec file".to_owned(),
                            },
                        };
                        self.diags.error(
                            Some(&spos(file, base)),
                            format!("`extends`: unknown model `{}`", base.value),
                            hint,
                        );
                    }
                    return Vec::new();
                }
            }
        }
        // Apply from the farthest base down.
        let mut fields: Vec<(&'s Path, &'s raw::Str, &'s raw::Field)> = Vec::new();
        for (depth, &(f, _, level)) in chain.iter().enumerate().rev() {
            let own = depth == 0;
            if own && level.extends.is_none() && !level.without.is_empty() {
                self.diags.error(
                    Some(&spos(f, &level.without[0])),
                    "`without` is only for a model that `extends` another".to_owned(),
                    "add `extends: BaseModel`, or remove `without`",
                );
            }
            for gone in &level.without {
                match fields.iter().position(|(_, wire, _)| wire.value == gone.value) {
                    Some(i) => {
                        fields.remove(i);
                    }
                    None if !own || level.extends.is_none() => {}
                    None => {
                        let close = crate::diag::closest(&gone.value, fields.iter().map(|(_, w, _)| w.value.as_str()));
                        self.diags.error(
                            Some(&spos(f, gone)),
                            format!("`without`: the base model has no field `{}`", gone.value),
                            match close {
                                Some(c) => format!("did you mean `{c}`?"),
                                None => "list only fields the `extends` model has".to_owned(),
                            },
                        );
                    }
                }
            }
            if own && level.fields.is_none() && level.extends.is_none() {
                self.diags.error(
                    Some(&spos(file, name)),
                    format!("model `{}` has no `fields`", name.value),
                    "list its fields, or `extends` another model (a free-form object is type `json`)",
                );
            }
            for (wire, field) in level.fields.iter().flat_map(|f| &f.0) {
                match fields.iter().position(|(_, w, _)| w.value == wire.value) {
                    Some(i) => fields[i] = (f, wire, field),
                    None => fields.push((f, wire, field)),
                }
            }
        }
        fields
    }

    fn lower_model(
        &mut self,
        file: &Path,
        name: &raw::Str,
        m: &raw::Model,
        own: &[(&Path, &raw::Str, &raw::Field)],
    ) -> Model {
        let mut files: Vec<PathBuf> = vec![file.to_path_buf()];
        for (f, _, _) in own {
            if !files.iter().any(|known| known == f) {
                files.push(f.to_path_buf());
            }
        }
        let mut fields = Vec::new();
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for &(file, wire, f) in own {
            let p = spos(file, wire);
            let rust = self.rust_name(file, &wire.value, f.rust_name.as_ref(), &p);
            if let Some(prev) = seen.get(&rust) {
                self.diags.error(
                    Some(&p),
                    format!("fields `{prev}` and `{}` of model `{}` both convert to `{rust}`", wire.value, name.value),
                    "give one of them a distinct `rust_name`",
                );
            } else {
                seen.insert(rust.clone(), wire.value.clone());
            }
            let ty = self.resolve(file, &f.ty).unwrap_or(Type::Builtin(Builtin::Json));
            fields.push(Field {
                wire: wire.value.clone(),
                rust,
                ty,
                required: f.required,
                nullable: f.nullable,
                docs: f.docs.clone(),
                example: f.example.as_ref().map(|e| e.0.clone()),
            });
        }
        Model {
            name: name.value.clone(),
            files,
            docs: m.docs.clone(),
            fields,
            is_input: false,
            known_drift: drift(&m.known_drift),
        }
    }

    /// The Rust (snake_case) name of a field or parameter: its `rust_name`, or its converted wire name.
    fn rust_name(&mut self, file: &Path, wire: &str, over: Option<&raw::Str>, p: &Pos) -> String {
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

    fn resolve(&mut self, file: &Path, text: &raw::Str) -> Option<Type> {
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

    fn resolve_expr(&mut self, expr: &TypeExpr, p: &Pos) -> Option<Type> {
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

    fn closest_type(&self, name: &str) -> Option<String> {
        crate::diag::closest(name, self.types.keys().map(String::as_str)).map(str::to_owned)
    }

    fn lower_resources(
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
                if f.file.docs.is_some() || f.file.auth.is_some() || f.file.api_version.is_some() {
                    self.diags.error(
                        Some(&Pos::new(file, 1, 1)),
                        "`docs`, `auth` or `api_version` in a file without `resource:`",
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
                if let Some(o) =
                    self.lower_operation(file, &op.value, default_auth, default_version, auth_modes, api_versions)
                {
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
        let (raw_segments, placeholders) = match split_template(&path) {
            Ok(s) => s,
            Err(msg) => {
                self.diags.error(
                    Some(&path_pos),
                    format!("bad path template `{path}`: {msg}"),
                    "placeholders look like `{orgId}`",
                );
                (Vec::new(), Vec::new())
            }
        };
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
        let segments = raw_segments
            .into_iter()
            .map(|s| match s {
                RawSegment::Literal(l) => Segment::Literal(l),
                RawSegment::Param(n) => Segment::Param(path_params.iter().position(|p| p.wire == n).unwrap_or(0)),
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
            path_params,
            query,
            headers,
            body,
            response,
            envelope: op.envelope.unwrap_or(true),
            response_nullable: op.response_nullable,
            pagination,
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

enum RawSegment {
    Literal(String),
    Param(String),
}

/// Splits `/v2/teams/{teamId}/x` into literals and placeholder names.
fn split_template(path: &str) -> Result<(Vec<RawSegment>, Vec<String>), String> {
    let mut segments = Vec::new();
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let (lit, after) = rest.split_at(open);
        if lit.contains('}') {
            return Err("`}` without `{`".to_owned());
        }
        let close = after.find('}').ok_or("`{` without `}`")?;
        let name = &after[1..close];
        if !naming::is_identifier(name) {
            return Err(format!("placeholder `{{{name}}}` is not an identifier"));
        }
        if names.iter().any(|n| n == name) {
            return Err(format!("placeholder `{{{name}}}` appears twice"));
        }
        if !lit.is_empty() {
            segments.push(RawSegment::Literal(lit.to_owned()));
        }
        segments.push(RawSegment::Param(name.to_owned()));
        names.push(name.to_owned());
        rest = &after[close + 1..];
    }
    if rest.contains('}') {
        return Err("`}` without `{`".to_owned());
    }
    if !rest.is_empty() {
        segments.push(RawSegment::Literal(rest.to_owned()));
    }
    Ok((segments, names))
}

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
    fn describe(self) -> &'static str {
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
