//! `/energy/meters`: each site's meters, with forms to add, change and delete one and to upload a file of
//! its readings (the import's summary, or every problem in the file). Changes need the facilities role, as
//! the API's. The comparison with the estimate is `metered_page`.

use askama::Template;
use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::{get, post};
use tokio::io::AsyncReadExt;

use super::catalogue::{change_cell, delete_cell, Cell};
use super::catalogue_delete::Doomed;
use super::catalogue_forms::{fill, finish, page};
use super::energy_inputs::{tabs, EnergyListPage, ListTable};
use super::forms::{Choice, Field, FormPage, Mode, RawForm, Reader, Section};
use super::{format, html, ok, Layout, PageError, PageResult};
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::import::meter_import::{self, MeterChoice};
use crate::import::{ImportOptions, ImportSummary, Problem};
use crate::services::meters::{self, Measures, MeterChanges, MeterView};
use crate::services::sites;
use crate::web::access::{Facilities, Viewer};
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, new_meter, create, edit, update, confirm_delete, delete, upload_form, upload]
}

const LIST: &str = "/energy/meters";

#[get("/energy/meters")]
async fn list(db: Db<'_>, who: Viewer, flash: Option<FlashMessage<'_>>) -> PageResult {
    let conn = db.inner();
    let all = meters::list(conn, None).await?;
    let mut tables = Vec::new();
    for s in sites::list(conn).await? {
        let mut t = ListTable::new(
            format!("site-{}", s.id),
            s.name.clone(),
            &[("Meter", false), ("Measures", false), ("Readings", true), ("", false), ("", false), ("", false)],
        );
        t.add_href = format!("{LIST}/new?site_id={}", s.id);
        t.add_label = format!("Add a meter at {}", s.name);
        t.empty = "No meters: the estimate stands alone for this site.".into();
        for m in all.iter().filter(|m| m.meter.site_id == s.id) {
            let name = &m.meter.name;
            t.rows.push(vec![
                Cell::text(name.clone()),
                Cell::text(m.meter.measures.label()),
                Cell::text(format::count(m.readings)).number(),
                Cell::link("Upload readings", format!("{LIST}/{}/readings/new", m.meter.id)),
                change_cell(format!("{LIST}/{}/edit", m.meter.id), &format!("meter {name}")),
                delete_cell(format!("{LIST}/{}/delete", m.meter.id), &format!("meter {name}")),
            ]);
        }
        tables.push(t);
    }
    ok(&EnergyListPage {
        layout: Layout::new(&who.0, "energy", "Meters", flash),
        tabs: tabs(LIST),
        heading: "Meters".into(),
        intro: "The meters at each site and what they measure: the whole site's supply, the ICT circuits, or the \
                server room. Upload the supplier's half-hourly data or a logger's file for a meter, then compare \
                metered with estimated ICT electricity."
            .into(),
        notes: vec![
            "Files accepted: Timestamp,kWh rows (the start of each half hour, UK time unless an offset is given); \
             Date with 48 half-hour columns (00:30 … 24:00, the end of each half hour, or HH01 … HH48; 46 or 50 on \
             clock-change days); or Date,kWh rows (one a day)."
                .into(),
        ],
        add_href: String::new(),
        add_label: String::new(),
        tables,
        choices: None,
        summary: vec![],
    }
    .for_role())
}

fn sections(site_choices: Vec<Choice>) -> Vec<Section> {
    let measures = Measures::ALL.iter().map(|m| Choice::new(m.as_str(), m.label())).collect();
    vec![Section::new(
        "The meter",
        vec![
            Field::select("site_id", "Site", "Choose the site", site_choices).required(),
            Field::text("name", "Name")
                .required()
                .width("w-medium")
                .hint("As on the meter or the board, e.g. Main incomer"),
            Field::select("measures", "What it measures", "Choose", measures).required().hint(
                "An ICT or server-room sub-meter is compared with the estimate directly; a whole-site meter \
                 shows ICT's estimated share of the building",
            ),
            Field::textarea("description", "Notes").hint("Its serial number or MPAN, where it is, what it feeds"),
        ],
    )]
}

fn changes(form: &RawForm, mode: Mode) -> Result<MeterChanges, FieldErrors> {
    let mut r = Reader::new(form, mode);
    if mode == Mode::Create {
        r.require("site_id", "site");
        r.require("name", "name");
        r.require("measures", "what it measures");
    }
    let c = MeterChanges {
        site_id: r.id("site_id"),
        name: r.text("name"),
        measures: r.text("measures"),
        description: r.text("description"),
    };
    r.finish().map(|()| c)
}

fn values(v: &MeterView) -> Vec<(&'static str, String)> {
    vec![
        ("site_id", v.site_id.to_string()),
        ("name", v.name.clone()),
        ("measures", v.measures.as_str().to_string()),
        ("description", v.description.clone().unwrap_or_default()),
    ]
}

async fn site_choices(db: &Db<'_>) -> Result<Vec<Choice>, AppError> {
    Ok(sites::list(db.inner()).await?.into_iter().map(|s| Choice::new(s.id, s.name)).collect())
}

fn new_form(choices: Vec<Choice>) -> FormPage {
    page("energy", "Add a meter".into(), LIST.into(), sections(choices), LIST)
}

fn edit_form(v: &MeterView, choices: Vec<Choice>) -> FormPage {
    let what = format!("meter {}", v.name);
    page("energy", format!("Change {what}"), format!("{LIST}/{}", v.id), sections(choices), LIST)
        .with_delete(format!("{LIST}/{}/delete", v.id), format!("Delete {what}"))
}

fn saved(v: MeterView, verb: &str) -> (String, String) {
    (format!("{LIST}#site-{}", v.site_id), format!("Meter {} was {verb}", v.name))
}

