//! The demo estate worked out in memory, before anything is written: which devices, where, bought
//! when, in what state, on which subnet. Pure and deterministic: the same count and date give the same
//! plan, byte for byte.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use std::net::Ipv4Addr;

use super::catalogue::{self, SegmentRole, MODELS, SITES};
use super::rng::Rng;
use crate::domain::{Category, LifecycleState};

/// The seed of the estate. Change it and every asset changes.
const SEED: u64 = 0x5745_5843_4F4D_4245; // "WEXCOMBE"

/// How far back purchases go: about eight years.
const WINDOW_DAYS: u64 = 8 * 365 + 2;

/// Host addresses .1–.9 of each segment are left for gateways and network kit.
const FIRST_HOST: u32 = 10;

pub struct PlannedSegment {
    pub site: usize,
    pub name: &'static str,
    pub network: Ipv4Addr,
    pub prefix: u8,
}

impl PlannedSegment {
    pub fn cidr(&self) -> String {
        format!("{}/{}", self.network, self.prefix)
    }
}

pub struct PlannedAsset {
    pub tag: String,
    pub category: Category,
    /// Index into [`MODELS`].
    pub model: usize,
    /// Index into [`SITES`].
    pub site: usize,
    /// Index into [`catalogue::DEPARTMENTS`].
    pub department: usize,
    pub hostname: Option<String>,
    pub serial: String,
    pub macs: Vec<[u8; 6]>,
    /// Index into [`Plan::segments`] of the subnet it has an address on, if it is on the network.
    pub segment: Option<usize>,
    pub ip: Option<Ipv4Addr>,
    pub assigned_user: Option<String>,
    pub purchase_date: NaiveDate,
    pub purchase_cost_pence: i64,
    pub supplier: &'static str,
    pub warranty_end: NaiveDate,
    pub life_months: Option<u32>,
    pub state: LifecycleState,
    /// Index into [`Plan::assets`] of the PC a monitor belongs to (always earlier in the list).
    pub parent: Option<usize>,
    pub notes: Option<String>,
    /// A library PC for the public (longer opening hours than staff PCs).
    pub public_access: bool,
}

pub struct Plan {
    pub segments: Vec<PlannedSegment>,
    pub assets: Vec<PlannedAsset>,
}

/// What is bought as one: a PC comes with its monitors.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Desktop,
    Laptop,
    ThinClient,
    Printer,
    Server,
    Switch,
}

/// Per mille of the estate (monitors come with desktops and thin clients and make up the rest, ~26 %).
const UNITS: [(Unit, u32); 6] = [
    (Unit::Desktop, 400),
    (Unit::Laptop, 200),
    (Unit::ThinClient, 80),
    (Unit::Printer, 50),
    (Unit::Server, 5),
    (Unit::Switch, 10),
];

impl Unit {
    fn category(self) -> Category {
        match self {
            Unit::Desktop => Category::Desktop,
            Unit::Laptop => Category::Laptop,
            Unit::ThinClient => Category::ThinClient,
            Unit::Printer => Category::Printer,
            Unit::Server => Category::Server,
            Unit::Switch => Category::Switch,
        }
    }

    /// For hostnames: `CO-DT-0001`.
    fn code(self) -> &'static str {
        match self {
            Unit::Desktop => "DT",
            Unit::Laptop => "LT",
            Unit::ThinClient => "TC",
            Unit::Printer => "PR",
            Unit::Server => "SV",
            Unit::Switch => "SW",
        }
    }

    fn index(self) -> usize {
        UNITS.iter().position(|(u, _)| *u == self).unwrap_or(0)
    }

    /// Site weights (in the order of [`SITES`]): servers live in the Civic Offices server room,
    /// switches everywhere.
    fn site_weights(self) -> [u32; 4] {
        match self {
            Unit::Server => [90, 0, 4, 6],
            Unit::Switch => [55, 10, 15, 20],
            _ => SITES.map(|s| s.weight),
        }
    }

    /// How many monitors come with one (per mille weights for 0, 1, 2).
    fn monitor_weights(self) -> [u32; 3] {
        match self {
            Unit::Desktop => [600, 350, 50],
            Unit::ThinClient => [50, 900, 50],
            _ => [1000, 0, 0],
        }
    }

    fn warranty_months(self, rng: &mut Rng) -> u32 {
        match self {
            Unit::Desktop | Unit::ThinClient => {
                if rng.chance(250) {
                    60
                } else {
                    36
                }
            }
            Unit::Laptop => 36,
            Unit::Printer => {
                if rng.chance(500) {
                    12
                } else {
                    36
                }
            }
            Unit::Server | Unit::Switch => 60,
        }
    }
}

