// Rare name characters (堃, 喆, 犇) are outside the atlas the app starts with:
// the atlas grows from the text shown, and the characters render as glyphs, not
// as the '?' fallback. Checked on real pixels: the same list row with '???'
// instead must look different, and carry less ink than three Han glyphs.
// Characters beyond U+FFFF (𠮷 of CJK Extension B, emoji) typed through the
// input method are stored as typed, survive a reload, and are drawn: emoji from
// the shipped symbol font, 𠮷 from a font file fetched only once 𠮷 appears.
import { decodePng } from './lib/png.mjs';
import { assert, clickItem, run, screenshot, waitForState } from './lib/harness.mjs';
import { openSignedIn, reopen, state, typeInto, waitForItem } from './lib/platform_helpers.mjs';

async function addCustomer(page, name) {
  await clickItem(page, 'new_customer');
  await waitForItem(page, 'customer_name');
  await typeInto(page, 'customer_name', name);
  await clickItem(page, 'save_customer');
  await waitForState(page, (s) => !s.form.open && s.customers.includes(name), `customer ${name} in the list`);
}

function crop(image, rect, scale) {
  const x0 = Math.round(rect.x * scale), y0 = Math.round(rect.y * scale);
  const w = Math.round(rect.width * scale), h = Math.round(rect.height * scale);
  const out = [];
  for (let y = y0; y < y0 + h; y++) {
    for (let x = x0; x < x0 + w; x++) {
      const o = (y * image.width + x) * 4;
      out.push(image.pixels[o] + image.pixels[o + 1] + image.pixels[o + 2]);
    }
  }
  return out;
}

const ink = (pixels) => pixels.filter((v) => v < 3 * 128).length;

async function rareVersusQuestionMarks(browser, url, deviceScaleFactor, tag) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 }, deviceScaleFactor, locale: 'zh-CN' });
  const { page } = await openSignedIn(context, url);
  const before = await state(page);
  await addCustomer(page, '???');
  await addCustomer(page, '堃喆犇');
  const s = await waitForState(page, (x) => x.glyphs.builds > before.glyphs.builds, 'the atlas to grow');
  assert(s.glyphs.missing === 0, `the shipped font has every character asked for (${s.glyphs.missing} missing)`);
  assert(s.glyphs.extra >= 3, `堃喆犇 were added to the atlas (${s.glyphs.extra} extra)`);
  await page.waitForTimeout(200);
  const rare = await page.evaluate(() => window.crmTest.find('row_堃喆犇'));
  const marks = await page.evaluate(() => window.crmTest.find('row_???'));
  assert(rare && marks, 'both rows are on screen');
  const { buffer } = await screenshot(page, `glyphs-rare-${tag}`);
  const image = decodePng(buffer);
  // The name sits in the row's first line; the rows are otherwise identical (same owner, no phone).
  const line = (r) => ({ x: r.x, y: r.y, width: Math.min(r.width, 200), height: r.height / 2 });
  const a = crop(image, line(rare), deviceScaleFactor);
  const b = crop(image, line(marks), deviceScaleFactor);
  let differing = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (Math.abs(a[i] - b[i]) > 90) differing++;
  assert(differing > 80 * deviceScaleFactor * deviceScaleFactor, `堃喆犇 differs from ??? by ${differing} pixels`);
  assert(ink(a) > 1.6 * ink(b), `three Han glyphs carry more ink (${ink(a)}) than three '?' (${ink(b)})`);
  await context.close();
  return { differing, rareInk: ink(a), markInk: ink(b), atlasMs: s.glyphs.lastBuildMs };
}

// Types through Chrome's own input-method events: a composition that shows `preedit`, then the commit.
async function composeInto(page, cdp, field, preedit, text) {
  await clickItem(page, field);
  await waitForState(page, (s) => s.ime.wantText, `the field ${field} to take the keyboard`);
  await page.waitForFunction(() => window.crmTest.textInputFocused(), null, { timeout: 5000 });
  await cdp.send('Input.imeSetComposition', { text: preedit, selectionStart: preedit.length, selectionEnd: preedit.length });
  await cdp.send('Input.insertText', { text });
}

