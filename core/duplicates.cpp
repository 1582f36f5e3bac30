#include "core/duplicates.h"

#include <algorithm>
#include <unordered_map>

#include "core/directory.h"
#include "core/enums.h"
#include "core/ids.h"
#include "core/org.h"
#include "core/records.h"
#include "core/search.h"
#include "core/search_tokenizer.h"
#include "core/text.h"
#include "core/validate.h"

namespace crm {

// ---------------------------------------------------------------------------
// [SECTION] finding duplicates

namespace {

// Legal forms and shop words that say nothing about who the customer is; longest first.
const char* const kNameSuffixes[] = {"股份有限公司", "有限责任公司", "有限公司", "分公司", "经营部", "经销部", "门市部",
                                     "旗舰店", "专卖店", "工作室", "公司", "集团", "商行", "门店", "总店", "分店",
                                     "店", "厂", "ltd", "co", "inc"};
// A leading place ("佛山市", "顺德区") of two or three characters before one of these.
const char* const kPlaceMarks[] = {"省", "市", "区", "县", "镇"};

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool ContainsText(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

const char* kCandidateColumns =
    "c.id, c.name, coalesce(c.phone, ''), coalesce(c.city, ''), c.owner_id, coalesce(u.name, ''), "
    "c.deleted_at IS NOT NULL";

DuplicateCandidate ReadCandidate(const Stmt& stmt, DuplicateReason reason) {
  DuplicateCandidate found;
  found.id = stmt.Int64(0);
  found.name = stmt.String(1);
  found.phone = stmt.String(2);
  found.city = stmt.String(3);
  if (!stmt.IsNull(4)) found.ownerId = stmt.Int64(4);
  found.ownerName = stmt.String(5);
  found.inTrash = stmt.Int64(6) != 0;
  found.reason = reason;
  return found;
}

// "佛山美家门窗" and "美家门窗" in 佛山市 are one name: a leading city name (without 市) is dropped.
std::string WithoutCity(std::string key, const std::string& city) {
  std::string place = city;
  for (const char* mark : kPlaceMarks) {
    if (EndsWith(place, mark) && Utf8Length(place) > 2) place.resize(place.size() - std::string(mark).size());
  }
  if (!place.empty() && key.compare(0, place.size(), place) == 0 && Utf8Length(key) >= Utf8Length(place) + 2) {
    key.erase(0, place.size());
  }
  return key;
}

// How a stored name compares with the candidate's key (in `city`, folded): the same, similar, or neither.
std::optional<DuplicateReason> CompareName(const std::string& key, const std::string& city, std::string_view otherName,
                                           std::string_view otherCityText) {
  std::string otherCity = FoldForSearch(otherCityText);
  if (!city.empty() && !otherCity.empty() && city != otherCity) return std::nullopt;
  std::string otherKey = WithoutCity(NameKey(otherName), otherCity.empty() ? city : otherCity);
  if (otherKey == key) return DuplicateReason::SameName;
  if (Utf8Length(otherKey) >= 2 && (ContainsText(otherKey, key) || ContainsText(key, otherKey))) return DuplicateReason::SimilarName;
  return std::nullopt;
}

DuplicateCandidate FromDirectory(const DirectoryHit& hit, DuplicateReason reason) {
  DuplicateCandidate found;
  found.id = hit.customerId;
  found.name = hit.name;
  found.city = hit.city;
  found.ownerId = hit.ownerId;
  found.ownerName = hit.ownerName;
  found.inTrash = hit.inTrash;
  found.reason = reason;
  found.elsewhere = true;
  return found;
}

}  // namespace

std::string NameKey(std::string_view name) {
  std::string key = FoldForSearch(name);
  for (bool stripped = true; stripped;) {
    stripped = false;
    for (const char* suffix : kNameSuffixes) {
      std::string s(suffix);
      if (EndsWith(key, s) && Utf8Length(key) >= Utf8Length(s) + 2) {
        key.resize(key.size() - s.size());
        stripped = true;
        break;
      }
    }
  }
  for (bool stripped = true; stripped;) {
    stripped = false;
    for (const char* mark : kPlaceMarks) {
      size_t at = key.find(mark);
      if (at == std::string::npos) continue;
      size_t placeChars = Utf8Length(key.substr(0, at));
      size_t restChars = Utf8Length(key.substr(at + std::string(mark).size()));
      if (placeChars >= 2 && placeChars <= 3 && restChars >= 2) {
        key.erase(0, at + std::string(mark).size());
        stripped = true;
        break;
      }
    }
  }
  return key;
}

Result<std::vector<DuplicateCandidate>> FindDuplicates(Db& db, const CustomerInput& candidate,
                                                       std::optional<int64_t> excludeId, int limit) {
  if (limit < 1 || limit > 200) return MakeError(ErrorCode::Invalid, "duplicates: limit must be 1 to 200");
  if (!IsValidUtf8(candidate.name)) return FieldError(ErrorCode::Invalid, "name", Problem::BadText, "name: not valid UTF-8 text");
  std::vector<DuplicateCandidate> found;
  std::unordered_map<int64_t, size_t> index;
  auto add = [&](DuplicateCandidate next) {
    if (excludeId && next.id == *excludeId) return;
    if (index.count(next.id)) return;  // an earlier, stronger reason stands
    index[next.id] = found.size();
    found.push_back(std::move(next));
  };

  // The same number, on a customer or a contact, live, in the pool or in the trash (not merged away).
  for (const std::string& raw : candidate.phones) {
    auto phone = NormalizePhone(raw);
    if (!phone) continue;
    CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
        std::string("SELECT ") + kCandidateColumns + " FROM customers c LEFT JOIN users u ON u.id = c.owner_id "
        "WHERE c.merged_into IS NULL AND c.id IN (SELECT customer_id FROM customer_phones WHERE normalized = ?1 AND "
        "deleted_at IS NULL UNION SELECT customer_id FROM contacts WHERE phone_normalized = ?1 AND deleted_at IS NULL) "
        "ORDER BY c.deleted_at IS NOT NULL, c.updated_at DESC LIMIT 50"));
    stmt.Bind(1, phone.Value());
    for (;;) {
      CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      DuplicateCandidate next = ReadCandidate(stmt, DuplicateReason::SamePhone);
      next.matchedPhone = phone.Value();
      add(std::move(next));
    }
    CRM_ASSIGN_OR_RETURN(std::vector<DirectoryHit> elsewhere, DirectoryByPhone(db, phone.Value()));
    for (const DirectoryHit& hit : elsewhere) {
      DuplicateCandidate next = FromDirectory(hit, DuplicateReason::SamePhone);
      next.matchedPhone = phone.Value();
      add(std::move(next));
    }
  }

