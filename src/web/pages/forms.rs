//! HTML forms: the submitted strings, the fields a form template draws (value, hint, error), and
//! turning strings into `Patch` values for a service's `Changes`, collecting every problem by field.

use chrono::NaiveDate;
use rocket::form::{self, DataField, FromForm, ValueField};
use std::collections::HashMap;
use std::fmt::Display;

use crate::domain::{FieldError, FieldErrors, Patch};
use crate::error::AppError;
use crate::services::energy_reference::DecimalInput;

/// A submitted form as name → value (the last value wins for a repeated name).
#[derive(Debug, Default, Clone)]
pub struct RawForm(pub HashMap<String, String>);

#[rocket::async_trait]
impl<'r> FromForm<'r> for RawForm {
    type Context = HashMap<String, String>;

    fn init(_: form::Options) -> Self::Context {
        HashMap::new()
    }

    fn push_value(ctxt: &mut Self::Context, field: ValueField<'r>) {
        ctxt.insert(field.name.source().to_string(), field.value.to_string());
    }

    async fn push_data(_: &mut Self::Context, _: DataField<'r, '_>) {
        // No form here uploads files.
    }

    fn finalize(ctxt: Self::Context) -> form::Result<'r, Self> {
        Ok(RawForm(ctxt))
    }
}

impl RawForm {
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or("")
    }
}

/// Whether a blank field means "leave it unset" (a new record) or "clear it" (an edit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    Edit,
}

/// Reads typed values out of a form, recording each problem under its field's name.
pub struct Reader<'a> {
    form: &'a RawForm,
    mode: Mode,
    pub errors: FieldErrors,
}

impl<'a> Reader<'a> {
    pub fn new(form: &'a RawForm, mode: Mode) -> Reader<'a> {
        Reader { form, mode, errors: FieldErrors::default() }
    }

    /// Absent → `Missing`; blank → `Missing` on create, `Null` on edit; else `parse`d, or an error.
    pub fn patch<T, E: Display>(&mut self, name: &str, parse: impl FnOnce(&str) -> Result<T, E>) -> Patch<T> {
        let Some(raw) = self.form.0.get(name).map(|s| s.trim()) else {
            return Patch::Missing;
        };
        if raw.is_empty() {
            return match self.mode {
                Mode::Create => Patch::Missing,
                Mode::Edit => Patch::Null,
            };
        }
        match parse(raw) {
            Ok(v) => Patch::Value(v),
            Err(e) => {
                self.errors.push(FieldError::new(name, "invalid", e.to_string()));
                Patch::Missing
            }
        }
    }

    pub fn text(&mut self, name: &str) -> Patch<String> {
        self.patch(name, |s| Ok::<_, String>(s.to_string()))
    }

    /// Any value with a `FromStr` whose error message is written for people (the domain types).
    pub fn parsed<T: std::str::FromStr>(&mut self, name: &str) -> Patch<T>
    where
        T::Err: Display,
    {
        self.patch(name, str::parse::<T>)
    }

    pub fn date(&mut self, name: &str) -> Patch<NaiveDate> {
        self.patch(name, parse_date)
    }

    /// A choice from a list of records (site, department, model).
    pub fn id(&mut self, name: &str) -> Patch<i32> {
        self.patch(name, |s| {
            s.parse::<i32>().map_err(|_| format!("'{s}' is not one of the choices; pick from the list"))
        })
    }

    pub fn whole_number<T: std::str::FromStr>(&mut self, name: &str) -> Patch<T> {
        self.patch(name, |s| {
            s.parse::<T>().map_err(|_| format!("'{s}' is not a whole number; enter digits only, e.g. 60"))
        })
    }

    pub fn decimal(&mut self, name: &str) -> Patch<f64> {
        self.patch(name, |s| match s.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(format!("'{s}' is not a number; enter e.g. 12.5")),
        })
    }

