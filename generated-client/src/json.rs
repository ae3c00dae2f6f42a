//! The serde and JSON impls of every generated model. (Hand-written.)
//!
//! A model is a JSON object with named fields. `serde`'s derive would write a field enum, a
//! sequence visitor and a map visitor for each of the ~270 models, and the crate would compile
//! each of them once per (de)serializer it meets. Instead, [`object!`] gives every model small
//! impls driven by a table of its fields, and the work is done once, in shared code:
//!
//! - decoding ([`FromJson`](crate::decode::FromJson), what the client uses) reads the object's
//!   keys with [`Reader::read_object`](crate::decode::Reader), which fills one slot per field;
//!   `serde::Deserialize` goes through the same decoding;
//! - encoding hands [`write_object`] the fields that are present, each as an
//!   `&dyn erased_serde::Serialize`.
//!
//! The wire behaviour is serde's: unknown keys are ignored, a missing required field is
//! "missing field `x`", a repeated key is "duplicate field `x`", and errors name their JSON path.

use serde::ser::{SerializeStruct, Serializer};

/// Writes a JSON object: each present field, in order; `None` values are left out.
pub(crate) fn write_object<S: Serializer>(
    serializer: S,
    name: &'static str,
    fields: &[(&'static str, Option<&dyn erased_serde::Serialize>)],
) -> Result<S::Ok, S::Error> {
    let len = fields.iter().filter(|(_, v)| v.is_some()).count();
    let mut object = serializer.serialize_struct(name, len)?;
    for (key, value) in fields {
        match value {
            Some(value) => object.serialize_field(key, value)?,
            None => object.skip_field(key)?,
        }
    }
    object.end()
}

/// What a missing key means and whether a field is written. The generator names one kind per
/// field (none for `required`):
///
/// - `required`: the key must be there (its value may not be `null`); always written;
/// - `nullable`: the key is expected, `null` is a value (`Option<T>`); a missing key reads as
///   `None`; always written, `None` as `null`;
/// - `optional`: the key may be left out (`Option<T>` or [`Patch<T>`](crate::Patch)); a missing
///   key reads as the default; left out when absent.
pub(crate) mod kind {
    /// A field the object must have.
    pub(crate) mod required {
        pub(crate) fn write<T: serde::Serialize>(value: &T) -> Option<&dyn erased_serde::Serialize> {
            Some(value)
        }
    }

    /// A field whose value may be `null`, always sent (written as a required one is).
    pub(crate) mod nullable {
        pub(crate) use super::required::write;
    }

    /// A field that may be left out, and is when absent.
    pub(crate) mod optional {
        pub(crate) fn write<T: serde::Serialize + super::Absent>(value: &T) -> Option<&dyn erased_serde::Serialize> {
            if value.is_absent() { None } else { Some(value) }
        }
    }

    /// A value that can be left out of an object.
    pub(crate) trait Absent {
        /// Whether the value is left out.
        fn is_absent(&self) -> bool;
    }

    impl<T> Absent for Option<T> {
        fn is_absent(&self) -> bool {
            self.is_none()
        }
    }

    impl<T> Absent for crate::Patch<T> {
        fn is_absent(&self) -> bool {
            self.is_unchanged()
        }
    }
}

/// `serde::Serialize` and `serde::Deserialize` for a model, from its fields: the field, its
/// wire name when it is not the field's own name, and its kind (see [`kind`]) when it is not
/// `required`. The generated code writes only that table:
///
/// ```ignore
/// crate::json::object!(Attendee { name, phone_number = "phoneNumber" optional });
/// ```
macro_rules! object {
    ($name:ident { $($field:ident $(= $key:literal)? $($kind:ident)?),* $(,)? }) => {
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                $crate::json::write_object(
                    serializer,
                    stringify!($name),
                    &[ $( (
                        $crate::json::object!(@key $field $($key)?),
                        $crate::json::object!(@write &self.$field; $($kind)?),
                    ), )* ],
                )
            }
        }

        impl $crate::decode::FromJson for $name {
            fn from_json(r: &mut $crate::decode::Reader<'_>) -> ::std::result::Result<Self, $crate::decode::JsonError> {
                const FIELDS: &[&str] = &[ $( $crate::json::object!(@key $field $($key)?), )* ];
                $( let mut $field = None; )*
                r.read_object(stringify!($name), FIELDS, &mut [ $( &mut $field, )* ])?;
                // One `let` per field, then a plain struct literal: an early return inside the
                // literal (`?` per field) would make the compiler emit every other field's drop
                // on each exit, quadratic in the number of fields.
                $( $crate::json::object!(@take $field, $crate::json::object!(@key $field $($key)?); $($kind)?); )*
                Ok($name { $( $field, )* })
            }
        }

        $crate::decode::deserialize_via_from_json!($name);
    };
    (@key $field:ident $key:literal) => { $key };
    (@key $field:ident) => { stringify!($field) };
    (@write $value:expr; $kind:ident) => { $crate::json::kind::$kind::write($value) };
    (@write $value:expr;) => { $crate::json::kind::required::write($value) };
    (@take $field:ident, $key:expr;) => {
        let Some($field) = $field else {
            return Err($crate::decode::missing($key));
        };
    };
    (@take $field:ident, $key:expr; required) => { $crate::json::object!(@take $field, $key;) };
    (@take $field:ident, $key:expr; $kind:ident) => { let $field = $field.unwrap_or_default(); };
}
pub(crate) use object;

