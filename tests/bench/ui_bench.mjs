// UI benchmark, headless Chromium (./crm bench runs it).
// Usage: node ui_bench.mjs RESULTS.jsonl
//
//  - ui.frame_ms@100k: the C++ frame (web/main.cpp Frame(): input, the screens, ImGui's render lists and
//    their WebGL draw calls), measured inside the app with emscripten_get_now, while a person scrolls
//    a 100k-customer list with the wheel, drags its scrollbar deep into the book, searches and
//    filters it. Median and p95 as separate lines; the screens' own share (DrawApp) rides along.
//  - ui.first_frame_ms: navigation start to the first interactive frame, on a new profile (cold:
//    nothing cached) and on a second load (warm: the service worker's cache).
//  - ui.atlas_ms: building the glyph atlas (ui/fonts.cpp measures each build), the first one and a
//    rebuild after the list showed thousands of names.
//  - ui.wasm_gzip_bytes: the release wasm (build/wasm/site/crm.wasm) gzipped; fonts are in crm.data.
// With CRM_ENGINE=webkit or firefox (./crm bench runs both after Chromium), only the frames over the 100k list,
// reported as ui.frame_ms@100k.*.<engine> with Chromium's figure from the same run's results as the peer.
// One JSON line per result (tests/bench/bench_json.h's shape). It measures; it never asserts a time.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { chromiumArgs, engine, launchBrowser, startRelay } from '../e2e/lib/harness.mjs';
import { createLocalAccount, typeInto } from '../e2e/lib/platform_helpers.mjs';
import { chromiumFigure } from './engine_peer.mjs';

const resultsFile = process.argv[2] || 'build/bench/results.jsonl';
const releaseSite = process.env.CRM_RELEASE_SITE || path.resolve('build/wasm/site');
const size = Number(process.env.CRM_UI_BENCH_CUSTOMERS || 100000);

function percentile(samples, p) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))] : null;
}
const round = (v) => (v === null || v === undefined ? null : Math.round(v * 1000) / 1000);
// In another engine, a result's name gets the engine's and its peer is Chromium's figure of this run.
function emit(result) {
  const other = engine !== 'chromium';
  const line = { bench: other ? `${result.name}.${engine}` : result.name, value: round(result.value), unit: result.unit,
                 target: result.target ?? null, better: result.better || 'lower', peer: other ? chromiumFigure(resultsFile, result.name) : null,
                 ...(other ? { peer_name: 'chromium, same run' } : {}), ...(result.extra || {}) };
  fs.appendFileSync(resultsFile, JSON.stringify(line) + '\n');
  console.log(`${line.bench.padEnd(34)} ${String(line.value).padStart(12)} ${line.unit}${line.target !== null ? `  (target ${line.target})` : ''}`);
}

const state = (page) => page.evaluate(() => window.crmTest.state());
async function waitFor(page, predicate, what, timeout = 60000) {
  const start = Date.now();
  while (Date.now() - start < timeout) {
    const s = await state(page);
    if (predicate(s)) return s;
    await page.waitForTimeout(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}
async function click(page, label) {
  const rect = await page.evaluate((l) => window.crmTest.find(l), label);
  if (!rect) throw new Error(`no item ${label}`);
  await page.mouse.click(rect.x + rect.width / 2, rect.y + rect.height / 2);
}
async function waitGone(page, label) {
  for (let i = 0; i < 200; i++) {
    if (!(await page.evaluate((l) => window.crmTest.find(l), label))) return;
    await page.waitForTimeout(50);
  }
  throw new Error(`${label} is still there`);
}
async function waitItem(page, label) {
  for (let i = 0; i < 200; i++) {
    if (await page.evaluate((l) => window.crmTest.find(l), label)) return;
    await page.waitForTimeout(50);
  }
  throw new Error(`no item ${label} appeared`);
}

async function launch(profile) {
  return chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, args: chromiumArgs, viewport: { width: 1280, height: 800 }, locale: 'zh-CN',
  });
}

async function open(context, url) {
  // A persistent Chromium context comes with a page; another engine's context opens one.
  const page = (context.pages && context.pages()[0]) || await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => window.crmTest !== undefined, null, { timeout: 60000 });
  await page.evaluate(() => window.crmTest.ready());
  return page;
}

// What a person does with a big list: wheel down, drag the scrollbar deep, search, filter, sort.
// Frames are collected per phase (reading the samples empties them), so the slowest frame can be named by what
// the person was doing.
const phases = [];
async function phase(page, name) {
  const samples = await page.evaluate(() => window.crmTest.frameSamples());
  phases.push({ name, samples });
}

