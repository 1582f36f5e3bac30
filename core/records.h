#pragma once
// The record registry: one description per synced table. What travels between devices, how the relay
// judges a write to it, how the audit trail names it, what a merge of two customers does with its rows,
// and which label key the screens show for it and its fields all come from here, not from lists kept
// by hand in each layer. Queries and migrations stay hand-written SQL: this is metadata, not an ORM.
// docs/DESIGN.md ("Record types as data") explains the classes; README "Adding a record type" the steps.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/db.h"
#include "core/result.h"

namespace crm {

struct Actor;

// How a column's values are stored: what the relay accepts for it in a changeset.
enum class ColumnKind {
  Id,       // an INTEGER id (or NULL when optional)
  Integer,  // a number, stored as INTEGER
  Time,     // milliseconds since 1970, INTEGER
  Text,     // UTF-8 TEXT
  Date,     // TEXT, YYYY-MM-DD
};

// Who may write a row of the table (the relay's per-table rule; core's functions check the same).
enum class Access {
  Customer,      // the customers table: its owner/team decide (claim, release, reassign)
  CustomerHeld,  // a row of a customer (parent column): whoever may change that customer, before and after
  Settings,      // leaders and admins (CheckCanChangeSettings)
  Administered,  // admins only (CheckCanAdminister): users, teams, custom fields
  Importer,      // its importer, or a supervisor and up (a column rule); the rows it made are judged as their own
  AppendOnly,    // written once by its author in the change's transaction, never changed or removed (the audit trail)
  HandOver,      // asked for by its author (state 'requested'); decided only by who may move the customer (core/handover.h)
};

// A rule of one column beyond its table's access; the relay applies it to every write of the column.
enum class ColumnRule {
  None,
  Author,           // the changeset's author when written (INSERT, or an UPDATE that changes it)
  Assignee,         // someone the author may give work to (CheckCanAssign)
  ClaimProtection,  // no later than a claim made now protects (ClaimProtectionEnd), plus clock slack
  Importer,         // the row's importer, who (or a supervisor and up) may change it; never removed
};

// What MergeCustomers does with a customer-held table's rows when the merged customer folds into the kept one.
enum class MergePolicy {
  None,           // not held by a customer
  Move,           // the rows follow the kept customer
  MoveUnique,     // as Move, but a row whose `mergeKey` value the kept customer has already goes to the trash
  Rederive,       // ids derived from (customer, mergeKey): the kept customer gets its own rows, the merged ones go to the trash
};

// A closed set of stored codes (core/enums.h): what the relay accepts for a column, and by its name which
// words the screens show for each code (ui/value_words.cpp).
struct Vocabulary {
  constexpr Vocabulary(std::nullptr_t = nullptr) {}
  constexpr Vocabulary(const char* name, bool (*accepts)(std::string_view code)) : name(name), accepts(accepts) {}
  explicit operator bool() const { return accepts != nullptr; }
  bool operator()(std::string_view code) const { return accepts(code); }

