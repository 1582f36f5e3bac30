// A shop tablet: touch only, a coarse pointer, a 2x screen. The tablet layout is
// chosen by itself, targets are finger-sized, a tap into a field engages the
// hidden input (which is what brings up the on-screen keyboard), typing lands,
// and a finger drags the customer list.
import { assert, clickItem, openApp, run, screenshot, waitForState } from './lib/harness.mjs';
import { findItem, state, tap, touchDrag, waitForItem } from './lib/platform_helpers.mjs';

const tablet = { viewport: { width: 1024, height: 768 }, deviceScaleFactor: 2, hasTouch: true, isMobile: false };

await run('tablet', [
  ['tap a field, type, drag-scroll the list', async ({ browser, url }) => {
    const context = await browser.newContext({ ...tablet, locale: 'zh-CN' });
    const { page, consoleErrors } = await openApp(context, url);
    let s = await state(page);
    assert(s.layout === 'tablet' && s.layoutAuto, `a touch-only device gets the tablet layout automatically (${s.layout})`);
    await tap(page, 'start_trial');
    s = await waitForState(page, (x) => x.screen === 'home' && x.customers.length > 20, 'the trial data');

    // Finger-sized targets: 44 CSS px is the usual minimum.
    for (const id of ['new_customer', 'lock', 'lang_en']) {
      const rect = await findItem(page, id);
      assert(rect && rect.height >= 44, `${id} is ${rect && rect.height.toFixed(1)} CSS px tall`);
    }

    // Tap the search field: the hidden input takes focus inside the tap (the on-screen keyboard's cue).
    await tap(page, 'search');
    await waitForState(page, (x) => x.ime.wantText, 'the search field to be active');
    await page.waitForFunction(() => window.crmTest.textInputFocused(), null, { timeout: 5000 });
    await page.keyboard.insertText('佛山');
    s = await waitForState(page, (x) => x.search === '佛山', 'typed text in the search field');
    await page.waitForTimeout(100);
    await screenshot(page, 'tablet-search-zh');
    // Clear the search by tapping the list's empty space? No: select all and delete, as a keyboard would.
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await waitForState(page, (x) => x.search === '' && x.appliedSearch === '' && x.list.total === 36, 'the search cleared');

    // Drag the list up with a finger: it scrolls, and no row takes the tap.
    const first = (await state(page)).customers[0];
    const list = await waitForItem(page, `row_${first}`);  // the first row: the list's top
    const before = (await state(page)).list.scrollY;
    const top = list.y + 20;
    // From a few rows down (the tab bar and status bar take the screen's edges) to the top.
    const from = { x: list.x + 200, y: list.y + list.height * 3.5 };
    await touchDrag(page, from, { x: from.x, y: top });
    s = await waitForState(page, (x) => x.list.scrollY > before + 200, 'the list to scroll under the finger');
    const scrolled = s.list.scrollY;
    assert(!s.form.open && !s.detail.open && s.screen === 'home', 'the drag did not open anything');
    await page.waitForTimeout(300);
    await screenshot(page, 'tablet-scrolled-zh');
    // And back down.
    await touchDrag(page, { x: from.x, y: top }, { x: from.x, y: from.y });
    await waitForState(page, (x) => x.list.scrollY < scrolled - 150, 'the list to scroll back');

    // A tap on a button still works after the drags (no stale touch position).
    await tap(page, 'lang_en');
    await waitForState(page, (x) => x.lang === 'en', 'English after a tap');
    await page.waitForTimeout(100);
    await screenshot(page, 'tablet-home-en');
    assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
    await context.close();
  }],

  ['the layout can be switched by hand', async ({ browser, url }) => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: 'zh-CN' });
    const { page } = await openApp(context, url);
    await clickItem(page, 'start_trial');
    let s = await waitForState(page, (x) => x.screen === 'home', 'the trial');
    assert(s.layout === 'laptop', `a mouse device starts in the laptop layout (${s.layout})`);
    const small = await findItem(page, 'new_customer');
    await clickItem(page, 'people');
    await waitForItem(page, 'layout_tablet');
    await clickItem(page, 'layout_tablet');
    s = await waitForState(page, (x) => x.layout === 'tablet' && !x.layoutAuto && x.fontSize >= 20, 'the tablet layout');
    await page.keyboard.press('Escape');
    await waitForState(page, (x) => !x.peopleOpen, 'Esc closes the panel');
    const large = await findItem(page, 'new_customer');
    assert(large.height > small.height * 1.3, `targets grow: ${small.height} → ${large.height}`);
    await screenshot(page, 'tablet-layout-by-hand');
    await context.close();
  }],
]);
