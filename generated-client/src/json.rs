//! The serde impls of every generated model, and type-erased decoding. (Hand-written.)
//!
//! A model is a JSON object with named fields. `serde`'s derive would write a field enum, a
//! sequence visitor and a map visitor for each of the ~270 models, and the crate would compile
//! each of them once per deserializer it meets. Instead, [`object!`] gives every model a small
//! impl driven by a table of its fields, and the work is done here, once:
//!
//! - decoding reads the object's keys with [`read_object`], which fills one slot per field
//!   through [`erased_serde`], so a field's type is decoded by one compiled copy of its impl;
//! - encoding hands [`write_object`] the fields that are present, each as an
//!   `&dyn erased_serde::Serialize`.
//!
//! The wire behaviour is serde's: unknown keys are ignored, a missing required field is
//! "missing field `x`", a repeated key is "duplicate field `x`", and errors keep their JSON path
//! through `serde_path_to_error`.

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use std::fmt;

/// A field's place while its object is read: empty until the key is met.
pub(crate) trait Slot {
    /// Decodes the field's value into the slot.
    fn fill(&mut self, value: &mut dyn erased_serde::Deserializer<'_>) -> Result<(), erased_serde::Error>;
    /// Whether the key was met already.
    fn is_filled(&self) -> bool;
}

impl<T: DeserializeOwned> Slot for Option<T> {
    fn fill(&mut self, value: &mut dyn erased_serde::Deserializer<'_>) -> Result<(), erased_serde::Error> {
        *self = Some(erased_serde::deserialize::<T>(value)?);
        Ok(())
    }

    fn is_filled(&self) -> bool {
        self.is_some()
    }
}

/// Reads a JSON object whose keys are `fields`, filling `slots[i]` with the value of
/// `fields[i]`; other keys are skipped.
pub(crate) fn read_object<'de, D: de::Deserializer<'de>>(
    deserializer: D,
    name: &'static str,
    fields: &'static [&'static str],
    slots: &mut [&mut dyn Slot],
) -> Result<(), D::Error> {
    deserializer.deserialize_struct(name, fields, ObjectVisitor { name, fields, slots })
}

struct ObjectVisitor<'s, 'f> {
    name: &'static str,
    fields: &'static [&'static str],
    slots: &'s mut [&'f mut dyn Slot],
}

impl<'de> Visitor<'de> for ObjectVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", self.name)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(KeySeed(self.fields))? {
            match key {
                Some(i) => {
                    let slot = &mut *self.slots[i];
                    if slot.is_filled() {
                        return Err(de::Error::duplicate_field(self.fields[i]));
                    }
                    map.next_value_seed(SlotSeed(slot))?;
                }
                None => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// A key: the index of the field it names, if any (compared without allocating).
struct KeySeed(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Option<usize>;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Option<usize>, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|f| *f == key))
    }

    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|f| f.as_bytes() == key))
    }
}

/// Decodes a value into a slot, through one type-erased deserializer.
struct SlotSeed<'s>(&'s mut dyn Slot);

impl<'de> DeserializeSeed<'de> for SlotSeed<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        erased(deserializer, |value| self.0.fill(value))
    }
}

/// Runs `f` on a type-erased `deserializer`, bringing its error back to `D`'s error type.
pub(crate) fn erased<'de, D: de::Deserializer<'de>>(
    deserializer: D,
    f: impl FnOnce(&mut dyn erased_serde::Deserializer<'de>) -> Result<(), erased_serde::Error>,
) -> Result<(), D::Error> {
    let mut erased = <dyn erased_serde::Deserializer>::erase(deserializer);
    f(&mut erased).map_err(de::Error::custom)
}

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

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                const FIELDS: &[&str] = &[ $( $crate::json::object!(@key $field $($key)?), )* ];
                $( let mut $field = None; )*
                $crate::json::read_object(deserializer, stringify!($name), FIELDS, &mut [ $( &mut $field, )* ])?;
                // One `let` per field, then a plain struct literal: an early return inside the
                // literal (`?` per field) would make the compiler emit every other field's drop
                // on each exit, quadratic in the number of fields.
                $( $crate::json::object!(@take D::Error, $field, $crate::json::object!(@key $field $($key)?); $($kind)?); )*
                Ok($name { $( $field, )* })
            }
        }
    };
    (@key $field:ident $key:literal) => { $key };
    (@key $field:ident) => { stringify!($field) };
    (@write $value:expr; $kind:ident) => { $crate::json::kind::$kind::write($value) };
    (@write $value:expr;) => { $crate::json::kind::required::write($value) };
    (@take $error:ty, $field:ident, $key:expr;) => {
        let Some($field) = $field else {
            return Err(<$error as ::serde::de::Error>::missing_field($key));
        };
    };
    (@take $error:ty, $field:ident, $key:expr; required) => { $crate::json::object!(@take $error, $field, $key;) };
    (@take $error:ty, $field:ident, $key:expr; $kind:ident) => { let $field = $field.unwrap_or_default(); };
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
        assert!(err.starts_with("missing field `id`"), "{err}");
        assert_eq!(parse(r#"{"id": 1, "tags": null}"#).map(|s| s.tags), Ok(Patch::Clear));
    }

    #[test]
    fn repeated_keys_and_wrong_types_are_errors() {
        let err = parse(r#"{"id": 1, "id": 2}"#).unwrap_err();
        assert!(err.starts_with("duplicate field `id`"), "{err}");
        let err = parse(r#"{"id": "seven"}"#).unwrap_err();
        assert!(err.contains("invalid type: string \"seven\", expected i64"), "{err}");
        let err = parse("[1]").unwrap_err();
        assert!(err.contains("expected struct Sample"), "{err}");
    }

    #[test]
    fn errors_keep_their_json_path() {
        let mut de = serde_json::Deserializer::from_str(r#"{"id": 1, "tags": ["a", 2]}"#);
        let err = serde_path_to_error::deserialize::<_, Sample>(&mut de).unwrap_err();
        assert_eq!(err.path().to_string(), "tags[1]");
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
