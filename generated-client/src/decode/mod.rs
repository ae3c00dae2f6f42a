//! Decoding JSON into the generated models in one pass. (Hand-written.)
//!
//! Every answer the client receives is decoded here, straight from the body's bytes: no
//! `serde_json::Value` in between, no copy of the body, no second pass to find out what went
//! wrong. A failure carries the JSON path of the value at fault (`data[3].attendees[0].email`),
//! built while the error travels back up (so a success pays nothing for it).
//!
//! The parser is [jiter](https://docs.rs/jiter), driven through one concrete [`Reader`]: each
//! type's [`FromJson`] impl is compiled once (there is no deserializer type to instantiate it
//! for), and the shared code (objects, unions, values) is not generic at all. Models get their
//! impl from the crate's `object!` macro, enums from `string_enum!`, unions from generated code
//! that dispatches on the value's kind, its tag or its keys.
//!
//! Behaviour, the same as serde's derive where both apply: unknown keys are skipped; a
//! required key that is missing is "missing field `x`"; a key given twice is
//! "duplicate field `x`"; a value of the wrong JSON type is "invalid type: ..., expected ...".

mod impls;

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

use jiter::{Jiter, JiterError, Peek};

/// Deepest nesting accepted inside a free-form JSON value (`serde_json::Value` fields); deeper
/// input is an error, never a stack overflow.
const MAX_DEPTH: usize = 128;

/// A value that can be decoded from JSON by the client: every model, enum and union, and the
/// types they are made of. Decode one yourself with [`from_slice`] (for example a stored
/// answer or a webhook payload you saved), with the same rules and error paths as the client.
pub trait FromJson: Sized {
    /// Reads one value, leaving the reader after it.
    #[doc(hidden)]
    fn from_json(r: &mut Reader<'_>) -> Result<Self, JsonError>;
}

/// Decodes a whole JSON document (whitespace around it is allowed, anything else is an error).
pub fn from_slice<T: FromJson>(bytes: &[u8]) -> Result<T, JsonError> {
    let mut r = Reader::new(bytes);
    let value = T::from_json(&mut r)?;
    r.finish()?;
    Ok(value)
}

/// A JSON value that could not be decoded: where, and why.
#[derive(Clone, PartialEq, Eq)]
pub struct JsonError(Box<JsonErrorInner>);

#[derive(Clone, PartialEq, Eq)]
struct JsonErrorInner {
    /// Path segments, innermost first (pushed while the error travels up).
    path: Vec<Segment>,
    message: String,
}

#[derive(Clone, PartialEq, Eq)]
enum Segment {
    Field(&'static str),
    Key(String),
    Index(usize),
}

impl JsonError {
    fn new(message: impl Into<String>) -> Self {
        JsonError(Box::new(JsonErrorInner { path: Vec::new(), message: message.into() }))
    }

    fn at(mut self, segment: Segment) -> Self {
        self.0.path.push(segment);
        self
    }

    /// The same error found at `key` of an object that is itself at `self`'s place.
    pub(crate) fn at_field(self, key: &'static str) -> Self {
        self.at(Segment::Field(key))
    }

    /// The path of the value at fault, as `data[3].attendees[0].email`; empty for the whole
    /// document.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for segment in self.0.path.iter().rev() {
            match segment {
                Segment::Field(k) => push_key(&mut out, k),
                Segment::Key(k) => push_key(&mut out, k),
                Segment::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        out
    }

    /// What is wrong with that value.
    pub fn message(&self) -> &str {
        &self.0.message
    }
}

fn push_key(out: &mut String, key: &str) {
    if !out.is_empty() {
        out.push('.');
    }
    out.push_str(key);
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path();
        if path.is_empty() { f.write_str(&self.0.message) } else { write!(f, "{path}: {}", self.0.message) }
    }
}

impl fmt::Debug for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonError").field("path", &self.path()).field("message", &self.0.message).finish()
    }
}

impl std::error::Error for JsonError {}

/// The kind of a JSON value, as a union dispatches on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl Kind {
    fn of(peek: Peek) -> Kind {
        match peek {
            Peek::Null => Kind::Null,
            Peek::True | Peek::False => Kind::Bool,
            Peek::String => Kind::String,
            Peek::Array => Kind::Array,
            Peek::Object => Kind::Object,
            _ => Kind::Number,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "a boolean",
            Kind::Number => "a number",
            Kind::String => "a string",
            Kind::Array => "an array",
            Kind::Object => "an object",
        }
    }
}