async function astralCharactersRoundTrip(browser, url) {
  const name = '𠮷野家🏠';
  const city = '☎️ 🚪 ∅';
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 }, deviceScaleFactor: 1, locale: 'zh-CN' });
  const fontFetches = [];
  // The page's own requests: the service worker's fetch on the page's behalf is the same download, seen twice.
  context.on('request', (request) => {
    if (request.url().includes('/fonts/han-ext/') && !request.serviceWorker()) fontFetches.push(request.url());
  });
  const { page } = await openSignedIn(context, url);
  const cdp = await context.newCDPSession(page);
  await addCustomer(page, '?野家?');

  await clickItem(page, 'new_customer');
  await waitForItem(page, 'customer_name');
  await composeInto(page, cdp, 'customer_city', '☎', city);
  await waitForState(page, (s) => s.glyphs.missing === 0 && s.glyphs.waiting === 0 && s.glyphs.extra >= 4, 'the symbols in the atlas');
  await page.waitForTimeout(300);
  assert(fontFetches.length === 0, `no Extension B font before 𠮷 appears (${fontFetches.join(', ')})`);
  // The syllables first, then 𠮷 in the composition: the file is fetched because 𠮷 appeared.
  await composeInto(page, cdp, 'customer_name', 'ji', '𠮷野家');
  await page.keyboard.insertText('🏠');
  await waitForState(page, (s) => s.glyphs.onDemandFonts === 1 && s.glyphs.waiting === 0, 'the Extension B font to arrive', 20000);
  assert(fontFetches.length === 1 && fontFetches[0].endsWith('/fonts/han-ext/han-20.ttf'), `one font file fetched: ${fontFetches}`);
  await clickItem(page, 'save_customer');
  await waitForState(page, (s) => !s.form.open && s.customers.includes(name) && s.save === 'saved', `customer ${name} saved`);
  const stored = await page.evaluate((n) => window.crmTest.customer(n), name);
  assert(stored && stored.city === city, `stored as typed: ${JSON.stringify(stored)}`);

  await reopen(page);
  const after = await waitForState(page, (s) => s.screen === 'home' && s.customers.includes(name), 'the customer after a reload');
  const reread = await page.evaluate((n) => window.crmTest.customer(n), name);
  assert(reread && reread.city === city, `after a reload: ${JSON.stringify(reread)}`);
  await waitForState(page, (s) => s.glyphs.onDemandFonts === 1 && s.glyphs.waiting === 0 && s.glyphs.missing === 0,
    'the glyphs after a reload', 20000);
  const glyphs = await page.evaluate(() => ['𠮷', '🏠', '☎', '🚪', '∅'].map((c) => window.crmTest.hasGlyph(c)));
  assert(glyphs.every(Boolean), `every character has a glyph of its own: ${glyphs}`);
  await page.waitForTimeout(300);

  const real = await page.evaluate((n) => window.crmTest.find(`row_${n}`), name);
  const marks = await page.evaluate(() => window.crmTest.find('row_?野家?'));
  assert(real && marks, 'both rows are on screen');
  const { buffer } = await screenshot(page, 'glyphs-astral');
  const image = decodePng(buffer);
  const line = (r) => ({ x: r.x, y: r.y, width: Math.min(r.width, 200), height: r.height / 2 });
  const a = crop(image, line(real), 1);
  const b = crop(image, line(marks), 1);
  let differing = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (Math.abs(a[i] - b[i]) > 90) differing++;
  assert(differing > 80, `𠮷 and 🏠 are drawn, not '?': ${differing} pixels differ from ?野家?`);
  await context.close();
  return { differing, records: after.records.customers };
}

await run('glyphs', [
  ['堃喆犇 render as glyphs, not as the ? fallback (1x)', async ({ browser, url }) => {
    const r = await rareVersusQuestionMarks(browser, url, 1, '1x');
    console.log(`     1x: ${r.differing} pixels differ; ink ${r.rareInk} vs ${r.markInk}; atlas rebuild ${r.atlasMs.toFixed(1)} ms`);
  }],
  ['堃喆犇 render as glyphs on a 2x screen too', async ({ browser, url }) => {
    const r = await rareVersusQuestionMarks(browser, url, 2, '2x');
    console.log(`     2x: ${r.differing} pixels differ; ink ${r.rareInk} vs ${r.markInk}; atlas rebuild ${r.atlasMs.toFixed(1)} ms`);
  }],
  ['𠮷 and emoji typed through the input method are stored, drawn, and survive a reload', async ({ browser, url }) => {
    const r = await astralCharactersRoundTrip(browser, url);
    console.log(`     ${r.differing} pixels differ from ?野家?`);
  }],
]);
