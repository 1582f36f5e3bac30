// window.crmTest, for browser tests: find a widget by label, read app state,
// and know when the app is ready. Compiled only into the test build.
#include <emscripten.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/audit.h"
#include "core/followups.h"
#include "core/org.h"
#include "core/text.h"
#include "ui/labels.h"
#include "imgui.h"
#include "web/platform.h"
#include "web/storage.h"
#include "web/sync_browser.h"

namespace crm::web {

namespace {
std::string g_reply;  // the last answer handed to JavaScript, kept alive until the next call

std::string JsonStrings(const std::vector<std::string>& texts) {
  std::string out;
  for (const std::string& text : texts) out += (out.empty() ? "" : ",") + JsonString(text);
  return "[" + out + "]";
}

}  // namespace

void AttachTestHooks(Platform& platform) { platform.app.probe.Attach(ImGui::GetCurrentContext()); }

void SignalReadyIfDue(Platform& platform) {
  if (platform.readySignalled) return;
  // Ready also when another tab holds the database: that tab's page is what the test looks at.
  ui::WriterRole role = platform.app.storage.role;
  // (And when the saved data is encrypted: the unlock step is the page the test looks at.)
  bool open = platform.app.db != nullptr || !platform.app.fatalError.empty() || role == ui::WriterRole::OtherTab ||
              platform.app.screen == ui::Screen::Unlock;
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

namespace {
std::string Bool(bool value) { return value ? "true" : "false"; }

std::string Rect(const ImVec2& min, const ImVec2& max) {
  char buffer[128];
  std::snprintf(buffer, sizeof buffer, "{\"x\":%.1f,\"y\":%.1f,\"w\":%.1f,\"h\":%.1f}", min.x, min.y, max.x - min.x, max.y - min.y);
  return buffer;
}

std::string Point(const ImVec2& point) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "{\"x\":%.1f,\"y\":%.1f}", point.x, point.y);
  return buffer;
}
}  // namespace

// Every target a finger can press in the last frame, and the windows they sit in (their visible area and
// scroll range), so a test can tell whether each is large enough and can be brought into view.
extern "C" EMSCRIPTEN_KEEPALIVE const char* crm_test_items() {
  const ui::ItemProbe& probe = GetPlatform().app.probe;
  std::string items;
  for (const ui::ProbedItem& item : probe.LastFrame()) {
    if (!item.interactive) continue;
    items += (items.empty() ? "" : ",") + std::string("{\"label\":") + JsonString(item.label) + ",\"rect\":" + Rect(item.min, item.max) +
             ",\"window\":" + std::to_string(item.windowId) + "}";
  }
  std::string windows;
  for (const ui::ProbedWindow& window : probe.LastWindows()) {
    windows += (windows.empty() ? "" : ",") + std::string("{\"id\":") + std::to_string(window.id) + ",\"parent\":" +
               std::to_string(window.parentId) + ",\"name\":" + JsonString(window.name) + ",\"rect\":" + Rect(window.min, window.max) +
               ",\"clip\":" + Rect(window.clipMin, window.clipMax) + ",\"inner\":" + Point(window.innerMin) +
               ",\"scroll\":" + Point(window.scroll) + ",\"scrollMax\":" + Point(window.scrollMax) +
               ",\"textField\":" + (window.textField ? "true" : "false") + "}";
  }
  g_reply = "{\"items\":[" + items + "],\"windows\":[" + windows + "]}";
  return g_reply.c_str();
}