  // Names: the key's first two characters find candidates through the search index (any
  // name containing them); the keys then decide. A different city means a different customer.
  std::string city = FoldForSearch(candidate.address.city);
  std::string key = WithoutCity(NameKey(candidate.name), city);
  if (Utf8Length(key) >= 2) {
    // The key's first two characters (the key is folded: no spaces or quotes left).
    std::string probe = key;
    for (size_t cut = 0, chars = 0; cut <= key.size(); cut++) {
      if (cut == key.size() || (static_cast<unsigned char>(key[cut]) & 0xC0) != 0x80) {
        if (chars++ == 2) {
          probe = key.substr(0, cut);
          break;
        }
      }
    }
    CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
        std::string("SELECT ") + kCandidateColumns + " FROM customer_fts f JOIN customer_fts_doc d ON d.docid = f.rowid "
        "JOIN customers c ON c.id = d.id "
        "LEFT JOIN users u ON u.id = c.owner_id WHERE customer_fts MATCH ? AND c.merged_into IS NULL "
        "ORDER BY c.deleted_at IS NOT NULL, c.updated_at DESC LIMIT 500"));
    stmt.Bind(1, SearchExpression(probe).empty() ? std::string("name : \"\"") : "name : " + SearchExpression(probe));
    std::vector<DuplicateCandidate> same, similar;
    for (;;) {
      CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      std::optional<DuplicateReason> reason = CompareName(key, city, stmt.Text(1), stmt.Text(3));
      if (reason) (*reason == DuplicateReason::SameName ? same : similar).push_back(ReadCandidate(stmt, *reason));
    }
    // The directory's customers by the same probe and the same comparison, after the ones held here.
    CRM_ASSIGN_OR_RETURN(std::vector<DirectoryHit> elsewhere, DirectoryByNameProbe(db, probe, 500));
    for (const DirectoryHit& hit : elsewhere) {
      std::optional<DuplicateReason> reason = CompareName(key, city, hit.name, hit.city);
      if (reason) (*reason == DuplicateReason::SameName ? same : similar).push_back(FromDirectory(hit, *reason));
    }
    for (auto& next : same) add(std::move(next));
    for (auto& next : similar) add(std::move(next));
  }
  if (static_cast<int>(found.size()) > limit) found.resize(static_cast<size_t>(limit));
  return found;
}

