//! Deterministic ids for relation rows: two devices that add the same relation
//! offline produce the same row, not a duplicate.

use uuid::Uuid;

/// Namespace for Kith's UUIDv5 relation ids (itself a fixed random UUID).
const KITH_NAMESPACE: Uuid = Uuid::from_u128(0x6b1f_54d0_2c3e_4b8a_9f71_0d5e_a3c2_7e19);

/// The id of the relation row joining `parent` and `child` in `relation`.
pub fn relation_id(relation: &str, parent: Uuid, child: Uuid) -> Uuid {
    let mut name = Vec::with_capacity(relation.len() + 32);
    name.extend_from_slice(relation.as_bytes());
    name.extend_from_slice(parent.as_bytes());
    name.extend_from_slice(child.as_bytes());
    Uuid::new_v5(&KITH_NAMESPACE, &name)
}

/// The id a name stands for within `kind` (a tag on notes, a default status):
/// the same on every device, so rows named alike offline converge.
pub fn name_id(kind: &str, name: &str) -> Uuid {
    Uuid::new_v5(&KITH_NAMESPACE, format!("{kind}:{name}").as_bytes())
}

/// An id read back from the database, which only ever holds canonical ones.
pub(crate) fn parse_id(s: &str) -> crate::Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| crate::CoreError::Corrupt(format!("id {s:?}: {e}")))
}

/// The id of a default row Kith seeds itself (a task status, a category): the same
/// on every desktop, so two that seed offline write one row, not two.
pub fn default_row_id(table: &str, key: &str) -> Uuid {
    name_id(&format!("default/{table}"), key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_relation_same_id_different_relation_different_id() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(
            relation_id("user_teams", a, b),
            relation_id("user_teams", a, b)
        );
        assert_ne!(
            relation_id("user_teams", a, b),
            relation_id("user_teams", b, a)
        );
        assert_ne!(
            relation_id("user_teams", a, b),
            relation_id("segment_members", a, b)
        );
        assert_eq!(relation_id("user_teams", a, b).get_version_num(), 5);
    }
}
