//! PURE: a batch's cost or income shared out to the assets in it, exact to the penny.
//!
//! The rule: by weight when every asset has a weight (weighed, else its model's) and they add up to more
//! than nothing; otherwise equally. Each asset gets the whole pence of its exact share, and the pence
//! left over go one each to the assets with the largest remainders (the earlier asset first on a tie),
//! so the shares always add up to the batch's amount (the largest remainder method).

/// `total_pence` split over the assets whose weights (kg) are given, in the same order.
pub fn apportion(total_pence: i64, weights_kg: &[Option<f64>]) -> Vec<i64> {
    let n = weights_kg.len();
    if n == 0 {
        return vec![];
    }
    // Weights as whole grams, so the arithmetic is exact integers.
    let grams: Option<Vec<i128>> = weights_kg
        .iter()
        .map(|w| w.filter(|w| w.is_finite() && *w > 0.0).map(|w| (w * 1000.0).round() as i128))
        .collect();
    let parts: Vec<i128> = match grams {
        Some(g) if g.iter().sum::<i128>() > 0 => g,
        _ => vec![1; n],
    };
    let whole: i128 = parts.iter().sum();
    let total = i128::from(total_pence.max(0));
    let mut shares: Vec<i128> = parts.iter().map(|p| total * p / whole).collect();
    let mut remainders: Vec<(i128, usize)> = parts.iter().enumerate().map(|(i, p)| (total * p % whole, i)).collect();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let left = total - shares.iter().sum::<i128>();
    for (_, i) in remainders.into_iter().take(left as usize) {
        shares[i] += 1;
    }
    shares.into_iter().map(|s| s as i64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_weight_when_every_asset_has_one() {
        // £100.00 over 2 kg, 1 kg, 1 kg: 10000 × 2/4 = 5000, 10000 × 1/4 = 2500 each.
        assert_eq!(apportion(10_000, &[Some(2.0), Some(1.0), Some(1.0)]), vec![5000, 2500, 2500]);
        // £1.00 over 1.6 kg and 2.4 kg (1600 g, 2400 g): 100 × 1600/4000 = 40, 100 × 2400/4000 = 60.
        assert_eq!(apportion(100, &[Some(1.6), Some(2.4)]), vec![40, 60]);
    }

    #[test]
    fn equally_when_a_weight_is_missing() {
        // £90.00 over three, one without a weight: 3000 each.
        assert_eq!(apportion(9_000, &[Some(2.0), None, Some(5.0)]), vec![3000, 3000, 3000]);
    }

    #[test]
    fn leftover_pence_go_to_the_largest_remainders_and_the_sum_is_exact() {
        // £10.00 equally over 3: 1000/3 = 333 r 1 each; the 1p left goes to the first.
        assert_eq!(apportion(1_000, &[None, None, None]), vec![334, 333, 333]);
        // 100p over 1 kg, 2 kg, 3 kg (6 kg): exact 16.67, 33.33, 50 → 16 r 4, 33 r 2, 50 r 0: the 1p left
        // goes to the first (remainder 4 of 6).
        assert_eq!(apportion(100, &[Some(1.0), Some(2.0), Some(3.0)]), vec![17, 33, 50]);
        let s = apportion(123_457, &[Some(1.37), Some(2.11), Some(0.5), Some(9.99), Some(1.0)]);
        assert_eq!(s.iter().sum::<i64>(), 123_457);
        assert!(apportion(500, &[]).is_empty());
        assert_eq!(apportion(0, &[Some(1.0), None]), vec![0, 0]);
    }
}
