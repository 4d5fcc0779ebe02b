//! PURE: the audit record of an asset an import creates: the values it was given, under the same keys
//! as the asset's full record (`services::assets::AssetView`), leaving out what is empty and what is
//! derived or already on the event (id, refresh due, allowed next states, timestamps). At 100,000
//! assets the full record was most of the bytes an import wrote (≈700 of them per asset; BENCHMARKS.md).

use serde::Serialize;

use crate::domain::{Gbp, MacAddresses};
use crate::store::asset;

/// The values a new asset was created with. An absent key was empty.
#[derive(Serialize)]
struct CreatedAsset<'a> {
    asset_tag: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    serial: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hostname: Option<&'a str>,
    #[serde(skip_serializing_if = "MacAddresses::is_empty")]
    mac_addresses: MacAddresses,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip_address: Option<&'a str>,
    category: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    model_id: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    site_id: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    department_id: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assigned_user: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purchase_date: Option<chrono::NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purchase_cost: Option<Gbp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplier: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    warranty_end: Option<chrono::NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    life_months: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_date: Option<chrono::NaiveDate>,
    lifecycle_state: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    on_watts: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sleep_watts: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    off_watts: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_asset_tag: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<&'a str>,
}

/// The `after` JSON of a per-asset `create` event written by an import.
pub fn created_json(m: &asset::Model, parent_asset_tag: Option<&str>) -> String {
    let record = CreatedAsset {
        asset_tag: &m.asset_tag,
        serial: m.serial.as_deref(),
        hostname: m.hostname.as_deref(),
        mac_addresses: MacAddresses::from_column(m.mac_addresses.as_deref()),
        ip_address: m.ip_address.as_deref(),
        // Stored in the same snake_case words the full record serialises them as.
        category: &m.category,
        model_id: m.model_id,
        site_id: m.site_id,
        department_id: m.department_id,
        assigned_user: m.assigned_user.as_deref(),
        purchase_date: m.purchase_date,
        purchase_cost: m.purchase_cost_pence.map(Gbp::from_pence),
        supplier: m.supplier.as_deref(),
        warranty_end: m.warranty_end,
        life_months: m.life_months,
        refresh_date: m.refresh_date,
        lifecycle_state: &m.lifecycle_state,
        on_watts: m.on_watts,
        sleep_watts: m.sleep_watts,
        off_watts: m.off_watts,
        parent_asset_tag,
        notes: m.notes.as_deref(),
    };
    serde_json::to_string(&record).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::assets::{self, AssetView};
    use chrono::{NaiveDate, TimeZone, Utc};
    use serde_json::Value;

    fn full(m: &asset::Model, parent: Option<&str>) -> serde_json::Map<String, Value> {
        match serde_json::to_value(AssetView::from_model(m.clone(), parent.map(String::from))) {
            Ok(Value::Object(o)) => o,
            other => panic!("not an object: {other:?}"),
        }
    }

    fn compact(m: &asset::Model, parent: Option<&str>) -> serde_json::Map<String, Value> {
        match serde_json::from_str(&created_json(m, parent)) {
            Ok(Value::Object(o)) => o,
            other => panic!("not an object: {other:?}"),
        }
    }

    const LEFT_OUT: [&str; 5] = ["id", "refresh_due", "allowed_next_states", "created_at", "updated_at"];

    /// Every value the full record holds, but for the derived ones, is in the compact one with the same
    /// key and the same JSON; nothing else is.
    fn assert_same_values(m: &asset::Model, parent: Option<&str>) {
        let (full, compact) = (full(m, parent), compact(m, parent));
        for (k, v) in &full {
            let empty = v.is_null() || v.as_array().is_some_and(|a| a.is_empty());
            if LEFT_OUT.contains(&k.as_str()) || empty {
                assert!(!compact.contains_key(k), "{k} should be left out: {compact:?}");
            } else {
                assert_eq!(compact.get(k), Some(v), "{k}");
            }
        }
        assert!(compact.keys().all(|k| full.contains_key(k)), "no keys of its own: {compact:?}");
    }

    #[test]
    fn a_filled_in_asset_keeps_every_value_under_the_full_records_keys() {
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap();
        let m = asset::Model {
            id: 41,
            asset_tag: "WCC-000123".into(),
            serial: Some("5CG1234XYZ".into()),
            hostname: Some("CO-DT-0123".into()),
            mac_addresses: Some("00:1a:2b:3c:4d:5e,00:1a:2b:3c:4d:5f".into()),
            ip_address: Some("10.20.1.15".into()),
            category: "desktop".into(),
            model_id: Some(3),
            site_id: Some(1),
            department_id: Some(2),
            assigned_user: Some("A. Patel".into()),
            purchase_date: NaiveDate::from_ymd_opt(2024, 3, 31),
            purchase_cost_pence: Some(49_930),
            supplier: Some("Pennine Computer Supplies Ltd".into()),
            warranty_end: NaiveDate::from_ymd_opt(2027, 3, 31),
            life_months: Some(60),
            refresh_date: NaiveDate::from_ymd_opt(2029, 1, 1),
            refresh_due: NaiveDate::from_ymd_opt(2029, 1, 1),
            lifecycle_state: "deployed".into(),
            on_watts: Some(35.5),
            sleep_watts: Some(1.2),
            off_watts: Some(0.3),
            parent_asset_id: Some(7),
            usage_profile_id: None,
            notes: Some("Reception desk".into()),
            created_at: now,
            updated_at: now,
        };
        assert_same_values(&m, Some("WCC-000100"));
        let c = compact(&m, Some("WCC-000100"));
        assert_eq!(c["purchase_cost"], "499.30", "money as exact text, as in the full record");
        assert_eq!(c["mac_addresses"], serde_json::json!(["00:1a:2b:3c:4d:5e", "00:1a:2b:3c:4d:5f"]));
        assert_eq!(c["parent_asset_tag"], "WCC-000100");
    }

    #[test]
    fn an_asset_with_only_its_tag_and_category_is_small() {
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap();
        let mut m = assets::blank(now);
        m.id = 5;
        m.asset_tag = "WCC-000001".into();
        m.category = "monitor".into();
        m.lifecycle_state = "in_stock".into();
        assert_same_values(&m, None);
        assert_eq!(
            created_json(&m, None),
            r#"{"asset_tag":"WCC-000001","category":"monitor","lifecycle_state":"in_stock"}"#
        );
    }
}
