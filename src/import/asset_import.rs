//! Importing an asset file, all of it or nothing: a reader thread parses the file a chunk of rows at a
//! time while this task checks each chunk against the register and writes it inside one transaction, so
//! memory holds a few chunks whatever the file's size and parsing overlaps the database's work. The first
//! problem stops the writing (the transaction is rolled back at the end), but the rest of the file is
//! still read and checked so every problem is reported at once.

use crate::store::BeginWrite;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait,
    IntoActiveModel, NotSet, QueryFilter, Statement,
};
use std::collections::HashMap;

use super::asset_audit;
use super::asset_fields::AssetField;
use super::asset_plan::{real_id, Catalogue, Existing, Outcome, PlannedAsset, Planner};
use super::asset_rows::{AssetRow, FileFacts, RowReader};
use super::columns::{Header, Mapping};
use super::memory;
use super::{ImportOptions, ImportSummary, Input, Problem, Progress};
use crate::domain::Patch;
use crate::error::{AppError, AppResult};
use crate::services::audit::{self, Action, NewEvent};
use crate::services::{assets, departments, device_models, sites, Actor};
use crate::store::{asset, bulk, connect, department, device_model, site};

/// Rows handed from the reader to the writer at a time: one multi-row INSERT's worth.
const CHUNK_ROWS: usize = 1_000;
/// Chunks the reader may get ahead of the writer.
const CHUNKS_AHEAD: usize = 3;

/// What the reader thread hands over.
enum Parsed {
    Header(Header<AssetField>),
    /// Rows that parsed, how far into the file they reach, and whether any row so far had a problem.
    Rows {
        rows: Vec<AssetRow>,
        bytes_read: u64,
        troubled: bool,
    },
    End(FileFacts),
    /// The file cannot be read at all (encoding of its header, header, a required column missing).
    Refused(Vec<Problem>),
}

pub async fn import_assets(
    db: &DatabaseConnection,
    actor: &Actor,
    input: Input,
    mapping: &Mapping,
    options: &ImportOptions,
    progress: &dyn Progress,
) -> AppResult<ImportSummary> {
    let mut summary = ImportSummary::new("assets", options);
    let started = std::time::Instant::now();
    let total_bytes = input.len();
    let (tx, mut rx) = tokio::sync::mpsc::channel(CHUNKS_AHEAD);
    let reader = {
        let mapping = mapping.clone();
        tokio::task::spawn_blocking(move || read_rows(input, &mapping, tx))
    };
    let header = match rx.recv().await {
        Some(Parsed::Header(h)) => h,
        Some(Parsed::Refused(problems)) => return Ok(summary.refused(problems)),
        _ => return Err(reader_failed(reader).await),
    };
    summary.warnings = header.warnings.clone();
    let mut writer = match options.dry_run {
        true => None,
        false => Some(Writer::begin(db, actor).await?),
    };
    // Read in the transaction: nothing can change them under the import before it commits.
    let (site_rows, department_rows, model_rows) = match &writer {
        Some(w) => read_catalogue(&w.txn).await?,
        None => read_catalogue(db).await?,
    };
    let catalogue = Catalogue { sites: &site_rows, departments: &department_rows, models: &model_rows };
    let mut planner = Planner::new(catalogue, options.create_missing, Utc::now());
    progress.step("importing", total_bytes);
    let mut advanced = 0;
    // Time spent waiting on the reader, and in the rest of a chunk's round: the debug log's breakdown.
    let mut spent = [std::time::Duration::ZERO; 2];
    let facts = loop {
        let mark = std::time::Instant::now();
        let (rows, bytes_read, troubled) = match rx.recv().await {
            Some(Parsed::Rows { rows, bytes_read, troubled }) => (rows, bytes_read, troubled),
            Some(Parsed::End(facts)) => break facts,
            _ => {
                if let Some(w) = writer.take() {
                    w.abandon().await?;
                }
                return Err(reader_failed(reader).await);
            }
        };
        spent[0] += mark.elapsed();
        let mark = std::time::Instant::now();
        // The chunk is checked against the register as it was before the import (read on the shared
        // pool, beside the writer's transaction), while the writer writes the chunk before.
        let check = async |planner: &mut Planner<'_>, summary: &mut ImportSummary| -> AppResult<_> {
            let existing = read_existing(db, &rows).await?;
            let planned = planner.plan_rows(&header, rows, &existing.view());
            for p in &planned {
                match p.outcome {
                    Outcome::Create => summary.created += 1,
                    Outcome::Update { .. } => summary.updated += 1,
                    Outcome::Unchanged => summary.unchanged += 1,
                }
            }
            Ok(planned)
        };
        match writer.as_mut() {
            None => {
                check(&mut planner, &mut summary).await?;
            }
            Some(w) => {
                let Writer { txn, actor, created, queued, deferred, .. } = w;
                let backend = txn.get_database_backend();
                let (written, next) = tokio::join!(
                    async {
                        match queued.take() {
                            Some(p) => execute(txn, actor, p).await,
                            None => Ok(()),
                        }
                    },
                    async {
                        let planned = check(&mut planner, &mut summary).await?;
                        if troubled || planner.has_problems() || created.lacks_some_of(&planner) {
                            return Ok(Next::Planned(planned));
                        }
                        Ok::<_, AppError>(Next::Prepared(prepare(backend, actor, created, planned, deferred)?))
                    }
                );
                written?;
                match next? {
                    Next::Prepared(p) => *queued = Some(p),
                    Next::Planned(planned) => {
                        if !troubled && !planner.has_problems() {
                            // New sites, departments or models first: the chunk's rows need their ids.
                            w.create_records(&planner, &options.source).await?;
                            let backend = w.txn.get_database_backend();
                            w.queued = Some(prepare(backend, w.actor, &w.created, planned, &mut w.deferred)?);
                        }
                    }
                }
            }
        }
        if troubled || planner.has_problems() {
            // Nothing of this file will be kept: stop writing, and read on for the other problems.
            if let Some(w) = writer.take() {
                w.abandon().await?;
            }
        }
        spent[1] += mark.elapsed();
        progress.advance(bytes_read.saturating_sub(advanced));
        advanced = bytes_read;
    };
    reader.await.map_err(|e| AppError::Internal(format!("the import's reader stopped: {e}")))?;
    let [waiting, working] = spent;
    tracing::debug!(elapsed = ?started.elapsed(), mem = %memory::usage(), ?waiting, ?working, "import: read and checked");
    let new = match planner.finish(facts) {
        Ok(new) => new,
        Err(problems) => {
            if let Some(w) = writer.take() {
                w.abandon().await?;
            }
            return Ok(summary.refused(problems));
        }
    };
    summary.created_sites = new.sites;
    summary.created_departments = new.departments;
    summary.created_models = new.models.iter().map(|m| format!("{} {}", m.manufacturer, m.name)).collect();
    let Some(writer) = writer else {
        return Ok(summary);
    };
    if summary.created + summary.updated == 0 {
        // Nothing to change: nothing was written, and no event says otherwise.
        writer.abandon().await?;
        return Ok(summary);
    }
    summary.applied = true;
    writer.finish(&summary).await?;
    progress.finish();
    tracing::debug!(elapsed = ?started.elapsed(), mem = %memory::usage(), "import: written");
    if summary.created + summary.updated >= 1_000 {
        crate::store::connect::analyze(db).await?;
        tracing::debug!(elapsed = ?started.elapsed(), mem = %memory::usage(), "import: statistics refreshed");
    }
    Ok(summary)
}

