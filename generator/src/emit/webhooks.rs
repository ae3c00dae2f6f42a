//! `webhooks.rs`: the `WebhookEvent` enum and its decoder.

use std::path::PathBuf;

use quote::{format_ident, quote};

use super::*;

pub(super) fn emit_webhooks(api: &Api) -> Emitted {
    let variants = api.webhook_events.iter().map(|e| {
        let v = format_ident!("{}", e.variant);
        let payload = rust_type(api, &e.payload, Scope::Resources);
        let shape = if e.flat {
            "Cal.com sends this event flat: the payload's fields stand beside `triggerEvent`."
        } else {
            "The usual body: `{\"triggerEvent\", \"createdAt\", \"payload\"}`."
        };
        let d = doc(&format!("{}\n\nTrigger `{}`. {shape}", e.docs, e.trigger));
        let ty = if e.flat { payload } else { quote!(crate::webhooks::Delivery<#payload>) };
        quote! { #d #v(#ty), }
    });
    let names: Vec<_> = api.webhook_events.iter().map(|e| format_ident!("{}", e.variant)).collect();
    let triggers: Vec<&str> = api.webhook_events.iter().map(|e| e.trigger.as_str()).collect();
    let decoders = api.webhook_events.iter().map(|e| {
        let v = format_ident!("{}", e.variant);
        let t = &e.trigger;
        let f = if e.flat { quote!(decode_flat) } else { quote!(decode_delivery) };
        quote! { #t => WebhookEvent::#v(crate::webhooks::#f(body)?), }
    });
    let uses_models = !api.webhook_events.is_empty();
    let use_models = uses_models.then(|| {
        quote!(
            use crate::models;
        )
    });
    let tokens = quote! {
        #use_models

        /// A webhook delivery from Cal.com, verified and decoded, one variant per trigger.
        ///
        /// Get one from [`crate::webhooks::verify_and_parse`]. A trigger this version of the
        /// client does not know is not an error: it arrives as `Unknown` with the whole body. A
        /// known trigger whose body does not have the documented shape arrives as `Malformed`,
        /// with the decoding error, so the delivery is never lost.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum WebhookEvent {
            #( #variants )*
            /// A trigger this version of the client does not know.
            Unknown {
                /// The `triggerEvent` value.
                trigger: String,
                /// The whole body.
                body: serde_json::Value,
            },
            /// A known trigger whose body did not decode: log it (its error names the JSON path)
            /// and answer 2xx, or Cal.com may disable the webhook.
            Malformed(Box<crate::webhooks::MalformedEvent>),
        }

        impl WebhookEvent {
            /// The `triggerEvent` value, e.g. `BOOKING_CREATED`.
            pub fn trigger(&self) -> &str {
                match self {
                    #( WebhookEvent::#names(_) => #triggers, )*
                    WebhookEvent::Unknown { trigger, .. } => trigger,
                    WebhookEvent::Malformed(event) => &event.trigger,
                }
            }

            /// Decodes a body whose `triggerEvent` is `trigger`.
            pub(crate) fn decode(trigger: &str, body: &[u8]) -> Result<Self, crate::decode::JsonError> {
                Ok(match trigger {
                    #( #decoders )*
                    _ => WebhookEvent::Unknown { trigger: trigger.to_owned(), body: crate::decode::from_slice(body)? },
                })
            }
        }
    };
    Emitted {
        path: PathBuf::from("webhooks.rs"),
        sources: api.files.clone(),
        docs: "The webhook events Cal.com sends.".to_owned(),
        tokens,
    }
}
