//! As-you-type user search over first name, last name, email, phone digits and
//! custom field values.
//!
//! Substring matches come from the FTS5 trigram index over folded text (so "muller"
//! finds "Müller"); phone queries match on digits whatever their formatting. Custom
//! values have an index of their own (`user_values_fts`, one entry per user who has
//! any): a user matches when every word is in either index, so "anna gold" finds
//! Anna of the Gold membership. Queries shorter than a trigram use prefix ranges on
//! the sort-key indexes. No path scans the table.

use serde::{Deserialize, Serialize};
use sqlx::{Row, SqlitePool};
use ts_rs::TS;

use crate::error::Result;
use crate::text::{digits, fold};
use crate::users::read::{summary, SUMMARY};
use crate::users::UserSummary;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SearchResult {
    /// Best matches first.
    pub rows: Vec<UserSummary>,
    /// More users matched than were returned: the query could be narrower.
    pub more: bool,
}

/// How many candidates per wanted result are fetched for ranking.
const CANDIDATES_PER_RESULT: i64 = 4;
pub(crate) const MIN_TRIGRAM: usize = 3;

/// What the typed text is searched as.
#[derive(Debug, PartialEq, Eq)]
enum Plan {
    Nothing,
    /// Digits of a phone number, with any trunk-prefix zeros removed.
    Phone(String),
    /// Folded words that each must appear somewhere; short ones filtered after.
    Words {
        long: Vec<String>,
        short: Vec<String>,
    },
    /// Only one or two characters: prefix of a name or email.
    Prefix(String),
}

