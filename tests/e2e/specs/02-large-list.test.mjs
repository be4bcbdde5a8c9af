// A database of 20,000 demo users made by kith-cli before launch: the list shows rows
// at once, stays virtualized, and scrolls to its very end; search still answers.
// kith-cli (same store, same name order) says which users are first and last.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  LAUNCH_WAIT,
  WAIT,
  byTestId,
  textOf,
  cli,
  closeApp,
  freshDataDir,
  launchApp,
  rowIds,
  screenshots,
  sel,
  shown,
  typeInto,
} from '../lib/app.mjs';

const screenshot = screenshots('large');
const USERS = 20_000;

describe(`a seeded database of ${USERS} users`, { timeout: 15 * 60_000 }, () => {
  const dataDir = freshDataDir('large');
  /** @type {WebdriverIO.Browser} */
  let browser;
  /** The first and last users in name order, as kith-cli lists them. */
  let first;
  let last;

  /** One user at `offset` in name order, from kith-cli's JSON. */
  function userAt(offset) {
    const page = JSON.parse(cli(['--data-dir', dataDir, '--json', 'users', 'list', '--offset', String(offset), '--limit', '1']));
    assert.equal(page.total, USERS, `kith-cli counts ${USERS} users`);
    assert.equal(page.rows.length, 1);
    return page.rows[0];
  }

  before(async () => {
    const t0 = Date.now();
    cli(['--data-dir', dataDir, 'demo', '--users', String(USERS), '--seed', '7'], { timeout: 10 * 60_000 });
    console.log(`# kith-cli demo --users ${USERS}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    first = userAt(0);
    last = userAt(USERS - 1);
    browser = await launchApp(dataDir);
  });

  after(async () => {
    await closeApp(browser);
  });

  /** Geometry of the list and of the rows it renders now. */
  const listState = () =>
    browser.execute((listSel, rowSel) => {
      const list = document.querySelector(listSel);
      if (!list) return null;
      const box = list.getBoundingClientRect();
      const rows = Array.from(list.querySelectorAll(rowSel)).map((r) => {
        const b = r.getBoundingClientRect();
        return { id: r.getAttribute('data-user-id'), top: b.top, bottom: b.bottom, text: r.textContent.trim() };
      });
      const visible = rows.filter((r) => r.bottom > box.top + 1 && r.top < box.bottom - 1);
      return {
        scrollTop: list.scrollTop,
        scrollHeight: list.scrollHeight,
        clientHeight: list.clientHeight,
        listTop: box.top,
        listBottom: box.bottom,
        rendered: rows.length,
        visible,
        last: rows.length ? rows.reduce((a, b) => (b.bottom > a.bottom ? b : a)) : null,
      };
    }, sel('user-list'), sel('user-row'));

  test('the list shows rows at once and renders only a window of them', { timeout: 5 * 60_000 }, async () => {
    await shown(browser, 'user-list', LAUNCH_WAIT);
    await browser.waitUntil(async () => (await rowIds(browser)).length > 0, {
      timeout: LAUNCH_WAIT,
      timeoutMsg: 'no user-row appeared for a 20,000-user database',
    });
    // The status line under the list counts every user (e.g. "20,000 users").
    const status = byTestId(browser, 'list-status');
    await browser
      .waitUntil(async () => /20[,.\u00a0\u202f ]?000 users/.test(await textOf(status)), { timeout: LAUNCH_WAIT })
      .catch(async () => {
        throw new Error(`list-status does not count ${USERS} users: ${JSON.stringify(await textOf(status))}`);
      });
    const state = await listState();
    assert.ok(state.visible.length > 0, 'rows are visible in the list');
    assert.ok(state.rendered < 1000, `the list is virtualized (renders ${state.rendered} rows, not ${USERS})`);
    assert.ok(state.scrollHeight > state.clientHeight * 10, 'the list is scrollable over many screens');
    const top = state.visible.reduce((a, b) => (b.top < a.top ? b : a));
    assert.equal(top.id, first.id, `the first row is ${first.first_name} ${first.last_name}`);
    for (const row of state.visible) assert.ok(row.text.length > 0, 'every visible row shows a name');
    await screenshot(browser, 'top');
  });

  test('scrolling to the end shows the last rows', { timeout: 5 * 60_000 }, async () => {
    const top = await listState();
    const topIds = new Set(top.visible.map((r) => r.id));

    // Scroll in a few big steps (like dragging the scrollbar), then to the very end.
    for (const fraction of [0.25, 0.5, 0.75, 1]) {
      await browser.execute((listSel, f) => {
        const list = document.querySelector(listSel);
        list.scrollTop = f >= 1 ? list.scrollHeight : Math.floor((list.scrollHeight - list.clientHeight) * f);
        list.dispatchEvent(new Event('scroll'));
      }, sel('user-list'), fraction);
      await browser.waitUntil(
        async () => {
          const s = await listState();
          return s.visible.length > 0 && s.visible.every((r) => !topIds.has(r.id));
        },
        { timeout: WAIT, timeoutMsg: `no new rows rendered after scrolling to ${fraction * 100}%` },
      );
    }

    let end;
    await browser.waitUntil(
      async () => {
        end = await listState();
        const atEnd = end.scrollTop + end.clientHeight >= end.scrollHeight - 2;
        // At the end nothing is rendered below the viewport: the last rendered row is the
        // last user, and its bottom edge is inside the list's box.
        const lastInView = end.last && end.last.bottom <= end.listBottom + 2 && end.last.bottom > end.listTop;
        return atEnd && lastInView && end.visible.length > 0;
      },
      {
        timeout: WAIT,
        timeoutMsg: 'the end of the list was not reached or its last row is not in view',
      },
    );
    assert.ok(end.visible.every((r) => r.text.length > 0), 'rows at the end show names');
    assert.equal(end.last.id, last.id, `the last row is ${last.first_name} ${last.last_name}`);
    assert.ok(end.last.text.includes(`${last.first_name} ${last.last_name}`), `the last row shows "${last.first_name} ${last.last_name}": ${end.last.text}`);
    await screenshot(browser, 'end');
  });

  test('search finds the last user from the top of the list', { timeout: 5 * 60_000 }, async () => {
    // Their email is (nearly) unique among 20,000 demo users; their name is not.
    const name = last.email ?? `${last.first_name} ${last.last_name}`;
    await browser.execute((listSel) => {
      const list = document.querySelector(listSel);
      list.scrollTop = 0;
      list.dispatchEvent(new Event('scroll'));
    }, sel('user-list'));
    await browser.waitUntil(async () => (await rowIds(browser)).includes(first.id), {
      timeout: WAIT,
      timeoutMsg: 'the first user is not rendered after scrolling back to the top',
    });
    assert.ok(!(await rowIds(browser)).includes(last.id), 'the last user is not rendered at the top');

    const box = await shown(browser, 'user-search');
    const t0 = Date.now();
    await typeInto(box, name);
    await browser.waitUntil(async () => (await rowIds(browser)).includes(last.id), {
      timeout: WAIT,
      timeoutMsg: `searching "${name}" did not list that user`,
    });
    console.log(`# search "${name}" among ${USERS} users: row shown ${Date.now() - t0} ms after typing started`);
    await screenshot(browser, 'search');
  });
});
