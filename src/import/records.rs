//! PURE: the CSV layer every import shares: decode the bytes, read the header and match it to the
//! kind's fields, and yield each record with the line it starts on (as an editor counts lines),
//! skipping blank rows and reporting records with the wrong number of fields.

use super::columns::{match_header, Header, ImportField, Mapping};
use super::{decode, Problem};

pub struct Records<F> {
    pub header: Header<F>,
    /// Records with the header's number of fields, and the line each starts on.
    pub records: Vec<(u64, csv::StringRecord)>,
    /// Records that could not be used.
    pub problems: Vec<Problem>,
}

pub const CSV_FIX: &str = "save the file again as CSV from the spreadsheet";

/// The file's records, or the problems that stop it being read at all (encoding, header, a
/// required column missing).
pub fn read<F: ImportField>(bytes: &[u8], mapping: &Mapping, required: F) -> Result<Records<F>, Vec<Problem>> {
    let mut records = Vec::new();
    let (header, problems) = read_each(bytes, mapping, required, |_, line, record, _| {
        records.push((line, record));
    })?;
    Ok(Records { header, records, problems })
}

/// [`read`], handing each usable record to `each` as it is read rather than keeping them all (a
/// 100,000-row file's records are tens of megabytes).
pub fn read_each<F: ImportField>(
    bytes: &[u8],
    mapping: &Mapping,
    required: F,
    mut each: impl FnMut(&Header<F>, u64, csv::StringRecord, &mut Vec<Problem>),
) -> Result<(Header<F>, Vec<Problem>), Vec<Problem>> {
    let text = decode::utf8(bytes).map_err(|p| vec![p])?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(decode::delimiter(text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut iter = reader.records();
    let names: Vec<String> = match iter.next() {
        Some(Ok(r)) => r.iter().map(|s| s.trim().to_string()).collect(),
        Some(Err(e)) => return Err(vec![Problem::file(format!("the header line cannot be read: {e}"), CSV_FIX)]),
        None => return Err(vec![Problem::file("the file is empty", "export the register with its header line")]),
    };
    let header = match_header::<F>(&names, mapping)?;
    if !header.has(required) {
        return Err(vec![Problem::file(
            format!(
                "no column gives the {} (the header line is: {})",
                required.name().replace('_', " "),
                names.join(", ")
            ),
            format!("add a {} column (or name the column holding it in a mapping file)", required.name()),
        )]);
    }
    let lines = LineIndex::new(text);
    let mut any = false;
    let mut problems = Vec::new();
    for record in iter {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_of(p.byte()));
                problems.push(Problem::at(line, format!("this record cannot be read: {e}"), CSV_FIX));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| lines.line_of(p.byte()));
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != names.len() {
            problems.push(Problem::at(
                line,
                format!("this record has {} fields but the header has {}", record.len(), names.len()),
                "check for a missing or extra delimiter, a value with a comma that is not in quotes, or an unclosed quote; every row needs one value per column",
            ));
            continue;
        }
        any = true;
        each(&header, line, record, &mut problems);
    }
    if !any && problems.is_empty() {
        problems.push(Problem::file("the file has a header line but no rows", "add at least one row under the header"));
    }
    Ok((header, problems))
}

/// Line numbers from byte offsets: the csv reader's own count leaves out blank lines, and a record's
/// position can point at blank lines skipped before it, so those are stepped over first.
pub(crate) struct LineIndex<'t> {
    text: &'t [u8],
    newlines: Vec<u64>,
}

impl<'t> LineIndex<'t> {
    pub(crate) fn new(text: &'t str) -> LineIndex<'t> {
        let newlines = text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i as u64).collect();
        LineIndex { text: text.as_bytes(), newlines }
    }

    pub(crate) fn line_of(&self, mut byte: u64) -> u64 {
        while self.text.get(byte as usize).is_some_and(|b| *b == b'\n' || *b == b'\r') {
            byte += 1;
        }
        self.newlines.partition_point(|&nl| nl < byte) as u64 + 1
    }
}
