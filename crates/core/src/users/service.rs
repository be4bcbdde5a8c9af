//! Adding, editing, deleting and listing users. Every write is a list of edits
//! committed through the store's one write path.

use kith_protocol::Value;
use uuid::Uuid;

use super::children::new_custom_value_edit;
use super::model::*;
use super::password::generate_password;
use super::read::{self, SUMMARY};
use crate::error::{CoreError, Result};
use crate::fields::value::parse;
use crate::fields::{Fields, ValueError};
use crate::schema::{LOCATIONS, USERS};
use crate::store::{system_ms, Edit, Store};
use crate::validate;

pub struct Users<'a> {
    pub(super) store: &'a Store,
    /// Region for phone numbers typed without a country code.
    pub(super) region: String,
}

/// A user ready to be written: validated and normalised.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserRecord {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub mobile_phone: Option<String>,
    pub home_phone: Option<String>,
    pub app_user_id: Option<String>,
    pub stripe_customer_id: Option<String>,
}

impl<'a> Users<'a> {
    pub fn new(store: &'a Store, region: String) -> Self {
        Users { store, region }
    }

    /// Validates a draft into a record, reporting the first bad field by name.
    pub fn validate(&self, draft: &NewUser) -> Result<UserRecord> {
        let first_name = validate::name("first_name", Some(&draft.first_name))?;
        let last_name = validate::name("last_name", Some(&draft.last_name))?;
        if first_name.is_none() && last_name.is_none() {
            return Err(CoreError::validation(
                "first_name",
                "Enter a first or a last name",
            ));
        }
        Ok(UserRecord {
            first_name,
            last_name,
            email: validate::email("email", draft.email.as_deref())?,
            mobile_phone: validate::phone(
                "mobile_phone",
                draft.mobile_phone.as_deref(),
                &self.region,
            )?,
            home_phone: validate::phone("home_phone", draft.home_phone.as_deref(), &self.region)?,
            app_user_id: None,
            stripe_customer_id: None,
        })
    }

    /// The edit that creates `record` as a new user with id `id`.
    pub fn create_edit(id: Uuid, record: UserRecord, source: UserSource, created_at: i64) -> Edit {
        let password = (source == UserSource::Manual).then(generate_password);
        Edit::create(&USERS, id)
            .set("first_name", record.first_name)
            .set("last_name", record.last_name)
            .set("email", record.email)
            .set("mobile_phone", record.mobile_phone)
            .set("home_phone", record.home_phone)
            .set("app_user_id", record.app_user_id)
            .set("stripe_customer_id", record.stripe_customer_id)
            .set("generated_password", password)
            .set("source", source.as_str())
            .set("created_at", created_at)
    }

    /// Adds a user typed in by staff; they get a generated password. Every
    /// required custom field needs a value.
    pub async fn create(&self, draft: &NewUser) -> Result<UserDetail> {
        let record = self.validate(draft)?;
        let id = Uuid::new_v4();
        let mut edits = vec![Self::create_edit(
            id,
            record,
            UserSource::Manual,
            system_ms() as i64,
        )];
        edits.extend(self.new_custom_values(id, &draft.custom_values).await?);
        self.store.commit(edits).await?;
        tracing::info!(%id, "user added");
        self.get(id).await
    }

    /// The edits that give a new user `values`, checked against their fields; an
    /// error names the first field that is missing or wrong.
    async fn new_custom_values(&self, id: Uuid, values: &[NewCustomValue]) -> Result<Vec<Edit>> {
        let fields = self.fields().list().await?;
        let mut edits = Vec::new();
        for field in &fields {
            let typed = values
                .iter()
                .rfind(|v| v.field_id == field.id)
                .map(|v| v.value.as_str())
                .unwrap_or_default();
            let stored = parse(field, typed, &self.region).map_err(|e| e.on(field.id))?;
            match stored {
                Some(v) => edits.push(new_custom_value_edit(id, field.id, v)),
                None if field.required => {
                    return Err(ValueError::Required(field.name.clone()).on(field.id))
                }
                None => {}
            }
        }
        if let Some(unknown) = values
            .iter()
            .find(|v| !fields.iter().any(|f| f.id == v.field_id))
        {
            return Err(CoreError::not_found(format!(
                "custom field {}",
                unknown.field_id
            )));
        }
        Ok(edits)
    }