// ---------------------------------------------------------------------------
// [SECTION] merging

namespace {

// Moves the rows of the table to the kept customer, after its own when the table orders its rows; returns how many.
// All of them (trashed ones too: history is whole), or only the live ones of a table whose duplicates were trashed.
Result<int> MoveRows(Db& db, const RecordType& type, bool liveOnly, int64_t keptId, int64_t mergedId, const Actor& actor,
                     int64_t now) {
  std::string parent = type.parent;
  std::string assignments = parent + " = ?1";
  if (type.orderColumn) {
    std::string order = type.orderColumn;
    assignments += ", " + order + " = " + order + " + 1 + (SELECT coalesce(max(" + order + "), -1) FROM " + type.table +
                   " WHERE " + parent + " = ?1 AND deleted_at IS NULL)";
  }
  CRM_ASSIGN_OR_RETURN(Stmt stmt, PrepareSignedUpdate(db, actor, now, type.table, assignments,
                                                      parent + " = ?2" + (liveOnly ? " AND deleted_at IS NULL" : "")));
  stmt.BindAll(keptId, mergedId);
  CRM_TRY(stmt.Run());
  return db.Changes();
}

// Sends to the trash the merged customer's live rows whose merge key the kept customer has too (or every live row).
Status TrashRows(Db& db, const RecordType& type, bool onlyShared, int64_t keptId, int64_t mergedId, const Actor& actor,
                 int64_t now) {
  std::string parent = type.parent;
  std::string where = parent + " = ?2 AND deleted_at IS NULL";
  if (onlyShared) {
    std::string key = type.mergeKey;
    where += " AND " + key + " IN (SELECT " + key + " FROM " + type.table + " WHERE " + parent + " = ?1 AND deleted_at IS NULL)";
  }
  CRM_ASSIGN_OR_RETURN(Stmt stmt, PrepareSignedUpdate(db, actor, now, type.table, "deleted_at = ?3", where));
  stmt.BindAll(keptId, mergedId, now);
  return stmt.Run();
}

// Rows whose id derives from (customer, merge key): the kept customer gets its own row for each key it lacks (so
// devices that merge the same pair converge), and the merged customer's rows go to the trash; returns how many were made.
Result<int> RederiveRows(Db& db, const RecordType& type, int64_t keptId, int64_t mergedId, const Actor& actor, int64_t now) {
  std::string parent = type.parent;
  std::string key = type.mergeKey;
  std::string columns, updates;
  for (const FieldSpec& field : type.fields) {
    columns += std::string(", ") + field.column;
    updates += std::string(field.column) + " = excluded." + field.column + ", ";
  }
  CRM_ASSIGN_OR_RETURN(Stmt missing, db.Prepare("SELECT CAST(" + key + " AS TEXT)" + columns + " FROM " + type.table + " WHERE " +
                                                parent + " = ?1 AND deleted_at IS NULL AND " + key + " NOT IN (SELECT " + key +
                                                " FROM " + type.table + " WHERE " + parent + " = ?2 AND deleted_at IS NULL)"));
  missing.BindAll(mergedId, keptId);
  std::string placeholders;
  for (size_t i = 0; i < type.fields.size(); i++) placeholders += ", ?" + std::to_string(i + 3);
  const std::string insert = "INSERT INTO " + std::string(type.table) + "(id, " + parent + columns +
                             ", created_at, updated_at, created_by, updated_by, device_id) VALUES(?1, ?2" + placeholders +
                             ", ?61, ?61, ?62, ?62, ?63) ON CONFLICT(id) DO UPDATE SET " + updates +
                             "deleted_at = NULL, updated_at = excluded.updated_at, updated_by = excluded.updated_by, "
                             "device_id = excluded.device_id";
  int made = 0;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, missing.Step());
    if (!row) break;
    CRM_ASSIGN_OR_RETURN(Stmt upsert, db.Prepare(insert));
    upsert.Bind(1, DerivedId(keptId, type.derivedIdPrefix + missing.String(0))).Bind(2, keptId);
    for (size_t i = 0; i < type.fields.size(); i++) upsert.BindValue(static_cast<int>(i) + 3, missing.Value(static_cast<int>(i) + 1));
    upsert.Bind(61, now).Bind(62, actor.userId).Bind(63, actor.deviceId);
    CRM_TRY(upsert.Run());
    made++;
  }
  missing.Reset();
  CRM_TRY(TrashRows(db, type, /*onlyShared=*/false, keptId, mergedId, actor, now));
  return made;
}

}  // namespace

