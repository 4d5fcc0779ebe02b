//! Importing and exporting the catalogue: sites, departments and device models. These files are short
//! (tens or hundreds of rows), so each row goes through the same service call as the API, all in one
//! transaction that is rolled back if any row has a problem (or for a dry run). Rows match existing
//! records by name (models: manufacturer and name), case and spacing ignored.

use crate::store::BeginWrite;
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use std::collections::HashMap;
use std::future::Future;
use std::io::Write;
use std::str::FromStr;

use super::columns::{Header, ImportField, Mapping};
use super::records::{self, Records};
use super::{ImportOptions, ImportSummary, Problem};
use crate::domain::{Gbp, Patch};
use crate::error::{AppError, AppResult};
use crate::services::audit::{self, Action, NewEvent};
use crate::services::departments::{self, DepartmentChanges};
use crate::services::device_models::{self, DeviceModelChanges};
use crate::services::sites::{self, SiteChanges};
use crate::services::Actor;

/// One kind of catalogue record, as an import and export see it.
pub trait CatalogueKind {
    type Field: ImportField;
    type Changes: Default + Send;
    /// "sites", for summaries and the audit trail.
    const NAME: &'static str;
    /// The column a file cannot do without.
    const REQUIRED: Self::Field;

    /// Existing records by match key, with their ids.
    fn existing(db: &DatabaseConnection) -> impl Future<Output = AppResult<HashMap<String, i32>>> + Send;
    /// A cell's value into the changes; a problem is described as (message, fix).
    fn set(c: &mut Self::Changes, field: Self::Field, raw: &str) -> Result<(), (String, String)>;
    /// The match key of a row, from its changes.
    fn key(c: &Self::Changes) -> String;
    fn create(txn: &DatabaseTransaction, actor: &Actor, c: Self::Changes)
        -> impl Future<Output = AppResult<()>> + Send;
    /// Whether anything changed.
    fn update(
        txn: &DatabaseTransaction,
        actor: &Actor,
        id: i32,
        c: Self::Changes,
    ) -> impl Future<Output = AppResult<bool>> + Send;
    /// Every record as export rows, in the order of [`ImportField::ALL`].
    fn rows(db: &DatabaseConnection) -> impl Future<Output = AppResult<Vec<Vec<String>>>> + Send;
}

