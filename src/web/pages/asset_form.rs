//! The asset create and edit forms: the fields, their values from an asset, and the form's strings
//! turned into `AssetChanges` (blank clears on edit, is left unset on create).

use rocket::form::Form;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::{get, post};

use super::assets::{asset_href, read_only};
use super::forms::{field_problems, Field, FormPage, Mode, RawForm, Reader, Section};
use super::lookups::{self, Lookups};
use super::{format, html, ok, redirect_with, Caller, Layout, PageResult};
use crate::domain::network::parse_ip;
use crate::domain::{AssetTag, Category, FieldErrors, Gbp, LifecycleState, MacAddresses, Watts};
use crate::error::AppError;
use crate::services::assets::{self, AssetChanges, AssetView};
use crate::web::access::Ict;
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![new, create, edit, update]
}

const LABELS: &[(&str, &str)] = &[
    ("asset_tag", "Asset tag"),
    ("category", "Category"),
    ("model_id", "Model"),
    ("serial", "Serial number"),
    ("hostname", "Hostname"),
    ("mac_addresses", "MAC addresses"),
    ("ip_address", "IP address"),
    ("lifecycle_state", "Lifecycle state"),
    ("site_id", "Site"),
    ("department_id", "Department"),
    ("assigned_user", "Assigned to"),
    ("parent_asset_tag", "Plugged into (parent PC's asset tag)"),
    ("purchase_date", "Purchase date"),
    ("purchase_cost", "Purchase cost"),
    ("supplier", "Supplier"),
    ("warranty_end", "Warranty ends"),
    ("life_months", "Life in months"),
    ("refresh_date", "Refresh date"),
    ("refresh_due", "Refresh due"),
    ("on_watts", "Power when on"),
    ("sleep_watts", "Power when asleep"),
    ("off_watts", "Power when off"),
    ("notes", "Notes"),
];

/// The label people see for an asset field, e.g. in the history.
pub fn label_of(field: &str) -> String {
    LABELS.iter().find(|(f, _)| *f == field).map(|(_, l)| l.to_string()).unwrap_or_else(|| format::field_words(field))
}

