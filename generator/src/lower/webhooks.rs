//! Lowering webhook events.

use std::collections::BTreeMap;

use super::*;
use crate::model::*;

impl Cx {
    pub(super) fn lower_webhook_events(&mut self, files: &[SourceFile]) -> Vec<WebhookEvent> {
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
}
