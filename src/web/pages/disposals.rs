//! Disposal pages: the list, record or change a disposal, its page (assets with weight and sanitisation,
//! documents to upload and download, completion with every missing field listed), the CSV import of an
//! erasure report, and the e-waste figures per financial year. Dates dd/mm/yyyy, money £1,234.56.

use askama::Template;
use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::{get, post};
use tokio::io::AsyncReadExt;

use super::forms::{field_problems, Choice, Field, FormPage, Mode, RawForm, Reader, Section};
use super::{format, html, ok, path_segment, redirect_with, Layout, MessagePage, PageError, PageResult};
use crate::domain::disposal::{DocumentKind, Route, SanitisationMethod, MAX_DOCUMENT_BYTES};
use crate::domain::{FieldErrors, Gbp, Patch};
use crate::energy::FinancialYear;
use crate::error::AppError;
use crate::import::disposal_import::import_disposal_lines;
use crate::import::{ImportOptions, Mapping};
use crate::services::disposals::{self, DisposalChanges, DisposalView, LineChanges, NewDocument};
use crate::web::access::{Ict, Viewer};
use crate::web::api::disposals::Documents;
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        list,
        new_form,
        create,
        show,
        edit_form,
        update,
        add_asset,
        remove_asset,
        complete,
        upload_document,
        import_file,
        ewaste_page
    ]
}

const SECTION: &str = "disposals";

fn kg(v: f64) -> String {
    format!("{} kg", format::decimal(rust_decimal::Decimal::from_f64_retain(v).unwrap_or_default().round_dp(2), 2))
}

fn percent(share: Option<f64>) -> String {
    share.map_or("—".to_string(), |s| format!("{:.1}%", s * 100.0))
}

struct ListRow {
    href: String,
    reference: String,
    date: String,
    route: String,
    receiver: String,
    state: String,
    assets: String,
}

#[derive(Template)]
#[template(path = "disposal_list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<ListRow>,
}

#[get("/disposals")]
async fn list(db: Db<'_>, who: Viewer, flash: Option<FlashMessage<'_>>) -> PageResult {
    let rows = disposals::list(db.inner())
        .await?
        .into_iter()
        .map(|d| ListRow {
            href: format!("/disposals/{}", d.id),
            reference: d.reference,
            date: format::date(d.disposal_date),
            route: d.route.label().to_string(),
            receiver: d.receiving_organisation.unwrap_or_default(),
            state: if d.state == "completed" { "Completed".into() } else { "Draft".into() },
            assets: format::count(d.asset_count),
        })
        .collect();
    ok(&ListPage { layout: Layout::new(&who.0, SECTION, "Disposals", flash), rows })
}

fn disposal_sections() -> Vec<Section> {
    let routes = Route::ALL.iter().map(|r| Choice::new(r.as_str(), r.label())).collect();
    vec![
        Section::new(
            "The disposal",
            vec![
                Field::text("reference", "Reference")
                    .hint("The council's reference for this batch, e.g. DSP-2025-014")
                    .required(),
                Field::date("disposal_date", "Date it leaves").hint("dd/mm/yyyy").required(),
                Field::select("route", "Route", "Choose a route", routes).required(),
                Field::text("receiving_organisation", "Receiving organisation")
                    .hint("The charity, buyer, manufacturer or treatment facility that receives it"),
            ],
        ),
        Section::new(
            "Waste paperwork (recycling, landfill and take-back)",
            vec![
                Field::text("waste_carrier", "Waste carrier"),
                Field::text("carrier_registration", "Carrier registration number")
                    .hint("e.g. CBDU123456")
                    .width("w-short"),
                Field::text("waste_transfer_note", "Waste transfer note number").width("w-short"),
                Field::text("hazardous_consignment_note", "Hazardous waste consignment note")
                    .hint("Needed for CRT screens and batteries sent as waste")
                    .width("w-short"),
            ],
        ),
        Section::new(
            "Money",
            vec![
                Field::money("cost_gbp", "Cost to the council"),
                Field::money("income_gbp", "Income to the council"),
                Field::textarea("notes", "Notes"),
            ],
        ),
    ]
}

