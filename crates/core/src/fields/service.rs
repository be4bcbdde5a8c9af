//! Defining custom fields: add, change (name, kind, required, options, currency),
//! reorder, delete to the trash and restore. Every write is a list of edits through
//! the store's one write path.

use uuid::Uuid;

use super::catalog::load;
use super::convert::convert_values;
use super::currency::minor_digits;
use super::model::{CustomField, CustomFieldInput, CustomFieldKind};
use super::options::option_edits;
use crate::error::{CoreError, Result};
use crate::export::Column;
use crate::schema::CUSTOM_FIELDS;
use crate::store::{Edit, Store};
use crate::text::fold;
use crate::workspace::{require, unique_name};

pub struct Fields<'a> {
    pub(crate) store: &'a Store,
    /// Region for phone numbers without a country code, when a change of kind
    /// turns text into phone numbers.
    pub(crate) region: String,
}

impl Fields<'_> {
    /// The live fields, in order, with their options.
    pub async fn list(&self) -> Result<Vec<CustomField>> {
        let mut conn = self.store.pool().acquire().await?;
        load(&mut conn, false).await
    }

    /// Fields in the trash, which [`Fields::restore`] brings back with their values.
    pub async fn deleted(&self) -> Result<Vec<CustomField>> {
        let mut conn = self.store.pool().acquire().await?;
        load(&mut conn, true).await
    }

    pub async fn get(&self, id: Uuid) -> Result<CustomField> {
        self.list()
            .await?
            .into_iter()
            .find(|f| f.id == id)
            .ok_or_else(|| CoreError::not_found("custom field"))
    }

    /// The live field named `name`, ignoring case.
    pub async fn by_name(&self, name: &str) -> Result<Option<CustomField>> {
        let key = name.trim().to_lowercase();
        Ok(self
            .list()
            .await?
            .into_iter()
            .find(|f| f.name.to_lowercase() == key))
    }

    /// Adds a field after the others. Names are unique ignoring case, and none may
    /// be a header Kith's export writes for a built-in field.
    pub async fn create(&self, input: &CustomFieldInput) -> Result<CustomField> {
        let name = self.name(&input.name, None).await?;
        let currency = currency(input)?;
        let id = Uuid::new_v4();
        let position = self
            .list()
            .await?
            .iter()
            .map(|f| f.position + 1)
            .max()
            .unwrap_or(1);
        let mut edits = vec![Edit::create(&CUSTOM_FIELDS, id)
            .set("name", name)
            .set("kind", input.kind.as_str())
            .set("position", position)
            .set("required", input.required)
            .set("currency", currency)];
        if input.kind.has_options() {
            let mut conn = self.store.pool().acquire().await?;
            edits.extend(option_edits(&mut conn, id, &input.options).await?.0);
        }
        self.store.commit(edits).await?;
        tracing::info!(%id, kind = input.kind.as_str(), "custom field added");
        self.get(id).await
    }

    /// Changes a field. A change of kind converts every value the field holds, in
    /// the same write; when some value cannot be converted nothing changes and the
    /// error says which and why.
    pub async fn update(&self, id: Uuid, input: &CustomFieldInput) -> Result<CustomField> {
        let current = self.get(id).await?;
        let name = self.name(&input.name, Some(id)).await?;
        let currency = currency(input)?;
        let mut conn = self.store.pool().acquire().await?;
        // Leaving a select kind removes its options; values then keep their text
        // through the conversion below.
        let wanted = if input.kind.has_options() {
            input.options.clone()
        } else {
            Vec::new()
        };
        let (mut option_changes, options) = option_edits(&mut conn, id, &wanted).await?;
        let target = CustomField {
            id,
            name: name.clone(),
            kind: input.kind,
            position: current.position,
            required: input.required,
            options: options
                .into_iter()
                .map(|(id, label)| super::model::FieldOption { id, label })
                .collect(),
            currency: currency.clone(),
        };
        let mut edits = Vec::new();
        let mut values = Vec::new();
        let same_currency = current.currency == target.currency;
        // Amounts carry their own currency: a new default currency converts nothing.
        if current.kind != target.kind {
            let converted = convert_values(&mut conn, &current, target, &self.region).await?;
            option_changes.extend(converted.option_edits);
            values = converted.value_edits;
        }
        drop(conn);
        let mut edit = Edit::new(&CUSTOM_FIELDS, id);
        if current.name != name {
            edit = edit.set("name", name);
        }
        if current.kind != input.kind {
            edit = edit.set("kind", input.kind.as_str());
        }
        if current.required != input.required {
            edit = edit.set("required", input.required);
        }
        if !same_currency {
            edit = edit.set("currency", currency);
        }
        if !edit.fields.is_empty() {
            edits.push(edit);
        }
        edits.extend(option_changes);
        edits.extend(values);
        if !edits.is_empty() {
            self.store.commit(edits).await?;
        }
        self.get(id).await
    }

    /// Puts the fields in the order of `ids`; any not named keep their order after.
    pub async fn reorder(&self, ids: &[Uuid]) -> Result<Vec<CustomField>> {
        let mut fields = self.list().await?;
        if let Some(missing) = ids.iter().find(|id| !fields.iter().any(|f| f.id == **id)) {
            return Err(CoreError::not_found(format!("custom field {missing}")));
        }
        fields.sort_by_key(|f| ids.iter().position(|id| *id == f.id).unwrap_or(usize::MAX));
        let edits: Vec<Edit> = fields
            .iter()
            .enumerate()
            .map(|(i, f)| (i as i64 + 1, f))
            .filter(|(position, f)| f.position != *position)
            .map(|(position, f)| Edit::new(&CUSTOM_FIELDS, f.id).set("position", position))
            .collect();
        if !edits.is_empty() {
            self.store.commit(edits).await?;
        }
        self.list().await
    }

    /// Moves a field to the trash: it leaves the Detail tab, exports and search;
    /// its values are kept for [`Fields::restore`].
    pub async fn delete(&self, id: Uuid) -> Result<()> {
        require(self.store, &CUSTOM_FIELDS, id, "custom field").await?;
        self.store
            .commit(vec![Edit::tombstone(&CUSTOM_FIELDS, id, true)])
            .await?;
        tracing::info!(%id, "custom field moved to the trash");
        Ok(())
    }

    /// Brings a field back from the trash with its values. If a live field has
    /// taken its name meanwhile, it comes back as "Name (restored)".
    pub async fn restore(&self, id: Uuid) -> Result<CustomField> {
        let field = self
            .deleted()
            .await?
            .into_iter()
            .find(|f| f.id == id)
            .ok_or_else(|| CoreError::not_found("custom field in the trash"))?;
        let live = self.list().await?;
        let taken = |n: &str| {
            live.iter()
                .any(|f| f.name.to_lowercase() == n.to_lowercase())
        };
        let mut name = field.name.clone();
        let mut n = 1;
        while taken(&name) {
            name = match n {
                1 => format!("{} (restored)", field.name),
                _ => format!("{} (restored {n})", field.name),
            };
            n += 1;
        }
        let mut edit = Edit::tombstone(&CUSTOM_FIELDS, id, false);
        if name != field.name {
            edit = edit.set("name", name);
        }
        self.store.commit(vec![edit]).await?;
        self.get(id).await
    }

    /// A field name: trimmed, unique ignoring case, and not the export header of a
    /// built-in field (an exported file must say which column is which).
    async fn name(&self, name: &str, except: Option<Uuid>) -> Result<String> {
        let name = unique_name(self.store, &CUSTOM_FIELDS, name, except).await?;
        check_name(&name)?;
        Ok(name)
    }
}

