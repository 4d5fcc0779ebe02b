//! The asset list page: the API's filters as a GET form, a table, the total and a "Next page" link
//! that carries the list's cursor.

use askama::Template;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::{get, State};

use super::assets::asset_href;
use super::forms::{attach_errors, parse_date, Choice, Field, Kind, Section, SummaryItem};
use super::lookups::{self, Lookups};
use super::{format, html, ok, query_string, Layout, PageResult};
use crate::domain::{FieldError, FieldErrors, LifecycleState};
use crate::error::AppError;
use crate::services::asset_list::{self, SortKey};
use crate::store::DirectReads;
use crate::web::access::Viewer;
use crate::web::api::assets::AssetListParams;
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list]
}

struct AssetRow {
    tag: String,
    href: String,
    hostname: String,
    category: String,
    model: String,
    site: String,
    department: String,
    user: String,
    state: String,
    state_key: String,
    refresh_due: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "asset_list.html")]
struct ListPage {
    layout: Layout,
    search: Field,
    filters: Vec<Section>,
    summary: Vec<SummaryItem>,
    rows: Vec<AssetRow>,
    total: String,
    shown: usize,
    filtered: bool,
    /// Filters beyond the search box are in use, so they are shown open.
    narrowed: bool,
    next_href: Option<String>,
    first_href: Option<String>,
    /// The same filters as a CSV download.
    csv_href: String,
}

/// The page's parameters as a query string's pairs, e.g. for the next page's link.
fn param_pairs(p: &AssetListParams) -> Vec<(&'static str, String)> {
    let id = |v: Option<i32>| v.map(|i| i.to_string()).unwrap_or_default();
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        ("q", s(&p.q)),
        ("site_id", id(p.site_id)),
        ("department_id", id(p.department_id)),
        ("category", s(&p.category)),
        ("state", s(&p.state)),
        ("model_id", id(p.model_id)),
        ("refresh_due_before", s(&p.refresh_due_before)),
        ("warranty_end_before", s(&p.warranty_end_before)),
        ("sort", s(&p.sort)),
        ("dir", s(&p.dir)),
        ("limit", p.limit.map(|l| l.to_string()).unwrap_or_default()),
        ("cursor", s(&p.cursor)),
    ]
}

/// The list's filters (not its paging or sort) as a link to the CSV export.
fn csv_href(p: &AssetListParams) -> String {
    let pairs = param_pairs(p).into_iter().filter(|(k, _)| !matches!(*k, "sort" | "dir" | "limit" | "cursor"));
    format!("/api/v1/assets.csv{}", query_string(pairs))
}

/// Dates typed as dd/mm/yyyy are turned into the ISO form the list expects.
fn normalise(mut p: AssetListParams) -> AssetListParams {
    for d in [&mut p.refresh_due_before, &mut p.warranty_end_before] {
        if let Some(parsed) = d.as_deref().and_then(|s| parse_date(s).ok()) {
            *d = Some(format::iso(Some(parsed)));
        }
    }
    p
}

fn sort_label(k: SortKey) -> &'static str {
    match k {
        SortKey::AssetTag => "Asset tag",
        SortKey::Hostname => "Hostname",
        SortKey::PurchaseDate => "Purchase date",
        SortKey::RefreshDue => "Refresh due",
        SortKey::WarrantyEnd => "Warranty end",
        SortKey::UpdatedAt => "Last changed",
    }
}

fn search_field(p: &AssetListParams) -> Field {
    Field::text("q", "Search")
        .hint("Asset tag, hostname, serial number, MAC address or user")
        .value(p.q.clone().unwrap_or_default())
}

