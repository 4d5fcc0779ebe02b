//! One physical device in the register.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "asset")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub asset_tag: String,
    pub serial: Option<String>,
    pub hostname: Option<String>,
    /// Normalised, comma-separated: see `domain::MacAddresses::to_column`.
    pub mac_addresses: Option<String>,
    pub ip_address: Option<String>,
    pub category: String,
    pub model_id: Option<i32>,
    pub site_id: Option<i32>,
    pub department_id: Option<i32>,
    pub assigned_user: Option<String>,
    pub purchase_date: Option<Date>,
    pub purchase_cost_pence: Option<i64>,
    pub supplier: Option<String>,
    pub warranty_end: Option<Date>,
    pub life_months: Option<i32>,
    pub refresh_date: Option<Date>,
    /// Derived (see `domain::refresh`), stored so lists can filter and sort on it.
    pub refresh_due: Option<Date>,
    pub lifecycle_state: String,
    pub on_watts: Option<f64>,
    pub sleep_watts: Option<f64>,
    pub off_watts: Option<f64>,
    pub parent_asset_id: Option<i32>,
    /// Its own usage profile, overriding its category's default.
    pub usage_profile_id: Option<i32>,
    pub notes: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// A monitor's PC.
    #[sea_orm(belongs_to = "Entity", from = "Column::ParentAssetId", to = "Column::Id")]
    Parent,
}

/// An asset to its parent, for reading both in one query (a self-join needs a link, not `Related`).
pub struct ParentLink;

impl Linked for ParentLink {
    type FromEntity = Entity;
    type ToEntity = Entity;

    fn link(&self) -> Vec<RelationDef> {
        vec![Relation::Parent.def()]
    }
}

impl ActiveModelBehavior for ActiveModel {}