int MergeSummary::Moved(std::string_view table) const {
  for (const auto& [name, count] : moved) {
    if (name == table) return count;
  }
  return 0;
}

Result<MergeSummary> MergeCustomers(Db& db, int64_t keptId, int64_t mergedId, const Actor& actor) {
  if (keptId == mergedId) return FieldError(ErrorCode::Invalid, "", Problem::SameCustomer, "merge: a customer cannot be merged into itself");
  CRM_TRY(AuthorizeCustomerChange(db, actor, keptId));
  CRM_TRY(AuthorizeCustomerChange(db, actor, mergedId, /*allowDeleted=*/true));
  CRM_ASSIGN_OR_RETURN(Stmt state, db.Prepare("SELECT merged_into FROM customers WHERE id = ?"));
  state.Bind(1, mergedId);
  CRM_ASSIGN_OR_RETURN(bool exists, state.Step());
  if (!exists) return FieldError(ErrorCode::NotFound, "", Problem::NotFound, "merge: no customer with id " + std::to_string(mergedId));
  if (!state.IsNull(0)) return FieldError(ErrorCode::Invalid, "", Problem::Merged, "merge: that customer was already merged into another");
  state.Reset();

  MergeSummary summary;
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  int64_t now = NowMs();

  // The kept customer's empty fields take the merged one's values, and its last activity the later of both.
  for (const FieldSpec& field : FindRecordType("customers")->fields) {
    if (!field.mergeFill) continue;
    std::string c(field.column);
    CRM_ASSIGN_OR_RETURN(Stmt fill, PrepareSignedUpdate(db, actor, now, "customers",
        c + " = (SELECT m." + c + " FROM customers m WHERE m.id = ?2)",
        "id = ?1 AND coalesce(" + c + ", '') = '' AND (SELECT coalesce(m." + c + ", '') FROM customers m WHERE m.id = ?2) != ''"));
    fill.BindAll(keptId, mergedId);
    CRM_TRY(fill.Run());
    summary.fieldsFilled += db.Changes();
  }
  CRM_ASSIGN_OR_RETURN(Stmt activity, PrepareSignedUpdate(db, actor, now, "customers",
      "last_activity_at = (SELECT m.last_activity_at FROM customers m WHERE m.id = ?2)",
      "id = ?1 AND coalesce(last_activity_at, 0) < (SELECT coalesce(m.last_activity_at, 0) FROM customers m WHERE m.id = ?2)"));
  activity.BindAll(keptId, mergedId);
  CRM_TRY(activity.Run());

  // Every table a customer holds, as its description says.
  for (const RecordType& type : RecordTypes()) {
    if (!type.HeldByCustomer() || type.merge == MergePolicy::None) continue;
    if (type.beforeMerge) CRM_TRY(type.beforeMerge(db, keptId, mergedId, actor, now));
    int count = 0;
    switch (type.merge) {
      case MergePolicy::MoveUnique: {
        CRM_TRY(TrashRows(db, type, /*onlyShared=*/true, keptId, mergedId, actor, now));
        CRM_ASSIGN_OR_RETURN(count, MoveRows(db, type, /*liveOnly=*/true, keptId, mergedId, actor, now));
        break;
      }
      case MergePolicy::Move: {
        CRM_ASSIGN_OR_RETURN(count, MoveRows(db, type, /*liveOnly=*/false, keptId, mergedId, actor, now));
        break;
      }
      case MergePolicy::Rederive: {
        CRM_ASSIGN_OR_RETURN(count, RederiveRows(db, type, keptId, mergedId, actor, now));
        break;
      }
      case MergePolicy::None: break;
    }
    summary.moved.emplace_back(type.table, count);
  }

  CRM_ASSIGN_OR_RETURN(Stmt retire, PrepareSignedUpdate(db, actor, now, "customers",
      "merged_into = ?1, deleted_at = coalesce(deleted_at, ?3)", "id = ?2"));
  retire.BindAll(keptId, mergedId, now);
  CRM_TRY(retire.Run());
  CRM_TRY(txn.Commit());
  return summary;
}

}  // namespace crm
