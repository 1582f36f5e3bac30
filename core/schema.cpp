#include "core/schema.h"

#include <string>

#include "core/audit.h"
#include "core/records.h"

namespace crm {

namespace {

// The columns every synced table carries: when and by whom it was made and last
// changed, from which device, and a soft delete (trash) instead of DELETE.
#define CRM_STD_COLUMNS                                                                              \
  "created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, created_by INTEGER NOT NULL, "          \
  "updated_by INTEGER NOT NULL, device_id INTEGER NOT NULL, deleted_at INTEGER"

const char* kMigration1 = R"sql(
  CREATE TABLE app_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE customers (
    id          INTEGER PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL CHECK (length(name) > 0),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    created_by  INTEGER NOT NULL,
    updated_by  INTEGER NOT NULL,
    device_id   INTEGER NOT NULL,
    deleted_at  INTEGER
  );
  CREATE INDEX customers_live ON customers(deleted_at, updated_at);
)sql";

// Version 2: the company-owned customer database and the follow-up system.
const std::string kMigration2 = std::string() +
  // Organisation: settings (pool days, follow-up intervals…), teams, users and roles.
  "CREATE TABLE settings (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL, " CRM_STD_COLUMNS ") WITHOUT ROWID;"
  "CREATE TABLE teams (id INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, supervisor_id INTEGER, " CRM_STD_COLUMNS ");"
  "CREATE TABLE users (id INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, "
  "  role TEXT NOT NULL CHECK (role IN ('rep','supervisor','leader','store','admin')), "
  "  team_id INTEGER, phone TEXT, active INTEGER NOT NULL DEFAULT 1, " CRM_STD_COLUMNS ");"
  "CREATE INDEX users_name ON users(name);"

  // Customers: the fields of docs/DESIGN.md note 8. owner_id NULL means the public pool (公海).
  "ALTER TABLE customers ADD COLUMN kind TEXT NOT NULL DEFAULT 'other';"
  "ALTER TABLE customers ADD COLUMN phone TEXT;"
  "ALTER TABLE customers ADD COLUMN province TEXT;"
  "ALTER TABLE customers ADD COLUMN city TEXT;"
  "ALTER TABLE customers ADD COLUMN district TEXT;"
  "ALTER TABLE customers ADD COLUMN street TEXT;"
  "ALTER TABLE customers ADD COLUMN industry TEXT;"
  "ALTER TABLE customers ADD COLUMN scale TEXT;"
  "ALTER TABLE customers ADD COLUMN brands TEXT;"
  "ALTER TABLE customers ADD COLUMN source TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE customers ADD COLUMN credit TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE customers ADD COLUMN birthday TEXT;"
  "ALTER TABLE customers ADD COLUMN anniversary TEXT;"
  "ALTER TABLE customers ADD COLUMN preferences TEXT;"
  "ALTER TABLE customers ADD COLUMN notes TEXT;"
  "ALTER TABLE customers ADD COLUMN owner_id INTEGER;"
  "ALTER TABLE customers ADD COLUMN team_id INTEGER;"
  "ALTER TABLE customers ADD COLUMN claimed_at INTEGER;"
  "ALTER TABLE customers ADD COLUMN protected_until INTEGER;"
  "ALTER TABLE customers ADD COLUMN pooled_at INTEGER;"
  "ALTER TABLE customers ADD COLUMN grade TEXT NOT NULL DEFAULT 'C' CHECK (grade IN ('A','B','C','D'));"
  "ALTER TABLE customers ADD COLUMN stage TEXT NOT NULL DEFAULT 'prospect';"
  "ALTER TABLE customers ADD COLUMN lost_reason TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE customers ADD COLUMN lost_at INTEGER;"
  "ALTER TABLE customers ADD COLUMN last_activity_at INTEGER;"
  "ALTER TABLE customers ADD COLUMN merged_into INTEGER;"
  "ALTER TABLE customers ADD COLUMN import_id INTEGER;"
  "CREATE INDEX customers_owner ON customers(owner_id, deleted_at);"
  "CREATE INDEX customers_grade ON customers(grade, deleted_at);"
  "CREATE INDEX customers_stage ON customers(stage, deleted_at);"
  "CREATE INDEX customers_city_name ON customers(city, name);"
  "CREATE INDEX customers_import ON customers(import_id) WHERE import_id IS NOT NULL;"

