#include "sync/relay/push_check.h"

#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "core/handover.h"
#include "core/ids.h"
#include "core/org.h"
#include "core/records.h"
#include "core/text.h"
#include "core/schema.h"
#include "sync/apply.h"
#include "sync/changeset.h"

namespace crm::relay {

namespace {

struct Columns {
  std::vector<std::string> names;
  std::vector<bool> key;
  int Index(const std::string& name) const {
    auto found = std::find(names.begin(), names.end(), name);
    return found == names.end() ? -1 : static_cast<int>(found - names.begin());
  }
  std::string KeyName() const {
    for (size_t i = 0; i < names.size(); i++) {
      if (key[i]) return names[i];
    }
    return "rowid";
  }
};

std::string Quote(const std::string& identifier) { return "\"" + identifier + "\""; }

std::string ValueText(sqlite3_value* value) {
  if (!value) return "";
  switch (sqlite3_value_type(value)) {
    case SQLITE_NULL: return "NULL";
    case SQLITE_INTEGER: return std::to_string(sqlite3_value_int64(value));
    case SQLITE_TEXT: {
      std::string text(reinterpret_cast<const char*>(sqlite3_value_text(value)), static_cast<size_t>(sqlite3_value_bytes(value)));
      return text.size() > 80 ? text.substr(0, 80) + "…" : text;
    }
    case SQLITE_FLOAT: return std::to_string(sqlite3_value_double(value));
    default: return "(blob)";
  }
}

// An id column: INTEGER or NULL only. SQLite's column affinity would turn '42' or 42.0 into 42 when
// the row is written, so a check that read them as "no value" could be walked around.
struct IdValue {
  bool ok = true;
  std::optional<int64_t> value;
};
IdValue ReadId(sqlite3_value* value) {
  if (!value || sqlite3_value_type(value) == SQLITE_NULL) return {true, std::nullopt};
  if (sqlite3_value_type(value) != SQLITE_INTEGER) return {false, std::nullopt};
  return {true, sqlite3_value_int64(value)};
}

std::string HoldingText(const Holding& holding) {
  std::string owner = holding.ownerId ? "user " + std::to_string(*holding.ownerId) : "the pool";
  return owner + (holding.teamId ? ", team " + std::to_string(*holding.teamId) : "");
}

// Devices' clocks and the relay's disagree; a device may be offline for days, so times are held
// against the changeset's own createdAtMs, within this much.
constexpr int64_t kClockSlackMs = 86400000;

// Thrown nowhere: a refusal travels back as a value through these helpers.
struct Verdict {
  std::optional<Refusal> refusal;
  std::optional<Error> error;
  bool Stop() const { return refusal || error; }
};

class Checker {
 public:
  Checker(Db& copy, const sync::ChangesetEnvelope& envelope) : m_copy(copy), m_envelope(envelope) {}

  Result<std::optional<Refusal>> Run() {
    const auto& bytes = m_envelope.changeset;
    if (bytes.empty()) return Refuse("", "", "empty changeset");
    // Walked whole first: patchset sections, undefined values where a change needs one, a changed
    // key or bytes past the last record are refused before any value is read.
    if (auto format = sync::CheckChangesetFormat(bytes.data(), bytes.size()); !format) return Refuse("", "", format.Message());
    // The shape (what sync::CheckFits checks) is checked per table as the rows are read: the same
    // rules, without a third pass over the changeset (ApplyWithPolicy checks it once more anyway).

    auto author = ActingUser(m_copy, Actor{m_envelope.userId, m_envelope.deviceId});
    if (!author) {
      if (author.Code() != ErrorCode::Denied) return author.GetError();
      return Refuse("", "", author.Message());
    }
    m_author = std::move(author).Value();

    // Customers first: rows of other tables in the same changeset are judged by the holding
    // their customer has once this changeset is applied.
    for (int pass = 0; pass < 2; pass++) {
      sqlite3_changeset_iter* iter = nullptr;
      if (sqlite3changeset_start(&iter, static_cast<int>(bytes.size()), const_cast<uint8_t*>(bytes.data())) != SQLITE_OK) {
        return Refuse("", "", "malformed changeset");
      }
      int rc = SQLITE_OK;
      while ((rc = sqlite3changeset_next(iter)) == SQLITE_ROW) {
        CheckRow(iter, pass);
        if (m_verdict.Stop()) break;
      }
      int finalized = sqlite3changeset_finalize(iter);
      if (m_verdict.error) return *m_verdict.error;
      if (m_verdict.refusal) return m_verdict.refusal;
      if (rc != SQLITE_DONE || finalized != SQLITE_OK) return Refuse("", "", "malformed changeset");
    }
    return std::optional<Refusal>();
  }

