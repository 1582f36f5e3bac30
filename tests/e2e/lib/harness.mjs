// Shared set-up for browser tests: starts crm-relay on a free port serving the
// test build, launches the engine CRM_ENGINE names (Debian's headless Chromium
// through playwright-core by default; WebKitGTK or Firefox ESR: lib/engines.mjs),
// fails a test on any console error or warning it did not provoke on purpose,
// and reports in a form ctest and people can read.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { engineNames, freePort, launchEngine } from './engines.mjs';

export const outDir = process.env.CRM_E2E_OUT || path.resolve('build/e2e');
// The engine this run drives; a test runs in the others only when it says so (run()'s third element).
export const engine = process.env.CRM_ENGINE || 'chromium';
export const everyEngine = { engines: engineNames };
// An edit is kept as long as this window keeps anything: on disk, or (a private window, as WebKit's automation
// session is) until the window closes, which the app says ('in-window-only').
export const savedHere = (s) => s.save === 'saved' || (s.save === 'in-window-only' && s.storage.mode === 'indexeddb');
// WebKitGTK on a desktop has no touch device to emulate (no coarse pointer, no touch events through WebDriver).
export const touchEngines = { engines: ['chromium', 'firefox'] };
const relayBinary = process.env.CRM_RELAY;
const siteDir = process.env.CRM_SITE;

export const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-gl=swiftshader', '--enable-unsafe-swiftshader',
];

// The relays' stores, removed when the test process ends (a relay's own exit may come later).
const storeDirs = [];
process.on('exit', () => {
  for (const dir of storeDirs) fs.rmSync(dir, { recursive: true, force: true });
});

