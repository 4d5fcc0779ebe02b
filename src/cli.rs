//! The command line: `serve`, `migrate`, `demo`. Each loads the configuration once and passes it on.

use clap::{Args, Parser, Subcommand};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::{Config, Overrides};
use crate::store::connect;

#[derive(Parser)]
#[command(name = "greenict", version, about = "Green ICT energy and asset lifecycle tracker")]
struct Cli {
    /// Configuration file (TOML). Default: greenict.toml in the working directory, if present.
    #[arg(long, global = true, env = "GREENICT_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web service (creates and migrates the SQLite database on first start).
    Serve {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        address: Option<IpAddr>,
        #[arg(long)]
        port: Option<u16>,
        /// Load the demo council estate first, if the register is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Load the deterministic demo estate into an empty register.
    Demo {
        #[command(flatten)]
        db: DbArgs,
        /// How many assets to generate (default about 1,500; benchmarks use 100,000).
        #[arg(long)]
        assets: Option<usize>,
    },
}

#[derive(Args)]
struct DbArgs {
    /// Database URL, e.g. postgres://user@host/db. Default: SQLite in the data directory.
    #[arg(long)]
    database_url: Option<String>,
    /// Directory for the SQLite file, documents and reports.
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

impl DbArgs {
    fn overrides(&self) -> Overrides {
        Overrides { data_dir: self.data_dir.clone(), database_url: self.database_url.clone(), ..Default::default() }
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let (overrides, command) = match &cli.command {
        Command::Serve { db, address, port, .. } => {
            (Overrides { address: *address, port: *port, ..db.overrides() }, &cli.command)
        }
        Command::Migrate { db } | Command::Demo { db, .. } => (db.overrides(), &cli.command),
    };
    let config = match Config::load(cli.config.as_deref(), overrides) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("greenict: {e}");
            return ExitCode::from(2);
        }
    };
    init_tracing(&config.log);
    match rocket::execute(run(config, command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("greenict: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| "info".into());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).try_init();
}

async fn open(config: &Config, migrate: bool) -> Result<sea_orm::DatabaseConnection, String> {
    if config.uses_sqlite() {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| format!("cannot create data directory {}: {e}", config.data_dir.display()))?;
    }
    let db = connect::connect(&config.database_url(), None).await.map_err(|e| {
        format!("cannot open the database ({}): {e}", crate::config::redact_url(&config.database_url()))
    })?;
    if migrate {
        connect::migrate(&db).await.map_err(|e| format!("migration failed: {e}"))?;
    }
    Ok(db)
}

async fn run(config: Config, command: &Command) -> Result<(), String> {
    tracing::info!("configuration: {}", config.describe());
    match command {
        Command::Migrate { .. } => {
            let db = open(&config, true).await?;
            tracing::info!(
                "migrations applied; pending now: {}",
                connect::pending_migrations(&db).await.map_err(|e| e.to_string())?.len()
            );
            Ok(())
        }
        Command::Demo { assets, .. } => {
            let db = open(&config, true).await?;
            let loaded = crate::demo::load(&db, assets.unwrap_or(crate::demo::DEFAULT_ASSETS))
                .await
                .map_err(|e| format!("demo: {e:?}"))?;
            println!("{loaded}");
            Ok(())
        }
        Command::Serve { demo, .. } => {
            let db = open(&config, config.auto_migrate).await?;
            if *demo {
                let loaded =
                    crate::demo::load(&db, crate::demo::DEFAULT_ASSETS).await.map_err(|e| format!("demo: {e:?}"))?;
                tracing::info!("{loaded}");
            }
            tracing::info!("serving on http://{}:{}/", config.address, config.port);
            crate::web::build_rocket(crate::web::figment(config.address, config.port), db)
                .launch()
                .await
                .map(|_| ())
                .map_err(|e| format!("server: {e}"))
        }
    }
}
