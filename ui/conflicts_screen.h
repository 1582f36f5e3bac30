#pragma once
// The conflict log (同步冲突): what the sync policy decided when two people
// changed the same thing (core/conflicts.h) — which value was kept, which one
// lost and who wrote each — newest first, the unseen ones marked, each with a
// way to the customer; and the local changes the relay refused
// (sync::ListRefused), with its reason. Reached from the status bar, where the
// unseen conflicts are counted.
#include <cstdint>
#include <string>
#include <vector>

#include "core/conflicts.h"
#include "sync/replica.h"
#include "ui/reload.h"
#include "ui/widgets.h"

namespace crm::ui {

struct AppState;

struct ConflictsScreenState {
  LoadStamp loaded;
  bool unseenOnly = false;
  bool loadedUnseenOnly = false;
  std::vector<ConflictEntry> entries;
  bool more = false;  // older entries exist (paged by id)
  std::vector<sync::RefusedChange> refused;
  std::string error;
  std::string message;
};

void DrawConflicts(AppState& state);
// One entry as a line a person reads: "2026-03-02 10:05 · 客户.电话: 138… → 139… (later value kept) · 张三".
std::string ConflictLine(const AppState& state, const ConflictEntry& entry);

}  // namespace crm::ui