 private:
  Result<std::optional<Refusal>> Refuse(const std::string& table, const std::string& row, const std::string& reason) {
    return std::optional<Refusal>(Refusal{m_envelope.changesetId, table, row, reason});
  }
  void Deny(const std::string& reason) {
    if (!m_verdict.Stop()) m_verdict.refusal = Refusal{m_envelope.changesetId, m_table, m_row, reason};
  }
  void Fail(const Error& error) {
    if (!m_verdict.Stop()) m_verdict.error = error;
  }
  void Require(const Status& status) {
    if (!status) Deny(status.Message());
  }

  // From the connection's cache of table shapes (sync/apply.h): read once per schema version.
  const Columns* ColumnsOf(const std::string& table) {
    auto found = m_columns.find(table);
    if (found != m_columns.end()) return &found->second;
    auto shape = sync::TableShape(m_copy, table);
    if (!shape) {
      Fail(shape.GetError());
      return nullptr;
    }
    return &m_columns.emplace(table, Columns{shape.Value()->columns, shape.Value()->key}).first->second;
  }

  // The row's key, checked for its type: an integer for every table but settings (a text key).
  bool ReadKey(sqlite3_changeset_iter* iter, int op, const Columns& columns, int count) {
    m_row.clear();
    m_keyInt.reset();
    m_keyText.reset();
    for (int i = 0; i < count; i++) {
      if (!columns.key[static_cast<size_t>(i)]) continue;
      sqlite3_value* value = nullptr;
      if (op == SQLITE_INSERT) sqlite3changeset_new(iter, i, &value);
      else sqlite3changeset_old(iter, i, &value);
      m_row = ValueText(value);
      int type = value ? sqlite3_value_type(value) : SQLITE_NULL;
      if (m_type->textKey) {
        if (type != SQLITE_TEXT) {
          Deny("the key of a setting must be text");
          return false;
        }
        m_keyText = std::string(reinterpret_cast<const char*>(sqlite3_value_text(value)), static_cast<size_t>(sqlite3_value_bytes(value)));
      } else {
        if (type != SQLITE_INTEGER) {
          Deny("the primary key must be an integer");
          return false;
        }
        m_keyInt = sqlite3_value_int64(value);
      }
    }
    return true;
  }

  sqlite3_value* NewValue(sqlite3_changeset_iter* iter, int op, int column, int count) {
    sqlite3_value* value = nullptr;
    if (column >= 0 && column < count && op != SQLITE_DELETE) sqlite3changeset_new(iter, column, &value);
    return value;
  }
  sqlite3_value* OldValue(sqlite3_changeset_iter* iter, int op, int column, int count) {
    sqlite3_value* value = nullptr;
    if (column >= 0 && column < count && op != SQLITE_INSERT) sqlite3changeset_old(iter, column, &value);
    return value;
  }

  // One integer column of the row as the copy holds it now. found=false: no such row in the copy.
  struct Current {
    bool found = false;
    std::optional<int64_t> value;
  };
  Current CurrentInt(const Columns& columns, const std::string& column) {
    Current current;
    auto stmt = m_copy.Prepare("SELECT " + Quote(column) + " FROM " + Quote(m_table) + " WHERE " + Quote(columns.KeyName()) + " = ?");
    if (!stmt) {
      Fail(stmt.GetError());
      return current;
    }
    if (m_keyInt) stmt.Value().Bind(1, *m_keyInt);
    else stmt.Value().Bind(1, m_keyText.value_or(""));
    auto row = stmt.Value().Step();
    if (!row) {
      Fail(row.GetError());
      return current;
    }
    if (!row.Value()) return current;
    current.found = true;
    if (!stmt.Value().IsNull(0)) current.value = stmt.Value().Int64(0);
    return current;
  }

