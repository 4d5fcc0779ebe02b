//! The command line: `serve`, `migrate`, `demo`, `import`, `export`, `report`. Each loads the configuration once and passes it on.

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
        /// For meter readings: the meter's name (created with --create-missing, at --site).
        #[arg(long)]
        meter: Option<String>,
        /// For meter readings: the meter's site, by name.
        #[arg(long)]
        site: Option<String>,
        /// Who is importing, for the audit trail (default: the operating-system user).
        #[arg(long, env = "USER")]
        user: Option<String>,
    },
    /// People who sign in: `greenict user create amy.jones --role ict` (the password is read from
    /// standard input, or asked for).
    User {
        #[command(flatten)]
        db: DbArgs,
        #[command(subcommand)]
        action: UserCommand,
    },
    /// API tokens for integrations: `greenict token create --name "Power BI" --role viewer`.
    Token {
        #[command(flatten)]
        db: DbArgs,
        #[command(subcommand)]
        action: TokenCommand,
    },
    /// A consistent copy of the SQLite database and the documents, taken while the service runs.
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// The directory to write the backup into (created; must not hold a backup already).
        #[arg(long, short)]
        out: PathBuf,
    },
    /// Put a backup back: the service must be stopped; the current files are kept aside.
    Restore {
        #[command(flatten)]
        db: DbArgs,
        /// The backup directory written by `greenict backup`.
        #[arg(long)]
        from: PathBuf,
    },
    /// Write a report defined in reports/ as a self-contained HTML file and a PDF:
    /// `greenict report members --fy 2025` writes members-2025-26.html and .pdf into <data_dir>/reports.
    Report {
        #[command(flatten)]
        db: DbArgs,
        /// Which report: members (the members' carbon report), refresh-disposal or energy-audit.
        #[arg(value_enum)]
        kind: ReportKind,
        /// The financial year by its first calendar year: 2025 is 2025/26. Default: the current one.
        #[arg(long)]
        fy: Option<i32>,
        /// The baseline year (default: three years before).
        #[arg(long)]
        baseline: Option<i32>,
        /// For energy-audit: the site, by name or id.
        #[arg(long)]
        site: Option<String>,
        /// The directory to write into (created). Default: <data_dir>/reports.
        #[arg(long, short)]
        out: Option<PathBuf>,
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

#[derive(Subcommand)]
enum UserCommand {
    /// Add a person. With --admin, an administrator (how the first one is made: there is no default).
    Create {
        username: String,
        /// viewer, facilities, ict or admin.
        #[arg(long, default_value = "viewer")]
        role: String,
        /// Same as --role admin.
        #[arg(long)]
        admin: bool,
        /// The name shown in the header and the audit trail's pages.
        #[arg(long)]
        name: Option<String>,
    },
    /// Set a person's password (it ends their sessions).
    Password { username: String },
    /// Print a one-time sign-in link for a person (for a first visit, or a forgotten password).
    Link {
        username: String,
        /// How long it stays valid.
        #[arg(long, default_value_t = 60)]
        minutes: i64,
    },
    /// List people and their roles.
    List,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Issue a token; the secret is printed once.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "viewer")]
        role: String,
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ReportKind {
    /// The members' carbon report for a financial year.
    Members,
    /// The refresh and disposal report for a financial year.
    RefreshDisposal,
    /// The energy audit report for one site (--site) and financial year.
    EnergyAudit,
}

