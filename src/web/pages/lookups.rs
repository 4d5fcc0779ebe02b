//! The names behind ids (sites, departments, models) for tables, and the same lists as form choices.

use sea_orm::ConnectionTrait;

use super::forms::Choice;
use crate::domain::{Category, LifecycleState};
use crate::error::AppResult;
use crate::services::device_models::{self, DeviceModelView};
use crate::services::{departments, sites};

pub struct Lookups {
    pub sites: Vec<(i32, String)>,
    pub departments: Vec<(i32, String)>,
    pub models: Vec<DeviceModelView>,
}

impl Lookups {
    pub async fn load<C: ConnectionTrait>(conn: &C) -> AppResult<Lookups> {
        Ok(Lookups {
            sites: sites::list(conn).await?.into_iter().map(|s| (s.id, s.name)).collect(),
            departments: departments::list(conn).await?.into_iter().map(|d| (d.id, d.name)).collect(),
            models: device_models::list(conn, None).await?,
        })
    }

    fn name(list: &[(i32, String)], id: Option<i32>) -> Option<String> {
        let id = id?;
        list.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone())
    }

    pub fn site(&self, id: Option<i32>) -> Option<String> {
        Lookups::name(&self.sites, id)
    }

    pub fn department(&self, id: Option<i32>) -> Option<String> {
        Lookups::name(&self.departments, id)
    }

    pub fn model(&self, id: Option<i32>) -> Option<&DeviceModelView> {
        let id = id?;
        self.models.iter().find(|m| m.id == id)
    }

    pub fn model_name(&self, id: Option<i32>) -> Option<String> {
        self.model(id).map(model_label)
    }

    pub fn site_choices(&self) -> Vec<Choice> {
        self.sites.iter().map(|(id, n)| Choice::new(id, n.clone())).collect()
    }

    pub fn department_choices(&self) -> Vec<Choice> {
        self.departments.iter().map(|(id, n)| Choice::new(id, n.clone())).collect()
    }

    pub fn model_choices(&self) -> Vec<Choice> {
        self.models.iter().map(|m| Choice::new(m.id, model_label(m))).collect()
    }
}

pub fn model_label(m: &DeviceModelView) -> String {
    format!("{} {}", m.manufacturer, m.name)
}

pub fn category_choices() -> Vec<Choice> {
    Category::ALL.iter().map(|c| Choice::new(c.as_str(), c.label())).collect()
}

pub fn state_choices(states: &[LifecycleState]) -> Vec<Choice> {
    states.iter().map(|s| Choice::new(s.as_str(), s.label())).collect()
}
