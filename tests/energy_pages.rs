//! The pages for tariffs, grid carbon factor sets and usage profiles (issue 4), through Rocket's local
//! client on a fresh database per test (SQLite, or PostgreSQL when GREENICT_TEST_DATABASE_URL is set): a
//! facilities officer adds, changes and deletes each; a bad value is shown beside its field and nothing is
//! written; a viewer sees the lists without change links and is refused the forms; every change is in the
//! audit trail under the person's name.
//!
//! Rates used: 24.50 p/kWh (the Apr–Jun 2024 price cap, House of Commons Library CBP-9714) and a standing
//! charge of 53.35 p/day (the same cap's electricity standing charge), as stated figures.

mod common;

use common::{app_as, audit_actions, TestApp, WHO};
use greenict::domain::Role;
use rocket::http::Status;
use serde_json::{json, Value};

/// The error shown beside a field (its `f-NAME-error` paragraph), if any.
fn error_beside(page: &str, field: &str) -> Option<String> {
    let marker = format!(r#"id="f-{field}-error""#);
    let at = page.find(&marker)?;
    let rest = &page[at..];
    let text = &rest[rest.find("</span>")? + "</span>".len()..rest.find("</p>")?];
    Some(text.trim().to_string())
}

async fn tariffs(t: &TestApp) -> Vec<Value> {
    t.get("/api/v1/energy/tariffs").await.1.as_array().cloned().unwrap_or_default()
}

#[rocket::async_test]
async fn a_site_tariff_is_added_changed_and_deleted_from_its_pages() {
    let t = app_as(Role::Facilities).await;
    // Sites are the ICT officer's to add: this one is put there as the system.
    let system = greenict::services::Actor::system();
    let new_site = serde_json::from_value(json!({"name": "Civic Offices"})).unwrap();
    let site = i64::from(greenict::services::sites::create(&t.db, &system, new_site).await.unwrap().id);

    let (s, page) = t.page(&format!("/energy/tariffs/new?site_id={site}")).await;
    assert_eq!(s, Status::Ok, "{page}");
    assert!(page.contains(&format!(r#"<option value="{site}" selected>Civic Offices</option>"#)), "{page}");
    assert!(
        page.contains(r#"name="_csrf""#) && page.contains(r#"<label class="label" for="f-unit_rate_pence_per_kwh">"#)
    );

    // A bad rate and an impossible date: each beside its field, the typed values kept, nothing saved.
    let bad = format!(
        "site_id={site}&effective_from=31/02/2024&unit_rate_pence_per_kwh=24.5.0&standing_charge_pence_per_day=53.35"
    );
    let (s, location, page) = t.post_form("/energy/tariffs", &bad).await;
    assert_eq!((s, location), (Status::UnprocessableEntity, None), "{page}");
    assert!(error_beside(&page, "effective_from").is_some_and(|e| e.contains("dd/mm/yyyy")), "{page}");
    assert!(error_beside(&page, "unit_rate_pence_per_kwh").is_some_and(|e| e.contains("is not a number")), "{page}");
    assert!(page.contains(r#"value="24.5.0""#) && page.contains("There is a problem"), "{page}");
    assert!(tariffs(&t).await.is_empty(), "nothing written");

    // Saved exactly as typed (no float on the way): 24.50 stays 24.50.
    let good = format!(
        "site_id={site}&effective_from=2024-04-01&unit_rate_pence_per_kwh=24.50&standing_charge_pence_per_day=53.35\
         &supplier=Test+Energy"
    );
    let (s, location, _) = t.post_form("/energy/tariffs", &good).await;
    assert_eq!((s, location.as_deref()), (Status::SeeOther, Some(format!("/energy/tariffs?site_id={site}").as_str())));
    let saved = tariffs(&t).await;
    assert_eq!(saved.len(), 1);
    let id = saved[0]["id"].as_i64().unwrap();
    assert_eq!(saved[0]["unit_rate_pence_per_kwh"], "24.50");
    assert_eq!(saved[0]["standing_charge_pence_per_day"], "53.35");
    let (_, list) = t.page(&format!("/energy/tariffs?site_id={site}")).await;
    assert!(list.contains("The tariff from 01/04/2024 was added"), "{list}");
    for wanted in ["01/04/2024", "in force", "24.50p per kWh", "53.35p per day", "Test Energy"] {
        assert!(list.contains(wanted), "{wanted}: {list}");
    }
    assert!(list.contains(&format!(r#"href="/energy/tariffs/{id}/edit""#)), "{list}");

    // Changed: a new date and rate.
    let (s, page) = t.page(&format!("/energy/tariffs/{id}/edit")).await;
    assert_eq!(s, Status::Ok);
    assert!(page.contains(r#"value="2024-04-01""#) && page.contains(r#"value="53.35""#), "{page}");
    let edit = format!(
        "site_id={site}&effective_from=01/07/2024&unit_rate_pence_per_kwh=22.36&standing_charge_pence_per_day="
    );
    let (s, _, page) = t.post_form(&format!("/energy/tariffs/{id}"), &edit).await;
    assert_eq!(s, Status::SeeOther, "{page}");
    let (_, v) = t.get(&format!("/api/v1/energy/tariffs/{id}")).await;
    assert_eq!(
        (v["effective_from"].as_str(), v["unit_rate_pence_per_kwh"].as_str()),
        (Some("2024-07-01"), Some("22.36"))
    );
    assert_eq!(v["standing_charge_pence_per_day"], Value::Null, "a blank field clears it");

    // Deleted after asking.
    let (s, page) = t.page(&format!("/energy/tariffs/{id}/delete")).await;
    assert!(s == Status::Ok && page.contains("Delete the tariff from 01/07/2024?"), "{page}");
    let (s, location, _) = t.post_form(&format!("/energy/tariffs/{id}/delete"), "").await;
    assert_eq!((s, location.as_deref()), (Status::SeeOther, Some("/energy/tariffs")));
    assert!(tariffs(&t).await.is_empty());
    let actions = audit_actions(&t, "tariff", id).await;
    let who = WHO.to_string();
    assert_eq!(
        actions,
        vec![("create".into(), who.clone()), ("update".into(), who.clone()), ("delete".into(), who)],
        "{actions:?}"
    );
}

#[rocket::async_test]
async fn a_new_years_factor_set_is_added_from_its_page_and_a_clash_is_named() {
    let t = app_as(Role::Facilities).await;
    let (s, page) = t.page("/energy/grid-factors").await;
    assert_eq!(s, Status::Ok);
    // The shipped sets, newest first, with their sources.
    assert!(
        page.contains("<th scope=\"row\">2025</th>") && page.contains("0.17700") && page.contains("DESNZ"),
        "{page}"
    );
    assert!(page.contains("There is no set for"), "the stand-in is explained: {page}");
    let (s, page) = t.page("/energy/grid-factors/new").await;
    assert_eq!(s, Status::Ok);
    assert!(page.contains(r#"id="f-year" name="year" type="text" value="2026""#), "the next year offered: {page}");

    // Too many decimal places, and a year already held: beside their fields, nothing written.
    let before = t.get("/api/v1/energy/grid-factors").await.1.as_array().unwrap().len();
    let (s, _, page) = t
        .post_form(
            "/energy/grid-factors",
            "year=2026&generation_kg_co2e_per_kwh=0.123456789&td_kg_co2e_per_kwh=0.01853&source=Test",
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{page}");
    assert!(
        error_beside(&page, "generation_kg_co2e_per_kwh").is_some_and(|e| e.contains("8 decimal places")),
        "{page}"
    );
    let (s, _, page) = t
        .post_form(
            "/energy/grid-factors",
            "year=2025&generation_kg_co2e_per_kwh=0.1&td_kg_co2e_per_kwh=0.01&source=Test",
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{page}");
    assert!(error_beside(&page, "year").is_some_and(|e| e.contains("already exists")), "{page}");
    assert_eq!(t.get("/api/v1/energy/grid-factors").await.1.as_array().unwrap().len(), before);

    // Placeholder figures for the test, not DESNZ's.
    let (s, location, _) = t
        .post_form(
            "/energy/grid-factors",
            "year=2026&generation_kg_co2e_per_kwh=0.15000&td_kg_co2e_per_kwh=0.01500&source=Test+figures",
        )
        .await;
    assert_eq!((s, location.as_deref()), (Status::SeeOther, Some("/energy/grid-factors")));
    let sets = t.get("/api/v1/energy/grid-factors").await.1;
    let set = sets.as_array().unwrap().iter().find(|s| s["year"] == 2026).cloned().unwrap();
    let id = set["id"].as_i64().unwrap();
    assert_eq!(set["generation_kg_co2e_per_kwh"], "0.15000");
    let (_, page) = t.page("/energy/grid-factors").await;
    assert!(page.contains("The 2026 factor set was added") && page.contains("0.16500"), "together: {page}");

    let (s, _, _) = t
        .post_form(
            &format!("/energy/grid-factors/{id}"),
            "year=2026&generation_kg_co2e_per_kwh=0.14000&td_kg_co2e_per_kwh=0.01500&source=Test+figures+v2",
        )
        .await;
    assert_eq!(s, Status::SeeOther);
    assert_eq!(t.get(&format!("/api/v1/energy/grid-factors/{id}")).await.1["source"], "Test figures v2");
    let (s, _, _) = t.post_form(&format!("/energy/grid-factors/{id}/delete"), "").await;
    assert_eq!(s, Status::SeeOther);
    assert_eq!(t.get(&format!("/api/v1/energy/grid-factors/{id}")).await.0, Status::NotFound);
    let actions: Vec<String> = audit_actions(&t, "grid_factor_set", id).await.into_iter().map(|(a, _)| a).collect();
    assert_eq!(actions, ["create", "update", "delete"]);
}

#[rocket::async_test]
async fn usage_profiles_are_added_changed_assigned_and_deleted_from_their_pages() {
    let t = app_as(Role::Ict).await;
    let (site, dept, model) = t.seed_refs().await;
    let (s, a) = t
        .post(
            "/api/v1/assets",
            json!({"asset_tag": "WCC-1", "model_id": model, "site_id": site, "department_id": dept}),
        )
        .await;
    assert_eq!(s, Status::Created, "{a}");

    let (s, page) = t.page("/energy/usage-profiles/new").await;
    assert_eq!(s, Status::Ok);
    assert!(page.contains(r#"id="f-day_mon" name="day_mon" type="checkbox" value="yes" checked"#), "{page}");
    assert!(page.contains(r#"id="f-day_sat" name="day_sat" type="checkbox" value="yes">"#), "{page}");

    // A time that is not one: beside its field, nothing written.
    let form = "name=Library&day_mon=yes&day_tue=yes&day_wed=yes&day_thu=yes&day_sat=yes&start_time=25:00\
                &end_time=20:00&out_of_hours=off&bank_holidays_off=yes";
    let (s, _, page) = t.post_form("/energy/usage-profiles", form).await;
    assert_eq!(s, Status::UnprocessableEntity, "{page}");
    assert!(error_beside(&page, "start_time").is_some(), "{page}");
    assert!(page.contains(r#"name="day_sat" type="checkbox" value="yes" checked"#), "the ticks are kept: {page}");
    assert!(page.contains(r#"name="day_fri" type="checkbox" value="yes">"#), "an unticked day stays unticked: {page}");
    assert!(t.get("/api/v1/energy/usage-profiles").await.1.as_array().unwrap().is_empty());

    let (s, location, _) = t.post_form("/energy/usage-profiles", &form.replace("25:00", "09:00")).await;
    assert_eq!((s, location.as_deref()), (Status::SeeOther, Some("/energy/usage-profiles")));
    let p = t.get("/api/v1/energy/usage-profiles").await.1[0].clone();
    let id = p["id"].as_i64().unwrap();
    assert_eq!(p["working_days"], json!(["mon", "tue", "wed", "thu", "sat"]));
    assert_eq!((p["start_time"].as_str(), p["out_of_hours"].as_str()), (Some("09:00"), Some("off")));
    let (_, list) = t.page("/energy/usage-profiles").await;
    assert!(
        list.contains("Monday, Tuesday, Wednesday, Thursday and Saturday, 09:00 to 20:00; off out of hours"),
        "{list}"
    );

    // Changed: Friday added, bank holidays worked (its box left unticked).
    let edit = "name=Library&day_mon=yes&day_tue=yes&day_wed=yes&day_thu=yes&day_fri=yes&day_sat=yes\
                &start_time=09:00&end_time=20:00&out_of_hours=off";
    let (s, _, page) = t.post_form(&format!("/energy/usage-profiles/{id}"), edit).await;
    assert_eq!(s, Status::SeeOther, "{page}");
    let p = t.get(&format!("/api/v1/energy/usage-profiles/{id}")).await.1;
    assert_eq!(p["working_days"].as_array().unwrap().len(), 6);
    assert_eq!(p["bank_holidays_off"], false);

    // The desktops' default, then this asset's own (cleared again).
    let (s, location, _) = t.post_form("/energy/category-profiles", &format!("desktop={id}")).await;
    assert_eq!((s, location.as_deref()), (Status::SeeOther, Some("/energy/usage-profiles#category-defaults")));
    let defaults = t.get("/api/v1/energy/category-profiles").await.1;
    assert_eq!(defaults, json!([{"category": "desktop", "usage_profile_id": id}]));
    let (s, _, page) = t.post_form("/energy/category-profiles", "desktop=99999").await;
    assert_eq!(s, Status::UnprocessableEntity, "{page}");
    assert!(error_beside(&page, "desktop").is_some_and(|e| e.contains("o usage profile with id 99999")), "{page}");
    assert_eq!(t.get("/api/v1/energy/category-profiles").await.1, defaults, "nothing changed");

    let (s, page) = t.page("/assets/WCC-1").await;
    assert!(s == Status::Ok && page.contains(r#"href="/assets/WCC-1/usage-profile/edit""#), "{page}");
    let (s, location, _) = t.post_form("/assets/WCC-1/usage-profile", &format!("usage_profile_id={id}")).await;
    assert_eq!((s, location.as_deref()), (Status::SeeOther, Some("/assets/WCC-1")));
    let (_, page) = t.page("/assets/WCC-1/usage-profile/edit").await;
    assert!(page.contains(&format!(r#"<option value="{id}" selected>Library</option>"#)), "{page}");

    // In use: the delete is refused with the reason, then allowed once nothing uses it.
    let (s, _, page) = t.post_form(&format!("/energy/usage-profiles/{id}/delete"), "").await;
    assert_eq!(s, Status::Conflict, "{page}");
    assert!(page.contains("is the default for 1 categories and set on 1 assets"), "{page}");
    t.post_form("/assets/WCC-1/usage-profile", "usage_profile_id=").await;
    t.post_form("/energy/category-profiles", "desktop=").await;
    let (s, location, _) = t.post_form(&format!("/energy/usage-profiles/{id}/delete"), "").await;
    assert_eq!((s, location.as_deref()), (Status::SeeOther, Some("/energy/usage-profiles")));
    let actions: Vec<String> = audit_actions(&t, "usage_profile", id).await.into_iter().map(|(a, _)| a).collect();
    assert_eq!(actions, ["create", "update", "delete"]);
    let asset_id = a["id"].as_i64().unwrap();
    assert_eq!(audit_actions(&t, "asset", asset_id).await.iter().filter(|(a, _)| a == "update").count(), 2);
}

#[rocket::async_test]
async fn a_viewer_reads_the_lists_but_sees_no_change_links_and_is_refused_the_forms() {
    let t = app_as(Role::Viewer).await;
    // Something in each list, put there as the system (a viewer cannot).
    let system = greenict::services::Actor::system();
    let tariff = serde_json::from_value(json!({"effective_from": "2024-04-01", "unit_rate_pence_per_kwh": "24.50"}));
    greenict::services::energy_reference::create_tariff(&t.db, &system, tariff.unwrap()).await.unwrap();
    let profile = serde_json::from_value(json!({"name": "Office hours"})).unwrap();
    greenict::services::usage_profiles::create(&t.db, &system, profile).await.unwrap();
    let (s, page) = t.page("/energy").await;
    assert_eq!(s, Status::Ok);
    for link in [r#"href="/energy/tariffs""#, r#"href="/energy/grid-factors""#, r#"href="/energy/usage-profiles""#] {
        assert!(page.contains(link), "the energy page links {link}: {page}");
    }
    for list in ["/energy/tariffs", "/energy/grid-factors", "/energy/usage-profiles"] {
        let (s, page) = t.page(list).await;
        assert_eq!(s, Status::Ok, "{list}");
        assert!(
            !page.contains("/edit\"") && !page.contains("/delete\"") && !page.contains(&format!("{list}/new")),
            "{list}: {page}"
        );
        assert!(!page.contains("<form method=\"post\" action=\"/energy"), "{list}: no forms for a viewer: {page}");
        assert!(page.contains("<tbody>"), "{list}: the list has rows: {page}");
    }
    for form in ["/energy/tariffs/new", "/energy/grid-factors/new", "/energy/usage-profiles/new"] {
        assert_eq!(t.page(form).await.0, Status::Forbidden, "{form}");
    }
    let (s, _, _) = t.post_form("/energy/tariffs", "effective_from=2025-04-01&unit_rate_pence_per_kwh=24.50").await;
    assert_eq!(s, Status::Forbidden);
    assert_eq!(tariffs(&t).await.len(), 1, "nothing written");
}
