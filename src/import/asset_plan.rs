//! PURE: checks an asset file's rows against a snapshot of the register and decides, row by row, what
//! the import would do (create, update, leave alone) or why it cannot. Sites, departments and models
//! the file names but the register lacks are planned for creation when the user asks for it; until
//! they are written they carry placeholder ids ([`placeholder`]).

use chrono::{DateTime, Utc};
use std::collections::HashMap;

use super::asset_fields::AssetField;
use super::asset_rows::{AssetFile, AssetRow, FileFacts, ModelName};
use super::columns::{Header, ImportField};
use super::Problem;
use crate::demo::catalogue::{typical_power, Power};
use crate::domain::{Category, FieldErrors, LifecycleState, Patch};
use crate::error::AppError;
use crate::services::assets;
use crate::store::{asset, department, device_model, site};

/// What the register holds that the file's rows refer to.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub sites: Vec<site::Model>,
    pub departments: Vec<department::Model>,
    pub models: Vec<device_model::Model>,
    /// Existing assets with the file's tags, and the parents the file names.
    pub assets: HashMap<String, asset::Model>,
    /// The tags of those assets' current parents, by id.
    pub tags_by_id: HashMap<i32, String>,
}

#[derive(Debug, Clone)]
pub struct NewModel {
    pub manufacturer: String,
    pub name: String,
    pub category: Category,
    pub power: Power,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Create,
    Update { before: Box<asset::Model>, before_parent_tag: Option<String> },
    Unchanged,
}

#[derive(Debug, Clone)]
pub struct PlannedAsset {
    pub line: u64,
    /// Site, department and model ids may be placeholders for records this import creates.
    pub asset: asset::Model,
    /// A parent that this import creates: its id is known only once it is written.
    pub parent_in_file: Option<String>,
    pub parent_tag: Option<String>,
    pub outcome: Outcome,
}

#[derive(Debug, Default)]
pub struct Plan {
    pub new_sites: Vec<String>,
    pub new_departments: Vec<String>,
    pub new_models: Vec<NewModel>,
    pub assets: Vec<PlannedAsset>,
}

/// The id a record to be created goes by until it is written: -1 for the first, -2 for the next.
pub fn placeholder(index: usize) -> i32 {
    -(index as i32) - 1
}

/// The real id for an id that may be a placeholder.
pub fn real_id(id: i32, created: &[i32]) -> i32 {
    if id < 0 {
        created[(-id - 1) as usize]
    } else {
        id
    }
}

fn key(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Finds records by name (case and surrounding spaces ignored), and plans the missing ones.
struct Names {
    existing: HashMap<String, i32>,
    new: Vec<String>,
    new_index: HashMap<String, usize>,
}

impl Names {
    fn new(existing: impl Iterator<Item = (String, i32)>) -> Names {
        Names { existing: existing.map(|(n, id)| (key(&n), id)).collect(), new: vec![], new_index: HashMap::new() }
    }

    fn resolve(&mut self, name: &str, create: bool) -> Option<i32> {
        if let Some(id) = self.existing.get(&key(name)) {
            return Some(*id);
        }
        if !create {
            return None;
        }
        let n = self.new.len();
        let i = *self.new_index.entry(key(name)).or_insert_with(|| n);
        if i == n {
            self.new.push(name.trim().to_string());
        }
        Some(placeholder(i))
    }
}

struct Models<'a> {
    by_id: HashMap<i32, &'a device_model::Model>,
    by_both: HashMap<(String, String), &'a device_model::Model>,
    by_name: HashMap<String, Vec<&'a device_model::Model>>,
    new: Vec<NewModel>,
    /// Stand-ins for the models to be created, so the rules that read a model can run.
    new_rows: Vec<device_model::Model>,
    new_index: HashMap<(String, String), usize>,
}

