//! Running an import: one long transaction, so a cancel, a crash or a power cut
//! leaves the database as it was; rows matched to existing users by the chosen
//! key, duplicates inside the file merged; every create and update recorded so
//! the whole import can be undone.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, RandomState};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use kith_protocol::Value;
use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use ts_rs::TS;
use uuid::Uuid;

use super::mapping::{auto_map_with, Target};
use super::photo::avatar_edits;
use super::row::{CellError, ImportedUser, RowReader, NAMELESS, NAMELESS_NEW};
use super::saved;
use super::seen::SeenKeys;
use super::source::{self, shown, sniff, FileFormat, Refusal, Rows, TextEncoding};
use super::undo::{added_key, custom_key, AVATAR_KEY};
use super::ImportError;
use crate::error::CoreError;
use crate::fields::Catalog;
use crate::files::{discard_unnamed, BlobStore};
use crate::schema::{ATTACHMENTS, CUSTOM_FIELDS, TEAMS, USERS, USER_ADDRESSES, USER_TEAMS};
use crate::store::{placeholders, system_ms, Bulk, Edit, Store, CHUNK as ROWS_PER_STATEMENT};
use crate::users::{custom_value_edit, membership_edit, new_custom_value_edit};
use crate::users::{UserSource, Users};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "ImportMode")]
pub enum Mode {
    /// New users only; rows matching an existing user are skipped.
    Create,
    /// Update the matching user, create the others.
    Upsert,
    /// Update matching users only; other rows are skipped.
    Update,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "ImportMatch")]
pub enum MatchOn {
    Email,
    Phone,
    AppUserId,
    StripeId,
}

/// A value every imported user gets in one of the workspace's custom fields, where
/// the row leaves that field blank: "Lead source: Autumn fair" for a list of
/// fair visitors. On an update it fills the field only if the user has no value
/// there, like a cell of the file would not erase one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, rename = "ImportDefaultValue")]
pub struct DefaultValue {
    /// The custom field's name.
    pub field: String,
    /// As a cell would give it ("Gold", "2026-11-24", "19,99 €").
    pub value: String,
}

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub mode: Mode,
    pub match_on: MatchOn,
    /// One target per column; `None` uses the automatic mapping.
    pub mapping: Option<Vec<Target>>,
    /// Region for phone numbers without a country code, and where the file was
    /// most likely saved (its legacy code page is guessed for it).
    pub region: String,
    /// The file's encoding when the person chose it (or a saved mapping brought
    /// it, in the preview the run follows); `None` detects it. Not looked up
    /// here: the run reads the file as the caller says.
    pub encoding: Option<TextEncoding>,
    /// A workbook's sheet to read, when the person chose one; `None` reads its
    /// first sheet holding values.
    pub sheet: Option<String>,
    /// Teams every imported user joins.
    pub default_teams: Vec<String>,
    /// Custom field values every imported user gets where the row has none.
    pub default_values: Vec<DefaultValue>,
    /// Do everything, report it, change nothing.
    pub dry_run: bool,
    /// When some rows are invalid: import the valid ones (true) or nothing (false).
    pub skip_invalid: bool,
    /// Keep the mapping (and a chosen encoding) for files with the same headers,
    /// once the import is kept.
    pub remember_mapping: bool,
}

/// At most this many cell errors are kept in a report; `failed` counts them all.
pub const MAX_REPORTED_ERRORS: usize = 10_000;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ImportReport {
    /// The batch to undo; `None` when nothing was written.
    pub batch_id: Option<Uuid>,
    #[ts(type = "number")]
    pub created: u64,
    #[ts(type = "number")]
    pub updated: u64,
    /// Rows not written: matching a user in create mode, matching none in update
    /// mode, or already up to date.
    #[ts(type = "number")]
    pub skipped: u64,
    /// Of the skipped rows, those that match their user exactly: nothing to change.
    #[ts(type = "number")]
    pub unchanged: u64,
    #[ts(type = "number")]
    pub failed: u64,
    /// Of the failed rows, those the rows-to-fix file holds: not a report's
    /// footer, a vCard file's lines outside any card or a group's card, which
    /// no fix makes customers (see `source::Refusal::fixable`).
    #[ts(type = "number")]
    pub to_fix: u64,
    pub errors: Vec<CellError>,
    /// Teams the import creates (a Tags column's new names, a new team for every
    /// user): a mapped column that is no list of teams shows here as hundreds.
    #[ts(type = "number")]
    pub new_teams: u64,
    /// The first [`NAMED_NEW_TEAMS`] of them the import made.
    pub new_team_names: Vec<String>,
    /// Profile photos the import sets (a vCard's photos): for new users, and
    /// for existing ones whose photo it changes.
    #[ts(type = "number")]
    pub photos: u64,
    /// Rows whose photo is a link (Google's exports) or a picture file's name,
    /// not fetched: an import reads only the file.
    #[ts(type = "number")]
    pub photo_links: u64,
    /// Whether the changes were kept (false for a dry run, or when invalid rows
    /// meant "import nothing").
    pub committed: bool,
}

/// New teams a report names; it counts them all.
pub const NAMED_NEW_TEAMS: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Source(#[from] ImportError),
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error("the import was cancelled; nothing was changed")]
    Cancelled,
    #[error("the mapping names {got} columns but the file has {want}")]
    Mapping { got: usize, want: usize },
    #[error("import batch {0} not found")]
    NoBatch(Uuid),
    #[error("import batch {0} was already undone")]
    AlreadyUndone(Uuid),
}

impl From<sqlx::Error> for RunError {
    fn from(e: sqlx::Error) -> Self {
        RunError::Core(e.into())
    }
}

/// What an import did to one user: "created", or "updated" with the values the
/// changed fields had before and the values it set (see [`UndoRecord`]).
type UndoRow = (
    Uuid,
    &'static str,
    Option<(BTreeMap<String, Value>, BTreeMap<String, Value>)>,
);

/// Rows per commit inside the import's transaction.
pub(super) const CHUNK: usize = 2_000;

