#pragma once
// Customers: the company-owned customer database (客户资料库). Every customer
// has an owner or sits in the public pool; every write is permission-checked,
// validated, attributed to an actor and audited.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/db.h"
#include "core/enums.h"

namespace crm {

// Who makes a change, and on which device: every write is attributed.
struct Actor {
  int64_t userId = 0;
  int64_t deviceId = 0;
};

constexpr size_t kMaxNameLength = 200;   // code points
constexpr size_t kMaxTextLength = 2000;  // notes, preferences
constexpr size_t kMaxPhones = 10;
constexpr size_t kMaxTags = 30;

struct Address {
  std::string province;
  std::string city;
  std::string district;
  std::string street;
};

// What a form or an import row provides.
struct CustomerInput {
  std::string name;
  CustomerKind kind = CustomerKind::Other;
  std::vector<std::string> phones;  // as entered; the first is the main one
  Address address;
  std::string industry;
  std::string scale;
  std::string brands;  // 经营类别/代理品牌
  Source source = Source::Unknown;
  Credit credit = Credit::Unknown;
  std::string birthday;     // YYYY-MM-DD or MM-DD; empty for none
  std::string anniversary;  // likewise
  std::string preferences;
  std::string notes;
  std::vector<std::string> tags;
  std::vector<std::pair<int64_t, std::string>> custom;  // custom field id → value as text
  Grade grade = Grade::C;
  // Creation only: who will own it. Empty: the acting user. `toPool` puts it in the public pool.
  std::optional<int64_t> ownerId;
  bool toPool = false;
};

struct Customer {
  int64_t id = 0;
  CustomerInput fields;  // phones normalized, dates normalized
  std::optional<int64_t> ownerId;
  std::optional<int64_t> teamId;
  Grade grade = Grade::C;
  Stage stage = Stage::Prospect;
  LostReason lostReason = LostReason::None;
  int64_t createdAt = 0;
  int64_t updatedAt = 0;
  int64_t createdBy = 0;
  int64_t updatedBy = 0;
  std::optional<int64_t> lastActivityAt;
  std::optional<int64_t> claimedAt;
  std::optional<int64_t> protectedUntil;
  std::optional<int64_t> lostAt;
  std::optional<int64_t> deletedAt;
  std::optional<int64_t> mergedInto;
  std::optional<int64_t> importId;
};

// Creates a customer (with phones, tags and custom values) and plans its first follow-up.
Result<int64_t> CreateCustomer(Db& db, const CustomerInput& input, const Actor& actor);
// Replaces the editable fields (not owner, grade or stage: see ownership.h and grading.h).
Status UpdateCustomer(Db& db, int64_t id, const CustomerInput& input, const Actor& actor);
// A customer, in the trash or not (deletedAt tells).
Result<Customer> GetCustomer(Db& db, int64_t id);
// Soft delete (to the trash) and restore.
Status TrashCustomer(Db& db, int64_t id, const Actor& actor);
Status RestoreCustomer(Db& db, int64_t id, const Actor& actor);

// Live (not deleted) customers.
Result<int64_t> CountCustomers(Db& db);
// The foundation's quick add: a customer with only a name.
Result<int64_t> AddCustomer(Db& db, std::string_view name, const Actor& actor);

// Validates an input without writing it: every problem, each naming its field ("phone: …"), empty when the
// input is valid (then `normalized`, if given, holds it cleaned). The database failing is the error.
Result<std::vector<Error>> CheckCustomerInput(Db& db, const CustomerInput& input, CustomerInput* normalized);
// The same, as the first problem.
Status ValidateCustomerInput(Db& db, const CustomerInput& input, CustomerInput* normalized);

// --- lists (virtualized screens ask for one page at a time) ---

enum class FollowupFilter { Any, Overdue, DueToday, DueThisWeek, NoPlan };
enum class CustomerSort { UpdatedAt, Name, LastActivity, Grade, NextDue, CreatedAt };

struct CustomerQuery {
  std::optional<Grade> grade;
  std::optional<Stage> stage;
  std::optional<int64_t> ownerId;
  bool poolOnly = false;
  bool trashOnly = false;
  std::string tag;
  // The search box's text, as SearchCustomers reads it (name, phone, contact, tag, address; any Chinese
  // substring; every term must match), combined with the filters, sort and paging above and below.
  // Invalid text (bad UTF-8, longer than kMaxSearchQueryLength) is an Invalid error; text with nothing
  // searchable in it matches no one.
  std::string search;
  FollowupFilter followup = FollowupFilter::Any;
  CustomerSort sort = CustomerSort::UpdatedAt;
  bool descending = true;
  int offset = 0;
  int limit = 50;
  int64_t nowMs = 0;  // 0: the clock; tests pass a fixed time
  // false: the page only, total left at -1 (a screen that must stay within a frame's budget reads the page
  // first and the total with CountMatchingCustomers on the next frame).
  bool withTotal = true;
};

struct CustomerRow {
  int64_t id = 0;
  std::string name;
  std::string phone;
  std::string city;
  Grade grade = Grade::C;
  Stage stage = Stage::Prospect;
  std::optional<int64_t> ownerId;
  std::string ownerName;
  std::optional<int64_t> lastActivityAt;
  std::optional<int64_t> nextDueAt;
  int64_t updatedAt = 0;
};

struct CustomerPage {
  std::vector<CustomerRow> rows;
  int64_t total = 0;  // rows matching the filter, for the scrollbar
};

Result<CustomerPage> ListCustomers(Db& db, const CustomerQuery& query);
// How many customers match the query (offset, limit and sort do not matter); counted once per state of the data.
// `atMost` > 0 stops counting past it and returns at most atMost + 1 ("more than atMost"): a broad search
// over a big book costs as much to count exactly as it has matches.
Result<int64_t> CountMatchingCustomers(Db& db, const CustomerQuery& query, int64_t atMost = 0);

// A stable 63-bit id for a row keyed by (customer, text), so devices adding the same tag or phone converge.
int64_t DerivedId(int64_t customerId, std::string_view key);

}  // namespace crm
