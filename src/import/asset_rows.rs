//! PURE: an asset file's bytes to checked rows, or every problem in it. No database here: names of
//! sites, departments and models are kept as written and resolved by [`super::asset_plan`].

use std::collections::{HashMap, HashSet};

use super::asset_fields::AssetField;
use super::columns::{Header, Mapping};
use super::records::{Item, RecordStream};
use super::values::{self, DATE_FIX};
use super::Problem;
use crate::domain::{AssetTag, Gbp, MacAddresses, Patch, Watts};
use crate::services::assets::AssetChanges;

/// A model as a file names it: the manufacturer is optional when the model's name is unique.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ModelName {
    pub manufacturer: Option<String>,
    pub name: String,
}

#[derive(Debug)]
pub struct AssetRow {
    /// The line the record starts on (1 is the header).
    pub line: u64,
    pub tag: AssetTag,
    /// Everything but the references by name, which the plan turns into ids.
    pub changes: AssetChanges,
    pub model: Patch<ModelName>,
    pub site: Patch<String>,
    pub department: Patch<String>,
}

#[derive(Debug)]
pub struct AssetFile {
    pub header: Header<AssetField>,
    /// The rows that parsed; the others are in `problems`, and the rest are still checked against the
    /// register so the user hears about every problem at once.
    pub rows: Vec<AssetRow>,
    pub problems: Vec<Problem>,
}

impl AssetFile {
    pub fn warnings(&self) -> &[String] {
        &self.header.warnings
    }
}

/// The file's rows, or the problems that stop it being read at all (encoding, header). Problems in
/// single rows are kept in [`AssetFile::problems`]. Holds every row: the import itself reads a chunk at a
/// time with [`RowReader`].
pub fn parse(bytes: &[u8], mapping: &Mapping) -> Result<AssetFile, Vec<Problem>> {
    let mut reader = RowReader::open(bytes, mapping)?;
    let mut rows = Vec::new();
    loop {
        let chunk = reader.next_rows(1_000);
        if chunk.is_empty() {
            break;
        }
        rows.extend(chunk);
    }
    let facts = reader.finish();
    Ok(AssetFile { header: facts.header, rows, problems: facts.problems })
}

/// An asset file's rows a chunk at a time, with the facts about the whole file that checking a row
/// against the others needs, which are known only at its end (every tag in it, the tags given a parent).
pub struct RowReader<R: std::io::Read> {
    stream: RecordStream<AssetField, R>,
    /// Each tag and the line it is first on.
    seen: HashMap<String, u64>,
    children: HashSet<String>,
    problems: Vec<Problem>,
    stopped: bool,
}

/// What only the whole file tells.
#[derive(Debug)]
pub struct FileFacts {
    pub header: Header<AssetField>,
    /// Rows that did not parse, and the file's own problems.
    pub problems: Vec<Problem>,
    pub tags: HashSet<String>,
    /// Tags of the rows that name a parent.
    pub children: HashSet<String>,
}

impl<R: std::io::Read> RowReader<R> {
    pub fn open(input: R, mapping: &Mapping) -> Result<RowReader<R>, Vec<Problem>> {
        let mut stream = RecordStream::open(input, mapping, AssetField::AssetTag)?;
        let header = &mut stream.header;
        if header.has(AssetField::WarrantyEnd) && header.has(AssetField::WarrantyMonths) {
            let (end, months) = (header.name_of(AssetField::WarrantyEnd), header.name_of(AssetField::WarrantyMonths));
            let note = format!("column \"{months}\" is not imported: \"{end}\" gives the warranty's end date");
            header.warnings.push(note);
        }
        Ok(RowReader { stream, seen: HashMap::new(), children: HashSet::new(), problems: vec![], stopped: false })
    }

    pub fn header(&self) -> &Header<AssetField> {
        &self.stream.header
    }

    pub fn bytes_read(&self) -> u64 {
        self.stream.bytes_read()
    }

    /// Whether any row so far had a problem (the import then writes nothing more).
    pub fn has_problems(&self) -> bool {
        !self.problems.is_empty()
    }

    /// Up to `n` more rows that parsed; empty at the end of the file, or once it cannot be read on.
    pub fn next_rows(&mut self, n: usize) -> Vec<AssetRow> {
        let mut rows = Vec::with_capacity(n);
        while rows.len() < n && !self.stopped {
            let Some(item) = self.stream.next_item() else { break };
            let (line, record) = match item {
                Item::Record(line, record) => (line, record),
                Item::Problem(p) => {
                    self.problems.push(p);
                    continue;
                }
                Item::Stop(p) => {
                    self.problems.push(p);
                    self.stopped = true;
                    break;
                }
            };
            let header = &self.stream.header;
            let Some(row) = parse_row(header, &record, line, &mut self.problems) else { continue };
            let tag = row.tag.to_string();
            if let Some(first) = self.seen.get(&tag) {
                self.problems.push(Problem::cell(
                    line,
                    header.name_of(AssetField::AssetTag),
                    &tag,
                    format!("asset tag {tag} is already on line {first}"),
                    "give each device its own tag, or remove the repeated row",
                ));
                continue;
            }
            if matches!(row.changes.parent_asset_tag, Patch::Value(_)) {
                self.children.insert(tag.clone());
            }
            self.seen.insert(tag, line);
            rows.push(row);
        }
        rows
    }

