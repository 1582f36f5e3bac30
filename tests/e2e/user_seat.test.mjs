// From the user's seat, on a laptop and a shop tablet signed in to one relay:
// an address with emoji and 𠮷 pasted with Ctrl+V survives save, reload, sync
// to the tablet and the tablet's export; then the same customer's phone is
// changed on both while the laptop is offline, and both end with one phone and
// a conflict log that says in words who changed what.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert, openApp, run, screenshot, waitForState } from './lib/harness.mjs';
import { findItem, state } from './lib/platform_helpers.mjs';
import { setUpOrganisation, signInOnline, startFreshRelay } from './lib/relay_helpers.mjs';
import { goTo, openCustomer, pointer, reload, search } from './lib/workflow_helpers.mjs';

const laptopDevice = { viewport: { width: 1280, height: 800 }, locale: 'zh-CN', acceptDownloads: true };
const tabletDevice = { viewport: { width: 1024, height: 768 }, deviceScaleFactor: 2, hasTouch: true, locale: 'zh-CN',
                       acceptDownloads: true };
const customerName = '乐从𠮷祥门窗';
const street = '乐从镇𠮷祥路8号🏠🚪 ☎️';

const customerOn = (page) => page.evaluate((n) => window.crmTest.customer(n), customerName);

async function openForEdit(page, input) {
  await search(page, input, '乐从', customerName);
  await openCustomer(page, input, customerName);
  await input.press('edit_customer');
  await waitForState(page, (x) => x.form.open && x.form.editing, 'the edit form');
}

// The phone field emptied and typed anew, as a person replaces a number, then saved.
async function replacePhone(page, input, phone) {
  await openForEdit(page, input);
  await input.press('customer_phone');
  await waitForState(page, (x) => x.ime.wantText && x.focus.label === '##customer_phone', 'the phone field to take the keyboard');
  await page.waitForFunction(() => window.crmTest.textInputFocused(), null, { timeout: 5000 });
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await waitForState(page, (x) => x.form.phone === '', 'the phone field emptied');
  await input.type('customer_phone', phone);
  await input.press('save_customer');
  await waitForState(page, (x) => !x.form.open, 'the new phone saved');
}