  // Phones (several per customer); `normalized` keeps digits only, for duplicate checks and exact search.
  "CREATE TABLE customer_phones (id INTEGER PRIMARY KEY NOT NULL, customer_id INTEGER NOT NULL, phone TEXT NOT NULL, "
  "  normalized TEXT NOT NULL, label TEXT, position INTEGER NOT NULL DEFAULT 0, " CRM_STD_COLUMNS ");"
  "CREATE INDEX customer_phones_normalized ON customer_phones(normalized);"
  "CREATE INDEX customer_phones_customer ON customer_phones(customer_id);"

  // Contacts of company customers, with their role in the purchase.
  "CREATE TABLE contacts (id INTEGER PRIMARY KEY NOT NULL, customer_id INTEGER NOT NULL, name TEXT NOT NULL, "
  "  role TEXT NOT NULL DEFAULT 'other', title TEXT, phone TEXT, phone_normalized TEXT, wechat TEXT, email TEXT, "
  "  birthday TEXT, notes TEXT, " CRM_STD_COLUMNS ");"
  "CREATE INDEX contacts_customer ON contacts(customer_id);"
  "CREATE INDEX contacts_phone ON contacts(phone_normalized);"

  // Tags: the id is derived from (customer, tag), so two devices adding the same tag converge.
  "CREATE TABLE customer_tags (id INTEGER PRIMARY KEY NOT NULL, customer_id INTEGER NOT NULL, tag TEXT NOT NULL, " CRM_STD_COLUMNS ");"
  "CREATE INDEX customer_tags_customer ON customer_tags(customer_id);"
  "CREATE INDEX customer_tags_tag ON customer_tags(tag, customer_id);"

  // Typed custom fields per organisation; values keyed by (customer, field) the same way.
  "CREATE TABLE custom_fields (id INTEGER PRIMARY KEY NOT NULL, key TEXT NOT NULL, label TEXT NOT NULL, "
  "  type TEXT NOT NULL CHECK (type IN ('text','number','date','choice')), choices TEXT, "
  "  required INTEGER NOT NULL DEFAULT 0, position INTEGER NOT NULL DEFAULT 0, " CRM_STD_COLUMNS ");"
  "CREATE TABLE custom_values (id INTEGER PRIMARY KEY NOT NULL, customer_id INTEGER NOT NULL, field_id INTEGER NOT NULL, "
  "  value TEXT NOT NULL, " CRM_STD_COLUMNS ");"
  "CREATE INDEX custom_values_customer ON custom_values(customer_id);"

  // Grade (A/B/C/D) history: who changed it, when and why; what the data suggested at the time.
  "CREATE TABLE grade_history (id INTEGER PRIMARY KEY NOT NULL, customer_id INTEGER NOT NULL, old_grade TEXT, "
  "  new_grade TEXT NOT NULL, suggested_grade TEXT, reason TEXT NOT NULL, " CRM_STD_COLUMNS ");"
  "CREATE INDEX grade_history_customer ON grade_history(customer_id, created_at);"

  // Activities / visit records (拜访记录).
  "CREATE TABLE activities (id INTEGER PRIMARY KEY NOT NULL, customer_id INTEGER NOT NULL, contact_id INTEGER, "
  "  kind TEXT NOT NULL, occurred_at INTEGER NOT NULL, user_id INTEGER NOT NULL, summary TEXT NOT NULL DEFAULT '', "
  "  opinion TEXT, outcome TEXT, next_step TEXT, followup_id INTEGER, " CRM_STD_COLUMNS ");"
  "CREATE INDEX activities_customer ON activities(customer_id, occurred_at);"
  "CREATE INDEX activities_user ON activities(user_id, occurred_at);"

