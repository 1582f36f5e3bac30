// The service worker: the app starts without a network after one visit, and a
// page only ever runs one version's files. Generated into the site by
// web/make_sw.cmake, which fills in the version and each file's SHA-256.
'use strict';
const VERSION = '@CRM_SW_VERSION@';
const ASSETS = @CRM_SW_ASSETS@;  // path relative to the scope -> SHA-256 (hex)
const CACHE = 'crm-' + VERSION;

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

// Install fills this version's cache. Every file is checked against the hash this
// worker was built with: during a deploy the server may already hold some new
// files; installing a mix would be worse than retrying at the next visit.
self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    for (const [path, sha256] of Object.entries(ASSETS)) {
      const url = new URL(path, self.registration.scope);
      const response = await fetch(url, { cache: 'no-store' });
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      const body = await response.clone().arrayBuffer();
      const actual = hex(await crypto.subtle.digest('SHA-256', body));
      if (actual !== sha256) throw new Error(`${path} is not version ${VERSION}`);
      await cache.put(url, response);
    }
  })().catch(async (error) => {
    await caches.delete(CACHE);
    throw error;
  }));
});

// The first version takes over the page that installed it, so that page starts
// offline next time; later versions wait until the user accepts the reload.
self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith('crm-') && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'skip-waiting') self.skipWaiting();
});

const ON_DEMAND = 'fonts/han-ext/';

async function keptOnDemand(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const scope = new URL(self.registration.scope);
  let path = url.pathname.startsWith(scope.pathname) ? url.pathname.slice(scope.pathname.length) : null;
  if (request.mode === 'navigate' && (path === '' || path === 'index.html')) path = 'index.html';
  // The on-demand fonts (CJK Extension B–F) are no part of the install: each is kept once a page fetched it.
  if (path !== null && path.startsWith(ON_DEMAND)) {
    event.respondWith(keptOnDemand(request));
    return;
  }
  if (path === null || !(path in ASSETS)) return;  // the API and anything else go to the network
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const cached = await cache.match(new URL(path, scope));
    return cached || fetch(request);
  })());
});
