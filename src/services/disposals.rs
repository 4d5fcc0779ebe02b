//! WEEE disposals: record a batch (or one asset) leaving the estate, the assets in it with their weight
//! and data sanitisation, attach documents, and complete it — which moves every asset to `disposed` in
//! one transaction, or changes nothing and names every missing field. Also the e-waste figures per
//! financial year and each asset's share of disposal cost and income (for TCO).
//!
//! Rules (see `domain::disposal`): an asset joins a draft disposal only from `retired` or
//! `awaiting_disposal` (a retired asset is moved to `awaiting_disposal`); an asset is in at most one
//! disposal; a completed disposal's fields and assets cannot change, but documents can still be added
//! (a certificate of treatment often arrives weeks later). Audit events: `disposal`, `disposal_asset`,
//! `disposal_document`, and `asset` for each state move.

use crate::store::BeginWrite;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    IntoActiveModel, NotSet, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::audit::{self, Action};
use super::{text_field, unique_violation, Actor};
use crate::domain::apportion::apportion;
use crate::domain::disposal::{
    self, check_weee_category, completion_problems, DisposalFacts, DocumentKind, DocumentType, LineFacts, Route,
    SanitisationMethod,
};
use crate::domain::ewaste::{self, EwasteFigures, EwasteItem};
use crate::domain::{Category, FieldError, FieldErrors, Gbp, LifecycleState, Patch};
use crate::energy::FinancialYear;
use crate::error::{AppError, AppResult};
use crate::services::assets::AssetView;
use crate::store::{asset, device_model, disposal as store_disposal, disposal_asset, disposal_document};

pub const ENTITY: &str = "disposal";
pub const LINE_ENTITY: &str = "disposal_asset";
pub const DOCUMENT_ENTITY: &str = "disposal_document";

const DRAFT: &str = "draft";
const COMPLETED: &str = "completed";

/// A disposal's own fields (what its audit events record).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DisposalRecord {
    pub id: i32,
    /// The council's reference for the batch, e.g. `DSP-2025-014`.
    pub reference: String,
    pub disposal_date: NaiveDate,
    pub route: Route,
    pub receiving_organisation: Option<String>,
    pub waste_carrier: Option<String>,
    /// The carrier's waste carrier registration number (upper tier), e.g. `CBDU123456`.
    pub carrier_registration: Option<String>,
    pub waste_transfer_note: Option<String>,
    /// Needed for hazardous WEEE (CRT screens, batteries) on a waste route.
    pub hazardous_consignment_note: Option<String>,
    #[schema(value_type = Option<String>, example = "120.00")]
    pub cost_gbp: Option<Gbp>,
    #[schema(value_type = Option<String>, example = "0.00")]
    pub income_gbp: Option<Gbp>,
    /// `draft` or `completed`.
    pub state: String,
    pub completed_at: Option<DateTime<Utc>>,
    pub completed_by: Option<String>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<store_disposal::Model> for DisposalRecord {
    fn from(m: store_disposal::Model) -> DisposalRecord {
        DisposalRecord {
            id: m.id,
            reference: m.reference,
            disposal_date: m.disposal_date,
            route: m.route.parse().unwrap_or(Route::Recycling),
            receiving_organisation: m.receiving_organisation,
            waste_carrier: m.waste_carrier,
            carrier_registration: m.carrier_registration,
            waste_transfer_note: m.waste_transfer_note,
            hazardous_consignment_note: m.hazardous_consignment_note,
            cost_gbp: m.cost_pence.map(Gbp::from_pence),
            income_gbp: m.income_pence.map(Gbp::from_pence),
            state: m.state,
            completed_at: m.completed_at,
            completed_by: m.completed_by,
            notes: m.notes,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// One asset in a disposal.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DisposalAssetView {
    pub id: i32,
    pub disposal_id: i32,
    pub asset_id: i32,
    pub asset_tag: String,
    pub category: Category,
    pub lifecycle_state: LifecycleState,
    /// The weight used: weighed, else the model's (frozen into the record on completion).
    pub weight_kg: Option<f64>,
    /// `weighed`, `model` or `none`.
    pub weight_source: String,
    pub has_storage: bool,
    pub hazardous: bool,
    /// UK WEEE category 1–14.
    pub weee_category: i32,
    pub sanitisation_method: Option<SanitisationMethod>,
    pub sanitisation_standard: Option<String>,
    pub sanitised_by: Option<String>,
    pub sanitised_on: Option<NaiveDate>,
    pub certificate_number: Option<String>,
}

/// A document kept with a disposal; download it from `download_url`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    pub id: i32,
    pub disposal_id: i32,
    pub kind: DocumentKind,
    /// The asset the document is about (e.g. one disk's erasure certificate), if any.
    pub asset_tag: Option<String>,
    pub file_name: String,
    /// From the file's content: application/pdf, image/png or image/jpeg.
    pub content_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the content, hex; checked again on every download.
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
    pub download_url: String,
}

/// A disposal with its assets and documents, and what still stops it being completed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DisposalView {
    pub disposal: DisposalRecord,
    pub assets: Vec<DisposalAssetView>,
    pub documents: Vec<DocumentView>,
    /// Sum of the assets' weights that are known.
    pub total_weight_kg: f64,
    /// Every problem that would stop completion now; empty when it may be completed (or is completed).
    #[schema(value_type = Vec<crate::error::FieldErrorDoc>)]
    pub completion_problems: Vec<FieldError>,
}

/// One disposal in the list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DisposalListItem {
    pub id: i32,
    pub reference: String,
    pub disposal_date: NaiveDate,
    pub route: Route,
    pub receiving_organisation: Option<String>,
    pub state: String,
    pub asset_count: u64,
}