  // The follow-up plan (回访计划): one row per planned return visit.
  "CREATE TABLE followups (id INTEGER PRIMARY KEY NOT NULL, customer_id INTEGER NOT NULL, owner_id INTEGER, "
  "  due_at INTEGER NOT NULL, reason TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','done','cancelled')), "
  "  done_at INTEGER, result TEXT, activity_id INTEGER, note TEXT, " CRM_STD_COLUMNS ");"
  "CREATE INDEX followups_due ON followups(status, due_at);"
  "CREATE INDEX followups_owner_due ON followups(owner_id, status, due_at);"
  "CREATE INDEX followups_customer ON followups(customer_id, status);"

  // Orders, as far as grading needs them (amount and margin); quotes and lines come later.
  "CREATE TABLE orders (id INTEGER PRIMARY KEY NOT NULL, customer_id INTEGER NOT NULL, ordered_at INTEGER NOT NULL, "
  "  amount_cents INTEGER NOT NULL, cost_cents INTEGER, status TEXT NOT NULL DEFAULT 'done', " CRM_STD_COLUMNS ");"
  "CREATE INDEX orders_customer ON orders(customer_id, ordered_at);"

  // Imports, so the last one can be undone.
  "CREATE TABLE imports (id INTEGER PRIMARY KEY NOT NULL, file_name TEXT NOT NULL, rows_ok INTEGER NOT NULL DEFAULT 0, "
  "  rows_failed INTEGER NOT NULL DEFAULT 0, undone_at INTEGER, " CRM_STD_COLUMNS ");"

