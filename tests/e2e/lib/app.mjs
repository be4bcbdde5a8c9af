// Helpers shared by the end-to-end specs: launch the real Kith binary through
// tauri-driver (WebKitWebDriver underneath), find controls by data-testid, and grab
// screenshots of the Xvfb display with imagemagick.
//
// Environment (set by tests/e2e/run.sh):
//   KITH_E2E_PORT         tauri-driver's port on 127.0.0.1
//   KITH_APP              absolute path of target/debug/kith
//   KITH_CLI              absolute path of target/debug/kith-cli
//   DISPLAY               the Xvfb display the app draws on
//   KITH_E2E_SCREENSHOTS  folder for the PNGs (artifacts/e2e-screenshots)
//   KITH_E2E_WORK         scratch folder for data dirs
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { remote } from 'webdriverio';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the e2e tests through tests/e2e/run.sh`);
  return value;
}

export const APP = () => path.resolve(required('KITH_APP'));
export const CLI = () => path.resolve(required('KITH_CLI'));
const SHOTS = () => process.env.KITH_E2E_SCREENSHOTS ?? path.resolve('artifacts/e2e-screenshots');

/** How long to wait for the UI to reach an expected state (ms). */
export const WAIT = Number(process.env.KITH_E2E_WAIT_MS ?? 20_000);
/** First paint after launch: a debug build on a busy 2-core machine can be slow. */
export const LAUNCH_WAIT = Number(process.env.KITH_E2E_LAUNCH_WAIT_MS ?? 90_000);

/**
 * A fresh data directory for one app launch: no users, and one staff member who is the
 * person at this desktop, so the first-run "Who is using this computer?" dialog stays
 * away. `{ staff: false }` leaves the directory empty, for testing that dialog.
 */
export function freshDataDir(tag, { staff = true } = {}) {
  const base = process.env.KITH_E2E_WORK ?? tmpdir();
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(path.join(base, `data-${tag}-`));
  if (staff) cli(['--data-dir', dir, 'staff', 'add', 'Dana Front-Desk', '--email', 'dana@example.com', '--me']);
  return dir;
}

/**
 * Start the app on `dataDir` and open a WebDriver session on it. The capabilities are only
 * `tauri:options` (DESKTOP-TESTING.md): no browserName, so WebdriverIO neither adds BiDi
 * capabilities nor tries to start a driver of its own.
 */
export async function launchApp(dataDir, { port = Number(required('KITH_E2E_PORT')) } = {}) {
  const browser = await remote({
    hostname: '127.0.0.1',
    port,
    path: '/',
    logLevel: process.env.KITH_E2E_WDIO_LOG ?? 'error',
    connectionRetryCount: 0,
    connectionRetryTimeout: 180_000,
    waitforTimeout: WAIT,
    waitforInterval: 100,
    capabilities: {
      'tauri:options': {
        application: APP(),
        args: ['--data-dir', dataDir],
      },
    },
  });
  return browser;
}

/** A free TCP port on 127.0.0.1 (for a server or driver a test starts). */
export async function freePort() {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * A second tauri-driver, for a test that drives two app windows at once (one driver
 * holds one session). Resolves with its port once it listens; `stop()` ends it.
 */
export async function startSecondDriver() {
  const { spawn } = await import('node:child_process');
  const net = await import('node:net');
  const port = await freePort();
  let native = await freePort();
  while (native === port) native = await freePort();
  const child = spawn('dbus-run-session', ['--', 'tauri-driver', '--port', String(port), '--native-port', String(native)], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => (socket.end(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (up) return { port, stop: () => child.kill() };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`a second tauri-driver did not listen on ${port}`);
}

/** End the session (the driver closes the app) without masking a test failure. */
export async function closeApp(browser) {
  if (!browser) return;
  try {
    await browser.deleteSession();
  } catch (err) {
    console.error(`closing the app session failed: ${err.message}`);
  }
}

export const sel = (testId) => `[data-testid="${testId}"]`;

/** The element with data-testid `testId` (optionally inside `parent`). */
export function byTestId(browserOrParent, testId) {
  return browserOrParent.$(sel(testId));
}

/**
 * The rendered text of an element (innerText, whitespace collapsed). WebKitWebDriver's
 * Get Element Text leaves out the text of `overflow: hidden; text-overflow: ellipsis`
 * elements (names, in-place values) although they are on screen, so it is not used.
 */
export async function textOf(el) {
  const text = await el.execute((node) => node.innerText);
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/** Wait until an element with this test id exists and is displayed, and return it. */
export async function shown(browser, testId, timeout = WAIT) {
  const el = byTestId(browser, testId);
  await el.waitForDisplayed({ timeout, timeoutMsg: `[data-testid="${testId}"] was not displayed within ${timeout} ms` });
  return el;
}

/** Wait until no element with this test id is displayed. */
export async function gone(browser, testId, timeout = WAIT) {
  await browser.waitUntil(
    async () => {
      const els = await browser.$$(sel(testId));
      for (const el of els) if (await el.isDisplayed()) return false;
      return true;
    },
    { timeout, timeoutMsg: `[data-testid="${testId}"] was still displayed after ${timeout} ms` },
  );
}

/** Wait for the first `testId` element inside `parent` whose text contains `text`. */
export async function elementWithText(parent, testId, text, timeout = WAIT) {
  let found = null;
  await parent
    .waitUntil(
      async () => {
        for (const el of await parent.$$(sel(testId))) {
          if ((await textOf(el)).includes(text)) {
            found = el;
            return true;
          }
        }
        return false;
      },
      { timeout },
    )
    .catch(() => {
      throw new Error(`no [data-testid="${testId}"] containing "${text}" within ${timeout} ms`);
    });
  return found;
}

/** Texts of all `user-row`s currently in the DOM. */
export async function rowTexts(browser) {
  return browser.execute(
    (s) => Array.from(document.querySelectorAll(s)).map((el) => el.innerText.replace(/\s+/g, ' ').trim()),
    sel('user-row'),
  );
}

/** `data-user-id`s of all `user-row`s currently in the DOM. */
export async function rowIds(browser) {
  return browser.execute(
    (s) => Array.from(document.querySelectorAll(s)).map((el) => el.getAttribute('data-user-id')),
    sel('user-row'),
  );
}

/** Wait until a `user-row` whose text contains `text` is in the list; return its user id. */
export async function waitForRow(browser, text, timeout = WAIT) {
  let id = null;
  await browser.waitUntil(
    async () => {
      id = await browser.execute(
        (s, t) => {
          const row = Array.from(document.querySelectorAll(s)).find((el) => el.textContent.includes(t));
          return row ? row.getAttribute('data-user-id') ?? '' : null;
        },
        sel('user-row'),
        text,
      );
      return id !== null;
    },
    {
      timeout,
      timeoutMsg: `no user-row containing "${text}" within ${timeout} ms; rows: ${JSON.stringify(await rowTexts(browser).catch(() => []))}`,
    },
  );
  return id;
}

/** Wait until no `user-row` has this data-user-id. */
export async function waitForNoRow(browser, userId, timeout = WAIT) {
  await browser.waitUntil(
    async () => !(await rowIds(browser)).includes(userId),
    { timeout, timeoutMsg: `user-row ${userId} was still in the list after ${timeout} ms` },
  );
}

/** The row element for a user id. */
export function rowFor(browser, userId) {
  return browser.$(`${sel('user-row')}[data-user-id="${userId}"]`);
}

/**
 * Empty an input with the keyboard (select all, Backspace) so the app sees the same
 * input events as from a person; WebDriver's Element Clear may not fire them.
 */
export async function clearInput(el) {
  if ((await el.getValue()) === '') return;
  await el.click();
  // WebDriver key sequence: Control down, "a", release modifiers (NULL), Backspace.
  await el.addValue('\uE009a\uE000\uE003');
  if ((await el.getValue()) !== '') {
    await el.clearValue();
  }
  const left = await el.getValue();
  if (left !== '') throw new Error(`could not clear the input: it still holds ${JSON.stringify(left)}`);
}

/**
 * Type `text` into an input like a person would (WebDriver send keys), replacing what is
 * there, and check the input really holds it.
 */
export async function typeInto(el, text) {
  await el.waitForDisplayed({ timeout: WAIT });
  await el.click();
  await clearInput(el);
  await el.addValue(text);
  const got = await el.getValue();
  if (got !== text) throw new Error(`typed ${JSON.stringify(text)} but the input holds ${JSON.stringify(got)}`);
}

/** Press Enter in the focused element. */
export async function pressEnter(browser) {
  await browser.keys('Enter');
}

/** Press Escape. */
export async function pressEscape(browser) {
  await browser.keys('Escape');
}

/** Wait until `fn()` (async, returns a string) includes `expected`; return the last value. */
export async function waitForText(browser, fn, expected, what, timeout = WAIT) {
  let last = '';
  await browser
    .waitUntil(
      async () => {
        last = await fn();
        return typeof last === 'string' && last.includes(expected);
      },
      { timeout },
    )
    .catch(() => {
      throw new Error(`${what}: expected to contain ${JSON.stringify(expected)}, got ${JSON.stringify(last)}`);
    });
  return last;
}

/** Let the webview paint what the DOM already shows (two animation frames). */
export async function settled(browser) {
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
}

/**
 * A screenshot function for one spec: each call saves the whole Xvfb display as
 * artifacts/e2e-screenshots/<prefix>-<NN>-<name>.png, numbered in the order taken.
 * (WebKitWebDriver's /screenshot endpoint is unreliable here: DESKTOP-TESTING.md.)
 */
export function screenshots(prefix) {
  let n = 0;
  return async function screenshot(browser, name) {
    if (browser) await settled(browser);
    const dir = SHOTS();
    mkdirSync(dir, { recursive: true });
    n += 1;
    const file = path.join(dir, `${prefix}-${String(n).padStart(2, '0')}-${name}.png`);
    execFileSync('import', ['-display', required('DISPLAY'), '-window', 'root', file], { stdio: 'pipe' });
    return file;
  };
}

/** Run kith-cli with arguments; returns stdout. */
export function cli(args, opts = {}) {
  return execFileSync(CLI(), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, ...opts });
}

/**
 * Answer the next native file dialog of the app on `dataDir` with `file`: the test-only
 * cargo feature `e2e-dialogs` (src-tauri/dialogs.rs) makes an open dialog read the path in
 * `<data dir>/.e2e-dialog-open` and a save dialog `.e2e-dialog-save`, deleting it as it does.
 */
export function answerFileDialog(dataDir, kind, file) {
  if (kind !== 'open' && kind !== 'save') throw new Error(`no ${kind} dialog: use "open" or "save"`);
  writeFileSync(path.join(dataDir, `.e2e-dialog-${kind}`), file);
}

/** Wait until `file` exists (a save dialog's answer, written by the app); return its text. */
export async function waitForFile(browser, file, timeout = WAIT) {
  await browser.waitUntil(async () => existsSync(file), { timeout, timeoutMsg: `${file} was not written within ${timeout} ms` });
  return readFileSync(file, 'utf8');
}

/** Wait until a CSS animation has faded `testId` fully in (e.g. a progress bar's 500 ms delay). */
export async function fullyShown(browser, testId, timeout = WAIT) {
  await browser.waitUntil(
    async () => browser.execute((s) => {
      const el = document.querySelector(s);
      return !!el && getComputedStyle(el).opacity === '1';
    }, sel(testId)),
    { timeout, timeoutMsg: `[data-testid="${testId}"] did not fade in within ${timeout} ms` },
  );
}

/** A local date as a date input holds it (YYYY-MM-DD), `offsetDays` from today. */
export function localDate(offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * Drag `files` from outside the app and drop them on the element `testId` (or its
 * `nth` match), as a person does from a file manager: a real X11 drag source
 * (tests/e2e/lib/drag_source.py, GTK) offers them, and xdotool presses the mouse on
 * it, moves the pointer over the app's window and releases it there, so the app
 * hears an operating-system drop (XDND), not an event the test made up. The button
 * is released only once the app shows it has the drag (its drop overlay or the pill
 * by the pointer). `whileOver(browser)` runs with the drag held there (e.g. a screenshot).
 */
export async function dragFilesOnto(browser, testId, files, { nth = 0, whileOver } = {}) {
  const target = await browser.execute(
    (s, i) => {
      const el = document.querySelectorAll(s)[i];
      if (!el) return null;
      const r = el.getBoundingClientRect();
      return { x: Math.round(r.left + r.width / 2), y: Math.round(r.top + r.height / 2), ratio: window.devicePixelRatio };
    },
    sel(testId),
    nth,
  );
  if (!target) throw new Error(`no [data-testid="${testId}"] #${nth} to drop on`);
  const xdotool = (...args) => execFileSync('xdotool', args.map(String), { encoding: 'utf8' });
  // The app's window on the screen: with no window manager, no frame around its content.
  // GTK may map more than one X window under that name (the toplevel, and after a drop
  // a helper of its own): the app is the largest.
  const [wx, wy, ww] = xdotool('search', '--onlyvisible', '--name', '^Kith$')
    .trim()
    .split('\n')
    .map((id) => {
      const geometry = xdotool('getwindowgeometry', '--shell', id);
      return ['X', 'Y', 'WIDTH', 'HEIGHT'].map((k) => Number(new RegExp(`${k}=(-?\\d+)`).exec(geometry)?.[1] ?? 0));
    })
    .sort((a, b) => b[2] * b[3] - a[2] * a[3])[0];
  const to = { x: wx + Math.round(target.x * target.ratio), y: wy + Math.round(target.y * target.ratio) };
  // The drag source beside the window, where the app cannot cover it.
  const [screenWidth] = xdotool('getdisplaygeometry').trim().split(/\s+/).map(Number);
  const from = { x: wx + ww + 10, y: wy + 10 };
  if (from.x + 100 > screenWidth) throw new Error(`no room for the drag source right of the app's window (${ww} px wide on a ${screenWidth} px screen)`);

  const { spawn } = await import('node:child_process');
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'drag_source.py');
  const source = spawn('/usr/bin/python3', [script, String(from.x), String(from.y), ...files], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => source.on('exit', resolve));
  let said = '';
  source.stdout.on('data', (d) => (said += d));
  source.stderr.on('data', (d) => (said += d));
  const heard = (word, what) =>
    browser.waitUntil(async () => said.includes(word), { timeout: WAIT, timeoutMsg: `the drag source ${what}: ${said}` });
  const pause = (ms) => new Promise((r) => setTimeout(r, ms));
  let pressed = false;
  try {
    await heard('ready', 'did not show its window');
    const [, sx, sy] = /ready (\d+) (\d+)/.exec(said).map(Number);
    xdotool('mousemove', sx, sy);
    xdotool('mousedown', 1);
    pressed = true;
    // GTK starts a drag once the pointer has moved a few pixels with the button held;
    // then the pointer travels to the target in steps, as a hand moves it.
    const steps = 20;
    for (let i = 1; i <= steps; i++) {
      xdotool('mousemove', Math.round(sx + ((to.x - sx) * i) / steps), Math.round(sy + ((to.y - sy) * i) / steps));
      await pause(30);
    }
    // Small moves over the target until the app shows it has the drag.
    let wiggle = 0;
    await browser.waitUntil(
      async () => {
        xdotool('mousemove', to.x + (wiggle++ % 2), to.y);
        return browser.execute((a, b) => !!(document.querySelector(a) || document.querySelector(b)), sel('drop-overlay'), sel('drop-attach-hint'));
      },
      { timeout: WAIT, interval: 100, timeoutMsg: `the app never showed the drag over [data-testid="${testId}"]` },
    );
    if (whileOver) await whileOver(browser);
    xdotool('mouseup', 1);
    pressed = false;
    await heard('dropped', 'never saw its drag end');
  } finally {
    if (pressed) xdotool('mouseup', 1);
    source.kill();
    await exited;
  }
}
