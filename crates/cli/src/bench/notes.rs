//! Note search at scale: a million notes written through the store's own write
//! path (so the search index is the one the app keeps), then searched by word,
//! two words, word + tag and tag alone, beside an unindexed LIKE scan of the same
//! notes for the same words as the reference.

use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use kith_core::ids::{name_id, relation_id};
use kith_core::notes::NoteQuery;
use kith_core::schema::{self, NOTES, NOTE_TAGS};
use kith_core::store::Edit;
use kith_core::Kith;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use uuid::Uuid;

use super::{percentiles, SEED};

/// Users the notes are spread over: one per 50 notes, at most this many.
const MAX_USERS: u64 = 20_000;
/// Notes per commit while generating.
const NOTES_PER_COMMIT: usize = 5_000;
const LIMIT: i64 = 50;

/// A query of the benchmark: text, and a tag to filter by.
type Query = (String, Option<String>);

const TAGS: [&str; 24] = [
    "call",
    "meeting",
    "renewal",
    "refund",
    "vip",
    "follow up",
    "complaint",
    "quote",
    "invoice",
    "onboarding",
    "wholesale",
    "birthday",
    "allergy",
    "referral",
    "lead",
    "churn risk",
    "upsell",
    "delivery",
    "returns",
    "feedback",
    "event",
    "b2b",
    "loyalty",
    "café",
];

const COMMON: [&str; 40] = [
    "called",
    "about",
    "the",
    "renewal",
    "invoice",
    "order",
    "wants",
    "asked",
    "meeting",
    "next",
    "week",
    "price",
    "discount",
    "delivery",
    "refund",
    "happy",
    "with",
    "service",
    "prefers",
    "email",
    "phone",
    "morning",
    "evening",
    "booked",
    "visit",
    "store",
    "café",
    "menu",
    "birthday",
    "present",
    "allergic",
    "gluten",
    "nuts",
    "friend",
    "referred",
    "membership",
    "points",
    "voucher",
    "complained",
    "late",
];

#[derive(Serialize)]
pub struct NotesFigure {
    pub notes: u64,
    pub kind: &'static str,
    pub kith_p50_ms: f64,
    pub kith_p99_ms: f64,
    pub like_p50_ms: f64,
    pub like_p99_ms: f64,
    pub speedup_p99: f64,
}

#[derive(Serialize)]
pub struct NotesReport {
    pub notes: u64,
    pub users: u64,
    pub generate_s: f64,
    pub figures: Vec<NotesFigure>,
}

/// A vocabulary of made-up words (accents included) beside common ones, so word
/// frequencies range from very common to rare, as in real notes.
fn vocabulary(rng: &mut ChaCha8Rng) -> Vec<String> {
    const SYLLABLES: [&str; 24] = [
        "ka", "ro", "mi", "ze", "lu", "vé", "ña", "to", "bri", "sol", "dan", "ker", "mü", "pla",
        "ost", "rin", "ga", "fé", "nor", "li", "wa", "ch", "ber", "tä",
    ];
    let mut words: Vec<String> = COMMON.iter().map(|w| (*w).to_owned()).collect();
    while words.len() < 4_000 {
        let n = rng.gen_range(2..=4);
        let w: String = (0..n)
            .map(|_| SYLLABLES[rng.gen_range(0..SYLLABLES.len())])
            .collect();
        words.push(w);
    }
    words
}

/// Picks words with a skew: common words far more often than rare ones.
fn word<'v>(vocab: &'v [String], rng: &mut ChaCha8Rng) -> &'v str {
    let r: f64 = rng.gen();
    &vocab[((r * r * r) * vocab.len() as f64) as usize % vocab.len()]
}

