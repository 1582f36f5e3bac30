// Offline start and versions: after one visit the service worker serves the app
// with the server gone and the context offline, and the data is there. When a new
// version is deployed, the app offers a reload and switches all files at once.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert, clickItem, engine, everyEngine, run, savedHere, screenshot, startRelay, waitForState } from './lib/harness.mjs';
import { openSignedIn, reopen, unlockWith } from './lib/platform_helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const webDir = path.resolve(here, '../../web');
const viewport = { viewport: { width: 1200, height: 760 }, locale: 'zh-CN' };

// A copy of the test site the test may change, like a server being deployed to.
function copySite() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-site-'));
  fs.cpSync(process.env.CRM_SITE, dir, { recursive: true });
  return dir;
}

await run('offline', [
  ['after one visit the app starts and saves with the network off', async ({ browser }) => {
    const site = copySite();
    const relay = await startRelay(site);
    const context = await browser.newContext(viewport);
    try {
      const { page } = await openSignedIn(context, relay.url);
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30000 });
      const seq = await page.evaluate(() => window.crmTest.addCustomers(2, '离线前-'));
      await page.evaluate((s) => window.crmTest.whenDurable(s), seq);

      relay.stop();  // the server is gone…
      // …and so is the network, where the engine's automation can cut it (WebKitWebDriver cannot: there the
      // server being gone is the whole test).
      if (engine !== 'webkit') await context.setOffline(true);
      const state = await reopen(page);
      assert(state.screen === 'home' && state.error === '', `offline start: ${state.screen} ${state.error}`);
      assert(state.records.customers === 2, `offline, the data is there: ${state.records.customers}`);
      const more = await page.evaluate(() => window.crmTest.addCustomers(1, '离线中-'));
      await page.evaluate((s) => window.crmTest.whenDurable(s), more);
      await waitForState(page, (s) => savedHere(s) && s.records.customers === 3, 'an offline edit to be saved');
      await screenshot(page, 'offline-start');
      const after = await reopen(page);
      assert(after.records.customers === 3, `offline edit kept across an offline reload: ${after.records.customers}`);
      const manifest = await page.evaluate(() => document.querySelector('link[rel=manifest]')?.href);
      assert(manifest && manifest.endsWith('manifest.webmanifest'), 'the page links its web app manifest');
    } finally {
      await context.close();
      relay.stop();
      fs.rmSync(site, { recursive: true, force: true });
    }
  }, everyEngine],

  ['a new version is offered as a reload and replaces every file at once', async ({ browser }) => {
    const site = copySite();
    const relay = await startRelay(site);
    const context = await browser.newContext(viewport);
    const started = Date.now();
    const step = (what) => console.log(`     ${what} at ${Date.now() - started} ms`);
    try {
      const { page } = await openSignedIn(context, relay.url);
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30000 });
      step('controlled by the service worker');
      const seq = await page.evaluate(() => window.crmTest.addCustomers(1, '升级前-'));
      await page.evaluate((s) => window.crmTest.whenDurable(s), seq);

      // Deploy "version 2": a changed page, and a service worker listing the new hashes.
      const index = path.join(site, 'index.html');
      fs.writeFileSync(index, fs.readFileSync(index, 'utf8').replace('</head>', '<meta name="crm-test-version" content="2">\n</head>'));
      const made = spawnSync('cmake', [`-DSITE=${site}`, `-DTEMPLATE=${path.join(webDir, 'sw.js')}`, '-P', path.join(webDir, 'make_sw.cmake')]);
      assert(made.status === 0, `make_sw: ${made.stderr}`);
      // The running page still runs version 1 until the user agrees.
      step('version 2 deployed');
      // (Not awaiting update(): its promise also waits for the install to finish.)
      await page.evaluate(() => { navigator.serviceWorker.getRegistration().then((r) => r.update()); });
      await waitForState(page, (s) => s.storage.updateAvailable, 'the update offer', 90000);
      step('update offered');
      const version = () => page.evaluate(() => document.querySelector('meta[name=crm-test-version]')?.content || '1');
      assert(await version() === '1', 'the running page stays version 1 until the user agrees');
      await screenshot(page, 'offline-update-offer');

      await Promise.all([page.waitForEvent('load', { timeout: 30000 }), clickItem(page, 'update_reload')]);
      await page.waitForFunction(() => window.crmTest !== undefined, null, { timeout: 30000 });
      await page.evaluate(() => window.crmTest.ready());
      step('reloaded');
      assert(await version() === '2', 'after the reload the page is version 2');
      const caches = await page.evaluate(() => caches.keys());
      assert(caches.length === 1, `one version's cache remains: ${caches.join(', ')}`);
      // The saved data is encrypted: the new version opens it once the PIN is given again.
      if ((await page.evaluate(() => window.crmTest.state())).screen === 'unlock') await unlockWith(page, '1234');
      const state = await waitForState(page, (s) => s.screen === 'home', 'the data open in version 2', 20000);
      assert(state.records.customers === 1 && !state.storage.updateAvailable, `data kept, no offer left: ${JSON.stringify(state.records)}`);
    } finally {
      await context.close();
      relay.stop();
      fs.rmSync(site, { recursive: true, force: true });
    }
  }],
]);
