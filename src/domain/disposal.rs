//! PURE rules for WEEE disposals: the routes, the sanitisation methods, what a disposal needs before
//! it can be completed, and which uploaded files are documents we keep (by their content, not their name).
//!
//! Sources (shared/reference/SOURCES.md §2): the UK keeps the 14 WEEE categories of SI 2013/3113 Sch.1
//! (council ICT is category 3, screens category 11); Duty of Care (EPA 1990 s.34) asks for a registered
//! waste carrier and a waste transfer note for every transfer of waste, and a hazardous waste consignment
//! note for hazardous WEEE (CRT displays, some batteries); NIST SP 800-88 Rev. 1 names the sanitisation
//! methods clear, purge and destroy.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

use super::{Category, FieldError, LifecycleState};

/// How equipment leaves the estate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// Redeployed elsewhere in the council or a partner body.
    InternalReuse,
    /// Given to a charity or third-sector body for reuse.
    Donation,
    /// Sold for reuse (e.g. to a refurbisher).
    Resale,
    /// Returned to the manufacturer under its take-back scheme.
    ManufacturerTakeBack,
    /// Sent to an approved treatment facility for recycling.
    Recycling,
    Landfill,
}

impl Route {
    pub const ALL: [Route; 6] = [
        Route::InternalReuse,
        Route::Donation,
        Route::Resale,
        Route::ManufacturerTakeBack,
        Route::Recycling,
        Route::Landfill,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Route::InternalReuse => "internal_reuse",
            Route::Donation => "donation",
            Route::Resale => "resale",
            Route::ManufacturerTakeBack => "manufacturer_take_back",
            Route::Recycling => "recycling",
            Route::Landfill => "landfill",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Route::InternalReuse => "Internal reuse",
            Route::Donation => "Donation (charity or third sector)",
            Route::Resale => "Resale",
            Route::ManufacturerTakeBack => "Manufacturer take-back",
            Route::Recycling => "Recycling",
            Route::Landfill => "Landfill",
        }
    }

    /// The equipment is reused as it is (counted as "reused" in the e-waste figures).
    pub fn is_reuse(self) -> bool {
        matches!(self, Route::InternalReuse | Route::Donation | Route::Resale)
    }

    /// The equipment leaves as waste: Duty of Care asks for a registered carrier and a transfer note.
    pub fn is_waste_transfer(self) -> bool {
        matches!(self, Route::ManufacturerTakeBack | Route::Recycling | Route::Landfill)
    }

    /// Someone outside the council receives it, and must be named.
    pub fn needs_receiver(self) -> bool {
        !matches!(self, Route::InternalReuse)
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Route {
    type Err = String;
    fn from_str(s: &str) -> Result<Route, String> {
        let key = s.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Route::ALL.into_iter().find(|r| r.as_str() == key).ok_or_else(|| {
            let names: Vec<&str> = Route::ALL.iter().map(|r| r.as_str()).collect();
            format!("'{s}' is not a disposal route; use one of: {}", names.join(", "))
        })
    }
}

/// How data was removed from a storage device: NIST SP 800-88 Rev. 1's three levels, or another
/// standard (HMG IS5, ADISA) named beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SanitisationMethod {
    Clear,
    Purge,
    Destroy,
    /// Another standard: `sanitisation_standard` says which.
    Other,
}

impl SanitisationMethod {
    pub const ALL: [SanitisationMethod; 4] =
        [SanitisationMethod::Clear, SanitisationMethod::Purge, SanitisationMethod::Destroy, SanitisationMethod::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            SanitisationMethod::Clear => "clear",
            SanitisationMethod::Purge => "purge",
            SanitisationMethod::Destroy => "destroy",
            SanitisationMethod::Other => "other",
        }
    }
}

