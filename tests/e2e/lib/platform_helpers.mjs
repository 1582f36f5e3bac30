// Helpers for the UI-platform tests: sign-in flows through the real canvas,
// typing through the IME bridge, and touch.
import { assert, clickItem, openApp, waitForState } from './harness.mjs';

export async function findItem(page, label) {
  return page.evaluate((l) => window.crmTest.find(l), label);
}

// The item once it stands still: a screen that just appeared can move a frame later (a banner above it), and
// a slower engine's click would land where it was.
export async function waitForItem(page, label, timeout = 10000) {
  const start = Date.now();
  let last = null;
  while (Date.now() - start < timeout) {
    const rect = await findItem(page, label);
    if (rect && last && rect.x === last.x && rect.y === last.y && rect.width === last.width && rect.height === last.height) return rect;
    last = rect;
    await page.waitForTimeout(50);
  }
  throw new Error(`no ImGui item '${label}' appeared`);
}

export const state = (page) => page.evaluate(() => window.crmTest.state());

// Clicks a text field and types as an input method commits: one insertText, no key events.
export async function typeInto(page, field, text) {
  await clickItem(page, field);
  await waitForState(page, (s) => s.ime.wantText, `the field ${field} to take the keyboard`);
  await page.waitForFunction(() => window.crmTest.textInputFocused(), null, { timeout: 5000 });
  await page.keyboard.insertText(text);
}

// From the welcome screen: an account on this device, signed in.
export async function createLocalAccount(page, name = '王店长', pin = '1234') {
  await waitForState(page, (s) => s.screen === 'welcome', 'the welcome screen');
  await clickItem(page, 'create_local');
  await waitForItem(page, 'account_name');
  await typeInto(page, 'account_name', name);
  await typeInto(page, 'pin', pin);
  await typeInto(page, 'pin_again', pin);
  await clickItem(page, 'create_account');
  return waitForState(page, (s) => s.screen === 'home', 'the account to be created and signed in');
}

// The unlock step of an encrypted device: picks the person (when several may open it) and gives the secret.
export async function unlockWith(page, secret, name) {
  await waitForState(page, (s) => s.screen === 'unlock', 'the unlock step');
  if (name) await clickItem(page, `unlock_user:${name}`);
  await waitForItem(page, 'unlock_secret');
  await typeInto(page, 'unlock_secret', secret);
  await clickItem(page, 'unlock_submit');
  return waitForState(page, (s) => s.screen !== 'unlock' || (!s.unlock.busy && s.unlock.error), 'the secret to be tried', 20000);
}

// Reloads the page; a device whose data is encrypted is unlocked on the way with `secret` (createLocalAccount's
// PIN unless said otherwise: an online account's password). Resolves to the state once the data is open.
export async function reopen(page, secret = '1234') {
  await page.reload();
  await page.waitForFunction(() => window.crmTest !== undefined, null, { timeout: 30000 });
  await page.evaluate(() => window.crmTest.ready());
  if ((await state(page)).screen === 'unlock') {
    await unlockWith(page, secret);
    await waitForState(page, (s) => s.screen !== 'unlock' && s.screen !== 'loading', 'the data opened after the unlock', 20000);
  }
  return state(page);
}

// Opens the app; a fresh device gets a local account, so tests start on the main screen.
export async function openSignedIn(context, url, name, pin) {
  const opened = await openApp(context, url);
  const first = await state(opened.page);
  if (first.screen === 'welcome') await createLocalAccount(opened.page, name, pin);
  return opened;
}

export async function tap(page, label) {
  const rect = await findItem(page, label);
  assert(rect, `no ImGui item '${label}' to tap`);
  await page.touchscreen.tap(rect.x + rect.width / 2, rect.y + rect.height / 2);
  return rect;
}

// A finger drag: the engine's own touch actions where it has them, else CDP touch events (playwright's
// touchscreen only taps).
export async function touchDrag(page, from, to, steps = 12) {
  if (page.touchscreen.drag) return page.touchscreen.drag(from, to, steps);
  const session = await page.context().newCDPSession(page);
  const point = (p) => [{ x: p.x, y: p.y, id: 1 }];
  await session.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: point(from) });
  for (let i = 1; i <= steps; i++) {
    const p = { x: from.x + ((to.x - from.x) * i) / steps, y: from.y + ((to.y - from.y) * i) / steps };
    await session.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: point(p) });
    await page.waitForTimeout(16);
  }
  await session.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await session.detach();
}
