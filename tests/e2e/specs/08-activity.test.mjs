// The Overview and the Activity tab on the real app: a profile opens on its key figures
// and recent activity; a field edited on the Detail tab, a task completed, and the note,
// task and file added through kith-cli all show in one feed, old → new, with who and
// which computer; the feed filters by kind; a profile image picked and a cover chosen
// from the Media tab show in the header, the list and the history; the dark theme too.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  WAIT,
  answerFileDialog,
  byTestId,
  cli,
  closeApp,
  freshDataDir,
  launchApp,
  localDate,
  pressEnter,
  rowFor,
  screenshots,
  sel,
  shown,
  textOf,
  typeInto,
  waitForText,
} from '../lib/app.mjs';

const screenshot = screenshots('activity');
const TEST_TIMEOUT = 180_000;


describe('Overview and activity', { timeout: 10 * 60_000 }, () => {
  const dataDir = freshDataDir('activity');
  /** @type {WebdriverIO.Browser} */
  let browser;
  let zoe;

  before(async () => {
    const run = (...args) => cli(['--data-dir', dataDir, '--json', ...args]);
    zoe = JSON.parse(run('users', 'add', '--first-name', 'Zoë', '--last-name', 'Müller', '--email', 'zoe@example.com')).id;
    run('tasks', 'add', '--user', zoe, '--title', 'Send the spring catalogue', '--due', localDate(-1));
    run('notes', 'add', '--user', zoe, '--tags', 'call', 'Called about the renewal');
    const file = path.join(dataDir, '..', `contract-${process.pid}.pdf`);
    fs.writeFileSync(file, '%PDF-1.4 the contract');
    run('files', 'attach', '--user', zoe, file);
    browser = await launchApp(dataDir);
  });

  after(async () => {
    await closeApp(browser);
  });

  async function openZoe() {
    await (await shown(browser, 'nav-users')).click();
    const row = rowFor(browser, zoe);
    await row.waitForDisplayed({ timeout: WAIT });
    await row.click();
    await shown(browser, 'user-profile');
  }

  async function feed() {
    return browser.execute(
      (s) => [...document.querySelectorAll(s)].map((e) => ({ kind: e.dataset.kind, text: e.textContent.replace(/\s+/g, ' ').trim() })),
      `${sel('activity-tab')} ${sel('activity-item')}`,
    );
  }

  test('1. a profile opens on the Overview: key figures and recent activity', { timeout: TEST_TIMEOUT }, async () => {
    await openZoe();
    await shown(browser, 'overview-tab');
    assert.equal((await byTestId(browser, 'tab-overview').getAttribute('aria-selected')), 'true');
    await waitForText(browser, () => textOf(byTestId(browser, 'overview-open-tasks')), '1', 'open tasks');
    assert.match(await textOf(byTestId(browser, 'overview-overdue')), /1 overdue/);
    assert.match(await textOf(byTestId(browser, 'overview-notes')), /1\s*Notes/);
    assert.match(await textOf(byTestId(browser, 'overview-files')), /1\s*Files/);
    const recent = await textOf(byTestId(browser, 'overview-recent'));
    assert.match(recent, /Attached contract-\d+\.pdf/);
    assert.match(recent, /Dana Front-Desk/);
    await screenshot(browser, 'overview');
  });

  test('2. an edit, a completed task, notes, tasks and files are one feed in the Activity tab', { timeout: TEST_TIMEOUT }, async () => {
    await (await shown(browser, 'tab-detail')).click();
    await (await shown(browser, 'detail-email')).click();
    await typeInto(await shown(browser, 'detail-email-input'), 'zoe.mueller@example.com');
    await pressEnter(browser);
    await waitForText(browser, () => textOf(byTestId(browser, 'detail-email')), 'zoe.mueller@example.com', 'the saved email');

    await (await shown(browser, 'tab-tasks')).click();
    await (await shown(browser, 'task-complete')).click();
    await browser.waitUntil(async () => (await browser.$$(`${sel('tasks-completed')} ${sel('task-item')}`)).length === 1, {
      timeout: WAIT,
      timeoutMsg: 'the task should move to Completed',
    });

    await (await shown(browser, 'tab-activity')).click();
    await shown(browser, 'activity-tab');
    await browser.waitUntil(async () => (await feed()).some((e) => e.kind === 'task_completed'), {
      timeout: WAIT,
      timeoutMsg: 'the completed task should be in the feed',
    });
    const entries = await feed();
    const kinds = entries.map((e) => e.kind);
    for (const k of ['task_completed', 'field_changed', 'file_added', 'note_added', 'task_created', 'user_created']) {
      assert.ok(kinds.includes(k), `${k} in ${JSON.stringify(entries)}`);
    }
    assert.equal(kinds[0], 'task_completed', 'newest first');
    const email = entries.find((e) => e.kind === 'field_changed');
    assert.match(email.text, /Changed Email\s*zoe@example\.com.*zoe\.mueller@example\.com/);
    assert.match(email.text, /Dana Front-Desk/);
    assert.match(email.text, /This computer/);
    assert.match(entries.find((e) => e.kind === 'note_added').text, /Called about the renewal/);
    await screenshot(browser, 'feed');

    await (await shown(browser, 'activity-filter-tasks')).click();
    await browser.waitUntil(async () => (await feed()).every((e) => e.kind.startsWith('task_')) && (await feed()).length === 2, {
      timeout: WAIT,
      timeoutMsg: 'only the task entries should remain',
    });
    await screenshot(browser, 'feed-tasks');
  });

  test('3. a picked image becomes the profile image, a Media image the cover; both are in the history', { timeout: TEST_TIMEOUT }, async () => {
    const face = path.join(dataDir, '..', `face-${process.pid}.png`);
    const beach = path.join(dataDir, '..', `beach-${process.pid}.jpg`);
    execFileSync('convert', ['-size', '400x400', 'radial-gradient:#f3c16b-#b5541c', face]);
    execFileSync('convert', ['-size', '1600x500', 'gradient:#2c6bb3-#9fd3c7', beach]);
    await (await shown(browser, 'tab-detail')).click();
    answerFileDialog(dataDir, 'open', face);
    await (await shown(browser, 'choose-profile-image')).click();
    await browser.waitUntil(async () => (await browser.$$(`${sel('profile-avatar')} img`)).length === 1, {
      timeout: WAIT,
      timeoutMsg: 'the profile header should show the chosen image',
    });
    // The list row shows it too.
    await browser.waitUntil(async () => (await rowFor(browser, zoe).$$(sel('avatar-image'))).length === 1, {
      timeout: WAIT,
      timeoutMsg: 'the list row should show the profile image',
    });

    cli(['--data-dir', dataDir, 'files', 'attach', '--user', zoe, beach]);
    await (await shown(browser, 'tab-media')).click();
    await browser.waitUntil(async () => (await browser.$$(`${sel('user-profile')} ${sel('media-item')}`)).length === 2, {
      timeout: WAIT,
      timeoutMsg: 'both images should be in the Media tab',
    });
    await screenshot(browser, 'media');
    const useCover = await browser.$(`${sel('user-profile')} [aria-label="Use beach-${process.pid}.jpg as cover image"]`);
    await useCover.waitForExist({ timeout: WAIT });
    await browser.execute((el) => el.click(), useCover);
    await browser.waitUntil(
      async () => /url\("data:image\/jpeg/.test(await browser.execute((s) => document.querySelector(s)?.style.backgroundImage ?? '', sel('profile-cover'))),
      { timeout: WAIT, timeoutMsg: 'the cover band should show the cover image' },
    );

    await (await shown(browser, 'tab-activity')).click();
    await browser.waitUntil(async () => (await feed()).filter((e) => /Profile image|Cover image/.test(e.text)).length === 2, {
      timeout: WAIT,
      timeoutMsg: 'both image choices should be in the feed',
    });
    await screenshot(browser, 'images');
  });

  test('4. the Overview and the feed in the dark theme', { timeout: TEST_TIMEOUT }, async () => {
    await (await shown(browser, 'nav-settings')).click();
    await (await shown(browser, 'settings-theme')).selectByAttribute('value', 'dark');
    // Back to the profile as it was left (on Activity), then to its Overview.
    await openZoe();
    await (await shown(browser, 'tab-overview')).click();
    await shown(browser, 'overview-tab');
    await waitForText(browser, () => textOf(byTestId(browser, 'overview-open-tasks')), '0', 'no open task left');
    await screenshot(browser, 'overview-dark');
    await (await shown(browser, 'tab-activity')).click();
    await shown(browser, 'activity-item');
    await screenshot(browser, 'feed-dark');
  });
});
