#include "ui/pages.h"

#include "core/table_changes.h"
#include "ui/app_state.h"

namespace crm::ui {

const std::vector<PageSpec>& Pages() {
  // The customer lists show the owner's name and the next follow-up (customer_list.h adds what a search reads).
  static const uint64_t kListed = TableBits({"customers", "users", "followups"});
  static const std::vector<PageSpec> kPages = {
      {Page::Customers, "customers", Str::NavCustomers, "nav_customers", false, nullptr, DrawCustomers,
       [](AppState& state) { state.customers = CustomersScreenState{}; }, kListed},
      {Page::Agenda, "agenda", Str::NavAgenda, "nav_agenda", true, nullptr, DrawAgenda,
       [](AppState& state) { state.agenda = AgendaScreenState{}; }, TableBits({"followups", "customers", "users", "teams"})},
      // The win-back list weighs the lost customers by their orders; the hand-over tab lists the requests.
      {Page::Pool, "pool", Str::NavPool, "nav_pool", true, nullptr, DrawPool, [](AppState& state) { state.pool = PoolScreenState{}; },
       kListed | TableBits({"orders", "handover_requests"})},
      // A running import belongs to the person who started it: it stops with their session.
      {Page::ImportExport, "import", Str::NavImport, "nav_import", true, nullptr, DrawImportExport,
       [](AppState& state) { state.import = ImportScreenState{}; }, 0},
      {Page::Trash, "trash", Str::NavTrash, "nav_trash", true, nullptr, DrawTrash, [](AppState& state) { state.trash = TrashScreenState{}; },
       kListed},
      {Page::Settings, "settings", Str::NavSettings, "nav_settings", true, nullptr, DrawSettings,
       [](AppState& state) { state.settings = SettingsScreenState{}; }, TableBits({"settings", "custom_fields"})},
      {Page::Conflicts, "conflicts", Str::ConflictLog, nullptr, true, nullptr, DrawConflicts,
       [](AppState& state) { state.conflicts = ConflictsScreenState{}; }, TableBits({"sync_conflicts", "sync_outbox"})},
  };
  return kPages;
}

const PageSpec& PageSpecOf(Page page) {
  for (const PageSpec& spec : Pages()) {
    if (spec.page == page) return spec;
  }
  return Pages().front();
}

const char* PageName(Page page) {
  for (const PageSpec& spec : Pages()) {
    if (spec.page == page) return spec.name;
  }
  return "unknown";
}

uint64_t PageReads(Page page) { return PageSpecOf(page).readsTables; }

}  // namespace crm::ui