namespace {

std::string Names(const std::vector<Followup>& items) {
  std::string out;
  for (const Followup& f : items) out += (out.empty() ? "" : ",") + JsonString(f.customerName);
  return "[" + out + "]";
}

// The first rows of a list view (the page the view holds for its top), by name.
std::string RowNames(const ui::CustomerListView& view, size_t max) {
  std::string out;
  auto first = view.pages.find(0);
  if (first == view.pages.end()) return "[]";
  for (size_t i = 0; i < first->second.size() && i < max; i++) out += (i ? "," : "") + JsonString(first->second[i].name);
  return "[" + out + "]";
}

std::string UserNames(const ui::AppState& app) {
  std::string out;
  for (const User& user : app.users) out += (out.empty() ? "" : ",") + JsonString(user.name);
  return "[" + out + "]";
}

std::string DetailJson(const ui::AppState& app) {
  const ui::CustomerDetailState& d = app.detail;
  size_t open = 0;
  for (const Followup& f : d.followups.followups) open += f.status == FollowupStatus::Open ? 1 : 0;
  std::string json = "{\"open\":" + Bool(d.customerId != 0) + ",\"id\":\"" + std::to_string(d.customerId) + "\"";
  if (d.customer) {
    json += ",\"name\":" + JsonString(d.customer->fields.name) + ",\"grade\":" + JsonString(Code(d.customer->grade)) +
            ",\"stage\":" + JsonString(Code(d.customer->stage)) + ",\"owner\":" + JsonString(ui::UserName(app, d.customer->ownerId));
  }
  std::string summaries;
  for (const Activity& a : d.timeline.activities) summaries += (summaries.empty() ? "" : ",") + JsonString(a.fields.summary);
  json += ",\"section\":" + std::to_string(d.section) + ",\"activities\":[" + summaries + "]" +
          ",\"openFollowups\":" + std::to_string(open) + ",\"contacts\":" + std::to_string(d.contacts.contacts.size()) +
          ",\"gradeChanges\":" + std::to_string(d.grade.grades.size()) + ",\"audit\":" + std::to_string(d.audit.audit.size()) +
          ",\"error\":" + JsonString(d.error) + ",\"message\":" + JsonString(d.message) + "}";
  return json;
}

std::string ImportJson(const ui::AppState& app) {
  const ui::ImportScreenState& i = app.import;
  std::string json = "{\"step\":" + std::to_string(static_cast<int>(i.step)) + ",\"file\":" + JsonString(i.fileName) +
                     ",\"running\":" + Bool(i.job.has_value()) + ",\"message\":" + JsonString(i.message) + ",\"error\":" +
                     JsonString(i.error) + ",\"previewError\":" + JsonString(i.previewError) + ",\"steps\":" + std::to_string(i.steps) +
                     ",\"maxStepMs\":" + std::to_string(i.maxStepMs) + ",\"validOnly\":" + Bool(i.validOnly);
  std::string headers;
  for (const std::string& h : i.headers) headers += (headers.empty() ? "" : ",") + JsonString(h);
  json += ",\"headers\":[" + headers + "],\"detected\":" + JsonString(EncodingName(i.detected));
  std::string mapping;
  for (int m : i.mapping) mapping += (mapping.empty() ? "" : ",") + JsonString(ImportFieldCode(ui::AllImportFields()[static_cast<size_t>(m)]));
  json += ",\"mapping\":[" + mapping + "]";
  if (i.preview) {
    std::string rows;
    for (const PreviewRow& row : i.preview->rows) {
      rows += std::string(rows.empty() ? "" : ",") + "{\"line\":" + std::to_string(row.line) + ",\"name\":" + JsonString(row.input.name) +
              ",\"problem\":" + JsonString(row.problem) + "}";
    }
    json += ",\"preview\":[" + rows + "]";
  }
  if (i.job) {
    ImportProgress p = i.job->Progress();
    json += ",\"progress\":{\"pass\":" + std::to_string(p.pass) + ",\"rows\":" + std::to_string(p.rowsDone) + "}";
  }
  if (i.report) {
    const ImportReport& r = *i.report;
    std::string errors;
    for (const RowIssue& issue : r.errors) {
      errors += std::string(errors.empty() ? "" : ",") + "{\"line\":" + std::to_string(issue.line) + ",\"message\":" + JsonString(issue.message) + "}";
    }
    json += ",\"report\":{\"rowsRead\":" + std::to_string(r.rowsRead) + ",\"created\":" + std::to_string(r.created) +
            ",\"merged\":" + std::to_string(r.merged) + ",\"skipped\":" + std::to_string(r.skipped) + ",\"failed\":" +
            std::to_string(r.failed) + ",\"written\":" + Bool(r.written) + ",\"cancelled\":" + Bool(r.cancelled) +
            ",\"encoding\":" + JsonString(EncodingName(r.encoding)) + ",\"errors\":[" + errors + "]}";
  }
  if (i.undo) json += ",\"undo\":{\"trashed\":" + std::to_string(i.undo->trashed) + "}";
  json += ",\"export\":{\"running\":" + Bool(i.exportJob.has_value()) + ",\"rows\":" + std::to_string(i.exportedRows) +
          ",\"message\":" + JsonString(i.exportMessage) + ",\"error\":" + JsonString(i.exportError) + "}}";
  return json;
}
std::string SlowFramesJson(const Platform& platform) {
  std::string json = "[";
  char buffer[192];
  for (const Platform::SlowFrame& f : platform.slowFrames) {
    std::snprintf(buffer, sizeof buffer, "%s{\"frame\":%llu,\"ms\":%.1f,\"ui\":%.1f,\"fonts\":%.1f,\"render\":%.1f,\"storage\":%.1f,",
                  json.size() > 1 ? "," : "", static_cast<unsigned long long>(f.frame), f.total, f.ui, f.fonts, f.render, f.storage);
    json += buffer + std::string("\"screen\":") + JsonString(ui::ScreenName(static_cast<ui::Screen>(f.screen))) +
            ",\"page\":" + JsonString(ui::PageName(static_cast<ui::Page>(f.page))) + "}";
  }
  return json + "]";
}
}  // namespace

