// Pre-JS of the test build: defines window.crmTest before the app starts.
(function () {
  let resolveReady;
  const ready = new Promise((resolve) => { resolveReady = resolve; });
  Module.crmSignalReady = () => resolveReady(true);

  // ImGui works in canvas pixels; tests click in CSS pixels of the page.
  function toPage(rect) {
    const canvas = Module.canvas;
    const box = canvas.getBoundingClientRect();
    const sx = box.width / canvas.width;
    const sy = box.height / canvas.height;
    return { x: box.left + rect.x * sx, y: box.top + rect.y * sy, width: rect.w * sx, height: rect.h * sy, id: rect.id };
  }

  // What the page logged as an error or warning, and errors nothing caught: for engines whose automation
  // does not report the console (WebKit's WebDriver). takeConsole() hands them over once.
  const consoleMessages = [];
  // (No destructuring in a for-of head: Emscripten 3.1.6's JS optimizer drops it.)
  const catchConsole = (method, type) => {
    const original = console[method].bind(console);
    console[method] = (...args) => {
      consoleMessages.push({ type, text: args.map(String).join(' ') });
      original(...args);
    };
  };
  catchConsole('error', 'error');
  catchConsole('warn', 'warning');
  window.addEventListener('error', (e) => consoleMessages.push({ type: 'pageerror', text: String(e.message) }));
  window.addEventListener('unhandledrejection', (e) => consoleMessages.push({ type: 'pageerror', text: String(e.reason) }));

  window.crmTest = {
    takeConsole: () => consoleMessages.splice(0),
    ready: () => ready,
    find(label) {
      const reply = Module.ccall('crm_test_find', 'string', ['string'], [String(label)]);
      return reply ? toPage(JSON.parse(reply)) : null;
    },
    // Every target a finger can press in the last frame and the windows holding them, in CSS pixels of the page.
    items() {
      const reply = JSON.parse(Module.ccall('crm_test_items', 'string', [], []));
      const canvas = Module.canvas;
      const box = canvas.getBoundingClientRect();
      const sx = box.width / canvas.width;
      const sy = box.height / canvas.height;
      const point = (p) => ({ x: p.x * sx, y: p.y * sy });
      const offset = (p) => ({ x: box.left + p.x * sx, y: box.top + p.y * sy });
      // (No object spread: the build's JS optimizer does not read it.)
      return {
        items: reply.items.map((i) => Object.assign(i, { rect: toPage(i.rect) })),
        windows: reply.windows.map((w) => Object.assign(w, { rect: toPage(w.rect), clip: toPage(w.clip), inner: offset(w.inner),
                                                             scroll: point(w.scroll), scrollMax: point(w.scrollMax) })),
      };
    },
    state() {
      const state = JSON.parse(Module.ccall('crm_test_state', 'string', [], []));
      state.canvas = { width: Module.canvas.width, height: Module.canvas.height,
                       cssWidth: Module.canvas.clientWidth, cssHeight: Module.canvas.clientHeight };
      return state;
    },
    // Who created a customer, by exact name (null when there is none).
    customer(name) {
      const reply = Module.ccall('crm_test_customer', 'string', ['string'], [String(name)]);
      return reply ? JSON.parse(reply) : null;
    },
    // The texts the last frame drew, as a person reads the screen.
    screenTexts() { return JSON.parse(Module.ccall('crm_test_screen_texts', 'string', [], [])); },
    // Whether the atlas holds a glyph of its own for a character (a code point, or the first of a string).
    hasGlyph(char) {
      const codepoint = typeof char === 'string' ? char.codePointAt(0) : char;
      return Module.ccall('crm_test_has_glyph', 'number', ['number'], [codepoint]) === 1;
    },
    // Frame times measured inside the app (C++ Frame(), and DrawApp alone), for the UI benchmark.
    sampleFrames(on) { Module.ccall('crm_test_sample_frames', null, ['number'], [on ? 1 : 0]); },
    frameSamples() { return JSON.parse(Module.ccall('crm_test_frame_samples', 'string', [], [])); },
    advanceClock(ms) { Module.ccall('crm_test_advance_clock', null, ['number'], [ms]); },
    // Whether the hidden text input has the page's focus (the IME bridge is engaged).
    textInputFocused() { return document.activeElement === document.getElementById('text-input'); },
  };
})();