fn supplier(category: Category, bought: NaiveDate) -> &'static str {
    match category {
        Category::Printer => catalogue::PRINT_SUPPLIER,
        Category::Server => catalogue::SERVER_SUPPLIER,
        Category::Switch => catalogue::NETWORK_SUPPLIER,
        _ if bought.year() <= 2021 => catalogue::PC_SUPPLIER_TO_2021,
        _ => catalogue::PC_SUPPLIER_FROM_2022,
    }
}

/// A purchase date in the window before `as_at`, on a weekday. Laptops cluster in the 2020 home-working
/// rush; desktops and thin clients in the Windows 11 refresh before Windows 10 support ended (14/10/2025).
fn purchase_date(rng: &mut Rng, category: Category, as_at: NaiveDate) -> NaiveDate {
    let in_range = |rng: &mut Rng, from: NaiveDate, to: NaiveDate| {
        let span = (to - from).num_days().max(0) as u64;
        from + Days::new(rng.below(span + 1))
    };
    let window_start = as_at - Days::new(WINDOW_DAYS);
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(as_at);
    let wave = match category {
        Category::Laptop if rng.chance(350) => Some((day(2020, 4, 1), day(2020, 12, 18))),
        Category::Desktop | Category::ThinClient if rng.chance(300) => Some((day(2024, 9, 2), day(2025, 10, 14))),
        _ => None,
    };
    let (from, to) = match wave {
        Some((f, t)) if f >= window_start && t <= as_at => (f, t),
        _ => (window_start, as_at - Days::new(1)),
    };
    weekday_on_or_before(in_range(rng, from, to))
}

fn weekday_on_or_before(d: NaiveDate) -> NaiveDate {
    match d.weekday() {
        Weekday::Sat => d - Days::new(1),
        Weekday::Sun => d - Days::new(2),
        _ => d,
    }
}

/// A model of `category` on sale in the year of `bought`, by popularity (any of the category if none).
fn pick_model(rng: &mut Rng, category: Category, bought: NaiveDate) -> usize {
    let year = bought.year();
    let of_category: Vec<usize> = (0..MODELS.len()).filter(|i| MODELS[*i].category == category).collect();
    let on_sale: Vec<usize> =
        of_category.iter().copied().filter(|i| (MODELS[*i].years.0..=MODELS[*i].years.1).contains(&year)).collect();
    let choices = if on_sale.is_empty() { of_category } else { on_sale };
    let weights: Vec<u32> = choices.iter().map(|i| MODELS[*i].popularity).collect();
    choices[rng.weighted(&weights)]
}

/// Older kit is more often retired or waiting for disposal; new kit may still be in stock.
fn lifecycle_state(
    rng: &mut Rng,
    category: Category,
    bought: NaiveDate,
    life_months: u32,
    as_at: NaiveDate,
) -> LifecycleState {
    use LifecycleState::*;
    let due = bought.checked_add_months(Months::new(life_months)).unwrap_or(as_at);
    let overdue = due < as_at;
    let roll = rng.below(1000);
    if matches!(category, Category::Server | Category::Switch) {
        return if overdue && roll < 100 { Retired } else { Deployed };
    }
    if (as_at - bought).num_days() < 60 {
        return if roll < 450 { InStock } else { Deployed };
    }
    if overdue {
        match roll {
            0..120 => Retired,
            120..220 => AwaitingDisposal,
            220..270 => InStock,
            270..300 => InRepair,
            _ => Deployed,
        }
    } else {
        match roll {
            0..40 => InStock,
            40..65 => InRepair,
            65..75 => Retired,
            _ => Deployed,
        }
    }
}

const SERIAL_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";

fn serial(rng: &mut Rng, model: usize) -> String {
    let (prefix, len) = MODELS[model].serial;
    let mut s = String::with_capacity(prefix.len() + len);
    s.push_str(prefix);
    for _ in 0..len {
        s.push(char::from(*rng.pick(SERIAL_CHARS)));
    }
    s
}

