// Key User Manager journeys on the real app, one launch on a fresh data dir (plus one
// relaunch on the same dir to prove edits reach the disk).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  LAUNCH_WAIT,
  WAIT,
  byTestId,
  textOf,
  clearInput,
  elementWithText,
  cli,
  closeApp,
  freshDataDir,
  gone,
  launchApp,
  pressEnter,
  pressEscape,
  rowFor,
  rowIds,
  rowTexts,
  screenshots,
  sel,
  shown,
  typeInto,
  waitForNoRow,
  waitForRow,
  waitForText,
} from '../lib/app.mjs';

const screenshot = screenshots('users');
const TEST_TIMEOUT = 180_000;

const ZOE = {
  first: 'Zoë',
  last: 'Müller',
  name: 'Zoë Müller',
  email: 'zoe@example.com',
  newEmail: 'zoe.m@example.com',
  mobileTyped: '+1 (555) 123-4567',
  mobileE164: '+15551234567',
  // Shown formatted for people; 555 numbers belong to no region, so internationally.
  mobileShown: '+1 555 123 4567',
};

describe('User Manager journeys', { timeout: 15 * 60_000 }, () => {
  const dataDir = freshDataDir('users');
  /** @type {WebdriverIO.Browser} */
  let browser;
  let zoeId = null;

  before(async () => {
    browser = await launchApp(dataDir);
  });

  after(async () => {
    await closeApp(browser);
  });

  /** Put `query` in the search box (empty string clears it). */
  async function search(query) {
    const box = await shown(browser, 'user-search');
    if (query === '') await clearInput(box);
    else await typeInto(box, query);
  }

  /** Make sure the Users screen is showing its list, with the search box empty. */
  async function backToUsers() {
    await (await shown(browser, 'nav-users')).click();
    const closeTrash = byTestId(browser, 'close-trash');
    if (await closeTrash.isDisplayed()) await closeTrash.click();
    await search('');
    await shown(browser, 'user-list');
  }

  /** Open a user's profile from the list and wait for it to show their name. */
  async function openUser(userId, name) {
    const row = rowFor(browser, userId);
    await row.waitForDisplayed({ timeout: WAIT });
    await row.click();
    const profile = await shown(browser, 'user-profile');
    await waitForText(browser, () => textOf(profile), name, 'user-profile');
    return profile;
  }

  /** Open the Detail tab of the open profile. */
  async function openDetailTab() {
    const tab = await shown(browser, 'tab-detail');
    await tab.click();
  }

  async function openAddUserDialog() {
    const plus = await shown(browser, 'add-user');
    await plus.click();
    const item = await shown(browser, 'menu-add-user');
    await item.click();
    return shown(browser, 'add-user-dialog');
  }

  test('1. a fresh data dir shows the empty state with an Add user button', { timeout: TEST_TIMEOUT }, async () => {
    const add = byTestId(browser, 'empty-add-user');
    await add.waitForDisplayed({ timeout: LAUNCH_WAIT, timeoutMsg: 'empty-add-user not shown on a fresh data dir' });
    assert.equal((await browser.$$(sel('user-row'))).length, 0, 'a fresh data dir has no user rows');
    assert.match(await textOf(add), /add/i, 'the empty state button says what it does');
    await screenshot(browser, 'empty-state');
  });

  test('2. add "Zoë Müller" through the form; the profile opens; the mobile is stored in E.164', { timeout: TEST_TIMEOUT }, async () => {
    const dialog = await openAddUserDialog();
    await screenshot(browser, 'add-user-dialog');
    await typeInto(byTestId(dialog, 'field-first-name'), ZOE.first);
    await typeInto(byTestId(dialog, 'field-last-name'), ZOE.last);
    await typeInto(byTestId(dialog, 'field-email'), ZOE.email);
    await typeInto(byTestId(dialog, 'field-mobile-phone'), ZOE.mobileTyped);
    await screenshot(browser, 'add-user-filled');
    await byTestId(dialog, 'save-user').click();

    await gone(browser, 'add-user-dialog');
    const profile = await shown(browser, 'user-profile');
    await waitForText(browser, () => textOf(profile), ZOE.name, 'the new profile');

    zoeId = await waitForRow(browser, ZOE.name);
    assert.ok(zoeId, 'her user-row carries a data-user-id');

    await openDetailTab();
    const mobile = await shown(browser, 'detail-mobile-phone');
    assert.equal((await textOf(mobile)).trim(), ZOE.mobileShown, 'the mobile is shown formatted');
    assert.equal((await textOf(byTestId(browser, 'detail-email'))).trim(), ZOE.email);
    assert.ok((await textOf(profile)).includes(ZOE.mobileShown), 'the header shows the mobile too');
    // What is stored is E.164, read through the CLI beside the running app (WAL readers).
    const stored = JSON.parse(cli(['--data-dir', dataDir, '--json', 'users', 'show', zoeId]));
    assert.equal(stored.mobile_phone, ZOE.mobileE164, 'the mobile is stored in E.164');
    await screenshot(browser, 'profile-detail');
  });

  test('3. find her by an accent-free name and by phone digits', { timeout: TEST_TIMEOUT }, async () => {
    assert.ok(zoeId, 'needs the user from test 2');
    await backToUsers();

    // Each query starts from an empty result, so her row can only come from that query.
    const findsHer = async (query) => {
      await search('no-such-person-xyz');
      await browser.waitUntil(async () => (await rowIds(browser)).length === 0, {
        timeout: WAIT,
        timeoutMsg: 'a query matching nobody still shows rows',
      });
      await search(query);
      return waitForRow(browser, ZOE.name);
    };

    assert.equal(await findsHer('muller'), zoeId, '"muller" finds Zoë Müller');
    await screenshot(browser, 'search-by-name');

    assert.equal(await findsHer('5551234'), zoeId, '"5551234" finds her by mobile digits');
    await screenshot(browser, 'search-by-phone');
    await search('');
  });

  test('4. edit the email in place; it persists across navigation and a relaunch', { timeout: TEST_TIMEOUT }, async () => {
    assert.ok(zoeId, 'needs the user from test 2');
    await backToUsers();
    await openUser(zoeId, ZOE.name);
    await openDetailTab();

    const value = await shown(browser, 'detail-email');
    assert.equal((await textOf(value)).trim(), ZOE.email);
    await value.click();
    const input = await shown(browser, 'detail-email-input');
    await typeInto(input, ZOE.newEmail);
    await screenshot(browser, 'edit-email');
    await pressEnter(browser);
    await gone(browser, 'detail-email-input');
    await waitForText(browser, () => textOf(byTestId(browser, 'detail-email')), ZOE.newEmail, 'detail-email after Enter');

    // Away and back: the profile is reloaded from the store.
    await (await shown(browser, 'nav-settings')).click();
    await shown(browser, 'settings-region');
    await backToUsers();
    await openUser(zoeId, ZOE.name);
    await openDetailTab();
    await waitForText(browser, () => textOf(byTestId(browser, 'detail-email')), ZOE.newEmail, 'detail-email after reopening');

    // A new process on the same data dir: the edit reached the database.
    await closeApp(browser);
    browser = await launchApp(dataDir);
    const row = await waitForRow(browser, ZOE.name, LAUNCH_WAIT);
    assert.equal(row, zoeId);
    await openUser(zoeId, ZOE.name);
    await openDetailTab();
    await waitForText(browser, () => textOf(byTestId(browser, 'detail-email')), ZOE.newEmail, 'detail-email after relaunch');
    await screenshot(browser, 'email-persisted');
  });

  test('5. an invalid email shows a field error, keeps the dialog open and saves nothing', { timeout: TEST_TIMEOUT }, async () => {
    await backToUsers();
    const before = (await rowIds(browser)).length;
    assert.ok(before >= 1);

    const dialog = await openAddUserDialog();
    await typeInto(byTestId(dialog, 'field-first-name'), 'Invalid');
    await typeInto(byTestId(dialog, 'field-last-name'), 'Address');
    await typeInto(byTestId(dialog, 'field-email'), 'not-an-email');
    await byTestId(dialog, 'save-user').click();

    const error = await shown(browser, 'field-error');
    assert.match(await textOf(error), /email|@/i, 'the field error says what is wrong with the email');
    assert.ok(await byTestId(browser, 'add-user-dialog').isDisplayed(), 'the dialog stays open');
    await screenshot(browser, 'invalid-email');

    const cancel = byTestId(dialog, 'cancel-add-user');
    if (await cancel.isExisting()) await cancel.click();
    else await pressEscape(browser);
    await gone(browser, 'add-user-dialog');

    await backToUsers();
    await browser.waitUntil(async () => (await rowIds(browser)).length === before, {
      timeout: WAIT,
      timeoutMsg: 'the list count changed after a cancelled invalid add',
    });
    const texts = await rowTexts(browser);
    assert.ok(!texts.some((t) => t.includes('Invalid Address')), `nothing was saved: ${JSON.stringify(texts)}`);
  });

  test('6. delete her, undo from the toast; delete again and restore from the trash', { timeout: TEST_TIMEOUT }, async () => {
    assert.ok(zoeId, 'needs the user from test 2');
    await backToUsers();
    await openUser(zoeId, ZOE.name);

    await (await shown(browser, 'delete-user')).click();
    await waitForNoRow(browser, zoeId);
    const toast = byTestId(browser, 'toast');
    const undo = byTestId(toast, 'undo');
    await undo.waitForDisplayed({ timeout: WAIT, timeoutMsg: 'no Undo in a toast after deleting' });
    assert.match(await textOf(toast), /Zoë Müller/, 'the toast names who was deleted');
    await screenshot(browser, 'deleted-toast');
    await undo.click();
    assert.equal(await waitForRow(browser, ZOE.name), zoeId, 'undo brings her back');
    await screenshot(browser, 'undo-restored');

    // Delete again, then restore from the trash.
    await openUser(zoeId, ZOE.name);
    await (await shown(browser, 'delete-user')).click();
    await waitForNoRow(browser, zoeId);
    await (await shown(browser, 'open-trash')).click();
    const trash = await shown(browser, 'trash-view');
    const trashRow = await elementWithText(trash, 'trash-row', ZOE.last);
    await screenshot(browser, 'trash');
    await byTestId(trashRow, 'restore-user').click();
    await browser.waitUntil(async () => !(await textOf(trash)).includes(ZOE.last), {
      timeout: WAIT,
      timeoutMsg: 'she is still in the trash after restore',
    });
    await backToUsers();
    assert.equal(await waitForRow(browser, ZOE.name), zoeId, 'restore brings her back to the list');
  });

  test('7. Settings: region shown; the dark theme applies', { timeout: TEST_TIMEOUT }, async () => {
    await (await shown(browser, 'nav-settings')).click();
    await shown(browser, 'settings-region');
    await screenshot(browser, 'settings');

    const theme = await shown(browser, 'settings-theme');
    const themeState = () =>
      browser.execute(() => {
        const bg = getComputedStyle(document.body).backgroundColor;
        const [r, g, b] = (bg.match(/\d+(\.\d+)?/g) || ['255', '255', '255']).slice(0, 3).map(Number);
        return { attr: document.documentElement.dataset.theme ?? null, luminance: 0.2126 * r + 0.7152 * g + 0.0722 * b, bg };
      });
    await theme.selectByAttribute('value', 'dark');
    let state;
    await browser
      .waitUntil(async () => {
        state = await themeState();
        return state.attr === 'dark' && state.luminance < 80;
      }, { timeout: WAIT })
      .catch(() => {
        throw new Error(`the dark theme did not apply: ${JSON.stringify(state)}`);
      });
    await screenshot(browser, 'settings-dark');
    await backToUsers();
    await waitForRow(browser, ZOE.name);
    await screenshot(browser, 'users-dark');
  });

  test('8. Settings: a team counts its customers; renamed, its new name is on her profile; deleted and undone, it comes back with her in it', { timeout: TEST_TIMEOUT }, async () => {
    assert.ok(zoeId, 'needs the user from test 2');
    await (await shown(browser, 'nav-settings')).click();
    const teams = await shown(browser, 'teams');
    await typeInto(await shown(teams, 'add-team-input'), 'Regulars');
    await byTestId(teams, 'add-team').click();
    const teamRow = await elementWithText(teams, 'team-row', 'Regulars');
    assert.equal(await textOf(byTestId(teamRow, 'team-members')), '0 customers');

    await backToUsers();
    await openUser(zoeId, ZOE.name);
    await openDetailTab();
    const chip = await elementWithText(browser, 'team-chip', 'Regulars');
    await chip.click();
    await browser.waitUntil(async () => (await chip.getAttribute('aria-pressed')) === 'true', { timeout: WAIT, timeoutMsg: 'she did not join Regulars' });

    await (await shown(browser, 'nav-settings')).click();
    let row = await elementWithText(await shown(browser, 'teams'), 'team-row', 'Regulars');
    await waitForText(browser, () => textOf(byTestId(row, 'team-members')), '1 customer', 'team-members');
    await byTestId(row, 'rename-team').click();
    const name = await shown(browser, 'save-team-name-input');
    await clearInput(name);
    await typeInto(name, 'Loyal customers');
    await pressEnter(browser);
    row = await elementWithText(await shown(browser, 'teams'), 'team-row', 'Loyal customers');
    await screenshot(browser, 'settings-teams');

    await backToUsers();
    await openUser(zoeId, ZOE.name);
    await openDetailTab();
    const renamed = await elementWithText(browser, 'team-chip', 'Loyal customers');
    assert.equal(await renamed.getAttribute('aria-pressed'), 'true', 'she is in the renamed team');

    await (await shown(browser, 'nav-settings')).click();
    row = await elementWithText(await shown(browser, 'teams'), 'team-row', 'Loyal customers');
    await byTestId(row, 'delete-team').click();
    const toast = byTestId(browser, 'toast');
    await waitForText(browser, () => textOf(toast), 'Deleted the team Loyal customers (1 customer was in it)', 'toast');
    await screenshot(browser, 'team-deleted-toast');
    const exported = JSON.parse(cli(['--data-dir', dataDir, '--json', 'users', 'show', zoeId]));
    assert.deepEqual(exported.teams, [], 'the deleted team is on nobody\'s record');
    await byTestId(toast, 'undo-delete-team').click();
    row = await elementWithText(await shown(browser, 'teams'), 'team-row', 'Loyal customers');
    await waitForText(browser, () => textOf(byTestId(row, 'team-members')), '1 customer', 'team-members');
    const back = JSON.parse(cli(['--data-dir', dataDir, '--json', 'users', 'show', zoeId]));
    assert.deepEqual(back.teams.map((t) => t.name), ['Loyal customers'], 'Undo brings the team back with her in it');
  });
});
