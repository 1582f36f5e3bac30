#include "core/customers.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/custom_fields.h"
#include "core/followups.h"
#include "core/ids.h"
#include "core/org.h"
#include "core/records.h"
#include "core/search.h"
#include "core/text.h"
#include "core/validate.h"

namespace crm {

// [SECTION] validation
// [SECTION] writes: create, update, trash, restore
// [SECTION] reads: get, count, list pages

namespace {

constexpr size_t kMaxShortText = 100;
constexpr size_t kMaxMediumText = 200;
constexpr size_t kMaxTagLength = 30;

template <class E>
Status CheckEnumRange(E value, E last, const char* field, const char* id) {
  int index = static_cast<int>(value);
  if (index < 0 || index > static_cast<int>(last)) {
    return FieldError(ErrorCode::Invalid, id, Problem::UnknownCode, std::string(field) + ": unknown code");
  }
  return Ok();
}

}  // namespace

int64_t DerivedId(int64_t customerId, std::string_view key) {
  // FNV-1a over the customer id and the key, folded into [1, 2^63).
  uint64_t hash = 1469598103934665603ull;
  auto mix = [&](unsigned char byte) {
    hash ^= byte;
    hash *= 1099511628211ull;
  };
  for (int shift = 0; shift < 64; shift += 8) mix(static_cast<unsigned char>(static_cast<uint64_t>(customerId) >> shift));
  for (char c : key) mix(static_cast<unsigned char>(c));
  auto id = static_cast<int64_t>(hash & 0x7FFFFFFFFFFFFFFFull);
  return id == 0 ? 1 : id;
}

// ---------------------------------------------------------------------------
// [SECTION] validation

Result<std::vector<Error>> CheckCustomerInput(Db& db, const CustomerInput& input, CustomerInput* normalized) {
  CustomerInput out;
  std::vector<Error> problems;
  // Each field's problem is noted and the next field checked, so a form or an import row names them all at once.
  auto check = [&problems](const Status& status) {
    if (!status) problems.push_back(status.GetError());
    return static_cast<bool>(status);
  };
  auto take = [&problems](auto result, auto& target) {
    if (!result) {
      problems.push_back(result.GetError());
      return false;
    }
    target = std::move(result).Value();
    return true;
  };
  take(CleanText(input.name, "name", kMaxNameLength, true), out.name);
  if (check(CheckEnumRange(input.kind, CustomerKind::Other, "kind", "kind"))) out.kind = input.kind;
  if (check(CheckEnumRange(input.source, Source::Other, "source", "source"))) out.source = input.source;
  if (check(CheckEnumRange(input.credit, Credit::Poor, "credit", "credit"))) out.credit = input.credit;
  if (check(CheckEnumRange(input.grade, Grade::D, "class", "grade"))) out.grade = input.grade;

  if (input.phones.size() > kMaxPhones) {
    problems.push_back(FieldError(ErrorCode::Invalid, "phone", Problem::TooMany, "phone: at most " + std::to_string(kMaxPhones) + " numbers",
                                static_cast<int64_t>(kMaxPhones)));
  } else {
    for (const std::string& phone : input.phones) {
      std::string digits;
      if (take(NormalizePhone(phone), digits) && std::find(out.phones.begin(), out.phones.end(), digits) == out.phones.end()) {
        out.phones.push_back(digits);
      }
    }
  }
  take(CleanText(input.address.province, "province", kMaxShortText), out.address.province);
  take(CleanText(input.address.city, "city", kMaxShortText), out.address.city);
  take(CleanText(input.address.district, "district", kMaxShortText), out.address.district);
  take(OnField(CleanText(input.address.street, "address", kMaxMediumText), "street"), out.address.street);
  take(CleanText(input.industry, "industry", kMaxShortText), out.industry);
  take(CleanText(input.scale, "scale", kMaxShortText), out.scale);
  take(CleanText(input.brands, "brands", kMaxMediumText), out.brands);
  take(CleanText(input.preferences, "preferences", kMaxTextLength), out.preferences);
  take(CleanText(input.notes, "notes", kMaxTextLength), out.notes);
  if (!Trim(input.birthday).empty()) take(NormalizeDate(input.birthday, "birthday"), out.birthday);
  if (!Trim(input.anniversary).empty()) take(NormalizeDate(input.anniversary, "anniversary"), out.anniversary);

  if (input.tags.size() > kMaxTags) {
    problems.push_back(FieldError(ErrorCode::Invalid, "tags", Problem::TooMany, "tags: at most " + std::to_string(kMaxTags), static_cast<int64_t>(kMaxTags)));
  } else {
    for (const std::string& tag : input.tags) {
      std::string clean;
      if (take(OnField(CleanText(tag, "tag", kMaxTagLength, true), "tags"), clean) &&
          std::find(out.tags.begin(), out.tags.end(), clean) == out.tags.end()) {
        out.tags.push_back(clean);
      }
    }
  }
  std::set<int64_t> seenFields;
  for (const auto& [fieldId, value] : input.custom) {
    CustomField field;
    if (!take(GetCustomField(db, fieldId), field)) continue;
    if (!seenFields.insert(fieldId).second) {
      problems.push_back(FieldError(ErrorCode::Invalid, CustomFieldId(field), Problem::Repeated, field.label + ": given twice"));
      continue;
    }
    std::string clean;
    if (take(ValidateCustomValue(field, value), clean)) out.custom.emplace_back(fieldId, clean);
  }
  if (input.ownerId) {
    auto owner = GetUser(db, *input.ownerId);
    if (!owner) problems.push_back(owner.GetError());
  }
  out.ownerId = input.ownerId;
  out.toPool = input.toPool;
  // The database failing is not a problem of the input.
  for (const Error& problem : problems) {
    if (problem.code != ErrorCode::Invalid && problem.code != ErrorCode::NotFound) return problem;
  }
  if (normalized && problems.empty()) *normalized = std::move(out);
  return problems;
}

Status ValidateCustomerInput(Db& db, const CustomerInput& input, CustomerInput* normalized) {
  CRM_ASSIGN_OR_RETURN(std::vector<Error> problems, CheckCustomerInput(db, input, normalized));
  if (!problems.empty()) return problems.front();
  return Ok();
}

// ---------------------------------------------------------------------------
// [SECTION] writes

namespace {

// A live row of a customer's phone list.
struct PhoneRow {
  int64_t id;
  std::string normalized;
  int64_t position;
};

// The row a number added to a customer takes: its id derives from (customer, number), so devices adding the same
// number meet on one row and a number added again revives its trashed row. Where a replacement has put another
// number under that id, the next of "#1", "#2" … that is free or holds the number: every device picks the same.
Status AddPhone(Db& db, int64_t customerId, const std::string& phone, int64_t position, const Actor& actor, int64_t now) {
  CRM_ASSIGN_OR_RETURN(Stmt holder, db.Prepare("SELECT customer_id, normalized FROM customer_phones WHERE id = ?"));
  for (int attempt = 0;; attempt++) {
    int64_t id = DerivedId(customerId, "phone:" + phone + (attempt == 0 ? "" : "#" + std::to_string(attempt)));
    holder.Bind(1, id);
    CRM_ASSIGN_OR_RETURN(bool taken, holder.Step());
    const bool holdsThisNumber = taken && holder.Int64(0) == customerId && holder.String(1) == phone;
    holder.Reset();
    if (holdsThisNumber) {
      CRM_ASSIGN_OR_RETURN(Stmt revive, PrepareSignedUpdate(db, actor, now, "customer_phones",
                                                            "deleted_at = NULL, phone = ?1, position = ?2", "id = ?3"));
      revive.BindAll(phone, position, id);
      return revive.Run();
    }
    if (taken) continue;
    CRM_ASSIGN_OR_RETURN(Stmt insert, db.Prepare(
        "INSERT INTO customer_phones(id, customer_id, phone, normalized, position, created_at, updated_at, created_by, "
        "updated_by, device_id) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    insert.BindAll(id, customerId, phone, phone, position, now, now, actor.userId, actor.userId, actor.deviceId);
    return insert.Run();
  }
}

// A customer's phone list as the form edits it: numbers that stay keep their rows (moved if reordered); the k-th
// number gone is replaced in place by the k-th number new, in list order, so two devices replacing the same number
// meet on one row and the later wins; further numbers gone go to the trash; further new ones are added by value.
Status WritePhones(Db& db, int64_t customerId, const std::vector<std::string>& phones, const Actor& actor, int64_t now) {
  CRM_ASSIGN_OR_RETURN(Stmt existing, db.Prepare(
      "SELECT id, normalized, position FROM customer_phones WHERE customer_id = ? AND deleted_at IS NULL "
      "ORDER BY position, created_at, id"));
  existing.Bind(1, customerId);
  std::vector<PhoneRow> current;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, existing.Step());
    if (!row) break;
    current.push_back(PhoneRow{existing.Int64(0), existing.String(1), existing.Int64(2)});
  }
  existing.Reset();
  // Each listed number keeps the first row holding it; other rows (a number gone, or a second row of one number
  // left by concurrent edits) are replaced or trashed, in the order the customer lists them.
  std::vector<const PhoneRow*> keptFor(phones.size(), nullptr);
  std::vector<const PhoneRow*> gone;
  for (const PhoneRow& row : current) {
    auto listed = std::find(phones.begin(), phones.end(), row.normalized);
    size_t position = static_cast<size_t>(listed - phones.begin());
    if (listed != phones.end() && !keptFor[position]) {
      keptFor[position] = &row;
    } else {
      gone.push_back(&row);
    }
  }
  size_t replaced = 0;
  for (size_t position = 0; position < phones.size(); position++) {
    const std::string& phone = phones[position];
    const auto at = static_cast<int64_t>(position);
    if (const PhoneRow* kept = keptFor[position]) {
      // The order is the user's (the first number is the main one); only a real move is written.
      if (kept->position == at) continue;
      CRM_ASSIGN_OR_RETURN(Stmt move, PrepareSignedUpdate(db, actor, now, "customer_phones", "position = ?1", "id = ?2"));
      move.BindAll(at, kept->id);
      CRM_TRY(move.Run());
    } else if (replaced < gone.size()) {
      CRM_ASSIGN_OR_RETURN(Stmt replace, PrepareSignedUpdate(db, actor, now, "customer_phones",
                                                             "phone = ?1, normalized = ?1, position = ?2", "id = ?3"));
      replace.BindAll(phone, at, gone[replaced++]->id);
      CRM_TRY(replace.Run());
    } else {
      CRM_TRY(AddPhone(db, customerId, phone, at, actor, now));
    }
  }
  for (; replaced < gone.size(); replaced++) {
    CRM_ASSIGN_OR_RETURN(Stmt trash, PrepareSignedUpdate(db, actor, now, "customer_phones", "deleted_at = ?1", "id = ?2"));
    trash.BindAll(now, gone[replaced]->id);
    CRM_TRY(trash.Run());
  }
  return Ok();
}

Status WriteTags(Db& db, int64_t customerId, const std::vector<std::string>& tags, const Actor& actor, int64_t now) {
  CRM_ASSIGN_OR_RETURN(Stmt trash, PrepareSignedUpdate(db, actor, now, "customer_tags", "deleted_at = ?1",
      "customer_id = ?2 AND deleted_at IS NULL AND tag NOT IN (SELECT value FROM json_each(?3))"));
  std::string list = "[";
  for (size_t i = 0; i < tags.size(); i++) {
    std::string escaped;
    for (char c : tags[i]) {
      if (c == '"' || c == '\\') escaped += '\\';
      escaped += c;
    }
    list += (i ? ",\"" : "\"") + escaped + "\"";
  }
  list += "]";
  trash.BindAll(now, customerId, list);
  CRM_TRY(trash.Run());
  for (const std::string& tag : tags) {
    // The id comes from (customer, tag): a tag removed and added again, here or on another device, is the same row.
    CRM_ASSIGN_OR_RETURN(Stmt upsert, db.Prepare(
        "INSERT INTO customer_tags(id, customer_id, tag, created_at, updated_at, created_by, updated_by, device_id) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET deleted_at = NULL, updated_at = excluded.updated_at, "
        "updated_by = excluded.updated_by, device_id = excluded.device_id WHERE deleted_at IS NOT NULL"));
    upsert.BindAll(DerivedId(customerId, "tag:" + tag), customerId, tag, now, now, actor.userId, actor.userId, actor.deviceId);
    CRM_TRY(upsert.Run());
  }
  return Ok();
}

Status WriteCustomValues(Db& db, int64_t customerId, const std::vector<std::pair<int64_t, std::string>>& values,
                         const Actor& actor, int64_t now) {
  for (const auto& [fieldId, value] : values) {
    CRM_ASSIGN_OR_RETURN(Stmt upsert, db.Prepare(
        "INSERT INTO custom_values(id, customer_id, field_id, value, created_at, updated_at, created_by, updated_by, device_id) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET value = excluded.value, deleted_at = NULL, "
        "updated_at = excluded.updated_at, updated_by = excluded.updated_by, device_id = excluded.device_id "
        "WHERE value IS NOT excluded.value OR deleted_at IS NOT NULL"));
    upsert.BindAll(DerivedId(customerId, "field:" + std::to_string(fieldId)), customerId, fieldId, value, now, now,
                   actor.userId, actor.userId, actor.deviceId);
    CRM_TRY(upsert.Run());
  }
  return Ok();
}

std::optional<std::string> NonEmpty(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

// Binds the editable scalar columns, in kScalarColumns order, as the next parameters.
void BindScalars(Stmt& stmt, const CustomerInput& in) {
  stmt.BindNext(in.name).BindNext(Code(in.kind));
  stmt.BindNext(in.phones.empty() ? std::optional<std::string>() : in.phones.front());
  stmt.BindNext(in.address.province).BindNext(in.address.city).BindNext(in.address.district).BindNext(in.address.street);
  stmt.BindNext(in.industry).BindNext(in.scale).BindNext(in.brands).BindNext(Code(in.source)).BindNext(Code(in.credit));
  stmt.BindNext(NonEmpty(in.birthday)).BindNext(NonEmpty(in.anniversary));
  stmt.BindNext(in.preferences).BindNext(in.notes);
}
constexpr const char* kScalarColumns =
    "name, kind, phone, province, city, district, street, industry, scale, brands, source, credit, birthday, anniversary, "
    "preferences, notes";

}  // namespace

Result<int64_t> CreateCustomer(Db& db, const CustomerInput& input, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(User acting, ActingUser(db, actor));
  CustomerInput in;
  CRM_TRY(ValidateCustomerInput(db, input, &in));
  Holding holding;
  if (!in.toPool) {
    holding.ownerId = in.ownerId.value_or(actor.userId);
    CRM_ASSIGN_OR_RETURN(User owner, GetUser(db, *holding.ownerId));
    holding.teamId = owner.teamId;
  }
  CRM_TRY(CheckCanChangeCustomer(acting, holding));

  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  int64_t id = NewId();
  int64_t now = NowMs();
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      std::string("INSERT INTO customers(id, ") + kScalarColumns +
      ", grade, owner_id, team_id, pooled_at, created_at, updated_at, created_by, updated_by, device_id) "
      "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt.BindNext(id);
  BindScalars(stmt, in);
  stmt.BindNext(Code(in.grade)).BindNext(holding.ownerId).BindNext(holding.teamId);
  stmt.BindNext(holding.ownerId ? std::optional<int64_t>() : now);  // pooled_at
  stmt.BindNext(now).BindNext(now).BindNext(actor.userId).BindNext(actor.userId).BindNext(actor.deviceId);
  CRM_TRY(stmt.Run());
  CRM_TRY(WritePhones(db, id, in.phones, actor, now));
  CRM_TRY(WriteTags(db, id, in.tags, actor, now));
  CRM_TRY(WriteCustomValues(db, id, in.custom, actor, now));
  CRM_TRY(EnsureClassFollowup(db, id, actor));
  CRM_TRY(txn.Commit());
  return id;
}

Status UpdateCustomer(Db& db, int64_t id, const CustomerInput& input, const Actor& actor) {
  CRM_TRY(AuthorizeCustomerChange(db, actor, id));
  CustomerInput in;
  CRM_TRY(ValidateCustomerInput(db, input, &in));
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  int64_t now = NowMs();
  std::string assignments;
  std::string columns = kScalarColumns;
  int parameter = 0;
  for (size_t start = 0; start < columns.size();) {
    size_t end = columns.find(", ", start);
    if (end == std::string::npos) end = columns.size();
    assignments += (assignments.empty() ? "" : ", ") + columns.substr(start, end - start) + " = ?" + std::to_string(++parameter);
    start = end + 2;
  }
  CRM_ASSIGN_OR_RETURN(Stmt stmt, PrepareSignedUpdate(db, actor, now, "customers", assignments, "id = ?" + std::to_string(parameter + 1)));
  BindScalars(stmt, in);
  stmt.BindNext(id);
  CRM_TRY(stmt.Run());
  CRM_TRY(WritePhones(db, id, in.phones, actor, now));
  CRM_TRY(WriteTags(db, id, in.tags, actor, now));
  CRM_TRY(WriteCustomValues(db, id, in.custom, actor, now));
  return txn.Commit();
}

namespace {
Status SetDeleted(Db& db, int64_t id, bool deleted, const Actor& actor) {
  CRM_TRY(AuthorizeCustomerChange(db, actor, id, /*allowDeleted=*/true));
  CRM_ASSIGN_OR_RETURN(Stmt state, db.Prepare("SELECT deleted_at IS NOT NULL, merged_into FROM customers WHERE id = ?"));
  state.Bind(1, id);
  CRM_ASSIGN_OR_RETURN(bool found, state.Step());
  if (!found) return FieldError(ErrorCode::NotFound, "", Problem::NotFound, "customer: no customer with id " + std::to_string(id));
  bool isDeleted = state.Int64(0) != 0;
  bool merged = !state.IsNull(1);
  state.Reset();
  if (deleted == isDeleted) {
    return deleted ? FieldError(ErrorCode::Invalid, "", Problem::InTrash, "customer: already in the trash")
                   : FieldError(ErrorCode::Invalid, "", Problem::NotInTrash, "customer: not in the trash");
  }
  if (!deleted && merged) {
    return FieldError(ErrorCode::Invalid, "", Problem::Merged, "customer: merged into another customer; it cannot be restored");
  }
  int64_t now = NowMs();
  CRM_ASSIGN_OR_RETURN(Stmt stmt, PrepareSignedUpdate(db, actor, now, "customers", "deleted_at = ?1", "id = ?2"));
  if (deleted) stmt.Bind(1, now); else stmt.Bind(1, Null{});
  stmt.Bind(2, id);
  return stmt.Run();
}
}  // namespace

Status TrashCustomer(Db& db, int64_t id, const Actor& actor) { return SetDeleted(db, id, true, actor); }
Status RestoreCustomer(Db& db, int64_t id, const Actor& actor) { return SetDeleted(db, id, false, actor); }

Result<int64_t> AddCustomer(Db& db, std::string_view name, const Actor& actor) {
  CustomerInput input;
  input.name = std::string(name);
  return CreateCustomer(db, input, actor);
}

// ---------------------------------------------------------------------------
// [SECTION] reads

Result<Customer> GetCustomer(Db& db, int64_t id) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(std::string("SELECT ") + kScalarColumns +
      ", grade, stage, lost_reason, owner_id, team_id, created_at, updated_at, created_by, updated_by, last_activity_at, "
      "claimed_at, protected_until, lost_at, deleted_at, merged_into, import_id FROM customers WHERE id = ?"));
  stmt.Bind(1, id);
  CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return FieldError(ErrorCode::NotFound, "", Problem::NotFound, "customer: no customer with id " + std::to_string(id));
  Customer c;
  c.id = id;
  CustomerInput& f = c.fields;
  int i = 0;
  f.name = stmt.String(i++);
  CRM_ASSIGN_OR_RETURN(f.kind, ParseCustomerKind(stmt.Text(i++)));
  i++;  // the main phone: the phone list below holds it
  f.address.province = stmt.String(i++);
  f.address.city = stmt.String(i++);
  f.address.district = stmt.String(i++);
  f.address.street = stmt.String(i++);
  f.industry = stmt.String(i++);
  f.scale = stmt.String(i++);
  f.brands = stmt.String(i++);
  CRM_ASSIGN_OR_RETURN(f.source, ParseSource(stmt.Text(i++)));
  CRM_ASSIGN_OR_RETURN(f.credit, ParseCredit(stmt.Text(i++)));
  f.birthday = stmt.String(i++);
  f.anniversary = stmt.String(i++);
  f.preferences = stmt.String(i++);
  f.notes = stmt.String(i++);
  CRM_ASSIGN_OR_RETURN(c.grade, ParseGrade(stmt.Text(i++)));
  f.grade = c.grade;
  CRM_ASSIGN_OR_RETURN(c.stage, ParseStage(stmt.Text(i++)));
  CRM_ASSIGN_OR_RETURN(c.lostReason, ParseLostReason(stmt.Text(i++)));
  auto optional = [&](int column) { return stmt.IsNull(column) ? std::optional<int64_t>() : stmt.Int64(column); };
  c.ownerId = optional(i++);
  c.teamId = optional(i++);
  c.createdAt = stmt.Int64(i++);
  c.updatedAt = stmt.Int64(i++);
  c.createdBy = stmt.Int64(i++);
  c.updatedBy = stmt.Int64(i++);
  c.lastActivityAt = optional(i++);
  c.claimedAt = optional(i++);
  c.protectedUntil = optional(i++);
  c.lostAt = optional(i++);
  c.deletedAt = optional(i++);
  c.mergedInto = optional(i++);
  c.importId = optional(i++);
  f.ownerId = c.ownerId;
  stmt.Reset();