fn label(field: &'static str) -> &'static str {
    LABELS.iter().find(|(f, _)| *f == field).map(|(_, l)| *l).unwrap_or(field)
}

fn sections(l: &Lookups, mode: Mode) -> Vec<Section> {
    let text = |f: &'static str| Field::text(f, label(f));
    let mut device = vec![
        text("asset_tag").required().hint("As printed on the sticker, e.g. WCC-000123").width("w-medium"),
        Field::select("category", label("category"), "Use the model's category", lookups::category_choices()),
        Field::select("model_id", label("model_id"), "Not known", l.model_choices())
            .hint("Its power figures and life are used unless this asset has its own"),
        text("serial").width("w-medium"),
        text("hostname").width("w-medium"),
        text("mac_addresses").hint("Separate several with commas, e.g. 00:1a:2b:3c:4d:5e, 00-1A-2B-3C-4D-5F"),
        text("ip_address").hint("e.g. 10.20.1.15").width("w-medium"),
    ];
    if mode == Mode::Create {
        let states: Vec<LifecycleState> = LifecycleState::ALL.into_iter().filter(|s| !s.is_read_only()).collect();
        let mut state = Field::new("lifecycle_state", label("lifecycle_state"), super::forms::Kind::Select)
            .value(LifecycleState::InStock.as_str());
        state.choices = lookups::state_choices(&states);
        device.push(state);
    }
    let mut user = text("assigned_user");
    user.autocomplete = "off";
    vec![
        Section::new("The device", device),
        Section::new(
            "Where and who",
            vec![
                Field::select("site_id", label("site_id"), "Not set", l.site_choices()),
                Field::select("department_id", label("department_id"), "Not set", l.department_choices()),
                user,
                text("parent_asset_tag")
                    .hint("For a monitor: the asset tag of the PC it is plugged into")
                    .width("w-medium"),
            ],
        ),
        Section::new(
            "Purchase and refresh",
            vec![
                Field::date("purchase_date", label("purchase_date")),
                Field::money("purchase_cost", label("purchase_cost")).hint("In pounds, e.g. 499.00"),
                text("supplier"),
                Field::date("warranty_end", label("warranty_end")),
                Field::number("life_months", label("life_months"), "numeric")
                    .hint("Leave blank to use the model's or the category's life"),
                Field::date("refresh_date", label("refresh_date"))
                    .hint("Only to override the date worked out from purchase date and life. For example, 31/03/2028"),
            ],
        ),
        Section::new(
            "Power draw (leave blank to use the model's figures)",
            vec![
                Field::watts("on_watts", label("on_watts")),
                Field::watts("sleep_watts", label("sleep_watts")),
                Field::watts("off_watts", label("off_watts")),
            ],
        ),
        Section::new("Notes", vec![Field::textarea("notes", label("notes"))]),
    ]
}

/// The form's values for an existing asset, as the inputs expect them.
fn values_of(a: &AssetView) -> Vec<(&'static str, String)> {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let n = |v: Option<f64>| v.map(format::number).unwrap_or_default();
    let id = |v: Option<i32>| v.map(|i| i.to_string()).unwrap_or_default();
    let macs: Vec<String> = a.mac_addresses.as_slice().iter().map(|m| m.to_string()).collect();
    vec![
        ("asset_tag", a.asset_tag.to_string()),
        ("category", a.category.as_str().to_string()),
        ("model_id", id(a.model_id)),
        ("serial", s(&a.serial)),
        ("hostname", s(&a.hostname)),
        ("mac_addresses", macs.join(", ")),
        ("ip_address", s(&a.ip_address)),
        ("site_id", id(a.site_id)),
        ("department_id", id(a.department_id)),
        ("assigned_user", s(&a.assigned_user)),
        ("parent_asset_tag", s(&a.parent_asset_tag)),
        ("purchase_date", format::iso(a.purchase_date)),
        ("purchase_cost", a.purchase_cost.map(|c| c.to_string()).unwrap_or_default()),
        ("supplier", s(&a.supplier)),
        ("warranty_end", format::iso(a.warranty_end)),
        ("life_months", a.life_months.map(|m| m.to_string()).unwrap_or_default()),
        ("refresh_date", format::iso(a.refresh_date)),
        ("on_watts", n(a.on_watts)),
        ("sleep_watts", n(a.sleep_watts)),
        ("off_watts", n(a.off_watts)),
        ("notes", s(&a.notes)),
    ]
}

/// The form's strings as changes; every problem is collected under its field's name.
pub fn changes(form: &RawForm, mode: Mode) -> Result<AssetChanges, FieldErrors> {
    let mut r = Reader::new(form, mode);
    if mode == Mode::Create {
        r.require("asset_tag", label("asset_tag"));
    }
    let c = AssetChanges {
        asset_tag: r.parsed::<AssetTag>("asset_tag"),
        serial: r.text("serial"),
        hostname: r.text("hostname"),
        mac_addresses: r.patch("mac_addresses", MacAddresses::parse_list),
        ip_address: r.patch("ip_address", parse_ip),
        category: r.parsed::<Category>("category"),
        model_id: r.id("model_id"),
        site_id: r.id("site_id"),
        department_id: r.id("department_id"),
        assigned_user: r.text("assigned_user"),
        purchase_date: r.date("purchase_date"),
        purchase_cost: r.parsed::<Gbp>("purchase_cost"),
        supplier: r.text("supplier"),
        warranty_end: r.date("warranty_end"),
        life_months: r.whole_number::<u32>("life_months"),
        refresh_date: r.date("refresh_date"),
        lifecycle_state: r.parsed::<LifecycleState>("lifecycle_state"),
        on_watts: r.parsed::<Watts>("on_watts"),
        sleep_watts: r.parsed::<Watts>("sleep_watts"),
        off_watts: r.parsed::<Watts>("off_watts"),
        parent_asset_tag: r.parsed::<AssetTag>("parent_asset_tag"),
        notes: r.text("notes"),
    };
    r.finish().map(|()| c)
}

fn new_form(c: &Caller, l: &Lookups, flash: Option<FlashMessage<'_>>) -> FormPage {
    FormPage {
        layout: Layout::new(c, "assets", "Add an asset", flash),
        heading: "Add an asset".into(),
        intro: "Only the asset tag is required; fill in what you know now and add the rest later.".into(),
        action: "/assets".into(),
        sections: sections(l, Mode::Create),
        summary: vec![],
        submit: "Add asset".into(),
        cancel_href: "/assets".into(),
        delete_href: String::new(),
        delete_label: String::new(),
    }
}

fn edit_form(c: &Caller, l: &Lookups, a: &AssetView) -> FormPage {
    let tag = a.asset_tag.to_string();
    let mut sections = sections(l, Mode::Edit);
    let values = values_of(a);
    for f in sections.iter_mut().flat_map(|s| s.fields.iter_mut()) {
        if let Some((_, v)) = values.iter().find(|(n, _)| *n == f.name) {
            f.value = v.clone();
        }
    }
    FormPage {
        layout: Layout::new(c, "assets", format!("Change asset {tag}"), None),
        heading: format!("Change asset {tag}"),
        intro: "Clear a field to remove its value. To move the asset through its lifecycle, use its page.".into(),
        action: asset_href(&tag),
        sections,
        summary: vec![],
        submit: "Save changes".into(),
        cancel_href: asset_href(&tag),
        delete_href: String::new(),
        delete_label: String::new(),
    }
}

#[get("/assets/new")]
async fn new(db: Db<'_>, who: Ict, flash: Option<FlashMessage<'_>>) -> PageResult {
    let l = Lookups::load(db.inner()).await?;
    ok(&new_form(&who.0, &l, flash))
}

#[post("/assets", data = "<form>")]
async fn create(db: Db<'_>, actor: Ict, form: Form<RawForm>) -> PageResult {
    let result = match changes(&form, Mode::Create) {
        Ok(c) => assets::create(db.inner(), &actor, c).await,
        Err(errs) => Err(AppError::Unprocessable(errs)),
    };
    match result {
        Ok(a) => redirect_with(asset_href(a.asset_tag.as_str()), format!("Asset {} was added", a.asset_tag)),
        Err(e) => {
            let errs = field_problems(e)?;
            let l = Lookups::load(db.inner()).await?;
            html(Status::UnprocessableEntity, &new_form(&actor.0, &l, None).with_problems(&form, &errs))
        }
    }
}

#[get("/assets/<tag>/edit")]
async fn edit(db: Db<'_>, who: Ict, tag: &str) -> PageResult {
    let a = assets::get_by_tag(db.inner(), tag).await?;
    if a.lifecycle_state.is_read_only() {
        return read_only(a.asset_tag.as_str());
    }
    let l = Lookups::load(db.inner()).await?;
    ok(&edit_form(&who.0, &l, &a))
}

#[post("/assets/<tag>", data = "<form>")]
async fn update(db: Db<'_>, actor: Ict, tag: &str, form: Form<RawForm>) -> PageResult {
    let result = match changes(&form, Mode::Edit) {
        Ok(c) => assets::update(db.inner(), &actor, tag, c).await,
        Err(errs) => Err(AppError::Unprocessable(errs)),
    };
    match result {
        Ok(a) => redirect_with(asset_href(a.asset_tag.as_str()), format!("Asset {} was saved", a.asset_tag)),
        Err(AppError::Conflict { code: "read_only", .. }) => read_only(tag),
        Err(e) => {
            let errs = field_problems(e)?;
            let a = assets::get_by_tag(db.inner(), tag).await?;
            let l = Lookups::load(db.inner()).await?;
            html(Status::UnprocessableEntity, &edit_form(&actor.0, &l, &a).with_problems(&form, &errs))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Patch;

    fn form(pairs: &[(&str, &str)]) -> RawForm {
        RawForm(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn typed_values_and_every_problem() {
        let f = form(&[
            ("asset_tag", "WCC-1"),
            ("purchase_date", "31/03/2024"),
            ("purchase_cost", "£1,234.50"),
            ("mac_addresses", "00-1A-2B-3C-4D-5E, 001a.2b3c.4d5f"),
            ("on_watts", "45"),
            ("site_id", ""),
        ]);
        let c = changes(&f, Mode::Edit).unwrap();
        assert_eq!(c.purchase_cost, Patch::Value(Gbp::from_pence(123450)));
        assert_eq!(c.site_id, Patch::Null);
        assert!(matches!(c.mac_addresses, Patch::Value(ref m) if m.as_slice().len() == 2));
        assert!(c.serial.is_missing());

        let bad = form(&[
            ("asset_tag", "A B"),
            ("purchase_cost", "12.345"),
            ("ip_address", "10.0.0"),
            ("life_months", "five"),
        ]);
        let errs = changes(&bad, Mode::Create).unwrap_err();
        for field in ["asset_tag", "purchase_cost", "ip_address", "life_months"] {
            assert!(errs.for_field(field).is_some(), "{field}: {errs:?}");
        }
        let blank = changes(&form(&[("asset_tag", " ")]), Mode::Create).unwrap_err();
        assert_eq!(blank.for_field("asset_tag").unwrap().code, "required");
    }
}
