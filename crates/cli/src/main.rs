//! kith-cli: the headless front door to kith-core, over the same data directory
//! as the desktop app.

mod bench;
mod export;
mod fields;
mod files;
mod import;
mod notes;
mod output;
mod peak_rss;
mod sync;
mod tasks;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use kith_core::users::{NewCustomValue, NewUser, UserSort};
use kith_core::Kith;
use uuid::Uuid;

use output::Output;

/// The desktop app's identifier: its data directory is named after it.
const APP_IDENTIFIER: &str = "app.kith.desktop";

#[derive(Parser)]
#[command(name = "kith-cli", version, about = "Kith from the command line")]
struct Cli {
    /// Data directory (default: the desktop app's, in the OS app data dir).
    #[arg(long, global = true, env = "KITH_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Print one JSON document on stdout.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Add, show, list, delete and restore users.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Search users by name, email or phone digits.
    Search {
        #[arg(allow_hyphen_values = true)]
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// Add deterministic, realistic demo users.
    Demo {
        #[arg(long)]
        users: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Import users from a CSV file (any common export, encoding or delimiter) or a
    /// vCard file (.vcf: Apple Contacts, Google Contacts, Outlook, phones).
    Import(import::ImportArgs),
    /// Undo an import: users it created go to the trash, updated ones get their
    /// previous values back.
    UndoImport { batch_id: Uuid },
    /// The imports made on this desktop, newest first, with their batch ids.
    Imports {
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// Export users (all, or those a search finds) to CSV, with Kith ids so the
    /// file can be edited and imported again as updates.
    Export(export::ExportArgs),
    /// Relationship notes: add, list, search.
    #[command(subcommand)]
    Notes(notes::NotesCommand),
    /// Files attached to users: attach, list, find.
    #[command(subcommand)]
    Files(files::FilesCommand),
    /// Custom fields: add, list, edit, delete, restore.
    #[command(subcommand)]
    Fields(fields::FieldsCommand),
    /// Add, list and complete tasks on users.
    #[command(subcommand)]
    Tasks(tasks::TasksCommand),
    /// The team directory: who tasks are assigned to.
    #[command(subcommand)]
    Staff(tasks::StaffCommand),
    /// Sync with a Kith server: login, now, status, logout.
    #[command(subcommand)]
    Sync(sync::SyncCommand),
    /// Measure search, open and memory; prints the BENCHMARKS.md tables.
    Bench(bench::BenchArgs),
}

#[derive(Subcommand)]
enum UsersCommand {
    Add {
        #[arg(long)]
        first_name: String,
        #[arg(long)]
        last_name: String,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        mobile_phone: Option<String>,
        #[arg(long)]
        home_phone: Option<String>,
        /// A custom field's value, "Field=value" (repeatable); required fields need one.
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        set: Vec<String>,
    },
    /// Set fields of a user: built-in ones (email, mobile_phone, first_name, …) or
    /// custom fields by name, ignoring case. An empty value clears the field.
    Set {
        id: Uuid,
        #[arg(value_name = "FIELD=VALUE", required = true)]
        values: Vec<String>,
    },
    Show {
        id: Uuid,
    },
    List {
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long, default_value_t = 0)]
        offset: i64,
    },
    /// Move a user to the trash.
    Delete {
        id: Uuid,
    },
    /// Bring a user back from the trash.
    Restore {
        id: Uuid,
    },
}

/// "Field=value" split at its first "=" (a value may hold more).
fn field_value(pair: &str) -> Result<(&str, &str)> {
    match pair.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => Ok((name.trim(), value)),
        _ => bail!("expected FIELD=VALUE, got {pair:?}"),
    }
}

fn default_data_dir() -> Result<PathBuf> {
    let base =
        dirs::data_dir().context("this system has no app data directory; pass --data-dir")?;
    Ok(base.join(APP_IDENTIFIER))
}

