//! A user's history, read from two places that both come out of the store's write
//! path: the `activity` log (what changed, old → new) and the created rows
//! themselves (the user, notes, tasks and files carry when and by whom they were
//! made). Each source is read newest first up to the limit and the lists merged.

use std::collections::HashMap;

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};
use uuid::Uuid;

use super::model::*;
use crate::error::Result;
use crate::fields::CustomField;
use crate::protocol::NodeId;

/// Entries a page holds when the query names no limit.
pub const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 1_000;
/// Characters of a note's body shown as its subject.
const EXCERPT_CHARS: i64 = 140;

/// A kind of record whose creation is an entry, read from the record itself.
struct Created {
    table: &'static str,
    /// The column naming the staff member who made it.
    by: &'static str,
    /// What the entry shows of it.
    subject: &'static str,
    kind: ActivityKind,
    group: ActivityGroup,
}

const CREATED: &[Created] = &[
    Created {
        table: "notes",
        by: "author_id",
        // EXCERPT_CHARS characters of the body.
        subject: "substr(body, 1, 140)",
        kind: ActivityKind::NoteAdded,
        group: ActivityGroup::Notes,
    },
    Created {
        table: "tasks",
        by: "created_by",
        subject: "title",
        kind: ActivityKind::TaskCreated,
        group: ActivityGroup::Tasks,
    },
    Created {
        table: "attachments",
        by: "created_by",
        subject: "name",
        kind: ActivityKind::FileAdded,
        group: ActivityGroup::Files,
    },
];

/// Names of everything an entry can refer to by id, read once per page.
struct Names {
    staff: HashMap<String, ActivityActor>,
    devices: HashMap<String, String>,
    this_device: String,
    custom_fields: HashMap<String, CustomField>,
    locations: HashMap<String, String>,
    statuses: HashMap<String, (String, bool)>,
    categories: HashMap<String, String>,
    imports: HashMap<String, String>,
}

async fn names(pool: &SqlitePool, this_device: NodeId) -> Result<Names> {
    let pairs = |sql: &'static str| async move {
        let rows: Vec<(String, String)> = sqlx::query_as(sql).fetch_all(pool).await?;
        Ok::<_, crate::CoreError>(rows.into_iter().collect::<HashMap<_, _>>())
    };
    let staff = sqlx::query(
        "SELECT id, coalesce(name, '') AS name, coalesce(color, '#64748b') AS color FROM staff",
    )
    .fetch_all(pool)
    .await?
    .iter()
    .filter_map(|r| {
        let id: String = r.try_get("id").ok()?;
        let actor = ActivityActor {
            id: Uuid::parse_str(&id).ok()?,
            name: r.try_get("name").ok()?,
            color: r.try_get("color").ok()?,
        };
        Some((id, actor))
    })
    .collect();
    let statuses = sqlx::query_as::<_, (String, String, bool)>(
        "SELECT id, coalesce(name, ''), coalesce(is_done, 0) FROM task_statuses",
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(id, name, done)| (id, (name, done)))
    .collect();
    // Live and trashed fields both: the history keeps changes of a field since deleted.
    let mut conn = pool.acquire().await?;
    let mut custom_fields = HashMap::new();
    for deleted in [false, true] {
        for field in crate::fields::catalog::load(&mut conn, deleted).await? {
            custom_fields.insert(field.id.to_string(), field);
        }
    }
    Ok(Names {
        staff,
        devices: pairs("SELECT id, coalesce(name, '') FROM devices").await?,
        this_device: this_device.to_string(),
        custom_fields,
        locations: pairs("SELECT id, coalesce(name, '') FROM locations").await?,
        statuses,
        categories: pairs("SELECT id, coalesce(name, '') FROM task_categories").await?,
        imports: pairs("SELECT id, file_name FROM import_batches").await?,
    })
}

impl Names {
    fn actor(&self, staff_id: Option<&str>) -> Option<ActivityActor> {
        self.staff.get(staff_id?).cloned()
    }

    fn device(&self, node: &str) -> Option<String> {
        if node.is_empty() {
            return None;
        }
        if node == self.this_device {
            return Some("This computer".to_owned());
        }
        Some(
            self.devices
                .get(node)
                .filter(|n| !n.is_empty())
                .cloned()
                .unwrap_or_else(|| "Another computer".to_owned()),
        )
    }

