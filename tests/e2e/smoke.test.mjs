// The app loads in headless Chromium, renders a frame with its Chinese label,
// adds a record through the real canvas, keeps it across a reload, resizes with
// the window and stays sharp at a device pixel ratio of 2.
import { assert, clickItem, decodePngFrom, everyEngine, run, savedHere, screenshot, waitForState } from './lib/smoke_helpers.mjs';
// A fresh device opens on the welcome screen: these checks start from an account on this device.
import { openSignedIn as openApp, reopen, waitForItem } from './lib/platform_helpers.mjs';

// The quick add of a sample customer lives under 设置 → 关于 (settings → about).
async function openAbout(page) {
  await clickItem(page, 'nav_settings');
  await waitForItem(page, 'settings_about');
  await clickItem(page, 'settings_about');
  await waitForItem(page, 'add_customer');
}

await run('smoke', [
  ['page loads, renders and shows no console error', async ({ browser, url }) => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 760 }, locale: 'zh-CN' });
    const { page, consoleErrors } = await openApp(context, url);
    const state = await page.evaluate(() => window.crmTest.state());
    assert(state.screen === 'home', `expected the home screen, got ${state.screen} (${state.error})`);
    assert(state.lang === 'zh-CN', `a zh-CN browser gets Chinese, got ${state.lang}`);
    const { buffer } = await screenshot(page, 'smoke-home');
    const image = decodePngFrom(buffer);
    assert(image.colors > 20, `the canvas looks blank (${image.colors} distinct colours)`);
    assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
    await context.close();
  }, everyEngine],

  ['the Chinese label is drawn with real glyphs', async ({ browser, url }) => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 760 }, locale: 'zh-CN' });
    const { page } = await openApp(context, url);
    await openAbout(page);
    const rect = await page.evaluate(() => window.crmTest.find('添加一位客户'));
    assert(rect, 'the button labelled 添加一位客户 is on screen');
    const { buffer } = await screenshot(page, 'smoke-label');
    const image = decodePngFrom(buffer);
    // The label's text must leave ink inside the button: '?' fallbacks or empty boxes would leave little or none.
    const region = { x: Math.round(rect.x), y: Math.round(rect.y), width: Math.round(rect.width), height: Math.round(rect.height) };
    const ink = image.ink(region);
    assert(ink > 0, 'the button has text drawn in it');
    await context.close();
  }, everyEngine],

  ['an idle screen is drawn a few times a second, and input draws every frame again', async ({ browser, url }) => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 760 }, locale: 'zh-CN' });
    const { page } = await openApp(context, url);
    const sample = () => page.evaluate(() => ({ at: performance.now(), ...window.crmTest.state() }));
    // Nothing touched for over two seconds: frames come at the idle pace, one every 200 ms.
    await page.waitForTimeout(2600);
    const a = await sample();
    await page.waitForTimeout(2000);
    const b = await sample();
    const idleRate = (b.frame - a.frame) / ((b.at - a.at) / 1000);
    assert(idleRate <= 7, `idle: ${idleRate.toFixed(1)} frames a second, expected about 5`);
    assert(b.frame > a.frame, 'idle frames still come (the clock, saves, sync and the idle lock stay current)');
    assert(b.frames.idleSkipped > a.frames.idleSkipped, 'frames were skipped while idle');
    // The mouse moves: every animation frame is drawn again, from the first move on.
    const c = await sample();
    for (let i = 0; i < 60; i++) {
      await page.mouse.move(300 + i * 5, 300 + (i % 7));
      await page.waitForTimeout(16);
    }
    const d = await sample();
    const activeRate = (d.frame - c.frame) / ((d.at - c.at) / 1000);
    assert(activeRate >= 3 * idleRate && activeRate >= 15,
           `moving the mouse: ${activeRate.toFixed(1)} frames a second against ${idleRate.toFixed(1)} idle`);
    // And the screen answers at once: a click after an idle spell opens the page.
    await page.waitForTimeout(2600);
    await openAbout(page);
    await context.close();
  }],

  ['a lost WebGL context comes back: the screen is drawn again, text included, and the app kept running', async ({ browser, url }) => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 760 }, locale: 'zh-CN' });
    const { page, consoleErrors } = await openApp(context, url);
    await openAbout(page);
    // What a GPU reset does to a tablet's tab, through the extension WebGL provides for it.
    const lost = await page.evaluate(() => {
      const gl = document.querySelector('#canvas').getContext('webgl2');
      window.crmLoseContext = gl && gl.getExtension('WEBGL_lose_context');
      if (!window.crmLoseContext) return false;
      window.crmLoseContext.loseContext();
      return true;
    });
    assert(lost, 'WEBGL_lose_context is there to lose the context');
    const before = await waitForState(page, (s) => s.frames.glLost, 'the app to notice the lost context');
    await page.waitForTimeout(300);
    const during = await page.evaluate(() => window.crmTest.state());
    assert(during.frame > before.frame, `frames go on while the context is gone (${before.frame} -> ${during.frame})`);
    await page.evaluate(() => window.crmLoseContext.restoreContext());
    await waitForState(page, (s) => !s.frames.glLost && s.frames.glRestores === 1, 'the renderer to be made again');
    await page.waitForTimeout(300);
    const rect = await page.evaluate(() => window.crmTest.find('添加一位客户'));
    assert(rect, 'the button is still on screen');
    const { buffer } = await screenshot(page, 'smoke-context-restored');
    const image = decodePngFrom(buffer);
    assert(image.colors > 20, `the canvas looks blank after the restore (${image.colors} distinct colours)`);
    const ink = image.ink({ x: Math.round(rect.x), y: Math.round(rect.y), width: Math.round(rect.width), height: Math.round(rect.height) });
    assert(ink > 0, 'the label is drawn with glyphs again: the atlas texture was uploaded anew');
    assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
    await context.close();
  }],

  ['adding a record through the canvas survives a reload', async ({ browser, url }) => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 760 }, locale: 'zh-CN' });
    const { page } = await openApp(context, url);
    const before = (await page.evaluate(() => window.crmTest.state())).records.customers;
    await openAbout(page);
    await clickItem(page, 'add_customer');
    await waitForState(page, (s) => s.records.customers === before + 1, 'the count to grow by one');
    await clickItem(page, 'add_customer');
    await waitForState(page, (s) => s.records.customers === before + 2 && savedHere(s), 'two records saved');
    await screenshot(page, 'smoke-added');
    const after = await reopen(page);
    assert(after.records.customers === before + 2, `after reload: ${after.records.customers}, expected ${before + 2}`);
    await screenshot(page, 'smoke-reloaded');
    await context.close();
  }, everyEngine],

  ['the canvas follows the window size', async ({ browser, url }) => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const { page } = await openApp(context, url);
    await page.setViewportSize({ width: 640, height: 480 });
    const state = await waitForState(page, (s) => s.display.w === 640 && s.display.h === 480, 'the display to shrink to 640x480');
    assert(state.canvas.width === 640 && state.canvas.height === 480, `canvas backing store ${state.canvas.width}x${state.canvas.height}`);
    await context.close();
  }, everyEngine],

  ['high-DPI: the backing store is CSS size × devicePixelRatio and fonts scale with it', async ({ browser, url }) => {
    const context = await browser.newContext({ viewport: { width: 800, height: 600 }, deviceScaleFactor: 2, locale: 'zh-CN' });
    const { page } = await openApp(context, url);
    const state = await waitForState(page, (s) => s.pixelRatio === 2, 'pixel ratio 2');
    assert(state.canvas.width === 1600 && state.canvas.height === 1200, `backing store ${state.canvas.width}x${state.canvas.height}`);
    assert(state.canvas.cssWidth === 800, `CSS width ${state.canvas.cssWidth}`);
    assert(state.fontSize >= 30, `font rasterised at ${state.fontSize}px for a 2× screen`);
    await openAbout(page);
    const rect = await page.evaluate(() => window.crmTest.find('add_customer'));
    assert(rect && rect.width > 100 && rect.width < 400, `button is ${rect && rect.width} CSS px wide at 2×`);
    await screenshot(page, 'smoke-hidpi');
    await context.close();
  }],

  // A browser without WebGL2 (here Firefox headless with WebGL2 switched off) gets words, not a blank page.
  ['no WebGL2: the page says in both languages that it cannot draw here and what to try', async ({ browser, url }) => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 }, locale: 'zh-CN', headless: true,
                                               firefoxPrefs: { 'webgl.enable-webgl2': false } });
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('no-webgl') !== null, null, { timeout: 30000 });
    const shown = await page.evaluate(() => {
      const canvas = document.getElementById('canvas');
      return { paragraphs: [...document.querySelectorAll('#no-webgl p')].map((p) => p.textContent),
               canvasShown: canvas && !canvas.hidden && getComputedStyle(canvas).display !== 'none',
               role: document.getElementById('no-webgl').getAttribute('role') };
    });
    assert(/无法绘制/.test(shown.paragraphs[0]) && /cannot draw/.test(shown.paragraphs[1]), `Chinese first, then English: ${shown.paragraphs}`);
    assert(/硬件加速/.test(shown.paragraphs[0]) && /another browser/.test(shown.paragraphs[1]), 'what to try, in both');
    assert(!shown.canvasShown && shown.role === 'alert', `no blank canvas, an alert: ${JSON.stringify(shown)}`);
    await screenshot(page, 'smoke-no-webgl2');
    await context.close();
  }, { engines: ['firefox'] }],
]);
