// Sync through the real relay, as a new organisation meets it: the relay's
// set-up token from its log, POST /v1/setup, a second person added by the
// admin, then two browsers sign in online. An edit in one appears in the
// other; an edit made offline waits in the outbox, is saved locally, and goes
// when the network is back; after a reload sync resumes by itself. Then the
// same field is changed on both while one is offline: both end with the later
// value in the relay's order, and the one that lost is in the conflict log.
import { assert, clickItem, openApp, run, screenshot, waitForState } from './lib/harness.mjs';
import { reopen, state, typeInto, waitForItem } from './lib/platform_helpers.mjs';
import { setUpOrganisation, signInOnline, startFreshRelay } from './lib/relay_helpers.mjs';
import { openCustomer, pointer, search } from './lib/workflow_helpers.mjs';

// The customer's city through the edit form, as a person changes it.
async function editCity(page, name, city) {
  const input = pointer(page, false);
  await search(page, input, name.slice(0, 4), name);
  await openCustomer(page, input, name);
  await input.press('edit_customer');
  await waitForState(page, (x) => x.form.open && x.form.editing, 'the edit form');
  await input.type('customer_city', city);
  await input.press('save_customer');
  await waitForState(page, (x) => !x.form.open, 'the edit saved');
  const saved = await page.evaluate((n) => window.crmTest.customer(n), name);
  assert(saved && saved.city === city, `city saved: ${saved && saved.city}`);
}

async function addCustomer(page, name) {
  await clickItem(page, 'new_customer');
  await waitForItem(page, 'customer_name');
  await typeInto(page, 'customer_name', name);
  await clickItem(page, 'save_customer');
  await waitForState(page, (s) => s.customers.includes(name), `${name} saved`);
}

