// Helpers for the workflow tests: a person's steps through the app's screens,
// by mouse (laptop) or by finger (tablet), on the real canvas.
import { assert, clickItem, waitForState } from './harness.mjs';
import { findItem, reopen, state, tap, waitForItem } from './platform_helpers.mjs';

// A pointer: the same steps, clicked with a mouse or tapped with a finger.
export function pointer(page, touch) {
  return {
    touch,
    async press(label) {
      await waitForItem(page, label);
      return touch ? tap(page, label) : clickItem(page, label);
    },
    // A choice from a menu (ChoiceMenu): open it, pick, and wait for the menu to close (a click while it is
    // still open would only close it).
    async pick(menu, item) {
      await this.press(menu);
      await this.press(item);
      await waitGone(page, item);
    },
    // Into a text field, as an input method commits text (insertText, no key events).
    async type(label, text) {
      await waitForItem(page, label);
      if (touch) await tap(page, label);
      else await clickItem(page, label);
      await waitForState(page, (s) => s.ime.wantText, `the field ${label} to take the keyboard`);
      await page.waitForFunction(() => window.crmTest.textInputFocused(), null, { timeout: 5000 });
      await page.keyboard.insertText(text);
    },
  };
}

export async function startTrial(page, input) {
  await waitForState(page, (s) => s.screen === 'welcome', 'the welcome screen of a new device');
  await input.press('start_trial');
  return waitForState(page, (s) => s.screen === 'home' && s.device.trial && s.records.customers > 0, 'the trial with its sample data');
}

export async function goTo(page, input, nav, pageName) {
  await input.press(nav);
  return waitForState(page, (s) => s.page === pageName && !s.detail.open, `the ${pageName} page`);
}

// New customer through the form: name, phone, city; saved, and shown in the list.
export async function addCustomer(page, input, { name, phone, city }) {
  await input.press('new_customer');
  await waitForState(page, (s) => s.form.open, 'the new-customer form');
  await input.type('customer_name', name);
  if (phone) await input.type('customer_phone', phone);
  if (city) await input.type('customer_city', city);
  await waitForState(page, (s) => s.form.name === name, 'the name in the form');
  await input.press('save_customer');
  return waitForState(page, (s) => !s.form.open && s.customers.includes(name), `${name} saved and listed`);
}

// Finds a customer by typing into the search box, then opens it from the list.
export async function search(page, input, text, expectName) {
  const before = await state(page);
  if (before.search) {
    await input.press('search');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
  }
  await input.type('search', text);
  return waitForState(page, (s) => s.appliedSearch === text && s.customers.includes(expectName),
                      `the search '${text}' to list ${expectName}`);
}

export async function openCustomer(page, input, name) {
  await input.press(`row_${name}`);
  return waitForState(page, (s) => s.detail.open && s.detail.name === name, `the detail of ${name}`);
}

// 记录拜访 from the open customer: kind preset (拜访 is preselected), summary, optionally tomorrow's follow-up, 保存.
export async function logVisit(page, input, summary, { planTomorrow = false } = {}) {
  await input.press('log_visit');
  await waitForState(page, (s) => s.visit.open, 'the visit dialog');
  await input.type('visit_summary', summary);
  if (planTomorrow) {
    await input.press('visit_plan_next');
    await input.press('visit_next_1d');
  }
  await input.press('save_visit');
  return waitForState(page, (s) => !s.visit.open && s.detail.activities.includes(summary), 'the visit logged');
}

export async function waitGone(page, label, timeout = 5000) {
  const start = Date.now();
  while (Date.now() - start < timeout) {
    if (!(await findItem(page, label))) return;
    await page.waitForTimeout(50);
  }
  assert(false, `${label} is still on screen`);
}

// A reload; a device whose data is encrypted is unlocked with `pin` (createLocalAccount's) on the way.
export async function reload(page, screen = 'home', secret = '1234') {
  await reopen(page, secret);
  return waitForState(page, (s) => s.screen === screen, `the ${screen} screen after a reload`);
}
