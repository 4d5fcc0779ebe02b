//! Watts by power state, PUE, and energy: `kwh = Σ(state) watts_state × hours_state / 1000`, × PUE for
//! assets in a server room. Exact Decimal arithmetic over whole minutes. Pure; depends on rust_decimal and
//! the usage and domain modules.

use rust_decimal::Decimal;
use std::str::FromStr;

use super::usage::StateMinutes;
use crate::domain::{Category, Watts};

/// Watt-minutes in one kWh: 1000 W × 60 min.
pub const WATT_MINUTES_PER_KWH: i64 = 60_000;

/// A device's draw in each power state, in watts. Off ≤ sleep ≤ on: a device never draws more asleep than on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PowerDraw {
    on_watts: Decimal,
    sleep_watts: Decimal,
    off_watts: Decimal,
}

impl PowerDraw {
    pub fn new(on_watts: Decimal, sleep_watts: Decimal, off_watts: Decimal) -> Result<PowerDraw, String> {
        if off_watts.is_sign_negative() && !off_watts.is_zero() {
            return Err(format!("{off_watts} W off must be zero or more"));
        }
        if !(off_watts <= sleep_watts && sleep_watts <= on_watts) {
            return Err(format!(
                "watts must not rise as the device powers down: \
                 on {on_watts} W, sleep {sleep_watts} W, off {off_watts} W"
            ));
        }
        Ok(PowerDraw { on_watts, sleep_watts, off_watts })
    }

    /// From the register's `Watts` (f64). Each figure is taken as the shortest decimal that prints the same
    /// (70.0 → 70, 2.3 → 2.3), not the float's binary expansion.
    pub fn from_watts(on: Watts, sleep: Watts, off: Watts) -> Result<PowerDraw, String> {
        let d = |w: Watts| Decimal::from_str(&w.value().to_string()).map_err(|e| format!("{w} W: {e}"));
        PowerDraw::new(d(on)?, d(sleep)?, d(off)?)
    }

    pub fn on_watts(&self) -> Decimal {
        self.on_watts
    }

    pub fn sleep_watts(&self) -> Decimal {
        self.sleep_watts
    }

    pub fn off_watts(&self) -> Decimal {
        self.off_watts
    }

    /// Σ watts × minutes: energy in watt-minutes, exact.
    pub fn watt_minutes(&self, minutes: &StateMinutes) -> Decimal {
        self.on_watts * Decimal::from(minutes.on)
            + self.sleep_watts * Decimal::from(minutes.sleep)
            + self.off_watts * Decimal::from(minutes.off)
    }

    /// kWh over the given minutes: watt-minutes / 60 000.
    pub fn kwh(&self, minutes: &StateMinutes) -> Decimal {
        kwh_from_watt_minutes(self.watt_minutes(minutes))
    }
}

pub fn kwh_from_watt_minutes(watt_minutes: Decimal) -> Decimal {
    watt_minutes / Decimal::from(WATT_MINUTES_PER_KWH)
}

/// Power usage effectiveness of a server room: total facility energy / IT energy, at least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pue(Decimal);

impl Pue {
    pub fn new(pue: Decimal) -> Result<Pue, String> {
        if pue < Decimal::ONE {
            return Err(format!("a PUE of {pue} is below 1; PUE is facility energy over IT energy"));
        }
        Ok(Pue(pue))
    }

    pub fn value(self) -> Decimal {
        self.0
    }

    /// The site energy for IT energy: kWh × PUE.
    pub fn apply(self, kwh: Decimal) -> Decimal {
        kwh * self.0
    }
}

/// Kit that runs 24/7 whatever its usage profile says: servers and network switches.
pub fn is_always_on_kit(category: Category) -> bool {
    matches!(category, Category::Server | Category::Switch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::energy::usage::StateMinutes;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn kwh_by_hand() {
        // Desktop defaults from device_power_defaults.csv (ConfigMgr 2007 R3: on 0.07 kW, sleep 0.003 kW).
        let desktop = PowerDraw::new(dec("70"), dec("3"), dec("0")).unwrap();
        let cases = [
            // One working day: 10 h on, 14 h asleep: 70 × 10 + 3 × 14 = 742 Wh = 0.742 kWh.
            (desktop, StateMinutes { on: 600, sleep: 840, off: 0 }, "0.742"),
            // 30 minutes on: 70 × 0.5 = 35 Wh.
            (desktop, StateMinutes { on: 30, sleep: 0, off: 0 }, "0.035"),
            // Lot 3 off limit 0.5 W for 24 h: 12 Wh.
            (
                PowerDraw::new(dec("50"), dec("2"), dec("0.5")).unwrap(),
                StateMinutes { on: 0, sleep: 0, off: 1440 },
                "0.012",
            ),
        ];
        for (draw, minutes, kwh) in cases {
            assert_eq!(draw.kwh(&minutes), dec(kwh), "{minutes:?}");
        }
    }

    #[test]
    fn pue_scales_server_energy() {
        // A server averaging 175 W (Boavizta TEC median, rack server ≈ 1528.6 kWh/yr) on for 24 h: 4.2 kWh;
        // in a server room with PUE 1.5: 6.3 kWh.
        let server = PowerDraw::new(dec("175"), dec("175"), dec("0")).unwrap();
        let kwh = server.kwh(&StateMinutes { on: 1440, sleep: 0, off: 0 });
        assert_eq!(kwh, dec("4.2"));
        assert_eq!(Pue::new(dec("1.5")).unwrap().apply(kwh), dec("6.3"));
        assert!(Pue::new(dec("0.9")).is_err());
        assert!(is_always_on_kit(Category::Server) && is_always_on_kit(Category::Switch));
        assert!(!is_always_on_kit(Category::Desktop));
    }

    #[test]
    fn refuses_draw_that_rises_as_it_powers_down() {
        assert!(PowerDraw::new(dec("3"), dec("70"), dec("0")).is_err());
        assert!(PowerDraw::new(dec("70"), dec("3"), dec("-1")).is_err());
        let from_floats =
            PowerDraw::from_watts(Watts::new(70.0).unwrap(), Watts::new(2.3).unwrap(), Watts::new(0.5).unwrap());
        assert_eq!(from_floats.unwrap().sleep_watts(), dec("2.3"));
    }
}
