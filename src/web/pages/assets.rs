//! Asset pages: one asset's page (details, power draw, lifecycle move, history),
//! and deleting. The list is in `asset_list`, the create and edit forms in `asset_form`.

use askama::Template;
use rocket::form::Form;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::{get, post};

use super::forms::{capitalise, Choice, RawForm};
use super::lookups::{self, Lookups};
use super::{
    asset_form, format, html, ok, path_segment, redirect_with, Caller, ConfirmPage, Layout, MessagePage, PageError,
    PageResult,
};
use crate::domain::{LifecycleState, Patch};
use crate::error::AppError;
use crate::services::assets::{self, AssetChanges, AssetView};
use crate::services::audit::AuditView;
use crate::services::register_summary::{self, LinkedDevice};
use crate::web::access::{Ict, Viewer};
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![show, lifecycle, confirm_delete, delete]
}

pub fn asset_href(tag: &str) -> String {
    format!("/assets/{}", path_segment(tag))
}

// ---------------------------------------------------------------------------------------------
// One asset

struct DetailRow {
    label: String,
    value: String,
    href: String,
}

fn row(label: &str, value: String) -> DetailRow {
    DetailRow { label: label.into(), value, href: String::new() }
}

fn link_row(label: &str, value: Option<String>, href: String) -> DetailRow {
    match value {
        Some(v) => DetailRow { label: label.into(), value: v, href },
        None => row(label, format::BLANK.into()),
    }
}

struct DetailGroup {
    title: String,
    rows: Vec<DetailRow>,
}

struct PowerRow {
    state: &'static str,
    value: String,
    source: String,
}

struct ChangeRow {
    field: String,
    before: String,
    after: String,
}

struct HistoryRow {
    when: String,
    who: String,
    action: String,
    changes: Vec<ChangeRow>,
}

#[derive(Template)]
#[template(path = "asset_show.html")]
struct ShowPage {
    layout: Layout,
    tag: String,
    href: String,
    state: String,
    state_key: String,
    read_only: bool,
    groups: Vec<DetailGroup>,
    power: Vec<PowerRow>,
    /// Which power policy applies and why; wake / shut down now.
    power_mgmt: super::power::AssetPowerSection,
    linked: Vec<(String, String, String)>,
    next_states: Vec<Choice>,
    lifecycle_error: Option<String>,
    history: Vec<HistoryRow>,
    notes: Option<String>,
    /// The energy line for the current and the last financial year: (year, sentence or what is missing).
    energy: Vec<(String, String)>,
    tco: super::tco::AssetTcoSection,
    /// The agent's observed days, newest first: (date, hours on, hours with a user active).
    observed: Vec<(String, String, String)>,
}

fn power_rows(a: &AssetView, l: &Lookups) -> Vec<PowerRow> {
    let model = l.model(a.model_id);
    let figures = [
        ("On", a.on_watts, model.map(|m| m.on_watts)),
        ("Asleep", a.sleep_watts, model.map(|m| m.sleep_watts)),
        ("Off (plugged in)", a.off_watts, model.map(|m| m.off_watts)),
    ];
    figures
        .into_iter()
        .map(|(state, own, from_model)| match (own, from_model) {
            (Some(w), _) => PowerRow { state, value: format::watts(w), source: "This asset's own figure".into() },
            (None, Some(w)) => PowerRow {
                state,
                value: format::watts(w),
                source: format!("From the model, {}", model.map(lookups::model_label).unwrap_or_default()),
            },
            (None, None) => {
                PowerRow { state, value: format::BLANK.into(), source: "Not known: give the asset a model".into() }
            }
        })
        .collect()
}

fn history_rows(events: Vec<AuditView>, l: &Lookups) -> Vec<HistoryRow> {
    events
        .into_iter()
        .map(|ev| {
            let who = if ev.actor_kind == "system" { format!("{} (automatic)", ev.actor) } else { ev.actor.clone() };
            let (action, changes) = match ev.action.as_str() {
                "create" => ("Added to the register".to_string(), vec![]),
                "delete" => ("Deleted".to_string(), vec![]),
                _ => {
                    let rows = ev
                        .changed_fields()
                        .into_iter()
                        .map(|(field, before, after)| ChangeRow {
                            before: history_value(&field, &before, l),
                            after: history_value(&field, &after, l),
                            field: asset_form::label_of(&field),
                        })
                        .collect();
                    ("Changed".to_string(), rows)
                }
            };
            HistoryRow { when: format::datetime(ev.occurred_at), who, action, changes }
        })
        .collect()
}

fn history_value(field: &str, raw: &str, l: &Lookups) -> String {
    let id = raw.parse::<i32>().ok();
    let named = match field {
        "site_id" => l.site(id),
        "department_id" => l.department(id),
        "model_id" => l.model_name(id),
        "purchase_cost" => raw.parse::<crate::domain::Gbp>().ok().map(|g| g.to_uk_string()),
        "lifecycle_state" => raw.parse::<LifecycleState>().ok().map(|s| s.label().to_string()),
        "category" => raw.parse::<crate::domain::Category>().ok().map(|c| c.label().to_string()),
        _ => None,
    };
    named.unwrap_or_else(|| format::audit_value(raw))
}