/// Locally administered unicast addresses (first octet 0x02), so no real vendor's: the asset's number,
/// scrambled by an odd multiplier (a bijection on 24 bits, so never repeated), and the interface.
fn mac(asset_number: usize, interface: u8) -> [u8; 6] {
    let x = (asset_number as u32).wrapping_mul(0x9E_3779) & 0x00FF_FFFF;
    [0x02, 0x57, interface, (x >> 16) as u8, (x >> 8) as u8, x as u8]
}

fn person(rng: &mut Rng) -> String {
    format!("{} {}", rng.pick(&catalogue::FIRST_NAMES), rng.pick(&catalogue::SURNAMES))
}

/// Kit with a fixed address on a site's subnet. Laptops roam (Wi-Fi, home, VPN) on DHCP, so the
/// register keeps their MAC addresses but no IP.
fn fixed_address(category: Category) -> bool {
    !matches!(category, Category::Monitor | Category::Laptop | Category::Other)
}

/// The whole estate of `n` assets as at `as_at`.
pub fn plan(n: usize, as_at: NaiveDate) -> Plan {
    let mut rng = Rng::new(SEED);
    let segments_by_site: Vec<Vec<usize>> = {
        let mut next = 0;
        SITES
            .iter()
            .map(|s| {
                let ids = (next..next + s.segments.len()).collect();
                next += s.segments.len();
                ids
            })
            .collect()
    };
    let segment_role = |seg: usize| {
        let (site, k) = locate(&segments_by_site, seg);
        SITES[site].segments[k].role
    };
    let mut hostname_counters = vec![[0u32; UNITS.len()]; SITES.len()];
    let mut staff_round_robin = vec![0usize; SITES.len()];
    let mut assets: Vec<PlannedAsset> = Vec::with_capacity(n);
    let unit_weights = UNITS.map(|(_, w)| w);

    while assets.len() < n {
        let unit = UNITS[rng.weighted(&unit_weights)].0;
        let category = unit.category();
        let site = rng.weighted(&unit.site_weights());
        let site_spec = &SITES[site];
        let public = site == catalogue::LIBRARY && matches!(unit, Unit::Desktop | Unit::ThinClient) && rng.chance(350);
        let department = if matches!(unit, Unit::Server | Unit::Switch) {
            catalogue::ICT
        } else if public {
            catalogue::LIBRARIES
        } else {
            let weights: Vec<u32> = site_spec.departments.iter().map(|(_, w)| *w).collect();
            site_spec.departments[rng.weighted(&weights)].0
        };
        let bought = purchase_date(&mut rng, category, as_at);
        let model = pick_model(&mut rng, category, bought);
        let life = MODELS[model].life_months as u32;
        let state = lifecycle_state(&mut rng, category, bought, life, as_at);
        let in_use = matches!(state, LifecycleState::Deployed | LifecycleState::InRepair);

        let hostname = (state != LifecycleState::InStock).then(|| {
            let counter = &mut hostname_counters[site][unit.index()];
            *counter += 1;
            format!("{}-{}-{:04}", site_spec.code, unit.code(), counter)
        });
        let number = assets.len() + 1;
        let macs = match unit {
            Unit::Laptop => vec![mac(number, 0x01), mac(number, 0x0a)],
            _ => vec![mac(number, 0x01)],
        };
        let segment = (state == LifecycleState::Deployed && fixed_address(category)).then(|| {
            let own = &segments_by_site[site];
            let wanted = match (unit, public) {
                (Unit::Server | Unit::Switch, _) => SegmentRole::Infrastructure,
                (_, true) => SegmentRole::Public,
                _ => SegmentRole::Staff,
            };
            let fitting: Vec<usize> = own.iter().copied().filter(|s| segment_role(*s) == wanted).collect();
            let staff: Vec<usize> = own.iter().copied().filter(|s| segment_role(*s) == SegmentRole::Staff).collect();
            let choices = if fitting.is_empty() { staff } else { fitting };
            let rr = &mut staff_round_robin[site];
            *rr += 1;
            choices[*rr % choices.len()]
        });
        let assigned_user = match unit {
            Unit::Desktop | Unit::Laptop if in_use && !public => Some(person(&mut rng)),
            Unit::ThinClient if in_use && !public && rng.chance(500) => Some(person(&mut rng)),
            _ => None,
        };
        let overdue = bought.checked_add_months(Months::new(life)).is_some_and(|d| d < as_at);
        let extended = matches!(unit, Unit::Desktop | Unit::ThinClient) && overdue && in_use && rng.chance(80);
        let notes = match (unit, state) {
            _ if extended => Some(
                "Life extended to 7 years under the council's sustainability policy; reviewed each April.".to_string(),
            ),
            (Unit::Server, _) => Some(rng.pick(&catalogue::SERVER_ROLES).to_string()),
            (_, LifecycleState::InRepair) => Some("With the supplier for repair.".to_string()),
            (_, LifecycleState::AwaitingDisposal) => {
                Some("In the secure store for the next WEEE collection.".to_string())
            }
            _ if public => Some("Public access PC.".to_string()),
            _ => None,
        };
        let main = new_asset(&mut rng, number, unit, model, site, department, bought, state, as_at);
        assets.push(PlannedAsset {
            hostname,
            macs,
            segment,
            assigned_user,
            life_months: extended.then_some(84),
            notes,
            public_access: public,
            ..main
        });
        let parent = assets.len() - 1;

        let monitors = rng.weighted(&unit.monitor_weights());
        for _ in 0..monitors {
            if assets.len() >= n {
                break;
            }
            // Most monitors came with the PC; some were kept from the PC before.
            let bought = if rng.chance(700) {
                bought
            } else {
                let earlier = bought - Days::new(rng.below(3 * 365));
                weekday_on_or_before(earlier.max(as_at - Days::new(WINDOW_DAYS)))
            };
            let model = pick_model(&mut rng, Category::Monitor, bought);
            let number = assets.len() + 1;
            // A monitor shares its PC's fate, except that it stays on the desk while the PC is repaired.
            let state = if state == LifecycleState::InRepair { LifecycleState::Deployed } else { state };
            let monitor = new_asset(&mut rng, number, unit, model, site, department, bought, state, as_at);
            assets.push(PlannedAsset { category: Category::Monitor, parent: Some(parent), ..monitor });
        }
    }

    let segments = address_segments(&segments_by_site, &mut assets);
    Plan { segments, assets }
}

