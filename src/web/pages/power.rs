//! Power management pages: policies (list, create, change, delete), exclusions and opt-outs, manual
//! "wake now" / "shut down now" for an asset or a group, and the action log with success rates by site.
//! The asset page's power section is drawn from [`asset_power_section`].

use askama::Template;
use rocket::form::Form;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, State};

use super::forms::{Choice, Field, Kind, RawForm};
use super::lookups::{category_choices, Lookups};
use super::{format, html, ok, redirect_with, Layout, Page, PageResult};
use crate::domain::{FieldError, FieldErrors, Patch};
use crate::error::AppError;
use crate::scheduler::Scheduler;
use crate::services::power_actions::{self, LogFilter, ManualRequest};
use crate::services::power_policies::{self, AssetPowerView, NewExclusion, NewOptOut, PolicyChanges, PolicyView};
use crate::web::access::{Ict, Viewer};
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        index,
        create_policy,
        show_policy,
        update_policy,
        delete_policy,
        create_exclusion,
        delete_exclusion,
        create_opt_out,
        delete_opt_out,
        manual,
        action_log
    ]
}

fn back_with_error(to: String, message: impl Into<String>) -> PageResult {
    Ok(Page::Redirect(Flash::error(Redirect::to(to), message)))
}

fn problems(e: AppError) -> Result<String, AppError> {
    match e {
        AppError::Unprocessable(errs) => Ok(errs.0.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; ")),
        AppError::Conflict { message, .. } => Ok(message),
        AppError::NotFound { entity, key } => Ok(format!("there is no {} '{key}'", entity.replace('_', " "))),
        other => Err(other),
    }
}

// ---- the policy form ----

/// A select with only these choices (no blank first option).
fn choose(name: &'static str, label: &str, choices: Vec<Choice>) -> Field {
    let mut f = Field::new(name, label, Kind::Select);
    f.choices = choices;
    f
}

fn yes_no() -> Vec<Choice> {
    vec![Choice::new("yes", "Yes"), Choice::new("no", "No")]
}

fn flag(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn policy_fields(l: &Lookups, p: Option<&PolicyView>) -> Vec<Field> {
    let v = |f: &dyn Fn(&PolicyView) -> String, default: &str| p.map(f).unwrap_or_else(|| default.to_string());
    let targets = vec![
        Choice::new("site", "A site"),
        Choice::new("department", "A department"),
        Choice::new("category", "A category of device"),
        Choice::new("tag", "Asset tags starting with…"),
        Choice::new("assets", "A list of assets"),
    ];
    vec![
        Field::text("name", "Name").required().value(v(&|p| p.name.clone(), "")),
        choose("enabled", "In use", yes_no()).value(v(&|p| flag(p.enabled).into(), "yes")),
        choose("target", "Applies to", targets)
            .hint("When several policies cover an asset the most specific wins: a list of assets, then a tag prefix, then its department, its site, its category; then the oldest policy.")
            .value(v(&|p| p.target.clone(), "site")),
        Field::select("site_id", "Site (for a site policy)", "—", l.site_choices())
            .value(v(&|p| p.site_id.map(|i| i.to_string()).unwrap_or_default(), "")),
        Field::select("department_id", "Department (for a department policy)", "—", l.department_choices())
            .value(v(&|p| p.department_id.map(|i| i.to_string()).unwrap_or_default(), "")),
        Field::select("category", "Category (for a category policy)", "—", category_choices())
            .value(v(&|p| p.category.clone().unwrap_or_default(), "")),
        Field::text("tag_prefix", "Asset tags starting with (for a tag policy)")
            .value(v(&|p| p.tag_prefix.clone().unwrap_or_default(), "")),
        Field::text("asset_tags", "Asset tags (for a list policy)")
            .hint("Separate tags with commas.")
            .value(v(&|p| p.asset_tags.join(", "), "")),
        choose("off_action", "Out of hours", vec![Choice::new("shutdown", "Shut down"), Choice::new("sleep", "Sleep")])
            .value(v(&|p| p.off_action.clone(), "shutdown")),
        Field::text("schedule", "Weekly schedule (UK time)")
            .required()
            .hint("Days then wake–off times, e.g. mon-fri 07:30-19:00; sat 09:00-13:00. Leave a time out to only wake (07:30-) or only shut down (-19:00).")
            .value(v(&|p| p.schedule.clone(), "mon-fri 07:30-19:00")),
        Field::text("patch_windows", "Patch windows (UK time)")
            .hint("Wake for updates and shut down again, e.g. wed 02:00-04:00.")
            .value(v(&|p| p.patch_windows.clone(), "")),
        Field::number("warning_minutes", "Warning before shutdown", "numeric")
            .width("w-short")
            .value(v(&|p| p.warning_minutes.to_string(), "10")),
        choose("may_defer", "User may put the shutdown off", yes_no()).value(v(&|p| flag(p.may_defer).into(), "no")),
        Field::number("max_defer_minutes", "For at most (minutes in all)", "numeric")
            .width("w-short")
            .value(v(&|p| p.max_defer_minutes.to_string(), "60")),
        choose("bank_holidays_off", "Stay off all day on bank holidays", yes_no())
            .value(v(&|p| flag(p.bank_holidays_off).into(), "yes")),
        Field::textarea("notes", "Notes").value(v(&|p| p.notes.clone().unwrap_or_default(), "")),
    ]
}

fn policy_changes(f: &RawForm) -> Result<PolicyChanges, FieldErrors> {
    let mut errs = FieldErrors::default();
    let text = |n: &str| -> Patch<String> {
        let s = f.get(n).trim();
        if s.is_empty() {
            Patch::Null
        } else {
            Patch::Value(s.to_string())
        }
    };
    let boolean = |n: &str| Patch::Value(f.get(n) == "yes");
    let mut number = |n: &str, label: &str| -> Patch<i32> {
        let s = f.get(n).trim();
        if s.is_empty() {
            return Patch::Null;
        }
        match s.parse() {
            Ok(v) => Patch::Value(v),
            Err(_) => {
                errs.push(FieldError::new(n, "invalid", format!("{label} must be a whole number")));
                Patch::Null
            }
        }
    };
    let site_id = number("site_id", "Site");
    let department_id = number("department_id", "Department");
    let warning_minutes = number("warning_minutes", "Warning before shutdown");
    let max_defer_minutes = number("max_defer_minutes", "The most a shutdown may be put off");
    let tags: Vec<String> =
        f.get("asset_tags").split([',', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
    let changes = PolicyChanges {
        name: text("name"),
        enabled: boolean("enabled"),
        target: text("target"),
        site_id,
        department_id,
        category: text("category"),
        tag_prefix: text("tag_prefix"),
        asset_tags: Patch::Value(tags),
        off_action: text("off_action"),
        schedule: text("schedule"),
        patch_windows: Patch::Value(f.get("patch_windows").trim().to_string()),
        warning_minutes,
        may_defer: boolean("may_defer"),
        max_defer_minutes,
        bank_holidays_off: boolean("bank_holidays_off"),
        notes: text("notes"),
    };
    errs.into_result(changes)
}

fn with_errors(mut fields: Vec<Field>, form: &RawForm, errs: &FieldErrors) -> Vec<Field> {
    for f in fields.iter_mut() {
        f.value = form.get(f.name).to_string();
        f.error = errs.for_field(f.name).map(|e| e.message.clone());
    }
    fields
}

// ---- the power page ----

pub struct PolicyRow {
    pub href: String,
    pub name: String,
    pub covers: String,
    pub schedule: String,
    pub off: String,
    pub enabled: bool,
}

pub struct ExclusionRow {
    pub id: i32,
    pub tag: String,
    pub reason: String,
    pub by: String,
}

pub struct OptOutRow {
    pub id: i32,
    pub tag: String,
    pub reason: String,
    pub from: String,
    pub until: String,
    pub by: String,
}

#[derive(Template)]
#[template(path = "power.html")]
struct PowerPage {
    layout: Layout,
    policies: Vec<PolicyRow>,
    fields: Vec<Field>,
    form_errors: Vec<String>,
    exclusions: Vec<ExclusionRow>,
    opt_outs: Vec<OptOutRow>,
    sites: Vec<Choice>,
    departments: Vec<Choice>,
}

fn covers(p: &PolicyView, l: &Lookups) -> String {
    match p.target.as_str() {
        "site" => format!("Site: {}", l.site(p.site_id).unwrap_or_default()),
        "department" => format!("Department: {}", l.department(p.department_id).unwrap_or_default()),
        "category" => format!("Category: {}", p.category.clone().unwrap_or_default()),
        "tag" => format!("Tags starting {}", p.tag_prefix.clone().unwrap_or_default()),
        _ => format!("Assets: {}", p.asset_tags.join(", ")),
    }
}

async fn power_page(db: &sea_orm::DatabaseConnection, layout: Layout) -> Result<PowerPage, super::PageError> {
    let l = Lookups::load(db).await?;
    let policies = power_policies::list(db)
        .await?
        .iter()
        .map(|p| PolicyRow {
            href: format!("/power/policies/{}", p.id),
            name: p.name.clone(),
            covers: covers(p, &l),
            schedule: p.schedule.clone(),
            off: p.off_action.clone(),
            enabled: p.enabled,
        })
        .collect();
    let exclusions = power_policies::list_exclusions(db)
        .await?
        .into_iter()
        .map(|e| ExclusionRow { id: e.id, tag: e.asset_tag, reason: e.reason, by: e.created_by })
        .collect();
    let opt_outs = power_policies::list_opt_outs(db, false)
        .await?
        .into_iter()
        .map(|o| OptOutRow {
            id: o.id,
            tag: o.asset_tag,
            reason: o.reason,
            from: format::datetime(o.starts_at),
            until: format::datetime(o.ends_at),
            by: o.requested_by,
        })
        .collect();
    Ok(PowerPage {
        fields: policy_fields(&l, None),
        form_errors: vec![],
        sites: l.site_choices(),
        departments: l.department_choices(),
        layout,
        policies,
        exclusions,
        opt_outs,
    })
}

#[get("/power")]
async fn index(db: Db<'_>, who: Viewer, flash: Option<FlashMessage<'_>>) -> PageResult {
    ok(&power_page(db.inner(), Layout::new(&who.0, "power", "Power management", flash)).await?)
}

#[post("/power/policies", data = "<form>")]
async fn create_policy(db: Db<'_>, who: Ict, form: Form<RawForm>) -> PageResult {
    let result = match policy_changes(&form) {
        Ok(c) => power_policies::create(db.inner(), &who, c).await,
        Err(e) => Err(AppError::Unprocessable(e)),
    };
    match result {
        Ok(p) => redirect_with(format!("/power/policies/{}", p.id), format!("Policy '{}' saved", p.name)),
        Err(AppError::Unprocessable(errs)) => {
            let mut page =
                power_page(db.inner(), Layout::new(&who.0, "power", "Power management", None).with_errors(true))
                    .await?;
            page.fields = with_errors(page.fields, &form, &errs);
            page.form_errors = errs.0.iter().map(|e| e.message.clone()).collect();
            html(Status::UnprocessableEntity, &page)
        }
        Err(e) => back_with_error("/power".into(), problems(e)?),
    }
}

#[derive(Template)]
#[template(path = "power_policy.html")]
struct PolicyPage {
    layout: Layout,
    id: i32,
    name: String,
    fields: Vec<Field>,
    form_errors: Vec<String>,
}

#[get("/power/policies/<id>")]
async fn show_policy(db: Db<'_>, who: Viewer, id: i32, flash: Option<FlashMessage<'_>>) -> PageResult {
    let p = power_policies::get(db.inner(), id).await?;
    let l = Lookups::load(db.inner()).await?;
    ok(&PolicyPage {
        layout: Layout::new(&who.0, "power", format!("Policy {}", p.name), flash),
        id,
        name: p.name.clone(),
        fields: policy_fields(&l, Some(&p)),
        form_errors: vec![],
    })
}

#[post("/power/policies/<id>", data = "<form>")]
async fn update_policy(db: Db<'_>, who: Ict, id: i32, form: Form<RawForm>) -> PageResult {
    let result = match policy_changes(&form) {
        Ok(c) => power_policies::update(db.inner(), &who, id, c).await,
        Err(e) => Err(AppError::Unprocessable(e)),
    };
    match result {
        Ok(p) => redirect_with(format!("/power/policies/{id}"), format!("Policy '{}' saved", p.name)),
        Err(AppError::Unprocessable(errs)) => {
            let p = power_policies::get(db.inner(), id).await?;
            let l = Lookups::load(db.inner()).await?;
            let page = PolicyPage {
                layout: Layout::new(&who.0, "power", format!("Policy {}", p.name), None).with_errors(true),
                id,
                name: p.name.clone(),
                fields: with_errors(policy_fields(&l, Some(&p)), &form, &errs),
                form_errors: errs.0.iter().map(|e| e.message.clone()).collect(),
            };
            html(Status::UnprocessableEntity, &page)
        }
        Err(e) => back_with_error(format!("/power/policies/{id}"), problems(e)?),
    }
}

#[post("/power/policies/<id>/delete")]
async fn delete_policy(db: Db<'_>, who: Ict, id: i32) -> PageResult {
    power_policies::delete(db.inner(), &who, id).await?;
    redirect_with("/power".into(), "Policy deleted; its planned actions were withdrawn")
}

fn back_to(form: &RawForm) -> String {
    let b = form.get("back");
    // Only our own pages: a path, not another site.
    if b.starts_with('/') && !b.starts_with("//") {
        b.to_string()
    } else {
        "/power".into()
    }
}

#[post("/power/exclusions", data = "<form>")]
async fn create_exclusion(db: Db<'_>, who: Ict, form: Form<RawForm>) -> PageResult {
    let new = NewExclusion { asset_tag: form.get("asset_tag").into(), reason: form.get("reason").into() };
    match power_policies::create_exclusion(db.inner(), &who, new).await {
        Ok(e) => redirect_with(back_to(&form), format!("{} is excluded from power management", e.asset_tag)),
        Err(e) => back_with_error(back_to(&form), problems(e)?),
    }
}

#[post("/power/exclusions/<id>/delete", data = "<form>")]
async fn delete_exclusion(db: Db<'_>, who: Ict, id: i32, form: Form<RawForm>) -> PageResult {
    power_policies::delete_exclusion(db.inner(), &who, id).await?;
    redirect_with(back_to(&form), "Exclusion removed: policies apply again")
}

#[post("/power/opt-outs", data = "<form>")]
async fn create_opt_out(db: Db<'_>, who: Ict, form: Form<RawForm>) -> PageResult {
    let ends = chrono::NaiveDateTime::parse_from_str(form.get("ends_at").trim(), "%Y-%m-%dT%H:%M")
        .map(|t| crate::scheduling::schedule::uk_local_to_utc(t.date(), t.time()));
    let Ok(ends_at) = ends else {
        return back_with_error(back_to(&form), "Give the date and time the opt-out ends");
    };
    let new = NewOptOut {
        asset_tag: form.get("asset_tag").into(),
        reason: form.get("reason").into(),
        starts_at: None,
        ends_at,
    };
    match power_policies::create_opt_out(db.inner(), &who, new).await {
        Ok(o) => redirect_with(
            back_to(&form),
            format!("{} will not be shut down until {}", o.asset_tag, format::datetime(o.ends_at)),
        ),
        Err(e) => back_with_error(back_to(&form), problems(e)?),
    }
}

#[post("/power/opt-outs/<id>/delete", data = "<form>")]
async fn delete_opt_out(db: Db<'_>, who: Ict, id: i32, form: Form<RawForm>) -> PageResult {
    power_policies::delete_opt_out(db.inner(), &who, id).await?;
    redirect_with(back_to(&form), "Opt-out withdrawn: shutdowns resume at the next planned time")
}

/// "Wake now" / "Shut down now" from a page: one asset (`asset_tag`) or a site or department.
#[post("/power/manual", data = "<form>")]
async fn manual(db: Db<'_>, scheduler: &State<Scheduler>, who: Ict, form: Form<RawForm>) -> PageResult {
    let id = |n: &str| form.get(n).trim().parse::<i32>().ok();
    let req = ManualRequest {
        kind: form.get("kind").into(),
        asset_tag: Some(form.get("asset_tag").trim().to_string()).filter(|s| !s.is_empty()),
        site_id: id("site_id"),
        department_id: id("department_id"),
        warning_minutes: id("warning_minutes"),
    };
    match crate::scheduler::manual(scheduler, db.inner(), &who, &req).await {
        Ok(out) => {
            let verb = match req.kind.as_str() {
                "wake" => "Wake sent to",
                "sleep" => "Sleep asked of",
                _ => "Shutdown asked of",
            };
            let mut msg = format!("{verb} {} device(s)", out.action_ids.len());
            if !out.skipped.is_empty() {
                msg.push_str(&format!("; left out: {}", out.skipped.join("; ")));
            }
            if req.kind != "wake" {
                msg.push_str(". Each will shut down when its agent next checks in.");
            }
            redirect_with(back_to(&form), msg)
        }
        Err(e) => back_with_error(back_to(&form), problems(e)?),
    }
}

// ---- the action log ----

pub struct ActionRow {
    pub tag_href: String,
    pub tag: String,
    pub site: String,
    pub kind: String,
    pub when: String,
    pub cause: String,
    pub state: String,
    pub sent: String,
    pub finished: String,
    pub detail: String,
}

pub struct RateRow {
    pub site: String,
    pub wakes: String,
    pub wake_rate: String,
    pub offs: String,
    pub off_rate: String,
}

#[derive(Template)]
#[template(path = "power_actions.html")]
struct LogPage {
    layout: Layout,
    rows: Vec<ActionRow>,
    rates: Vec<RateRow>,
    filter: LogFilter,
    sites: Vec<Choice>,
    site_value: String,
}

fn percent(r: Option<f64>) -> String {
    r.map(|r| format!("{:.0}%", r * 100.0)).unwrap_or_else(|| format::BLANK.into())
}

#[get("/power/actions?<filter..>")]
async fn action_log(db: Db<'_>, who: Viewer, filter: LogFilter, flash: Option<FlashMessage<'_>>) -> PageResult {
    let rows = match power_actions::log(db.inner(), &filter).await {
        Ok(r) => r,
        Err(AppError::BadRequest { message, .. }) => return Err(super::PageError::BadRequest(message)),
        Err(e) => return Err(e.into()),
    };
    let since = chrono::Utc::now() - chrono::Duration::days(30);
    let rates = power_actions::success_by_site(db.inner(), since)
        .await?
        .into_iter()
        .map(|s| RateRow {
            wakes: format::count(s.wakes as u64),
            wake_rate: percent(s.wake_rate()),
            offs: format::count(s.offs as u64),
            off_rate: percent(s.off_rate()),
            site: s.site_name,
        })
        .collect();
    let l = Lookups::load(db.inner()).await?;
    let opt = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(format::datetime).unwrap_or_default();
    ok(&LogPage {
        layout: Layout::new(&who.0, "power", "Power actions", flash),
        rows: rows
            .into_iter()
            .map(|a| ActionRow {
                tag_href: super::assets::asset_href(&a.asset_tag),
                site: a.site_name.unwrap_or_default(),
                kind: a.kind,
                when: format::datetime(a.scheduled_at),
                cause: match a.cause.as_str() {
                    "manual" => format!("{} (by hand)", a.requested_by),
                    "patch_window" => {
                        format!("Patch window of {}", a.policy_name.unwrap_or_else(|| "a deleted policy".into()))
                    }
                    _ => format!("Policy {}", a.policy_name.unwrap_or_else(|| "(deleted)".into())),
                },
                state: a.state,
                sent: opt(a.sent_at.or(a.delivered_at)),
                finished: opt(a.confirmed_at.or(a.finished_at)),
                detail: a.detail.unwrap_or_default(),
                tag: a.asset_tag,
            })
            .collect(),
        rates,
        site_value: filter.site_id.map(|s| s.to_string()).unwrap_or_default(),
        filter,
        sites: l.site_choices(),
    })
}

// ---- on the asset page ----

/// The asset page's "Power management" section.
pub struct AssetPowerSection {
    pub policy: String,
    pub policy_href: String,
    pub reason: String,
    pub overridden: Vec<String>,
    pub excluded: Option<String>,
    pub exclusion_id: Option<i32>,
    pub opt_outs: Vec<OptOutRow>,
    pub next: Vec<(String, String)>,
}

pub async fn asset_power_section(
    db: &sea_orm::DatabaseConnection,
    tag: &str,
) -> Result<AssetPowerSection, super::PageError> {
    let v: AssetPowerView = power_policies::for_asset(db, tag).await?;
    let exclusion_id = if v.excluded.is_some() {
        power_policies::list_exclusions(db).await?.into_iter().find(|e| e.asset_tag == tag).map(|e| e.id)
    } else {
        None
    };
    Ok(AssetPowerSection {
        policy: v.policy_name.clone().unwrap_or_else(|| "None".into()),
        policy_href: v.policy_id.map(|i| format!("/power/policies/{i}")).unwrap_or_default(),
        reason: v.reason,
        overridden: v.overridden.into_iter().map(|o| format!("{}: {}", o.policy_name, o.why)).collect(),
        excluded: v.excluded,
        exclusion_id,
        opt_outs: v
            .opt_outs
            .into_iter()
            .map(|o| OptOutRow {
                id: o.id,
                tag: o.asset_tag,
                reason: o.reason,
                from: format::datetime(o.starts_at),
                until: format::datetime(o.ends_at),
                by: o.requested_by,
            })
            .collect(),
        next: v.next_actions.into_iter().take(6).map(|a| (format::datetime(a.at), a.kind)).collect(),
    })
}
