// A prospect opens the app: no account, one tap, a demo organisation with
// realistic Chinese sample data, kept in this browser. Converting to a real
// account offers to keep or drop the sample data.
import { assert, clickItem, everyEngine, openApp, run, screenshot, waitForState } from './lib/harness.mjs';
import { state, typeInto, waitForItem } from './lib/platform_helpers.mjs';

async function startTrial(page) {
  await waitForState(page, (s) => s.screen === 'welcome', 'the welcome screen of a fresh device');
  await clickItem(page, 'start_trial');
  return waitForState(page, (s) => s.screen === 'home' && s.device.trial && s.customers.length > 0, 'the trial with its sample data');
}

async function convert(page, keep) {
  await clickItem(page, 'convert_trial');
  await waitForItem(page, 'account_name');
  await typeInto(page, 'account_name', '李老板');
  await typeInto(page, 'pin', '8642');
  await typeInto(page, 'pin_again', '8642');
  await clickItem(page, keep ? 'keep_demo' : 'drop_demo');
  await clickItem(page, 'convert_submit');
  return waitForState(page, (s) => s.screen === 'home' && !s.device.trial && s.user.name === '李老板', 'the real account');
}

await run('trial', [
  ['a trial starts without an account and shows the sample data, in Chinese and English', async ({ browser, url }) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const { page, consoleErrors } = await openApp(context, url);
    await screenshot(page, 'trial-welcome-zh');
    const s = await startTrial(page);
    assert(s.records.customers >= 30, `${s.records.customers} sample customers`);
    assert(s.user.name === '体验账户', `signed in as the trial user, got '${s.user.name}'`);
    for (const name of ['王堃（家装设计师）', '刘犇（包工头）', '佛山市南海区兴盛门窗经销部']) {
      assert(s.customers.includes(name), `sample data has ${name}`);
    }
    await waitForState(page, (x) => x.glyphs.missing === 0 && x.glyphs.extra > 30, 'the atlas to hold the sample names');
    await page.waitForTimeout(100);
    await screenshot(page, 'trial-home-zh');
    await clickItem(page, 'lang_en');
    await waitForState(page, (x) => x.lang === 'en', 'English');
    await page.waitForTimeout(100);
    await screenshot(page, 'trial-home-en');
    // It stays in this browser: a reload comes back to the same trial.
    await page.reload();
    await page.waitForFunction(() => window.crmTest !== undefined);
    await page.evaluate(() => window.crmTest.ready());
    const again = await waitForState(page, (x) => x.screen === 'home', 'the trial after a reload');
    assert(again.device.trial && again.records.customers === s.records.customers, 'the same trial after a reload');
    assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
    await context.close();
  }, everyEngine],

  ['converting keeps the sample data when asked', async ({ browser, url }) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const { page } = await openApp(context, url);
    const trial = await startTrial(page);
    const s = await convert(page, true);
    assert(s.records.customers === trial.records.customers, `kept ${s.records.customers} of ${trial.records.customers}`);
    await screenshot(page, 'trial-converted-kept');
    await context.close();
  }],

  ['converting drops the sample data when asked', async ({ browser, url }) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const { page } = await openApp(context, url);
    await startTrial(page);
    const s = await convert(page, false);
    assert(s.records.customers === 0, `dropped: ${s.records.customers} customers left`);
    assert(s.device.accounts === 1, `one account on the device, got ${s.device.accounts}`);
    await context.close();
  }],

  ['an online sign-in the relay refuses leaves the device as it was, with the reason on the form', async ({ browser, url }) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const { page } = await openApp(context, url);
    await clickItem(page, 'sign_in_online');
    await waitForItem(page, 'online_account');
    await typeInto(page, 'online_account', 'boss@example.com');
    await typeInto(page, 'password', 'secret');
    await clickItem(page, 'online_submit');
    // The account reads person@company: "boss" of a company the relay does not know.
    const s = await waitForState(page, (x) => x.errors.signIn !== '', 'an explanation', 15000);
    assert(s.errors.signIn === '账户或密码不对', `message: ${s.errors.signIn}`);
    assert(s.screen === 'welcome', 'nobody is signed in');
    assert(s.records.customers === 0 && s.device.accounts === 0, 'nothing was stored on the device');
    assert(!s.sync.active, 'the device does not sync');
    await screenshot(page, 'trial-online-refused');
    await context.close();
  }],
]);