await run('user_seat', [
  ['an address with emoji and 𠮷 pasted on a laptop survives save, reload, sync and the tablet\'s export; a phone changed on both ends as one phone with the conflict in words', async ({ browser }) => {
    const relay = await startFreshRelay();
    try {
      await setUpOrganisation(relay);
      const laptopContext = await browser.newContext(laptopDevice);
      await laptopContext.grantPermissions(['clipboard-read', 'clipboard-write']);
      const tabletContext = await browser.newContext(tabletDevice);
      const laptop = await openApp(laptopContext, relay.url);
      const tablet = await openApp(tabletContext, relay.url);
      await signInOnline(laptop.page, '张三@美家门窗', 'zhangsan-2026');
      await signInOnline(tablet.page, '王经理@美家门窗', 'menchuang-2026');
      const mouse = pointer(laptop.page, false);
      const finger = pointer(tablet.page, true);

      // The rep pastes the address with Ctrl+V from the real clipboard, as copied from a chat.
      await mouse.press('new_customer');
      await waitForState(laptop.page, (x) => x.form.open, 'the new-customer form');
      await mouse.type('customer_name', customerName);
      await mouse.type('customer_phone', '13600001111');
      // The street is further down the form: the wheel brings it into view.
      const nameField = await findItem(laptop.page, 'customer_name');
      await laptop.page.mouse.move(nameField.x + nameField.width / 2, nameField.y + nameField.height / 2);
      for (let i = 0; i < 20 && !(await findItem(laptop.page, 'customer_street')); i++) {
        await laptop.page.mouse.wheel(0, 120);
        await laptop.page.waitForTimeout(50);
      }
      await mouse.press('customer_street');
      await laptop.page.evaluate((t) => navigator.clipboard.writeText(t), street);
      await laptop.page.keyboard.press('Control+V');
      await mouse.press('save_customer');
      await waitForState(laptop.page, (x) => !x.form.open && x.customers.includes(customerName), 'the pasted customer saved');
      let saved = await customerOn(laptop.page);
      assert(saved.street === street, `the pasted street as saved: '${saved.street}'`);

      await reload(laptop.page, 'home', 'zhangsan-2026');
      saved = await customerOn(laptop.page);
      assert(saved && saved.street === street, `the street after a reload: '${saved && saved.street}'`);
      await waitForState(laptop.page, (x) => x.sync.pending === 0 && x.sync.online, 'the customer confirmed by the relay', 30000);

      // The shop tablet receives it exactly, draws it, and exports it.
      await waitForState(tablet.page, (x) => x.customers.includes(customerName), 'the customer on the tablet', 30000);
      const received = await customerOn(tablet.page);
      assert(received.street === street, `the street on the tablet: '${received.street}'`);
      await search(tablet.page, finger, '乐从', customerName);
      await openCustomer(tablet.page, finger, customerName);
      await waitForState(tablet.page, () => true, 'a frame');
      const shown = (await tablet.page.evaluate(() => window.crmTest.screenTexts())).join('\n');
      assert(shown.includes('𠮷祥路8号🏠🚪'), `the street drawn on the tablet: ${shown}`);
      for (const c of ['𠮷', '🏠', '🚪', '☎']) {
        assert(await tablet.page.evaluate((ch) => window.crmTest.hasGlyph(ch), c), `a glyph for ${c} on the tablet`);
      }
      await screenshot(tablet.page, 'user-seat-tablet-address');
      await finger.press('detail_back');
      await goTo(tablet.page, finger, 'nav_import', 'import');
      const [download] = await Promise.all([tablet.page.waitForEvent('download'), finger.press('export_csv')]);
      await waitForState(tablet.page, (x) => x.import.export.message !== '', 'the export to finish');
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crm-user-seat-')), download.suggestedFilename());
      await download.saveAs(file);
      const exported = fs.readFileSync(file, 'utf8');
      assert(exported.includes(customerName) && exported.includes(street), `the export holds the name and street exactly`);
      assert(!exported.includes('\uFFFD'), 'no replacement characters in the export');
      await goTo(tablet.page, finger, 'nav_customers', 'customers');

      // The rep, offline, changes the phone; the manager changes it on the tablet; the rep comes back.
      await laptopContext.setOffline(true);
      await replacePhone(laptop.page, mouse, '13600002222');
      await replacePhone(tablet.page, finger, '13600003333');
      await waitForState(tablet.page, (x) => x.sync.pending === 0, 'the tablet\'s phone confirmed', 20000);
      await laptopContext.setOffline(false);
      await waitForState(laptop.page, (x) => x.sync.pending === 0 && x.sync.online, 'the rep\'s phone pushed once online', 40000);
      for (const page of [laptop.page, tablet.page]) {
        await waitForState(page, (x) => x.sync.unseenConflicts > 0, 'the phone conflict in the log', 40000);
      }
      const [onLaptop, onTablet] = [await customerOn(laptop.page), await customerOn(tablet.page)];
      assert(onLaptop.phones.length === 1 && JSON.stringify(onLaptop.phones) === JSON.stringify(onTablet.phones),
             `one and the same phone on both: laptop ${JSON.stringify(onLaptop.phones)}, tablet ${JSON.stringify(onTablet.phones)}`);
      assert(['13600002222', '13600003333'].includes(onLaptop.phones[0]), `a phone someone typed: ${onLaptop.phones[0]}`);
      const loser = onLaptop.phones[0] === '13600002222' ? '13600003333' : '13600002222';

      // The log names the customer, both people, and both numbers; no raw ids or epoch times.
      for (const [page, input, name] of [[laptop.page, mouse, 'laptop'], [tablet.page, finger, 'tablet']]) {
        await input.press('open_conflicts');
        await waitForState(page, (x) => x.page === 'conflicts', 'the conflict log');
        const log = (await page.evaluate(() => window.crmTest.screenTexts())).join('\n');
        for (const words of [customerName, '张三', '王经理', '电话', onLaptop.phones[0], loser]) {
          assert(log.includes(words), `the conflict log on the ${name} says '${words}': ${log}`);
        }
        assert(!/\b1[6-9]\d{11}\b/.test(log), `no epoch-millisecond numbers in the log: ${log}`);
        assert(!/[A-Za-z]{2,}/.test(log.replace('English', '')), `no English words (column names) in the log: ${log}`);
        const s = await state(page);
        assert(s.sync.unseenConflicts === 1, `one change of one phone is one entry on the ${name}: ${s.sync.unseenConflicts}`);
        await screenshot(page, `user-seat-conflict-${name}`);
      }
      const errors = [...laptop.consoleErrors, ...tablet.consoleErrors].filter((e) => !e.includes('ERR_INTERNET_DISCONNECTED'));
      assert(errors.length === 0, `console errors: ${errors.join(' | ')}`);
      await laptopContext.close();
      await tabletContext.close();
    } finally {
      relay.stop();
    }
  }],
]);
