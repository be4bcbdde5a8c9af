//! What the import dialog shows before anything is written: how the file was read,
//! how its columns are mapped, and its first rows as they will be stored.

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use super::mapping::{auto_map_with, Target};
use super::row::{CellError, RowReader};
use super::source::{FileFormat, Rows, Sniffed, TextEncoding};
use super::ImportError;
use crate::fields::value::display;
use crate::fields::Catalog;
use crate::users::AddressInput;
use crate::validate::mask_card_numbers;

/// Where the mapping shown came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "ImportMappingSource")]
pub enum MappingSource {
    /// Guessed from the header names.
    Auto,
    /// Saved by an earlier import of a file with the same headers.
    Saved,
    /// Chosen by the person importing.
    Chosen,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, rename = "ImportPreview")]
pub struct Preview {
    pub file_name: String,
    /// A table, or contact cards read as one.
    pub format: FileFormat,
    #[ts(type = "number")]
    pub size_bytes: u64,
    /// The encoding the rows were read in.
    pub encoding: TextEncoding,
    /// What detection made of the file: `encoding` differs when a saved mapping
    /// brought the encoding the person chose for files like it. (With an encoding
    /// named in the call, detection is not run: this is what the file was read in.)
    pub detected_encoding: TextEncoding,
    pub delimiter: String,
    /// The title lines above the header row, which are not read as customers.
    pub titles: Vec<String>,
    /// A vCard file's contact groups, which are not read as customers: their
    /// names go to their members' categories.
    pub groups: Vec<super::vcard::ContactGroup>,
    /// The workbook's sheet read, and all its sheets holding values (in its
    /// order), so the person can choose another.
    pub sheet: Option<String>,
    pub sheets: Vec<String>,
    pub headers: Vec<String>,
    /// Per column, the first few non-empty cells as written in the file (card
    /// numbers masked), so columns not imported can still be recognised.
    pub samples: Vec<Vec<String>>,
    pub mapping: Vec<Target>,
    pub mapping_source: MappingSource,
    pub rows: Vec<PreviewRow>,
}

/// One data row: the user it becomes, or what is wrong with it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, rename = "ImportPreviewRow")]
pub struct PreviewRow {
    #[ts(type = "number")]
    pub row: u64,
    pub user: Option<PreviewUser>,
    pub errors: Vec<CellError>,
}

/// A row's values as they will be stored (phones in E.164, emails checked).
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(export, rename = "ImportPreviewUser")]
pub struct PreviewUser {
    pub kith_id: Option<Uuid>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub mobile_phone: Option<String>,
    pub home_phone: Option<String>,
    pub app_user_id: Option<String>,
    pub stripe_customer_id: Option<String>,
    pub teams: Vec<String>,
    pub address: Option<AddressInput>,
    #[ts(type = "number | null")]
    pub created_at: Option<i64>,
    pub custom_values: Vec<PreviewCustomValue>,
    /// The profile photo the row brings.
    pub photo: Option<PreviewPhoto>,
    /// The row's photo is a link or a file's name, which the import does not fetch.
    pub photo_link: bool,
}

/// A row's photo as the dialog shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, rename = "ImportPreviewPhoto")]
pub struct PreviewPhoto {
    pub mime: String,
    #[ts(type = "number")]
    pub size_bytes: u64,
    /// A small picture of it as a `data:` URL, made by the app: the core does
    /// not decode images.
    pub thumbnail: Option<String>,
    /// The photo itself, for the app to make `thumbnail` from; not sent.
    #[serde(skip)]
    #[ts(skip)]
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, rename = "ImportPreviewCustomValue")]
pub struct PreviewCustomValue {
    /// The custom field's name (created by the import when new).
    pub name: String,
    /// As people read it ("19.99 EUR", an option's label).
    pub value: String,
}

/// Rows shown in a preview.
pub const PREVIEW_ROWS: usize = 20;
/// Example cells shown per column.
const SAMPLES: usize = 3;
/// Characters of an example cell shown (a note can run to pages).
const SAMPLE_CHARS: usize = 200;

