//! `/energy/tariffs`: each site's tariff history and the council-wide default (the rate for every site
//! without its own), with forms to add a rate from a date, change it and delete it. Rates are exact
//! decimals as the bill states them (pence per kWh, pence per day); dates dd/mm/yyyy. Changes need the
//! facilities role, as the API's.

use rocket::form::Form;
use rocket::request::FlashMessage;
use rocket::{get, post};

use super::catalogue::{change_cell, delete_cell, Cell};
use super::catalogue_delete::Doomed;
use super::catalogue_forms::{fill, finish, page};
use super::energy_inputs::{tabs, EnergyListPage, ListTable};
use super::forms::{Choice, Field, FormPage, Mode, RawForm, Reader, Section};
use super::{format, ok, Layout, PageResult};
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::services::energy_reference::{self as reference, TariffChanges, TariffView};
use crate::services::sites;
use crate::web::access::{Facilities, Viewer};
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, new_tariff, create, edit, update, confirm_delete, delete]
}

const LIST: &str = "/energy/tariffs";

/// "24.50p" from the stored exact text; blank as a dash.
fn pence(v: Option<&str>, unit: &str) -> String {
    match v {
        Some(v) => format!("{v}p {unit}"),
        None => format::BLANK.into(),
    }
}

fn site_name(sites: &[(i32, String)], id: Option<i32>) -> String {
    match id {
        None => "the council-wide default".into(),
        Some(id) => sites.iter().find(|(i, _)| *i == id).map_or_else(|| format!("site {id}"), |(_, n)| n.clone()),
    }
}

/// A table of one site's (or the default's) tariffs, oldest first, each with the day before the next
/// starts as its last.
fn history(id: &str, heading: String, rows: &[&TariffView]) -> ListTable {
    let mut t = ListTable::new(
        id,
        heading,
        &[
            ("From", false),
            ("Until", false),
            ("Unit rate", true),
            ("Standing charge", true),
            ("Supplier's carbon factor", true),
            ("Supplier", false),
            ("", false),
            ("", false),
        ],
    );
    for (i, v) in rows.iter().enumerate() {
        let until = rows
            .get(i + 1)
            .and_then(|next| next.effective_from.pred_opt())
            .map_or_else(|| "in force".to_string(), format::date);
        let from = format::date(v.effective_from);
        t.rows.push(vec![
            Cell::text(from.clone()),
            Cell::text(until),
            Cell::text(pence(Some(&v.unit_rate_pence_per_kwh), "per kWh")).number(),
            Cell::text(pence(v.standing_charge_pence_per_day.as_deref(), "per day")).number(),
            Cell::text(v.market_kg_co2e_per_kwh.as_ref().map_or(format::BLANK.into(), |f| format!("{f} kgCO2e/kWh")))
                .number(),
            Cell::text(format::text(&v.supplier)),
            change_cell(format!("{LIST}/{}/edit", v.id), &format!("the tariff from {from}")),
            delete_cell(format!("{LIST}/{}/delete", v.id), &format!("the tariff from {from}")),
        ]);
    }
    t
}

