//! `kith-cli export`: users (all, or a search's matches) to a CSV file.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use anyhow::{bail, Result};
use clap::Args;
use kith_core::export::{to_file, Column, ExportOptions};
use kith_core::Kith;
use serde::Serialize;

use crate::output::Output;

#[derive(Args)]
pub struct ExportArgs {
    /// The CSV file to write (replaced only once the export is complete).
    out: PathBuf,
    /// Only the users this search finds (all of them).
    #[arg(long, allow_hyphen_values = true)]
    query: Option<String>,
    /// Columns, comma separated (default: all, custom fields included): kith_id,
    /// first_name, last_name, email, mobile_phone, home_phone, app_user_id,
    /// stripe_customer_id, created_at, teams, street, city, region, postal_code,
    /// country, or a custom field's name.
    #[arg(long, value_delimiter = ',')]
    columns: Vec<String>,
    /// Excel-friendly: start with a UTF-8 byte order mark.
    #[arg(long)]
    bom: bool,
}

#[derive(Serialize)]
struct Exported {
    file: String,
    rows: u64,
}

pub async fn run(kith: &Kith, args: &ExportArgs, out: &Output) -> Result<()> {
    let mut columns = Vec::new();
    let mut custom_fields = Vec::new();
    let fields = kith.fields().list().await?;
    for name in &args.columns {
        let custom = fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name.trim()));
        match (Column::parse(name), custom) {
            (Some(c), _) => columns.push(c),
            (None, Some(f)) => custom_fields.push(f.id),
            (None, None) => bail!(
                "unknown column {name:?}; columns are: {}",
                Column::ALL
                    .iter()
                    .map(|c| serde_json::to_value(c)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default())
                    .chain(fields.iter().map(|f| f.name.clone()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
    let opts = ExportOptions {
        query: args.query.clone(),
        columns,
        custom_fields,
        bom: args.bom,
    };
    let rows = to_file(
        kith.store().pool(),
        &opts,
        &args.out,
        &AtomicBool::new(false),
        |n| {
            if !out.json {
                eprint!("\rexport: {n} rows written");
            }
        },
    )
    .await?;
    if !out.json {
        eprintln!();
    }
    let file = args.out.display().to_string();
    out.message(
        &format!("exported {rows} users to {file}"),
        &Exported { file, rows },
    )
}
