//! The one place where Rust names are made from spec names.
//!
//! Every identifier the generator emits is decided here: case conversion (heck), keyword
//! escaping, and the checks that a name can be a Rust identifier at all. The wire name is kept
//! beside the Rust name by the caller (for `#[serde(rename)]`, URLs and headers).

use heck::{ToPascalCase, ToSnakeCase};
use proc_macro2::{Ident, Span};

/// Keywords that can be written as raw identifiers (`r#type`).
const RAW_OK: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn", "else", "enum",
    "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod", "move",
    "mut", "override", "priv", "pub", "ref", "return", "static", "struct", "trait", "true", "try", "type", "typeof",
    "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers: they get a trailing underscore instead.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// `snake_case` form of a wire name (`userId` -> `user_id`, `x-cal-client-id` -> `x_cal_client_id`).
pub fn snake(name: &str) -> String {
    name.to_snake_case()
}

/// `PascalCase` form of a name (`google-meet` -> `GoogleMeet`, `MEMBER` -> `Member`).
/// A result starting with a digit gets a `V` in front (`2024-08-13` -> `V2024_08_13`, keeping
/// the separators of digit groups readable).
pub fn pascal(name: &str) -> String {
    let converted = name.to_pascal_case();
    if converted.starts_with(|c: char| c.is_ascii_digit()) {
        // Keep digit groups apart: "2024-08-13" -> "V2024_08_13".
        let groups: Vec<&str> = name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|s| !s.is_empty()).collect();
        let joined: Vec<String> = groups.iter().map(|g| g.to_pascal_case()).collect();
        format!("V{}", joined.join("_"))
    } else {
        converted
    }
}

/// Whether `name` is a plain Rust identifier made of ASCII letters, digits and `_`, not starting with a digit.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether `name` is already `snake_case` (what method and resource names must be).
pub fn is_snake(name: &str) -> bool {
    is_identifier(name) && snake(name) == name
}

/// Whether `name` is already `PascalCase` (what model and enum names must be).
pub fn is_pascal(name: &str) -> bool {
    is_identifier(name) && name.starts_with(|c: char| c.is_ascii_uppercase()) && name.to_pascal_case() == name
}

/// The Rust identifier for a decided name: keywords become raw identifiers (`r#type`), and
/// the few that cannot (`self`, `crate`, `super`, `Self`) get a trailing underscore.
pub fn ident(name: &str) -> Ident {
    if NOT_RAW.contains(&name) {
        Ident::new(&format!("{name}_"), Span::call_site())
    } else if RAW_OK.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// The name as it reads in text (docs, diagnostics): `self` -> `self_`, `type` -> `r#type`.
pub fn display(name: &str) -> String {
    ident(name).to_string()
}

/// The name serde derives for a field named `name`: raw identifiers lose their `r#`, escaped
/// ones keep their `_` (`type` -> `type`, `self` -> `self_`). A field needs
/// `#[serde(rename)]` exactly when this differs from its wire name.
pub fn serde_name(name: &str) -> String {
    let shown = display(name);
    shown.strip_prefix("r#").map(str::to_owned).unwrap_or(shown)
}

/// What serde's `rename_all = "camelCase"` makes of a field whose serde name is `name`
/// (`user_id` -> `userId`), following serde's own rule, so the emitter knows which fields still
/// need a `rename` of their own.
pub fn serde_camel(name: &str) -> String {
    let mut pascal = String::with_capacity(name.len());
    let mut capitalize = true;
    for c in name.chars() {
        if c == '_' {
            capitalize = true;
        } else if capitalize {
            pascal.push(c.to_ascii_uppercase());
            capitalize = false;
        } else {
            pascal.push(c);
        }
    }
    let mut chars = pascal.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => pascal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert_eq!(snake("userId"), "user_id");
        assert_eq!(snake("x-cal-client-id"), "x_cal_client_id");
        assert_eq!(pascal("google-meet"), "GoogleMeet");
        assert_eq!(pascal("MEMBER"), "Member");
        assert_eq!(pascal("2024-08-13"), "V2024_08_13");
        assert_eq!(pascal("12"), "V12");
        assert!(is_snake("verified_resources"));
        assert!(!is_snake("verifiedResources"));
        assert!(is_pascal("TeamMembership"));
        assert!(!is_pascal("teamMembership"));
        assert!(!is_pascal("Team_Membership"));
    }

    #[test]
    fn keywords() {
        assert_eq!(display("type"), "r#type");
        assert_eq!(display("self"), "self_");
        assert_eq!(display("Self"), "Self_");
        assert_eq!(display("role"), "role");
        assert_eq!(serde_name("type"), "type");
        assert_eq!(serde_name("self"), "self_");
        assert_eq!(serde_camel("user_id"), "userId");
        assert_eq!(serde_camel("type"), "type");
        assert_eq!(serde_camel("self_"), "self");
        assert_eq!(serde_camel("v2_url"), "v2Url");
        assert_eq!(serde_camel("_private"), "private");
    }
}
