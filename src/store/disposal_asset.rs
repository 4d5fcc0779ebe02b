//! One asset in a disposal: its weight, WEEE category and data sanitisation record.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "disposal_asset")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub disposal_id: i32,
    pub asset_id: i32,
    /// Weighed; `None` means the model's weight is used.
    pub weight_kg: Option<f64>,
    /// True once completion copied the model's weight into `weight_kg` (it was not weighed).
    pub weight_from_model: bool,
    pub has_storage: bool,
    pub hazardous: bool,
    pub weee_category: i32,
    /// clear | purge | destroy | other
    pub sanitisation_method: Option<String>,
    pub sanitisation_standard: Option<String>,
    pub sanitised_by: Option<String>,
    pub sanitised_on: Option<Date>,
    pub certificate_number: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
