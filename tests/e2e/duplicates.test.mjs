// Before a customer is saved, who it might already be: typing a phone that is
// already in the book shows the existing customer in the form, Save waits for a
// decision, and "open the existing one" goes to it instead of making a second.
// A rep's device holds only the rep's customers; the company directory still
// says whose a number is, and the rep asks for a hand-over instead.
import { assert, openApp, run, screenshot, waitForState } from './lib/harness.mjs';
import { openSignedIn, state } from './lib/platform_helpers.mjs';
import { post, setUpOrganisation, signInOnline, startFreshRelay } from './lib/relay_helpers.mjs';
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

  ['another rep\'s customer, not on this device, is named by the company directory; a hand-over is asked for', async ({ browser }) => {
    const relay = await startFreshRelay();
    try {
      const admin = await setUpOrganisation(relay);
      await post(`${relay.url}v1/admin/users`, { name: '李四', role: 'rep', password: 'lisi-2026' }, admin.token);
      const theirs = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
      const mine = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
      const b = await openApp(theirs, relay.url);
      await signInOnline(b.page, '李四@美家门窗', 'lisi-2026');
      const existing = '佛山禅城恒基建材';
      await addCustomer(b.page, pointer(b.page, false), { name: existing, phone: '13955556666', city: '佛山' });
      const made = (await waitForState(b.page, (x) => x.sync.pending === 0 && x.sync.online, '李四\'s customer confirmed', 20000)).sync;

      const a = await openApp(mine, relay.url);
      await signInOnline(a.page, '张三@美家门窗', 'zhangsan-2026');
      const ready = await waitForState(a.page, (x) => x.sync.directorySeq >= made.confirmedSeq, 'the company directory on 张三\'s device', 30000);
      assert(!ready.customers.includes(existing) && ready.records.customers === 0, `张三's device holds none of 李四's customers: ${ready.customers}`);
      const held = await a.page.evaluate(() => window.crmTest.query("SELECT count(*) FROM customers WHERE name LIKE '%恒基%'"));
      assert(Number(held[0]) === 0, 'not a row of it on 张三\'s device');

      const input = pointer(a.page, false);
      await input.press('new_customer');
      await input.type('customer_name', '恒基建材');
      await input.type('customer_phone', '+86 139 5555 6666');  // the same number, written another way
      await waitForState(a.page, (x) => x.form.duplicates.includes(existing), 'the warning from the directory');
      await waitForState(a.page, (x) => x.glyphs.missing === 0, 'the warning drawn');
      const shown = (await a.page.evaluate(() => window.crmTest.screenTexts())).join('\n');
      assert(shown.includes('已是李四的客户'), `the warning names the owner: ${shown}`);
      await screenshot(a.page, 'duplicates-directory-warning');

      await input.press('handover_ask_0');
      await input.type('handover_note', '老板是我介绍的');
      await input.press('handover_send');
      await waitForState(a.page, (x) => x.sync.pending === 0 && x.sync.online, 'the request confirmed by the relay', 20000);
      const after = (await a.page.evaluate(() => window.crmTest.screenTexts())).join('\n');
      assert(after.includes('已申请'), `the request confirmed on screen: ${after}`);
      await screenshot(a.page, 'duplicates-handover-requested');
      const errors = [...a.consoleErrors, ...b.consoleErrors];
      assert(errors.length === 0, `console errors: ${errors.join(' | ')}`);
      await theirs.close();
      await mine.close();
    } finally {
      relay.stop();
    }
  }],
]);