/// An example cell as shown: cut short when long, a photo named rather than
/// spelled out in base64.
fn sample(cell: &str) -> String {
    if let Ok(super::photo::PhotoCell::Photo(p)) = super::photo::read(cell) {
        let kind = super::photo::extension(p.mime).to_uppercase();
        return format!("{kind} photo, {} KB", p.size.div_ceil(1000));
    }
    let mut cell = mask_card_numbers(cell);
    if let Some((cut, _)) = cell.char_indices().nth(SAMPLE_CHARS) {
        cell.truncate(cut);
        cell.push('…');
    }
    cell
}

/// Reads `path` (as `sniffed`) under `mapping`, or the automatic one when it
/// has not one target per column, and returns its first rows. `detected` is the
/// encoding detection gave, which `sniffed` may have been read over.
pub fn preview(
    path: &Path,
    sniffed: &Sniffed,
    detected: TextEncoding,
    mapping: Option<(Vec<Target>, MappingSource)>,
    region: &str,
    fields: &Catalog,
) -> Result<Preview, ImportError> {
    let (mapping, mapping_source) = match mapping {
        Some((m, source)) if m.len() == sniffed.headers.len() => (m, source),
        _ => (auto_map_with(&sniffed.headers, fields), MappingSource::Auto),
    };
    let reader = RowReader {
        headers: &sniffed.headers,
        targets: &mapping,
        region,
        fields,
    };
    let mut file = Rows::open(path, sniffed)?;
    let mut rows = Vec::new();
    let mut samples: Vec<Vec<String>> = vec![Vec::new(); sniffed.headers.len()];
    while rows.len() < PREVIEW_ROWS {
        let Some(next) = file.next_row()? else {
            break;
        };
        let (row, record) = (next.number, next.cells);
        // A refused row (a footer's line, lines outside any card, a card cut
        // short) is no example of what a column holds.
        let cells = record.iter().filter(|_| next.refused.is_none());
        for (column, cell) in samples.iter_mut().zip(cells) {
            let cell = cell.trim();
            if column.len() < SAMPLES && !cell.is_empty() {
                column.push(sample(cell));
            }
        }
        rows.push(match reader.read_row(&next) {
            Ok(u) => PreviewRow {
                row,
                user: Some(PreviewUser {
                    kith_id: u.kith_id,
                    first_name: u.record.first_name,
                    last_name: u.record.last_name,
                    email: u.record.email,
                    mobile_phone: u.record.mobile_phone,
                    home_phone: u.record.home_phone,
                    app_user_id: u.record.app_user_id,
                    stripe_customer_id: u.record.stripe_customer_id,
                    teams: u.teams,
                    address: u.address,
                    created_at: u.created_at,
                    custom_values: u
                        .custom
                        .into_iter()
                        .map(|(name, stored)| PreviewCustomValue {
                            value: fields
                                .by_name(&name)
                                .map_or_else(|| stored.clone(), |f| display(f, &stored)),
                            name,
                        })
                        .collect(),
                    photo: u.photo.map(|p| PreviewPhoto {
                        mime: p.mime.to_owned(),
                        size_bytes: p.size,
                        thumbnail: None,
                        bytes: p.bytes,
                    }),
                    photo_link: u.photo_link,
                }),
                errors: Vec::new(),
            },
            Err(errors) => PreviewRow {
                row,
                user: None,
                errors,
            },
        });
    }
    Ok(Preview {
        format: sniffed.format,
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        size_bytes: sniffed.size_bytes,
        encoding: sniffed.encoding,
        detected_encoding: detected,
        delimiter: match sniffed.delimiter {
            '\t' => "tab".to_owned(),
            d => d.to_string(),
        },
        titles: sniffed.titles.clone(),
        groups: sniffed.groups.clone(),
        sheet: sniffed.sheet.clone(),
        sheets: sniffed.sheets.clone(),
        headers: sniffed.headers.clone(),
        samples,
        mapping,
        mapping_source,
        rows,
    })
}