/// How far an import, or the undo of one, has got.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
#[ts(export, rename = "ImportProgress")]
pub struct Progress {
    /// Data rows read so far; for an undo, users reverted so far.
    #[ts(type = "number")]
    pub rows: u64,
    /// Share of the file read, 0 to 1 (estimated from bytes: rows vary in length);
    /// for an undo, the share of its users reverted.
    pub fraction: f64,
}

/// Imports `path`, its photos into `blobs`; `progress` hears how far it got
/// after each chunk.
pub async fn run(
    store: &Store,
    blobs: &BlobStore,
    path: &Path,
    opts: &ImportOptions,
    cancel: &AtomicBool,
    progress: impl FnMut(Progress),
) -> Result<ImportReport, RunError> {
    let photos = PhotoSink {
        blobs: (!opts.dry_run).then(|| blobs.clone()),
        created: Arc::default(),
    };
    let mut reader = None;
    let result = import(store, path, opts, cancel, progress, &photos, &mut reader).await;
    // The photos stored for rows that wrote none (skipped, refused, or all of
    // them when the transaction is rolled back) go again, once the reading
    // thread (which stops at its next row) stores no more.
    if let Some(reader) = reader {
        let _ = tokio::task::spawn_blocking(move || reader.join()).await;
    }
    let created = std::mem::take(&mut *photos.created.lock().unwrap_or_else(|e| e.into_inner()));
    discard_unnamed(store, blobs, created.iter().map(String::as_str)).await;
    result
}

/// Where the reading thread puts the photos of the rows it reads.
struct PhotoSink {
    /// `None` in a dry run, which stores nothing.
    blobs: Option<BlobStore>,
    /// Blobs this import stored that were not there before it.
    created: Arc<Mutex<Vec<String>>>,
}

impl PhotoSink {
    /// Stores a row's photo, if it has one, and lets go of its bytes: a chunk
    /// waiting to be written holds no pictures.
    fn store(&self, user: &mut ImportedUser) -> Result<(), ImportError> {
        let Some(photo) = user.photo.as_mut() else {
            return Ok(());
        };
        let bytes = std::mem::take(&mut photo.bytes);
        let Some(blobs) = &self.blobs else {
            return Ok(());
        };
        let stored = blobs
            .put(bytes.as_slice())
            .map_err(|e| ImportError::PhotoStore {
                source: std::io::Error::other(e),
            })?;
        if stored.created {
            self.created
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(stored.sha256);
        }
        Ok(())
    }
}

