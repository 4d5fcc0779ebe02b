//! `/energy/grid-factors`: the UK grid electricity carbon factor sets, one per calendar year, with their
//! sources, and forms to add a new year's (when DESNZ publishes it), correct one and delete one. A year
//! with no set of its own is converted at the latest earlier set, and the figures say so. Changes need
//! the facilities role, as the API's.

use chrono::Datelike;
use rocket::form::Form;
use rocket::request::FlashMessage;
use rocket::{get, post};

use super::catalogue::{change_cell, delete_cell, Cell};
use super::catalogue_delete::Doomed;
use super::catalogue_forms::{fill, finish, page};
use super::energy_inputs::{tabs, EnergyListPage, ListTable};
use super::forms::{Field, FormPage, Mode, RawForm, Reader, Section};
use super::{ok, Layout, PageResult};
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::services::energy_reference::{self as reference, GridFactorSetChanges, GridFactorSetView};
use crate::web::access::{Facilities, Viewer};
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, new_set, create, edit, update, confirm_delete, delete]
}

const LIST: &str = "/energy/grid-factors";

fn total(v: &GridFactorSetView) -> String {
    let parse = |s: &str| s.parse::<rust_decimal::Decimal>().ok();
    match (parse(&v.generation_kg_co2e_per_kwh), parse(&v.td_kg_co2e_per_kwh)) {
        (Some(g), Some(t)) => (g + t).to_string(),
        _ => String::new(),
    }
}

#[get("/energy/grid-factors")]
async fn list(db: Db<'_>, who: Viewer, flash: Option<FlashMessage<'_>>) -> PageResult {
    let sets = reference::list_factor_sets(db.inner()).await?;
    let mut t = ListTable::new(
        "sets",
        "Factor sets held",
        &[
            ("Year", false),
            ("Generation (Scope 2)", true),
            ("T&D losses (Scope 3)", true),
            ("Together", true),
            ("Source", false),
            ("", false),
            ("", false),
        ],
    );
    t.empty = "No factor sets: carbon cannot be worked out until one is added.".into();
    // Newest first: the year people look for.
    for v in sets.iter().rev() {
        t.rows.push(vec![
            Cell::text(v.year.to_string()),
            Cell::text(v.generation_kg_co2e_per_kwh.clone()).number(),
            Cell::text(v.td_kg_co2e_per_kwh.clone()).number(),
            Cell::text(total(v)).number(),
            Cell::text(v.source.clone()),
            change_cell(format!("{LIST}/{}/edit", v.id), &format!("the {} factor set", v.year)),
            delete_cell(format!("{LIST}/{}/delete", v.id), &format!("the {} factor set", v.year)),
        ]);
    }
    let this_year = chrono::Utc::now().year();
    let mut notes =
        vec!["kgCO2e per kWh of UK grid electricity, from the UK government's greenhouse gas reporting conversion \
         factors (DESNZ, formerly BEIS and Defra), published each June for the calendar year."
            .to_string()];
    if let Some(latest) = sets.last().filter(|s| s.year < this_year) {
        notes.push(format!(
            "There is no set for {this_year} yet: until one is added, figures for {this_year} onwards use the {} \
             factors and say so beside every figure (the latest published set is used until the year's own appears).",
            latest.year
        ));
    }
    ok(&EnergyListPage {
        layout: Layout::new(&who.0, "energy", "Grid carbon factors", flash),
        tabs: tabs(LIST),
        heading: "Grid carbon factors".into(),
        intro: "Each year's carbon factors for electricity taken from the grid: generation (Scope 2) and the losses \
                in transmission and distribution (Scope 3)."
            .into(),
        notes,
        add_href: format!("{LIST}/new"),
        add_label: "Add a year's factors".into(),
        tables: vec![t],
        choices: None,
        summary: vec![],
    }
    .for_role())
}

fn sections() -> Vec<Section> {
    let factor = |name: &'static str, label: &str| {
        let mut f = Field::number(name, label, "decimal").required();
        f.suffix = "kgCO2e per kWh";
        f
    };
    vec![Section::new(
        "The factor set",
        vec![
            Field::number("year", "Year", "numeric")
                .required()
                .hint("The calendar year the factors are for, e.g. 2026"),
            factor("generation_kg_co2e_per_kwh", "Generation (Scope 2)")
                .hint("'UK electricity', kWh, kg CO2e, up to 8 decimal places, e.g. 0.17700"),
            factor("td_kg_co2e_per_kwh", "Transmission and distribution losses (Scope 3)")
                .hint("'Transmission and distribution', T&D - UK electricity, kg CO2e, e.g. 0.01853"),
            Field::textarea("source", "Source").required().hint(
                "The publication and its address, e.g. DESNZ Greenhouse gas reporting: conversion factors 2026, \
                 https://www.gov.uk/government/publications/greenhouse-gas-reporting-conversion-factors-2026",
            ),
        ],
    )]
}

