#include "ui/agenda_screen.h"

#include <cstdio>

#include "imgui.h"
#include "ui/app_state.h"
#include "ui/errors.h"
#include "ui/labels.h"

namespace crm::ui {

namespace {

DueQuery QueryFor(const AppState& state, DueWindow window) {
  const AgendaScreenState& agenda = state.agenda;
  DueQuery query;
  query.window = window;
  query.nowMs = state.nowMs;
  query.limit = 300;
  switch (agenda.scope) {
    case AgendaScope::Mine: query.ownerId = state.actor.userId; break;
    case AgendaScope::Team:
      if (state.me.role == Role::Supervisor || state.me.role == Role::Store) {
        query.teamId = state.me.teamId;
      } else if (!state.teams.empty()) {
        query.teamId = state.teams[static_cast<size_t>(agenda.teamIndex) % state.teams.size()].id;
      }
      break;
    case AgendaScope::Everyone: break;
  }
  return query;
}

void Load(AppState& state) {
  AgendaScreenState& agenda = state.agenda;
  // The day changes at midnight: the key holds today's start, so the lists move with it.
  int64_t today = LocalDayStartAt(state.nowMs, state.utcOffsetMinutes);
  std::string key = std::to_string(static_cast<int>(agenda.scope)) + "|" + std::to_string(agenda.teamIndex) + "|" +
                    std::to_string(state.actor.userId) + "|" + std::to_string(today);
  if (!NeedsLoad(state, agenda.loaded, PageReads(Page::Agenda), key != agenda.loadedKey)) return;
  agenda.loadedKey = key;
  agenda.error.clear();
  auto read = [&](DueWindow window, std::vector<Followup>& into) {
    DueQuery query = QueryFor(state, window);
    if (agenda.scope == AgendaScope::Team && !query.teamId) {
      into.clear();
      return;
    }
    auto due = DueFollowups(*state.db, query);
    if (due) into = std::move(due).Value();
    else agenda.error = DescribeError(state.lang, due.GetError());
  };
  read(DueWindow::Overdue, agenda.overdue);
  read(DueWindow::Today, agenda.today);
  read(DueWindow::ThisWeek, agenda.week);
}

void DrawSection(AppState& state, Str title, const std::vector<Followup>& items, const ImVec4& color, const char* id) {
  AgendaScreenState& agenda = state.agenda;
  Lang lang = state.lang;
  char heading[96];
  std::snprintf(heading, sizeof heading, "%s (%zu)", Tr(lang, title), items.size());
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  ImGui::SeparatorText(heading);
  ImGui::PopStyleColor();
  if (items.empty()) ImGui::TextDisabled("%s", Tr(lang, Str::NothingDue));
  bool showOwner = agenda.scope != AgendaScope::Mine;
  for (const Followup& f : items) {
    ImGui::PushID(static_cast<int>(f.id ^ (f.id >> 32)));
    ImGui::PushID(id);
    ImGui::AlignTextToFramePadding();
    GradeBadge(f.grade);
    ImGui::SameLine();
    std::string line = f.customerName + "  ·  " + LocalDateText(f.dueAt, state.utcOffsetMinutes) + "  ·  " + LabelOf(lang, f.reason);
    if (showOwner) line += "  ·  " + (f.ownerId ? UserName(state, f.ownerId) : std::string(Tr(lang, Str::PublicPool)));
    if (!f.note.empty()) line += "  ·  " + f.note;
    NoteText(line);
    std::string label = Label(line, "due_" + f.customerName);
    if (ImGui::Selectable(label.c_str(), false, ImGuiSelectableFlags_None, ImVec2(0, ImGui::GetFrameHeight()))) {
      OpenCustomer(state, f.customerId);
    }
    if (DrawFollowupActions(state, agenda.actions, f)) agenda.message = Tr(lang, Str::FollowupUpdated);
    ImGui::PopID();
    ImGui::PopID();
  }
}

}  // namespace

int64_t CountOverdue(AppState& state) {
  if (!state.db || !state.actor.userId) return 0;
  CustomerQuery query;
  query.ownerId = state.actor.userId;
  query.followup = FollowupFilter::Overdue;
  query.limit = 1;
  auto page = ListCustomers(*state.db, query);
  return page ? page.Value().total : 0;
}

void DrawAgenda(AppState& state) {
  AgendaScreenState& agenda = state.agenda;
  Lang lang = state.lang;
  // Scope: a rep sees their own; supervisors their team too; leaders and admins everyone.
  bool team = state.me.role == Role::Supervisor || state.me.role == Role::Leader || state.me.role == Role::Admin ||
              state.me.role == Role::Store;
  bool everyone = state.me.role == Role::Leader || state.me.role == Role::Admin;
  if (ToggleButton(Label(lang, Str::AgendaMine, "agenda_mine").c_str(), agenda.scope == AgendaScope::Mine)) agenda.scope = AgendaScope::Mine;
  if (team) {
    ImGui::SameLine();
    if (ToggleButton(Label(lang, Str::AgendaTeam, "agenda_team").c_str(), agenda.scope == AgendaScope::Team)) agenda.scope = AgendaScope::Team;
  }
  if (everyone) {
    ImGui::SameLine();
    if (ToggleButton(Label(lang, Str::AgendaEveryone, "agenda_everyone").c_str(), agenda.scope == AgendaScope::Everyone)) {
      agenda.scope = AgendaScope::Everyone;
    }
  }
  // A leader picks which team; a supervisor's team is their own.
  if (agenda.scope == AgendaScope::Team && everyone && !state.teams.empty()) {
    ImGui::SameLine();
    std::vector<std::string> names;
    for (const Team& t : state.teams) names.push_back(t.name);
    int picked = ChoiceMenu("agenda_team_pick", Tr(lang, Str::Team), names, agenda.teamIndex % static_cast<int>(names.size()));
    if (picked >= 0) agenda.teamIndex = picked;
  }
  Load(state);
  if (!agenda.error.empty()) ErrorText(agenda.error);
  if (!agenda.message.empty()) SuccessText(agenda.message);
  ImGui::BeginChild("##agenda_list", ImVec2(0, 0), ImGuiChildFlags_Border, ImGuiWindowFlags_NavFlattened);
  DrawSection(state, Str::DueOverdue, agenda.overdue, ImVec4(0.75f, 0.15f, 0.12f, 1), "overdue");
  DrawSection(state, Str::DueToday, agenda.today, ImVec4(0.70f, 0.45f, 0.05f, 1), "today");
  DrawSection(state, Str::DueThisWeek, agenda.week, ImVec4(0.20f, 0.35f, 0.60f, 1), "week");
  ImGui::EndChild();
}

}  // namespace crm::ui
