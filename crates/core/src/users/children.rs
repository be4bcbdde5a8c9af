//! The many-valued parts of a user: addresses, social links, cards, push tokens and
//! team membership. Each is its own synced table, so two people adding an address
//! offline both keep theirs.

use uuid::Uuid;

use super::model::*;
use super::read::read_named;
use super::service::Users;
use crate::error::{CoreError, Result};
use crate::fields::value::parse;
use crate::fields::ValueError;
use crate::ids::relation_id;
use crate::schema::{
    TableDef, TEAMS, USER_ADDRESSES, USER_CARDS, USER_FIELD_VALUES, USER_PUSH_TOKENS,
    USER_SOCIAL_LINKS, USER_TEAMS,
};
use crate::store::Edit;
use crate::validate;

impl Users<'_> {
    pub async fn add_address(&self, user_id: Uuid, input: &AddressInput) -> Result<UserDetail> {
        self.require(user_id).await?;
        let edit = address_fields(Edit::create(&USER_ADDRESSES, Uuid::new_v4()), input)?
            .set("user_id", user_id.to_string());
        self.store.commit(vec![edit]).await?;
        self.get(user_id).await
    }

    pub async fn update_address(&self, id: Uuid, input: &AddressInput) -> Result<UserDetail> {
        let user_id = self.owner(&USER_ADDRESSES, id).await?;
        let edit = address_fields(Edit::new(&USER_ADDRESSES, id), input)?;
        self.store.commit(vec![edit]).await?;
        self.get(user_id).await
    }

    pub async fn remove_address(&self, id: Uuid) -> Result<UserDetail> {
        self.remove(&USER_ADDRESSES, id).await
    }

    pub async fn add_social_link(
        &self,
        user_id: Uuid,
        input: &SocialLinkInput,
    ) -> Result<UserDetail> {
        self.require(user_id).await?;
        let edit = social_fields(Edit::create(&USER_SOCIAL_LINKS, Uuid::new_v4()), input)?
            .set("user_id", user_id.to_string());
        self.store.commit(vec![edit]).await?;
        self.get(user_id).await
    }

    pub async fn update_social_link(
        &self,
        id: Uuid,
        input: &SocialLinkInput,
    ) -> Result<UserDetail> {
        let user_id = self.owner(&USER_SOCIAL_LINKS, id).await?;
        let edit = social_fields(Edit::new(&USER_SOCIAL_LINKS, id), input)?;
        self.store.commit(vec![edit]).await?;
        self.get(user_id).await
    }

    pub async fn remove_social_link(&self, id: Uuid) -> Result<UserDetail> {
        self.remove(&USER_SOCIAL_LINKS, id).await
    }

    /// Adds a card by brand, last four and expiry. A full card number is refused.
    pub async fn add_card(&self, user_id: Uuid, input: &CardInput) -> Result<UserDetail> {
        self.require(user_id).await?;
        let brand = validate::text("brand", Some(&input.brand))?
            .ok_or_else(|| CoreError::validation("brand", "Enter the card brand, like Visa"))?;
        let digits: String = input
            .last4
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if digits.len() > 4 && digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CoreError::validation(
                "last4",
                "Kith never stores full card numbers — enter only the last four digits",
            ));
        }
        if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CoreError::validation(
                "last4",
                "Enter the last four digits of the card",
            ));
        }
        if !(1..=12).contains(&input.exp_month) {
            return Err(CoreError::validation(
                "exp_month",
                "The expiry month is 1 to 12",
            ));
        }
        let year = if input.exp_year < 100 {
            input.exp_year + 2000
        } else {
            input.exp_year
        };
        if !(2000..=2100).contains(&year) {
            return Err(CoreError::validation(
                "exp_year",
                "Enter the expiry year, like 2029",
            ));
        }
        let edit = Edit::create(&USER_CARDS, Uuid::new_v4())
            .set("user_id", user_id.to_string())
            .set("brand", brand)
            .set("last4", digits)
            .set("exp_month", i64::from(input.exp_month))
            .set("exp_year", i64::from(year));
        self.store.commit(vec![edit]).await?;
        self.get(user_id).await
    }

    pub async fn remove_card(&self, id: Uuid) -> Result<UserDetail> {
        self.remove(&USER_CARDS, id).await
    }

    /// Records a push token the business's app registered for this user.
    pub async fn add_push_token(
        &self,
        user_id: Uuid,
        platform: &str,
        token: &str,
        last_seen_at: i64,
    ) -> Result<UserDetail> {
        self.require(user_id).await?;
        let edit = Edit::create(&USER_PUSH_TOKENS, Uuid::new_v4())
            .set("user_id", user_id.to_string())
            .set("platform", platform)
            .set("token", token)
            .set("last_seen_at", last_seen_at);
        self.store.commit(vec![edit]).await?;
        self.get(user_id).await
    }

    pub async fn remove_push_token(&self, id: Uuid) -> Result<UserDetail> {
        self.remove(&USER_PUSH_TOKENS, id).await
    }

    /// Adds the user to a team or takes them out. The membership row's id is derived
    /// from (user, team), so the same change on two devices is one row.
    pub async fn set_team(&self, user_id: Uuid, team_id: Uuid, member: bool) -> Result<UserDetail> {
        self.require(user_id).await?;
        let team: Option<i64> =
            sqlx::query_scalar("SELECT rid FROM teams WHERE id = ? AND _deleted = 0")
                .bind(team_id.to_string())
                .fetch_optional(self.store.pool())
                .await?;
        if team.is_none() {
            return Err(CoreError::not_found(TEAMS.name.trim_end_matches('s')));
        }
        self.store
            .commit(vec![membership_edit(user_id, team_id, member)])
            .await?;
        self.get(user_id).await
    }

    /// The edits that bring back the teams a user in the trash was in, as the
    /// user is restored: undoing an import removes the teams it created that
    /// only its users (now in the trash) are in. A team of the same name created
    /// since takes the membership instead, so names stay unique. (A team deleted
    /// in Settings has no members left, so none comes back this way.)
    pub(super) async fn revived_teams(&self, user_id: Uuid) -> Result<Vec<Edit>> {
        let removed: Vec<(String, Option<String>)> = sqlx::query_as(
            "SELECT t.id, t.name FROM user_teams m JOIN teams t ON t.id = m.team_id \
             WHERE m.user_id = ? AND m._deleted = 0 AND t._deleted = 1",
        )
        .bind(user_id.to_string())
        .fetch_all(self.store.pool())
        .await?;
        if removed.is_empty() {
            return Ok(Vec::new());
        }
        let mut live = read_named(self.store.pool(), &TEAMS).await?;
        let mut edits = Vec::new();
        for (id, name) in removed {
            let id = Uuid::parse_str(&id).map_err(|e| CoreError::Corrupt(e.to_string()))?;
            let name = name.unwrap_or_default();
            let lower = name.to_lowercase();
            match live.iter().find(|(_, n)| n.to_lowercase() == lower) {
                Some((same_name, _)) => edits.push(membership_edit(user_id, *same_name, true)),
                None => {
                    edits.push(Edit::tombstone(&TEAMS, id, false));
                    // Two removed teams of one name ("VIP", "vip"): one comes back.
                    live.push((id, name));
                }
            }
        }
        Ok(edits)
    }

    /// Sets (or, with a blank value, clears) a user's value for a custom field,
    /// given as people type it ("19.99 EUR", "Gold; Silver", "2024-05-06"). The
    /// value row's id is derived from (user, field): one row per pair everywhere.
    /// A required field cannot be cleared.
    pub async fn set_custom_value(
        &self,
        user_id: Uuid,
        field_id: Uuid,
        value: Option<&str>,
    ) -> Result<UserDetail> {
        self.require(user_id).await?;
        let field = self.fields().get(field_id).await?;
        let stored =
            parse(&field, value.unwrap_or_default(), &self.region).map_err(|e| e.on(field_id))?;
        if stored.is_none() && field.required {
            return Err(ValueError::Required(field.name).on(field_id));
        }
        self.store
            .commit(vec![custom_value_edit(user_id, field_id, stored)])
            .await?;
        self.get(user_id).await
    }

    /// Sets a field named as people name it: a built-in one ("email", "Mobile
    /// phone") or a custom field (ignoring case). What `kith-cli users set` does.
    pub async fn set_named(
        &self,
        user_id: Uuid,
        name: &str,
        value: Option<&str>,
    ) -> Result<UserDetail> {
        if let Some(field) = self.fields().by_name(name).await? {
            return self.set_custom_value(user_id, field.id, value).await;
        }
        match UserField::parse(name) {
            Some(field) => self.set_field(user_id, field, value).await,
            None => Err(CoreError::not_found(format!(
                "field {:?} (neither a built-in field nor a custom one)",
                name.trim()
            ))),
        }
    }

    /// The user a child row belongs to.
    async fn owner(&self, table: &TableDef, id: Uuid) -> Result<Uuid> {
        let user: Option<String> = sqlx::query_scalar(&format!(
            "SELECT user_id FROM {} WHERE id = ? AND _deleted = 0",
            table.name
        ))
        .bind(id.to_string())
        .fetch_optional(self.store.pool())
        .await?
        .flatten();
        let user =
            user.ok_or_else(|| CoreError::not_found(table.name.trim_start_matches("user_")))?;
        Uuid::parse_str(&user).map_err(|e| CoreError::Corrupt(format!("user_id: {e}")))
    }

    async fn remove(&self, table: &'static TableDef, id: Uuid) -> Result<UserDetail> {
        let user_id = self.owner(table, id).await?;
        self.store
            .commit(vec![Edit::tombstone(table, id, true)])
            .await?;
        self.get(user_id).await
    }
}

