//! Cell values as spreadsheets and other tools write them: dates in ISO and UK forms, lifecycle words
//! from other asset tools, category words. Each parser says what it expected, for the problem report.

use chrono::NaiveDate;

use crate::domain::{Category, LifecycleState};

/// `2024-03-31`, `31/03/2024`, `31-03-2024`, `31.03.2024`, or an ISO date-time (`2024-03-31 09:30:00`,
/// `2024-03-31T09:30:00Z`) whose date is taken. Two-digit years are refused: 31/03/24 could be 1924.
pub fn date(raw: &str) -> Result<NaiveDate, String> {
    let s = raw.trim();
    let iso_part = s.split(['T', ' ']).next().unwrap_or(s);
    if let Ok(d) = NaiveDate::parse_from_str(iso_part, "%Y-%m-%d") {
        return Ok(d);
    }
    for sep in ['/', '-', '.'] {
        let parts: Vec<&str> = s.split(sep).collect();
        if parts.len() == 3 && parts[2].len() == 4 && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())) {
            let (d, m, y) = (parts[0].parse::<u32>(), parts[1].parse::<u32>(), parts[2].parse::<i32>());
            if let (Ok(d), Ok(m), Ok(y)) = (d, m, y) {
                if m > 12 && d <= 12 {
                    return Err(format!(
                        "'{raw}' has month {m}: it looks like a US date (month/day/year), but dates here are day/month/year"
                    ));
                }
                return NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("'{raw}' is not a real date"));
            }
        }
    }
    Err(format!("'{raw}' is not a date"))
}

pub const DATE_FIX: &str = "write the date as 31/03/2024 (day/month/year) or 2024-03-31";

/// Our own state names, and the status words Snipe-IT, GLPI, NetBox and Lansweeper use.
pub fn lifecycle(raw: &str) -> Option<LifecycleState> {
    use LifecycleState::*;
    let n = super::columns::normalise(raw);
    if let Ok(s) = n.replace(' ', "_").parse::<LifecycleState>() {
        return Some(s);
    }
    Some(match n.as_str() {
        "ordered" | "pending" | "planned" | "on order" | "purchased" => OnOrder,
        "ready to deploy" | "in stock" | "stock" | "spare" | "available" | "inventory" | "staged" => InStock,
        "deployed" | "in use" | "active" | "in service" | "assigned" | "checked out" | "live" => Deployed,
        "broken" | "out for repair" | "repair" | "in repair" | "faulty" | "failed" => InRepair,
        "archived" | "retired" | "offline" | "inactive" | "not in use" | "out of service" => Retired,
        "decommissioning" | "pending disposal" | "to be disposed" | "awaiting disposal" => AwaitingDisposal,
        "disposed" | "scrapped" | "recycled" | "decommissioned" => Disposed,
        _ => return None,
    })
}

pub fn lifecycle_fix() -> String {
    let ours: Vec<&str> = LifecycleState::ALL.iter().map(|s| s.as_str()).collect();
    format!(
        "use one of {} (or another tool's word such as Ready to Deploy, Deployed, Archived, Pending, offline, decommissioning)",
        ours.join(", ")
    )
}

/// Our own category names, and the plural or longer words asset tools use ("Desktops", "Notebook",
/// "Multifunction printer", "Network switch").
pub fn category(raw: &str) -> Option<Category> {
    let n = super::columns::normalise(raw);
    if let Ok(c) = n.replace(' ', "_").parse::<Category>() {
        return Some(c);
    }
    let has = |words: &[&str]| words.iter().any(|w| n.split(' ').any(|x| x == *w || x == format!("{w}s")));
    Some(if n.contains("thin client") || has(&["wyse", "zero client"]) {
        Category::ThinClient
    } else if has(&["desktop", "pc", "workstation", "tower", "computer", "aio"]) {
        Category::Desktop
    } else if has(&["laptop", "notebook", "ultrabook"]) {
        Category::Laptop
    } else if has(&["monitor", "display", "screen"]) {
        Category::Monitor
    } else if has(&["printer", "mfd", "mfp", "copier", "multifunction", "plotter", "scanner"]) {
        Category::Printer
    } else if has(&["server", "host", "nas", "san"]) {
        Category::Server
    } else if has(&["switch", "router", "firewall"]) {
        Category::Switch
    } else if has(&["other"]) {
        Category::Other
    } else {
        return None;
    })
}

pub fn category_fix() -> String {
    let ours: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    format!("use one of {}", ours.join(", "))
}

/// A whole number of months, as "36" or "36 months" (Snipe-IT writes the unit).
pub fn months(raw: &str) -> Result<u32, String> {
    let s = raw.trim();
    let digits = s.strip_suffix("months").or_else(|| s.strip_suffix("month")).unwrap_or(s).trim();
    digits.parse::<u32>().map_err(|_| format!("'{raw}' is not a whole number of months"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn dates_in_iso_and_uk_forms() {
        for raw in
            ["2024-03-31", "31/03/2024", "31-03-2024", "31.03.2024", "2024-03-31 09:30:00", "2024-03-31T00:00:00Z"]
        {
            assert_eq!(date(raw), Ok(ymd(2024, 3, 31)), "{raw}");
        }
        assert_eq!(date("1/4/2024"), Ok(ymd(2024, 4, 1)));
        assert!(date("03/31/2024").unwrap_err().contains("US date"));
        assert!(date("31/02/2024").unwrap_err().contains("not a real date"));
        assert!(date("31/03/24").is_err());
        assert!(date("next week").is_err());
    }

    #[test]
    fn other_tools_status_words() {
        use LifecycleState::*;
        let cases = [
            ("Ready to Deploy", InStock),
            ("Deployed", Deployed),
            ("Archived", Retired),
            ("Pending", OnOrder),
            ("offline", Retired),
            ("decommissioning", AwaitingDisposal),
            ("in_repair", InRepair),
            ("Out for Repair", InRepair),
            ("AWAITING_DISPOSAL", AwaitingDisposal),
        ];
        for (raw, want) in cases {
            assert_eq!(lifecycle(raw), Some(want), "{raw}");
        }
        assert_eq!(lifecycle("on the moon"), None);
    }

    #[test]
    fn category_words() {
        let cases = [
            ("Desktops", Category::Desktop),
            ("thin_client", Category::ThinClient),
            ("Thin Clients", Category::ThinClient),
            ("Notebook", Category::Laptop),
            ("Multifunction Printers", Category::Printer),
            ("Network Switch", Category::Switch),
            ("Monitors", Category::Monitor),
        ];
        for (raw, want) in cases {
            assert_eq!(category(raw), Some(want), "{raw}");
        }
        assert_eq!(category("Tablet"), None);
    }

    #[test]
    fn months_with_or_without_unit() {
        assert_eq!(months("36"), Ok(36));
        assert_eq!(months("36 months"), Ok(36));
        assert!(months("three years").is_err());
    }
}