await run('sync', [
  ['a new organisation from the README, two browsers, an edit in one appears in the other', async ({ browser }) => {
    const relay = await startFreshRelay();
    try {
      await setUpOrganisation(relay);

      const boss = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: 'zh-CN' });
      const rep = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: 'zh-CN' });
      const a = await openApp(boss, relay.url);
      const b = await openApp(rep, relay.url);
      await signInOnline(a.page, '王经理@美家门窗', 'menchuang-2026');
      await signInOnline(b.page, '张三@美家门窗', 'zhangsan-2026');
      await screenshot(a.page, 'sync-signed-in-admin');

      // An edit in one browser appears in the other, through the relay: the rep's new customer on the admin's.
      await addCustomer(b.page, '佛山市顺德区华美门窗');
      await waitForState(b.page, (s) => s.sync.pending === 0 && s.sync.online, 'the edit confirmed by the relay', 20000);
      await waitForState(a.page, (s) => s.customers.includes('佛山市顺德区华美门窗'), 'the edit to reach the other browser', 30000);
      await waitForState(a.page, (s) => s.glyphs.missing === 0 && s.records.customers === 1, 'the name drawn and counted');
      await screenshot(a.page, 'sync-received');
      // The admin's own customer never reaches the rep's device: it holds the rep's customers and the pool.
      await addCustomer(a.page, '王经理的大客户');
      const adminSeq = (await waitForState(a.page, (s) => s.sync.pending === 0, 'the admin\'s customer confirmed', 20000)).sync.confirmedSeq;
      const past = await waitForState(b.page, (s) => s.sync.confirmedSeq >= adminSeq, 'the rep past the admin\'s change', 30000);
      assert(!past.customers.includes('王经理的大客户') && past.records.customers === 1,
        `the rep's device holds only the rep's customer: ${past.customers.join(', ')}`);

      // Offline: the rep keeps working; the edit waits and goes when the network is back.
      await rep.setOffline(true);
      await addCustomer(b.page, '广州市天河区安居建材');
      await waitForState(b.page, (s) => s.sync.pending >= 1, 'the offline edit to wait in the outbox');
      let s = await state(b.page);
      assert(s.storage.durableSeq >= s.storage.capturedSeq, 'the offline edit is saved locally');
      await rep.setOffline(false);
      await waitForState(b.page, (x) => x.sync.pending === 0, 'the offline edit to be pushed once online', 40000);
      await waitForState(a.page, (x) => x.customers.includes('广州市天河区安居建材'), 'the offline edit to reach the admin', 40000);

      // After a reload both still hold everything, and sync resumes by itself.
      await reopen(b.page, 'zhangsan-2026');  // an online account opens the device with its password
      s = await waitForState(b.page, (x) => x.screen === 'home' && x.sync.active, 'the rep back after a reload', 20000);
      assert(s.customers.includes('佛山市顺德区华美门窗') && s.customers.includes('广州市天河区安居建材'), 'both customers after a reload');

      // A conflict: the rep, offline, and the admin, online, both change the city of the rep's customer.
      // The admin's change reaches the relay first; the rep's comes later in the relay's order and wins.
      const contested = '广州市天河区安居建材';
      await rep.setOffline(true);
      await editCity(b.page, contested, '广州市');
      await editCity(a.page, contested, '佛山市');
      await waitForState(a.page, (x) => x.sync.pending === 0, 'the admin\'s edit confirmed');
      await rep.setOffline(false);
      await waitForState(b.page, (x) => x.sync.pending === 0, 'the rep\'s edit pushed once online', 40000);
      const cityOn = async (page) => (await page.evaluate((n) => window.crmTest.customer(n), contested)).city;
      for (const page of [a.page, b.page]) {
        await waitForState(page, (x) => x.sync.unseenConflicts > 0, 'the conflict in the log', 40000);
      }
      const [onAdmin, onRep] = [await cityOn(a.page), await cityOn(b.page)];
      assert(onAdmin === '广州市' && onRep === onAdmin, `both end with the later value: admin '${onAdmin}', rep '${onRep}'`);
      await pointer(a.page, false).press('open_conflicts');
      await waitForState(a.page, (x) => x.page === 'conflicts', 'the conflict log');
      await screenshot(a.page, 'sync-conflict-log');
      // Chromium logs each request that failed while the rep was offline; nothing else may be there.
      const errors = [...a.consoleErrors, ...b.consoleErrors].filter((e) => !e.includes('ERR_INTERNET_DISCONNECTED'));
      assert(errors.length === 0, `console errors: ${errors.join(' | ')}`);
      await boss.close();
      await rep.close();
    } finally {
      relay.stop();
    }
  }],

  // A shared tablet: a second person enrols on the same browser with their own company account; the
  // relay takes each person's changes only with that person's own sign-in, so both are accepted.
  ['a second person signs in on a shared device, and the changes of each sync as their own', async ({ browser }) => {
    const relay = await startFreshRelay();
    try {
      await setUpOrganisation(relay);
      const tablet = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: 'zh-CN' });
      const { page, consoleErrors } = await openApp(tablet, relay.url);
      await signInOnline(page, '王经理@美家门窗', 'menchuang-2026');
      await addCustomer(page, '店长录入的客户');
      await waitForState(page, (s) => s.sync.pending === 0 && s.sync.online, 'the manager\'s customer confirmed', 20000);

      await clickItem(page, 'lock');
      await waitForState(page, (x) => x.screen === 'locked', 'the lock screen');
      await clickItem(page, 'sign_in_online');
      await waitForItem(page, 'online_account');
      await typeInto(page, 'online_account', '张三@美家门窗');
      await typeInto(page, 'password', 'zhangsan-2026');
      await clickItem(page, 'online_submit');
      await waitForState(page, (x) => x.screen === 'home' && x.user.name === '张三', '张三 signed in on the same device', 30000);
      await addCustomer(page, '张三在平板上录的');
      const s = await waitForState(page, (x) => x.sync.pending === 0 && x.sync.online && x.sync.confirmedSeq >= 4,
                                   '张三\'s customer confirmed by the relay', 20000);
      assert(s.sync.refused === 0, `nothing refused: ${JSON.stringify(s.sync)}`);
      await screenshot(page, 'sync-shared-tablet-second-person');

      // Another browser sees both customers, each with the person who made it.
      const office = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: 'zh-CN' });
      const other = await openApp(office, relay.url);
      await signInOnline(other.page, '王经理@美家门窗', 'menchuang-2026');
      await waitForState(other.page, (x) => x.customers.includes('张三在平板上录的') && x.customers.includes('店长录入的客户'),
                         'both customers on another device', 30000);
      const made = await other.page.evaluate(() => window.crmTest.customer('张三在平板上录的'));
      assert(made && made.owner === '张三', `张三's customer is 张三's: ${JSON.stringify(made)}`);
      assert(consoleErrors.length === 0 && other.consoleErrors.length === 0,
             `console errors: ${[...consoleErrors, ...other.consoleErrors].join(' | ')}`);
      await tablet.close();
      await office.close();
    } finally {
      relay.stop();
    }
  }],
]);
