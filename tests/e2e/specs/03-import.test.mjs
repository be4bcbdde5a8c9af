// CSV import and export through the real dialogs, on a fresh data dir. The native file
// pickers are answered through the test-only `e2e-dialogs` cargo feature: a test writes the
// path the next open/save dialog returns into the data dir (answerFileDialog).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  LAUNCH_WAIT,
  WAIT,
  answerFileDialog,
  byTestId,
  clearInput,
  cli,
  closeApp,
  dragFilesOnto,
  elementWithText,
  freshDataDir,
  fullyShown,
  gone,
  launchApp,
  rowFor,
  rowTexts,
  screenshots,
  sel,
  shown,
  textOf,
  typeInto,
  waitForFile,
  waitForRow,
  waitForText,
} from '../lib/app.mjs';
import { writeOds } from '../lib/ods.mjs';

const screenshot = screenshots('import');
const TEST_TIMEOUT = 180_000;

// Row 3 (Renée) has an email without a domain ending: the one rejected row.
const CUSTOMERS = [
  'First Name,Last Name,Email,Mobile Phone,Notes for the front desk',
  'Zoë,Müller,zoe@example.com,+1 555 123 4567,Prefers mornings',
  'Renée,Dubois,renee@example,,',
  'Jürgen,Åberg,jurgen@example.com,,VIP',
  'Ana,Núñez,ana@example.com,+44 20 7123 4567,',
].join('\n') + '\n';
const MORE = ['Name,E-mail', 'Søren Kierkegaard,soren@example.com', 'Chloé Martin,chloe@example.com'].join('\n') + '\n';
// The custom field the import creates is exported too, after the built-in columns.
const EXPORT_HEADER =
  'Kith ID,First Name,Last Name,Email,Mobile Phone,Home Phone,App User ID,Stripe Customer ID,Created At,Teams,Street,City,Region,Postal Code,Country,Front desk notes';
// 24 × 24 pixel photos, one of each format a contacts app writes.
const PHOTO_PNG = 'iVBORw0KGgoAAAANSUhEUgAAABgAAAAYCAMAAADXqc3KAAAAA1BMVEXnb1H13u31AAAAD0lEQVQoz2NgGAWjgPoAAAJYAAF1NoZ3AAAAAElFTkSuQmCC';
const PHOTO_JPEG =
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAoHBwgHBgoICAgLCgoLDhgQDg0NDh0VFhEYIx8lJCIfIiEmKzcvJik0KSEiMEExNDk7Pj4+JS5ESUM8SDc9Pjv/2wBDAQoLCw4NDhwQEBw7KCIoOzs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozv/wAARCAAYABgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAP/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFgEBAQEAAAAAAAAAAAAAAAAAAAQG/8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAwDAQACEQMRAD8AiAqZIAAAAAB//9k=';
/** Big enough that a debug build is still importing when Cancel is clicked. */
const BIG_ROWS = 60_000;

