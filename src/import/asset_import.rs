//! Importing an asset file: parse, check against the register, then write everything in one
//! transaction (batched, so a council's whole estate goes in within seconds) or nothing at all.

use crate::store::BeginWrite;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, NotSet,
    QueryFilter, QuerySelect,
};
use std::collections::HashMap;

use super::asset_audit;
use super::asset_plan::{self, real_id, Outcome, Plan, Snapshot};
use super::asset_rows::{self, AssetFile};
use super::columns::Mapping;
use super::memory;
use super::{ImportOptions, ImportSummary, Progress};
use crate::domain::Patch;
use crate::error::AppResult;
use crate::services::audit::{self, Action, NewEvent};
use crate::services::{assets, departments, device_models, sites, Actor};
use crate::store::{asset, bulk, department, device_model, site};

pub async fn import_assets(
    db: &DatabaseConnection,
    actor: &Actor,
    bytes: &[u8],
    mapping: &Mapping,
    options: &ImportOptions,
    progress: &dyn Progress,
) -> AppResult<ImportSummary> {
    let mut summary = ImportSummary::new("assets", options);
    let started = std::time::Instant::now();
    tracing::debug!(mem = %memory::usage(), bytes = bytes.len(), "import: started");
    let file = match asset_rows::parse(bytes, mapping) {
        Ok(f) => f,
        Err(problems) => return Ok(summary.refused(problems)),
    };
    summary.warnings = file.warnings().to_vec();
    // Rows that did not parse are reported with those that do not fit the register, all at once.
    tracing::debug!(elapsed = ?started.elapsed(), mem = %memory::usage(), rows = file.rows.len(), "import: parsed");
    progress.step("checking", file.rows.len() as u64);
    let snapshot = load_snapshot(db, &file).await?;
    tracing::debug!(elapsed = ?started.elapsed(), mem = %memory::usage(), "import: register read");
    let plan = match asset_plan::plan(file, &snapshot, options.create_missing, Utc::now()) {
        Ok(p) => p,
        Err(problems) => return Ok(summary.refused(problems)),
    };
    tracing::debug!(elapsed = ?started.elapsed(), mem = %memory::usage(), "import: planned");
    summary.created = plan.count(|o| *o == Outcome::Create);
    summary.updated = plan.count(|o| matches!(o, Outcome::Update { .. }));
    summary.unchanged = plan.count(|o| *o == Outcome::Unchanged);
    summary.created_sites = plan.new_sites.clone();
    summary.created_departments = plan.new_departments.clone();
    summary.created_models = plan.new_models.iter().map(|m| format!("{} {}", m.manufacturer, m.name)).collect();
    if options.dry_run || (summary.created == 0 && summary.updated == 0) {
        return Ok(summary);
    }
    summary.applied = true;
    write(db, actor, plan, &summary, progress).await?;
    tracing::debug!(elapsed = ?started.elapsed(), mem = %memory::usage(), "import: written");
    if summary.created + summary.updated >= 1_000 {
        crate::store::connect::analyze(db).await?;
        tracing::debug!(elapsed = ?started.elapsed(), mem = %memory::usage(), "import: statistics refreshed");
    }
    Ok(summary)
}

/// The register's sites, departments and models, and the existing assets the file names.
async fn load_snapshot(db: &DatabaseConnection, file: &AssetFile) -> AppResult<Snapshot> {
    let mut tags: Vec<String> = file.rows.iter().map(|r| r.tag.to_string()).collect();
    tags.extend(file.rows.iter().filter_map(|r| match &r.changes.parent_asset_tag {
        Patch::Value(t) => Some(t.to_string()),
        _ => None,
    }));
    tags.sort();
    tags.dedup();
    let mut assets_by_tag = HashMap::new();
    for chunk in tags.chunks(500) {
        for a in asset::Entity::find().filter(asset::Column::AssetTag.is_in(chunk.iter().cloned())).all(db).await? {
            assets_by_tag.insert(a.asset_tag.clone(), a);
        }
    }
    let parent_ids = assets_by_tag.values().filter_map(|a| a.parent_asset_id).collect();
    let tags_by_id = super::export::tags_by_id(db, parent_ids).await?;
    Ok(Snapshot {
        sites: site::Entity::find().all(db).await?,
        departments: department::Entity::find().all(db).await?,
        models: device_model::Entity::find().all(db).await?,
        assets: assets_by_tag,
        tags_by_id,
    })
}

