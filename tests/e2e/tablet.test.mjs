// A shop tablet: touch only, a coarse pointer, a 2x screen. The tablet layout is
// chosen by itself, targets are finger-sized, a tap into a field engages the
// hidden input (which is what brings up the on-screen keyboard), typing lands,
// and a finger drags the customer list. Every target on every page and in the
// main dialogs is finger-sized and can be brought into view, at 1024×768 and
// 768×1024, and a finger scrolls the people & devices window.
import { assert, clickItem, openApp, run, screenshot, waitForState } from './lib/harness.mjs';
import { findItem, state, tap, touchDrag, waitForItem } from './lib/platform_helpers.mjs';

const tablet = { viewport: { width: 1024, height: 768 }, deviceScaleFactor: 2, hasTouch: true, isMobile: false };
const portrait = { ...tablet, viewport: { width: 768, height: 1024 } };
const kMinTarget = 44;  // CSS px: the usual minimum for a finger

const items = (page) => page.evaluate(() => window.crmTest.items());

// Whether an item can be shown whole: in each window around it, some scroll position within the window's
// range puts it inside the window's visible area; the outermost window lies inside the page.
function reachable(item, windows, viewport) {
  const byId = new Map(windows.map((w) => [w.id, w]));
  const slack = 1;
  let rect = item.rect;
  let window = byId.get(item.window);
  let outer = rect;
  while (window) {
    const axes = [
      [rect.y, rect.height, window.clip.y, window.clip.height, window.scroll.y, window.scrollMax.y],
      [rect.x, rect.width, window.clip.x, window.clip.width, window.scroll.x, window.scrollMax.x],
    ];
    for (const [at, size, clipAt, clipSize, scroll, scrollMax] of axes) {
      const unscrolled = at + scroll;
      const least = Math.max(0, unscrolled + size - (clipAt + clipSize));
      const most = Math.min(scrollMax, unscrolled - clipAt);
      if (least > most + slack) return false;
    }
    outer = window.rect;
    rect = window.rect;
    window = window.parent ? byId.get(window.parent) : null;
  }
  return outer.x >= -slack && outer.y >= -slack && outer.x + outer.width <= viewport.width + slack &&
         outer.y + outer.height <= viewport.height + slack;
}

