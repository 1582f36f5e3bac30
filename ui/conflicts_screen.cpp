#include "ui/conflicts_screen.h"

#include <charconv>
#include <cstdio>

#include "core/followups.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/errors.h"
#include "ui/labels.h"
#include "ui/value_words.h"

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

// "李四 在 2026-12-07 14:05": who made a change and, where the audit trail says, when.
std::string WhoWhen(AppState& state, std::optional<int64_t> user, std::optional<int64_t> at) {
  if (!user || *user == 0) return FillText(state.lang, "change_words.someone", {});
  std::string who = NameOfRow(state, "users", *user);
  if (!at) return who;
  return FillText(state.lang, "change_words.who_when", {{"who", who}, {"when", MomentWords(state, *at)}});
}

// The row the entry is about; a row keyed by text or by several columns by its table alone.
std::string RowWords(AppState& state, const ConflictEntry& e) {
  int64_t id = 0;
  auto [end, error] = std::from_chars(e.rowKey.data(), e.rowKey.data() + e.rowKey.size(), id);
  if (error != std::errc() || end != e.rowKey.data() + e.rowKey.size()) return AuditTableLabel(state.lang, e.table);
  return ui::RowWords(state, e.table, id);
}

}  // namespace

std::string ConflictCustomerName(AppState& state, const ConflictEntry& e) {
  return e.customerId ? NameOfRow(state, "customers", *e.customerId) : std::string();
}

std::string ConflictLine(AppState& state, const ConflictEntry& e) {
  Lang lang = state.lang;
  const std::string row = RowWords(state, e);
  std::string line = MomentWords(state, e.at) + "  ·  " + row;
  // A row people know by its one field (a phone) is not named twice ("电话 · 电话").
  if (!e.field.empty() && FieldLabel(lang, e.table, e.field) != row) line += " · " + FieldLabel(lang, e.table, e.field);
  line += ": ";
  const std::string winner = WhoWhen(state, e.winnerUser, e.winnerAt);
  const std::string loser = WhoWhen(state, e.loserUser, e.loserAt);
  auto value = [&](const std::optional<std::string>& v) { return ValueWords(state, e.table, e.field, v); };
  // A field's value that lost to a later one, to a delete, or to a row gone; anything else by its resolution.
  const bool fieldValue = !e.field.empty() && e.kind != ConflictKind::Constraint && e.kind != ConflictKind::ForeignKey;
  if (fieldValue && e.resolution == "replaced") {
    line += FillText(lang, "change_words.replaced", {{"winner", winner}, {"won", value(e.wonValue)}, {"loser", loser}, {"lost", value(e.lostValue)}});
  } else if (fieldValue && e.resolution == "deleted") {
    line += FillText(lang, "change_words.deleted", {{"winner", winner}, {"loser", loser}, {"lost", value(e.lostValue)}});
  } else if (fieldValue && e.resolution == "dropped") {
    line += FillText(lang, "change_words.dropped", {{"winner", winner}, {"lost", value(e.lostValue)}});
  } else {
    line += FillText(lang, "change_words.other", {{"winner", winner}, {"what", Tr(lang, ResolutionLabel(e.resolution))}});
  }
  return line;
}

void DrawCustomerLink(AppState& state, const ConflictEntry& e, const char* idPrefix) {
  if (!e.customerId) return;
  std::string link = Label(ConflictCustomerName(state, e), idPrefix + std::to_string(e.id));
  NoteText(link);
  if (ImGui::SmallButton(link.c_str())) OpenCustomer(state, *e.customerId);
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
  ImGui::BeginChild("##conflict_list", ImVec2(0, 0), ImGuiChildFlags_Border, ImGuiWindowFlags_NavFlattened);
  if (screen.entries.empty()) ImGui::TextDisabled("%s", Tr(lang, Str::NoConflicts));
  for (const ConflictEntry& e : screen.entries) {
    ImGui::PushID(static_cast<int>(e.id ^ (e.id >> 32)));
    if (!e.seen) {
      Chip(Tr(lang, Str::ConflictNew), ImVec4(0.8f, 0.2f, 0.18f, 1));
      ImGui::SameLine();
    }
    DrawCustomerLink(state, e, "conflict_customer_");
    std::string line = ConflictLine(state, e);
    NoteText(line);
    ImGui::TextWrapped("%s", line.c_str());
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