/// [`run`], leaving to it the clean-up of the photos stored for rows that wrote none.
async fn import(
    store: &Store,
    path: &Path,
    opts: &ImportOptions,
    cancel: &AtomicBool,
    mut progress: impl FnMut(Progress),
    photos: &PhotoSink,
    reader: &mut Option<std::thread::JoinHandle<()>>,
) -> Result<ImportReport, RunError> {
    let started_at = system_ms() as i64;
    let sniffed = sniff(path, &opts.region, opts.encoding, opts.sheet.as_deref())?;
    if matches!(&opts.mapping, Some(m) if m.len() != sniffed.headers.len()) {
        return Err(RunError::Mapping {
            got: opts.mapping.as_ref().map_or(0, Vec::len),
            want: sniffed.headers.len(),
        });
    }
    // A chosen code page is remembered under the headers as detection reads them
    // too, and as their bytes say, which differ when they hold letters read
    // otherwise ("PrŽnom" for "Prénom"): the next file like this one is looked
    // up by those, the bytes whatever its guess. Read before the writer is
    // taken, as detection reads the whole file once more.
    let remembered_encoding = opts.encoding.filter(|e| {
        opts.remember_mapping
            && !opts.dry_run
            && e.is_guessed()
            && sniffed.format == FileFormat::Csv
    });
    let detected = remembered_encoding.and_then(|_| sniff(path, &opts.region, None, None).ok());
    let guessed_headers = detected
        .as_ref()
        .map(|guessed| guessed.headers.clone())
        .filter(|h| *h != sniffed.headers && h.len() == sniffed.headers.len());
    let byte_headers = detected
        .as_ref()
        .and_then(|guessed| source::headers_by_bytes(path, &opts.region, guessed));
    // The writer is taken first, so the fields the rows are read against are the
    // ones the import writes to.
    let mut bulk = store.bulk().await?;
    // Every clock the import's writes carry is above this one (see `undo`).
    let hlc_from = bulk.clock();
    let batch = Uuid::new_v4();
    bulk.set_origin(format!("import:{batch}"));
    let catalog = Catalog::load(bulk.conn()).await?;
    let targets = match &opts.mapping {
        Some(m) => m.clone(),
        None => auto_map_with(&sniffed.headers, &catalog),
    };
    for target in &targets {
        let Target::Custom { name } = target else {
            continue;
        };
        if name.trim().is_empty() {
            return Err(
                CoreError::validation("mapping", "Give the new custom field a name").into(),
            );
        }
        // A field the import will create keeps the rules of one added in Settings.
        if catalog.by_name(name).is_none() {
            crate::fields::check_name(name.trim()).map_err(|e| match e {
                CoreError::Validation { message, .. } => CoreError::validation("mapping", message),
                other => other,
            })?;
        }
    }
    let defaults = stored_defaults(&opts.default_values, &catalog, &opts.region)?;
    let file = Rows::open(path, &sniffed)?;
    // Reading and validating rows (phone numbers especially) costs about as much
    // as SQLite's share of the work: a thread of its own does it while the
    // previous chunk is written. At most two chunks wait, so memory stays bounded.
    let (chunks, mut parsed) = tokio::sync::mpsc::channel(2);
    let (headers, region) = (sniffed.headers.clone(), opts.region.clone());
    let mapping = targets.clone();
    let sink = PhotoSink {
        blobs: photos.blobs.clone(),
        created: Arc::clone(&photos.created),
    };
    *reader = Some(std::thread::spawn(move || {
        read_chunks(file, headers, targets, region, catalog, sink, chunks)
    }));
    let decoded_size = sniffed.text_bytes.max(1) as f64;
    let mut report_progress = |rows: u64, byte: u64, done: bool| {
        let fraction = if done {
            1.0
        } else {
            (byte as f64 / decoded_size).min(0.99)
        };
        progress(Progress { rows, fraction });
    };
    let mut work = Work {
        batch,
        opts,
        seen: SeenKeys::default(),
        key_hash: (RandomState::new(), RandomState::new()),
        teams: load_teams(&mut bulk).await?,
        fields: load_custom_fields(&mut bulk).await?,
        defaults,
        created: Vec::new(),
        refused: Vec::new(),
        added_photos: Default::default(),
        report: ImportReport::default(),
    };
    let mut complete = false;
    let mut first = true;
    while let Some(next) = parsed.recv().await {
        let chunk = next?;
        complete = chunk.last;
        if std::mem::take(&mut first) {
            let bytes_per_row = chunk.byte as f64 / chunk.read.max(1) as f64;
            let expected_rows = (decoded_size / bytes_per_row.max(1.0)) as i64;
            defer_indexes_if_large(&mut bulk, opts.match_on, expected_rows).await?;
            // Room for a key a row, taken once: grown as it fills, the keys would
            // be copied each time their room runs out, both copies held meanwhile.
            work.seen
                .reserve(usize::try_from(expected_rows).unwrap_or(0));
        }
        let mut users = Vec::with_capacity(chunk.rows.len());
        for (row, to_fix) in chunk.rows {
            match row {
                Ok(user) => users.push(user),
                Err(errors) => {
                    work.report.failed += 1;
                    work.report.to_fix += u64::from(to_fix);
                    work.refused.extend(errors);
                }
            }
        }
        work.write(&mut bulk, users).await?;
        // Refusals at writing (a row that names nobody) come after the chunk's
        // refusals at reading: in the file's order, the report keeps the first ones.
        let mut refused = std::mem::take(&mut work.refused);
        refused.sort_by_key(|e| e.row);
        let room = MAX_REPORTED_ERRORS.saturating_sub(work.report.errors.len());
        work.report.errors.extend(refused.into_iter().take(room));
        report_progress(chunk.read, chunk.byte, chunk.last);
        // Dropping the transaction rolls back everything written so far; dropping
        // `parsed` stops the reading thread.
        if !chunk.last && cancel.load(Ordering::Relaxed) {
            return Err(RunError::Cancelled);
        }
    }
    if !complete {
        // The reading thread ended without reaching the end of the file (it can
        // only have panicked): nothing of a partial import is kept.
        return Err(RunError::Source(ImportError::Csv {
            row: 0,
            message: "the file could not be read to the end".into(),
        }));
    }

    // The match keys seen (32 bytes a row: 32 MB at a million) are not needed
    // past the last row; the deferred indexes built at the end take memory too,
    // so they go first.
    drop(std::mem::take(&mut work.seen));
    let mut report = work.report;
    if report.created + report.updated + report.skipped + report.failed == 0 {
        return Err(ImportError::NoRows { path: shown(path) }.into());
    }
    let keep = !opts.dry_run && (report.failed == 0 || opts.skip_invalid);
    if !keep {
        drop(bulk);
        return Ok(report);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    sqlx::query(
        "INSERT INTO import_batches \
         (id, file_name, started_at, finished_at, created, updated, skipped, failed, hlc_from, hlc_to, \
          records_after) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
    )
    .bind(work.batch.to_string())
    .bind(name)
    .bind(started_at)
    .bind(system_ms() as i64)
    .bind(report.created as i64)
    .bind(report.updated as i64)
    .bind(report.skipped as i64)
    .bind(report.failed as i64)
    .bind(hlc_from.as_i64())
    .bind(bulk.clock().as_i64())
    .execute(bulk.conn())
    .await?;
    record_created(&mut bulk, work.batch, &work.created).await?;
    if opts.remember_mapping {
        // Only a code page is worth remembering: a BOM or valid UTF-8 says itself.
        let remembered = saved::SavedMapping {
            mapping,
            encoding: remembered_encoding,
        };
        for headers in std::iter::once(&sniffed.headers).chain(&guessed_headers) {
            saved::save(bulk.conn(), headers, &remembered).await?;
        }
        if let Some(headers) = &byte_headers {
            saved::save_by_bytes(bulk.conn(), headers, &remembered).await?;
        }
    }
    bulk.finish().await?;
    report.batch_id = Some(work.batch);
    report.committed = true;
    tracing::info!(batch = %work.batch, created = report.created, updated = report.updated, "import committed");
    Ok(report)
}

/// The stored form of each default value, checked against its field before a
/// row is read: a default that would fail every row fails the import at once.
fn stored_defaults(
    defaults: &[DefaultValue],
    catalog: &Catalog,
    region: &str,
) -> Result<Vec<(Uuid, String)>, RunError> {
    let refuse = |message: String| RunError::from(CoreError::validation("default_values", message));
    let mut out: Vec<(Uuid, String)> = Vec::with_capacity(defaults.len());
    for d in defaults {
        let name = d.field.trim();
        let field = catalog
            .by_name(name)
            .ok_or_else(|| refuse(format!("There is no custom field named “{name}”")))?;
        let value = crate::fields::value::parse(field, &d.value, region)
            .map_err(|e| refuse(format!("{}: {e}", field.name)))?
            .ok_or_else(|| refuse(format!("Give {} a value, or remove it", field.name)))?;
        if out.iter().any(|(id, _)| *id == field.id) {
            return Err(refuse(format!("{} is given two values", field.name)));
        }
        out.push((field.id, value));
    }
    Ok(out)
}

/// Files of fewer rows than this are written through the indexes as they are.
const DEFER_INDEXES_FROM_ROWS: i64 = 20_000;

/// For a file with more rows than the users table has, builds the users indexes
/// the import does not read once at the end instead of row by row (see
/// [`Bulk::defer_indexes`]): at a million rows that is most of the write time.
async fn defer_indexes_if_large(
    bulk: &mut Bulk<'_>,
    on: MatchOn,
    expected_rows: i64,
) -> Result<(), RunError> {
    if expected_rows < DEFER_INDEXES_FROM_ROWS {
        return Ok(());
    }
    // rid only grows: an upper bound of the rows, tombstones included, at no cost.
    let existing: i64 = sqlx::query_scalar("SELECT coalesce(max(rid), 0) FROM users")
        .fetch_one(bulk.conn())
        .await?;
    if expected_rows < existing {
        return Ok(());
    }
    // The indexes [`lookup`] matches rows by.
    let keep: &[&str] = match on {
        MatchOn::Email => &["users_by_email"],
        MatchOn::Phone => &["users_by_mobile", "users_by_home"],
        MatchOn::AppUserId => &["users_by_app_user_id"],
        MatchOn::StripeId => &["users_by_stripe_id"],
    };
    bulk.defer_indexes(&USERS, keep).await?;
    Ok(())
}

/// Rows read and validated by [`read_chunks`], in file order.
struct Chunk {
    /// Each row read, and whether, refused, it is one to fix.
    rows: Vec<(Result<ImportedUser, Vec<CellError>>, bool)>,
    /// Data rows read so far, and bytes of decoded text.
    read: u64,
    byte: u64,
    /// The end of the file.
    last: bool,
}

/// Reads the file into chunks of [`CHUNK`] rows, valid or not,
/// until the end, an unreadable row, or the importer hanging up.
fn read_chunks(
    mut file: Rows,
    headers: Vec<String>,
    targets: Vec<Target>,
    region: String,
    fields: Catalog,
    photos: PhotoSink,
    out: tokio::sync::mpsc::Sender<Result<Chunk, ImportError>>,
) {
    let reader = RowReader {
        headers: &headers,
        targets: &targets,
        region: &region,
        fields: &fields,
    };
    let mut rows = Vec::with_capacity(CHUNK);
    loop {
        // The importer hung up (cancelled, or failed): no more photos stored.
        if out.is_closed() {
            return;
        }
        let (row, last) = match file.next_row() {
            Ok(Some(row)) => {
                let to_fix = row.refused.as_ref().is_none_or(Refusal::fixable);
                let mut read = reader.read_row(&row);
                if let Err(e) = read
                    .as_mut()
                    .map(|user| photos.store(user))
                    .unwrap_or(Ok(()))
                {
                    let _ = out.blocking_send(Err(e));
                    return;
                }
                (Some((read, to_fix)), false)
            }
            Ok(None) => (None, true),
            Err(e) => {
                let _ = out.blocking_send(Err(e));
                return;
            }
        };
        if let Some(row) = row {
            rows.push(row);
        }
        // Invalid rows count too: a file of nothing but bad rows must not pile up.
        if rows.len() == CHUNK || last {
            let chunk = Chunk {
                rows: std::mem::take(&mut rows),
                read: file.read(),
                byte: file.byte(),
                last,
            };
            if out.blocking_send(Ok(chunk)).is_err() || last {
                return;
            }
        }
    }
}

struct Work<'o> {
    batch: Uuid,
    opts: &'o ImportOptions,
    /// Match key (as [`Work::seen_key`]) → the user this import created or updated
    /// for it, so later rows with the same key merge into that user. Which users
    /// this import created is not kept here but read back from its undo records:
    /// memory must not grow with the file beyond this one store of keys.
    seen: SeenKeys,
    /// Two independently keyed SipHashes make a key's 128-bit fingerprint.
    key_hash: (RandomState, RandomState),
    /// Team name (lower case) → id, including teams this import creates.
    teams: HashMap<String, Uuid>,
    /// Custom field name (lower case) → id and the next free position, including
    /// fields this import creates.
    fields: CustomFields,
    /// (field, stored value) of the [`ImportOptions::default_values`].
    defaults: Vec<(Uuid, String)>,
    /// Teams and custom fields this import created (table, id), recorded with
    /// the batch so its undo can remove those nobody uses any more.
    created: Vec<(&'static str, Uuid)>,
    /// The current chunk's refused cells, before they join the report in row order.
    refused: Vec<CellError>,
    /// The attachments this import made of photos, by id: a later row of the
    /// file with another photo for the same user replaces theirs rather than
    /// leaving both. Empty for a file without photos.
    added_photos: std::collections::HashSet<String>,
    report: ImportReport,
}

/// The user columns an import can set, in the order of [`fields_of`].
const IMPORTED_COLUMNS: [&str; 7] = [
    "first_name",
    "last_name",
    "email",
    "mobile_phone",
    "home_phone",
    "app_user_id",
    "stripe_customer_id",
];

/// The values a row brings for [`IMPORTED_COLUMNS`].
fn fields_of(u: &ImportedUser) -> impl Iterator<Item = (&'static str, Option<String>)> {
    let r = &u.record;
    let values = [
        r.first_name.clone(),
        r.last_name.clone(),
        r.email.clone(),
        r.mobile_phone.clone(),
        r.home_phone.clone(),
        r.app_user_id.clone(),
        r.stripe_customer_id.clone(),
    ];
    IMPORTED_COLUMNS.into_iter().zip(values)
}

impl Work<'_> {
    fn key(&self, u: &ImportedUser) -> Option<String> {
        let r = &u.record;
        match self.opts.match_on {
            MatchOn::Email => r.email.as_ref().map(|e| e.to_lowercase()),
            MatchOn::Phone => r.mobile_phone.clone().or_else(|| r.home_phone.clone()),
            MatchOn::AppUserId => r.app_user_id.clone(),
            MatchOn::StripeId => r.stripe_customer_id.clone(),
        }
    }

    /// A match key's 128-bit fingerprint, held in `seen` instead of the key itself:
    /// 32 bytes an entry with its user's id, and no heap string besides. Two keys
    /// sharing a fingerprint (odds ~1e-27 at a million rows) is far less likely
    /// than a UUID collision.
    fn seen_key(&self, key: &str) -> u128 {
        (u128::from(self.key_hash.0.hash_one(key)) << 64)
            | u128::from(self.key_hash.1.hash_one(key))
    }

    async fn write(
        &mut self,
        bulk: &mut Bulk<'_>,
        chunk: Vec<ImportedUser>,
    ) -> Result<(), RunError> {
        if chunk.is_empty() {
            return Ok(());
        }
        let keys: Vec<String> = chunk
            .iter()
            .filter_map(|u| self.key(u))
            .filter(|k| !self.seen.contains(self.seen_key(k)))
            .collect();
        let existing = lookup(bulk, self.opts.match_on, &keys).await?;
        let ids: Vec<Uuid> = chunk.iter().filter_map(|u| u.kith_id).collect();
        let live_ids = live_users(bulk, &ids).await?;

        let mut edits = Vec::new();
        let mut undo: Vec<UndoRow> = Vec::new();
        // Addresses and memberships given to the users this chunk creates, so a
        // later row of the file for one of them does not add them twice.
        let mut fresh = Existing::default();
        // The avatars of the users this chunk creates, likewise.
        let mut fresh_avatars = Avatars::new();
        let now = system_ms() as i64;
        let mut updates: Vec<(Uuid, ImportedUser)> = Vec::new();
        for u in chunk {
            self.report.photo_links += u64::from(u.photo_link);
            let key = self.key(&u);
            let from_file = key.as_ref().and_then(|k| self.seen.get(self.seen_key(k)));
            let existing_id = u
                .kith_id
                .filter(|id| live_ids.contains(id))
                .or_else(|| key.as_ref().and_then(|k| existing.get(k)).copied());
            match (from_file, existing_id, self.opts.mode) {
                // A later row of the file for a user this import already wrote: merge.
                (Some(id), _, _) => updates.push((id, u)),
                (None, Some(_), Mode::Create) | (None, None, Mode::Update) => {
                    self.report.skipped += 1
                }
                (None, Some(id), _) => {
                    if let Some(k) = key {
                        self.seen.insert(self.seen_key(&k), id);
                    }
                    updates.push((id, u));
                }
                (None, None, mode)
                    if u.record.first_name.is_none() && u.record.last_name.is_none() =>
                {
                    let message = match mode {
                        Mode::Create => NAMELESS_NEW,
                        _ => NAMELESS,
                    };
                    self.fail(CellError {
                        row: u.row,
                        column: String::new(),
                        message: message.into(),
                    });
                }
                (None, None, _) => {
                    // UUIDv7: random but for the leading milliseconds, so the rows an
                    // import creates get neighbouring ids and the id indexes (users,
                    // addresses, children by user, undo records) grow at their right
                    // edge instead of at a random page each: past the page cache's
                    // size that re-read evicted pages for every row (1M rows took
                    // 204 s with v4 ids, 124 s with these).
                    let id = Uuid::now_v7();
                    if let Some(k) = key {
                        self.seen.insert(self.seen_key(&k), id);
                    }
                    let created_at = u.created_at.unwrap_or(system_ms() as i64);
                    edits.push(Users::create_edit(
                        id,
                        u.record.clone(),
                        UserSource::Import,
                        created_at,
                    ));
                    // Undo trashes the user, children and all: nothing to record.
                    self.children(id, &u, &mut fresh, &mut edits);
                    let mut given = Vec::with_capacity(u.custom.len());
                    for (name, value) in &u.custom {
                        let field = self.field(name, &mut edits);
                        given.push(field);
                        edits.push(new_custom_value_edit(id, field, value.clone()));
                    }
                    for (field, value) in self.defaults.iter().filter(|(f, _)| !given.contains(f)) {
                        edits.push(new_custom_value_edit(id, *field, value.clone()));
                    }
                    if let Some(photo) = &u.photo {
                        let owner = owner_name(&u, None);
                        let (attachment, photo_edits) = avatar_edits(id, photo, &owner, now);
                        edits.extend(photo_edits);
                        fresh_avatars.insert(
                            id,
                            (Some(attachment.to_string()), Some(photo.sha256.clone())),
                        );
                        self.added_photos.insert(attachment.to_string());
                        self.report.photos += 1;
                    }
                    undo.push((id, "created", None));
                    self.report.created += 1;
                }
            }
        }

        // Updates: blank cells keep what the user had; undo remembers what changed;
        // a row that matches the user as they are changes nothing at all.
        let update_ids: Vec<Uuid> = updates.iter().map(|(id, _)| *id).collect();
        // Values as they stand, kept current row by row: a later row of the file
        // for the same user is compared with what the earlier one set.
        let mut before = current_values(bulk, &update_ids).await?;
        let mut has = existing_children(bulk, &update_ids).await?;
        has.addresses.extend(fresh.addresses);
        has.memberships.extend(fresh.memberships);
        let mut custom_before = custom_values(bulk, &update_ids).await?;
        let mut avatars = current_avatars(bulk, &update_ids).await?;
        avatars.extend(fresh_avatars);
        // Users created in this chunk are not written yet (`before` lacks them);
        // what earlier chunks did to a user is in this import's undo records.
        let mut recorded = undo_records(bulk, self.batch, &update_ids).await?;
        for (id, u) in updates {
            let old = before.get_mut(&id);
            let exists = old.is_some();
            let mut edit = Edit::new(&USERS, id);
            let mut was = BTreeMap::new();
            // What the import sets, under the same keys as `was`.
            let mut set = BTreeMap::new();
            let mut old = old;
            for (column, value) in fields_of(&u) {
                let Some(value) = value else { continue };
                let prior = old
                    .as_ref()
                    .and_then(|o| o.get(column))
                    .cloned()
                    .unwrap_or(Value::Null);
                if prior.as_str() == Some(value.as_str()) {
                    continue;
                }
                was.insert(column.to_owned(), prior);
                set.insert(column.to_owned(), Value::from(value.as_str()));
                if let Some(o) = old.as_mut() {
                    o.insert(column, Value::from(Some(value.clone())));
                }
                edit = edit.set(column, value);
            }
            let edits_before = edits.len();
            if !edit.fields.is_empty() {
                edits.push(edit);
            }
            for added in self.children(id, &u, &mut has, &mut edits) {
                was.insert(added, Value::Bool(true));
            }
            let mut given = Vec::with_capacity(u.custom.len());
            for (name, value) in &u.custom {
                let field = self.field(name, &mut edits);
                given.push(field);
                let prior = custom_before.insert((id, field), value.clone());
                if prior.as_deref() == Some(value.as_str()) {
                    continue;
                }
                was.insert(custom_key(field), Value::from(prior));
                set.insert(custom_key(field), Value::from(value.as_str()));
                edits.push(custom_value_edit(id, field, Some(value.clone())));
            }
            // A default fills a field the user has nothing in: never replaces a value.
            // A user this chunk created got the defaults then, and `custom_before`
            // does not know what its rows have set since (it is not written yet).
            let defaults = if exists {
                self.defaults.as_slice()
            } else {
                &[]
            };
            for (field, value) in defaults {
                if given.contains(field) || custom_before.contains_key(&(id, *field)) {
                    continue;
                }
                custom_before.insert((id, *field), value.clone());
                was.insert(custom_key(*field), Value::Null);
                set.insert(custom_key(*field), Value::from(value.as_str()));
                edits.push(custom_value_edit(id, *field, Some(value.clone())));
            }
            // A photo replaces the user's own unless it is the same picture (a
            // file imported again); the one it replaces stays among their files,
            // unless an earlier row of this file brought it: then it goes, and
            // the user counts once among the photos set.
            if let Some(photo) = &u.photo {
                let (prior, prior_sha) = avatars.get(&id).cloned().unwrap_or_default();
                if prior_sha.as_deref() != Some(photo.sha256.as_str()) {
                    let owner = owner_name(&u, old.as_deref());
                    let (attachment, photo_edits) = avatar_edits(id, photo, &owner, now);
                    edits.extend(photo_edits);
                    match prior.as_ref().filter(|p| self.added_photos.remove(*p)) {
                        Some(ours) => {
                            let ours = crate::ids::parse_id(ours)?;
                            edits.push(Edit::tombstone(&ATTACHMENTS, ours, true));
                        }
                        None => self.report.photos += 1,
                    }
                    self.added_photos.insert(attachment.to_string());
                    was.insert(added_key(&ATTACHMENTS, attachment), Value::Bool(true));
                    was.insert(AVATAR_KEY.to_owned(), Value::from(prior));
                    set.insert(AVATAR_KEY.to_owned(), Value::from(attachment.to_string()));
                    avatars.insert(
                        id,
                        (Some(attachment.to_string()), Some(photo.sha256.clone())),
                    );
                }
            }
            let earlier = recorded.get_mut(&id);
            if !exists || earlier.as_ref().is_some_and(|r| r.created) {
                continue;
            }
            if edits.len() == edits_before {
                // A user the import already updated counts once, as updated.
                if earlier.is_none() {
                    self.report.skipped += 1;
                    self.report.unchanged += 1;
                }
                continue;
            }
            match earlier {
                // Undo must restore what the user had before the import: values an
                // earlier row already changed keep their first "before".
                Some(record) => {
                    for (key, value) in was {
                        record.before.entry(key).or_insert(value);
                    }
                    // ... and the value it ends with is the last row's.
                    record.after.extend(set);
                    record.dirty = true;
                }
                None => {
                    recorded.insert(
                        id,
                        UndoRecord {
                            created: false,
                            before: was,
                            after: set,
                            dirty: true,
                        },
                    );
                    self.report.updated += 1;
                }
            }
        }
        for (id, record) in recorded {
            if record.dirty {
                undo.push((id, "updated", Some((record.before, record.after))));
            }
        }
        bulk.commit(edits).await?;
        record_undo(bulk, self.batch, &undo).await
    }

    /// Counts a row refused; its error joins the report (up to its cap) with the
    /// chunk's others, in row order.
    fn fail(&mut self, error: CellError) {
        self.report.failed += 1;
        self.report.to_fix += 1;
        self.refused.push(error);
    }

    /// The id of the custom field named `name`, creating it (as text) if need be:
    /// a column mapped to a new field holds text, whose kind can be changed later
    /// in Settings (the values convert).
    fn field(&mut self, name: &str, edits: &mut Vec<Edit>) -> Uuid {
        let name = name.trim();
        let key = name.to_lowercase();
        if let Some(id) = self.fields.ids.get(&key) {
            return *id;
        }
        let id = Uuid::new_v4();
        self.fields.next_position += 1;
        edits.push(
            Edit::create(&CUSTOM_FIELDS, id)
                .set("name", name.to_owned())
                .set("kind", crate::users::CustomFieldKind::Text.as_str())
                .set("position", self.fields.next_position),
        );
        self.fields.ids.insert(key, id);
        self.created.push((CUSTOM_FIELDS.name, id));
        id
    }

    /// Address and team memberships of an imported user, minus those they have
    /// (`has`, which gains them). Returns the rows added, as undo records name
    /// them (see [`added_key`]).
    fn children(
        &mut self,
        user: Uuid,
        u: &ImportedUser,
        has: &mut Existing,
        edits: &mut Vec<Edit>,
    ) -> Vec<String> {
        let mut added = Vec::new();
        let new_address = u.address.as_ref().filter(|a| {
            has.addresses
                .insert((user, a.street.to_lowercase(), a.city.to_lowercase()))
        });
        if let Some(a) = new_address {
            let id = Uuid::now_v7();
            added.push(added_key(&USER_ADDRESSES, id));
            edits.push(
                Edit::create(&USER_ADDRESSES, id)
                    .set("user_id", user.to_string())
                    .set("street", Some(a.street.clone()).filter(|s| !s.is_empty()))
                    .set("city", Some(a.city.clone()).filter(|s| !s.is_empty()))
                    .set("region", Some(a.region.clone()).filter(|s| !s.is_empty()))
                    .set(
                        "postal_code",
                        Some(a.postal_code.clone()).filter(|s| !s.is_empty()),
                    )
                    .set("country", Some(a.country.clone()).filter(|s| !s.is_empty())),
            );
        }
        let names: Vec<String> = u
            .teams
            .iter()
            .chain(&self.opts.default_teams)
            .cloned()
            .collect();
        for name in names {
            let team = match self.teams.get(&name.to_lowercase()) {
                Some(id) => *id,
                None => {
                    let id = Uuid::new_v4();
                    edits.push(Edit::create(&TEAMS, id).set("name", name.clone()));
                    self.teams.insert(name.to_lowercase(), id);
                    self.created.push((TEAMS.name, id));
                    self.report.new_teams += 1;
                    if self.report.new_team_names.len() < NAMED_NEW_TEAMS {
                        self.report.new_team_names.push(name.clone());
                    }
                    id
                }
            };
            if !has.memberships.insert((user, team)) {
                continue;
            }
            let edit = membership_edit(user, team, true);
            added.push(added_key(&USER_TEAMS, edit.row));
            edits.push(edit);
        }
        added
    }
}

