// Chromium launched by the test itself (not by Playwright), on a profile
// directory that outlives it: the test knows the browser's pid, so it can kill
// the whole browser the way a power cut or an OOM kill would, then start it
// again on the same profile. Playwright attaches over CDP.
import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';
import { chromiumArgs } from './harness.mjs';

export async function launchOwnChromium(profileDir) {
  // A process group of its own: SIGKILL to the group takes the renderers and GPU process too.
  const child = spawn('/usr/bin/chromium', [
    '--headless', '--remote-debugging-port=0', `--user-data-dir=${profileDir}`, ...chromiumArgs, 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let log = '';
  const endpoint = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`chromium did not start: ${log}`)), 30000);
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const match = log.match(/DevTools listening on (ws:\/\/\S+)/);
      if (match) { clearTimeout(timer); resolve(match[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`chromium exited (${code}): ${log}`)); });
  });
  const browser = await chromium.connectOverCDP(endpoint);
  return {
    browser,
    context: browser.contexts()[0],
    pid: child.pid,
    // Like pulling the plug on the browser: no unload, no flush, no goodbye.
    kill() {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
      return new Promise((resolve) => (child.exitCode !== null || child.signalCode ? resolve() : child.on('exit', resolve)));
    },
    async close() {
      await browser.close().catch(() => {});
      const exited = new Promise((resolve) => (child.exitCode !== null || child.signalCode ? resolve() : child.on('exit', resolve)));
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