async fn run(cli: Cli) -> Result<()> {
    let out = Output::new(cli.json);
    if let Command::Bench(args) = &cli.command {
        return bench::run(args, &out).await;
    }
    let dir = match cli.data_dir {
        Some(d) => d,
        None => default_data_dir()?,
    };
    let kith = Kith::open(&dir)
        .await
        .with_context(|| format!("cannot open the data directory {}", dir.display()))?;
    match cli.command {
        Command::Users(cmd) => users(&kith, cmd, &out).await?,
        Command::Search { query, limit } => {
            let result = kith.search(&query, limit).await?;
            out.users(&result.rows, &result)?;
        }
        Command::Demo { users, seed } => {
            if users == 0 {
                bail!("--users must be at least 1");
            }
            let report = kith_core::demo::generate(kith.store(), users, seed).await?;
            out.message(&format!("added {} demo users", report.users), &report)?;
        }
        Command::Import(args) => import::run(&kith, &args, &out).await?,
        Command::Export(args) => export::run(&kith, &args, &out).await?,
        Command::Notes(cmd) => notes::run(&kith, cmd, &out).await?,
        Command::Files(cmd) => files::run(&kith, cmd, &out).await?,
        Command::UndoImport { batch_id } => {
            let undone = kith_core::import::undo::undo(kith.store(), batch_id, |p| {
                out.progress(&p, &format!("undo: {} users reverted", p.rows))
            })
            .await;
            out.progress_done();
            let report = undone?;
            out.message(
                &format!(
                    "undid import {batch_id}: {} users to the trash, {} restored, \
                     {} values changed since kept, \
                     {} teams and {} custom fields it created removed",
                    report.removed,
                    report.reverted,
                    report.kept,
                    report.teams_removed,
                    report.fields_removed
                ),
                &report,
            )?;
        }
        Command::Imports { limit } => {
            let history = kith_core::import::history::history(kith.store(), limit).await?;
            if out.json {
                out.message("", &history)?;
            } else {
                for r in &history {
                    let undone = if r.undone_at.is_some() {
                        "  (undone)"
                    } else {
                        ""
                    };
                    println!(
                        "{}  {}  {}  {} created, {} updated, {} skipped, {} rejected{undone}",
                        r.batch_id,
                        kith_core::export::format_time(r.finished_at),
                        r.file_name,
                        r.created,
                        r.updated,
                        r.skipped,
                        r.failed
                    );
                }
            }
        }
        Command::Fields(cmd) => fields::run(&kith, cmd, &out).await?,
        Command::Tasks(cmd) => tasks::tasks(&kith, cmd, &out).await?,
        Command::Staff(cmd) => tasks::staff(&kith, cmd, &out).await?,
        Command::Sync(cmd) => sync::run(&kith, cmd, &out).await?,
        Command::Bench(_) => unreachable!("handled above"),
    }
    kith.store().close().await;
    Ok(())
}

async fn users(kith: &Kith, cmd: UsersCommand, out: &Output) -> Result<()> {
    let users = kith.users();
    match cmd {
        UsersCommand::Add {
            first_name,
            last_name,
            email,
            mobile_phone,
            home_phone,
            set,
        } => {
            let mut custom_values = Vec::new();
            for pair in &set {
                let (name, value) = field_value(pair)?;
                let field = kith.fields().by_name(name).await?.with_context(|| {
                    format!("--set: no custom field is named {name:?} (see `kith-cli fields list`)")
                })?;
                custom_values.push(NewCustomValue {
                    field_id: field.id,
                    value: value.to_owned(),
                });
            }
            let draft = NewUser {
                first_name,
                last_name,
                email,
                mobile_phone,
                home_phone,
                custom_values,
            };
            let user = users.create(&draft).await?;
            out.user(&user)?;
        }
        UsersCommand::Set { id, values } => {
            let mut user = None;
            for pair in &values {
                let (name, value) = field_value(pair)?;
                user = Some(users.set_named(id, name, Some(value)).await?);
            }
            if let Some(user) = user {
                out.user(&user)?;
            }
        }
        UsersCommand::Show { id } => out.user(&users.get(id).await?)?,
        UsersCommand::List { limit, offset } => {
            let page = users.list(UserSort::Name, offset, limit).await?;
            out.users(&page.rows, &page)?;
        }
        UsersCommand::Delete { id } => {
            users.delete(id).await?;
            out.message(
                &format!("moved {id} to the trash"),
                &serde_json::json!({ "id": id, "deleted": true }),
            )?;
        }
        UsersCommand::Restore { id } => out.user(&users.restore(id).await?)?,
    }
    Ok(())
}

/// mimalloc: see the workspace Cargo.toml.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        // sqlx warns of any statement over a second: an export's one streaming
        // SELECT or an import's big batches are meant to be long.
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,sqlx::query=error"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    // Before any thread or database: SQLite takes its allocator only then.
    kith_core::sqlite_memory::use_global_allocator();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kith-cli: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: the error and its causes.
            eprintln!("kith-cli: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}