/// What users already have, so an update adds only what is new.
#[derive(Default)]
struct Existing {
    /// (user, street, city), lower case.
    addresses: std::collections::HashSet<(Uuid, String, String)>,
    memberships: std::collections::HashSet<(Uuid, Uuid)>,
}

async fn existing_children(bulk: &mut Bulk<'_>, users: &[Uuid]) -> Result<Existing, RunError> {
    let mut has = Existing::default();
    let parse = |s: String| Uuid::parse_str(&s).ok();
    let addresses = select_for(
        bulk,
        "SELECT user_id, coalesce(street, '') AS street, coalesce(city, '') AS city \
         FROM user_addresses WHERE _deleted = 0 AND user_id IN ({keys})",
        &[],
        users,
    )
    .await?;
    for r in addresses {
        if let Some(user) = parse(r.try_get("user_id")?) {
            let street: String = r.try_get("street")?;
            let city: String = r.try_get("city")?;
            has.addresses
                .insert((user, street.to_lowercase(), city.to_lowercase()));
        }
    }
    let memberships = select_for(
        bulk,
        "SELECT user_id, team_id FROM user_teams WHERE _deleted = 0 AND user_id IN ({keys})",
        &[],
        users,
    )
    .await?;
    for r in memberships {
        if let (Some(user), Some(team)) =
            (parse(r.try_get("user_id")?), parse(r.try_get("team_id")?))
        {
            has.memberships.insert((user, team));
        }
    }
    Ok(has)
}

