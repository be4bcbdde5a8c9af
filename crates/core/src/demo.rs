//! Deterministic, realistic demo data: the same seed gives the same users, with
//! accents, several countries' phone numbers, addresses, cards and push tokens.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use kith_protocol::{Change, Hlc, NodeId};

use crate::error::Result;
use crate::ids::relation_id;
use crate::schema::{
    LOCATIONS, TEAMS, USER_ADDRESSES, USER_CARDS, USER_PUSH_TOKENS, USER_SOCIAL_LINKS, USER_TEAMS,
};
use crate::store::{Edit, Store};
use crate::users::{UserRecord, UserSource, Users};

/// First names of demo (and benchmark) customers, accents included.
pub const FIRST: &[&str] = &[
    "Zoë",
    "José",
    "François",
    "Søren",
    "Łukasz",
    "Anna",
    "Mia",
    "Noah",
    "Liam",
    "Olivia",
    "Emma",
    "Lucas",
    "Chloé",
    "Mateo",
    "Sofía",
    "Björn",
    "Ingrid",
    "Aoife",
    "Siobhán",
    "Mohammed",
    "Aisha",
    "Yuki",
    "Hiro",
    "Priya",
    "Arjun",
    "Fatima",
    "Omar",
    "Elena",
    "Dmitri",
    "Ava",
    "Ethan",
    "Grace",
    "Henry",
    "Isla",
    "Jack",
    "Leah",
    "Mason",
    "Nora",
    "Oscar",
    "Ruby",
    "Samuel",
    "Tara",
    "Uma",
    "Victor",
    "Wendy",
    "Xavier",
    "Yasmin",
    "Zane",
    "Renée",
    "Jürgen",
];
pub const LAST: &[&str] = &[
    "Müller",
    "Ångström",
    "García",
    "Núñez",
    "Dubois",
    "Kowalski",
    "O'Brien",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Taylor",
    "Anderson",
    "Thomas",
    "Moore",
    "Martin",
    "Jackson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Young",
    "Walker",
    "Hall",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
    "Hill",
    "Campbell",
    "Mitchell",
    "Roberts",
    "Carter",
    "Phillips",
    "Evans",
    "Turner",
    "Torres",
    "Parker",
    "Collins",
    "Edwards",
    "Stewart",
    "Sánchez",
    "Lindqvist",
    "Ødegaard",
    "Schäfer",
    "Yılmaz",
    "Nakamura",
    "Kim",
    "Nguyen",
    "Patel",
    "Singh",
    "Rossi",
];
pub const DOMAINS: &[&str] = &[
    "example.com",
    "mail.example.org",
    "example.net",
    "shop.example.co.uk",
];
/// US area codes whose numbers libphonenumber accepts as valid.
pub const US_AREAS: &[u32] = &[212, 310, 415, 617, 312, 206, 305, 512, 303, 404, 718, 646];
const CITIES: &[(&str, &str, &str)] = &[
    ("New York", "NY", "US"),
    ("San Francisco", "CA", "US"),
    ("Boston", "MA", "US"),
    ("London", "", "GB"),
    ("Berlin", "", "DE"),
    ("München", "BY", "DE"),
    ("Paris", "", "FR"),
];
const STREETS: &[&str] = &[
    "Main St",
    "High Street",
    "Hauptstraße",
    "Rue de Rivoli",
    "Elm Ave",
    "Market St",
];
const TEAM_NAMES: &[&str] = &["VIP", "Wholesale", "Newsletter", "Staff"];
const LOCATION_NAMES: &[&str] = &["Downtown", "Airport", "Harbour"];
const NETWORKS: &[(&str, &str)] = &[
    ("Instagram", "https://instagram.com/"),
    ("Facebook", "https://facebook.com/"),
    ("LinkedIn", "https://linkedin.com/in/"),
    ("TikTok", "https://tiktok.com/@"),
];
const BRANDS: &[&str] = &["Visa", "Mastercard", "Amex"];
/// 2026-01-01T00:00:00Z: demo dates are fixed so the same seed gives the same data.
const EPOCH_MS: i64 = 1_767_225_600_000;
const YEAR_MS: i64 = 365 * 24 * 3600 * 1000;
/// Users per transaction: big enough to amortise commits, small enough to keep
/// memory flat at a million users.
const CHUNK: usize = 2_000;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DemoReport {
    pub users: u64,
    pub teams: u64,
    pub locations: u64,
}

