//! Cargo features per resource group: which group needs which type.
//!
//! Each top-level resource (`bookings`, `orgs`, `event_types`, ...) is a cargo feature of the
//! client, all on by default. A type is compiled when a group that uses it (directly or through
//! other types) is on; types used by every group, by the webhook events, or by nothing in
//! particular are always compiled. Building one group then compiles only its share of the models.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{Api, Type};

/// When a generated item is compiled: `None` always, else when any of these groups is on.
pub type Gate = Option<BTreeSet<usize>>;

/// The groups and the gate of every model, enum and union.
pub struct Features {
    /// The group (feature) names, sorted.
    pub groups: Vec<String>,
    /// Gate of each model (index as in [`Api::models`]).
    pub models: Vec<Gate>,
    /// Gate of each enum.
    pub enums: Vec<Gate>,
    /// Gate of each union.
    pub unions: Vec<Gate>,
}

#[derive(Default, Clone)]
struct Uses {
    groups: BTreeSet<usize>,
    always: bool,
}

impl Features {
    /// Works out the gates of `api`.
    pub fn new(api: &Api) -> Features {
        let groups: Vec<String> =
            api.resources.iter().filter(|r| r.path.len() == 1).map(|r| r.path[0].clone()).collect();
        let mut models = vec![Uses::default(); api.models.len()];
        let mut enums = vec![Uses::default(); api.enums.len()];
        let mut unions = vec![Uses::default(); api.unions.len()];
        let mut mark = |ty: &Type, group: Option<usize>| {
            let mut stack = vec![ty.clone()];
            while let Some(ty) = stack.pop() {
                let uses = match &ty {
                    Type::Model(i) => &mut models[*i],
                    Type::Enum(i) => &mut enums[*i],
                    Type::Union(i) => &mut unions[*i],
                    Type::List(inner) | Type::Map(inner) => {
                        stack.push((**inner).clone());
                        continue;
                    }
                    Type::Builtin(_) => continue,
                };
                let new = match group {
                    Some(g) => uses.groups.insert(g),
                    None => !std::mem::replace(&mut uses.always, true),
                };
                if !new {
                    continue;
                }
                match &ty {
                    Type::Model(i) => stack.extend(api.models[*i].fields.iter().map(|f| f.ty.clone())),
                    Type::Union(i) => stack.extend(api.unions[*i].variants.iter().map(|v| v.ty.clone())),
                    _ => {}
                }
            }
        };
        for r in &api.resources {
            let group = groups.iter().position(|g| *g == r.path[0]);
            for op in &r.operations {
                let params = op.path_params.iter().chain(&op.query).chain(&op.headers).map(|p| &p.ty);
                for ty in params.chain(op.body.as_ref()).chain(op.response.as_ref()) {
                    mark(ty, group);
                }
            }
        }
        for e in &api.webhook_events {
            mark(&e.payload, None);
        }
        let all = groups.len();
        let gate = |u: &Uses| (!u.always && !u.groups.is_empty() && u.groups.len() < all).then(|| u.groups.clone());
        Features {
            models: models.iter().map(gate).collect(),
            enums: enums.iter().map(gate).collect(),
            unions: unions.iter().map(gate).collect(),
            groups,
        }
    }

    /// `#[cfg(any(feature = "a", feature = "b"))]` for a gate; nothing for `None`.
    pub fn cfg(&self, gate: &Gate) -> TokenStream {
        match gate {
            None => quote!(),
            // The `doc(cfg)` twin puts the feature badge on the item in docs.rs (built with
            // `--cfg docsrs`); elsewhere it is inert.
            Some(groups) if groups.len() == 1 => {
                let name = groups.iter().next().map(|&g| self.groups[g].as_str()).expect("a gate of one group");
                quote!(#[cfg(feature = #name)] #[cfg_attr(docsrs, doc(cfg(feature = #name)))])
            }
            Some(groups) => {
                let names: Vec<&str> = groups.iter().map(|&g| self.groups[g].as_str()).collect();
                quote! {
                    #[cfg(any( #( feature = #names ),* ))]
                    #[cfg_attr(docsrs, doc(cfg(any( #( feature = #names ),* ))))]
                }
            }
        }
    }

    /// The gate of the feature of one group.
    pub fn group(&self, name: &str) -> TokenStream {
        quote!(#[cfg(feature = #name)] #[cfg_attr(docsrs, doc(cfg(feature = #name)))])
    }

    /// The gate of an item used by the operations of these groups.
    pub fn for_groups(&self, used: &BTreeSet<usize>) -> Gate {
        (used.len() < self.groups.len()).then(|| used.clone())
    }
}
