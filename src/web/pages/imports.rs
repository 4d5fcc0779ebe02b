//! The import page: upload a CSV (and optionally a column mapping), check it or import it, and see
//! every problem in a table by line and column.

use askama::Template;
use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::{get, post};
use tokio::io::AsyncReadExt;

use super::{html, ok, Layout, PageError, PageResult};
use crate::import::{self, ImportOptions, ImportSummary, Mapping, Silent};
use crate::web::access::Ict;
use crate::web::api::imports::parse_kind;
use crate::web::guards::Db;
use crate::web::pages::forms::SummaryItem;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![form, upload]
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    layout: Layout,
    summary: Vec<SummaryItem>,
}

#[get("/import")]
fn form(who: Ict, flash: Option<FlashMessage<'_>>) -> PageResult {
    ok(&ImportPage { layout: Layout::new(&who.0, "assets", "Import a file", flash), summary: vec![] })
}

#[derive(FromForm)]
struct Upload<'r> {
    kind: String,
    file: TempFile<'r>,
    mapping: Option<TempFile<'r>>,
    dry_run: bool,
    create_missing: bool,
}

/// A problem as the table shows it: blanks where the problem is with the whole file.
struct ProblemRow {
    line: String,
    column: String,
    value: String,
    message: String,
    fix: String,
}

#[derive(Template)]
#[template(path = "import_result.html")]
struct ResultPage {
    layout: Layout,
    heading: String,
    source: String,
    refused: bool,
    summary: ImportSummary,
    problems: Vec<ProblemRow>,
}

async fn read(file: &TempFile<'_>) -> Result<Vec<u8>, PageError> {
    let mut bytes = Vec::with_capacity(file.len() as usize);
    let mut reader = file.open().await.map_err(|e| PageError::Internal(format!("reading the upload: {e}")))?;
    reader.read_to_end(&mut bytes).await.map_err(|e| PageError::Internal(format!("reading the upload: {e}")))?;
    Ok(bytes)
}

#[post("/import", data = "<upload>")]
async fn upload(db: Db<'_>, actor: Ict, upload: Form<Upload<'_>>) -> PageResult {
    let kind = parse_kind(&upload.kind)?;
    let source = upload.file.name().map_or_else(|| "upload".to_string(), |n| format!("{n}.csv"));
    let source = upload
        .file
        .raw_name()
        .map(|n| n.dangerous_unsafe_unsanitized_raw().as_str().to_string())
        .filter(|n| !n.is_empty() && n.len() <= 200 && !n.chars().any(char::is_control))
        .unwrap_or(source);
    let bytes = read(&upload.file).await?;
    let mapping = match &upload.mapping {
        Some(m) if m.len() > 0 => {
            let text = String::from_utf8(read(m).await?)
                .map_err(|_| PageError::BadRequest("The mapping file is not UTF-8 text.".into()))?;
            match Mapping::parse(&text) {
                Ok(m) => m,
                Err(p) => return Err(PageError::BadRequest(p.to_string())),
            }
        }
        _ => Mapping::default(),
    };
    let options = ImportOptions {
        dry_run: upload.dry_run,
        create_missing: upload.create_missing,
        source: source.clone(),
        meter: None,
    };
    let summary =
        import::import(db.inner(), &actor, kind, import::Input::Bytes(bytes), &mapping, &options, &Silent).await?;
    let refused = summary.is_refused();
    let heading = if refused {
        format!("{source} was not imported")
    } else if summary.dry_run {
        format!("Checked {source}: ready to import")
    } else {
        format!("Imported {source}")
    };
    let problems = summary
        .problems
        .iter()
        .map(|p| ProblemRow {
            line: p.line.map(|l| l.to_string()).unwrap_or_default(),
            column: p.column.clone().unwrap_or_default(),
            value: p.value.clone().unwrap_or_default(),
            message: p.message.clone(),
            fix: p.fix.clone(),
        })
        .collect();
    let page = ResultPage {
        layout: Layout::new(&actor.0, "assets", heading.clone(), None).with_errors(refused),
        heading,
        source,
        refused,
        summary,
        problems,
    };
    html(if refused { Status::UnprocessableEntity } else { Status::Ok }, &page)
}