/// The fields every asset has; the caller adds the rest.
#[allow(clippy::too_many_arguments)]
fn new_asset(
    rng: &mut Rng,
    number: usize,
    unit: Unit,
    model: usize,
    site: usize,
    department: usize,
    bought: NaiveDate,
    state: LifecycleState,
    as_at: NaiveDate,
) -> PlannedAsset {
    let spec = &MODELS[model];
    let cost = spec.price_pence * rng.between(880, 1080) / 1000;
    let warranty = bought.checked_add_months(Months::new(unit.warranty_months(rng))).unwrap_or(as_at);
    PlannedAsset {
        tag: format!("{}-{number:06}", catalogue::TAG_PREFIX),
        category: spec.category,
        model,
        site,
        department,
        hostname: None,
        serial: serial(rng, model),
        macs: Vec::new(),
        segment: None,
        ip: None,
        assigned_user: None,
        purchase_date: bought,
        purchase_cost_pence: cost,
        supplier: supplier(spec.category, bought),
        warranty_end: warranty,
        life_months: None,
        state,
        parent: None,
        notes: None,
        public_access: false,
    }
}

fn locate(segments_by_site: &[Vec<usize>], seg: usize) -> (usize, usize) {
    for (site, ids) in segments_by_site.iter().enumerate() {
        if let Some(k) = ids.iter().position(|s| *s == seg) {
            return (site, k);
        }
    }
    (0, 0)
}

