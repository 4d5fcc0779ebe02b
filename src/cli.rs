//! The command line: `serve`, `migrate`, `demo`, `import`, `export`. Each loads the configuration once and passes it on.

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
    /// Import a CSV file into the register: all of it, or nothing and every problem listed.
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// What the file holds.
        #[arg(value_enum)]
        kind: crate::import::Kind,
        file: PathBuf,
        /// Check the file and say what would change, without changing anything.
        #[arg(long)]
        dry_run: bool,
        /// Create the sites, departments and models the file names that the register lacks.
        #[arg(long)]
        create_missing: bool,
        /// A TOML file naming which field each column fills: [columns] "Header" = "field" or "ignore".
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// Who is importing, for the audit trail (default: the operating-system user).
        #[arg(long, env = "USER")]
        user: Option<String>,
    },
    /// Write the register as CSV in greenict's own columns (re-imports to the same register).
    Export {
        #[command(flatten)]
        db: DbArgs,
        #[arg(value_enum)]
        kind: crate::import::Kind,
        /// Where to write; default standard output.
        #[arg(long, short)]
        out: Option<PathBuf>,
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
        Command::Migrate { db }
        | Command::Demo { db, .. }
        | Command::Import { db, .. }
        | Command::Export { db, .. } => (db.overrides(), &cli.command),
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
    let _ =
        tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_writer(std::io::stderr).try_init();
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
        Command::Import { kind, file, dry_run, create_missing, mapping, user, .. } => {
            let db = open(&config, config.auto_migrate).await?;
            let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let mapping = match mapping {
                Some(path) => {
                    let text =
                        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                    crate::import::Mapping::parse(&text).map_err(|p| format!("{}: {p}", path.display()))?
                }
                None => crate::import::Mapping::default(),
            };
            let options = crate::import::ImportOptions {
                dry_run: *dry_run,
                create_missing: *create_missing,
                source: file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into()),
            };
            let actor = user
                .as_deref()
                .and_then(crate::services::Actor::declared)
                .unwrap_or_else(crate::services::Actor::system);
            let bar = crate::import::progress::Bar::new();
            let summary = crate::import::import(&db, &actor, *kind, &bytes, &mapping, &options, &bar)
                .await
                .map_err(|e| format!("import: {e:?}"))?;
            print!("{}", crate::import::report::text(&summary, &file.display().to_string()));
            if summary.is_refused() {
                return Err(format!("{} problem(s): nothing was imported", summary.problems.len()));
            }
            Ok(())
        }
        Command::Export { kind, out, .. } => {
            let db = open(&config, config.auto_migrate).await?;
            let written = match out {
                Some(path) => {
                    let f = std::fs::File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                    crate::import::export(&db, *kind, std::io::BufWriter::new(f)).await
                }
                None => crate::import::export(&db, *kind, std::io::stdout()).await,
            }
            .map_err(|e| format!("export: {e:?}"))?;
            tracing::info!("exported {written} rows");
            Ok(())
        }
        Command::Serve { demo, .. } => {
            let db = open(&config, config.auto_migrate).await?;
            if let Err(e) = connect::optimize(&db).await {
                tracing::warn!("could not refresh the query planner's statistics: {e}");
            }
            if *demo {
                let loaded =
                    crate::demo::load(&db, crate::demo::DEFAULT_ASSETS).await.map_err(|e| format!("demo: {e:?}"))?;
                tracing::info!("{loaded}");
            }
            tracing::info!("serving on http://{}:{}/", config.address, config.port);
            let figment = crate::web::figment(config.address, config.port)
                .merge((crate::web::api::disposals::DATA_DIR_KEY, &config.data_dir));
            crate::web::build_rocket(figment, db).launch().await.map(|_| ()).map_err(|e| format!("server: {e}"))
        }
    }
}
