#include "core/records.h"

#include <algorithm>

#include "core/customer_dates.h"
#include "core/customers.h"
#include "core/enums.h"
#include "core/followups.h"
#include "core/handover.h"
#include "core/org.h"

namespace crm {

// [SECTION] vocabularies: the stored codes a column accepts, exactly (no Chinese label, no other case)
// [SECTION] the registry: one description per synced table
// [SECTION] lookups and the signed update

// ---------------------------------------------------------------------------
// [SECTION] vocabularies: the stored codes a column accepts, exactly (no Chinese label, no other case)

namespace {

template <class E, Result<E> (*Parse)(std::string_view, std::string_view)>
bool IsStoredCode(std::string_view code) {
  Result<E> parsed = Parse(code, "");
  return parsed && code == Code(parsed.Value());
}

constexpr Vocabulary kRoles{"role", IsStoredCode<Role, ParseRole>};
constexpr Vocabulary kKinds{"customer_kind", IsStoredCode<CustomerKind, ParseCustomerKind>};
constexpr Vocabulary kCredits{"credit", IsStoredCode<Credit, ParseCredit>};
constexpr Vocabulary kGrades{"grade", IsStoredCode<Grade, ParseGrade>};
constexpr Vocabulary kStages{"stage", IsStoredCode<Stage, ParseStage>};
constexpr Vocabulary kLostReasons{"lost_reason", IsStoredCode<LostReason, ParseLostReason>};
constexpr Vocabulary kSources{"source", IsStoredCode<Source, ParseSource>};
constexpr Vocabulary kContactRoles{"contact_role", IsStoredCode<ContactRole, ParseContactRole>};
constexpr Vocabulary kActivityKinds{"activity_kind", IsStoredCode<ActivityKind, ParseActivityKind>};
constexpr Vocabulary kFollowupReasons{"followup_reason", IsStoredCode<FollowupReason, ParseFollowupReason>};
constexpr Vocabulary kFollowupStatuses{"followup_status", IsStoredCode<FollowupStatus, ParseFollowupStatus>};
constexpr Vocabulary kFieldTypes{"field_type", IsStoredCode<FieldType, ParseFieldType>};
constexpr Vocabulary kDateKinds{"customer_date_kind", IsCustomerDateKindCode};
constexpr Vocabulary kHandOverStates{"handover_state", IsHandOverStateCode};

// Lengths core's validation allows (code points); the relay holds writes to the same.
constexpr int kShort = 50;     // people's and teams' names, a contact's name, title, WeChat id, a field's label, a date's title
constexpr int kPlace = 100;    // province, city, district, industry, scale, an e-mail address
constexpr int kLine = 200;     // a customer's name, street, brands, a date's notes
constexpr int kLong = static_cast<int>(kMaxTextLength);  // notes, preferences, visit texts
constexpr int kTag = 30;
constexpr int kReason = 500;   // why a class was changed
constexpr int kValue = 500;    // a custom field's value

using K = ColumnKind;

// An Id column naming a row of `table`, shown by that row's name.
FieldSpec Naming(const char* table, FieldSpec field) {
  field.refersTo = table;
  return field;
}

// ---------------------------------------------------------------------------
// [SECTION] the registry: one description per synced table

// The order is the tables' order in changesets and the bits of change masks: a new table goes last.
std::vector<RecordType> MakeRecordTypes() {
  std::vector<RecordType> types;

  types.push_back({"settings", "key", /*textKey=*/true, nullptr, Access::Settings});
  types.back().label = "settings";
  types.back().auditValue = "value";
  types.back().fields = {{"value", K::Text, true, 0, nullptr, "settings.value"}};

  types.push_back({"teams", "id", false, nullptr, Access::Administered});
  types.back().label = "teams";
  types.back().nameColumn = "name";
  types.back().fields = {{"name", K::Text, true, kShort, nullptr, "teams.name"},
                         Naming("users", {"supervisor_id", K::Id, false, 0, nullptr, "teams.supervisor_id"})};

  types.push_back({"users", "id", false, nullptr, Access::Administered});
  types.back().label = "users";
  types.back().nameColumn = "name";
  types.back().organisationCheck = CheckOrganisationUsers;
  types.back().fields = {{"name", K::Text, true, kShort, nullptr, "users.name"},
                         {"role", K::Text, true, 0, kRoles, "users.role"},
                         Naming("teams", {"team_id", K::Id, false, 0, nullptr, "users.team_id"}),
                         {"phone", K::Text, false, 0, nullptr, "users.phone"},
                         {"active", K::Integer, true, 0, nullptr, "users.active"}};

  types.push_back({"customers", "id", false, nullptr, Access::Customer});
  types.back().label = "customers";
  types.back().nameColumn = "name";
  types.back().fields = {
      {"name", K::Text, true, static_cast<int>(kMaxNameLength), nullptr, "customers.name"},
      {"kind", K::Text, true, 0, kKinds, "customers.kind"},
      {"phone", K::Text, false, 0, nullptr, "customers.phone", ColumnRule::None, /*mergeFill=*/true, nullptr, nullptr,
       /*copyOf=*/"customer_phones"},
      {"province", K::Text, false, kPlace, nullptr, "customers.province", ColumnRule::None, true},
      {"city", K::Text, false, kPlace, nullptr, "customers.city", ColumnRule::None, true},
      {"district", K::Text, false, kPlace, nullptr, "customers.district", ColumnRule::None, true},
      {"street", K::Text, false, kLine, nullptr, "customers.street", ColumnRule::None, true},
      {"industry", K::Text, false, kPlace, nullptr, "customers.industry", ColumnRule::None, true},
      {"scale", K::Text, false, kPlace, nullptr, "customers.scale", ColumnRule::None, true},
      {"brands", K::Text, false, kLine, nullptr, "customers.brands", ColumnRule::None, true},
      {"source", K::Text, false, 0, kSources, "customers.source"},
      {"credit", K::Text, false, 0, kCredits, "customers.credit"},
      {"birthday", K::Date, false, 0, nullptr, "customers.birthday", ColumnRule::None, true},
      {"anniversary", K::Date, false, 0, nullptr, "customers.anniversary", ColumnRule::None, true},
      {"preferences", K::Text, false, kLong, nullptr, "customers.preferences", ColumnRule::None, true},
      {"notes", K::Text, false, kLong, nullptr, "customers.notes", ColumnRule::None, true},
      Naming("users", {"owner_id", K::Id, false, 0, nullptr, "customers.owner_id"}),
      Naming("teams", {"team_id", K::Id, false, 0, nullptr, "customers.team_id"}),
      {"claimed_at", K::Time, false, 0, nullptr, "customers.claimed_at"},
      {"protected_until", K::Time, false, 0, nullptr, "customers.protected_until", ColumnRule::ClaimProtection},
      {"pooled_at", K::Time, false, 0, nullptr, "customers.pooled_at"},
      {"grade", K::Text, true, 0, kGrades, "customers.grade"},
      {"stage", K::Text, true, 0, kStages, "customers.stage"},
      {"lost_reason", K::Text, false, 0, kLostReasons, "customers.lost_reason"},
      {"lost_at", K::Time, false, 0, nullptr, "customers.lost_at"},
      {"last_activity_at", K::Time, false, 0, nullptr, "customers.last_activity_at"},
      Naming("customers", {"merged_into", K::Id, false, 0, nullptr, "customers.merged_into"}),
      Naming("imports", {"import_id", K::Id, false, 0, nullptr, nullptr})};

  types.push_back({"customer_phones", "id", false, "customer_id", Access::CustomerHeld, MergePolicy::MoveUnique, "normalized"});
  types.back().label = "customer_phones";
  types.back().orderColumn = "position";
  types.back().fields = {{"phone", K::Text, true, 0, nullptr, "customer_phones.phone"},
                         {"normalized", K::Text, true, 0, nullptr, nullptr},
                         {"label", K::Text, false, 0, nullptr, "customer_phones.label"},
                         {"position", K::Integer, true, 0, nullptr, nullptr}};

  types.push_back({"contacts", "id", false, "customer_id", Access::CustomerHeld, MergePolicy::Move});
  types.back().label = "contacts";
  types.back().nameColumn = "name";
  types.back().fields = {{"name", K::Text, true, kShort, nullptr, "contacts.name"},
                         {"role", K::Text, true, 0, kContactRoles, "contacts.role"},
                         {"title", K::Text, false, kShort, nullptr, "contacts.title"},
                         {"phone", K::Text, false, 0, nullptr, "contacts.phone"},
                         {"phone_normalized", K::Text, false, 0, nullptr, nullptr},
                         {"wechat", K::Text, false, kShort, nullptr, "contacts.wechat"},
                         {"email", K::Text, false, kPlace, nullptr, "contacts.email"},
                         {"birthday", K::Date, false, 0, nullptr, "contacts.birthday"},
                         {"notes", K::Text, false, kLong, nullptr, "contacts.notes"}};

  types.push_back({"customer_tags", "id", false, "customer_id", Access::CustomerHeld, MergePolicy::Rederive, "tag"});
  types.back().label = "customer_tags";
  types.back().derivedIdPrefix = "tag:";
  types.back().fields = {{"tag", K::Text, true, kTag, nullptr, "customer_tags.tag"}};

  types.push_back({"custom_fields", "id", false, nullptr, Access::Administered});
  types.back().label = "custom_fields";
  types.back().nameColumn = "label";
  types.back().fields = {{"key", K::Text, true, 40, nullptr, "custom_fields.key"},
                         {"label", K::Text, true, kShort, nullptr, "custom_fields.label"},
                         {"type", K::Text, true, 0, kFieldTypes, "custom_fields.type"},
                         {"choices", K::Text, false, 0, nullptr, "custom_fields.choices"},
                         {"required", K::Integer, true, 0, nullptr, "custom_fields.required"},
                         {"position", K::Integer, true, 0, nullptr, nullptr}};

  types.push_back({"custom_values", "id", false, "customer_id", Access::CustomerHeld, MergePolicy::Rederive, "field_id"});
  types.back().label = "custom_values";
  types.back().derivedIdPrefix = "field:";
  types.back().fields = {Naming("custom_fields", {"field_id", K::Id, true, 0, nullptr, "custom_values.field_id"}),
                         {"value", K::Text, false, kValue, nullptr, "custom_values.value"}};

  types.push_back({"grade_history", "id", false, "customer_id", Access::CustomerHeld, MergePolicy::Move});
  types.back().label = "grade_history";
  types.back().fields = {{"old_grade", K::Text, false, 0, kGrades, "grade_history.old_grade"},
                         {"new_grade", K::Text, true, 0, kGrades, "grade_history.new_grade"},
                         {"suggested_grade", K::Text, false, 0, kGrades, "grade_history.suggested_grade"},
                         {"reason", K::Text, true, kReason, nullptr, "grade_history.reason"}};

  types.push_back({"activities", "id", false, "customer_id", Access::CustomerHeld, MergePolicy::Move});
  types.back().label = "activities";
  types.back().fields = {Naming("contacts", {"contact_id", K::Id, false, 0, nullptr, "activities.contact_id"}),
                         {"kind", K::Text, true, 0, kActivityKinds, "activities.kind"},
                         {"occurred_at", K::Time, true, 0, nullptr, "activities.occurred_at"},
                         Naming("users", {"user_id", K::Id, true, 0, nullptr, "activities.user_id", ColumnRule::Author}),
                         {"summary", K::Text, false, kLong, nullptr, "activities.summary"},
                         {"opinion", K::Text, false, kLong, nullptr, "activities.opinion"},
                         {"outcome", K::Text, false, kLong, nullptr, "activities.outcome"},
                         {"next_step", K::Text, false, kLong, nullptr, "activities.next_step"},
                         {"followup_id", K::Id, false, 0, nullptr, nullptr}};

  types.push_back({"followups", "id", false, "customer_id", Access::CustomerHeld, MergePolicy::Move});
  types.back().label = "followups";
  types.back().beforeMerge = CancelMergedClassFollowup;
  types.back().fields = {Naming("users", {"owner_id", K::Id, false, 0, nullptr, "followups.owner_id", ColumnRule::Assignee}),
                         {"due_at", K::Time, true, 0, nullptr, "followups.due_at"},
                         {"reason", K::Text, true, 0, kFollowupReasons, "followups.reason"},
                         {"status", K::Text, true, 0, kFollowupStatuses, "followups.status"},
                         {"done_at", K::Time, false, 0, nullptr, "followups.done_at"},
                         {"result", K::Text, false, kLong, nullptr, "followups.result"},
                         {"activity_id", K::Id, false, 0, nullptr, nullptr},
                         {"note", K::Text, false, kLong, nullptr, "followups.note"}};

  types.push_back({"orders", "id", false, "customer_id", Access::CustomerHeld, MergePolicy::Move});
  types.back().label = "orders";
  types.back().fields = {{"ordered_at", K::Time, true, 0, nullptr, "orders.ordered_at"},
                         {"amount_cents", K::Integer, true, 0, nullptr, "orders.amount_cents"},
                         {"cost_cents", K::Integer, false, 0, nullptr, "orders.cost_cents"},
                         {"status", K::Text, true, 0, nullptr, "orders.status"}};

  types.push_back({"imports", "id", false, nullptr, Access::Importer});
  types.back().label = "imports";
  types.back().nameColumn = "file_name";
  types.back().fields = {{"file_name", K::Text, true, 0, nullptr, "imports.file_name"},
                         {"rows_ok", K::Integer, true, 0, nullptr, "imports.rows_ok"},
                         {"rows_failed", K::Integer, true, 0, nullptr, "imports.rows_failed"},
                         {"undone_at", K::Time, false, 0, nullptr, "imports.undone_at"},
                         // A standard column with a rule of its own: who imported is who may undo.
                         Naming("users", {"created_by", K::Id, true, 0, nullptr, nullptr, ColumnRule::Importer})};

  types.push_back({"audit_log", "id", false, nullptr, Access::AppendOnly});
  types.back().label = "audit_log";
  types.back().fields = {{"at", K::Time, true},         {"user_id", K::Id, true},       {"device_id", K::Id, true},
                         {"table_name", K::Text, true}, {"row_id", K::Integer, true},   {"customer_id", K::Id, false},
                         {"action", K::Text, true},     {"field", K::Text, false},      {"old_value", K::Text, false},
                         {"new_value", K::Text, false}};
  // An audit row is read by whoever may read the customer it is about.
  types.back().scopeColumn = "customer_id";

  types.push_back({"customer_dates", "id", false, "customer_id", Access::CustomerHeld, MergePolicy::Move});
  types.back().label = "customer_dates";
  types.back().fields = {{"kind", K::Text, true, 0, kDateKinds, "customer_dates.kind"},
                         {"title", K::Text, false, kShort, nullptr, "customer_dates.title"},
                         {"month_day", K::Text, true, 5, nullptr, "customer_dates.month_day", ColumnRule::None, false,
                          IsStoredMonthDay},
                         {"year", K::Integer, false, 0, nullptr, "customer_dates.year"},
                         {"notes", K::Text, false, kLine, nullptr, "customer_dates.notes"}};
  // Not held by the customer (no parent): the rep who asks does not hold it. Every device receives the requests
  // (no scope column); they carry no more than who asks for which customer, and the note.
  types.push_back({"handover_requests", "id", false, nullptr, Access::HandOver});
  types.back().label = "handover_requests";
  types.back().fields = {Naming("customers", {"customer_id", K::Id, true, 0, nullptr, "handover_requests.customer_id"}),
                         Naming("users", {"requested_by", K::Id, true, 0, nullptr, "handover_requests.requested_by",
                                          ColumnRule::Author}),
                         {"note", K::Text, false, kLine, nullptr, "handover_requests.note"},
                         {"state", K::Text, true, 0, kHandOverStates, "handover_requests.state"},
                         Naming("users", {"decided_by", K::Id, false, 0, nullptr, "handover_requests.decided_by"})};
  // A customer's rows follow their customer to the devices that may read it.
  for (RecordType& type : types) {
    if (type.access == Access::Customer) type.scopeColumn = type.key;
    if (type.parent) type.scopeColumn = type.parent;
  }
  return types;
}

}  // namespace

// ---------------------------------------------------------------------------
// [SECTION] lookups and the signed update

const FieldSpec* RecordType::Field(std::string_view column) const {
  for (const FieldSpec& field : fields) {
    if (column == field.column) return &field;
  }
  return nullptr;
}

const std::vector<RecordType>& RecordTypes() {
  static const std::vector<RecordType> kTypes = MakeRecordTypes();
  return kTypes;
}

int RecordIndex(std::string_view table) {
  const auto& types = RecordTypes();
  for (size_t i = 0; i < types.size(); i++) {
    if (table == types[i].table) return static_cast<int>(i);
  }
  return -1;
}

const RecordType* FindRecordType(std::string_view table) {
  int index = RecordIndex(table);
  return index < 0 ? nullptr : &RecordTypes()[static_cast<size_t>(index)];
}

bool IsStandardColumn(std::string_view column) {
  return column == "created_at" || column == "created_by" || column == "updated_at" || column == "updated_by" ||
         column == "device_id" || column == "deleted_at";
}

bool IsTrashMark(std::string_view column) { return column == "deleted_at"; }

namespace {
// The standard columns' meanings: the same in every table.
const std::vector<FieldSpec>& StandardColumns() {
  static const std::vector<FieldSpec> kColumns = {
      {"created_at", K::Time, true}, {"updated_at", K::Time, true}, Naming("users", {"created_by", K::Id, true}),
      Naming("users", {"updated_by", K::Id, true}), {"device_id", K::Id, true}, {"deleted_at", K::Time}};
  return kColumns;
}
}  // namespace

const FieldSpec* ColumnSpec(std::string_view table, std::string_view column) {
  const RecordType* type = FindRecordType(table);
  if (const FieldSpec* field = type ? type->Field(column) : nullptr) return field;
  for (const FieldSpec& field : StandardColumns()) {
    if (column == field.column) return &field;
  }
  return nullptr;
}

bool TellsConflicts(std::string_view table, std::string_view column) {
  const RecordType* type = FindRecordType(table);
  const FieldSpec* field = type ? type->Field(column) : nullptr;
  return !field || (field->label && !field->copyOf);
}

Result<std::optional<std::string>> RowName(Db& db, std::string_view table, int64_t id) {
  const RecordType* type = FindRecordType(table);
  if (!type || !type->nameColumn || type->textKey) return std::optional<std::string>();
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(std::string("SELECT ") + type->nameColumn + " FROM " + type->table + " WHERE " +
                                             type->key + " = ?"));
  stmt.Bind(1, id);
  CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row || stmt.IsNull(0)) return std::optional<std::string>();
  return std::optional<std::string>(stmt.String(0));
}

