//! The HTML pages for deleting sites, departments and models and for changing a network segment,
//! through Rocket's local client on a fresh database per test (SQLite, or PostgreSQL when
//! GREENICT_TEST_DATABASE_URL is set): what the page says, where a form sends the browser, and
//! whether the register changed.

mod common;

use common::{app, audit_actions, TestApp, WHO};
use rocket::http::Status;
use sea_orm::EntityTrait;
use serde_json::json;

/// An asset at the seeded site, in the seeded department, of the seeded model.
async fn asset_using(t: &TestApp, site: i64, dept: i64, model: i64) {
    let (s, a) = t
        .post(
            "/api/v1/assets",
            json!({"asset_tag": "WCC-1", "category": "desktop", "site_id": site, "department_id": dept,
                "model_id": model}),
        )
        .await;
    assert_eq!(s, Status::Created, "{a}");
}

#[rocket::async_test]
async fn deleting_a_site_asks_first_and_is_refused_while_it_has_assets() {
    let t = app().await;
    let (site, dept, model) = t.seed_refs().await;
    asset_using(&t, site, dept, model).await;

    let (s, page) = t.page(&format!("/sites/{site}")).await;
    assert_eq!(s, Status::Ok);
    assert!(page.contains(&format!(r#"href="/sites/{site}/delete""#)), "the site page offers Delete: {page}");

    let (s, page) = t.page(&format!("/sites/{site}/delete")).await;
    assert_eq!(s, Status::Ok);
    assert!(page.contains("Delete site Civic Offices?"), "{page}");
    assert!(page.contains(&format!(r#"<form method="post" action="/sites/{site}/delete">"#)), "{page}");
    assert!(page.contains("Yes, delete it") && page.contains(&format!(r#"href="/sites/{site}">No, go back"#)));

    // Refused: the service's reason on the page, not an error page, and the site is still there.
    let (s, location, page) = t.post_form(&format!("/sites/{site}/delete"), "").await;
    assert_eq!((s, location), (Status::Conflict, None), "{page}");
    assert!(page.contains("It could not be deleted"), "{page}");
    assert!(page.contains("still has 1 assets and 0 network segments"), "{page}");
    assert!(page.contains("<title>Error: Delete site Civic Offices"), "{page}");
    assert!(!page.contains("something went wrong"), "{page}");
    assert_eq!(t.get(&format!("/api/v1/sites/{site}")).await.0, Status::Ok);

    // Once the asset is gone it is deleted, the list says so, and the audit trail has who did it.
    assert_eq!(t.delete("/api/v1/assets/WCC-1").await.0, Status::NoContent);
    let (s, location, _) = t.post_form(&format!("/sites/{site}/delete"), "").await;
    assert_eq!((s, location.as_deref()), (Status::SeeOther, Some("/sites")));
    let (_, list) = t.page("/sites").await;
    assert!(list.contains("Site Civic Offices was deleted"), "{list}");
    assert_eq!(t.get(&format!("/api/v1/sites/{site}")).await.0, Status::NotFound);
    let actions = audit_actions(&t, "site", site).await;
    assert_eq!(actions.last(), Some(&("delete".to_string(), WHO.to_string())), "{actions:?}");

    // A site that is not there: a 404 page, for the question and the answer.
    let (s, page) = t.page(&format!("/sites/{site}/delete")).await;
    assert!(s == Status::NotFound && page.contains("Page not found"), "{page}");
    let (s, _, _) = t.post_form(&format!("/sites/{site}/delete"), "").await;
    assert_eq!(s, Status::NotFound);
}

#[rocket::async_test]
async fn deleting_a_department_from_its_list_or_edit_page() {
    let t = app().await;
    let (site, dept, model) = t.seed_refs().await;
    asset_using(&t, site, dept, model).await;

    let (_, list) = t.page("/departments").await;
    assert!(list.contains(&format!(r#"<a href="/departments/{dept}/delete">Delete Planning</a>"#)), "{list}");
    let (_, edit) = t.page(&format!("/departments/{dept}/edit")).await;
    assert!(edit.contains(&format!(r#"href="/departments/{dept}/delete">Delete department Planning</a>"#)), "{edit}");

    let (s, page) = t.page(&format!("/departments/{dept}/delete")).await;
    assert!(s == Status::Ok && page.contains("Delete department Planning?"), "{page}");

    let (s, _, page) = t.post_form(&format!("/departments/{dept}/delete"), "").await;
    assert_eq!(s, Status::Conflict, "{page}");
    assert!(page.contains("still has 1 assets; move them to another department"), "{page}");
    assert_eq!(t.get(&format!("/api/v1/departments/{dept}")).await.0, Status::Ok, "not deleted");

    let (s, _) = t.patch("/api/v1/assets/WCC-1", json!({"department_id": null})).await;
    assert_eq!(s, Status::Ok);
    let (s, location, _) = t.post_form(&format!("/departments/{dept}/delete"), "").await;
    assert_eq!((s, location.as_deref()), (Status::SeeOther, Some("/departments")));
    let (_, list) = t.page("/departments").await;
    assert!(list.contains("Department Planning was deleted") && list.contains("No departments yet."), "{list}");
}

#[rocket::async_test]
async fn deleting_a_model_is_refused_while_assets_use_it() {
    let t = app().await;
    let (site, dept, model) = t.seed_refs().await;
    asset_using(&t, site, dept, model).await;

    let (_, list) = t.page("/models").await;
    assert!(list.contains(&format!(r#"<a href="/models/{model}/delete">Delete Dell OptiPlex 7010</a>"#)), "{list}");
    let (_, edit) = t.page(&format!("/models/{model}/edit")).await;
    assert!(edit.contains(&format!(r#"href="/models/{model}/delete""#)), "{edit}");

    let (s, _, page) = t.post_form(&format!("/models/{model}/delete"), "").await;
    assert_eq!(s, Status::Conflict, "{page}");
    assert!(page.contains("is the model of 1 assets"), "{page}");

    assert_eq!(t.delete("/api/v1/assets/WCC-1").await.0, Status::NoContent);
    let (s, location, _) = t.post_form(&format!("/models/{model}/delete"), "").await;
    assert_eq!((s, location.as_deref()), (Status::SeeOther, Some("/models")));
    assert_eq!(t.get(&format!("/api/v1/models/{model}")).await.0, Status::NotFound);
}

#[rocket::async_test]
async fn changing_a_network_segment_shows_each_problem_beside_its_field() {
    let t = app().await;
    let (site, _, _) = t.seed_refs().await;
    let (s, seg) =
        t.post("/api/v1/network-segments", json!({"site_id": site, "name": "Floor 2", "cidr": "10.1.2.0/24"})).await;
    assert_eq!(s, Status::Created, "{seg}");
    let seg = seg["id"].as_i64().unwrap();
    t.post("/api/v1/network-segments", json!({"site_id": site, "name": "Floor 3", "cidr": "10.1.3.0/24"})).await;

    let (_, page) = t.page(&format!("/sites/{site}")).await;
    assert!(page.contains(&format!(r#"href="/network-segments/{seg}/edit""#)), "each segment has Change: {page}");

    // The form is filled in; a broadcast address the network derives anyway is left blank.
    let (s, form) = t.page(&format!("/network-segments/{seg}/edit")).await;
    assert_eq!(s, Status::Ok);
    assert!(form.contains("Change network segment Floor 2"), "{form}");
    assert!(form.contains(&format!(r#"<form method="post" action="/network-segments/{seg}""#)), "{form}");
    assert!(form.contains(r#"name="cidr" type="text" value="10.1.2.0/24""#), "{form}");
    assert!(form.contains(r#"name="broadcast_address" type="text" value="""#), "{form}");
    assert!(form.contains(&format!(r#"href="/sites/{site}#segments">Cancel"#)), "{form}");

    // Problems: summary at the top linking to each field, the message beside it, the input kept.
    let (s, _, page) =
        t.post_form(&format!("/network-segments/{seg}"), "name=&cidr=10.1.2.7%2F24&wol_port=70000").await;
    assert_eq!(s, Status::UnprocessableEntity, "{page}");
    assert!(page.contains("There is a problem") && page.contains("<title>Error: Change network segment"), "{page}");
    for field in ["name", "cidr", "wol_port"] {
        assert!(page.contains(&format!(r##"<a href="#f-{field}">"##)), "summary links to {field}: {page}");
        assert!(page.contains(&format!(r#"id="f-{field}-error""#)), "message beside {field}: {page}");
    }
    assert!(page.contains(r#"value="10.1.2.7/24""#), "the input is kept: {page}");
    let (_, unchanged) = t.get(&format!("/api/v1/network-segments/{seg}")).await;
    assert_eq!((unchanged["name"].as_str(), unchanged["cidr"].as_str()), (Some("Floor 2"), Some("10.1.2.0/24")));

    // A name the site already uses (a 409 from the service) is shown beside the name.
    let (s, _, page) = t.post_form(&format!("/network-segments/{seg}"), "name=Floor+3&cidr=10.1.2.0%2F24").await;
    assert_eq!(s, Status::UnprocessableEntity, "{page}");
    assert!(page.contains(r#"id="f-name-error""#) && page.contains("already has a network segment named"), "{page}");

    // A good change: back to the site's segments, the broadcast derived from the new network.
    let (s, location, _) = t
        .post_form(
            &format!("/network-segments/{seg}"),
            "name=Floor+2+staff&cidr=10.1.2.0%2F23&broadcast_address=&wol_port=7",
        )
        .await;
    assert_eq!((s, location), (Status::SeeOther, Some(format!("/sites/{site}#segments"))));
    let (_, changed) = t.get(&format!("/api/v1/network-segments/{seg}")).await;
    assert_eq!(changed["name"], "Floor 2 staff");
    assert_eq!((changed["broadcast_address"].as_str(), changed["wol_port"].as_i64()), (Some("10.1.3.255"), Some(7)));
    let (_, page) = t.page(&format!("/sites/{site}")).await;
    assert!(page.contains("Network segment Floor 2 staff was saved"), "{page}");
    let actions = audit_actions(&t, "network_segment", seg).await;
    assert_eq!(actions.last(), Some(&("update".to_string(), WHO.to_string())), "{actions:?}");

    let (s, _) = t.page("/network-segments/9999/edit").await;
    assert_eq!(s, Status::NotFound);
}

#[rocket::async_test]
async fn history_times_are_uk_clock_time() {
    let t = app().await;
    let (s, _) = t.post("/api/v1/assets", json!({"asset_tag": "H1", "category": "laptop"})).await;
    assert_eq!(s, Status::Created);
    let event = greenict::store::audit_event::Entity::find().one(&t.db).await.unwrap().expect("an audit event");
    let uk = event.occurred_at.with_timezone(&chrono_tz::Europe::London).format("%d/%m/%Y %H:%M").to_string();
    let (_, page) = t.page("/assets/H1").await;
    assert!(page.contains(&format!("by {WHO} on {uk}")), "{uk} in {page}");
    assert!(!page.contains("UTC"), "{page}");
}