impl fmt::Display for SanitisationMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SanitisationMethod {
    type Err = String;
    fn from_str(s: &str) -> Result<SanitisationMethod, String> {
        let key = s.trim().to_ascii_lowercase();
        SanitisationMethod::ALL.into_iter().find(|m| m.as_str() == key).ok_or_else(|| {
            format!("'{s}' is not a sanitisation method; use clear, purge or destroy (NIST SP 800-88), or other and name the standard")
        })
    }
}

/// The UK WEEE category (1–14) a device of this category is reported under, unless set otherwise:
/// screens are 11 (display equipment), the rest of council ICT 3 (IT and telecommunications).
pub fn default_weee_category(category: Category) -> i32 {
    match category {
        Category::Monitor => 11,
        _ => 3,
    }
}

pub fn check_weee_category(n: i32) -> Result<i32, String> {
    if (1..=14).contains(&n) {
        Ok(n)
    } else {
        Err(format!("WEEE category {n} does not exist; the UK categories are 1 to 14 (3 is IT and telecoms, 11 display equipment)"))
    }
}

/// Whether a device of this category holds data, so needs a sanitisation record before it leaves:
/// PCs, laptops, thin clients (flash), servers and printers/MFDs (their hard disks keep scanned pages).
pub fn default_has_storage(category: Category) -> bool {
    matches!(
        category,
        Category::Desktop | Category::Laptop | Category::ThinClient | Category::Server | Category::Printer
    )
}

/// A disposal's own fields that completion checks.
#[derive(Debug, Clone, Default)]
pub struct DisposalFacts<'a> {
    pub route: Option<Route>,
    pub disposal_date: Option<NaiveDate>,
    pub receiving_organisation: Option<&'a str>,
    pub waste_carrier: Option<&'a str>,
    pub carrier_registration: Option<&'a str>,
    pub waste_transfer_note: Option<&'a str>,
    pub hazardous_consignment_note: Option<&'a str>,
}

/// One asset in the disposal as completion sees it.
#[derive(Debug, Clone)]
pub struct LineFacts<'a> {
    pub asset_tag: &'a str,
    pub lifecycle_state: LifecycleState,
    /// Weighed, else the model's weight.
    pub weight_kg: Option<f64>,
    pub has_storage: bool,
    pub hazardous: bool,
    pub sanitisation_method: Option<SanitisationMethod>,
    pub sanitisation_standard: Option<&'a str>,
    pub sanitised_by: Option<&'a str>,
    pub sanitised_on: Option<NaiveDate>,
}

fn blank(v: Option<&str>) -> bool {
    v.is_none_or(|s| s.trim().is_empty())
}

