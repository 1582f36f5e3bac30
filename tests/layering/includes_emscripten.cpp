// Must not compile: core code may not reach the browser (ctest layering.core_rejects_emscripten).
#include <emscripten.h>
