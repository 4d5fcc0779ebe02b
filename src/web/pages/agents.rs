//! `GET /agents/left-on-overnight`: the PCs their agents saw on between 22:00 and 05:00 UK time on a night
//! (last night by default), most minutes first, with links to the nights before and after.

use askama::Template;
use chrono::{NaiveDate, Utc};
use rocket::get;
use rocket::request::FlashMessage;

use super::{format, ok, Layout, PageResult};
use crate::services::agents;
use crate::web::access::Viewer;
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![left_on_overnight]
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
    _who: Viewer,
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
        layout: Layout::new("agents", format!("Left on overnight, {}", format::date(evening)), flash),
        night: format!("{} into {}", format::date(evening), format::date(evening.succ_opt().unwrap_or(evening))),
        window: format!("{} to {} UK time", london(list.from), london(list.to)),
        earlier: format!("/agents/left-on-overnight?night={}", evening.pred_opt().unwrap_or(evening)),
        later: next.map(|d| format!("/agents/left-on-overnight?night={d}")),
        count: format::count(rows.len() as u64),
        rows,
    };
    ok(&page)
}