async fn write(
    db: &DatabaseConnection,
    actor: &Actor,
    plan: Plan,
    summary: &ImportSummary,
    progress: &dyn Progress,
) -> AppResult<()> {
    let txn = db.begin_write().await?;
    let mut site_ids = Vec::new();
    for name in &plan.new_sites {
        let changes = sites::SiteChanges {
            name: Patch::Value(name.clone()),
            notes: Patch::Value(format!("Created by the import of {}", summary.source)),
            ..Default::default()
        };
        site_ids.push(sites::create_in(&txn, actor, changes).await?.id);
    }
    let mut department_ids = Vec::new();
    for name in &plan.new_departments {
        let changes = departments::DepartmentChanges {
            name: Patch::Value(name.clone()),
            notes: Patch::Value(format!("Created by the import of {}", summary.source)),
            ..Default::default()
        };
        department_ids.push(departments::create_in(&txn, actor, changes).await?.id);
    }
    let mut model_ids = Vec::new();
    for m in &plan.new_models {
        let (on, sleep, off) = m.power.watts();
        let changes = device_models::DeviceModelChanges {
            manufacturer: Patch::Value(m.manufacturer.clone()),
            name: Patch::Value(m.name.clone()),
            category: Patch::Value(m.category),
            on_watts: Patch::Value(on),
            sleep_watts: Patch::Value(sleep),
            off_watts: Patch::Value(off),
            notes: Patch::Value(format!(
                "Created by the import of {}. Typical figures for the category until this model's own are entered. {}",
                summary.source,
                m.power.note()
            )),
            ..Default::default()
        };
        model_ids.push(device_models::create_in(&txn, actor, changes).await?.id);
    }
    let mut rows = plan.assets;
    for planned in &mut rows {
        let a = &mut planned.asset;
        a.site_id = a.site_id.map(|id| real_id(id, &site_ids));
        a.department_id = a.department_id.map(|id| real_id(id, &department_ids));
        a.model_id = a.model_id.map(|id| real_id(id, &model_ids));
    }
    let total = rows.iter().filter(|r| r.outcome != Outcome::Unchanged).count() as u64;
    progress.step("writing", total);
    let mut ids: HashMap<String, i32> = HashMap::new();
    let mut events = Vec::new();
    // Devices first, then the monitors that belong to devices created in this same file.
    for parents_known in [true, false] {
        let batch: Vec<&asset_plan::PlannedAsset> = rows
            .iter()
            .filter(|r| r.outcome == Outcome::Create && r.parent_in_file.is_none() == parents_known)
            .collect();
        if batch.is_empty() {
            continue;
        }
        // A chunk at a time: insert, learn the new ids, write the chunk's audit events, so memory
        // stays flat however long the file.
        for chunk in batch.chunks(1_000) {
            let highest_before = highest_asset_id(&txn).await?;
            let with_parents: Vec<asset::Model> = chunk
                .iter()
                .map(|r| {
                    let mut m = r.asset.clone();
                    m.parent_asset_id =
                        r.parent_in_file.as_ref().and_then(|t| ids.get(t).copied()).or(m.parent_asset_id);
                    m
                })
                .collect();
            let models: Vec<asset::ActiveModel> = with_parents
                .iter()
                .map(|m| {
                    let mut am = m.clone().into_active_model().reset_all();
                    am.id = NotSet;
                    am
                })
                .collect();
            bulk::insert_all::<asset::Entity, _>(&txn, models).await?;
            let new: Vec<(i32, String)> = asset::Entity::find()
                .select_only()
                .column(asset::Column::Id)
                .column(asset::Column::AssetTag)
                .filter(asset::Column::Id.gt(highest_before))
                .into_tuple()
                .all(&txn)
                .await?;
            ids.extend(new.into_iter().map(|(id, tag)| (tag, id)));
            let chunk_events = chunk
                .iter()
                .zip(with_parents)
                .map(|(r, m)| NewEvent {
                    action: Action::Create,
                    entity_type: assets::ENTITY,
                    entity_id: ids[&m.asset_tag].to_string(),
                    before_json: None,
                    // The values it was created with, not the whole derived record: see `asset_audit`.
                    after_json: Some(asset_audit::created_json(&m, r.parent_tag.as_deref())),
                })
                .collect();
            audit::record_many(&txn, actor, chunk_events).await?;
            progress.advance(chunk.len() as u64);
        }
        tracing::debug!(rows = batch.len(), mem = %memory::usage(), "import: batch inserted");
    }
    for r in rows.iter().filter(|r| matches!(r.outcome, Outcome::Update { .. })) {
        let Outcome::Update { before, before_parent_tag } = &r.outcome else { continue };
        let mut m = r.asset.clone();
        if let Some(t) = &r.parent_in_file {
            m.parent_asset_id = ids.get(t).copied();
        }
        let saved = m.into_active_model().reset_all().update(&txn).await?;
        let before = assets::AssetView::from_model((**before).clone(), before_parent_tag.clone());
        let after = assets::AssetView::from_model(saved, r.parent_tag.clone());
        events.push(NewEvent {
            action: Action::Update,
            entity_type: assets::ENTITY,
            entity_id: after.id.to_string(),
            before_json: Some(json(&before)),
            after_json: Some(json(&after)),
        });
        progress.advance(1);
    }
    events.push(NewEvent {
        action: Action::Import,
        entity_type: "import",
        entity_id: summary.source.clone(),
        before_json: None,
        after_json: Some(json(summary)),
    });
    tracing::debug!(events = events.len(), mem = %memory::usage(), "import: audit events built");
    audit::record_many(&txn, actor, events).await?;
    tracing::debug!(mem = %memory::usage(), "import: audit events written");
    txn.commit().await?;
    progress.finish();
    Ok(())
}

async fn highest_asset_id<C: ConnectionTrait>(conn: &C) -> AppResult<i32> {
    let max: Option<Option<i32>> =
        asset::Entity::find().select_only().column_as(asset::Column::Id.max(), "max").into_tuple().one(conn).await?;
    Ok(max.flatten().unwrap_or(0))
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}
