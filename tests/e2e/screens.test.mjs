// Every main screen, in Chinese and in English, as screenshots under the build
// folder (build/native/e2e/screens-*.png, customer_dates.png) — and the workflows
// behind them on the trial's demo shop: an important date and its return visit,
// filters, the class suggestion, the pool's claim, moving a rep's customers with
// a confirmation, the trash and restore, merging a duplicate with all its history.
import { assert, run, screenshot, waitForState } from './lib/harness.mjs';
import { openApp } from './lib/harness.mjs';
import { state, waitForItem } from './lib/platform_helpers.mjs';
import { addCustomer, goTo, openCustomer, pointer, startTrial } from './lib/workflow_helpers.mjs';

const shot = async (page, name) => {
  await page.waitForTimeout(150);  // the atlas may grow for new text: one more frame
  return screenshot(page, name);
};
const query = (page, sql) => page.evaluate((q) => window.crmTest.query(q), sql);

async function everyScreen(page, input, lang) {
  let s = await goTo(page, input, 'nav_customers', 'customers');
  await shot(page, `screens-${lang}-customers`);
  // A filter: class A only.
  const all = s.list.total;
  await input.pick('filter_grade', 'filter_grade_1');
  s = await waitForState(page, (x) => x.list.total < all && x.list.total > 0, 'class A only');
  await shot(page, `screens-${lang}-customers-filtered`);
  await input.press('clear_filters');
  s = await waitForState(page, (x) => x.list.total === all, 'all again');

  s = await openCustomer(page, input, s.customers[0]);
  await shot(page, `screens-${lang}-detail-profile`);
  await input.press('section_grade');
  await waitForState(page, (x) => x.detail.section === 5, 'the class section');
  await shot(page, `screens-${lang}-detail-class`);
  await input.press('section_followups');
  await shot(page, `screens-${lang}-detail-followups`);
  await input.press('section_dates');
  await waitForState(page, (x) => x.detail.section === 4, 'the important dates');
  if (lang === 'zh') {
    // A shop's opening day, typed as people write it, then its return visit planned from the list.
    await input.press('add_date');
    await input.press('date_kind_opening');
    await input.type('date_title', '新店开业');
    await input.type('date_month_day', '9月9日');
    await input.type('date_year', '2016');
    await input.press('save_date');
    await waitForState(page, (x) => x.detail.message === '重要日期已保存', 'the date saved');
    const dates = await query(page, `SELECT kind || ' ' || title || ' ' || month_day || ' ' || year FROM customer_dates WHERE customer_id = ${s.detail.id} AND deleted_at IS NULL`);
    assert(dates.length === 1 && dates[0] === 'opening 新店开业 09-09 2016', `the date as stored: ${dates}`);
    await input.press('date_plan_0');
    await waitForState(page, (x) => x.detail.message === '回访已安排', 'its return visit planned');
    await shot(page, 'customer_dates');
  } else {
    await shot(page, `screens-${lang}-detail-dates`);
  }
  await input.press('section_audit');
  s = await waitForState(page, (x) => x.detail.section === 7 && x.detail.audit > 0, 'the audit trail');
  await shot(page, `screens-${lang}-detail-audit`);
  await input.press('log_visit');
  await waitForState(page, (x) => x.visit.open, 'the visit dialog');
  await input.press('visit_plan_next');
  await shot(page, `screens-${lang}-visit-dialog`);
  await input.press('cancel_visit');
  await waitForState(page, (x) => !x.visit.open, 'the visit dialog closed');
  await input.press('edit_customer');
  await waitForState(page, (x) => x.form.open && x.form.editing, 'the edit form');
  await shot(page, `screens-${lang}-edit-form`);
  await input.press('cancel_customer');
  await waitForState(page, (x) => !x.form.open, 'the form closed');

  await goTo(page, input, 'nav_agenda', 'agenda');
  await shot(page, `screens-${lang}-agenda`);
  await goTo(page, input, 'nav_pool', 'pool');
  await shot(page, `screens-${lang}-pool`);
  await input.press('pool_tab_winback');
  await shot(page, `screens-${lang}-pool-winback`);
  await input.press('pool_tab_reassign');
  await shot(page, `screens-${lang}-pool-reassign`);
  await input.press('pool_tab_pool');
  await goTo(page, input, 'nav_import', 'import');
  await shot(page, `screens-${lang}-import`);
  await goTo(page, input, 'nav_trash', 'trash');
  await shot(page, `screens-${lang}-trash`);
  await goTo(page, input, 'nav_settings', 'settings');
  await shot(page, `screens-${lang}-settings-rules`);
  for (const section of ['fields', 'users', 'storage', 'about']) {
    await input.press(`settings_${section}`);
    await shot(page, `screens-${lang}-settings-${section}`);
  }
  await input.press('settings_rules');
  await input.press('open_conflicts');
  await waitForState(page, (x) => x.page === 'conflicts', 'the conflict log');
  await shot(page, `screens-${lang}-conflicts`);
}

