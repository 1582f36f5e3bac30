#pragma once
// The signed-in app's pages as one table: the navigation, the titles, what a
// new session forgets, and drawing all loop over Pages(). A new page is its
// screen file and one row there (and a Page value, for the code that opens it).
#include <cstdint>
#include <vector>

#include "ui/i18n.h"

namespace crm::ui {

struct AppState;

// The pages, for the code that opens one (GoToPage) and the test hooks (PageName).
enum class Page { Customers, Agenda, Pool, ImportExport, Trash, Settings, Conflicts };

struct PageSpec {
  Page page;
  const char* name;   // for the test hooks and the slow-frame log
  Str title;          // over the page, and on its navigation entry
  const char* navId;  // the navigation entry's widget id; null: not in the navigation (the conflict log opens from the status bar)
  bool titled;        // drawn under its title (the customer list is the home page, untitled)
  bool (*visible)(const AppState&);  // who may open it; null: whoever is signed in
  void (*draw)(AppState&);
  void (*reset)(AppState&);  // forgets what one person typed or opened there
  uint64_t readsTables;      // core/table_changes.h bits: the page reloads when one of them changed
};

// In the navigation's order.
const std::vector<PageSpec>& Pages();
const PageSpec& PageSpecOf(Page page);
const char* PageName(Page page);
// The tables the page reads (PageSpec::readsTables).
uint64_t PageReads(Page page);

}  // namespace crm::ui
