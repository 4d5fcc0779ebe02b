//! The members' report as one self-contained HTML file: CSS and charts (SVG) inline, no script, no
//! external request, print rules for A4 with page breaks between sections. Template:
//! `reports/templates/members.html`; styles: `reports/templates/report.css`. Pure.

use askama::Template;

use super::view::{ChartView, EnergyAuditView, MembersView, RefreshDisposalView};
use crate::charts::render;

/// A chart ready for the page: its SVG inline (from the pure chart renderer) and its figures.
pub struct InlineChart<'a> {
    pub id: &'a str,
    pub heading: &'a str,
    pub svg: String,
    pub table: &'a crate::charts::Table,
    pub notes: &'a [String],
}

#[derive(Template)]
#[template(path = "members.html")]
struct MembersHtml<'a> {
    v: &'a MembersView,
    css: &'static str,
    charts: Vec<InlineChart<'a>>,
}

pub const CSS: &str = include_str!("../../reports/templates/report.css");

#[derive(Template)]
#[template(path = "refresh_disposal.html")]
struct RefreshDisposalHtml<'a> {
    v: &'a RefreshDisposalView,
    css: &'static str,
    charts: Vec<InlineChart<'a>>,
}

/// The refresh and disposal report as HTML text.
pub fn refresh_disposal(v: &RefreshDisposalView) -> Result<String, String> {
    RefreshDisposalHtml { v, css: CSS, charts: inline(&v.charts)? }.render().map_err(|e| e.to_string())
}

#[derive(Template)]
#[template(path = "energy_audit.html")]
struct EnergyAuditHtml<'a> {
    v: &'a EnergyAuditView,
    css: &'static str,
    charts: Vec<InlineChart<'a>>,
}

/// The energy audit report for a site as HTML text.
pub fn energy_audit(v: &EnergyAuditView) -> Result<String, String> {
    EnergyAuditHtml { v, css: CSS, charts: inline(&v.charts)? }.render().map_err(|e| e.to_string())
}

/// The members' report as HTML text.
pub fn members(v: &MembersView) -> Result<String, String> {
    MembersHtml { v, css: CSS, charts: inline(&v.charts)? }.render().map_err(|e| e.to_string())
}

fn inline(views: &[ChartView]) -> Result<Vec<InlineChart<'_>>, String> {
    let mut charts = Vec::new();
    for c in views {
        let svg = render::svg(&c.spec).map_err(|e| e.to_string())?;
        // The SVG's own XML declaration has no place inside HTML.
        let svg = match svg.find("<svg") {
            Some(at) => svg[at..].to_string(),
            None => svg,
        };
        charts.push(InlineChart { id: &c.id, heading: &c.heading, svg, table: &c.table, notes: &c.notes });
    }
    Ok(charts)
}
