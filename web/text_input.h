#pragma once
// The text-input bridge, C++ half (web/text_input.js is the browser half):
// committed IME/paste/on-screen-keyboard text, the preedit, touch as ImGui
// touch-screen input, the clipboard, and the layout guess from the pointer.
namespace crm::web {

struct Platform;

// After ImGui and its GLFW backend are initialised: hooks the character path,
// the clipboard and the IME position callback.
void InstallTextInput(Platform& platform);
// Before NewFrame: the platform's guess of the layout (coarse pointer → tablet).
void UpdatePointerKind(Platform& platform);
// After Render: moves, focuses or blurs the hidden input to match ImGui.
void SyncTextInput(Platform& platform);

}  // namespace crm::web
