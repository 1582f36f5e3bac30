// Encryption at rest (web/storage.js): a local account's customers are stored encrypted. Reading every
// IndexedDB store raw after a reload finds no customer's name in any byte; the unlock step lists the
// person, refuses a wrong PIN next to the field, and the right PIN opens the data with them signed in.
// A trial stays plain and says so.
import { assert, clickItem, openApp, run, screenshot, waitForState } from './lib/harness.mjs';
import { createLocalAccount, state, unlockWith } from './lib/platform_helpers.mjs';
import { addCustomer, pointer, startTrial } from './lib/workflow_helpers.mjs';

const customer = '加密测试客户龙凤呈祥门窗';
const viewport = { viewport: { width: 1200, height: 760 }, locale: 'zh-CN' };

// Every record of every object store of every IndexedDB database of the page, raw: the UTF-8 bytes of
// `needle` are searched in every ArrayBuffer and Blob, and in every string, however deep in a record.
const storedHolds = (page, needle) => page.evaluate(async (text) => {
  const wanted = new TextEncoder().encode(text);
  const holds = (bytes) => {
    outer: for (let i = 0; i + wanted.length <= bytes.length; i++) {
      for (let j = 0; j < wanted.length; j++) if (bytes[i + j] !== wanted[j]) continue outer;
      return true;
    }
    return false;
  };
  const search = async (value, depth) => {
    if (value === null || value === undefined) return false;
    if (value instanceof Blob) return holds(new Uint8Array(await value.arrayBuffer()));
    if (value instanceof ArrayBuffer) return holds(new Uint8Array(value));
    if (ArrayBuffer.isView(value)) return holds(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    if (typeof value === 'string') return value.includes(text);
    if (typeof value === 'object' && depth < 8) {
      for (const key of Object.keys(value)) if (await search(value[key], depth + 1)) return true;
    }
    return false;
  };
  const request = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  const found = { stores: [], records: 0, bytes: 0, holds: false };
  for (const info of await indexedDB.databases()) {
    const db = await request(indexedDB.open(info.name));
    for (const name of Array.from(db.objectStoreNames)) {
      found.stores.push(`${info.name}/${name}`);
      const records = await request(db.transaction(name, 'readonly').objectStore(name).getAll());
      found.records += records.length;
      for (const record of records) {
        if (record instanceof ArrayBuffer) found.bytes += record.byteLength;
        if (await search(record, 0)) found.holds = true;
      }
    }
    db.close();
  }
  return found;
}, needle);

// A few frames drawn after the last change, with every glyph of them in the atlas: what a screenshot shows.
async function drawnSettled(page) {
  const now = await state(page);
  await waitForState(page, (s) => s.frame >= now.frame + 3 && s.glyphs.waiting === 0 && s.glyphs.missing === 0, 'the screen drawn');
}

async function reloadTo(page, screen) {
  await page.reload();
  await page.waitForFunction(() => window.crmTest !== undefined);
  await page.evaluate(() => window.crmTest.ready());
  return waitForState(page, (s) => s.screen === screen, `the ${screen} screen after a reload`, 20000);
}

await run('encryption', [
  ['a local account\'s customers are encrypted in IndexedDB and open only with the PIN', async ({ browser, url }) => {
    const context = await browser.newContext(viewport);
    const { page } = await openApp(context, url);
    await createLocalAccount(page, '王店长', '2580');
    const mouse = pointer(page, false);
    await addCustomer(page, mouse, { name: customer, phone: '13600001111' });
    const saved = await waitForState(page, (s) => s.save === 'saved' && s.unlock.encrypted, 'the customer saved, encrypted');
    assert(saved.unlock.keyring === 1, `one person may open the device: ${JSON.stringify(saved.unlock)}`);
    // Nothing readable even before the reload: the edit went to the log sealed.
    let stored = await storedHolds(page, customer);
    assert(stored.stores.includes('crm/keyring') && stored.records > 0, `stores read: ${JSON.stringify(stored)}`);
    assert(!stored.holds, 'the customer\'s name is readable in IndexedDB');

    const locked = await reloadTo(page, 'unlock');
    assert(locked.records.customers === 0 && !locked.storage.durableSeq, 'nothing is opened before the unlock');
    stored = await storedHolds(page, customer);
    assert(!stored.holds, 'the customer\'s name is readable in IndexedDB after the reload');
    // (The raw search does find what is stored plain: the person's name in the keyring.)
    assert((await storedHolds(page, '王店长')).holds, 'the raw search finds nothing at all');
    await drawnSettled(page);
    await screenshot(page, 'encryption-unlock');
    const asked = JSON.stringify(await page.evaluate(() => window.crmTest.screenTexts()));
    assert(asked.includes('解锁此设备') && asked.includes('王店长'), `the unlock step names the device's person: ${asked}`);

    const wrong = await unlockWith(page, '1111');
    assert(wrong.screen === 'unlock' && wrong.unlock.error === 'PIN 码错误', `a wrong PIN: ${JSON.stringify(wrong.unlock)}`);
    await drawnSettled(page);
    await screenshot(page, 'encryption-wrong-pin');
    await unlockWith(page, '2580');
    const opened = await waitForState(page, (s) => s.screen === 'home' && s.customers.includes(customer), 'the customer after the unlock', 20000);
    assert(opened.user.name === '王店长', `signed in as ${opened.user.name}`);
    // Still encrypted after the unlock, and the next edit too.
    const second = '解锁后录入的五金店';
    await addCustomer(page, mouse, { name: second, phone: '13900002222' });
    await waitForState(page, (s) => s.save === 'saved', 'the second customer saved');
    assert(!(await storedHolds(page, second)).holds, 'an edit after the unlock is stored plain');
    await context.close();
  }],

  ['a trial stays unencrypted and says so', async ({ browser, url }) => {
    const context = await browser.newContext(viewport);
    const { page } = await openApp(context, url);
    const mouse = pointer(page, false);
    await startTrial(page, mouse);
    await addCustomer(page, mouse, { name: customer, phone: '13600003333' });
    const trial = await waitForState(page, (s) => s.save === 'saved', 'the trial customer saved');
    assert(!trial.unlock.encrypted && trial.unlock.keyring === 0, `a trial has no key: ${JSON.stringify(trial.unlock)}`);
    assert((await storedHolds(page, customer)).holds, 'the trial\'s customer is stored plain (and the search finds it)');
    assert(await page.evaluate(() => window.crmTest.find('convert_trial')), 'the trial banner');
    const drawn = JSON.stringify(await page.evaluate(() => window.crmTest.screenTexts()));
    assert(drawn.includes('试用数据未加密'), `the banner says the trial is not encrypted: ${drawn}`);
    const again = await reloadTo(page, 'home');
    assert(again.customers.includes(customer), 'the trial opens without a secret');
    await context.close();
  }],
]);