/// The reader thread: parses the file and hands it over a chunk at a time; stops when the import does.
fn read_rows(input: Input, mapping: &Mapping, tx: tokio::sync::mpsc::Sender<Parsed>) {
    let input = match input.into_reader() {
        Ok(r) => r,
        Err(e) => {
            let problem = Problem::file(format!("the file cannot be read: {e}"), "check the file and try again");
            let _ = tx.blocking_send(Parsed::Refused(vec![problem]));
            return;
        }
    };
    let mut reader = match RowReader::open(input, mapping) {
        Ok(r) => r,
        Err(problems) => {
            let _ = tx.blocking_send(Parsed::Refused(problems));
            return;
        }
    };
    if tx.blocking_send(Parsed::Header(reader.header().clone())).is_err() {
        return;
    }
    loop {
        let rows = reader.next_rows(CHUNK_ROWS);
        if rows.is_empty() {
            break;
        }
        let parsed = Parsed::Rows { rows, bytes_read: reader.bytes_read(), troubled: reader.has_problems() };
        if tx.blocking_send(parsed).is_err() {
            return;
        }
    }
    let _ = tx.blocking_send(Parsed::End(reader.finish()));
}

async fn reader_failed(reader: tokio::task::JoinHandle<()>) -> AppError {
    match reader.await {
        Err(e) => AppError::Internal(format!("the import's reader stopped: {e}")),
        Ok(()) => AppError::Internal("the import's reader ended without a word".into()),
    }
}

async fn read_catalogue<C: ConnectionTrait>(
    conn: &C,
) -> AppResult<(Vec<site::Model>, Vec<department::Model>, Vec<device_model::Model>)> {
    Ok((
        site::Entity::find().all(conn).await?,
        department::Entity::find().all(conn).await?,
        device_model::Entity::find().all(conn).await?,
    ))
}

