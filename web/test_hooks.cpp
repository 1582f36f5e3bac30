// window.crmTest, for browser tests: find a widget by label, read app state,
// and know when the app is ready. Compiled only into the test build.
#include <emscripten.h>

#include <cstdio>
#include <string>

#include "core/audit.h"
#include "core/org.h"
#include "imgui.h"
#include "web/platform.h"
#include "web/storage.h"
#include "web/sync_browser.h"

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
  char platformNumbers[512];
  std::snprintf(platformNumbers, sizeof platformNumbers,
                "\"frames\":{\"lastMs\":%.2f,\"maxMs\":%.2f,\"over50\":%d},"
                "\"glyphs\":{\"builds\":%d,\"extra\":%zu,\"missing\":%zu,\"lastBuildMs\":%.2f},"
                "\"list\":{\"scrollY\":%.1f,\"scrollMaxY\":%.1f,\"shown\":%zu},"
                "\"device\":{\"shared\":%s,\"idleLockSeconds\":%d,\"trial\":%s,\"accounts\":%zu},"
                "\"lastSwitchMs\":%.1f,\"pinJob\":%s",
                platform.lastFrameMs, platform.maxFrameMs, platform.framesOver50Ms, app.glyphs.Builds(), app.glyphs.ExtraCount(),
                app.glyphs.MissingCount(), app.glyphs.LastBuildMs(), app.customers.scrollY, app.customers.scrollMaxY,
                app.customers.rows.size(), app.device.shared ? "true" : "false", app.device.idleLockSeconds,
                app.device.trial ? "true" : "false", app.signIn.accounts.size(), app.signIn.lastSwitchMs,
                app.signIn.job ? "true" : "false");
  std::string names;
  for (size_t i = 0; i < app.customers.rows.size() && i < 60; i++) names += (i ? "," : "") + Quote(app.customers.rows[i].name);
  const ui::NewCustomerForm& form = app.customers.form;
  std::string errors = "{\"name\":" + Quote(form.nameError) + ",\"phone\":" + Quote(form.phoneError) +
                       ",\"signInName\":" + Quote(app.signIn.nameError) + ",\"pin\":" + Quote(app.signIn.pinError) +
                       ",\"pinAgain\":" + Quote(app.signIn.pinAgainError) + ",\"signIn\":" + Quote(app.signIn.formError) +
                       ",\"people\":" + Quote(app.people.nameError + app.people.pinError) + "}";
  g_reply = std::string("{\"screen\":") + Quote(ui::ScreenName(app.screen)) + ",\"lang\":" +
            Quote(app.lang == ui::Lang::Zh ? "zh-CN" : "en") + ",\"user\":{\"id\":" + std::to_string(app.actor.userId) +
            ",\"device\":" + std::to_string(app.actor.deviceId) + ",\"name\":" + Quote(app.userName) +
            "},\"records\":{\"customers\":" + std::to_string(app.customerCount) + "},\"save\":" +
            Quote(ui::SaveStateName(app.saveState)) + ",\"sync\":{\"status\":\"offline\"},\"error\":" +
            Quote(app.fatalError.empty() ? app.home.lastError : app.fatalError) + ",\"saveError\":" + Quote(app.saveError) +
            ",\"storage\":" + GetStorage().StateJson() + ",\"sync\":" + GetSync().StateJson() + "," + numbers + "," + platformNumbers +
            ",\"layout\":" + Quote(ui::LayoutName(app.layout)) + ",\"layoutAuto\":" + (app.layoutAuto ? "true" : "false") +
            ",\"ime\":{\"wantText\":" + (io.WantTextInput ? "true" : "false") + ",\"preedit\":" + Quote(app.ime.preedit) +
            ",\"caret\":{\"x\":" + std::to_string(app.ime.caret.x) + ",\"y\":" + std::to_string(app.ime.caret.y) + "}}" +
            ",\"search\":" + Quote(app.customers.search) + ",\"form\":{\"open\":" + (form.open ? "true" : "false") +
            ",\"name\":" + Quote(form.name) + "},\"peopleOpen\":" + (app.people.open ? "true" : "false") +
            ",\"signInStep\":" + std::to_string(static_cast<int>(app.signIn.step)) + ",\"errors\":" + errors +
            ",\"customers\":[" + names + "]}";
  return g_reply.c_str();
}

// The customer with this exact name: who created and who last changed it (for attribution checks).
extern "C" EMSCRIPTEN_KEEPALIVE const char* crm_test_customer(const char* name) {
  Platform& platform = GetPlatform();
  g_reply.clear();
  if (!platform.app.db || !name) return "";
  CustomerQuery query;
  query.limit = 1000;
  auto page = ListCustomers(*platform.app.db, query);
  if (!page) return "";
  for (const CustomerRow& row : page.Value().rows) {
    if (row.name != name) continue;
    auto customer = GetCustomer(*platform.app.db, row.id);
    if (!customer) return "";
    auto creator = GetUser(*platform.app.db, customer.Value().createdBy);
    auto audit = AuditForCustomer(*platform.app.db, row.id);
    std::string auditUser = audit && !audit.Value().empty() ? std::to_string(audit.Value().back().userId) : "0";
    g_reply = "{\"id\":" + std::to_string(row.id) + ",\"createdBy\":" + std::to_string(customer.Value().createdBy) +
              ",\"createdByName\":" + Quote(creator ? creator.Value().name : "") + ",\"auditUser\":" + auditUser +
              ",\"owner\":" + Quote(row.ownerName) + "}";
    return g_reply.c_str();
  }
  return "";
}

// Moves the app's clock forward, so the idle lock can be tested without waiting.
extern "C" EMSCRIPTEN_KEEPALIVE void crm_test_advance_clock(double ms) { GetPlatform().clockOffsetMs += ms; }

}  // namespace crm::web