pub async fn run(
    size: u64,
    queries: usize,
    reference_queries: usize,
    base: &Path,
    keep: bool,
) -> Result<NotesReport> {
    let dir = base.join(format!("bench-notes-{size}"));
    let users = (size / 50).clamp(1, MAX_USERS);
    // A kept work dir holds the notes an earlier run generated whole (the marker
    // is written last): reuse them, as generating a million takes minutes.
    let marker = dir.join(".generated");
    let reused = keep && marker.exists();
    let generate_s = if reused {
        eprintln!("bench: reusing the {size} notes in {}", dir.display());
        std::fs::read_to_string(&marker)?
            .trim()
            .parse()
            .unwrap_or(0.0)
    } else {
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        let seconds = generate(&dir, size, users).await?;
        std::fs::write(&marker, seconds.to_string())?;
        seconds
    };
    let kith = Kith::open(&dir).await?;
    let figures = measure(&kith, size, queries, reference_queries).await?;
    kith.store().close().await;
    drop(kith);
    if !keep {
        std::fs::remove_dir_all(&dir)?;
    }
    Ok(NotesReport {
        notes: size,
        users,
        generate_s,
        figures,
    })
}

/// Writes `users` demo users and `size` notes into a new data dir at `dir`;
/// returns the seconds it took.
async fn generate(dir: &Path, size: u64, users: u64) -> Result<f64> {
    eprintln!("bench: generating {users} users and {size} notes…");
    let kith = Kith::open(dir).await?;
    let started = Instant::now();
    kith_core::demo::generate(kith.store(), users, SEED).await?;
    let user_ids: Vec<String> = sqlx::query_scalar("SELECT id FROM users")
        .fetch_all(kith.store().pool())
        .await?;
    let mut rng = ChaCha8Rng::seed_from_u64(SEED + 10);
    let vocab = vocabulary(&mut rng);
    let mut bulk = kith.store().bulk().await?;
    let mut written = 0u64;
    let t0 = 1_700_000_000_000i64;
    while written < size {
        let n = (size - written).min(NOTES_PER_COMMIT as u64);
        let mut edits = Vec::with_capacity(n as usize * 2);
        for i in 0..n {
            let id = Uuid::now_v7();
            let len = rng.gen_range(6..=25);
            let body: Vec<&str> = (0..len).map(|_| word(&vocab, &mut rng)).collect();
            edits.push(
                Edit::create(&NOTES, id)
                    .set(
                        "user_id",
                        user_ids[rng.gen_range(0..user_ids.len())].clone(),
                    )
                    .set("body", body.join(" "))
                    .set("pinned", false)
                    .set("created_at", t0 + (written + i) as i64 * 1_000),
            );
            for _ in 0..rng.gen_range(0..=2) {
                let tag = TAGS[rng.gen_range(0..TAGS.len())];
                let tag_id = relation_id(NOTE_TAGS.name, id, name_id("tag", tag));
                edits.push(
                    Edit::new(&NOTE_TAGS, tag_id)
                        .set("note_id", id.to_string())
                        .set("tag", tag)
                        .set(schema::DELETED, false),
                );
            }
        }
        bulk.commit(edits).await?;
        written += n;
        if written.is_multiple_of(100_000) {
            eprintln!("bench: {written} notes…");
        }
    }
    bulk.finish().await?;
    let seconds = started.elapsed().as_secs_f64();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(kith.store().pool())
        .await?;
    sqlx::query("ANALYZE").execute(kith.store().pool()).await?;
    kith.store().close().await;
    Ok(seconds)
}