describe('CSV import and export', { timeout: 20 * 60_000 }, () => {
  const dataDir = freshDataDir('import');
  const files = mkdtempSync(path.join(path.dirname(dataDir), 'files-'));
  const customers = path.join(files, 'customers.csv');
  /** @type {WebdriverIO.Browser} */
  let browser;

  before(async () => {
    writeFileSync(customers, CUSTOMERS, 'utf8');
    browser = await launchApp(dataDir);
  });

  after(async () => {
    await closeApp(browser);
  });

  const dialog = () => byTestId(browser, 'import-dialog');
  const stepOf = () => browser.execute((s) => document.querySelector(s)?.getAttribute('data-step') ?? null, `${sel('import-dialog')} [data-step]`);
  const waitForStep = async (step) => {
    await browser.waitUntil(async () => (await stepOf()) === step, {
      timeout: WAIT,
      timeoutMsg: `the import dialog did not reach the "${step}" step (it shows "${await stepOf()}")`,
    });
  };
  const countText = async (id) => textOf(await shown(browser, `count-${id}`));
  const usersInStore = () => JSON.parse(cli(['--data-dir', dataDir, '--json', 'users', 'list', '--limit', '1'])).total;
  const listStatus = () => textOf(byTestId(browser, 'list-status'));

  /** Plus → Import CSV…, answer the open dialog with `file`, and wait for the columns step. */
  async function importFile(file) {
    await (await shown(browser, 'add-user')).click();
    await (await shown(browser, 'menu-import-csv')).click();
    await shown(browser, 'import-dialog');
    answerFileDialog(dataDir, 'open', file);
    await (await shown(browser, 'import-choose-file')).click();
    await waitForStep('mapping');
    await shown(browser, 'import-preview');
  }

  /** From the columns step: options, then the dry run's result. */
  async function checkFile() {
    await (await shown(browser, 'import-next')).click();
    await waitForStep('options');
    await (await shown(browser, 'import-dry-run')).click();
    await shown(browser, 'import-dry-run-result', 2 * 60_000);
  }

  async function search(query) {
    const box = await shown(browser, 'user-search');
    if (query === '') await clearInput(box);
    else await typeInto(box, query);
  }

  test('1. the empty list offers Import a CSV; choosing the file shows its columns and a preview of the rows', { timeout: TEST_TIMEOUT }, async () => {
    const empty = byTestId(browser, 'empty-import');
    await empty.waitForDisplayed({ timeout: LAUNCH_WAIT, timeoutMsg: 'the empty state has no Import a CSV button' });
    assert.match(await textOf(empty), /import a csv/i);
    await (await shown(browser, 'add-user')).click();
    await shown(browser, 'menu-import-csv');
    await screenshot(browser, 'plus-menu');
    await (await shown(browser, 'menu-import-csv')).click();
    await shown(browser, 'import-choose-file');
    await screenshot(browser, 'step-file');

    answerFileDialog(dataDir, 'open', customers);
    await (await shown(browser, 'import-choose-file')).click();
    await waitForStep('mapping');

    const facts = await textOf(await shown(browser, 'import-file-facts'));
    assert.match(facts, /customers\.csv/);
    assert.match(facts, /UTF-8/);
    assert.match(facts, /Comma-separated/);
    assert.match(facts, /5 columns/);
    const targets = await browser.$$(sel('mapping-target'));
    const mapped = [];
    for (const t of targets) mapped.push(await t.getValue());
    assert.deepEqual(mapped.slice(0, 4), ['first_name', 'last_name', 'email', 'mobile_phone'], 'the headers are mapped by their names');

    const preview = await shown(browser, 'import-preview');
    const previewText = await textOf(preview);
    for (const name of ['Zoë Müller', 'Jürgen Åberg', 'Ana Núñez']) assert.ok(previewText.includes(name), `the preview shows ${name}: ${previewText}`);
    assert.ok(previewText.includes('+1 555 123 4567'), 'phones are shown formatted, as elsewhere in the app');
    const invalid = await textOf(await shown(browser, 'preview-row-invalid'));
    assert.match(invalid, /^3 Email:/, `the invalid row is marked with its row and column: ${invalid}`);
    await screenshot(browser, 'step-mapping');

    // The notes column, not imported by default, goes to a new custom field.
    await targets[4].selectByAttribute('value', 'custom:new');
    await typeInto(await shown(browser, 'custom-field-name'), 'Front desk notes');
    await browser.keys('Enter');
    await gone(browser, 'custom-field-name');
    await waitForText(browser, () => textOf(byTestId(browser, 'import-preview')), 'Prefers mornings', 'the preview with the custom field');
    assert.match(await textOf(byTestId(browser, 'import-preview')), /Front desk notes/);
    assert.equal(await stepOf(), 'mapping', 'Enter in the name box named the field; it did not move the dialog on');
    await screenshot(browser, 'step-mapping-custom-field');
  });

  test('2. options, then a dry run: 3 to create, 1 rejected, with the reason', { timeout: TEST_TIMEOUT }, async () => {
    await (await shown(browser, 'import-next')).click();
    await waitForStep('options');
    assert.match(await textOf(dialog()), /Blank cells keep existing values/);
    // Every imported user joins a team typed here; the import creates it.
    await typeInto(await shown(browser, 'import-new-team'), 'Autumn fair');
    await browser.keys('Enter');
    const team = await shown(browser, 'import-default-team');
    assert.equal(await team.isSelected(), true, 'the new team is offered, chosen');
    assert.equal(await stepOf(), 'options', 'Enter in the team box added it; it did not move the dialog on');
    await screenshot(browser, 'step-options');
    await (await shown(browser, 'import-dry-run')).click();
    await shown(browser, 'import-dry-run-result');

    assert.equal(await countText('created'), 'to create 3');
    assert.equal(await countText('updated'), 'to update 0');
    assert.equal(await countText('rejected'), 'rejected 1');
    const errors = await textOf(await shown(browser, 'import-errors'));
    assert.match(errors, /^Row Column Reason 3 Email .*@/, `the error table gives row, column and reason: ${errors}`);
    assert.equal(usersInStore(), 0, 'a dry run writes nothing');
    await screenshot(browser, 'step-check');
  });

  test('3. the rows to fix are saved through the save dialog, with a reason column', { timeout: TEST_TIMEOUT }, async () => {
    const target = path.join(files, 'rows to fix.csv');
    answerFileDialog(dataDir, 'save', target);
    await (await shown(browser, 'import-save-errors')).click();
    await waitForText(browser, async () => textOf(await shown(browser, 'import-errors-saved')), 'rows to fix.csv', 'saved note');
    const saved = (await waitForFile(browser, target)).replace(/^\uFEFF/, '');
    const [header, ...rows] = saved.trim().split(/\r?\n/);
    assert.equal(header, 'First Name,Last Name,Email,Mobile Phone,Notes for the front desk,Kith import error');
    assert.equal(rows.length, 1, `only the bad row is in the file: ${saved}`);
    assert.match(rows[0], /^Renée,Dubois,renee@example,,,"?Email: /, `the original row plus its reason: ${rows[0]}`);
    await screenshot(browser, 'rows-to-fix-saved');
  });

  test('4. importing the valid rows adds the users; the list shows them', { timeout: TEST_TIMEOUT }, async () => {
    await (await shown(browser, 'import-valid-rows')).click();
    await shown(browser, 'import-done');
    assert.equal(await countText('created'), 'created 3');
    assert.equal(await countText('rejected'), 'rejected 1');
    await screenshot(browser, 'step-done');

    await waitForText(browser, listStatus, '3 users', 'the list count after the import');
    for (const name of ['Zoë Müller', 'Jürgen Åberg', 'Ana Núñez']) await waitForRow(browser, name);
    assert.equal(usersInStore(), 3);

    await (await shown(browser, 'import-done')).click();
    await gone(browser, 'import-dialog');
  });

  test('5. the imported users are searchable, with the custom field on their profile', { timeout: TEST_TIMEOUT }, async () => {
    await search('muller');
    const zoe = await waitForRow(browser, 'Zoë Müller');
    await (await browser.$(`${sel('user-row')}[data-user-id="${zoe}"]`)).click();
    await (await shown(browser, 'tab-detail')).click();
    const custom = await shown(browser, 'custom-fields');
    await waitForText(browser, () => textOf(custom), 'Prefers mornings', 'the custom field on her profile');
    assert.match(await textOf(custom), /Front desk notes/);
    const teams = await shown(browser, 'user-teams');
    assert.equal(await (await teams.$('[aria-pressed="true"]')).getText(), 'Autumn fair', 'she joined the team the import created');
    await screenshot(browser, 'profile-custom-field');
    await search('aberg');
    await waitForRow(browser, 'Jürgen Åberg');
    await screenshot(browser, 'search-imported');
    await search('');
  });

  test('6. export: the search result with Excel-friendly BOM, then everyone', { timeout: TEST_TIMEOUT }, async () => {
    await search('núñez');
    await waitForText(browser, listStatus, '1 match', 'the search count');
    await (await shown(browser, 'open-export')).click();
    await shown(browser, 'export-dialog');
    assert.equal(await textOf(await shown(browser, 'export-scope')), 'The 1 user matching “núñez”');
    await (await shown(browser, 'export-bom')).click();
    await screenshot(browser, 'export-dialog');
    const found = path.join(files, 'found.csv');
    answerFileDialog(dataDir, 'save', found);
    await (await shown(browser, 'export-run')).click();
    await gone(browser, 'export-dialog');
    await waitForText(browser, () => textOf(byTestId(browser, 'toast')), 'Exported 1 user to found.csv', 'the export toast');
    const one = await waitForFile(browser, found);
    assert.ok(one.startsWith('\uFEFF'), 'Excel-friendly starts with a UTF-8 BOM');
    const oneRows = one.slice(1).trim().split(/\r?\n/);
    assert.equal(oneRows[0], EXPORT_HEADER);
    assert.equal(oneRows.length, 2, `only the match is exported: ${one}`);
    assert.match(oneRows[1], /^[0-9a-f-]{36},Ana,Núñez,ana@example\.com,\+442071234567,/);

    await search('');
    await waitForText(browser, listStatus, '3 users', 'the list count');
    await (await shown(browser, 'open-export')).click();
    assert.equal(await textOf(await shown(browser, 'export-scope')), 'All 3 users');
    const everyone = path.join(files, 'everyone.csv');
    answerFileDialog(dataDir, 'save', everyone);
    await (await shown(browser, 'export-run')).click();
    await gone(browser, 'export-dialog');
    const all = await waitForFile(browser, everyone);
    assert.ok(!all.startsWith('\uFEFF'), 'no BOM unless asked for');
    const allRows = all.trim().split(/\r?\n/);
    assert.equal(allRows[0], EXPORT_HEADER);
    assert.equal(allRows.length, 4, `a header and the 3 users: ${all}`);
    for (const name of ['Zoë,Müller', 'Jürgen,Åberg', 'Ana,Núñez']) assert.ok(all.includes(name), `${name} is exported`);
  });

  test('7. Undo this import reverts exactly that import', { timeout: TEST_TIMEOUT }, async () => {
    const more = path.join(files, 'more.csv');
    writeFileSync(more, MORE, 'utf8');
    await importFile(more);
    await checkFile();
    assert.equal(await countText('created'), 'to create 2');
    await (await shown(browser, 'import-run')).click();
    await shown(browser, 'import-done');
    await waitForRow(browser, 'Søren Kierkegaard');
    await waitForText(browser, listStatus, '5 users', 'the list count after the second import');

    await (await shown(browser, 'import-undo')).click();
    await shown(browser, 'import-undo-confirmation');
    await screenshot(browser, 'undo-confirm');
    await (await shown(browser, 'import-undo-confirm')).click();
    const undone = await textOf(await shown(browser, 'import-undone'));
    assert.match(undone, /2 new users were moved to the trash/);
    await waitForText(browser, listStatus, '3 users', 'the list count after Undo');
    const texts = await rowTexts(browser);
    assert.ok(!texts.some((t) => t.includes('Kierkegaard') || t.includes('Chloé')), `the undone users are gone: ${JSON.stringify(texts)}`);
    assert.ok(texts.some((t) => t.includes('Zoë Müller')), 'the first import is untouched');
    assert.equal(usersInStore(), 3);
    await screenshot(browser, 'undone');
    await (await shown(browser, 'import-done')).click();
    await gone(browser, 'import-dialog');
  });

  test('8. a large import shows progress and a cancel leaves the database as it was', { timeout: 6 * 60_000 }, async () => {
    const big = path.join(files, 'big.csv');
    const lines = ['First Name,Last Name,Email'];
    for (let i = 0; i < BIG_ROWS; i++) lines.push(`Test${i},Person${i},person${i}@example.com`);
    writeFileSync(big, lines.join('\n') + '\n', 'utf8');
    await importFile(big);
    await (await shown(browser, 'import-next')).click();
    await (await shown(browser, 'import-dry-run')).click();
    // The dry run reads every row too: its progress shows while it does.
    await fullyShown(browser, 'import-progress');
    await screenshot(browser, 'dry-run-progress');
    await shown(browser, 'import-dry-run-result', 4 * 60_000);
    assert.match(await countText('created'), /^to create 60\D?000$/);

    await (await shown(browser, 'import-run')).click();
    await fullyShown(browser, 'import-progress');
    await waitForText(browser, () => textOf(byTestId(browser, 'import-progress-detail')), 'rows read', 'the progress count');
    await screenshot(browser, 'import-progress');
    await (await shown(browser, 'import-cancel')).click();
    const cancelled = await textOf(await shown(browser, 'import-cancelled', 2 * 60_000));
    assert.match(cancelled, /nothing was changed/);
    assert.equal(usersInStore(), 3, 'the cancelled import wrote nothing');
    await screenshot(browser, 'import-cancelled');
    await (await shown(browser, 'import-close')).click();
    await gone(browser, 'import-dialog');
    await waitForText(browser, listStatus, '3 users', 'the list count after the cancel');
  });

  test('8b. the large import kept, then undone, with progress', { timeout: 6 * 60_000 }, async () => {
    await importFile(path.join(files, 'big.csv'));
    await (await shown(browser, 'import-next')).click();
    await (await shown(browser, 'import-dry-run')).click();
    await shown(browser, 'import-dry-run-result', 4 * 60_000);
    await (await shown(browser, 'import-run')).click();
    await shown(browser, 'import-done', 4 * 60_000);
    // 60,003 in the locale's grouping.
    await waitForText(browser, listStatus, '003 users', 'the list count after the large import');

    await (await shown(browser, 'import-undo')).click();
    await (await shown(browser, 'import-undo-confirm')).click();
    // Undoing 60,000 users takes as long as importing them: the confirmation shows how far it is.
    await fullyShown(browser, 'import-undo-progress');
    // "Starting…" until the first chunk is done, then "2,000 of 60,000 users" and on.
    await waitForText(browser, () => textOf(byTestId(browser, 'import-undo-progress-detail')), ' of ', 'the undo progress count');
    await screenshot(browser, 'undo-progress');
    const undone = await textOf(await shown(browser, 'import-undone', 4 * 60_000));
    assert.match(undone, /60\D?000 new users were moved to the trash/);
    assert.equal(usersInStore(), 3, 'the undo left the users from before');
    await (await shown(browser, 'import-done')).click();
    await gone(browser, 'import-dialog');
    await waitForText(browser, listStatus, '3 users', 'the list count after the undo');
  });

  test('9. a CSV dragged from the desktop shows the drop overlay and opens the import on it; a folder and a PDF are refused in a toast', { timeout: TEST_TIMEOUT }, async () => {
    // Real drags from outside the app (an X11 drag source, moved by xdotool): the shell
    // hears each as the operating system tells it, paths and all.
    const visitors = path.join(files, 'fair-visitors.csv');
    writeFileSync(visitors, MORE, 'utf8');
    const folder = path.join(files, 'Photos');
    mkdirSync(folder, { recursive: true });
    const pdf = path.join(files, 'invoice.pdf');
    writeFileSync(pdf, '%PDF-1.4\n');
    // The list's count line: in the window, over no user (a drop on a user attaches files to them).
    await shown(browser, 'list-status');

    await dragFilesOnto(browser, 'list-status', [visitors], {
      whileOver: async () => {
        const overlay = await shown(browser, 'drop-overlay');
        assert.match(await textOf(overlay), /Drop a CSV, Excel or vCard file to import/);
        await screenshot(browser, 'drop-overlay');
      },
    });
    await gone(browser, 'drop-overlay');
    await waitForStep('mapping');
    assert.match(await textOf(await shown(browser, 'import-file-facts')), /fair-visitors\.csv/, 'the dropped file is the one imported');
    await waitForText(browser, () => textOf(byTestId(browser, 'import-preview')), 'Søren Kierkegaard', 'the preview of the dropped file');
    await screenshot(browser, 'dropped-csv');
    await browser.keys('Escape');
    await gone(browser, 'import-dialog');

    await dragFilesOnto(browser, 'list-status', [folder]);
    await waitForText(browser, () => textOf(byTestId(browser, 'toast')), 'Photos is a folder', 'the dropped-folder toast');
    await dragFilesOnto(browser, 'list-status', [pdf]);
    await waitForText(browser, () => textOf(byTestId(browser, 'toast')), 'Only CSV, Excel and vCard files can be imported — invoice.pdf is a .pdf', 'the PDF toast');
    assert.equal(await byTestId(browser, 'import-dialog').isExisting(), false, 'nothing opened');
    await screenshot(browser, 'drop-refused');
  });

  test('10. the dialogs in the dark theme', { timeout: TEST_TIMEOUT }, async () => {
    await (await shown(browser, 'nav-settings')).click();
    await (await shown(browser, 'settings-theme')).selectByAttribute('value', 'dark');
    await browser.waitUntil(async () => (await browser.execute(() => document.documentElement.dataset.theme)) === 'dark', {
      timeout: WAIT,
      timeoutMsg: 'the dark theme did not apply',
    });
    await (await shown(browser, 'nav-users')).click();
    await shown(browser, 'user-list');

    await importFile(customers);
    await screenshot(browser, 'dark-step-mapping');
    // A value for every imported user, shown and then taken back out (it would update them).
    await (await shown(browser, 'import-next')).click();
    await waitForStep('options');
    await (await shown(browser, 'import-add-default')).click();
    await browser.keys(['W', 'a', 'l', 'k', '-', 'i', 'n']);
    await screenshot(browser, 'dark-step-options');
    await (await dialog().$('button[aria-label="Remove Front desk notes"]')).click();
    await gone(browser, 'import-default-value');
    await (await shown(browser, 'import-dry-run')).click();
    await shown(browser, 'import-dry-run-result', 2 * 60_000);
    // The same file again, matched on email: the 3 users exist, nothing changes.
    assert.equal(await countText('created'), 'to create 0');
    assert.equal(await countText('rejected'), 'rejected 1');
    assert.match(await textOf(await shown(browser, 'import-nothing-to-do')), /Nothing to import/);
    await screenshot(browser, 'dark-step-check');
    await (await shown(browser, 'import-close')).click();
    await gone(browser, 'import-dialog');

    await (await shown(browser, 'open-export')).click();
    await shown(browser, 'export-dialog');
    await screenshot(browser, 'dark-export-dialog');
    await (await shown(browser, 'export-cancel')).click();
    await gone(browser, 'export-dialog');
  });

  test('11. an Excel for Mac file is read as Mac OS Roman, and another encoding can be chosen', { timeout: TEST_TIMEOUT }, async () => {
    // Excel for Mac saves "CSV" in Mac OS Roman, with CR line ends: "Noël" is 4E 6F 91 6C.
    const mac = path.join(files, 'mac.csv');
    const text = 'First Name,Last Name,Email\rNoël,Leclerc,noel@example.com\rLoïc,Bréhat,loic@example.com\r';
    const MAC_ROMAN = { ë: 0x91, ï: 0x95, é: 0x8e };
    writeFileSync(mac, Buffer.from([...text].map((c) => MAC_ROMAN[c] ?? c.charCodeAt(0))));
    await importFile(mac);
    const picker = await shown(browser, 'import-encoding');
    assert.equal(await picker.getValue(), 'legacy:macintosh');
    assert.match(await textOf(byTestId(browser, 'import-preview')), /Noël Leclerc.*Loïc Bréhat/s);
    assert.match(await textOf(await shown(browser, 'import-encoding-guess')), /choose another text encoding/);
    // Read as Windows would, the accents turn to punctuation; back to the guess, they return.
    await picker.selectByAttribute('value', 'windows1252');
    await waitForText(browser, () => textOf(byTestId(browser, 'import-preview')), 'BrŽhat', 'the preview read as Windows-1252');
    await gone(browser, 'import-encoding-guess');
    await (await shown(browser, 'import-encoding')).selectByAttribute('value', 'legacy:macintosh');
    await waitForText(browser, () => textOf(byTestId(browser, 'import-preview')), 'Loïc Bréhat', 'the preview read as Mac OS Roman');
    await screenshot(browser, 'dark-encoding-detected');
    await checkFile();
    assert.equal(await countText('created'), 'to create 2');
    await (await shown(browser, 'import-run')).click();
    await shown(browser, 'import-done');
    await (await shown(browser, 'import-done')).click();
    await gone(browser, 'import-dialog');
    await search('brehat');
    await waitForRow(browser, 'Loïc Bréhat');
    await search('');
  });

  test('12. a report: its titles are left out and named, its footer refused, rows numbered as in a spreadsheet', { timeout: TEST_TIMEOUT }, async () => {
    // Rows as Excel shows them: 1–2 titles, 3 blank, 4 the columns, 5 a customer, 6 blank, 7 the footer.
    const report = path.join(files, 'contact-list.csv');
    const lines = ['Customer Contact List', 'Corner Shop', '', 'Name,Email', 'Ida Berg,ida@example.com', '', 'Printed 2026-11-20 09:14', ''];
    writeFileSync(report, lines.join('\r\n'));
    await importFile(report);
    assert.match(await textOf(await shown(browser, 'import-titles-skipped')), /left out: “Customer Contact List”, “Corner Shop”/);
    const preview = await textOf(byTestId(browser, 'import-preview'));
    assert.match(preview, /5\s*Ida Berg/);
    assert.match(preview, /7\s*“Printed 2026-11-20 09:14”, alone below the last customer/);
    await screenshot(browser, 'dark-report-titles');
    await checkFile();
    assert.equal(await countText('created'), 'to create 1');
    assert.equal(await countText('rejected'), 'rejected 1');
    assert.match(await textOf(await shown(browser, 'import-error-row')), /7.*looks like the report's footer/s);
    await (await shown(browser, 'import-valid-rows')).click();
    await (await shown(browser, 'import-done')).click();
    await gone(browser, 'import-dialog');
    await search('ida berg');
    await waitForRow(browser, 'Ida Berg');
    await search('printed');
    await waitForText(browser, () => textOf(byTestId(browser, 'no-matches')), 'No users match', 'no customer named after the footer');
    await search('');
  });

  test('13. Apple Contacts\' vCard file: its cards are the rows, named by their lines; a contact group is a team of its members', { timeout: TEST_TIMEOUT }, async () => {
    const cards = path.join(files, 'Contacts.vcf');
    copyFileSync(path.join(import.meta.dirname, '../../../crates/core/tests/fixtures/import/apple.vcf'), cards);
    await importFile(cards);
    const facts = await textOf(await shown(browser, 'import-file-facts'));
    assert.match(facts, /Contacts\.vcf/);
    assert.match(facts, /vCard contacts/);
    assert.match(await textOf(await shown(browser, 'import-contact-groups')), /contact group “Regulars” \(1 card\) is not imported as customers/);
    const preview = await textOf(byTestId(browser, 'import-preview'));
    assert.match(preview, /^Line/);
    assert.match(preview, /1\s*Björn\s*Lindqvist/);
    assert.match(preview, /44\s*Acme Bakery/);
    assert.doesNotMatch(preview, /Regulars\s*$/m);
    await screenshot(browser, 'dark-vcard-columns');
    await checkFile();
    assert.equal(await countText('created'), 'to create 3');
    await (await shown(browser, 'import-run')).click();
    await (await shown(browser, 'import-done')).click();
    await gone(browser, 'import-dialog');
    await search('lindqvist');
    await waitForRow(browser, 'Björn Lindqvist');
    const exported = path.join(files, 'lindqvist.csv');
    cli(['--data-dir', dataDir, 'export', exported, '--query', 'lindqvist']);
    assert.match(readFileSync(exported, 'utf8'), /Björn,Lindqvist,.*Regulars/, 'the group is his team');
    await search('regulars');
    await waitForText(browser, () => textOf(byTestId(browser, 'no-matches')), 'No users match', 'no customer named after the group');
    await search('');
  });

  test('13b. a vCard file\'s photos show in the preview and become the customers\' avatars; a linked photo is named, not fetched', { timeout: TEST_TIMEOUT }, async () => {
    // Apple's folded 3.0 photo (PNG), Outlook's 2.1 one (JPEG), and Google's link to its servers.
    const fold = (line) => line.match(/.{1,74}/g).join('\r\n ');
    const cards = [
      'BEGIN:VCARD', 'VERSION:3.0', 'N:Okafor;Ngozi;;;', 'FN:Ngozi Okafor', 'EMAIL:ngozi@example.com',
      fold(`PHOTO;ENCODING=b;TYPE=PNG:${PHOTO_PNG}`), 'END:VCARD',
      'BEGIN:VCARD', 'VERSION:2.1', 'N:Haddad;Omar', 'FN:Omar Haddad', 'EMAIL;INTERNET:omar@example.com',
      'PHOTO;TYPE=JPEG;ENCODING=BASE64:', `  ${PHOTO_JPEG}`, '', 'END:VCARD',
      'BEGIN:VCARD', 'VERSION:3.0', 'N:Sato;Yuki;;;', 'FN:Yuki Sato', 'EMAIL:yuki@example.com',
      'PHOTO:https://lh3.googleusercontent.com/a/yuki', 'END:VCARD',
    ].join('\r\n') + '\r\n';
    const file = path.join(files, 'Photos.vcf');
    writeFileSync(file, cards, 'utf8');
    await importFile(file);
    const preview = await textOf(byTestId(browser, 'import-preview'));
    assert.match(preview, /^Line\s*Photo\s*Name/);
    assert.match(preview, /Link, not in the file: not imported\s*Yuki Sato/);
    // Both photos drawn: thumbnails the app made of them, not the text naming them.
    await browser.waitUntil(
      async () =>
        browser.execute(
          (s) => Array.from(document.querySelectorAll(s)).filter((img) => img.complete && img.naturalWidth > 0 && img.src.startsWith('data:image/png')).length,
          sel('preview-photo'),
        ).then((n) => n === 2),
      { timeout: WAIT, timeoutMsg: 'the two photos were not drawn in the preview' },
    );
    await screenshot(browser, 'vcard-photos-preview');
    await checkFile();
    assert.equal(await countText('created'), 'to create 3');
    assert.equal(
      await textOf(await shown(browser, 'import-photos')),
      'Sets 2 profile photos from the file. 1 photo is a link or a file name, not in the file: not imported.',
    );
    await screenshot(browser, 'vcard-photos-check');
    await (await shown(browser, 'import-run')).click();
    await (await shown(browser, 'import-done')).click();
    await gone(browser, 'import-dialog');
    await search('okafor');
    const ngozi = await waitForRow(browser, 'Ngozi Okafor');
    await browser.waitUntil(async () => (await rowFor(browser, ngozi).$$(sel('avatar-image'))).length === 1, {
      timeout: WAIT,
      timeoutMsg: "Ngozi's row does not show her photo",
    });
    await screenshot(browser, 'vcard-photo-avatar');
    await search('sato');
    const yuki = await waitForRow(browser, 'Yuki Sato');
    assert.equal((await rowFor(browser, yuki).$$(sel('avatar-image'))).length, 0, 'a link is not fetched: initials');
    await search('');
  });

  test('14. a LibreOffice workbook: its first sheet is read, another chosen from the file facts, rows numbered as in the sheet', { timeout: TEST_TIMEOUT }, async () => {
    const book = path.join(files, 'Kunden.ods');
    writeOds(book, [
      { name: 'Notizen', rows: [['Preisliste 2026'], ['Kaffee']] },
      { name: 'Kunden', rows: [['Vorname', 'Nachname', 'E-Mail'], ['Lotte', 'Schäfer', 'lotte@example.com'], [], ['Ida & Co', 'Berg', 'ida.berg@example.com']] },
    ]);
    await importFile(book);
    const picker = await shown(browser, 'import-sheet');
    assert.equal(await picker.getValue(), 'Notizen', 'the first sheet holding values');
    await picker.selectByAttribute('value', 'Kunden');
    await waitForText(browser, () => textOf(byTestId(browser, 'import-preview')), 'Lotte', 'the preview of the sheet chosen');
    const preview = await textOf(byTestId(browser, 'import-preview'));
    assert.match(preview, /2\s*Lotte Schäfer/);
    assert.match(preview, /4\s*Ida & Co Berg/, 'the blank row counts, as in the spreadsheet');
    assert.match(await textOf(byTestId(browser, 'import-file-facts')), /Kunden\.ods.*3 columns/s);
    await screenshot(browser, 'dark-workbook-sheet');
    await checkFile();
    assert.equal(await countText('created'), 'to create 2');
    await (await shown(browser, 'import-run')).click();
    await (await shown(browser, 'import-done')).click();
    await gone(browser, 'import-dialog');
    await search('lotte');
    await waitForRow(browser, 'Lotte Schäfer');
    await search('kaffee');
    await waitForText(browser, () => textOf(byTestId(browser, 'no-matches')), 'No users match', 'the other sheet was not imported');
    await search('');
  });

  test('15. Settings → Imports lists every import made here; the workbook\'s is undone from there, long after its dialog closed', { timeout: TEST_TIMEOUT }, async () => {
    const before = usersInStore();
    // From the Users view: + → Past imports, which opens Settings at its Imports section.
    await (await shown(browser, 'add-user')).click();
    await (await shown(browser, 'menu-past-imports')).click();
    const imports = await shown(browser, 'imports');
    await browser.waitUntil(async () => (await browser.execute(() => document.activeElement?.id)) === 'section-imports', {
      timeout: WAIT,
      timeoutMsg: 'the Imports heading did not take focus',
    });
    const top = await browser.execute(() => document.getElementById('section-imports').getBoundingClientRect().top);
    assert.ok(top >= 0 && top < 200, `the Imports section is scrolled to the top of the view: ${top}`);
    const record = await elementWithText(imports, 'import-record', 'Kunden.ods');
    assert.match(await textOf(record), /2 created · 0 updated/);
    const files = await browser.execute((s) => [...document.querySelectorAll(s)].map((r) => r.querySelector('.file').textContent), sel('import-record'));
    assert.equal(files[0], 'Kunden.ods', `newest first: ${files}`);
    assert.ok(files.includes('big.csv') && files.includes('customers.csv'), `every import made here: ${files}`);
    await byTestId(record, 'import-record-undo').click();
    const dialog = await shown(browser, 'import-record-dialog');
    assert.match(await textOf(dialog), /Undo the import of Kunden\.ods\?/);
    assert.match(await textOf(byTestId(dialog, 'import-record-question')), /^2 users it created go to the trash \(even if edited since\)\./);
    await screenshot(browser, 'imports-undo-question');
    await (await shown(browser, 'import-record-undo-confirm')).click();
    await waitForText(browser, () => textOf(byTestId(browser, 'import-record-undone-report')), 'Undone: 2 new users were moved to the trash', 'the undo report');
    assert.equal(usersInStore(), before - 2, 'Lotte and Ida are in the trash');
    await screenshot(browser, 'imports-undone');
    await (await shown(browser, 'import-record-done')).click();
    await gone(browser, 'import-record-dialog');
    assert.match(await textOf(byTestId(record, 'import-record-undone')), /^Undone /);

    await (await shown(browser, 'nav-users')).click();
    await search('lotte');
    await waitForText(browser, () => textOf(byTestId(browser, 'no-matches')), 'No users match', 'the list reloaded without her');
    await search('');
  });

  test('16. an update undone later keeps what someone changed since it, and says so', { timeout: TEST_TIMEOUT }, async () => {
    const zoe = () => JSON.parse(cli(['--data-dir', dataDir, '--json', 'users', 'list', '--limit', '50'])).rows.find((r) => r.email === 'zoe@example.com');
    const updates = path.join(files, 'spelling.csv');
    writeFileSync(updates, 'Email,First Name,Last Name\nzoe@example.com,Zoey,Mueller\n', 'utf8');
    await importFile(updates);
    await checkFile();
    assert.equal(await countText('updated'), 'to update 1');
    await (await shown(browser, 'import-run')).click();
    await (await shown(browser, 'import-done')).click();
    await gone(browser, 'import-dialog');
    assert.deepEqual([zoe().first_name, zoe().last_name], ['Zoey', 'Mueller']);
    // A colleague corrects her last name afterwards (here from the command line).
    cli(['--data-dir', dataDir, 'users', 'set', zoe().id, 'last_name=Müller-Lang']);

    await (await shown(browser, 'add-user')).click();
    await (await shown(browser, 'menu-past-imports')).click();
    const record = await elementWithText(await shown(browser, 'imports'), 'import-record', 'spelling.csv');
    await byTestId(record, 'import-record-undo').click();
    const dialog = await shown(browser, 'import-record-dialog');
    assert.match(await textOf(byTestId(dialog, 'import-record-question')), /^1 user it updated gets their previous values back \(values changed since stay\)\. Imported /);
    await screenshot(browser, 'imports-undo-update-question');
    await (await shown(browser, 'import-record-undo-confirm')).click();
    await waitForText(
      browser,
      () => textOf(byTestId(browser, 'import-record-undone-report')),
      'Undone: 1 updated user has their previous values back. 1 value someone changed since the import was kept.',
      'the undo report',
    );
    await screenshot(browser, 'imports-undone-kept');
    assert.deepEqual([zoe().first_name, zoe().last_name], ['Zoë', 'Müller-Lang'], 'her first name is back, the correction stays');
    await (await shown(browser, 'import-record-done')).click();
    await gone(browser, 'import-record-dialog');
    await (await shown(browser, 'nav-users')).click();
  });
});