  // The holding of a customer as it stands (in this changeset or else in the copy); nullopt when unknown.
  std::optional<Holding> HoldingNow(int64_t customerId) {
    auto pending = m_after.find(customerId);
    if (pending != m_after.end()) return pending->second;
    auto holding = HoldingOf(m_copy, customerId, /*allowDeleted=*/true);
    if (holding) return holding.Value();
    if (holding.Code() != ErrorCode::NotFound) Fail(holding.GetError());
    return std::nullopt;
  }

  void CheckRow(sqlite3_changeset_iter* iter, int pass) {
    const char* name = nullptr;
    int count = 0, op = 0, indirect = 0;
    sqlite3changeset_op(iter, &name, &count, &op, &indirect);
    m_table = name;
    m_row.clear();
    m_type = FindRecordType(m_table);
    if (!IsSyncedTable()) return;  // before ColumnsOf: nothing is cached for a name that is not a synced table
    const Columns* columns = ColumnsOf(m_table);
    if (!columns) return;
    if (!CheckShape(iter, *columns, count)) return;
    const bool customers = m_type->access == Access::Customer;
    if (!ReadKey(iter, op, *columns, count)) return;
    // Every written row is noted on the first pass: each audit row must describe one of them.
    if (pass == 0) NoteWritten();
    if ((pass == 0) != customers) return;

    CheckFields(iter, op, *columns, count);
    if (m_verdict.Stop()) return;
    if (m_type->access == Access::AppendOnly) return CheckAudit(iter, op, *columns, count);
    CheckSignature(iter, op, *columns, count);
    if (m_verdict.Stop()) return;
    CheckColumnRules(iter, op, *columns, count);
    if (m_verdict.Stop()) return;

    // The table's access class, from its description in the record registry (core/records.h).
    switch (m_type->access) {
      case Access::Customer: return CheckCustomer(iter, op, *columns, count);
      case Access::CustomerHeld: return CheckChild(iter, op, *columns, count);
      case Access::Settings: return Require(CheckCanChangeSettings(m_author));
      case Access::Administered: return Require(CheckCanAdminister(m_author));
      case Access::Importer: return;  // its importer (a column rule); the customers it makes are checked as customers
      case Access::AppendOnly: return;
      case Access::HandOver: return CheckHandOver(iter, op, *columns, count);
    }
    Deny("the relay has no rule for table '" + m_table + "'");
  }

  // A synced table this relay has, no more columns than here (else: a newer app), the key in place.
  bool IsSyncedTable() {
    if (m_type) return true;
    Deny("changes to table '" + m_table + "' cannot be synced: " +
         (IsDerivedTable(m_table) ? "it is derived on each device" : "unknown here (from a newer app?) or local to a device"));
    return false;
  }

  // Checked on every row, not once per table: a table's header may repeat with another shape.
  bool CheckShape(sqlite3_changeset_iter* iter, const Columns& columns, int count) {
    if (columns.names.empty()) {
      Deny("table '" + m_table + "' does not exist here: the change comes from a newer app");
      return false;
    }
    if (static_cast<size_t>(count) > columns.names.size()) {
      Deny("table '" + m_table + "' has " + std::to_string(count) + " columns in the change, " + std::to_string(columns.names.size()) +
           " here: the change comes from a newer app; update the relay");
      return false;
    }
    unsigned char* pk = nullptr;
    int pkColumns = 0;
    sqlite3changeset_pk(iter, &pk, &pkColumns);
    for (size_t i = 0; i < columns.names.size(); i++) {
      bool inChange = static_cast<int>(i) < count && pk && pk[i] != 0;
      if (inChange != columns.key[i]) {
        Deny("table '" + m_table + "' has its primary key elsewhere in the change");
        return false;
      }
    }
    return true;
  }

