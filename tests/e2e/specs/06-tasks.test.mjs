// Tasks on the real app: create a task on a user, assigned to the staff member at this
// desktop, with a due date and priority; find it in the Tasks view under its group and
// "Mine"; complete it with one click; and see the first-run staff chooser on a desktop
// that has no staff member yet.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  WAIT,
  byTestId,
  cli,
  closeApp,
  freshDataDir,
  gone,
  launchApp,
  localDate,
  rowFor,
  screenshots,
  sel,
  shown,
  textOf,
  typeInto,
} from '../lib/app.mjs';

const screenshot = screenshots('tasks');
const TEST_TIMEOUT = 180_000;

describe('Tasks', { timeout: 10 * 60_000 }, () => {
  const dataDir = freshDataDir('tasks');
  /** @type {WebdriverIO.Browser} */
  let browser;
  let zoe;

  before(async () => {
    zoe = JSON.parse(cli(['--data-dir', dataDir, '--json', 'users', 'add', '--first-name', 'Zoë', '--last-name', 'Müller'])).id;
    // A task from yesterday, so the Tasks view has an Overdue group too.
    cli(['--data-dir', dataDir, 'tasks', 'add', '--user', zoe, '--title', 'Send the spring catalogue', '--due', localDate(-1)]);
    browser = await launchApp(dataDir);
  });

  after(async () => {
    await closeApp(browser);
  });

  /** Sets a date input the way a picker would (WebDriver typing into type=date is unreliable). */
  async function setDate(testId, value) {
    await browser.execute((s, v) => {
      const input = document.querySelector(s);
      input.value = v;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }, sel(testId), value);
  }

  test('1. a task created on a profile is listed with its due date, priority and assignee', { timeout: TEST_TIMEOUT }, async () => {
    await (await shown(browser, 'nav-users')).click();
    const row = rowFor(browser, zoe);
    await row.waitForDisplayed({ timeout: WAIT });
    await row.click();
    await (await shown(browser, 'tab-tasks')).click();
    await shown(browser, 'tasks-tab');

    await typeInto(await shown(browser, 'task-title'), 'Call back about the renewal');
    await setDate('task-due', localDate(0));
    await (await shown(browser, 'task-priority')).selectByAttribute('value', 'high');
    await (await shown(browser, 'task-assignee')).selectByVisibleText('Dana Front-Desk');
    await (await shown(browser, 'save-task')).click();

    await browser.waitUntil(async () => (await browser.$$(`${sel('tasks-outstanding')} ${sel('task-item')}`)).length === 2, {
      timeout: WAIT,
      timeoutMsg: 'the new task should join the outstanding list',
    });
    const titles = await browser.execute((s) => [...document.querySelectorAll(s)].map((e) => e.textContent.trim()), `${sel('tasks-outstanding')} ${sel('task-title-text')}`);
    assert.ok(titles.includes('Call back about the renewal'), `titles: ${titles}`);
    await screenshot(browser, 'tasks-tab');

    const stored = JSON.parse(cli(['--data-dir', dataDir, '--json', 'tasks', 'list', '--user', zoe]));
    const task = (stored.tasks ?? stored).find?.((t) => t.title === 'Call back about the renewal') ?? null;
    assert.ok(task, `the CLI sees the task: ${JSON.stringify(stored).slice(0, 300)}`);
    assert.equal(task.priority, 'high');
    assert.equal(task.due_date, localDate(0));

    // Every field, edited from the task's title: a description the quick-add has no room for.
    const title = await browser.$(`${sel('tasks-outstanding')} [data-task-id="${task.id}"] ${sel('task-title-text')}`);
    await title.click();
    await shown(browser, 'task-edit-dialog');
    await typeInto(await shown(browser, 'edit-task-description'), 'Ask which plan they want');
    await (await shown(browser, 'edit-task-priority')).selectByAttribute('value', 'urgent');
    await screenshot(browser, 'task-edit');
    await (await shown(browser, 'save-edit-task')).click();
    await gone(browser, 'task-edit-dialog');
    const edited = JSON.parse(cli(['--data-dir', dataDir, '--json', 'tasks', 'list', '--user', zoe]));
    const after = (edited.tasks ?? edited).find((t) => t.id === task.id);
    assert.equal(after.description, 'Ask which plan they want');
    assert.equal(after.priority, 'urgent');
  });

  test('2. the Tasks view groups tasks, filters to mine, and completes one with a click', { timeout: TEST_TIMEOUT }, async () => {
    await (await shown(browser, 'nav-tasks')).click();
    await shown(browser, 'tasks-view');
    await shown(browser, 'tasks-group-overdue');
    await shown(browser, 'tasks-group-today');
    await screenshot(browser, 'tasks-view');

    await (await shown(browser, 'tasks-filter-assignee')).selectByAttribute('value', 'mine');
    await browser.waitUntil(async () => (await browser.$$(`${sel('tasks-view')} ${sel('task-item')}`)).length === 1, {
      timeout: WAIT,
      timeoutMsg: 'only the task assigned to me should be listed',
    });
    const item = await browser.$(`${sel('tasks-view')} ${sel('task-item')}`);
    assert.equal(await textOf(byTestId(item, 'task-title-text')), 'Call back about the renewal');

    await byTestId(item, 'task-complete').click();
    await browser.waitUntil(async () => (await browser.$$(`${sel('tasks-view')} ${sel('task-item')}`)).length === 0, {
      timeout: WAIT,
      timeoutMsg: 'a completed task leaves the outstanding groups',
    });
    const stored = JSON.parse(cli(['--data-dir', dataDir, '--json', 'tasks', 'list', '--user', zoe]));
    const done = (stored.tasks ?? stored).find((t) => t.title === 'Call back about the renewal');
    assert.equal(done.done, true);
    await screenshot(browser, 'tasks-view-mine-done');
  });
});

describe('First run', { timeout: 5 * 60_000 }, () => {
  /** @type {WebdriverIO.Browser} */
  let browser;

  after(async () => {
    await closeApp(browser);
  });

  test('3. a desktop with no staff member asks who is using it, and adding yourself answers it', { timeout: TEST_TIMEOUT }, async () => {
    const dir = freshDataDir('first-run', { staff: false });
    browser = await launchApp(dir);
    await shown(browser, 'staff-chooser', 60_000);
    await screenshot(browser, 'staff-chooser');
    await typeInto(await shown(browser, 'add-me-name'), 'Sam Okafor');
    await (await shown(browser, 'add-me')).click();
    await browser.waitUntil(async () => !(await byTestId(browser, 'staff-chooser').isDisplayed()), {
      timeout: WAIT,
      timeoutMsg: 'the chooser should close once a staff member is chosen',
    });
    const staff = JSON.parse(cli(['--data-dir', dir, '--json', 'staff', 'list']));
    assert.deepEqual(staff.map((s) => s.name), ['Sam Okafor']);
  });
});
