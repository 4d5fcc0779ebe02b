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
    /// Signs and encrypts session cookies: base64 of at least 32 random bytes. Unset: one is generated
    /// once into `<data_dir>/secret_key`. Several instances behind a load balancer must share one.
    pub secret_key: Option<Secret>,
    /// Mark the session cookie Secure: set when users reach the service over HTTPS.
    pub secure_cookies: bool,
    /// The power scheduler (`[scheduler]`): see `scheduler::SchedulerConfig`.
    #[serde(default)]
    pub scheduler: crate::scheduler::SchedulerConfig,
}

/// A configuration value never printed: not in logs, not in `Debug`.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
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
            secret_key: None,
            secure_cookies: false,
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
            "data_dir={} database={} listen={}:{} auto_migrate={} log={} secret_key={} secure_cookies={}",
            self.data_dir.display(),
            redact_url(&self.database_url()),
            self.address,
            self.port,
            self.auto_migrate,
            self.log,
            if self.secret_key.is_some() { "set" } else { "from data_dir" },
            self.secure_cookies
        )
    }

    /// The key for session cookies: the configured one, or the one kept in the data directory (made on
    /// first start, readable by the service's user only).
    pub fn cookie_key(&self) -> Result<String, String> {
        use base64::Engine;
        let check = |k: &str, whence: &str| -> Result<String, String> {
            let k = k.trim();
            match base64::engine::general_purpose::STANDARD.decode(k) {
                Ok(bytes) if bytes.len() >= 32 => Ok(k.to_string()),
                _ => Err(format!(
                    "{whence}: the secret key must be base64 of at least 32 random bytes (for example the output of \
                     `openssl rand -base64 32`)"
                )),
            }
        };
        if let Some(Secret(k)) = &self.secret_key {
            return check(k, "configuration secret_key");
        }
        let path = self.data_dir.join("secret_key");
        match std::fs::read_to_string(&path) {
            Ok(k) => check(&k, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(&self.data_dir)
                    .map_err(|e| format!("cannot create data directory {}: {e}", self.data_dir.display()))?;
                let mut bytes = [0u8; 32];
                getrandom::fill(&mut bytes).map_err(|e| format!("no random source: {e}"))?;
                let key = base64::engine::general_purpose::STANDARD.encode(bytes);
                write_private(&path, &key).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                Ok(key)
            }
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }
}

/// Writes a file only its owner may read (on Unix; elsewhere the directory's permissions apply).
pub fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
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
    fn a_cookie_key_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config { data_dir: dir.path().join("d"), ..Config::default() };
        let k1 = c.cookie_key().unwrap();
        assert_eq!(c.cookie_key().unwrap(), k1, "the second start reads the same key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("d/secret_key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "only the owner may read the key");
        }
        let short = Config { secret_key: Some(Secret("c2hvcnQ=".into())), ..Config::default() };
        assert!(short.cookie_key().unwrap_err().contains("at least 32"));
    }

    #[test]
    fn passwords_never_printed() {
        assert_eq!(redact_url("postgres://u:secret@db/greenict"), "postgres://u:***@db/greenict");
        assert_eq!(redact_url("sqlite://data/x.sqlite?mode=rwc"), "sqlite://data/x.sqlite?mode=rwc");
        let c = Config { database_url: Some("postgres://u:secret@h/d".into()), ..Config::default() };
        assert!(!c.describe().contains("secret@"));
        let c = Config { secret_key: Some(Secret("c2VjcmV0".into())), ..Config::default() };
        assert!(!c.describe().contains("c2VjcmV0") && !format!("{c:?}").contains("c2VjcmV0"));
    }

    #[test]
    // Jail's closure returns figment's own error type, which is large; that is figment's API, not ours.
    #[allow(clippy::result_large_err)]
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
