//! `kith-cli import`: the importer from the command line.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use kith_core::fields::Catalog;
use kith_core::import::mapping::{auto_map_with, Target};
use kith_core::import::run::{run as run_import, DefaultValue, ImportOptions, MatchOn, Mode};
use kith_core::import::source::{FileFormat, TextEncoding};
use kith_core::Kith;

use crate::output::Output;

#[derive(Clone, Copy, ValueEnum)]
enum ModeArg {
    Create,
    Upsert,
    Update,
}

#[derive(Clone, Copy, ValueEnum)]
enum MatchArg {
    Email,
    Phone,
    AppUserId,
    StripeId,
}

#[derive(Args)]
pub struct ImportArgs {
    file: PathBuf,
    #[arg(long, value_enum, default_value = "create")]
    mode: ModeArg,
    #[arg(long = "match", value_enum, default_value = "email")]
    match_on: MatchArg,
    /// Override a column's target: "Header=field" (fields: first_name, last_name,
    /// full_name, email, mobile_phone, home_phone, phone, app_user_id,
    /// stripe_customer_id, street, city, region, postal_code, country, teams,
    /// created_at, kith_id, photo, ignore, or custom:NAME for a custom field — values are
    /// read as its kind; a new name creates a text field). Headers named like a
    /// custom field map to it on their own.
    #[arg(long = "map", value_name = "HEADER=FIELD")]
    map: Vec<String>,
    /// Report what would happen; change nothing.
    #[arg(long)]
    dry_run: bool,
    /// When some rows are invalid, import the valid ones (default: import nothing).
    #[arg(long)]
    skip_invalid: bool,
    /// Write the refused rows, with a reason column, to this CSV file.
    #[arg(long, value_name = "OUT.csv")]
    errors: Option<PathBuf>,
    /// Teams every imported user joins (repeatable).
    #[arg(long = "team")]
    teams: Vec<String>,
    /// A custom field value every imported user gets where the row has none:
    /// "Field=value", read as the field's kind (repeatable). On an update it
    /// fills the field only if the user has no value there.
    #[arg(long = "default", value_name = "FIELD=VALUE")]
    defaults: Vec<String>,
    /// The file's text encoding when the detected one is wrong: "utf-8",
    /// "windows-1252", "windows-1250", "iso-8859-15", "shift_jis", … (any WHATWG
    /// label). A byte order mark still decides.
    #[arg(long, value_name = "LABEL", value_parser = encoding_label)]
    encoding: Option<TextEncoding>,
    /// A workbook's sheet to import (default: its first sheet holding values).
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
}

fn defaults(given: &[String]) -> anyhow::Result<Vec<DefaultValue>> {
    given
        .iter()
        .map(|d| match d.split_once('=') {
            Some((field, value)) => Ok(DefaultValue {
                field: field.trim().to_owned(),
                value: value.to_owned(),
            }),
            None => bail!("--default takes \"Field=value\", got {d:?}"),
        })
        .collect()
}

fn encoding_label(label: &str) -> Result<TextEncoding, String> {
    TextEncoding::from_label(label).ok_or_else(|| {
        format!("no text encoding is called {label:?} (try utf-8, windows-1252, windows-1250)")
    })
}

