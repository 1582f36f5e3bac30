#include "ui/trash_screen.h"

#include <cstdio>

#include "imgui.h"
#include "ui/app_state.h"
#include "ui/errors.h"

namespace crm::ui {

void DrawTrash(AppState& state) {
  TrashScreenState& trash = state.trash;
  trash.list.query = CustomerQuery{};
  trash.list.query.trashOnly = true;
  trash.list.readsTables = PageReads(Page::Trash);
  RefreshList(state, trash.list);
  char count[96];
  std::snprintf(count, sizeof count, Tr(state.lang, Str::TrashCount), static_cast<long long>(trash.list.total));
  ImGui::TextDisabled("%s", count);
  if (!trash.error.empty()) ErrorText(trash.error);
  if (!trash.message.empty()) SuccessText(trash.message);
  ListClick click = DrawCustomerList(state, trash.list, "##trash_list", Tr(state.lang, Str::Restore), "restore_");
  if (click.actionId) {
    Status restored = RestoreCustomer(*state.db, click.actionId, state.actor);
    if (restored) {
      trash.message = Tr(state.lang, Str::Restored);
      trash.error.clear();
      AfterCommit(state);
    } else {
      trash.error = DescribeError(state.lang, restored.GetError());
      trash.message.clear();
    }
  } else if (click.openId) {
    OpenCustomer(state, click.openId);
  }
}

}  // namespace crm::ui