fn key(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn text(raw: &str) -> Patch<String> {
    if raw.is_empty() {
        Patch::Null
    } else {
        Patch::Value(raw.to_string())
    }
}

fn number<T: FromStr>(raw: &str, what: &str, example: &str) -> Result<Patch<T>, (String, String)> {
    if raw.is_empty() {
        return Ok(Patch::Null);
    }
    raw.parse::<T>()
        .map(Patch::Value)
        .map_err(|_| (format!("'{raw}' is not {what}"), format!("write {what}, e.g. {example}")))
}

pub async fn import<K: CatalogueKind>(
    db: &DatabaseConnection,
    actor: &Actor,
    bytes: &[u8],
    mapping: &Mapping,
    options: &ImportOptions,
) -> AppResult<ImportSummary> {
    let mut summary = ImportSummary::new(K::NAME, options);
    let Records { header, records, mut problems } = match records::read(bytes, mapping, K::REQUIRED) {
        Ok(r) => r,
        Err(p) => return Ok(summary.refused(p)),
    };
    summary.warnings = header.warnings.clone();
    let existing = K::existing(db).await?;
    let txn = db.begin_write().await?;
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (line, record) in records {
        let mut changes = K::Changes::default();
        let mut ok = true;
        for (i, field) in header.fields.iter().enumerate() {
            let Some(field) = *field else { continue };
            let raw = record.get(i).unwrap_or("").trim();
            if let Err((message, fix)) = K::set(&mut changes, field, raw) {
                problems.push(Problem::cell(line, &header.names[i], raw, message, fix));
                ok = false;
            }
        }
        let k = K::key(&changes);
        if let Some(first) = seen.insert(k.clone(), line) {
            problems.push(Problem::at(
                line,
                format!("this row is for the same {} as line {first}", K::NAME.trim_end_matches('s')),
                "keep one row for each",
            ));
            continue;
        }
        if !ok {
            continue;
        }
        let outcome = match existing.get(&k) {
            Some(id) => K::update(&txn, actor, *id, changes).await.map(|changed| if changed { 1 } else { 2 }),
            None => K::create(&txn, actor, changes).await.map(|_| 0),
        };
        match outcome {
            Ok(0) => summary.created += 1,
            Ok(1) => summary.updated += 1,
            Ok(_) => summary.unchanged += 1,
            Err(e) => problems.extend(row_problems(line, &header, e)?),
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        txn.rollback().await?;
        summary.created = 0;
        summary.updated = 0;
        summary.unchanged = 0;
        return Ok(summary.refused(problems));
    }
    if options.dry_run || summary.created + summary.updated == 0 {
        txn.rollback().await?;
        return Ok(summary);
    }
    summary.applied = true;
    let event = NewEvent {
        action: Action::Import,
        entity_type: "import",
        entity_id: summary.source.clone(),
        before_json: None,
        after_json: serde_json::to_string(&summary).ok(),
    };
    audit::record_many(&txn, actor, vec![event]).await?;
    txn.commit().await?;
    Ok(summary)
}

/// A service's refusal of a row as problems on that row; database and internal failures stop the import.
fn row_problems<F: ImportField>(line: u64, header: &Header<F>, e: AppError) -> AppResult<Vec<Problem>> {
    let column = |field: &str| {
        F::ALL.iter().find(|f| f.name() == field).map_or(field.to_string(), |f| header.name_of(*f).to_string())
    };
    let at = |field: Option<String>, message: String| Problem {
        line: Some(line),
        column: field.map(|f| column(&f)),
        value: None,
        message,
        fix: "correct the value on this row".into(),
    };
    Ok(match e {
        AppError::Unprocessable(errs) => errs.0.into_iter().map(|e| at(Some(e.field), e.message)).collect(),
        AppError::Conflict { message, field, .. } | AppError::BadRequest { message, field, .. } => {
            vec![at(field, message)]
        }
        other => return Err(other),
    })
}

/// Writes every record of the kind as CSV in our own columns.
pub async fn export<K: CatalogueKind, W: Write>(db: &DatabaseConnection, out: W) -> AppResult<u64> {
    let rows = K::rows(db).await?;
    let mut w = csv::Writer::from_writer(out);
    let io = |e: csv::Error| AppError::Internal(format!("writing the export failed: {e}"));
    w.write_record(K::Field::ALL.iter().map(|f| f.name())).map_err(io)?;
    for r in &rows {
        w.write_record(r).map_err(io)?;
    }
    w.flush().map_err(|e| AppError::Internal(format!("writing the export failed: {e}")))?;
    Ok(rows.len() as u64)
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

// ---- sites ----

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SiteField {
    Name,
    Address,
    Postcode,
    Pue,
    Notes,
}

impl ImportField for SiteField {
    const ALL: &'static [SiteField] =
        &[SiteField::Name, SiteField::Address, SiteField::Postcode, SiteField::Pue, SiteField::Notes];
    fn name(self) -> &'static str {
        match self {
            SiteField::Name => "name",
            SiteField::Address => "address",
            SiteField::Postcode => "postcode",
            SiteField::Pue => "pue",
            SiteField::Notes => "notes",
        }
    }
    fn aliases(self) -> &'static [&'static str] {
        match self {
            SiteField::Name => &["site", "site name", "location", "location name", "building"],
            SiteField::Address => &["address 1", "street", "address line 1"],
            SiteField::Postcode => &["post code", "postal code", "zip", "zip code"],
            SiteField::Pue => &["power usage effectiveness"],
            SiteField::Notes => &["comments", "comment", "description"],
        }
    }
}

pub struct Sites;

impl CatalogueKind for Sites {
    type Field = SiteField;
    type Changes = SiteChanges;
    const NAME: &'static str = "sites";
    const REQUIRED: SiteField = SiteField::Name;

    async fn existing(db: &DatabaseConnection) -> AppResult<HashMap<String, i32>> {
        Ok(sites::list(db).await?.into_iter().map(|s| (key(&s.name), s.id)).collect())
    }
    fn set(c: &mut SiteChanges, field: SiteField, raw: &str) -> Result<(), (String, String)> {
        match field {
            SiteField::Name => c.name = text(raw),
            SiteField::Address => c.address = text(raw),
            SiteField::Postcode => c.postcode = text(raw),
            SiteField::Pue => c.pue = number(raw, "a number", "1.8")?,
            SiteField::Notes => c.notes = text(raw),
        }
        Ok(())
    }
    fn key(c: &SiteChanges) -> String {
        match &c.name {
            Patch::Value(n) => key(n),
            _ => String::new(),
        }
    }
    async fn create(txn: &DatabaseTransaction, actor: &Actor, c: SiteChanges) -> AppResult<()> {
        sites::create_in(txn, actor, c).await.map(|_| ())
    }
    async fn update(txn: &DatabaseTransaction, actor: &Actor, id: i32, c: SiteChanges) -> AppResult<bool> {
        sites::update_in(txn, actor, id, c).await.map(|(_, changed)| changed)
    }
    async fn rows(db: &DatabaseConnection) -> AppResult<Vec<Vec<String>>> {
        Ok(sites::list(db)
            .await?
            .into_iter()
            .map(|s| vec![s.name, opt(s.address), opt(s.postcode), opt(s.pue), opt(s.notes)])
            .collect())
    }
}

// ---- departments ----

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DepartmentField {
    Name,
    CostCentre,
    Notes,
}

impl ImportField for DepartmentField {
    const ALL: &'static [DepartmentField] =
        &[DepartmentField::Name, DepartmentField::CostCentre, DepartmentField::Notes];
    fn name(self) -> &'static str {
        match self {
            DepartmentField::Name => "name",
            DepartmentField::CostCentre => "cost_centre",
            DepartmentField::Notes => "notes",
        }
    }
    fn aliases(self) -> &'static [&'static str] {
        match self {
            DepartmentField::Name => &["department", "department name", "dept", "service area"],
            DepartmentField::CostCentre => &["cost center", "cost code", "code", "cost centre code"],
            DepartmentField::Notes => &["comments", "comment", "description"],
        }
    }
}