/// A new disposal, or changes to a draft one: absent fields are left as they are, `null` clears.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisposalChanges {
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "DSP-2025-014")]
    pub reference: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date, example = "2025-06-30")]
    pub disposal_date: Patch<NaiveDate>,
    #[serde(default)]
    #[schema(value_type = Option<Route>)]
    pub route: Patch<Route>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub receiving_organisation: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub waste_carrier: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "CBDU123456")]
    pub carrier_registration: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub waste_transfer_note: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub hazardous_consignment_note: Patch<String>,
    /// What the council pays (collection, treatment), as a string of pounds, e.g. "120.00".
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "120.00")]
    pub cost_gbp: Patch<Gbp>,
    /// What the council receives (resale), as a string of pounds.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "0.00")]
    pub income_gbp: Patch<Gbp>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub notes: Patch<String>,
}

/// An asset's line in a disposal: absent fields are left as they are (or take their defaults on a new
/// line), `null` clears.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineChanges {
    /// Weighed weight; absent or null uses the model's weight.
    #[serde(default)]
    #[schema(value_type = Option<f64>, example = 1.62)]
    pub weight_kg: Patch<f64>,
    /// Whether it holds data (default from the category: PCs, laptops, thin clients, servers, printers).
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub has_storage: Patch<bool>,
    /// Hazardous waste (a CRT screen, loose batteries): a waste route then needs a consignment note.
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub hazardous: Patch<bool>,
    /// UK WEEE category 1–14 (default 11 for monitors, else 3).
    #[serde(default)]
    #[schema(value_type = Option<i32>)]
    pub weee_category: Patch<i32>,
    #[serde(default)]
    #[schema(value_type = Option<SanitisationMethod>)]
    pub sanitisation_method: Patch<SanitisationMethod>,
    /// The standard followed, e.g. "NIST SP 800-88 Rev. 1" or "HMG IS5 Enhanced"; required for `other`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub sanitisation_standard: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub sanitised_by: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub sanitised_on: Patch<NaiveDate>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub certificate_number: Patch<String>,
}

/// The heaviest single item accepted, in kg (a loaded server rack).
const MAX_WEIGHT_KG: f64 = 2_000.0;

impl DisposalChanges {
    fn apply(self, m: &mut store_disposal::Model) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        match text_field(&mut errs, "reference", self.reference.apply(Some(m.reference.clone())), 64) {
            Some(r) => m.reference = r,
            None if errs.for_field("reference").is_none() => errs.push(FieldError::new(
                "reference",
                "required",
                "reference is required: the council's reference for this batch, e.g. DSP-2025-014",
            )),
            None => {}
        }
        match self.disposal_date.apply(Some(m.disposal_date).filter(|_| !m.route.is_empty())) {
            Some(d) => m.disposal_date = d,
            None => errs.push(FieldError::new(
                "disposal_date",
                "required",
                "disposal_date is required: the day the equipment leaves (ISO, e.g. 2025-06-30)",
            )),
        }
        match self.route.apply(m.route.parse().ok()) {
            Some(r) => m.route = r.as_str().to_string(),
            None => {
                let names: Vec<&str> = Route::ALL.iter().map(|r| r.as_str()).collect();
                errs.push(FieldError::new(
                    "route",
                    "required",
                    format!("route is required; use one of: {}", names.join(", ")),
                ))
            }
        }
        m.receiving_organisation = text_field(
            &mut errs,
            "receiving_organisation",
            self.receiving_organisation.apply(m.receiving_organisation.clone()),
            200,
        );
        m.waste_carrier =
            text_field(&mut errs, "waste_carrier", self.waste_carrier.apply(m.waste_carrier.clone()), 200);
        m.carrier_registration = text_field(
            &mut errs,
            "carrier_registration",
            self.carrier_registration.apply(m.carrier_registration.clone()),
            64,
        );
        m.waste_transfer_note = text_field(
            &mut errs,
            "waste_transfer_note",
            self.waste_transfer_note.apply(m.waste_transfer_note.clone()),
            64,
        );
        m.hazardous_consignment_note = text_field(
            &mut errs,
            "hazardous_consignment_note",
            self.hazardous_consignment_note.apply(m.hazardous_consignment_note.clone()),
            64,
        );
        for (field, patch, column) in
            [("cost_gbp", self.cost_gbp, &mut m.cost_pence), ("income_gbp", self.income_gbp, &mut m.income_pence)]
        {
            let value = patch.apply(column.map(Gbp::from_pence));
            if value.is_some_and(|v| v.is_negative()) {
                errs.push(FieldError::new(
                    field,
                    "negative",
                    format!("{field} cannot be negative: give what was paid as cost_gbp and what was received as income_gbp"),
                ));
            }
            *column = value.map(|v| v.pence());
        }
        m.notes = text_field(&mut errs, "notes", self.notes.apply(m.notes.clone()), 10_000);
        errs.into_result(())
    }
}

