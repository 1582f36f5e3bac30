// A relay of a test's own, set up as the README's operator does: the set-up token from its log,
// POST /v1/setup, a rep added by the admin; and signing a browser in to it.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clickItem, waitForState } from './harness.mjs';
import { typeInto, waitForItem } from './platform_helpers.mjs';

const relayBinary = process.env.CRM_RELAY;
const site = process.env.CRM_SITE;

// A relay of our own, on a fresh store, so the set-up token is in its log.
export async function startFreshRelay() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-sync-e2e-'));
  const child = spawn(relayBinary, ['--listen', '127.0.0.1:0', '--store', `sqlite:${dir}/relay.db`, '--static', site,
                                    '--password-cost', 'min'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk) => { log += chunk; });
  for (let i = 0; i < 200; i++) {
    const listening = log.split('\n').map((l) => { try { return JSON.parse(l); } catch { return null; } })
      .find((l) => l && l.msg === 'listening');
    const token = log.split('\n').map((l) => { try { return JSON.parse(l); } catch { return null; } })
      .find((l) => l && l.setup_token);
    if (listening && token) {
      return { url: listening.url, setupToken: token.setup_token, stop: () => child.kill('SIGTERM'), log: () => log, dir };
    }
    if (child.exitCode !== null) throw new Error(`crm-relay exited: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`crm-relay did not start: ${log}`);
}

export async function post(url, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

// As the README's operator does with curl: the organisation and its admin, then a rep. Returns the
// admin's sign-in (its token, for the admin API).
export async function setUpOrganisation(relay) {
  const admin = await post(`${relay.url}v1/setup`, { setup_token: relay.setupToken, organisation: '美家门窗', admin_name: '王经理',
                                                      password: 'menchuang-2026', device_id: '1', device_name: 'curl',
                                                      device_secret: randomBytes(32).toString('hex') });
  await post(`${relay.url}v1/admin/users`, { name: '张三', role: 'rep', password: 'zhangsan-2026' }, admin.token);
  return admin;
}

export async function signInOnline(page, account, password) {
  await waitForState(page, (s) => s.screen === 'welcome', 'the welcome screen');
  await clickItem(page, 'sign_in_online');
  await waitForItem(page, 'online_account');
  await typeInto(page, 'online_account', account);
  await typeInto(page, 'password', password);
  await clickItem(page, 'online_submit');
  return waitForState(page, (s) => s.screen === 'home' && s.sync.active && s.sync.confirmedSeq > 0,
                      `${account} to be signed in with the organisation's data`, 30000);
}