pub struct Departments;

impl CatalogueKind for Departments {
    type Field = DepartmentField;
    type Changes = DepartmentChanges;
    const NAME: &'static str = "departments";
    const REQUIRED: DepartmentField = DepartmentField::Name;

    async fn existing(db: &DatabaseConnection) -> AppResult<HashMap<String, i32>> {
        Ok(departments::list(db).await?.into_iter().map(|d| (key(&d.name), d.id)).collect())
    }
    fn set(c: &mut DepartmentChanges, field: DepartmentField, raw: &str) -> Result<(), (String, String)> {
        match field {
            DepartmentField::Name => c.name = text(raw),
            DepartmentField::CostCentre => c.cost_centre = text(raw),
            DepartmentField::Notes => c.notes = text(raw),
        }
        Ok(())
    }
    fn key(c: &DepartmentChanges) -> String {
        match &c.name {
            Patch::Value(n) => key(n),
            _ => String::new(),
        }
    }
    async fn create(txn: &DatabaseTransaction, actor: &Actor, c: DepartmentChanges) -> AppResult<()> {
        departments::create_in(txn, actor, c).await.map(|_| ())
    }
    async fn update(txn: &DatabaseTransaction, actor: &Actor, id: i32, c: DepartmentChanges) -> AppResult<bool> {
        departments::update_in(txn, actor, id, c).await.map(|(_, changed)| changed)
    }
    async fn rows(db: &DatabaseConnection) -> AppResult<Vec<Vec<String>>> {
        Ok(departments::list(db).await?.into_iter().map(|d| vec![d.name, opt(d.cost_centre), opt(d.notes)]).collect())
    }
}

// ---- device models ----

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelField {
    Manufacturer,
    Name,
    Category,
    OnWatts,
    SleepWatts,
    OffWatts,
    TecKwhPerYear,
    EmbodiedKgCo2e,
    EmbodiedSource,
    WeightKg,
    DefaultLifeMonths,
    ReplacementPrice,
    Notes,
}

impl ImportField for ModelField {
    const ALL: &'static [ModelField] = &[
        ModelField::Manufacturer,
        ModelField::Name,
        ModelField::Category,
        ModelField::OnWatts,
        ModelField::SleepWatts,
        ModelField::OffWatts,
        ModelField::TecKwhPerYear,
        ModelField::EmbodiedKgCo2e,
        ModelField::EmbodiedSource,
        ModelField::WeightKg,
        ModelField::DefaultLifeMonths,
        ModelField::ReplacementPrice,
        ModelField::Notes,
    ];
    fn name(self) -> &'static str {
        match self {
            ModelField::Manufacturer => "manufacturer",
            ModelField::Name => "name",
            ModelField::Category => "category",
            ModelField::OnWatts => "on_watts",
            ModelField::SleepWatts => "sleep_watts",
            ModelField::OffWatts => "off_watts",
            ModelField::TecKwhPerYear => "tec_kwh_per_year",
            ModelField::EmbodiedKgCo2e => "embodied_kg_co2e",
            ModelField::EmbodiedSource => "embodied_source",
            ModelField::WeightKg => "weight_kg",
            ModelField::DefaultLifeMonths => "default_life_months",
            ModelField::ReplacementPrice => "replacement_price",
            ModelField::Notes => "notes",
        }
    }
    fn aliases(self) -> &'static [&'static str] {
        match self {
            ModelField::Manufacturer => &["make", "vendor", "manufacturer name"],
            ModelField::Name => &["model", "model name", "model number", "model no"],
            ModelField::Category => &["type", "device type", "category name"],
            ModelField::OnWatts => &["watts on", "power on watts", "idle watts"],
            ModelField::SleepWatts => &["watts sleep", "power sleep watts"],
            ModelField::OffWatts => &["watts off", "power off watts"],
            ModelField::TecKwhPerYear => &["tec", "tec kwh", "typical energy consumption"],
            ModelField::EmbodiedKgCo2e => &["embodied carbon", "embodied kgco2e", "manufacturing kgco2e"],
            ModelField::EmbodiedSource => &["embodied carbon source", "pcf source"],
            ModelField::WeightKg => &["weight", "weight kg"],
            ModelField::DefaultLifeMonths => &["life months", "eol months", "life"],
            ModelField::ReplacementPrice => &["price", "replacement cost", "unit price"],
            ModelField::Notes => &["comments", "comment", "description"],
        }
    }
}