    /// A users or tasks column's display name.
    fn field_label(&self, table: &str, field: &str) -> String {
        if table == "user_images" {
            let label = if field == "cover" {
                "Cover image"
            } else {
                "Profile image"
            };
            return label.to_owned();
        }
        if table == "user_field_values" {
            return self
                .custom_fields
                .get(field)
                .map(|f| f.name.clone())
                .unwrap_or_else(|| "Custom field".to_owned());
        }
        match field {
            "first_name" => "First name",
            "last_name" => "Last name",
            "email" => "Email",
            "mobile_phone" => "Mobile phone",
            "home_phone" => "Home phone",
            "app_user_id" => "App user ID",
            "stripe_customer_id" => "Stripe customer ID",
            "location_id" => "Location",
            "generated_password" => "Password",
            "title" => "Title",
            "description" => "Description",
            "assignee_id" => "Assignee",
            "due_date" => "Due date",
            "due_time" => "Due time",
            "priority" => "Priority",
            "status_id" => "Status",
            "category_id" => "Category",
            other => other,
        }
        .to_owned()
    }

    /// A custom value as shown: "19.99 EUR", an option's label, "Yes".
    fn custom_value(&self, field: &str, value: Option<String>) -> Option<String> {
        let v = value?;
        Some(match self.custom_fields.get(field) {
            Some(f) => crate::fields::value::display(f, &v),
            None => v,
        })
    }

    /// A logged value as shown: ids become names.
    fn value(&self, field: &str, value: Option<String>) -> Option<String> {
        let v = value?;
        let named = match field {
            "location_id" => self.locations.get(&v).cloned(),
            "assignee_id" => self.staff.get(&v).map(|s| s.name.clone()),
            "status_id" => self.statuses.get(&v).map(|s| s.0.clone()),
            "category_id" => self.categories.get(&v).cloned(),
            _ => return Some(v),
        };
        Some(named.unwrap_or_else(|| "(removed)".to_owned()))
    }

    fn is_done(&self, status: Option<&str>) -> bool {
        status
            .and_then(|s| self.statuses.get(s))
            .is_some_and(|s| s.1)
    }

    fn import_file(&self, origin: &str) -> Option<String> {
        let batch = origin
            .strip_prefix("import:")
            .or_else(|| origin.strip_prefix("undo:"))?;
        self.imports.get(batch).cloned()
    }
}

/// Reads one page of a user's history, newest first.
pub(super) async fn history(
    pool: &SqlitePool,
    this_device: NodeId,
    user: Uuid,
    query: &ActivityQuery,
) -> Result<Vec<ActivityEntry>> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let before = query.before.unwrap_or(i64::MAX);
    let wants = |g: ActivityGroup| query.groups.is_empty() || query.groups.contains(&g);
    let names = names(pool, this_device).await?;
    let key = user.to_string();
    let mut out = Vec::new();

    let logged = sqlx::query(
        "SELECT a.at, a.node, a.staff_id, a.origin, a.kind, a.tbl, a.row, a.field, a.old, a.new, \
                coalesce(substr(n.body, 1, ?), t.title, f.name) AS subject, \
                fo.name AS old_file, fn.name AS new_file \
         FROM activity a \
         LEFT JOIN attachments fo ON a.tbl = 'user_images' AND fo.id = a.old \
         LEFT JOIN attachments fn ON a.tbl = 'user_images' AND fn.id = a.new \
         LEFT JOIN notes n ON a.tbl = 'notes' AND n.id = a.row \
         LEFT JOIN tasks t ON a.tbl = 'tasks' AND t.id = a.row \
         LEFT JOIN attachments f ON a.tbl = 'attachments' AND f.id = a.row \
         WHERE a.user_id = ? AND a.at < ? ORDER BY a.at DESC, a.seq DESC LIMIT ?",
    )
    .bind(EXCERPT_CHARS)
    // The log keeps the user's UUID as its 16 bytes (migration 0019).
    .bind(&user.as_bytes()[..])
    .bind(before)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    for r in &logged {
        if let Some(e) = logged_entry(&names, r)? {
            if wants(e.group) {
                out.push(e);
            }
        }
    }

    if wants(ActivityGroup::Fields) || wants(ActivityGroup::Imports) {
        out.extend(
            created_user(pool, &names, &key, before)
                .await?
                .filter(|e| wants(e.group)),
        );
    }
    for created in CREATED {
        if !wants(created.group) {
            continue;
        }
        // Table and column names come from the static list, never from input.
        let sql = format!(
            "SELECT id, created_at AS at, {by} AS by, {subject} AS subject, _node FROM {table} \
             WHERE user_id = ? AND created_at < ? ORDER BY created_at DESC LIMIT ?",
            by = created.by,
            subject = created.subject,
            table = created.table,
        );
        let rows = sqlx::query(&sql)
            .bind(&key)
            .bind(before)
            .bind(limit)
            .fetch_all(pool)
            .await?;
        created_rows(&names, &rows, created.kind, created.group, &mut out)?;
    }

    // Stable for equal times: the log's own order, then creations.
    out.sort_by_key(|e| std::cmp::Reverse(e.at));
    out.truncate(limit as usize);
    Ok(out)
}