fn plan(query: &str) -> Plan {
    // Control characters (a NUL would end the match expression) never match anything.
    let cleaned: String = query.chars().filter(|c| !c.is_control()).collect();
    let q = cleaned.trim();
    if q.is_empty() {
        return Plan::Nothing;
    }
    let phone_like = q
        .chars()
        .all(|c| c.is_ascii_digit() || " +()-./".contains(c));
    let d = digits(q);
    if phone_like && d.len() >= MIN_TRIGRAM {
        // "07700 900123" is stored as +44 7700 900123: drop the national trunk 0.
        let trimmed = d.trim_start_matches('0');
        let d = if trimmed.len() >= MIN_TRIGRAM {
            trimmed.to_owned()
        } else {
            d
        };
        return Plan::Phone(d);
    }
    let folded = fold(q);
    let (long, short): (Vec<String>, Vec<String>) = folded
        .split_whitespace()
        .map(str::to_owned)
        .partition(|t| t.chars().count() >= MIN_TRIGRAM);
    if long.is_empty() {
        return Plan::Prefix(folded.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    Plan::Words { long, short }
}

/// The columns [`user_name_of`] reads, for a query joining `users u`: what a hit
/// on a note or a file shows as whose it is.
pub(crate) const USER_NAME_COLUMNS: &str =
    "trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) AS user_name, \
     u.email AS user_email";

/// A user's display name from a row of [`USER_NAME_COLUMNS`]: their name, else
/// their email, else a placeholder.
pub(crate) fn user_name_of(r: &sqlx::sqlite::SqliteRow) -> Result<String> {
    let name: String = r.try_get("user_name")?;
    let email: Option<String> = r.try_get("user_email")?;
    Ok(if name.is_empty() {
        email.unwrap_or_else(|| "Unnamed user".into())
    } else {
        name
    })
}

/// Typed text as an FTS5 match over a folded trigram index: every word of three
/// letters or more, ANDed (`None` when there is none), and whether the text held
/// only shorter words. Those cannot be looked up in a trigram index and are left
/// out rather than found by scanning every row.
pub(crate) fn trigram_match(text: &str) -> (Option<String>, bool) {
    let text: String = text.chars().filter(|c| !c.is_control()).collect();
    let words: Vec<String> = fold(&text)
        .split_whitespace()
        .filter(|w| w.chars().count() >= MIN_TRIGRAM)
        .map(fts_literal)
        .collect();
    if words.is_empty() {
        return (None, !text.trim().is_empty());
    }
    (Some(words.join(" AND ")), false)
}

/// Typed text as the words to look up in a folded word index: every word of two
/// letters or more, folded (to be matched as a prefix: "renew" finds "renewal"),
/// and whether the text held only one-letter words, which would be a prefix of too
/// much to be worth looking up.
pub(crate) fn search_words(text: &str) -> (Vec<String>, bool) {
    let text: String = text.chars().filter(|c| !c.is_control()).collect();
    let words: Vec<String> = fold(&text)
        .split_whitespace()
        .filter(|w| w.chars().filter(|c| c.is_alphanumeric()).count() >= 2)
        .map(str::to_owned)
        .collect();
    let too_short = words.is_empty() && !text.trim().is_empty();
    (words, too_short)
}

/// An FTS5 string literal: the term in double quotes, inner quotes doubled.
pub(crate) fn fts_literal(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

pub async fn search_users(pool: &SqlitePool, query: &str, limit: i64) -> Result<SearchResult> {
    let limit = limit.clamp(1, 500);
    let want = limit * CANDIDATES_PER_RESULT + 1;
    // Whether the substring index had more candidates than were fetched.
    let mut fts_cut = false;
    let (rows, folded_terms) = match plan(query) {
        Plan::Nothing => {
            return Ok(SearchResult {
                rows: Vec::new(),
                more: false,
            })
        }
        Plan::Phone(d) => {
            let expr = format!("phone : {}", fts_literal(&d));
            let (rows, cut) = fts(pool, &expr, &[d], &[], want).await?;
            fts_cut = cut;
            (rows, Vec::new())
        }
        Plan::Words { long, short } => {
            // Typing a name from its start is the common case, and those are the best
            // matches: the name index answers it alone when it finds enough.
            let whole = long
                .iter()
                .chain(&short)
                .cloned()
                .collect::<Vec<_>>()
                .join(" ");
            let starts = name_prefix(pool, &whole, limit + 1).await?;
            if starts.len() as i64 > limit && folded_terms_in_order(query, &whole) {
                let mut rows = starts;
                rows.truncate(limit as usize);
                return Ok(SearchResult {
                    rows: rows.into_iter().map(|(u, _, _)| u).collect(),
                    more: true,
                });
            }
            let expr = all_words(&long);
            let (mut rows, cut) = fts(pool, &expr, &long, &short, want).await?;
            fts_cut = cut;
            // The substring index returns its first candidates, not its best: add the
            // names, last names and emails that start with the text, so "eva" finds
            // Eva Kim among a thousand Evanses.
            // They rank above substring matches, so `limit + 1` of each is enough.
            rows.extend(prefix(pool, &whole, limit + 1).await?);
            let mut terms = long;
            terms.extend(short);
            (rows, terms)
        }
        Plan::Prefix(p) => (prefix(pool, &p, want).await?, vec![p]),
    };
    let mut seen = std::collections::HashSet::new();
    let mut ranked: Vec<(u8, String, UserSummary)> = rows
        .into_iter()
        .filter(|(user, _, _)| seen.insert(user.id))
        .map(|(user, key, email)| (rank(&key, &email, &folded_terms), key, user))
        .collect();
    ranked.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let more = fts_cut || ranked.len() as i64 > limit;
    ranked.truncate(limit as usize);
    Ok(SearchResult {
        rows: ranked.into_iter().map(|(_, _, u)| u).collect(),
        more,
    })
}

/// A condition on `users u` true for every user `query` finds — all of them, not
/// just the best ranked — with its parameters, for exporting a search. `None` when
/// the query is blank (everyone).
pub(crate) fn all_matches(query: &str) -> Option<(String, Vec<String>)> {
    match plan(query) {
        Plan::Nothing => None,
        Plan::Phone(d) => Some((
            "u.rid IN (SELECT rowid FROM users_fts WHERE users_fts MATCH ? \
             UNION SELECT rowid FROM user_values_fts WHERE user_values_fts MATCH ?)"
                .to_owned(),
            vec![format!("phone : {}", fts_literal(&d)), fts_literal(&d)],
        )),
        // A name, last name or email starting with the text contains its words, so
        // the substring indexes alone find everything the prefix search would.
        Plan::Words { long, short } => {
            let (every_word, word_params) = every_word_somewhere("c.rowid", &long);
            let mut sql = format!(
                "u.rid IN (SELECT rowid FROM users_fts WHERE users_fts MATCH ? \
                 UNION SELECT c.rowid FROM user_values_fts c \
                 WHERE user_values_fts MATCH ?{every_word})"
            );
            let mut params = vec![all_words(&long), any_word(&long)];
            params.extend(word_params);
            for term in short {
                sql.push_str(SHORT_WORD);
                params.push(term.clone());
                params.push(term);
            }
            Some((sql, params))
        }
        Plan::Prefix(p) => {
            let end = format!("{p}\u{10FFFF}");
            let sql =
                "(u.name_key >= ? AND u.name_key < ?) OR (u.last_key >= ? AND u.last_key < ?) \
                       OR (u.email_key >= ? AND u.email_key < ?)";
            Some((
                sql.to_owned(),
                vec![p.clone(), end.clone(), p.clone(), end.clone(), p, end],
            ))
        }
    }
}

/// A word too short for the trigram indexes must appear in the name or email.
const SHORT_WORD: &str =
    " AND (instr(u.name_key, ?) > 0 OR instr(coalesce(u.email_key, ''), ?) > 0)";

/// Every word, ANDed, as an FTS5 match.
fn all_words(words: &[String]) -> String {
    joined(words, " AND ")
}

/// Any of the words, ORed, as an FTS5 match.
fn any_word(words: &[String]) -> String {
    joined(words, " OR ")
}

fn joined(words: &[String], operator: &str) -> String {
    words
        .iter()
        .map(|t| fts_literal(t))
        .collect::<Vec<_>>()
        .join(operator)
}

/// SQL (starting with " AND", empty for one word) true when each of `words` is in
/// the user's entry of the user index or of the custom value index, for the user
/// whose rid is `rid`; with its parameters. Each lookup is one FTS5 match limited
/// to that rowid, so it costs a seek, not a scan.
fn every_word_somewhere(rid: &str, words: &[String]) -> (String, Vec<String>) {
    if words.len() < 2 {
        return (String::new(), Vec::new());
    }
    let mut sql = String::new();
    let mut params = Vec::new();
    for word in words {
        sql.push_str(&format!(
            " AND (EXISTS (SELECT 1 FROM users_fts f WHERE users_fts MATCH ? AND f.rowid = {rid}) \
             OR EXISTS (SELECT 1 FROM user_values_fts g WHERE user_values_fts MATCH ? AND g.rowid = {rid}))"
        ));
        params.push(fts_literal(word));
        params.push(fts_literal(word));
    }
    (sql, params)
}

/// How many live users `query` finds in all (the search itself stops at its
/// limit); every live user for a blank query.
pub async fn count_matches(pool: &SqlitePool, query: &str) -> Result<i64> {
    let (filter, params) = all_matches(query).unwrap_or_else(|| ("1".to_owned(), Vec::new()));
    let sql = format!("SELECT count(*) FROM users u WHERE u._deleted = 0 AND ({filter})");
    let mut q = sqlx::query_scalar(&sql);
    for p in &params {
        q = q.bind(p);
    }
    Ok(q.fetch_one(pool).await?)
}

/// 0 is best: the whole name, then a name starting with the query, then a word of
/// the name starting with it, then an email starting with it, then anything else.
fn rank(name_key: &str, email: &str, terms: &[String]) -> u8 {
    let Some(first) = terms.first() else {
        return 4;
    };
    let whole = terms.join(" ");
    if name_key == whole {
        0
    } else if name_key.starts_with(&whole) {
        1
    } else if name_key
        .split_whitespace()
        .any(|w| w.starts_with(first.as_str()))
    {
        2
    } else if email.starts_with(first.as_str()) {
        3
    } else {
        4
    }
}

type Candidate = (UserSummary, String, String);

/// Candidates from the trigram index of names, emails and phones for `expr`, and
/// from the custom value index for `custom` (users whose custom entry holds at
/// least one of the words and who have every word in either index). Words too
/// short for the indexes must appear in the name or email, checked before the
/// LIMIT so no match is cut off. One statement for both: a search pays one round
/// trip, not two. Returns the candidates and whether either source had more.
async fn fts(
    pool: &SqlitePool,
    expr: &str,
    custom: &[String],
    short: &[String],
    want: i64,
) -> Result<(Vec<Candidate>, bool)> {
    let short_filter: String = short.iter().map(|_| SHORT_WORD).collect();
    let (every_word, word_params) = every_word_somewhere("u.rid", custom);
    let columns = format!("{SUMMARY}, u.name_key, coalesce(u.email_key, '') AS email_key");
    let sql = format!(
        "SELECT * FROM (SELECT {columns}, 0 AS custom \
           FROM users_fts JOIN users u ON u.rid = users_fts.rowid \
           WHERE users_fts MATCH ? AND u._deleted = 0{short_filter} LIMIT ?) \
         UNION ALL \
         SELECT * FROM (SELECT {columns}, 1 AS custom \
           FROM user_values_fts JOIN users u ON u.rid = user_values_fts.rowid \
           WHERE user_values_fts MATCH ? AND u._deleted = 0{every_word}{short_filter} LIMIT ?)"
    );
    let mut q = sqlx::query(&sql).bind(expr);
    for term in short {
        q = q.bind(term).bind(term);
    }
    q = q.bind(want).bind(any_word(custom));
    for p in &word_params {
        q = q.bind(p);
    }
    for term in short {
        q = q.bind(term).bind(term);
    }
    let rows = q.bind(want).fetch_all(pool).await?;
    let from_custom = rows
        .iter()
        .map(|r| r.try_get::<bool, _>("custom"))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let custom_found = from_custom.iter().filter(|c| **c).count() as i64;
    let cut = from_custom.len() as i64 - custom_found >= want || custom_found >= want;
    Ok((candidates(&rows)?, cut))
}

/// Whether the query's words, folded, read as typed (so "lee ann" is not served by
/// the prefix of "ann lee").
fn folded_terms_in_order(query: &str, whole: &str) -> bool {
    fold(query).split_whitespace().collect::<Vec<_>>().join(" ") == whole
}

/// Users whose whole name starts with `p`, in name order.
async fn name_prefix(pool: &SqlitePool, p: &str, want: i64) -> Result<Vec<Candidate>> {
    let end = format!("{p}\u{10FFFF}");
    let rows = sqlx::query(&format!(
        "SELECT {SUMMARY}, u.name_key, coalesce(u.email_key, '') AS email_key \
         FROM users u INDEXED BY users_by_name \
         WHERE u._deleted = 0 AND u.name_key >= ? AND u.name_key < ? ORDER BY u.name_key, u.rid LIMIT ?"
    ))
    .bind(p)
    .bind(end)
    .bind(want)
    .fetch_all(pool)
    .await?;
    candidates(&rows)
}

async fn prefix(pool: &SqlitePool, p: &str, want: i64) -> Result<Vec<Candidate>> {
    // Every string starting with p sorts below p + U+10FFFF.
    let end = format!("{p}\u{10FFFF}");
    let rows = sqlx::query(&format!(
        "SELECT {SUMMARY}, u.name_key, coalesce(u.email_key, '') AS email_key FROM users u \
         WHERE u.rid IN ( \
           SELECT rid FROM (SELECT rid FROM users INDEXED BY users_by_name \
                            WHERE _deleted = 0 AND name_key >= ?1 AND name_key < ?2 LIMIT ?3) \
           UNION SELECT rid FROM (SELECT rid FROM users INDEXED BY users_by_last \
                            WHERE _deleted = 0 AND last_key >= ?1 AND last_key < ?2 LIMIT ?3) \
           UNION SELECT rid FROM (SELECT rid FROM users INDEXED BY users_by_email \
                            WHERE email_key >= ?1 AND email_key < ?2 LIMIT ?3)) \
         AND u._deleted = 0"
    ))
    .bind(p)
    .bind(end)
    .bind(want)
    .fetch_all(pool)
    .await?;
    candidates(&rows)
}

fn candidates(rows: &[sqlx::sqlite::SqliteRow]) -> Result<Vec<Candidate>> {
    rows.iter()
        .map(|r| Ok((summary(r)?, r.try_get("name_key")?, r.try_get("email_key")?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans() {
        assert_eq!(plan("  "), Plan::Nothing);
        assert_eq!(plan("+1 (555) 123"), Plan::Phone("1555123".into()));
        assert_eq!(plan("07700 900"), Plan::Phone("7700900".into()));
        assert_eq!(plan("Mü"), Plan::Prefix("mu".into()));
        assert_eq!(
            plan("Zoë Mü"),
            Plan::Words {
                long: vec!["zoe".into()],
                short: vec!["mu".into()]
            }
        );
        assert_eq!(
            plan("a\"b c"),
            Plan::Words {
                long: vec!["a\"b".into()],
                short: vec!["c".into()]
            }
        );
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(
            plan("ab\u{0}cd"),
            Plan::Words {
                long: vec!["abcd".into()],
                short: vec![]
            }
        );
    }

    #[test]
    fn literals_are_quoted() {
        assert_eq!(fts_literal("a\"b"), "\"a\"\"b\"");
    }
}
