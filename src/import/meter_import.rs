//! Importing a file of meter readings into one meter: parse it (`meter_file`, pure), find (or, when asked,
//! create) the meter, and upsert by (meter, interval start) so a re-import changes nothing and a file
//! overlapping earlier readings replaces those intervals. All or nothing, one audit event for the file.

use crate::store::BeginWrite;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, NotSet, QueryFilter, QuerySelect, Set};
use serde::Serialize;
use std::collections::HashMap;
use std::str::FromStr;

use super::meter_file::{self, Reading};
use super::{ImportOptions, ImportSummary, Problem};
use crate::error::AppResult;
use crate::services::audit::{self, Action};
use crate::services::meters::{self, Found, MeterChanges};
use crate::services::Actor;
use crate::store::{meter, meter_reading, site};

/// Which meter a file is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeterChoice {
    Id(i32),
    /// By name; the site's name is needed when two sites have a meter of that name, and to create it.
    Named {
        name: String,
        site: Option<String>,
    },
}

/// Rows per INSERT: 4 bound values each, well inside SQLite's 32,766.
const ROWS_PER_STATEMENT: usize = 5_000;

/// What the file was and which meter it went to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeterImported {
    /// Absent for a dry run that would create the meter.
    pub meter_id: Option<i32>,
    pub meter: String,
    pub site: String,
    pub created_meter: bool,
    pub shape: String,
    pub first_start: Option<DateTime<Utc>>,
    pub last_start: Option<DateTime<Utc>>,
    #[schema(value_type = String)]
    pub total_kwh: Decimal,
}

enum Target {
    Existing(meter::Model),
    /// To be created at this site.
    New {
        name: String,
        site_id: i32,
    },
}

async fn target(db: &DatabaseConnection, choice: &MeterChoice, create: bool) -> AppResult<Result<Target, Problem>> {
    let (name, site_name) = match choice {
        MeterChoice::Id(id) => {
            return Ok(match meter::Entity::find_by_id(*id).one(db).await? {
                Some(m) => Ok(Target::Existing(m)),
                None => Err(Problem::file(format!("no meter with id {id}"), "create the meter first, or use its id")),
            })
        }
        MeterChoice::Named { name, site } => (name, site),
    };
    Ok(match meters::find_by_name(db, name, site_name.as_deref()).await? {
        Found::Meter(m) => Ok(Target::Existing(m)),
        Found::Ambiguous(sites) => Err(Problem::file(
            format!("more than one site has a meter named '{name}': {}", sites.join(", ")),
            "name the site too (--site)",
        )),
        Found::Missing(_) if create => {
            let Some(site_name) = site_name else {
                return Ok(Err(Problem::file(
                    format!("there is no meter named '{name}' to create readings for, and no site to create it at"),
                    "name the site with --site",
                )));
            };
            let found =
                site::Entity::find().all(db).await?.into_iter().find(|s| s.name.eq_ignore_ascii_case(site_name));
            match found {
                Some(s) => Ok(Target::New { name: name.trim().to_string(), site_id: s.id }),
                None => Err(Problem::file(format!("there is no site named '{site_name}'"), "add the site first")),
            }
        }
        Found::Missing(known) => {
            let list = if known.is_empty() { "there are no meters yet".to_string() } else { known.join(", ") };
            Err(Problem::file(
                format!("there is no meter named '{name}' (known meters: {list})"),
                "use one of the known meters, or add --create-missing and --site to create it",
            ))
        }
    })
}