/// Adds `count` demo users (and the demo teams and locations, once).
pub async fn generate(store: &Store, count: u64, seed: u64) -> Result<DemoReport> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let teams: Vec<Uuid> = TEAM_NAMES.iter().map(|n| demo_id("team", n)).collect();
    let locations: Vec<Uuid> = LOCATION_NAMES
        .iter()
        .map(|n| demo_id("location", n))
        .collect();
    let mut shared = Vec::new();
    for (id, name) in teams.iter().zip(TEAM_NAMES) {
        shared.push(Edit::create(&TEAMS, *id).set("name", *name));
    }
    for (id, name) in locations.iter().zip(LOCATION_NAMES) {
        shared.push(Edit::create(&LOCATIONS, *id).set("name", *name));
    }
    let mut stamps = Stamper::new();
    store.merge(&stamps.stamp(shared)).await?;

    let mut done = 0u64;
    while done < count {
        let n = (count - done).min(CHUNK as u64);
        let mut edits = Vec::with_capacity(n as usize * 2);
        for _ in 0..n {
            user_edits(&mut rng, &teams, &locations, &mut edits);
        }
        store.merge(&stamps.stamp(edits)).await?;
        done += n;
    }
    Ok(DemoReport {
        users: count,
        teams: teams.len() as u64,
        locations: locations.len() as u64,
    })
}

/// The node demo data is written as. Demo changes go through `Store::merge` — the
/// one write path, minus the outbox — so they are never pushed to a sync server.
const DEMO_NODE: NodeId = NodeId(Uuid::from_u128(0xd3e0_0000_0000_4000_8000_0000_0000_0001));

/// Whether the store holds demo users. They never sync, so a server's checksum
/// could never match this store's: signing in is refused while they are here.
pub(crate) async fn present(pool: &sqlx::SqlitePool) -> Result<bool> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE _node = ?)")
            .bind(DEMO_NODE.to_string())
            .fetch_one(pool)
            .await?,
    )
}

/// Gives demo edits consecutive clocks from now on.
struct Stamper {
    next: Hlc,
}

impl Stamper {
    fn new() -> Self {
        Stamper {
            next: Hlc::new(crate::store::system_ms(), 0),
        }
    }

    fn stamp(&mut self, edits: Vec<Edit>) -> Vec<Change> {
        edits
            .into_iter()
            .map(|e| {
                // Consecutive values carry into the milliseconds, like Hlc::tick.
                self.next = Hlc(self.next.0 + 1);
                Change {
                    table: e.table.name.to_owned(),
                    row: e.row,
                    hlc: self.next,
                    node: DEMO_NODE,
                    fields: e.fields,
                }
            })
            .collect()
    }
}

/// Demo teams and locations have fixed ids, so running `demo` twice does not
/// duplicate them.
fn demo_id(kind: &str, name: &str) -> Uuid {
    relation_id(
        "demo",
        Uuid::nil(),
        Uuid::new_v5(&Uuid::nil(), format!("{kind}:{name}").as_bytes()),
    )
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    items.choose(rng).unwrap_or(&items[0])
}