impl LineChanges {
    fn apply(self, m: &mut disposal_asset::Model) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        let weight = self.weight_kg.apply(m.weight_kg);
        if weight.is_some_and(|w| !(w.is_finite() && w > 0.0 && w <= MAX_WEIGHT_KG)) {
            errs.push(FieldError::new(
                "weight_kg",
                "out_of_range",
                format!("weight_kg must be more than 0 and at most {MAX_WEIGHT_KG} kg; give the weighed weight in kilograms, e.g. 1.62"),
            ));
        }
        m.weight_kg = weight;
        if let Some(v) = self.has_storage.apply(Some(m.has_storage)) {
            m.has_storage = v;
        }
        if let Some(v) = self.hazardous.apply(Some(m.hazardous)) {
            m.hazardous = v;
        }
        if let Some(c) = self.weee_category.apply(Some(m.weee_category)) {
            match check_weee_category(c) {
                Ok(c) => m.weee_category = c,
                Err(e) => errs.push(FieldError::new("weee_category", "invalid", e)),
            }
        }
        m.sanitisation_method = self
            .sanitisation_method
            .apply(m.sanitisation_method.as_deref().and_then(|s| s.parse().ok()))
            .map(|s: SanitisationMethod| s.as_str().to_string());
        m.sanitisation_standard = text_field(
            &mut errs,
            "sanitisation_standard",
            self.sanitisation_standard.apply(m.sanitisation_standard.clone()),
            100,
        );
        m.sanitised_by = text_field(&mut errs, "sanitised_by", self.sanitised_by.apply(m.sanitised_by.clone()), 200);
        m.sanitised_on = self.sanitised_on.apply(m.sanitised_on);
        m.certificate_number = text_field(
            &mut errs,
            "certificate_number",
            self.certificate_number.apply(m.certificate_number.clone()),
            100,
        );
        errs.into_result(())
    }
}

fn read_only(d: &store_disposal::Model) -> AppError {
    let when = d.completed_at.map(|t| t.date_naive().to_string()).unwrap_or_default();
    AppError::conflict(
        "read_only",
        format!(
            "disposal {} was completed on {when}; its record is kept as it was and cannot be changed (documents can still be attached)",
            d.reference
        ),
        None,
    )
}

async fn find<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<store_disposal::Model> {
    store_disposal::Entity::find_by_id(id).one(conn).await?.ok_or_else(|| AppError::not_found(ENTITY, id))
}

async fn find_draft<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<store_disposal::Model> {
    let d = find(conn, id).await?;
    if d.state != DRAFT {
        return Err(read_only(&d));
    }
    Ok(d)
}

/// The disposal with this reference, if any.
pub async fn find_by_reference<C: ConnectionTrait>(conn: &C, reference: &str) -> AppResult<Option<i32>> {
    Ok(store_disposal::Entity::find()
        .filter(store_disposal::Column::Reference.eq(reference.trim()))
        .one(conn)
        .await?
        .map(|d| d.id))
}

async fn find_asset<C: ConnectionTrait>(conn: &C, tag: &str) -> AppResult<asset::Model> {
    asset::Entity::find()
        .filter(asset::Column::AssetTag.eq(tag.trim()))
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("asset", tag))
}

fn model_weights(models: &[device_model::Model]) -> HashMap<i32, f64> {
    models.iter().filter_map(|m| m.weight_kg.map(|w| (m.id, w))).collect()
}

/// The weight to use for a line: weighed (or frozen on completion), else the model's.
fn effective_weight(
    line: &disposal_asset::Model,
    a: &asset::Model,
    weights: &HashMap<i32, f64>,
) -> (Option<f64>, &'static str) {
    match (line.weight_kg, line.weight_from_model) {
        (Some(w), false) => (Some(w), "weighed"),
        (Some(w), true) => (Some(w), "model"),
        (None, _) => match a.model_id.and_then(|id| weights.get(&id)) {
            Some(w) => (Some(*w), "model"),
            None => (None, "none"),
        },
    }
}

fn line_view(line: &disposal_asset::Model, a: &asset::Model, weights: &HashMap<i32, f64>) -> DisposalAssetView {
    let (weight_kg, source) = effective_weight(line, a, weights);
    DisposalAssetView {
        id: line.id,
        disposal_id: line.disposal_id,
        asset_id: a.id,
        asset_tag: a.asset_tag.clone(),
        category: a.category.parse().unwrap_or(Category::Other),
        lifecycle_state: a.lifecycle_state.parse().unwrap_or(LifecycleState::AwaitingDisposal),
        weight_kg,
        weight_source: source.to_string(),
        has_storage: line.has_storage,
        hazardous: line.hazardous,
        weee_category: line.weee_category,
        sanitisation_method: line.sanitisation_method.as_deref().and_then(|s| s.parse().ok()),
        sanitisation_standard: line.sanitisation_standard.clone(),
        sanitised_by: line.sanitised_by.clone(),
        sanitised_on: line.sanitised_on,
        certificate_number: line.certificate_number.clone(),
    }
}

fn document_view(d: disposal_document::Model, tags: &HashMap<i32, String>) -> DocumentView {
    DocumentView {
        download_url: format!("/api/v1/disposals/{}/documents/{}", d.disposal_id, d.id),
        id: d.id,
        disposal_id: d.disposal_id,
        kind: d.kind.parse().unwrap_or(DocumentKind::Other),
        asset_tag: d.asset_id.and_then(|id| tags.get(&id).cloned()),
        file_name: d.file_name,
        content_type: d.content_type,
        size_bytes: d.size_bytes,
        sha256: d.sha256,
        uploaded_by: d.uploaded_by,
        uploaded_at: d.uploaded_at,
    }
}

/// The lines of a disposal with their assets, and the model weights they may need.
async fn lines_of<C: ConnectionTrait>(
    conn: &C,
    disposal_id: i32,
) -> AppResult<(Vec<(disposal_asset::Model, asset::Model)>, HashMap<i32, f64>)> {
    let lines = disposal_asset::Entity::find()
        .filter(disposal_asset::Column::DisposalId.eq(disposal_id))
        .order_by_asc(disposal_asset::Column::Id)
        .all(conn)
        .await?;
    let ids: Vec<i32> = lines.iter().map(|l| l.asset_id).collect();
    let mut assets: HashMap<i32, asset::Model> = HashMap::new();
    for chunk in ids.chunks(500) {
        for a in asset::Entity::find().filter(asset::Column::Id.is_in(chunk.to_vec())).all(conn).await? {
            assets.insert(a.id, a);
        }
    }
    let mut model_ids: Vec<i32> = assets.values().filter_map(|a| a.model_id).collect();
    model_ids.sort_unstable();
    model_ids.dedup();
    let models = device_model::Entity::find().filter(device_model::Column::Id.is_in(model_ids)).all(conn).await?;
    let pairs = lines.into_iter().filter_map(|l| assets.remove(&l.asset_id).map(|a| (l, a))).collect();
    Ok((pairs, model_weights(&models)))
}

