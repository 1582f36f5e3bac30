// The keyboard alone: from a fresh device to a customer with a logged visit, found again by search, with
// Tab, Shift+Tab, Enter, Space, the arrows and Esc (text comes as an input method commits it, through CDP's
// Input.insertText). No mouse after the page loads. The live region (aria-live) names the focused control
// as the focus moves; the display settings (high contrast, 150 % text) are reached the same way.
import { assert, openApp, run, screenshot, waitForState } from './lib/harness.mjs';
import { reopen, state } from './lib/platform_helpers.mjs';

const liveText = (page) => page.evaluate(() => document.querySelector('[aria-live]').textContent);
const visiblePart = (label) => label.split('##')[0].trim();
const idPart = (label) => label.replace(/^.*?##+/, '');

// One key, then two frames drawn: the app has seen it and drawn what it did.
async function press(page, key) {
  const before = (await state(page)).frame;
  await page.keyboard.press(key);
  await waitForState(page, (s) => s.frame >= before + 2, `two frames after ${key}`);
}

// Presses `key` until the control whose id is `id` has the keyboard focus. At each step the live region must
// speak of the focused control: its visible label, or (a field whose label is drawn above it, a list row)
// some words of its own.
async function focus(page, id, key = 'Tab', max = 60) {
  for (let i = 0; i < max; i++) {
    const s = await state(page);
    if (s.focus.label && idPart(s.focus.label) === id) return s;
    if (s.focus.label) {
      const words = visiblePart(s.focus.label);
      const spoken = await page.waitForFunction((w) => {
        const text = document.querySelector('[aria-live]').textContent;
        return w ? text.startsWith(w) : text.length > 0;
      }, words, { timeout: 5000 }).then(() => true, () => false);
      assert(spoken, `the live region follows the focus to '${s.focus.label}': it says '${await liveText(page)}'`);
    }
    await press(page, key);
  }
  throw new Error(`'${id}' never got the focus with ${key}; focus is on '${(await state(page)).focus.label}'`);
}

// Types into the focused text field as an input method commits.
async function typeHere(page, text) {
  await waitForState(page, (s) => s.ime.wantText, 'a text field to have the keyboard');
  await page.waitForFunction(() => window.crmTest.textInputFocused(), null, { timeout: 5000 });
  await page.keyboard.insertText(text);
}

await run('keyboard', [
  ['a customer, a visit and the search, with the keyboard only; the live region follows the focus', async ({ browser, url }) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const { page, consoleErrors } = await openApp(context, url);
    await waitForState(page, (s) => s.screen === 'welcome', 'the welcome screen');

    // A local account on the fresh device.
    await focus(page, 'create_local');
    await press(page, 'Enter');
    await focus(page, 'account_name');
    await typeHere(page, '王店长');
    await focus(page, 'pin');
    await typeHere(page, '1234');
    await focus(page, 'pin_again');
    await typeHere(page, '1234');
    await focus(page, 'create_account');
    await press(page, 'Enter');
    await waitForState(page, (s) => s.screen === 'home', 'signed in', 30000);

    // New customer: Tab to the button, Enter; the name field has the keyboard as the form opens.
    let s = await focus(page, 'new_customer');
    assert(s.focus.ring, 'the focus ring shows while tabbing');
    assert((await liveText(page)).startsWith('新建客户'), `live region names the button: '${await liveText(page)}'`);
    await press(page, 'Enter');
    await waitForState(page, (x) => x.form.open, 'the form to open');
    await typeHere(page, '键盘门窗店');
    await waitForState(page, (x) => x.form.name === '键盘门窗店', 'the name typed');
    // The live region reads the field's value as it is typed.
    await page.waitForFunction(() => document.querySelector('[aria-live]').textContent.includes('键盘门窗店'), null, { timeout: 5000 });
    await focus(page, 'customer_phone');
    // A field's label is drawn above it: the live region says it all the same.
    await page.waitForFunction(() => document.querySelector('[aria-live]').textContent.startsWith('电话'), null, { timeout: 5000 });
    await typeHere(page, '13800138000');
    await focus(page, 'save_customer');
    await screenshot(page, 'keyboard-form-focus');
    await press(page, 'Enter');
    s = await waitForState(page, (x) => !x.form.open && x.customers.includes('键盘门窗店'), 'the customer saved');
    assert(await page.evaluate(() => window.crmTest.customer('键盘门窗店')), 'the customer exists');

    // Open it from the list: Tab reaches the list, Enter opens the row.
    await focus(page, 'row_键盘门窗店');
    assert((await liveText(page)).startsWith('键盘门窗店'), `the row is named by its customer: '${await liveText(page)}'`);
    await screenshot(page, 'keyboard-list-normal');
    await press(page, 'Enter');
    s = await waitForState(page, (x) => x.detail.open && x.detail.name === '键盘门窗店', 'the detail to open');

    // Log a visit: the summary has the keyboard as the dialog opens.
    await focus(page, 'log_visit');
    await press(page, 'Enter');
    await waitForState(page, (x) => x.visit.open, 'the visit dialog');
    await typeHere(page, '键盘记录的拜访');
    await focus(page, 'save_visit');
    await press(page, 'Enter');
    s = await waitForState(page, (x) => !x.visit.open && x.detail.activities.includes('键盘记录的拜访'), 'the visit saved');
    const customerId = s.detail.id;

    // Esc closes the detail; '/' goes to the search; the row is found and opened again.
    await press(page, 'Escape');
    await waitForState(page, (x) => !x.detail.open, 'the detail closed');
    await press(page, '/');
    await typeHere(page, '门窗');
    await waitForState(page, (x) => x.appliedSearch === '门窗' && x.customers.length === 1, 'the search to find it');
    await focus(page, 'row_键盘门窗店');
    await press(page, 'Space');
    s = await waitForState(page, (x) => x.detail.open, 'the found customer to open');
    assert(s.detail.id === customerId, `the same customer: ${s.detail.id} vs ${customerId}`);
    assert(s.detail.activities.includes('键盘记录的拜访'), `its visit: ${JSON.stringify(s.detail.activities)}`);
    await press(page, 'Escape');
    await waitForState(page, (x) => !x.detail.open, 'the detail closed again');

    // Settings → display: Shift+Tab back to the navigation, Enter; arrows between the theme choices, Space.
    await focus(page, 'nav_settings', 'Shift+Tab');
    await press(page, 'Enter');
    await waitForState(page, (x) => x.page === 'settings', 'settings');
    await focus(page, 'settings_display');
    await press(page, 'Enter');
    await focus(page, 'theme_normal');
    await press(page, 'ArrowRight');
    s = await state(page);
    assert(idPart(s.focus.label) === 'theme_high_contrast', `the arrow moves to high contrast: '${s.focus.label}'`);
    await page.waitForFunction(() => document.querySelector('[aria-live]').textContent.startsWith('高对比度'), null, { timeout: 5000 });
    await press(page, 'Space');
    await waitForState(page, (x) => x.appearance.highContrast, 'high contrast on');
    await screenshot(page, 'keyboard-settings-high-contrast');
    await focus(page, 'text_scale_150');
    await press(page, 'Enter');
    s = await waitForState(page, (x) => x.appearance.textScale === 150 && Math.abs(x.fontSize - 1.5 * 17 * x.pixelRatio) < 1,
                           'text at 150 %');
    await screenshot(page, 'keyboard-settings-hc-150');
    // The customer list and the form at that size, in high contrast.
    await focus(page, 'nav_customers', 'Shift+Tab');
    await press(page, 'Enter');
    await focus(page, 'row_键盘门窗店');
    await screenshot(page, 'keyboard-list-hc-150');
    await focus(page, 'new_customer', 'Shift+Tab');
    await press(page, 'Enter');
    await waitForState(page, (x) => x.form.open, 'the form at 150 %');
    await screenshot(page, 'keyboard-form-hc-150');
    await press(page, 'Escape');
    await waitForState(page, (x) => !x.form.open, 'Esc closes the form');

    // Kept on the device: a reload starts in high contrast at 150 %.
    await reopen(page);
    await waitForState(page, (x) => x.screen === 'home' && x.appearance.highContrast && x.appearance.textScale === 150, 'the settings after a reload');
    assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
    await context.close();
  }],
]);
