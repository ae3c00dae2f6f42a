//! Type expressions: `string`, `integer`, `list<Model>`, `map<json>`, ...

/// A parsed, unresolved type expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeExpr {
    /// A built-in scalar.
    Builtin(Builtin),
    /// `list<T>`.
    List(Box<TypeExpr>),
    /// `map<T>`.
    Map(Box<TypeExpr>),
    /// A model or enum name, resolved later.
    Named(String),
}

/// The built-in scalar types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Builtin {
    String,
    Integer,
    Number,
    Boolean,
    DateTime,
    /// A date-time that keeps the offset it was sent with (slots answered in a time zone).
    OffsetDateTime,
    Date,
    Json,
}

impl Builtin {
    fn from_name(name: &str) -> Option<Builtin> {
        Some(match name {
            "string" => Builtin::String,
            "integer" => Builtin::Integer,
            "number" => Builtin::Number,
            "boolean" => Builtin::Boolean,
            "date-time" => Builtin::DateTime,
            "offset-date-time" => Builtin::OffsetDateTime,
            "date" => Builtin::Date,
            "json" => Builtin::Json,
            _ => return None,
        })
    }
}

/// Why a type expression does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeSyntaxError {
    /// What is wrong.
    pub message: String,
    /// Character offset in the expression.
    pub offset: usize,
}

/// Parses a type expression.
pub fn parse(text: &str) -> Result<TypeExpr, TypeSyntaxError> {
    let mut p = Parser { chars: text.chars().collect(), at: 0 };
    let ty = p.ty()?;
    p.skip_ws();
    if p.at != p.chars.len() {
        return Err(p.err(format!("unexpected `{}` after the type", p.rest())));
    }
    Ok(ty)
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn err(&self, message: String) -> TypeSyntaxError {
        TypeSyntaxError { message, offset: self.at }
    }

    fn rest(&self) -> String {
        self.chars[self.at..].iter().collect()
    }

    fn skip_ws(&mut self) {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
    }

    fn word(&mut self) -> String {
        let start = self.at;
        while self.chars.get(self.at).is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-') {
            self.at += 1;
        }
        self.chars[start..self.at].iter().collect()
    }

    fn expect(&mut self, c: char) -> Result<(), TypeSyntaxError> {
        self.skip_ws();
        if self.chars.get(self.at) == Some(&c) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.err(format!("expected `{c}`")))
        }
    }

    fn ty(&mut self) -> Result<TypeExpr, TypeSyntaxError> {
        self.skip_ws();
        let start = self.at;
        let word = self.word();
        if word.is_empty() {
            return Err(self.err("expected a type name".to_owned()));
        }
        match word.as_str() {
            "list" | "map" => {
                self.expect('<')?;
                let inner = Box::new(self.ty()?);
                self.expect('>')?;
                Ok(if word == "list" { TypeExpr::List(inner) } else { TypeExpr::Map(inner) })
            }
            _ => match Builtin::from_name(&word) {
                Some(b) => Ok(TypeExpr::Builtin(b)),
                None if word.contains('-') => {
                    Err(TypeSyntaxError { message: format!("`{word}` is not a type name"), offset: start })
                }
                None => Ok(TypeExpr::Named(word)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        assert_eq!(parse("integer"), Ok(TypeExpr::Builtin(Builtin::Integer)));
        assert_eq!(
            parse("list< map<Team> >"),
            Ok(TypeExpr::List(Box::new(TypeExpr::Map(Box::new(TypeExpr::Named("Team".into()))))))
        );
        assert_eq!(parse("date-time"), Ok(TypeExpr::Builtin(Builtin::DateTime)));
        assert_eq!(parse("offset-date-time"), Ok(TypeExpr::Builtin(Builtin::OffsetDateTime)));
        assert!(parse("list<Team").is_err());
        assert!(parse("Team Member").is_err());
        assert!(parse("").is_err());
    }
}