  const char* name = nullptr;  // "stage", "grade", "contact_role", …
  bool (*accepts)(std::string_view code) = nullptr;
};

struct FieldSpec {
  const char* column;
  ColumnKind kind;
  bool required = false;    // never NULL, and for text never empty
  int maxChars = 0;         // code points; 0: no limit of its own
  // The stored codes this column accepts, exact; none: any value of its kind.
  Vocabulary vocabulary = nullptr;
  const char* label = nullptr;  // the label key the screens show ("customers.city"); nullptr: not shown by name
  ColumnRule rule = ColumnRule::None;
  bool mergeFill = false;   // customers: an empty field of the kept customer takes the merged one's value
  bool (*format)(std::string_view text) = nullptr;  // the form a stored text has ("MM-DD"); nullptr: any
  // An Id naming a row of another table ("users"): people read it as that row's name (RecordType::nameColumn).
  const char* refersTo = nullptr;
  // A copy core keeps of a value held by another table (customers.phone is the first of "customer_phones"):
  // a concurrent change of it is told once, where the value is held.
  const char* copyOf = nullptr;
};

struct RecordType {
  const char* table;
  const char* key;              // the primary key column
  bool textKey = false;         // the key is text (settings); every other table has an INTEGER id
  const char* parent = nullptr; // the column naming the customer that holds the row; nullptr: none
  Access access;
  MergePolicy merge = MergePolicy::None;
  const char* mergeKey = nullptr;  // MoveUnique / Rederive: the column that identifies a row within its customer
  const char* derivedIdPrefix = nullptr;  // Rederive: the id is DerivedId(customer, prefix + mergeKey's value)
  const char* orderColumn = nullptr;      // rows moved by a merge are placed after the kept customer's, by this column
  // Run before a merge moves this table's rows (a domain rule, e.g. one open class follow-up per customer).
  Status (*beforeMerge)(Db& db, int64_t keptId, int64_t mergedId, const Actor& actor, int64_t nowMs) = nullptr;
  const char* label;            // the label key of the table ("contacts")
  // Settings: the audit trail records the key as the field and this column's value as the value.
  const char* auditValue = nullptr;
  // A rule over the whole organisation, checked after a changeset touching this table is applied (relay).
  Status (*organisationCheck)(Db& db) = nullptr;
  std::vector<FieldSpec> fields;  // every column but the standard ones (created_at … deleted_at) and the key
  const char* nameColumn = nullptr;  // the column people know a row by ("name"); nullptr: it has none
  // Who receives the row (read scope, core/scope.h): the column naming the customer whose holding decides, the
  // key for customers themselves; nullptr, or a NULL value in that column: everyone in the organisation (users,
  // teams, settings, field definitions, imports, the audit rows of those).
  const char* scopeColumn = nullptr;

  const FieldSpec* Field(std::string_view column) const;
  bool HeldByCustomer() const { return parent != nullptr; }
};

// Every synced table, in the order changesets and masks number them (a new one goes last).
const std::vector<RecordType>& RecordTypes();
const RecordType* FindRecordType(std::string_view table);
// Its position in RecordTypes(): the bit of a per-table change mask; -1 when it is not a synced table.
int RecordIndex(std::string_view table);

// The columns every synced table carries besides its own: who made and last changed a row, when, on which device,
// and its trash mark. They are the "who/when" of audit rows, not changes of their own (deleted_at aside).
bool IsStandardColumn(std::string_view column);
// The trash mark: set when a row goes to the trash, cleared when it is restored.
bool IsTrashMark(std::string_view column);

// How a column of a table stores its values and what they mean, the standard columns included (their times,
// the users who made and changed a row); nullptr when the registry does not describe it.
const FieldSpec* ColumnSpec(std::string_view table, std::string_view column);

// Whether a concurrent change of this column is news to people, for the conflict log: a column they know by
// name (it has a label), not a copy of another table's value. Columns the registry does not describe are.
bool TellsConflicts(std::string_view table, std::string_view column);

// A row's name as people know it (its table's nameColumn), deleted rows too; nullopt when the table names no
// rows or the row is not there.
Result<std::optional<std::string>> RowName(Db& db, std::string_view table, int64_t id);
// The customer a row belongs to: a customer itself, or the parent column of a row of a customer's table.
Result<std::optional<int64_t>> CustomerOfRow(Db& db, std::string_view table, int64_t id);

// The label key of a column of a table ("customers.city"), or nullptr when the screens do not name it.
const char* FieldLabelKey(std::string_view table, std::string_view column);

// A write signed by its author: `UPDATE table SET <assignments>, updated_at = now, updated_by = actor, device_id =
// actor's device WHERE <where>`. The caller binds its own parameters, ?1 to ?60 (numbered: SQLite numbers a plain or
// named one after the highest seen so far); the signature takes ?61 to ?63 and is bound here (Reset() clears it:
// prepare again for another row, which the statement cache makes cheap). Every synced write names who made it; the relay refuses one that does not.
Result<Stmt> PrepareSignedUpdate(Db& db, const Actor& actor, int64_t nowMs, std::string_view table,
                                 std::string_view assignments, std::string_view where);

}  // namespace crm