fn ascii_handle(s: &str) -> String {
    crate::text::fold(s)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

fn user_edits(rng: &mut ChaCha8Rng, teams: &[Uuid], locations: &[Uuid], out: &mut Vec<Edit>) {
    let id = Uuid::from_u128(rng.gen());
    let first = *pick(rng, FIRST);
    let last = *pick(rng, LAST);
    let handle = format!(
        "{}.{}{}",
        ascii_handle(first),
        ascii_handle(last),
        rng.gen_range(1..10_000)
    );
    let email = format!("{handle}@{}", pick(rng, DOMAINS));
    let mobile = match rng.gen_range(0..10) {
        0 => format!("+447700900{:03}", rng.gen_range(0..1000)),
        1 => format!("+49151{:08}", rng.gen_range(0..100_000_000)),
        _ => format!(
            "+1{}{}{:02}{:04}",
            pick(rng, US_AREAS),
            rng.gen_range(2..10),
            rng.gen_range(10..100),
            rng.gen_range(0..10_000)
        ),
    };
    let home = rng.gen_bool(0.2).then(|| {
        format!(
            "+1{}{}{:02}{:04}",
            pick(rng, US_AREAS),
            rng.gen_range(2..10),
            rng.gen_range(10..100),
            rng.gen_range(0..10_000)
        )
    });
    let source = if rng.gen_bool(0.8) {
        UserSource::App
    } else {
        UserSource::Manual
    };
    let created_at = EPOCH_MS - rng.gen_range(0..3 * YEAR_MS);
    let record = UserRecord {
        first_name: Some(first.to_owned()),
        last_name: Some(last.to_owned()),
        email: rng.gen_bool(0.95).then_some(email),
        mobile_phone: rng.gen_bool(0.9).then_some(mobile),
        home_phone: home,
        app_user_id: (source == UserSource::App)
            .then(|| format!("app_{:010}", rng.gen_range(0..10_000_000_000u64))),
        stripe_customer_id: rng.gen_bool(0.3).then(|| {
            let tail: String = (0..14)
                .map(|_| {
                    char::from(
                        b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789"
                            [rng.gen_range(0..59)],
                    )
                })
                .collect();
            format!("cus_{tail}")
        }),
    };
    let mut user = Users::create_edit(id, record, source, created_at);
    // Users::create_edit generates the password from the OS RNG; demo data must be
    // reproducible, so it is replaced by one drawn from the seeded generator.
    if source == UserSource::Manual {
        let pw: String = (0..4)
            .map(|_| {
                (0..4)
                    .map(|_| char::from(b"abcdefghjkmnpqrstuvwxyz23456789"[rng.gen_range(0..31)]))
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("-");
        user = user.set("generated_password", pw);
    }
    if rng.gen_bool(0.6) {
        user = user.set("location_id", pick(rng, locations).to_string());
    }
    out.push(user);

    if rng.gen_bool(0.3) {
        let team = *pick(rng, teams);
        out.push(
            Edit::create(&USER_TEAMS, relation_id(USER_TEAMS.name, id, team))
                .set("user_id", id.to_string())
                .set("team_id", team.to_string()),
        );
    }
    if rng.gen_bool(0.35) {
        let (city, region, country) = *pick(rng, CITIES);
        out.push(
            Edit::create(&USER_ADDRESSES, Uuid::from_u128(rng.gen()))
                .set("user_id", id.to_string())
                .set("label", *pick(rng, &["Home", "Work", "Shipping"]))
                .set(
                    "street",
                    format!("{} {}", rng.gen_range(1..400), pick(rng, STREETS)),
                )
                .set("city", city)
                .set("region", (!region.is_empty()).then_some(region))
                .set("postal_code", format!("{:05}", rng.gen_range(1000..99_999)))
                .set("country", country),
        );
    }
    if rng.gen_bool(0.2) {
        let (network, base) = *pick(rng, NETWORKS);
        out.push(
            Edit::create(&USER_SOCIAL_LINKS, Uuid::from_u128(rng.gen()))
                .set("user_id", id.to_string())
                .set("network", network)
                .set("url", format!("{base}{handle}")),
        );
    }
    if source == UserSource::App && rng.gen_bool(0.5) {
        let platform = *pick(rng, &["ios", "android"]);
        let token: String = (0..64)
            .map(|_| char::from(b"0123456789abcdef"[rng.gen_range(0..16)]))
            .collect();
        out.push(
            Edit::create(&USER_PUSH_TOKENS, Uuid::from_u128(rng.gen()))
                .set("user_id", id.to_string())
                .set("platform", platform)
                .set("token", token)
                .set("last_seen_at", EPOCH_MS - rng.gen_range(0..YEAR_MS / 4)),
        );
    }
    if rng.gen_bool(0.15) {
        out.push(
            Edit::create(&USER_CARDS, Uuid::from_u128(rng.gen()))
                .set("user_id", id.to_string())
                .set("brand", *pick(rng, BRANDS))
                .set("last4", format!("{:04}", rng.gen_range(0..10_000)))
                .set("exp_month", rng.gen_range(1..=12i64))
                .set("exp_year", rng.gen_range(2026..=2031i64)),
        );
    }
}