/// A position in a JSON document being decoded (what [`FromJson`] impls read from; opaque).
pub struct Reader<'j> {
    /// Reads `data[base..]`.
    jiter: Jiter<'j>,
    /// The whole document.
    data: &'j [u8],
    /// Where `jiter` starts in `data` (moved by [`Reader::seek`]).
    base: usize,
    /// Keys to look out for in the next object read by [`Reader::read_object`] (not in the
    /// objects inside it), and which of them it had.
    watch: Option<&'static [&'static str]>,
    watched: u64,
}

/// Decodes a union's variant `Some(i)`, or (`None`) an object no rule claims.
pub(crate) type VariantDecoder<'f, 'j> = dyn FnMut(&mut Reader<'j>, Option<usize>) -> Result<(), JsonError> + 'f;

/// Where a reader is, for error positions: the document and the reader's base.
type At<'j> = (&'j [u8], usize);

impl<'j> Reader<'j> {
    /// A reader at the start of `data`.
    pub(crate) fn new(data: &'j [u8]) -> Self {
        Reader { jiter: Jiter::new(data), data, base: 0, watch: None, watched: 0 }
    }

    fn at(&self) -> At<'j> {
        (self.data, self.base)
    }

    fn syntax(&self, e: JiterError) -> JsonError {
        syntax(self.at(), e)
    }

    /// The position of the next byte to read, in the whole document.
    fn position(&self) -> usize {
        self.base + self.jiter.current_index()
    }

    /// Moves the reader back (or on) to `position` of the document.
    fn seek(&mut self, position: usize) {
        self.base = position.min(self.data.len());
        self.jiter = Jiter::new(&self.data[self.base..]);
    }

    /// The kind of the next value, without reading it.
    pub(crate) fn kind(&mut self) -> Result<Kind, JsonError> {
        Ok(Kind::of(self.peek()?))
    }

    fn peek(&mut self) -> Result<Peek, JsonError> {
        self.jiter.peek().map_err(|e| self.syntax(e))
    }

    /// "invalid type: <what the next value is>, expected <expected>".
    pub(crate) fn invalid(&mut self, expected: &str) -> JsonError {
        match self.kind() {
            Ok(kind) => JsonError::new(format!("invalid type: {}, expected {expected}", kind.describe())),
            Err(e) => e,
        }
    }

    /// After the whole document: only whitespace may follow.
    pub(crate) fn finish(&mut self) -> Result<(), JsonError> {
        self.jiter.finish().map_err(|e| self.syntax(e))
    }

    /// Skips the next value.
    pub(crate) fn skip(&mut self) -> Result<(), JsonError> {
        self.jiter.next_skip().map_err(|e| self.syntax(e))
    }

    /// Reads the next value as a string (borrowed from the body when it has no escapes).
    pub(crate) fn str(&mut self, expected: &str) -> Result<&str, JsonError> {
        match self.peek()? {
            Peek::String => {
                let at = self.at();
                self.jiter.known_str().map_err(|e| syntax(at, e))
            }
            _ => Err(self.invalid(expected)),
        }
    }

    /// Whether the next value is `null`; if so, it is read.
    pub(crate) fn null(&mut self) -> Result<bool, JsonError> {
        if self.peek()? == Peek::Null {
            self.jiter.known_null().map_err(|e| self.syntax(e))?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Reads an object: `visit` is called with each key's index in `fields` (or `None` for a
    /// key not listed) and must read the key's value. A key listed twice is an error.
    fn object(
        &mut self,
        expected: &str,
        fields: &'static [&'static str],
        visit: &mut dyn FnMut(&mut Self, usize) -> Result<bool, JsonError>,
    ) -> Result<(), JsonError> {
        if self.peek()? != Peek::Object {
            return Err(self.invalid(expected));
        }
        // The watch is for this object only, not for those inside it.
        let watch = self.watch.take();
        let mut watched = 0u64;
        let at = self.at();
        // Keys usually come in the order the fields are listed: try the next one first.
        let mut hint = 0;
        let mut key = self.jiter.known_object().map_err(|e| syntax(at, e))?.map(|k| {
            if let Some(w) = watch {
                watched |= bit(w, k);
            }
            find(fields, k, 0)
        });
        while let Some(found) = key {
            match found {
                Some(i) => {
                    if !visit(self, i)? {
                        return Err(JsonError::new(format!("duplicate field `{}`", fields[i])));
                    }
                    hint = i + 1;
                }
                None => self.skip()?,
            }
            key = self.jiter.next_key().map_err(|e| syntax(at, e))?.map(|k| {
                if let Some(w) = watch {
                    watched |= bit(w, k);
                }
                find(fields, k, hint)
            });
        }
        if watch.is_some() {
            self.watched = watched;
        }
        Ok(())
    }

    /// Reads an object, calling `visit` with each key; `visit` must read the key's value. An
    /// error inside a value names its key in the path.
    pub(crate) fn entries(
        &mut self,
        expected: &str,
        visit: &mut dyn FnMut(&mut Self, &str) -> Result<(), JsonError>,
    ) -> Result<(), JsonError> {
        if self.peek()? != Peek::Object {
            return Err(self.invalid(expected));
        }
        let at = self.at();
        let mut key = self.jiter.known_object().map_err(|e| syntax(at, e))?.map(str::to_owned);
        while let Some(k) = key {
            visit(self, &k).map_err(|e| e.at(Segment::Key(k)))?;
            key = self.jiter.next_key().map_err(|e| syntax(at, e))?.map(str::to_owned);
        }
        Ok(())
    }

    /// Reads an object into `slots`, one per name in `fields`; other keys are skipped.
    pub(crate) fn read_object(
        &mut self,
        name: &str,
        fields: &'static [&'static str],
        slots: &mut [&mut dyn Slot],
    ) -> Result<(), JsonError> {
        self.object(name, fields, &mut |r, i| {
            let slot = &mut *slots[i];
            if slot.is_filled() {
                return Ok(false);
            }
            slot.fill(r).map_err(|e| e.at_field(fields[i]))?;
            Ok(true)
        })
    }

    /// Decodes the next value, an object, as the variant of an untagged union whose rule it
    /// matches: `rules[i]` is `(has, lacks)`, bit masks over `keys`, for variant `i`.
    /// `decode(r, Some(i))` decodes variant `i`, `decode(r, None)` keeps an object no rule claims.
    ///
    /// With a `hint` (every object variant is a model), the union's own record of the variant
    /// its last value was (values usually repeat their shape: the items of a page), the object
    /// is first decoded as that variant, noting which of `keys` it has: when that variant's
    /// rule holds, that single pass is all. Otherwise (and without a hint) the object's keys are
    /// read first, then the variant they name is decoded: only the variant the rule names ever
    /// reports an error.
    pub(crate) fn union_by_keys(
        &mut self,
        name: &'static str,
        keys: &'static [&'static str],
        rules: &'static [(u64, u64)],
        hint: Option<&'static AtomicUsize>,
        decode: &mut VariantDecoder<'_, 'j>,
    ) -> Result<(), JsonError> {
        if self.peek()? != Peek::Object {
            return Err(self.invalid(name));
        }
        let start = self.position();
        let claim = |present: u64| rules.iter().position(|&(has, lacks)| present & has == has && present & lacks == 0);
        let remember = |variant: Option<usize>| {
            if let (Some(hint), Some(variant)) = (hint, variant) {
                hint.store(variant, Ordering::Relaxed);
            }
        };
        let guess = hint.map(|h| h.load(Ordering::Relaxed)).filter(|&v| v < rules.len());
        if let Some(guess) = guess {
            self.watch = Some(keys);
            self.watched = 0;
            let decoded = decode(self, Some(guess));
            self.watch = None;
            if decoded.is_ok() {
                let variant = claim(self.watched);
                if variant == Some(guess) {
                    return Ok(());
                }
                remember(variant);
                self.seek(start);
                return decode(self, variant);
            }
            self.seek(start);
        }
        let shape = self.shape(name, None, keys)?;
        let variant = claim(shape.present);
        remember(variant);
        self.seek(start);
        decode(self, variant)
    }

    /// Reads the next value, an object, far enough to tell which shape it is: which of `keys`
    /// it has, and the value of its `tag` key. The object is then decoded from the
    /// returned [`Shape`] (the reader is already past it).
    pub(crate) fn shape(
        &mut self,
        expected: &str,
        tag: Option<&'static str>,
        keys: &'static [&'static str],
    ) -> Result<Shape<'j>, JsonError> {
        if self.peek()? != Peek::Object {
            return Err(self.invalid(expected));
        }
        let start = self.position();
        let mut present = 0u64;
        let mut tag_value: Option<String> = None;
        // Per key: its bit among `keys`, and whether it is the tag.
        let classify = |k: &str| (keys.iter().position(|f| *f == k), tag == Some(k));
        let at = self.at();
        let mut key = self.jiter.known_object().map_err(|e| syntax(at, e))?.map(classify);
        while let Some((index, is_tag)) = key {
            if let Some(i) = index {
                present |= 1 << i;
            }
            match tag {
                Some(tag) if is_tag => {
                    if tag_value.is_some() {
                        return Err(JsonError::new(format!("duplicate field `{tag}`")));
                    }
                    let value = self.str("a string").map_err(|e| e.at_field(tag))?;
                    tag_value = Some(value.to_owned());
                }
                _ => self.skip()?,
            }
            key = self.jiter.next_key().map_err(|e| syntax(at, e))?.map(classify);
        }
        let end = self.position();
        Ok(Shape { present, tag: tag_value, data: &self.data[..end], start })
    }
}