/// Everything that stops a disposal being completed, each naming the field (and the asset), so the
/// person sees the whole list at once. Empty means it may be completed.
pub fn completion_problems(d: &DisposalFacts, lines: &[LineFacts]) -> Vec<FieldError> {
    let mut out = Vec::new();
    let route = d.route;
    if lines.is_empty() {
        out.push(FieldError::new("assets", "no_assets", "the disposal has no assets; add the assets that are leaving"));
    }
    if let Some(route) = route {
        if route.needs_receiver() && blank(d.receiving_organisation) {
            out.push(FieldError::new(
                "receiving_organisation",
                "required",
                format!("receiving_organisation is required for a {route} route: name who receives the equipment"),
            ));
        }
        if route.is_waste_transfer() {
            for (field, what) in [
                ("waste_carrier", "the waste carrier's name"),
                ("carrier_registration", "the carrier's waste carrier registration number (e.g. CBDU123456)"),
                ("waste_transfer_note", "the waste transfer note number"),
            ] {
                let value = match field {
                    "waste_carrier" => d.waste_carrier,
                    "carrier_registration" => d.carrier_registration,
                    _ => d.waste_transfer_note,
                };
                if blank(value) {
                    out.push(FieldError::new(
                        field,
                        "required",
                        format!("{field} is required for a {route} route (Duty of Care): give {what}"),
                    ));
                }
            }
            let hazardous: Vec<&str> = lines.iter().filter(|l| l.hazardous).map(|l| l.asset_tag).collect();
            if !hazardous.is_empty() && blank(d.hazardous_consignment_note) {
                out.push(FieldError::new(
                    "hazardous_consignment_note",
                    "required",
                    format!(
                        "hazardous_consignment_note is required: {} {} hazardous waste (CRT screen or batteries); give the consignment note reference",
                        hazardous.join(", "),
                        if hazardous.len() == 1 { "is" } else { "are" }
                    ),
                ));
            }
        }
    }
    for l in lines {
        let tag = l.asset_tag;
        let field = |name: &str| format!("assets[{tag}].{name}");
        if l.lifecycle_state != LifecycleState::AwaitingDisposal {
            out.push(FieldError::new(
                field("lifecycle_state"),
                "wrong_state",
                format!(
                    "asset {tag} is {}, not awaiting_disposal; move it back to awaiting disposal or take it out of this disposal",
                    l.lifecycle_state
                ),
            ));
        }
        if !l.weight_kg.is_some_and(|w| w > 0.0) {
            out.push(FieldError::new(
                field("weight_kg"),
                "required",
                format!("asset {tag} has no weight: weigh it, or give its model a weight_kg"),
            ));
        }
        if !l.has_storage {
            continue;
        }
        match l.sanitisation_method {
            None => out.push(FieldError::new(
                field("sanitisation_method"),
                "missing_sanitisation",
                format!("asset {tag} holds data but has no sanitisation record: give the method (clear, purge or destroy per NIST SP 800-88, or other and the standard), who did it and when"),
            )),
            Some(SanitisationMethod::Other) if blank(l.sanitisation_standard) => out.push(FieldError::new(
                field("sanitisation_standard"),
                "required",
                format!("asset {tag} was sanitised by another method: name the standard used (e.g. HMG IS5 Enhanced)"),
            )),
            Some(_) => {}
        }
        if l.sanitisation_method.is_some() {
            if blank(l.sanitised_by) {
                out.push(FieldError::new(
                    field("sanitised_by"),
                    "required",
                    format!("asset {tag}: say who sanitised it (a person or the contractor)"),
                ));
            }
            match (l.sanitised_on, d.disposal_date) {
                (None, _) => out.push(FieldError::new(
                    field("sanitised_on"),
                    "required",
                    format!("asset {tag}: give the date it was sanitised"),
                )),
                (Some(on), Some(left)) if on > left => out.push(FieldError::new(
                    field("sanitised_on"),
                    "after_disposal",
                    format!("asset {tag} was sanitised on {on}, after it left on {left}: data must be removed before the device leaves"),
                )),
                _ => {}
            }
        }
    }
    out
}

/// The largest document accepted: 10 MiB, plenty for a scanned note or certificate.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// The kinds of file kept as evidence, recognised by their first bytes ("magic numbers").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub enum DocumentType {
    Pdf,
    Png,
    Jpeg,
}

impl DocumentType {
    pub fn content_type(self) -> &'static str {
        match self {
            DocumentType::Pdf => "application/pdf",
            DocumentType::Png => "image/png",
            DocumentType::Jpeg => "image/jpeg",
        }
    }

    pub fn from_content_type(s: &str) -> Option<DocumentType> {
        [DocumentType::Pdf, DocumentType::Png, DocumentType::Jpeg].into_iter().find(|t| t.content_type() == s)
    }

    /// What the bytes are, whatever the file is called: PDF starts `%PDF-`, PNG with its 8-byte
    /// signature, JPEG with `FF D8 FF`. Anything else, and empty or oversized files, are refused.
    pub fn sniff(bytes: &[u8]) -> Result<DocumentType, FieldError> {
        if bytes.is_empty() {
            return Err(FieldError::new("file", "empty", "the file is empty; choose the scanned document again"));
        }
        if bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(FieldError::new(
                "file",
                "too_large",
                format!(
                    "the file is {} bytes, over the limit of {MAX_DOCUMENT_BYTES} bytes (10 MiB); scan at a lower resolution or split it",
                    bytes.len()
                ),
            ));
        }
        if bytes.starts_with(b"%PDF-") {
            Ok(DocumentType::Pdf)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Ok(DocumentType::Png)
        } else if bytes.starts_with(b"\xFF\xD8\xFF") {
            Ok(DocumentType::Jpeg)
        } else {
            Err(FieldError::new(
                "file",
                "wrong_type",
                "the file is not a PDF, PNG or JPEG (judged by its content, not its name); save or scan the document as PDF, PNG or JPEG",
            ))
        }
    }
}