fn problems_for(d: &store_disposal::Model, lines: &[DisposalAssetView]) -> Vec<FieldError> {
    let facts = DisposalFacts {
        route: d.route.parse().ok(),
        disposal_date: Some(d.disposal_date),
        receiving_organisation: d.receiving_organisation.as_deref(),
        waste_carrier: d.waste_carrier.as_deref(),
        carrier_registration: d.carrier_registration.as_deref(),
        waste_transfer_note: d.waste_transfer_note.as_deref(),
        hazardous_consignment_note: d.hazardous_consignment_note.as_deref(),
    };
    let line_facts: Vec<LineFacts> = lines
        .iter()
        .map(|l| LineFacts {
            asset_tag: &l.asset_tag,
            lifecycle_state: l.lifecycle_state,
            weight_kg: l.weight_kg,
            has_storage: l.has_storage,
            hazardous: l.hazardous,
            sanitisation_method: l.sanitisation_method,
            sanitisation_standard: l.sanitisation_standard.as_deref(),
            sanitised_by: l.sanitised_by.as_deref(),
            sanitised_on: l.sanitised_on,
        })
        .collect();
    completion_problems(&facts, &line_facts)
}

async fn view<C: ConnectionTrait>(conn: &C, d: store_disposal::Model) -> AppResult<DisposalView> {
    let (pairs, weights) = lines_of(conn, d.id).await?;
    let assets: Vec<DisposalAssetView> = pairs.iter().map(|(l, a)| line_view(l, a, &weights)).collect();
    let tags: HashMap<i32, String> = pairs.iter().map(|(_, a)| (a.id, a.asset_tag.clone())).collect();
    let docs = disposal_document::Entity::find()
        .filter(disposal_document::Column::DisposalId.eq(d.id))
        .order_by_asc(disposal_document::Column::Id)
        .all(conn)
        .await?;
    let mut doc_tags = tags;
    for doc in &docs {
        if let Some(id) = doc.asset_id.filter(|id| !doc_tags.contains_key(id)) {
            if let Some(a) = asset::Entity::find_by_id(id).one(conn).await? {
                doc_tags.insert(id, a.asset_tag);
            }
        }
    }
    let documents = docs.into_iter().map(|doc| document_view(doc, &doc_tags)).collect();
    let completion_problems = if d.state == DRAFT { problems_for(&d, &assets) } else { vec![] };
    Ok(DisposalView {
        total_weight_kg: assets.iter().filter_map(|a| a.weight_kg).sum(),
        disposal: DisposalRecord::from(d),
        assets,
        documents,
        completion_problems,
    })
}

