#pragma once
// A virtualized customer list over core's paged ListCustomers: only the rows on
// screen are drawn (ImGuiListClipper) and only the pages holding them are read,
// so a 100k-customer book scrolls like a small one. The customer list, the
// public pool and the trash all draw their rows through it.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/customers.h"
#include "ui/reload.h"
#include "ui/widgets.h"

namespace crm::ui {

struct AppState;

constexpr int kListPageRows = 100;

struct CustomerListView {
  CustomerQuery query;               // the filter, search and sort; offset and limit are the view's own
  std::string loadedKey;             // the query the pages below belong to
  uint64_t readsTables = 0;          // the page's tables (core/table_changes.h); a search or tag filter adds its own
  LoadStamp loaded;                  // when the pages below were read
  int64_t total = 0;
  bool totalKnown = false;  // a new query's first page comes before its count (the next frame)
  // A search is counted up to `countCap` matches (core's bounded count): "2000+" until the rows scrolled
  // to come near the cap, which then grows.
  int64_t countCap = 0;
  bool moreBeyond = false;
  std::map<int, std::vector<CustomerRow>> pages;  // page number → rows
  std::string error;
  float scrollY = 0;  // the list's scroll offset in the last frame, for tests
  float scrollMaxY = 0;
  ImVec2 rectMin, rectMax;  // the list's window on screen in the last frame (its scrollbar is on the right edge)
  int firstVisible = 0;  // rows on screen in the last frame
  int lastVisible = 0;
  int focusedRow = -1;   // the row with the keyboard focus in the last frame, -1: none
  int64_t highlightId = 0;  // drawn selected (the customer just created or opened)
  bool scrollToTop = false;  // a new filter or search starts at the top
  double lastLoadMs = 0;    // the last page read, for the benchmark
  int pageLoads = 0;
};

// What a click on the list asked for.
struct ListClick {
  int64_t openId = 0;    // the row itself
  int64_t actionId = 0;  // the row's action button (claim, restore…)
};

// Re-reads the total and drops cached pages when the query or the data changed. Cheap otherwise.
void RefreshList(AppState& state, CustomerListView& view);
// The row at `index` (0-based in the query's order), reading its page if needed; null past the end or on error.
const CustomerRow* ListRowAt(AppState& state, CustomerListView& view, int index);
// Draws the list in a child window filling the space left (minus `reserveBottom` pixels). `actionText`
// non-empty puts a button on every row; its ###id is `actionIdPrefix` + the customer's name.
ListClick DrawCustomerList(AppState& state, CustomerListView& view, const char* childId, const std::string& actionText = {},
                           const char* actionIdPrefix = "", float reserveBottom = 0);
// The height of one row in the current layout.
float ListRowHeight(AppState& state);

}  // namespace crm::ui