#[cfg(test)]
mod tests {
    use crate::Patch;

    #[derive(Debug, Clone, PartialEq, Default)]
    struct Sample {
        id: i64,
        display_name: Option<String>,
        note: Option<String>,
        tags: Patch<Vec<String>>,
    }
    super::object!(Sample { id, display_name = "displayName" nullable, note optional, tags = "tags" optional });

    fn parse(json: &str) -> Result<Sample, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_fields_by_wire_name_and_skips_unknown_keys() {
        let s = parse(r#"{"id": 7, "displayName": "Ann", "extra": {"deep": [1, 2]}, "note": "hi", "tags": ["a"]}"#);
        assert_eq!(
            s,
            Ok(Sample {
                id: 7,
                display_name: Some("Ann".into()),
                note: Some("hi".into()),
                tags: Patch::Set(vec!["a".into()])
            })
        );
    }

    #[test]
    fn missing_keys_are_errors_only_for_required_fields() {
        assert_eq!(parse(r#"{"id": 1}"#), Ok(Sample { id: 1, ..Sample::default() }));
        let err = parse(r#"{"displayName": null}"#).unwrap_err();
        assert!(err.contains("missing field `id`"), "{err}");
        assert_eq!(parse(r#"{"id": 1, "tags": null}"#).map(|s| s.tags), Ok(Patch::Clear));
    }

    #[test]
    fn repeated_keys_and_wrong_types_are_errors() {
        // (Through serde, the value is read first, and serde_json keeps the last of two keys.)
        let err = crate::decode::from_slice::<Sample>(br#"{"id": 1, "id": 2}"#).unwrap_err();
        assert_eq!(err.message(), "duplicate field `id`");
        let err = parse(r#"{"id": "seven"}"#).unwrap_err();
        assert!(err.contains("id: invalid type: a string, expected an integer"), "{err}");
        let err = parse("[1]").unwrap_err();
        assert!(err.contains("invalid type: an array, expected Sample"), "{err}");
    }

    #[test]
    fn errors_keep_their_json_path() {
        let err = crate::decode::from_slice::<Sample>(br#"{"id": 1, "tags": ["a", 2]}"#).unwrap_err();
        assert_eq!(err.path(), "tags[1]");
        let err = crate::decode::from_slice::<Sample>(br#"{"tags": []}"#).unwrap_err();
        assert_eq!((err.path().as_str(), err.message()), ("id", "missing field `id`"));
    }

    #[test]
    fn writes_present_fields_in_order_and_nullable_ones_always() {
        let json = |s: &Sample| serde_json::to_string(s).expect("serializes");
        assert_eq!(json(&Sample { id: 1, ..Sample::default() }), r#"{"id":1,"displayName":null}"#);
        let s = Sample { id: 2, display_name: Some("A".into()), note: Some("n".into()), tags: Patch::Clear };
        assert_eq!(json(&s), r#"{"id":2,"displayName":"A","note":"n","tags":null}"#);
        assert_eq!(parse(&json(&s)), Ok(s));
    }
}