  // Every written row names who wrote it and where: the changeset's author and device. A changeset
  // carries no value for a column an UPDATE leaves as it was, so then the copy's row must name them already.
  // Whether the row in the copy is no longer the version the change was made on (by updated_at).
  bool RowMovedSince(sqlite3_changeset_iter* iter, int op, const Columns& columns, int count) {
    sqlite3_value* old = OldValue(iter, op, columns.Index("updated_at"), count);
    if (!old) return false;
    Current current = CurrentInt(columns, "updated_at");
    if (m_verdict.Stop() || !current.found) return false;
    IdValue seen = ReadId(old);
    return !seen.ok || seen.value != current.value;
  }

  void CheckSignature(sqlite3_changeset_iter* iter, int op, const Columns& columns, int count) {
    auto expect = [&](const char* column, int64_t expected, const char* who) {
      int index = columns.Index(column);
      if (index < 0) return;
      sqlite3_value* value = NewValue(iter, op, index, count);
      if (!value) {
        if (op == SQLITE_INSERT) {
          if (index < count) Deny(std::string(column) + " is missing");
          return;
        }
        Current current = CurrentInt(columns, column);
        if (m_verdict.Stop() || !current.found) return;  // not here: the policy drops it
        // A session leaves out a column the change did not alter: on the author's device the row named
        // the author already. When the copy moved on since that device saw the row (another edit came
        // first in the order: its updated_at differs from the change's old one), the copy cannot say.
        if (current.value != expected && RowMovedSince(iter, op, columns, count)) return;
        if (current.value != expected) {
          Deny(std::string(column) + " is not set: an update must name its " + who + " " + std::to_string(expected) +
               " (the row names " + (current.value ? std::to_string(*current.value) : std::string("nobody")) + ")");
        }
        return;
      }
      IdValue id = ReadId(value);
      if (!id.ok || id.value != expected) {
        Deny(std::string(column) + " is " + ValueText(value) + ", but the change is made by " + who + " " + std::to_string(expected));
      }
    };
    if (op == SQLITE_DELETE) return;
    if (op == SQLITE_UPDATE && NewValue(iter, op, columns.Index("created_by"), count)) {
      return Deny("created_by cannot change");
    }
    if (op == SQLITE_INSERT) expect("created_by", m_author.id, "user");
    expect("updated_by", m_author.id, "user");
    expect("device_id", m_envelope.deviceId, "device");
  }

  // The row's key, noted as written by this changeset (audit rows name their row by it; a text key by the field).
  void NoteWritten() {
    if (m_table == "audit_log") return;
    if (m_keyText) {
      m_written.emplace(m_table, *m_keyText);
      m_textKeyTables.insert(m_table);
    } else if (m_keyInt) {
      m_written.emplace(m_table, std::to_string(*m_keyInt));
    }
  }

  // Each value written, as its field's description says: its kind, required, its vocabulary, its length.
  void CheckFields(sqlite3_changeset_iter* iter, int op, const Columns& columns, int count) {
    if (op == SQLITE_DELETE) return;
    for (int i = 0; i < count; i++) {
      const std::string& column = columns.names[static_cast<size_t>(i)];
      const FieldSpec* field = m_type->Field(column);
      if (!field) continue;
      sqlite3_value* value = NewValue(iter, op, i, count);
      if (!value) continue;  // an UPDATE leaves it as it was
      int type = sqlite3_value_type(value);
      if (type == SQLITE_NULL) {
        if (field->required) return Deny(column + " is required");
        continue;
      }
      const bool text = field->kind == ColumnKind::Text || field->kind == ColumnKind::Date;
      if (text ? type != SQLITE_TEXT : type != SQLITE_INTEGER) {
        return Deny(column + " must be " + (text ? "text" : "an integer") + ", not " + ValueText(value));
      }
      if (!text) continue;
      std::string_view written(reinterpret_cast<const char*>(sqlite3_value_text(value)), static_cast<size_t>(sqlite3_value_bytes(value)));
      if (field->required && written.empty()) return Deny(column + " is required");
      if (field->vocabulary && !field->vocabulary(written)) return Deny(column + ": unknown code '" + ValueText(value) + "'");
      if (field->maxChars > 0 && Utf8Length(written) > static_cast<size_t>(field->maxChars)) {
        return Deny(column + ": at most " + std::to_string(field->maxChars) + " characters");
      }
      if (field->format && !field->format(written)) return Deny(column + ": '" + ValueText(value) + "' is not in its format");
    }
  }

