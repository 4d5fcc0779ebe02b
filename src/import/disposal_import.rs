//! CSV import of the assets in disposals (typically the contractor's erasure report): one row per asset
//! naming its disposal's reference, with its weight and data sanitisation record. All or nothing: every
//! problem is listed by line and column with its fix, and then nothing changes; `dry_run` checks and
//! counts only. Each row goes through `services::disposals::put_asset_in`, so the rules (and audit
//! events) are the same as the API's. The disposals themselves are created first (page or API).

use crate::store::BeginWrite;
use sea_orm::DatabaseConnection;
use std::collections::HashMap;

use super::columns::{Header, ImportField, Mapping};
use super::values::{self, DATE_FIX};
use super::{records, ImportOptions, ImportSummary, Problem};
use crate::domain::disposal::SanitisationMethod;
use crate::domain::Patch;
use crate::error::{AppError, AppResult};
use crate::services::audit::{self, Action, NewEvent};
use crate::services::disposals::{self, LineChanges, LineOutcome};
use crate::services::Actor;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DisposalField {
    Reference,
    AssetTag,
    WeightKg,
    HasStorage,
    Hazardous,
    WeeeCategory,
    SanitisationMethod,
    SanitisationStandard,
    SanitisedBy,
    SanitisedOn,
    CertificateNumber,
}

impl ImportField for DisposalField {
    const ALL: &'static [DisposalField] = &[
        DisposalField::Reference,
        DisposalField::AssetTag,
        DisposalField::WeightKg,
        DisposalField::HasStorage,
        DisposalField::Hazardous,
        DisposalField::WeeeCategory,
        DisposalField::SanitisationMethod,
        DisposalField::SanitisationStandard,
        DisposalField::SanitisedBy,
        DisposalField::SanitisedOn,
        DisposalField::CertificateNumber,
    ];

    fn name(self) -> &'static str {
        match self {
            DisposalField::Reference => "disposal_reference",
            DisposalField::AssetTag => "asset_tag",
            DisposalField::WeightKg => "weight_kg",
            DisposalField::HasStorage => "has_storage",
            DisposalField::Hazardous => "hazardous",
            DisposalField::WeeeCategory => "weee_category",
            DisposalField::SanitisationMethod => "sanitisation_method",
            DisposalField::SanitisationStandard => "sanitisation_standard",
            DisposalField::SanitisedBy => "sanitised_by",
            DisposalField::SanitisedOn => "sanitised_on",
            DisposalField::CertificateNumber => "certificate_number",
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            DisposalField::Reference => {
                &["batch reference", "batch", "batch ref", "reference", "disposal", "job number"]
            }
            DisposalField::AssetTag => &["asset tag", "tag", "asset", "asset number", "inventory number"],
            DisposalField::WeightKg => &["weight", "weight kg", "weight (kg)", "kg"],
            DisposalField::HasStorage => &["storage", "has disk", "data bearing"],
            DisposalField::Hazardous => &["hazardous waste"],
            DisposalField::WeeeCategory => &["weee category", "weee cat", "category no"],
            DisposalField::SanitisationMethod => &["method", "erasure method", "sanitisation", "wipe method"],
            DisposalField::SanitisationStandard => &["standard", "erasure standard"],
            DisposalField::SanitisedBy => &["who", "erased by", "wiped by", "sanitised by", "engineer"],
            DisposalField::SanitisedOn => &["when", "erased on", "wiped on", "date sanitised", "erasure date"],
            DisposalField::CertificateNumber => {
                &["certificate", "certificate no", "certificate number", "erasure certificate"]
            }
        }
    }
}

/// One usable row: where it is, which disposal and asset, and the changes to its line.
#[derive(Debug)]
struct Row {
    line: u64,
    reference: String,
    tag: String,
    changes: LineChanges,
}

fn yes_no(raw: &str) -> Result<bool, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" => Ok(true),
        "no" | "n" | "false" | "0" => Ok(false),
        _ => Err(format!("'{raw}' is not yes or no")),
    }
}