  CRM_ASSIGN_OR_RETURN(Stmt phones, db.Prepare(
      "SELECT normalized FROM customer_phones WHERE customer_id = ? AND deleted_at IS NULL ORDER BY position, created_at"));
  phones.Bind(1, id);
  // Concurrent edits can leave one number on two rows for a while; it is shown once (the next save trashes the other).
  while (phones.Step().ValueOr(false)) {
    std::string phone = phones.String(0);
    if (std::find(f.phones.begin(), f.phones.end(), phone) == f.phones.end()) f.phones.push_back(std::move(phone));
  }
  CRM_ASSIGN_OR_RETURN(Stmt tags, db.Prepare(
      "SELECT tag FROM customer_tags WHERE customer_id = ? AND deleted_at IS NULL ORDER BY tag"));
  tags.Bind(1, id);
  while (tags.Step().ValueOr(false)) f.tags.push_back(tags.String(0));
  CRM_ASSIGN_OR_RETURN(Stmt custom, db.Prepare(
      "SELECT field_id, value FROM custom_values WHERE customer_id = ? AND deleted_at IS NULL ORDER BY field_id"));
  custom.Bind(1, id);
  while (custom.Step().ValueOr(false)) f.custom.emplace_back(custom.Int64(0), custom.String(1));
  return c;
}

