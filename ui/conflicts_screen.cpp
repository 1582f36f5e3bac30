#include "ui/conflicts_screen.h"

#include <cstdio>

#include "core/followups.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/errors.h"
#include "ui/labels.h"

namespace crm::ui {

namespace {

constexpr int kPage = 100;

Str ResolutionLabel(const std::string& resolution) {
  if (resolution == "replaced") return Str::ConflictReplaced;
  if (resolution == "dropped") return Str::ConflictDropped;
  if (resolution == "deleted") return Str::ConflictDeleted;
  return Str::ConflictOther;
}

void Load(AppState& state, bool older) {
  ConflictsScreenState& screen = state.conflicts;
  ConflictQuery query;
  query.unseenOnly = screen.unseenOnly;
  query.limit = kPage + 1;
  if (older && !screen.entries.empty()) query.beforeId = screen.entries.back().id;
  auto entries = ListConflicts(*state.db, query);
  if (!entries) {
    screen.error = DescribeError(state.lang, entries.GetError());
    return;
  }
  std::vector<ConflictEntry> page = std::move(entries).Value();
  screen.more = page.size() > static_cast<size_t>(kPage);
  if (screen.more) page.pop_back();
  if (!older) screen.entries.clear();
  screen.entries.insert(screen.entries.end(), page.begin(), page.end());
  if (!older) {
    auto refused = sync::ListRefused(*state.db, 100);
    if (refused) screen.refused = std::move(refused).Value();
    else screen.error = DescribeError(state.lang, refused.GetError());
  }
}

}  // namespace

std::string ConflictLine(const AppState& state, const ConflictEntry& e) {
  Lang lang = state.lang;
  std::string line = LocalDateTimeText(e.at, state.utcOffsetMinutes) + "  ·  " + AuditTableLabel(lang, e.table);
  if (!e.field.empty()) line += " · " + FieldLabel(lang, e.table, e.field);
  if (e.lostValue || e.wonValue) line += ": " + e.lostValue.value_or("∅") + " → " + e.wonValue.value_or("∅");
  line += "  ·  " + std::string(Tr(lang, ResolutionLabel(e.resolution)));
  if (e.winnerUser) line += "  ·  " + std::string(Tr(lang, Str::ConflictKeptFrom)) + " " + UserName(state, e.winnerUser);
  if (e.loserUser) line += "  ·  " + std::string(Tr(lang, Str::ConflictLostFrom)) + " " + UserName(state, e.loserUser);
  return line;
}

void DrawConflicts(AppState& state) {
  ConflictsScreenState& screen = state.conflicts;
  Lang lang = state.lang;
  if (NeedsLoad(state, screen.loaded, PageReads(Page::Conflicts), screen.loadedUnseenOnly != screen.unseenOnly)) {
    screen.loadedUnseenOnly = screen.unseenOnly;
    screen.error.clear();
    Load(state, false);
  }
  ImGui::TextWrapped("%s", Tr(lang, Str::ConflictsIntro));
  if (ToggleButton(Label(lang, Str::ConflictsAll, "conflicts_all").c_str(), !screen.unseenOnly)) screen.unseenOnly = false;
  ImGui::SameLine();
  if (ToggleButton(Label(lang, Str::ConflictsUnseen, "conflicts_unseen").c_str(), screen.unseenOnly)) screen.unseenOnly = true;
  ImGui::SameLine();
  std::string seen = Label(lang, Str::ConflictsMarkSeen, "conflicts_mark_seen");
  if (ImGui::Button(seen.c_str())) {
    Status marked = MarkConflictsSeen(*state.db, 0);
    if (marked) {
      screen.message = Tr(lang, Str::ConflictsMarked);
      AfterCommit(state);
    } else {
      screen.error = DescribeError(state.lang, marked.GetError());
    }
  }
  if (!screen.error.empty()) ErrorText(screen.error);
  if (!screen.message.empty()) SuccessText(screen.message);
  ImGui::BeginChild("##conflict_list", ImVec2(0, 0), ImGuiChildFlags_Border);
  if (screen.entries.empty()) ImGui::TextDisabled("%s", Tr(lang, Str::NoConflicts));
  for (const ConflictEntry& e : screen.entries) {
    ImGui::PushID(static_cast<int>(e.id ^ (e.id >> 32)));
    if (!e.seen) {
      Chip(Tr(lang, Str::ConflictNew), ImVec4(0.8f, 0.2f, 0.18f, 1));
      ImGui::SameLine();
    }
    std::string line = ConflictLine(state, e);
    NoteText(line);
    ImGui::TextWrapped("%s", line.c_str());
    if (e.customerId) {
      std::string open = Label(Tr(lang, Str::OpenCustomer), "conflict_customer_" + std::to_string(e.id));
      if (ImGui::Button(open.c_str())) OpenCustomer(state, *e.customerId);
    }
    ImGui::Separator();
    ImGui::PopID();
  }
  if (screen.more) {
    std::string older = Label(lang, Str::LoadOlder, "conflicts_older");
    if (ImGui::Button(older.c_str())) Load(state, true);
  }
  if (!screen.refused.empty()) {
    ImGui::SeparatorText(Tr(lang, Str::RefusedChanges));
    for (const sync::RefusedChange& r : screen.refused) {
      ImGui::PushID(static_cast<int>(r.changesetId ^ (r.changesetId >> 32)));
      std::string line = LocalDateTimeText(r.createdAtMs, state.utcOffsetMinutes) + "  ·  " + UserName(state, r.userId) + "  ·  " +
                         r.summary + "  ·  " + r.reason;
      NoteText(line);
      ImGui::TextWrapped("%s", line.c_str());
      if (r.customerId) {
        std::string open = Label(Tr(lang, Str::OpenCustomer), "refused_customer_" + std::to_string(r.changesetId));
        if (ImGui::Button(open.c_str())) OpenCustomer(state, *r.customerId);
      }
      ImGui::PopID();
    }
  }
  ImGui::EndChild();
}

}  // namespace crm::ui
