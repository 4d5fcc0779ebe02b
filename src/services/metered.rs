//! Metered against estimated ICT electricity per site and month for a period (the energy audit): loads the
//! meters and their readings, takes the estimate grouped by site, month and category, and hands both to the
//! pure `energy::metered::compare`. Read-only.

use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::Serialize;
use std::collections::HashMap;

use super::charts::Source;
use crate::energy::metered::{self, Measures, MeterInfo, MeterKwh, SiteMonthEstimate};
use crate::energy::power::is_always_on_kit;
use crate::energy::{CalendarMonth, GroupBy, Period};
use crate::error::AppResult;
use crate::store::{meter, site};

pub const METHOD: &str = "Metered: the sum of the readings of each site's ICT sub-meters where it has any, \
    else its server-room sub-meters (compared with the estimate for its servers and switches), else its \
    whole-site meters (ICT is a share of the building, so only that share is shown). Coverage: the share of \
    the month's time the readings cover; difference (metered − estimated) and ratio (metered ÷ estimated) are \
    given only for complete months.";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeteredRow {
    pub site_id: i32,
    pub site: String,
    /// "2025-04".
    pub month: String,
    /// What the compared meters measure: ict, server_room or whole_site.
    pub basis: Measures,
    pub meters: Vec<String>,
    #[schema(value_type = String, example = "1021.5")]
    pub metered_kwh: Decimal,
    #[schema(value_type = Option<String>, example = "980.25")]
    pub estimated_kwh: Option<Decimal>,
    /// 0 to 1: the share of the month the readings cover.
    #[schema(value_type = String, example = "1")]
    pub coverage: Decimal,
    #[schema(value_type = Option<String>, example = "41.25")]
    pub difference_kwh: Option<Decimal>,
    #[schema(value_type = Option<String>, example = "1.0421")]
    pub ratio: Option<Decimal>,
    /// Whole-site basis: estimated ICT ÷ metered site.
    #[schema(value_type = Option<String>, example = "0.18")]
    pub ict_share: Option<Decimal>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeteredReport {
    pub from: chrono::NaiveDate,
    /// Last day (inclusive).
    pub to: chrono::NaiveDate,
    pub rows: Vec<MeteredRow>,
    /// Why there are no estimated figures (a missing tariff, factor set or profile), if so.
    pub estimate_missing: Option<String>,
    pub method: String,
}

fn six(d: Decimal) -> Decimal {
    d.round_dp(6).normalize()
}

pub async fn metered_vs_estimated<C: ConnectionTrait>(src: &Source<'_, C>, period: Period) -> AppResult<MeteredReport> {
    let conn = src.conn;
    let meters = meter::Entity::find().all(conn).await?;
    let sites: HashMap<i32, String> =
        site::Entity::find().all(conn).await?.into_iter().map(|s| (s.id, s.name)).collect();
    let infos: Vec<MeterInfo> = meters
        .iter()
        .map(|m| MeterInfo {
            id: m.id,
            site_id: m.site_id,
            measures: Measures::parse(&m.measures).unwrap_or(Measures::WholeSite),
        })
        .collect();
    let last = period.to().pred_opt().unwrap_or(period.to());
    let ids: Vec<i32> = meters.iter().map(|m| m.id).collect();
    let readings: Vec<MeterKwh> = super::meters::readings(conn, &ids, period.from(), last)
        .await?
        .into_iter()
        .map(|(meter_id, r)| MeterKwh {
            meter_id,
            starts_at: r.starts_at,
            interval_minutes: r.interval_minutes,
            kwh: r.kwh,
        })
        .collect();
    let months: Vec<CalendarMonth> = period.months().into_iter().map(|(m, _)| m).collect();
    let (estimates, estimate_missing) = if meters.is_empty() {
        (Some(HashMap::new()), None)
    } else {
        match src.estimate(period, &[GroupBy::Site, GroupBy::Month, GroupBy::Category]).await? {
            Ok(report) => {
                let mut by: HashMap<(i32, CalendarMonth), SiteMonthEstimate> = HashMap::new();
                for row in &report.rows {
                    let (Some(site_id), Some(month)) = (row.group.site_id, row.group.month.as_deref()) else {
                        continue;
                    };
                    let Some(month) = parse_month(month) else { continue };
                    let e = by.entry((site_id, month)).or_default();
                    e.ict_kwh += row.figures.kwh;
                    if row.group.category.is_some_and(is_always_on_kit) {
                        e.server_room_kwh += row.figures.kwh;
                    }
                }
                (Some(by), None)
            }
            Err(why) => (None, Some(why)),
        }
    };
    let names: HashMap<i32, &str> = meters.iter().map(|m| (m.id, m.name.as_str())).collect();
    let rows = metered::compare(&months, &infos, &readings, estimates.as_ref())
        .into_iter()
        .map(|c| MeteredRow {
            site_id: c.site_id,
            site: sites.get(&c.site_id).cloned().unwrap_or_default(),
            month: format!("{}-{:02}", c.month.year, c.month.month),
            basis: c.basis,
            meters: c.meter_ids.iter().filter_map(|id| names.get(id).map(|n| n.to_string())).collect(),
            metered_kwh: six(c.metered_kwh),
            estimated_kwh: c.estimated_kwh.map(six),
            coverage: c.coverage,
            difference_kwh: c.difference_kwh.map(six),
            ratio: c.ratio,
            ict_share: c.ict_share,
        })
        .collect::<Vec<_>>();
    let mut rows = rows;
    rows.sort_by(|a, b| (&a.site, &a.month).cmp(&(&b.site, &b.month)));
    Ok(MeteredReport { from: period.from(), to: last, rows, estimate_missing, method: METHOD.into() })
}

fn parse_month(s: &str) -> Option<CalendarMonth> {
    let (y, m) = s.split_once('-')?;
    Some(CalendarMonth { year: y.parse().ok()?, month: m.parse().ok()? })
}

/// Per site over the whole period: metered and estimated kWh, for the chart (sums of the months).
pub fn site_totals(report: &MeteredReport) -> Vec<crate::charts::kinds::SiteEnergy> {
    let mut out: Vec<crate::charts::kinds::SiteEnergy> = Vec::new();
    for r in &report.rows {
        if out.last().is_none_or(|s| s.site != r.site) {
            out.push(crate::charts::kinds::SiteEnergy { site: r.site.clone(), metered_kwh: None, estimated_kwh: None });
        }
        let s = out.last_mut().expect("pushed above");
        if r.coverage > Decimal::ZERO {
            s.metered_kwh = Some(s.metered_kwh.unwrap_or_default() + r.metered_kwh);
        }
        if let Some(e) = r.estimated_kwh {
            s.estimated_kwh = Some(s.estimated_kwh.unwrap_or_default() + e);
        }
    }
    out
}
