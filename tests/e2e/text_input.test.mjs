// The IME bridge: text committed by an input method (keyboard.insertText, as
// Chromium's IME path delivers it), composition with a visible preedit, paste,
// and plain typing land once, in the focused ImGui field, in Chinese and English.
import { assert, clickItem, run, screenshot, waitForState } from './lib/harness.mjs';
import { openSignedIn, state, typeInto, waitForItem } from './lib/platform_helpers.mjs';

await run('text_input', [
  ['IME-committed Chinese lands in the focused search field, once', async ({ browser, url }) => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: 'zh-CN' });
    const { page, consoleErrors } = await openSignedIn(context, url);
    await typeInto(page, 'search', '门窗经销商');
    let s = await waitForState(page, (x) => x.search === '门窗经销商', 'the search field to hold 门窗经销商');
    // Plain keys still work in the same field (Backspace via GLFW), and ASCII typing is not doubled.
    await page.keyboard.press('Backspace');
    await page.keyboard.type('abc');
    s = await waitForState(page, (x) => x.search === '门窗经销abc', 'backspace and typed ASCII, each once');
    // The hidden input sits at the caret: within the field, to the right of its start.
    const field = await page.evaluate(() => window.crmTest.find('search'));
    const box = await page.evaluate(() => { const r = document.getElementById('text-input').getBoundingClientRect(); return { x: r.x, y: r.y }; });
    assert(box.x > field.x && box.x < field.x + field.width, `hidden input x ${box.x} inside the field ${field.x}..${field.x + field.width}`);
    assert(Math.abs(box.y - field.y) < field.height, `hidden input y ${box.y} on the field's line (${field.y})`);
    await screenshot(page, 'text-input-search-zh');
    assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
    await context.close();
  }],

  ['composition shows a preedit at the caret, then commits', async ({ browser, url }) => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: 'zh-CN' });
    const { page } = await openSignedIn(context, url);
    await clickItem(page, 'new_customer');
    await waitForItem(page, 'customer_name');
    await typeInto(page, 'customer_name', '佛山');
    // What an IME does while the user picks a candidate: compositionstart/update, then end with the choice.
    await page.evaluate(() => {
      const input = document.getElementById('text-input');
      input.dispatchEvent(new CompositionEvent('compositionstart', { data: '' }));
      input.dispatchEvent(new CompositionEvent('compositionupdate', { data: 'men chuang' }));
    });
    await waitForState(page, (x) => x.ime.preedit === 'men chuang', 'the preedit to show');
    await screenshot(page, 'text-input-preedit');
    let s = await state(page);
    assert(s.form.name === '佛山', `the preedit is not yet in the field: '${s.form.name}'`);
    await page.evaluate(() => {
      const input = document.getElementById('text-input');
      input.dispatchEvent(new CompositionEvent('compositionend', { data: '门窗' }));
    });
    s = await waitForState(page, (x) => x.form.name === '佛山门窗' && x.ime.preedit === '', 'the committed text');
    await context.close();
  }],

  ['pasted text lands in the focused field', async ({ browser, url }) => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: 'zh-CN' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const { page } = await openSignedIn(context, url);
    await clickItem(page, 'new_customer');
    await waitForItem(page, 'customer_phone');
    await typeInto(page, 'customer_phone', '');
    // A real clipboard and a real Ctrl+V, as a person pastes.
    await page.evaluate(() => navigator.clipboard.writeText('138 0571 2345'));
    await page.keyboard.press('Control+V');
    let s = await waitForState(page, (x) => x.errors !== undefined && x.form.open, 'form open');
    await waitForState(page, () => true, '');
    const phone = await page.evaluate(() => window.crmTest.find('customer_phone'));
    assert(phone, 'phone field present');
    // And a paste event with data, as a context-menu paste delivers it.
    await typeInto(page, 'customer_name', '');
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.setData('text/plain', '顺德区乐从镇华艺门业');
      document.getElementById('text-input').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    s = await waitForState(page, (x) => x.form.name === '顺德区乐从镇华艺门业', 'the pasted name');
    await clickItem(page, 'save_customer');
    s = await waitForState(page, (x) => !x.form.open && x.customers.includes('顺德区乐从镇华艺门业'), 'the customer saved from pasted text');
    const saved = await page.evaluate(() => window.crmTest.customer('顺德区乐从镇华艺门业'));
    assert(saved, 'the customer exists');
    await screenshot(page, 'text-input-pasted');
    await context.close();
  }],

  ['a wrong value gets a clear error next to its field, in English too', async ({ browser, url }) => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: 'en-US' });
    const { page } = await openSignedIn(context, url, 'Alex', '2468');
    let s = await state(page);
    assert(s.lang === 'en', `an en-US browser gets English, got ${s.lang}`);
    await page.keyboard.press('Control+N');
    await waitForState(page, (x) => x.form.open, 'Ctrl+N opens the new-customer form');
    await waitForItem(page, 'save_customer');
    await clickItem(page, 'save_customer');
    s = await waitForState(page, (x) => x.errors.name !== '', 'an error under the name field');
    assert(s.errors.name === 'Required', `name error: ${s.errors.name}`);
    await screenshot(page, 'text-input-error-en');
    await page.keyboard.press('Escape');
    await waitForState(page, (x) => !x.form.open, 'Esc closes the form');
    await page.keyboard.press('/');
    s = await waitForState(page, (x) => x.ime.wantText, '/ focuses the search field');
    await page.keyboard.insertText('Foshan');
    s = await waitForState(page, (x) => x.search === 'Foshan', 'typed into search without the slash');
    await context.close();
  }],
]);
