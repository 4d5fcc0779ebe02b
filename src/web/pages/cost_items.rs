//! Cost item pages: the list, add (optionally for one asset: `/cost-items/new?asset_tag=`), edit and
//! delete. Depends on services only.

use askama::Template;
use rocket::form::Form;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::{get, post};

use super::forms::{field_problems, Choice, Field, FormPage, Mode, RawForm, Reader, Section};
use super::lookups::{self, Lookups};
use super::{format, html, ok, redirect_with, Caller, ConfirmPage, Layout, PageResult};
use crate::domain::{Category, FieldError, FieldErrors, Gbp, Patch};
use crate::error::{AppError, AppResult};
use crate::services::cost_items::{self, CostItemChanges, CostItemView, ScopeKind, TimingKind};
use crate::tco::CostKind;
use crate::web::access::{Ict, Viewer};
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, new_item, create, edit, update, confirm_delete, delete]
}

pub struct ItemRow {
    pub href: String,
    pub description: String,
    pub kind: String,
    pub applies_to: String,
    pub timing: String,
    pub amount: String,
}

impl ItemRow {
    pub fn new(v: &CostItemView) -> ItemRow {
        let timing = match (v.timing, v.ends_on) {
            (TimingKind::OneOff, _) => format!("One-off on {}", format::date(v.starts_on)),
            (TimingKind::Annual, Some(end)) => {
                format!("A year, {} to {}", format::date(v.starts_on), format::date(end))
            }
            (TimingKind::Annual, None) => format!("A year, from {} (ongoing)", format::date(v.starts_on)),
        };
        ItemRow {
            href: format!("/cost-items/{}/edit", v.id),
            description: v.description.clone(),
            kind: v.kind.label().to_string(),
            applies_to: v.scope_label.clone().unwrap_or_default(),
            timing,
            amount: v.amount.to_uk_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "cost_items.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<ItemRow>,
}

#[get("/cost-items")]
async fn list(db: Db<'_>, who: Viewer, flash: Option<FlashMessage<'_>>) -> PageResult {
    let rows = cost_items::list(db.inner()).await?.iter().map(ItemRow::new).collect();
    ok(&ListPage { layout: Layout::new(&who.0, "tco", "Cost items", flash), rows })
}

fn sections(l: &Lookups) -> Vec<Section> {
    let kinds = CostKind::ALL.iter().map(|k| Choice::new(k.as_str(), k.label())).collect();
    let scopes = vec![
        Choice::new("asset", "One asset"),
        Choice::new("model", "Every asset of a model"),
        Choice::new("category", "Every asset of a category"),
        Choice::new("department", "A department's assets"),
        Choice::new("site", "A site's assets"),
    ];
    let timings = vec![Choice::new("one_off", "One-off, on a date"), Choice::new("annual", "Every year")];
    vec![
        Section::new(
            "The cost",
            vec![
                Field::select("kind", "Kind", "Choose", kinds).required(),
                Field::text("description", "Description").required().hint("e.g. Desktop support contract"),
                Field::select("timing", "When", "Choose", timings).required(),
                Field::money("amount", "Amount").required().hint("The one-off amount, or the amount each year"),
                Field::date("starts_on", "Date, or first day").required(),
                Field::date("ends_on", "Last day (yearly costs only)")
                    .hint("For example, 31/03/2028. Leave blank for a one-off, or a yearly cost that goes on"),
                Field::text("supplier", "Supplier"),
                Field::textarea("notes", "Notes"),
            ],
        ),
        Section::new(
            "Who it is for",
            vec![
                Field::select("scope", "For", "Choose", scopes).required().hint(
                    "Then fill in the one matching field below. A group's cost is shared equally among \
                           its assets in use on each date it falls due",
                ),
                Field::text("asset_tag", "Asset tag").width("w-medium"),
                Field::select("model_id", "Model", "Not this", l.model_choices()),
                Field::select("category", "Category", "Not this", lookups::category_choices()),
                Field::select("department_id", "Department", "Not this", l.department_choices()),
                Field::select("site_id", "Site", "Not this", l.site_choices()),
            ],
        ),
    ]
}

fn form_page(l: &Lookups, heading: String, action: String) -> FormPage {
    let submit = if heading.starts_with("Add") { heading.clone() } else { "Save changes".to_string() };
    FormPage {
        layout: Layout::anonymous("tco", heading.clone()),
        heading,
        intro: String::new(),
        action,
        sections: sections(l),
        summary: vec![],
        submit,
        cancel_href: "/cost-items".into(),
        delete_href: String::new(),
        delete_label: String::new(),
    }
}

fn fill(mut p: FormPage, values: &[(&str, String)]) -> FormPage {
    for f in p.sections.iter_mut().flat_map(|s| s.fields.iter_mut()) {
        if let Some((_, v)) = values.iter().find(|(n, _)| *n == f.name) {
            f.value = v.clone();
        }
    }
    p
}

fn changes(form: &RawForm, mode: Mode) -> Result<CostItemChanges, FieldErrors> {
    let mut r = Reader::new(form, mode);
    let scope = r.parsed::<ScopeKind>("scope");
    let target = |r: &mut Reader, name: &str| r.id(name);
    let mut c = CostItemChanges {
        kind: r.parsed::<CostKind>("kind"),
        description: r.text("description"),
        timing: r.parsed::<TimingKind>("timing"),
        amount: r.parsed::<Gbp>("amount"),
        starts_on: r.date("starts_on"),
        ends_on: r.date("ends_on"),
        supplier: r.text("supplier"),
        notes: r.text("notes"),
        ..Default::default()
    };
    let mut errs = FieldErrors::default();
    match &scope {
        Patch::Value(ScopeKind::Asset) => match r.text("asset_tag") {
            Patch::Value(tag) => c.asset_tag = Patch::Value(tag),
            _ => errs.push(FieldError::new("asset_tag", "required", "Enter the asset tag")),
        },
        Patch::Value(ScopeKind::Category) => c.category = r.parsed::<Category>("category"),
        Patch::Value(s) => {
            let name = match s {
                ScopeKind::Model => "model_id",
                ScopeKind::Department => "department_id",
                _ => "site_id",
            };
            match target(&mut r, name) {
                Patch::Value(id) => c.scope_id = Patch::Value(id),
                _ => errs.push(FieldError::new(name, "required", "Choose which one")),
            }
        }
        _ => {}
    }
    c.scope = scope;
    r.errors.0.extend(errs.0);
    r.finish().map(|()| c)
}

fn values(v: &CostItemView) -> Vec<(&'static str, String)> {
    let id = v.scope_id.map(|i| i.to_string()).unwrap_or_default();
    let mut out = vec![
        ("kind", v.kind.as_str().to_string()),
        ("description", v.description.clone()),
        ("timing", v.timing.as_str().to_string()),
        ("amount", v.amount.to_string()),
        ("starts_on", format::iso(Some(v.starts_on))),
        ("ends_on", format::iso(v.ends_on)),
        ("supplier", v.supplier.clone().unwrap_or_default()),
        ("notes", v.notes.clone().unwrap_or_default()),
        ("scope", v.scope.as_str().to_string()),
    ];
    match v.scope {
        ScopeKind::Asset => out
            .push(("asset_tag", v.scope_label.as_deref().and_then(|l| l.strip_prefix("asset ")).unwrap_or("").into())),
        ScopeKind::Model => out.push(("model_id", id)),
        ScopeKind::Department => out.push(("department_id", id)),
        ScopeKind::Site => out.push(("site_id", id)),
        ScopeKind::Category => out.push(("category", v.category.map(|c| c.as_str().to_string()).unwrap_or_default())),
    }
    out
}

fn finish(c: &Caller, result: AppResult<CostItemView>, form: &RawForm, p: FormPage, verb: &str) -> PageResult {
    match result {
        Ok(v) => redirect_with("/cost-items".into(), format!("Cost item {} was {verb}", v.description)),
        Err(e) => {
            let errs = field_problems(e)?;
            html(Status::UnprocessableEntity, &p.by(c).with_problems(form, &errs))
        }
    }
}

#[get("/cost-items/new?<asset_tag>")]
async fn new_item(db: Db<'_>, who: Ict, asset_tag: Option<&str>) -> PageResult {
    let l = Lookups::load(db.inner()).await?;
    let page = form_page(&l, "Add a cost item".into(), "/cost-items".into());
    let page = match asset_tag {
        Some(tag) => fill(page, &[("scope", "asset".into()), ("asset_tag", tag.to_string())]),
        None => page,
    };
    ok(&page.by(&who.0))
}

#[post("/cost-items", data = "<form>")]
async fn create(db: Db<'_>, who: Ict, form: Form<RawForm>) -> PageResult {
    let l = Lookups::load(db.inner()).await?;
    let result = match changes(&form, Mode::Create) {
        Ok(c) => cost_items::create(db.inner(), &who, c).await,
        Err(e) => Err(AppError::Unprocessable(e)),
    };
    finish(&who.0, result, &form, form_page(&l, "Add a cost item".into(), "/cost-items".into()), "added")
}

fn edit_page(l: &Lookups, v: &CostItemView) -> FormPage {
    form_page(l, format!("Change cost item {}", v.description), format!("/cost-items/{}", v.id))
        .with_delete(format!("/cost-items/{}/delete", v.id), "Delete this cost item".into())
}

#[get("/cost-items/<id>/edit")]
async fn edit(db: Db<'_>, who: Ict, id: i32) -> PageResult {
    let v = cost_items::get(db.inner(), id).await?;
    let l = Lookups::load(db.inner()).await?;
    ok(&fill(edit_page(&l, &v), &values(&v)).by(&who.0))
}

#[post("/cost-items/<id>", data = "<form>")]
async fn update(db: Db<'_>, who: Ict, id: i32, form: Form<RawForm>) -> PageResult {
    let current = cost_items::get(db.inner(), id).await?;
    let l = Lookups::load(db.inner()).await?;
    let result = match changes(&form, Mode::Edit) {
        Ok(c) => cost_items::update(db.inner(), &who, id, c).await,
        Err(e) => Err(AppError::Unprocessable(e)),
    };
    finish(&who.0, result, &form, edit_page(&l, &current), "saved")
}

fn confirm_page(c: &Caller, v: &CostItemView) -> ConfirmPage {
    let what = format!("cost item {}", v.description);
    ConfirmPage {
        layout: Layout::new(c, "tco", format!("Delete {what}"), None),
        heading: format!("Delete {what}?"),
        explanation: format!(
            "This removes {} ({}, {}) from the register and from every total cost of ownership it is part of. \
             The deletion is kept in the audit trail.",
            v.description,
            v.amount.to_uk_string(),
            v.scope_label.clone().unwrap_or_default()
        ),
        action: format!("/cost-items/{}/delete", v.id),
        cancel_href: format!("/cost-items/{}/edit", v.id),
        error: None,
    }
}

#[get("/cost-items/<id>/delete")]
async fn confirm_delete(db: Db<'_>, who: Ict, id: i32) -> PageResult {
    ok(&confirm_page(&who.0, &cost_items::get(db.inner(), id).await?))
}

#[post("/cost-items/<id>/delete")]
async fn delete(db: Db<'_>, who: Ict, id: i32) -> PageResult {
    let v = cost_items::get(db.inner(), id).await?;
    cost_items::delete(db.inner(), &who, id).await?;
    redirect_with("/cost-items".into(), format!("Cost item {} was deleted", v.description))
}
