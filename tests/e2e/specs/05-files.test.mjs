// Files on the real app: attach files through the picker (the test-only `e2e-dialogs`
// feature answers it from `<data dir>/.e2e-dialog-open`, one path a line), see them in the
// Files tab with an image thumbnail, rename one, find it from the Files view by an
// accent-free part of its name, open it (recorded in `.e2e-opened` instead of starting an
// app), save a copy, and see the photo in the Media tab. Light and dark theme screenshots.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  WAIT,
  answerFileDialog,
  byTestId,
  clearInput,
  cli,
  closeApp,
  dragFilesOnto,
  freshDataDir,
  launchApp,
  rowFor,
  screenshots,
  sel,
  shown,
  textOf,
  typeInto,
  waitForFile,
  waitForText,
} from '../lib/app.mjs';

const screenshot = screenshots('files');
const TEST_TIMEOUT = 180_000;

describe('Files', { timeout: 10 * 60_000 }, () => {
  const dataDir = freshDataDir('files');
  // The files to attach live outside the data directory, as on a real desktop.
  const desk = path.join(path.dirname(dataDir), `${path.basename(dataDir)}-desk`);
  const contract = path.join(desk, 'Contrat signé.pdf');
  const photo = path.join(desk, 'Vitrine été.jpg');
  const folder = path.join(desk, 'Photos');
  /** @type {WebdriverIO.Browser} */
  let browser;
  let zoe;

  before(async () => {
    mkdirSync(folder, { recursive: true });
    writeFileSync(contract, '%PDF-1.4\n% a stand-in contract\n');
    execFileSync('convert', ['-size', '640x420', 'gradient:#4a7bd0-#f3c16b', photo]);
    zoe = JSON.parse(cli(['--data-dir', dataDir, '--json', 'users', 'add', '--first-name', 'Zoë', '--last-name', 'Müller'])).id;
    browser = await launchApp(dataDir);
  });

  after(async () => {
    await closeApp(browser);
    rmSync(desk, { recursive: true, force: true });
  });

  const tabItems = () => browser.$$(`${sel('user-profile')} ${sel('file-item')}`);
  const viewItems = () => browser.$$(`${sel('files-view')} ${sel('file-item')}`);
  /** Every toast shown, one a line. */
  const toastTexts = () => browser.execute((s) => [...document.querySelectorAll(s)].map((t) => t.textContent.trim()).join('\n'), sel('toast'));

  async function openProfile(userId) {
    await (await shown(browser, 'nav-users')).click();
    const row = rowFor(browser, userId);
    await row.waitForDisplayed({ timeout: WAIT });
    await row.click();
    await shown(browser, 'user-profile');
  }

  test('1. files picked with the dialog are attached; a folder among them is named as refused', { timeout: TEST_TIMEOUT }, async () => {
    await openProfile(zoe);
    await (await shown(browser, 'tab-files')).click();
    await shown(browser, 'files-empty');
    await screenshot(browser, 'empty-files-tab');

    answerFileDialog(dataDir, 'open', [contract, photo, folder].join('\n'));
    await (await shown(browser, 'attach-files')).click();
    await browser.waitUntil(async () => (await tabItems()).length === 2, { timeout: WAIT, timeoutMsg: 'two files should be listed' });
    await waitForText(browser, toastTexts, 'Attached 2 files to Zoë Müller', 'the attach toast');
    await waitForText(browser, toastTexts, 'Not attached: Photos is a folder', 'the refused folder');
    const names = await browser.execute((s) => [...document.querySelectorAll(s)].map((n) => n.textContent.trim()), `${sel('user-profile')} ${sel('file-name')}`);
    assert.deepEqual([...names].sort(), ['Contrat signé.pdf', 'Vitrine été.jpg']);
    // The photo's thumbnail, made by the core from the stored bytes.
    const thumb = await shown(browser, 'file-thumbnail');
    assert.match(await thumb.getAttribute('src'), /^data:image\/png;base64,/);
    assert.ok(existsSync(path.join(dataDir, 'thumbs')), 'thumbnails are cached on disk');
    await screenshot(browser, 'files-tab');

    // Stored for real: the CLI lists them.
    const listed = JSON.parse(cli(['--data-dir', dataDir, '--json', 'files', 'list', '--user', zoe]));
    assert.equal(listed.length, 2);
  });

  test('2. a file renamed in place keeps its new name', { timeout: TEST_TIMEOUT }, async () => {
    const item = await browser.$(`${sel('user-profile')} [data-testid="file-item"]:has([title="Open Contrat signé.pdf"])`);
    await item.waitForDisplayed({ timeout: WAIT });
    await (await byTestId(item, 'file-rename')).click();
    const input = await shown(browser, 'file-rename-input');
    await typeInto(input, 'Contrat signé — Zoë 2024.pdf');
    await browser.keys('Enter');
    await waitForText(browser, async () => textOf(byTestId(item, 'file-name')), 'Contrat signé — Zoë 2024.pdf', 'the renamed file');
  });

  test('3. the Files view finds the file by an accent-free part of its name and opens it', { timeout: TEST_TIMEOUT }, async () => {
    await (await shown(browser, 'nav-files')).click();
    await shown(browser, 'files-search');
    await browser.waitUntil(async () => (await viewItems()).length === 2, { timeout: WAIT, timeoutMsg: 'both files should be listed' });
    await typeInto(await shown(browser, 'files-search'), 'signe zoe');
    await browser.waitUntil(async () => (await viewItems()).length === 1, { timeout: WAIT, timeoutMsg: 'one file should match' });
    const hit = (await viewItems())[0];
    assert.equal(await textOf(byTestId(hit, 'file-name')), 'Contrat signé — Zoë 2024.pdf');
    assert.equal(await textOf(byTestId(hit, 'file-user')), 'Zoë Müller');
    await screenshot(browser, 'files-view');

    const opened = path.join(dataDir, '.e2e-opened');
    rmSync(opened, { force: true });
    await (await byTestId(hit, 'file-open')).click();
    const what = await waitForFile(browser, opened);
    // A copy under the file's own name (blobs have no extension), holding the same bytes.
    assert.match(what, /^open .*Contrat signé — Zoë 2024\.pdf$/);
    assert.equal(readFileSync(what.slice('open '.length), 'utf8'), readFileSync(contract, 'utf8'));

    const copy = path.join(desk, 'copy.pdf');
    answerFileDialog(dataDir, 'save', copy);
    await (await byTestId(hit, 'file-save-copy')).click();
    assert.equal(await waitForFile(browser, copy), readFileSync(contract, 'utf8'));
    await waitForText(browser, toastTexts, 'Saved a copy as copy.pdf', 'the save toast');

    await (await shown(browser, 'files-kind-filter')).selectByAttribute('value', 'image');
    await typeInto(await shown(browser, 'files-search'), 'vitrine');
    await browser.waitUntil(async () => (await textOf(byTestId((await viewItems())[0], 'file-name'))) === 'Vitrine été.jpg', { timeout: WAIT, timeoutMsg: 'the photo should be found among images' });
  });

  test('4. the Media tab shows the photo as a thumbnail', { timeout: TEST_TIMEOUT }, async () => {
    await (await browser.$(`${sel('files-view')} ${sel('file-user')}`)).click();
    await shown(browser, 'user-profile');
    await (await shown(browser, 'tab-media')).click();
    const tile = await shown(browser, 'media-item');
    await browser.waitUntil(async () => (await tile.$('img').isExisting()), { timeout: WAIT, timeoutMsg: 'the photo tile should show its thumbnail' });
    assert.equal((await browser.$$(sel('media-item'))).length, 1, 'the PDF is not media');
    await screenshot(browser, 'media-tab');
  });

  test('5. delete with Undo, and the tabs in the dark theme', { timeout: TEST_TIMEOUT }, async () => {
    await (await shown(browser, 'tab-files')).click();
    await browser.waitUntil(async () => (await tabItems()).length === 2, { timeout: WAIT, timeoutMsg: 'two files' });
    await (await byTestId((await tabItems())[0], 'file-delete')).click();
    await browser.waitUntil(async () => (await tabItems()).length === 1, { timeout: WAIT, timeoutMsg: 'the file should be gone' });
    await (await shown(browser, 'undo-delete-file')).click();
    await browser.waitUntil(async () => (await tabItems()).length === 2, { timeout: WAIT, timeoutMsg: 'Undo should bring it back' });

    await (await shown(browser, 'nav-settings')).click();
    await (await shown(browser, 'settings-theme')).selectByAttribute('value', 'dark');
    await browser.waitUntil(async () => (await browser.execute(() => document.documentElement.dataset.theme)) === 'dark', { timeout: WAIT, timeoutMsg: 'the dark theme did not apply' });
    await openProfile(zoe);
    await (await shown(browser, 'tab-files')).click();
    await browser.waitUntil(async () => (await tabItems()).length === 2, { timeout: WAIT, timeoutMsg: 'two files' });
    await screenshot(browser, 'dark-files-tab');
    await (await shown(browser, 'tab-media')).click();
    await shown(browser, 'media-item');
    await screenshot(browser, 'dark-media-tab');
    await (await shown(browser, 'nav-files')).click();
    await (await shown(browser, 'files-kind-filter')).selectByAttribute('value', '');
    await clearInput(await shown(browser, 'files-search'));
    await browser.waitUntil(async () => (await viewItems()).length === 2, { timeout: WAIT, timeoutMsg: 'both files' });
    await screenshot(browser, 'dark-files-view');
  });

  test('6. a file dragged from the desktop onto her row in the list is attached to her', { timeout: TEST_TIMEOUT }, async () => {
    // A real drag from outside the app (an X11 drag source, moved by xdotool).
    const invoice = path.join(desk, 'Facture mars.pdf');
    writeFileSync(invoice, '%PDF-1.4\n% a stand-in invoice\n');
    await (await shown(browser, 'nav-users')).click();
    await rowFor(browser, zoe).waitForDisplayed({ timeout: WAIT });
    const index = await browser.execute((s, id) => [...document.querySelectorAll(s)].findIndex((r) => r.dataset.userId === id), sel('user-row'), zoe);
    assert.ok(index >= 0, 'her row is in the list');
    await dragFilesOnto(browser, 'user-row', [invoice], {
      nth: index,
      whileOver: async () => {
        // The pill by the pointer says who the file goes to.
        await waitForText(browser, () => textOf(byTestId(browser, 'drop-attach-hint')), 'Drop to attach to Zoë Müller', 'the drag pill');
        await screenshot(browser, 'drag-over-row');
      },
    });
    await waitForText(browser, toastTexts, 'Attached 1 file to Zoë Müller', 'the attach toast');
    const listed = JSON.parse(cli(['--data-dir', dataDir, '--json', 'files', 'list', '--user', zoe]));
    assert.ok(listed.some((f) => f.name === 'Facture mars.pdf'), `the dropped file is hers: ${JSON.stringify(listed.map((f) => f.name))}`);
  });
});
