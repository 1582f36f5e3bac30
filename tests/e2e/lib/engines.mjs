// The browser engines the tests run in, behind the small part of playwright's
// API the tests use (browser.newContext, context.newPage, page.evaluate,
// waitForFunction, keyboard, mouse, touchscreen, reload, screenshot, console):
// - chromium: Debian's Chromium through playwright-core (CDP), headless;
// - webkit: WebKitGTK's MiniBrowser through WebKitWebDriver (W3C WebDriver over HTTP), under Xvfb;
// - firefox: Firefox ESR through puppeteer-core (WebDriver BiDi), headful under Xvfb, so WebGL2 has Mesa's
//   software renderer; headless on request (no WebGL2 there).
// Each context of webkit and firefox is a browser process of its own: the locale and the profile are per
// process in both, and a fresh profile is what a new device is.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const engineNames = ['chromium', 'webkit', 'firefox'];
const miniBrowser = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A port nothing listens on (the relay's, a driver's).
export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// An X server of the test's own (a display number it picks itself), for the engines that draw in a window.
let xServer = null;
async function display() {
  if (xServer) return xServer.display;
  const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1920x1200x24', '-nolisten', 'tcp'],
                      { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  const number = await new Promise((resolve, reject) => {
    let text = '';
    child.stdio[3].on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) resolve(text.trim());
    });
    child.on('exit', (code) => reject(new Error(`Xvfb exited (${code}): is it installed? ./crm deps installs it`)));
  });
  xServer = { display: `:${number}`, child };
  process.on('exit', () => child.kill('SIGTERM'));
  return xServer.display;
}

// Locale as the engines take it from the environment ("zh-CN" → zh_CN.UTF-8).
const posixLocale = (locale) => `${(locale || 'en-US').replace('-', '_')}.UTF-8`;

// "Control+Shift+A" → ['Control', 'Shift', 'A'].
const keyParts = (combo) => (combo === '+' ? ['+'] : combo.split('+'));

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] WebKitGTK through WebDriver

const webdriverKeys = {
  Control: '\uE009', Shift: '\uE008', Alt: '\uE00A', Meta: '\uE03D', Enter: '\uE007', Backspace: '\uE003', Tab: '\uE004',
  Escape: '\uE00C', ArrowLeft: '\uE012', ArrowUp: '\uE013', ArrowRight: '\uE014', ArrowDown: '\uE015', Home: '\uE011',
  End: '\uE010', Delete: '\uE017', Insert: '\uE016', PageUp: '\uE00E', PageDown: '\uE00F', Space: ' ',
};
const shiftedKeys = { '~': '`', '!': '1', '@': '2', '#': '3', $: '4', '%': '5', '^': '6', '&': '7', '*': '8', '(': '9', ')': '0',
                      _: '-', '+': '=', '{': '[', '}': ']', '|': '\\', ':': ';', '"': "'", '<': ',', '>': '.', '?': '/' };
const webdriverKey = (name) => webdriverKeys[name] || (name.length === 1 ? name : (() => { throw new Error(`no WebDriver key for ${name}`); })());

// A WebDriver command over plain HTTP, without a client-side time limit: a script the page runs (seeding a 100k
// book) may take minutes, and the driver's own script timeout is the one that counts.
function webdriverRequest(method, url, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = http.request(url, { method, headers: payload ? { 'Content-Type': 'application/json',
                                                                       'Content-Length': Buffer.byteLength(payload) } : {} }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => {
        try { resolve({ ok: response.statusCode < 300, reply: JSON.parse(text) }); } catch (error) { reject(error); }
      });
    });
    request.on('error', reject);
    if (payload) request.write(payload);
    request.end();
  });
}

class WebDriverSession {
  constructor(base, id) { this.base = base; this.id = id; this.queue = Promise.resolve(); }
  // One command at a time: WebDriver acts on the session's current window, and pages switch it.
  call(method, route, body) {
    const run = async () => {
      const { ok, reply } = await webdriverRequest(method, `${this.base}/session/${this.id}${route}`, body);
      if (!ok) throw new Error(`WebDriver ${method} ${route}: ${reply.value && (reply.value.message || reply.value.error)}`);
      return reply.value;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => {});
    return next;
  }
}