impl<'a> Models<'a> {
    fn new(models: &'a [device_model::Model]) -> Models<'a> {
        let mut by_name: HashMap<String, Vec<&device_model::Model>> = HashMap::new();
        for m in models {
            by_name.entry(key(&m.name)).or_default().push(m);
        }
        Models {
            by_id: models.iter().map(|m| (m.id, m)).collect(),
            by_both: models.iter().map(|m| ((key(&m.manufacturer), key(&m.name)), m)).collect(),
            by_name,
            new: vec![],
            new_rows: vec![],
            new_index: HashMap::new(),
        }
    }

    fn get(&self, id: i32) -> Option<&device_model::Model> {
        if id < 0 {
            self.new_rows.get((-id - 1) as usize)
        } else {
            self.by_id.get(&id).copied()
        }
    }

    /// The model's id, or what is wrong and how to fix it.
    fn resolve(&mut self, want: &ModelName, category: Option<Category>, create: bool) -> Result<i32, (String, String)> {
        if let Some(maker) = &want.manufacturer {
            if let Some(m) = self.by_both.get(&(key(maker), key(&want.name))) {
                return Ok(m.id);
            }
        } else {
            match self.by_name.get(&key(&want.name)).map(Vec::as_slice) {
                Some([one]) => return Ok(one.id),
                Some(several) if several.len() > 1 => {
                    let makers: Vec<&str> = several.iter().map(|m| m.manufacturer.as_str()).collect();
                    return Err((
                        format!("several models are called {} (made by {})", want.name, makers.join(", ")),
                        "add a manufacturer column so the model can be told apart".into(),
                    ));
                }
                _ => {}
            }
        }
        let described = match &want.manufacturer {
            Some(m) => format!("{m} {}", want.name),
            None => want.name.clone(),
        };
        if !create {
            return Err((
                format!("model {described} is not in the catalogue"),
                "add it to the catalogue first, or import with --create-missing (\"create missing\" on the page)"
                    .into(),
            ));
        }
        let Some(maker) = &want.manufacturer else {
            return Err((
                format!("model {described} is not in the catalogue, and to add it its manufacturer is needed"),
                "add a manufacturer column".into(),
            ));
        };
        let k = (key(maker), key(&want.name));
        if let Some(i) = self.new_index.get(&k) {
            return Ok(placeholder(*i));
        }
        let Some(category) = category else {
            return Err((
                format!("model {described} is not in the catalogue, and to add it its category is needed"),
                "fill in the category on this row".into(),
            ));
        };
        let Some(power) = typical_power(category) else {
            return Err((
                format!(
                    "model {described} is not in the catalogue, and there is no typical power draw for category {}",
                    category.as_str()
                ),
                "add the model to the catalogue with its power figures first".into(),
            ));
        };
        let i = self.new.len();
        self.new_index.insert(k, i);
        self.new.push(NewModel { manufacturer: maker.trim().into(), name: want.name.trim().into(), category, power });
        self.new_rows.push(device_model::Model {
            id: placeholder(i),
            manufacturer: maker.clone(),
            name: want.name.clone(),
            category: category.as_str().into(),
            ..crate::services::device_models::new_model(Utc::now())
        });
        Ok(placeholder(i))
    }
}

/// Plans a whole parsed file at once (see [`Planner`], which the import feeds a chunk at a time).
pub fn plan(file: AssetFile, snap: &Snapshot, create_missing: bool, now: DateTime<Utc>) -> Result<Plan, Vec<Problem>> {
    let AssetFile { header, rows, problems } = file;
    let tags = rows.iter().map(|r| r.tag.to_string()).collect();
    let children = rows
        .iter()
        .filter(|r| matches!(r.changes.parent_asset_tag, Patch::Value(_)))
        .map(|r| r.tag.to_string())
        .collect();
    let catalogue = Catalogue { sites: &snap.sites, departments: &snap.departments, models: &snap.models };
    let mut planner = Planner::new(catalogue, create_missing, now);
    let existing = Existing { assets: &snap.assets, tags_by_id: &snap.tags_by_id };
    let assets = planner.plan_rows(&header, rows, &existing);
    let facts = FileFacts { header, problems, tags, children };
    let new = planner.finish(facts)?;
    Ok(Plan { new_sites: new.sites, new_departments: new.departments, new_models: new.models, assets })
}

/// The register's sites, departments and models: all of them, read once before the file.
#[derive(Clone, Copy)]
pub struct Catalogue<'a> {
    pub sites: &'a [site::Model],
    pub departments: &'a [department::Model],
    pub models: &'a [device_model::Model],
}

/// The existing assets a chunk of rows names (by their own tags and as parents), and the tags of their
/// current parents by id.
pub struct Existing<'a> {
    pub assets: &'a HashMap<String, asset::Model>,
    pub tags_by_id: &'a HashMap<i32, String>,
}

/// The sites, departments and models an import creates, in the order of their placeholder ids.
#[derive(Debug, Default)]
pub struct NewRecords {
    pub sites: Vec<String>,
    pub departments: Vec<String>,
    pub models: Vec<NewModel>,
}

/// Where a row's parent was found when its row was planned; whether that is allowed is known only at the
/// end of the file (the parent may come later, or be given a parent of its own further down).
enum ParentFound {
    InRegister,
    InRegisterWithAParent,
    NotInRegister,
}