Result<int64_t> CountCustomers(Db& db) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT count(*) FROM customers WHERE deleted_at IS NULL"));
  CRM_ASSIGN_OR_RETURN(bool hasRow, stmt.Step());
  if (!hasRow) return int64_t{0};
  return stmt.Int64(0);
}

namespace {
// The list's work: the page's rows (`rows`) and the total (`total`), either or both.
Result<CustomerPage> ListPage(Db& db, const CustomerQuery& query, bool rows, bool total, int64_t atMost = 0);
}  // namespace

Result<CustomerPage> ListCustomers(Db& db, const CustomerQuery& query) { return ListPage(db, query, true, query.withTotal); }

Result<int64_t> CountMatchingCustomers(Db& db, const CustomerQuery& query, int64_t atMost) {
  if (atMost < 0) return MakeError(ErrorCode::Invalid, "count: the limit must not be negative");
  CustomerQuery counted = query;
  counted.offset = 0;
  counted.limit = 1;
  CRM_ASSIGN_OR_RETURN(CustomerPage page, ListPage(db, counted, false, true, atMost));
  return page.total;
}

namespace {
// A list query's parameters, by name (:grade, :owner…): the count and the page are different statements
// over the same filters, and each binds the names it uses.
struct ListParameters {
  std::vector<std::pair<const char*, std::string>> texts;
  std::vector<std::pair<const char*, int64_t>> numbers;
  std::vector<std::pair<const char*, std::shared_ptr<const std::vector<int64_t>>>> idSets;

