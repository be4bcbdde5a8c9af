//! `kith-cli fields …`: the custom fields the team defines.

use anyhow::{anyhow, bail, Result};
use clap::Subcommand;
use kith_core::fields::{CustomField, CustomFieldInput, CustomFieldKind, OptionInput};
use kith_core::Kith;
use uuid::Uuid;

use crate::output::Output;

#[derive(Subcommand)]
pub enum FieldsCommand {
    /// Add a custom field after the others.
    Add {
        name: String,
        /// text, long_text, number, money, date, checkbox, single_select,
        /// multi_select, url, email or phone.
        #[arg(long = "type", value_name = "TYPE")]
        kind: String,
        /// Must be filled in when a user is added or edited by hand (not on import).
        #[arg(long)]
        required: bool,
        /// A select field's options, comma separated.
        #[arg(long, value_delimiter = ',')]
        options: Vec<String>,
        /// A money field's currency, e.g. EUR.
        #[arg(long)]
        currency: Option<String>,
    },
    /// The fields in order (or those in the trash).
    List {
        #[arg(long)]
        deleted: bool,
    },
    /// Change a field (by name or id): its name, kind (values are converted, or
    /// nothing changes), required flag, options or currency.
    Edit {
        field: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long = "type", value_name = "TYPE")]
        kind: Option<String>,
        #[arg(long)]
        required: Option<bool>,
        /// The full list of options, comma separated (existing labels keep their id).
        #[arg(long, value_delimiter = ',')]
        options: Option<Vec<String>>,
        #[arg(long)]
        currency: Option<String>,
    },
    /// Move a field (by name or id) to the trash; its values are kept.
    Delete { field: String },
    /// Bring a field back from the trash, by id.
    Restore { id: Uuid },
}

pub fn parse_kind(kind: &str) -> Result<CustomFieldKind> {
    CustomFieldKind::parse(kind).ok_or_else(|| {
        anyhow!(
            "--type {kind:?} is not a field type; types are: {}",
            CustomFieldKind::ALL.map(CustomFieldKind::as_str).join(", ")
        )
    })
}

pub async fn run(kith: &Kith, cmd: FieldsCommand, out: &Output) -> Result<()> {
    let fields = kith.fields();
    match cmd {
        FieldsCommand::Add {
            name,
            kind,
            required,
            options,
            currency,
        } => {
            let kind = parse_kind(&kind)?;
            let mut input = CustomFieldInput::new(&name, kind)
                .required(required)
                .with_options(options.iter().map(String::as_str));
            input.currency = currency;
            if kind == CustomFieldKind::Money && input.currency.is_none() {
                bail!("a money field needs a currency: add --currency EUR (or USD, GBP, …)");
            }
            let field = fields.create(&input).await?;
            out.message(&line(&field), &field)?;
        }
        FieldsCommand::List { deleted } => {
            let all = if deleted {
                fields.deleted().await?
            } else {
                fields.list().await?
            };
            let lines: Vec<String> = all.iter().map(line).collect();
            out.message(&lines.join("\n"), &all)?;
        }
        FieldsCommand::Edit {
            field,
            name,
            kind,
            required,
            options,
            currency,
        } => {
            let current = find(kith, &field).await?;
            let kind = kind.as_deref().map(parse_kind).transpose()?;
            let input = CustomFieldInput {
                name: name.unwrap_or_else(|| current.name.clone()),
                kind: kind.unwrap_or(current.kind),
                required: required.unwrap_or(current.required),
                options: match options {
                    Some(labels) => labels
                        .iter()
                        .map(|label| OptionInput {
                            id: current.option_by_label(label).map(|o| o.id),
                            label: label.clone(),
                        })
                        .collect(),
                    None => current
                        .options
                        .iter()
                        .map(|o| OptionInput {
                            id: Some(o.id),
                            label: o.label.clone(),
                        })
                        .collect(),
                },
                currency: currency.or_else(|| current.currency.clone()),
            };
            let field = fields.update(current.id, &input).await?;
            out.message(&line(&field), &field)?;
        }
        FieldsCommand::Delete { field } => {
            let current = find(kith, &field).await?;
            fields.delete(current.id).await?;
            out.message(
                &format!(
                    "moved {} to the trash (restore: kith-cli fields restore {})",
                    current.name, current.id
                ),
                &serde_json::json!({ "id": current.id, "deleted": true }),
            )?;
        }
        FieldsCommand::Restore { id } => {
            let field = fields.restore(id).await?;
            out.message(&line(&field), &field)?;
        }
    }
    Ok(())
}

/// A live field by name (ignoring case) or id.
async fn find(kith: &Kith, field: &str) -> Result<CustomField> {
    let fields = kith.fields();
    if let Ok(id) = Uuid::parse_str(field.trim()) {
        return Ok(fields.get(id).await?);
    }
    fields
        .by_name(field)
        .await?
        .ok_or_else(|| anyhow!("no custom field is named {field:?} (see `kith-cli fields list`)"))
}

/// `id  name  kind  required  [options | currency]`.
fn line(f: &CustomField) -> String {
    let extra = if !f.options.is_empty() {
        f.options
            .iter()
            .map(|o| o.label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        f.currency.clone().unwrap_or_default()
    };
    format!(
        "{}  {}  {}{}  {extra}",
        f.id,
        f.name,
        f.kind.as_str(),
        if f.required { "  required" } else { "" }
    )
    .trim_end()
    .to_owned()
}
