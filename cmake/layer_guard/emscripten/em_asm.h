// Layer guard: core/ and sync/ run natively, in the relay and in the browser alike.
#error "layering violation: core/ and sync/ must not include <emscripten/em_asm.h>; platform code belongs in web/, ImGui code in ui/"