fn filter_fields(p: &AssetListParams, l: &Lookups) -> Vec<Section> {
    let id = |v: Option<i32>| v.map(|i| i.to_string()).unwrap_or_default();
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut sort = Field::new("sort", "Sort by", Kind::Select).value(s(&p.sort));
    sort.choices = SortKey::ALL.iter().map(|k| Choice::new(k.as_str(), sort_label(*k))).collect();
    let mut dir = Field::new("dir", "Order", Kind::Select).value(s(&p.dir));
    dir.choices = vec![Choice::new("asc", "A to Z, earliest first"), Choice::new("desc", "Z to A, latest first")];
    vec![Section::new(
        "Filter and sort",
        vec![
            Field::select("site_id", "Site", "Any site", l.site_choices()).value(id(p.site_id)),
            Field::select("department_id", "Department", "Any department", l.department_choices())
                .value(id(p.department_id)),
            Field::select("category", "Category", "Any category", lookups::category_choices()).value(s(&p.category)),
            Field::select("state", "Lifecycle state", "Any state", lookups::state_choices(&LifecycleState::ALL))
                .value(s(&p.state)),
            Field::select("model_id", "Model", "Any model", l.model_choices()).value(id(p.model_id)),
            Field::date("refresh_due_before", "Refresh due before").value(s(&p.refresh_due_before)),
            Field::date("warranty_end_before", "Warranty ends before").value(s(&p.warranty_end_before)),
            sort,
            dir,
        ],
    )]
}

#[get("/assets?<params..>")]
async fn list(
    db: Db<'_>,
    direct: &State<DirectReads>,
    who: Viewer,
    params: AssetListParams,
    flash: Option<FlashMessage<'_>>,
) -> PageResult {
    let conn = db.inner();
    let params = normalise(params);
    let l = Lookups::load(conn).await?;
    let mut filters = filter_fields(&params, &l);
    let set = |skip: &[&str]| param_pairs(&params).iter().any(|(k, v)| !v.trim().is_empty() && !skip.contains(k));
    let filtered = set(&["sort", "dir", "limit", "cursor"]);
    let narrowed = set(&["q", "limit", "cursor"]);
    let layout = Layout::new(&who.0, "assets", "Assets", flash);
    let page = match params.to_query() {
        Ok(q) => asset_list::list_with(conn, direct, &q).await,
        Err(e) => Err(e),
    };
    let page = match page {
        Ok(page) => page,
        Err(AppError::BadRequest { message, field, .. }) => {
            let errs = FieldErrors(vec![FieldError::new(field.unwrap_or_default(), "invalid", message)]);
            let summary = attach_errors(&mut filters, &errs);
            let p = ListPage {
                layout: layout.with_errors(true),
                search: search_field(&params),
                filters,
                summary,
                rows: vec![],
                total: "0".into(),
                shown: 0,
                filtered,
                narrowed: true,
                next_href: None,
                first_href: None,
                csv_href: csv_href(&params),
            };
            return html(Status::BadRequest, &p);
        }
        Err(e) => return Err(e.into()),
    };
    let today = chrono::Local::now().date_naive();
    let rows = page
        .items
        .iter()
        .map(|a| AssetRow {
            tag: a.asset_tag.to_string(),
            href: asset_href(a.asset_tag.as_str()),
            hostname: format::text(&a.hostname),
            category: a.category.label().to_string(),
            model: format::text(&l.model_name(a.model_id)),
            site: format::text(&l.site(a.site_id)),
            department: format::text(&l.department(a.department_id)),
            user: format::text(&a.assigned_user),
            state: a.lifecycle_state.label().to_string(),
            state_key: a.lifecycle_state.as_str().to_string(),
            refresh_due: format::opt_date(a.refresh_due),
            overdue: a.refresh_due.is_some_and(|d| d < today) && a.lifecycle_state != LifecycleState::Disposed,
        })
        .collect::<Vec<_>>();
    let link = |cursor: Option<String>| {
        let pairs = param_pairs(&params).into_iter().map(|(k, v)| {
            if k == "cursor" {
                (k, cursor.clone().unwrap_or_default())
            } else {
                (k, v)
            }
        });
        format!("/assets{}", query_string(pairs))
    };
    ok(&ListPage {
        layout,
        search: search_field(&params),
        filters,
        summary: vec![],
        shown: rows.len(),
        rows,
        total: format::count(page.total),
        filtered,
        narrowed,
        next_href: page.next_cursor.clone().map(|c| link(Some(c))),
        first_href: params.cursor.as_ref().map(|_| link(None)),
        csv_href: csv_href(&params),
    })
}