async function scrollAndFilter(page) {
  let s = await state(page);
  const rect = s.list.rect;
  const inside = { x: rect.x + rect.w / 2, y: rect.y + rect.h / 2 };
  await page.mouse.move(inside.x, inside.y);
  for (let i = 0; i < 60; i++) {
    await page.mouse.wheel(0, 240);
    await page.waitForTimeout(20);
  }
  await phase(page, 'wheel down');
  // The scrollbar's grab sits at the top of the right edge: drag it down the track in steps.
  const barX = rect.x + rect.w - s.list.scrollbar / 2 - 1;
  await page.mouse.move(barX, rect.y + 4);
  await page.mouse.down();
  for (let i = 1; i <= 24; i++) {
    await page.mouse.move(barX, rect.y + 4 + ((rect.h - 8) * i) / 24);
    await page.waitForTimeout(40);
  }
  await page.mouse.up();
  await phase(page, 'scrollbar drag');
  s = await state(page);
  const deepest = s.list.first;
  for (let i = 0; i < 30; i++) {
    await page.mouse.wheel(0, -240);
    await page.waitForTimeout(20);
  }
  await phase(page, 'wheel up');
  // Search (core search inside the list query), then a class filter, then another sort.
  await typeInto(page, 'search', '门窗');
  await waitFor(page, (x) => x.appliedSearch === '门窗', 'the search');
  await phase(page, 'search');
  for (let i = 0; i < 20; i++) {
    await page.mouse.wheel(0, 240);
    await page.waitForTimeout(20);
  }
  await phase(page, 'scroll the matches');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await waitFor(page, (x) => x.appliedSearch === '', 'the search cleared');
  await phase(page, 'search cleared');
  await click(page, 'filter_grade');
  await waitItem(page, 'filter_grade_1');
  await click(page, 'filter_grade_1');
  await waitGone(page, 'filter_grade_1');
  await waitFor(page, (x) => x.list.total < size && x.list.total > 0, 'class A');
  await phase(page, 'class filter');
  for (let i = 0; i < 20; i++) {
    await page.mouse.wheel(0, 240);
    await page.waitForTimeout(20);
  }
  await phase(page, 'scroll class A');
  await click(page, 'sort');
  await waitItem(page, 'sort_1');
  await click(page, 'sort_1');  // by name
  await waitGone(page, 'sort_1');
  await page.waitForTimeout(300);
  await phase(page, 'sort by name');
  for (let i = 0; i < 20; i++) {
    await page.mouse.wheel(0, 240);
    await page.waitForTimeout(20);
  }
  await phase(page, 'scroll by name');
  return deepest;
}

