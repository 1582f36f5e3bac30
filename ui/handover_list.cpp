#include "ui/handover_list.h"

#include "core/table_changes.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/errors.h"
#include "ui/keyed_text.h"
#include "ui/widgets.h"

namespace crm::ui {

namespace {

// The request and its customer's owner, as the list shows them.
uint64_t ReadTables() { return TableBits({"handover_requests", "customers", "users"}); }

void Decide(AppState& state, const HandOverRequest& request, bool grant) {
  HandOverListState& list = state.pool.handOvers;
  Status decided = grant ? GrantHandOver(*state.db, request.id, state.actor) : DeclineHandOver(*state.db, request.id, state.actor);
  if (!decided) {
    list.error = DescribeError(state.lang, decided.GetError());
    list.message.clear();
    return;
  }
  list.error.clear();
  list.message = TrKeyWith(state.lang, grant ? "handover.granted" : "handover.declined", "");
  AfterCommit(state);
}

}  // namespace

void DrawHandOverRequests(AppState& state) {
  HandOverListState& list = state.pool.handOvers;
  if (NeedsLoad(state, list.loaded, ReadTables())) {
    auto found = HandOversToDecide(*state.db, state.actor);
    if (found) list.requests = std::move(found).Value();
    else list.error = DescribeError(state.lang, found.GetError());
  }
  ImGui::TextWrapped("%s", TrKeyWith(state.lang, "handover.intro", "").c_str());
  if (!list.error.empty()) ErrorText(list.error);
  if (!list.message.empty()) SuccessText(list.message);
  if (list.requests.empty()) ImGui::TextDisabled("%s", TrKeyWith(state.lang, "handover.none", "").c_str());
  for (const HandOverRequest& request : list.requests) {
    ImGui::PushID(static_cast<int>(request.id ^ (request.id >> 32)));
    std::string line = TrKeyWith(state.lang, "handover.line", request.requesterName, request.customerName, request.ownerName);
    NoteText(line);
    ImGui::TextWrapped("%s", line.c_str());
    if (!request.note.empty()) ImGui::TextDisabled("%s", request.note.c_str());
    bool grant = PrimaryButton(Label(TrKeyWith(state.lang, "handover.grant", ""), "handover_grant").c_str());
    ImGui::SameLine();
    bool decline = ImGui::Button(Label(TrKeyWith(state.lang, "handover.decline", ""), "handover_decline").c_str());
    ImGui::PopID();
    if (grant || decline) {
      Decide(state, request, grant);
      break;  // the list reloads with the next frame
    }
  }
}

}  // namespace crm::ui
