//! Create and edit forms for sites, departments, models and network segments: their fields, values and
//! `Changes`. (A segment is added on its site's page; it is changed here.)

use rocket::form::Form;
use rocket::http::Status;
use rocket::{get, post};

use super::forms::{field_problems, Field, FormPage, Mode, RawForm, Reader, Section};
use super::lookups::{self, model_label};
use super::{format, html, ok, redirect_with, Caller, Layout, PageResult};
use crate::domain::network::Cidr;
use crate::domain::{Category, FieldErrors, Gbp, Patch};
use crate::error::{AppError, AppResult};
use crate::services::departments::{self, DepartmentChanges, DepartmentView};
use crate::services::device_models::{self, DeviceModelChanges, DeviceModelView};
use crate::services::network_segments::{self, NetworkSegmentChanges, NetworkSegmentView};
use crate::services::sites::{self, SiteChanges, SiteView};
use crate::web::access::Ict;
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        new_site,
        create_site,
        edit_site,
        update_site,
        new_department,
        create_department,
        edit_department,
        update_department,
        new_model,
        create_model,
        edit_model,
        update_model,
        edit_segment,
        update_segment
    ]
}

/// A blank or filled-in form page.
pub(super) fn page(
    section: &'static str,
    heading: String,
    action: String,
    sections: Vec<Section>,
    cancel: &str,
) -> FormPage {
    let submit = if heading.starts_with("Add") { heading.clone() } else { "Save changes".to_string() };
    FormPage {
        layout: Layout::anonymous(section, heading.clone()),
        heading,
        intro: String::new(),
        action,
        sections,
        summary: vec![],
        submit,
        cancel_href: cancel.to_string(),
        delete_href: String::new(),
        delete_label: String::new(),
    }
}

pub(super) fn fill(mut p: FormPage, values: Vec<(&str, String)>) -> FormPage {
    for f in p.sections.iter_mut().flat_map(|s| s.fields.iter_mut()) {
        if let Some((_, v)) = values.iter().find(|(n, _)| *n == f.name) {
            f.value = v.clone();
        }
    }
    p
}

/// After a submit: to `done`'s address with its message, or the form again with every problem shown.
pub(super) fn finish<V>(
    c: &Caller,
    result: AppResult<V>,
    form: &RawForm,
    p: FormPage,
    done: impl FnOnce(V) -> (String, String),
) -> PageResult {
    match result {
        Ok(v) => {
            let (to, message) = done(v);
            redirect_with(to, message)
        }
        Err(e) => {
            let errs = field_problems(e)?;
            html(Status::UnprocessableEntity, &p.by(c).with_problems(form, &errs))
        }
    }
}