pub struct Models;

impl CatalogueKind for Models {
    type Field = ModelField;
    type Changes = DeviceModelChanges;
    const NAME: &'static str = "models";
    const REQUIRED: ModelField = ModelField::Name;

    async fn existing(db: &DatabaseConnection) -> AppResult<HashMap<String, i32>> {
        Ok(device_models::list(db, None)
            .await?
            .into_iter()
            .map(|m| (format!("{}\u{1f}{}", key(&m.manufacturer), key(&m.name)), m.id))
            .collect())
    }
    fn set(c: &mut DeviceModelChanges, field: ModelField, raw: &str) -> Result<(), (String, String)> {
        let watts = |raw: &str| number::<f64>(raw, "a number of watts", "12.5");
        match field {
            ModelField::Manufacturer => c.manufacturer = text(raw),
            ModelField::Name => c.name = text(raw),
            ModelField::Category => {
                c.category = if raw.is_empty() {
                    Patch::Null
                } else {
                    match super::values::category(raw) {
                        Some(cat) => Patch::Value(cat),
                        None => {
                            return Err((
                                format!("'{raw}' is not a category greenict knows"),
                                super::values::category_fix(),
                            ))
                        }
                    }
                }
            }
            ModelField::OnWatts => c.on_watts = watts(raw)?,
            ModelField::SleepWatts => c.sleep_watts = watts(raw)?,
            ModelField::OffWatts => c.off_watts = watts(raw)?,
            ModelField::TecKwhPerYear => c.tec_kwh_per_year = number(raw, "a number of kWh a year", "45.0")?,
            ModelField::EmbodiedKgCo2e => c.embodied_kg_co2e = number(raw, "a number of kgCO2e", "290")?,
            ModelField::EmbodiedSource => c.embodied_source = text(raw),
            ModelField::WeightKg => c.weight_kg = number(raw, "a number of kg", "1.3")?,
            ModelField::DefaultLifeMonths => {
                c.default_life_months = number(raw.trim_end_matches("months").trim(), "a number of months", "60")?
            }
            ModelField::ReplacementPrice => {
                c.replacement_price = number::<Gbp>(raw, "an amount of money", "499.00 or £1,234.50")?
            }
            ModelField::Notes => c.notes = text(raw),
        }
        Ok(())
    }
    fn key(c: &DeviceModelChanges) -> String {
        let part = |p: &Patch<String>| match p {
            Patch::Value(v) => key(v),
            _ => String::new(),
        };
        format!("{}\u{1f}{}", part(&c.manufacturer), part(&c.name))
    }
    async fn create(txn: &DatabaseTransaction, actor: &Actor, c: DeviceModelChanges) -> AppResult<()> {
        device_models::create_in(txn, actor, c).await.map(|_| ())
    }
    async fn update(txn: &DatabaseTransaction, actor: &Actor, id: i32, c: DeviceModelChanges) -> AppResult<bool> {
        device_models::update_in(txn, actor, id, c).await.map(|(_, changed)| changed)
    }
    async fn rows(db: &DatabaseConnection) -> AppResult<Vec<Vec<String>>> {
        Ok(device_models::list(db, None)
            .await?
            .into_iter()
            .map(|m| {
                vec![
                    m.manufacturer,
                    m.name,
                    m.category.as_str().to_string(),
                    m.on_watts.to_string(),
                    m.sleep_watts.to_string(),
                    m.off_watts.to_string(),
                    opt(m.tec_kwh_per_year),
                    opt(m.embodied_kg_co2e),
                    opt(m.embodied_source),
                    opt(m.weight_kg),
                    opt(m.default_life_months),
                    opt(m.replacement_price),
                    opt(m.notes),
                ]
            })
            .collect())
    }
}
