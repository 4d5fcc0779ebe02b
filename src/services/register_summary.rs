//! Counts for the home page and the catalogue lists: assets by lifecycle state, by category, by site,
//! department and model, refreshes overdue; and the devices linked to a PC. Read-only.

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

use crate::domain::{Category, LifecycleState};
use crate::error::AppResult;
use crate::store::asset;

#[derive(Debug, Clone, Default)]
pub struct RegisterSummary {
    pub total: u64,
    /// Every lifecycle state in order, with its count (zero included).
    pub by_state: Vec<(LifecycleState, u64)>,
    /// Every category in order, with its count (zero included).
    pub by_category: Vec<(Category, u64)>,
    /// Assets in any state whose refresh date is before `today`.
    pub refresh_overdue: u64,
    /// Of those, the ones still deployed.
    pub refresh_overdue_deployed: u64,
}

/// Counts of assets grouped by one text column, e.g. lifecycle_state.
async fn grouped_by_text<C: ConnectionTrait>(conn: &C, col: asset::Column) -> AppResult<HashMap<String, u64>> {
    let rows: Vec<(String, i64)> = asset::Entity::find()
        .select_only()
        .column(col)
        .column_as(asset::Column::Id.count(), "n")
        .group_by(col)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|(k, n)| (k, u64::try_from(n).unwrap_or(0))).collect())
}

/// Counts of assets grouped by one optional id column (site_id, department_id, model_id).
async fn grouped_by_id<C: ConnectionTrait>(conn: &C, col: asset::Column) -> AppResult<HashMap<i32, u64>> {
    let rows: Vec<(Option<i32>, i64)> = asset::Entity::find()
        .select_only()
        .column(col)
        .column_as(asset::Column::Id.count(), "n")
        .filter(col.is_not_null())
        .group_by(col)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().filter_map(|(k, n)| Some((k?, u64::try_from(n).unwrap_or(0)))).collect())
}

pub async fn summary<C: ConnectionTrait>(conn: &C, today: NaiveDate) -> AppResult<RegisterSummary> {
    let states = grouped_by_text(conn, asset::Column::LifecycleState).await?;
    let categories = grouped_by_text(conn, asset::Column::Category).await?;
    let overdue = asset::Entity::find().filter(asset::Column::RefreshDue.lt(today));
    let refresh_overdue = overdue.clone().count(conn).await?;
    let refresh_overdue_deployed =
        overdue.filter(asset::Column::LifecycleState.eq(LifecycleState::Deployed.as_str())).count(conn).await?;
    Ok(RegisterSummary {
        total: states.values().sum(),
        by_state: LifecycleState::ALL.iter().map(|s| (*s, states.get(s.as_str()).copied().unwrap_or(0))).collect(),
        by_category: Category::ALL.iter().map(|c| (*c, categories.get(c.as_str()).copied().unwrap_or(0))).collect(),
        refresh_overdue,
        refresh_overdue_deployed,
    })
}

/// Assets per site id.
pub async fn assets_per_site<C: ConnectionTrait>(conn: &C) -> AppResult<HashMap<i32, u64>> {
    grouped_by_id(conn, asset::Column::SiteId).await
}

/// Assets per department id.
pub async fn assets_per_department<C: ConnectionTrait>(conn: &C) -> AppResult<HashMap<i32, u64>> {
    grouped_by_id(conn, asset::Column::DepartmentId).await
}

/// Assets per model id.
pub async fn assets_per_model<C: ConnectionTrait>(conn: &C) -> AppResult<HashMap<i32, u64>> {
    grouped_by_id(conn, asset::Column::ModelId).await
}

/// A device linked to a PC (a monitor that follows its power state).
#[derive(Debug, Clone)]
pub struct LinkedDevice {
    pub asset_tag: String,
    pub category: Category,
    pub hostname: Option<String>,
}

/// The devices whose parent is the asset with id `parent_id`, by tag.
pub async fn linked_devices<C: ConnectionTrait>(conn: &C, parent_id: i32) -> AppResult<Vec<LinkedDevice>> {
    use sea_orm::QueryOrder;
    let rows = asset::Entity::find()
        .filter(asset::Column::ParentAssetId.eq(parent_id))
        .order_by_asc(asset::Column::AssetTag)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|m| LinkedDevice {
            asset_tag: m.asset_tag,
            category: m.category.parse().unwrap_or(Category::Other),
            hostname: m.hostname,
        })
        .collect())
}
