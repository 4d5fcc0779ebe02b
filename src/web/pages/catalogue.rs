//! The catalogue's list pages (sites, departments, models), each row counting its assets with a link to
//! them, and a site's own page with its network segments and a form to add one.

use askama::Template;
use rocket::form::Form;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::{get, post};
use std::collections::HashMap;

use super::catalogue_forms::{segment_changes, segment_sections};
use super::forms::{field_problems, RawForm, Section, SummaryItem};
use super::lookups::model_label;
use super::{catalogue_delete, catalogue_forms, format, html, ok, redirect_with, Layout, PageError, PageResult};
use crate::error::AppError;
use crate::services::network_segments;
use crate::services::{departments, device_models, register_summary, sites};
use crate::web::access::{Ict, Viewer};
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    let mut r = rocket::routes![site_list, site_page, add_segment, department_list, model_list];
    r.extend(catalogue_forms::routes());
    r.extend(catalogue_delete::routes());
    r
}

/// One cell of a list table: text, optionally a link, optionally right-aligned (a number).
pub struct Cell {
    pub text: String,
    pub href: String,
    pub numeric: bool,
}

impl Cell {
    pub(super) fn text(t: impl Into<String>) -> Cell {
        Cell { text: t.into(), href: String::new(), numeric: false }
    }

    pub(super) fn link(t: impl Into<String>, href: impl Into<String>) -> Cell {
        Cell { text: t.into(), href: href.into(), numeric: false }
    }

    pub(super) fn number(mut self) -> Cell {
        self.numeric = true;
        self
    }
}

#[derive(Template)]
#[template(path = "catalogue_list.html")]
struct ListPage {
    layout: Layout,
    heading: String,
    intro: String,
    add_href: String,
    add_label: String,
    columns: Vec<(String, bool)>,
    rows: Vec<Vec<Cell>>,
    empty: String,
}

impl ListPage {
    /// Without the change and delete links (the trailing unnamed columns) for someone who may not use
    /// them: a viewer or facilities officer reads the catalogue.
    fn for_role(mut self) -> ListPage {
        if self.layout.may("ict") {
            return self;
        }
        let actions = self.columns.iter().rev().take_while(|(name, _)| name.is_empty()).count();
        let keep = self.columns.len() - actions;
        self.columns.truncate(keep);
        for r in &mut self.rows {
            r.truncate(keep);
        }
        self
    }
}

fn count_cell(counts: &HashMap<i32, u64>, id: i32, filter: &str) -> Cell {
    let n = counts.get(&id).copied().unwrap_or(0);
    Cell::link(format::count(n), format!("/assets?{filter}={id}")).number()
}

pub(super) fn change_cell(href: String, what: &str) -> Cell {
    Cell::link(format!("Change {what}"), href)
}

pub(super) fn delete_cell(href: String, what: &str) -> Cell {
    Cell::link(format!("Delete {what}"), href)
}

#[get("/sites")]
async fn site_list(db: Db<'_>, who: Viewer, flash: Option<FlashMessage<'_>>) -> PageResult {
    let conn = db.inner();
    let counts = register_summary::assets_per_site(conn).await?;
    let rows = sites::list(conn)
        .await?
        .into_iter()
        .map(|s| {
            vec![
                Cell::link(s.name.clone(), format!("/sites/{}", s.id)),
                Cell::text(format::text(&s.postcode)),
                Cell::text(s.pue.map(format::number).unwrap_or_else(|| format::BLANK.into())).number(),
                count_cell(&counts, s.id, "site_id"),
                change_cell(format!("/sites/{}/edit", s.id), &s.name),
            ]
        })
        .collect();
    ok(&ListPage {
        layout: Layout::new(&who.0, "sites", "Sites", flash),
        heading: "Sites".into(),
        intro: "The council's buildings. Open a site to see and add its network segments.".into(),
        add_href: "/sites/new".into(),
        add_label: "Add a site".into(),
        columns: cols(&[("Site", false), ("Postcode", false), ("PUE", true), ("Assets", true), ("", false)]),
        rows,
        empty: "No sites yet.".into(),
    }
    .for_role())
}

#[get("/departments")]
async fn department_list(db: Db<'_>, who: Viewer, flash: Option<FlashMessage<'_>>) -> PageResult {
    let conn = db.inner();
    let counts = register_summary::assets_per_department(conn).await?;
    let rows = departments::list(conn)
        .await?
        .into_iter()
        .map(|d| {
            vec![
                Cell::text(d.name.clone()),
                Cell::text(format::text(&d.cost_centre)),
                count_cell(&counts, d.id, "department_id"),
                change_cell(format!("/departments/{}/edit", d.id), &d.name),
                delete_cell(format!("/departments/{}/delete", d.id), &d.name),
            ]
        })
        .collect();
    ok(&ListPage {
        layout: Layout::new(&who.0, "departments", "Departments", flash),
        heading: "Departments".into(),
        intro: "Who owns and pays for devices, with their finance cost centre.".into(),
        add_href: "/departments/new".into(),
        add_label: "Add a department".into(),
        columns: cols(&[("Department", false), ("Cost centre", false), ("Assets", true), ("", false), ("", false)]),
        rows,
        empty: "No departments yet.".into(),
    }
    .for_role())
}