  void BindTo(Stmt& stmt) const {
    for (const auto& [name, text] : texts) {
      if (int index = stmt.ParameterIndex(name)) stmt.Bind(index, text);
    }
    for (const auto& [name, number] : numbers) {
      if (int index = stmt.ParameterIndex(name)) stmt.Bind(index, number);
    }
    for (const auto& [name, ids] : idSets) {
      if (int index = stmt.ParameterIndex(name)) stmt.BindIdSet(index, ids);
    }
  }
  // What the filters' values are, for the count cache's key.
  std::string Key() const {
    std::string key;
    for (const auto& [name, text] : texts) key += std::string("\x1f") + name + "=" + text;
    for (const auto& [name, number] : numbers) key += std::string("\x1f") + name + "=" + std::to_string(number);
    return key;
  }
};

// The sorted ids a query returns (its first column), read once per state of the data and kept by the
// connection under `key`, for crm_in_set.
Result<std::shared_ptr<const std::vector<int64_t>>> IdSet(Db& db, const std::string& key, const char* sql,
                                                           const std::string& parameter) {
  if (auto cached = db.CachedIdSet(key)) return cached;
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(sql));
  stmt.Bind(1, parameter);
  auto ids = std::make_shared<std::vector<int64_t>>();
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ids->push_back(stmt.Int64(0));
  }
  stmt.Reset();
  if (!std::is_sorted(ids->begin(), ids->end())) std::sort(ids->begin(), ids->end());
  std::shared_ptr<const std::vector<int64_t>> sorted = std::move(ids);
  db.RememberIdSet(key, sorted);
  return sorted;
}

