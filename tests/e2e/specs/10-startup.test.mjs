// Opening the data directory behind the window: a database that cannot be opened is
// explained in the window (it used to end the app before any window appeared), the
// file is left exactly as it was, and "Try again" opens the app once the person has
// dealt with it.
import assert from 'node:assert/strict';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LAUNCH_WAIT, closeApp, freshDataDir, launchApp, screenshots, shown, textOf } from '../lib/app.mjs';

const screenshot = screenshots('startup');

describe('Startup', { timeout: 10 * 60_000 }, () => {
  const dataDir = freshDataDir('startup', { staff: false });
  const db = path.join(dataDir, 'kith.db');
  const garbage = 'Name,Phone\nnot a database,really\n'.repeat(300);
  /** @type {WebdriverIO.Browser} */
  let browser;

  before(async () => {
    writeFileSync(db, garbage);
    browser = await launchApp(dataDir);
  });

  after(async () => {
    await closeApp(browser);
  });

  test('a damaged database is explained in the window and left as it was', { timeout: 180_000 }, async () => {
    const failed = await shown(browser, 'startup-failed', LAUNCH_WAIT);
    const text = await textOf(failed);
    assert.match(text, /Kith could not open your data/);
    assert.match(text, /Kith has not deleted anything/);
    assert.match(await textOf(await shown(browser, 'startup-reason')), /not a Kith database, or it is damaged/);
    assert.match(await textOf(await shown(browser, 'startup-detail')), /file is not a database/);
    assert.equal(await textOf(await shown(browser, 'startup-folder')), dataDir);
    assert.equal(readFileSync(db, 'utf8'), garbage, 'the file is untouched');
    await screenshot(browser, 'failed');
  });

  test('"Try again" after the file was moved aside opens the app', { timeout: 180_000 }, async () => {
    renameSync(db, path.join(dataDir, 'kith.db.damaged'));
    await (await shown(browser, 'startup-retry')).click();
    // A new, empty database: the first-run question, then the empty User Manager.
    await shown(browser, 'nav-users', LAUNCH_WAIT);
    assert.equal(await (await browser.$('[data-testid="startup-failed"]')).isExisting(), false);
    await screenshot(browser, 'opened-after-retry');
  });
});