#[get("/energy/meters/new?<site_id>")]
async fn new_meter(db: Db<'_>, who: Facilities, site_id: Option<i32>) -> PageResult {
    let site = site_id.map(|s| s.to_string()).unwrap_or_default();
    ok(&fill(new_form(site_choices(&db).await?), vec![("site_id", site)]).by(&who.0))
}

#[post("/energy/meters", data = "<form>")]
async fn create(db: Db<'_>, actor: Facilities, form: Form<RawForm>) -> PageResult {
    let result = match changes(&form, Mode::Create) {
        Ok(c) => meters::create(db.inner(), &actor, c).await,
        Err(e) => Err(AppError::Unprocessable(e)),
    };
    finish(&actor.0, result, &form, new_form(site_choices(&db).await?), |v| saved(v, "added"))
}

#[get("/energy/meters/<id>/edit")]
async fn edit(db: Db<'_>, who: Facilities, id: i32) -> PageResult {
    let v = meters::get(db.inner(), id).await?;
    ok(&fill(edit_form(&v, site_choices(&db).await?), values(&v)).by(&who.0))
}

#[post("/energy/meters/<id>", data = "<form>")]
async fn update(db: Db<'_>, actor: Facilities, id: i32, form: Form<RawForm>) -> PageResult {
    let current = meters::get(db.inner(), id).await?;
    let result = match changes(&form, Mode::Edit) {
        Ok(c) => meters::update(db.inner(), &actor, id, c).await,
        Err(e) => Err(AppError::Unprocessable(e)),
    };
    finish(&actor.0, result, &form, edit_form(&current, site_choices(&db).await?), |v| saved(v, "saved"))
}

fn doomed(v: &MeterView) -> Doomed {
    Doomed {
        section: "energy",
        what: format!("meter {}", v.name),
        explanation: "Its readings are deleted with it, and the site's months are no longer compared with them.",
        action: format!("{LIST}/{}/delete", v.id),
        back: LIST.into(),
        list: LIST,
    }
}

#[get("/energy/meters/<id>/delete")]
async fn confirm_delete(db: Db<'_>, who: Facilities, id: i32) -> PageResult {
    let v = meters::get(db.inner(), id).await?;
    ok(&doomed(&v).page(&who.0, None))
}

#[post("/energy/meters/<id>/delete")]
async fn delete(db: Db<'_>, actor: Facilities, id: i32) -> PageResult {
    let v = meters::get(db.inner(), id).await?;
    doomed(&v).finish(&actor.0, meters::delete(db.inner(), &actor, id).await.map(|_| ()))
}

// ------------------------------------------------------------------------------------------- readings

#[derive(Template)]
#[template(path = "meter_upload.html")]
struct UploadPage {
    layout: Layout,
    meter: MeterView,
    site: String,
    /// After an upload: what happened.
    summary: Option<ImportSummary>,
    problems: Vec<Problem>,
    heading: String,
}

impl UploadPage {
    fn line(p: &Problem) -> String {
        p.line.map(|l| l.to_string()).unwrap_or_default()
    }
}

async fn upload_page(db: &Db<'_>, who: &crate::web::access::Caller, id: i32) -> Result<UploadPage, PageError> {
    let meter = meters::get(db.inner(), id).await?;
    let site = sites::get(db.inner(), meter.site_id).await?.name;
    let heading = format!("Upload readings for {}", meter.name);
    Ok(UploadPage {
        layout: Layout::new(who, "energy", heading.clone(), None),
        meter,
        site,
        summary: None,
        problems: vec![],
        heading,
    })
}

// "/new": the form is for those who may upload (a GET of a form needs the role its POST needs).
#[get("/energy/meters/<id>/readings/new")]
async fn upload_form(db: Db<'_>, who: Facilities, id: i32) -> PageResult {
    ok(&upload_page(&db, &who.0, id).await?)
}

#[derive(FromForm)]
struct Upload<'r> {
    file: TempFile<'r>,
    dry_run: bool,
}

#[post("/energy/meters/<id>/readings", data = "<upload>")]
async fn upload(db: Db<'_>, actor: Facilities, id: i32, upload: Form<Upload<'_>>) -> PageResult {
    let mut page = upload_page(&db, &actor.0, id).await?;
    let source = upload
        .file
        .raw_name()
        .map(|n| n.dangerous_unsafe_unsanitized_raw().as_str().to_string())
        .filter(|n| !n.is_empty() && n.len() <= 200 && !n.chars().any(char::is_control))
        .unwrap_or_else(|| "readings.csv".into());
    let mut bytes = Vec::with_capacity(upload.file.len() as usize);
    let mut reader = upload.file.open().await.map_err(|e| PageError::Internal(format!("reading the upload: {e}")))?;
    reader.read_to_end(&mut bytes).await.map_err(|e| PageError::Internal(format!("reading the upload: {e}")))?;
    let options = ImportOptions {
        dry_run: upload.dry_run,
        create_missing: false,
        source: source.clone(),
        meter: Some(MeterChoice::Id(id)),
    };
    let summary = meter_import::import_readings(db.inner(), &actor, &bytes, &options).await?;
    let refused = summary.is_refused();
    page.heading = if refused {
        format!("{source} was not imported")
    } else if summary.dry_run {
        format!("Checked {source}: ready to import")
    } else {
        format!("Imported {source}")
    };
    page.layout = Layout::new(&actor.0, "energy", page.heading.clone(), None).with_errors(refused);
    page.problems = summary.problems.clone();
    page.summary = Some(summary);
    html(if refused { Status::UnprocessableEntity } else { Status::Ok }, &page)
}
