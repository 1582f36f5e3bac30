// Rare name characters (堃, 喆, 犇) are outside the atlas the app starts with:
// the atlas grows from the text shown, and the characters render as glyphs, not
// as the '?' fallback. Checked on real pixels: the same list row with '???'
// instead must look different, and carry less ink than three Han glyphs.
import { decodePng } from './lib/png.mjs';
import { assert, clickItem, run, screenshot, waitForState } from './lib/harness.mjs';
import { openSignedIn, state, typeInto, waitForItem } from './lib/platform_helpers.mjs';

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

await run('glyphs', [
  ['堃喆犇 render as glyphs, not as the ? fallback (1x)', async ({ browser, url }) => {
    const r = await rareVersusQuestionMarks(browser, url, 1, '1x');
    console.log(`     1x: ${r.differing} pixels differ; ink ${r.rareInk} vs ${r.markInk}; atlas rebuild ${r.atlasMs.toFixed(1)} ms`);
  }],
  ['堃喆犇 render as glyphs on a 2x screen too', async ({ browser, url }) => {
    const r = await rareVersusQuestionMarks(browser, url, 2, '2x');
    console.log(`     2x: ${r.differing} pixels differ; ink ${r.rareInk} vs ${r.markInk}; atlas rebuild ${r.atlasMs.toFixed(1)} ms`);
  }],
]);
