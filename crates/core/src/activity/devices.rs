//! This computer's row in the synced `devices` table: its name and who uses it, so
//! the history can say which computer and which staff member a change came from.

use uuid::Uuid;

use crate::error::Result;
use crate::schema::DEVICES;
use crate::store::{Edit, Store};

/// Writes this computer's name and current staff member when they differ from what
/// the table holds. A computer nobody has chosen a staff member on, and that never
/// had a row, is left out: there is nothing to say about it yet.
pub(crate) async fn register(store: &Store, staff: Option<Uuid>) -> Result<()> {
    let node = store.node().0;
    let current: Option<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT name, staff_id FROM devices WHERE id = ? AND _deleted = 0")
            .bind(node.to_string())
            .fetch_optional(store.pool())
            .await?;
    if current.is_none() && staff.is_none() {
        return Ok(());
    }
    let name = device_name();
    let staff_text = staff.map(|s| s.to_string());
    if let Some((have_name, have_staff)) = &current {
        if have_name.as_deref() == Some(name.as_str()) && *have_staff == staff_text {
            return Ok(());
        }
    }
    store
        .commit(vec![Edit::new(&DEVICES, node)
            .set("name", name)
            .set("staff_id", staff_text)])
        .await?;
    Ok(())
}

/// The name people know the computer by ("Dana's MacBook"), or its host name.
pub(crate) fn device_name() -> String {
    let pretty = whoami::devicename();
    if !pretty.trim().is_empty() {
        return pretty.trim().to_owned();
    }
    whoami::fallible::hostname().unwrap_or_else(|_| "Unnamed computer".to_owned())
}
