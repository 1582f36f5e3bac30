#include "ui/customer_list.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/followups.h"
#include "core/table_changes.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "ui/app_state.h"
#include "ui/errors.h"
#include "ui/labels.h"

namespace crm::ui {

namespace {

// Pages kept around the rows on screen; older ones are dropped.
constexpr size_t kMaxPages = 8;

std::string QueryKey(const CustomerQuery& q) {
  char numbers[160];
  std::snprintf(numbers, sizeof numbers, "%d|%d|%lld|%d|%d|%d|%d|%d|%lld", q.grade ? static_cast<int>(*q.grade) : -1,
                q.stage ? static_cast<int>(*q.stage) : -1, q.ownerId ? static_cast<long long>(*q.ownerId) : -1LL,
                q.poolOnly ? 1 : 0, q.trashOnly ? 1 : 0, static_cast<int>(q.followup), static_cast<int>(q.sort),
                q.descending ? 1 : 0, static_cast<long long>(q.nowMs));
  return std::string(numbers) + "|" + q.tag + "|" + q.search;
}

bool LoadPage(AppState& state, CustomerListView& view, int page) {
  CustomerQuery query = view.query;
  query.offset = page * kListPageRows;
  query.limit = kListPageRows;
  // Once counted exactly, the total comes from core's cache for free; a bounded count is kept as it is.
  query.withTotal = view.totalKnown && view.countCap == 0;
  auto started = std::chrono::steady_clock::now();
  auto loaded = ListCustomers(*state.db, query);
  view.lastLoadMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  view.pageLoads++;
  if (!loaded) {
    view.error = DescribeError(state.lang, loaded.GetError());
    return false;
  }
  view.error.clear();
  if (loaded.Value().total >= 0) view.total = loaded.Value().total;
  else view.total = std::max<int64_t>(view.total, query.offset + static_cast<int64_t>(loaded.Value().rows.size()));
  // The glyphs of the whole page are asked for at once: one atlas rebuild per page read, not one for
  // every row that scrolls into view with a character the atlas lacks.
  for (const CustomerRow& row : loaded.Value().rows) {
    NoteText(row.name);
    NoteText(row.city);
    NoteText(row.ownerName);
  }
  view.pages[page] = std::move(loaded.Value().rows);
  // Keep the pages nearest to this one.
  while (view.pages.size() > kMaxPages) {
    auto farthest = std::max_element(view.pages.begin(), view.pages.end(), [page](const auto& a, const auto& b) {
      return std::abs(a.first - page) < std::abs(b.first - page);
    });
    view.pages.erase(farthest);
  }
  return true;
}

}  // namespace

void RefreshList(AppState& state, CustomerListView& view) {
  if (!state.db) return;
  std::string key = QueryKey(view.query);
  // A search matches contacts' names and phones, the customer's phones and tags; a tag filter reads the tags.
  uint64_t reads = view.readsTables | (view.query.tag.empty() ? 0 : TableBit("customer_tags")) |
                   (view.query.search.empty() ? 0 : TableBits({"contacts", "customer_phones", "customer_tags"}));
  if (!NeedsLoad(state, view.loaded, reads, key != view.loadedKey)) {
    // A new query's total, one frame after its first page: a broad search over a big book costs as much
    // again to count as to read, and the two together would be a frame over budget.
    // Scrolled near the end of a capped count: count further.
    if (view.moreBeyond && view.lastVisible + 300 > view.total) {
      view.countCap *= 4;
      view.totalKnown = false;
    }
    if (!view.totalKnown && view.error.empty()) {
      auto counted = CountMatchingCustomers(*state.db, view.query, view.countCap);
      view.totalKnown = true;
      if (!counted) {
        view.error = DescribeError(state.lang, counted.GetError());
        return;
      }
      view.moreBeyond = view.countCap > 0 && counted.Value() > view.countCap;
      view.total = view.moreBeyond ? view.countCap : counted.Value();
    }
    return;
  }
  bool newQuery = key != view.loadedKey;
  view.loadedKey = key;
  view.pages.clear();
  view.total = 0;
  view.totalKnown = false;
  view.moreBeyond = false;
  // Searches match by the index and cost per match to count: counted in bounds. Filters walk an index and count cheaply.
  view.countCap = view.query.search.empty() ? 0 : 2000;
  // A new filter starts at the top.
  LoadPage(state, view, newQuery ? 0 : std::max(0, view.firstVisible / kListPageRows));
  if (newQuery) {
    view.firstVisible = 0;
    view.lastVisible = 0;
    view.scrollToTop = true;
  }
}

const CustomerRow* ListRowAt(AppState& state, CustomerListView& view, int index) {
  if (index < 0 || index >= view.total) return nullptr;
  int page = index / kListPageRows;
  auto found = view.pages.find(page);
  if (found == view.pages.end()) {
    if (!LoadPage(state, view, page)) return nullptr;
    found = view.pages.find(page);
  }
  size_t within = static_cast<size_t>(index % kListPageRows);
  if (within >= found->second.size()) return nullptr;
  return &found->second[within];
}

float ListRowHeight(AppState& state) {
  bool tablet = state.layout == Layout::Tablet;
  // Rows are tall on a tablet: a finger needs about 48 CSS px.
  return ImGui::GetTextLineHeight() * 2.2f + ImGui::GetStyle().FramePadding.y * (tablet ? 1.4f : 2.0f) + ImGui::GetStyle().ItemSpacing.y;
}

ListClick DrawCustomerList(AppState& state, CustomerListView& view, const char* childId, const std::string& actionText,
                           const char* actionIdPrefix, float reserveBottom) {
  RefreshList(state, view);
  ListClick click;
  const ImGuiStyle& style = ImGui::GetStyle();
  float rowHeight = ListRowHeight(state);
  if (!view.error.empty()) ErrorText(view.error);
  ImGui::BeginChild(childId, ImVec2(0, -reserveBottom), ImGuiChildFlags_Border, ImGuiWindowFlags_NavFlattened);
  if (view.scrollToTop) {
    ImGui::SetScrollY(0);
    view.scrollToTop = false;
  }
  if (view.total == 0 && view.error.empty()) {
    bool filtered = !view.query.search.empty() || view.query.grade || view.query.stage || view.query.ownerId ||
                    !view.query.tag.empty() || view.query.followup != FollowupFilter::Any;
    ImGui::TextDisabled("%s", Tr(state.lang, filtered ? Str::NoMatches : Str::NoCustomers));
  }
  int64_t dayStart = LocalDayStartAt(state.nowMs, state.utcOffsetMinutes);
  // One row is a Tab stop (the focused one, else the first on screen): Tab passes the list in one step,
  // Up and Down move along it, Enter or Space opens the row.
  const int tabStopRow = view.focusedRow >= 0 ? view.focusedRow : view.firstVisible;
  view.focusedRow = -1;
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(std::min<int64_t>(view.total, INT32_MAX)), rowHeight);
  bool any = false;
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; i++) {
      if (!any) view.firstVisible = i;
      any = true;
      view.lastVisible = i;
      const CustomerRow* found = ListRowAt(state, view, i);
      if (!found) {
        ImGui::Dummy(ImVec2(0, rowHeight - style.ItemSpacing.y));
        continue;
      }
      const CustomerRow& row = *found;
      ImGui::PushID(static_cast<int>(row.id ^ (row.id >> 32)));
      ImVec2 start = ImGui::GetCursorScreenPos();
      float width = ImGui::GetContentRegionAvail().x;
      std::string rowLabel = "##row_" + row.name;
      if (!actionText.empty()) ImGui::SetNextItemAllowOverlap();
      bool selected = row.id == view.highlightId;
      ImGui::PushItemFlag(ImGuiItemFlags_NoTabStop, i != tabStopRow);
      NameNextItem(row.name);
      if (ImGui::Selectable(rowLabel.c_str(), selected, ImGuiSelectableFlags_None, ImVec2(0, rowHeight - style.ItemSpacing.y))) {
        click.openId = row.id;
      }
      ImGui::PopItemFlag();
      if (ImGui::GetItemID() == GImGui->NavId) view.focusedRow = i;
      // The row's two lines are drawn over the selectable, not laid out as items: one item per row keeps
      // the clipper's arithmetic exact and the whole row one touch target.
      ImDrawList* draw = ImGui::GetWindowDrawList();
      float padX = style.FramePadding.x;
      float line = ImGui::GetTextLineHeight();
      float top = start.y + (rowHeight - style.ItemSpacing.y - line * 2.1f) / 2;
      float badge = line * 0.9f;
      GradeBadgeAt(draw, ImVec2(start.x + padX, top + (line - badge) / 2), row.grade, badge);
      float nameX = start.x + padX + badge + style.ItemInnerSpacing.x * 1.5f;
      NoteText(row.name);
      draw->AddText(ImVec2(nameX, top), ImGui::GetColorU32(ImGuiCol_Text), row.name.c_str());
      // The follow-up's state, after the name: overdue in red, due today in amber.
      if (row.nextDueAt && *row.nextDueAt < dayStart + 86400000) {
        bool overdue = *row.nextDueAt < dayStart;
        const char* chip = Tr(state.lang, overdue ? Str::DueOverdue : Str::DueToday);
        float x = nameX + ImGui::CalcTextSize(row.name.c_str()).x + style.ItemInnerSpacing.x * 2;
        ImVec2 size = ImGui::CalcTextSize(chip);
        float pad = line * 0.25f;
        ImU32 color = overdue ? IM_COL32(200, 50, 45, 255) : IM_COL32(215, 140, 20, 255);
        draw->AddRectFilled(ImVec2(x, top), ImVec2(x + size.x + pad * 2, top + size.y), color, size.y * 0.3f);
        draw->AddText(ImVec2(x + pad, top), IM_COL32(255, 255, 255, 255), chip);
      }
      std::string detail = row.phone;
      auto add = [&detail](const std::string& part) {
        if (!part.empty()) detail += (detail.empty() ? "" : "  ·  ") + part;
      };
      add(row.city);
      add(std::string(Tr(state.lang, Str::Owner)) + ": " + (row.ownerId ? row.ownerName : std::string(Tr(state.lang, Str::PublicPool))));
      add(LabelOf(state.lang, row.stage));
      if (row.nextDueAt) add(std::string(Tr(state.lang, Str::NextFollowup)) + " " + LocalDateText(*row.nextDueAt, state.utcOffsetMinutes));
      NoteText(detail);
      draw->AddText(ImVec2(nameX, top + line * 1.1f), SecondaryTextColor(state, selected), detail.c_str());
      if (!actionText.empty()) {
        // The row's action on its right edge, inside the row's height so the clipper's step stays exact.
        std::string label = actionText + "###" + actionIdPrefix + row.name;
        float buttonWidth = ImGui::CalcTextSize(actionText.c_str()).x + style.FramePadding.x * 2;
        ImGui::SameLine(std::max(0.0f, width - buttonWidth - padX));
        ImGui::SetCursorScreenPos(ImVec2(ImGui::GetCursorScreenPos().x,
                                         start.y + (rowHeight - style.ItemSpacing.y - ImGui::GetFrameHeight()) / 2));
        if (ImGui::Button(label.c_str())) click.actionId = row.id;
      }
      ImGui::PopID();
    }
  }
  view.scrollY = ImGui::GetScrollY();
  view.scrollMaxY = ImGui::GetScrollMaxY();
  view.rectMin = ImGui::GetWindowPos();
  view.rectMax = ImVec2(view.rectMin.x + ImGui::GetWindowWidth(), view.rectMin.y + ImGui::GetWindowHeight());
  ImGui::EndChild();
  return click;
}

}  // namespace crm::ui
