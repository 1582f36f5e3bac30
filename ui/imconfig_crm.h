#pragma once
// The project's ImGui configuration (IMGUI_USER_CONFIG), applied to every
// translation unit that includes imgui.h, the library's own included.

// Item hooks for the browser tests' widget finder (ui/item_probe.cpp); off at run time unless a test build turns them on.
#define IMGUI_ENABLE_TEST_ENGINE
#define IMGUI_DISABLE_OBSOLETE_FUNCTIONS
#define IMGUI_DISABLE_OBSOLETE_KEYIO
// 32-bit characters: emoji and CJK Extension B–F name characters (𠮷, 🏠) lie beyond U+FFFF. With 16-bit
// ImWchar, InputText held them as U+FFFD and saved the replacement: the text typed was lost.
#define IMGUI_USE_WCHAR32