fn disposal_changes(form: &RawForm, mode: Mode) -> Result<DisposalChanges, FieldErrors> {
    let mut r = Reader::new(form, mode);
    let c = DisposalChanges {
        reference: r.text("reference"),
        disposal_date: r.date("disposal_date"),
        route: r.parsed::<Route>("route"),
        receiving_organisation: r.text("receiving_organisation"),
        waste_carrier: r.text("waste_carrier"),
        carrier_registration: r.text("carrier_registration"),
        waste_transfer_note: r.text("waste_transfer_note"),
        hazardous_consignment_note: r.text("hazardous_consignment_note"),
        cost_gbp: r.parsed::<Gbp>("cost_gbp"),
        income_gbp: r.parsed::<Gbp>("income_gbp"),
        notes: r.text("notes"),
    };
    r.finish().map(|_| c)
}

fn form_page(who: &Ict, heading: &str, action: String, cancel: String) -> FormPage {
    FormPage {
        layout: Layout::new(&who.0, SECTION, heading.to_string(), None),
        heading: heading.to_string(),
        intro: "Record equipment leaving the estate. Add its assets, their weight and data sanitisation, and the \
            documents on the disposal's page; then complete it."
            .into(),
        action,
        sections: disposal_sections(),
        summary: vec![],
        submit: if heading.starts_with("Record") { heading.to_string() } else { "Save changes".into() },
        cancel_href: cancel,
        delete_href: String::new(),
        delete_label: String::new(),
    }
}

#[get("/disposals/new")]
fn new_form(who: Ict) -> PageResult {
    ok(&form_page(&who, "Record a disposal", "/disposals/new".into(), "/disposals".into()))
}

fn refused_form(e: AppError, form: &RawForm, page: FormPage) -> PageResult {
    let errs = field_problems(e)?;
    html(Status::UnprocessableEntity, &page.with_problems(form, &errs))
}

#[post("/disposals/new", data = "<form>")]
async fn create(db: Db<'_>, who: Ict, form: Form<RawForm>) -> PageResult {
    let page = form_page(&who, "Record a disposal", "/disposals/new".into(), "/disposals".into());
    let changes = match disposal_changes(&form, Mode::Create) {
        Ok(c) => c,
        Err(errs) => return html(Status::UnprocessableEntity, &page.with_problems(&form, &errs)),
    };
    match disposals::create(db.inner(), &who, changes).await {
        Ok(v) => redirect_with(
            format!("/disposals/{}", v.disposal.id),
            format!("Disposal {} recorded", v.disposal.reference),
        ),
        Err(e) => refused_form(e, &form, page),
    }
}

#[get("/disposals/<id>/edit")]
async fn edit_form(db: Db<'_>, who: Ict, id: i32) -> PageResult {
    let v = disposals::get(db.inner(), id).await?;
    let d = &v.disposal;
    let mut page = form_page(
        &who,
        &format!("Change disposal {}", d.reference),
        format!("/disposals/{id}/edit"),
        format!("/disposals/{id}"),
    );
    let s = |o: &Option<String>| o.clone().unwrap_or_default();
    let values = [
        ("reference", d.reference.clone()),
        ("disposal_date", format::date(d.disposal_date)),
        ("route", d.route.as_str().to_string()),
        ("receiving_organisation", s(&d.receiving_organisation)),
        ("waste_carrier", s(&d.waste_carrier)),
        ("carrier_registration", s(&d.carrier_registration)),
        ("waste_transfer_note", s(&d.waste_transfer_note)),
        ("hazardous_consignment_note", s(&d.hazardous_consignment_note)),
        ("cost_gbp", d.cost_gbp.map(|g| g.to_string()).unwrap_or_default()),
        ("income_gbp", d.income_gbp.map(|g| g.to_string()).unwrap_or_default()),
        ("notes", s(&d.notes)),
    ];
    for f in page.sections.iter_mut().flat_map(|s| s.fields.iter_mut()) {
        if let Some((_, v)) = values.iter().find(|(n, _)| *n == f.name) {
            f.value = v.clone();
        }
    }
    ok(&page)
}

