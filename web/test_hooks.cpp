// window.crmTest, for browser tests: find a widget by label, read app state,
// and know when the app is ready. Compiled only into the test build.
#include <emscripten.h>

#include <cstdio>
#include <string>

#include "imgui.h"
#include "web/platform.h"
#include "web/storage.h"

namespace crm::web {

namespace {
std::string g_reply;  // the last answer handed to JavaScript, kept alive until the next call

std::string Quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
      out += buffer;
      continue;
    }
    out += c;
  }
  return out + "\"";
}
}  // namespace

void AttachTestHooks(Platform& platform) { platform.app.probe.Attach(ImGui::GetCurrentContext()); }

void SignalReadyIfDue(Platform& platform) {
  if (platform.readySignalled) return;
  // Ready also when another tab holds the database: that tab's page is what the test looks at.
  ui::WriterRole role = platform.app.storage.role;
  bool open = platform.app.db != nullptr || !platform.app.fatalError.empty() || role == ui::WriterRole::OtherTab;
  if (!open || platform.app.frameCount < 2) return;
  platform.readySignalled = true;
  EM_ASM({ if (Module.crmSignalReady) Module.crmSignalReady(); });
}

extern "C" EMSCRIPTEN_KEEPALIVE const char* crm_test_find(const char* label) {
  auto item = GetPlatform().app.probe.Find(label ? label : "");
  if (!item) return "";
  char buffer[160];
  std::snprintf(buffer, sizeof buffer, "{\"x\":%.1f,\"y\":%.1f,\"w\":%.1f,\"h\":%.1f,\"id\":%u}", item->min.x, item->min.y,
                item->max.x - item->min.x, item->max.y - item->min.y, item->id);
  g_reply = buffer;
  return g_reply.c_str();
}

extern "C" EMSCRIPTEN_KEEPALIVE const char* crm_test_state() {
  Platform& platform = GetPlatform();
  const ui::AppState& app = platform.app;
  const ImGuiIO& io = ImGui::GetIO();
  char numbers[256];
  std::snprintf(numbers, sizeof numbers,
                "\"frame\":%llu,\"pixelRatio\":%.3f,\"display\":{\"w\":%.0f,\"h\":%.0f},\"fontSize\":%.1f",
                static_cast<unsigned long long>(app.frameCount), platform.pixelRatio, io.DisplaySize.x, io.DisplaySize.y,
                ImGui::GetFontSize());
  g_reply = std::string("{\"screen\":") + Quote(ui::ScreenName(app.screen)) + ",\"lang\":" +
            Quote(app.lang == ui::Lang::Zh ? "zh-CN" : "en") + ",\"user\":{\"id\":" + std::to_string(app.actor.userId) +
            "},\"records\":{\"customers\":" + std::to_string(app.customerCount) + "},\"save\":" +
            Quote(ui::SaveStateName(app.saveState)) + ",\"sync\":{\"status\":\"offline\"},\"error\":" +
            Quote(app.fatalError.empty() ? app.home.lastError : app.fatalError) + ",\"saveError\":" + Quote(app.saveError) +
            ",\"storage\":" + GetStorage().StateJson() + "," + numbers + "}";
  return g_reply.c_str();
}

}  // namespace crm::web