  void CheckColumnRules(sqlite3_changeset_iter* iter, int op, const Columns& columns, int count) {
    for (const FieldSpec& rule : m_type->fields) {
      if (rule.rule == ColumnRule::None) continue;
      int index = columns.Index(rule.column);
      if (index < 0) continue;
      sqlite3_value* value = NewValue(iter, op, index, count);
      IdValue id = ReadId(value);
      if (!id.ok) return Deny(std::string(rule.column) + " must be an integer or empty");
      switch (rule.rule) {
        case ColumnRule::None: break;
        case ColumnRule::Author:
          if ((op == SQLITE_INSERT || value) && id.value != m_author.id) {
            Deny(std::string(rule.column) + " is " + ValueText(value) + ", but the change is made by user " + std::to_string(m_author.id));
          }
          break;
        case ColumnRule::Assignee:
          if (value) CheckAssignee(iter, op, columns, count, id.value);
          break;
        case ColumnRule::ClaimProtection:
          if (value && id.value) CheckClaimProtection(rule.column, *id.value);
          break;
        case ColumnRule::Importer: CheckImporter(op, columns, rule.column); break;
      }
      if (m_verdict.Stop()) return;
    }
  }

  // Judged with the holding of the row's customer (as this changeset leaves it) and the assignee's team in the copy.
  void CheckAssignee(sqlite3_changeset_iter* iter, int op, const Columns& columns, int count, const std::optional<int64_t>& assignee) {
    // What CheckCanAssign allows whatever the customer and the assignee's team: no lookups for it.
    if (CheckCanAssign(m_author, Holding{}, assignee, std::nullopt)) return;
    std::optional<int64_t> customerId;
    if (m_type->parent) {
      customerId = ReadId(NewValue(iter, op, columns.Index(m_type->parent), count)).value;
      if (!customerId) customerId = CurrentInt(columns, m_type->parent).value;
    }
    Holding holding;
    if (customerId) {
      std::optional<Holding> now = HoldingNow(*customerId);
      if (now) holding = *now;
    }
    std::optional<int64_t> team;
    if (assignee) {
      auto user = GetUser(m_copy, *assignee);
      if (user) team = user.Value().teamId;
      else if (user.Code() != ErrorCode::NotFound) return Fail(user.GetError());
    }
    if (m_verdict.Stop()) return;
    Require(CheckCanAssign(m_author, holding, assignee, team));
  }

  void CheckClaimProtection(const char* column, int64_t until) {
    auto end = ClaimProtectionEnd(m_copy, NowMs());
    if (!end) return Fail(end.GetError());
    if (until > end.Value() + kClockSlackMs) {
      Deny(std::string(column) + " is " + std::to_string(until) + ": a claim protects a customer until " + std::to_string(end.Value()) +
           " at the latest (pool.claim_protect_days)");
    }
  }

  void CheckImporter(int op, const Columns& columns, const char* column) {
    if (op == SQLITE_DELETE) return Deny(m_table + " rows are never removed");
    Current importer = CurrentInt(columns, column);
    if (m_verdict.Stop() || !importer.found) return;  // a new row: the signature makes its author the importer
    Require(CheckCanChangeImport(m_author, importer.value.value_or(0)));
  }