/// Sizes each segment for the devices on it (a /24, or wider down to a /16 for a big estate) and gives
/// each device the next free address. Devices beyond even a /16 go without an address.
fn address_segments(segments_by_site: &[Vec<usize>], assets: &mut [PlannedAsset]) -> Vec<PlannedSegment> {
    let total: usize = segments_by_site.iter().map(Vec::len).sum();
    let mut wanted = vec![0u32; total];
    for a in assets.iter().filter(|a| fixed_address(a.category)) {
        if let Some(s) = a.segment {
            wanted[s] += 1;
        }
    }
    let capacity = |prefix: u8| (1u32 << (32 - u32::from(prefix))) - FIRST_HOST - 1;
    let mut segments = Vec::with_capacity(total);
    for (site, ids) in segments_by_site.iter().enumerate() {
        for (k, seg) in ids.iter().enumerate() {
            let mut prefix = 24u8;
            while prefix > 16 && capacity(prefix) < wanted[*seg] {
                prefix -= 1;
            }
            let spec = &SITES[site].segments[k];
            segments.push(PlannedSegment {
                site,
                name: spec.name,
                network: Ipv4Addr::new(10, spec.second_octet, 0, 0),
                prefix,
            });
        }
    }
    let mut used = vec![0u32; total];
    for a in assets.iter_mut() {
        match a.segment {
            Some(s) if fixed_address(a.category) && used[s] < capacity(segments[s].prefix) => {
                a.ip = Some(Ipv4Addr::from(u32::from(segments[s].network) + FIRST_HOST + used[s]));
                used[s] += 1;
            }
            _ => a.segment = None,
        }
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn as_at() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()
    }

    #[test]
    fn the_same_inputs_give_the_same_plan() {
        let (a, b) = (plan(500, as_at()), plan(500, as_at()));
        let key = |p: &Plan| {
            p.assets
                .iter()
                .map(|a| {
                    format!(
                        "{} {:?} {} {:?} {:?} {} {:?}",
                        a.tag, a.hostname, a.serial, a.ip, a.assigned_user, a.purchase_date, a.state
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(key(&a), key(&b));
    }

    #[test]
    fn the_mix_is_roughly_as_described() {
        let p = plan(20_000, as_at());
        assert_eq!(p.assets.len(), 20_000);
        let share = |c: Category| p.assets.iter().filter(|a| a.category == c).count() as f64 / 20_000.0;
        for (c, expected) in [
            (Category::Desktop, 0.40),
            (Category::Laptop, 0.20),
            (Category::ThinClient, 0.08),
            (Category::Monitor, 0.26),
            (Category::Printer, 0.05),
        ] {
            assert!((share(c) - expected).abs() < 0.02, "{c}: {}", share(c));
        }
        assert!(share(Category::Server) > 0.0 && share(Category::Switch) > 0.0);
        let deployed = p.assets.iter().filter(|a| a.state == LifecycleState::Deployed).count() as f64 / 20_000.0;
        assert!((0.75..0.92).contains(&deployed), "{deployed}");
        for s in LifecycleState::ALL.iter().filter(|s| !matches!(s, LifecycleState::OnOrder | LifecycleState::Disposed))
        {
            assert!(p.assets.iter().any(|a| a.state == *s), "{s}");
        }
        let servers_at_civic =
            p.assets.iter().filter(|a| a.category == Category::Server && SITES[a.site].name == "Civic Offices").count();
        let servers = p.assets.iter().filter(|a| a.category == Category::Server).count();
        assert!(servers_at_civic * 10 >= servers * 8, "{servers_at_civic} of {servers}");
    }

    #[test]
    fn monitors_follow_a_pc_and_addresses_are_unique_and_in_their_segment() {
        let p = plan(1_500, as_at());
        let mut ips = HashSet::new();
        let mut macs = HashSet::new();
        for (i, a) in p.assets.iter().enumerate() {
            assert_eq!(a.tag, format!("WCC-{:06}", i + 1));
            if a.category == Category::Monitor {
                let parent = a.parent.expect("a monitor has a PC");
                assert!(parent < i);
                assert!(matches!(p.assets[parent].category, Category::Desktop | Category::ThinClient));
                assert!(a.macs.is_empty() && a.ip.is_none() && a.hostname.is_none());
            } else {
                assert!(a.parent.is_none());
            }
            for m in &a.macs {
                assert_eq!(m[0], 0x02, "locally administered, unicast");
                assert!(macs.insert(*m), "MAC repeated");
            }
            if let Some(ip) = a.ip {
                assert!(ips.insert(ip), "{ip} repeated");
                let seg = &p.segments[a.segment.unwrap()];
                let cidr: crate::domain::network::Cidr = seg.cidr().parse().unwrap();
                assert!(cidr.contains(ip.into()), "{ip} not in {}", seg.cidr());
                assert_eq!(seg.site, a.site);
            }
            assert!(a.purchase_date < as_at() && a.warranty_end > a.purchase_date);
        }
        assert!(p.segments.iter().all(|s| s.prefix == 24), "the default estate fits /24s");
        assert!(p.assets.iter().all(|a| a.ip.is_none() || a.category != Category::Laptop));
    }

    #[test]
    fn a_big_estate_widens_its_segments() {
        let p = plan(100_000, as_at());
        assert!(p.segments.iter().any(|s| s.prefix < 24));
        assert!(p
            .assets
            .iter()
            .filter(|a| a.state == LifecycleState::Deployed && a.category == Category::Desktop)
            .all(|a| a.ip.is_some()));
    }
}
