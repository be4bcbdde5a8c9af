// Dev-only stand-in for the Rust core, so `npm run dev` in a plain browser shows a working
// app. Loaded only when import.meta.env.DEV and no Tauri runtime is present; never bundled
// into a build. `?users=N` sets how many fake users exist (default 3,000).
import { mockIPC } from "@tauri-apps/api/mocks";
import type { KithError } from "./api";
import { fieldsHandlers } from "./devFieldsMock";
import { filesHandlers } from "./devFilesMock";
import { importHandlers } from "./devImportMock";
import { notesHandlers } from "./devNotesMock";
import { tasksHandlers } from "./devTasksMock";
import type { Location } from "./generated/Location";
import type { NewUser } from "./generated/NewUser";
import type { Settings } from "./generated/Settings";
import type { Team } from "./generated/Team";
import type { UserDetail } from "./generated/UserDetail";
import type { UserSort } from "./generated/UserSort";
import type { UserSummary } from "./generated/UserSummary";

const FIRST = ["Ada", "Ben", "Chloé", "Dmitri", "Elena", "Farah", "Gus", "Hana", "Ivan", "Jonas", "Keiko", "Liam", "Mia", "Noah", "Olga", "Priya", "Quentin", "Rosa", "Sami", "Tess"];
const LAST = ["Abbott", "Berg", "Castillo", "Dubois", "Eriksen", "Fischer", "García", "Hughes", "Ito", "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Patel", "Quinn", "Rossi", "Schmidt", "Tanaka"];
const HOUR = 3_600_000;

let seq = 0;
const id = (prefix: string) => `${prefix}-${++seq}`;
const fail = (kind: KithError["kind"], message: string, field: string | null = null): never => {
  throw { kind, message, field } satisfies KithError;
};

function fakeUser(i: number, now: number): UserDetail {
  const first = FIRST[i % FIRST.length];
  const last = LAST[(i * 7 + Math.floor(i / FIRST.length)) % LAST.length];
  const withEmail = i % 7 !== 3;
  return {
    id: `u-${i}`,
    first_name: first,
    last_name: last,
    email: withEmail ? `${first}.${last}${i}@example.com`.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "") : null,
    mobile_phone: i % 3 === 0 ? null : `+1415555${String(i % 10000).padStart(4, "0")}`,
    home_phone: null,
    app_user_id: i % 2 ? `app_${i}` : null,
    stripe_customer_id: i % 5 === 0 ? `cus_${(i * 7919).toString(36)}` : null,
    location_id: i % 4 === 0 ? "loc-1" : null,
    source: i % 2 ? "app" : "import",
    created_at: now - i * 3 * HOUR,
    last_activity_at: now - ((i * 7) % 500) * HOUR,
    deleted_at: null,
    has_generated_password: i % 2 === 0,
    teams: i % 3 === 0 ? [{ id: "team-1", name: "VIP" }] : [],
    social_links: i % 4 === 1 ? [{ id: id("s"), network: "Instagram", url: `https://instagram.com/${first.toLowerCase()}${i}` }] : [],
    addresses: i % 3 === 1 ? [{ id: id("a"), label: "Home", street: `${10 + (i % 90)} Market Street`, city: "San Francisco", region: "CA", postal_code: "94103", country: "US" }] : [],
    push_tokens: i % 2 ? [{ id: id("p"), platform: "ios", token: `apns-${(i * 2654435761).toString(16)}f0c1d2e3a4b5c6d7e8f9`, last_seen_at: now - (i % 48) * HOUR }] : [],
    cards: i % 5 === 2 ? [{ id: id("c"), brand: "Visa", last4: String(1000 + (i % 9000)), exp_month: 1 + (i % 12), exp_year: 2027 }] : [],
    custom_values: [],
    avatar_id: null,
    cover_id: null,
  };
}

const summary = (u: UserDetail): UserSummary => ({
  id: u.id,
  first_name: u.first_name,
  last_name: u.last_name,
  email: u.email,
  mobile_phone: u.mobile_phone,
  home_phone: u.home_phone,
  created_at: u.created_at,
  last_activity_at: u.last_activity_at,
  avatar_id: u.avatar_id,
});