/// The rows `sql` selects for all of `keys`, asked a statement-sized chunk at a
/// time: each `{keys}` in `sql` becomes the chunk's placeholders, bound after
/// the `first` parameters.
async fn select_for<K: ToString>(
    bulk: &mut Bulk<'_>,
    sql: &str,
    first: &[String],
    keys: &[K],
) -> Result<Vec<SqliteRow>, RunError> {
    let uses = sql.matches("{keys}").count();
    let mut rows = Vec::new();
    for chunk in keys.chunks(ROWS_PER_STATEMENT) {
        let sql = sql.replace("{keys}", &placeholders(chunk.len()));
        let mut q = sqlx::query(&sql);
        for p in first {
            q = q.bind(p.clone());
        }
        for _ in 0..uses {
            for k in chunk {
                q = q.bind(k.to_string());
            }
        }
        rows.extend(q.fetch_all(bulk.conn()).await?);
    }
    Ok(rows)
}

#[derive(Default)]
struct CustomFields {
    ids: HashMap<String, Uuid>,
    next_position: i64,
}

/// User → (the attachment their avatar row names, if any; that attachment's
/// hash, when it is live).
type Avatars = HashMap<Uuid, (Option<String>, Option<String>)>;

/// The avatars `users` have now (see [`Avatars`]).
async fn current_avatars(bulk: &mut Bulk<'_>, users: &[Uuid]) -> Result<Avatars, RunError> {
    let rows = select_for(
        bulk,
        "SELECT i.user_id, i.attachment_id, a.sha256 FROM user_images i \
         LEFT JOIN attachments a ON a.id = i.attachment_id AND a._deleted = 0 \
         WHERE i.role = 'avatar' AND i._deleted = 0 AND i.user_id IN ({keys})",
        &[],
        users,
    )
    .await?;
    let mut out = Avatars::new();
    for r in rows {
        let user: String = r.try_get("user_id")?;
        if let Ok(user) = Uuid::parse_str(&user) {
            out.insert(user, (r.try_get("attachment_id")?, r.try_get("sha256")?));
        }
    }
    Ok(out)
}

