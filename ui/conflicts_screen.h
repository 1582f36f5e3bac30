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
// One entry as a line a person reads, its values in words and who made each change when:
// "2026-12-07 14:10 · 客户 · 电话: 李四 在 2026-12-07 14:05 改为「139…」；张三 的修改「138…」被替换".
std::string ConflictLine(AppState& state, const ConflictEntry& entry);
// The customer the entry concerns, by name (empty when it concerns none).
std::string ConflictCustomerName(AppState& state, const ConflictEntry& entry);
// The customer's name as a link that opens the customer (id: idPrefix + the entry's id); nothing without a customer.
void DrawCustomerLink(AppState& state, const ConflictEntry& entry, const char* idPrefix);

}  // namespace crm::ui