#[post("/disposals/<id>/edit", data = "<form>")]
async fn update(db: Db<'_>, who: Ict, id: i32, form: Form<RawForm>) -> PageResult {
    let page = form_page(&who, "Change disposal", format!("/disposals/{id}/edit"), format!("/disposals/{id}"));
    let changes = match disposal_changes(&form, Mode::Edit) {
        Ok(c) => c,
        Err(errs) => return html(Status::UnprocessableEntity, &page.with_problems(&form, &errs)),
    };
    match disposals::update(db.inner(), &who, id, changes).await {
        Ok(v) => redirect_with(format!("/disposals/{id}"), format!("Disposal {} saved", v.disposal.reference)),
        Err(e) => refused_form(e, &form, page),
    }
}

struct AssetRow {
    tag: String,
    href: String,
    remove_action: String,
    category: String,
    weight: String,
    storage: String,
    weee: String,
    sanitisation: String,
    certificate: String,
}

struct DocumentRow {
    href: String,
    name: String,
    kind: String,
    asset: String,
    size: String,
    sha256: String,
    uploaded: String,
}

#[derive(Template)]
#[template(path = "disposal_show.html")]
struct ShowPage {
    layout: Layout,
    id: i32,
    reference: String,
    draft: bool,
    details: Vec<(String, String)>,
    /// Why the last action was refused, every problem.
    errors: Vec<String>,
    /// What still stops completion.
    missing: Vec<String>,
    assets: Vec<AssetRow>,
    total_weight: String,
    documents: Vec<DocumentRow>,
    methods: Vec<Choice>,
    kinds: Vec<Choice>,
    max_document: String,
}

fn show_page(v: DisposalView, layout: Layout, errors: Vec<String>) -> ShowPage {
    let d = &v.disposal;
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "—".into());
    let money = |g: Option<Gbp>| g.map_or("—".to_string(), |g| g.to_uk_string());
    let mut details = vec![
        ("Date it leaves".to_string(), format::date(d.disposal_date)),
        ("Route".into(), d.route.label().into()),
        ("Receiving organisation".into(), opt(&d.receiving_organisation)),
        ("Waste carrier".into(), opt(&d.waste_carrier)),
        ("Carrier registration".into(), opt(&d.carrier_registration)),
        ("Waste transfer note".into(), opt(&d.waste_transfer_note)),
        ("Hazardous waste consignment note".into(), opt(&d.hazardous_consignment_note)),
        ("Cost".into(), money(d.cost_gbp)),
        ("Income".into(), money(d.income_gbp)),
        ("Notes".into(), opt(&d.notes)),
    ];
    if let (Some(at), Some(by)) = (d.completed_at, &d.completed_by) {
        details.push(("Completed".into(), format!("{} by {by}", format::datetime(at))));
    }
    let assets = v
        .assets
        .iter()
        .map(|a| AssetRow {
            href: format!("/assets/{}", path_segment(&a.asset_tag)),
            remove_action: format!("/disposals/{}/assets/{}/remove", d.id, path_segment(&a.asset_tag)),
            tag: a.asset_tag.clone(),
            category: a.category.label().into(),
            weight: a.weight_kg.map_or("not known".into(), |w| format!("{} ({})", kg(w), a.weight_source)),
            storage: format!(
                "{}{}",
                if a.has_storage { "Yes" } else { "No" },
                if a.hazardous { "; hazardous waste" } else { "" }
            ),
            weee: a.weee_category.to_string(),
            sanitisation: match (&a.sanitisation_method, &a.sanitised_by, a.sanitised_on) {
                (None, _, _) if a.has_storage => "Missing".into(),
                (None, _, _) => "Not needed".into(),
                (Some(m), by, on) => format!(
                    "{}{}{}{}",
                    m.as_str(),
                    a.sanitisation_standard.as_deref().map(|s| format!(" ({s})")).unwrap_or_default(),
                    by.as_deref().map(|b| format!(" by {b}")).unwrap_or_default(),
                    on.map(|d| format!(" on {}", format::date(d))).unwrap_or_default()
                ),
            },
            certificate: a.certificate_number.clone().unwrap_or_else(|| "—".into()),
        })
        .collect();
    let documents = v
        .documents
        .iter()
        .map(|doc| DocumentRow {
            href: doc.download_url.clone(),
            name: doc.file_name.clone(),
            kind: doc.kind.label().into(),
            asset: doc.asset_tag.clone().unwrap_or_default(),
            size: format!("{} KB", format::count((doc.size_bytes as u64).div_ceil(1024))),
            sha256: doc.sha256.clone(),
            uploaded: format!("{} by {}", format::datetime(doc.uploaded_at), doc.uploaded_by),
        })
        .collect();
    ShowPage {
        layout,
        id: d.id,
        reference: d.reference.clone(),
        draft: d.state == "draft",
        details,
        errors,
        missing: v.completion_problems.iter().map(|p| p.message.clone()).collect(),
        assets,
        total_weight: kg(v.total_weight_kg),
        documents,
        methods: SanitisationMethod::ALL.iter().map(|m| Choice::new(m.as_str(), m.as_str())).collect(),
        kinds: DocumentKind::ALL.iter().map(|k| Choice::new(k.as_str(), k.label())).collect(),
        max_document: format!("{} MiB", MAX_DOCUMENT_BYTES >> 20),
    }
}

