//! Reports (issue 7): the members' carbon report as a self-contained, print-ready HTML file and as a PDF.
//! Pure: the figures come in already gathered (`services::reports`), the files go out as bytes; no
//! database, no files, no network. The report definitions live in the top-level `reports/` folder
//! (a TOML file per report naming its title and sections, and the askama templates), described in
//! `reports/README.md`.
//!
//! Both outputs are built from one [`view::MembersView`]: every figure is formatted once, the UK way,
//! so the HTML and the PDF cannot disagree.

pub mod html;
pub mod pdf;
pub mod view;

use serde::Deserialize;

/// The two files a report is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Pdf,
}

impl Format {
    pub const BOTH: [Format; 2] = [Format::Html, Format::Pdf];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Pdf => "pdf",
        }
    }

    pub fn from_extension(ext: &str) -> Option<Format> {
        Format::BOTH.into_iter().find(|f| f.extension() == ext)
    }
}

/// The members' report in `format`: its file name (`members-2025-26.html`) and bytes.
pub fn members_file(r: &crate::services::reports::MembersReport, format: Format) -> Result<(String, Vec<u8>), String> {
    let v = view::members(r);
    let bytes = match format {
        Format::Html => html::members(&v)?.into_bytes(),
        Format::Pdf => pdf::members(&v)?,
    };
    Ok((format!("{}.{}", r.file_stem(), format.extension()), bytes))
}

/// The refresh and disposal report in `format`: its file name and bytes.
pub fn refresh_disposal_file(
    r: &crate::services::reports::RefreshDisposalReport,
    format: Format,
) -> Result<(String, Vec<u8>), String> {
    let v = view::refresh_disposal(r);
    let bytes = match format {
        Format::Html => html::refresh_disposal(&v)?.into_bytes(),
        Format::Pdf => pdf::refresh_disposal(&v)?,
    };
    Ok((format!("{}.{}", r.file_stem(), format.extension()), bytes))
}

/// The energy audit report for a site in `format`: its file name (`energy-audit-civic-offices-2025-26.html`)
/// and bytes.
pub fn energy_audit_file(
    r: &crate::services::reports::EnergyAuditReport,
    format: Format,
) -> Result<(String, Vec<u8>), String> {
    let v = view::energy_audit(r);
    let bytes = match format {
        Format::Html => html::energy_audit(&v)?.into_bytes(),
        Format::Pdf => pdf::energy_audit(&v)?,
    };
    Ok((format!("{}.{}", r.file_stem(), format.extension()), bytes))
}

/// The policy a report file is served with: its own inline styles and images, nothing else.
pub const FILE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; \
                            form-action 'none'; frame-ancestors 'none'";

/// A report as `reports/<slug>.toml` defines it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Definition {
    /// The name in URLs, file names and the CLI: `members`.
    pub slug: String,
    pub title: String,
    pub description: String,
    /// Whether the report can be produced yet.
    pub available: bool,
    /// The sections, in order, each a heading shown in the report.
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Section {
    pub id: String,
    pub heading: String,
}

const DEFINITIONS: [&str; 3] = [
    include_str!("../../reports/members.toml"),
    include_str!("../../reports/energy_audit.toml"),
    include_str!("../../reports/refresh_disposal.toml"),
];

/// Every report defined in `reports/`, in the order they are listed.
pub fn definitions() -> Vec<Definition> {
    DEFINITIONS
        .iter()
        .map(|text| toml::from_str(text).unwrap_or_else(|e| panic!("a report definition in reports/ is invalid: {e}")))
        .collect()
}

/// The definition named `slug`.
pub fn definition(slug: &str) -> Option<Definition> {
    definitions().into_iter().find(|d| d.slug == slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_definition_parses_and_every_report_is_available() {
        let all = definitions();
        assert_eq!(all.len(), 3);
        assert!(definition("refresh-disposal").expect("refresh").available);
        let audit = definition("energy-audit").expect("energy audit");
        assert!(audit.available);
        let ids: Vec<&str> = audit.sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["summary", "metered", "categories", "models", "tariff", "method"]);
        let members = definition("members").expect("members");
        assert!(members.available);
        let ids: Vec<&str> = members.sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["summary", "charts", "disposals", "actions", "method"]);
    }
}
