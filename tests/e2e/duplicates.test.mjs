// Before a customer is saved, who it might already be: typing a phone that is
// already in the book shows the existing customer in the form, Save waits for a
// decision, and "open the existing one" goes to it instead of making a second.
import { assert, run, screenshot, waitForState } from './lib/harness.mjs';
import { openSignedIn, state } from './lib/platform_helpers.mjs';
import { addCustomer, pointer } from './lib/workflow_helpers.mjs';

await run('duplicates', [
  ['a phone that already exists is flagged before saving; open the existing one', async ({ browser, url }) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const { page, consoleErrors } = await openSignedIn(context, url);
    const input = pointer(page, false);
    const existing = '广州天河区恒基建材';
    await addCustomer(page, input, { name: existing, phone: '13822223333', city: '广州' });
    const before = (await state(page)).records.customers;

    await input.press('new_customer');
    await input.type('customer_name', '恒基建材');
    await input.type('customer_phone', '138-2222-3333');  // the same number, written another way
    let s = await waitForState(page, (x) => x.form.duplicates.includes(existing), 'the duplicate warning, before any save');
    assert(s.records.customers === before, 'nothing saved yet');
    await screenshot(page, 'duplicates-warning');
    await input.press('save_customer');
    s = await waitForState(page, (x) => x.form.duplicatesConfirm, 'Save to wait for a decision');
    assert(s.form.open && s.records.customers === before, 'Save with a duplicate shown saves nothing');
    await screenshot(page, 'duplicates-confirm');
    await input.press('open_existing_0');
    s = await waitForState(page, (x) => !x.form.open && x.detail.open && x.detail.name === existing, 'the existing customer opened');
    assert(s.records.customers === before, 'still one customer with that phone');
    await screenshot(page, 'duplicates-opened-existing');
    assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
    await context.close();
  }],
]);
