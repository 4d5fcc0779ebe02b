//! Deleting a site, department or model from its pages: a GET asks "are you sure?", the POST deletes
//! and goes back to the list. A refused delete (still in use: a 409 from the service) shows the
//! service's reason on the same page. Depends on services only.

use rocket::http::Status;
use rocket::{get, post};

use super::forms::capitalise;
use super::lookups::model_label;
use super::{html, ok, redirect_with, Caller, ConfirmPage, Layout, PageResult};
use crate::error::{AppError, AppResult};
use crate::services::{departments, device_models, sites};
use crate::web::access::Ict;
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![confirm_site, delete_site, confirm_department, delete_department, confirm_model, delete_model]
}

/// One record as its delete pages speak of it.
pub(super) struct Doomed {
    pub(super) section: &'static str,
    /// e.g. "site Civic Offices".
    pub(super) what: String,
    /// What happens, and what stops it.
    pub(super) explanation: &'static str,
    /// Where the confirmation form posts.
    pub(super) action: String,
    /// "No, go back": the record's own page or its list.
    pub(super) back: String,
    /// Where to go once it is deleted.
    pub(super) list: &'static str,
}

impl Doomed {
    pub(super) fn page(&self, c: &Caller, error: Option<String>) -> ConfirmPage {
        ConfirmPage {
            layout: Layout::new(c, self.section, format!("Delete {}", self.what), None).with_errors(error.is_some()),
            heading: format!("Delete {}?", self.what),
            explanation: self.explanation.into(),
            action: self.action.clone(),
            cancel_href: self.back.clone(),
            error,
        }
    }

    /// To the list with "… was deleted", or this page again with why it was not.
    pub(super) fn finish(&self, c: &Caller, result: AppResult<()>) -> PageResult {
        match result {
            Ok(()) => redirect_with(self.list.into(), format!("{} was deleted", capitalise(&self.what))),
            Err(AppError::Conflict { message, .. }) => {
                html(Status::Conflict, &self.page(c, Some(capitalise(&message))))
            }
            Err(e) => Err(e.into()),
        }
    }
}

fn site(id: i32, name: &str) -> Doomed {
    Doomed {
        section: "sites",
        what: format!("site {name}"),
        explanation: "This removes the site from the register. A site that still has assets or \
                      network segments cannot be deleted: move or delete them first.",
        action: format!("/sites/{id}/delete"),
        back: format!("/sites/{id}"),
        list: "/sites",
    }
}

fn department(id: i32, name: &str) -> Doomed {
    Doomed {
        section: "departments",
        what: format!("department {name}"),
        explanation: "This removes the department from the register. A department that still \
                      owns assets cannot be deleted: move them to another department first.",
        action: format!("/departments/{id}/delete"),
        back: "/departments".into(),
        list: "/departments",
    }
}

fn model(id: i32, label: &str) -> Doomed {
    Doomed {
        section: "models",
        what: format!("model {label}"),
        explanation: "This removes the model from the catalogue. A model that assets still use \
                      cannot be deleted: give them another model first.",
        action: format!("/models/{id}/delete"),
        back: "/models".into(),
        list: "/models",
    }
}

#[get("/sites/<id>/delete")]
async fn confirm_site(db: Db<'_>, who: Ict, id: i32) -> PageResult {
    let s = sites::get(db.inner(), id).await?;
    ok(&site(id, &s.name).page(&who.0, None))
}

#[post("/sites/<id>/delete")]
async fn delete_site(db: Db<'_>, actor: Ict, id: i32) -> PageResult {
    let s = sites::get(db.inner(), id).await?;
    site(id, &s.name).finish(&actor.0, sites::delete(db.inner(), &actor, id).await)
}

#[get("/departments/<id>/delete")]
async fn confirm_department(db: Db<'_>, who: Ict, id: i32) -> PageResult {
    let d = departments::get(db.inner(), id).await?;
    ok(&department(id, &d.name).page(&who.0, None))
}

#[post("/departments/<id>/delete")]
async fn delete_department(db: Db<'_>, actor: Ict, id: i32) -> PageResult {
    let d = departments::get(db.inner(), id).await?;
    department(id, &d.name).finish(&actor.0, departments::delete(db.inner(), &actor, id).await)
}

#[get("/models/<id>/delete")]
async fn confirm_model(db: Db<'_>, who: Ict, id: i32) -> PageResult {
    let m = device_models::get(db.inner(), id).await?;
    ok(&model(id, &model_label(&m)).page(&who.0, None))
}

#[post("/models/<id>/delete")]
async fn delete_model(db: Db<'_>, actor: Ict, id: i32) -> PageResult {
    let m = device_models::get(db.inner(), id).await?;
    model(id, &model_label(&m)).finish(&actor.0, device_models::delete(db.inner(), &actor, id).await)
}
