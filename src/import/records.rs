//! PURE: the CSV layer every import shares: decode the bytes, read the header and match it to the
//! kind's fields, and yield each record with the line it starts on (as an editor counts lines),
//! skipping blank rows and reporting records with the wrong number of fields.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{BufRead, Read};
use std::rc::Rc;

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
    let mut stream = RecordStream::open(bytes, mapping, required)?;
    let mut problems = Vec::new();
    while let Some(item) = stream.next_item() {
        match item {
            Item::Record(line, record) => each(&stream.header, line, record, &mut problems),
            Item::Problem(p) => problems.push(p),
            // A file that is not text cannot be read on: that one problem says what to do.
            Item::Stop(p) => return Err(vec![p]),
        }
    }
    Ok((stream.header, problems))
}

/// What a [`RecordStream`] reads next.
pub enum Item {
    /// A record with the header's number of fields, and the line it starts on.
    Record(u64, csv::StringRecord),
    /// A record that cannot be used; the records after it are still read.
    Problem(Problem),
    /// The file cannot be read on (it is not UTF-8 text); nothing more comes.
    Stop(Problem),
}

type Input<R> = LineTracker<std::io::Chain<std::io::Cursor<Vec<u8>>, std::io::BufReader<R>>>;

/// A file's records one at a time from any reader, so a file of any size is read in the memory of a
/// few records: the header is matched first, then each record is placed by line and checked as text.
pub struct RecordStream<F, R: Read> {
    pub header: Header<F>,
    reader: csv::Reader<Input<R>>,
    starts: Rc<RefCell<VecDeque<(u64, u64)>>>,
    record: csv::ByteRecord,
    any: bool,
    troubled: bool,
    ended: bool,
}

impl<F: ImportField, R: Read> RecordStream<F, R> {
    /// Reads the header line, or says why the file cannot be read at all (encoding, header, a required
    /// column missing).
    pub fn open(input: R, mapping: &Mapping, required: F) -> Result<RecordStream<F, R>, Vec<Problem>> {
        let mut input = std::io::BufReader::with_capacity(64 * 1024, input);
        // The header line is read ahead of the CSV reader, to tell the delimiter from it.
        let mut head = Vec::new();
        input
            .read_until(b'\n', &mut head)
            .map_err(|e| vec![Problem::file(format!("the file cannot be read: {e}"), CSV_FIX)])?;
        if head.starts_with(b"\xEF\xBB\xBF") {
            head.drain(..3);
        }
        let head_text = std::str::from_utf8(&head).map_err(|e| {
            let byte = head[e.valid_up_to()];
            vec![Problem {
                line: Some(1),
                column: None,
                value: None,
                message: format!("the header line is not UTF-8 text: byte 0x{byte:02X}{}", decode::not_utf8_hint(byte)),
                fix: decode::UTF8_FIX.to_string(),
            }]
        })?;
        let delimiter = decode::delimiter(head_text);
        let starts = Rc::new(RefCell::new(VecDeque::new()));
        let tracker = LineTracker::new(std::io::Cursor::new(head).chain(input), starts.clone());
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(64 * 1024)
            .from_reader(tracker);
        let mut first = csv::ByteRecord::new();
        let names: Vec<String> = match reader.read_byte_record(&mut first) {
            Ok(true) => first.iter().map(|s| String::from_utf8_lossy(s).trim().to_string()).collect(),
            Ok(false) => {
                return Err(vec![Problem::file("the file is empty", "export the register with its header line")])
            }
            Err(e) => return Err(vec![Problem::file(format!("the header line cannot be read: {e}"), CSV_FIX)]),
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
        Ok(RecordStream {
            header,
            reader,
            starts,
            record: csv::ByteRecord::new(),
            any: false,
            troubled: false,
            ended: false,
        })
    }

    /// How far into the file the reader is, in bytes (for a progress bar).
    pub fn bytes_read(&self) -> u64 {
        self.reader.position().byte()
    }

    pub fn next_item(&mut self) -> Option<Item> {
        loop {
            if self.ended {
                return None;
            }
            match self.reader.read_byte_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => {
                    self.ended = true;
                    if !self.any && !self.troubled {
                        return Some(Item::Problem(Problem::file(
                            "the file has a header line but no rows",
                            "add at least one row under the header",
                        )));
                    }
                    return None;
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| self.line_of(p.byte()));
                    self.troubled = true;
                    return Some(Item::Problem(Problem::at(line, format!("this record cannot be read: {e}"), CSV_FIX)));
                }
            }
            let line = self.record.position().map_or(0, |p| self.line_of(p.byte()));
            let record = match csv::StringRecord::from_byte_record(std::mem::take(&mut self.record)) {
                Ok(r) => r,
                Err(e) => {
                    self.ended = true;
                    return Some(Item::Stop(self.not_utf8(line, e)));
                }
            };
            if record.iter().all(|f| f.trim().is_empty()) {
                self.record = record.into_byte_record();
                continue;
            }
            if record.len() != self.header.names.len() {
                self.troubled = true;
                let problem = Problem::at(
                    line,
                    format!("this record has {} fields but the header has {}", record.len(), self.header.names.len()),
                    "check for a missing or extra delimiter, a value with a comma that is not in quotes, or an unclosed quote; every row needs one value per column",
                );
                return Some(Item::Problem(problem));
            }
            self.any = true;
            return Some(Item::Record(line, record));
        }
    }

    fn not_utf8(&self, line: u64, e: csv::FromUtf8Error) -> Problem {
        let (field, valid) = (e.utf8_error().field(), e.utf8_error().valid_up_to());
        let raw = e.into_byte_record();
        let cell = raw.get(field).unwrap_or_default();
        let byte = cell.get(valid).copied().unwrap_or_default();
        Problem {
            line: Some(line),
            column: self.header.names.get(field).cloned(),
            value: Some(String::from_utf8_lossy(cell).into_owned()),
            message: format!(
                "the file is not UTF-8 text: byte 0x{byte:02X} in this cell{}",
                decode::not_utf8_hint(byte)
            ),
            fix: decode::UTF8_FIX.to_string(),
        }
    }

    /// The line a record starts on, from the byte offset where the reader began it: that offset can point
    /// at blank lines skipped before the record, so it is the line of the first byte at or after it that
    /// is not a line end. Offsets only grow, so the starts before it are dropped as they are passed.
    fn line_of(&self, byte: u64) -> u64 {
        let mut starts = self.starts.borrow_mut();
        while starts.front().is_some_and(|&(at, _)| at < byte) {
            starts.pop_front();
        }
        starts.front().map_or_else(|| self.reader.get_ref().line, |&(_, line)| line)
    }
}

