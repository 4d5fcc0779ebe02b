//! Export of the register as CSV in our own columns, which import back to the identical register.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use std::io::Write;

use super::asset_fields::AssetField;
use super::columns::ImportField;
use crate::domain::{Gbp, MacAddresses};
use crate::error::{AppError, AppResult};
use crate::services::asset_list::{filters, AssetQuery};
use crate::store::{asset, department, device_model, site};

const PAGE: u64 = 5_000;

/// Writes the assets matching the list's filters (sort, cursor and limit are ignored) in tag order.
/// Returns how many rows were written.
pub async fn export_assets<C: ConnectionTrait, W: Write>(conn: &C, query: &AssetQuery, out: W) -> AppResult<u64> {
    let sites: HashMap<i32, String> =
        site::Entity::find().all(conn).await?.into_iter().map(|s| (s.id, s.name)).collect();
    let departments: HashMap<i32, String> =
        department::Entity::find().all(conn).await?.into_iter().map(|d| (d.id, d.name)).collect();
    let models: HashMap<i32, device_model::Model> =
        device_model::Entity::find().all(conn).await?.into_iter().map(|m| (m.id, m)).collect();
    let mut w = csv::Writer::from_writer(out);
    let io = |e: csv::Error| AppError::Internal(format!("writing the export failed: {e}"));
    w.write_record(AssetField::exported().map(|f| f.name())).map_err(io)?;
    let condition = filters(query);
    let mut last_tag = String::new();
    let mut written = 0;
    loop {
        let page = asset::Entity::find()
            .filter(condition.clone())
            .filter(asset::Column::AssetTag.gt(last_tag.as_str()))
            .order_by_asc(asset::Column::AssetTag)
            .limit(PAGE)
            .all(conn)
            .await?;
        let Some(last) = page.last() else { break };
        last_tag = last.asset_tag.clone();
        let parent_tags = tags_by_id(conn, page.iter().filter_map(|a| a.parent_asset_id).collect()).await?;
        for a in &page {
            let model = a.model_id.and_then(|id| models.get(&id));
            let record = AssetField::exported().map(|f| {
                let opt = |v: Option<String>| v.unwrap_or_default();
                match f {
                    AssetField::AssetTag => a.asset_tag.clone(),
                    AssetField::Category => a.category.clone(),
                    AssetField::Manufacturer => opt(model.map(|m| m.manufacturer.clone())),
                    AssetField::Model => opt(model.map(|m| m.name.clone())),
                    AssetField::Site => opt(a.site_id.and_then(|id| sites.get(&id).cloned())),
                    AssetField::Department => opt(a.department_id.and_then(|id| departments.get(&id).cloned())),
                    AssetField::Serial => opt(a.serial.clone()),
                    AssetField::Hostname => opt(a.hostname.clone()),
                    AssetField::MacAddresses => MacAddresses::from_column(a.mac_addresses.as_deref())
                        .as_slice()
                        .iter()
                        .map(|m| m.to_string())
                        .collect::<Vec<_>>()
                        .join(" "),
                    AssetField::IpAddress => opt(a.ip_address.clone()),
                    AssetField::AssignedUser => opt(a.assigned_user.clone()),
                    AssetField::PurchaseDate => opt(a.purchase_date.map(|d| d.to_string())),
                    AssetField::PurchaseCost => opt(a.purchase_cost_pence.map(|p| Gbp::from_pence(p).to_string())),
                    AssetField::Supplier => opt(a.supplier.clone()),
                    AssetField::WarrantyEnd => opt(a.warranty_end.map(|d| d.to_string())),
                    AssetField::WarrantyMonths => String::new(),
                    AssetField::LifeMonths => opt(a.life_months.map(|m| m.to_string())),
                    AssetField::RefreshDate => opt(a.refresh_date.map(|d| d.to_string())),
                    AssetField::LifecycleState => a.lifecycle_state.clone(),
                    AssetField::OnWatts => opt(a.on_watts.map(|w| w.to_string())),
                    AssetField::SleepWatts => opt(a.sleep_watts.map(|w| w.to_string())),
                    AssetField::OffWatts => opt(a.off_watts.map(|w| w.to_string())),
                    AssetField::ParentAssetTag => opt(a.parent_asset_id.and_then(|id| parent_tags.get(&id).cloned())),
                    AssetField::Notes => opt(a.notes.clone()),
                }
            });
            w.write_record(record).map_err(io)?;
            written += 1;
        }
        if (page.len() as u64) < PAGE {
            break;
        }
    }
    w.flush().map_err(|e| AppError::Internal(format!("writing the export failed: {e}")))?;
    Ok(written)
}

/// The ids of the assets with these tags (parents an import wrote before the rows that name them).
pub(crate) async fn ids_by_tag<C: ConnectionTrait>(conn: &C, mut tags: Vec<String>) -> AppResult<HashMap<String, i32>> {
    tags.sort();
    tags.dedup();
    let mut ids = HashMap::new();
    for chunk in tags.chunks(500) {
        let rows: Vec<(i32, String)> = asset::Entity::find()
            .select_only()
            .column(asset::Column::Id)
            .column(asset::Column::AssetTag)
            .filter(asset::Column::AssetTag.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(conn)
            .await?;
        ids.extend(rows.into_iter().map(|(id, tag)| (tag, id)));
    }
    Ok(ids)
}

/// The tags of the assets with these ids (parents, for the `parent_asset_tag` column and audit records).
pub(crate) async fn tags_by_id<C: ConnectionTrait>(conn: &C, mut ids: Vec<i32>) -> AppResult<HashMap<i32, String>> {
    ids.sort();
    ids.dedup();
    let mut tags = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i32, String)> = asset::Entity::find()
            .select_only()
            .column(asset::Column::Id)
            .column(asset::Column::AssetTag)
            .filter(asset::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        tags.extend(rows);
    }
    Ok(tags)
}