class WebKitPage {
  constructor(context, handle) {
    this.contextRef = context;
    this.session = context.session;
    this.handle = handle;
    this.listeners = { console: [], pageerror: [] };
    this.pointer = { x: 0, y: 0 };
    this.keyboard = {
      press: (combo) => this.keys(keyParts(combo), true),
      down: (key) => this.actions([{ type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value: webdriverKey(key) }] }]),
      up: (key) => this.actions([{ type: 'key', id: 'keyboard', actions: [{ type: 'keyUp', value: webdriverKey(key) }] }]),
      type: (text) => this.typeText(text),
      // WebDriver has no input-method commit: the characters are typed, one key event each, as a
      // hardware keyboard with those keys would (the app takes both paths).
      insertText: (text) => this.typeText(text),
    };
    this.mouse = {
      move: (x, y) => this.pointerActions('mouse', [{ type: 'pointerMove', x: Math.round(x), y: Math.round(y), origin: 'viewport' }]),
      down: () => this.pointerActions('mouse', [{ type: 'pointerDown', button: 0 }]),
      up: () => this.pointerActions('mouse', [{ type: 'pointerUp', button: 0 }]),
      // As a hand does it: the pointer arrives, rests a frame, presses, releases a frame later. (Sent as one burst,
      // WebKit can hand the press to the page before the move.)
      click: (x, y) => this.pointerActions('mouse', [{ type: 'pointerMove', x: Math.round(x), y: Math.round(y), origin: 'viewport' },
                                                      { type: 'pause', duration: 50 }, { type: 'pointerDown', button: 0 },
                                                      { type: 'pause', duration: 50 }, { type: 'pointerUp', button: 0 }]),
      wheel: (dx, dy) => this.actions([{ type: 'wheel', id: 'wheel', actions: [{ type: 'scroll', x: Math.round(this.pointer.x),
                                                                                  y: Math.round(this.pointer.y), deltaX: dx, deltaY: dy, origin: 'viewport' }] }]),
    };
    this.touchscreen = {
      tap: (x, y) => this.pointerActions('touch', [{ type: 'pointerMove', x: Math.round(x), y: Math.round(y), origin: 'viewport' },
                                                    { type: 'pointerDown', button: 0 }, { type: 'pause', duration: 50 },
                                                    { type: 'pointerUp', button: 0 }]),
    };
  }
  async focus() {
    if (this.contextRef.current !== this.handle) {
      await this.session.call('POST', '/window', { handle: this.handle });
      this.contextRef.current = this.handle;
    }
  }
  context() { return this.contextRef; }
  on(event, listener) { (this.listeners[event] || (this.listeners[event] = [])).push(listener); }
  async actions(sources) {
    await this.focus();
    await this.session.call('POST', '/actions', { actions: sources });
    await this.session.call('DELETE', '/actions');
  }
  pointerActions(pointerType, steps) {
    for (const step of steps) if (step.type === 'pointerMove') this.pointer = { x: step.x, y: step.y };
    return this.actions([{ type: 'pointer', id: pointerType, parameters: { pointerType }, actions: steps }]);
  }
  keys(parts, release) {
    const down = parts.map((k) => ({ type: 'keyDown', value: webdriverKey(k) }));
    const up = release ? parts.slice().reverse().map((k) => ({ type: 'keyUp', value: webdriverKey(k) })) : [];
    return this.actions([{ type: 'key', id: 'keyboard', actions: [...down, ...up] }]);
  }
  // WebKitGTK's automation types a shifted character as its unshifted key ('@' arrives as '2', 'A' as 'a'):
  // those go as Shift and the key, as on a US keyboard.
  typeText(text) {
    const steps = [];
    for (const ch of text) {
      const base = shiftedKeys[ch] || (ch >= 'A' && ch <= 'Z' ? ch.toLowerCase() : null);
      if (base) {
        steps.push({ type: 'keyDown', value: webdriverKeys.Shift }, { type: 'keyDown', value: base }, { type: 'keyUp', value: base },
                   { type: 'keyUp', value: webdriverKeys.Shift });
      } else {
        steps.push({ type: 'keyDown', value: ch }, { type: 'keyUp', value: ch });
      }
    }
    return this.actions([{ type: 'key', id: 'keyboard', actions: steps }]);
  }
  async goto(url) {
    await this.focus();
    await this.session.call('POST', '/url', { url });
  }
  async reload() {
    await this.focus();
    await this.session.call('POST', '/refresh', {});
  }
  // The function runs in the page, its promise awaited; arguments and result travel as JSON.
  async evaluate(fn, arg) {
    await this.focus();
    const script = `const done = arguments[arguments.length - 1];
      Promise.resolve().then(() => (${fn.toString()})(arguments[0]))
        .then((value) => done({ value: value === undefined ? null : value }), (error) => done({ error: String(error && error.stack || error) }));`;
    const reply = await this.session.call('POST', '/execute/async', { script, args: [arg === undefined ? null : arg] });
    await this.drainConsole();
    if (reply && reply.error) throw new Error(`in the page: ${reply.error}`);
    return reply ? reply.value : undefined;
  }
  // What the app's test hooks caught of console.error/warn and uncaught errors (WebDriver has no console).
  async drainConsole() {
    if (!this.listeners.console.length && !this.listeners.pageerror.length) return;
    const messages = await this.session.call('POST', '/execute/sync', {
      script: 'return window.crmTest && window.crmTest.takeConsole ? window.crmTest.takeConsole() : []', args: [] });
    for (const m of messages || []) {
      if (m.type === 'pageerror') this.listeners.pageerror.forEach((l) => l(new Error(m.text)));
      else this.listeners.console.forEach((l) => l({ type: () => m.type, text: () => m.text }));
    }
  }
  async waitForFunction(fn, arg, options = {}) {
    const timeout = options.timeout ?? 30000;
    const start = Date.now();
    for (;;) {
      let value;
      try { value = await this.evaluate(fn, arg); } catch (error) { if (Date.now() - start > timeout) throw error; }
      if (value) return value;
      if (Date.now() - start > timeout) throw new Error(`waitForFunction timed out after ${timeout} ms: ${fn}`);
      await sleep(50);
    }
  }
  waitForTimeout(ms) { return sleep(ms); }
  async screenshot(options = {}) {
    await this.focus();
    const buffer = Buffer.from(await this.session.call('GET', '/screenshot'), 'base64');
    if (options.path) fs.writeFileSync(options.path, buffer);
    return buffer;
  }
  async setViewportSize({ width, height }) {
    await this.focus();
    // The window's size includes MiniBrowser's own bars: measure them once, then ask for the page's size plus them.
    const inner = await this.evaluate(() => ({ w: window.innerWidth, h: window.innerHeight }));
    const outer = await this.session.call('GET', '/window/rect');
    await this.session.call('POST', '/window/rect', { width: width + (outer.width - inner.w), height: height + (outer.height - inner.h) });
  }
  async close() {
    await this.focus();
    await this.session.call('DELETE', '/window');
    this.contextRef.current = null;
  }
}

