//! CSV in and out: import files from a spreadsheet or another asset tool (all or nothing, every
//! problem placed by line and column), and export the register in a form that imports back unchanged.
//! Parsing and planning are pure ([`asset_rows`], [`asset_plan`]); [`asset_import`] reads and writes
//! the database. May depend on `services`, `domain` and `store`, never on `web`.

pub mod asset_audit;
pub mod asset_fields;
pub mod asset_import;
pub mod asset_plan;
pub mod asset_rows;
pub mod catalogue;
pub mod columns;
pub mod decode;
pub mod disposal_import;
pub mod export;
mod memory;
pub mod meter_file;
pub mod meter_import;
pub mod meter_time;
mod problem;
pub mod progress;
pub mod records;
pub mod report;
pub mod values;

pub use asset_import::import_assets;
pub use columns::Mapping;
pub use problem::Problem;

use serde::Serialize;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, clap::ValueEnum, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Assets,
    Sites,
    Departments,
    Models,
    /// A meter's half-hourly or daily kWh (see `meter_file` for the shapes read).
    MeterReadings,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Assets, Kind::Sites, Kind::Departments, Kind::Models, Kind::MeterReadings];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Assets => "assets",
            Kind::Sites => "sites",
            Kind::Departments => "departments",
            Kind::Models => "models",
            Kind::MeterReadings => "meter_readings",
        }
    }
}

/// An import file: an upload's bytes, or a file on disk, which an asset import reads as it goes.
pub enum Input {
    Bytes(Vec<u8>),
    File(std::path::PathBuf),
}

impl Input {
    /// The file's size in bytes, where known (for a progress bar).
    pub fn len(&self) -> u64 {
        match self {
            Input::Bytes(b) => b.len() as u64,
            Input::File(path) => std::fs::metadata(path).map_or(0, |m| m.len()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn into_reader(self) -> std::io::Result<Box<dyn std::io::Read + Send>> {
        Ok(match self {
            Input::Bytes(b) => Box::new(std::io::Cursor::new(b)),
            Input::File(path) => Box::new(std::fs::File::open(path)?),
        })
    }

    fn into_bytes(self) -> crate::error::AppResult<Vec<u8>> {
        match self {
            Input::Bytes(b) => Ok(b),
            Input::File(path) => std::fs::read(&path).map_err(|e| crate::error::AppError::BadRequest {
                code: "unreadable_file",
                message: format!("cannot read {}: {e}", path.display()),
                field: None,
            }),
        }
    }
}

/// Imports a file of the given kind (see [`import_assets`]).
pub async fn import(
    db: &sea_orm::DatabaseConnection,
    actor: &crate::services::Actor,
    kind: Kind,
    input: Input,
    mapping: &Mapping,
    options: &ImportOptions,
    progress: &dyn Progress,
) -> crate::error::AppResult<ImportSummary> {
    // Only the asset register is large enough to be read as it goes; the others are read whole.
    match kind {
        Kind::Assets => import_assets(db, actor, input, mapping, options, progress).await,
        Kind::Sites => catalogue::import::<catalogue::Sites>(db, actor, &input.into_bytes()?, mapping, options).await,
        Kind::Departments => {
            catalogue::import::<catalogue::Departments>(db, actor, &input.into_bytes()?, mapping, options).await
        }
        Kind::Models => catalogue::import::<catalogue::Models>(db, actor, &input.into_bytes()?, mapping, options).await,
        Kind::MeterReadings => meter_import::import_readings(db, actor, &input.into_bytes()?, options).await,
    }
}

/// Writes the whole register of the given kind as CSV; returns the number of rows.
pub async fn export<W: std::io::Write>(
    db: &sea_orm::DatabaseConnection,
    kind: Kind,
    out: W,
) -> crate::error::AppResult<u64> {
    match kind {
        Kind::Assets => export::export_assets(db, &crate::services::asset_list::AssetQuery::default(), out).await,
        Kind::Sites => catalogue::export::<catalogue::Sites, _>(db, out).await,
        Kind::Departments => catalogue::export::<catalogue::Departments, _>(db, out).await,
        Kind::Models => catalogue::export::<catalogue::Models, _>(db, out).await,
        Kind::MeterReadings => Err(crate::error::AppError::BadRequest {
            code: "invalid_parameter",
            message: "meter readings are not exported as a register; see GET /api/v1/meters/{id}/readings".into(),
            field: Some("kind".into()),
        }),
    }
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Check and count, write nothing.
    pub dry_run: bool,
    /// Create the sites, departments and models the file names but the register lacks.
    pub create_missing: bool,
    /// Where the file came from (its name), for the audit trail and messages.
    pub source: String,
    /// For meter readings: the meter they are for.
    pub meter: Option<meter_import::MeterChoice>,
}

/// What an import did, or would do, or why it did nothing.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    pub kind: &'static str,
    pub source: String,
    pub dry_run: bool,
    /// True when the file was written (not a dry run, no problems, something to change).
    pub applied: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub created_sites: Vec<String>,
    pub created_departments: Vec<String>,
    pub created_models: Vec<String>,
    /// Things the user should know that do not stop the import (columns not imported).
    pub warnings: Vec<String>,
    /// Why nothing was imported: every problem in the file.
    pub problems: Vec<Problem>,
    /// For meter readings: the meter and what the file held.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meter: Option<meter_import::MeterImported>,
}

impl ImportSummary {
    pub fn new(kind: &'static str, options: &ImportOptions) -> ImportSummary {
        ImportSummary {
            kind,
            source: options.source.clone(),
            dry_run: options.dry_run,
            applied: false,
            created: 0,
            updated: 0,
            unchanged: 0,
            created_sites: vec![],
            created_departments: vec![],
            created_models: vec![],
            warnings: vec![],
            problems: vec![],
            meter: None,
        }
    }

    pub fn refused(mut self, problems: Vec<Problem>) -> ImportSummary {
        self.problems = problems;
        self
    }

    pub fn is_refused(&self) -> bool {
        !self.problems.is_empty()
    }
}

/// Progress of a long import, for the command line's progress bar; the web ignores it.
pub trait Progress: Sync {
    /// A new phase of `total` units of work (bytes of the file) begins.
    fn step(&self, _phase: &str, _total: u64) {}
    fn advance(&self, _units: u64) {}
    fn finish(&self) {}
}

/// No progress shown.
pub struct Silent;

impl Progress for Silent {}