  // The audit trail: one row per changed field, written by triggers (core/audit.cpp). Append-only.
  "CREATE TABLE audit_log (id INTEGER PRIMARY KEY NOT NULL, at INTEGER NOT NULL, user_id INTEGER NOT NULL, "
  "  device_id INTEGER NOT NULL, table_name TEXT NOT NULL, row_id INTEGER NOT NULL, customer_id INTEGER, "
  "  action TEXT NOT NULL, field TEXT, old_value TEXT, new_value TEXT);"
  "CREATE INDEX audit_customer ON audit_log(customer_id, at);"
  "CREATE INDEX audit_user ON audit_log(user_id, at);";


// A customer's search document (name, phones, contacts, tags, address), for the index's document table:
// rebuilt whole by the migrations that create the index, one customer at a time by its triggers.
#define CRM_FTS_DOCUMENTS                                                                                                 \
  "INSERT INTO customer_fts_doc(id, name, phone, contact, tag, address) SELECT c.id, c.name, "                            \
  "(SELECT group_concat(p.normalized, ' ') FROM customer_phones p WHERE p.customer_id = c.id AND p.deleted_at IS NULL), " \
  "(SELECT group_concat(k.name || ' ' || ifnull(k.phone_normalized, ''), ' ') FROM contacts k "                           \
  "  WHERE k.customer_id = c.id AND k.deleted_at IS NULL), "                                                              \
  "(SELECT group_concat(t.tag, ' ') FROM customer_tags t WHERE t.customer_id = c.id AND t.deleted_at IS NULL), "          \
  "concat_ws(' ', c.province, c.city, c.district, c.street) FROM customers c"

// Version 3: the customer search index. It is derived and local (not synced): triggers keep it
// current on every write, local or applied from sync, and the migration builds it from existing rows.
// One document per customer (rowid = customer id), trashed ones included; queries filter them.
// The documents live in customer_fts_doc, the index's external content: removing a document's old
// tokens needs its old text, and a contentless index would instead pile up tombstones in every
// segment (random ids span them all), which made each insert slower as the book grew.
#define CRM_FTS_REFRESH(ID)                                                                                        \
  "INSERT INTO customer_fts(customer_fts, rowid, name, phone, contact, tag, address) "                             \
  "  SELECT 'delete', id, name, phone, contact, tag, address FROM customer_fts_doc WHERE id = " ID ";"             \
  "DELETE FROM customer_fts_doc WHERE id = " ID ";"                                                                \
  CRM_FTS_DOCUMENTS " WHERE c.id = " ID ";"                                                                        \
  "INSERT INTO customer_fts(rowid, name, phone, contact, tag, address) "                                           \
  "  SELECT id, name, phone, contact, tag, address FROM customer_fts_doc WHERE id = " ID ";"

// The search index's triggers, the same in every migration that rebuilds the index: CRM_FTS_REFRESH is
// the one that migration defines, DOC_ROWID the document table's column the index takes as its rowid.
#define CRM_FTS_TRIGGERS(DOC_ROWID)                                                                                               \
  "CREATE TRIGGER customer_fts_customer_insert AFTER INSERT ON customers BEGIN " CRM_FTS_REFRESH("NEW.id") " END;"                \
  "CREATE TRIGGER customer_fts_customer_update AFTER UPDATE OF name, province, city, district, street ON customers "              \
  "BEGIN " CRM_FTS_REFRESH("NEW.id") " END;"                                                                                      \
  "CREATE TRIGGER customer_fts_customer_delete AFTER DELETE ON customers BEGIN "                                                  \
  "  INSERT INTO customer_fts(customer_fts, rowid, name, phone, contact, tag, address) "                                          \
  "    SELECT 'delete', " DOC_ROWID ", name, phone, contact, tag, address FROM customer_fts_doc WHERE id = OLD.id;"               \
  "  DELETE FROM customer_fts_doc WHERE id = OLD.id; END;"                                                                        \
  "CREATE TRIGGER customer_fts_phone_insert AFTER INSERT ON customer_phones BEGIN " CRM_FTS_REFRESH("NEW.customer_id") " END;"    \
  "CREATE TRIGGER customer_fts_phone_update AFTER UPDATE OF customer_id, normalized, deleted_at ON customer_phones BEGIN "        \
  CRM_FTS_REFRESH("OLD.customer_id") CRM_FTS_REFRESH("NEW.customer_id") " END;"                                                   \
  "CREATE TRIGGER customer_fts_phone_delete AFTER DELETE ON customer_phones BEGIN " CRM_FTS_REFRESH("OLD.customer_id") " END;"    \
  "CREATE TRIGGER customer_fts_contact_insert AFTER INSERT ON contacts BEGIN " CRM_FTS_REFRESH("NEW.customer_id") " END;"         \
  "CREATE TRIGGER customer_fts_contact_update AFTER UPDATE OF customer_id, name, phone_normalized, deleted_at ON contacts BEGIN " \
  CRM_FTS_REFRESH("OLD.customer_id") CRM_FTS_REFRESH("NEW.customer_id") " END;"                                                   \
  "CREATE TRIGGER customer_fts_contact_delete AFTER DELETE ON contacts BEGIN " CRM_FTS_REFRESH("OLD.customer_id") " END;"         \
  "CREATE TRIGGER customer_fts_tag_insert AFTER INSERT ON customer_tags BEGIN " CRM_FTS_REFRESH("NEW.customer_id") " END;"        \
  "CREATE TRIGGER customer_fts_tag_update AFTER UPDATE OF customer_id, tag, deleted_at ON customer_tags BEGIN "                   \
  CRM_FTS_REFRESH("OLD.customer_id") CRM_FTS_REFRESH("NEW.customer_id") " END;"                                                   \
  "CREATE TRIGGER customer_fts_tag_delete AFTER DELETE ON customer_tags BEGIN " CRM_FTS_REFRESH("OLD.customer_id") " END;"         

const std::string kMigration3 = std::string() +
  "CREATE TABLE customer_fts_doc (id INTEGER PRIMARY KEY NOT NULL, name TEXT, phone TEXT, contact TEXT, tag TEXT, "
  "  address TEXT);"
  "CREATE VIRTUAL TABLE customer_fts USING fts5(name, phone, contact, tag, address, "
  "  content='customer_fts_doc', content_rowid='id', tokenize='crm');"
  CRM_FTS_TRIGGERS("id")
  CRM_FTS_DOCUMENTS ";"
  "INSERT INTO customer_fts(customer_fts) VALUES('rebuild');"
  // Per-customer follow-up lookups (open ones, earliest first) must not fall back to the
  // organisation-wide (status, due_at) index: that made each customer insert O(book).
  "DROP INDEX followups_customer;"
  "CREATE INDEX followups_customer ON followups(customer_id, status, due_at);"
  // List pages sort the live customers by name or last activity without a temporary B-tree.
  "CREATE INDEX customers_live_name ON customers(deleted_at, name);"
  "CREATE INDEX customers_live_activity ON customers(deleted_at, last_activity_at);"
  "CREATE INDEX customers_live_created ON customers(deleted_at, created_at);"
  "CREATE INDEX customers_live_grade ON customers(deleted_at, grade, updated_at);"
  "CREATE INDEX customers_live_grade_activity ON customers(deleted_at, grade, last_activity_at);"
  // One rep's list, by name or by recency; tag membership without a row lookup per tagged customer.
  "DROP INDEX customers_owner;"
  "CREATE INDEX customers_owner ON customers(owner_id, deleted_at, updated_at);"
  "CREATE INDEX customers_owner_name ON customers(owner_id, deleted_at, name);"
  "DROP INDEX customer_tags_tag;"
  "CREATE INDEX customer_tags_tag ON customer_tags(tag, deleted_at, customer_id);";
#undef CRM_FTS_REFRESH

// Version 4: who may sign in on this device. Local-only, like app_meta: not in SyncedTables(),
// so no changeset or audit row ever carries a PIN hash. IF NOT EXISTS: development builds made it
// before it was a migration.
const char* kMigration4 = R"sql(
  CREATE TABLE IF NOT EXISTS device_accounts (
    user_id INTEGER PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('local','online','trial')),
    pin_hash TEXT,
    server_account TEXT,
    session TEXT,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    wait_until INTEGER,
    last_sign_in_at INTEGER,
    created_at INTEGER NOT NULL);
)sql";