class WebKitContext {
  constructor(options) { this.options = options; this.openPages = []; }
  async start() {
    const port = await freePort();
    const env = { ...process.env, DISPLAY: await display(), LANG: posixLocale(this.options.locale), LANGUAGE: (this.options.locale || 'en-US').replace('-', '_') };
    this.driver = spawn('WebKitWebDriver', [`--port=${port}`], { stdio: ['ignore', 'ignore', 'pipe'], env });
    let log = '';
    this.driver.stderr.on('data', (chunk) => { log += chunk; });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        const { ok, reply } = await webdriverRequest('POST', `${base}/session`, { capabilities: { alwaysMatch: {
          browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: miniBrowser, args: ['--automation'] } } } });
        if (!ok) throw new Error(JSON.stringify(reply));
        this.session = new WebDriverSession(base, reply.value.sessionId);
        break;
      } catch (error) {
        if (i > 100 || this.driver.exitCode !== null) throw new Error(`WebKitWebDriver did not start a session: ${error.message} ${log}`);
        await sleep(100);
      }
    }
    // A page's script may run as long as the test lets it (a benchmark seeds a big book in one call).
    await this.session.call('POST', '/timeouts', { script: 10 * 60 * 1000 });
    this.firstHandle = await this.session.call('GET', '/window');
    this.current = this.firstHandle;
    return this;
  }
  async newPage() {
    let handle = this.firstHandle;
    if (this.openPages.length) {
      handle = (await this.session.call('POST', '/window/new', { type: 'window' })).handle;
    }
    const page = new WebKitPage(this, handle);
    this.openPages.push(page);
    if (this.options.viewport) await page.setViewportSize(this.options.viewport);
    return page;
  }
  async setOffline() { throw new Error('WebKitWebDriver cannot cut the network of a session (no such command)'); }
  async grantPermissions() { throw new Error('WebKitWebDriver cannot grant permissions'); }
  async close() {
    try { await this.session.call('DELETE', ''); } catch { /* already gone */ }
    this.driver.kill('SIGTERM');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Firefox through WebDriver BiDi (puppeteer-core)

class FirefoxPage {
  constructor(context, page) {
    this.contextRef = context;
    this.page = page;
    const keyboard = page.keyboard;
    this.keyboard = {
      press: async (combo) => {
        const parts = keyParts(combo);
        for (const k of parts.slice(0, -1)) await keyboard.down(k);
        await keyboard.press(parts[parts.length - 1]);
        for (const k of parts.slice(0, -1).reverse()) await keyboard.up(k);
      },
      down: (key) => keyboard.down(key),
      up: (key) => keyboard.up(key),
      type: (text) => keyboard.type(text),
      // WebDriver BiDi inserts one character at a time.
      insertText: async (text) => { for (const ch of text) await keyboard.sendCharacter(ch); },
    };
    this.mouse = {
      move: (x, y) => page.mouse.move(x, y),
      down: () => page.mouse.down(),
      up: () => page.mouse.up(),
      click: (x, y) => page.mouse.click(x, y),
      wheel: (dx, dy) => page.mouse.wheel({ deltaX: dx, deltaY: dy }),
    };
    this.touchscreen = {
      tap: (x, y) => page.touchscreen.tap(x, y),
      drag: async (from, to, steps) => {
        await page.touchscreen.touchStart(from.x, from.y);
        for (let i = 1; i <= steps; i++) {
          await page.touchscreen.touchMove(from.x + ((to.x - from.x) * i) / steps, from.y + ((to.y - from.y) * i) / steps);
          await sleep(16);
        }
        await page.touchscreen.touchEnd();
      },
    };
  }
  context() { return this.contextRef; }
  on(event, listener) {
    if (event === 'console') {
      // playwright's name for a warning is 'warning'; puppeteer's is 'warn'.
      this.page.on('console', (m) => listener({ type: () => (m.type() === 'warn' ? 'warning' : m.type()), text: () => m.text() }));
    } else {
      this.page.on(event, listener);
    }
  }
  goto(url) { return this.page.goto(url); }
  reload() { return this.page.reload(); }
  evaluate(fn, arg) { return this.page.evaluate(fn, arg); }
  waitForFunction(fn, arg, options = {}) { return this.page.waitForFunction(fn, { timeout: options.timeout ?? 30000, polling: 50 }, arg); }
  waitForTimeout(ms) { return sleep(ms); }
  async screenshot(options = {}) {
    const buffer = Buffer.from(await this.page.screenshot());
    if (options.path) fs.writeFileSync(options.path, buffer);
    return buffer;
  }
  setViewportSize({ width, height }) { return this.page.setViewport({ ...this.contextRef.viewport(), width, height }); }
  close() { return this.page.close(); }
}

class FirefoxContext {
  constructor(options) { this.options = options; }
  viewport() {
    const { viewport = { width: 1280, height: 720 }, deviceScaleFactor = 1, hasTouch = false } = this.options;
    return { ...viewport, deviceScaleFactor, hasTouch };
  }
  async start() {
    const { default: puppeteer } = await import('puppeteer-core');
    this.profile = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-firefox-'));
    const locale = this.options.locale || 'en-US';
    // A context may ask for headless Firefox itself (no window, as a server without a display runs it).
    const headless = this.options.headless ?? false;
    this.browser = await puppeteer.launch({
      browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless, userDataDir: this.profile,
      env: { ...process.env, DISPLAY: headless ? '' : await display(), LANG: posixLocale(locale) },
      extraPrefsFirefox: { 'intl.accept_languages': locale, 'intl.locale.requested': locale, ...this.touchPrefs(),
                           ...(this.options.firefoxPrefs || {}) },
    });
    return this;
  }
  // A touch device: a coarse pointer without hover for the media queries, touch events, touch points.
  touchPrefs() {
    if (!this.options.hasTouch) return {};
    return { 'ui.primaryPointerCapabilities': 1, 'ui.allPointerCapabilities': 1, 'dom.w3c_touch_events.enabled': 1,
             'dom.maxtouchpoints.testing.value': 5 };
  }
  async newPage() {
    const page = await this.browser.newPage();
    await page.setViewport(this.viewport());
    return new FirefoxPage(this, page);
  }
  async setOffline(offline) {
    for (const page of await this.browser.pages()) await page.setOfflineMode(offline);
  }
  async grantPermissions() { throw new Error('permissions are not granted through WebDriver BiDi here'); }
  async close() {
    await this.browser.close();
    fs.rmSync(this.profile, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] launching

export async function launchEngine(name, { chromiumLaunch } = {}) {
  if (name === 'chromium') return chromiumLaunch();
  const contexts = new Set();
  const make = name === 'webkit' ? (o) => new WebKitContext(o) : (o) => new FirefoxContext(o);
  if (!engineNames.includes(name)) throw new Error(`unknown engine '${name}' (${engineNames.join(', ')})`);
  return {
    engine: name,
    async newContext(options = {}) {
      const context = await make(options).start();
      contexts.add(context);
      const close = context.close.bind(context);
      context.close = async () => { contexts.delete(context); await close(); };
      return context;
    },
    async close() {
      for (const context of [...contexts]) await context.close();
    },
  };
}