pub async fn list<C: ConnectionTrait>(conn: &C) -> AppResult<Vec<DisposalListItem>> {
    let disposals = store_disposal::Entity::find()
        .order_by_desc(store_disposal::Column::DisposalDate)
        .order_by_desc(store_disposal::Column::Id)
        .all(conn)
        .await?;
    let mut counts: HashMap<i32, u64> = HashMap::new();
    for l in disposal_asset::Entity::find().all(conn).await? {
        *counts.entry(l.disposal_id).or_default() += 1;
    }
    Ok(disposals
        .into_iter()
        .map(|d| DisposalListItem {
            asset_count: counts.get(&d.id).copied().unwrap_or(0),
            id: d.id,
            route: d.route.parse().unwrap_or(Route::Recycling),
            reference: d.reference,
            disposal_date: d.disposal_date,
            receiving_organisation: d.receiving_organisation,
            state: d.state,
        })
        .collect())
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<DisposalView> {
    let d = find(conn, id).await?;
    view(conn, d).await
}

/// The disposal an asset is in, if any (for the asset page).
pub async fn of_asset<C: ConnectionTrait>(conn: &C, asset_id: i32) -> AppResult<Option<DisposalRecord>> {
    let Some(line) =
        disposal_asset::Entity::find().filter(disposal_asset::Column::AssetId.eq(asset_id)).one(conn).await?
    else {
        return Ok(None);
    };
    Ok(store_disposal::Entity::find_by_id(line.disposal_id).one(conn).await?.map(DisposalRecord::from))
}

fn duplicate_reference_message(reference: &str) -> String {
    format!("a disposal with reference {reference} already exists; use another reference or edit that disposal")
}

fn duplicate_reference(reference: &str) -> AppError {
    AppError::conflict("duplicate", duplicate_reference_message(reference), Some("reference"))
}

async fn check_reference_free<C: ConnectionTrait>(conn: &C, reference: &str, own_id: i32) -> AppResult<()> {
    let clash = store_disposal::Entity::find()
        .filter(store_disposal::Column::Reference.eq(reference))
        .filter(store_disposal::Column::Id.ne(own_id))
        .one(conn)
        .await?;
    match clash {
        Some(_) => Err(duplicate_reference(reference)),
        None => Ok(()),
    }
}

pub async fn create(db: &DatabaseConnection, actor: &Actor, changes: DisposalChanges) -> AppResult<DisposalView> {
    let txn = db.begin_write().await?;
    let v = create_in(&txn, actor, changes).await?;
    txn.commit().await?;
    Ok(v)
}

/// [`create`] inside the caller's transaction (the demo estate uses this).
pub async fn create_in(txn: &DatabaseTransaction, actor: &Actor, changes: DisposalChanges) -> AppResult<DisposalView> {
    let now = Utc::now();
    let mut m = store_disposal::Model {
        id: 0,
        reference: String::new(),
        disposal_date: now.date_naive(),
        route: String::new(),
        receiving_organisation: None,
        waste_carrier: None,
        carrier_registration: None,
        waste_transfer_note: None,
        hazardous_consignment_note: None,
        cost_pence: None,
        income_pence: None,
        state: DRAFT.into(),
        completed_at: None,
        completed_by: None,
        notes: None,
        created_at: now,
        updated_at: now,
    };
    changes.apply(&mut m)?;
    check_reference_free(txn, &m.reference, 0).await?;
    let mut am = m.clone().into_active_model().reset_all();
    am.id = NotSet;
    let saved = am
        .insert(txn)
        .await
        .map_err(|e| unique_violation(e, "reference", duplicate_reference_message(&m.reference)))?;
    let record = DisposalRecord::from(saved.clone());
    audit::record(txn, actor, Action::Create, ENTITY, saved.id, None, Some(&record)).await?;
    view(txn, saved).await
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    changes: DisposalChanges,
) -> AppResult<DisposalView> {
    let txn = db.begin_write().await?;
    let before = find_draft(&txn, id).await?;
    let mut m = before.clone();
    changes.apply(&mut m)?;
    if m != before {
        check_reference_free(&txn, &m.reference, id).await?;
        m.updated_at = Utc::now();
        let reference = m.reference.clone();
        let saved = m
            .into_active_model()
            .reset_all()
            .update(&txn)
            .await
            .map_err(|e| unique_violation(e, "reference", duplicate_reference_message(&reference)))?;
        let (b, a) = (DisposalRecord::from(before), DisposalRecord::from(saved));
        audit::record(&txn, actor, Action::Update, ENTITY, id, Some(&b), Some(&a)).await?;
    }
    let v = view(&txn, find(&txn, id).await?).await?;
    txn.commit().await?;
    Ok(v)
}

/// Deletes a draft disposal made by mistake; its assets stay awaiting disposal. A completed one is kept.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: i32) -> AppResult<()> {
    let txn = db.begin_write().await?;
    let d = find_draft(&txn, id).await?;
    let docs = disposal_document::Entity::find().filter(disposal_document::Column::DisposalId.eq(id)).all(&txn).await?;
    let (pairs, weights) = lines_of(&txn, id).await?;
    for (line, a) in &pairs {
        let v = line_view(line, a, &weights);
        disposal_asset::Entity::delete_by_id(line.id).exec(&txn).await?;
        audit::record(&txn, actor, Action::Delete, LINE_ENTITY, line.id, Some(&v), None).await?;
    }
    for doc in docs {
        let v = document_view(doc.clone(), &HashMap::new());
        disposal_document::Entity::delete_by_id(doc.id).exec(&txn).await?;
        audit::record(&txn, actor, Action::Delete, DOCUMENT_ENTITY, doc.id, Some(&v), None).await?;
    }
    let record = DisposalRecord::from(d);
    store_disposal::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(&txn, actor, Action::Delete, ENTITY, id, Some(&record), None).await?;
    txn.commit().await?;
    Ok(())
}

async fn parent_tag<C: ConnectionTrait>(conn: &C, a: &asset::Model) -> AppResult<Option<String>> {
    match a.parent_asset_id {
        None => Ok(None),
        Some(pid) => Ok(asset::Entity::find_by_id(pid).one(conn).await?.map(|p| p.asset_tag)),
    }
}

/// Moves an asset to `to`, with its audit event, inside the caller's transaction.
async fn move_asset(
    txn: &DatabaseTransaction,
    actor: &Actor,
    a: asset::Model,
    to: LifecycleState,
) -> AppResult<asset::Model> {
    let parent = parent_tag(txn, &a).await?;
    let before = AssetView::from_model(a.clone(), parent.clone());
    let mut m = a;
    m.lifecycle_state = to.as_str().to_string();
    m.updated_at = Utc::now();
    let saved = m.into_active_model().reset_all().update(txn).await?;
    let after = AssetView::from_model(saved.clone(), parent);
    audit::record(txn, actor, Action::Update, crate::services::assets::ENTITY, saved.id, Some(&before), Some(&after))
        .await?;
    Ok(saved)
}

/// What [`put_asset_in`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineOutcome {
    Created,
    Updated,
    Unchanged,
}