// Version 5: the sync engine's bookkeeping. Local-only, like device_accounts: what this device has
// still to send (outbox), what it received but cannot apply yet (inbox, from a newer app), where it
// stands in the relay's order (state), and the conflicts the policy resolved (conflict log).
const char* kMigration5 = R"sql(
  CREATE TABLE sync_outbox (
    position INTEGER PRIMARY KEY NOT NULL,   -- capture order on this device
    changeset_id INTEGER NOT NULL UNIQUE,    -- random, device-unique: pushes are idempotent on it
    user_id INTEGER NOT NULL,
    device_id INTEGER NOT NULL,
    schema_version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    push_bytes BLOB NOT NULL,                -- the transaction as captured: what the relay receives
    effect_bytes BLOB NOT NULL,              -- its effect on this device now (after rebases): what a revert inverts
    acked_seq INTEGER,                       -- the relay's sequence number, once a push was acknowledged
    reapplied_with_conflicts INTEGER NOT NULL DEFAULT 0,  -- its last re-application met conflicts
    refused TEXT);                           -- why the relay refused it (then it is taken back here, and kept to show)
  CREATE TABLE sync_inbox (
    seq INTEGER PRIMARY KEY NOT NULL,
    envelope BLOB NOT NULL);
  CREATE TABLE sync_state (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE sync_conflicts (
    id INTEGER PRIMARY KEY NOT NULL,
    seq INTEGER NOT NULL,                    -- the relay position of the change that won (or was dropped)
    at INTEGER NOT NULL,                     -- when this device resolved it
    kind TEXT NOT NULL CHECK (kind IN ('data','notfound','conflict','constraint','foreign_key')),
    table_name TEXT NOT NULL,
    row_key TEXT NOT NULL,
    customer_id INTEGER,
    field TEXT NOT NULL,                     -- empty when the whole row is concerned
    lost_value TEXT,
    won_value TEXT,
    resolution TEXT NOT NULL,                -- replaced, dropped, deleted
    winner_user INTEGER NOT NULL,
    winner_device INTEGER NOT NULL,
    loser_user INTEGER,
    seen INTEGER NOT NULL DEFAULT 0);
  CREATE INDEX sync_conflicts_customer ON sync_conflicts(customer_id, id);
  CREATE INDEX sync_conflicts_unseen ON sync_conflicts(seen, id);
)sql";

