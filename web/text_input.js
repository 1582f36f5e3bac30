// The browser half of the text-input bridge (web/text_input.cpp holds the C++
// half). ImGui draws on a canvas, so input methods, on-screen keyboards and
// paste have nothing to type into: a hidden <input> (#text-input in shell.html)
// takes their text while an ImGui text field is active, sits at that field's
// caret (so the IME candidate window opens there), and hands each committed
// piece of text to ImGui exactly once. Touch on the canvas is fed to ImGui as
// touch-screen pointer events, and a tap into a text field focuses the input
// inside the tap's own event handler, which is what makes phones and tablets
// show their keyboard.
(function () {
  const bridge = { input: null, composing: false, coarse: false, touchId: null };
  // Whether the hidden input has the page's focus, read from the document rather than kept from focus and blur
  // events: a window the system has not activated (WebKit under a bare X server) moves focus without them.
  bridge.focused = () => bridge.input !== null && document.activeElement === bridge.input;
  Module.crmText = bridge;

  function call(name, types, args) {
    if (!Module.calledRun) return;
    Module.ccall(name, null, types, args);
  }
  function commit(text) {
    if (text) call('crm_text_commit', ['string'], [text]);
  }

  // Called by the app after every frame (CSS pixels): follow the caret, focus or let go.
  bridge.sync = function (want, x, y, height) {
    const input = bridge.input;
    if (!input) return;
    input.style.left = x + 'px';
    input.style.top = y + 'px';
    input.style.height = Math.max(height, 1) + 'px';
    if (want && document.activeElement !== input) {
      input.focus({ preventScroll: true });
    } else if (!want && document.activeElement === input) {
      input.blur();
      input.value = '';
      bridge.composing = false;
    }
  };

  function detectCoarse() {
    const coarse = window.matchMedia && window.matchMedia('(pointer: coarse)').matches;
    const touchOnly = window.matchMedia && window.matchMedia('(hover: none)').matches && navigator.maxTouchPoints > 0;
    bridge.coarse = Boolean(coarse || touchOnly);
  }

  function setUp() {
    const input = document.getElementById('text-input');
    const canvas = Module.canvas;
    if (!input || !canvas) return;
    bridge.input = input;
    input.addEventListener('compositionstart', () => { bridge.composing = true; });
    input.addEventListener('compositionupdate', (event) => call('crm_text_preedit', ['string'], [event.data || '']));
    input.addEventListener('compositionend', (event) => {
      bridge.composing = false;
      call('crm_text_preedit', ['string'], ['']);
      commit(event.data);
      input.value = '';
    });
    // On-screen keyboards report Backspace as an edit of the input, not as a key: pass it on as one.
    input.addEventListener('beforeinput', (event) => {
      if (event.inputType === 'deleteContentBackward' && !bridge.composing && input.value === '') {
        event.preventDefault();
        call('crm_text_key', ['string'], ['Backspace']);
      }
    });
    input.addEventListener('input', (event) => {
      if (bridge.composing || event.isComposing || event.inputType === 'insertCompositionText') return;
      const text = input.value;
      input.value = '';
      commit(text);
    });
    // Paste arrives as an event with the text, however it was asked for (Ctrl/Cmd+V, Shift+Insert, a menu):
    // take it from there (ImGui's own Ctrl+V is switched off).
    input.addEventListener('paste', (event) => {
      event.preventDefault();
      const data = event.clipboardData || window.clipboardData;
      commit(data ? data.getData('text') : '');
    });
    // Copy and cut: a page may write the clipboard only inside the person's gesture, so the text ImGui is
    // about to copy from its field (on its next frame) goes into this event's clipboard data now.
    function onCopy(event) {
      if (!Module.calledRun || !event.clipboardData) return;
      const text = Module.ccall('crm_text_copy', 'string', ['number'], [event.type === 'cut' ? 1 : 0]);
      if (!text) return;
      event.preventDefault();
      event.clipboardData.setData('text/plain', text);
    }
    input.addEventListener('copy', onCopy);
    input.addEventListener('cut', onCopy);

    // Touch: handled here, before Emscripten's GLFW sees it (its touch path drops the position), and
    // kept from turning into emulated mouse events (which would click twice).
    function onTouch(event) {
      if (event.target !== canvas) return;
      event.preventDefault();
      event.stopPropagation();
      let touch = null;
      for (const t of event.changedTouches) {
        if (bridge.touchId === null && event.type === 'touchstart') bridge.touchId = t.identifier;
        if (t.identifier === bridge.touchId) touch = t;
      }
      if (!touch) return;  // a second finger: ignored
      const box = canvas.getBoundingClientRect();
      const phase = event.type === 'touchstart' ? 0 : event.type === 'touchmove' ? 1 : 2;
      if (phase === 2) bridge.touchId = null;
      call('crm_touch', ['number', 'number', 'number'], [phase, touch.clientX - box.left, touch.clientY - box.top]);
      // Still inside the tap's handler: focusing here is what brings up the on-screen keyboard.
      if (phase === 2 && Module._crm_text_wanted && Module._crm_text_wanted()) input.focus({ preventScroll: true });
    }
    // A press lands where it happened (crm_pointer_press_at): on the window, in capture, so before GLFW's listener.
    window.addEventListener('mousedown', (event) => {
      if (event.target !== canvas) return;
      const box = canvas.getBoundingClientRect();
      call('crm_pointer_press_at', ['number', 'number'], [event.clientX - box.left, event.clientY - box.top]);
    }, true);
    const options = { capture: true, passive: false };
    for (const type of ['touchstart', 'touchmove', 'touchend', 'touchcancel']) window.addEventListener(type, onTouch, options);

    // Ctrl+N is the app's "new customer", not a new browser window (where the browser lets a page have it).
    window.addEventListener('keydown', (event) => {
      if ((event.ctrlKey || event.metaKey) && (event.key === 'n' || event.key === 'N')) event.preventDefault();
    }, true);

    detectCoarse();
    if (window.matchMedia) window.matchMedia('(pointer: coarse)').addEventListener('change', detectCoarse);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', setUp);
  else setUp();
})();