#[derive(Args)]
struct DbArgs {
    /// Database URL, e.g. postgres://user@host/db. Default: SQLite in the data directory.
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Directory for the SQLite file, documents and reports.
    #[arg(long, global = true)]
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
        | Command::User { db, .. }
        | Command::Token { db, .. }
        | Command::Backup { db, .. }
        | Command::Restore { db, .. }
        | Command::Demo { db, .. }
        | Command::Import { db, .. }
        | Command::Export { db, .. }
        | Command::Report { db, .. } => (db.overrides(), &cli.command),
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
        Command::Import { kind, file, dry_run, create_missing, mapping, meter, site, user, .. } => {
            let db = open(&config, config.auto_migrate).await?;
            std::fs::metadata(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
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
                meter: meter
                    .clone()
                    .map(|name| crate::import::meter_import::MeterChoice::Named { name, site: site.clone() }),
            };
            let actor = user
                .as_deref()
                .and_then(crate::services::Actor::declared)
                .unwrap_or_else(crate::services::Actor::system);
            let bar = crate::import::progress::Bar::new();
            let summary = crate::import::import(
                &db,
                &actor,
                *kind,
                crate::import::Input::File(file.clone()),
                &mapping,
                &options,
                &bar,
            )
            .await
            .map_err(|e| format!("import: {e:?}"))?;
            print!("{}", crate::import::report::text(&summary, &file.display().to_string()));
            if summary.is_refused() {
                return Err(format!("{} problem(s): nothing was imported", summary.problems.len()));
            }
            Ok(())
        }
        Command::User { action, .. } => {
            let db = open(&config, config.auto_migrate).await?;
            crate::cli_users::user(&db, &config, action_of(action)).await
        }
        Command::Token { action: TokenCommand::Create { name, role, days }, .. } => {
            let db = open(&config, config.auto_migrate).await?;
            crate::cli_users::token(&db, name, role, *days).await
        }
        Command::Backup { out, .. } => {
            let db = open(&config, false).await?;
            let report = crate::store::backup::backup(&db, &config.data_dir, out).await?;
            println!("{report}");
            Ok(())
        }
        Command::Restore { from, .. } => {
            if !config.uses_sqlite() {
                return Err("restore puts back the embedded SQLite database; for PostgreSQL use pg_restore".into());
            }
            println!("{}", crate::store::backup::restore(from, &config.data_dir).await?);
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
        Command::Report { kind, fy, baseline, site, out, .. } => {
            let db = open(&config, config.auto_migrate).await?;
            let year = match fy {
                Some(y) if (1990..=2100).contains(y) => crate::energy::FinancialYear(*y),
                Some(y) => return Err(format!("--fy {y}: a financial year is given by its first year, 1990–2100")),
                None => crate::services::energy::current_financial_year(),
            };
            let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::London).date_naive();
            let cache = crate::services::charts::EstimateCache::default();
            let src = crate::services::charts::Source::new(&db, &cache).await.map_err(|e| format!("report: {e:?}"))?;
            let dir = out.clone().unwrap_or_else(|| config.data_dir.join("reports"));
            std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            let mut files = Vec::new();
            match kind {
                ReportKind::Members => {
                    let report = crate::services::reports::members(&src, year, *baseline, today)
                        .await
                        .map_err(|e| format!("report: {e:?}"))?;
                    for format in crate::reports::Format::BOTH {
                        files.push(crate::reports::members_file(&report, format)?);
                    }
                }
                ReportKind::RefreshDisposal => {
                    let report = crate::services::reports::refresh_disposal(&src, year, today)
                        .await
                        .map_err(|e| format!("report: {e:?}"))?;
                    for format in crate::reports::Format::BOTH {
                        files.push(crate::reports::refresh_disposal_file(&report, format)?);
                    }
                }
                ReportKind::EnergyAudit => {
                    let site = match crate::services::reports::find_site(&db, site.as_deref()).await {
                        Ok(s) => s,
                        Err(crate::error::AppError::Unprocessable(errs)) => {
                            let why: Vec<String> = errs.0.iter().map(|e| e.message.clone()).collect();
                            return Err(format!("--site: {}", why.join("; ")));
                        }
                        Err(e) => return Err(format!("report: {e:?}")),
                    };
                    let report = crate::services::reports::energy_audit(&src, year, &site, today)
                        .await
                        .map_err(|e| format!("report: {e:?}"))?;
                    for format in crate::reports::Format::BOTH {
                        files.push(crate::reports::energy_audit_file(&report, format)?);
                    }
                }
            }
            for (name, bytes) in files {
                let path = dir.join(name);
                std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                println!("{}", path.display());
            }
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
                crate::cli_users::demo_sign_in(&db, &config).await?;
            }
            tokio::spawn(crate::services::agents::rollup_every(db.clone(), std::time::Duration::from_secs(300)));
            tracing::info!("serving on http://{}:{}/", config.address, config.port);
            let figment = crate::web::figment(config.address, config.port)
                .merge(("secret_key", config.cookie_key()?))
                .merge(("secure_cookies", config.secure_cookies))
                .merge(("scheduler", &config.scheduler))
                .merge((crate::web::api::disposals::DATA_DIR_KEY, &config.data_dir));
            crate::web::build_rocket(figment, db).launch().await.map(|_| ()).map_err(|e| format!("server: {e}"))
        }
    }
}

fn action_of(a: &UserCommand) -> crate::cli_users::UserAction<'_> {
    use crate::cli_users::UserAction;
    match a {
        UserCommand::Create { username, role, admin, name } => {
            UserAction::Create { username, role: if *admin { "admin" } else { role }, name: name.as_deref() }
        }
        UserCommand::Password { username } => UserAction::Password { username },
        UserCommand::List => UserAction::List,
        UserCommand::Link { username, minutes } => UserAction::Link { username, minutes: *minutes },
    }
}