/// Adds an asset to a draft disposal, or changes its line, inside the caller's transaction (the CSV
/// import uses this for every row). A retired asset moves to `awaiting_disposal`.
pub async fn put_asset_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    disposal_id: i32,
    tag: &str,
    changes: LineChanges,
) -> AppResult<LineOutcome> {
    let d = find_draft(txn, disposal_id).await?;
    let a = find_asset(txn, tag).await?;
    let tag = a.asset_tag.clone();
    let existing = disposal_asset::Entity::find().filter(disposal_asset::Column::AssetId.eq(a.id)).one(txn).await?;
    let weights = match a.model_id {
        Some(id) => model_weights(&device_model::Entity::find_by_id(id).all(txn).await?),
        None => HashMap::new(),
    };
    match existing {
        Some(line) if line.disposal_id != disposal_id => {
            let other = find(txn, line.disposal_id).await?;
            Err(AppError::conflict(
                "in_another_disposal",
                format!("asset {tag} is already in disposal {}; take it out of that one first", other.reference),
                Some("asset_tag"),
            ))
        }
        Some(line) => {
            let mut m = line.clone();
            changes.apply(&mut m)?;
            if m == line {
                return Ok(LineOutcome::Unchanged);
            }
            m.updated_at = Utc::now();
            let saved = m.into_active_model().reset_all().update(txn).await?;
            let (b, after) = (line_view(&line, &a, &weights), line_view(&saved, &a, &weights));
            audit::record(txn, actor, Action::Update, LINE_ENTITY, saved.id, Some(&b), Some(&after)).await?;
            Ok(LineOutcome::Updated)
        }
        None => {
            let state: LifecycleState = a.lifecycle_state.parse().map_err(AppError::Internal)?;
            let a = match state {
                LifecycleState::AwaitingDisposal => a,
                LifecycleState::Retired => move_asset(txn, actor, a, LifecycleState::AwaitingDisposal).await?,
                other => {
                    return Err(AppError::conflict(
                        "wrong_state",
                        format!(
                            "asset {tag} is {other}; only a retired or awaiting_disposal asset can join a disposal (retire it first)"
                        ),
                        Some("asset_tag"),
                    ))
                }
            };
            let category: Category = a.category.parse().unwrap_or(Category::Other);
            let now = Utc::now();
            let mut m = disposal_asset::Model {
                id: 0,
                disposal_id: d.id,
                asset_id: a.id,
                weight_kg: None,
                weight_from_model: false,
                has_storage: disposal::default_has_storage(category),
                hazardous: false,
                weee_category: disposal::default_weee_category(category),
                sanitisation_method: None,
                sanitisation_standard: None,
                sanitised_by: None,
                sanitised_on: None,
                certificate_number: None,
                created_at: now,
                updated_at: now,
            };
            changes.apply(&mut m)?;
            let mut am = m.into_active_model().reset_all();
            am.id = NotSet;
            let saved = am.insert(txn).await.map_err(|e| {
                unique_violation(
                    e,
                    "asset_tag",
                    format!("asset {tag} was added to a disposal at the same moment; try again"),
                )
            })?;
            let v = line_view(&saved, &a, &weights);
            audit::record(txn, actor, Action::Create, LINE_ENTITY, saved.id, None, Some(&v)).await?;
            Ok(LineOutcome::Created)
        }
    }
}

pub async fn put_asset(
    db: &DatabaseConnection,
    actor: &Actor,
    disposal_id: i32,
    tag: &str,
    changes: LineChanges,
) -> AppResult<DisposalView> {
    let txn = db.begin_write().await?;
    put_asset_in(&txn, actor, disposal_id, tag, changes).await?;
    let v = view(&txn, find(&txn, disposal_id).await?).await?;
    txn.commit().await?;
    Ok(v)
}

/// Takes an asset out of a draft disposal; it stays awaiting disposal.
pub async fn remove_asset(
    db: &DatabaseConnection,
    actor: &Actor,
    disposal_id: i32,
    tag: &str,
) -> AppResult<DisposalView> {
    let txn = db.begin_write().await?;
    find_draft(&txn, disposal_id).await?;
    let a = find_asset(&txn, tag).await?;
    let line = disposal_asset::Entity::find()
        .filter(disposal_asset::Column::AssetId.eq(a.id))
        .filter(disposal_asset::Column::DisposalId.eq(disposal_id))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("asset in this disposal", tag))?;
    let docs = disposal_document::Entity::find().filter(disposal_document::Column::AssetId.eq(a.id)).all(&txn).await?;
    if !docs.is_empty() {
        return Err(AppError::conflict(
            "in_use",
            format!("asset {tag} has {} document(s) attached in this disposal; they stay with the record", docs.len()),
            Some("asset_tag"),
        ));
    }
    let v = line_view(&line, &a, &HashMap::new());
    disposal_asset::Entity::delete_by_id(line.id).exec(&txn).await?;
    audit::record(&txn, actor, Action::Delete, LINE_ENTITY, line.id, Some(&v), None).await?;
    let out = view(&txn, find(&txn, disposal_id).await?).await?;
    txn.commit().await?;
    Ok(out)
}

/// Completes a draft disposal: every asset moves to `disposed` (read-only from then on), weights taken
/// from models are frozen into the record, and the disposal is locked — all in one transaction. When
/// anything required is missing, nothing changes and the 422 lists every problem, naming the field and
/// the asset.
pub async fn complete(db: &DatabaseConnection, actor: &Actor, id: i32) -> AppResult<DisposalView> {
    let txn = db.begin_write().await?;
    let v = complete_in(&txn, actor, id).await?;
    txn.commit().await?;
    Ok(v)
}

/// [`complete`] inside the caller's transaction (the demo estate uses this).
pub async fn complete_in(txn: &DatabaseTransaction, actor: &Actor, id: i32) -> AppResult<DisposalView> {
    let before = find_draft(txn, id).await?;
    let (pairs, weights) = lines_of(txn, id).await?;
    let views: Vec<DisposalAssetView> = pairs.iter().map(|(l, a)| line_view(l, a, &weights)).collect();
    let problems = problems_for(&before, &views);
    if !problems.is_empty() {
        return Err(AppError::Unprocessable(FieldErrors(problems)));
    }
    let now = Utc::now();
    for ((line, a), v) in pairs.into_iter().zip(&views) {
        if line.weight_kg.is_none() {
            let frozen = disposal_asset::ActiveModel {
                id: Set(line.id),
                weight_kg: Set(v.weight_kg),
                weight_from_model: Set(true),
                updated_at: Set(now),
                ..Default::default()
            };
            frozen.update(txn).await?;
        }
        move_asset(txn, actor, a, LifecycleState::Disposed).await?;
    }
    let mut m = before.clone();
    m.state = COMPLETED.into();
    m.completed_at = Some(now);
    m.completed_by = Some(actor.name.clone());
    m.updated_at = now;
    let saved = m.into_active_model().reset_all().update(txn).await?;
    let (b, a) = (DisposalRecord::from(before), DisposalRecord::from(saved.clone()));
    audit::record(txn, actor, Action::Update, ENTITY, id, Some(&b), Some(&a)).await?;
    view(txn, saved).await
}

