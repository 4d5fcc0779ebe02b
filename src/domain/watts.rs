//! Physical quantities that carry their unit in their name: `Watts`, `Kg`, `KgCo2e`. Non-negative and
//! finite by construction.

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

macro_rules! quantity {
    ($name:ident, $unit:literal, $max:expr) => {
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
        #[serde(transparent)]
        pub struct $name(f64);

        impl $name {
            pub const MAX: f64 = $max;

            pub fn new(v: f64) -> Result<$name, String> {
                if !v.is_finite() || v < 0.0 {
                    Err(format!("{v} {} must be zero or more", $unit))
                } else if v > Self::MAX {
                    Err(format!("{v} {} is implausibly large; the limit is {}", $unit, Self::MAX))
                } else {
                    Ok($name(v))
                }
            }

            pub fn value(self) -> f64 {
                self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<$name, String> {
                let v: f64 = s.trim().parse().map_err(|_| format!("'{s}' is not a number of {}", $unit))?;
                $name::new(v)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                $name::new(f64::deserialize(d)?).map_err(serde::de::Error::custom)
            }
        }
    };
}

// Limits catch typing slips (kW entered as W): no single ICT device draws 100 kW or weighs 10 t.
quantity!(Watts, "W", 100_000.0);
quantity!(Kg, "kg", 10_000.0);
quantity!(KgCo2e, "kgCO2e", 1_000_000.0);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_negative_nan_and_absurd() {
        assert_eq!(Watts::new(70.0).unwrap().value(), 70.0);
        assert!(Watts::new(-1.0).is_err());
        assert!(Watts::new(f64::NAN).is_err());
        assert!(Watts::new(1e9).is_err());
        assert!("abc".parse::<Kg>().is_err());
        assert!(serde_json::from_str::<Watts>("-5").is_err());
    }
}