    pub fn finish(self) -> FileFacts {
        FileFacts {
            header: self.stream.header,
            problems: self.problems,
            tags: self.seen.into_keys().collect(),
            children: self.children,
        }
    }
}

/// One record's cells, each parsed into its field; problems are added to `problems`.
fn parse_row(
    header: &Header<AssetField>,
    record: &csv::StringRecord,
    line: u64,
    problems: &mut Vec<Problem>,
) -> Option<AssetRow> {
    let before = problems.len();
    let mut c = AssetChanges::default();
    let mut tag = None;
    let (mut model, mut manufacturer, mut site, mut department) =
        (Patch::Missing, None, Patch::Missing, Patch::Missing);
    let mut warranty_months = None;
    for (i, field) in header.fields.iter().enumerate() {
        let Some(field) = *field else { continue };
        let raw = record.get(i).unwrap_or("").trim();
        let column = header.names[i].as_str();
        let mut bad = |message: String, fix: &str| problems.push(Problem::cell(line, column, raw, message, fix));
        let text = || if raw.is_empty() { Patch::Null } else { Patch::Value(raw.to_string()) };
        use AssetField as F;
        match field {
            F::AssetTag => match raw.parse::<AssetTag>() {
                Ok(t) => tag = Some(t),
                Err(e) if raw.is_empty() => bad("the asset tag is empty".into(), &format!("every row needs its tag ({e})")),
                Err(e) => bad(e.to_string(), "use letters, digits, '-', '_', '/' or '.', up to 64 characters"),
            },
            F::Category => {
                c.category = if raw.is_empty() {
                    Patch::Null
                } else {
                    match values::category(raw) {
                        Some(cat) => Patch::Value(cat),
                        None => {
                            bad(format!("'{raw}' is not a category greenict knows"), &values::category_fix());
                            Patch::Missing
                        }
                    }
                }
            }
            F::Manufacturer => manufacturer = (!raw.is_empty()).then(|| raw.to_string()),
            F::Model => model = text(),
            F::Site => site = text(),
            F::Department => department = text(),
            F::Serial => c.serial = text(),
            F::Hostname => c.hostname = text(),
            F::AssignedUser => c.assigned_user = text(),
            F::Supplier => c.supplier = text(),
            F::Notes => c.notes = text(),
            F::MacAddresses => {
                c.mac_addresses = cell(raw, MacAddresses::parse_list, &mut bad, "write each MAC as aa:bb:cc:dd:ee:ff (or AA-BB-CC-DD-EE-FF, aabb.ccdd.eeff), several separated by spaces")
            }
            F::IpAddress => c.ip_address = cell(raw, |s| s.parse::<std::net::IpAddr>().map_err(|_| format!("'{s}' is not an IP address")), &mut bad, "write an IPv4 or IPv6 address such as 10.20.1.15"),
            F::PurchaseDate => c.purchase_date = cell(raw, values::date, &mut bad, DATE_FIX),
            F::WarrantyEnd => c.warranty_end = cell(raw, values::date, &mut bad, DATE_FIX),
            F::RefreshDate => c.refresh_date = cell(raw, values::date, &mut bad, DATE_FIX),
            F::PurchaseCost => {
                c.purchase_cost = cell(raw, |s| s.parse::<Gbp>(), &mut bad, "write pounds and pence, e.g. 499.00 or £1,234.50");
                if let Patch::Value(cost) = &c.purchase_cost {
                    if cost.is_negative() {
                        bad(format!("the purchase cost {raw} is negative"), "enter what was paid, e.g. 499.00");
                    }
                }
            }
            F::WarrantyMonths => {
                warranty_months = match cell(raw, values::months, &mut bad, "write the warranty as a number of months, e.g. 36") {
                    Patch::Value(m) => Some(m),
                    _ => None,
                }
            }
            F::LifeMonths => c.life_months = cell(raw, values::months, &mut bad, "write the life as a number of months, e.g. 60"),
            F::LifecycleState => {
                c.lifecycle_state = if raw.is_empty() {
                    Patch::Missing
                } else {
                    match values::lifecycle(raw) {
                        Some(s) => Patch::Value(s),
                        None => {
                            bad(format!("'{raw}' is not a lifecycle state"), &values::lifecycle_fix());
                            Patch::Missing
                        }
                    }
                }
            }
            F::OnWatts => c.on_watts = cell(raw, |s| s.parse::<Watts>(), &mut bad, "write watts as a number, e.g. 45.5"),
            F::SleepWatts => c.sleep_watts = cell(raw, |s| s.parse::<Watts>(), &mut bad, "write watts as a number, e.g. 2.1"),
            F::OffWatts => c.off_watts = cell(raw, |s| s.parse::<Watts>(), &mut bad, "write watts as a number, e.g. 0.4"),
            F::ParentAssetTag => c.parent_asset_tag = cell(raw, |s| s.parse::<AssetTag>(), &mut bad, "give the tag of the PC this device belongs to"),
        }
    }
    if let Some(months) = warranty_months {
        if c.warranty_end.is_missing() {
            match &c.purchase_date {
                Patch::Value(bought) => c.warranty_end = Patch::Value(add_months(*bought, months)),
                _ => problems.push(Problem::cell(
                    line,
                    header.name_of(AssetField::WarrantyMonths),
                    &months.to_string(),
                    "a warranty in months needs the purchase date on the same row to work out when it ends",
                    "fill in the purchase date, or give the warranty's end date instead",
                )),
            }
        }
    }
    let model = match model {
        Patch::Value(name) => Patch::Value(ModelName { manufacturer, name }),
        Patch::Null => Patch::Null,
        Patch::Missing => Patch::Missing,
    };
    let tag = tag?;
    c.asset_tag = Patch::Value(tag.clone());
    (problems.len() == before).then_some(AssetRow { line, tag, changes: c, model, site, department })
}