#[get("/disposals/<id>")]
async fn show(db: Db<'_>, who: Viewer, id: i32, flash: Option<FlashMessage<'_>>) -> PageResult {
    let v = disposals::get(db.inner(), id).await?;
    let layout = Layout::new(&who.0, SECTION, format!("Disposal {}", v.disposal.reference), flash);
    ok(&show_page(v, layout, vec![]))
}

/// The disposal's page again with why the action was refused (nothing was changed).
async fn refused(db: Db<'_>, who: &Ict, id: i32, e: AppError) -> PageResult {
    let (status, errors) = match e {
        AppError::Unprocessable(errs) => (Status::UnprocessableEntity, errs.0.into_iter().map(|e| e.message).collect()),
        AppError::Conflict { message, .. } => (Status::Conflict, vec![message]),
        AppError::NotFound { entity, key } if entity != "disposal" => {
            (Status::UnprocessableEntity, vec![format!("There is no {entity} {key} in the register; check the tag.")])
        }
        other => return Err(other.into()),
    };
    let v = disposals::get(db.inner(), id).await?;
    let layout = Layout::new(&who.0, SECTION, format!("Disposal {}", v.disposal.reference), None).with_errors(true);
    html(status, &show_page(v, layout, errors))
}

#[post("/disposals/<id>/assets", data = "<form>")]
async fn add_asset(db: Db<'_>, who: Ict, id: i32, form: Form<RawForm>) -> PageResult {
    let tag = form.get("asset_tag").trim().to_string();
    let mut r = Reader::new(&form, Mode::Create);
    let changes = LineChanges {
        weight_kg: r.decimal("weight_kg"),
        sanitisation_method: r.parsed::<SanitisationMethod>("sanitisation_method"),
        sanitisation_standard: r.text("sanitisation_standard"),
        sanitised_by: r.text("sanitised_by"),
        sanitised_on: r.date("sanitised_on"),
        certificate_number: r.text("certificate_number"),
        hazardous: if form.get("hazardous") == "true" { Patch::Value(true) } else { Patch::Missing },
        ..Default::default()
    };
    if let Err(errs) = r.finish() {
        return refused(db, &who, id, errs.into()).await;
    }
    if tag.is_empty() {
        return refused(db, &who, id, AppError::field("asset_tag", "required", "Enter the asset tag of the device"))
            .await;
    }
    match disposals::put_asset(db.inner(), &who, id, &tag, changes).await {
        Ok(_) => redirect_with(format!("/disposals/{id}#assets"), format!("Asset {tag} saved in this disposal")),
        Err(e) => refused(db, &who, id, e).await,
    }
}