fn logged_entry(names: &Names, r: &SqliteRow) -> Result<Option<ActivityEntry>> {
    let table: String = r.try_get("tbl")?;
    let kind: String = r.try_get("kind")?;
    let field: Option<String> = r.try_get("field")?;
    let old: Option<String> = r.try_get("old")?;
    let new: Option<String> = r.try_get("new")?;
    let origin: String = r.try_get("origin")?;
    // The device's node id as 16 bytes; anything else is no device Kith knows.
    let node = Uuid::from_slice(r.try_get::<&[u8], _>("node")?)
        .map(|n| n.to_string())
        .unwrap_or_default();
    let staff_id: Option<String> = r.try_get("staff_id")?;
    // NULL for the user's own record.
    let row: Option<String> = r.try_get("row")?;

    use ActivityKind as K;
    let (kind, group) = match (table.as_str(), kind.as_str(), field.as_deref()) {
        ("users", "deleted", _) => (K::UserDeleted, ActivityGroup::Fields),
        ("users", "restored", _) => (K::UserRestored, ActivityGroup::Fields),
        ("users" | "user_field_values" | "user_images", "changed", _) => {
            (K::FieldChanged, ActivityGroup::Fields)
        }
        ("notes", "deleted", _) => (K::NoteDeleted, ActivityGroup::Notes),
        ("notes", "restored", _) => (K::NoteRestored, ActivityGroup::Notes),
        ("notes", "changed", Some("pinned")) => {
            let pinned = new.as_deref() == Some("1");
            let kind = if pinned {
                K::NotePinned
            } else {
                K::NoteUnpinned
            };
            (kind, ActivityGroup::Notes)
        }
        ("notes", "changed", _) => (K::NoteEdited, ActivityGroup::Notes),
        ("tasks", "deleted", _) => (K::TaskDeleted, ActivityGroup::Tasks),
        ("tasks", "restored", _) => (K::TaskRestored, ActivityGroup::Tasks),
        ("tasks", "changed", Some("status_id")) => {
            let (was, is) = (names.is_done(old.as_deref()), names.is_done(new.as_deref()));
            let kind = match (was, is) {
                (false, true) => K::TaskCompleted,
                (true, false) => K::TaskReopened,
                _ => K::TaskChanged,
            };
            (kind, ActivityGroup::Tasks)
        }
        ("tasks", "changed", _) => (K::TaskChanged, ActivityGroup::Tasks),
        ("attachments", "deleted", _) => (K::FileDeleted, ActivityGroup::Files),
        ("attachments", "restored", _) => (K::FileRestored, ActivityGroup::Files),
        ("attachments", "changed", _) => (K::FileRenamed, ActivityGroup::Files),
        ("users" | "user_field_values" | "user_images", "superseded", _) => {
            (K::EditSuperseded, ActivityGroup::Fields)
        }
        ("notes", "superseded", _) => (K::EditSuperseded, ActivityGroup::Notes),
        ("tasks", "superseded", _) => (K::EditSuperseded, ActivityGroup::Tasks),
        ("attachments", "superseded", _) => (K::EditSuperseded, ActivityGroup::Files),
        // A log row of a kind this version does not know: not shown.
        _ => return Ok(None),
    };
    let import_file = names.import_file(&origin);
    let group = if import_file.is_some() || origin.starts_with("import:") {
        ActivityGroup::Imports
    } else {
        group
    };
    // A note's edit shows the note's opening words (its subject); earlier texts are
    // its versions, not the log's.
    let shows_values = matches!(
        kind,
        K::FieldChanged | K::TaskChanged | K::FileRenamed | K::EditSuperseded
    );
    let (old, new, label) = match &field {
        // An image's values are attachments: shown by their file names.
        Some(f) if table == "user_images" => (
            r.try_get("old_file")?,
            r.try_get("new_file")?,
            Some(names.field_label(&table, f)),
        ),
        Some(f) if table == "user_field_values" => (
            names.custom_value(f, old),
            names.custom_value(f, new),
            Some(names.field_label(&table, f)),
        ),
        Some(f) if shows_values => (
            names.value(f, old),
            names.value(f, new),
            Some(names.field_label(&table, f)),
        ),
        _ => (None, None, None),
    };
    Ok(Some(ActivityEntry {
        at: r.try_get("at")?,
        kind,
        group,
        field: label,
        old,
        new,
        subject: if matches!(
            table.as_str(),
            "users" | "user_field_values" | "user_images"
        ) {
            None
        } else {
            r.try_get("subject")?
        },
        subject_id: if matches!(
            table.as_str(),
            "users" | "user_field_values" | "user_images"
        ) {
            None
        } else {
            row.and_then(|r| Uuid::parse_str(&r).ok())
        },
        actor: names.actor(staff_id.as_deref()),
        device: names.device(&node),
        import_file,
    }))
}

