// The text-input bridge, C++ half. See web/text_input.js for the browser half
// and docs/DESIGN.md ("Text typed in the browser") for why it exists.
#include "web/text_input.h"

#include <GLFW/glfw3.h>
#include <emscripten.h>

#include <cfloat>
#include <cmath>
#include <string>

#include "imgui.h"
#include "imgui_impl_glfw.h"
#include "imgui_internal.h"
#include "web/platform.h"

namespace crm::web {

namespace {

EM_JS(int, HiddenInputFocused, (), { return Module.crmText && Module.crmText.focused() ? 1 : 0; });
EM_JS(int, PointerIsCoarse, (), { return Module.crmText && Module.crmText.coarse ? 1 : 0; });
EM_JS(void, SyncHiddenInput, (int want, double x, double y, double height), {
  if (Module.crmText) Module.crmText.sync(want != 0, x, y, height);
});
EM_JS(void, WriteClipboard, (const char* text), {
  const value = UTF8ToString(text);
  try {
    if (navigator.clipboard) navigator.clipboard.writeText(value).catch(function() {});
  } catch (e) {
  }
});

// Exactly one path per character: while the hidden input has focus, it delivers the text
// (input/compositionend/paste) and GLFW's keypress copy of the same character is dropped.
void OnChar(GLFWwindow* window, unsigned int codepoint) {
  if (HiddenInputFocused()) return;
  ImGui_ImplGlfw_CharCallback(window, codepoint);
}

// ImGui asks the platform for the clipboard on Ctrl+V; the browser's paste event brings it instead
// (web/text_input.js), so ImGui's own paste stays empty and nothing is pasted twice.
const char* GetClipboard(void*) { return ""; }

// A copy or cut the browser's copy/cut event already carried (crm_text_copy) is not written again.
void SetClipboard(void* user, const char* text) {
  Platform& platform = *static_cast<Platform*>(user);
  platform.clipboard = text ? text : "";
  if (!platform.copyHandedOver) WriteClipboard(platform.clipboard.c_str());
  platform.copyHandedOver = false;
}

// What ImGui's own copy or cut of the active text field will take when it sees the key on its next frame
// (InputTextEx's is_copy/is_cut): the selection, else all of a single-line field; nothing from a password
// field or a multi-line field without a selection, and no cut from a read-only field.
std::string ActiveFieldCopyText(bool cut) {
  const ImGuiInputTextState* state = ImGui::GetInputTextState(ImGui::GetActiveID());
  if (state == nullptr) return "";
  const ImGuiInputTextFlags flags = state->Flags;
  const bool multiline = (flags & ImGuiInputTextFlags_Multiline) != 0;
  if ((flags & ImGuiInputTextFlags_Password) || (multiline && !state->HasSelection()) || (cut && (flags & ImGuiInputTextFlags_ReadOnly))) {
    return "";
  }
  const int begin = state->HasSelection() ? ImMin(state->Stb.select_start, state->Stb.select_end) : 0;
  const int end = state->HasSelection() ? ImMax(state->Stb.select_start, state->Stb.select_end) : state->CurLenW;
  const ImWchar* text = state->TextW.Data;
  std::string utf8(static_cast<size_t>(ImTextCountUtf8BytesFromStr(text + begin, text + end)) + 1, '\0');
  ImTextStrToUtf8(utf8.data(), static_cast<int>(utf8.size()), text + begin, text + end);
  utf8.pop_back();
  return utf8;
}

bool CtrlHeld(GLFWwindow* window) {
  return glfwGetKey(window, GLFW_KEY_LEFT_CONTROL) == GLFW_PRESS || glfwGetKey(window, GLFW_KEY_RIGHT_CONTROL) == GLFW_PRESS;
}

void SetImeData(ImGuiViewport*, ImGuiPlatformImeData* data) {
  Platform& platform = GetPlatform();
  platform.imeVisible = data->WantVisible;
  platform.app.ime.caret = data->InputPos;
  platform.app.ime.lineHeight = data->InputLineHeight;
}

}  // namespace

void InstallTextInput(Platform& platform) {
  glfwSetCharCallback(platform.window, OnChar);
  ImGuiIO& io = ImGui::GetIO();
  io.GetClipboardTextFn = GetClipboard;
  io.SetClipboardTextFn = SetClipboard;
  io.ClipboardUserData = &platform;
  io.SetPlatformImeDataFn = SetImeData;
}

void UpdatePointerKind(Platform& platform) {
  ui::AppState& app = platform.app;
  app.detectedLayout = PointerIsCoarse() ? ui::Layout::Tablet : ui::Layout::Laptop;
  if (app.layoutAuto) app.layout = app.detectedLayout;
}

void SyncTextInput(Platform& platform) {
  ui::AppState& app = platform.app;
  bool want = ImGui::GetIO().WantTextInput;
  app.ime.wantText = want;
  if (!want) app.ime.preedit.clear();
  float ratio = platform.pixelRatio > 0 ? platform.pixelRatio : 1.0f;
  double x = app.ime.caret.x / ratio;
  double y = app.ime.caret.y / ratio;
  double height = (app.ime.lineHeight > 0 ? app.ime.lineHeight : ImGui::GetFontSize()) / ratio;
  // Only when something changed: a JS call per frame is cheap, a style write per frame is not.
  if (want == platform.textSync.want && std::fabs(x - platform.textSync.x) < 0.5 && std::fabs(y - platform.textSync.y) < 0.5 &&
      want == (HiddenInputFocused() != 0)) {
    return;
  }
  platform.textSync = {want, x, y};
  SyncHiddenInput(want ? 1 : 0, x, y, height);
}

extern "C" {

EMSCRIPTEN_KEEPALIVE void crm_text_commit(const char* text) {
  if (!text || !*text || ImGui::GetCurrentContext() == nullptr) return;
  Platform& platform = GetPlatform();
  platform.app.glyphs.Require(text);
  platform.app.ime.preedit.clear();
  platform.app.lastInputMs = platform.app.nowMs;
  ImGuiIO& io = ImGui::GetIO();
  // ImGui drops typed characters while Ctrl is down (it reads Ctrl+key as a shortcut), and a paste by Ctrl+V
  // arrives with Ctrl still held: what the browser commits is text, so Ctrl is let go around it.
  const bool ctrl = CtrlHeld(platform.window);
  if (ctrl) io.AddKeyEvent(ImGuiMod_Ctrl, false);
  io.AddInputCharactersUTF8(text);
  if (ctrl) io.AddKeyEvent(ImGuiMod_Ctrl, true);
}

// From the hidden input's copy/cut event: the text for the event's clipboard, "" when ImGui copies nothing.
EMSCRIPTEN_KEEPALIVE const char* crm_text_copy(int cut) {
  if (ImGui::GetCurrentContext() == nullptr) return "";
  Platform& platform = GetPlatform();
  platform.copyReply = ActiveFieldCopyText(cut != 0);
  platform.copyHandedOver = !platform.copyReply.empty();
  return platform.copyReply.c_str();
}

EMSCRIPTEN_KEEPALIVE void crm_text_preedit(const char* text) {
  Platform& platform = GetPlatform();
  platform.app.ime.preedit = text ? text : "";
  platform.app.lastInputMs = platform.app.nowMs;
  platform.lastActivityMs = emscripten_get_now();  // composing queues no ImGui event: draw it now
}

EMSCRIPTEN_KEEPALIVE void crm_text_key(const char* key) {
  if (!key || ImGui::GetCurrentContext() == nullptr) return;
  if (std::string(key) == "Backspace") {
    ImGuiIO& io = ImGui::GetIO();
    io.AddKeyEvent(ImGuiKey_Backspace, true);
    io.AddKeyEvent(ImGuiKey_Backspace, false);
  }
}

EMSCRIPTEN_KEEPALIVE int crm_text_wanted() {
  return ImGui::GetCurrentContext() != nullptr && ImGui::GetIO().WantTextInput ? 1 : 0;
}

// A mouse press, where the browser says it happened (x, y in CSS pixels from the canvas's corner), queued before
// GLFW's own listener queues the button. GLFW learns the pointer's place only from mousemove, so a move the page
// never saw or got out of order (a pen or remote desktop that jumps; WebKit under an X server whose own pointer
// is elsewhere) would put the press where the last move was.
EMSCRIPTEN_KEEPALIVE void crm_pointer_press_at(double x, double y) {
  if (ImGui::GetCurrentContext() == nullptr) return;
  const Platform& platform = GetPlatform();
  const float ratio = platform.pixelRatio > 0 ? platform.pixelRatio : 1.0f;
  ImGuiIO& io = ImGui::GetIO();
  io.AddMouseSourceEvent(ImGuiMouseSource_Mouse);
  io.AddMousePosEvent(static_cast<float>(x * ratio), static_cast<float>(y * ratio));
}

// phase: 0 start, 1 move, 2 end or cancel; x, y in CSS pixels from the canvas's corner.
EMSCRIPTEN_KEEPALIVE void crm_touch(int phase, double x, double y) {
  if (ImGui::GetCurrentContext() == nullptr) return;
  Platform& platform = GetPlatform();
  ImGuiIO& io = ImGui::GetIO();
  if (!platform.touchSeen) {
    // The GLFW backend polls a stale mouse position unless it thinks the cursor is over the canvas.
    ImGui_ImplGlfw_CursorEnterCallback(platform.window, 1);
    platform.touchSeen = true;
  }
  float ratio = platform.pixelRatio > 0 ? platform.pixelRatio : 1.0f;
  io.AddMouseSourceEvent(ImGuiMouseSource_TouchScreen);
  io.AddMousePosEvent(static_cast<float>(x * ratio), static_cast<float>(y * ratio));
  if (phase == 0) io.AddMouseButtonEvent(ImGuiMouseButton_Left, true);
  if (phase == 2) {
    io.AddMouseButtonEvent(ImGuiMouseButton_Left, false);
    // A lifted finger hovers nothing: no hover highlight stays behind on a touch screen.
    io.AddMouseSourceEvent(ImGuiMouseSource_TouchScreen);
    io.AddMousePosEvent(-FLT_MAX, -FLT_MAX);
  }
  platform.app.lastInputMs = platform.app.nowMs;
}

}  // extern "C"

}  // namespace crm::web