extern "C" EMSCRIPTEN_KEEPALIVE const char* crm_test_state() {
  Platform& platform = GetPlatform();
  const ui::AppState& app = platform.app;
  // No WebGL2 context: the app never started drawing, and the page says so (#no-webgl in shell.html).
  if (!ImGui::GetCurrentContext()) return "{\"screen\":\"none\",\"drawing\":false}";
  const ImGuiIO& io = ImGui::GetIO();
  char numbers[256];
  std::snprintf(numbers, sizeof numbers,
                "\"frame\":%llu,\"pixelRatio\":%.3f,\"display\":{\"w\":%.0f,\"h\":%.0f},\"fontSize\":%.1f",
                static_cast<unsigned long long>(app.frameCount), platform.pixelRatio, io.DisplaySize.x, io.DisplaySize.y,
                ImGui::GetFontSize());
  const ui::CustomerListView& list = app.customers.list;
  char platformNumbers[1024];
  std::snprintf(platformNumbers, sizeof platformNumbers,
                "\"frames\":{\"lastMs\":%.2f,\"maxMs\":%.2f,\"over50\":%d,\"uiMs\":%.2f,\"drawLists\":%d,\"vertices\":%d,"
                "\"indices\":%d,\"idleSkipped\":%llu,\"glLost\":%s,\"glRestores\":%d},"
                "\"glyphs\":{\"builds\":%d,\"extra\":%zu,\"missing\":%zu,\"lastBuildMs\":%.2f,\"waiting\":%zu,\"onDemandFonts\":%zu},"
                "\"list\":{\"scrollY\":%.1f,\"scrollMaxY\":%.1f,\"shown\":%lld,\"total\":%lld,\"first\":%d,\"last\":%d,"
                "\"pageLoads\":%d,\"lastLoadMs\":%.2f,\"rect\":{\"x\":%.1f,\"y\":%.1f,\"w\":%.1f,\"h\":%.1f},"
                "\"scrollbar\":%.1f},"
                "\"device\":{\"shared\":%s,\"idleLockSeconds\":%d,\"trial\":%s,\"accounts\":%zu},"
                "\"lastSwitchMs\":%.1f,\"pinJob\":%s",
                platform.lastFrameMs, platform.maxFrameMs, platform.framesOver50Ms, platform.lastUiMs,
                ImGui::GetDrawData() ? ImGui::GetDrawData()->CmdListsCount : 0,
                ImGui::GetDrawData() ? ImGui::GetDrawData()->TotalVtxCount : 0,
                ImGui::GetDrawData() ? ImGui::GetDrawData()->TotalIdxCount : 0,
                static_cast<unsigned long long>(platform.idleSkipped), platform.glLost ? "true" : "false", platform.glRestores,
                app.glyphs.Builds(),
                app.glyphs.ExtraCount(), app.glyphs.MissingCount(), app.glyphs.LastBuildMs(), app.glyphs.WaitingCount(),
                app.glyphs.LoadedFiles().size(), list.scrollY, list.scrollMaxY,
                static_cast<long long>(list.total), static_cast<long long>(list.total), list.firstVisible, list.lastVisible,
                list.pageLoads, list.lastLoadMs, list.rectMin.x, list.rectMin.y, list.rectMax.x - list.rectMin.x,
                list.rectMax.y - list.rectMin.y, ImGui::GetStyle().ScrollbarSize, app.device.shared ? "true" : "false", app.device.idleLockSeconds,
                app.device.trial ? "true" : "false", app.signIn.accounts.size(), app.signIn.lastSwitchMs,
                app.signIn.job ? "true" : "false");
  const ui::CustomerFormState& form = app.form;
  std::string duplicates;
  for (const DuplicateCandidate& d : form.duplicates) duplicates += (duplicates.empty() ? "" : ",") + JsonString(d.name);
  std::string errors = "{\"name\":" + JsonString(ui::FormError(form, ui::FormField::Name)) + ",\"phone\":" +
                       JsonString(ui::FormError(form, ui::FormField::Phones)) + ",\"form\":" + JsonString(form.formError) +
                       ",\"signInName\":" + JsonString(app.signIn.nameError) + ",\"pin\":" + JsonString(app.signIn.pinError) +
                       ",\"pinAgain\":" + JsonString(app.signIn.pinAgainError) + ",\"signIn\":" + JsonString(app.signIn.formError) +
                       ",\"people\":" + JsonString(app.people.nameError + app.people.pinError) + "}";
  std::string agenda = "{\"overdue\":" + Names(app.agenda.overdue) + ",\"today\":" + Names(app.agenda.today) +
                       ",\"week\":" + Names(app.agenda.week) + ",\"scope\":" + std::to_string(static_cast<int>(app.agenda.scope)) +
                       ",\"message\":" + JsonString(app.agenda.message) + ",\"error\":" + JsonString(app.agenda.error) + "}";
  std::string pool = "{\"tab\":" + std::to_string(static_cast<int>(app.pool.tab)) + ",\"total\":" + std::to_string(app.pool.pool.total) +
                     ",\"names\":" + RowNames(app.pool.pool, 60) + ",\"winBack\":" + std::to_string(app.pool.winBack.size()) +
                     ",\"fromCount\":" + std::to_string(app.pool.fromCount) + ",\"confirming\":" + Bool(app.pool.confirming) +
                     ",\"message\":" + JsonString(app.pool.message) + ",\"error\":" + JsonString(app.pool.error) + "}";
  std::string trash = "{\"total\":" + std::to_string(app.trash.list.total) + ",\"names\":" + RowNames(app.trash.list, 60) +
                      ",\"message\":" + JsonString(app.trash.message) + ",\"error\":" + JsonString(app.trash.error) + "}";
  std::string visit = "{\"open\":" + Bool(app.visit.open) + ",\"lastActivity\":\"" + std::to_string(app.visit.lastActivityId) +
                      "\",\"error\":" + JsonString(app.visit.error + app.visit.summaryError + app.visit.nextError) + "}";
  std::string merge = "{\"open\":" + Bool(app.merge.open) + ",\"candidates\":" + std::to_string(app.merge.candidates.size()) +
                      ",\"done\":" + Bool(app.merge.done.has_value()) + ",\"error\":" + JsonString(app.merge.error) + "}";
  g_reply = std::string("{\"screen\":") + JsonString(ui::ScreenName(app.screen)) + ",\"page\":" + JsonString(ui::PageName(app.page)) +
            ",\"lang\":" + JsonString(app.lang == ui::Lang::Zh ? "zh-CN" : "en") + ",\"user\":{\"id\":" + std::to_string(app.actor.userId) +
            ",\"device\":" + std::to_string(app.actor.deviceId) + ",\"name\":" + JsonString(app.userName) +
            ",\"role\":" + JsonString(Code(app.me.role)) + "},\"users\":" + UserNames(app) + ",\"records\":{\"customers\":" + std::to_string(app.customerCount) +
            ",\"overdue\":" + std::to_string(app.overdueCount) + "},\"save\":" + JsonString(ui::SaveStateName(app.saveState)) +
            ",\"sync\":" + GetSync().StateJson() + ",\"error\":" + JsonString(app.fatalError.empty() ? app.home.lastError : app.fatalError) +
            ",\"saveError\":" + JsonString(app.saveError) + ",\"storage\":" + GetStorage().StateJson() + "," + numbers + "," +
            platformNumbers + ",\"layout\":" + JsonString(ui::LayoutName(app.layout)) + ",\"layoutAuto\":" + Bool(app.layoutAuto) +
            ",\"ime\":{\"wantText\":" + Bool(io.WantTextInput) + ",\"preedit\":" + JsonString(app.ime.preedit) +
            ",\"caret\":{\"x\":" + std::to_string(app.ime.caret.x) + ",\"y\":" + std::to_string(app.ime.caret.y) + "}}" +
            ",\"search\":" + JsonString(app.customers.search) + ",\"appliedSearch\":" + JsonString(app.customers.appliedSearch) +
            ",\"form\":{\"open\":" + Bool(form.open) + ",\"name\":" + JsonString(form.name) + ",\"phone\":" + JsonString(form.phones) +
            ",\"notes\":" + JsonString(form.notes) +
            ",\"editing\":" + Bool(form.editingId != 0) + ",\"duplicates\":[" + duplicates + "],\"duplicatesConfirm\":" +
            Bool(form.duplicatesConfirm) + "},\"peopleOpen\":" + Bool(app.people.open) + ",\"searchHint\":" + JsonString(ui::SearchHint(app)) +
            ",\"unlock\":{\"encrypted\":" + Bool(app.unlock.encrypted) + ",\"keyring\":" + std::to_string(app.unlock.keyring.size()) +
            ",\"busy\":" + Bool(app.unlock.busy) + ",\"error\":" + JsonString(app.unlock.secretError) + "}" +
            ",\"signInStep\":" +
            std::to_string(static_cast<int>(app.signIn.step)) + ",\"wipedNotice\":" + Bool(app.signIn.wipedNotice) +
            ",\"errors\":" + errors + ",\"detail\":" + DetailJson(app) +
            ",\"visit\":" + visit + ",\"merge\":" + merge + ",\"agenda\":" + agenda + ",\"pool\":" + pool + ",\"trash\":" + trash +
            ",\"import\":" + ImportJson(app) + ",\"customers\":" + RowNames(list, 60) + ",\"slowFrames\":" + SlowFramesJson(platform) +
            ",\"focus\":{\"label\":" + JsonString(app.probe.Focused().label) + ",\"ring\":" +
            Bool(ImGui::GetIO().NavVisible) + "},\"appearance\":{\"highContrast\":" + Bool(app.device.highContrast) +
            ",\"textScale\":" + std::to_string(app.device.textScalePercent) + "}}";
  return g_reply.c_str();
}

