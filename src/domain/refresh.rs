//! When an asset is due for refresh: an explicit refresh date wins; otherwise purchase date plus its
//! life (asset override, else model default, else category default).

use chrono::{Months, NaiveDate};

use super::Category;

pub struct RefreshInputs {
    pub refresh_date_override: Option<NaiveDate>,
    pub purchase_date: Option<NaiveDate>,
    pub asset_life_months: Option<u32>,
    pub model_life_months: Option<u32>,
    pub category: Category,
}

pub fn refresh_due(i: &RefreshInputs) -> Option<NaiveDate> {
    if i.refresh_date_override.is_some() {
        return i.refresh_date_override;
    }
    let months = i.asset_life_months.or(i.model_life_months).unwrap_or(i.category.default_life_months());
    // chrono clamps to the month's last day: bought 31/01/2024 with a 1-month life is due 29/02/2024.
    i.purchase_date?.checked_add_months(Months::new(months))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn inputs() -> RefreshInputs {
        RefreshInputs {
            refresh_date_override: None,
            purchase_date: Some(d(2021, 4, 1)),
            asset_life_months: None,
            model_life_months: None,
            category: Category::Laptop,
        }
    }

    #[test]
    fn most_specific_life_wins() {
        assert_eq!(refresh_due(&inputs()), Some(d(2025, 4, 1)), "laptop default 48 months");
        let model = RefreshInputs { model_life_months: Some(72), ..inputs() };
        assert_eq!(refresh_due(&model), Some(d(2027, 4, 1)));
        let asset = RefreshInputs { asset_life_months: Some(36), model_life_months: Some(72), ..inputs() };
        assert_eq!(refresh_due(&asset), Some(d(2024, 4, 1)));
        let explicit = RefreshInputs { refresh_date_override: Some(d(2030, 1, 1)), ..asset };
        assert_eq!(refresh_due(&explicit), Some(d(2030, 1, 1)));
    }

    #[test]
    fn no_purchase_date_means_no_due_date_and_month_ends_clamp() {
        assert_eq!(refresh_due(&RefreshInputs { purchase_date: None, ..inputs() }), None);
        let leap = RefreshInputs { purchase_date: Some(d(2024, 1, 31)), asset_life_months: Some(1), ..inputs() };
        assert_eq!(refresh_due(&leap), Some(d(2024, 2, 29)));
    }
}