/// Reads one record into a row, or the problems in its cells.
fn parse_row(header: &Header<DisposalField>, line: u64, record: &csv::StringRecord) -> Result<Row, Vec<Problem>> {
    use DisposalField as F;
    let mut problems = Vec::new();
    let cell = |f: F| header.column_of(f).and_then(|i| record.get(i)).map(str::trim).filter(|s| !s.is_empty());
    let mut bad = |f: F, value: &str, message: String, fix: &str| {
        problems.push(Problem::cell(line, header.name_of(f), value, message, fix));
    };
    let reference = cell(F::Reference).unwrap_or("").to_string();
    if reference.is_empty() {
        bad(
            F::Reference,
            "",
            "the disposal reference is blank".into(),
            "give the reference of the disposal this asset leaves in, e.g. DSP-2025-014",
        );
    }
    let tag = cell(F::AssetTag).unwrap_or("").to_string();
    if tag.is_empty() {
        bad(F::AssetTag, "", "the asset tag is blank".into(), "give the asset tag from the device's label");
    }
    let mut changes = LineChanges::default();
    if let Some(v) = cell(F::WeightKg) {
        match v.trim_end_matches("kg").trim().parse::<f64>() {
            Ok(w) => changes.weight_kg = Patch::Value(w),
            Err(_) => bad(
                F::WeightKg,
                v,
                format!("'{v}' is not a weight"),
                "write the weight in kilograms as a number, e.g. 1.62",
            ),
        }
    }
    for (f, target) in [(F::HasStorage, &mut changes.has_storage), (F::Hazardous, &mut changes.hazardous)] {
        if let Some(v) = cell(f) {
            match yes_no(v) {
                Ok(b) => *target = Patch::Value(b),
                Err(m) => bad(f, v, m, "write yes or no"),
            }
        }
    }
    if let Some(v) = cell(F::WeeeCategory) {
        match v.parse::<i32>() {
            Ok(c) => changes.weee_category = Patch::Value(c),
            Err(_) => bad(
                F::WeeeCategory,
                v,
                format!("'{v}' is not a WEEE category number"),
                "write the UK WEEE category as a number from 1 to 14 (3 for IT, 11 for screens)",
            ),
        }
    }
    if let Some(v) = cell(F::SanitisationMethod) {
        match v.parse::<SanitisationMethod>() {
            Ok(m) => changes.sanitisation_method = Patch::Value(m),
            Err(m) => bad(F::SanitisationMethod, v, m, "write clear, purge or destroy (NIST SP 800-88), or other and name the standard in sanitisation_standard"),
        }
    }
    if let Some(v) = cell(F::SanitisedOn) {
        match values::date(v) {
            Ok(d) => changes.sanitised_on = Patch::Value(d),
            Err(m) => bad(F::SanitisedOn, v, m, DATE_FIX),
        }
    }
    let text = |f: F| cell(f).map_or(Patch::Missing, |s| Patch::Value(s.to_string()));
    changes.sanitisation_standard = text(F::SanitisationStandard);
    changes.sanitised_by = text(F::SanitisedBy);
    changes.certificate_number = text(F::CertificateNumber);
    if problems.is_empty() {
        Ok(Row { line, reference, tag, changes })
    } else {
        Err(problems)
    }
}

/// A service's refusal of a row as a problem on the right cell; database and internal failures stop the import.
fn row_problems(row: &Row, header: &Header<DisposalField>, e: AppError) -> AppResult<Vec<Problem>> {
    let column_of = |field: &str| {
        DisposalField::ALL
            .iter()
            .find(|f| f.name() == field)
            .map_or(field.to_string(), |f| header.name_of(*f).to_string())
    };
    let fix = "correct the value on this row, or the record it names";
    Ok(match e {
        AppError::Unprocessable(errs) => errs
            .0
            .into_iter()
            .map(|e| Problem {
                line: Some(row.line),
                column: Some(column_of(&e.field)),
                value: None,
                message: e.message,
                fix: fix.into(),
            })
            .collect(),
        AppError::NotFound { entity: "asset", .. } => vec![Problem::cell(
            row.line,
            header.name_of(DisposalField::AssetTag),
            &row.tag,
            format!("no asset with tag {} in the register", row.tag),
            "check the tag against the device's label, or add the asset to the register first",
        )],
        AppError::Conflict { message, field, .. } => {
            let f =
                if field.as_deref() == Some("asset_tag") { DisposalField::AssetTag } else { DisposalField::Reference };
            let value = if f == DisposalField::AssetTag { &row.tag } else { &row.reference };
            vec![Problem::cell(row.line, header.name_of(f), value, message, fix)]
        }
        other => return Err(other),
    })
}

