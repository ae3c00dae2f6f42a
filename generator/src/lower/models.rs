//! Lowering enums, models (with `extends`) and unions, and checking unions' dispatch rules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::*;
use crate::model::*;
use crate::raw;

impl Cx {
    pub(super) fn lower_enum(&mut self, file: &Path, name: &raw::Str, e: &raw::Enum) -> Enum {
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

    /// Checks that the decoder can tell every value's variant from what the value is: its JSON
    /// kind, and for objects the tag or the `when` rules, which no two variants may share.
    pub(super) fn check_dispatch(
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

    pub(super) fn lower_union(&mut self, file: &Path, name: &raw::Str, u: &raw::Union) -> Union {
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
    pub(super) fn model_fields<'s>(
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

    pub(super) fn lower_model(
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
}