// Frame times for the UI benchmark: sampling on or off, and the samples so far (then cleared).
extern "C" EMSCRIPTEN_KEEPALIVE void crm_test_sample_frames(int on) {
  Platform& platform = GetPlatform();
  platform.sampleFrames = on != 0;
  platform.frameSamples.clear();
  platform.uiSamples.clear();
  platform.partSamples.clear();
}

extern "C" EMSCRIPTEN_KEEPALIVE const char* crm_test_frame_samples() {
  Platform& platform = GetPlatform();
  std::string frame;
  std::string ui;
  std::string parts;
  char number[96];
  for (size_t i = 0; i < platform.frameSamples.size(); i++) {
    std::snprintf(number, sizeof number, "%s%.3f", i ? "," : "", platform.frameSamples[i]);
    frame += number;
    std::snprintf(number, sizeof number, "%s%.3f", i ? "," : "", platform.uiSamples[i]);
    ui += number;
    const Platform::FrameParts& p = platform.partSamples[i];
    std::snprintf(number, sizeof number, "%s[%.3f,%.3f,%.3f]", i ? "," : "", p.fonts, p.render, p.storage);
    parts += number;
  }
  platform.frameSamples.clear();
  platform.uiSamples.clear();
  platform.partSamples.clear();
  g_reply = "{\"frame\":[" + frame + "],\"ui\":[" + ui + "],\"parts\":[" + parts + "]}";
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
              ",\"createdByName\":" + JsonString(creator ? creator.Value().name : "") + ",\"auditUser\":" + auditUser +
              ",\"owner\":" + JsonString(row.ownerName) + ",\"notes\":" + JsonString(customer.Value().fields.notes) +
              ",\"city\":" + JsonString(customer.Value().fields.address.city) +
              ",\"street\":" + JsonString(customer.Value().fields.address.street) + ",\"phones\":" + JsonStrings(customer.Value().fields.phones) +
              "}";
    return g_reply.c_str();
  }
  return "";
}

// Whether the glyph atlas draws `codepoint` with a glyph of its own (0: it would draw the missing-glyph box).
extern "C" EMSCRIPTEN_KEEPALIVE int crm_test_has_glyph(int codepoint) {
  ImGuiIO& io = ImGui::GetIO();
  if (io.Fonts->Fonts.empty()) return 0;
  return io.Fonts->Fonts[0]->FindGlyphNoFallback(static_cast<ImWchar>(codepoint)) != nullptr ? 1 : 0;
}

// Every run of text the last frame drew, as a person reads the screen (ui/item_probe.h DrawnTexts).
extern "C" EMSCRIPTEN_KEEPALIVE const char* crm_test_screen_texts() {
  const ImDrawData* data = ImGui::GetDrawData();
  g_reply = JsonStrings(data ? ui::DrawnTexts(*data, *ImGui::GetIO().Fonts) : std::vector<std::string>{});
  return g_reply.c_str();
}

// Moves the app's clock forward, so the idle lock can be tested without waiting.
extern "C" EMSCRIPTEN_KEEPALIVE void crm_test_advance_clock(double ms) { GetPlatform().clockOffsetMs += ms; }

}  // namespace crm::web