// Every target drawn in the last frame: at least 44×44 CSS px, reachable, and no keyboard hint on it.
async function checkTargets(page, where) {
  // A few frames: a window's scroll range comes from the frame before, so a page or section just opened
  // has none yet. Frames can be slow on a loaded machine, so they are counted, not timed.
  const first = (await state(page)).frame;
  await page.waitForFunction((f) => window.crmTest.state().frame >= f + 4, first, { timeout: 10000 });
  await page.waitForTimeout(50);
  const { items: targets, windows } = await items(page);
  const viewport = page.viewportSize();
  assert(targets.length > 0, `${where}: no targets recorded`);
  const problems = [];
  const named = (item) => {
    const window = windows.find((w) => w.id === item.window);
    return `${item.label || '(clipped)'} at ${item.rect.x.toFixed(0)},${item.rect.y.toFixed(0)} in ${window ? window.name : '?'}`;
  };
  for (const item of targets) {
    const { width, height } = item.rect;
    if (width < kMinTarget - 0.5 || height < kMinTarget - 0.5) {
      problems.push(`${named(item)} is ${width.toFixed(0)}×${height.toFixed(0)}`);
    }
    if (!reachable(item, windows, viewport)) problems.push(`${named(item)} cannot be brought into view`);
    if (/Ctrl\+|Esc\b|按 \//.test(item.label)) problems.push(`${item.label} names a keyboard shortcut`);
  }
  // Text wraps to the screen: nothing makes a window scroll sideways, which a finger rarely guesses.
  // (A multi-line text field's own window scrolls its text to the cursor by itself.)
  for (const window of windows) {
    if (window.scrollMax.x > 0.5 && !window.textField) problems.push(`${window.name} scrolls ${window.scrollMax.x.toFixed(0)} px sideways`);
  }
  assert(problems.length === 0, `${where} at ${viewport.width}×${viewport.height}: ${problems.join('; ')}`);
  return targets.length;
}

const labelled = async (page, pattern) => (await items(page)).items.filter((i) => pattern.test(i.label)).map((i) => i.label);
const idOf = (label) => label.slice(label.indexOf('###') + 3);

async function everyScreen(browser, url, size, name) {
  const context = await browser.newContext({ ...size, locale: 'zh-CN' });
  const { page, consoleErrors } = await openApp(context, url);
  await checkTargets(page, 'the welcome screen');
  await tap(page, 'start_trial');
  let s = await waitForState(page, (x) => x.screen === 'home' && x.customers.length > 20, 'the trial data');
  assert(!/按|\//.test(s.searchHint) && !/press/i.test(s.searchHint), `no keyboard hint in the search field: ${s.searchHint}`);
  await checkTargets(page, 'customers');
  await screenshot(page, `tablet-${name}-customers`);
  await tap(page, 'toggle_filters');
  await checkTargets(page, 'customers with filters');
  await tap(page, 'toggle_filters');

  for (const nav of ['nav_agenda', 'nav_pool', 'nav_import', 'nav_trash', 'nav_settings']) {
    await tap(page, nav);
    await page.waitForTimeout(100);
    await checkTargets(page, nav);
  }
  for (const section of await labelled(page, /###settings_/)) {
    await tap(page, idOf(section));
    await checkTargets(page, `settings ${idOf(section)}`);
    if (idOf(section) === 'settings_storage') await screenshot(page, `tablet-${name}-storage`);
  }
  await tap(page, 'open_conflicts');
  await waitForState(page, (x) => x.page === 'conflicts', 'the conflict log');
  await checkTargets(page, 'the conflict log');

  // A customer, each of its sections, and the dialogs it opens.
  await tap(page, 'nav_customers');
  s = await waitForState(page, (x) => x.page === 'customers', 'the customers page');
  await tap(page, `row_${s.customers[0]}`);
  await waitForState(page, (x) => x.detail.open, 'a customer open');
  for (const section of await labelled(page, /###section_/)) {
    await tap(page, idOf(section));
    await checkTargets(page, `customer ${idOf(section)}`);
  }
  await tap(page, 'log_visit');
  await waitForState(page, (x) => x.visit.open, 'the visit dialog');
  await tap(page, 'visit_more');
  await checkTargets(page, 'the visit dialog');
  await screenshot(page, `tablet-${name}-visit`);
  const user = await findItem(page, 'lock');
  const dialog = await findItem(page, 'visit_window');
  assert(dialog.y >= user.y + user.height, `the visit dialog (top ${dialog.y}) leaves the signed-in name and lock (bottom ${user.y + user.height}) in sight`);
  await tap(page, 'cancel_visit');
  await waitForState(page, (x) => !x.visit.open, 'the visit dialog closed');
  await tap(page, 'merge_customer');
  await waitForState(page, (x) => x.merge.open, 'the merge dialog');
  await checkTargets(page, 'the merge dialog');
  await tap(page, 'merge_cancel');
  await waitForState(page, (x) => !x.merge.open, 'the merge dialog closed');
  await tap(page, 'edit_customer');
  await waitForState(page, (x) => x.form.open, 'the customer form');
  await checkTargets(page, 'the customer form');
  await screenshot(page, `tablet-${name}-form`);
  await tap(page, 'cancel_customer');
  await waitForState(page, (x) => !x.form.open, 'the form closed');

  await tap(page, 'people');
  await waitForState(page, (x) => x.peopleOpen, 'people & devices');
  await checkTargets(page, 'people & devices');
  await screenshot(page, `tablet-${name}-people`);
  const close = await findItem(page, 'people_close');
  const viewport = page.viewportSize();
  assert(close.y >= 0 && close.y + close.height <= viewport.height, `关闭 is on the screen without scrolling (${close.y})`);
  const people = await findItem(page, 'people_window');
  assert(people.y >= user.y + user.height, 'people & devices leaves the signed-in name in sight');
  await tap(page, 'people_close');
  await waitForState(page, (x) => !x.peopleOpen, 'people & devices closed');

  await tap(page, 'lock');
  await waitForState(page, (x) => x.screen !== 'home', 'locked');
  await checkTargets(page, 'the sign-in screen');
  await screenshot(page, `tablet-${name}-signin`);
  assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
  await context.close();
}

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

  ['every target finger-sized and in reach, landscape', ({ browser, url }) => everyScreen(browser, url, tablet, 'landscape')],
  ['every target finger-sized and in reach, portrait', ({ browser, url }) => everyScreen(browser, url, portrait, 'portrait')],

  ['a finger scrolls people & devices; a drag on a field still edits it', async ({ browser, url }) => {
    const context = await browser.newContext({ ...tablet, locale: 'zh-CN' });
    const { page } = await openApp(context, url);
    await tap(page, 'start_trial');
    await waitForState(page, (x) => x.screen === 'home', 'the trial');
    await tap(page, 'people');
    await waitForState(page, (x) => x.peopleOpen, 'people & devices');
    await page.waitForTimeout(150);
    const scrolled = async () => {
      const { windows } = await items(page);
      const body = windows.find((w) => w.name.includes('people_window') && w.scrollMax.y > 0);
      assert(body, `a scrolling part of people & devices (${windows.map((w) => w.name).join(', ')})`);
      return body;
    };
    const before = await scrolled();
    assert(before.scroll.y === 0, 'it starts at the top');
    // Upwards through the window's scrolling part, from a spot off every field and button (a label, a gap).
    const title = await findItem(page, 'add_user');
    const drawn = await items(page);
    const inPeople = new Set(drawn.windows.filter((w) => w.name.includes('people_window')).map((w) => w.id));
    const targets = drawn.items.filter((t) => inPeople.has(t.window));
    const inside = (p, r) => p.x >= r.x && p.x <= r.x + r.width && p.y >= r.y && p.y <= r.y + r.height;
    let from = null;
    for (let f = 0.9; f > 0.3 && !from; f -= 0.02) {
      const p = { x: before.clip.x + before.clip.width * 0.6, y: before.clip.y + before.clip.height * f };
      if (!targets.some((t) => inside(p, t.rect))) from = p;
    }
    assert(from, `a spot in the window that is not a target (${JSON.stringify(before.clip)}: ${targets.map((t) => `${t.label} ${JSON.stringify(t.rect)}`).join('; ')})`);
    await touchDrag(page, from, { x: from.x, y: before.clip.y + 10 });
    await page.waitForTimeout(300);
    const after = await scrolled();
    assert(after.scroll.y > 100, `the finger scrolled it (${after.scroll.y} CSS px)`);
    assert((await state(page)).peopleOpen, 'the drag closed nothing');
    await screenshot(page, 'tablet-people-scrolled');
    // A drag that starts in the name field is the field's (it selects), and does not scroll.
    const field = await findItem(page, 'new_user_name');
    if (field && field.y > after.clip.y && field.y + field.height < after.clip.y + after.clip.height) {
      const start = { x: field.x + 20, y: field.y + field.height / 2 };
      await touchDrag(page, start, { x: start.x, y: start.y + 150 });
      await page.waitForTimeout(200);
      const still = await scrolled();
      assert(Math.abs(still.scroll.y - after.scroll.y) < 2, `a drag from the field leaves the scroll (${after.scroll.y} → ${still.scroll.y})`);
    }
    assert(title, 'the add-user button was drawn');
    await context.close();
  }],
]);