    /// A decimal kept exactly as typed ("24.50" stays "24.50", no float on the way) for a service that
    /// checks its range and decimal places.
    pub fn exact_decimal(&mut self, name: &str) -> Patch<DecimalInput> {
        self.patch(name, |s| match s.parse::<rust_decimal::Decimal>() {
            Ok(_) => Ok(DecimalInput(s.to_string())),
            Err(_) => Err(format!("'{s}' is not a number; enter digits with a decimal point, e.g. 24.50")),
        })
    }

    /// Records that a field the form requires was left blank.
    pub fn require(&mut self, name: &str, label: &str) {
        if self.form.get(name).trim().is_empty() {
            self.errors.push(FieldError::new(name, "required", format!("Enter the {}", label.to_lowercase())));
        }
    }

    pub fn finish(self) -> Result<(), FieldErrors> {
        self.errors.into_result(())
    }
}

/// A date typed as yyyy-mm-dd (what a date picker sends) or dd/mm/yyyy (what people write).
pub fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    let s = raw.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
        .filter(|d| (1900..=2200).contains(&chrono::Datelike::year(d)))
        .ok_or_else(|| format!("'{s}' is not a real date; enter it as dd/mm/yyyy, e.g. 31/03/2024"))
}

/// The field problems in a service's answer, or the error itself when it is not about fields.
pub fn field_problems(e: AppError) -> Result<FieldErrors, AppError> {
    match e {
        AppError::Unprocessable(errs) => Ok(errs),
        AppError::Conflict { code, message, field: Some(field) } => {
            Ok(FieldErrors(vec![FieldError::new(field, code, message)]))
        }
        AppError::BadRequest { code, message, field: Some(field) } => {
            Ok(FieldErrors(vec![FieldError::new(field, code, message)]))
        }
        other => Err(other),
    }
}

/// One option of a `<select>`.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

impl Choice {
    pub fn new(value: impl ToString, label: impl Into<String>) -> Choice {
        Choice { value: value.to_string(), label: label.into() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Date,
    Number,
    Select,
    Textarea,
    /// A tick box: checked when its value is "yes".
    Checkbox,
}

/// One labelled field as a form template draws it.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: &'static str,
    pub label: String,
    pub hint: String,
    pub kind: Kind,
    pub value: String,
    pub error: Option<String>,
    pub choices: Vec<Choice>,
    /// `inputmode` for phones' keyboards ("decimal", "numeric"), or empty.
    pub inputmode: &'static str,
    /// `autocomplete`, or empty for none given.
    pub autocomplete: &'static str,
    /// A CSS width class for short values ("w-short"), or empty for full width.
    pub width: &'static str,
    /// A fixed prefix shown before the input, e.g. "£".
    pub prefix: &'static str,
    /// A fixed suffix shown after the input, e.g. "W".
    pub suffix: &'static str,
    pub required: bool,
}

impl Field {
    pub fn new(name: &'static str, label: impl Into<String>, kind: Kind) -> Field {
        Field {
            name,
            label: label.into(),
            hint: String::new(),
            kind,
            value: String::new(),
            error: None,
            choices: Vec::new(),
            inputmode: "",
            autocomplete: "off",
            width: "",
            prefix: "",
            suffix: "",
            required: false,
        }
    }

    pub fn text(name: &'static str, label: &str) -> Field {
        Field::new(name, label, Kind::Text)
    }

    pub fn date(name: &'static str, label: &str) -> Field {
        Field::new(name, label, Kind::Date).hint("For example, 31/03/2024").width("w-date")
    }

    pub fn number(name: &'static str, label: &str, inputmode: &'static str) -> Field {
        let mut f = Field::new(name, label, Kind::Number).width("w-short");
        f.inputmode = inputmode;
        f
    }

    pub fn money(name: &'static str, label: &str) -> Field {
        let mut f = Field::number(name, label, "decimal");
        f.prefix = "£";
        f
    }

    pub fn watts(name: &'static str, label: &str) -> Field {
        let mut f = Field::number(name, label, "decimal");
        f.suffix = "W";
        f
    }