/// "Used 196.46 kWh, £48.13, 44.27 kgCO2e" for the current and last financial year, or what is missing.
async fn energy_lines(db: &sea_orm::DatabaseConnection, a: &AssetView) -> Result<Vec<(String, String)>, PageError> {
    let current = crate::services::energy::current_financial_year();
    let mut lines = Vec::new();
    for year in [current, crate::energy::FinancialYear(current.0 - 1)] {
        let text = match crate::services::energy::asset_energy(db, &a.asset_tag, year.period()).await {
            Ok(e) => e.summary,
            Err(crate::error::AppError::Unprocessable(errs)) => {
                format!("Not worked out: {}", errs.0.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; "))
            }
            Err(e) => return Err(e.into()),
        };
        lines.push((year.label(), text));
    }
    Ok(lines)
}

/// The last 14 days its agent saw it on, newest first.
async fn observed_rows(
    db: &sea_orm::DatabaseConnection,
    asset_id: i32,
) -> Result<Vec<(String, String, String)>, PageError> {
    let today = crate::energy::observed::uk_date(chrono::Utc::now());
    let from = today - chrono::Duration::days(13);
    let period = crate::energy::Period::inclusive(from, today).map_err(crate::error::AppError::Internal)?;
    let hm = |m: u32| format!("{}:{:02}", m / 60, m % 60);
    Ok(crate::services::agents::observed_days(db, asset_id, &period)
        .await?
        .into_iter()
        .map(|d| (format::date(d.date), hm(d.minutes_on), hm(d.minutes_user_active)))
        .collect())
}

async fn show_page(db: &sea_orm::DatabaseConnection, tag: &str, layout: Layout) -> Result<ShowPage, PageError> {
    let a = assets::get_by_tag(db, tag).await?;
    let energy = energy_lines(db, &a).await?;
    let tco = super::tco::asset_section(db, tag).await?;
    let observed = observed_rows(db, a.id).await?;
    let power_mgmt = super::power::asset_power_section(db, a.asset_tag.as_str()).await?;
    let l = Lookups::load(db).await?;
    let history = assets::history(db, tag).await?;
    let linked: Vec<LinkedDevice> = register_summary::linked_devices(db, a.id).await?;
    let tag = a.asset_tag.to_string();
    let parent_href = a.parent_asset_tag.as_deref().map(asset_href).unwrap_or_default();
    let macs: Vec<String> = a.mac_addresses.as_slice().iter().map(|m| m.to_string()).collect();
    let model_href = a.model_id.map(|id| format!("/assets?model_id={id}")).unwrap_or_default();
    let disposal = crate::services::disposals::of_asset(db, a.id).await?;
    let groups = vec![
        DetailGroup {
            title: "The device".into(),
            rows: vec![
                row("Category", a.category.label().into()),
                link_row("Model", l.model_name(a.model_id), model_href),
                row("Serial number", format::text(&a.serial)),
                row("Hostname", format::text(&a.hostname)),
                row("MAC addresses", if macs.is_empty() { format::BLANK.into() } else { macs.join(", ") }),
                row("IP address", format::text(&a.ip_address)),
            ],
        },
        DetailGroup {
            title: "Where and who".into(),
            rows: vec![
                link_row("Site", l.site(a.site_id), a.site_id.map(|i| format!("/sites/{i}")).unwrap_or_default()),
                link_row(
                    "Department",
                    l.department(a.department_id),
                    a.department_id.map(|i| format!("/assets?department_id={i}")).unwrap_or_default(),
                ),
                row("Assigned to", format::text(&a.assigned_user)),
                link_row("Plugged into (parent PC)", a.parent_asset_tag.clone(), parent_href),
            ],
        },
        DetailGroup {
            title: "Purchase and refresh".into(),
            rows: vec![
                row("Purchase date", format::opt_date(a.purchase_date)),
                row("Purchase cost", format::opt_money(a.purchase_cost)),
                row("Supplier", format::text(&a.supplier)),
                row("Warranty ends", format::opt_date(a.warranty_end)),
                row(
                    "Life",
                    a.life_months
                        .map(|m| format!("{m} months (this asset's own)"))
                        .unwrap_or_else(|| "Model's or category's default".into()),
                ),
                row("Refresh due", refresh_text(&a)),
                link_row(
                    "Disposal",
                    disposal
                        .as_ref()
                        .map(|d| format!("{} ({}, {})", d.reference, d.route.label(), format::date(d.disposal_date))),
                    disposal.as_ref().map(|d| format!("/disposals/{}", d.id)).unwrap_or_default(),
                ),
                row("Last changed", format::datetime(a.updated_at)),
            ],
        },
    ];
    Ok(ShowPage {
        layout,
        href: asset_href(&tag),
        state: a.lifecycle_state.label().into(),
        state_key: a.lifecycle_state.as_str().into(),
        read_only: a.lifecycle_state.is_read_only(),
        power: power_rows(&a, &l),
        power_mgmt,
        linked: linked
            .into_iter()
            .map(|d| {
                (
                    asset_href(&d.asset_tag),
                    d.asset_tag,
                    format!("{}{}", d.category.label(), d.hostname.map(|h| format!(", {h}")).unwrap_or_default()),
                )
            })
            .collect(),
        next_states: lookups::state_choices(&a.allowed_next_states),
        lifecycle_error: None,
        history: history_rows(history, &l),
        notes: a.notes.clone(),
        energy,
        tco,
        observed,
        groups,
        tag,
    })
}

fn refresh_text(a: &AssetView) -> String {
    let today = chrono::Local::now().date_naive();
    match a.refresh_due {
        Some(d) if d < today && !a.lifecycle_state.is_read_only() => {
            format!("{} (overdue)", format::date(d))
        }
        other => format::opt_date(other),
    }
}

#[get("/assets/<tag>")]
async fn show(db: Db<'_>, who: Viewer, tag: &str, flash: Option<FlashMessage<'_>>) -> PageResult {
    let page = show_page(db.inner(), tag, Layout::new(&who.0, "assets", format!("Asset {tag}"), flash)).await?;
    ok(&page)
}

#[post("/assets/<tag>/lifecycle", data = "<form>")]
async fn lifecycle(db: Db<'_>, actor: Ict, tag: &str, form: Form<RawForm>) -> PageResult {
    let raw = form.get("lifecycle_state");
    let (status, message) = match raw.parse::<LifecycleState>() {
        Err(_) => (Status::UnprocessableEntity, "Choose the state to move the asset to".to_string()),
        Ok(to) => {
            let changes = AssetChanges { lifecycle_state: Patch::Value(to), ..Default::default() };
            match assets::update(db.inner(), &actor, tag, changes).await {
                Ok(a) => {
                    let msg = format!("{} is now {}", a.asset_tag, to.label().to_lowercase());
                    return redirect_with(asset_href(a.asset_tag.as_str()), msg);
                }
                Err(AppError::Conflict { message, .. }) => (Status::Conflict, capitalise(&message)),
                Err(AppError::Unprocessable(errs)) => (
                    Status::UnprocessableEntity,
                    errs.0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "),
                ),
                Err(e) => return Err(e.into()),
            }
        }
    };
    let mut page =
        show_page(db.inner(), tag, Layout::new(&actor.0, "assets", format!("Asset {tag}"), None).with_errors(true))
            .await?;
    page.lifecycle_error = Some(message);
    html(status, &page)
}

// ---------------------------------------------------------------------------------------------
// Deleting

fn read_only_page(tag: &str) -> MessagePage {
    MessagePage::new(
        "assets",
        format!("Asset {tag} is read-only"),
        vec![
            "This asset has been disposed of. Its record is kept as it was for audit, so it cannot be changed or deleted."
                .into(),
        ],
    )
    .back(asset_href(tag), format!("Back to asset {tag}"))
}

pub fn read_only(tag: &str) -> PageResult {
    ok(&read_only_page(tag))
}

fn confirm_page(c: &Caller, tag: &str, error: Option<String>) -> ConfirmPage {
    ConfirmPage {
        layout: Layout::new(c, "assets", format!("Delete asset {tag}"), None).with_errors(error.is_some()),
        heading: format!("Delete asset {tag}?"),
        explanation: "Delete a record only when it was made by mistake. A real device that leaves the council should \
                      be moved through its lifecycle to disposed, so its history is kept."
            .into(),
        action: format!("{}/delete", asset_href(tag)),
        cancel_href: asset_href(tag),
        error,
    }
}

#[get("/assets/<tag>/delete")]
async fn confirm_delete(db: Db<'_>, who: Ict, tag: &str) -> PageResult {
    let a = assets::get_by_tag(db.inner(), tag).await?;
    if a.lifecycle_state.is_read_only() {
        return read_only(a.asset_tag.as_str());
    }
    ok(&confirm_page(&who.0, a.asset_tag.as_str(), None))
}

#[post("/assets/<tag>/delete")]
async fn delete(db: Db<'_>, actor: Ict, tag: &str) -> PageResult {
    match assets::delete(db.inner(), &actor, tag).await {
        Ok(()) => redirect_with("/assets".into(), format!("Asset {tag} was deleted")),
        Err(AppError::Conflict { code: "read_only", .. }) => read_only(tag),
        Err(AppError::Conflict { message, .. }) => {
            html(Status::Conflict, &confirm_page(&actor.0, tag, Some(capitalise(&message))))
        }
        Err(e) => Err(e.into()),
    }
}
