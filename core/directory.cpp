#include "core/directory.h"

#include <map>

#include "core/duplicates.h"
#include "core/sha256.h"
#include "core/validate.h"

namespace crm {

// [SECTION] digests
// [SECTION] the relay's side: entries from the copy
// [SECTION] the device's side: the local directory and its lookups

// ---------------------------------------------------------------------------
// [SECTION] digests

std::string PhoneDigest(std::string_view key, std::string_view phone) {
  auto normalized = NormalizePhone(phone);
  if (!normalized) return std::string();
  Sha256Digest mac = HmacSha256(key, normalized.Value());
  return std::string(reinterpret_cast<const char*>(mac.data()), kPhoneDigestBytes);
}

// ---------------------------------------------------------------------------
// [SECTION] the relay's side: entries from the copy

Result<std::vector<DirectoryEntry>> ReadDirectory(Db& copy, std::string_view key, int64_t afterId, size_t limit,
                                                  const std::string& onlyIdsTable) {
  const std::string only = onlyIdsTable.empty() ? "" : " AND c.id IN (SELECT id FROM temp." + onlyIdsTable + ")";
  // Only these columns are read: the directory never carries an address, a note or anything attached.
  CRM_ASSIGN_OR_RETURN(Stmt customers, copy.Prepare(
      "SELECT c.id, c.owner_id, c.name, coalesce(c.city, ''), c.deleted_at IS NOT NULL FROM customers c "
      "WHERE c.id > ?1 AND c.merged_into IS NULL" + only + " ORDER BY c.id LIMIT ?2"));
  customers.BindAll(afterId, static_cast<int64_t>(limit));
  std::vector<DirectoryEntry> entries;
  std::map<int64_t, size_t> index;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, customers.Step());
    if (!row) break;
    DirectoryEntry entry;
    entry.customerId = customers.Int64(0);
    if (!customers.IsNull(1)) entry.ownerId = customers.Int64(1);
    entry.name = customers.String(2);
    entry.city = customers.String(3);
    entry.inTrash = customers.Int64(4) != 0;
    index[entry.customerId] = entries.size();
    entries.push_back(std::move(entry));
  }
  if (entries.empty()) return entries;
  // The raw number is normalized here with the device's own function, not taken from the stored form.
  CRM_ASSIGN_OR_RETURN(Stmt phones, copy.Prepare(
      "SELECT customer_id, phone FROM customer_phones WHERE customer_id BETWEEN ?1 AND ?2 AND deleted_at IS NULL "
      "ORDER BY customer_id, position"));
  phones.BindAll(entries.front().customerId, entries.back().customerId);
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, phones.Step());
    if (!row) break;
    auto found = index.find(phones.Int64(0));
    if (found == index.end()) continue;
    std::string digest = PhoneDigest(key, phones.Text(1));
    if (!digest.empty()) entries[found->second].phoneDigests.push_back(std::move(digest));
  }
  return entries;
}

// ---------------------------------------------------------------------------
// [SECTION] the device's side: the local directory and its lookups

namespace {

constexpr const char* kSeqKey = "directory.seq";
constexpr const char* kKeyKey = "directory.key";

Status SetState(Db& db, const char* key, const std::string& value) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("INSERT INTO sync_state(key, value) VALUES(?1, ?2) "
                                             "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
  stmt.BindAll(key, value);
  return stmt.Run();
}

Status DeleteEntry(Db& db, int64_t customerId) {
  CRM_ASSIGN_OR_RETURN(Stmt phones, db.Prepare("DELETE FROM directory_phones WHERE customer_id = ?"));
  phones.Bind(1, customerId);
  CRM_TRY(phones.Run());
  CRM_ASSIGN_OR_RETURN(Stmt entry, db.Prepare("DELETE FROM directory_customers WHERE customer_id = ?"));
  entry.Bind(1, customerId);
  return entry.Run();
}

Status InsertEntry(Db& db, const DirectoryEntry& entry) {
  CRM_ASSIGN_OR_RETURN(Stmt insert, db.Prepare(
      "INSERT INTO directory_customers(customer_id, owner_id, name, city, name_key, in_trash) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"));
  insert.BindAll(entry.customerId, entry.ownerId, entry.name, entry.city, NameKey(entry.name), entry.inTrash ? 1 : 0);
  CRM_TRY(insert.Run());
  for (const std::string& digest : entry.phoneDigests) {
    CRM_ASSIGN_OR_RETURN(Stmt phone, db.Prepare("INSERT OR IGNORE INTO directory_phones(digest, customer_id) VALUES(?1, ?2)"));
    phone.BindBlob(1, digest.data(), digest.size()).Bind(2, entry.customerId);
    CRM_TRY(phone.Run());
  }
  return Ok();
}

Result<std::vector<DirectoryHit>> ReadHits(Stmt& stmt) {
  std::vector<DirectoryHit> hits;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    DirectoryHit hit;
    hit.customerId = stmt.Int64(0);
    hit.name = stmt.String(1);
    hit.city = stmt.String(2);
    if (!stmt.IsNull(3)) hit.ownerId = stmt.Int64(3);
    hit.ownerName = stmt.String(4);
    hit.inTrash = stmt.Int64(5) != 0;
    hits.push_back(std::move(hit));
  }
  return hits;
}

