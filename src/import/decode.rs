//! From the bytes of an uploaded file to text the CSV reader can trust: UTF-8 (a byte-order mark is
//! dropped), and the delimiter (comma or semicolon) read off the header line.

use super::Problem;

/// The file's text without a byte-order mark, or where the first byte that is not UTF-8 sits.
pub fn utf8(bytes: &[u8]) -> Result<&str, Problem> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        let line = good.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        let column = std::str::from_utf8(&good[line_start..]).map_or(0, |s| s.chars().count()) + 1;
        let byte = bytes[e.valid_up_to()];
        Problem {
            line: Some(line),
            column: None,
            value: None,
            message: format!("the file is not UTF-8 text: byte 0x{byte:02X} at column {column}{}", not_utf8_hint(byte)),
            fix: UTF8_FIX.to_string(),
        }
    })
}

pub const UTF8_FIX: &str = "save the spreadsheet as \"CSV UTF-8 (comma delimited)\" and upload that file";

/// Which encoding a byte that is not UTF-8 probably comes from.
pub fn not_utf8_hint(byte: u8) -> &'static str {
    if byte == 0xA3 {
        " (0xA3 is £ in Windows-1252, so the file is probably in that encoding, as Excel's plain \"CSV\" saves)"
    } else {
        " (probably Windows-1252 or Latin-1, as Excel's plain \"CSV\" saves)"
    }
}

/// Semicolon when the header line has more semicolons than commas (as Excel writes in many European
/// locales and GLPI exports), else comma.
pub fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let count = |c: char| header.chars().filter(|&x| x == c).count();
    if count(';') > count(',') {
        b';'
    } else {
        b','
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_dropped() {
        assert_eq!(utf8(b"\xEF\xBB\xBFasset_tag\n").unwrap(), "asset_tag\n");
    }

    #[test]
    fn windows_1252_pound_is_placed_and_explained() {
        let p = utf8(b"asset_tag,cost\nA1,\xA3499\n").unwrap_err();
        assert_eq!(p.line, Some(2));
        assert!(p.message.contains("column 4"), "{}", p.message);
        assert!(p.message.contains("Windows-1252"), "{}", p.message);
        assert!(p.fix.contains("CSV UTF-8"));
    }

    #[test]
    fn semicolon_files_are_recognised() {
        assert_eq!(delimiter("Name;Serial number;Inventory number\n"), b';');
        assert_eq!(delimiter("Asset Tag,Name;with semicolon,Serial\n"), b',');
        assert_eq!(delimiter(""), b',');
    }
}
