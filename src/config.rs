//! One typed configuration, read once at start: defaults < config file < `GREENICT_*` environment < flags.

use rocket::figment::providers::{Env, Format, Serialized, Toml};
use rocket::figment::Figment;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// Holds the SQLite file, uploaded documents and generated reports.
    pub data_dir: PathBuf,
    /// Unset means the embedded SQLite file `<data_dir>/greenict.sqlite`.
    pub database_url: Option<String>,
    pub address: IpAddr,
    pub port: u16,
    /// Apply pending migrations at start. With several instances on PostgreSQL, turn this off and run
    /// `greenict migrate` once per release; `/readyz` reports pending migrations.
    pub auto_migrate: bool,
    /// A tracing filter, e.g. `info` or `greenict=debug`.
    pub log: String,
    /// The power scheduler (`[scheduler]`): see `scheduler::SchedulerConfig`.
    #[serde(default)]
    pub scheduler: crate::scheduler::SchedulerConfig,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            data_dir: PathBuf::from("data"),
            database_url: None,
            address: IpAddr::from([127, 0, 0, 1]),
            port: 8000,
            auto_migrate: true,
            log: "info".into(),
            scheduler: crate::scheduler::SchedulerConfig::default(),
        }
    }
}

/// Values given on the command line; only those present override.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<IpAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

impl Config {
    /// `file` is the config file named by `--config`/`GREENICT_CONFIG`; without one, `greenict.toml` in
    /// the working directory is read if present.
    pub fn load(file: Option<&Path>, overrides: Overrides) -> Result<Config, String> {
        let file = file.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("greenict.toml"));
        let config: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(&file))
            .merge(Env::prefixed("GREENICT_").ignore(&["config", "test_database_url"]))
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(|e| format!("configuration: {e}"))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        self.scheduler.validate()?;
        if let Some(url) = &self.database_url {
            if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return Err(format!(
                    "configuration: database_url '{}' is neither sqlite:... nor postgres://...",
                    redact_url(url)
                ));
            }
        }
        Ok(())
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(u) => u.clone(),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("greenict.sqlite").display()),
        }
    }

    pub fn uses_sqlite(&self) -> bool {
        self.database_url().starts_with("sqlite:")
    }

    /// The configuration as printed at start: the database password is never shown.
    pub fn describe(&self) -> String {
        format!(
            "data_dir={} database={} listen={}:{} auto_migrate={} log={}",
            self.data_dir.display(),
            redact_url(&self.database_url()),
            self.address,
            self.port,
            self.auto_migrate,
            self.log
        )
    }
}

/// Replaces any password in a URL with `***`.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => raw.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_printed() {
        assert_eq!(redact_url("postgres://u:secret@db/greenict"), "postgres://u:***@db/greenict");
        assert_eq!(redact_url("sqlite://data/x.sqlite?mode=rwc"), "sqlite://data/x.sqlite?mode=rwc");
        let c = Config { database_url: Some("postgres://u:secret@h/d".into()), ..Config::default() };
        assert!(!c.describe().contains("secret"));
    }

    #[test]
    fn layers_override_in_order() {
        rocket::figment::Jail::expect_with(|jail| {
            jail.create_file("greenict.toml", "port = 9000\ndata_dir = \"/srv/g\"\nlog = \"debug\"")?;
            jail.set_env("GREENICT_PORT", "9100");
            let c = Config::load(None, Overrides { data_dir: Some("/flag".into()), ..Default::default() })
                .map_err(|e| e.to_string())?;
            assert_eq!(c.port, 9100, "environment beats file");
            assert_eq!(c.log, "debug", "file beats default");
            assert_eq!(c.data_dir, PathBuf::from("/flag"), "flag beats file");
            assert_eq!(c.address, IpAddr::from([127, 0, 0, 1]), "default kept");
            Ok(())
        });
    }
}