/// Times each kind of query over the notes of `kith`, beside the LIKE scan.
async fn measure(
    kith: &Kith,
    size: u64,
    queries: usize,
    reference_queries: usize,
) -> Result<Vec<NotesFigure>> {
    // The same vocabulary the notes were written from.
    let mut rng = ChaCha8Rng::seed_from_u64(SEED + 10);
    let vocab = vocabulary(&mut rng);
    // Two words that stand together in a real note, so the pair has matches.
    let mut pairs = Vec::new();
    let max: i64 = sqlx::query_scalar("SELECT max(rid) FROM notes")
        .fetch_one(kith.store().pool())
        .await?;
    while pairs.len() < queries {
        let body: Option<String> = sqlx::query_scalar("SELECT body FROM notes WHERE rid = ?")
            .bind(rng.gen_range(1..=max.max(1)))
            .fetch_optional(kith.store().pool())
            .await?;
        let Some(body) = body else { continue };
        let words: Vec<&str> = body.split(' ').filter(|w| w.chars().count() >= 3).collect();
        if words.len() >= 2 {
            let a = rng.gen_range(0..words.len() - 1);
            pairs.push((format!("{} {}", words[a], words[a + 1]), None));
        }
    }
    let mut one = Vec::new();
    let mut with_tag = Vec::new();
    let mut tag_only = Vec::new();
    let mut none = Vec::new();
    for i in 0..queries {
        one.push((word(&vocab, &mut rng).to_owned(), None));
        let tag = TAGS[rng.gen_range(0..TAGS.len())].to_owned();
        with_tag.push((word(&vocab, &mut rng).to_owned(), Some(tag.clone())));
        tag_only.push((String::new(), Some(tag)));
        none.push((format!("qxz{i}vw"), None));
    }
    let kinds: Vec<(&'static str, Vec<Query>)> = vec![
        ("one word", one),
        ("two words of a note", pairs),
        ("word + tag", with_tag),
        ("tag alone", tag_only),
        ("no match", none),
    ];

    let mut figures = Vec::new();
    for (kind, qs) in &kinds {
        eprintln!("bench: {size} notes, {kind}…");
        let mut kith_times = Vec::with_capacity(qs.len());
        let mut slowest = Vec::with_capacity(qs.len());
        for (text, tag) in qs {
            let q = NoteQuery {
                text: text.clone(),
                tag: tag.clone(),
                user_id: None,
                limit: LIMIT,
            };
            let t = Instant::now();
            std::hint::black_box(kith.notes().search(&q).await?);
            kith_times.push(t.elapsed());
            slowest.push((t.elapsed(), text.as_str(), tag.as_deref()));
        }
        // Which queries make the tail, for whoever works on it next.
        slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
        for (took, text, tag) in slowest.iter().take(3) {
            eprintln!("bench:   slow: {took:.1?} {text:?} tag {tag:?}");
        }
        let mut like_times = Vec::new();
        for (text, tag) in qs.iter().take(reference_queries) {
            let t = Instant::now();
            like_scan(kith, text, tag.as_deref()).await?;
            like_times.push(t.elapsed());
        }
        let (kp50, kp99) = percentiles(&mut kith_times);
        let (lp50, lp99) = percentiles(&mut like_times);
        figures.push(NotesFigure {
            notes: size,
            kind,
            kith_p50_ms: kp50,
            kith_p99_ms: kp99,
            like_p50_ms: lp50,
            like_p99_ms: lp99,
            speedup_p99: lp99 / kp99.max(1e-6),
        });
    }
    Ok(figures)
}

/// The reference: the same question by scanning every note's text with LIKE
/// (case-insensitive for ASCII only — already less than the index answers).
async fn like_scan(kith: &Kith, text: &str, tag: Option<&str>) -> Result<()> {
    let mut sql = String::from("SELECT n.rid FROM notes n WHERE n._deleted = 0");
    let words: Vec<String> = text.split_whitespace().map(|w| format!("%{w}%")).collect();
    for _ in &words {
        sql.push_str(" AND n.body LIKE ?");
    }
    if tag.is_some() {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM note_tags t WHERE t.note_id = n.id AND t._deleted = 0 AND t.tag = ?)",
        );
    }
    sql.push_str(" ORDER BY n.rid DESC LIMIT ?");
    let mut q = sqlx::query(&sql);
    for w in &words {
        q = q.bind(w);
    }
    if let Some(tag) = tag {
        q = q.bind(tag);
    }
    std::hint::black_box(q.bind(LIMIT).fetch_all(kith.store().pool()).await?);
    Ok(())
}

pub fn markdown(r: &NotesReport) -> String {
    let mut out = format!(
        "\n### Note search ({} notes over {} users; generated through the store in {:.0} s)\n\n\
         | notes | query | Kith p50 | Kith p99 | reference LIKE scan p50 | reference p99 | speed-up at p99 |\n\
         |---:|---|---:|---:|---:|---:|---:|\n",
        r.notes, r.users, r.generate_s
    );
    for f in &r.figures {
        out.push_str(&format!(
            "| {} | {} | {:.2} ms | {:.2} ms | {:.1} ms | {:.1} ms | {:.0}× |\n",
            f.notes,
            f.kind,
            f.kith_p50_ms,
            f.kith_p99_ms,
            f.like_p50_ms,
            f.like_p99_ms,
            f.speedup_p99
        ));
    }
    out
}