/// A JSON syntax error (or a number out of range), with its line and column in the document.
fn syntax((data, base): At<'_>, e: JiterError) -> JsonError {
    let before = &data[..(base + e.index).min(data.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|b| **b != b'\n').count() + 1;
    JsonError::new(format!("{} at line {line} column {column}", e.error_type))
}

/// The bit of `key` among `keys` (0 when it is not one of them).
fn bit(keys: &[&str], key: &str) -> u64 {
    keys.iter().position(|k| *k == key).map_or(0, |i| 1 << i)
}

/// The index of `key` in `fields`, looking at `fields[hint]` first.
fn find(fields: &[&str], key: &str, hint: usize) -> Option<usize> {
    if fields.get(hint).is_some_and(|f| *f == key) {
        return Some(hint);
    }
    fields.iter().position(|f| *f == key)
}

/// An object whose shape was read by [`Reader::shape`], ready to be decoded as the variant the
/// shape says.
pub(crate) struct Shape<'j> {
    /// Bit `i`: the object has the `i`-th of the keys given to [`Reader::shape`].
    present: u64,
    tag: Option<String>,
    /// The document up to the object's end; the object starts at `start`.
    data: &'j [u8],
    start: usize,
}

impl Shape<'_> {
    /// The tag's value; `None` when the object has no tag key.
    pub(crate) fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// Decodes the object as `T`.
    pub(crate) fn decode<T: FromJson>(&self) -> Result<T, JsonError> {
        let mut r = Reader::new(self.data);
        r.seek(self.start);
        T::from_json(&mut r)
    }

    /// The object as it was sent, for a shape no rule claims.
    pub(crate) fn value(&self) -> Result<serde_json::Value, JsonError> {
        self.decode()
    }
}

