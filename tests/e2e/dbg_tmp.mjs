import { launchEngine } from './lib/engines.mjs';
import { startRelay, openApp, clickItem, waitForState } from './lib/harness.mjs';
import { waitForItem, typeInto } from './lib/platform_helpers.mjs';
const relay = await startRelay();
const b = await launchEngine('webkit');
for (let i = 0; i < 8; i++) {
  const c = await b.newContext({ locale: 'zh-CN', viewport: { width: 1200, height: 760 } });
  const { page: p } = await openApp(c, relay.url);
  await p.evaluate(() => { window.log = []; const t = document.getElementById('text-input'); for (const e of ['keydown','input','focus','blur']) t.addEventListener(e, (ev) => log.push(e + ':' + (ev.key||'') + ':' + (ev.data||'') + ':' + performance.now().toFixed(0))); for (const e of ['mousemove','mousedown','mouseup']) window.addEventListener(e, (ev) => log.push(e + '@' + ev.clientX + ',' + ev.clientY + ':' + performance.now().toFixed(0)), true); });
  await clickItem(p, 'create_local');
  await waitForItem(p, 'account_name');
  try { await typeInto(p, 'account_name', '王店长'); } catch (e) {
    console.log('FAILED', JSON.stringify(await p.evaluate(() => [document.hasFocus(), document.activeElement && document.activeElement.tagName, document.activeElement && document.activeElement.id, window.log, window.crmTest.state().ime])));
    await c.close(); continue;
  }
  await p.waitForTimeout(300);
  const s = await p.evaluate(() => window.crmTest.state());
  const texts = (await p.evaluate(() => window.crmTest.screenTexts())).join('|');
  console.log(i, JSON.stringify(await p.evaluate(() => window.crmTest.find('account_name'))), await p.evaluate(() => document.hasFocus()), s.ime.wantText, s.focus.label, texts.includes('王店长'), JSON.stringify(await p.evaluate(() => window.log)));
  await c.close();
}
await b.close(); relay.stop(); process.exit(0);
