// Custom fields on the real app: in Settings add a single select "Membership" with its
// options and a money field "Store credit"; open a user and set both on the Detail tab
// (a bad amount is refused under the field); relaunch the app and see them again; find the
// user by a custom value in the user list; and look at both screens in the dark theme.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  WAIT,
  byTestId,
  clearInput,
  cli,
  closeApp,
  freshDataDir,
  gone,
  launchApp,
  rowFor,
  rowIds,
  screenshots,
  sel,
  shown,
  textOf,
  typeInto,
  waitForText,
} from '../lib/app.mjs';

const screenshot = screenshots('custom-fields');
const TEST_TIMEOUT = 180_000;

describe('Custom fields', { timeout: 15 * 60_000 }, () => {
  const dataDir = freshDataDir('custom-fields');
  /** @type {WebdriverIO.Browser} */
  let browser;
  let zoe;
  let sam;

  before(async () => {
    const add = (first, last) => JSON.parse(cli(['--data-dir', dataDir, '--json', 'users', 'add', '--first-name', first, '--last-name', last])).id;
    zoe = add('Zoë', 'Müller');
    sam = add('Sam', 'Okafor');
    browser = await launchApp(dataDir);
  });

  after(async () => {
    await closeApp(browser);
  });

  /** The custom field's row on the Detail tab, or in Settings' list. */
  const fieldRow = (scope, name) => browser.$(`${sel(scope)} ${sel('custom-field-row')}[data-field-name="${name}"]`);
  const stored = () => JSON.parse(cli(['--data-dir', dataDir, '--json', 'users', 'show', zoe])).custom_values;

  async function openDetail(userId) {
    await (await shown(browser, 'nav-users')).click();
    const row = rowFor(browser, userId);
    await row.waitForDisplayed({ timeout: WAIT });
    await row.click();
    await (await shown(browser, 'tab-detail')).click();
    return shown(browser, 'custom-fields');
  }

  test('1. Settings: add a single select with options and a money field', { timeout: TEST_TIMEOUT }, async () => {
    // With no fields yet, the Detail tab says what to do and leads to Settings.
    await openDetail(zoe);
    await waitForText(browser, () => textOf(byTestId(browser, 'custom-fields-empty')), 'No custom fields yet', 'the empty state');
    await screenshot(browser, 'detail-empty');
    await (await shown(browser, 'open-custom-field-settings')).click();
    const section = await shown(browser, 'custom-fields-settings');
    await section.scrollIntoView();

    await (await shown(browser, 'add-custom-field')).click();
    await typeInto(await shown(browser, 'custom-field-name'), 'Membership');
    await (await shown(browser, 'custom-field-type')).selectByAttribute('value', 'single_select');
    const option = await shown(browser, 'custom-field-new-option');
    await typeInto(option, 'Gold, Silver, Bronze');
    await browser.keys('Enter');
    await browser.waitUntil(async () => (await browser.$$(sel('custom-field-option'))).length === 3, {
      timeout: WAIT,
      timeoutMsg: 'three options should be listed',
    });
    await (await shown(browser, 'custom-field-form')).scrollIntoView();
    await screenshot(browser, 'settings-new-select');
    await (await shown(browser, 'save-custom-field')).click();
    await gone(browser, 'custom-field-form');

    await (await shown(browser, 'add-custom-field')).click();
    await typeInto(await shown(browser, 'custom-field-name'), 'Store credit');
    await (await shown(browser, 'custom-field-type')).selectByAttribute('value', 'money');
    await (await shown(browser, 'custom-field-currency')).selectByAttribute('value', 'EUR');
    await (await shown(browser, 'save-custom-field')).click();
    await gone(browser, 'custom-field-form');

    const membership = fieldRow('custom-fields-settings', 'Membership');
    await membership.waitForDisplayed({ timeout: WAIT });
    assert.match(await textOf(membership), /Single select · Gold, Silver, Bronze/);
    assert.match(await textOf(fieldRow('custom-fields-settings', 'Store credit')), /Money · EUR/);
    await section.scrollIntoView();
    await screenshot(browser, 'settings-fields');

    const fields = JSON.parse(cli(['--data-dir', dataDir, '--json', 'fields', 'list']));
    assert.deepEqual(
      fields.map((f) => [f.name, f.kind, f.options.map((o) => o.label), f.currency]),
      [
        ['Membership', 'single_select', ['Gold', 'Silver', 'Bronze'], null],
        ['Store credit', 'money', [], 'EUR'],
      ],
    );
  });

  test('2. set both on a user; a bad amount is refused under the field', { timeout: TEST_TIMEOUT }, async () => {
    await openDetail(zoe);
    const membership = fieldRow('custom-fields', 'Membership');
    await membership.waitForDisplayed({ timeout: WAIT });
    await byTestId(membership, 'custom-value-select').selectByAttribute('value', 'Gold');
    await browser.waitUntil(async () => stored().some((v) => v.name === 'Membership' && v.display === 'Gold'), {
      timeout: WAIT,
      timeoutMsg: 'the choice is saved at once',
    });

    const credit = fieldRow('custom-fields', 'Store credit');
    await byTestId(credit, 'custom-value').click();
    await typeInto(await byTestId(credit, 'custom-value-amount'), 'lots');
    await browser.keys('Enter');
    const error = byTestId(credit, 'custom-value-error');
    await error.waitForDisplayed({ timeout: WAIT });
    assert.equal(await textOf(error), '“lots” is not an amount — write it like 19.99 EUR');
    await (await shown(browser, 'custom-fields')).scrollIntoView();
    await screenshot(browser, 'detail-bad-amount');

    await typeInto(await byTestId(credit, 'custom-value-amount'), '19,99');
    await browser.keys('Enter');
    await gone(browser, 'custom-value-error');
    await waitForText(browser, () => textOf(byTestId(credit, 'custom-value')), '19.99', 'the amount shown');
    const values = stored();
    const amount = values.find((v) => v.name === 'Store credit');
    assert.deepEqual([amount.value, amount.display], ['1999 EUR', '19.99 EUR'], 'integer minor units and the currency');
    await screenshot(browser, 'detail-values');
  });

  test('3. after a relaunch the values are still there', { timeout: TEST_TIMEOUT }, async () => {
    await closeApp(browser);
    browser = await launchApp(dataDir);
    await openDetail(zoe);
    const membership = fieldRow('custom-fields', 'Membership');
    await membership.waitForDisplayed({ timeout: WAIT });
    await browser.waitUntil(async () => (await byTestId(membership, 'custom-value-select').getValue()) === 'Gold', {
      timeout: WAIT,
      timeoutMsg: 'Gold is still chosen',
    });
    await waitForText(browser, () => textOf(byTestId(fieldRow('custom-fields', 'Store credit'), 'custom-value')), '19.99', 'the amount after a relaunch');
    await screenshot(browser, 'detail-after-relaunch');

    // The history has both changes, as people read the values.
    await (await shown(browser, 'tab-activity')).click();
    await shown(browser, 'activity-tab');
    const changes = () => browser.execute(
      (s) => [...document.querySelectorAll(s)].map((e) => e.textContent.replace(/\s+/g, ' ').trim()),
      `${sel('activity-tab')} [data-kind="field_changed"]`,
    );
    await browser.waitUntil(async () => (await changes()).length >= 2, { timeout: WAIT, timeoutMsg: 'both custom values in the history' });
    const texts = (await changes()).join('\n');
    assert.match(texts, /Set Membership\s*empty\s*Gold/);
    assert.match(texts, /Set Store credit\s*empty\s*19\.99 EUR/);
    await screenshot(browser, 'activity');
  });

  test('4. the user list finds the user by a custom value', { timeout: TEST_TIMEOUT }, async () => {
    await (await shown(browser, 'nav-users')).click();
    const search = await shown(browser, 'user-search');
    await typeInto(search, 'gold');
    await browser.waitUntil(async () => {
      const ids = await rowIds(browser);
      return ids.length === 1 && ids[0] === zoe;
    }, { timeout: WAIT, timeoutMsg: 'only Zoë has the Gold membership' });
    assert.ok(!(await rowIds(browser)).includes(sam));
    await screenshot(browser, 'search-by-custom-value');
    await typeInto(search, 'zoe gold');
    await browser.waitUntil(async () => (await rowIds(browser)).includes(zoe), { timeout: WAIT, timeoutMsg: 'name and value together' });
    await clearInput(search);
  });

  test('5. both screens in the dark theme', { timeout: TEST_TIMEOUT }, async () => {
    await (await shown(browser, 'nav-settings')).click();
    await (await shown(browser, 'settings-theme')).selectByAttribute('value', 'dark');
    await browser.waitUntil(async () => (await browser.execute(() => document.documentElement.dataset.theme)) === 'dark', {
      timeout: WAIT,
      timeoutMsg: 'the dark theme applies',
    });
    await (await shown(browser, 'custom-fields-settings')).scrollIntoView();
    await (await shown(browser, 'edit-custom-field')).click();
    await (await shown(browser, 'custom-field-form')).scrollIntoView();
    await screenshot(browser, 'settings-dark-edit');
    await (await shown(browser, 'cancel-custom-field')).click();
    await openDetail(zoe);
    await (await shown(browser, 'custom-fields')).scrollIntoView();
    await screenshot(browser, 'detail-dark');
    await (await shown(browser, 'nav-settings')).click();
    await (await shown(browser, 'settings-theme')).selectByAttribute('value', 'light');
  });
});
