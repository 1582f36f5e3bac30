// Sync's network glue: fetch() to the relay (same origin unless the device was
// linked to another), answers handed to C++ as bytes, online/offline events.
// web/sync_browser.cpp decides what to send; this only moves bytes.
Module.crmSync = (function () {
  'use strict';
  let server = '';  // empty: this page's origin
  const inFlight = new Map();  // request id -> AbortController

  function url(path) {
    return (server || '') + path;
  }

  function copyIn(bytes) {
    const pointer = _malloc(Math.max(1, bytes.length));
    HEAPU8.set(bytes, pointer);
    return pointer;
  }

  // C++ reads the answer (sync/protocol.h): its status, bytes and Retry-After; or, with status 0, why none came.
  function deliver(id, status, bytes, retryAfter, failure, scope) {
    const pointer = copyIn(bytes);
    try {
      Module.ccall('crm_sync_answer', null, ['number', 'number', 'number', 'number', 'string', 'string', 'string'],
                   [id, status, pointer, bytes.length, retryAfter, failure, scope || '']);
    } finally {
      _free(pointer);
    }
  }

  // `headers`: a JSON object, the bearer token and content type included (C++ decides them).
  function request(id, method, path, bodyPointer, bodySize, timeoutMs, headers) {
    const controller = new AbortController();
    inFlight.set(id, controller);
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const body = bodySize > 0 ? HEAPU8.slice(bodyPointer, bodyPointer + bodySize) : undefined;
    fetch(url(path), { method, body, headers: JSON.parse(headers), cache: 'no-store', signal: controller.signal })
      .then(async (response) => {
        const bytes = new Uint8Array(await response.arrayBuffer());
        deliver(id, response.status, bytes, response.headers.get('Retry-After') || '', '', response.headers.get('X-CRM-Scope') || '');
      })
      .catch((error) => {
        const reason = controller.signal.aborted ? 'no answer within ' + Math.round(timeoutMs / 1000) + ' s' : String(error && error.message || error);
        deliver(id, 0, new Uint8Array(0), '', reason);
      })
      .finally(() => {
        clearTimeout(timer);
        inFlight.delete(id);
      });
  }

  // The network coming back is a reason to try at once instead of after the back-off.
  const wake = (online) => {
    if (runtimeInitialized) Module.ccall('crm_sync_wake', null, ['number'], [online]);
  };
  window.addEventListener('online', () => wake(1));
  window.addEventListener('offline', () => wake(0));

  return {
    configure(newServer) {
      server = newServer;
    },
    request,
    online() {
      return navigator.onLine !== false;
    },
    abortAll() {
      for (const controller of inFlight.values()) controller.abort();
    },
  };
})();