// `site` defaults to the test build; tests that change the served files pass a copy.
export async function startRelay(site = siteDir) {
  if (!relayBinary || !site) throw new Error('CRM_RELAY and CRM_SITE must be set (ctest sets them)');
  if (!fs.existsSync(path.join(site, 'crm.js'))) throw new Error(`no test build in ${site}: run ./crm build`);
  const port = await freePort();
  // A store of its own: relays running side by side (or one after another) must not share one.
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-e2e-relay-'));
  const child = spawn(relayBinary, ['--listen', `127.0.0.1:${port}`, '--static', site, '--store', `sqlite:${path.join(storeDir, 'relay.db')}`],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  storeDirs.push(storeDir);
  let log = '';
  child.stderr.on('data', (chunk) => { log += chunk; });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(url + 'healthz');
      if (res.ok) return { url, stop: () => child.kill('SIGTERM'), log: () => log, child };
    } catch { /* not up yet */ }
    if (child.exitCode !== null) throw new Error(`crm-relay exited: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`crm-relay did not answer on ${url}: ${log}`);
}

export async function launchBrowser(options = {}) {
  return launchEngine(engine, { ...options,
    chromiumLaunch: () => chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: chromiumArgs }) });
}

// Console errors and warnings, and uncaught page errors, fail the test they happen in (run() checks after
// each test), on every page a test opens through openApp or hands to watchConsole.
let consoleProblems = [];
let currentFile = '';

// The only messages a test may cause, each provoked on purpose (by the named test file, or without one by
// the harness itself). Prefer an app that logs nothing in an expected situation over a new entry here.
const expectedConsole = [
  // Chromium itself logs every request that fails or is refused; page code cannot silence it, the app
  // handles both. The sync tests cut the network (setOffline) while the app keeps trying to sync, and the
  // trial test signs in with a password the relay refuses (401, as docs/PROTOCOL.md says it answers).
  { files: ['sync', 'user_seat'], pattern: /^error: Failed to load resource: net::ERR_INTERNET_DISCONNECTED$/ },
  // Firefox itself logs the service worker it may not register where the user blocked the site's data (the
  // storage test's memory-only check); the app says it runs in memory.
  { files: ['storage'], pattern: /^pageerror: Error: Failed to register\/update a ServiceWorker for scope .*Storage access is restricted/ },
  { files: ['trial'], pattern: /^error: Failed to load resource: the server responded with a status of 401 \(Unauthorized\)$/ },
  // The device_wipe and company_customers tests' admin revokes a browser's device: the relay answers it 403 device_revoked.
  { files: ['device_wipe', 'company_customers'], pattern: /^error: Failed to load resource: the server responded with a status of 403 \(Forbidden\)$/ },
  // The test browser composites in software (--disable-gpu), so WebGL frames are read back to the CPU;
  // SwiftShader's GL driver reports each readback as a stall. No real browser of a user does this.
  { pattern: /GL Driver Message \(OpenGL, Performance, .*\): GPU stall due to ReadPixels/ },
];

function expected(text) {
  return expectedConsole.some((entry) => (!entry.files || entry.files.includes(currentFile)) && entry.pattern.test(text));
}

// Watches a page's console; returns the list of its unexpected messages (kept current).
export function watchConsole(page) {
  const problems = [];
  const note = (text) => {
    if (expected(text)) return;
    problems.push(text);
    consoleProblems.push(text);
  };
  page.on('console', (message) => {
    const type = message.type();
    if (type === 'error' || type === 'warning') note(`${type}: ${message.text()}`);
  });
  page.on('pageerror', (error) => note(`pageerror: ${error}`));
  return problems;
}

// Opens the app in a fresh page and waits for window.crmTest.ready().
export async function openApp(context, url) {
  const page = await context.newPage();
  const consoleErrors = watchConsole(page);
  await page.goto(url);
  await page.waitForFunction(() => window.crmTest !== undefined, null, { timeout: 30000 });
  await page.evaluate(() => window.crmTest.ready());
  return { page, consoleErrors };
}

// Clicks where the item is once it has stopped moving: a font atlas rebuild or
// a notice arriving in the first frames can shift a button under a slow machine.
export async function clickItem(page, label) {
  let rect = await page.evaluate((l) => window.crmTest.find(l), label);
  if (!rect) throw new Error(`no ImGui item '${label}' in the last frame`);
  for (const start = Date.now(); Date.now() - start < 5000;) {
    await page.waitForTimeout(30);
    const again = await page.evaluate((l) => window.crmTest.find(l), label);
    if (!again) break;
    const still = again.x === rect.x && again.y === rect.y && again.width === rect.width && again.height === rect.height;
    rect = again;
    if (still) break;
  }
  await page.mouse.click(rect.x + rect.width / 2, rect.y + rect.height / 2);
  return rect;
}

// Waits until state() satisfies `predicate` (frames are asynchronous).
export async function waitForState(page, predicate, what, timeout = 10000) {
  const start = Date.now();
  let state;
  while (Date.now() - start < timeout) {
    state = await page.evaluate(() => window.crmTest.state());
    if (predicate(state)) return state;
    await page.waitForTimeout(50);
  }
  throw new Error(`timed out waiting for ${what}; last state: ${JSON.stringify(state)}`);
}

export async function screenshot(page, name) {
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${engine === 'chromium' ? '' : `${engine}-`}${name}.png`);
  const buffer = await page.screenshot({ path: file });
  return { file, buffer };
}

// A minimal runner: each check is named, failures are collected, and the last
// line is the plain 'N passed, N failed' summary. A check is [title, body] or
// [title, body, { engines }]: without engines it runs in Chromium only.
export async function run(name, allTests) {
  const tests = allTests.filter(([, , options]) => (options && options.engines ? options.engines : ['chromium']).includes(engine));
  if (!tests.length) throw new Error(`no check of ${name} runs in ${engine}`);
  let passed = 0;
  let failed = 0;
  currentFile = name;
  const relay = await startRelay();
  const browser = await launchBrowser();
  try {
    for (const [title, body] of tests) {
      const started = Date.now();
      consoleProblems = [];
      try {
        await body({ browser, url: relay.url });
        if (consoleProblems.length) throw new Error(`console errors or warnings:\n${consoleProblems.join('\n')}`);
        passed++;
        console.log(`ok   ${name} [${engine}]: ${title} (${Date.now() - started} ms)`);
      } catch (error) {
        failed++;
        console.log(`FAIL ${name} [${engine}]: ${title}\n     ${String(error && error.stack || error).split('\n').join('\n     ')}`);
      }
    }
  } finally {
    await browser.close();
    relay.stop();
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}