Result<std::optional<int64_t>> CustomerOfRow(Db& db, std::string_view table, int64_t id) {
  const RecordType* type = FindRecordType(table);
  if (type && type->access == Access::Customer) return std::optional<int64_t>(id);
  if (!type || !type->parent) return std::optional<int64_t>();
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(std::string("SELECT ") + type->parent + " FROM " + type->table + " WHERE " +
                                             type->key + " = ?"));
  stmt.Bind(1, id);
  CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row || stmt.IsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt.Int64(0));
}

const char* FieldLabelKey(std::string_view table, std::string_view column) {
  const RecordType* type = FindRecordType(table);
  const FieldSpec* field = type ? type->Field(column) : nullptr;
  return field ? field->label : nullptr;
}

namespace {
constexpr int kFirstSignatureParameter = 61;
}  // namespace

Result<Stmt> PrepareSignedUpdate(Db& db, const Actor& actor, int64_t nowMs, std::string_view table,
                                 std::string_view assignments, std::string_view where) {
  std::string sql;
  sql.reserve(table.size() + assignments.size() + where.size() + 96);
  sql.append("UPDATE ").append(table).append(" SET ").append(assignments);
  sql.append(", updated_at = ?61, updated_by = ?62, device_id = ?63 WHERE ").append(where);
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(sql));
  if (stmt.ParameterCount() != kFirstSignatureParameter + 2) {
    return MakeError(ErrorCode::Invalid, "a signed update numbers its own parameters below ?" +
                                             std::to_string(kFirstSignatureParameter) + ": " + sql);
  }
  stmt.Bind(kFirstSignatureParameter, nowMs).Bind(kFirstSignatureParameter + 1, actor.userId).Bind(kFirstSignatureParameter + 2, actor.deviceId);
  return stmt;
}

}  // namespace crm
