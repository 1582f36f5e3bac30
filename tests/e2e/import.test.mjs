// The import wizard as an office clerk meets it: a CSV from Excel with bad rows
// is chosen through the browser's file picker, its headers are recognised, the
// preview shows the first rows, the import reports every bad row by its line
// and writes nothing; importing only the good rows writes them (in slices, no
// frame over 50 ms), and undo takes them back. The same with a GB18030 file as
// Chinese Excel saves it. Export downloads a CSV that opens in Excel with
// Chinese intact. Fixtures are generated here, not committed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert, run, screenshot, waitForState } from './lib/harness.mjs';
import { openSignedIn, state, waitForItem } from './lib/platform_helpers.mjs';
import { goTo, pointer } from './lib/workflow_helpers.mjs';

// UTF-8 → GB18030, from the two-byte table Node's own decoder knows (GB2312/GBK cover every character here).
function gb18030Encoder() {
  const decoder = new TextDecoder('gb18030');
  const table = new Map();
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      const char = decoder.decode(Uint8Array.of(lead, trail));
      if (char.length === 1 && char !== '\ufffd' && !table.has(char)) table.set(char, [lead, trail]);
    }
  }
  return (text) => {
    const bytes = [];
    for (const char of text) {
      const code = char.codePointAt(0);
      if (code < 0x80) bytes.push(code);
      else if (table.has(char)) bytes.push(...table.get(char));
      else throw new Error(`no GB18030 two-byte code for ${char}`);
    }
    return Buffer.from(bytes);
  };
}

// Eight data rows after the header (lines 2–9); lines 4, 6 and 8 are bad.
function spreadsheet(tag) {
  return [
    '客户名称,手机,城市,客户类型,备注',
    `${tag}佛山华艺门业,13800001001,佛山,经销商,老客户`,
    `${tag}南海兴盛门窗,13800001002,佛山,经销商,`,
    `,13800001003,广州,,没有名称`,
    `${tag}顺德美居建材,13800001004,佛山,分销商,`,
    `${tag}电话写错的客户,12345,深圳,,`,
    `${tag}王堃设计工作室,13800001006,广州,设计师,`,
    `${tag}类型不认识,13800001007,东莞,批发大王,`,
    `${tag}中山鑫源建材,13800001008,中山,,`,
  ].join('\r\n') + '\r\n';
}

async function chooseFile(page, input, file) {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), input.press('import_choose')]);
  await chooser.setFiles(file);
  return waitForState(page, (s) => s.import.step === 1 && s.import.file === path.basename(file) && s.import.headers.length > 0,
                      'the wizard to read the file');
}