pub async fn run(kith: &Kith, args: &ImportArgs, out: &Output) -> Result<()> {
    let region = kith.settings().default_region;
    let sniffed = kith_core::import::source::sniff(
        &args.file,
        &region,
        args.encoding,
        args.sheet.as_deref(),
    )?;
    if let (Some(read), true) = (&sniffed.sheet, sniffed.sheets.len() > 1) {
        let others: Vec<&str> = sniffed
            .sheets
            .iter()
            .filter(|s| *s != read)
            .map(String::as_str)
            .collect();
        eprintln!(
            "import: reading the sheet “{read}”; left out: {} (choose one with --sheet)",
            others.join(", ")
        );
    }
    if !sniffed.titles.is_empty() {
        // Said on stderr, like progress: the lines are left out, not imported.
        eprintln!(
            "import: left out the title lines above the column names: {}",
            sniffed.titles.join(" · ")
        );
    }
    if !sniffed.groups.is_empty() {
        let groups: Vec<String> = sniffed
            .groups
            .iter()
            .map(|g| {
                let cards = match g.members {
                    1 => "1 card".to_owned(),
                    n => format!("{n} cards"),
                };
                match g.name.as_str() {
                    "" => format!("one with no name ({cards}, no team)"),
                    name => format!("{name} ({cards})"),
                }
            })
            .collect();
        eprintln!(
            "import: contact groups, not customers; their names are in their members' \
             Categories: {}",
            groups.join(" · ")
        );
    }
    let fields = Catalog {
        fields: kith.fields().list().await?,
    };
    let mut mapping = auto_map_with(&sniffed.headers, &fields);
    for m in &args.map {
        let Some((header, field)) = m.split_once('=') else {
            bail!("--map takes \"Header=field\", got {m:?}");
        };
        let Some(i) = sniffed
            .headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(header.trim()))
        else {
            bail!(
                "--map: the file has no column {header:?} (columns: {})",
                sniffed.headers.join(", ")
            );
        };
        mapping[i] = match field.trim().strip_prefix("custom:") {
            Some(name) if !name.trim().is_empty() => Target::Custom {
                name: name.trim().to_owned(),
            },
            _ => serde_json::from_value::<Target>(serde_json::json!({ "kind": field.trim() }))
                .with_context(|| format!("--map: {field:?} is not a field Kith imports"))?,
        };
    }
    let opts = ImportOptions {
        mode: match args.mode {
            ModeArg::Create => Mode::Create,
            ModeArg::Upsert => Mode::Upsert,
            ModeArg::Update => Mode::Update,
        },
        match_on: match args.match_on {
            MatchArg::Email => MatchOn::Email,
            MatchArg::Phone => MatchOn::Phone,
            MatchArg::AppUserId => MatchOn::AppUserId,
            MatchArg::StripeId => MatchOn::StripeId,
        },
        mapping: Some(mapping),
        region,
        encoding: args.encoding,
        sheet: args.sheet.clone(),
        default_teams: args.teams.clone(),
        default_values: defaults(&args.defaults)?,
        dry_run: args.dry_run,
        skip_invalid: args.skip_invalid,
        remember_mapping: false,
    };
    let report = run_import(
        kith.store(),
        kith.files().blobs(),
        &args.file,
        &opts,
        &AtomicBool::new(false),
        |p| out.progress(&p, &format!("import: {} rows read", p.rows)),
    )
    .await;
    out.progress_done();
    let report = report?;
    if let Some(path) = &args.errors {
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        kith_core::import::report::write_error_rows(
            &args.file,
            &opts.region,
            opts.encoding,
            opts.sheet.as_deref(),
            &report.errors,
            std::io::BufWriter::new(file),
        )?;
    }
    let summary = format!(
        "{}{} created, {} updated, {} skipped{}, {} failed{}",
        if args.dry_run { "dry run: " } else { "" },
        report.created,
        report.updated,
        report.skipped,
        match report.unchanged {
            0 => String::new(),
            n => format!(" ({n} already up to date)"),
        },
        report.failed,
        match report.batch_id {
            Some(id) => format!(" (batch {id})"),
            None if !args.dry_run && report.failed > 0 => " — nothing imported".into(),
            None => String::new(),
        }
    );
    out.message(&summary, &report)?;
    if report.new_teams > 0 && !out.json {
        // A column taken for teams by mistake shows here as hundreds of them.
        let more = report.new_teams - report.new_team_names.len() as u64;
        let names: Vec<String> = report
            .new_team_names
            .iter()
            .map(|n| format!("“{n}”"))
            .collect();
        eprintln!(
            "import: {} {} new {}: {}{}",
            if report.committed {
                "created"
            } else {
                "would create"
            },
            report.new_teams,
            if report.new_teams == 1 {
                "team"
            } else {
                "teams"
            },
            names.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
    }
    if !out.json && report.photos > 0 {
        let set = if args.dry_run { "would set" } else { "set" };
        eprintln!("import: {set} {} profile photo(s)", report.photos);
    }
    if !out.json && report.photo_links > 0 {
        eprintln!(
            "import: {} photo(s) are links or file names, not in the file: not imported",
            report.photo_links
        );
    }
    if !out.json {
        // A vCard file's rows are its cards, named by the line each begins on.
        let row = match sniffed.format {
            FileFormat::VCard => "line",
            FileFormat::Csv | FileFormat::Sheet => "row",
        };
        for e in report.errors.iter().take(20) {
            // A row-wide problem (no name at all) names no column.
            match e.column.as_str() {
                "" => eprintln!("  {row} {}: {}", e.row, e.message),
                column => eprintln!("  {row} {}, {column}: {}", e.row, e.message),
            }
        }
    }
    // The report is printed either way (it lists the refused rows), but a script
    // must not read "nothing imported" as success.
    if !args.dry_run && !report.committed && report.failed > 0 {
        bail!(
            "nothing imported: {} row{} invalid; fix {} or pass --skip-invalid",
            report.failed,
            if report.failed == 1 { " is" } else { "s are" },
            if report.failed == 1 { "it" } else { "them" },
        );
    }
    Ok(())
}
