// Pre-JS of the app: the browser half of durable storage (web/storage.h has the
// C++ half). IndexedDB holds the journal: one snapshot and the log records after
// it. A write is reported to C++ only from its transaction's oncomplete, so the
// app says "saved" only for what IndexedDB has committed. The Web Locks API
// elects the one tab that writes; a BroadcastChannel lets another tab ask it to
// hand over. Also here: the service worker's registration and update offer,
// persistent-storage request and usage estimate, and backup download/upload, and
// encryption at rest (the data key, the keyring, sealing and unlocking).
// Where the browser refuses, the app still runs: snapshots go as ArrayBuffers where
// Blobs are refused (WebKit's private windows), and without IndexedDB the data
// stays in this window's memory, which the app says plainly (storage_panel.cpp).
Module.crmStorage = (function () {
  const DB_NAME = 'crm';
  // 2: the 'keyring' store (encryption at rest); the stores of 1 stay as they are.
  const DB_VERSION = 2;
  const LOCK_NAME = 'crm-writer';
  const CHANNEL_NAME = 'crm-writer';
  // Set after the first durable write. If IndexedDB is empty while this says data
  // was saved, the browser evicted it; the app says so instead of starting blank silently.
  const MARKER = 'crm.savedData';
  // Kept in sessionStorage so a reload of the same window remembers: 'private' or 'refused'.
  const BLOBS_REFUSED = 'crm.blobsRefused';
  const STEAL_AFTER_MS = 4000;
  const RELOAD_GRACE_MS = 1500;

  let idb = null;
  let holdingLock = false;
  let releaseLock = null;
  let channel = null;
  let waitingWorker = null;
  let reloadWhenIdle = false;
  // Snapshots are stored as Blobs until the browser refuses one; then as ArrayBuffers for the session.
  let blobsRefusedAs = null;
  try { blobsRefusedAs = sessionStorage.getItem(BLOBS_REFUSED); } catch (e) { /* no sessionStorage */ }
  let blobsRefused = !!blobsRefusedAs;
  // No IndexedDB (missing, switched off, or refusing to open): writes are acknowledged and kept nowhere.
  let memoryOnly = false;
  // The Web Locks API refused (not a take-over's abort); start() and takeOver() answer it once the app runs.
  let lockRefusal = null;
  const durableWaiters = [];  // [seq, resolve]: tests and the benchmark wait for "saved"
  const timings = {};

  function call(name, types, args) { return Module.ccall(name, null, types, args); }
  function request(req) {
    return new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  // Firefox with IndexedDB switched off has `indexedDB === null`; some private modes throw on access.
  function indexedDbMissing() {
    try { return typeof indexedDB === 'undefined' || !indexedDB; } catch (e) { return true; }
  }

  // Opening failed for a reason that says this browser keeps nothing here (as opposed to another tab
  // of an older version blocking it, or data written by a newer version, which stay errors).
  function refused(error) {
    const refusal = new Error((error && error.name || 'Error') + ': ' + (error && error.message || error || 'IndexedDB refused to open'));
    refusal.refused = true;
    return refusal;
  }

  function openDatabase() {
    return new Promise((resolve, reject) => {
      let open;
      try {
        open = indexedDB.open(DB_NAME, DB_VERSION);
      } catch (error) {
        reject(refused(error));
        return;
      }
      open.onupgradeneeded = () => {
        const db = open.result;
        // 'snapshot' holds one value under 'current'; 'log' holds framed records keyed by seq.
        if (!db.objectStoreNames.contains('snapshot')) db.createObjectStore('snapshot');
        if (!db.objectStoreNames.contains('log')) db.createObjectStore('log');
        // 'keyring' holds one entry per person who may open the device, keyed by user id as a decimal string
        // (ids are 63-bit), with staff names only, never customer data.
        if (!db.objectStoreNames.contains('keyring')) db.createObjectStore('keyring');
      };
      open.onsuccess = () => {
        const db = open.result;
        db.onversionchange = () => db.close();
        resolve(db);
      };
      open.onerror = (event) => {
        const error = open.error;
        if (event && event.preventDefault) event.preventDefault();
        if (error && error.name === 'VersionError') reject(error);
        else reject(refused(error));
      };
      open.onblocked = () => reject(new Error('the database is blocked by another tab of an older version; close it'));
    });
  }

  // ---- Encryption at rest (docs/DESIGN.md, "Encryption at rest") -------------------
  // The data key (AES-GCM-256, made here) seals every snapshot and log record once a real organisation's
  // data is on the device; a trial stays plain. The 'keyring' store keeps the data key wrapped once per
  // person who may open the device, under a key derived from their PIN or password (PBKDF2-SHA256), with
  // staff names only. A sealed value is 'CRME', a version byte, a 12-byte IV and the ciphertext; its
  // additional data names its slot, so a record cannot be moved to another seq or into the snapshot.
  const SEALED_MAGIC = [0x43, 0x52, 0x4d, 0x45];  // 'CRME' (plain journal records start 'CRMJ')
  const SEALED_VERSION = 1;
  const SEALED_HEAD = 4 + 1 + 12;
  const KDF_ITERATIONS = 600000;
  const utf8 = (text) => new TextEncoder().encode(text);
  const randomBytes = (count) => crypto.getRandomValues(new Uint8Array(count));

  let dataKey = null;        // the data key once made or unwrapped; null: writes stay plain
  let keyring = [];          // the entries read at start, kept current with the changes below
  let keyringChanges = [];   // {put: entry} / {clear: true}, stored with the next write
  let keyWork = Promise.resolve();  // wraps being derived: a write waits for them, so it carries them
  let keyed = false;         // a data key exists or is being made: snapshot images are kept as bytes to seal
  let sealWrites = true;     // the benchmark's unencrypted peer turns this off for a moment
  let lockedSaved = null;    // what was read while locked: opened once someone unlocks

  function isSealed(bytes) {
    if (!bytes || bytes.byteLength < SEALED_HEAD) return false;
    const head = new Uint8Array(bytes, 0, 4);
    return SEALED_MAGIC.every((byte, i) => head[i] === byte);
  }

  async function seal(bytes, slot) {
    const iv = randomBytes(12);
    const cipher = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8(slot) }, dataKey, bytes);
    const out = new Uint8Array(SEALED_HEAD + cipher.byteLength);
    out.set(SEALED_MAGIC, 0);
    out[4] = SEALED_VERSION;
    out.set(iv, 5);
    out.set(new Uint8Array(cipher), SEALED_HEAD);
    return out.buffer;
  }

  async function unseal(buffer, slot) {
    const bytes = new Uint8Array(buffer);
    if (bytes[4] !== SEALED_VERSION) throw new Error('sealed with an unknown version ' + bytes[4]);
    return crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(5, SEALED_HEAD), additionalData: utf8(slot) }, dataKey,
                                 bytes.subarray(SEALED_HEAD));
  }

  const logSlot = (seq) => 'crm/log/' + seq;
  const snapshotSlot = (part, seq) => 'crm/snapshot/' + part + '/' + seq;
  const keyringSlot = (userId) => 'crm/keyring/' + userId;

  // The key that wraps the data key for one person: PBKDF2-SHA256 of their PIN or password (WebCrypto runs it natively).
  async function wrappingKey(secret, salt, iterations) {
    const base = await crypto.subtle.importKey('raw', utf8(secret), 'PBKDF2', false, ['deriveKey']);
    return crypto.subtle.deriveKey({ name: 'PBKDF2', salt, iterations, hash: 'SHA-256' }, base, { name: 'AES-GCM', length: 256 }, false,
                                   ['wrapKey', 'unwrapKey']);
  }

  // A batch's records and snapshot, sealed when the device has a data key; everything else unchanged.
  async function sealBatch(records, snapshot) {
    await keyWork;
    if (!dataKey || !sealWrites) return;
    for (const record of records) record.bytes = await seal(record.bytes, logSlot(record.seq));
    if (snapshot) {
      snapshot.header = await seal(snapshot.header, snapshotSlot('header', snapshot.seq));
      const plain = snapshot.image instanceof Blob ? await snapshot.image.arrayBuffer() : snapshot.image;
      const image = await seal(plain, snapshotSlot('image', snapshot.seq));
      snapshot.image = blobsRefused ? image : new Blob([image]);
      snapshot.sealed = SEALED_VERSION;
    }
  }

  // What was read, opened with the data key: sealed values decrypted, plain ones (written before) as they are.
  async function unsealSaved(saved) {
    const snapshot = saved.snapshot ? Object.assign({}, saved.snapshot) : null;
    if (snapshot && snapshot.sealed) {
      snapshot.header = await unseal(snapshot.header, snapshotSlot('header', snapshot.seq));
      snapshot.image = await unseal(snapshot.image, snapshotSlot('image', snapshot.seq));
    }
    const records = [];
    for (let i = 0; i < saved.records.length; i++) {
      const record = saved.records[i];
      // The seq is the record's key; the sealed bytes carry none in the clear.
      records.push(isSealed(record) ? await unseal(record, logSlot(saved.recordSeqs[i])) : record);
    }
    return { snapshot, records, recordSeqs: saved.recordSeqs, keyring: saved.keyring };
  }

  const savedIsSealed = (saved) => !!(saved.snapshot && saved.snapshot.sealed) || saved.records.some(isSealed);

  function applyKeyringChange(change) {
    if (change.clear) keyring = [];
    else keyring = keyring.filter((entry) => entry.userId !== change.put.userId).concat([change.put]);
  }

  // ---- Writer election -----------------------------------------------------
  // Resolves true once this tab holds the lock, false when `ifAvailable` found it taken.
  function acquire(options) {
    return new Promise((resolve) => {
      navigator.locks.request(LOCK_NAME, options, (lock) => {
        if (!lock) { resolve(false); return undefined; }
        holdingLock = true;
        resolve(true);
        return new Promise((release) => { releaseLock = release; });
      }).catch((error) => {
        if (holdingLock) {
          // Stolen: another tab took the lock without our hand-over. Stop writing now.
          holdingLock = false;
          releaseLock = null;
          if (idb) { idb.close(); idb = null; }
          call('crm_storage_lock_lost', [], []);
        } else if (!(error && error.name === 'AbortError')) {
          lockRefusal = error;
        }
        resolve(false);
      });
    });
  }

  function acquireWithin(ms) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), ms);
    return acquire({ signal: controller.signal }).then((granted) => { clearTimeout(timer); return granted; });
  }

  function listen() {
    if (channel || typeof BroadcastChannel === 'undefined') return;
    // (Firefox with site data blocked refuses the channel too: this window then hears no other tab.)
    try { channel = new BroadcastChannel(CHANNEL_NAME); } catch (e) { return; }
    channel.onmessage = (event) => {
      if (event.data && event.data.type === 'take-over' && holdingLock) call('crm_storage_takeover_requested', [], []);
    };
  }

  // Reads the snapshot and the log after it, in one read-only transaction.
  async function readSaved() {
    const started = performance.now();
    timings.readStartAt = started;
    if (memoryOnly) return { snapshot: null, records: [], recordSeqs: [], keyring: [] };
    if (!idb) idb = await openDatabase();
    const tx = idb.transaction(['snapshot', 'log', 'keyring'], 'readonly');
    timings.idbOpenMs = performance.now() - started;
    const snapshot = await request(tx.objectStore('snapshot').get('current'));
    timings.snapshotGetAt = performance.now();
    const after = snapshot ? snapshot.seq : 0;
    const records = await request(tx.objectStore('log').getAll(IDBKeyRange.lowerBound(after, true)));
    const recordSeqs = await request(tx.objectStore('log').getAllKeys(IDBKeyRange.lowerBound(after, true)));
    const savedKeyring = await request(tx.objectStore('keyring').getAll());
    timings.logGetAt = performance.now();
    // Snapshots are stored as a Blob (a file the browser reads several times faster than one
    // large ArrayBuffer value); those saved before, or where Blobs are refused, are ArrayBuffers.
    if (snapshot && snapshot.image instanceof Blob) snapshot.image = await snapshot.image.arrayBuffer();
    timings.readEndAt = performance.now();
    timings.idbReadMs = timings.readEndAt - started;
    return { snapshot, records, recordSeqs, keyring: savedKeyring };
  }

  // Started as soon as this script runs, while the wasm module is still being fetched
  // and compiled: a large book's snapshot takes a while to read, and the two overlap.
  // Only a tab that holds the lock reads early; the others wait for start().
  let early = null;
  if (typeof navigator !== 'undefined' && navigator.locks && !indexedDbMissing()) {
    early = acquire({ ifAvailable: true }).then((granted) => (granted ? readSaved() : null)).catch(() => null);
  }

  // Firefox with site data blocked refuses locks (SecurityError) and IndexedDB alike: the window then runs on
  // its own, in memory (load() finds IndexedDB refused). Any other refusal stays an error.
  async function loadWithoutLock() {
    if (lockRefusal && lockRefusal.name === 'SecurityError') {
      holdingLock = true;
      await load();
    } else {
      call('crm_storage_open_failed', ['string'], ['cannot elect the writing tab: ' + lockRefusal]);
    }
  }

  // This window keeps its data in memory only: each window is on its own, so it writes without the lock.
  function runInMemory(reason) {
    memoryOnly = true;
    holdingLock = true;
    if (releaseLock) { const release = releaseLock; releaseLock = null; release(); }
    call('crm_storage_memory_only', ['string'], [reason]);
  }

  async function load(saved) {
    timings.loadCalledAt = performance.now();
    if (!saved && !memoryOnly) {
      try {
        if (!idb) idb = await openDatabase();
      } catch (error) {
        if (!error.refused) {
          call('crm_storage_open_failed', ['string'], ['cannot open the saved data: ' + (error && error.message || error)]);
          return;
        }
        runInMemory(error.message);
      }
    }
    try {
      if (!saved) saved = await readSaved();
      keyring = saved.keyring;
      // Who may open the device, as the unlock step shows them (no salts, no wrapped keys).
      call('crm_storage_keyring', ['number'], [savedIsSealed(saved) ? 1 : 0]);
      for (const entry of keyring) {
        call('crm_storage_keyring_entry', ['string', 'string', 'string', 'string'], [entry.userId, entry.name, entry.role, entry.kind]);
      }
      if (savedIsSealed(saved)) {
        if (!dataKey) {
          // Nothing is opened before someone proves a PIN or password that unwraps the data key.
          lockedSaved = saved;
          call('crm_storage_locked', [], []);
          return;
        }
        const unsealStarted = performance.now();
        saved = await unsealSaved(saved);
        timings.unsealMs = performance.now() - unsealStarted;
      }
      // (No destructuring: Emscripten 3.1.6's JS minifier drops it.)
      const snapshot = saved.snapshot;
      const records = saved.records;
      const started = performance.now();
      let evicted = false;
      // (Without IndexedDB nothing was read, but nothing is known to be gone either.)
      try { evicted = !memoryOnly && !snapshot && records.length === 0 && localStorage.getItem(MARKER) !== null; } catch (e) { /* no localStorage */ }

      // Into wasm memory: the image in a buffer SQLite will own; header and log briefly.
      let headerPtr = 0, headerSize = 0, imagePtr = 0, imageSize = 0, logPtr = 0, logSize = 0;
      if (snapshot) {
        headerSize = snapshot.header.byteLength;
        headerPtr = _malloc(headerSize);
        HEAPU8.set(new Uint8Array(snapshot.header), headerPtr);
        imageSize = snapshot.image.byteLength;
        imagePtr = Module.ccall('crm_storage_alloc', 'number', ['number'], [imageSize]);
        if (!imagePtr) throw new Error('not enough memory to open a ' + imageSize + '-byte database');
        HEAPU8.set(new Uint8Array(snapshot.image), imagePtr);
      }
      for (const record of records) logSize += record.byteLength;
      if (logSize) {
        logPtr = _malloc(logSize);
        let offset = logPtr;
        for (const record of records) { HEAPU8.set(new Uint8Array(record), offset); offset += record.byteLength; }
      }
      timings.copyMs = performance.now() - started;
      timings.snapshotBytes = imageSize;
      timings.logRecords = records.length;
      call('crm_storage_loaded', ['number', 'number', 'number', 'number', 'number', 'number', 'number'],
           [headerPtr, headerSize, imagePtr, imageSize, logPtr, logSize, evicted ? 1 : 0]);
      if (headerPtr) _free(headerPtr);
      if (logPtr) _free(logPtr);
      timings.openMs = performance.now() - started;
    } catch (error) {
      call('crm_storage_open_failed', ['string'], ['cannot open the saved data: ' + (error && error.message || error)]);
    }
  }

  // ---- Service worker: offline start, and one version at a time ----------------
  function registerServiceWorker() {
    if (!('serviceWorker' in navigator) || !/^https?:$/.test(location.protocol)) return;
    navigator.serviceWorker.register('sw.js').then((registration) => {
      const offer = (worker) => {
        waitingWorker = worker;
        call('crm_storage_update_available', [], []);
      };
      // A waiting worker while this page is controlled is a newer version.
      if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
      registration.addEventListener('updatefound', () => {
        const worker = registration.installing;
        if (!worker) return;
        worker.addEventListener('statechange', () => {
          if (worker.state === 'installed' && navigator.serviceWorker.controller) offer(worker);
        });
      });
      // Look for a new version now and then while the app stays open.
      setInterval(() => registration.update().catch(() => {}), 30 * 60 * 1000);
    }).catch((error) => {
      // Site data blocked by the user (a SecurityError) also blocks workers: the app then says it runs in
      // memory, and this is no fault to log.
      if (!(error && error.name === 'SecurityError')) console.warn('service worker not registered: ' + error);
    });
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      if (reloadWhenIdle) location.reload();
    });
  }

  function estimate() {
    // WebKitGTK (and older Safari) have no navigator.storage: the app says it cannot tell.
    if (!navigator.storage || !navigator.storage.estimate) {
      call('crm_storage_estimate_unknown', [], []);
      return;
    }
    Promise.all([navigator.storage.estimate(), navigator.storage.persisted ? navigator.storage.persisted() : false])
      .then(([e, persisted]) => call('crm_storage_estimated', ['number', 'number', 'number'], [e.usage || 0, e.quota || 0, persisted ? 1 : 0]))
      .catch(() => {});
  }

  // Records and maybe a snapshot in one transaction; `finished('', '')` once committed, else the error's name and text.
  function store(records, snapshot, finished) {
    let tx;
    // Keyring changes go with the data they open: a new key and the first data sealed with it land together.
    const changes = keyringChanges;
    keyringChanges = [];
    try {
      // 'strict': the browser flushes to disk before oncomplete, so "saved" survives a power cut.
      tx = idb.transaction(['snapshot', 'log', 'keyring'], 'readwrite', { durability: 'strict' });
      const keys = tx.objectStore('keyring');
      for (const change of changes) {
        if (change.clear) keys.clear();
        else keys.put(change.put, change.put.userId);
      }
      const log = tx.objectStore('log');
      // (No destructuring in for-of: Emscripten 3.1.6's JS minifier mangles it.)
      for (const record of records) log.put(record.bytes, record.seq);
      if (snapshot) {
        tx.objectStore('snapshot').put(snapshot, 'current');
        log.delete(IDBKeyRange.upperBound(snapshot.seq));
      }
    } catch (error) {
      if (tx) try { tx.abort(); } catch (e) { /* already finished */ }
      keyringChanges = changes.concat(keyringChanges);
      setTimeout(() => finished(error.name || 'Error', error.message || String(error)), 0);
      return;
    }
    tx.oncomplete = () => {
      try { localStorage.setItem(MARKER, '1'); } catch (e) { /* no localStorage: no eviction notice either */ }
      finished('', '');
    };
    tx.onabort = () => {
      // Not stored: they go again with the next write.
      keyringChanges = changes.concat(keyringChanges);
      const error = tx.error;
      finished(error ? error.name : 'AbortError', error ? error.message : 'the write was aborted');
    };
  }

  // One batch, stored; a snapshot the browser refuses as a Blob goes again as an ArrayBuffer.
  function storeBatch(records, snapshot, done) {
    store(records, snapshot, (name, message) => {
      // WebKit refuses Blobs in IndexedDB in a private window ("Error preparing Blob/File data…"); other
      // engines may refuse them too. Once refused, the same write goes again with the image as an
      // ArrayBuffer, and so does every later one. A full disk is not a refusal of Blobs.
      if (!name || !snapshot || !(snapshot.image instanceof Blob) || name === 'QuotaExceededError' || !holdingLock || !idb) {
        done(name, message);
        return;
      }
      snapshot.image.arrayBuffer().then((image) => {
        blobsRefused = true;
        snapshot.image = image;
        // WebKit refuses Blobs with this text in its ephemeral sessions only: a private window, which forgets at close.
        const privateWindow = /Blob\/File data/.test(message || '');
        try { sessionStorage.setItem(BLOBS_REFUSED, privateWindow ? 'private' : 'refused'); } catch (e) { /* this page only */ }
        call('crm_storage_blobs_refused', ['number'], [privateWindow ? 1 : 0]);
        if (!holdingLock || !idb) done(name, message);
        else store(records, snapshot, done);
      }, () => done(name, message));
    });
  }

  // One keyring entry on its own (the count of wrong secrets, while nothing else is written).
  function saveKeyringEntry(entry) {
    return new Promise((resolve) => {
      try {
        const tx = idb.transaction(['keyring'], 'readwrite');
        tx.objectStore('keyring').put(entry, entry.userId);
        tx.oncomplete = resolve;
        tx.onabort = resolve;
      } catch (error) {
        resolve();
      }
    });
  }

  return {
    timings,

    async start() {
      registerServiceWorker();
      // Persistent storage must be asked for from the page, not from a worker.
      if (navigator.storage && navigator.storage.persist && navigator.storage.persisted) {
        navigator.storage.persisted().then((already) => already || navigator.storage.persist()).then(estimate, () => {});
      }
      listen();
      if (blobsRefusedAs) call('crm_storage_blobs_refused', ['number'], [blobsRefusedAs === 'private' ? 1 : 0]);
      if (indexedDbMissing()) { runInMemory('IndexedDB is not available'); await load(); return; }
      if (!navigator.locks) { holdingLock = true; await load(); return; }
      const saved = early && await early;
      if (saved || holdingLock) { await load(saved); return; }
      if (lockRefusal) { await loadWithoutLock(); return; }
      // On a reload the old page may still hold the lock for a moment: wait a little
      // before saying another tab has the app open.
      if (await acquire({ ifAvailable: true }) || await acquireWithin(RELOAD_GRACE_MS)) await load();
      else if (lockRefusal) await loadWithoutLock();
      else call('crm_storage_other_tab', [], []);
    },

    // "Use here": ask the writing tab to finish and let go; if it does not answer
    // (frozen, or crashed without releasing), take the lock after a while.
    async takeOver() {
      listen();
      if (channel) channel.postMessage({ type: 'take-over' });
      let granted = await acquireWithin(STEAL_AFTER_MS);
      if (!granted) granted = await acquire({ steal: true });
      if (granted) await load();
      else if (lockRefusal) call('crm_storage_open_failed', ['string'], ['cannot elect the writing tab: ' + lockRefusal]);
      else call('crm_storage_other_tab', [], []);
    },

    release() {
      holdingLock = false;
      if (idb) { idb.close(); idb = null; }
      if (releaseLock) { const release = releaseLock; releaseLock = null; release(); }
    },

    // One batch of framed records (and maybe a snapshot that replaces the log) in one
    // IndexedDB transaction. Everything is copied out of wasm memory before returning.
    write(batch, recordsPtr, recordsSize, headerPtr, headerSize, imagePtr, imageSize) {
      const done = (name, message) => call('crm_storage_written', ['number', 'string', 'string'], [batch, name, message]);
      if (memoryOnly) {
        setTimeout(() => done('', ''), 0);
        return;
      }
      const records = [];
      for (let offset = 0; offset < recordsSize;) {
        const view = new DataView(HEAPU8.buffer, recordsPtr + offset, 24);
        const seq = view.getUint32(8, true) + view.getUint32(12, true) * 4294967296;
        const size = 24 + view.getUint32(16, true);
        records.push({ seq, bytes: HEAPU8.slice(recordsPtr + offset, recordsPtr + offset + size).buffer });
        offset += size;
      }
      let snapshot = null;
      if (headerSize) {
        const header = HEAPU8.slice(headerPtr, headerPtr + headerSize).buffer;
        const view = new DataView(header);
        const bytes = HEAPU8.subarray(imagePtr, imagePtr + imageSize);
        // (An image to seal is kept as bytes: it becomes a Blob once sealed.)
        snapshot = { seq: view.getUint32(8, true) + view.getUint32(12, true) * 4294967296, header,
                     image: blobsRefused || (keyed && sealWrites) ? bytes.slice().buffer : new Blob([bytes]), savedAt: Date.now() };
      }
      if (!holdingLock || !idb) {
        setTimeout(() => done('NotWriter', 'this tab no longer writes the database'), 0);
        return;
      }
      // Sealed before the transaction opens: IndexedDB commits a transaction left waiting on other promises.
      sealBatch(records, snapshot).then(() => {
        if (!holdingLock || !idb) done('NotWriter', 'this tab no longer writes the database');
        else storeBatch(records, snapshot, done);
      }, (error) => done(error && error.name || 'Error', 'cannot encrypt the data: ' + (error && error.message || error)));
    },

    // Wraps the data key for one person under their PIN or password (making the key the first time); the
    // entry is stored with the next write, which C++ makes a snapshot when the key is new.
    protect(userId, name, role, kind, secret) {
      keyed = true;
      keyWork = keyWork.then(async () => {
        if (!dataKey) dataKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
        const salt = randomBytes(16);
        const iv = randomBytes(12);
        const kek = await wrappingKey(secret, salt, KDF_ITERATIONS);
        const wrapped = await crypto.subtle.wrapKey('raw', dataKey, kek, { name: 'AES-GCM', iv, additionalData: utf8(keyringSlot(userId)) });
        const change = { put: { userId, name, role, kind, salt: salt.buffer, iterations: KDF_ITERATIONS, iv: iv.buffer, wrapped,
                                failures: 0, waitUntil: 0 } };
        keyringChanges.push(change);
        applyKeyringChange(change);
      }).catch((error) => {
        // No WebCrypto (a page served over plain HTTP has no crypto.subtle): the data stays plain, and the app says so.
        console.warn('cannot protect the data key: ' + error);
        if (!dataKey) call('crm_storage_not_encrypted', ['string'], [String(error && error.message || error)]);
      });
    },

    // No key at all from here on (a wiped device, or another organisation's data with a new key to come).
    forgetAll() {
      keyed = false;
      keyWork = keyWork.then(() => {
        dataKey = null;
        keyringChanges = [{ clear: true }];
        applyKeyringChange({ clear: true });
      });
    },

    // A PIN or password for one keyring entry: unwraps the data key and opens what was read, or answers
    // crm_storage_unlock_refused with when the next try may come (after `attemptsBeforeWait` wrong ones, `waitMs`).
    async unlock(userId, secret, nowMs, attemptsBeforeWait, waitMs) {
      const started = performance.now();
      const entry = keyring.find((e) => e.userId === userId);
      const refuse = (waitUntil) => call('crm_storage_unlock_refused', ['number'], [waitUntil]);
      if (!entry || !lockedSaved) { refuse(0); return; }
      if (entry.waitUntil > nowMs) { refuse(entry.waitUntil); return; }
      let key = null;
      try {
        const kek = await wrappingKey(secret, new Uint8Array(entry.salt), entry.iterations);
        key = await crypto.subtle.unwrapKey('raw', entry.wrapped, kek, { name: 'AES-GCM', iv: new Uint8Array(entry.iv),
                                            additionalData: utf8(keyringSlot(userId)) }, 'AES-GCM', true, ['encrypt', 'decrypt']);
      } catch (error) {
        // Wrong secret (the tag does not verify). The count lives beside the entry: a reload does not reset it.
        entry.failures = (entry.failures || 0) + 1;
        entry.waitUntil = entry.failures >= attemptsBeforeWait ? nowMs + waitMs : 0;
        await saveKeyringEntry(entry);
        refuse(entry.waitUntil);
        return;
      }
      dataKey = key;
      keyed = true;
      timings.unwrapMs = performance.now() - started;
      if (entry.failures) {
        entry.failures = 0;
        entry.waitUntil = 0;
        await saveKeyringEntry(entry);
      }
      const saved = lockedSaved;
      lockedSaved = null;
      call('crm_storage_unlocked', ['string'], [userId]);
      await load(saved);
      // The secret's check, the decryption and the opening of the database, for the benchmark.
      timings.unlockToOpenMs = performance.now() - started;
    },

    // The benchmark's unencrypted peer: the same writes, not sealed, while this is off.
    setSealing(on) { sealWrites = !!on; },

    durable(seq) {
      for (let i = durableWaiters.length - 1; i >= 0; i--) {
        if (durableWaiters[i][0] <= seq) { durableWaiters[i][1](seq); durableWaiters.splice(i, 1); }
      }
    },
    // Resolves once every record up to `seq` is committed in IndexedDB.
    whenDurable(seq, currentDurable) {
      if (seq <= currentDurable) return Promise.resolve(currentDurable);
      return new Promise((resolve) => durableWaiters.push([seq, resolve]));
    },

    estimate,

    download(ptr, size, name, mime) {
      const blob = new Blob([HEAPU8.slice(ptr, ptr + size)], { type: mime || 'application/vnd.sqlite3' });
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    },

    // The browser's file picker; `deliver(name, bytes)` gets the chosen file's bytes.
    chooseFile(accept, deliver) {
      const input = document.createElement('input');
      input.type = 'file';
      input.accept = accept;
      input.style.display = 'none';
      input.onchange = async () => {
        const file = input.files && input.files[0];
        input.remove();
        if (!file) return;
        deliver(file.name, new Uint8Array(await file.arrayBuffer()));
      };
      document.body.appendChild(input);
      input.click();
    },

    // A backup to restore: into a buffer SQLite will own.
    pickFile() {
      Module.crmStorage.chooseFile('.sqlite,.sqlite3,.db,.crmdb,application/vnd.sqlite3,application/x-sqlite3', (name, bytes) => {
        const ptr = Module.ccall('crm_storage_alloc', 'number', ['number'], [bytes.length]);
        if (!ptr) { call('crm_storage_open_failed', ['string'], ['not enough memory to read ' + name]); return; }
        HEAPU8.set(bytes, ptr);
        call('crm_storage_file_chosen', ['number', 'number', 'string'], [ptr, bytes.length, name]);
      });
    },

    // A CSV (or text) file to import: C++ copies it out of the buffer and frees it.
    pickImportFile() {
      Module.crmStorage.chooseFile('.csv,.txt,text/csv,text/plain', (name, bytes) => {
        const ptr = _malloc(Math.max(1, bytes.length));
        if (!ptr) return;
        HEAPU8.set(bytes, ptr);
        call('crm_import_file_chosen', ['number', 'number', 'string'], [ptr, bytes.length, name]);
      });
    },

    // Switch to the waiting version: the new worker takes control, then the page reloads
    // from its cache. Pages never run a mix of two versions' files.
    applyUpdate() {
      if (!waitingWorker) { location.reload(); return; }
      reloadWhenIdle = true;
      waitingWorker.postMessage({ type: 'skip-waiting' });
    },
  };
})();