async function importAndUndo(page, input, file, tag, encoding) {
  const before = (await state(page)).records.customers;
  let s = await chooseFile(page, input, file);
  assert(s.import.detected === encoding, `encoding detected as ${s.import.detected}, expected ${encoding}`);
  assert(JSON.stringify(s.import.mapping) === JSON.stringify(['name', 'phones', 'city', 'kind', 'notes']),
         `headers recognised: ${s.import.mapping}`);
  s = await waitForState(page, (x) => (x.import.preview || []).length === 8, 'the preview');
  assert(s.import.preview[0].name === `${tag}佛山华艺门业`, `preview row 1: ${s.import.preview[0].name}`);
  assert(s.import.preview[2].problem.startsWith('name'), `preview line 4 names its problem: ${s.import.preview[2].problem}`);
  await screenshot(page, `import-${encoding}-preview`);

  // All or nothing (the default): every bad line is reported, nothing is written.
  await input.press('import_start');
  s = await waitForState(page, (x) => x.import.step === 3 && x.import.report, 'the import to finish', 30000);
  const lines = s.import.report.errors.map((e) => e.line);
  assert(JSON.stringify(lines) === '[4,6,8]', `bad rows by line: ${lines}`);
  assert(s.import.report.errors[1].message.startsWith('phone'), `line 6: ${s.import.report.errors[1].message}`);
  assert(s.import.report.errors[2].message.startsWith('kind'), `line 8: ${s.import.report.errors[2].message}`);
  assert(!s.import.report.written && s.records.customers === before, 'nothing written while rows are bad');
  for (const line of [4, 6, 8]) await waitForItem(page, `import_error_${line}`);
  await screenshot(page, `import-${encoding}-errors`);
  assert(!(await page.evaluate(() => window.crmTest.find('import_undo'))), 'no undo offered after an import that wrote nothing');

  // Only the good rows, then undo.
  await input.press('import_valid_rows');
  s = await waitForState(page, (x) => x.import.step === 3 && x.import.report && x.import.report.written, 'the good rows', 30000);
  assert(s.import.report.created === 5 && s.import.report.failed === 3, `created ${s.import.report.created}, failed ${s.import.report.failed}`);
  assert(s.records.customers === before + 5, `customers ${s.records.customers}, expected ${before + 5}`);
  assert(s.import.maxStepMs < 50, `the slowest import slice took ${s.import.maxStepMs} ms`);
  const found = await page.evaluate((n) => window.crmTest.customer(n), `${tag}王堃设计工作室`);
  assert(found, 'a rare-character name arrived intact');
  await screenshot(page, `import-${encoding}-written`);
  await waitForItem(page, 'import_undo');
  await input.press('import_undo');
  s = await waitForState(page, (x) => x.import.undo && x.records.customers === before, 'undo to take the rows back');
  assert(s.import.undo.trashed === 5, `undo trashed ${s.import.undo.trashed}`);
  await screenshot(page, `import-${encoding}-undone`);
  await input.press('import_another');
  await waitForState(page, (x) => x.import.step === 0, 'the wizard back at its start');
}

await run('import', [
  ['a CSV with bad rows: errors by line, nothing written, good rows only, then undo (UTF-8 and GB18030)', async ({ browser, url }) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-import-'));
    const utf8 = path.join(dir, '客户名单.csv');
    fs.writeFileSync(utf8, spreadsheet('U'));
    const gb = path.join(dir, '客户名单-excel.csv');
    fs.writeFileSync(gb, gb18030Encoder()(spreadsheet('G')));
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN' });
    const { page, consoleErrors } = await openSignedIn(context, url);
    const input = pointer(page, false);
    await goTo(page, input, 'nav_import', 'import');
    // Counted from here: the frames of signing in and of the first screens are not the import's.
    const slowBefore = (await state(page)).frames.over50;
    await importAndUndo(page, input, utf8, 'U', 'utf-8');
    await importAndUndo(page, input, gb, 'G', 'gb18030');
    const s = await state(page);
    assert(s.frames.over50 - slowBefore <= 2, `frames over 50 ms while importing: ${s.frames.over50 - slowBefore}: ${JSON.stringify(s.slowFrames)}`);
    assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
    fs.rmSync(dir, { recursive: true, force: true });
    await context.close();
  }],

  ['export downloads a CSV Excel opens with Chinese intact', async ({ browser, url }) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN', acceptDownloads: true });
    const { page } = await openSignedIn(context, url);
    const input = pointer(page, false);
    await page.evaluate(() => window.crmTest.addCustomers(3, '导出测试客户'));
    await goTo(page, input, 'nav_import', 'import');
    const [download] = await Promise.all([page.waitForEvent('download'), input.press('export_csv')]);
    const s = await waitForState(page, (x) => x.import.export.message !== '', 'the export to finish');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crm-export-')), download.suggestedFilename());
    await download.saveAs(file);
    const bytes = fs.readFileSync(file);
    assert(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf, 'UTF-8 with a BOM, as Excel needs');
    const text = bytes.toString('utf8');
    assert(text.includes('客户名称') && text.includes('导出测试客户0') && text.includes('\r\n'), 'Chinese headers and names, CRLF');
    assert(s.import.export.rows === s.records.customers, `${s.import.export.rows} rows for ${s.records.customers} customers`);
    assert(/^customers-\d{4}-\d{2}-\d{2}\.csv$/.test(download.suggestedFilename()), `file name ${download.suggestedFilename()}`);
    await screenshot(page, 'import-export-done');
    await context.close();
  }],
]);