await run('screens', [
  ['every main screen in Chinese and in English', async ({ browser, url }) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const { page, consoleErrors } = await openApp(context, url);
    const input = pointer(page, false);
    await startTrial(page, input);
    await everyScreen(page, input, 'zh');
    await input.press('lang_en');
    await waitForState(page, (x) => x.lang === 'en', 'English');
    await everyScreen(page, input, 'en');
    const s = await state(page);
    assert(s.glyphs.missing === 0, `every character shown has a glyph (${s.glyphs.missing} missing)`);
    assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
    await context.close();
  }],

  ['pool claim, bulk reassignment after confirmation, trash and restore, merge of a duplicate', async ({ browser, url }) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const { page } = await openApp(context, url);
    const input = pointer(page, false);
    await startTrial(page, input);

    // Claim the first customer of the public pool.
    let s = await goTo(page, input, 'nav_pool', 'pool');
    s = await waitForState(page, (x) => x.pool.total > 0, 'the pool');
    const pooled = s.pool.names[0];
    const poolBefore = s.pool.total;
    await input.press(`claim_${pooled}`);
    s = await waitForState(page, (x) => x.pool.total === poolBefore - 1 && x.pool.message !== '', 'the claim');
    const claimed = await page.evaluate((n) => window.crmTest.customer(n), pooled);
    assert(claimed.owner === '体验账户', `claimed by the trial user, owner ${claimed.owner}`);
    await shot(page, 'screens-zh-pool-claimed');

    // A rep leaves: 张伟's customers go to 李娜, after a confirmation.
    await input.press('pool_tab_reassign');
    const from = s.users.indexOf('张伟');
    const to = s.users.indexOf('李娜');
    assert(from >= 0 && to >= 0, `demo users: ${s.users}`);
    const zhangs = await query(page, "SELECT c.name FROM customers c JOIN users u ON u.id = c.owner_id WHERE u.name = '张伟' AND c.deleted_at IS NULL");
    assert(zhangs.length > 0, '张伟 has customers');
    await input.pick('reassign_from', `reassign_from_${from}`);
    await input.pick('reassign_to_user', `reassign_to_user_${to}`);
    s = await waitForState(page, (x) => x.pool.fromCount === zhangs.length, 'the count of what would move');
    await input.press('reassign_go');
    s = await waitForState(page, (x) => x.pool.confirming, 'the confirmation');
    assert((await query(page, "SELECT count(*) FROM customers c JOIN users u ON u.id = c.owner_id WHERE u.name = '张伟'"))[0] === String(zhangs.length),
           'nothing moves before the confirmation');
    await shot(page, 'screens-zh-pool-reassign-confirm');
    await input.press('reassign_confirm');
    s = await waitForState(page, (x) => x.pool.message !== '' && !x.pool.confirming, 'the move');
    const moved = await page.evaluate((n) => window.crmTest.customer(n), zhangs[0]);
    assert(moved.owner === '李娜', `${zhangs[0]} now with ${moved.owner}`);
    await shot(page, 'screens-zh-pool-reassigned');

    // Trash and restore.
    s = await goTo(page, input, 'nav_customers', 'customers');
    const victim = s.customers[1];
    await openCustomer(page, input, victim);
    await input.press('trash_customer');
    await input.press('trash_confirm');
    s = await waitForState(page, (x) => !x.detail.open && !x.customers.includes(victim), 'the customer in the trash');
    s = await goTo(page, input, 'nav_trash', 'trash');
    s = await waitForState(page, (x) => x.trash.names.includes(victim), 'the trash lists it');
    await shot(page, 'screens-zh-trash-one');
    await input.press(`restore_${victim}`);
    s = await waitForState(page, (x) => x.trash.total === 0 && x.trash.message !== '', 'restored');

    // A duplicate typed in again (same phone), saved anyway, then merged into the original with its history.
    const original = '佛山市南海区兴盛门窗经销部';
    const phone = (await query(page, `SELECT phone FROM customers WHERE name = '${original}'`))[0];
    const count = s.records.customers;
    await goTo(page, input, 'nav_customers', 'customers');
    await input.press('new_customer');
    await input.type('customer_name', '兴盛门窗（重复录入）');
    await input.type('customer_phone', phone);
    s = await waitForState(page, (x) => x.form.duplicates.includes(original), 'the duplicate warning');
    await input.press('save_customer');
    await waitForState(page, (x) => x.form.duplicatesConfirm, 'save waits for a decision');
    await input.press('save_anyway');
    s = await waitForState(page, (x) => !x.form.open && x.records.customers === count + 1, 'saved anyway');
    await openCustomer(page, input, '兴盛门窗（重复录入）');
    await input.press('log_visit');
    await input.type('visit_summary', '重复录入的客户也来过店里');
    await input.press('save_visit');
    await waitForState(page, (x) => !x.visit.open && x.detail.activities.length === 1, 'a visit on the duplicate');
    await input.press('merge_customer');
    s = await waitForState(page, (x) => x.merge.open && x.merge.candidates > 0, 'the merge dialog with the original');
    await input.press('merge_candidate_0');
    await input.press('keep_other');
    await input.press('merge_go');
    await shot(page, 'screens-zh-merge-confirm');
    await input.press('merge_confirm');
    s = await waitForState(page, (x) => x.merge.done && x.detail.name === original, 'merged into the original');
    assert(s.records.customers === count, `back to ${count} customers: ${s.records.customers}`);
    assert(s.detail.activities.includes('重复录入的客户也来过店里'), 'the visit moved to the survivor');
    await shot(page, 'screens-zh-merged');
    await input.press('merge_close');
    await context.close();
  }],
]);