/// Where documents live: `<data_dir>/documents`, each file named by its SHA-256 under a two-letter folder.
#[derive(Debug, Clone)]
pub struct DocumentStore {
    pub root: PathBuf,
}

impl DocumentStore {
    pub fn in_data_dir(data_dir: &Path) -> DocumentStore {
        DocumentStore { root: data_dir.join("documents") }
    }

    fn path_of(&self, sha256: &str) -> PathBuf {
        self.root.join(&sha256[..2]).join(sha256)
    }

    /// Writes the bytes under their checksum (once: the same content uploaded twice is one file).
    async fn put(&self, sha256: &str, bytes: Vec<u8>) -> AppResult<()> {
        let path = self.path_of(sha256);
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            if path.metadata().is_ok_and(|m| m.len() == bytes.len() as u64) {
                return Ok(());
            }
            let dir = path.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(dir)?;
            let tmp = dir.join(format!(
                ".upload-{}-{}",
                std::process::id(),
                Utc::now().timestamp_nanos_opt().unwrap_or_default()
            ));
            std::fs::write(&tmp, &bytes)?;
            std::fs::rename(&tmp, &path)
        })
        .await
        .map_err(|e| AppError::Internal(format!("storing a document: {e}")))?
        .map_err(|e| AppError::Internal(format!("storing a document: {e}")))
    }

    async fn read(&self, sha256: &str) -> AppResult<Vec<u8>> {
        let path = self.path_of(sha256);
        tokio::task::spawn_blocking(move || std::fs::read(&path))
            .await
            .map_err(|e| AppError::Internal(format!("reading a document: {e}")))?
            .map_err(|e| AppError::Internal(format!("reading a document: {e}")))
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A document to attach.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub kind: DocumentKind,
    pub file_name: String,
    /// The asset it is about (an erasure certificate), which must be in the disposal.
    pub asset_tag: Option<String>,
    pub bytes: Vec<u8>,
}

/// Attaches a document after checking its content is a PDF, PNG or JPEG within the size limit.
/// Allowed on a completed disposal too: evidence often arrives after the equipment has gone.
pub async fn attach_document(
    db: &DatabaseConnection,
    actor: &Actor,
    store: &DocumentStore,
    disposal_id: i32,
    doc: NewDocument,
) -> AppResult<DocumentView> {
    let doc_type = DocumentType::sniff(&doc.bytes)?;
    let file_name = clean_file_name(&doc.file_name, doc_type);
    let d = find(db, disposal_id).await?;
    let asset = match doc.asset_tag.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(tag) => {
            let a = find_asset(db, tag).await?;
            let in_it = disposal_asset::Entity::find()
                .filter(disposal_asset::Column::AssetId.eq(a.id))
                .filter(disposal_asset::Column::DisposalId.eq(d.id))
                .one(db)
                .await?;
            if in_it.is_none() {
                return Err(AppError::field(
                    "asset_tag",
                    "not_in_disposal",
                    format!(
                        "asset {tag} is not in disposal {}; add it first or attach the document to the disposal",
                        d.reference
                    ),
                ));
            }
            Some(a)
        }
    };
    let sha = sha256_hex(&doc.bytes);
    let size = doc.bytes.len() as i64;
    store.put(&sha, doc.bytes).await?;
    let txn = db.begin_write().await?;
    let saved = disposal_document::ActiveModel {
        id: NotSet,
        disposal_id: Set(d.id),
        asset_id: Set(asset.as_ref().map(|a| a.id)),
        kind: Set(doc.kind.as_str().to_string()),
        file_name: Set(file_name),
        content_type: Set(doc_type.content_type().to_string()),
        size_bytes: Set(size),
        sha256: Set(sha),
        uploaded_by: Set(actor.name.clone()),
        uploaded_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let tags: HashMap<i32, String> = asset.map(|a| (a.id, a.asset_tag)).into_iter().collect();
    let v = document_view(saved, &tags);
    audit::record(&txn, actor, Action::Create, DOCUMENT_ENTITY, v.id, None, Some(&v)).await?;
    txn.commit().await?;
    Ok(v)
}

/// A file name safe for a download header: the base name, printable ASCII without quotes, and the
/// extension of what the content really is.
fn clean_file_name(raw: &str, t: DocumentType) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let mut name: String = base
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .filter(|c| !matches!(c, '"' | ';' | '\\'))
        .take(150)
        .collect();
    name = name.trim().to_string();
    let ext = match t {
        DocumentType::Pdf => ".pdf",
        DocumentType::Png => ".png",
        DocumentType::Jpeg => ".jpg",
    };
    let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s).trim();
    if stem.is_empty() {
        format!("document{ext}")
    } else {
        format!("{stem}{ext}")
    }
}

/// A document's record and bytes; the bytes are checked against the stored checksum first.
pub async fn document_file<C: ConnectionTrait>(
    conn: &C,
    store: &DocumentStore,
    disposal_id: i32,
    document_id: i32,
) -> AppResult<(DocumentView, Vec<u8>)> {
    let doc = disposal_document::Entity::find_by_id(document_id)
        .filter(disposal_document::Column::DisposalId.eq(disposal_id))
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("document", document_id))?;
    let bytes = store.read(&doc.sha256).await?;
    if sha256_hex(&bytes) != doc.sha256 {
        return Err(AppError::Internal(format!(
            "document {} ({}) no longer matches its SHA-256 checksum: the stored file was changed or damaged",
            doc.id, doc.sha256
        )));
    }
    Ok((document_view(doc, &HashMap::new()), bytes))
}