export function installDevMock() {
  const now = Date.now();
  const count = Number(new URLSearchParams(location.search).get("users") ?? 3000);
  const users = new Map(Array.from({ length: count }, (_, i) => fakeUser(i, now)).map((u) => [u.id, u]));
  const teams: Team[] = [{ id: "team-1", name: "VIP" }, { id: "team-2", name: "Wholesale" }];
  const deletedTeams: Team[] = [];
  const locations: Location[] = [{ id: "loc-1", name: "Downtown" }, { id: "loc-2", name: "Harbour" }];
  let settings: Settings = { default_region: "US", theme: "system", current_staff_id: null };
  const sorted = new Map<UserSort, UserDetail[]>();
  const changed = () => sorted.clear();
  const compare: Record<UserSort, (a: UserDetail, b: UserDetail) => number> = {
    name: (a, b) => a.first_name.localeCompare(b.first_name) || a.last_name.localeCompare(b.last_name),
    created: (a, b) => b.created_at - a.created_at,
    activity: (a, b) => b.last_activity_at - a.last_activity_at,
  };
  const live = (sort: UserSort) => {
    if (!sorted.has(sort)) sorted.set(sort, [...users.values()].filter((u) => !u.deleted_at).sort(compare[sort]));
    return sorted.get(sort)!;
  };
  /** A plain substring search, enough to stand in for the core's in the browser. */
  const matching = (query: string) => {
    const q = query.toLowerCase();
    return live("name").filter((u) => `${u.first_name} ${u.last_name} ${u.email ?? ""} ${u.mobile_phone ?? ""}`.toLowerCase().includes(q));
  };
  const user = (userId: string) => users.get(userId) ?? fail("not_found", "This user no longer exists.");
  const owner = (key: "addresses" | "social_links" | "cards" | "push_tokens", itemId: string) =>
    [...users.values()].find((u) => u[key].some((x) => x.id === itemId)) ?? fail("not_found", "Not found.");
  const checkEmail = (email: string | null) => {
    if (email && !email.includes("@")) fail("validation", "This email address is missing an @", "email");
  };
  const create = (draft: NewUser): UserDetail => {
    checkEmail(draft.email);
    const u: UserDetail = { ...fakeUser(users.size, Date.now()), ...draft, id: id("u"), teams: [], social_links: [], addresses: [], push_tokens: [], cards: [], custom_values: [], avatar_id: null, cover_id: null, has_generated_password: true, source: "manual", created_at: Date.now() };
    users.set(u.id, u);
    changed();
    return u;
  };

  // Arguments arrive untyped over IPC; the handlers trust the shapes of docs/IPC.md.
  const handlers: Record<string, (a: any) => unknown> = {
    list_users: ({ sort, offset, limit }) => {
      const all = live(sort);
      return { total: all.length, offset, rows: all.slice(offset, offset + limit).map(summary) };
    },
    search_users: ({ query, limit }) => {
      const hits = matching(String(query));
      return { rows: hits.slice(0, limit).map(summary), more: hits.length > limit };
    },
    count_search_matches: ({ query }) => matching(String(query)).length,
    get_user: ({ id }) => user(id),
    find_duplicates: ({ draft }) =>
      live("name")
        .filter((u) => (draft.email && u.email === draft.email) || (draft.mobile_phone && u.mobile_phone === draft.mobile_phone))
        .map(summary),
    create_user: ({ draft }) => create(draft),
    set_user_field: ({ id, field, value }) => {
      if (field === "email") checkEmail(value);
      if ((field === "mobile_phone" || field === "home_phone") && value && !/^\+?[\d\s()-]{6,}$/.test(value)) fail("validation", "This doesn't look like a phone number.", field);
      const u = user(id);
      Object.assign(u, { [field]: value });
      changed();
      return u;
    },
    delete_user: ({ id }) => {
      user(id).deleted_at = Date.now();
      changed();
      return null;
    },
    restore_user: ({ id }) => {
      const u = user(id);
      u.deleted_at = null;
      changed();
      return u;
    },
    list_trash: () => [...users.values()].filter((u) => u.deleted_at).sort((a, b) => b.deleted_at! - a.deleted_at!).map(summary),
    reveal_password: ({ id }) => (user(id).has_generated_password ? "kith-" + id.replace(/\W/g, "") + "-Xq7!" : null),
    add_address: ({ user_id, input }) => (user(user_id).addresses.push({ id: id("a"), ...input }), user(user_id)),
    update_address: ({ id, input }) => {
      const u = owner("addresses", id);
      u.addresses = u.addresses.map((a) => (a.id === id ? { id, ...input } : a));
      return u;
    },
    remove_address: ({ id }) => {
      const u = owner("addresses", id);
      u.addresses = u.addresses.filter((a) => a.id !== id);
      return u;
    },
    add_social_link: ({ user_id, input }) => (user(user_id).social_links.push({ id: id("s"), ...input }), user(user_id)),
    update_social_link: ({ id, input }) => {
      const u = owner("social_links", id);
      u.social_links = u.social_links.map((s) => (s.id === id ? { id, ...input } : s));
      return u;
    },
    remove_social_link: ({ id }) => {
      const u = owner("social_links", id);
      u.social_links = u.social_links.filter((s) => s.id !== id);
      return u;
    },
    add_card: ({ user_id, input }) => {
      if (!/^\d{4}$/.test(input.last4)) fail("validation", input.last4.length > 4 ? "Only the last 4 digits are kept — never the full card number." : "Enter the last 4 digits.", "last4");
      user(user_id).cards.push({ id: id("c"), ...input });
      return user(user_id);
    },
    remove_card: ({ id }) => {
      const u = owner("cards", id);
      u.cards = u.cards.filter((c) => c.id !== id);
      return u;
    },
    remove_push_token: ({ id }) => {
      const u = owner("push_tokens", id);
      u.push_tokens = u.push_tokens.filter((p) => p.id !== id);
      return u;
    },
    set_user_team: ({ user_id, team_id, member }) => {
      const u = user(user_id);
      u.teams = u.teams.filter((t) => t.id !== team_id);
      if (member) u.teams.push(teams.find((t) => t.id === team_id)!);
      return u;
    },
    list_teams: () => teams,
    create_team: ({ name }) => {
      const team = { id: id("team"), name };
      teams.push(team);
      return team;
    },
    team_sizes: () =>
      teams.map((t) => ({ ...t, members: [...users.values()].filter((u) => u.teams.some((m) => m.id === t.id)).length })),
    rename_team: ({ id, name }) => Object.assign(teams.find((t) => t.id === id)!, { name }),
    delete_team: ({ id }) => (deletedTeams.push(...teams.splice(teams.findIndex((t) => t.id === id), 1)), null),
    restore_team: ({ id }) => {
      const team = deletedTeams.splice(deletedTeams.findIndex((t) => t.id === id), 1)[0];
      teams.push(team);
      return team;
    },
    list_locations: () => locations,
    create_location: ({ name }) => {
      const loc = { id: id("loc"), name };
      locations.push(loc);
      return loc;
    },
    rename_location: ({ id, name }) => Object.assign(locations.find((l) => l.id === id)!, { name }),
    delete_location: ({ id }) => (locations.splice(locations.findIndex((l) => l.id === id), 1), null),
    startup_status: () => ({ seq: 1, status: { state: "ready" } }),
    retry_startup: () => null,
    // Sync in the browser preview: there is no server to reach, so signing in is refused.
    sync_status: () => ({
      state: "signed_out", pending: 0, last_sync_at: null, server_url: null, workspace: null,
      staff_name: null, staff_email: null, device_name: null, device_id: null, error: null, files_waiting: 0,
      trusted_certificate: null, received: 0, loading_snapshot: false,
    }),
    sync_login: () => {
      throw { kind: "network", message: "The browser preview has no sync server; run the desktop app to sign in." };
    },
    sync_server_certificate: () => {
      throw { kind: "network", message: "The browser preview has no sync server." };
    },
    sync_logout: () => null,
    sync_now: () => null,
    get_settings: () => settings,
    update_settings: ({ settings: next }) => (settings = next),
    ...importHandlers({ users, create, changed }),
    ...notesHandlers(users),
    ...tasksHandlers({ users, settings: () => settings }),
    ...filesHandlers(users),
    // The history in the browser preview: only each user's creation (the real feed
    // is derived by the core from its change log).
    user_activity: ({ user_id }) => [
      { at: user(user_id).created_at, kind: "user_created", group: "fields", field: null, old: null, new: null,
        subject: user(user_id).source, subject_id: null, actor: null, device: "This computer", import_file: null },
    ],
    // Profile and cover images: any attachment id will do in the preview.
    set_user_image: ({ user_id, role, attachment_id }) => {
      const u = user(user_id);
      if (role === "avatar") u.avatar_id = attachment_id;
      else u.cover_id = attachment_id;
      changed();
      return { avatar_id: u.avatar_id, cover_id: u.cover_id };
    },
    choose_user_image: () => null,
    cover_image: ({ id }) => handlers.file_thumbnail({ id }),
    user_summary: () => ({ open_tasks: 0, overdue_tasks: 0, notes: 0, files: 0, last_activity_at: null }),
    ...fieldsHandlers(users),
  };

  // shouldMockEvents: listen()/emit() work in the browser, for the drag-and-drop stand-in.
  mockIPC(async (cmd, args) => {
    // A little latency, so loading states can be seen as they would be on a slow disk.
    await new Promise((resolve) => setTimeout(resolve, cmd === "list_users" ? 40 : 10));
    const handler = handlers[cmd] ?? fail("internal", `dev mock: no command ${cmd}`);
    // Copies, as real IPC would hand over: the UI must never share objects with the "core".
    return structuredClone(await handler(args ?? {}));
  }, { shouldMockEvents: true });
}
