//! The audit trail, for anyone signed in: filter by who, what and when; download as CSV.

use askama::Template;
use rocket::get;

use super::{format, ok, Layout, PageResult};
use crate::services::audit::{self, AuditFilter};
use crate::web::access::Viewer;
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![page]
}

struct Row {
    when: String,
    who: String,
    action: String,
    what: String,
    href: String,
    changed: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    actor: String,
    entity_type: String,
    from: String,
    to: String,
    csv_href: String,
    next_href: String,
    rows: Vec<Row>,
    error: Option<String>,
}

const PAGE: u64 = 100;

/// dd/mm/yyyy (as people type) or yyyy-mm-dd.
pub fn parse_day(raw: &str) -> Option<chrono::NaiveDate> {
    let raw = raw.trim();
    chrono::NaiveDate::parse_from_str(raw, "%d/%m/%Y")
        .or_else(|_| chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d"))
        .ok()
}

/// The filter from query parameters; a day that cannot be read is named in the message.
pub fn filter_of(
    actor: Option<&str>,
    entity_type: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    before_id: Option<i64>,
) -> (AuditFilter, Option<String>) {
    let mut error = None;
    let mut day = |raw: Option<&str>, name: &str, plus_days: i64| {
        let raw = raw.map(str::trim).filter(|r| !r.is_empty())?;
        match parse_day(raw) {
            Some(d) => Some((d + chrono::Days::new(plus_days as u64)).and_hms_opt(0, 0, 0)?.and_utc()),
            None => {
                error = Some(format!("{name} '{raw}' is not a date: write it as dd/mm/yyyy, e.g. 31/03/2026"));
                None
            }
        }
    };
    let from_t = day(from, "From", 0);
    // "To 31/03/2026" includes that whole day.
    let to_t = day(to, "To", 1);
    let f = AuditFilter {
        actor: actor.map(str::to_string),
        entity_type: entity_type.map(str::to_string),
        from: from_t,
        to: to_t,
        before_id,
        ..Default::default()
    };
    (f, error)
}

fn href_of(
    entity_type: &str,
    id: &str,
    after: &Option<serde_json::Value>,
    before: &Option<serde_json::Value>,
) -> String {
    let tag = after.as_ref().or(before.as_ref()).and_then(|v| v.get("asset_tag")).and_then(|t| t.as_str());
    match entity_type {
        "asset" => tag.map(|t| format!("/assets/{t}")).unwrap_or_default(),
        "site" => format!("/sites/{id}"),
        _ => String::new(),
    }
}

#[get("/audit?<actor>&<entity_type>&<from>&<to>&<before_id>")]
async fn page(
    db: Db<'_>,
    who: Viewer,
    actor: Option<&str>,
    entity_type: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    before_id: Option<i64>,
) -> PageResult {
    let (filter, error) = filter_of(actor, entity_type, from, to, before_id);
    let events = audit::search(db.inner(), &filter, PAGE).await?;
    let q = |extra: Option<(&str, String)>| {
        let mut pairs: Vec<(&str, String)> =
            [("actor", actor), ("entity_type", entity_type), ("from", from), ("to", to)]
                .into_iter()
                .filter_map(|(k, v)| v.filter(|v| !v.trim().is_empty()).map(|v| (k, v.to_string())))
                .collect();
        pairs.extend(extra);
        url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
    };
    let next_href = match events.last() {
        Some(last) if events.len() as u64 == PAGE => format!("/audit?{}", q(Some(("before_id", last.id.to_string())))),
        _ => String::new(),
    };
    let rows = events
        .iter()
        .map(|e| Row {
            when: format::datetime(e.occurred_at),
            who: e.actor.clone(),
            action: e.action.replace('_', " "),
            what: format!("{} {}", e.entity_type.replace('_', " "), e.entity_id),
            href: href_of(&e.entity_type, &e.entity_id, &e.after, &e.before),
            changed: e.changed_fields().into_iter().map(|(k, _, _)| k).collect::<Vec<_>>().join(", "),
        })
        .collect();
    ok(&AuditPage {
        layout: Layout::new(&who.0, "audit", "Audit trail", None),
        actor: actor.unwrap_or_default().to_string(),
        entity_type: entity_type.unwrap_or_default().to_string(),
        from: from.unwrap_or_default().to_string(),
        to: to.unwrap_or_default().to_string(),
        csv_href: format!("/api/v1/audit.csv?{}", q(None)),
        next_href,
        rows,
        error,
    })
}