  // When the author's account was made: no change of theirs is older (less the clock slack).
  std::optional<int64_t> AuthorSince() {
    if (m_authorSinceRead) return m_authorSince;
    m_authorSinceRead = true;
    m_authorSince = ReadAuthorSince();
    return m_authorSince;
  }
  std::optional<int64_t> ReadAuthorSince() {
    auto stmt = m_copy.Prepare("SELECT created_at FROM users WHERE id = ?");
    if (!stmt) {
      Fail(stmt.GetError());
      return std::nullopt;
    }
    stmt.Value().Bind(1, m_author.id);
    auto row = stmt.Value().Step();
    if (!row) Fail(row.GetError());
    if (!row || !row.Value()) return std::nullopt;
    return stmt.Value().Int64(0);
  }

  // Audit rows are written once, by their author, and never changed or removed.
  void CheckAudit(sqlite3_changeset_iter* iter, int op, const Columns& columns, int count) {
    if (op != SQLITE_INSERT) return Deny("audit rows cannot be changed or removed");
    Current existing = CurrentInt(columns, "id");
    if (existing.found) return Deny("an audit row with this id exists already");
    IdValue user = ReadId(NewValue(iter, op, columns.Index("user_id"), count));
    if (!user.ok || user.value != m_author.id) return Deny("an audit row must name its author (user " + std::to_string(m_author.id) + ")");
    IdValue device = ReadId(NewValue(iter, op, columns.Index("device_id"), count));
    if (!device.ok || device.value != m_envelope.deviceId) return Deny("an audit row must name the device it was made on");

    // Core's triggers write them in the transaction of the change: its row is in this changeset
    // (a text-keyed table's rows are named by field, not row_id: any row of that table written here).
    sqlite3_value* tableValue = NewValue(iter, op, columns.Index("table_name"), count);
    std::string table = tableValue && sqlite3_value_type(tableValue) == SQLITE_TEXT ? ValueText(tableValue) : "";
    IdValue row = ReadId(NewValue(iter, op, columns.Index("row_id"), count));
    bool described = false;
    if (m_textKeyTables.count(table)) {
      auto first = m_written.lower_bound({table, ""});
      described = first != m_written.end() && first->first == table;
    } else if (row.ok && row.value) {
      described = m_written.count({table, std::to_string(*row.value)}) > 0;
    }
    if (!described) {
      return Deny("an audit row must describe a row its changeset writes (it names " + (table.empty() ? std::string("no table") : table) +
                  " " + (row.value ? std::to_string(*row.value) : std::string("?")) + ")");
    }

    // Dated when the change was made: near the changeset's createdAtMs, which is no later than now and
    // no earlier than the author's account.
    const int64_t now = NowMs();
    const int64_t made = m_envelope.createdAtMs;
    if (made > now + kClockSlackMs) return Deny("the changeset is dated " + std::to_string(made) + ", in the future");
    std::optional<int64_t> since = AuthorSince();
    if (m_verdict.Stop()) return;
    if (since && made < *since - kClockSlackMs) return Deny("the changeset is dated " + std::to_string(made) + ", before its author's account existed");
    IdValue at = ReadId(NewValue(iter, op, columns.Index("at"), count));
    if (!at.ok || !at.value) return Deny("at must be an integer time");
    if (*at.value < made - kClockSlackMs || *at.value > std::min(now, made) + kClockSlackMs) {
      return Deny("at is " + std::to_string(*at.value) + ": an audit row is dated when its change was made (the changeset at " +
                  std::to_string(made) + ")");
    }

    // About a customer the author may change (as this changeset leaves it); an unknown one changes nothing here.
    IdValue customer = ReadId(NewValue(iter, op, columns.Index("customer_id"), count));
    if (!customer.ok) return Deny("customer_id must be an integer");
    if (!customer.value) return;
    std::optional<Holding> holding = HoldingNow(*customer.value);
    if (m_verdict.Stop() || !holding) return;
    Require(CheckCanChangeCustomer(m_author, *holding));
  }

