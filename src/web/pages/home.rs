//! `GET /`: the register at a glance: assets by lifecycle state and category, refreshes overdue,
//! each count linking to the filtered asset list.

use askama::Template;
use rocket::get;
use rocket::request::FlashMessage;

use super::{format, ok, query_string, Layout, PageResult};
use crate::services::register_summary;
use crate::web::access::Viewer;
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![home]
}

pub struct CountRow {
    pub label: String,
    pub count: u64,
    pub href: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    total: u64,
    today: String,
    overdue: u64,
    overdue_href: String,
    overdue_deployed: u64,
    overdue_deployed_href: String,
    states: Vec<CountRow>,
    categories: Vec<CountRow>,
}

#[get("/")]
async fn home(db: Db<'_>, who: Viewer, flash: Option<FlashMessage<'_>>) -> PageResult {
    let today = chrono::Local::now().date_naive();
    let s = register_summary::summary(db.inner(), today).await?;
    let overdue_q = |state: &str| {
        format!(
            "/assets{}",
            query_string([
                ("refresh_due_before", format::iso(Some(today))),
                ("state", state.to_string()),
                ("sort", "refresh_due".to_string()),
            ])
        )
    };
    ok(&HomePage {
        layout: Layout::new(&who.0, "home", "ICT asset register", flash),
        total: s.total,
        today: format::date(today),
        overdue: s.refresh_overdue,
        overdue_href: overdue_q(""),
        overdue_deployed: s.refresh_overdue_deployed,
        overdue_deployed_href: overdue_q("deployed"),
        states: s
            .by_state
            .iter()
            .map(|(st, n)| CountRow {
                label: st.label().to_string(),
                count: *n,
                href: format!("/assets{}", query_string([("state", st.as_str().to_string())])),
            })
            .collect(),
        categories: s
            .by_category
            .iter()
            .map(|(c, n)| CountRow {
                label: c.label().to_string(),
                count: *n,
                href: format!("/assets{}", query_string([("category", c.as_str().to_string())])),
            })
            .collect(),
    })
}