/// A field's place while its object is read: empty until the key is met.
pub(crate) trait Slot {
    /// Decodes the field's value into the slot.
    fn fill(&mut self, r: &mut Reader<'_>) -> Result<(), JsonError>;
    /// Whether the key was met already.
    fn is_filled(&self) -> bool;
}

impl<T: FromJson> Slot for Option<T> {
    fn fill(&mut self, r: &mut Reader<'_>) -> Result<(), JsonError> {
        *self = Some(T::from_json(r)?);
        Ok(())
    }

    fn is_filled(&self) -> bool {
        self.is_some()
    }
}

/// One identity per item of a list answer's `data` (enveloped or not): a hash of its `id` (or
/// `uid`) as written, else of its whole text. Used by pagination to see that a page brings
/// nothing new; an answer with no list gives none.
pub(crate) fn item_identities(body: &[u8]) -> Result<Vec<u64>, JsonError> {
    use std::hash::{Hash, Hasher};
    let mut r = Reader::new(body);
    let mut ids = Vec::new();
    let mut list = |r: &mut Reader<'_>| -> Result<(), JsonError> {
        if r.peek()? != Peek::Array {
            return r.skip();
        }
        let at = r.at();
        let mut next = r.jiter.known_array().map_err(|e| syntax(at, e))?;
        while next.is_some() {
            let start = r.position();
            let mut id: Option<(usize, usize)> = None;
            if r.peek()? == Peek::Object {
                r.entries("an item", &mut |r, key| {
                    let from = r.position();
                    r.skip()?;
                    if matches!(key, "id" | "uid") && id.is_none() {
                        id = Some((from, r.position()));
                    }
                    Ok(())
                })?;
            } else {
                r.skip()?;
            }
            let (from, to) = id.map_or((start, r.position()), |(from, to)| (from, to));
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            id.is_some().hash(&mut hasher);
            body[from..to].trim_ascii().hash(&mut hasher);
            ids.push(hasher.finish());
            next = r.jiter.array_step().map_err(|e| syntax(at, e))?;
        }
        Ok(())
    };
    if r.peek()? == Peek::Object {
        r.entries("an answer", &mut |r, key| if key == "data" { list(r) } else { r.skip() })?;
    } else {
        list(&mut r)?;
    }
    Ok(ids)
}

