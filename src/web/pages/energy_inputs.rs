//! What the energy pages share: their own navigation (estimate, tariffs, grid factors, usage profiles) and a
//! list page of one or more tables, with an optional form of choices below (the category defaults). The
//! pages themselves are in `tariff_pages`, `factor_pages` and `profile_pages`. Depends on services only.

use askama::Template;

use super::catalogue::Cell;
use super::forms::{Field, SummaryItem};
use super::Layout;

pub fn routes() -> Vec<rocket::Route> {
    let mut r = super::tariff_pages::routes();
    r.extend(super::factor_pages::routes());
    r.extend(super::profile_pages::routes());
    r.extend(super::meter_pages::routes());
    r.extend(super::metered_page::routes());
    r
}

/// A link in the energy pages' own navigation.
pub struct Tab {
    pub label: &'static str,
    pub href: &'static str,
    pub current: bool,
}

/// The energy pages' navigation with `current` (its href) marked.
pub fn tabs(current: &str) -> Vec<Tab> {
    [
        ("Estimate", "/energy"),
        ("Tariffs", "/energy/tariffs"),
        ("Grid carbon factors", "/energy/grid-factors"),
        ("Usage profiles", "/energy/usage-profiles"),
        ("Meters", "/energy/meters"),
        ("Metered and estimated", "/energy/metered"),
    ]
    .into_iter()
    .map(|(label, href)| Tab { label, href, current: href == current })
    .collect()
}

/// One table of a list page, under its own heading.
pub struct ListTable {
    pub id: String,
    pub heading: String,
    /// A link to add a row to this table (e.g. a tariff for this site), or empty.
    pub add_href: String,
    pub add_label: String,
    pub columns: Vec<(String, bool)>,
    pub rows: Vec<Vec<Cell>>,
    pub empty: String,
}

impl ListTable {
    pub fn new(id: impl Into<String>, heading: impl Into<String>, columns: &[(&str, bool)]) -> ListTable {
        ListTable {
            id: id.into(),
            heading: heading.into(),
            add_href: String::new(),
            add_label: String::new(),
            columns: columns.iter().map(|(c, n)| (c.to_string(), *n)).collect(),
            rows: vec![],
            empty: String::new(),
        }
    }

    /// Without the trailing unnamed (change, delete) columns.
    fn read_only(mut self) -> ListTable {
        let actions = self.columns.iter().rev().take_while(|(name, _)| name.is_empty()).count();
        let keep = self.columns.len() - actions;
        self.columns.truncate(keep);
        for r in &mut self.rows {
            r.truncate(keep);
        }
        self
    }
}

/// A small form of choices shown below the tables (each category's default usage profile).
pub struct ChoicesForm {
    pub id: String,
    pub heading: String,
    pub intro: String,
    pub action: String,
    pub submit: String,
    pub fields: Vec<Field>,
}

#[derive(Template)]
#[template(path = "energy_list.html")]
pub struct EnergyListPage {
    pub layout: Layout,
    pub tabs: Vec<Tab>,
    pub heading: String,
    pub intro: String,
    pub notes: Vec<String>,
    pub add_href: String,
    pub add_label: String,
    pub tables: Vec<ListTable>,
    pub choices: Option<ChoicesForm>,
    /// Problems with the choices form, for the summary at the top.
    pub summary: Vec<SummaryItem>,
}

impl EnergyListPage {
    /// Without change and delete links for someone who may not use them (they need the facilities role).
    pub fn for_role(mut self) -> EnergyListPage {
        if !self.layout.may("facilities") {
            self.tables = self.tables.into_iter().map(ListTable::read_only).collect();
        }
        self
    }
}
