//! `Patch<T>`: a field of a change request that is absent (leave it), null (clear it) or a value (set it).

use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone, Default, PartialEq)]
pub enum Patch<T> {
    #[default]
    Missing,
    Null,
    Value(T),
}

impl<T> Patch<T> {
    /// The field's new value given its current one.
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Patch::Missing => current,
            Patch::Null => None,
            Patch::Value(v) => Some(v),
        }
    }

    pub fn is_missing(&self) -> bool {
        matches!(self, Patch::Missing)
    }
}

impl<T> From<Option<T>> for Patch<T> {
    fn from(o: Option<T>) -> Self {
        o.map_or(Patch::Null, Patch::Value)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(d).map(Patch::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct P {
        #[serde(default)]
        a: Patch<i32>,
    }

    #[test]
    fn absent_null_and_value_are_distinct() {
        let absent: P = serde_json::from_str("{}").unwrap();
        let null: P = serde_json::from_str(r#"{"a":null}"#).unwrap();
        let value: P = serde_json::from_str(r#"{"a":5}"#).unwrap();
        assert_eq!(absent.a.apply(Some(1)), Some(1));
        assert_eq!(null.a.apply(Some(1)), None);
        assert_eq!(value.a.apply(Some(1)), Some(5));
    }
}
