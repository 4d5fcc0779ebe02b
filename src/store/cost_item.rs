//! A cost item: maintenance, support, a licence or a repair, one-off or annual, for an asset or a group.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cost_item")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// "maintenance" | "support" | "licence" | "repair"
    pub kind: String,
    pub description: String,
    /// "asset" | "model" | "category" | "department" | "site"
    pub scope: String,
    /// The asset, model, department or site id; `None` for a category.
    pub scope_id: Option<i32>,
    /// The category (e.g. "laptop") when `scope` is "category".
    pub scope_category: Option<String>,
    /// "one_off" | "annual"
    pub timing: String,
    /// The one-off amount, or the amount per year, in pence.
    pub amount_pence: i64,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub supplier: Option<String>,
    pub notes: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