/// Imports the rows of a disposals CSV (see the module comment).
pub async fn import_disposal_lines(
    db: &DatabaseConnection,
    actor: &Actor,
    bytes: &[u8],
    mapping: &Mapping,
    options: &ImportOptions,
) -> AppResult<ImportSummary> {
    let mut summary = ImportSummary::new("disposals", options);
    let read = match records::read::<DisposalField>(bytes, mapping, DisposalField::AssetTag) {
        Ok(r) => r,
        Err(problems) => return Ok(summary.refused(problems)),
    };
    summary.warnings = read.header.warnings.clone();
    let header = read.header;
    let mut problems = read.problems;
    if !header.has(DisposalField::Reference) {
        problems.push(Problem::file(
            format!("no column gives the disposal reference (the header line is: {})", header.names.join(", ")),
            "add a disposal_reference column naming the disposal each asset leaves in",
        ));
        return Ok(summary.refused(problems));
    }
    let mut rows = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (line, record) in &read.records {
        match parse_row(&header, *line, record) {
            Ok(row) => {
                if let Some(first) = seen.insert(row.tag.to_ascii_uppercase(), *line) {
                    problems.push(Problem::cell(
                        *line,
                        header.name_of(DisposalField::AssetTag),
                        &row.tag,
                        format!("asset {} is also on line {first}", row.tag),
                        "keep one row for each asset",
                    ));
                    continue;
                }
                rows.push(row);
            }
            Err(p) => problems.extend(p),
        }
    }
    let txn = db.begin_write().await?;
    let mut ids: HashMap<String, Option<i32>> = HashMap::new();
    for row in rows {
        let id = match ids.get(&row.reference) {
            Some(id) => *id,
            None => {
                let id = disposals::find_by_reference(&txn, &row.reference).await?;
                ids.insert(row.reference.clone(), id);
                id
            }
        };
        let Some(id) = id else {
            problems.push(Problem::cell(
                row.line,
                header.name_of(DisposalField::Reference),
                &row.reference,
                format!("no disposal with reference {}", row.reference),
                "record the disposal first (its date, route and receiver), or correct the reference",
            ));
            continue;
        };
        match disposals::put_asset_in(&txn, actor, id, &row.tag, row.changes.clone()).await {
            Ok(LineOutcome::Created) => summary.created += 1,
            Ok(LineOutcome::Updated) => summary.updated += 1,
            Ok(LineOutcome::Unchanged) => summary.unchanged += 1,
            Err(e) => problems.extend(row_problems(&row, &header, e)?),
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        txn.rollback().await?;
        (summary.created, summary.updated, summary.unchanged) = (0, 0, 0);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::columns::match_header;

    fn header(names: &[&str]) -> Header<DisposalField> {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        match_header(&names, &Mapping::default()).unwrap()
    }

    #[test]
    fn a_contractors_report_is_read_with_its_own_headers() {
        let h = header(&[
            "Batch Reference",
            "Asset Tag",
            "Weight (kg)",
            "Erasure Method",
            "Certificate No",
            "Erased By",
            "Erased On",
        ]);
        let rec =
            csv::StringRecord::from(vec!["DSP-1", "WCC-000001", "1.62", "Purge", "CERT-9", "Acme ITAD", "20/06/2025"]);
        let row = parse_row(&h, 2, &rec).unwrap();
        assert_eq!((row.reference.as_str(), row.tag.as_str()), ("DSP-1", "WCC-000001"));
        assert_eq!(row.changes.weight_kg, Patch::Value(1.62));
        assert_eq!(row.changes.sanitisation_method, Patch::Value(SanitisationMethod::Purge));
        assert_eq!(row.changes.sanitised_on, Patch::Value(chrono::NaiveDate::from_ymd_opt(2025, 6, 20).unwrap()));
        assert_eq!(row.changes.certificate_number, Patch::Value("CERT-9".to_string()));
        assert_eq!(row.changes.sanitised_by, Patch::Value("Acme ITAD".to_string()));
    }

    #[test]
    fn bad_cells_are_placed_by_line_and_column() {
        let h = header(&["disposal_reference", "asset_tag", "weight_kg", "sanitisation_method", "sanitised_on"]);
        let rec = csv::StringRecord::from(vec!["DSP-1", "", "heavy", "wipe", "06/31/2025"]);
        let problems = parse_row(&h, 7, &rec).unwrap_err();
        let placed: Vec<(Option<u64>, Option<&str>)> = problems.iter().map(|p| (p.line, p.column.as_deref())).collect();
        assert_eq!(
            placed,
            vec![
                (Some(7), Some("asset_tag")),
                (Some(7), Some("weight_kg")),
                (Some(7), Some("sanitisation_method")),
                (Some(7), Some("sanitised_on")),
            ]
        );
        assert!(problems[2].fix.contains("NIST SP 800-88"));
    }
}
