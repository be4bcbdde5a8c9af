//! What the admin CLI does, as functions the tests call too: workspaces, staff
//! accounts and API keys.

use kith_protocol::schema;
use kith_protocol::sync::{Role, Workspace};
use uuid::Uuid;

use crate::credentials::{new_secret, PasswordCost, PasswordError};
use crate::error::StoreError;
use crate::store::{NewAccount, Store};

/// Shortest password accepted for a staff account.
pub const MIN_PASSWORD_CHARS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error("{0}")]
    Invalid(String),
}

/// Emails are compared case-insensitively: stored and looked up lower-cased.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A new workspace with its owner.
pub async fn init_workspace(
    store: &dyn Store,
    cost: PasswordCost,
    name: &str,
    owner_email: &str,
    owner_name: &str,
    owner_password: &str,
) -> Result<(Workspace, Uuid), AdminError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AdminError::Invalid("the workspace needs a name".into()));
    }
    // Checked before the workspace exists, so a bad owner leaves nothing behind.
    let account = new_account(cost, owner_email, owner_name, owner_password, Role::Owner)?;
    let ws = store.create_workspace(name).await?;
    let id = store.add_account(ws.id, &account).await?;
    Ok((ws, id))
}

/// Adds a staff account; desktops learn about it from the `staff` change it writes.
/// A removed staff member is added back under their old id (new password and role).
pub async fn add_staff(
    store: &dyn Store,
    cost: PasswordCost,
    workspace: Uuid,
    email: &str,
    name: &str,
    password: &str,
    role: Role,
) -> Result<Uuid, AdminError> {
    let account = new_account(cost, email, name, password, role)?;
    Ok(store.add_account(workspace, &account).await?)
}

/// Removes a staff account: its devices are signed out, desktops get a tombstone.
pub async fn remove_staff(
    store: &dyn Store,
    workspace: Uuid,
    email: &str,
) -> Result<Uuid, AdminError> {
    Ok(store
        .remove_account(workspace, &normalize_email(email))
        .await?)
}

/// A new API key: `(id, key)`. The key is shown once; the server keeps its hash.
pub async fn create_api_key(
    store: &dyn Store,
    workspace: Uuid,
    name: &str,
) -> Result<(Uuid, String), AdminError> {
    let (key, hash) = new_secret("kith_key_");
    let id = store.create_api_key(workspace, name, &hash).await?;
    Ok((id, key))
}

/// The workspace named `name`, or an error saying there is none.
pub async fn workspace(store: &dyn Store, name: &str) -> Result<Workspace, AdminError> {
    store
        .workspace_by_name(name)
        .await?
        .ok_or_else(|| AdminError::Invalid(format!("no workspace named {name:?}")))
}

fn new_account(
    cost: PasswordCost,
    email: &str,
    name: &str,
    password: &str,
    role: Role,
) -> Result<NewAccount, AdminError> {
    let email = normalize_email(email);
    // The same rules the desktop applies to a staff record, since this account
    // becomes one.
    let check = |column: &str, value: &str| {
        let (col, ty, check) = schema::STAFF
            .column(column)
            .map_err(|e| AdminError::Invalid(e.to_string()))?;
        schema::check_value(&schema::STAFF, col, ty, check, &value.into())
            .map_err(|e| AdminError::Invalid(e.to_string()))
    };
    check("email", &email)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(AdminError::Invalid("the staff member needs a name".into()));
    }
    check("name", name)?;
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AdminError::Invalid(format!(
            "the password needs at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    Ok(NewAccount {
        id: Uuid::new_v4(),
        email,
        name: name.to_owned(),
        role,
        password_hash: cost.hash(password)?,
    })
}