#[get("/models")]
async fn model_list(db: Db<'_>, who: Viewer, flash: Option<FlashMessage<'_>>) -> PageResult {
    let conn = db.inner();
    let counts = register_summary::assets_per_model(conn).await?;
    let rows = device_models::list(conn, None)
        .await?
        .into_iter()
        .map(|m| {
            let label = model_label(&m);
            vec![
                Cell::text(label.clone()),
                Cell::text(m.category.label()),
                Cell::text(format!(
                    "{} / {} / {}",
                    format::number(m.on_watts),
                    format::number(m.sleep_watts),
                    format::number(m.off_watts)
                ))
                .number(),
                Cell::text(m.default_life_months.map(|l| format!("{l} months")).unwrap_or_else(|| "Category's".into())),
                Cell::text(format::opt_money(m.replacement_price)).number(),
                count_cell(&counts, m.id, "model_id"),
                change_cell(format!("/models/{}/edit", m.id), &label),
                delete_cell(format!("/models/{}/delete", m.id), &label),
            ]
        })
        .collect();
    ok(&ListPage {
        layout: Layout::new(&who.0, "models", "Models", flash),
        heading: "Models".into(),
        intro: "The catalogue of makes and models, with the power each draws and how long it is expected to last."
            .into(),
        add_href: "/models/new".into(),
        add_label: "Add a model".into(),
        columns: cols(&[
            ("Model", false),
            ("Category", false),
            ("Watts on / asleep / off", true),
            ("Life", false),
            ("Replacement price", true),
            ("Assets", true),
            ("", false),
            ("", false),
        ]),
        rows,
        empty: "No models yet.".into(),
    }
    .for_role())
}

fn cols(c: &[(&str, bool)]) -> Vec<(String, bool)> {
    c.iter().map(|(t, n)| (t.to_string(), *n)).collect()
}

// ---------------------------------------------------------------------------------------------
// A site's page, with its network segments

#[derive(Template)]
#[template(path = "site_show.html")]
struct SitePage {
    layout: Layout,
    id: i32,
    name: String,
    details: Vec<(String, String)>,
    assets: String,
    segments: Vec<SegmentRow>,
    sections: Vec<Section>,
    summary: Vec<SummaryItem>,
}

struct SegmentRow {
    name: String,
    cidr: String,
    broadcast_address: String,
    wol_port: i32,
    edit_href: String,
}

async fn site_page_for(conn: &sea_orm::DatabaseConnection, id: i32, layout: Layout) -> Result<SitePage, PageError> {
    let s = sites::get(conn, id).await?;
    let counts = register_summary::assets_per_site(conn).await?;
    let segments = network_segments::list(conn, Some(id))
        .await?
        .into_iter()
        .map(|g| SegmentRow {
            edit_href: format!("/network-segments/{}/edit", g.id),
            name: g.name,
            cidr: g.cidr,
            broadcast_address: g.broadcast_address,
            wol_port: g.wol_port,
        })
        .collect();
    Ok(SitePage {
        layout,
        id,
        details: vec![
            ("Address".into(), format::text(&s.address)),
            ("Postcode".into(), format::text(&s.postcode)),
            ("PUE of its server room".into(), s.pue.map(format::number).unwrap_or_else(|| format::BLANK.into())),
            ("Notes".into(), format::text(&s.notes)),
            ("Last changed".into(), format::datetime(s.updated_at)),
        ],
        assets: format::count(counts.get(&id).copied().unwrap_or(0)),
        name: s.name,
        segments,
        sections: segment_sections("Add a network segment"),
        summary: vec![],
    })
}

#[get("/sites/<id>")]
async fn site_page(db: Db<'_>, who: Viewer, id: i32, flash: Option<FlashMessage<'_>>) -> PageResult {
    let page = site_page_for(db.inner(), id, Layout::new(&who.0, "sites", "Site", flash)).await?;
    let title = format!("Site: {}", page.name);
    ok(&SitePage { layout: Layout { title, ..page.layout }, ..page })
}

#[post("/sites/<id>/segments", data = "<form>")]
async fn add_segment(db: Db<'_>, actor: Ict, id: i32, form: Form<RawForm>) -> PageResult {
    let conn = db.inner();
    let result = match segment_changes(&form, Some(id)) {
        Ok(c) => network_segments::create(conn, &actor, c).await,
        Err(errs) => Err(AppError::Unprocessable(errs)),
    };
    match result {
        Ok(g) => redirect_with(format!("/sites/{id}#segments"), format!("Network segment {} was added", g.name)),
        Err(e) => {
            let errs = field_problems(e)?;
            let page = site_page_for(conn, id, Layout::new(&actor.0, "sites", "Site", None)).await?;
            let mut sections = page.sections;
            super::forms::keep_input(&mut sections, &form);
            let summary = super::forms::attach_errors(&mut sections, &errs);
            let title = format!("Site: {}", page.name);
            let layout = Layout { title, ..page.layout }.with_errors(true);
            html(Status::UnprocessableEntity, &SitePage { layout, sections, summary, ..page })
        }
    }
}
