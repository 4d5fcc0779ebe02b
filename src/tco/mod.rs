//! PURE total cost of ownership and refresh planning (issue 6). No rocket, sea_orm or tokio; dated data
//! (tariffs, bank holidays, cost items, today's date) come in as arguments.
//!
//! TCO of an asset = purchase + energy over its life (estimated to date, then forecast to its refresh
//! date) + its share of cost items + disposal cost − disposal income (DESIGN.md §3). Every figure keeps the
//! inputs it came from, and totals are full precision: round only for display.
//!
//! - [`life_energy`]: energy to date and forecast, from the energy engine's parts.
//! - [`cost_items`]: cost items as dated charges, and how group items are shared out.
//! - [`ownership`]: one asset's TCO, and TCO rolled up by model, category, department or site.
//! - [`refresh_plan`]: due dates, overdue and due-soon lists, the 5-year forecast, and the keep-longer what-if.

pub mod cost_items;
pub mod life_energy;
pub mod ownership;
pub mod refresh_plan;

pub use cost_items::{apportion, charges, Apportioned, CostItemInput, CostKind, CostScope, ItemShare, Member, Timing};
pub use life_energy::{split_life, EnergyPart, LifeCalendar, LifeSplit};
pub use ownership::{asset_tco, rollup, AssetTco, AssetTcoInput, DisposalMoney, TcoGroupBy, TcoGroupKey, TcoTotals};