    /// A select whose first option is blank, labelled `none` (e.g. "Not set").
    pub fn select(name: &'static str, label: &str, none: &str, choices: Vec<Choice>) -> Field {
        let mut f = Field::new(name, label, Kind::Select);
        f.choices = std::iter::once(Choice::new("", none)).chain(choices).collect();
        f
    }

    pub fn textarea(name: &'static str, label: &str) -> Field {
        Field::new(name, label, Kind::Textarea)
    }

    /// A tick box; the form sends "yes" when it is ticked and nothing when not.
    pub fn checkbox(name: &'static str, label: &str) -> Field {
        Field::new(name, label, Kind::Checkbox)
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Field {
        self.hint = hint.into();
        self
    }

    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }

    pub fn width(mut self, width: &'static str) -> Field {
        self.width = width;
        self
    }

    pub fn value(mut self, value: impl Into<String>) -> Field {
        self.value = value.into();
        self
    }

    pub fn id(&self) -> String {
        format!("f-{}", self.name)
    }

    /// The ids of the hint and error, for `aria-describedby`.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.id()));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id()));
        }
        ids.join(" ")
    }

    /// The `type` of an `<input>`. A date that is not in yyyy-mm-dd form (typed by hand, or wrong)
    /// is shown as text so the person's input is kept for them to correct.
    pub fn input_type(&self) -> &'static str {
        match self.kind {
            Kind::Date if self.value.is_empty() || NaiveDate::parse_from_str(&self.value, "%Y-%m-%d").is_ok() => "date",
            _ => "text",
        }
    }

    pub fn is_select(&self) -> bool {
        self.kind == Kind::Select
    }

    pub fn is_textarea(&self) -> bool {
        self.kind == Kind::Textarea
    }

    pub fn is_checkbox(&self) -> bool {
        self.kind == Kind::Checkbox
    }

    pub fn checked(&self) -> bool {
        self.value == "yes"
    }

    /// What the field holds, as a person reads it: a select's chosen label, a tick box's yes or no.
    pub fn value_label(&self) -> String {
        match self.kind {
            Kind::Select => {
                self.choices.iter().find(|c| c.value == self.value).map(|c| c.label.clone()).unwrap_or_default()
            }
            Kind::Checkbox => if self.checked() { "yes" } else { "no" }.to_string(),
            _ => self.value.clone(),
        }
    }

    pub fn error_text(&self) -> &str {
        self.error.as_deref().unwrap_or("")
    }
}

/// A group of fields under a legend.
#[derive(Debug, Clone)]
pub struct Section {
    pub legend: String,
    pub fields: Vec<Field>,
}

impl Section {
    pub fn new(legend: impl Into<String>, fields: Vec<Field>) -> Section {
        Section { legend: legend.into(), fields }
    }
}

/// One line of the error summary at the top of a form: a link to the field when there is one.
#[derive(Debug, Clone)]
pub struct SummaryItem {
    pub href: String,
    pub message: String,
}

/// Puts the submitted values back into the fields (so nothing typed is lost).
pub fn keep_input(sections: &mut [Section], form: &RawForm) {
    for f in sections.iter_mut().flat_map(|s| s.fields.iter_mut()) {
        if let Some(v) = form.0.get(f.name) {
            f.value = v.clone();
        } else if f.is_checkbox() {
            // A browser sends nothing for a box left unticked.
            f.value.clear();
        }
    }
}

/// Puts each problem beside its field, and lists them all for the summary in the fields' order.
pub fn attach_errors(sections: &mut [Section], errs: &FieldErrors) -> Vec<SummaryItem> {
    let mut summary: Vec<(usize, SummaryItem)> = Vec::new();
    for e in &errs.0 {
        let found = sections.iter_mut().flat_map(|s| s.fields.iter_mut()).enumerate().find(|(_, f)| f.name == e.field);
        // Services name fields as the API does ("purchase_cost cannot be …"); say the label instead.
        let message = match (&found, e.message.strip_prefix(e.field.as_str())) {
            (Some((_, f)), Some(rest)) if rest.starts_with([' ', ':']) => {
                format!("{}{rest}", f.label)
            }
            _ => capitalise(&e.message),
        };
        match found {
            Some((position, f)) => {
                f.error = Some(match f.error.take() {
                    Some(prev) => format!("{prev} {message}"),
                    None => message.clone(),
                });
                summary.push((position, SummaryItem { href: format!("#{}", f.id()), message }));
            }
            None => summary.push((usize::MAX, SummaryItem { href: String::new(), message })),
        }
    }
    summary.sort_by_key(|(position, _)| *position);
    summary.into_iter().map(|(_, item)| item).collect()
}

pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|first| first.to_uppercase().chain(c).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> RawForm {
        RawForm(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn blanks_mean_unset_on_create_and_clear_on_edit() {
        let f = form(&[("a", "  "), ("b", "7")]);
        let mut r = Reader::new(&f, Mode::Create);
        assert_eq!(r.text("a"), Patch::Missing);
        assert_eq!(r.text("absent"), Patch::Missing);
        let mut r = Reader::new(&f, Mode::Edit);
        assert_eq!(r.text("a"), Patch::Null);
        assert_eq!(r.id("b"), Patch::Value(7));
        assert!(r.finish().is_ok());
    }

    #[test]
    fn dates_in_either_form_and_problems_named() {
        assert_eq!(parse_date("2024-03-31"), parse_date("31/03/2024"));
        assert_eq!(parse_date("1/4/2024").unwrap(), NaiveDate::from_ymd_opt(2024, 4, 1).unwrap());
        let f = form(&[("d", "31/02/2024"), ("n", "six")]);
        let mut r = Reader::new(&f, Mode::Edit);
        assert_eq!(r.date("d"), Patch::Missing);
        assert_eq!(r.whole_number::<u32>("n"), Patch::Missing);
        let errs = r.finish().unwrap_err();
        assert!(errs.for_field("d").unwrap().message.contains("dd/mm/yyyy"));
        assert!(errs.for_field("n").unwrap().message.contains("whole number"));
    }

    #[test]
    fn errors_go_beside_their_fields_and_into_the_summary() {
        let mut sections = vec![Section::new("x", vec![Field::text("asset_tag", "Asset tag").hint("On the sticker")])];
        let errs = FieldErrors(vec![FieldError::required("asset_tag"), FieldError::new("body", "invalid", "odd")]);
        let summary = attach_errors(&mut sections, &errs);
        assert_eq!(summary[0].href, "#f-asset_tag");
        assert_eq!(summary[0].message, "Asset tag is required");
        assert_eq!(summary[1].href, "");
        let f = &sections[0].fields[0];
        assert_eq!(f.described_by(), "f-asset_tag-hint f-asset_tag-error");
    }
}

/// Any create or edit form: sections of fields, the error summary, and where it posts.
#[derive(askama::Template)]
#[template(path = "form.html")]
pub struct FormPage {
    pub layout: super::Layout,
    pub heading: String,
    pub intro: String,
    pub action: String,
    pub sections: Vec<Section>,
    pub summary: Vec<SummaryItem>,
    pub submit: String,
    pub cancel_href: String,
    /// A link to delete the record being edited (its "are you sure?" page), or empty for none.
    pub delete_href: String,
    pub delete_label: String,
}

impl FormPage {
    /// Whose form this is: their name in the header and their anti-forgery token in the form.
    pub fn by(mut self, c: &super::Caller) -> FormPage {
        self.layout = self.layout.by(c);
        self
    }

    /// Offers, below the form, to delete the record being edited.
    pub fn with_delete(mut self, href: String, label: String) -> FormPage {
        self.delete_href = href;
        self.delete_label = label;
        self
    }

    /// Shows the submitted values again with every problem beside its field (422).
    pub fn with_problems(mut self, form: &RawForm, errs: &FieldErrors) -> FormPage {
        keep_input(&mut self.sections, form);
        self.summary = attach_errors(&mut self.sections, errs);
        self.layout = self.layout.with_errors(!self.summary.is_empty());
        self
    }
}