#[post("/disposals/<id>/assets/<tag>/remove")]
async fn remove_asset(db: Db<'_>, who: Ict, id: i32, tag: &str) -> PageResult {
    match disposals::remove_asset(db.inner(), &who, id, tag).await {
        Ok(_) => redirect_with(format!("/disposals/{id}#assets"), format!("Asset {tag} taken out of this disposal")),
        Err(e) => refused(db, &who, id, e).await,
    }
}

#[post("/disposals/<id>/complete")]
async fn complete(db: Db<'_>, who: Ict, id: i32) -> PageResult {
    match disposals::complete(db.inner(), &who, id).await {
        Ok(v) => redirect_with(
            format!("/disposals/{id}"),
            format!("Disposal {} completed: {} assets are now disposed", v.disposal.reference, v.assets.len()),
        ),
        Err(e) => refused(db, &who, id, e).await,
    }
}

#[derive(FromForm)]
struct DocumentUpload<'r> {
    kind: String,
    asset_tag: Option<String>,
    file: TempFile<'r>,
}

async fn read_upload(file: &TempFile<'_>, limit: usize) -> Result<Vec<u8>, PageError> {
    let mut bytes = Vec::new();
    let reader = file.open().await.map_err(|e| PageError::Internal(format!("reading the upload: {e}")))?;
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .await
        .map_err(|e| PageError::Internal(format!("reading the upload: {e}")))?;
    Ok(bytes)
}

fn upload_name(file: &TempFile<'_>) -> String {
    file.raw_name()
        .map(|n| n.dangerous_unsafe_unsanitized_raw().as_str().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_default()
}

#[post("/disposals/<id>/documents", data = "<upload>")]
async fn upload_document(
    db: Db<'_>,
    who: Ict,
    docs: Result<Documents, AppError>,
    id: i32,
    upload: Form<DocumentUpload<'_>>,
) -> PageResult {
    let docs = docs?;
    let kind: DocumentKind = match upload.kind.parse() {
        Ok(k) => k,
        Err(m) => return refused(db, &who, id, AppError::field("kind", "invalid", m)).await,
    };
    let bytes = read_upload(&upload.file, MAX_DOCUMENT_BYTES).await?;
    let doc = NewDocument { kind, file_name: upload_name(&upload.file), asset_tag: upload.asset_tag.clone(), bytes };
    match disposals::attach_document(db.inner(), &who, &docs.0, id, doc).await {
        Ok(d) => redirect_with(format!("/disposals/{id}#documents"), format!("{} attached", d.file_name)),
        Err(e) => refused(db, &who, id, e).await,
    }
}

#[derive(FromForm)]
struct ImportUpload<'r> {
    file: TempFile<'r>,
    dry_run: bool,
}

#[post("/disposals/<id>/import", data = "<upload>")]
async fn import_file(db: Db<'_>, who: Ict, id: i32, upload: Form<ImportUpload<'_>>) -> PageResult {
    let bytes = read_upload(&upload.file, crate::web::api::imports::MAX_IMPORT_BYTES as usize).await?;
    let name = upload_name(&upload.file);
    let source = if name.is_empty() || name.len() > 200 { "erasure-report.csv".to_string() } else { name };
    let options = ImportOptions { dry_run: upload.dry_run, create_missing: false, source: source.clone(), meter: None };
    let summary = import_disposal_lines(db.inner(), &who, &bytes, &Mapping::default(), &options).await?;
    if summary.is_refused() {
        let mut paragraphs =
            vec![format!("{source} was not imported: nothing was changed. Correct these and upload it again:")];
        paragraphs.extend(summary.problems.iter().map(|p| p.to_string()));
        let page = MessagePage::new(SECTION, format!("{source} was not imported"), paragraphs)
            .back(format!("/disposals/{id}"), "Back to the disposal");
        return html(Status::UnprocessableEntity, &page);
    }
    let message = if summary.dry_run {
        format!(
            "Checked {source}: {} assets would be added and {} changed; nothing was imported",
            summary.created, summary.updated
        )
    } else {
        format!(
            "Imported {source}: {} assets added, {} changed, {} unchanged",
            summary.created, summary.updated, summary.unchanged
        )
    };
    redirect_with(format!("/disposals/{id}#assets"), message)
}

