// Sync's network glue: fetch() to the relay (same origin unless the device was
// linked to another), answers handed to C++ as bytes, online/offline events.
// web/sync_browser.cpp decides what to send; this only moves bytes.
Module.crmSync = (function () {
  'use strict';
  let server = '';  // empty: this page's origin
  let token = '';
  const inFlight = new Map();  // request id -> AbortController

  function url(path) {
    return (server || '') + path;
  }

  function copyIn(bytes) {
    const pointer = _malloc(Math.max(1, bytes.length));
    HEAPU8.set(bytes, pointer);
    return pointer;
  }

  // Error answers are JSON ({"error", "message", …}); the fields C++ needs travel as one string.
  function errorFields(status, bytes) {
    let parsed = {};
    try {
      parsed = JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      parsed = { message: `HTTP ${status}` };
    }
    const field = (name) => (parsed[name] === undefined || parsed[name] === null ? '' : String(parsed[name]));
    return [field('changeset_id'), field('table'), field('row'), field('reason'), field('message') || field('error') || `HTTP ${status}`]
      .join('\u001f');
  }

  function deliver(id, status, bytes, fields, retryAfter) {
    const pointer = copyIn(bytes);
    try {
      Module.ccall('crm_sync_answer', null, ['number', 'number', 'number', 'number', 'string', 'number'],
                   [id, status, pointer, bytes.length, fields, retryAfter]);
    } finally {
      _free(pointer);
    }
  }

  // `ownToken`: the sign-in of the push's author (a shared tablet has one per person); else the device's.
  function request(id, method, path, bodyPointer, bodySize, timeoutMs, ownToken) {
    const controller = new AbortController();
    inFlight.set(id, controller);
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const body = bodySize > 0 ? HEAPU8.slice(bodyPointer, bodyPointer + bodySize) : undefined;
    const headers = { Accept: 'application/x-crm' };
    const bearer = ownToken || token;
    if (bearer) headers.Authorization = 'Bearer ' + bearer;
    if (body) headers['Content-Type'] = 'application/x-crm';
    fetch(url(path), { method, body, headers, cache: 'no-store', signal: controller.signal })
      .then(async (response) => {
        const bytes = new Uint8Array(await response.arrayBuffer());
        const retry = Number(response.headers.get('Retry-After') || 0);
        deliver(id, response.status, bytes, response.ok ? '' : errorFields(response.status, bytes), retry);
      })
      .catch((error) => {
        const reason = controller.signal.aborted ? 'no answer within ' + Math.round(timeoutMs / 1000) + ' s' : String(error && error.message || error);
        deliver(id, 0, new Uint8Array(0), '\u001f\u001f\u001f\u001f' + reason, 0);
      })
      .finally(() => {
        clearTimeout(timer);
        inFlight.delete(id);
      });
  }

  // POST /v1/signin (or /v1/setup): JSON in, JSON out; the answer's fields go to C++ as text.
  function signIn(path, fields) {
    const body = JSON.parse(fields);
    fetch(url(path), { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' }, cache: 'no-store' })
      .then(async (response) => {
        const text = await response.text();
        let parsed = {};
        try {
          parsed = JSON.parse(text);
        } catch (e) {
          parsed = {};
        }
        if (!response.ok) {
          const message = parsed.message || parsed.error || `HTTP ${response.status}`;
          Module.ccall('crm_sync_signin_failed', null, ['number', 'string'], [response.status, message]);
          return;
        }
        Module.ccall('crm_sync_signed_in', null, ['string', 'string', 'string', 'string'],
                     [String(parsed.organisation_id || ''), String(parsed.user_id || ''), String(parsed.role || ''), String(parsed.token || '')]);
      })
      .catch((error) => {
        Module.ccall('crm_sync_signin_failed', null, ['number', 'string'], [0, String(error && error.message || error)]);
      });
  }

  // The network coming back is a reason to try at once instead of after the back-off.
  const wake = (online) => {
    if (runtimeInitialized) Module.ccall('crm_sync_wake', null, ['number'], [online]);
  };
  window.addEventListener('online', () => wake(1));
  window.addEventListener('offline', () => wake(0));

  return {
    configure(newServer, newToken) {
      server = newServer;
      token = newToken;
    },
    request,
    signIn,
    online() {
      return navigator.onLine !== false;
    },
    abortAll() {
      for (const controller of inFlight.values()) controller.abort();
    },
  };
})();