// Version 6: the search index addresses documents by a dense local number instead of the
// customer id. FTS5 stores each document's rowid as a delta from the previous one in every
// token's list; random 64-bit customer ids made each delta 7–9 bytes, half the index (and a
// third of a 100k book, which every start reads and checksums). The document table maps the
// number to the customer; a refresh keeps a customer's number (the upsert), so it stays dense.
#define CRM_FTS_REFRESH(ID)                                                                                        \
  "INSERT INTO customer_fts(customer_fts, rowid, name, phone, contact, tag, address) "                             \
  "  SELECT 'delete', docid, name, phone, contact, tag, address FROM customer_fts_doc WHERE id = " ID ";"          \
  CRM_FTS_DOCUMENTS " WHERE c.id = " ID " "                                                                        \
  "ON CONFLICT(id) DO UPDATE SET name = excluded.name, phone = excluded.phone, contact = excluded.contact, "       \
  "  tag = excluded.tag, address = excluded.address;"                                                              \
  "DELETE FROM customer_fts_doc WHERE id = " ID " AND NOT EXISTS (SELECT 1 FROM customers WHERE id = " ID ");"     \
  "INSERT INTO customer_fts(rowid, name, phone, contact, tag, address) "                                           \
  "  SELECT docid, name, phone, contact, tag, address FROM customer_fts_doc WHERE id = " ID ";"

const std::string kMigration6 = std::string() +
  "DROP TRIGGER customer_fts_customer_insert; DROP TRIGGER customer_fts_customer_update;"
  "DROP TRIGGER customer_fts_customer_delete; DROP TRIGGER customer_fts_phone_insert;"
  "DROP TRIGGER customer_fts_phone_update; DROP TRIGGER customer_fts_phone_delete;"
  "DROP TRIGGER customer_fts_contact_insert; DROP TRIGGER customer_fts_contact_update;"
  "DROP TRIGGER customer_fts_contact_delete; DROP TRIGGER customer_fts_tag_insert;"
  "DROP TRIGGER customer_fts_tag_update; DROP TRIGGER customer_fts_tag_delete;"
  "DROP TABLE customer_fts;"
  "DROP TABLE customer_fts_doc;"
  "CREATE TABLE customer_fts_doc (docid INTEGER PRIMARY KEY NOT NULL, id INTEGER NOT NULL UNIQUE, name TEXT, "
  "  phone TEXT, contact TEXT, tag TEXT, address TEXT);"
  "CREATE VIRTUAL TABLE customer_fts USING fts5(name, phone, contact, tag, address, "
  "  content='customer_fts_doc', content_rowid='docid', tokenize='crm');"
  CRM_FTS_TRIGGERS("docid")
  CRM_FTS_DOCUMENTS ";"
  "INSERT INTO customer_fts(customer_fts) VALUES('rebuild');"
  // No query filters by city (5 MB at 100k customers); every grade filter also has deleted_at, which
  // customers_live_grade (deleted_at, grade, updated_at) serves.
  "DROP INDEX customers_city_name;"
  "DROP INDEX customers_grade;";
#undef CRM_FTS_REFRESH
#undef CRM_FTS_TRIGGERS
#undef CRM_FTS_DOCUMENTS

// Version 7: a customer's important dates (重要日期: birthdays, anniversaries, opening and founding days), several
// per customer, each a month-day ("MM-DD") that comes round every year, with its year when known (core/customer_dates.h).
const std::string kMigration7 = std::string() +
  "CREATE TABLE customer_dates (id INTEGER PRIMARY KEY NOT NULL, customer_id INTEGER NOT NULL, kind TEXT NOT NULL, "
  "  title TEXT, month_day TEXT NOT NULL, year INTEGER, notes TEXT, " CRM_STD_COLUMNS ");"
  "CREATE INDEX customer_dates_customer ON customer_dates(customer_id);";