fn changes(form: &RawForm, mode: Mode) -> Result<GridFactorSetChanges, FieldErrors> {
    let mut r = Reader::new(form, mode);
    if mode == Mode::Create {
        r.require("year", "year");
        r.require("generation_kg_co2e_per_kwh", "generation factor");
        r.require("td_kg_co2e_per_kwh", "transmission and distribution factor");
        r.require("source", "source");
    }
    let c = GridFactorSetChanges {
        year: r.whole_number::<i32>("year"),
        generation_kg_co2e_per_kwh: r.exact_decimal("generation_kg_co2e_per_kwh"),
        td_kg_co2e_per_kwh: r.exact_decimal("td_kg_co2e_per_kwh"),
        source: r.text("source"),
    };
    r.finish().map(|()| c)
}

fn values(v: &GridFactorSetView) -> Vec<(&'static str, String)> {
    vec![
        ("year", v.year.to_string()),
        ("generation_kg_co2e_per_kwh", v.generation_kg_co2e_per_kwh.clone()),
        ("td_kg_co2e_per_kwh", v.td_kg_co2e_per_kwh.clone()),
        ("source", v.source.clone()),
    ]
}

fn new_form() -> FormPage {
    let mut p = page("energy", "Add a year's factors".into(), LIST.into(), sections(), LIST);
    p.intro = "Copy the figures exactly as published; they are kept as exact decimals.".into();
    p
}

fn edit_form(v: &GridFactorSetView) -> FormPage {
    let what = format!("the {} factor set", v.year);
    page("energy", format!("Change {what}"), format!("{LIST}/{}", v.id), sections(), LIST)
        .with_delete(format!("{LIST}/{}/delete", v.id), format!("Delete {what}"))
}

#[get("/energy/grid-factors/new")]
async fn new_set(db: Db<'_>, who: Facilities) -> PageResult {
    // The year after the latest held is the one usually being added.
    let next = reference::list_factor_sets(db.inner()).await?.last().map(|s| (s.year + 1).to_string());
    ok(&fill(new_form(), vec![("year", next.unwrap_or_default())]).by(&who.0))
}

#[post("/energy/grid-factors", data = "<form>")]
async fn create(db: Db<'_>, actor: Facilities, form: Form<RawForm>) -> PageResult {
    let result = match changes(&form, Mode::Create) {
        Ok(c) => reference::create_factor_set(db.inner(), &actor, c).await,
        Err(e) => Err(AppError::Unprocessable(e)),
    };
    finish(&actor.0, result, &form, new_form(), |v| (LIST.into(), format!("The {} factor set was added", v.year)))
}

#[get("/energy/grid-factors/<id>/edit")]
async fn edit(db: Db<'_>, who: Facilities, id: i32) -> PageResult {
    let v = reference::get_factor_set(db.inner(), id).await?;
    ok(&fill(edit_form(&v), values(&v)).by(&who.0))
}

#[post("/energy/grid-factors/<id>", data = "<form>")]
async fn update(db: Db<'_>, actor: Facilities, id: i32, form: Form<RawForm>) -> PageResult {
    let current = reference::get_factor_set(db.inner(), id).await?;
    let result = match changes(&form, Mode::Edit) {
        Ok(c) => reference::update_factor_set(db.inner(), &actor, id, c).await,
        Err(e) => Err(AppError::Unprocessable(e)),
    };
    finish(&actor.0, result, &form, edit_form(&current), |v| {
        (LIST.into(), format!("The {} factor set was saved", v.year))
    })
}

fn doomed(v: &GridFactorSetView) -> Doomed {
    Doomed {
        section: "energy",
        what: format!("the {} factor set", v.year),
        explanation: "Carbon for that year is then worked out with the latest earlier set, and says so; a year \
                      with no earlier set has no carbon figure.",
        action: format!("{LIST}/{}/delete", v.id),
        back: LIST.into(),
        list: LIST,
    }
}

#[get("/energy/grid-factors/<id>/delete")]
async fn confirm_delete(db: Db<'_>, who: Facilities, id: i32) -> PageResult {
    let v = reference::get_factor_set(db.inner(), id).await?;
    ok(&doomed(&v).page(&who.0, None))
}

#[post("/energy/grid-factors/<id>/delete")]
async fn delete(db: Db<'_>, actor: Facilities, id: i32) -> PageResult {
    let v = reference::get_factor_set(db.inner(), id).await?;
    doomed(&v).finish(&actor.0, reference::delete_factor_set(db.inner(), &actor, id).await)
}
