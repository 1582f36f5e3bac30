#include "core/table_changes.h"

#include <string>
#include <vector>

#include "core/records.h"

namespace crm {

namespace {
// Local tables that screens show, numbered after the synced ones: the conflict log, the changes the relay
// refused (kept in the outbox), the device's accounts.
constexpr std::string_view kShownLocalTables[] = {"sync_conflicts", "sync_outbox", "device_accounts"};

// Past 64 tables a change reads as a change of every table: a screen reloads too often, never too seldom.
uint64_t BitAt(size_t index) { return index < 64 ? uint64_t{1} << index : kAllTables; }
}  // namespace

// A synced table's bit is its place in the record registry (core/records.h); the shown local tables follow.
uint64_t TableBit(std::string_view table) {
  int record = RecordIndex(table);
  if (record >= 0) return BitAt(static_cast<size_t>(record));
  size_t index = RecordTypes().size();
  for (std::string_view name : kShownLocalTables) {
    if (name == table) return BitAt(index);
    index++;
  }
  return 0;
}

uint64_t TableBits(std::initializer_list<std::string_view> tables) {
  uint64_t bits = 0;
  for (std::string_view table : tables) bits |= TableBit(table);
  return bits;
}

void TableChangeLog::Note(uint64_t tables) {
  if (!tables) return;
  m_clock++;
  for (size_t bit = 0; bit < m_changedAt.size(); bit++) {
    if (tables & (uint64_t{1} << bit)) m_changedAt[bit] = m_clock;
  }
}

bool TableChangeLog::ChangedSince(uint64_t tables, uint64_t clock) const {
  if (clock == 0) return true;
  for (size_t bit = 0; bit < m_changedAt.size(); bit++) {
    if ((tables & (uint64_t{1} << bit)) && m_changedAt[bit] > clock) return true;
  }
  return false;
}

}  // namespace crm
