//! The fixed parts of the demo estate: the fictional Wexcombe City Council's sites and their subnets,
//! its departments, and a catalogue of 20 device models whose power and embodied-carbon figures come
//! from the cited reference data (shared/reference: device_power_defaults.csv,
//! embodied_carbon_defaults.csv, duty_cycles.csv, refresh_cycles.csv). Weights and prices are plausible
//! demo figures, not sourced. Addresses, postcodes (area "WX" does not exist) and subnets are fictional.

use crate::domain::Category;

/// The asset-tag prefix: Wexcombe City Council.
pub const TAG_PREFIX: &str = "WCC";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentRole {
    /// Staff PCs, laptops and printers.
    Staff,
    /// Servers and switch management.
    Infrastructure,
    /// Library public-access PCs.
    Public,
}

pub struct SegmentSpec {
    pub name: &'static str,
    /// The segment is `10.{second_octet}.0.0`, a /24 unless the estate is too big for one.
    pub second_octet: u8,
    pub role: SegmentRole,
}

pub struct SiteSpec {
    pub name: &'static str,
    /// For hostnames: `CO-DT-0001`.
    pub code: &'static str,
    pub address: &'static str,
    pub postcode: &'static str,
    pub pue: Option<f64>,
    pub notes: Option<&'static str>,
    /// Share of the end-user estate (per mille).
    pub weight: u32,
    /// Which departments work here: (index into [`DEPARTMENTS`], weight).
    pub departments: &'static [(usize, u32)],
    pub segments: &'static [SegmentSpec],
}

/// Index of the Central Library in [`SITES`] (its public-access PCs are special).
pub const LIBRARY: usize = 3;

pub const SITES: [SiteSpec; 4] = [
    SiteSpec {
        name: "Civic Offices",
        code: "CO",
        address: "Civic Offices, 1 Market Square, Wexcombe",
        postcode: "WX1 1AA",
        pue: Some(1.8),
        notes: Some("Headquarters. Server room on the lower ground floor (PUE 1.8: a demo figure, not metered)."),
        weight: 580,
        departments: &[
            (ADULT_SOCIAL_CARE, 14),
            (CHILDRENS_SERVICES, 14),
            (PLANNING, 8),
            (REVENUES_BENEFITS, 14),
            (ENVIRONMENTAL_HEALTH, 5),
            (HIGHWAYS, 4),
            (HOUSING, 10),
            (LEISURE, 1),
            (FINANCE, 9),
            (LEGAL, 6),
            (ICT, 8),
        ],
        segments: &[
            SegmentSpec { name: "Staff floors 1-2", second_octet: 11, role: SegmentRole::Staff },
            SegmentSpec { name: "Staff floors 3-4", second_octet: 12, role: SegmentRole::Staff },
            SegmentSpec { name: "Server room", second_octet: 13, role: SegmentRole::Infrastructure },
        ],
    },
    SiteSpec {
        name: "Riverside Leisure Centre",
        code: "RL",
        address: "Riverside Walk, Wexcombe",
        postcode: "WX2 4RL",
        pue: None,
        notes: None,
        weight: 100,
        departments: &[(LEISURE, 90), (CHILDRENS_SERVICES, 10)],
        segments: &[SegmentSpec { name: "Staff and reception", second_octet: 21, role: SegmentRole::Staff }],
    },
    SiteSpec {
        name: "Northgate Depot",
        code: "ND",
        address: "Unit 4, Northgate Industrial Estate, Wexcombe",
        postcode: "WX5 7ND",
        pue: None,
        notes: Some("Highways and waste operations; comms cabinet in the workshop."),
        weight: 140,
        departments: &[(HIGHWAYS, 55), (ENVIRONMENTAL_HEALTH, 35), (ICT, 10)],
        segments: &[
            SegmentSpec { name: "Depot offices", second_octet: 31, role: SegmentRole::Staff },
            SegmentSpec { name: "Workshop and stores", second_octet: 32, role: SegmentRole::Staff },
        ],
    },
    SiteSpec {
        name: "Central Library",
        code: "CL",
        address: "12 Library Street, Wexcombe",
        postcode: "WX1 2CL",
        pue: None,
        notes: Some("Library and community hub with public-access PCs."),
        weight: 180,
        departments: &[(LIBRARIES, 80), (CHILDRENS_SERVICES, 10), (ADULT_SOCIAL_CARE, 10)],
        segments: &[
            SegmentSpec { name: "Library staff", second_octet: 41, role: SegmentRole::Staff },
            SegmentSpec { name: "Public access PCs", second_octet: 42, role: SegmentRole::Public },
        ],
    },
];