// Customers this device holds are left to the local check, which knows them better.
constexpr const char* kHitColumns =
    "SELECT d.customer_id, d.name, d.city, d.owner_id, coalesce(u.name, ''), d.in_trash FROM directory_customers d "
    "LEFT JOIN users u ON u.id = d.owner_id WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = d.customer_id) ";

}  // namespace

Result<DirectoryPosition> LocalDirectoryPosition(Db& db) {
  DirectoryPosition position;
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT key, value FROM sync_state WHERE key IN (?1, ?2)"));
  stmt.BindAll(kSeqKey, kKeyKey);
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    if (stmt.Text(0) == kSeqKey) position.seq = std::stoll(stmt.String(1));
    else position.key = stmt.String(1);
  }
  return position;
}

Status StoreDirectoryPage(Db& db, const DirectoryPage& page) {
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  CRM_ASSIGN_OR_RETURN(DirectoryPosition known, LocalDirectoryPosition(db));
  // A new key makes every stored digest useless: the answer must be a full one, which replaces them all.
  if (!known.key.empty() && known.key != page.position.key && !page.full) {
    return MakeError(ErrorCode::Invalid, "directory: the organisation's key changed; a full answer is needed");
  }
  if (page.full) {
    const std::string range = "customer_id > ?1" + std::string(page.throughId ? " AND customer_id <= ?2" : "");
    for (const char* table : {"directory_phones", "directory_customers"}) {
      CRM_ASSIGN_OR_RETURN(Stmt clear, db.Prepare(std::string("DELETE FROM ") + table + " WHERE " + range));
      clear.Bind(1, page.afterId);
      if (page.throughId) clear.Bind(2, *page.throughId);
      CRM_TRY(clear.Run());
    }
  }
  for (int64_t id : page.removed) CRM_TRY(DeleteEntry(db, id));
  for (const DirectoryEntry& entry : page.entries) {
    if (!page.full) CRM_TRY(DeleteEntry(db, entry.customerId));
    CRM_TRY(InsertEntry(db, entry));
  }
  CRM_TRY(SetState(db, kKeyKey, page.position.key));
  if (page.finished) CRM_TRY(SetState(db, kSeqKey, std::to_string(page.position.seq)));
  return txn.Commit();
}

Result<std::vector<DirectoryHit>> DirectoryByPhone(Db& db, std::string_view phone) {
  CRM_ASSIGN_OR_RETURN(DirectoryPosition position, LocalDirectoryPosition(db));
  if (position.key.empty()) return std::vector<DirectoryHit>();
  std::string digest = PhoneDigest(position.key, phone);
  if (digest.empty()) return std::vector<DirectoryHit>();
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(std::string(kHitColumns) +
      "AND d.customer_id IN (SELECT customer_id FROM directory_phones WHERE digest = ?1) ORDER BY d.in_trash, d.customer_id LIMIT 50"));
  stmt.BindBlob(1, digest.data(), digest.size());
  return ReadHits(stmt);
}

Result<std::vector<DirectoryHit>> DirectoryByNameProbe(Db& db, std::string_view probe, int limit) {
  if (probe.empty()) return std::vector<DirectoryHit>();
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(std::string(kHitColumns) +
      "AND instr(d.name_key, ?1) > 0 ORDER BY d.in_trash, d.customer_id LIMIT ?2"));
  stmt.Bind(1, probe).Bind(2, static_cast<int64_t>(limit));
  return ReadHits(stmt);
}

}  // namespace crm
