//! A catalog figure together with where it comes from.
//!
//! In TOML a figure is written either bare (`tdp_w = 700`, allowed in user catalogs) or as a table that carries
//! its source id from `../shared/reference/` or an estimate mark:
//!
//! ```toml
//! tdp_w = { value = 700, source = "S44" }
//! rack_units = { value = 5, estimate = true, note = "from the model name: G5xx = 5U" }
//! ```

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::marker::PhantomData;

/// A value with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sourced<T> {
    /// The figure itself.
    pub value: T,
    /// Source ids such as `"S12"` or `"S12, S13"`; `None` for bare values in user catalogs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// True when no source gives the figure and it is an estimate.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub estimate: bool,
    /// Reasoning behind an estimate, or a caveat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl<T> Sourced<T> {
    /// A figure with a source id.
    pub fn with_source(value: T, source: &str) -> Self {
        Self {
            value,
            source: Some(source.to_string()),
            estimate: false,
            note: None,
        }
    }

    /// A figure marked as an estimate, with its reasoning.
    pub fn estimate(value: T, note: &str) -> Self {
        Self {
            value,
            source: None,
            estimate: true,
            note: Some(note.to_string()),
        }
    }

    /// The source ids this figure names.
    pub fn source_ids(&self) -> impl Iterator<Item = &str> {
        self.source
            .as_deref()
            .unwrap_or("")
            .split([',', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// A short provenance label: `[S12]`, `[EST]` or `[S2; EST]`.
    pub fn provenance(&self) -> String {
        match (&self.source, self.estimate) {
            (Some(s), false) => format!("[{s}]"),
            (Some(s), true) => format!("[{s}; EST]"),
            (None, true) => "[EST]".to_string(),
            (None, false) => "[unsourced]".to_string(),
        }
    }
}

impl<T: Copy> Sourced<T> {
    /// The bare value.
    pub fn get(&self) -> T {
        self.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Sourced<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SourcedVisitor(PhantomData))
    }
}

struct SourcedVisitor<T>(PhantomData<T>);

macro_rules! bare {
    ($method:ident, $ty:ty) => {
        fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
            let value = T::deserialize(de::IntoDeserializer::<E>::into_deserializer(v))?;
            Ok(Sourced {
                value,
                source: None,
                estimate: false,
                note: None,
            })
        }
    };
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for SourcedVisitor<T> {
    type Value = Sourced<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value, or a table { value = ..., source = \"S..\" } or { value = ..., estimate = true }")
    }

    bare!(visit_bool, bool);
    bare!(visit_i64, i64);
    bare!(visit_u64, u64);
    bare!(visit_f64, f64);

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.visit_string(v.to_string())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        let value = T::deserialize(de::value::StringDeserializer::<E>::new(v))?;
        Ok(Sourced {
            value,
            source: None,
            estimate: false,
            note: None,
        })
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let value = T::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Sourced {
            value,
            source: None,
            estimate: false,
            note: None,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        const FIELDS: &[&str] = &["value", "source", "estimate", "note"];
        let mut value = None;
        let mut source = None;
        let mut estimate = None;
        let mut note = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "value" => value = Some(map.next_value::<T>()?),
                "source" => source = Some(map.next_value::<String>()?),
                "estimate" => estimate = Some(map.next_value::<bool>()?),
                "note" => note = Some(map.next_value::<String>()?),
                other => return Err(de::Error::unknown_field(other, FIELDS)),
            }
        }
        let value = value.ok_or_else(|| de::Error::missing_field("value"))?;
        Ok(Sourced {
            value,
            source,
            estimate: estimate.unwrap_or(false),
            note,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::Watts;

    #[derive(Debug, Deserialize)]
    struct T {
        a: Sourced<Watts>,
        b: Sourced<u32>,
    }

    #[test]
    fn bare_and_table_forms() {
        let t: T = toml::from_str("a = 700\nb = { value = 5, estimate = true, note = \"n\" }").unwrap();
        assert_eq!(t.a.value, Watts(700.0));
        assert_eq!(t.a.provenance(), "[unsourced]");
        assert_eq!(t.b.value, 5);
        assert!(t.b.estimate);
    }

    #[test]
    fn unknown_key_in_table_is_an_error_with_position() {
        let e = toml::from_str::<T>("a = { value = 1, sauce = \"S1\" }\nb = 1").unwrap_err();
        assert!(e.message().contains("unknown field `sauce`"), "{e}");
        assert!(e.span().is_some());
    }

    #[test]
    fn wrong_type_is_an_error() {
        let e = toml::from_str::<T>("a = \"lots\"\nb = 1").unwrap_err();
        assert!(e.message().contains("invalid type"), "{e}");
    }

    #[test]
    fn several_sources() {
        let s = Sourced::with_source(1u32, "S12, S13");
        assert_eq!(s.source_ids().collect::<Vec<_>>(), ["S12", "S13"]);
    }
}