/// Whose a photo is, for its file name: the row's name, else the user's own.
fn owner_name(u: &ImportedUser, current: Option<&BTreeMap<&str, Value>>) -> String {
    let of = |column: &str, given: &Option<String>| {
        given.clone().or_else(|| {
            current
                .and_then(|c| c.get(column))
                .and_then(|v| v.as_str().map(str::to_owned))
        })
    };
    [
        of("first_name", &u.record.first_name),
        of("last_name", &u.record.last_name),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
}

async fn load_custom_fields(bulk: &mut Bulk<'_>) -> Result<CustomFields, RunError> {
    let rows = sqlx::query(
        "SELECT id, name, coalesce(position, 0) AS position FROM custom_fields \
         WHERE _deleted = 0 AND name IS NOT NULL",
    )
    .fetch_all(bulk.conn())
    .await?;
    let mut fields = CustomFields::default();
    for r in rows {
        let id: String = r.try_get("id")?;
        let name: String = r.try_get("name")?;
        let position: i64 = r.try_get("position")?;
        fields.next_position = fields.next_position.max(position);
        if let Ok(id) = Uuid::parse_str(&id) {
            fields.ids.insert(name.to_lowercase(), id);
        }
    }
    Ok(fields)
}

/// The custom values users have now, by (user, field).
async fn custom_values(
    bulk: &mut Bulk<'_>,
    users: &[Uuid],
) -> Result<HashMap<(Uuid, Uuid), String>, RunError> {
    let rows = select_for(
        bulk,
        "SELECT user_id, field_id, value FROM user_field_values \
         WHERE _deleted = 0 AND value IS NOT NULL AND user_id IN ({keys})",
        &[],
        users,
    )
    .await?;
    let mut out = HashMap::new();
    for r in rows {
        let user: String = r.try_get("user_id")?;
        let field: String = r.try_get("field_id")?;
        if let (Ok(user), Ok(field)) = (Uuid::parse_str(&user), Uuid::parse_str(&field)) {
            out.insert((user, field), r.try_get("value")?);
        }
    }
    Ok(out)
}

async fn load_teams(bulk: &mut Bulk<'_>) -> Result<HashMap<String, Uuid>, RunError> {
    let rows = sqlx::query("SELECT id, name FROM teams WHERE _deleted = 0 AND name IS NOT NULL")
        .fetch_all(bulk.conn())
        .await?;
    let mut teams = HashMap::new();
    for r in rows {
        let id: String = r.try_get("id")?;
        let name: String = r.try_get("name")?;
        if let Ok(id) = Uuid::parse_str(&id) {
            teams.insert(name.to_lowercase(), id);
        }
    }
    Ok(teams)
}

/// Live users by match key.
async fn lookup(
    bulk: &mut Bulk<'_>,
    on: MatchOn,
    keys: &[String],
) -> Result<HashMap<String, Uuid>, RunError> {
    let sql = match on {
        MatchOn::Email => "SELECT id, email_key AS k FROM users WHERE _deleted = 0 AND email_key IN ({keys})",
        MatchOn::AppUserId => "SELECT id, app_user_id AS k FROM users WHERE _deleted = 0 AND app_user_id IN ({keys})",
        MatchOn::StripeId => {
            "SELECT id, stripe_customer_id AS k FROM users WHERE _deleted = 0 AND stripe_customer_id IN ({keys})"
        }
        MatchOn::Phone => {
            "SELECT id, mobile_phone AS k FROM users WHERE _deleted = 0 AND mobile_phone IN ({keys}) \
             UNION ALL SELECT id, home_phone AS k FROM users WHERE _deleted = 0 AND home_phone IN ({keys})"
        }
    };
    let mut found = HashMap::new();
    for r in select_for(bulk, sql, &[], keys).await? {
        let id: String = r.try_get("id")?;
        let k: String = r.try_get("k")?;
        if let Ok(id) = Uuid::parse_str(&id) {
            found.entry(k).or_insert(id);
        }
    }
    Ok(found)
}

async fn live_users(
    bulk: &mut Bulk<'_>,
    ids: &[Uuid],
) -> Result<std::collections::HashSet<Uuid>, RunError> {
    let rows = select_for(
        bulk,
        "SELECT id FROM users WHERE _deleted = 0 AND id IN ({keys})",
        &[],
        ids,
    )
    .await?;
    let mut live = std::collections::HashSet::new();
    for r in rows {
        let id: String = r.try_get("id")?;
        if let Ok(id) = Uuid::parse_str(&id) {
            live.insert(id);
        }
    }
    Ok(live)
}

/// The importable fields of users as they are now.
async fn current_values(
    bulk: &mut Bulk<'_>,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, BTreeMap<&'static str, Value>>, RunError> {
    let sql = format!(
        "SELECT id, {} FROM users WHERE id IN ({{keys}})",
        IMPORTED_COLUMNS.join(", ")
    );
    let mut out = HashMap::new();
    for r in select_for(bulk, &sql, &[], ids).await? {
        let id: String = r.try_get("id")?;
        let Ok(id) = Uuid::parse_str(&id) else {
            continue;
        };
        let mut values = BTreeMap::new();
        for column in IMPORTED_COLUMNS {
            let v: Option<String> = r.try_get(column)?;
            values.insert(column, Value::from(v));
        }
        out.insert(id, values);
    }
    Ok(out)
}

/// What this import has recorded so far for a user it wrote.
struct UndoRecord {
    created: bool,
    /// For an update: the values the changed fields had before the import.
    before: BTreeMap<String, Value>,
    /// ... and the values the import set in them (none for an added row: its
    /// key is in `before` alone).
    after: BTreeMap<String, Value>,
    /// Changed since read: to be written back.
    dirty: bool,
}

/// This import's undo records for `users`, from the chunks written so far.
async fn undo_records(
    bulk: &mut Bulk<'_>,
    batch: Uuid,
    users: &[Uuid],
) -> Result<HashMap<Uuid, UndoRecord>, RunError> {
    let rows = select_for(
        bulk,
        "SELECT user_id, action, before, after FROM import_batch_rows WHERE batch = ? \
         AND user_id IN ({keys})",
        &[batch.to_string()],
        users,
    )
    .await?;
    let mut out = HashMap::new();
    for r in rows {
        let id: String = r.try_get("user_id")?;
        let action: String = r.try_get("action")?;
        if let Ok(id) = Uuid::parse_str(&id) {
            out.insert(
                id,
                UndoRecord {
                    created: action == "created",
                    before: undo_map(&r, "before")?,
                    after: undo_map(&r, "after")?,
                    dirty: false,
                },
            );
        }
    }
    Ok(out)
}

/// An undo record's map in `column` (empty when NULL).
pub(super) fn undo_map(r: &SqliteRow, column: &str) -> Result<BTreeMap<String, Value>, RunError> {
    let text: Option<String> = r.try_get(column)?;
    Ok(text
        .map(|t| serde_json::from_str(&t))
        .transpose()
        .map_err(|e| CoreError::Corrupt(format!("undo record: {e}")))?
        .unwrap_or_default())
}

/// Records the teams and custom fields the import created (see [`Work::created`]).
async fn record_created(
    bulk: &mut Bulk<'_>,
    batch: Uuid,
    created: &[(&'static str, Uuid)],
) -> Result<(), RunError> {
    for chunk in created.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO import_batch_created (batch, tbl, row) VALUES {}",
            vec!["(?, ?, ?)"; chunk.len()].join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (table, id) in chunk {
            q = q.bind(batch.to_string()).bind(*table).bind(id.to_string());
        }
        q.execute(bulk.conn()).await?;
    }
    Ok(())
}

async fn record_undo(bulk: &mut Bulk<'_>, batch: Uuid, rows: &[UndoRow]) -> Result<(), RunError> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT OR REPLACE INTO import_batch_rows (batch, user_id, action, before, after) \
             VALUES {}",
            vec!["(?, ?, ?, ?, ?)"; chunk.len()].join(", ")
        );
        let mut q = sqlx::query(&sql);
        let json = |m: &BTreeMap<String, Value>| {
            serde_json::to_string(m).map_err(|e| CoreError::Corrupt(e.to_string()))
        };
        for (user, action, maps) in chunk {
            let (before, after) = match maps {
                Some((before, after)) => (Some(json(before)?), Some(json(after)?)),
                None => (None, None),
            };
            q = q
                .bind(batch.to_string())
                .bind(user.to_string())
                .bind(*action)
                .bind(before)
                .bind(after);
        }
        q.execute(bulk.conn()).await?;
    }
    Ok(())
}
