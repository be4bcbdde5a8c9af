// Notes on the real app: write a tagged note on a user's profile, find it from the Notes
// view by text and by tag, open its user from there, and follow a link out of a note
// (the test-only `e2e-dialogs` feature records the link instead of starting a browser).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  WAIT,
  byTestId,
  clearInput,
  cli,
  closeApp,
  freshDataDir,
  launchApp,
  rowFor,
  screenshots,
  sel,
  shown,
  textOf,
  typeInto,
  waitForText,
} from '../lib/app.mjs';

const screenshot = screenshots('notes');
const TEST_TIMEOUT = 180_000;

describe('Notes', { timeout: 10 * 60_000 }, () => {
  const dataDir = freshDataDir('notes');
  /** @type {WebdriverIO.Browser} */
  let browser;
  let zoe;
  let sam;

  before(async () => {
    const add = (first, last) => JSON.parse(cli(['--data-dir', dataDir, '--json', 'users', 'add', '--first-name', first, '--last-name', last])).id;
    zoe = add('Zoë', 'Müller');
    sam = add('Sam', 'Okafor');
    // Someone else's earlier note, so the Notes view has more than one user's notes.
    cli(['--data-dir', dataDir, 'notes', 'add', '--user', sam, '--tags', 'refund', 'Refund approved for order 1042']);
    browser = await launchApp(dataDir);
  });

  after(async () => {
    await closeApp(browser);
  });

  /** Notes listed in the Notes view (the Users view, hidden behind it, has its own). */
  const viewItems = () => browser.$$(`${sel('notes-view')} ${sel('note-item')}`);

  async function openProfile(userId) {
    await (await shown(browser, 'nav-users')).click();
    const row = rowFor(browser, userId);
    await row.waitForDisplayed({ timeout: WAIT });
    await row.click();
    await shown(browser, 'user-profile');
  }

  test('1. a tagged note written on a profile is listed with its formatting and tags', { timeout: TEST_TIMEOUT }, async () => {
    await openProfile(zoe);
    await (await shown(browser, 'tab-notes')).click();
    await shown(browser, 'notes-empty');
    await screenshot(browser, 'empty-notes-tab');

    await typeInto(await shown(browser, 'note-input'), 'Called about the **spring renewal** at the café. Offer: https://example.com/offer');
    const tags = await shown(browser, 'note-tags');
    await typeInto(tags, 'renewal');
    await browser.keys('Enter');
    await typeInto(tags, 'VIP');
    await browser.keys('Enter');
    await (await shown(browser, 'save-note')).click();

    const item = await shown(browser, 'note-item');
    await waitForText(browser, async () => textOf(byTestId(item, 'note-body')), 'Called about the spring renewal at the café. Offer: https://example.com/offer', 'the note body');
    const bold = await item.$('strong');
    assert.equal(await bold.getText(), 'spring renewal');
    const tagTexts = await browser.execute((s) => [...document.querySelectorAll(s)].map((t) => t.textContent.trim()), `${sel('note-item')} ${sel('note-tag')}`);
    assert.deepEqual(tagTexts, ['#renewal', '#VIP']);
    await screenshot(browser, 'note-added');

    // Stored for real: the CLI sees it, through the search index.
    const found = JSON.parse(cli(['--data-dir', dataDir, '--json', 'notes', 'search', 'cafe']));
    assert.equal(found.hits.length, 1);
    assert.equal(found.hits[0].user_name, 'Zoë Müller');
  });

  test('2. a link in a note opens outside the app, not in the window', { timeout: TEST_TIMEOUT }, async () => {
    const opened = path.join(dataDir, '.e2e-opened');
    rmSync(opened, { force: true });
    const link = await (await shown(browser, 'note-item')).$('a');
    await link.click();
    await browser.waitUntil(async () => existsSync(opened), { timeout: WAIT, timeoutMsg: 'the link was not handed to the OS' });
    assert.equal(readFileSync(opened, 'utf8'), 'https://example.com/offer');
    await shown(browser, 'user-profile');
  });

  test('3. the Notes view finds notes by accent-free text and by tag, and opens their user', { timeout: TEST_TIMEOUT }, async () => {
    await (await shown(browser, 'nav-notes')).click();
    await shown(browser, 'notes-search');
    await browser.waitUntil(async () => (await viewItems()).length === 2, { timeout: WAIT, timeoutMsg: 'both notes should be listed' });
    await screenshot(browser, 'notes-view');

    await typeInto(await shown(browser, 'notes-search'), 'cafe renewal');
    await browser.waitUntil(async () => (await viewItems()).length === 1, { timeout: WAIT, timeoutMsg: 'one note should match' });
    assert.equal(await textOf(browser.$(`${sel('notes-view')} ${sel('note-user')}`)), 'Zoë Müller');
    await screenshot(browser, 'notes-search');

    await clearInput(await shown(browser, 'notes-search'));
    await (await shown(browser, 'notes-tag-filter')).selectByVisibleText('#refund (1)');
    await browser.waitUntil(async () => (await textOf(browser.$(`${sel('notes-view')} ${sel('note-user')}`))) === 'Sam Okafor', { timeout: WAIT, timeoutMsg: 'the refund note should be the only one' });
    assert.equal((await viewItems()).length, 1);

    await browser.$(`${sel('notes-view')} ${sel('note-user')}`).click();
    await shown(browser, 'user-profile');
    await waitForText(browser, async () => textOf(await browser.$('[data-testid="user-profile"] h1')), 'Sam Okafor', 'the opened profile');
  });

  test('4. quick capture: Ctrl+Shift+N on an open profile puts the cursor in a new note', { timeout: TEST_TIMEOUT }, async () => {
    await browser.keys(['Control', 'Shift', 'n']);
    const box = await shown(browser, 'note-input');
    await browser.waitUntil(async () => box.isFocused(), { timeout: WAIT, timeoutMsg: 'the note box should have the keyboard' });
    await browser.keys(['Escape']);
    await screenshot(browser, 'quick-capture');
  });
});
