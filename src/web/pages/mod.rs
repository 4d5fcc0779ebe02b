//! HTML pages for people: the register's home, assets, and the catalogue (sites, departments, models).
//! Server-rendered with askama templates from `assets/templates`; forms post back and redirect.
//! Depends on services (and domain values), never on the store.

mod account;
mod agents;
mod asset_form;
mod asset_list;
mod assets;
pub mod audit;
mod catalogue;
mod catalogue_delete;
mod catalogue_forms;
pub mod charts;
mod cost_items;
mod disposals;
mod energy;
mod energy_inputs;
mod factor_pages;
mod format;
mod forms;
mod home;
mod imports;
mod lookups;
mod meter_pages;
mod metered_page;
mod power;
mod profile_pages;
mod reports;
mod tariff_pages;
mod tco;
mod users;

use askama::Template;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::content::RawHtml;
use rocket::response::{self, Flash, Redirect, Responder};
use rocket::Request;

use crate::domain::Role;
use crate::error::AppError;
pub use crate::web::access::Caller;

pub fn routes() -> Vec<rocket::Route> {
    let mut r = home::routes();
    r.extend(asset_list::routes());
    r.extend(assets::routes());
    r.extend(asset_form::routes());
    r.extend(catalogue::routes());
    r.extend(imports::routes());
    r.extend(energy::routes());
    r.extend(energy_inputs::routes());
    r.extend(account::routes());
    r.extend(users::routes());
    r.extend(audit::routes());
    r.extend(charts::routes());
    r.extend(cost_items::routes());
    r.extend(tco::routes());
    r.extend(agents::routes());
    r.extend(power::routes());
    r.extend(disposals::routes());
    r.extend(reports::routes());
    r
}

/// What every page's layout needs: which header link is current, the page title, and a message
/// carried over from the previous request (e.g. "Asset saved").
pub struct Layout {
    pub section: &'static str,
    pub title: String,
    pub notice: Option<Notice>,
    /// The signed-in session's anti-forgery token, put in every form by `csrf.html`.
    pub csrf: String,
    /// Who is signed in (shown in the header) and their role (what the page offers to change).
    pub user: String,
    pub role: Role,
}

pub struct Notice {
    /// "success" or "error": the CSS class and the heading.
    pub kind: String,
    pub message: String,
}

impl Layout {
    pub fn new(
        caller: &Caller,
        section: &'static str,
        title: impl Into<String>,
        flash: Option<FlashMessage<'_>>,
    ) -> Layout {
        // The kind comes back from a cookie: only our two are used as a CSS class.
        let notice = flash.map(|f| Notice {
            kind: if f.kind() == "error" { "error" } else { "success" }.to_string(),
            message: f.message().to_string(),
        });
        Layout {
            section,
            title: title.into(),
            notice,
            csrf: caller.csrf.clone().unwrap_or_default(),
            user: caller.display_name.clone(),
            role: caller.role,
        }
    }

    /// For pages shown before anyone is known (sign-in, errors): no name in the header, nothing to change.
    pub fn anonymous(section: &'static str, title: impl Into<String>) -> Layout {
        Layout {
            section,
            title: title.into(),
            notice: None,
            csrf: String::new(),
            user: String::new(),
            role: Role::Viewer,
        }
    }

    /// The same layout for a known caller.
    pub fn by(self, c: &Caller) -> Layout {
        Layout { csrf: c.csrf.clone().unwrap_or_default(), user: c.display_name.clone(), role: c.role, ..self }
    }

    /// Says so in the title when the page shows problems, as screen reader users hear the title first.
    pub fn with_errors(mut self, has_errors: bool) -> Layout {
        if has_errors {
            self.title = format!("Error: {}", self.title);
        }
        self
    }

    pub fn current(&self, section: &str) -> bool {
        self.section == section
    }

    /// Whether the signed-in person may make changes needing `role` ("facilities", "ict", "admin"):
    /// pages offer only the buttons that would work.
    pub fn may(&self, role: &str) -> bool {
        Role::parse(role).is_some_and(|r| self.role.allows(r))
    }
}

/// A page's answer: HTML with a status, or a redirect (after a form) with a message for the next page.
// One per response, so the redirect's size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(rocket::Responder)]
pub enum Page {
    Html((Status, RawHtml<String>)),
    Redirect(Flash<Redirect>),
    /// A redirect with nothing to say (e.g. already signed in).
    Go(Redirect),
}

pub type PageResult = Result<Page, PageError>;

pub fn html<T: Template>(status: Status, t: &T) -> PageResult {
    Ok(Page::Html((status, RawHtml(t.render()?))))
}

