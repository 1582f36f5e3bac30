// Must not compile: core code may not reach ImGui (ctest layering.core_rejects_imgui).
#include "imgui.h"