/// "3. IT and telecommunications equipment": the UK categories of SI 2013/3113 Sch.1
/// (shared/reference/weee_categories.csv).
fn weee_category_name(n: i32) -> String {
    let name = match n {
        1 => "Large household appliances",
        2 => "Small household appliances",
        3 => "IT and telecommunications equipment",
        4 => "Consumer equipment",
        5 => "Lighting equipment",
        6 => "Electrical and electronic tools",
        7 => "Toys, leisure and sports equipment",
        8 => "Medical devices",
        9 => "Monitoring and control instruments",
        10 => "Automatic dispensers",
        11 => "Display equipment",
        12 => "Cooling appliances containing refrigerants",
        13 => "Gas discharge lamps and LED light sources",
        14 => "Photovoltaic panels",
        _ => "Unknown category",
    };
    format!("{n}. {name}")
}

struct RouteRow {
    route: String,
    count: String,
    weight: String,
}

#[derive(Template)]
#[template(path = "ewaste.html")]
struct EwastePage {
    layout: Layout,
    year: String,
    period: String,
    years: Vec<super::energy::YearLink>,
    disposals_counted: String,
    rows: Vec<RouteRow>,
    categories: Vec<RouteRow>,
    total_count: String,
    total_weight: String,
    share_reused: String,
    share_diverted: String,
    certificates: String,
    method: String,
}

#[get("/ewaste?<fy>")]
async fn ewaste_page(db: Db<'_>, who: Viewer, fy: Option<i32>, flash: Option<FlashMessage<'_>>) -> PageResult {
    let current = crate::services::energy::current_financial_year();
    let year = FinancialYear(fy.filter(|y| (1990..=2100).contains(y)).unwrap_or(current.0));
    let r = disposals::ewaste(db.inner(), year).await?;
    let f = &r.figures;
    let years = (current.0 - 3..=current.0)
        .map(|y| super::energy::YearLink {
            label: FinancialYear(y).label(),
            href: format!("/ewaste?fy={y}"),
            current: y == year.0,
        })
        .collect();
    let page = EwastePage {
        layout: Layout::new(&who.0, SECTION, format!("E-waste {}", r.financial_year), flash),
        period: format!("{} to {}", format::date(r.from), format::date(r.to)),
        year: r.financial_year.clone(),
        years,
        disposals_counted: format::count(r.disposals_counted),
        rows: f
            .by_route
            .iter()
            .map(|x| RouteRow { route: x.route.label().into(), count: format::count(x.count), weight: kg(x.weight_kg) })
            .collect(),
        categories: f
            .by_weee_category
            .iter()
            .map(|c| RouteRow {
                route: weee_category_name(c.weee_category),
                count: format::count(c.count),
                weight: kg(c.weight_kg),
            })
            .collect(),
        total_count: format::count(f.count),
        total_weight: kg(f.weight_kg),
        share_reused: percent(f.share_reused),
        share_diverted: percent(f.share_diverted_from_landfill),
        certificates: match f.share_with_certificate {
            None => "no data-bearing devices were disposed of".into(),
            Some(s) => format!(
                "{} ({} of {} data-bearing devices)",
                percent(Some(s)),
                format::count(f.with_certificate_count),
                format::count(f.storage_bearing_count)
            ),
        },
        method: r.method.clone(),
    };
    ok(&page)
}