pub fn ok<T: Template>(t: &T) -> PageResult {
    html(Status::Ok, t)
}

pub fn redirect_with(to: String, message: impl Into<String>) -> PageResult {
    Ok(Page::Redirect(Flash::success(Redirect::to(to), message)))
}

/// A simple page of text: not found, read-only, something went wrong.
#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub layout: Layout,
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub back_href: String,
    pub back_label: String,
}

impl MessagePage {
    pub fn new(section: &'static str, heading: impl Into<String>, paragraphs: Vec<String>) -> MessagePage {
        let heading = heading.into();
        MessagePage {
            layout: Layout::anonymous(section, heading.clone()),
            heading,
            paragraphs,
            back_href: "/".into(),
            back_label: "Back to the register".into(),
        }
    }

    pub fn back(mut self, href: impl Into<String>, label: impl Into<String>) -> MessagePage {
        self.back_href = href.into();
        self.back_label = label.into();
        self
    }
}

/// "Delete this?": the record named, a POST form to confirm, and a way back. Shown again with the
/// service's reason when the delete is refused (e.g. a site that still has assets).
#[derive(Template)]
#[template(path = "confirm_delete.html")]
pub struct ConfirmPage {
    pub layout: Layout,
    pub heading: String,
    pub explanation: String,
    pub action: String,
    pub cancel_href: String,
    pub error: Option<String>,
}

/// Why a page could not be shown. Not found and bad requests say what happened; anything else is
/// logged in full and shown as a plain "something went wrong" with the request id.
#[derive(Debug)]
pub enum PageError {
    NotFound(String),
    BadRequest(String),
    /// Not signed in: the page sends the browser to sign in.
    SignIn,
    Forbidden(String),
    Internal(String),
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> PageError {
        match e {
            AppError::NotFound { entity, key } => PageError::NotFound(format!(
                "There is no {} with the reference '{key}' in the register.",
                entity.replace('_', " ")
            )),
            AppError::BadRequest { message, .. } => PageError::BadRequest(message),
            AppError::Conflict { message, .. } => PageError::BadRequest(message),
            AppError::Unprocessable(errs) => {
                PageError::BadRequest(errs.0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))
            }
            AppError::Unauthorized { .. } => PageError::SignIn,
            AppError::Forbidden { message, .. } | AppError::NotYours { message } => PageError::Forbidden(message),
            AppError::Database(e) => PageError::Internal(format!("database error: {e}")),
            AppError::Internal(e) => PageError::Internal(e),
        }
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> PageError {
        PageError::Internal(format!("template error: {e}"))
    }
}

impl<'r> Responder<'r, 'static> for PageError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let request_id = crate::web::request_id(req);
        let (status, page) = match self {
            PageError::NotFound(message) => (
                Status::NotFound,
                MessagePage::new(
                    "",
                    "Page not found",
                    vec![message, "Check the address, or find it from the lists.".into()],
                ),
            ),
            PageError::BadRequest(message) => {
                (Status::BadRequest, MessagePage::new("", "That request could not be used", vec![message]))
            }
            PageError::SignIn => {
                let next = req.uri().path().to_string();
                let to = format!(
                    "/sign-in?next={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                return Redirect::to(to).respond_to(req);
            }
            PageError::Forbidden(message) => {
                (Status::Forbidden, MessagePage::new("", "You do not have access to this", vec![message]))
            }
            PageError::Internal(detail) => {
                tracing::error!(request_id, error = %detail, "page failed");
                (
                    Status::InternalServerError,
                    MessagePage::new(
                        "",
                        "Sorry, something went wrong",
                        vec![
                            "The page could not be shown because of a problem on our side. Try again in a few minutes."
                                .into(),
                            format!(
                                "If it keeps happening, tell the ICT service desk and quote reference {request_id}."
                            ),
                        ],
                    ),
                )
            }
        };
        let body = page.render().unwrap_or_else(|e| {
            tracing::error!(request_id, error = %e, "error page failed to render");
            "<!doctype html><html lang=\"en-GB\"><title>Error</title><p>Something went wrong.</p></html>".to_string()
        });
        (status, RawHtml(body)).respond_to(req)
    }
}

/// `?a=1&b=2` from pairs, skipping blank values.
pub fn query_string<'a>(pairs: impl IntoIterator<Item = (&'a str, String)>) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    let mut any = false;
    for (k, v) in pairs {
        if !v.trim().is_empty() {
            s.append_pair(k, &v);
            any = true;
        }
    }
    if any {
        format!("?{}", s.finish())
    } else {
        String::new()
    }
}

/// A path segment made safe for a URL (asset tags are already safe; this guards the rest).
pub fn path_segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
