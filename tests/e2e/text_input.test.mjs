// The IME bridge: text committed by an input method (keyboard.insertText, as
// Chromium's IME path delivers it), composition with a visible preedit, paste
// (Ctrl+V, Shift+Insert, a menu, on a laptop and a tablet), copy and cut to the
// system clipboard, and plain typing land once, in the focused ImGui field, in
// Chinese and English.
import { assert, clickItem, everyEngine, run, screenshot, waitForState } from './lib/harness.mjs';
import { openSignedIn, state, tap, typeInto, waitForItem } from './lib/platform_helpers.mjs';

// Clipboard tests: a page with the clipboard permissions, signed in, the new-customer form open.
async function openFormWithClipboard(browser, url, device) {
  const context = await browser.newContext({ ...device, locale: 'zh-CN' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const { page } = await openSignedIn(context, url);
  await clickItem(page, 'new_customer');
  await waitForItem(page, 'customer_name');
  return { context, page };
}
const writeClipboard = (page, text) => page.evaluate((t) => navigator.clipboard.writeText(t), text);

// A paste event with data, as a browser menu delivers it to the focused (hidden) input.
function dispatchPaste(page, text) {
  return page.evaluate((t) => {
    const data = new DataTransfer();
    data.setData('text/plain', t);
    document.getElementById('text-input').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

// Waits for a field's value, then checks it stays so for a few frames: pasted once, not twice.
async function settled(page, read, expected, what) {
  await waitForState(page, (x) => read(x) === expected, what);
  await page.waitForTimeout(300);
  const now = read(await state(page));
  assert(now === expected, `${what}: '${now}' a moment later, expected '${expected}'`);
}

async function waitForClipboard(page, expected, what) {
  let text;
  for (let i = 0; i < 100; i++) {
    text = await page.evaluate(() => navigator.clipboard.readText());
    if (text === expected) return;
    await page.waitForTimeout(50);
  }
  throw new Error(`clipboard for ${what}: '${text}', expected '${expected}'`);
}

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
  }, everyEngine],

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

  ['Ctrl+V pastes the real clipboard once, at the caret, replacing a selection', async ({ browser, url }) => {
    const { context, page } = await openFormWithClipboard(browser, url, { viewport: { width: 1200, height: 800 } });
    await typeInto(page, 'customer_name', '佛山门业');
    await waitForState(page, (x) => x.form.name === '佛山门业', 'the typed name');
    await writeClipboard(page, '顺德');
    await page.keyboard.press('Control+V');
    await settled(page, (x) => x.form.name, '佛山门业顺德', 'Ctrl+V at the end of the name');
    // At the caret: moved to the start, the paste goes there.
    await page.keyboard.press('Home');
    await page.keyboard.press('Control+V');
    await settled(page, (x) => x.form.name, '顺德佛山门业顺德', 'Ctrl+V at the start');
    // Replacing a selection: the last two characters selected, then pasted over.
    await page.keyboard.press('End');
    await page.keyboard.press('Shift+ArrowLeft');
    await page.keyboard.press('Shift+ArrowLeft');
    await writeClipboard(page, '乐从');
    await page.keyboard.press('Control+V');
    await settled(page, (x) => x.form.name, '顺德佛山门业乐从', 'Ctrl+V over the selection');
    // Shift+Insert pastes the same way, into another field.
    await typeInto(page, 'customer_phone', '');
    await writeClipboard(page, '138 0571 2345');
    await page.keyboard.press('Shift+Insert');
    await settled(page, (x) => x.form.phone, '138 0571 2345', 'Shift+Insert in the phone field');
    await clickItem(page, 'save_customer');
    await waitForState(page, (x) => !x.form.open && x.customers.includes('顺德佛山门业乐从'), 'the customer saved from pasted text');
    await context.close();
  }],

  ['a multi-line field takes a pasted paragraph with its line breaks', async ({ browser, url }) => {
    const { context, page } = await openFormWithClipboard(browser, url, { viewport: { width: 1200, height: 1800 } });
    await waitForItem(page, 'customer_notes');
    await typeInto(page, 'customer_notes', '');
    await writeClipboard(page, '周六来店\n想看断桥铝窗');
    await page.keyboard.press('Control+V');
    await settled(page, (x) => x.form.notes, '周六来店\n想看断桥铝窗', 'the pasted paragraph in the notes');
    await context.close();
  }],

  ['a paste from a menu or with Cmd held lands once; the same on a tablet', async ({ browser, url }) => {
    for (const device of [{ viewport: { width: 1200, height: 800 } },
      { viewport: { width: 1024, height: 768 }, deviceScaleFactor: 2, hasTouch: true, isMobile: false }]) {
      const { context, page } = await openFormWithClipboard(browser, url, device);
      if (device.hasTouch) {
        await tap(page, 'customer_name');
        await waitForState(page, (x) => x.ime.wantText, 'the tapped name field to take the keyboard');
        await page.waitForFunction(() => window.crmTest.textInputFocused(), null, { timeout: 5000 });
      } else {
        await typeInto(page, 'customer_name', '');
      }
      // What the browser's context menu (or a long press on a tablet) delivers: a paste event with the text.
      await dispatchPaste(page, '顺德区乐从镇华艺门业');
      await settled(page, (x) => x.form.name, '顺德区乐从镇华艺门业', 'the menu-pasted name');
      // Cmd+V on a Mac: the same paste event, with Meta held.
      await page.keyboard.down('Meta');
      await dispatchPaste(page, '2店');
      await page.keyboard.up('Meta');
      await settled(page, (x) => x.form.name, '顺德区乐从镇华艺门业2店', 'the paste made with Meta held');
      // A tablet with a keyboard case: Ctrl+V from the real clipboard.
      await writeClipboard(page, '(新)');
      await page.keyboard.press('Control+V');
      await settled(page, (x) => x.form.name, '顺德区乐从镇华艺门业2店(新)', 'Ctrl+V on this device');
      await context.close();
    }
  }],

  ['Ctrl+C and Ctrl+X put the field\'s text on the system clipboard', async ({ browser, url }) => {
    const { context, page } = await openFormWithClipboard(browser, url, { viewport: { width: 1200, height: 1800 } });
    await typeInto(page, 'customer_name', '佛山华艺门业');
    await waitForState(page, (x) => x.form.name === '佛山华艺门业', 'the typed name');
    await writeClipboard(page, 'before');
    // Copy a selection: the last two characters.
    await page.keyboard.press('Shift+ArrowLeft');
    await page.keyboard.press('Shift+ArrowLeft');
    await page.keyboard.press('Control+C');
    await waitForClipboard(page, '门业', 'the copied selection');
    // Cut all of it: the clipboard has it, the field is empty.
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Control+X');
    await waitForClipboard(page, '佛山华艺门业', 'the cut name');
    await settled(page, (x) => x.form.name, '', 'the field after the cut');
    // A multi-line field: select all, copy; the line break comes along.
    await typeInto(page, 'customer_notes', '第一行');
    await page.keyboard.press('Enter');
    await page.keyboard.insertText('第二行');
    await waitForState(page, (x) => x.form.notes === '第一行\n第二行', 'two lines of notes');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Control+C');
    await waitForClipboard(page, '第一行\n第二行', 'the copied notes');
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