/// What a document is evidence of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    WasteTransferNote,
    ConsignmentNote,
    SanitisationCertificate,
    /// A receipt from the charity, buyer or treatment facility (e.g. an AATF certificate of treatment).
    Receipt,
    Other,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 5] = [
        DocumentKind::WasteTransferNote,
        DocumentKind::ConsignmentNote,
        DocumentKind::SanitisationCertificate,
        DocumentKind::Receipt,
        DocumentKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::WasteTransferNote => "waste_transfer_note",
            DocumentKind::ConsignmentNote => "consignment_note",
            DocumentKind::SanitisationCertificate => "sanitisation_certificate",
            DocumentKind::Receipt => "receipt",
            DocumentKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DocumentKind::WasteTransferNote => "Waste transfer note",
            DocumentKind::ConsignmentNote => "Hazardous waste consignment note",
            DocumentKind::SanitisationCertificate => "Data sanitisation certificate",
            DocumentKind::Receipt => "Receipt or certificate of treatment",
            DocumentKind::Other => "Other",
        }
    }
}

impl FromStr for DocumentKind {
    type Err = String;
    fn from_str(s: &str) -> Result<DocumentKind, String> {
        let key = s.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        DocumentKind::ALL.into_iter().find(|k| k.as_str() == key).ok_or_else(|| {
            let names: Vec<&str> = DocumentKind::ALL.iter().map(|k| k.as_str()).collect();
            format!("'{s}' is not a document kind; use one of: {}", names.join(", "))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(route: Route) -> DisposalFacts<'static> {
        DisposalFacts {
            route: Some(route),
            disposal_date: NaiveDate::from_ymd_opt(2025, 6, 30),
            receiving_organisation: Some("Computers for Communities CIC"),
            ..Default::default()
        }
    }

    fn laptop(tag: &str) -> LineFacts<'_> {
        LineFacts {
            asset_tag: tag,
            lifecycle_state: LifecycleState::AwaitingDisposal,
            weight_kg: Some(1.6),
            has_storage: true,
            hazardous: false,
            sanitisation_method: Some(SanitisationMethod::Purge),
            sanitisation_standard: None,
            sanitised_by: Some("ICT Ops"),
            sanitised_on: NaiveDate::from_ymd_opt(2025, 6, 20),
        }
    }

    fn fields(p: &[FieldError]) -> Vec<&str> {
        p.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_sanitised_donation_may_be_completed() {
        assert!(completion_problems(&facts(Route::Donation), &[laptop("L1"), laptop("L2")]).is_empty());
    }

    #[test]
    fn a_storage_device_without_sanitisation_is_named() {
        let mut bare = laptop("L2");
        bare.sanitisation_method = None;
        let p = completion_problems(&facts(Route::Donation), &[laptop("L1"), bare]);
        assert_eq!(fields(&p), vec!["assets[L2].sanitisation_method"]);
        assert_eq!(p[0].code, "missing_sanitisation");
        assert!(p[0].message.contains("asset L2"), "{}", p[0].message);
    }

    #[test]
    fn recycling_needs_the_carrier_its_registration_and_a_transfer_note() {
        let mut d = facts(Route::Recycling);
        d.waste_carrier = Some("Shred-It Ltd");
        let p = completion_problems(&d, &[laptop("L1")]);
        assert_eq!(fields(&p), vec!["carrier_registration", "waste_transfer_note"]);
        // A donation is reuse, not waste: none of these are needed.
        assert!(completion_problems(&facts(Route::Donation), &[laptop("L1")]).is_empty());
    }

    #[test]
    fn hazardous_items_on_a_waste_route_need_a_consignment_note() {
        let mut d = facts(Route::Recycling);
        (d.waste_carrier, d.carrier_registration, d.waste_transfer_note) = (Some("C"), Some("CBDU1"), Some("WTN-1"));
        let mut crt = laptop("M1");
        (crt.has_storage, crt.hazardous) = (false, true);
        let p = completion_problems(&d, &[crt.clone()]);
        assert_eq!(fields(&p), vec!["hazardous_consignment_note"]);
        assert!(p[0].message.contains("M1 is hazardous"), "{}", p[0].message);
        d.hazardous_consignment_note = Some("WCCOUN/AB123");
        assert!(completion_problems(&d, &[crt]).is_empty());
    }

    #[test]
    fn every_missing_field_is_listed_with_its_asset() {
        let mut l = laptop("L9");
        (l.weight_kg, l.sanitisation_method, l.sanitised_by, l.sanitised_on) =
            (None, Some(SanitisationMethod::Other), None, NaiveDate::from_ymd_opt(2025, 7, 1));
        l.lifecycle_state = LifecycleState::Retired;
        let mut d = facts(Route::Donation);
        d.receiving_organisation = Some("  ");
        let p = completion_problems(&d, &[l]);
        assert_eq!(
            fields(&p),
            vec![
                "receiving_organisation",
                "assets[L9].lifecycle_state",
                "assets[L9].weight_kg",
                "assets[L9].sanitisation_standard",
                "assets[L9].sanitised_by",
                "assets[L9].sanitised_on",
            ]
        );
        assert_eq!(p.last().unwrap().code, "after_disposal");
        assert_eq!(fields(&completion_problems(&d, &[])), vec!["assets", "receiving_organisation"]);
    }

    #[test]
    fn documents_are_judged_by_content() {
        assert_eq!(DocumentType::sniff(b"%PDF-1.7\n...").unwrap(), DocumentType::Pdf);
        assert_eq!(DocumentType::sniff(b"\x89PNG\r\n\x1a\n\0\0").unwrap(), DocumentType::Png);
        assert_eq!(DocumentType::sniff(b"\xFF\xD8\xFF\xE0JFIF").unwrap(), DocumentType::Jpeg);
        assert_eq!(DocumentType::sniff(b"MZ\x90\0 an exe called note.pdf").unwrap_err().code, "wrong_type");
        assert_eq!(DocumentType::sniff(b"").unwrap_err().code, "empty");
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_DOCUMENT_BYTES + 1, b' ');
        assert_eq!(DocumentType::sniff(&big).unwrap_err().code, "too_large");
        big.truncate(MAX_DOCUMENT_BYTES);
        assert!(DocumentType::sniff(&big).is_ok(), "exactly the limit is accepted");
    }

    #[test]
    fn names_round_trip() {
        for r in Route::ALL {
            assert_eq!(r.as_str().parse::<Route>().unwrap(), r);
        }
        assert_eq!("Manufacturer take-back".parse::<Route>().unwrap(), Route::ManufacturerTakeBack);
        assert!("skip".parse::<Route>().unwrap_err().contains("landfill"));
        assert_eq!("PURGE".parse::<SanitisationMethod>().unwrap(), SanitisationMethod::Purge);
        assert!(check_weee_category(15).is_err());
        assert_eq!(default_weee_category(Category::Monitor), 11);
        assert_eq!(default_weee_category(Category::Laptop), 3);
    }
}
