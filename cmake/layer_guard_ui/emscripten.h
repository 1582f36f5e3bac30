// Layer guard: ui/ draws screens; the browser platform is reached only through web/.
#error "layering violation: ui/ must not include <emscripten.h>; platform code belongs in web/"
