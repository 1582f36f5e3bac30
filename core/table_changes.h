#pragma once
// Which tables changed, as one bit per table, so a screen reloads only when a
// table it reads changed since it last loaded. Every committed transaction on a
// Db adds the tables it touched (SQLite's update hook for rowid tables; the
// writer, or the changeset being applied, for WITHOUT ROWID tables such as
// settings, which the update hook never reports): Db::TakeChangedTables().
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace crm {

// Every table at once: a database opened or replaced whole.
constexpr uint64_t kAllTables = ~uint64_t{0};

// The table's bit: its place in SyncedTables(), then the few local tables a screen shows (the conflict
// log, the refused changes, the device's accounts). 0 for tables no screen reads (the rest of the sync
// bookkeeping, the search index).
uint64_t TableBit(std::string_view table);
// The bits of several tables.
uint64_t TableBits(std::initializer_list<std::string_view> tables);

// When each table last changed, on a clock that moves once per batch of changes noted: a reader keeps
// the clock of its last load and asks whether any table it reads changed since.
class TableChangeLog {
 public:
  // The tables in `tables` changed now (nothing happens for 0).
  void Note(uint64_t tables);
  // The clock now; a reader that loads now has seen every change up to it. Never 0.
  uint64_t Clock() const { return m_clock; }
  // Whether a table in `tables` changed after `clock` (a clock of 0, never loaded, always has).
  bool ChangedSince(uint64_t tables, uint64_t clock) const;

 private:
  uint64_t m_clock = 1;
  std::array<uint64_t, 64> m_changedAt{};  // per bit: the clock of its last change
};

}  // namespace crm
