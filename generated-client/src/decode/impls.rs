//! `FromJson` for the types models are made of: scalars, `Option`, `Box`, `Patch`, lists, maps,
//! free-form JSON, dates and date-times.

use std::collections::BTreeMap;

use jiter::{NumberAny, NumberInt, Peek};

use super::{FromJson, JsonError, MAX_DEPTH, Reader, Segment, syntax};

impl FromJson for String {
    fn from_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        r.str("a string").map(str::to_owned)
    }
}

impl FromJson for bool {
    fn from_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        match r.peek()? {
            p @ (Peek::True | Peek::False) => r.jiter.known_bool(p).map_err(|e| r.syntax(e)),
            _ => Err(r.invalid("a boolean")),
        }
    }
}

impl FromJson for i64 {
    fn from_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        let peek = r.peek()?;
        if !peek.is_num() {
            return Err(r.invalid("an integer"));
        }
        match r.jiter.known_number(peek) {
            Ok(NumberAny::Int(NumberInt::Int(i))) => Ok(i),
            Ok(NumberAny::Float(f)) => Err(JsonError::new(format!("invalid type: number `{f}`, expected an integer"))),
            Err(e) => Err(r.syntax(e)),
        }
    }
}

impl FromJson for u64 {
    fn from_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        let n = i64::from_json(r)?;
        u64::try_from(n).map_err(|_| JsonError::new(format!("invalid value: {n}, expected a non-negative integer")))
    }
}

impl FromJson for f64 {
    fn from_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        let peek = r.peek()?;
        if !peek.is_num() {
            return Err(r.invalid("a number"));
        }
        r.jiter.known_float(peek).map_err(|e| r.syntax(e))
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        if r.null()? { Ok(None) } else { T::from_json(r).map(Some) }
    }
}

impl<T: FromJson> FromJson for Box<T> {
    fn from_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        T::from_json(r).map(Box::new)
    }
}

impl<T: FromJson> FromJson for crate::Patch<T> {
    fn from_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        if r.null()? { Ok(crate::Patch::Clear) } else { T::from_json(r).map(crate::Patch::Set) }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        if r.peek()? != Peek::Array {
            return Err(r.invalid("an array"));
        }
        let mut items = Vec::new();
        let mut next = r.jiter.known_array().map_err(|e| r.syntax(e))?;
        while next.is_some() {
            let item = T::from_json(r).map_err(|e| e.at(Segment::Index(items.len())))?;
            items.push(item);
            next = r.jiter.array_step().map_err(|e| r.syntax(e))?;
        }
        Ok(items)
    }
}

impl<T: FromJson> FromJson for BTreeMap<String, T> {
    fn from_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        if r.peek()? != Peek::Object {
            return Err(r.invalid("an object"));
        }
        let mut map = BTreeMap::new();
        let at = r.at();
        let mut key = r.jiter.known_object().map_err(|e| syntax(at, e))?.map(str::to_owned);
        while let Some(k) = key {
            let value = T::from_json(r).map_err(|e| e.at(Segment::Key(k.clone())))?;
            map.insert(k, value);
            key = r.jiter.next_key().map_err(|e| syntax(at, e))?.map(str::to_owned);
        }
        Ok(map)
    }
}

impl FromJson for serde_json::Value {
    fn from_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        value(r, 0)
    }
}

fn value(r: &mut Reader<'_>, depth: usize) -> Result<serde_json::Value, JsonError> {
    use serde_json::Value;
    if depth > MAX_DEPTH {
        return Err(JsonError::new(format!("nested deeper than {MAX_DEPTH} levels")));
    }
    let peek = r.peek()?;
    Ok(match peek {
        Peek::Null => {
            r.jiter.known_null().map_err(|e| r.syntax(e))?;
            Value::Null
        }
        Peek::True | Peek::False => Value::Bool(r.jiter.known_bool(peek).map_err(|e| r.syntax(e))?),
        Peek::String => Value::String(r.str("a string")?.to_owned()),
        Peek::Array => {
            let mut items = Vec::new();
            let mut next = r.jiter.known_array().map_err(|e| r.syntax(e))?;
            while next.is_some() {
                items.push(value(r, depth + 1).map_err(|e| e.at(Segment::Index(items.len())))?);
                next = r.jiter.array_step().map_err(|e| r.syntax(e))?;
            }
            Value::Array(items)
        }
        Peek::Object => {
            let mut map = serde_json::Map::new();
            let at = r.at();
            let mut key = r.jiter.known_object().map_err(|e| syntax(at, e))?.map(str::to_owned);
            while let Some(k) = key {
                let v = value(r, depth + 1).map_err(|e| e.at(Segment::Key(k.clone())))?;
                map.insert(k, v);
                key = r.jiter.next_key().map_err(|e| syntax(at, e))?.map(str::to_owned);
            }
            Value::Object(map)
        }
        _ => match r.jiter.known_number(peek).map_err(|e| r.syntax(e))? {
            NumberAny::Int(NumberInt::Int(i)) => Value::from(i),
            NumberAny::Float(f) => serde_json::Number::from_f64(f)
                .map(Value::Number)
                .ok_or_else(|| JsonError::new("a number out of range"))?,
        },
    })
}

impl FromJson for chrono::DateTime<chrono::Utc> {
    fn from_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        chrono::DateTime::<chrono::FixedOffset>::from_json(r).map(|t| t.to_utc())
    }
}

impl FromJson for chrono::DateTime<chrono::FixedOffset> {
    fn from_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        let text = r.str("a date-time string")?;
        text.parse().map_err(|e| JsonError::new(format!("invalid date-time `{text}`: {e}")))
    }
}

impl FromJson for chrono::NaiveDate {
    fn from_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        let text = r.str("a date string")?;
        text.parse().map_err(|e| JsonError::new(format!("invalid date `{text}`: {e}")))
    }
}