/// The existing assets a chunk names, by their own tags and as parents.
struct ChunkExisting {
    assets: HashMap<String, asset::Model>,
    tags_by_id: HashMap<i32, String>,
}

impl ChunkExisting {
    fn view(&self) -> Existing<'_> {
        Existing { assets: &self.assets, tags_by_id: &self.tags_by_id }
    }
}

async fn read_existing<C: ConnectionTrait>(conn: &C, rows: &[AssetRow]) -> AppResult<ChunkExisting> {
    let mut tags: Vec<String> = rows.iter().map(|r| r.tag.to_string()).collect();
    tags.extend(rows.iter().filter_map(|r| match &r.changes.parent_asset_tag {
        Patch::Value(t) => Some(t.to_string()),
        _ => None,
    }));
    tags.sort();
    tags.dedup();
    let mut assets = HashMap::new();
    for chunk in tags.chunks(500) {
        for a in asset::Entity::find().filter(asset::Column::AssetTag.is_in(chunk.iter().cloned())).all(conn).await? {
            assets.insert(a.asset_tag.clone(), a);
        }
    }
    let parent_ids = assets.values().filter_map(|a| a.parent_asset_id).collect();
    let tags_by_id = super::export::tags_by_id(conn, parent_ids).await?;
    Ok(ChunkExisting { assets, tags_by_id })
}

/// The import's transaction on a connection of its own (see [`connect::bulk_writer`]), and what it has
/// written so far. Writing is a pipeline one chunk deep: a chunk is checked and its statements built
/// while the database runs the chunk before's, so the two cores are both at work.
struct Writer<'a> {
    conn: DatabaseConnection,
    txn: DatabaseTransaction,
    actor: &'a Actor,
    created: CreatedIds,
    /// The chunk built and waiting for the database.
    queued: Option<Prepared>,
    /// Rows whose parent comes later in the file, written once every parent is.
    deferred: Vec<PlannedAsset>,
}

/// Ids of the sites, departments and models the import created, in the planner's order.
#[derive(Default)]
struct CreatedIds {
    sites: Vec<i32>,
    departments: Vec<i32>,
    models: Vec<i32>,
}

impl CreatedIds {
    /// Whether the planner has planned sites, departments or models not created yet.
    fn lacks_some_of(&self, planner: &Planner<'_>) -> bool {
        self.sites.len() < planner.new_sites().len()
            || self.departments.len() < planner.new_departments().len()
            || self.models.len() < planner.new_models().len()
    }
}

/// A chunk checked, and either built for the database or (when it needs records created first, or
/// will not be written) only planned.
enum Next {
    Prepared(Prepared),
    Planned(Vec<PlannedAsset>),
}

/// A chunk made ready for the database: its inserts and their audit events as statements, and the
/// updates (each written on its own, with its before and after).
struct Prepared {
    statements: Vec<Statement>,
    updates: Vec<PlannedAsset>,
}

