//! Path templates (`/v2/teams/{teamId}/memberships`): the one parser, used by lowering (to
//! check placeholders against parameters), the audit (to read upstream's paths) and the emitter
//! (which writes each part into the generated code, so the runtime never parses a template).

use crate::naming;

/// A parsed path template: literal text and named placeholders, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathTemplate {
    /// The parts, in order; two placeholders are never adjacent without a literal unless the
    /// template has them so.
    pub parts: Vec<Part>,
}

/// One part of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Text sent as written.
    Literal(String),
    /// A `{name}` placeholder.
    Param(String),
}

impl PathTemplate {
    /// Parses `/v2/teams/{teamId}/x`. Placeholders must be identifiers and appear once; braces
    /// must pair up.
    pub fn parse(path: &str) -> Result<PathTemplate, String> {
        let mut parts = Vec::new();
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
            if parts.iter().any(|p| matches!(p, Part::Param(n) if n == name)) {
                return Err(format!("placeholder `{{{name}}}` appears twice"));
            }
            if !lit.is_empty() {
                parts.push(Part::Literal(lit.to_owned()));
            }
            parts.push(Part::Param(name.to_owned()));
            rest = &after[close + 1..];
        }
        if rest.contains('}') {
            return Err("`}` without `{`".to_owned());
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_owned()));
        }
        Ok(PathTemplate { parts })
    }

    /// The placeholders' names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Param(name) => Some(name.as_str()),
            Part::Literal(_) => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_literals_and_placeholders() {
        let t = PathTemplate::parse("/v2/organizations/{orgId}/teams/{teamId}").expect("parses");
        assert_eq!(
            t.parts,
            [
                Part::Literal("/v2/organizations/".into()),
                Part::Param("orgId".into()),
                Part::Literal("/teams/".into()),
                Part::Param("teamId".into())
            ]
        );
        assert_eq!(t.names().collect::<Vec<_>>(), ["orgId", "teamId"]);
        assert_eq!(PathTemplate::parse("/v2/me").expect("parses").names().count(), 0);
    }

    #[test]
    fn refuses_what_is_not_a_template() {
        assert!(PathTemplate::parse("/v2/{a}/{a}").is_err());
        assert!(PathTemplate::parse("/v2/{a").is_err());
        assert!(PathTemplate::parse("/v2/a}").is_err());
        assert!(PathTemplate::parse("/v2/{not an id}").is_err());
    }
}
