// Revoked means wiped: a rep's browser syncs customers; the admin revokes it over the admin API;
// at its next contact with the relay the browser erases them, shows the welcome screen of a fresh
// device with the notice (also after a reload), and nothing in its IndexedDB holds a customer's name.
import { assert, openApp, run, screenshot, waitForState } from './lib/harness.mjs';
import { state } from './lib/platform_helpers.mjs';
import { post, setUpOrganisation, signInOnline, startFreshRelay } from './lib/relay_helpers.mjs';
import { addCustomer, pointer, reload } from './lib/workflow_helpers.mjs';

const customers = ['撤销前客户甲门窗', '撤销前客户乙五金'];

async function adminGet(relay, admin, path) {
  const response = await fetch(`${relay.url}${path}`, { headers: { Authorization: `Bearer ${admin.token}` } });
  assert(response.ok, `${path}: HTTP ${response.status}`);
  return response.json();
}

// Every record of every object store of every IndexedDB database of the page, as text: snapshots
// (Blobs or ArrayBuffers) and log records decoded as UTF-8, so a name stored anywhere shows.
const everythingStored = (page) => page.evaluate(async () => {
  const decode = (bytes) => new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const asText = async (value) => {
    if (value === null || value === undefined) return '';
    if (value instanceof Blob) return decode(new Uint8Array(await value.arrayBuffer()));
    if (value instanceof ArrayBuffer) return decode(new Uint8Array(value));
    if (ArrayBuffer.isView(value)) return decode(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    if (typeof value === 'object') {
      const parts = [];
      for (const key of Object.keys(value)) parts.push(key, await asText(value[key]));
      return parts.join(' ');
    }
    return String(value);
  };
  const request = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  const found = { databases: [], stores: 0, records: 0, text: '' };
  for (const info of await indexedDB.databases()) {
    const db = await request(indexedDB.open(info.name));
    found.databases.push(info.name);
    for (const name of Array.from(db.objectStoreNames)) {
      found.stores++;
      const records = await request(db.transaction(name, 'readonly').objectStore(name).getAll());
      found.records += records.length;
      for (const record of records) found.text += (await asText(record)) + '\n';
    }
    db.close();
  }
  return found;
});

await run('device_wipe', [
  ['a revoked rep\'s browser erases its customers at the next contact and says so on a fresh welcome screen', async ({ browser }) => {
    const relay = await startFreshRelay();
    try {
      const admin = await setUpOrganisation(relay);
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
      const { page } = await openApp(context, relay.url);
      await signInOnline(page, '张三@美家门窗', 'zhangsan-2026');
      const mouse = pointer(page, false);
      for (const [i, name] of customers.entries()) await addCustomer(page, mouse, { name, phone: `1360000111${i}` });
      await waitForState(page, (s) => s.sync.pending === 0 && s.sync.online, 'the customers to reach the relay', 30000);
      let stored = await everythingStored(page);
      // Stored encrypted (web/storage.js): no customer's name is readable even before the revoke; the keyring
      // (plain, staff names only) names the person whose password opens the device.
      assert((await state(page)).unlock.encrypted && stored.records > 0, 'the device\'s data is stored encrypted before the revoke');
      assert(customers.every((name) => !stored.text.includes(name)), 'a customer is readable in IndexedDB before the revoke');
      assert(stored.text.includes('张三'), 'the keyring names the person who may open the device');

      // The admin revokes the rep's browser (the device 张三 signed in on).
      const { users } = await adminGet(relay, admin, 'v1/admin/users');
      const rep = users.find((u) => u.name === '张三');
      const { devices } = await adminGet(relay, admin, 'v1/admin/devices');
      const device = devices.find((d) => d.user_id === rep.id);
      assert(device, `the rep's device in ${JSON.stringify(devices)}`);
      await post(`${relay.url}v1/admin/devices/${device.id}/revoke`, {}, admin.token);
      // A change in the organisation ends the browser's held pull at once: its next one is refused.
      await post(`${relay.url}v1/admin/teams`, { name: '华东组' }, admin.token);

      const wiped = await waitForState(page, (s) => s.screen === 'welcome' && s.wipedNotice, 'the welcome screen with the notice', 40000);
      assert(wiped.records.customers === 0, `customers left on the device: ${wiped.records.customers}`);
      assert(!wiped.sync.active, 'the device still syncs');
      await waitForState(page, (s) => s.save === 'saved', 'the erased database stored', 20000);
      stored = await everythingStored(page);
      assert(stored.stores > 0, `no object store read: ${JSON.stringify(stored.databases)}`);
      for (const name of customers) assert(!stored.text.includes(name), `${name} is still in IndexedDB`);
      assert(!stored.text.includes('美家门窗'), 'the organisation\'s name is still in IndexedDB');
      assert(!stored.text.includes('张三') && !wiped.unlock.encrypted && wiped.unlock.keyring === 0, 'the keyring went with the data');
      const shot = await screenshot(page, 'device_wiped_notice');
      assert(shot.buffer.length > 0, 'no screenshot');

      // The notice stays after a reload, until closed; the relay lists the device as wiped.
      await reload(page, 'welcome');
      assert((await state(page)).wipedNotice, 'the notice is gone after a reload');
      const after = (await adminGet(relay, admin, 'v1/admin/devices')).devices.find((d) => d.id === device.id);
      assert(after.revoked && after.wiped, `the device as the relay lists it: ${JSON.stringify(after)}`);
      await context.close();
    } finally {
      relay.stop();
    }
  }],
]);