const relay = await startRelay();
const profiles = [];
// Another engine: a browser of its own per context (tests/e2e/lib/engines.mjs), on a new profile.
const otherEngine = engine !== 'chromium' ? await launchBrowser() : null;
try {
  // ---- first interactive frame, cold and warm; the atlas's first build ----
  const cold = [];
  if (!otherEngine) {
  const warm = [];
  const atlasFirst = [];
  for (let round = 0; round < 3; round++) {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-uibench-'));
    profiles.push(profile);
    const context = await launch(profile);
    try {
      let page = await open(context, relay.url);
      cold.push(await page.evaluate(() => window.crmTest.readyAt));
      atlasFirst.push((await state(page)).glyphs.lastBuildMs);
      // Let the service worker finish caching before the warm load.
      await page.waitForTimeout(1500);
      await page.reload();
      await page.waitForFunction(() => window.crmTest !== undefined, null, { timeout: 60000 });
      await page.evaluate(() => window.crmTest.ready());
      warm.push(await page.evaluate(() => window.crmTest.readyAt));
    } finally {
      await context.close();
    }
  }
  emit({ name: 'ui.first_frame_ms.cold', value: percentile(cold, 0.5), unit: 'ms', extra: { samples: cold.map(round) } });
  emit({ name: 'ui.first_frame_ms.warm', value: percentile(warm, 0.5), unit: 'ms', extra: { samples: warm.map(round) } });
  }

  // ---- frames over a 100k book ----
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-uibench-'));
  profiles.push(profile);
  const context = otherEngine ? await otherEngine.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })
                              : await launch(profile);
  try {
    const page = await open(context, relay.url);
    await createLocalAccount(page);
    const seeded = Date.now();
    const seq = await page.evaluate((n) => window.crmTest.seed(n), size);
    await page.evaluate((q) => window.crmTest.whenDurable(q), seq);
    let s = await waitFor(page, (x) => x.list.total === size, `the list to show ${size} customers`);
    console.error(`[ui bench] ${size} customers seeded in ${Date.now() - seeded} ms`);
    await page.waitForTimeout(500);
    await page.evaluate(() => window.crmTest.sampleFrames(true));
    const deepest = await scrollAndFilter(page);
    await page.evaluate(() => window.crmTest.sampleFrames(false));
    const samples = { frame: [], ui: [], parts: [] };
    for (const p of phases) {
      for (const k of Object.keys(samples)) samples[k].push(...p.samples[k]);
      const worst = p.samples.frame.reduce((m, v, i) => (v > p.samples.frame[m] ? i : m), 0);
      console.error(`[ui bench] ${p.name.padEnd(20)} ${String(p.samples.frame.length).padStart(4)} frames, slowest ${
        (p.samples.frame[worst] ?? 0).toFixed(1)} ms (screens ${(p.samples.ui[worst] ?? 0).toFixed(1)}, render ${
        (p.samples.parts[worst]?.[1] ?? 0).toFixed(1)})`);
    }
    s = await state(page);
    const frames = samples.frame;
    // The slowest frames, with the screens' share of each: where the time went.
    const slowest = frames.map((v, i) => [v, samples.ui[i], ...samples.parts[i]]).sort((a, b) => b[0] - a[0]).slice(0, 10);
    console.error(`[ui bench] slowest frames (frame / screens / atlas / render / storage ms): ${
      slowest.map((f) => f.map((v) => v.toFixed(1)).join('/')).join('  ')}`);
    const part = (k) => round(percentile(samples.parts.map((p) => p[k]), 0.95));
    const extra = { customers: size, frames: frames.length, deepest_row: deepest, max_ms: round(Math.max(...frames)),
                    over_16ms: frames.filter((v) => v > 16).length, over_50ms: frames.filter((v) => v > 50).length,
                    ui_median_ms: round(percentile(samples.ui, 0.5)), ui_p95_ms: round(percentile(samples.ui, 0.95)),
                    page_loads: s.list.pageLoads, max_ui_ms: round(Math.max(...samples.ui)),
                    atlas_p95_ms: part(0), render_p95_ms: part(1), storage_p95_ms: part(2) };
    emit({ name: 'ui.frame_ms@100k.median', value: percentile(frames, 0.5), unit: 'ms', target: 4, extra });
    emit({ name: 'ui.frame_ms@100k.p95', value: percentile(frames, 0.95), unit: 'ms', target: 4, extra });
    // The same frames without the WebGL submission (web/renderer.cpp Render): headless Chromium
    // draws in software (swiftshader) in its GPU process, and on a loaded machine that call waits for it.
    const withoutGl = frames.map((v, i) => v - samples.parts[i][1]);
    emit({ name: 'ui.frame_ms@100k.without_gl_submit.median', value: percentile(withoutGl, 0.5), unit: 'ms', target: 4,
           extra: { customers: size, frames: frames.length, max_ms: round(Math.max(...withoutGl)) } });
    emit({ name: 'ui.frame_ms@100k.without_gl_submit.p95', value: percentile(withoutGl, 0.95), unit: 'ms', target: 4,
           extra: { customers: size, frames: frames.length, max_ms: round(Math.max(...withoutGl)) } });
    if (!otherEngine) {
      emit({ name: 'ui.atlas_ms.first', value: percentile(atlasFirst, 0.5), unit: 'ms',
             extra: { samples: atlasFirst.map(round), note: 'Latin and every UI string, at a pixel ratio of 1' } });
    }
    emit({ name: 'ui.atlas_ms.rebuild', value: s.glyphs.lastBuildMs, unit: 'ms',
           extra: { builds: s.glyphs.builds, extra_glyphs: s.glyphs.extra, note: 'after scrolling the 100k list: the atlas holds its names' } });
  } finally {
    await context.close();
  }
} finally {
  relay.stop();
  if (otherEngine) await otherEngine.close();
  for (const profile of profiles) fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}

// ---- download size ----
if (otherEngine) process.exit(0);
const wasm = fs.readFileSync(path.join(releaseSite, 'crm.wasm'));
const js = fs.readFileSync(path.join(releaseSite, 'crm.js'));
const data = fs.readFileSync(path.join(releaseSite, 'crm.data'));
emit({ name: 'ui.wasm_gzip_bytes', value: zlib.gzipSync(wasm, { level: 9 }).length, unit: 'bytes', target: 1.5 * 1024 * 1024,
       extra: { wasm_bytes: wasm.length, js_gzip_bytes: zlib.gzipSync(js, { level: 9 }).length,
                fonts_data_gzip_bytes: zlib.gzipSync(data, { level: 9 }).length, site: releaseSite } });