  // A customer: the author may change it as it was (the copy) and as it will be (owner and team);
  // a change of owner is a claim (pool → self), a release (→ pool) or a reassignment.
  void CheckCustomer(sqlite3_changeset_iter* iter, int op, const Columns& columns, int count) {
    int ownerColumn = columns.Index("owner_id");
    int teamColumn = columns.Index("team_id");
    std::optional<Holding> before = HoldingNow(*m_keyInt);
    if (m_verdict.Stop()) return;
    Holding after = before.value_or(Holding{});
    auto take = [&](int column, std::optional<int64_t>& field) {
      sqlite3_value* value = NewValue(iter, op, column, count);
      if (op == SQLITE_INSERT || value) {
        IdValue id = ReadId(value);
        if (!id.ok) return Deny(columns.names[static_cast<size_t>(column)] + " must be an integer or empty");
        field = id.value;
      }
    };
    if (op == SQLITE_DELETE) {
      if (before) Require(CheckCanChangeCustomer(m_author, *before));
      return;  // deleting what is not there changes nothing (the policy drops it)
    }
    if (op == SQLITE_UPDATE && !before) return;  // likewise: an update of a row that is gone is dropped
    take(ownerColumn, after.ownerId);
    take(teamColumn, after.teamId);
    if (m_verdict.Stop()) return;
    if (!before) {
      Require(CheckCanChangeCustomer(m_author, after));
    } else if (before->ownerId == after.ownerId) {
      Require(CheckCanChangeCustomer(m_author, *before));
      if (before->teamId != after.teamId) Require(CheckCanChangeCustomer(m_author, after));
    } else if (!after.ownerId) {
      Require(CheckCanChangeCustomer(m_author, *before));  // back to the pool
    } else if (!before->ownerId && *after.ownerId == m_author.id) {
      Require(CheckCanChangeCustomer(m_author, *before));  // a claim from the pool
    } else {
      Require(CheckCanChangeCustomer(m_author, *before));
      Require(CheckCanReassign(m_author, *before, after.teamId));
    }
    if (m_verdict.refusal && before) m_verdict.refusal->reason += " (held by " + HoldingText(*before) + ")";
    m_after[*m_keyInt] = after;
  }

  // A row of a customer: judged by the holding of every customer it belongs to, before and after.
  void CheckChild(sqlite3_changeset_iter* iter, int op, const Columns& columns, int count) {
    const std::string parent = m_type->parent;
    int column = columns.Index(parent);
    std::set<int64_t> customers;
    auto add = [&](sqlite3_value* value) {
      if (!value) return true;
      IdValue id = ReadId(value);
      if (!id.ok || !id.value) {
        Deny(parent + " must be an integer");
        return false;
      }
      customers.insert(*id.value);
      return true;
    };
    if (!add(NewValue(iter, op, column, count)) || !add(OldValue(iter, op, column, count))) return;
    // What the copy holds counts too: a forged old value must not hide whose row it really is.
    Current existing = CurrentInt(columns, parent);
    if (m_verdict.Stop()) return;
    if (existing.found && existing.value) customers.insert(*existing.value);
    if (!existing.found && op != SQLITE_INSERT) return;  // not here: the policy drops it
    if (op == SQLITE_INSERT && !NewValue(iter, op, column, count)) return Deny(parent + " is missing");
    for (int64_t customerId : customers) {
      std::optional<Holding> holding = HoldingNow(customerId);
      if (m_verdict.Stop()) return;
      if (!holding) return Deny("customer " + std::to_string(customerId) + " does not exist");
      Require(CheckCanChangeCustomer(m_author, *holding));
      if (m_verdict.Stop()) return;
    }
  }