fn s(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn n(v: Option<f64>) -> String {
    v.map(format::number).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Sites

fn site_sections() -> Vec<Section> {
    vec![Section::new(
        "The site",
        vec![
            Field::text("name", "Name").required().hint("e.g. Civic Offices"),
            Field::textarea("address", "Address"),
            Field::text("postcode", "Postcode").width("w-short"),
            Field::number("pue", "PUE of its server room", "decimal").hint(
                "Power usage effectiveness: the building's energy for the server room ÷ the IT equipment's, e.g. 1.8. \
                 Leave blank if it has no server room",
            ),
            Field::textarea("notes", "Notes"),
        ],
    )]
}

fn site_changes(form: &RawForm, mode: Mode) -> Result<SiteChanges, FieldErrors> {
    let mut r = Reader::new(form, mode);
    if mode == Mode::Create {
        r.require("name", "name");
    }
    let c = SiteChanges {
        name: r.text("name"),
        address: r.text("address"),
        postcode: r.text("postcode"),
        pue: r.decimal("pue"),
        notes: r.text("notes"),
    };
    r.finish().map(|()| c)
}

fn site_values(v: &SiteView) -> Vec<(&'static str, String)> {
    vec![
        ("name", v.name.clone()),
        ("address", s(&v.address)),
        ("postcode", s(&v.postcode)),
        ("pue", n(v.pue)),
        ("notes", s(&v.notes)),
    ]
}

fn site_form() -> FormPage {
    page("sites", "Add a site".into(), "/sites".into(), site_sections(), "/sites")
}

fn site_edit_form(id: i32, name: &str) -> FormPage {
    page("sites", format!("Change site {name}"), format!("/sites/{id}"), site_sections(), &format!("/sites/{id}"))
        .with_delete(format!("/sites/{id}/delete"), format!("Delete site {name}"))
}

#[get("/sites/new")]
fn new_site(who: Ict) -> PageResult {
    ok(&site_form().by(&who.0))
}

#[post("/sites", data = "<form>")]
async fn create_site(db: Db<'_>, actor: Ict, form: Form<RawForm>) -> PageResult {
    let result = match site_changes(&form, Mode::Create) {
        Ok(c) => sites::create(db.inner(), &actor, c).await,
        Err(e) => Err(AppError::Unprocessable(e)),
    };
    finish(&actor.0, result, &form, site_form(), |v| (format!("/sites/{}", v.id), format!("Site {} was added", v.name)))
}

#[get("/sites/<id>/edit")]
async fn edit_site(db: Db<'_>, who: Ict, id: i32) -> PageResult {
    let v = sites::get(db.inner(), id).await?;
    ok(&fill(site_edit_form(id, &v.name), site_values(&v)).by(&who.0))
}

#[post("/sites/<id>", data = "<form>")]
async fn update_site(db: Db<'_>, actor: Ict, id: i32, form: Form<RawForm>) -> PageResult {
    let current = sites::get(db.inner(), id).await?;
    let result = match site_changes(&form, Mode::Edit) {
        Ok(c) => sites::update(db.inner(), &actor, id, c).await,
        Err(e) => Err(AppError::Unprocessable(e)),
    };
    finish(&actor.0, result, &form, site_edit_form(id, &current.name), |v| {
        (format!("/sites/{}", v.id), format!("Site {} was saved", v.name))
    })
}

// ---------------------------------------------------------------------------------------------
// Departments

fn department_sections() -> Vec<Section> {
    vec![Section::new(
        "The department",
        vec![
            Field::text("name", "Name").required().hint("e.g. Revenues and Benefits"),
            Field::text("cost_centre", "Cost centre").hint("The finance system's code, e.g. RB1200").width("w-medium"),
            Field::textarea("notes", "Notes"),
        ],
    )]
}

fn department_changes(form: &RawForm, mode: Mode) -> Result<DepartmentChanges, FieldErrors> {
    let mut r = Reader::new(form, mode);
    if mode == Mode::Create {
        r.require("name", "name");
    }
    let c = DepartmentChanges { name: r.text("name"), cost_centre: r.text("cost_centre"), notes: r.text("notes") };
    r.finish().map(|()| c)
}

fn department_values(v: &DepartmentView) -> Vec<(&'static str, String)> {
    vec![("name", v.name.clone()), ("cost_centre", s(&v.cost_centre)), ("notes", s(&v.notes))]
}

fn department_form() -> FormPage {
    page("departments", "Add a department".into(), "/departments".into(), department_sections(), "/departments")
}

fn department_edit_form(id: i32, name: &str) -> FormPage {
    page(
        "departments",
        format!("Change department {name}"),
        format!("/departments/{id}"),
        department_sections(),
        "/departments",
    )
    .with_delete(format!("/departments/{id}/delete"), format!("Delete department {name}"))
}

#[get("/departments/new")]
fn new_department(who: Ict) -> PageResult {
    ok(&department_form().by(&who.0))
}

#[post("/departments", data = "<form>")]
async fn create_department(db: Db<'_>, actor: Ict, form: Form<RawForm>) -> PageResult {
    let result = match department_changes(&form, Mode::Create) {
        Ok(c) => departments::create(db.inner(), &actor, c).await,
        Err(e) => Err(AppError::Unprocessable(e)),
    };
    finish(&actor.0, result, &form, department_form(), |v| {
        ("/departments".into(), format!("Department {} was added", v.name))
    })
}

#[get("/departments/<id>/edit")]
async fn edit_department(db: Db<'_>, who: Ict, id: i32) -> PageResult {
    let v = departments::get(db.inner(), id).await?;
    ok(&fill(department_edit_form(id, &v.name), department_values(&v)).by(&who.0))
}

#[post("/departments/<id>", data = "<form>")]
async fn update_department(db: Db<'_>, actor: Ict, id: i32, form: Form<RawForm>) -> PageResult {
    let current = departments::get(db.inner(), id).await?;
    let result = match department_changes(&form, Mode::Edit) {
        Ok(c) => departments::update(db.inner(), &actor, id, c).await,
        Err(e) => Err(AppError::Unprocessable(e)),
    };
    finish(&actor.0, result, &form, department_edit_form(id, &current.name), |v| {
        ("/departments".into(), format!("Department {} was saved", v.name))
    })
}

// ---------------------------------------------------------------------------------------------
// Models

fn model_sections() -> Vec<Section> {
    let mut category = Field::select("category", "Category", "Choose a category", lookups::category_choices());
    category.required = true;
    let with_suffix = |mut f: Field, suffix: &'static str| {
        f.suffix = suffix;
        f
    };
    vec![
        Section::new(
            "The model",
            vec![
                Field::text("manufacturer", "Manufacturer").required().hint("e.g. Dell").width("w-medium"),
                Field::text("name", "Model name").required().hint("e.g. OptiPlex 7010 Micro"),
                category,
            ],
        ),
        Section::new(
            "Power draw, from the spec sheet",
            vec![
                Field::watts("on_watts", "Power when on (idle)").required(),
                Field::watts("sleep_watts", "Power when asleep").required(),
                Field::watts("off_watts", "Power when off but plugged in").required(),
                with_suffix(Field::number("tec_kwh_per_year", "Typical energy consumption", "decimal"), "kWh a year")
                    .hint("TEC from the ENERGY STAR or EU energy label, if given"),
            ],
        ),
        Section::new(
            "Carbon, weight, life and price",
            vec![
                with_suffix(Field::number("embodied_kg_co2e", "Embodied carbon", "decimal"), "kg CO2e")
                    .hint("Carbon emitted making and delivering one unit"),
                Field::text("embodied_source", "Source of the embodied carbon figure")
                    .hint("e.g. the manufacturer's product carbon footprint sheet, 2023"),
                with_suffix(Field::number("weight_kg", "Weight", "decimal"), "kg"),
                Field::number("default_life_months", "Expected life in months", "numeric")
                    .hint("Leave blank to use the category's, e.g. 60 months for a desktop"),
                Field::money("replacement_price", "Replacement price")
                    .hint("What a like-for-like replacement costs, e.g. 499.00"),
            ],
        ),
        Section::new("Notes", vec![Field::textarea("notes", "Notes")]),
    ]
}

fn model_changes(form: &RawForm, mode: Mode) -> Result<DeviceModelChanges, FieldErrors> {
    let mut r = Reader::new(form, mode);
    if mode == Mode::Create {
        r.require("manufacturer", "manufacturer");
        r.require("name", "model name");
    }
    let c = DeviceModelChanges {
        manufacturer: r.text("manufacturer"),
        name: r.text("name"),
        category: r.parsed::<Category>("category"),
        on_watts: r.decimal("on_watts"),
        sleep_watts: r.decimal("sleep_watts"),
        off_watts: r.decimal("off_watts"),
        tec_kwh_per_year: r.decimal("tec_kwh_per_year"),
        embodied_kg_co2e: r.decimal("embodied_kg_co2e"),
        embodied_source: r.text("embodied_source"),
        weight_kg: r.decimal("weight_kg"),
        default_life_months: r.whole_number::<i32>("default_life_months"),
        replacement_price: r.parsed::<Gbp>("replacement_price"),
        notes: r.text("notes"),
    };
    r.finish().map(|()| c)
}

fn model_values(v: &DeviceModelView) -> Vec<(&'static str, String)> {
    vec![
        ("manufacturer", v.manufacturer.clone()),
        ("name", v.name.clone()),
        ("category", v.category.as_str().to_string()),
        ("on_watts", format::number(v.on_watts)),
        ("sleep_watts", format::number(v.sleep_watts)),
        ("off_watts", format::number(v.off_watts)),
        ("tec_kwh_per_year", n(v.tec_kwh_per_year)),
        ("embodied_kg_co2e", n(v.embodied_kg_co2e)),
        ("embodied_source", s(&v.embodied_source)),
        ("weight_kg", n(v.weight_kg)),
        ("default_life_months", v.default_life_months.map(|m| m.to_string()).unwrap_or_default()),
        ("replacement_price", v.replacement_price.map(|p| p.to_string()).unwrap_or_default()),
        ("notes", s(&v.notes)),
    ]
}

fn model_form() -> FormPage {
    page("models", "Add a model".into(), "/models".into(), model_sections(), "/models")
}

fn model_edit_form(id: i32, label: &str) -> FormPage {
    page("models", format!("Change model {label}"), format!("/models/{id}"), model_sections(), "/models")
        .with_delete(format!("/models/{id}/delete"), format!("Delete model {label}"))
}

#[get("/models/new")]
fn new_model(who: Ict) -> PageResult {
    ok(&model_form().by(&who.0))
}

#[post("/models", data = "<form>")]
async fn create_model(db: Db<'_>, actor: Ict, form: Form<RawForm>) -> PageResult {
    let result = match model_changes(&form, Mode::Create) {
        Ok(c) => device_models::create(db.inner(), &actor, c).await,
        Err(e) => Err(AppError::Unprocessable(e)),
    };
    finish(&actor.0, result, &form, model_form(), |v| {
        ("/models".into(), format!("Model {} was added", model_label(&v)))
    })
}

#[get("/models/<id>/edit")]
async fn edit_model(db: Db<'_>, who: Ict, id: i32) -> PageResult {
    let v = device_models::get(db.inner(), id).await?;
    ok(&fill(model_edit_form(id, &model_label(&v)), model_values(&v)).by(&who.0))
}

#[post("/models/<id>", data = "<form>")]
async fn update_model(db: Db<'_>, actor: Ict, id: i32, form: Form<RawForm>) -> PageResult {
    let current = device_models::get(db.inner(), id).await?;
    let result = match model_changes(&form, Mode::Edit) {
        Ok(c) => device_models::update(db.inner(), &actor, id, c).await,
        Err(e) => Err(AppError::Unprocessable(e)),
    };
    finish(&actor.0, result, &form, model_edit_form(id, &model_label(&current)), |v| {
        ("/models".into(), format!("Model {} was saved", model_label(&v)))
    })
}

// ---------------------------------------------------------------------------------------------
// Network segments

/// A segment's fields; `legend` says whether it is being added or changed.
pub(super) fn segment_sections(legend: &str) -> Vec<Section> {
    vec![Section::new(
        legend,
        vec![
            Field::text("name", "Name").required().hint("e.g. Floor 2 staff"),
            Field::text("cidr", "Network")
                .required()
                .hint("Network address and prefix length, e.g. 192.168.10.0/24")
                .width("w-medium"),
            Field::text("broadcast_address", "Wake-on-LAN broadcast address")
                .hint("Leave blank for an IPv4 network to use its directed broadcast; required for IPv6, e.g. ff02::1")
                .width("w-medium"),
            Field::number("wol_port", "Wake-on-LAN port", "numeric").hint("Leave blank for 9, the usual port"),
        ],
    )]
}

/// A new segment at `site_id`, or (with no site) changes to one, which stays at its site.
pub(super) fn segment_changes(form: &RawForm, site_id: Option<i32>) -> Result<NetworkSegmentChanges, FieldErrors> {
    let mode = if site_id.is_some() { Mode::Create } else { Mode::Edit };
    let mut r = Reader::new(form, mode);
    if mode == Mode::Create {
        r.require("name", "name");
        r.require("cidr", "network");
    }
    let c = NetworkSegmentChanges {
        site_id: site_id.map_or(Patch::Missing, Patch::Value),
        name: r.text("name"),
        cidr: r.text("cidr"),
        broadcast_address: r.text("broadcast_address"),
        wol_port: r.whole_number::<i32>("wol_port"),
        notes: Patch::Missing,
    };
    r.finish().map(|()| c)
}

/// The form's values. A broadcast address the network would derive anyway is left blank, so that
/// changing the network moves it too.
fn segment_values(v: &NetworkSegmentView) -> Vec<(&'static str, String)> {
    let derived = v.cidr.parse::<Cidr>().ok().and_then(|c| c.directed_broadcast().ok()).map(|ip| ip.to_string());
    let broadcast = if derived.as_deref() == Some(v.broadcast_address.as_str()) {
        String::new()
    } else {
        v.broadcast_address.clone()
    };
    vec![
        ("name", v.name.clone()),
        ("cidr", v.cidr.clone()),
        ("broadcast_address", broadcast),
        ("wol_port", v.wol_port.to_string()),
    ]
}

fn segment_edit_form(v: &NetworkSegmentView) -> FormPage {
    let back = format!("/sites/{}#segments", v.site_id);
    page(
        "sites",
        format!("Change network segment {}", v.name),
        format!("/network-segments/{}", v.id),
        segment_sections("The network segment"),
        &back,
    )
}

#[get("/network-segments/<id>/edit")]
async fn edit_segment(db: Db<'_>, who: Ict, id: i32) -> PageResult {
    let v = network_segments::get(db.inner(), id).await?;
    ok(&fill(segment_edit_form(&v), segment_values(&v)).by(&who.0))
}

#[post("/network-segments/<id>", data = "<form>")]
async fn update_segment(db: Db<'_>, actor: Ict, id: i32, form: Form<RawForm>) -> PageResult {
    let current = network_segments::get(db.inner(), id).await?;
    let result = match segment_changes(&form, None) {
        Ok(c) => network_segments::update(db.inner(), &actor, id, c).await,
        Err(e) => Err(AppError::Unprocessable(e)),
    };
    finish(&actor.0, result, &form, segment_edit_form(&current), |v| {
        (format!("/sites/{}#segments", v.site_id), format!("Network segment {} was saved", v.name))
    })
}
