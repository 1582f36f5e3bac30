// A new user's first day, on a laptop and on a shop tablet: start a trial, add a
// customer with a Chinese name (typed as an input method commits it), log a visit
// from the customer with a follow-up for tomorrow, find that follow-up in the
// agenda, find the customer again by two characters of its name; after a reload,
// all of it is still there.
import { assert, everyEngine, run, screenshot, touchEngines, waitForState } from './lib/harness.mjs';
import { openApp } from './lib/harness.mjs';
import { state, touchDrag, waitForItem } from './lib/platform_helpers.mjs';
import { addCustomer, goTo, logVisit, openCustomer, pointer, reload, search, startTrial } from './lib/workflow_helpers.mjs';

async function firstDay(page, input, tag) {
  const trial = await startTrial(page, input);
  const name = '佛山市顺德区美家门窗经营部';
  const summary = '上门量了尺寸，客户想换断桥铝窗，下周报价';
  let s = await addCustomer(page, input, { name, phone: '139 2233 4455', city: '佛山' });
  assert(s.records.customers === trial.records.customers + 1, `one more customer: ${s.records.customers}`);
  await screenshot(page, `workflow-${tag}-added`);

  s = await openCustomer(page, input, name);
  assert(s.detail.activities.length === 0, 'a new customer has no visits yet');
  s = await logVisit(page, input, summary, { planTomorrow: true });
  assert(s.detail.openFollowups >= 2, `the class follow-up and tomorrow's: ${s.detail.openFollowups} open`);
  assert(s.detail.message !== '', 'the visit is confirmed on screen');
  await screenshot(page, `workflow-${tag}-visit-logged`);

  // Tomorrow is in "the next 7 days" of the agenda.
  s = await goTo(page, input, 'nav_agenda', 'agenda');
  s = await waitForState(page, (x) => x.agenda.week.includes(name), 'tomorrow\'s follow-up in the agenda');
  await waitForItem(page, `due_${name}`);
  await screenshot(page, `workflow-${tag}-agenda`);

  // Two characters from the middle of the name find it.
  await goTo(page, input, 'nav_customers', 'customers');
  s = await search(page, input, '美家', name);
  assert(s.list.total >= 1, `the search lists ${s.list.total}`);
  await screenshot(page, `workflow-${tag}-search`);

  // After a reload, the customer, the visit and the follow-up are still there.
  s = await reload(page);
  assert(s.records.customers === trial.records.customers + 1, `after reload: ${s.records.customers} customers`);
  await goTo(page, input, 'nav_agenda', 'agenda');
  await waitForState(page, (x) => x.agenda.week.includes(name), 'the follow-up after the reload');
  await goTo(page, input, 'nav_customers', 'customers');
  await search(page, input, '美家', name);
  s = await openCustomer(page, input, name);
  assert(s.detail.activities.includes(summary), 'the visit after the reload');
  await input.press('section_timeline');
  await waitForState(page, (x) => x.detail.section === 2, 'the timeline');
  await screenshot(page, `workflow-${tag}-reloaded-timeline`);
  return { page, name };
}

await run('workflow', [
  ['laptop: trial, customer, visit, follow-up, agenda, search, reload', async ({ browser, url }) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const { page, consoleErrors } = await openApp(context, url);
    const input = pointer(page, false);
    await firstDay(page, input, 'laptop');
    const s = await state(page);
    assert(s.layout === 'laptop', `laptop layout: ${s.layout}`);
    assert(s.frames.over50 <= 3, `frames over 50 ms: ${s.frames.over50} (slowest ${s.frames.maxMs} ms)`);
    assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
    await context.close();
  }, everyEngine],

  ['tablet: the same day by finger alone, and the list drags', async ({ browser, url }) => {
    const context = await browser.newContext({
      viewport: { width: 1024, height: 768 }, deviceScaleFactor: 2, hasTouch: true, isMobile: false, locale: 'zh-CN',
    });
    const { page, consoleErrors } = await openApp(context, url);
    const input = pointer(page, true);
    let s = await state(page);
    assert(s.layout === 'tablet', `a touch-only device gets the tablet layout (${s.layout})`);
    await firstDay(page, input, 'tablet');
    // Back to the whole list, then drag it with a finger: it scrolls and nothing opens.
    await input.press('detail_back');
    await input.press('search');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    s = await waitForState(page, (x) => x.appliedSearch === '' && x.list.total > 30, 'the whole list');
    const row = await waitForItem(page, `row_${s.customers[0]}`);
    const from = { x: row.x + 200, y: row.y + row.height * 3.5 };
    await touchDrag(page, from, { x: from.x, y: row.y + 10 });
    s = await waitForState(page, (x) => x.list.scrollY > 150, 'the list to follow the finger');
    assert(!s.detail.open && !s.form.open, 'a drag opens nothing');
    // Finger-sized targets on the main screens.
    for (const id of ['nav_agenda', 'new_customer', 'toggle_filters']) {
      const rect = await waitForItem(page, id);
      assert(rect.height >= 44, `${id} is ${rect.height.toFixed(1)} CSS px tall`);
    }
    await screenshot(page, 'workflow-tablet-dragged');
    assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
    await context.close();
  }, touchEngines],
]);