fn address_fields(edit: Edit, input: &AddressInput) -> Result<Edit> {
    let street = validate::text("street", Some(&input.street))?;
    let city = validate::text("city", Some(&input.city))?;
    if street.is_none() && city.is_none() {
        return Err(CoreError::validation(
            "street",
            "Enter at least a street or a city",
        ));
    }
    Ok(edit
        .set("label", validate::text("label", Some(&input.label))?)
        .set("street", street)
        .set("city", city)
        .set("region", validate::text("region", Some(&input.region))?)
        .set(
            "postal_code",
            validate::text("postal_code", Some(&input.postal_code))?,
        )
        .set("country", validate::text("country", Some(&input.country))?))
}

fn social_fields(edit: Edit, input: &SocialLinkInput) -> Result<Edit> {
    let url = validate::web_url("url", &input.url)?;
    let network = match validate::text("network", Some(&input.network))? {
        Some(n) => n,
        None => network_of(&url),
    };
    Ok(edit.set("network", network).set("url", url))
}

/// A readable network name from a link's host: "instagram.com" → "Instagram".
fn network_of(url: &str) -> String {
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    let host = host.trim_start_matches("www.");
    let name = host.split('.').next().unwrap_or("Link");
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_else(|| "Link".into())
}

/// The edit that gives a user created in the same write a value of a custom field:
/// its row id derives from the new user's id, so the row cannot exist yet and the
/// store need not look for it (see [`Edit::create`]) — what keeps an import's
/// custom columns cheap.
pub(crate) fn new_custom_value_edit(user_id: Uuid, field_id: Uuid, value: String) -> Edit {
    Edit::create(
        &USER_FIELD_VALUES,
        relation_id(USER_FIELD_VALUES.name, user_id, field_id),
    )
    .set("user_id", user_id.to_string())
    .set("field_id", field_id.to_string())
    .set("value", value)
}

/// The edit that sets one user's value of one custom field (`None` clears it).
/// The edit that puts a user in a team (`member`) or takes them out. The row's id
/// is derived from (user, team), so the same change on two devices is one row.
pub(crate) fn membership_edit(user_id: Uuid, team_id: Uuid, member: bool) -> Edit {
    Edit::new(&USER_TEAMS, relation_id(USER_TEAMS.name, user_id, team_id))
        .set("user_id", user_id.to_string())
        .set("team_id", team_id.to_string())
        .set(crate::schema::DELETED, !member)
}

pub(crate) fn custom_value_edit(user_id: Uuid, field_id: Uuid, value: Option<String>) -> Edit {
    Edit::new(
        &USER_FIELD_VALUES,
        relation_id(USER_FIELD_VALUES.name, user_id, field_id),
    )
    .set("user_id", user_id.to_string())
    .set("field_id", field_id.to_string())
    .set("value", value)
    .set(crate::schema::DELETED, false)
}