/// Plans rows a chunk at a time against the catalogue and the existing assets each chunk names, keeping
/// the names to create across chunks; the checks that need the whole file wait for [`Planner::finish`].
pub struct Planner<'a> {
    sites: Names,
    departments: Names,
    models: Models<'a>,
    create_missing: bool,
    now: DateTime<Utc>,
    problems: Vec<Problem>,
    parents: Vec<(u64, String, ParentFound)>,
}

impl<'a> Planner<'a> {
    pub fn new(catalogue: Catalogue<'a>, create_missing: bool, now: DateTime<Utc>) -> Planner<'a> {
        Planner {
            sites: Names::new(catalogue.sites.iter().map(|s| (s.name.clone(), s.id))),
            departments: Names::new(
                catalogue.departments.iter().flat_map(|d| {
                    std::iter::once((d.name.clone(), d.id)).chain(d.cost_centre.clone().map(|c| (c, d.id)))
                }),
            ),
            models: Models::new(catalogue.models),
            create_missing,
            now,
            problems: vec![],
            parents: vec![],
        }
    }

    /// Whether any row planned so far cannot be imported.
    pub fn has_problems(&self) -> bool {
        !self.problems.is_empty()
    }

    /// The sites, departments and models planned for creation so far (placeholder -1 is the first).
    pub fn new_sites(&self) -> &[String] {
        &self.sites.new
    }

    pub fn new_departments(&self) -> &[String] {
        &self.departments.new
    }

    pub fn new_models(&self) -> &[NewModel] {
        &self.models.new
    }

    /// Every problem found, or what the import creates besides assets.
    pub fn finish(mut self, facts: FileFacts) -> Result<NewRecords, Vec<Problem>> {
        let FileFacts { header, problems: file_problems, tags, children } = facts;
        let column = header.name_of(AssetField::ParentAssetTag).to_string();
        for (line, parent, found) in std::mem::take(&mut self.parents) {
            let refused = if children.contains(&parent) {
                Some((
                    format!("{parent} itself belongs to another asset in this file"),
                    "link to the PC at the top instead",
                ))
            } else {
                match found {
                    ParentFound::InRegisterWithAParent => {
                        Some((format!("{parent} itself belongs to another asset"), "link to the PC at the top instead"))
                    }
                    ParentFound::NotInRegister if !tags.contains(&parent) => Some((
                        format!("no asset with tag {parent} in the register or in this file"),
                        "check the tag, or add a row for that asset",
                    )),
                    _ => None,
                }
            };
            if let Some((message, fix)) = refused {
                self.problems.push(Problem::cell(line, &column, &parent, message, fix));
            }
        }
        let mut problems = file_problems;
        problems.append(&mut self.problems);
        if !problems.is_empty() {
            problems.sort_by_key(|p| p.line);
            return Err(problems);
        }
        Ok(NewRecords { sites: self.sites.new, departments: self.departments.new, models: self.models.new })
    }

    /// Decides, row by row, what the import does with each; rows with problems are left out and their
    /// problems kept for [`Planner::finish`].
    pub fn plan_rows(
        &mut self,
        header: &Header<AssetField>,
        rows: Vec<AssetRow>,
        snap: &Existing<'_>,
    ) -> Vec<PlannedAsset> {
        let mut planned = Vec::with_capacity(rows.len());
        for row in rows {
            if let Some(p) = self.plan_row(header, row, snap) {
                planned.push(p);
            }
        }
        planned
    }

    fn plan_row(&mut self, header: &Header<AssetField>, row: AssetRow, snap: &Existing<'_>) -> Option<PlannedAsset> {
        let (create_missing, now) = (self.create_missing, self.now);
        let column = |f: AssetField| header.name_of(f).to_string();
        let problems = &mut self.problems;
        let AssetRow { line, tag, mut changes, site, department, model: model_name } = row;
        let mut at = |f: AssetField, value: &str, message: String, fix: String| {
            problems.push(Problem::cell(line, &column(f), value, message, fix))
        };
        match &site {
            Patch::Value(name) => match self.sites.resolve(name, create_missing) {
                Some(id) => changes.site_id = Patch::Value(id),
                None => at(AssetField::Site, name, format!("site {name} is not in the register"), MISSING_FIX.into()),
            },
            Patch::Null => changes.site_id = Patch::Null,
            Patch::Missing => {}
        }
        match &department {
            Patch::Value(name) => match self.departments.resolve(name, create_missing) {
                Some(id) => changes.department_id = Patch::Value(id),
                None => at(
                    AssetField::Department,
                    name,
                    format!("department {name} is not in the register (by name or cost centre)"),
                    MISSING_FIX.into(),
                ),
            },
            Patch::Null => changes.department_id = Patch::Null,
            Patch::Missing => {}
        }
        match &model_name {
            Patch::Value(want) => {
                let category = match &changes.category {
                    Patch::Value(c) => Some(*c),
                    _ => None,
                };
                match self.models.resolve(want, category, create_missing) {
                    Ok(id) => changes.model_id = Patch::Value(id),
                    Err((message, fix)) => at(AssetField::Model, &want.name, message, fix),
                }
            }
            Patch::Null => changes.model_id = Patch::Null,
            Patch::Missing => {}
        }
        let existing = snap.assets.get(tag.as_str());
        let mut m = existing.cloned().unwrap_or_else(|| assets::blank(now));
        let previous_state = existing.and_then(|e| e.lifecycle_state.parse::<LifecycleState>().ok());
        let refs = match changes.apply(&mut m) {
            Ok(r) => r,
            Err(errs) => {
                field_problems(problems, line, header, errs);
                return None;
            }
        };
        let mut parent_in_file = None;
        let mut parent_tag = existing.and_then(|e| e.parent_asset_id).and_then(|id| snap.tags_by_id.get(&id).cloned());
        match refs.parent_asset_tag.clone() {
            Patch::Missing => {}
            Patch::Null => {
                m.parent_asset_id = None;
                parent_tag = None;
            }
            Patch::Value(p) => {
                let p = p.to_string();
                if p == tag.as_str() {
                    problems.push(Problem::cell(
                        line,
                        &column(AssetField::ParentAssetTag),
                        &p,
                        "an asset cannot be its own parent",
                        "give the tag of the PC this device belongs to",
                    ));
                } else {
                    let found = match snap.assets.get(&p) {
                        Some(parent) if parent.parent_asset_id.is_some() => ParentFound::InRegisterWithAParent,
                        Some(parent) => {
                            m.parent_asset_id = Some(parent.id);
                            parent_tag = Some(p.clone());
                            ParentFound::InRegister
                        }
                        None => {
                            m.parent_asset_id = None;
                            parent_in_file = Some(p.clone());
                            parent_tag = Some(p.clone());
                            ParentFound::NotInRegister
                        }
                    };
                    self.parents.push((line, p, found));
                }
            }
        }
        let model = m.model_id.and_then(|id| self.models.get(id)).cloned();
        let mut errs = FieldErrors::default();
        match assets::settle(&mut m, model.as_ref(), refs.category, refs.lifecycle_state, previous_state, &mut errs) {
            Err(AppError::Conflict { message, .. }) => problems.push(Problem::cell(
                line,
                &column(AssetField::LifecycleState),
                m.lifecycle_state.as_str(),
                message,
                "give a state the asset can move to next, or move it in steps with one import per step",
            )),
            Err(e) => problems.push(Problem::at(line, format!("{e:?}"), "check the row".to_string())),
            Ok(()) => {}
        }
        if !errs.is_empty() {
            field_problems(problems, line, header, errs);
        }
        let outcome = match existing {
            None => Outcome::Create,
            Some(before) => {
                m.created_at = before.created_at;
                m.updated_at = before.updated_at;
                if m == *before && parent_in_file.is_none() {
                    Outcome::Unchanged
                } else {
                    if before.lifecycle_state == LifecycleState::Disposed.as_str() {
                        problems.push(Problem::at(
                            line,
                            format!("asset {tag} is disposed; its record is kept as it was and cannot be changed"),
                            "remove this row, or put back the values the register holds (export them to see)",
                        ));
                    }
                    let before_parent_tag = before.parent_asset_id.and_then(|id| snap.tags_by_id.get(&id).cloned());
                    m.updated_at = now;
                    Outcome::Update { before: Box::new(before.clone()), before_parent_tag }
                }
            }
        };
        Some(PlannedAsset { line, asset: m, parent_in_file, parent_tag, outcome })
    }
}

const MISSING_FIX: &str =
    "check the spelling, add it to the register first, or import with --create-missing (\"create missing\" on the page)";

fn field_problems(
    problems: &mut Vec<Problem>,
    line: u64,
    header: &super::columns::Header<AssetField>,
    errs: FieldErrors,
) {
    for e in errs.0 {
        let column = AssetField::ALL
            .iter()
            .find(|f| f.name() == e.field || format!("{}_id", f.name()) == e.field)
            .map_or(e.field.clone(), |f| header.name_of(*f).to_string());
        problems.push(Problem {
            line: Some(line),
            column: Some(column),
            value: None,
            message: e.message,
            fix: "correct the value on this row".into(),
        });
    }
}
