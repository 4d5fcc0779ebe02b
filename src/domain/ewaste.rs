//! PURE e-waste figures for a financial year, the ones UK public bodies report on greening ICT
//! (Greening Government: ICT and Digital Services Strategy; shared/reference/SOURCES.md): weight and count
//! by route, the share reused, the share diverted from landfill, and the share of data-bearing devices
//! with a sanitisation certificate.
//!
//! Method: every asset in a completed disposal dated in the year counts once, with its weight (weighed,
//! else its model's). Reused = internal reuse + donation + resale. Diverted from landfill = every route
//! but landfill. Shares of reuse and diversion are by weight, as WEEE is reported in tonnes; the
//! certificate share is by count of data-bearing devices.

use serde::Serialize;

use super::disposal::Route;

/// One disposed asset as the figures need it.
#[derive(Debug, Clone, PartialEq)]
pub struct EwasteItem {
    pub route: Route,
    /// UK WEEE category 1–14.
    pub weee_category: i32,
    pub weight_kg: f64,
    pub has_storage: bool,
    pub has_certificate: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RouteFigures {
    pub route: Route,
    pub count: u64,
    pub weight_kg: f64,
}

/// Items and weight in one UK WEEE category (as treatment facilities report evidence).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CategoryFigures {
    pub weee_category: i32,
    pub count: u64,
    pub weight_kg: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct EwasteFigures {
    /// Every route, in a fixed order, with zeros where nothing went that way.
    pub by_route: Vec<RouteFigures>,
    /// The UK WEEE categories that had items, in category order.
    pub by_weee_category: Vec<CategoryFigures>,
    pub count: u64,
    pub weight_kg: f64,
    pub reused_weight_kg: f64,
    /// Reused kg ÷ all kg; absent when nothing was disposed of.
    pub share_reused: Option<f64>,
    pub diverted_weight_kg: f64,
    /// (All kg − landfill kg) ÷ all kg; absent when nothing was disposed of.
    pub share_diverted_from_landfill: Option<f64>,
    pub storage_bearing_count: u64,
    pub with_certificate_count: u64,
    /// Data-bearing devices with a certificate number ÷ data-bearing devices; absent when there were none.
    pub share_with_certificate: Option<f64>,
}

fn share(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| part / whole)
}

pub fn figures(items: &[EwasteItem]) -> EwasteFigures {
    let mut by_route: Vec<RouteFigures> =
        Route::ALL.iter().map(|&route| RouteFigures { route, count: 0, weight_kg: 0.0 }).collect();
    let (mut storage, mut certified) = (0u64, 0u64);
    let mut by_category: std::collections::BTreeMap<i32, CategoryFigures> = std::collections::BTreeMap::new();
    for item in items {
        let c = by_category.entry(item.weee_category).or_insert(CategoryFigures {
            weee_category: item.weee_category,
            count: 0,
            weight_kg: 0.0,
        });
        c.count += 1;
        c.weight_kg += item.weight_kg;
        if let Some(r) = by_route.iter_mut().find(|r| r.route == item.route) {
            r.count += 1;
            r.weight_kg += item.weight_kg;
        }
        if item.has_storage {
            storage += 1;
            certified += u64::from(item.has_certificate);
        }
    }
    let weight_kg: f64 = by_route.iter().map(|r| r.weight_kg).sum();
    let reused_weight_kg: f64 = by_route.iter().filter(|r| r.route.is_reuse()).map(|r| r.weight_kg).sum();
    let landfill: f64 = by_route.iter().filter(|r| r.route == Route::Landfill).map(|r| r.weight_kg).sum();
    let diverted_weight_kg = weight_kg - landfill;
    EwasteFigures {
        count: items.len() as u64,
        weight_kg,
        reused_weight_kg,
        share_reused: share(reused_weight_kg, weight_kg),
        diverted_weight_kg,
        share_diverted_from_landfill: share(diverted_weight_kg, weight_kg),
        storage_bearing_count: storage,
        with_certificate_count: certified,
        share_with_certificate: share(certified as f64, storage as f64),
        by_route,
        by_weee_category: by_category.into_values().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(route: Route, weight_kg: f64, has_storage: bool, has_certificate: bool) -> EwasteItem {
        // Data-bearing kit here is laptops and desktops (category 3); the rest are screens (category 11).
        let weee_category = if has_storage { 3 } else { 11 };
        EwasteItem { route, weee_category, weight_kg, has_storage, has_certificate }
    }

    /// Worked by hand. A year with:
    /// - 10 laptops donated, 2.0 kg each = 20 kg, all data-bearing, 9 with a certificate;
    /// - 4 monitors recycled, 5.0 kg each = 20 kg, no data;
    /// - 2 desktops resold, 7.5 kg each = 15 kg, both with certificates;
    /// - 1 CRT monitor to landfill, 25 kg.
    ///
    /// Total 17 items, 20 + 20 + 15 + 25 = 80 kg. Reused = donation + resale = 35 kg → 35/80 = 0.4375.
    /// Diverted = 80 − 25 = 55 kg → 55/80 = 0.6875. Data-bearing 12, with certificate 11 → 11/12.
    #[test]
    fn a_hand_worked_year() {
        let mut items = Vec::new();
        for i in 0..10 {
            items.push(item(Route::Donation, 2.0, true, i != 3));
        }
        for _ in 0..4 {
            items.push(item(Route::Recycling, 5.0, false, false));
        }
        for _ in 0..2 {
            items.push(item(Route::Resale, 7.5, true, true));
        }
        items.push(item(Route::Landfill, 25.0, false, false));
        let f = figures(&items);
        assert_eq!((f.count, f.weight_kg), (17, 80.0));
        let got: Vec<(Route, u64, f64)> = f.by_route.iter().map(|r| (r.route, r.count, r.weight_kg)).collect();
        assert_eq!(
            got,
            vec![
                (Route::InternalReuse, 0, 0.0),
                (Route::Donation, 10, 20.0),
                (Route::Resale, 2, 15.0),
                (Route::ManufacturerTakeBack, 0, 0.0),
                (Route::Recycling, 4, 20.0),
                (Route::Landfill, 1, 25.0),
            ]
        );
        assert_eq!((f.reused_weight_kg, f.share_reused), (35.0, Some(0.4375)));
        assert_eq!((f.diverted_weight_kg, f.share_diverted_from_landfill), (55.0, Some(0.6875)));
        assert_eq!((f.storage_bearing_count, f.with_certificate_count), (12, 11));
        assert_eq!(f.share_with_certificate, Some(11.0 / 12.0));
        // By WEEE category: laptops and desktops (3) 20 + 15 = 35 kg in 12 items; screens (11) 20 + 25 = 45 kg in 5.
        let cats: Vec<(i32, u64, f64)> =
            f.by_weee_category.iter().map(|c| (c.weee_category, c.count, c.weight_kg)).collect();
        assert_eq!(cats, vec![(3, 12, 35.0), (11, 5, 45.0)]);
    }

    #[test]
    fn an_empty_year_has_no_shares() {
        let f = figures(&[]);
        assert_eq!((f.count, f.weight_kg, f.share_reused, f.share_diverted_from_landfill), (0, 0.0, None, None));
        assert_eq!(f.share_with_certificate, None);
        // Only screens: shares by weight exist, the certificate share does not.
        let f = figures(&[item(Route::Landfill, 10.0, false, false)]);
        assert_eq!(
            (f.share_reused, f.share_diverted_from_landfill, f.share_with_certificate),
            (Some(0.0), Some(0.0), None)
        );
    }
}