/// Parses a non-empty cell; an empty one clears the field.
fn cell<T, E: std::fmt::Display>(
    raw: &str,
    parse: impl Fn(&str) -> Result<T, E>,
    bad: &mut impl FnMut(String, &str),
    fix: &str,
) -> Patch<T> {
    if raw.is_empty() {
        return Patch::Null;
    }
    match parse(raw) {
        Ok(v) => Patch::Value(v),
        Err(e) => {
            bad(e.to_string(), fix);
            Patch::Missing
        }
    }
}

fn add_months(d: chrono::NaiveDate, months: u32) -> chrono::NaiveDate {
    d.checked_add_months(chrono::Months::new(months)).unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::asset_plan::{self, Snapshot};
    use proptest::prelude::*;

    fn parse_text(text: &str) -> Result<AssetFile, Vec<Problem>> {
        parse(text.as_bytes(), &Mapping::default())
    }

    #[test]
    fn warranty_in_months_counts_from_the_purchase_date() {
        let f = parse_text("Asset Tag,Purchase Date,Warranty\nA-1,31/01/2024,36 months\nA-2,,12\n").unwrap();
        assert_eq!(f.rows[0].changes.warranty_end, Patch::Value(chrono::NaiveDate::from_ymd_opt(2027, 1, 31).unwrap()));
        assert_eq!(f.problems.len(), 1);
        assert_eq!((f.problems[0].line, f.problems[0].column.as_deref()), (Some(3), Some("Warranty")));
    }

    #[test]
    fn empty_cells_clear_and_absent_columns_leave_alone() {
        let f = parse_text("asset_tag,serial\nA-1,\n").unwrap();
        assert_eq!(f.rows[0].changes.serial, Patch::Null);
        assert!(f.rows[0].changes.hostname.is_missing());
    }

    #[test]
    fn blank_rows_are_skipped_and_lines_count_from_the_header() {
        let f = parse_text("asset_tag,category\n,\nA-1,laptop\n\nA-2,desktop\n").unwrap();
        assert_eq!(f.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [3, 5]);
    }

    #[test]
    fn a_header_without_rows_is_a_problem() {
        let f = parse_text("asset_tag\n").unwrap();
        assert!(f.rows.is_empty());
        assert!(f.problems[0].message.contains("no rows"));
    }

    /// Every input, however broken, gives rows or problems, never a panic; and the plan over an
    /// empty register copes with whatever parsed.
    fn never_panics(bytes: &[u8]) {
        if let Ok(file) = parse(bytes, &Mapping::default()) {
            let _ = asset_plan::plan(file, &Snapshot::default(), true, chrono::Utc::now());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            never_panics(&bytes);
        }

        #[test]
        fn csv_shaped_text(
            header in proptest::sample::subsequence(
                vec!["asset_tag", "Status", "Purchase Date", "Warranty", "category", "model", "manufacturer",
                     "mac_addresses", "purchase_cost", "parent_asset_tag", "site", "life_months", "on_watts"], 1..8),
            cells in proptest::collection::vec(
                proptest::string::string_regex("[A-Za-z0-9 ,;:\"./£\\-]{0,12}").unwrap(), 0..60),
            delimiter in proptest::sample::select(vec![",", ";"]),
        ) {
            let mut text = header.join(delimiter);
            for (i, cell) in cells.iter().enumerate() {
                text.push_str(if i % header.len() == 0 { "\n" } else { delimiter });
                text.push_str(cell);
            }
            never_panics(text.as_bytes());
        }
    }
}
