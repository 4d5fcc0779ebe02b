//! `/energy/usage-profiles`: when devices are in use and what they do out of hours, with forms to add,
//! change and delete a profile; each category's default profile; and an asset's own profile (which wins
//! over its category's), from the asset's page. Profiles and category defaults need the facilities role
//! and an asset's own profile the ICT role, as the API's routes do.

use crate::store::BeginWrite;
use rocket::form::Form;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::{get, post};

use super::catalogue::{change_cell, delete_cell, Cell};
use super::catalogue_delete::Doomed;
use super::catalogue_forms::{fill, finish, page};
use super::energy_inputs::{tabs, ChoicesForm, EnergyListPage, ListTable};
use super::forms::{attach_errors, field_problems, Choice, Field, FormPage, Mode, RawForm, Reader, Section};
use super::{html, ok, path_segment, redirect_with, Caller, Layout, PageResult};
use crate::domain::{AssetTag, Category, FieldError, FieldErrors, Patch};
use crate::error::{AppError, AppResult};
use crate::services::usage_profiles::{self, CategoryProfileView, UsageProfileChanges, UsageProfileView};
use crate::web::access::{Facilities, Ict, Viewer};
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        list,
        new_profile,
        create,
        edit,
        update,
        confirm_delete,
        delete,
        set_category_defaults,
        edit_asset_profile,
        set_asset_profile
    ]
}

const LIST: &str = "/energy/usage-profiles";
const DAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];
const OUT_OF_HOURS: [(&str, &str); 3] = [("sleep", "Asleep"), ("off", "Off"), ("left_on", "Left on")];

fn day_field(day: &str) -> &'static str {
    match day {
        "mon" => "day_mon",
        "tue" => "day_tue",
        "wed" => "day_wed",
        "thu" => "day_thu",
        "fri" => "day_fri",
        "sat" => "day_sat",
        _ => "day_sun",
    }
}

