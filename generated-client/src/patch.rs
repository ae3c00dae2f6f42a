//! `Patch<T>`: a field of an update body that can be left alone, cleared or set. (Hand-written.)

/// A field of an update (PATCH) body that can say all three things an update needs:
/// leave the value as it is (the field is not sent), clear it (`null` is sent), or set it.
///
/// Request models use it for optional fields that Cal.com lets you clear; their setters fill it,
/// so you rarely name it: `UpdateX::default().name("New")` sets, `.clear_name()` clears, and
/// leaving both out leaves the value unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Patch<T> {
    /// Not sent: the server keeps the current value.
    #[default]
    Unchanged,
    /// Sent as `null`: the server clears the value.
    Clear,
    /// Sent as the value.
    Set(T),
}

impl<T> Patch<T> {
    /// True for [`Patch::Unchanged`] (used to leave the field out of the JSON body).
    pub fn is_unchanged(&self) -> bool {
        matches!(self, Patch::Unchanged)
    }

    /// The value to set, if any.
    pub fn as_set(&self) -> Option<&T> {
        match self {
            Patch::Set(v) => Some(v),
            Patch::Unchanged | Patch::Clear => None,
        }
    }
}

impl<T> From<Option<T>> for Patch<T> {
    /// `Some(v)` sets, `None` clears.
    fn from(value: Option<T>) -> Self {
        match value {
            Some(v) => Patch::Set(v),
            None => Patch::Clear,
        }
    }
}

impl<T: serde::Serialize> serde::Serialize for Patch<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            // Skipped by `skip_serializing_if`; as a value on its own it can only be `null`.
            Patch::Unchanged | Patch::Clear => serializer.serialize_none(),
            Patch::Set(v) => serializer.serialize_some(v),
        }
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Patch<T> {
    /// `null` is `Clear`, a value is `Set`; an absent field is `Unchanged` through `#[serde(default)]`.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.into())
    }
}

#[cfg(test)]
mod tests {
    use super::Patch;

    #[derive(serde::Serialize, serde::Deserialize, Default, Debug, PartialEq)]
    struct Body {
        #[serde(default, skip_serializing_if = "Patch::is_unchanged")]
        name: Patch<String>,
    }

    #[test]
    fn three_states_on_the_wire() {
        let json = |b: &Body| serde_json::to_string(b).expect("serializes");
        assert_eq!(json(&Body { name: Patch::Unchanged }), "{}");
        assert_eq!(json(&Body { name: Patch::Clear }), r#"{"name":null}"#);
        assert_eq!(json(&Body { name: Patch::Set("x".into()) }), r#"{"name":"x"}"#);
        let parse = |s: &str| serde_json::from_str::<Body>(s).expect("parses").name;
        assert_eq!(parse("{}"), Patch::Unchanged);
        assert_eq!(parse(r#"{"name":null}"#), Patch::Clear);
        assert_eq!(parse(r#"{"name":"x"}"#), Patch::Set("x".to_owned()));
    }
}