/// Notes, as the bytes go past, where each run of line ends gives way to text and on which line, so
/// records can be placed by line without keeping the file.
struct LineTracker<R> {
    inner: R,
    offset: u64,
    line: u64,
    in_line_ends: bool,
    starts: Rc<RefCell<VecDeque<(u64, u64)>>>,
}

impl<R: Read> LineTracker<R> {
    fn new(inner: R, starts: Rc<RefCell<VecDeque<(u64, u64)>>>) -> LineTracker<R> {
        LineTracker { inner, offset: 0, line: 1, in_line_ends: true, starts }
    }
}

impl<R: Read> Read for LineTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut starts = self.starts.borrow_mut();
        for (i, &b) in buf[..n].iter().enumerate() {
            match b {
                b'\n' => {
                    self.line += 1;
                    self.in_line_ends = true;
                }
                b'\r' => self.in_line_ends = true,
                _ if self.in_line_ends => {
                    starts.push_back((self.offset + i as u64, self.line));
                    self.in_line_ends = false;
                }
                _ => {}
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::asset_fields::AssetField;

    /// (line, first cell) of each record, and each problem's line, read through the stream.
    fn lines(text: &[u8]) -> (Vec<(u64, String)>, Vec<u64>) {
        let mut stream = RecordStream::open(text, &Mapping::default(), AssetField::AssetTag).expect("header");
        let (mut records, mut problems) = (vec![], vec![]);
        while let Some(item) = stream.next_item() {
            match item {
                Item::Record(line, r) => records.push((line, r[0].to_string())),
                Item::Problem(p) | Item::Stop(p) => problems.push(p.line.unwrap_or(0)),
            }
        }
        (records, problems)
    }

    #[test]
    fn records_are_placed_on_the_line_they_start_on() {
        let text =
            b"asset_tag,notes\r\n\r\nA-1,one\r\nA-2,\"two\nlines\"\r\n\r\n\r\nA-3,three\r\nA-4,x,extra\r\nA-5,five";
        let (records, problems) = lines(text);
        assert_eq!(records, [(3, "A-1".into()), (4, "A-2".into()), (8, "A-3".into()), (10, "A-5".into())]);
        assert_eq!(problems, [9], "the record with a field too many");
    }

    #[test]
    fn lines_stay_right_past_the_readers_buffers() {
        // Rows of 1,000 bytes, so the file runs through many 64 KiB buffers of both readers.
        let mut text = b"asset_tag,notes\n".to_vec();
        for i in 1..=300 {
            text.extend_from_slice(format!("T-{i},{}\n", "x".repeat(995)).as_bytes());
            if i % 7 == 0 {
                text.extend_from_slice(b"\n");
            }
        }
        let (records, problems) = lines(&text);
        assert!(problems.is_empty());
        let mut line = 2;
        for (i, (got_line, tag)) in records.iter().enumerate() {
            assert_eq!((*got_line, tag.as_str()), (line, format!("T-{}", i + 1).as_str()));
            line += if (i + 1) % 7 == 0 { 2 } else { 1 };
        }
    }

    #[test]
    fn a_cell_that_is_not_utf8_is_placed_by_line_and_column_and_stops_the_reading() {
        let (records, problems) = lines(b"asset_tag,notes\nA-1,ok\nA-2,caf\xE9\nA-3,later\n");
        assert_eq!(records, [(2, "A-1".into())]);
        assert_eq!(problems, [3]);
        let mut stream =
            RecordStream::open(&b"Asset Tag;Notes\nA-1;\xA3499\n"[..], &Mapping::default(), AssetField::AssetTag)
                .expect("header");
        let Some(Item::Stop(p)) = stream.next_item() else { panic!("a stop") };
        assert_eq!((p.line, p.column.as_deref()), (Some(2), Some("Notes")));
        assert!(p.message.contains("0xA3") && p.message.contains("Windows-1252"), "{}", p.message);
    }

    #[test]
    fn a_header_that_is_not_utf8_or_has_no_rows_is_a_problem_with_the_file() {
        let err = RecordStream::open(&b"asset_tag,caf\xE9\n"[..], &Mapping::default(), AssetField::AssetTag)
            .err()
            .expect("refused");
        assert_eq!(err[0].line, Some(1));
        assert!(err[0].message.contains("header line is not UTF-8"), "{}", err[0].message);
        let (records, problems) = lines(b"\xEF\xBB\xBFasset_tag\n\n");
        assert!(records.is_empty());
        assert_eq!(problems, [0], "no rows: a problem with the whole file");
    }
}