/// The value a union decoder produced (it always produces one when it succeeds).
pub(crate) fn decoded<T>(value: Option<T>) -> Result<T, JsonError> {
    value.ok_or_else(|| JsonError::new("the union decoder produced no value"))
}

/// "missing field `key`", at the key's place.
pub(crate) fn missing(key: &'static str) -> JsonError {
    JsonError::new(format!("missing field `{key}`")).at_field(key)
}

/// `serde::Deserialize` for a type decoded by [`FromJson`]: for users who deserialize models
/// themselves (from a cache, a queue, another format). The value is read with `D`, then decoded
/// with the same rules as the client's answers; an error names the JSON path.
pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>, T: FromJson>(deserializer: D) -> Result<T, D::Error> {
    let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
    let bytes = serde_json::to_vec(&value).map_err(serde::de::Error::custom)?;
    from_slice(&bytes).map_err(serde::de::Error::custom)
}

/// `serde::Deserialize` through [`deserialize`], for a type with a [`FromJson`] impl.
macro_rules! deserialize_via_from_json {
    ($name:ident) => {
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                $crate::decode::deserialize(deserializer)
            }
        }
    };
}
pub(crate) use deserialize_via_from_json;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn err<T: FromJson + fmt::Debug>(json: &str) -> (String, String) {
        let e = from_slice::<T>(json.as_bytes()).unwrap_err();
        (e.path(), e.message().to_owned())
    }

    #[test]
    fn scalars_and_their_type_errors() {
        assert_eq!(from_slice::<i64>(b" 42 "), Ok(42));
        assert_eq!(from_slice::<f64>(b"4"), Ok(4.0));
        assert_eq!(from_slice::<String>(br#""a\nb""#), Ok("a\nb".to_owned()));
        assert_eq!(err::<i64>("1.5").1, "invalid type: number `1.5`, expected an integer");
        assert_eq!(err::<String>("null").1, "invalid type: null, expected a string");
        assert!(err::<i64>("99999999999999999999999").1.contains("line 1"), "{:?}", err::<i64>("1e999999"));
        assert!(err::<String>("\"abc").1.contains("EOF"));
        assert!(err::<i64>("1 2").1.contains("trailing"));
    }

    #[test]
    fn paths_through_lists_and_maps() {
        let (path, message) = err::<Vec<BTreeMap<String, Vec<i64>>>>(r#"[{"a": [1]}, {"b": [1, "x"]}]"#);
        assert_eq!(path, "[1].b[1]");
        assert_eq!(message, "invalid type: a string, expected an integer");
    }

    #[test]
    fn values_keep_everything_and_stop_at_a_depth() {
        let v: serde_json::Value = from_slice(br#"{"a": [1, -2, 2.5, true, null, "s", {}]}"#).expect("decodes");
        assert_eq!(v, serde_json::json!({"a": [1, -2, 2.5, true, null, "s", {}]}));
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(from_slice::<serde_json::Value>(deep.as_bytes()).unwrap_err().message().contains("nested deeper"));
    }

    #[test]
    fn date_times_keep_or_drop_the_offset_as_asked() {
        let t: chrono::DateTime<chrono::FixedOffset> =
            from_slice(br#""2050-09-05T09:00:00.000+02:00""#).expect("decodes");
        assert_eq!(t.to_rfc3339(), "2050-09-05T09:00:00+02:00");
        let u: chrono::DateTime<chrono::Utc> = from_slice(br#""2050-09-05T09:00:00.000+02:00""#).expect("decodes");
        assert_eq!(u.to_rfc3339(), "2050-09-05T07:00:00+00:00");
        assert!(err::<chrono::DateTime<chrono::Utc>>(r#""yesterday""#).1.starts_with("invalid date-time `yesterday`"));
    }

    #[test]
    fn bad_utf8_is_an_error() {
        assert!(from_slice::<String>(b"\"\xff\"").is_err());
        assert!(from_slice::<serde_json::Value>(b"{\"\xff\": 1}").is_err());
    }
}