Result<CustomerPage> ListPage(Db& db, const CustomerQuery& query, bool wantRows, bool wantTotal, int64_t atMost) {
  if (query.limit <= 0 || query.limit > 1000) return MakeError(ErrorCode::Invalid, "limit: between 1 and 1000");
  if (query.offset < 0) return MakeError(ErrorCode::Invalid, "offset: must not be negative");
  int64_t now = query.nowMs ? query.nowMs : NowMs();
  CRM_ASSIGN_OR_RETURN(int64_t offsetMinutes, GetSettingInt(db, "org.utc_offset_minutes"));
  // Day boundaries in the organisation's time zone.
  const int64_t dayMs = 86400000;
  int64_t local = now + offsetMinutes * 60000;
  int64_t startOfToday = local - ((local % dayMs) + dayMs) % dayMs - offsetMinutes * 60000;
  int64_t endOfToday = startOfToday + dayMs;
  int64_t endOfWeek = startOfToday + 7 * dayMs;

  std::string where = query.trashOnly ? "c.deleted_at IS NOT NULL" : "c.deleted_at IS NULL";
  ListParameters parameters;
  auto addText = [&](const char* clause, const char* name, const std::string& value) {
    parameters.texts.emplace_back(name, value);
    where += std::string(" AND ") + clause;
  };
  auto addNumber = [&](const std::string& clause, const char* name, int64_t value) {
    parameters.numbers.emplace_back(name, value);
    where += " AND " + clause;
  };
  if (query.grade) addText("c.grade = :grade", ":grade", Code(*query.grade));
  if (query.stage) addText("c.stage = :stage", ":stage", Code(*query.stage));
  if (!query.tag.empty()) {
    // A rare tag drives the query (look up its few customers, sort them). A common one is a membership
    // test while the sort order's index is walked: its customers are read once per state of the data
    // into a sorted list, not into a temporary index for every page (which cost 1.6 ms a page natively
    // and 3.7 ms in wasm for a sixth of a 100k book).
    CRM_ASSIGN_OR_RETURN(Stmt tagged, db.Prepare(
        "SELECT count(*) FROM (SELECT 1 FROM customer_tags WHERE tag = ? AND deleted_at IS NULL LIMIT 2001)"));
    tagged.Bind(1, query.tag);
    CRM_ASSIGN_OR_RETURN(bool hasCount, tagged.Step());
    const bool common = hasCount && tagged.Int64(0) > 2000;
    tagged.Reset();
    if (common) {
      CRM_ASSIGN_OR_RETURN(auto members, IdSet(db, "tag:" + query.tag,
          "SELECT customer_id FROM customer_tags WHERE tag = ? AND deleted_at IS NULL ORDER BY customer_id", query.tag));
      parameters.idSets.emplace_back(":tagged", std::move(members));
      parameters.texts.emplace_back(":tag", query.tag);  // in the count's key
      where += " AND crm_in_set(:tagged, c.id)";
    } else {
      addText("c.id IN (SELECT t.customer_id FROM customer_tags t WHERE t.tag = :tag AND t.deleted_at IS NULL)", ":tag",
              query.tag);
    }
  }
  // The search box's clause, in the two forms explained where one is chosen below.
  struct {
    std::string expression, collect, probe;
    bool byPhone = false;
  } search;
  if (!query.search.empty()) {
    if (!IsValidUtf8(query.search)) {
      return FieldError(ErrorCode::Invalid, "search", Problem::BadText, "search: the query is not valid UTF-8 text");
    }
    std::string trimmed = Trim(query.search);
    if (Utf8Length(trimmed) > kMaxSearchQueryLength) {
      return FieldError(ErrorCode::Invalid, "search", Problem::TooLong,
                        "search: the query is longer than " + std::to_string(kMaxSearchQueryLength) + " characters",
                        static_cast<int64_t>(kMaxSearchQueryLength));
    }
    std::string expression = SearchExpression(trimmed);
    auto phone = NormalizePhone(trimmed);
    bool byPhone = phone && phone.Value().size() >= 5;
    if (expression.empty() && !byPhone) return CustomerPage{};  // nothing searchable: no one, total 0
    // The index's matches, and an exact phone of the customer or of a contact (as SearchCustomers ranks first).
    const std::string phoneMatches =
        "SELECT customer_id FROM customer_phones WHERE normalized = :phone AND deleted_at IS NULL UNION "
        "SELECT customer_id FROM contacts WHERE phone_normalized = :phone AND deleted_at IS NULL";
    if (byPhone) parameters.texts.emplace_back(":phone", phone.Value());
    if (!expression.empty()) parameters.texts.emplace_back(":match", expression);
    search.expression = expression;
    search.byPhone = byPhone;
    // The index numbers its documents densely (migration 6); the document table maps them to customers.
    const std::string ftsMatches =
        "SELECT d.id FROM customer_fts f JOIN customer_fts_doc d ON d.docid = f.rowid WHERE customer_fts MATCH :match";
    search.collect = "c.id IN (" + (expression.empty() ? phoneMatches : ftsMatches + (byPhone ? " UNION " + phoneMatches : "")) + ")";
    if (!expression.empty()) {
      search.probe = "(crm_in_set(:matching, (SELECT d.docid FROM customer_fts_doc d WHERE d.id = c.id))" +
                     (byPhone ? " OR c.id IN (" + phoneMatches + ")" : std::string()) + ")";
    }
  }
  if (query.poolOnly) where += " AND c.owner_id IS NULL";
  if (query.ownerId) addNumber("c.owner_id = :owner", ":owner", *query.ownerId);
  const std::string open = "c.id IN (SELECT f.customer_id FROM followups f WHERE f.status = 'open' AND f.deleted_at IS NULL";
  switch (query.followup) {
    case FollowupFilter::Any: break;
    case FollowupFilter::Overdue: addNumber(open + " AND f.due_at < :today)", ":today", startOfToday); break;
    case FollowupFilter::DueToday:
      parameters.numbers.emplace_back(":tomorrow", endOfToday);
      addNumber(open + " AND f.due_at >= :today AND f.due_at < :tomorrow)", ":today", startOfToday);
      break;
    case FollowupFilter::DueThisWeek: addNumber(open + " AND f.due_at < :week)", ":week", endOfWeek); break;
    case FollowupFilter::NoPlan: where += " AND NOT " + open + ")"; break;
  }

  // The order follows an index where one exists ((deleted_at, X) with the rowid last), so a page
  // is an index walk, not a sort of the whole book; the id breaks ties in the same direction.
  struct OrderTerm {
    std::string expression;
    bool descending;
  };
  std::vector<OrderTerm> order;
  const bool desc = query.descending;
  bool needsNextDue = false;
  switch (query.sort) {
    case CustomerSort::UpdatedAt: order = {{"c.updated_at", desc}, {"c.id", desc}}; break;
    case CustomerSort::CreatedAt: order = {{"c.created_at", desc}, {"c.id", desc}}; break;
    case CustomerSort::Name: order = {{"c.name", desc}, {"c.id", desc}}; break;
    // Never-contacted customers (NULL) come last when descending, first when ascending: the most neglected.
    case CustomerSort::LastActivity: order = {{"c.last_activity_at", desc}, {"c.id", desc}}; break;
    case CustomerSort::Grade: order = {{"c.grade", desc}, {"c.updated_at", true}, {"c.id", true}}; break;
    case CustomerSort::NextDue:
      order = {{"next_due IS NULL", false}, {"next_due", desc}, {"c.id", desc}};
      needsNextDue = true;
      break;
  }
  // Every term reversed, NULLs included (first ascending, last descending): the same order read from its end.
  auto orderBy = [&order](bool reversed) {
    std::string out;
    for (const OrderTerm& term : order) {
      out += (out.empty() ? "" : ", ") + term.expression + (term.descending != reversed ? " DESC" : " ASC");
    }
    return out;
  };
  const std::string nextDue =
      "(SELECT min(f.due_at) FROM followups f WHERE f.customer_id = c.id AND f.status = 'open' AND f.deleted_at IS NULL)";

  // A search is matched in one of two ways. Collecting every match first and then ordering them costs per
  // match: right for a rare term, but a broad one ("门窗": a fifth of a book) costs tens of milliseconds
  // per page. Walking the sort order's index and asking about each customer costs per customer walked,
  // which for a page at `offset` is about (offset + limit) * book / matches: right when the matches are
  // many. They cost the same where matches^2 = (offset + limit) * book, so the matches are counted only
  // up to that point (the index counts without reading documents). The walk tests each customer's
  // document against the matching documents, read once per state of the data into a sorted list. Sorts
  // without an index (next follow-up) sort every candidate anyway and always collect.
  bool probe = false;
  if (wantRows && !search.expression.empty() && query.sort != CustomerSort::NextDue) {
    CRM_ASSIGN_OR_RETURN(int64_t documents, db.QueryInt("SELECT coalesce(max(docid), 0) FROM customer_fts_doc"));
    const int64_t even = static_cast<int64_t>(std::sqrt(static_cast<double>(query.offset + query.limit) * documents));
    CRM_ASSIGN_OR_RETURN(Stmt matches, db.Prepare(
        "SELECT count(*) FROM (SELECT 1 FROM customer_fts WHERE customer_fts MATCH ? LIMIT ?)"));
    matches.Bind(1, search.expression).Bind(2, even + 1);
    CRM_ASSIGN_OR_RETURN(bool counted, matches.Step());
    probe = counted && matches.Int64(0) > even;
    matches.Reset();
  }
  if (probe) {
    CRM_ASSIGN_OR_RETURN(auto matching, IdSet(db, "match:" + search.expression,
        "SELECT rowid FROM customer_fts WHERE customer_fts MATCH ? ORDER BY rowid", search.expression));
    parameters.idSets.emplace_back(":matching", std::move(matching));
  }
  const std::string searchClause = search.collect.empty() ? "" : " AND " + search.collect;
  const std::string rowsWhere = where + (search.collect.empty() ? "" : " AND " + (probe ? search.probe : search.collect));

  CustomerPage page;
  page.total = -1;
  // The total is asked for with every page of a scrolling list; it is counted once per state of the
  // data (the connection's change counter) and filter, not once per page.
  const std::string countKey = "customers:" + std::to_string(atMost) + ":" + where + searchClause + parameters.Key();
  if (!wantTotal) {
    // Left at -1: the caller counts on its own time.
  } else if (auto cached = db.CachedCount(countKey)) {
    page.total = *cached;
  } else {
    // A text search is counted from the search index's side, match by match, so a bounded count of a broad
    // term stops early instead of first collecting every match.
    std::string from = "customers c WHERE " + where + searchClause;
    if (!search.expression.empty() && !search.byPhone) {
      from = "customer_fts JOIN customer_fts_doc d ON d.docid = customer_fts.rowid JOIN customers c ON c.id = d.id "
             "WHERE customer_fts MATCH :match AND " + where;
    }
    std::string counting = "SELECT count(*) FROM " + from;
    if (atMost > 0) counting = "SELECT count(*) FROM (SELECT 1 FROM " + from + " LIMIT " + std::to_string(atMost + 1) + ")";
    CRM_ASSIGN_OR_RETURN(Stmt count, db.Prepare(counting));
    parameters.BindTo(count);
    CRM_ASSIGN_OR_RETURN(bool counted, count.Step());
    page.total = counted ? count.Int64(0) : 0;
    count.Reset();
    db.RememberCount(countKey, page.total);
  }

  if (!wantRows) return page;
  // A page past the middle of a filter's exact total is read from the other end, in the reversed order:
  // skipping rows is the cost of a deep page (the end of a 100k list is 100k index steps from its start),
  // and from the nearer end it is at most half the list. Searches are counted another way and not reversed.
  int64_t offset = query.offset;
  int64_t limit = query.limit;
  bool fromTheEnd = false;
  if (search.collect.empty() && atMost == 0) {
    std::optional<int64_t> total = page.total >= 0 ? std::optional<int64_t>(page.total) : db.CachedCount(countKey);
    if (total && offset >= *total) return page;
    if (total && offset > *total / 2) {
      fromTheEnd = true;
      limit = std::min<int64_t>(limit, *total - offset);
      offset = *total - query.offset - limit;
    }
  }
  // First the page's ids, reading as little as possible per skipped row; then the rows themselves.
  CRM_ASSIGN_OR_RETURN(Stmt ids, db.Prepare(
      "SELECT c.id" + (needsNextDue ? ", " + nextDue + " AS next_due" : std::string()) + " FROM customers c WHERE " + rowsWhere +
      " ORDER BY " + orderBy(fromTheEnd) + " LIMIT " + std::to_string(limit) + " OFFSET " + std::to_string(offset)));
  parameters.BindTo(ids);
  std::vector<int64_t> pageIds;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, ids.Step());
    if (!row) break;
    pageIds.push_back(ids.Int64(0));
  }
  ids.Reset();
  if (fromTheEnd) std::reverse(pageIds.begin(), pageIds.end());
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "SELECT c.id, c.name, coalesce(c.phone, ''), coalesce(c.city, ''), c.grade, c.stage, c.owner_id, coalesce(u.name, ''), "
      "c.last_activity_at, " + nextDue + ", c.updated_at FROM customers c LEFT JOIN users u ON u.id = c.owner_id "
      "WHERE c.id = ?"));
  for (int64_t id : pageIds) {
    stmt.Bind(1, id);
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) {
      stmt.Reset();
      continue;
    }
    CustomerRow r;
    r.id = stmt.Int64(0);
    r.name = stmt.String(1);
    r.phone = stmt.String(2);
    r.city = stmt.String(3);
    r.grade = ParseGrade(stmt.Text(4)).ValueOr(Grade::C);
    r.stage = ParseStage(stmt.Text(5)).ValueOr(Stage::Prospect);
    if (!stmt.IsNull(6)) r.ownerId = stmt.Int64(6);
    r.ownerName = stmt.String(7);
    if (!stmt.IsNull(8)) r.lastActivityAt = stmt.Int64(8);
    if (!stmt.IsNull(9)) r.nextDueAt = stmt.Int64(9);
    r.updatedAt = stmt.Int64(10);
    page.rows.push_back(std::move(r));
    stmt.Reset();
  }
  return page;
}

}  // namespace

}  // namespace crm
