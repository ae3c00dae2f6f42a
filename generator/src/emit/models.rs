//! Model files: structs, string enums and unions (with their `FromJson`).

use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::*;

/// The largest set of groups that gets a model file of its own; types used by more groups are
/// compiled always (with `common.rs`), which costs a one-group build little and keeps the
/// number of files small.
pub(super) const MAX_GROUPS_PER_FILE: usize = 3;

/// A file of models: its module name and the groups whose features compile it (`None`: always).
pub(super) struct ModelFile {
    module: String,
    gate: crate::features::Gate,
}

/// The model files: one per set of groups that uses the same types (`orgs.rs`,
/// `bookings_orgs.rs`, ...), then `common.rs`; each type goes to the file of its gate.
pub(super) fn model_files(features: &crate::features::Features) -> Vec<ModelFile> {
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
pub(super) fn file_gate(gate: &crate::features::Gate) -> Option<&std::collections::BTreeSet<usize>> {
    gate.as_ref().filter(|set| set.len() <= MAX_GROUPS_PER_FILE)
}

pub(super) const MODELS_DOCS: &str = "The models (JSON objects), enums and unions of the API.\n\n\
    Every struct is `#[non_exhaustive]`: Cal.com adds fields in any release. Models sent in\n\
    request bodies are built with `new` (or `Default`) and their setters; models the server\n\
    sends are decoded (in tests, decode one from JSON). Every enum keeps values it does not\n\
    know in `Unknown`, and every union shapes it does not know in `Other` or `Unknown`.\n\n\
    The types are written in one file per set of resource groups that use them, compiled when\n\
    one of those groups' features is on, and all re-exported here.";

pub(super) fn emit_models_root(api: &Api, plan: &Plan) -> Emitted {
    let features = &plan.features;
    let files = plan.model_files.iter().map(|f| {
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

pub(super) fn emit_model_file(api: &Api, plan: &Plan, index: usize) -> Emitted {
    let features = &plan.features;
    let file = &plan.model_files[index];
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
    // The file's module carries the feature gate; its items need none of their own.
    let enums = enums.iter().map(|&i| emit_enum(&api.enums[i]));
    let models = models.iter().map(|&i| emit_model(api, &api.models[i]));
    let unions = unions.iter().map(|&i| emit_union(api, &api.unions[i]));
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

pub(super) fn emit_enum(e: &Enum) -> TokenStream {
    let name = format_ident!("{}", e.name);
    let docs = doc(&e.docs);
    let variants: Vec<_> = e.values.iter().map(|v| format_ident!("{}", v.variant)).collect();
    let wires: Vec<&str> = e.values.iter().map(|v| v.wire.as_str()).collect();
    let vdocs: Vec<TokenStream> =
        e.values.iter().map(|v| doc(&format!("{} (`{}`).", strip_period(&v.docs), v.wire))).collect();
    // `as_str`, `Display`, `FromStr`, serde and query encoding come from one runtime macro.
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #( #vdocs #variants, )*
            /// A value this version of the client does not know, as it was sent.
            Unknown(String),
        }
        crate::runtime::string_enum!(#name { #( #variants = #wires, )* });
    }
}

pub(super) fn field_doc(f: &Field) -> TokenStream {
    let facts: Vec<String> = f.example.iter().map(|e| format!("Example: `{e}`.")).collect();
    doc(&with_facts(&f.docs, &facts))
}

pub(super) fn emit_model(api: &Api, m: &Model) -> TokenStream {
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
    let constructors = if m.is_input { emit_model_builder(api, m) } else { quote!() };
    // Fields may be added in any release, so no model can be built with a struct literal outside
    // this crate (`#[non_exhaustive]`): request models have `new` (or `Default`) and setters.
    quote! {
        #docs
        #[non_exhaustive]
        #[derive(Debug, Clone, PartialEq, #default)]
        pub struct #name {
            #( #fields )*
        }
        crate::json::object!(#name { #( #table ),* });
        #constructors
    }
}

/// `new(required...)` (or `Default`) and one setter per optional field, for request models.
pub(super) fn emit_model_builder(api: &Api, m: &Model) -> TokenStream {
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
        impl #name {
            #new
            #( #setters )*
        }
    }
}

/// Whether a field of a request model can say all three of "leave unchanged" (absent),
/// "clear" (`null`) and "set": optional and nullable.
pub(super) fn is_patch(m: &Model, f: &Field) -> bool {
    m.is_input && !f.required && f.nullable
}

pub(super) fn emit_union(api: &Api, u: &Union) -> TokenStream {
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
    let from_json = emit_union_from_json(api, u);
    // `From` for each variant whose type no other variant shares, so a body can be passed as is.
    let froms = u.variants.iter().filter(|v| u.variants.iter().filter(|w| w.ty == v.ty).count() == 1).map(|v| {
        let vname = format_ident!("{}", v.name);
        let ty = rust_type(api, &v.ty, Scope::Models);
        let value = if matches!(v.ty, Type::Model(_)) { quote!(Box::new(value)) } else { quote!(value) };
        quote! {
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
pub(super) fn dispatch_docs(api: &Api, u: &Union) -> String {
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
pub(super) fn emit_union_from_json(api: &Api, u: &Union) -> TokenStream {
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
            let value = v.tag_value.as_deref().expect("lowering gives every variant of a tagged union a tag value");
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
            list.iter()
                .map(|k| {
                    1u64 << u.keys.iter().position(|x| x == k).expect("`Union::keys` holds every key of every rule")
                })
                .fold(0, |a, b| a | b)
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
        impl crate::decode::FromJson for #name {
            fn from_json(r: &mut crate::decode::Reader<'_>) -> Result<Self, crate::decode::JsonError> {
                match r.kind()? {
                    #object_arm
                    #( #other_arms )*
                    _ => Err(r.invalid(#expected)),
                }
            }
        }
        crate::decode::deserialize_via_from_json!(#name);
    }
}
