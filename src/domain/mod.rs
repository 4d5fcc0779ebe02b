//! PURE domain values and rules: parsed types that can only hold valid values, lifecycle rules and
//! refresh maths. No rocket, sea_orm or tokio here; dated reference data comes in as arguments.

pub mod apportion;
pub mod asset_tag;
pub mod category;
pub mod deferral;
pub mod disposal;
pub mod ewaste;
pub mod field_error;
pub mod lifecycle;
pub mod mac;
pub mod money;
pub mod network;
pub mod patch;
pub mod refresh;
pub mod role;
pub mod text;
pub mod watts;

pub use asset_tag::AssetTag;
pub use category::Category;
pub use field_error::{FieldError, FieldErrors};
pub use lifecycle::LifecycleState;
pub use mac::{MacAddress, MacAddresses};
pub use money::Gbp;
pub use patch::Patch;
pub use role::Role;
pub use watts::{Kg, KgCo2e, Watts};