/// The rules a field name keeps besides being unique: short, not read as a
/// formula by a spreadsheet, and not the export header of a built-in field (an
/// exported file must say which column is which). Also what an import checks
/// before it creates a field a column names.
pub(crate) fn check_name(name: &str) -> Result<()> {
    if name.chars().count() > 100 {
        return Err(CoreError::validation(
            "name",
            "Keep the name under 100 characters",
        ));
    }
    if name.starts_with(['=', '+', '-', '@']) {
        return Err(CoreError::validation(
            "name",
            "A name can't start with = + - or @ (spreadsheets read that as a formula)",
        ));
    }
    // Letters and digits only: "E-mail" reads as the Email column to a person.
    let key = |s: &str| -> String { fold(s).chars().filter(|c| c.is_alphanumeric()).collect() };
    if Column::ALL.iter().any(|c| key(c.header()) == key(name)) {
        return Err(CoreError::validation(
            "name",
            format!("{name} is a built-in field — choose another name"),
        ));
    }
    Ok(())
}

/// A money field's currency: required, upper case, one Kith knows. Other kinds
/// keep none.
fn currency(input: &CustomFieldInput) -> Result<Option<String>> {
    if input.kind != CustomFieldKind::Money {
        return Ok(None);
    }
    let code = input
        .currency
        .as_deref()
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            CoreError::validation("currency", "Choose the currency of this field, like EUR")
        })?;
    if minor_digits(&code).is_none() {
        return Err(CoreError::validation(
            "currency",
            format!("{code} is not a currency code Kith knows, like EUR or USD"),
        ));
    }
    Ok(Some(code))
}
