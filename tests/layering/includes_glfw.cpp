// Must not compile: core code may not reach the window system (ctest layering.core_rejects_glfw).
#include <GLFW/glfw3.h>