  // A hand-over request (core/handover.h): asked for by its author, open, about a customer that exists; then
  // decided (any later change) only by someone who may move that customer as the copy holds it now, who signs it.
  void CheckHandOver(sqlite3_changeset_iter* iter, int op, const Columns& columns, int count) {
    if (op == SQLITE_DELETE) return Deny("hand-over requests are never removed");
    const int customerColumn = columns.Index("customer_id");
    IdValue decidedBy = ReadId(NewValue(iter, op, columns.Index("decided_by"), count));
    if (op == SQLITE_INSERT) {
      sqlite3_value* state = NewValue(iter, op, columns.Index("state"), count);
      if (!state || ValueText(state) != Code(HandOverState::Requested)) return Deny("a new hand-over request must be 'requested'");
      if (decidedBy.value) return Deny("a new hand-over request is decided by nobody yet");
      IdValue customer = ReadId(NewValue(iter, op, customerColumn, count));
      if (!customer.ok || !customer.value) return Deny("customer_id must be an integer");
      std::optional<Holding> holding = HoldingNow(*customer.value);
      if (m_verdict.Stop()) return;
      if (!holding) return Deny("customer " + std::to_string(*customer.value) + " does not exist");
      return;
    }
    if (NewValue(iter, op, customerColumn, count)) return Deny("customer_id of a hand-over request cannot change");
    Current customer = CurrentInt(columns, "customer_id");
    if (m_verdict.Stop() || !customer.found) return;  // not here: the policy drops it
    if (decidedBy.value && *decidedBy.value != m_author.id) {
      return Deny("decided_by is " + std::to_string(*decidedBy.value) + ", but the change is made by user " + std::to_string(m_author.id));
    }
    auto holding = HoldingOf(m_copy, customer.value.value_or(0), /*allowDeleted=*/true);
    if (!holding) {
      if (holding.Code() != ErrorCode::NotFound) return Fail(holding.GetError());
      return Deny("customer " + std::to_string(customer.value.value_or(0)) + " does not exist");
    }
    Require(CheckCanDecideHandOver(m_author, holding.Value()));
  }

  Db& m_copy;
  const sync::ChangesetEnvelope& m_envelope;
  const RecordType* m_type = nullptr;  // the description of the row's table
  User m_author;
  std::map<std::string, Columns> m_columns;
  std::map<int64_t, Holding> m_after;  // customers as this changeset leaves them
  std::set<std::pair<std::string, std::string>> m_written;  // (table, key) of every row this changeset writes
  std::set<std::string> m_textKeyTables;
  bool m_authorSinceRead = false;  // AuthorSince, read once per changeset
  std::optional<int64_t> m_authorSince;
  Verdict m_verdict;
  // The row being checked.
  std::string m_table;
  std::string m_row;
  std::optional<int64_t> m_keyInt;
  std::optional<std::string> m_keyText;
};

}  // namespace

Result<std::optional<Refusal>> CheckChangeset(Db& copy, const sync::ChangesetEnvelope& envelope) {
  Checker checker(copy, envelope);
  return checker.Run();
}

Result<std::optional<Refusal>> CheckAppliedChangeset(Db& copy, const sync::ChangesetEnvelope& envelope) {
  std::set<std::string> tables;
  const auto& bytes = envelope.changeset;
  sqlite3_changeset_iter* iter = nullptr;
  if (sqlite3changeset_start(&iter, static_cast<int>(bytes.size()), const_cast<uint8_t*>(bytes.data())) != SQLITE_OK) {
    return std::optional<Refusal>(Refusal{envelope.changesetId, "", "", "malformed changeset"});
  }
  while (sqlite3changeset_next(iter) == SQLITE_ROW) {
    const char* name = nullptr;
    int count = 0, op = 0, indirect = 0;
    sqlite3changeset_op(iter, &name, &count, &op, &indirect);
    tables.insert(name);
  }
  sqlite3changeset_finalize(iter);
  // Rules over the whole organisation (a table's organisationCheck), on the copy as this changeset leaves it.
  for (const RecordType& type : RecordTypes()) {
    if (!type.organisationCheck || !tables.count(type.table)) continue;
    Status kept = type.organisationCheck(copy);
    if (kept) continue;
    if (kept.Code() != ErrorCode::Conflict) return kept.GetError();
    return std::optional<Refusal>(Refusal{envelope.changesetId, type.table, "", kept.Message()});
  }
  return std::optional<Refusal>();
}

}  // namespace crm::relay
