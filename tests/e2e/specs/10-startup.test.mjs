// Opening the data directory behind the window: a database that cannot be opened is
// explained in the window (it used to end the app before any window appeared), the
// file is left exactly as it was, and "Try again" opens the app once the person has
// dealt with it. Another program in the middle of a long write (a kith-cli import)
// is waited for, and the window says so.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LAUNCH_WAIT, byTestId, closeApp, freshDataDir, launchApp, screenshots, shown, textOf } from '../lib/app.mjs';

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

/**
 * Another program holding kith.db's write lock, as a long import does: Python's own
 * SQLite (python3 is on every machine the test command sets up). Resolves once it
 * holds the lock; `release()` commits and ends it.
 */
async function holdWriteLock(db) {
  const child = spawn('python3', ['-c', `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT INTO meta (key, value) VALUES ('e2e_other_program', 'was here')")
print("locked", flush=True)
sys.stdin.read()
db.execute("COMMIT")
`, db], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => String(d).includes('locked') && resolve());
    child.once('exit', (code) => reject(new Error(`python3 exited with ${code} before taking the lock`)));
  });
  return {
    release: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.stdin.end();
      }),
  };
}

describe('Startup while another program writes', { timeout: 10 * 60_000 }, () => {
  const dataDir = freshDataDir('startup-busy');
  /** @type {WebdriverIO.Browser} */
  let browser;
  let other;

  before(async () => {
    other = await holdWriteLock(path.join(dataDir, 'kith.db'));
    browser = await launchApp(dataDir);
  });

  after(async () => {
    await other?.release();
    await closeApp(browser);
  });

  test('the window says it waits for the other program, and opens once it is done', { timeout: 180_000 }, async () => {
    const step = await shown(browser, 'startup-step', LAUNCH_WAIT);
    await browser.waitUntil(async () => /Waiting for another program/.test(await textOf(step)), {
      timeout: 30_000,
      timeoutMsg: 'the window did not say it waits for another program',
    });
    assert.match(await textOf(await shown(browser, 'startup-opening')), /kith-cli/);
    await screenshot(browser, 'waiting-for-other-program');
    // Past the 10 s a single statement would wait: the open must not give up.
    await new Promise((r) => setTimeout(r, 11_000));
    assert.equal(await byTestId(browser, 'startup-failed').isExisting(), false);
    await other.release();
    other = undefined;
    await shown(browser, 'nav-users', LAUNCH_WAIT);
  });
});