impl<'a> Writer<'a> {
    async fn begin(db: &DatabaseConnection, actor: &'a Actor) -> AppResult<Writer<'a>> {
        let conn = connect::bulk_writer(db).await?;
        let txn = conn.begin_write().await?;
        Ok(Writer { conn, txn, actor, created: CreatedIds::default(), queued: None, deferred: vec![] })
    }

    /// The last chunk, the rows whose parent came later in the file, the import's own event, the check
    /// of every reference, and the commit.
    async fn finish(mut self, summary: &ImportSummary) -> AppResult<()> {
        if let Some(p) = self.queued.take() {
            execute(&self.txn, self.actor, p).await?;
        }
        let mut deferred = std::mem::take(&mut self.deferred);
        if !deferred.is_empty() {
            let parents = deferred.iter().filter_map(|r| r.parent_in_file.clone()).collect();
            let ids = super::export::ids_by_tag(&self.txn, parents).await?;
            for r in &mut deferred {
                let parent = r.parent_in_file.take().unwrap_or_default();
                let id = ids.get(&parent).copied().ok_or_else(|| {
                    AppError::Internal(format!("import: parent {parent} of line {} was not written", r.line))
                })?;
                r.asset.parent_asset_id = Some(id);
            }
            // Their parents are known now, so none is set aside again; the statements split as they must.
            let backend = self.txn.get_database_backend();
            let p = prepare(backend, self.actor, &self.created, deferred, &mut Vec::new())?;
            execute(&self.txn, self.actor, p).await?;
        }
        let event = NewEvent {
            action: Action::Import,
            entity_type: "import",
            entity_id: summary.source.clone(),
            before_json: None,
            after_json: Some(json(summary)),
        };
        audit::record_many_in(&self.txn, self.actor, vec![event]).await?;
        if let Err(e) = connect::check_foreign_keys(&self.txn, "asset").await {
            self.abandon().await?;
            return Err(e.into());
        }
        self.txn.commit().await?;
        close(self.conn).await;
        Ok(())
    }

    /// Writes nothing after all.
    async fn abandon(self) -> AppResult<()> {
        self.txn.rollback().await?;
        close(self.conn).await;
        Ok(())
    }

    async fn create_records(&mut self, planner: &Planner<'_>, source: &str) -> AppResult<()> {
        let (txn, actor, created) = (&self.txn, self.actor, &mut self.created);
        let note = || format!("Created by the import of {source}");
        for name in &planner.new_sites()[created.sites.len()..] {
            let changes = sites::SiteChanges {
                name: Patch::Value(name.clone()),
                notes: Patch::Value(note()),
                ..Default::default()
            };
            created.sites.push(sites::create_in(txn, actor, changes).await?.id);
        }
        for name in &planner.new_departments()[created.departments.len()..] {
            let changes = departments::DepartmentChanges {
                name: Patch::Value(name.clone()),
                notes: Patch::Value(note()),
                ..Default::default()
            };
            created.departments.push(departments::create_in(txn, actor, changes).await?.id);
        }
        for m in &planner.new_models()[created.models.len()..] {
            let (on, sleep, off) = m.power.watts();
            let changes = device_models::DeviceModelChanges {
                manufacturer: Patch::Value(m.manufacturer.clone()),
                name: Patch::Value(m.name.clone()),
                category: Patch::Value(m.category),
                on_watts: Patch::Value(on),
                sleep_watts: Patch::Value(sleep),
                off_watts: Patch::Value(off),
                notes: Patch::Value(format!(
                    "{}. Typical figures for the category until this model's own are entered. {}",
                    note(),
                    m.power.note()
                )),
                ..Default::default()
            };
            created.models.push(device_models::create_in(txn, actor, changes).await?.id);
        }
        Ok(())
    }
}

/// Builds a chunk's statements: placeholder ids made real, rows whose parent is not written yet set
/// aside in `deferred`, the inserts, and each new asset's audit event (the values it was created with,
/// not the whole derived record: see `asset_audit`).
fn prepare(
    backend: DbBackend,
    actor: &Actor,
    created: &CreatedIds,
    planned: Vec<PlannedAsset>,
    deferred: &mut Vec<PlannedAsset>,
) -> AppResult<Prepared> {
    let mut inserts = Vec::with_capacity(planned.len());
    let mut events = Vec::with_capacity(planned.len());
    let mut updates = Vec::new();
    for mut r in planned {
        if r.outcome == Outcome::Unchanged {
            continue;
        }
        let a = &mut r.asset;
        a.site_id = a.site_id.map(|id| real_id(id, &created.sites));
        a.department_id = a.department_id.map(|id| real_id(id, &created.departments));
        a.model_id = a.model_id.map(|id| real_id(id, &created.models));
        if r.parent_in_file.is_some() {
            deferred.push(r);
        } else if r.outcome == Outcome::Create {
            events.push((r.asset.asset_tag.clone(), asset_audit::created_json(&r.asset, r.parent_tag.as_deref())));
            let mut am = r.asset.into_active_model().reset_all();
            am.id = NotSet;
            inserts.push(am);
        } else {
            updates.push(r);
        }
    }
    let mut statements = bulk::insert_all_in_statements::<asset::Entity>(backend, inserts)?;
    statements.extend(audit::created_by_key(backend, actor, assets::ENTITY, "asset", "asset_tag", events));
    Ok(Prepared { statements, updates })
}

/// Runs a prepared chunk: the inserts and their events, then each update with its event.
async fn execute(txn: &DatabaseTransaction, actor: &Actor, p: Prepared) -> AppResult<()> {
    bulk::run(txn, p.statements).await?;
    let mut events = Vec::with_capacity(p.updates.len());
    for r in p.updates {
        let Outcome::Update { before, before_parent_tag } = r.outcome else { continue };
        let saved = r.asset.into_active_model().reset_all().update(txn).await?;
        let before = assets::AssetView::from_model(*before, before_parent_tag);
        let after = assets::AssetView::from_model(saved, r.parent_tag);
        events.push(NewEvent {
            action: Action::Update,
            entity_type: assets::ENTITY,
            entity_id: after.id.to_string(),
            before_json: Some(json(&before)),
            after_json: Some(json(&after)),
        });
    }
    audit::record_many_in(txn, actor, events).await
}

/// Closes a bulk writer's own connection; on PostgreSQL it is the shared pool, which stays open.
async fn close(conn: DatabaseConnection) {
    if conn.get_database_backend() == DbBackend::Sqlite {
        if let Err(e) = conn.close().await {
            tracing::warn!(error = %e, "import: closing the writer's connection");
        }
    }
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}