/// The user's own creation: by hand, by import (with the file), from the app.
async fn created_user(
    pool: &SqlitePool,
    names: &Names,
    key: &str,
    before: i64,
) -> Result<Option<ActivityEntry>> {
    let row =
        sqlx::query("SELECT created_at, source, _node FROM users WHERE id = ? AND created_at < ?")
            .bind(key)
            .bind(before)
            .fetch_optional(pool)
            .await?;
    let Some(row) = row else { return Ok(None) };
    let source: Option<String> = row.try_get("source")?;
    let import_file = if source.as_deref() == Some("import") {
        // One primary-key probe per import batch: there are few batches, and
        // import_batch_rows has no index by user.
        sqlx::query_scalar::<_, String>(
            "SELECT b.file_name FROM import_batches b WHERE EXISTS \
             (SELECT 1 FROM import_batch_rows r WHERE r.batch = b.id AND r.user_id = ? \
              AND r.action = 'created') ORDER BY b.started_at DESC LIMIT 1",
        )
        .bind(key)
        .fetch_optional(pool)
        .await?
    } else {
        None
    };
    let node: String = row.try_get("_node")?;
    Ok(Some(ActivityEntry {
        at: row.try_get("created_at")?,
        kind: ActivityKind::UserCreated,
        group: if source.as_deref() == Some("import") {
            ActivityGroup::Imports
        } else {
            ActivityGroup::Fields
        },
        field: None,
        old: None,
        new: None,
        subject: source,
        subject_id: None,
        actor: None,
        device: names.device(&node),
        import_file,
    }))
}

fn created_rows(
    names: &Names,
    rows: &[SqliteRow],
    kind: ActivityKind,
    group: ActivityGroup,
    out: &mut Vec<ActivityEntry>,
) -> Result<()> {
    for r in rows {
        let Some(at) = r.try_get::<Option<i64>, _>("at")? else {
            continue;
        };
        let id: String = r.try_get("id")?;
        let by: Option<String> = r.try_get("by")?;
        let node: String = r.try_get("_node")?;
        out.push(ActivityEntry {
            at,
            kind,
            group,
            field: None,
            old: None,
            new: None,
            subject: r.try_get("subject")?,
            subject_id: Uuid::parse_str(&id).ok(),
            actor: names.actor(by.as_deref()),
            device: names.device(&node),
            import_file: None,
        });
    }
    Ok(())
}

/// The Overview's key figures.
pub(super) async fn summary(pool: &SqlitePool, user: Uuid, today: &str) -> Result<UserFigures> {
    let key = user.to_string();
    let (open_tasks, overdue_tasks): (i64, i64) = sqlx::query_as(
        "SELECT count(*), coalesce(sum(t.due_date < ?), 0) FROM tasks t \
         LEFT JOIN task_statuses s ON s.id = t.status_id \
         WHERE t.user_id = ? AND t._deleted = 0 AND coalesce(s.is_done, 0) = 0",
    )
    .bind(today)
    .bind(&key)
    .fetch_one(pool)
    .await?;
    let notes: i64 =
        sqlx::query_scalar("SELECT count(*) FROM notes WHERE user_id = ? AND _deleted = 0")
            .bind(&key)
            .fetch_one(pool)
            .await?;
    let files: i64 =
        sqlx::query_scalar("SELECT count(*) FROM attachments WHERE user_id = ? AND _deleted = 0")
            .bind(&key)
            .fetch_one(pool)
            .await?;
    // The newest of: the user's own record, and anything logged or created about them.
    let last_activity_at: Option<i64> = sqlx::query_scalar(
        "SELECT max(v) FROM ( \
           SELECT (_activity >> 16) AS v FROM users WHERE id = ?1 \
           UNION ALL SELECT max(at) FROM activity WHERE user_id = ?2 \
           UNION ALL SELECT max(created_at) FROM notes WHERE user_id = ?1 \
           UNION ALL SELECT max(created_at) FROM tasks WHERE user_id = ?1 \
           UNION ALL SELECT max(created_at) FROM attachments WHERE user_id = ?1)",
    )
    .bind(&key)
    .bind(&user.as_bytes()[..])
    .fetch_one(pool)
    .await?;
    Ok(UserFigures {
        open_tasks,
        overdue_tasks,
        notes,
        files,
        last_activity_at: last_activity_at.filter(|v| *v > 0),
    })
}