/// "Monday to Friday, 08:00 to 18:00; asleep out of hours; bank holidays off", or "Always on".
fn describe(v: &UsageProfileView) -> String {
    if v.always_on {
        return "Always on".into();
    }
    let names: Vec<&str> =
        DAYS.iter().filter(|(d, _)| v.working_days.iter().any(|w| w == d)).map(|(_, n)| *n).collect();
    let days = match names.as_slice() {
        [] => "No working days".to_string(),
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"] => "Monday to Friday".into(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    let ooh = OUT_OF_HOURS.iter().find(|(k, _)| *k == v.out_of_hours).map_or("?", |(_, l)| *l).to_lowercase();
    let holidays = if v.bank_holidays_off { "bank holidays off" } else { "bank holidays worked" };
    format!("{days}, {} to {}; {ooh} out of hours; {holidays}", v.start_time, v.end_time)
}

fn profile_choices(profiles: &[UsageProfileView]) -> Vec<Choice> {
    profiles.iter().map(|p| Choice::new(p.id, p.name.clone())).collect()
}

/// Each category's default as a select, named by the category.
fn category_fields(profiles: &[UsageProfileView], defaults: &[CategoryProfileView]) -> Vec<Field> {
    Category::ALL
        .iter()
        .map(|c| {
            let current = defaults.iter().find(|d| d.category == *c).map(|d| d.usage_profile_id.to_string());
            Field::select(c.as_str(), c.label(), "No default", profile_choices(profiles))
                .value(current.unwrap_or_default())
        })
        .collect()
}

async fn list_page(db: &Db<'_>, who: &Caller, flash: Option<FlashMessage<'_>>) -> AppResult<EnergyListPage> {
    let profiles = usage_profiles::list(db.inner()).await?;
    let defaults = usage_profiles::category_defaults(db.inner()).await?;
    let mut t = ListTable::new(
        "profiles",
        "Profiles",
        &[("Profile", false), ("When in use", false), ("Default for", false), ("", false), ("", false)],
    );
    t.empty = "No usage profiles yet: add one, then make it a category's default.".into();
    for p in &profiles {
        let used: Vec<&str> =
            defaults.iter().filter(|d| d.usage_profile_id == p.id).map(|d| d.category.label()).collect();
        t.rows.push(vec![
            Cell::text(p.name.clone()),
            Cell::text(describe(p)),
            Cell::text(if used.is_empty() { "—".to_string() } else { used.join(", ") }),
            change_cell(format!("{LIST}/{}/edit", p.id), &p.name),
            delete_cell(format!("{LIST}/{}/delete", p.id), &p.name),
        ]);
    }
    let choices = (!profiles.is_empty()).then(|| ChoicesForm {
        id: "category-defaults".into(),
        heading: "Each category's default profile".into(),
        intro: "An asset uses its own profile if it has one (set on the asset's page), else its category's. Servers \
                and switches are counted as on round the clock whatever their profile."
            .into(),
        action: "/energy/category-profiles".into(),
        submit: "Save the defaults".into(),
        fields: category_fields(&profiles, &defaults),
    });
    Ok(EnergyListPage {
        layout: Layout::new(who, "energy", "Usage profiles", flash),
        tabs: tabs(LIST),
        heading: "Usage profiles".into(),
        intro: "When devices are in use, and whether they sleep, switch off or are left on outside those hours. The \
                energy estimate uses them except on days a device's agent reported the hours it was on."
            .into(),
        notes: vec![],
        add_href: format!("{LIST}/new"),
        add_label: "Add a usage profile".into(),
        tables: vec![t],
        choices,
        summary: vec![],
    }
    .for_role())
}

#[get("/energy/usage-profiles")]
async fn list(db: Db<'_>, who: Viewer, flash: Option<FlashMessage<'_>>) -> PageResult {
    ok(&list_page(&db, &who.0, flash).await?)
}

/// Saves every category's default in one transaction: all or nothing.
#[post("/energy/category-profiles", data = "<form>")]
async fn set_category_defaults(db: Db<'_>, actor: Facilities, form: Form<RawForm>) -> PageResult {
    let current = usage_profiles::category_defaults(db.inner()).await?;
    let mut errs = FieldErrors::default();
    let mut wanted = Vec::new();
    for c in Category::ALL {
        let raw = form.get(c.as_str()).trim();
        match raw {
            "" => wanted.push((c, None)),
            _ => match raw.parse::<i32>() {
                Ok(id) => wanted.push((c, Some(id))),
                Err(_) => errs.push(FieldError::new(
                    c.as_str(),
                    "invalid",
                    format!("'{raw}' is not one of the profiles; pick from the list"),
                )),
            },
        }
    }
    let result: AppResult<()> = async {
        errs.clone().into_result(())?;
        let txn = db.inner().begin_write().await?;
        // Only the categories whose choice changed are written (and audited).
        let unchanged =
            |c: Category, id: Option<i32>| current.iter().find(|d| d.category == c).map(|d| d.usage_profile_id) == id;
        for (c, id) in wanted.into_iter().filter(|(c, id)| !unchanged(*c, *id)) {
            // A bad choice is named by its category, beside that category's select.
            usage_profiles::set_category_default_in(&txn, &actor, c, id).await.map_err(|e| match e {
                AppError::Unprocessable(mut errs) => {
                    errs.0.iter_mut().for_each(|e| e.field = c.as_str().to_string());
                    AppError::Unprocessable(errs)
                }
                other => other,
            })?;
        }
        txn.commit().await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => redirect_with(format!("{LIST}#category-defaults"), "The category defaults were saved"),
        Err(e) => {
            let errs = field_problems(e)?;
            let mut p = list_page(&db, &actor.0, None).await?;
            if let Some(choices) = p.choices.as_mut() {
                let mut sections = vec![Section::new("", std::mem::take(&mut choices.fields))];
                super::forms::keep_input(&mut sections, &form);
                p.summary = attach_errors(&mut sections, &errs);
                choices.fields = sections.remove(0).fields;
            }
            p.layout = p.layout.with_errors(true);
            html(Status::UnprocessableEntity, &p)
        }
    }
}

// ------------------------------------------------------------------------------------------ a profile

fn sections() -> Vec<Section> {
    let mut ooh = Field::select(
        "out_of_hours",
        "Out of hours",
        "Choose what devices do",
        OUT_OF_HOURS.iter().map(|(k, l)| Choice::new(k, *l)).collect(),
    );
    ooh.required = true;
    vec![
        Section::new(
            "The profile",
            vec![
                Field::text("name", "Name").required().hint("e.g. Office hours"),
                Field::checkbox("always_on", "On round the clock")
                    .hint("For kit that never sleeps, e.g. kiosks; the days and hours below are then not used"),
            ],
        ),
        Section::new("Working days", DAYS.iter().map(|(d, n)| Field::checkbox(day_field(d), n)).collect()),
        Section::new(
            "Working hours and out of hours",
            vec![
                Field::text("start_time", "Working day starts")
                    .required()
                    .width("w-short")
                    .hint("24-hour clock, e.g. 08:00"),
                Field::text("end_time", "Working day ends").required().width("w-short").hint("e.g. 18:00"),
                ooh,
                Field::checkbox("bank_holidays_off", "Bank holidays are days off"),
                Field::textarea("notes", "Notes"),
            ],
        ),
    ]
}

fn changes(form: &RawForm, mode: Mode) -> Result<UsageProfileChanges, FieldErrors> {
    let mut r = Reader::new(form, mode);
    if mode == Mode::Create {
        r.require("name", "name");
    }
    r.require("start_time", "time the working day starts");
    r.require("end_time", "time the working day ends");
    r.require("out_of_hours", "out-of-hours choice");
    let ticked = |name: &str| form.get(name) == "yes";
    let days: Vec<String> = DAYS.iter().filter(|(d, _)| ticked(day_field(d))).map(|(d, _)| d.to_string()).collect();
    let c = UsageProfileChanges {
        name: r.text("name"),
        // A tick box left unticked sends nothing: the whole set of days and both flags are always given.
        always_on: Patch::Value(ticked("always_on")),
        working_days: Patch::Value(days),
        start_time: r.text("start_time"),
        end_time: r.text("end_time"),
        out_of_hours: r.text("out_of_hours"),
        bank_holidays_off: Patch::Value(ticked("bank_holidays_off")),
        notes: r.text("notes"),
    };
    r.finish().map(|()| c)
}

/// The service's problems with the days go beside Monday, the first of them.
fn days_beside_monday(e: AppError) -> AppError {
    match e {
        AppError::Unprocessable(mut errs) => {
            for err in errs.0.iter_mut().filter(|e| e.field == "working_days") {
                err.field = "day_mon".into();
            }
            AppError::Unprocessable(errs)
        }
        other => other,
    }
}

fn yes(b: bool) -> String {
    if b { "yes" } else { "" }.to_string()
}

fn values(v: &UsageProfileView) -> Vec<(&'static str, String)> {
    let mut out = vec![
        ("name", v.name.clone()),
        ("always_on", yes(v.always_on)),
        ("start_time", v.start_time.clone()),
        ("end_time", v.end_time.clone()),
        ("out_of_hours", v.out_of_hours.clone()),
        ("bank_holidays_off", yes(v.bank_holidays_off)),
        ("notes", v.notes.clone().unwrap_or_default()),
    ];
    out.extend(DAYS.iter().map(|(d, _)| (day_field(d), yes(v.working_days.iter().any(|w| w == d)))));
    out
}

fn new_form() -> FormPage {
    page("energy", "Add a usage profile".into(), LIST.into(), sections(), LIST)
}

fn edit_form(v: &UsageProfileView) -> FormPage {
    page("energy", format!("Change usage profile {}", v.name), format!("{LIST}/{}", v.id), sections(), LIST)
        .with_delete(format!("{LIST}/{}/delete", v.id), format!("Delete usage profile {}", v.name))
}

#[get("/energy/usage-profiles/new")]
fn new_profile(who: Facilities) -> PageResult {
    // Office hours are the usual start.
    let mut defaults = vec![
        ("start_time", "08:00".to_string()),
        ("end_time", "18:00".to_string()),
        ("out_of_hours", "sleep".to_string()),
        ("bank_holidays_off", yes(true)),
    ];
    defaults.extend(DAYS[..5].iter().map(|(d, _)| (day_field(d), yes(true))));
    ok(&fill(new_form(), defaults).by(&who.0))
}

#[post("/energy/usage-profiles", data = "<form>")]
async fn create(db: Db<'_>, actor: Facilities, form: Form<RawForm>) -> PageResult {
    let result = match changes(&form, Mode::Create) {
        Ok(c) => usage_profiles::create(db.inner(), &actor, c).await.map_err(days_beside_monday),
        Err(e) => Err(AppError::Unprocessable(e)),
    };
    finish(&actor.0, result, &form, new_form(), |v| (LIST.into(), format!("Usage profile {} was added", v.name)))
}

#[get("/energy/usage-profiles/<id>/edit")]
async fn edit(db: Db<'_>, who: Facilities, id: i32) -> PageResult {
    let v = usage_profiles::get(db.inner(), id).await?;
    ok(&fill(edit_form(&v), values(&v)).by(&who.0))
}

#[post("/energy/usage-profiles/<id>", data = "<form>")]
async fn update(db: Db<'_>, actor: Facilities, id: i32, form: Form<RawForm>) -> PageResult {
    let current = usage_profiles::get(db.inner(), id).await?;
    let result = match changes(&form, Mode::Edit) {
        Ok(c) => usage_profiles::update(db.inner(), &actor, id, c).await.map_err(days_beside_monday),
        Err(e) => Err(AppError::Unprocessable(e)),
    };
    finish(&actor.0, result, &form, edit_form(&current), |v| {
        (LIST.into(), format!("Usage profile {} was saved", v.name))
    })
}

fn doomed(v: &UsageProfileView) -> Doomed {
    Doomed {
        section: "energy",
        what: format!("usage profile {}", v.name),
        explanation: "This removes the profile. A profile that is a category's default or an asset's own cannot be \
                      deleted: move them to another profile first.",
        action: format!("{LIST}/{}/delete", v.id),
        back: LIST.into(),
        list: LIST,
    }
}

#[get("/energy/usage-profiles/<id>/delete")]
async fn confirm_delete(db: Db<'_>, who: Facilities, id: i32) -> PageResult {
    let v = usage_profiles::get(db.inner(), id).await?;
    ok(&doomed(&v).page(&who.0, None))
}

#[post("/energy/usage-profiles/<id>/delete")]
async fn delete(db: Db<'_>, actor: Facilities, id: i32) -> PageResult {
    let v = usage_profiles::get(db.inner(), id).await?;
    doomed(&v).finish(&actor.0, usage_profiles::delete(db.inner(), &actor, id).await)
}

// --------------------------------------------------------------------------------- an asset's own

fn asset_tag(raw: &str) -> AppResult<AssetTag> {
    raw.parse().map_err(|_| AppError::not_found("asset", raw))
}

async fn asset_form(db: &Db<'_>, tag: &AssetTag) -> AppResult<FormPage> {
    let profiles = usage_profiles::list(db.inner()).await?;
    let back = format!("/assets/{}", path_segment(tag.as_str()));
    let field =
        Field::select("usage_profile_id", "Usage profile", "Its category's default", profile_choices(&profiles))
            .hint("Its own profile wins over its category's default. The profiles are on the energy pages.");
    let mut p = page(
        "assets",
        format!("Change the usage profile of {tag}"),
        format!("{back}/usage-profile"),
        vec![Section::new("The usage profile", vec![field])],
        "",
    );
    p.cancel_href = back;
    Ok(p)
}

#[get("/assets/<tag>/usage-profile/edit")]
async fn edit_asset_profile(db: Db<'_>, who: Ict, tag: &str) -> PageResult {
    let tag = asset_tag(tag)?;
    let current = usage_profiles::asset_profile(db.inner(), &tag).await?;
    let p = fill(
        asset_form(&db, &tag).await?,
        vec![("usage_profile_id", current.map(|i| i.to_string()).unwrap_or_default())],
    );
    ok(&p.by(&who.0))
}

#[post("/assets/<tag>/usage-profile", data = "<form>")]
async fn set_asset_profile(db: Db<'_>, actor: Ict, tag: &str, form: Form<RawForm>) -> PageResult {
    let tag = asset_tag(tag)?;
    let mut r = Reader::new(&form, Mode::Edit);
    let choice = r.id("usage_profile_id");
    let result = match r.finish() {
        Ok(()) => {
            let id = match choice {
                Patch::Value(id) => Some(id),
                _ => None,
            };
            usage_profiles::set_asset_profile(db.inner(), &actor, &tag, id).await
        }
        Err(e) => Err(AppError::Unprocessable(e)),
    };
    let back = format!("/assets/{}", path_segment(tag.as_str()));
    finish(&actor.0, result, &form, asset_form(&db, &tag).await?, |_| {
        (back, format!("The usage profile of {tag} was saved"))
    })
}
