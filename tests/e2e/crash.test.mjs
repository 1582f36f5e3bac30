// Crash safety: the browser is killed (SIGKILL to its whole process group) in the
// middle of a stream of edits, then started again on the same profile. The
// database must pass PRAGMA integrity_check and hold every edit the app had
// acknowledged as saved before the kill.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert, run, watchConsole } from './lib/harness.mjs';
import { launchOwnChromium } from './lib/own_chromium.mjs';
import { createLocalAccount, unlockWith } from './lib/platform_helpers.mjs';

async function openOn(context, url) {
  const page = await context.newPage();
  watchConsole(page);
  await page.goto(url);
  await page.waitForFunction(() => window.crmTest !== undefined, null, { timeout: 30000 });
  await page.evaluate(() => window.crmTest.ready());
  // A new profile opens on the welcome screen; edits need a signed-in user.
  const screen = (await page.evaluate(() => window.crmTest.state())).screen;
  if (screen === 'welcome') await createLocalAccount(page);
  // After the crash: the saved data is encrypted, and opens with the account's PIN.
  if (screen === 'unlock') {
    await unlockWith(page, '1234');
    await page.waitForFunction(() => window.crmTest.state().screen === 'home', null, { timeout: 30000 });
  }
  return page;
}

await run('crash', [
  ['SIGKILL mid-stream: integrity_check passes and every acknowledged edit is there', async ({ url }) => {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-crash-'));
    const acked = new Set();
    let issued = 0;
    try {
      const first = await launchOwnChromium(profile);
      const page = await openOn(first.context, url);
      await page.exposeFunction('crmAck', (name) => { acked.add(name); });
      await page.exposeFunction('crmIssued', (count) => { issued = count; });
      // Edits every few milliseconds, each acknowledged only when IndexedDB committed it;
      // several are in flight or queued at any moment.
      await page.evaluate(() => {
        let i = 0;
        const tick = () => {
          const name = `crash-${i}-`;
          const seq = window.crmTest.addCustomers(1, name);
          if (seq >= 0) window.crmTest.whenDurable(seq).then(() => window.crmAck(name + '0'));
          window.crmIssued(++i);
          setTimeout(tick, 3);
        };
        tick();
      });
      // Let a good number of edits be saved, then kill at a moment the page does not choose.
      const deadline = Date.now() + 20000;
      while (acked.size < 60 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 37));
      await first.kill();
      const ackedAtKill = new Set(acked);
      assert(ackedAtKill.size >= 60, `only ${ackedAtKill.size} edits were acknowledged before the kill`);

      const second = await launchOwnChromium(profile);
      try {
        const reopened = await openOn(second.context, url);
        const state = await reopened.evaluate(() => window.crmTest.state());
        assert(state.storage.role === 'writer', `after the restart the tab writes (${state.storage.role}, ${state.error})`);
        const integrity = await reopened.evaluate(() => window.crmTest.query('PRAGMA integrity_check'));
        assert(JSON.stringify(integrity) === '["ok"]', `integrity_check: ${JSON.stringify(integrity)}`);
        const names = new Set(await reopened.evaluate(() => window.crmTest.query("SELECT name FROM customers WHERE name LIKE 'crash-%'")));
        const missing = [...ackedAtKill].filter((name) => !names.has(name));
        assert(missing.length === 0, `${missing.length} acknowledged edits are missing after the crash, e.g. ${missing.slice(0, 5).join(', ')}`);
        // Saved, not saved-and-then-some: nothing appears that was never made.
        assert(names.size <= issued, `${names.size} customers but only ${issued} edits were issued`);
        console.log(`     issued ${issued}, acknowledged ${ackedAtKill.size}, present after restart ${names.size}` +
                    (state.storage.notice ? `; notice: ${state.storage.notice}` : ''));
        // And the app carries on: a new edit is saved.
        const seq = await reopened.evaluate(() => window.crmTest.addCustomers(1, 'after-crash-'));
        await reopened.evaluate((s) => window.crmTest.whenDurable(s), seq);
      } finally {
        await second.close();
      }
    } finally {
      fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    }
  }],
]);
