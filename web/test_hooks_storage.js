// Pre-JS of the test build, after test_hooks.js: the storage hooks on window.crmTest.
(function () {
  const test = window.crmTest;
  const number = (name, types, args) => Module.ccall(name, 'number', types || [], args || []);
  const signalReady = Module.crmSignalReady;
  // When the first interactive frame was drawn, on the page's clock (0 = navigation start).
  Module.crmSignalReady = () => { test.readyAt = performance.now(); signalReady(); };

  test.durableSeq = () => number('crm_test_durable_seq');
  test.whenDurable = (seq) => Module.crmStorage.whenDurable(seq, test.durableSeq());
  // Adds customers the way the home screen does; resolves to the seq that covers them.
  test.addCustomers = (count, prefix) => number('crm_test_add_customers', ['number', 'string'], [count, prefix]);
  test.query = (sql) => JSON.parse(Module.ccall('crm_test_query', 'string', ['string'], [sql]));
  test.seed = (count) => number('crm_test_seed', ['number'], [count]);
  test.storageTimings = () => Object.assign({}, Module.crmStorage.timings);
  // The benchmark's unencrypted peer: the same edits on the same book, written without sealing while off.
  test.setSealing = (on) => Module.crmStorage.setSealing(on);
  // Commit-to-durable: from the edit's commit (in memory) until IndexedDB reported its
  // transaction complete. The edit's own time is kept apart in editMs.
  test.editMs = [];
  test.benchEdit = async () => {
    const started = performance.now();
    if (!number('crm_test_bench_edit')) throw new Error('the edit failed');
    const committed = performance.now();
    test.editMs.push(committed - started);
    await test.whenDurable(number('crm_test_persist'));
    return performance.now() - committed;
  };

  // The peer: Emscripten's IDBFS with the same book as an SQLite file, synced after each edit.
  const syncfs = (populate) => new Promise((resolve, reject) => FS.syncfs(populate, (error) => (error ? reject(error) : resolve())));
  test.idbfsOpen = async () => {
    try { FS.mkdir('/idbfs'); FS.mount(IDBFS, {}, '/idbfs'); } catch (e) { /* mounted already */ }
    await syncfs(true);
    try { FS.unlink('/idbfs/bench.db'); } catch (e) { /* first time */ }
    const error = Module.ccall('crm_test_idbfs_open', 'string', ['string'], ['/idbfs/bench.db']);
    if (error) throw new Error(error);
    await syncfs(false);
    return FS.stat('/idbfs/bench.db').size;
  };
  test.idbfsEdit = async () => {
    if (!number('crm_test_idbfs_edit')) throw new Error('the IDBFS edit failed');
    const committed = performance.now();  // committed to the file in memory (MEMFS)
    await syncfs(false);
    return performance.now() - committed;
  };
  test.idbfsClose = () => number('crm_test_idbfs_close');
  // The benchmark times storage with the frame loop paused as well as running: in headless
  // Chromium every frame is rendered in software, and a storage callback waits for it.
  test.pauseFrames = () => Module.pauseMainLoop();
  test.resumeFrames = () => Module.resumeMainLoop();
})();
