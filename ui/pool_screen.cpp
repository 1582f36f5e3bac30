#include "ui/pool_screen.h"

#include <cstdio>

#include "core/grading.h"
#include "core/ownership.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/errors.h"
#include "ui/keyed_text.h"
#include "ui/labels.h"
#include "ui/refusals.h"

namespace crm::ui {

namespace {

void DrawPoolList(AppState& state) {
  PoolScreenState& pool = state.pool;
  pool.pool.query = CustomerQuery{};
  pool.pool.query.poolOnly = true;
  pool.pool.readsTables = PageReads(Page::Pool);
  RefreshList(state, pool.pool);
  char count[96];
  std::snprintf(count, sizeof count, Tr(state.lang, Str::PoolCount), static_cast<long long>(pool.pool.total));
  ImGui::TextDisabled("%s", count);
  // Supervisors sweep customers nobody followed up within the pool period back into the pool.
  if (CanSupervise(state)) {
    ImGui::SameLine();
    std::string sweep = Label(state.lang, Str::ReturnStale, "return_stale");
    if (ActionButton(sweep.c_str(), RefusalText(state.lang, CheckCanChangeSettings(state.me)))) {
      auto returned = ReturnStaleToPool(*state.db, state.nowMs, state.actor);
      if (returned) {
        char text[128];
        std::snprintf(text, sizeof text, Tr(state.lang, Str::ReturnedStale), returned.Value());
        pool.message = text;
        pool.error.clear();
        AfterCommit(state);
      } else {
        pool.error = DescribeError(state.lang, returned.GetError());
      }
    }
  }
  ListClick click = DrawCustomerList(state, pool.pool, "##pool_list", Tr(state.lang, Str::Claim), "claim_");
  if (click.actionId) {
    Status claimed = ClaimCustomer(*state.db, click.actionId, state.actor);
    if (claimed) {
      pool.message = Tr(state.lang, Str::Claimed);
      pool.error.clear();
      AfterCommit(state);
    } else {
      pool.error = DescribeError(state.lang, claimed.GetError());
      pool.message.clear();
    }
  } else if (click.openId) {
    OpenCustomer(state, click.openId);
  }
}

void DrawWinBack(AppState& state) {
  PoolScreenState& pool = state.pool;
  if (NeedsLoad(state, pool.winBackLoaded, PageReads(Page::Pool))) {
    auto list = WinBackList(*state.db, 500);
    if (list) pool.winBack = std::move(list).Value();
    else pool.error = DescribeError(state.lang, list.GetError());
  }
  ImGui::TextWrapped("%s", Tr(state.lang, Str::WinBackIntro));
  ImGui::BeginChild("##winback_list", ImVec2(0, 0), ImGuiChildFlags_Border, ImGuiWindowFlags_NavFlattened);
  if (pool.winBack.empty()) ImGui::TextDisabled("%s", Tr(state.lang, Str::NoLostCustomers));
  for (const CustomerRow& row : pool.winBack) {
    ImGui::PushID(static_cast<int>(row.id ^ (row.id >> 32)));
    ImGui::AlignTextToFramePadding();
    GradeBadge(row.grade);
    ImGui::SameLine();
    std::string line = row.name + "  ·  " + row.phone + "  ·  " + row.city + "  ·  " +
                       (row.ownerId ? row.ownerName : std::string(Tr(state.lang, Str::PublicPool)));
    if (row.lastActivityAt) line += "  ·  " + std::string(Tr(state.lang, Str::LastContact)) + " " +
                                    LocalDateText(*row.lastActivityAt, state.utcOffsetMinutes);
    NoteText(line);
    std::string label = Label(line, "lost_" + row.name);
    if (ImGui::Selectable(label.c_str(), false, ImGuiSelectableFlags_None, ImVec2(0, ImGui::GetFrameHeight()))) OpenCustomer(state, row.id);
    ImGui::PopID();
  }
  ImGui::EndChild();
}

void DrawReassign(AppState& state) {
  PoolScreenState& pool = state.pool;
  Lang lang = state.lang;
  if (!CanSupervise(state)) {
    ImGui::TextWrapped("%s", Tr(lang, Str::ReassignOnlySupervisors));
    return;
  }
  ImGui::TextWrapped("%s", Tr(lang, Str::ReassignIntro));
  std::vector<std::string> names;
  for (const User& user : state.users) names.push_back(user.name + (user.active ? "" : std::string(" (") + Tr(lang, Str::Inactive) + ")"));
  int picked = ChoiceMenu("reassign_from", Tr(lang, Str::ReassignFrom), names, pool.from, Tr(lang, Str::PickOne));
  if (picked >= 0 && picked != pool.from) {
    pool.from = picked;
    pool.confirming = false;
    // How many would move: a count of the rep's live customers.
    CustomerQuery query;
    query.ownerId = state.users[static_cast<size_t>(picked)].id;
    query.limit = 1;
    auto page = ListCustomers(*state.db, query);
    pool.fromCount = page ? page.Value().total : -1;
  }
  ImGui::SameLine();
  ImGui::TextUnformatted("→");
  ImGui::SameLine();
  picked = ChoiceMenu("reassign_to_user", Tr(lang, Str::ReassignTo), names, pool.to, Tr(lang, Str::PickOne));
  if (picked >= 0) {
    pool.to = picked;
    pool.confirming = false;
  }
  bool ready = pool.from >= 0 && pool.to >= 0 && pool.from != pool.to;
  if (pool.from >= 0 && pool.to >= 0 && pool.from == pool.to) ErrorText(Tr(lang, Str::ReassignSame));
  if (ready) {
    const User& from = state.users[static_cast<size_t>(pool.from)];
    const User& to = state.users[static_cast<size_t>(pool.to)];
    char text[256];
    std::snprintf(text, sizeof text, Tr(lang, Str::ReassignSummary), static_cast<long long>(pool.fromCount), from.name.c_str(),
                  to.name.c_str());
    NoteText(text);
    ImGui::TextWrapped("%s", text);
    if (!pool.confirming) {
      std::string go = Label(lang, Str::ReassignGo, "reassign_go");
      if (PrimaryButton(go.c_str())) pool.confirming = true;
    } else {
      WarningText(Tr(lang, Str::ReassignConfirm));
      std::string confirm = Label(lang, Str::ReassignConfirmButton, "reassign_confirm");
      if (PrimaryButton(confirm.c_str())) {
        auto moved = ReassignCustomers(*state.db, from.id, to.id, state.actor);
        pool.confirming = false;
        if (moved) {
          std::snprintf(text, sizeof text, Tr(lang, Str::ReassignDone), moved.Value(), from.name.c_str(), to.name.c_str());
          pool.message = text;
          pool.error.clear();
          pool.from = pool.to = -1;
          AfterCommit(state);
        } else {
          pool.error = DescribeError(state.lang, moved.GetError());
          pool.message.clear();
        }
      }
      ImGui::SameLine();
      std::string cancel = Label(lang, Str::Cancel, "reassign_cancel");
      if (ImGui::Button(cancel.c_str())) pool.confirming = false;
    }
  }
}

}  // namespace

void DrawPool(AppState& state) {
  PoolScreenState& pool = state.pool;
  std::vector<std::string> tabs = {Tr(state.lang, Str::PublicPool), Tr(state.lang, Str::LostCustomers), Tr(state.lang, Str::BulkReassign),
                                   TrKeyWith(state.lang, "handover_requests", "")};
  int clicked = ChoiceButtons(tabs, "pool_tab_", {"pool", "winback", "reassign", "handover"}, static_cast<int>(pool.tab));
  if (clicked >= 0) {
    pool.tab = static_cast<PoolTab>(clicked);
    pool.error.clear();
    pool.message.clear();
  }
  if (!pool.error.empty()) ErrorText(pool.error);
  if (!pool.message.empty()) SuccessText(pool.message);
  switch (pool.tab) {
    case PoolTab::Pool: DrawPoolList(state); break;
    case PoolTab::WinBack: DrawWinBack(state); break;
    case PoolTab::Reassign: DrawReassign(state); break;
    case PoolTab::HandOvers: DrawHandOverRequests(state); break;
  }
}

}  // namespace crm::ui