/// The e-waste figures for a financial year, with the period and the method stated.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EwasteReport {
    /// e.g. "2025/26"
    pub financial_year: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Completed disposals dated in the year.
    pub disposals_counted: u64,
    pub figures: EwasteFigures,
    pub method: String,
}

pub const EWASTE_METHOD: &str = "Every asset in a completed disposal dated in the financial year counts once, with \
its weight as weighed, else its model's weight at completion. Reused = internal reuse + donation + resale. \
Diverted from landfill = every route except landfill. Shares of reuse and diversion are by weight (WEEE is \
reported in tonnes); the certificate share is the number of data-bearing devices with a sanitisation \
certificate number ÷ all data-bearing devices.";

/// disposal_id, weight_kg, has_storage, certificate_number, weee_category.
type EwasteColumns = (i32, Option<f64>, bool, Option<String>, i32);

pub async fn ewaste<C: ConnectionTrait>(conn: &C, year: FinancialYear) -> AppResult<EwasteReport> {
    let disposals = store_disposal::Entity::find()
        .filter(store_disposal::Column::State.eq(COMPLETED))
        .filter(store_disposal::Column::DisposalDate.gte(year.first_day()))
        .filter(store_disposal::Column::DisposalDate.lte(year.last_day()))
        .all(conn)
        .await?;
    let routes: HashMap<i32, Route> =
        disposals.iter().map(|d| (d.id, d.route.parse().unwrap_or(Route::Recycling))).collect();
    let ids: Vec<i32> = routes.keys().copied().collect();
    let mut items = Vec::new();
    for chunk in ids.chunks(500) {
        // Only the columns the figures use.
        let lines: Vec<EwasteColumns> = disposal_asset::Entity::find()
            .select_only()
            .columns([
                disposal_asset::Column::DisposalId,
                disposal_asset::Column::WeightKg,
                disposal_asset::Column::HasStorage,
                disposal_asset::Column::CertificateNumber,
                disposal_asset::Column::WeeeCategory,
            ])
            .filter(disposal_asset::Column::DisposalId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        items.extend(lines.into_iter().map(|(disposal_id, weight_kg, has_storage, certificate, weee_category)| {
            EwasteItem {
                route: routes[&disposal_id],
                weee_category,
                weight_kg: weight_kg.unwrap_or(0.0),
                has_storage,
                has_certificate: certificate.as_deref().is_some_and(|c| !c.trim().is_empty()),
            }
        }));
    }
    Ok(EwasteReport {
        financial_year: year.label(),
        from: year.first_day(),
        to: year.last_day(),
        disposals_counted: disposals.len() as u64,
        figures: ewaste::figures(&items),
        method: EWASTE_METHOD.to_string(),
    })
}

/// One asset's share of what its disposal cost and brought in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct DisposalMoney {
    pub cost_gbp: Decimal,
    pub income_gbp: Decimal,
}

/// Every disposed asset's share of its disposal's cost and income, by asset id, for total cost of
/// ownership. Only completed disposals count (a draft's figures may still change or be abandoned).
/// A batch's amount is shared by weight when every asset in it has one, else equally, exact to the
/// penny with the leftover pence to the largest remainders (see `domain::apportion`). Assets whose
/// disposal had neither cost nor income are absent.
pub async fn money_by_asset<C: ConnectionTrait>(conn: &C) -> AppResult<HashMap<i32, DisposalMoney>> {
    let disposals = store_disposal::Entity::find()
        .filter(store_disposal::Column::State.eq(COMPLETED))
        .all(conn)
        .await?
        .into_iter()
        .filter(|d| d.cost_pence.unwrap_or(0) != 0 || d.income_pence.unwrap_or(0) != 0)
        .collect::<Vec<_>>();
    // Two queries in all (the lines fetched in chunks of disposal ids), not one per disposal: TCO calls
    // this for the whole estate.
    let ids: Vec<i32> = disposals.iter().map(|d| d.id).collect();
    // (asset id, weight) in line order, per disposal.
    let mut lines_by_disposal: HashMap<i32, Vec<(i32, Option<f64>)>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let lines: Vec<(i32, i32, Option<f64>)> = disposal_asset::Entity::find()
            .select_only()
            .columns([
                disposal_asset::Column::DisposalId,
                disposal_asset::Column::AssetId,
                disposal_asset::Column::WeightKg,
            ])
            .filter(disposal_asset::Column::DisposalId.is_in(chunk.to_vec()))
            .order_by_asc(disposal_asset::Column::Id)
            .into_tuple()
            .all(conn)
            .await?;
        for (disposal_id, asset_id, weight_kg) in lines {
            lines_by_disposal.entry(disposal_id).or_default().push((asset_id, weight_kg));
        }
    }
    let mut out = HashMap::new();
    for d in disposals {
        let lines = lines_by_disposal.remove(&d.id).unwrap_or_default();
        let weights: Vec<Option<f64>> = lines.iter().map(|(_, w)| *w).collect();
        let costs = apportion(d.cost_pence.unwrap_or(0), &weights);
        let incomes = apportion(d.income_pence.unwrap_or(0), &weights);
        for (((asset_id, _), c), i) in lines.iter().zip(costs).zip(incomes) {
            out.insert(
                *asset_id,
                DisposalMoney { cost_gbp: Gbp::from_pence(c).decimal(), income_gbp: Gbp::from_pence(i).decimal() },
            );
        }
    }
    Ok(out)
}