pub async fn import_readings(
    db: &DatabaseConnection,
    actor: &Actor,
    bytes: &[u8],
    options: &ImportOptions,
) -> AppResult<ImportSummary> {
    let summary = ImportSummary::new("meter_readings", options);
    let Some(choice) = &options.meter else {
        return Ok(summary.refused(vec![Problem::file(
            "which meter the readings are for was not given",
            "name the meter (--meter NAME, or meter_id= in the API)",
        )]));
    };
    let file = match meter_file::parse(bytes) {
        Ok(f) => f,
        Err(problems) => return Ok(summary.refused(problems)),
    };
    let target = match target(db, choice, options.create_missing).await? {
        Ok(t) => t,
        Err(p) => return Ok(summary.refused(vec![p])),
    };
    let interval = file.readings.first().map_or(30, |r| r.interval_minutes);
    let existing = match &target {
        Target::Existing(m) => existing_readings(db, m.id, &file.readings).await?,
        Target::New { .. } => HashMap::new(),
    };
    if let Target::Existing(m) = &target {
        let other = meter_reading::Entity::find()
            .filter(meter_reading::Column::MeterId.eq(m.id))
            .filter(meter_reading::Column::IntervalMinutes.ne(interval))
            .limit(1)
            .one(db)
            .await?;
        if let Some(o) = other {
            let (has, file_is) = (every(o.interval_minutes), every(interval));
            return Ok(summary.refused(vec![Problem::file(
                format!(
                    "meter '{}' holds {has} readings and this file is {file_is}: mixing them would count energy twice",
                    m.name
                ),
                "import it into a meter of its own, or delete this meter's readings first",
            )]));
        }
    }
    let mut summary = summary;
    summary.warnings = file.warnings.clone();
    let mut changed = Vec::new();
    for r in &file.readings {
        match existing.get(&r.starts_at) {
            None => {
                summary.created += 1;
                changed.push(r);
            }
            Some(kwh) if *kwh == r.kwh => summary.unchanged += 1,
            Some(_) => {
                summary.updated += 1;
                changed.push(r);
            }
        }
    }
    let (mut meter_id, meter_name, site_id, created_meter) = match &target {
        Target::Existing(m) => (Some(m.id), m.name.clone(), m.site_id, false),
        Target::New { name, site_id, .. } => (None, name.clone(), *site_id, true),
    };
    let site_name = site::Entity::find_by_id(site_id).one(db).await?.map(|s| s.name).unwrap_or_default();
    if !options.dry_run && (!changed.is_empty() || created_meter) {
        let txn = db.begin_write().await?;
        let id = match &target {
            Target::Existing(m) => m.id,
            Target::New { name, site_id, .. } => {
                let changes = MeterChanges {
                    site_id: crate::domain::Patch::Value(*site_id),
                    name: crate::domain::Patch::Value(name.clone()),
                    measures: crate::domain::Patch::Value("whole_site".into()),
                    description: crate::domain::Patch::Value(format!("Created by importing {}", options.source)),
                };
                meters::create_in(&txn, actor, changes).await?.id
            }
        };
        meter_id = Some(id);
        upsert(&txn, id, &changed).await?;
        let after = serde_json::json!({
            "source": options.source,
            "meter_id": id,
            "shape": file.shape.label(),
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "first_start": file.readings.first().map(|r| r.starts_at),
            "last_start": file.readings.last().map(|r| r.starts_at),
        });
        audit::record(&txn, actor, Action::Import, "meter_readings", id, None, Some(&after)).await?;
        txn.commit().await?;
        summary.applied = true;
    }
    if created_meter {
        summary.warnings.push(format!(
            "meter '{meter_name}' {} at {site_name} as a whole-site meter; say what it measures on the Meters page",
            if options.dry_run { "would be created" } else { "was created" }
        ));
    }
    summary.meter = Some(MeterImported {
        meter_id,
        meter: meter_name,
        site: site_name,
        created_meter,
        shape: file.shape.label().to_string(),
        first_start: file.readings.first().map(|r| r.starts_at),
        last_start: file.readings.last().map(|r| r.starts_at),
        total_kwh: file.readings.iter().map(|r| r.kwh).sum::<Decimal>().normalize(),
    });
    Ok(summary)
}

fn every(minutes: i32) -> &'static str {
    if minutes == 1440 {
        "daily"
    } else {
        "half-hourly"
    }
}

/// The meter's stored kWh at each start the file covers.
async fn existing_readings(
    db: &DatabaseConnection,
    meter_id: i32,
    file: &[Reading],
) -> AppResult<HashMap<DateTime<Utc>, Decimal>> {
    let (Some(first), Some(last)) = (file.first(), file.last()) else {
        return Ok(HashMap::new());
    };
    let rows = meter_reading::Entity::find()
        .filter(meter_reading::Column::MeterId.eq(meter_id))
        .filter(meter_reading::Column::StartsAt.gte(first.starts_at))
        .filter(meter_reading::Column::StartsAt.lte(last.starts_at))
        .all(db)
        .await?;
    Ok(rows.into_iter().filter_map(|r| Some((r.starts_at, Decimal::from_str(&r.kwh).ok()?))).collect())
}

/// Writes the readings, replacing any held for the same (meter, start), in batches.
pub(crate) async fn upsert(txn: &sea_orm::DatabaseTransaction, meter_id: i32, rows: &[&Reading]) -> AppResult<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let models = chunk.iter().map(|r| meter_reading::ActiveModel {
            id: NotSet,
            meter_id: Set(meter_id),
            starts_at: Set(r.starts_at),
            interval_minutes: Set(r.interval_minutes),
            kwh: Set(r.kwh.to_string()),
        });
        meter_reading::Entity::insert_many(models)
            .on_conflict(
                OnConflict::columns([meter_reading::Column::MeterId, meter_reading::Column::StartsAt])
                    .update_columns([meter_reading::Column::IntervalMinutes, meter_reading::Column::Kwh])
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}
