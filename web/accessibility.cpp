// The screen reader's view of a canvas app: ImGui draws pixels, so a visually hidden live region in the
// page (#live in shell.html, aria-live="polite") is told, in words, which control has the keyboard focus
// and what it holds, each time that changes. The words come from ui::FocusAnnouncement.
#include <emscripten.h>

#include "ui/theme.h"
#include "web/platform.h"

namespace crm::web {

namespace {
EM_JS(void, SetLiveRegionText, (const char* text), {
  var region = document.getElementById('live');
  if (region) region.textContent = UTF8ToString(text);
});
}  // namespace

void SyncLiveRegion(Platform& platform) {
  std::string text = ui::FocusAnnouncement(platform.app);
  // Nothing focused (a click on empty canvas) keeps the last words: a screen reader does not re-read them.
  if (text.empty() || text == platform.liveText) return;
  platform.liveText = text;
  SetLiveRegionText(text.c_str());
}

}  // namespace crm::web
