//! What each enabled power policy saves over a period: the estimate for the deployed assets it governs
//! (the most specific policy wins, excluded assets are left out, as the scheduler decides) from their
//! usage profiles alone, against the same with the policy's off hours laid over, and, where agents report,
//! the profiles against what the agents observed. Read-only; pure sums in `energy::what_if`.

use chrono::Utc;
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::charts::Source;
use super::energy::{self as energy_service, EnergyFigures};
use super::power_policies::{assignment, planning_inputs};
use crate::energy::Period;
use crate::error::{AppError, AppResult};
use crate::scheduling::off_hours::off_hours;

/// One policy's figures.
#[derive(Debug, Clone)]
pub struct PolicySavingRow {
    pub policy_id: i32,
    pub policy: String,
    /// Deployed assets it governs (their monitors are counted in the energy, not here).
    pub devices: usize,
    pub without: EnergyFigures,
    pub with: EnergyFigures,
    pub saved: EnergyFigures,
    /// Devices whose agents reported in the period, and the kWh saved on the days they reported.
    pub observed: Option<(usize, Decimal)>,
}

/// Every enabled policy's row, and what could not be counted and why.
#[derive(Debug, Clone, Default)]
pub struct PolicySavings {
    pub rows: Vec<PolicySavingRow>,
    /// Enabled policies left out, with why (a schedule with no shutdown times saves nothing).
    pub left_out: Vec<String>,
    /// Why there are no figures at all (no tariff or grid factors for the period), if so.
    pub problem: Option<String>,
}

pub type PolicySavingsAnswer = Arc<PolicySavings>;

/// See the module documentation. Kept by the estimate cache per period and data version.
pub async fn policy_savings<C: ConnectionTrait>(src: &Source<'_, C>, period: Period) -> AppResult<PolicySavingsAnswer> {
    if let Some(hit) = src.cache.policy_savings.get(&period, &src.version) {
        return Ok(hit);
    }
    let answer = Arc::new(work_out(src, period).await?);
    src.cache.policy_savings.put(period, src.version.clone(), answer.clone());
    Ok(answer)
}

async fn work_out<C: ConnectionTrait>(src: &Source<'_, C>, period: Period) -> AppResult<PolicySavings> {
    let inputs = planning_inputs(src.conn, Utc::now()).await?;
    let mut out = PolicySavings::default();
    let mut governed: HashMap<i32, HashSet<i32>> = HashMap::new();
    for (pi, ids) in assignment(src.conn, &inputs).await?.into_iter().enumerate() {
        governed.entry(inputs.policies[pi].id).or_default().extend(ids);
    }
    let mut counted = Vec::new();
    let mut jobs = Vec::new();
    for p in inputs.policies.iter().filter(|p| p.enabled) {
        match off_hours(p) {
            Some(off) => {
                counted.push(p);
                jobs.push((off, governed.remove(&p.id).unwrap_or_default()));
            }
            None => out.left_out.push(format!("'{}' has no shutdown times, so it saves nothing", p.name)),
        }
    }
    if jobs.is_empty() {
        return Ok(out);
    }
    let register = src.register().await?;
    let effects = match energy_service::adopted_effects(src.conn, &register, period, &jobs).await {
        Ok(e) => e,
        Err(AppError::Unprocessable(errs)) => {
            out.problem = Some(errs.0.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; "));
            return Ok(out);
        }
        Err(e) => return Err(e),
    };
    for (p, e) in counted.into_iter().zip(effects) {
        out.rows.push(PolicySavingRow {
            policy_id: p.id,
            policy: p.name.clone(),
            devices: e.devices,
            without: EnergyFigures::from_totals(&e.without)?,
            with: EnergyFigures::from_totals(&e.with)?,
            saved: EnergyFigures::from_totals(&e.without.minus(&e.with))?,
            observed: match e.observed {
                Some(o) => Some((o.devices, EnergyFigures::from_totals(&o.saved())?.kwh)),
                None => None,
            },
        });
    }
    Ok(out)
}