    /// The custom fields, with this service's phone region.
    pub(super) fn fields(&self) -> Fields<'a> {
        Fields {
            store: self.store,
            region: self.region.clone(),
        }
    }

    pub async fn get(&self, id: Uuid) -> Result<UserDetail> {
        read::detail(self.store.pool(), id).await
    }

    /// Live users sharing the draft's email or one of its phone numbers. Values that
    /// do not validate match nothing.
    pub async fn find_duplicates(&self, draft: &NewUser) -> Result<Vec<UserSummary>> {
        let email = validate::email("email", draft.email.as_deref())
            .ok()
            .flatten()
            .map(|e| e.to_lowercase());
        let phones: Vec<String> = [&draft.mobile_phone, &draft.home_phone]
            .into_iter()
            .filter_map(|p| {
                validate::phone("phone", p.as_deref(), &self.region)
                    .ok()
                    .flatten()
            })
            .collect();
        if email.is_none() && phones.is_empty() {
            return Ok(Vec::new());
        }
        // Unused slots bind NULL, which equals nothing.
        let phone = |i: usize| phones.get(i).cloned();
        let rows = sqlx::query(&format!(
            "SELECT {SUMMARY} FROM users u WHERE u._deleted = 0 AND (u.email_key = ?1 \
             OR u.mobile_phone IN (?2, ?3) OR u.home_phone IN (?2, ?3)) LIMIT 10"
        ))
        .bind(email)
        .bind(phone(0))
        .bind(phone(1))
        .fetch_all(self.store.pool())
        .await?;
        read::summaries(&rows)
    }

    /// Sets one field, validated and normalised.
    pub async fn set_field(
        &self,
        id: Uuid,
        field: UserField,
        value: Option<&str>,
    ) -> Result<UserDetail> {
        let current = self.get(id).await?;
        let name = field.column();
        let value: Option<String> = match field {
            UserField::FirstName | UserField::LastName => {
                let v = validate::name(name, value)?;
                let other = if field == UserField::FirstName {
                    &current.last_name
                } else {
                    &current.first_name
                };
                if v.is_none() && other.is_empty() {
                    return Err(CoreError::validation(
                        name,
                        "A user needs a first or a last name",
                    ));
                }
                v
            }
            UserField::Email => validate::email(name, value)?,
            UserField::MobilePhone | UserField::HomePhone => {
                validate::phone(name, value, &self.region)?
            }
            UserField::AppUserId => validate::text(name, value)?,
            UserField::StripeCustomerId => validate::stripe_customer_id(name, value)?,
            UserField::LocationId => self.location(value).await?,
        };
        self.store
            .commit(vec![Edit::new(&USERS, id).set(name, value)])
            .await?;
        self.get(id).await
    }

    async fn location(&self, value: Option<&str>) -> Result<Option<String>> {
        let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        let bad = || CoreError::validation("location_id", "Choose one of the store locations");
        let id = Uuid::parse_str(v).map_err(|_| bad())?;
        let live: Option<i64> = sqlx::query_scalar(&format!(
            "SELECT rid FROM {} WHERE id = ? AND _deleted = 0",
            LOCATIONS.name
        ))
        .bind(id.to_string())
        .fetch_optional(self.store.pool())
        .await?;
        live.map(|_| Some(id.to_string())).ok_or_else(bad)
    }

    /// Moves a user to the trash.
    pub async fn delete(&self, id: Uuid) -> Result<()> {
        self.require(id).await?;
        let edit = Edit::tombstone(&USERS, id, true).set("deleted_at", system_ms() as i64);
        self.store.commit(vec![edit]).await?;
        tracing::info!(%id, "user moved to trash");
        Ok(())
    }

    /// Brings a user back from the trash, with the teams they were in.
    pub async fn restore(&self, id: Uuid) -> Result<UserDetail> {
        self.require(id).await?;
        let mut edits = vec![Edit::tombstone(&USERS, id, false).set("deleted_at", Value::Null)];
        edits.extend(self.revived_teams(id).await?);
        self.store.commit(edits).await?;
        self.get(id).await
    }

    pub(super) async fn require(&self, id: Uuid) -> Result<()> {
        let found: Option<i64> = sqlx::query_scalar("SELECT rid FROM users WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(self.store.pool())
            .await?;
        found
            .map(|_| ())
            .ok_or_else(|| CoreError::not_found("user"))
    }

    /// Users in the trash, most recently deleted first.
    pub async fn trash(&self, limit: i64) -> Result<Vec<UserSummary>> {
        let rows = sqlx::query(&format!(
            "SELECT {SUMMARY} FROM users u WHERE u._deleted = 1 ORDER BY u.deleted_at DESC LIMIT ?"
        ))
        .bind(limit)
        .fetch_all(self.store.pool())
        .await?;
        read::summaries(&rows)
    }

    /// One page of the live users in `sort` order.
    pub async fn list(&self, sort: UserSort, offset: i64, limit: i64) -> Result<UserPage> {
        let order = match sort {
            UserSort::Name => "u.name_key, u.rid",
            UserSort::Created => "u.created_at DESC, u.rid",
            UserSort::Activity => "u._activity DESC, u.rid",
        };
        let index = match sort {
            UserSort::Name => "users_by_name",
            UserSort::Created => "users_by_created",
            UserSort::Activity => "users_by_activity",
        };
        // Find the page's row ids on the covering index first, then fetch just those
        // rows: OFFSET then skips index entries, not whole rows.
        let rows = sqlx::query(&format!(
            "WITH page AS (SELECT u.rid FROM users u INDEXED BY {index} WHERE u._deleted = 0 \
             ORDER BY {order} LIMIT ? OFFSET ?) \
             SELECT {SUMMARY} FROM page JOIN users u ON u.rid = page.rid ORDER BY {order}"
        ))
        .bind(limit.clamp(0, 1000))
        .bind(offset.max(0))
        .fetch_all(self.store.pool())
        .await?;
        Ok(UserPage {
            total: self.count().await?,
            offset,
            rows: read::summaries(&rows)?,
        })
    }

    /// Number of live users (kept by the store as users are added and deleted).
    pub async fn count(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT value FROM local_counts WHERE name = 'live_users'")
                .fetch_one(self.store.pool())
                .await?,
        )
    }

    /// The generated password of a user added by hand.
    pub async fn reveal_password(&self, id: Uuid) -> Result<Option<String>> {
        let found: Option<Option<String>> =
            sqlx::query_scalar("SELECT generated_password FROM users WHERE id = ?")
                .bind(id.to_string())
                .fetch_optional(self.store.pool())
                .await?;
        found.ok_or_else(|| CoreError::not_found("user"))
    }
}