pub const ADULT_SOCIAL_CARE: usize = 0;
pub const CHILDRENS_SERVICES: usize = 1;
pub const PLANNING: usize = 2;
pub const REVENUES_BENEFITS: usize = 3;
pub const ENVIRONMENTAL_HEALTH: usize = 4;
pub const HIGHWAYS: usize = 5;
pub const HOUSING: usize = 6;
pub const LIBRARIES: usize = 7;
pub const LEISURE: usize = 8;
pub const FINANCE: usize = 9;
pub const LEGAL: usize = 10;
pub const ICT: usize = 11;

/// (name, cost centre).
pub const DEPARTMENTS: [(&str, &str); 12] = [
    ("Adult Social Care", "AS2100"),
    ("Children's Services", "CS2200"),
    ("Planning", "PL3100"),
    ("Revenues & Benefits", "RB1200"),
    ("Environmental Health", "EH3300"),
    ("Highways", "HW3400"),
    ("Housing", "HO2300"),
    ("Libraries", "LB4100"),
    ("Leisure", "LS4200"),
    ("Finance", "FN1100"),
    ("Legal & Democratic Services", "LD1300"),
    ("ICT", "IT1400"),
];

/// Where a model's power draw by state comes from; the model's notes say so.
#[derive(Debug, Clone, Copy)]
pub enum Power {
    /// Microsoft ConfigMgr 2007 R3 power-report defaults (on, sleep) and the EU Lot 3 off-mode limit.
    ConfigMgr { device: &'static str, on: f64, sleep: f64 },
    /// On (idle) watts from a TEC with the ENERGY STAR v8 thin-client weighting.
    ThinClientTec { tec: f64, what: &'static str },
    /// On watts from a TEC, assuming on 30 % of the time (Boavizta use_time_ratio) and asleep otherwise.
    MonitorTec { tec: f64, what: &'static str },
    /// Always on: TEC ÷ 8,760 h.
    ServerTec { tec: f64, what: &'static str },
    /// No sourced per-state figure exists (reference README): our estimate, said to be one.
    Estimate { on: f64, sleep: f64, off: f64, why: &'static str },
}

/// EU Lot 3 (Reg. (EU) 617/2013) off-mode limit for desktops and notebooks, in watts.
const LOT3_OFF_W: f64 = 0.5;
const THIN_CLIENT_OFF_W: f64 = 0.5;
const THIN_CLIENT_SLEEP_W: f64 = 1.0;
const MONITOR_SLEEP_W: f64 = 0.3;
const MONITOR_OFF_W: f64 = 0.2;
const SERVER_OFF_W: f64 = 10.0;

fn tenth(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

impl Power {
    /// (on, sleep, off) in watts.
    pub fn watts(self) -> (f64, f64, f64) {
        match self {
            Power::ConfigMgr { on, sleep, .. } => (on, sleep, LOT3_OFF_W),
            Power::ThinClientTec { tec, .. } => {
                // ENERGY STAR v8 thin client: off 45 %, sleep 5 %, idle (long + short) 50 %.
                let avg = tec * 1000.0 / 8760.0;
                let on = (avg - 0.45 * THIN_CLIENT_OFF_W - 0.05 * THIN_CLIENT_SLEEP_W) / 0.50;
                (tenth(on), THIN_CLIENT_SLEEP_W, THIN_CLIENT_OFF_W)
            }
            Power::MonitorTec { tec, .. } => {
                let avg = tec * 1000.0 / 8760.0;
                let on = (avg - 0.7 * MONITOR_SLEEP_W) / 0.3;
                (tenth(on), MONITOR_SLEEP_W, MONITOR_OFF_W)
            }
            Power::ServerTec { tec, .. } => (tenth(tec * 1000.0 / 8760.0), SERVER_OFF_W, SERVER_OFF_W),
            Power::Estimate { on, sleep, off, .. } => (on, sleep, off),
        }
    }

    pub fn note(self) -> String {
        let (on, sleep, off) = self.watts();
        match self {
            Power::ConfigMgr { device, .. } => format!(
                "Power: Microsoft ConfigMgr 2007 R3 power-report defaults for a {device} (on {on} W, sleep {sleep} W); \
                 off {off} W is the EU Lot 3 (Reg. (EU) 617/2013) off-mode limit, a regulatory maximum. Category \
                 defaults, not measured for this model."
            ),
            Power::ThinClientTec { tec, what } => format!(
                "Power (estimate): on {on} W derived from {what} TEC {tec} kWh/yr (Boavizta environmental-footprint-data) \
                 with the ENERGY STAR v8 thin-client weighting (off 45 %, sleep 5 %, idle 50 %), assuming sleep {sleep} W \
                 and off {off} W."
            ),
            Power::MonitorTec { tec, what } => format!(
                "Power (estimate): on {on} W derived from {what} TEC {tec} kWh/yr (Boavizta environmental-footprint-data), \
                 assuming on 30 % of the time (Boavizta use_time_ratio 0.3) and asleep at {sleep} W otherwise; off \
                 {off} W assumed."
            ),
            Power::ServerTec { tec, what } => format!(
                "Power (estimate): on {on} W = {what} TEC {tec} kWh/yr (Boavizta environmental-footprint-data) ÷ 8,760 h, \
                 always on; servers do not sleep, and {off} W off (management controller) is an assumption."
            ),
            Power::Estimate { why, .. } => format!("Power (estimate): on {on} W, sleep {sleep} W, off {off} W. {why}"),
        }
    }
}

/// Where a model's embodied carbon comes from; the model's `embodied_source` says so.
#[derive(Debug, Clone, Copy)]
pub enum Embodied {
    /// Boavizta API default (ADEME Base Empreinte) for a device type.
    BoaviztaDefault { device: &'static str, kg: f64 },
    /// Median manufacturing share of manufacturer PCFs compiled by Boavizta, for a device type.
    PcfMedian { device: &'static str, kg: f64 },
    /// One model's manufacturer PCF: lifecycle total × manufacturing ratio.
    PcfExample { total: f64, ratio: f64 },
    /// Mass-based last resort: DESNZ 'Material use – Electrical items – IT' factor × weight.
    ByMass { why: &'static str },
}

/// DESNZ GHG conversion factors 2025, 'Material use – Electrical items – IT', kgCO2e per tonne.
const DESNZ_IT_KG_PER_TONNE: f64 = 24_865.0;
const BOAVIZTA_PCF_DATASET: &str = "github:Boavizta/environmental-footprint-data boavizta-data-us.csv, Feb 2023";

impl Embodied {
    /// (kgCO2e, source).
    pub fn figure(self, manufacturer: &str, name: &str, weight_kg: f64) -> (f64, String) {
        match self {
            Embodied::BoaviztaDefault { device, kg } => (
                kg,
                format!("Boavizta API default (ADEME Base Empreinte), {device} {kg} kgCO2e (github:Boavizta/boaviztapi factors.yml)"),
            ),
            Embodied::PcfMedian { device, kg } => (
                kg,
                format!("Manufacturer PCFs compiled by Boavizta, {device} median manufacturing share {kg} kgCO2e ({BOAVIZTA_PCF_DATASET})"),
            ),
            Embodied::PcfExample { total, ratio } => {
                let kg = tenth(total * ratio);
                (
                    kg,
                    format!(
                        "Manufacturer PCF compiled by Boavizta: {manufacturer} {name} total {total} kgCO2e × manufacturing \
                         ratio {ratio} = {kg} kgCO2e ({BOAVIZTA_PCF_DATASET})"
                    ),
                )
            }
            Embodied::ByMass { why } => {
                let kg = tenth(weight_kg * DESNZ_IT_KG_PER_TONNE / 1000.0);
                (
                    kg,
                    format!(
                        "Mass-based fallback: DESNZ GHG conversion factors 2025, 'Material use - Electrical items - IT' \
                         24,865 kgCO2e/t × {weight_kg} kg = {kg} kgCO2e ({why}); a last resort, likely an underestimate"
                    ),
                )
            }
        }
    }
}

pub struct ModelSpec {
    pub manufacturer: &'static str,
    pub name: &'static str,
    pub category: Category,
    pub power: Power,
    /// Only where the reference data gives this model's own figure.
    pub tec_kwh_per_year: Option<f64>,
    pub embodied: Embodied,
    pub weight_kg: f64,
    pub life_months: i32,
    pub price_pence: i64,
    /// The years the council bought this model in.
    pub years: (i32, i32),
    /// How often it is chosen among the models on sale that year.
    pub popularity: u32,
    /// Serial numbers: a fixed prefix then this many random letters and digits.
    pub serial: (&'static str, usize),
}

const DESKTOP_POWER: Power = Power::ConfigMgr { device: "desktop", on: 70.0, sleep: 3.0 };
const LAPTOP_POWER: Power = Power::ConfigMgr { device: "laptop", on: 20.0, sleep: 1.0 };
const DESKTOP_API: Embodied = Embodied::BoaviztaDefault { device: "desktop", kg: 277.0 };
const PRINTER_EMBODIED: Embodied =
    Embodied::ByMass { why: "no sourced printer/MFD PCF: Lexmark PCFs include paper and consumables" };
const SWITCH_EMBODIED: Embodied = Embodied::ByMass { why: "no enterprise switch PCF was found" };
const PRINTER_WHY: &str = "No sourced per-state figures for printers or MFDs were found (reference README); replace \
                           with the spec sheet's ready, sleep and off watts.";
const SWITCH_WHY: &str =
    "No sourced per-state figure for enterprise switches was found (reference README); on excludes \
                          PoE load; switches do not sleep.";

/// Typical power for a model the register does not know yet (an import's `--create-missing`): that of
/// the first catalogue model of the category, with its source in [`Power::note`]. `Other` has none.
pub fn typical_power(category: Category) -> Option<Power> {
    MODELS.iter().find(|m| m.category == category).map(|m| m.power)
}

/// Refresh lives (shared/reference/refresh_cycles.csv and `Category::default_life_months`): desktops and
/// thin clients 5 y, laptops 4 y, monitors 6 y, printers and servers 5 y, switches 7 y.
pub const MODELS: [ModelSpec; 20] = [
    // Desktops.
    ModelSpec {
        manufacturer: "Fujitsu",
        name: "ESPRIMO P758",
        category: Category::Desktop,
        power: DESKTOP_POWER,
        tec_kwh_per_year: None,
        embodied: DESKTOP_API,
        weight_kg: 7.0,
        life_months: 60,
        price_pence: 59_900,
        years: (2018, 2020),
        popularity: 3,
        serial: ("YL", 8),
    },
    ModelSpec {
        manufacturer: "HP",
        name: "EliteDesk 800 G4 SFF",
        category: Category::Desktop,
        power: DESKTOP_POWER,
        tec_kwh_per_year: None,
        embodied: DESKTOP_API,
        weight_kg: 5.3,
        life_months: 60,
        price_pence: 64_900,
        years: (2018, 2021),
        popularity: 4,
        serial: ("CZC", 7),
    },
    ModelSpec {
        manufacturer: "Lenovo",
        name: "ThinkCentre M720q Tiny",
        category: Category::Desktop,
        power: DESKTOP_POWER,
        tec_kwh_per_year: None,
        embodied: Embodied::PcfMedian { device: "desktop", kg: 249.0 },
        weight_kg: 1.3,
        life_months: 60,
        price_pence: 57_900,
        years: (2019, 2022),
        popularity: 3,
        serial: ("MJ0", 5),
    },
    ModelSpec {
        manufacturer: "Dell",
        name: "OptiPlex 7000 SFF",
        category: Category::Desktop,
        power: DESKTOP_POWER,
        tec_kwh_per_year: Some(47.6),
        embodied: Embodied::PcfExample { total: 343.0, ratio: 0.667 },
        weight_kg: 4.8,
        life_months: 60,
        price_pence: 74_900,
        years: (2022, 2026),
        popularity: 4,
        serial: ("", 7),
    },
    ModelSpec {
        manufacturer: "Dell",
        name: "OptiPlex 7000 Micro",
        category: Category::Desktop,
        power: DESKTOP_POWER,
        tec_kwh_per_year: Some(17.5),
        embodied: Embodied::PcfExample { total: 246.0, ratio: 0.824 },
        weight_kg: 1.2,
        life_months: 60,
        price_pence: 69_900,
        years: (2022, 2026),
        popularity: 3,
        serial: ("", 7),
    },
    // Laptops.
    ModelSpec {
        manufacturer: "HP",
        name: "EliteBook 840 G5",
        category: Category::Laptop,
        power: LAPTOP_POWER,
        tec_kwh_per_year: None,
        embodied: Embodied::BoaviztaDefault { device: "laptop (pro)", kg: 181.0 },
        weight_kg: 1.5,
        life_months: 48,
        price_pence: 109_900,
        years: (2018, 2020),
        popularity: 3,
        serial: ("5CG", 7),
    },
    ModelSpec {
        manufacturer: "Lenovo",
        name: "ThinkPad T14 Gen 2",
        category: Category::Laptop,
        power: LAPTOP_POWER,
        tec_kwh_per_year: None,
        embodied: Embodied::PcfMedian { device: "laptop", kg: 236.0 },
        weight_kg: 1.5,
        life_months: 48,
        price_pence: 99_900,
        years: (2021, 2023),
        popularity: 4,
        serial: ("PF", 6),
    },
    ModelSpec {
        manufacturer: "Dell",
        name: "Latitude 5430",
        category: Category::Laptop,
        power: LAPTOP_POWER,
        tec_kwh_per_year: Some(23.4),
        embodied: Embodied::PcfExample { total: 301.0, ratio: 0.806 },
        weight_kg: 1.4,
        life_months: 48,
        price_pence: 104_900,
        years: (2022, 2026),
        popularity: 4,
        serial: ("", 7),
    },
    // Thin clients.
    ModelSpec {
        manufacturer: "Dell",
        name: "Wyse 5070",
        category: Category::ThinClient,
        power: Power::ThinClientTec { tec: 41.8, what: "the Wyse 5070's" },
        tec_kwh_per_year: Some(41.8),
        embodied: Embodied::PcfExample { total: 150.0, ratio: 0.683 },
        weight_kg: 1.2,
        life_months: 60,
        price_pence: 38_900,
        years: (2018, 2026),
        popularity: 3,
        serial: ("", 7),
    },
    ModelSpec {
        manufacturer: "HP",
        name: "t640 Thin Client",
        category: Category::ThinClient,
        power: Power::ThinClientTec { tec: 41.4, what: "the thin-client median" },
        tec_kwh_per_year: None,
        embodied: Embodied::PcfMedian { device: "thin client (Dell Wyse only)", kg: 45.0 },
        weight_kg: 1.0,
        life_months: 60,
        price_pence: 35_900,
        years: (2020, 2026),
        popularity: 2,
        serial: ("CND", 7),
    },
    // Monitors.
    ModelSpec {
        manufacturer: "Dell",
        name: "P2419H 24in",
        category: Category::Monitor,
        power: Power::MonitorTec { tec: 37.8, what: "the 23-24.5in monitor median" },
        tec_kwh_per_year: None,
        embodied: Embodied::PcfMedian { device: "monitor 23-24.5in", kg: 328.0 },
        weight_kg: 5.3,
        life_months: 72,
        price_pence: 16_900,
        years: (2018, 2021),
        popularity: 4,
        serial: ("CN0", 9),
    },
    ModelSpec {
        manufacturer: "Dell",
        name: "P2422H 24in",
        category: Category::Monitor,
        power: Power::MonitorTec { tec: 35.4, what: "the P2422H's" },
        tec_kwh_per_year: Some(35.4),
        embodied: Embodied::PcfExample { total: 481.0, ratio: 0.682 },
        weight_kg: 5.0,
        life_months: 72,
        price_pence: 17_900,
        years: (2021, 2026),
        popularity: 5,
        serial: ("CN0", 9),
    },
    ModelSpec {
        manufacturer: "Lenovo",
        name: "ThinkVision T27i-10 27in",
        category: Category::Monitor,
        power: Power::MonitorTec { tec: 40.9, what: "the all-sizes monitor median" },
        tec_kwh_per_year: None,
        embodied: Embodied::PcfMedian { device: "monitor 27in", kg: 346.0 },
        weight_kg: 6.6,
        life_months: 72,
        price_pence: 24_900,
        years: (2019, 2026),
        popularity: 2,
        serial: ("V9", 6),
    },
    // Printers and MFDs.
    ModelSpec {
        manufacturer: "Brother",
        name: "HL-L6400DW",
        category: Category::Printer,
        power: Power::Estimate { on: 8.0, sleep: 1.0, off: 0.1, why: PRINTER_WHY },
        tec_kwh_per_year: None,
        embodied: PRINTER_EMBODIED,
        weight_kg: 17.0,
        life_months: 60,
        price_pence: 42_900,
        years: (2018, 2026),
        popularity: 3,
        serial: ("E7", 13),
    },
    ModelSpec {
        manufacturer: "HP",
        name: "LaserJet Enterprise M507dn",
        category: Category::Printer,
        power: Power::Estimate { on: 9.0, sleep: 1.0, off: 0.1, why: PRINTER_WHY },
        tec_kwh_per_year: None,
        embodied: PRINTER_EMBODIED,
        weight_kg: 15.6,
        life_months: 60,
        price_pence: 58_900,
        years: (2019, 2026),
        popularity: 3,
        serial: ("PHB", 7),
    },
    ModelSpec {
        manufacturer: "Ricoh",
        name: "IM C3000",
        category: Category::Printer,
        power: Power::Estimate { on: 60.0, sleep: 0.8, off: 0.3, why: PRINTER_WHY },
        tec_kwh_per_year: None,
        embodied: PRINTER_EMBODIED,
        weight_kg: 64.0,
        life_months: 60,
        price_pence: 385_000,
        years: (2019, 2026),
        popularity: 2,
        serial: ("31", 9),
    },
    // Servers.
    ModelSpec {
        manufacturer: "Dell",
        name: "PowerEdge R640",
        category: Category::Server,
        power: Power::ServerTec { tec: 1760.0, what: "the PowerEdge R640/R740" },
        tec_kwh_per_year: Some(1760.0),
        embodied: Embodied::PcfExample { total: 7730.0, ratio: 0.166 },
        weight_kg: 21.9,
        life_months: 60,
        price_pence: 695_000,
        years: (2018, 2026),
        popularity: 3,
        serial: ("", 7),
    },
    ModelSpec {
        manufacturer: "Dell",
        name: "PowerEdge R740",
        category: Category::Server,
        power: Power::ServerTec { tec: 1760.0, what: "the PowerEdge R640/R740" },
        tec_kwh_per_year: Some(1760.0),
        embodied: Embodied::PcfExample { total: 8640.0, ratio: 0.152 },
        weight_kg: 28.6,
        life_months: 60,
        price_pence: 840_000,
        years: (2018, 2026),
        popularity: 2,
        serial: ("", 7),
    },
    // Switches.
    ModelSpec {
        manufacturer: "Cisco",
        name: "Catalyst 9200L-48P-4G",
        category: Category::Switch,
        power: Power::Estimate { on: 70.0, sleep: 70.0, off: 0.0, why: SWITCH_WHY },
        tec_kwh_per_year: None,
        embodied: SWITCH_EMBODIED,
        weight_kg: 5.8,
        life_months: 84,
        price_pence: 320_000,
        years: (2019, 2026),
        popularity: 3,
        serial: ("FOC", 8),
    },
    ModelSpec {
        manufacturer: "Aruba",
        name: "2930F 48G PoE+ 4SFP+",
        category: Category::Switch,
        power: Power::Estimate { on: 60.0, sleep: 60.0, off: 0.0, why: SWITCH_WHY },
        tec_kwh_per_year: None,
        embodied: SWITCH_EMBODIED,
        weight_kg: 5.6,
        life_months: 84,
        price_pence: 265_000,
        years: (2018, 2026),
        popularity: 2,
        serial: ("CN", 8),
    },
];

/// Fictional staff names: common UK first names and surnames, combined at random.
pub const FIRST_NAMES: [&str; 48] = [
    "Amelia", "Olivia", "Isla", "Ava", "Emily", "Sophie", "Grace", "Lily", "Chloe", "Hannah", "Aisha", "Priya",
    "Fatima", "Zara", "Megan", "Rachel", "Claire", "Helen", "Karen", "Sarah", "Joanne", "Niamh", "Siobhan", "Bethan",
    "Oliver", "George", "Harry", "Jack", "Jacob", "Thomas", "James", "William", "Daniel", "Mohammed", "Imran", "Arjun",
    "Rhys", "Owen", "Callum", "Liam", "Connor", "David", "Paul", "Mark", "Andrew", "Stephen", "Gareth", "Kwame",
];

pub const SURNAMES: [&str; 48] = [
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts",
    "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall", "Lewis", "Harris",
    "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark",
    "Lee", "King", "Baker", "Harrison", "Morgan", "Allen", "Khan", "Ali", "Begum", "Murphy", "Kelly", "Campbell",
    "Okafor", "Nowak",
];

/// Server roles, for their notes.
pub const SERVER_ROLES: [&str; 8] = [
    "Hyper-V host (cluster A)",
    "Hyper-V host (cluster B)",
    "File and print server",
    "Backup server",
    "Domain controller",
    "SQL Server (line-of-business databases)",
    "Citrix / remote desktop host",
    "CCTV recording server",
];

/// Fictional suppliers.
pub const PC_SUPPLIER_TO_2021: &str = "Albion Technology Ltd";
pub const PC_SUPPLIER_FROM_2022: &str = "Pennine Computer Supplies Ltd";
pub const PRINT_SUPPLIER: &str = "Castle Print Solutions Ltd";
pub const SERVER_SUPPLIER: &str = "Severn Valley IT Ltd";
pub const NETWORK_SUPPLIER: &str = "Redbrick Networks Ltd";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_has_models_for_every_year_of_the_window() {
        for cat in [
            Category::Desktop,
            Category::Laptop,
            Category::ThinClient,
            Category::Monitor,
            Category::Printer,
            Category::Server,
            Category::Switch,
        ] {
            for year in 2018..=2026 {
                assert!(
                    MODELS.iter().any(|m| m.category == cat && (m.years.0..=m.years.1).contains(&year)),
                    "{cat} {year}"
                );
            }
        }
    }

    #[test]
    fn figures_follow_the_reference_rows() {
        // embodied_carbon_defaults.csv: OptiPlex 7000 SFF total 343 kg, manufacturing ratio 0.667.
        let (kg, source) = Embodied::PcfExample { total: 343.0, ratio: 0.667 }.figure("Dell", "OptiPlex 7000 SFF", 4.8);
        assert_eq!(kg, 228.8);
        assert!(source.contains("343") && source.contains("0.667"), "{source}");
        let (kg, source) = DESKTOP_API.figure("HP", "x", 5.0);
        assert_eq!(kg, 277.0);
        assert!(source.starts_with("Boavizta API default (ADEME Base Empreinte), desktop 277 kgCO2e"), "{source}");
        // 17 kg × 24,865 kg/t = 422.705 kg.
        assert_eq!(PRINTER_EMBODIED.figure("Brother", "x", 17.0).0, 422.7);
        // device_power_defaults.csv: ConfigMgr desktop 70 W / 3 W; Lot 3 off limit 0.5 W.
        assert_eq!(DESKTOP_POWER.watts(), (70.0, 3.0, 0.5));
        // Wyse 5070 TEC 41.8 kWh/yr: 41.8/8.76 = 4.772 W average; (4.772 − 0.225 − 0.05)/0.5 = 8.99 W.
        assert_eq!(Power::ThinClientTec { tec: 41.8, what: "" }.watts(), (9.0, 1.0, 0.5));
        // P2422H TEC 35.4: 4.041 W average; (4.041 − 0.21)/0.3 = 12.77 W.
        assert_eq!(Power::MonitorTec { tec: 35.4, what: "" }.watts().0, 12.8);
        // R640 TEC 1,760 kWh/yr ÷ 8,760 h = 200.9 W.
        assert_eq!(Power::ServerTec { tec: 1760.0, what: "" }.watts().0, 200.9);
        for m in &MODELS {
            let (on, sleep, off) = m.power.watts();
            assert!(on >= sleep && sleep >= off && off >= 0.0, "{} {}", m.manufacturer, m.name);
        }
    }
}
