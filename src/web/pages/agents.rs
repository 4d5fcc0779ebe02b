//! `GET /agents`: enrolled agents and enrolment tokens, with a form for ICT staff to make a token (shown
//! once, on the page that answers the form). `GET /agents/left-on-overnight`: the PCs their agents saw on
//! between 22:00 and 05:00 UK time on a night (last night by default), most minutes first, with links to
//! the nights before and after.

use askama::Template;
use chrono::{NaiveDate, Utc};
use rocket::form::Form;
use rocket::request::FlashMessage;
use rocket::{get, post};

use super::forms::RawForm;
use super::{format, ok, Layout, PageResult};
use crate::error::AppError;
use crate::services::agents;
use crate::services::agents::NewEnrolmentToken;
use crate::web::access::{Ict, Viewer};
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![left_on_overnight, agents_page, create_token]
}

pub struct DeviceRow {
    pub href: String,
    pub tag: String,
    pub hostname: String,
    pub enrolled: String,
    pub last_seen: String,
    pub status: &'static str,
}

pub struct TokenRow {
    pub label: String,
    pub site: String,
    pub created: String,
    pub expires: String,
    pub uses: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "agents.html")]
struct AgentsPage {
    layout: Layout,
    devices: Vec<DeviceRow>,
    tokens: Vec<TokenRow>,
    sites: Vec<(i32, String)>,
    /// A token just made: shown this once.
    new_token: Option<String>,
    error: Option<String>,
    label: String,
}

async fn agents_view(db: &sea_orm::DatabaseConnection, layout: Layout) -> Result<AgentsPage, super::PageError> {
    let sites: Vec<(i32, String)> =
        crate::services::sites::list(db).await?.into_iter().map(|s| (s.id, s.name)).collect();
    let site_name = |id: Option<i32>| match id {
        Some(id) => sites.iter().find(|s| s.0 == id).map(|s| s.1.clone()).unwrap_or_else(|| id.to_string()),
        None => "Any site".to_string(),
    };
    let devices = agents::list_devices(db)
        .await?
        .into_iter()
        .map(|d| DeviceRow {
            href: format!("/assets/{}", d.asset_tag),
            hostname: format::text(&d.hostname),
            enrolled: format::datetime(d.enrolled_at),
            last_seen: d.last_seen_at.map(format::datetime).unwrap_or_else(|| "Not yet".into()),
            status: if d.revoked_at.is_some() { "Revoked" } else { "Active" },
            tag: d.asset_tag,
        })
        .collect();
    let tokens = agents::list_enrolment_tokens(db)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            site: site_name(t.site_id),
            created: format!("{} by {}", format::datetime(t.created_at), t.created_by),
            expires: format::datetime(t.expires_at),
            uses: match t.max_uses {
                Some(max) => format!("{} of {}", t.uses, max),
                None => t.uses.to_string(),
            },
            status: t.status.replace('_', " "),
            label: t.label,
        })
        .collect();
    Ok(AgentsPage { layout, devices, tokens, sites, new_token: None, error: None, label: String::new() })
}

#[get("/agents")]
async fn agents_page(db: Db<'_>, who: Ict, flash: Option<FlashMessage<'_>>) -> PageResult {
    ok(&agents_view(db.inner(), Layout::new(&who.0, "agents", "Agents", flash)).await?)
}

#[post("/agents/enrolment-tokens", data = "<form>")]
async fn create_token(db: Db<'_>, who: Ict, form: Form<RawForm>) -> PageResult {
    let site_id = form.get("site_id").trim().parse::<i32>().ok();
    let valid_days = form.get("valid_days").trim().parse::<i64>().ok();
    let req = NewEnrolmentToken { label: form.get("label").to_string(), site_id, valid_days, max_uses: None };
    match agents::create_enrolment_token(db.inner(), &who, req).await {
        Ok(created) => {
            let layout = Layout::new(&who.0, "agents", "Agents: new enrolment token", None);
            let mut page = agents_view(db.inner(), layout).await?;
            page.new_token = Some(created.token);
            ok(&page)
        }
        Err(AppError::Unprocessable(errs)) => {
            let layout = Layout::new(&who.0, "agents", "Agents", None).with_errors(true);
            let mut page = agents_view(db.inner(), layout).await?;
            page.error = Some(errs.0.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; "));
            page.label = form.get("label").to_string();
            super::html(rocket::http::Status::UnprocessableEntity, &page)
        }
        Err(e) => Err(e.into()),
    }
}

pub struct LeftOnRow {
    pub href: String,
    pub tag: String,
    pub hostname: String,
    pub site: String,
    pub user: String,
    pub on: String,
    pub active: String,
}

#[derive(Template)]
#[template(path = "agents_overnight.html")]
struct OvernightPage {
    layout: Layout,
    night: String,
    window: String,
    earlier: String,
    later: Option<String>,
    rows: Vec<LeftOnRow>,
    count: String,
}

fn hm(minutes: u32) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

#[get("/agents/left-on-overnight?<night>")]
async fn left_on_overnight(
    db: Db<'_>,
    who: Viewer,
    night: Option<&str>,
    flash: Option<FlashMessage<'_>>,
) -> PageResult {
    let last_night = crate::energy::observed::last_night(Utc::now());
    let evening = night
        .and_then(|n| NaiveDate::parse_from_str(n.trim(), "%Y-%m-%d").ok())
        .filter(|d| *d <= last_night)
        .unwrap_or(last_night);
    let list = agents::left_on_overnight(db.inner(), evening).await?;
    let london = |t: chrono::DateTime<Utc>| t.with_timezone(&chrono_tz::Europe::London).format("%H:%M").to_string();
    let next = evening.succ_opt().filter(|d| *d <= last_night);
    let rows: Vec<LeftOnRow> = list
        .assets
        .iter()
        .map(|a| LeftOnRow {
            href: format!("/assets/{}", a.asset_tag),
            tag: a.asset_tag.clone(),
            hostname: format::text(&a.hostname),
            site: format::text(&a.site),
            user: format::text(&a.assigned_user),
            on: hm(a.minutes_on),
            active: hm(a.minutes_user_active),
        })
        .collect();
    let page = OvernightPage {
        layout: Layout::new(&who.0, "agents", format!("Left on overnight, {}", format::date(evening)), flash),
        night: format!("{} into {}", format::date(evening), format::date(evening.succ_opt().unwrap_or(evening))),
        window: format!("{} to {} UK time", london(list.from), london(list.to)),
        earlier: format!("/agents/left-on-overnight?night={}", evening.pred_opt().unwrap_or(evening)),
        later: next.map(|d| format!("/agents/left-on-overnight?night={d}")),
        count: format::count(rows.len() as u64),
        rows,
    };
    ok(&page)
}