#[get("/energy/tariffs?<site_id>")]
async fn list(db: Db<'_>, who: Viewer, site_id: Option<i32>, flash: Option<FlashMessage<'_>>) -> PageResult {
    let conn = db.inner();
    let all = reference::list_tariffs(conn, None).await?;
    let sites: Vec<(i32, String)> = sites::list(conn).await?.into_iter().map(|s| (s.id, s.name)).collect();
    let mut tables = Vec::new();
    let of = |site: Option<i32>| all.iter().filter(|t| t.site_id == site).collect::<Vec<_>>();
    if site_id.is_none() {
        let mut t = history("default", "Council-wide default".into(), &of(None));
        t.add_href = format!("{LIST}/new");
        t.add_label = "Add a council-wide rate".into();
        t.empty = "No council-wide rate: every site needs its own.".into();
        tables.push(t);
    }
    for (id, name) in sites.iter().filter(|(id, _)| site_id.is_none_or(|s| s == *id)) {
        let mut t = history(&format!("site-{id}"), name.clone(), &of(Some(*id)));
        t.add_href = format!("{LIST}/new?site_id={id}");
        t.add_label = format!("Add a tariff for {name}");
        t.empty = "No tariff of its own: the council-wide default applies.".into();
        tables.push(t);
    }
    if let Some(s) = site_id.filter(|s| !sites.iter().any(|(id, _)| id == s)) {
        return Err(AppError::not_found("site", s.to_string()).into());
    }
    let heading = match site_id {
        Some(s) => format!("Tariffs: {}", site_name(&sites, Some(s))),
        None => "Tariffs".to_string(),
    };
    ok(&EnergyListPage {
        layout: Layout::new(&who.0, "energy", heading.clone(), flash),
        tabs: tabs(LIST),
        heading,
        intro: "The electricity unit rate each site pays, from the date it starts. A site without a tariff of its \
                own uses the council-wide default. Cost = the kWh ICT uses each day × the rate in force that day."
            .into(),
        notes: vec![
            "The standing charge is recorded with the bill's other terms but is not added to ICT's cost: it is paid \
             for the building's supply whatever ICT uses."
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
    let with_suffix = |mut f: Field, suffix: &'static str| {
        f.suffix = suffix;
        f
    };
    vec![Section::new(
        "The tariff",
        vec![
            Field::select("site_id", "Site", "Council-wide default (every site without its own)", site_choices),
            Field::date("effective_from", "In force from").required(),
            with_suffix(Field::number("unit_rate_pence_per_kwh", "Unit rate", "decimal"), "p per kWh")
                .required()
                .hint("As the bill states it, in pence, e.g. 24.50"),
            with_suffix(Field::number("standing_charge_pence_per_day", "Standing charge", "decimal"), "p per day")
                .hint("Optional, e.g. 53.35"),
            with_suffix(
                Field::number("market_kg_co2e_per_kwh", "Supplier's carbon factor", "decimal"),
                "kgCO2e per kWh",
            )
            .hint(
                "For market-based reporting: 0 for a REGO-backed renewable tariff. Leave blank to use the UK \
                         grid factor",
            ),
            Field::text("supplier", "Supplier").width("w-medium"),
            Field::textarea("notes", "Notes"),
        ],
    )]
}

fn changes(form: &RawForm, mode: Mode) -> Result<TariffChanges, FieldErrors> {
    let mut r = Reader::new(form, mode);
    if mode == Mode::Create {
        r.require("effective_from", "date it is in force from");
        r.require("unit_rate_pence_per_kwh", "unit rate");
    }
    let c = TariffChanges {
        site_id: r.id("site_id"),
        effective_from: r.date("effective_from"),
        unit_rate_pence_per_kwh: r.exact_decimal("unit_rate_pence_per_kwh"),
        standing_charge_pence_per_day: r.exact_decimal("standing_charge_pence_per_day"),
        market_kg_co2e_per_kwh: r.exact_decimal("market_kg_co2e_per_kwh"),
        supplier: r.text("supplier"),
        notes: r.text("notes"),
    };
    r.finish().map(|()| c)
}

fn values(v: &TariffView) -> Vec<(&'static str, String)> {
    vec![
        ("site_id", v.site_id.map(|s| s.to_string()).unwrap_or_default()),
        ("effective_from", format::iso(Some(v.effective_from))),
        ("unit_rate_pence_per_kwh", v.unit_rate_pence_per_kwh.clone()),
        ("standing_charge_pence_per_day", v.standing_charge_pence_per_day.clone().unwrap_or_default()),
        ("market_kg_co2e_per_kwh", v.market_kg_co2e_per_kwh.clone().unwrap_or_default()),
        ("supplier", v.supplier.clone().unwrap_or_default()),
        ("notes", v.notes.clone().unwrap_or_default()),
    ]
}

async fn site_choices(db: &Db<'_>) -> Result<Vec<Choice>, AppError> {
    Ok(sites::list(db.inner()).await?.into_iter().map(|s| Choice::new(s.id, s.name)).collect())
}

fn new_form(choices: Vec<Choice>) -> FormPage {
    page("energy", "Add a tariff".into(), LIST.into(), sections(choices), LIST)
}

fn edit_form(v: &TariffView, choices: Vec<Choice>) -> FormPage {
    let what = format!("the tariff from {}", format::date(v.effective_from));
    page("energy", format!("Change {what}"), format!("{LIST}/{}", v.id), sections(choices), LIST)
        .with_delete(format!("{LIST}/{}/delete", v.id), format!("Delete {what}"))
}

#[get("/energy/tariffs/new?<site_id>")]
async fn new_tariff(db: Db<'_>, who: Facilities, site_id: Option<i32>) -> PageResult {
    let form =
        fill(new_form(site_choices(&db).await?), vec![("site_id", site_id.map(|s| s.to_string()).unwrap_or_default())]);
    ok(&form.by(&who.0))
}

fn saved(v: TariffView, verb: &str) -> (String, String) {
    let to = match v.site_id {
        Some(s) => format!("{LIST}?site_id={s}"),
        None => LIST.to_string(),
    };
    (to, format!("The tariff from {} was {verb}", format::date(v.effective_from)))
}

#[post("/energy/tariffs", data = "<form>")]
async fn create(db: Db<'_>, actor: Facilities, form: Form<RawForm>) -> PageResult {
    let result = match changes(&form, Mode::Create) {
        Ok(c) => reference::create_tariff(db.inner(), &actor, c).await,
        Err(e) => Err(AppError::Unprocessable(e)),
    };
    finish(&actor.0, result, &form, new_form(site_choices(&db).await?), |v| saved(v, "added"))
}

#[get("/energy/tariffs/<id>/edit")]
async fn edit(db: Db<'_>, who: Facilities, id: i32) -> PageResult {
    let v = reference::get_tariff(db.inner(), id).await?;
    ok(&fill(edit_form(&v, site_choices(&db).await?), values(&v)).by(&who.0))
}

#[post("/energy/tariffs/<id>", data = "<form>")]
async fn update(db: Db<'_>, actor: Facilities, id: i32, form: Form<RawForm>) -> PageResult {
    let current = reference::get_tariff(db.inner(), id).await?;
    let result = match changes(&form, Mode::Edit) {
        Ok(c) => reference::update_tariff(db.inner(), &actor, id, c).await,
        Err(e) => Err(AppError::Unprocessable(e)),
    };
    finish(&actor.0, result, &form, edit_form(&current, site_choices(&db).await?), |v| saved(v, "saved"))
}

fn doomed(v: &TariffView) -> Doomed {
    Doomed {
        section: "energy",
        what: format!("the tariff from {}", format::date(v.effective_from)),
        explanation: "The rate before it then runs on until the next one starts. Days no rate covers have no cost \
                      figure until one is added.",
        action: format!("{LIST}/{}/delete", v.id),
        back: LIST.into(),
        list: LIST,
    }
}

#[get("/energy/tariffs/<id>/delete")]
async fn confirm_delete(db: Db<'_>, who: Facilities, id: i32) -> PageResult {
    let v = reference::get_tariff(db.inner(), id).await?;
    ok(&doomed(&v).page(&who.0, None))
}

#[post("/energy/tariffs/<id>/delete")]
async fn delete(db: Db<'_>, actor: Facilities, id: i32) -> PageResult {
    let v = reference::get_tariff(db.inner(), id).await?;
    doomed(&v).finish(&actor.0, reference::delete_tariff(db.inner(), &actor, id).await)
}