// Version 8: the company directory and hand-over requests. The directory (core/directory.h) is local-only, like
// device_accounts: what the relay says about customers this device does not hold (the owner, the name, the city, keyed
// phone digests), for the duplicate check. A hand-over request (core/handover.h) is synced: a rep asks for another
// person's customer, and that person's supervisor (or a leader or admin) grants or declines it.
const std::string kMigration8 = std::string() +
  "CREATE TABLE directory_customers (customer_id INTEGER PRIMARY KEY NOT NULL, owner_id INTEGER, name TEXT NOT NULL, "
  "  city TEXT NOT NULL, name_key TEXT NOT NULL, in_trash INTEGER NOT NULL);"
  "CREATE TABLE directory_phones (id INTEGER PRIMARY KEY NOT NULL, digest BLOB NOT NULL, customer_id INTEGER NOT NULL);"
  "CREATE UNIQUE INDEX directory_phones_digest ON directory_phones(digest, customer_id);"
  "CREATE INDEX directory_phones_customer ON directory_phones(customer_id);"
  "CREATE TABLE handover_requests (id INTEGER PRIMARY KEY NOT NULL, customer_id INTEGER NOT NULL, "
  "  requested_by INTEGER NOT NULL, note TEXT, state TEXT NOT NULL, decided_by INTEGER, " CRM_STD_COLUMNS ");"
  "CREATE INDEX handover_requests_state ON handover_requests(state, customer_id);";

#undef CRM_STD_COLUMNS

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "customers and app metadata", kMigration1},
      {2, "customer database, organisation, follow-ups, audit", kMigration2},
      {3, "customer search index, list indexes", kMigration3},
      {4, "device accounts", kMigration4},
      {5, "sync bookkeeping (local)", kMigration5},
      {6, "search index by dense document numbers, unused indexes dropped", kMigration6},
      {7, "customer important dates", kMigration7},
      {8, "company directory (local), hand-over requests", kMigration8},
  };
  return kMigrations;
}

const std::vector<std::string>& SyncedTables() {
  static const std::vector<std::string> kTables = [] {
    std::vector<std::string> tables;
    for (const RecordType& type : RecordTypes()) tables.emplace_back(type.table);
    return tables;
  }();
  return kTables;
}

bool IsDerivedTable(std::string_view name) { return name.substr(0, 12) == "customer_fts"; }

int LatestSchemaVersion() { return Migrations().back().version; }

Status RefreshPlannerStatistics(Db& db) {
  // 0x10002: every table, not only those this connection has used; the limit keeps a first analysis cheap.
  return db.Exec("PRAGMA analysis_limit = 400; PRAGMA optimize = 0x10002");
}

Result<int> SchemaVersion(Db& db) {
  CRM_ASSIGN_OR_RETURN(int64_t version, db.QueryInt("PRAGMA user_version"));
  return static_cast<int>(version);
}

namespace {
// Steps that need code rather than SQL: the audit triggers are generated from the
// table definitions, so they are rebuilt after every migration that may add columns.
Status AfterMigration(Db& db, int version) {
  if (version >= 2) return InstallAuditTriggers(db);
  return Ok();
}
}  // namespace

Status MigrateTo(Db& db, int target) {
  CRM_ASSIGN_OR_RETURN(int current, SchemaVersion(db));
  if (current > LatestSchemaVersion()) {
    return MakeError(ErrorCode::Schema, "this database was written by a newer version of the app (schema " +
                                            std::to_string(current) + ", this app knows up to " +
                                            std::to_string(LatestSchemaVersion()) + "): update the app");
  }
  for (const Migration& migration : Migrations()) {
    if (migration.version <= current || migration.version > target) continue;
    CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin(TxnKind::Immediate));
    Status applied = db.Exec(migration.sql);
    if (applied) applied = AfterMigration(db, migration.version);
    if (!applied) {
      return MakeError(applied.Code(), "migration " + std::to_string(migration.version) + " (" + migration.name +
                                           ") failed: " + applied.Message());
    }
    CRM_TRY(db.Exec("PRAGMA user_version = " + std::to_string(migration.version)));
    CRM_TRY(txn.Commit());
  }
  return Ok();
}

Status Migrate(Db& db) { return MigrateTo(db, LatestSchemaVersion()); }

}  // namespace crm
