#include "ui/offline_lock_screen.h"

#include "imgui.h"
#include "ui/app_state.h"
#include "ui/errors.h"
#include "ui/keyed_text.h"
#include "ui/value_words.h"
#include "ui/widgets.h"

namespace crm::ui {

namespace {
constexpr int64_t kCheckEveryMs = 1000;
}  // namespace

void UpdateOfflineLock(AppState& state) {
  OfflineLockScreenState& s = state.offlineLock;
  if (!state.db || state.screen != Screen::Home) return;  // only a signed-in person's screens show customers
  if (s.checkedMs != 0 && state.nowMs >= s.checkedMs && state.nowMs - s.checkedMs < kCheckEveryMs) return;
  s.checkedMs = state.nowMs;
  auto lock = sync::CheckOfflineLock(*state.db, state.nowMs);
  if (!lock) {
    s.error = DescribeError(state.lang, lock.GetError());
    return;
  }
  s.error.clear();
  s.lock = lock.Value();
}

bool OfflineLocked(const AppState& state) { return state.screen == Screen::Home && state.offlineLock.lock.locked; }

void DrawOfflineLock(AppState& state) {
  const OfflineLockScreenState& s = state.offlineLock;
  Lang lang = state.lang;
  ImGui::Spacing();
  ImGui::SeparatorText(TrKey(lang, "offline_lock.title"));
  ImGui::TextWrapped("%s", FillText(lang, "offline_lock.why", {{"days", std::to_string(s.lock.lockDays)}}).c_str());
  ImGui::TextWrapped("%s", TrKey(lang, "offline_lock.unlock"));
  ImGui::Spacing();
  ImGui::TextWrapped("%s", FillText(lang, "offline_lock.last_contact", {{"when", MomentWords(state, s.lock.lastContactMs)}}).c_str());
  if (!s.error.empty()) ErrorText(s.error);
}

}  // namespace crm::ui
