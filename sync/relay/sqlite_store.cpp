#include "sync/relay/sqlite_store.h"

#include <condition_variable>
#include <mutex>
#include <vector>

#include "core/db.h"

namespace crm::relay {

namespace {

// Version 1 of the relay's own tables. The log is append-only; head_seq is its last seq.
constexpr const char* kSchema = R"sql(
  CREATE TABLE IF NOT EXISTS relay_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS setup_tokens (hash TEXT PRIMARY KEY NOT NULL, created_at INTEGER NOT NULL,
    used_at INTEGER, org_id INTEGER) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS orgs (id INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL, head_seq INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS passwords (org_id INTEGER NOT NULL, user_id INTEGER NOT NULL, hash TEXT NOT NULL,
    updated_at INTEGER NOT NULL, PRIMARY KEY (org_id, user_id)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS devices (org_id INTEGER NOT NULL, device_id INTEGER NOT NULL, name TEXT NOT NULL,
    user_id INTEGER NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, revoked_at INTEGER,
    PRIMARY KEY (org_id, device_id)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS tokens (hash TEXT PRIMARY KEY NOT NULL, org_id INTEGER NOT NULL, user_id INTEGER NOT NULL,
    device_id INTEGER NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, revoked_at INTEGER) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS tokens_device ON tokens (org_id, device_id, user_id);
  CREATE TABLE IF NOT EXISTS log (org_id INTEGER NOT NULL, seq INTEGER NOT NULL, device_id INTEGER NOT NULL,
    changeset_id INTEGER NOT NULL, user_id INTEGER NOT NULL, schema_version INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL, accepted_at_ms INTEGER NOT NULL, changeset BLOB NOT NULL,
    PRIMARY KEY (org_id, seq));
  CREATE UNIQUE INDEX IF NOT EXISTS log_changeset ON log (org_id, device_id, changeset_id);
  CREATE TABLE IF NOT EXISTS directory_keys (org_id INTEGER PRIMARY KEY NOT NULL, key TEXT NOT NULL, created_at INTEGER NOT NULL);
  INSERT OR IGNORE INTO relay_meta (key, value) VALUES ('store_version', '1');
)sql";

// Connections for concurrent readers (WAL); writes are serialised in-process by a mutex,
// so no thread ever waits in SQLite's busy handler behind another of ours.
class Pool {
 public:
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Db> db) : m_pool(pool), m_db(std::move(db)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (m_db) m_pool->Return(std::move(m_db));
    }
    Db& operator*() { return *m_db; }
    Db* operator->() { return m_db.get(); }

   private:
    Pool* m_pool;
    std::unique_ptr<Db> m_db;
  };

  Pool(std::string path, bool durable) : m_path(std::move(path)), m_durable(durable) {}

  Result<Lease> Borrow() {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      if (!m_idle.empty()) {
        std::unique_ptr<Db> db = std::move(m_idle.back());
        m_idle.pop_back();
        return Lease(this, std::move(db));
      }
    }
    CRM_ASSIGN_OR_RETURN(Db db, Db::Open(m_path));
    CRM_TRY(db.Exec(m_durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = OFF"));
    return Lease(this, std::make_unique<Db>(std::move(db)));
  }

  void Return(std::unique_ptr<Db> db) {
    if (db->InTransaction()) (void)db->Exec("ROLLBACK");
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_idle.size() < 16) m_idle.push_back(std::move(db));
  }

  std::mutex& WriteMutex() { return m_writeMutex; }

 private:
  std::string m_path;
  bool m_durable;
  std::mutex m_mutex;
  std::vector<std::unique_ptr<Db>> m_idle;
  std::mutex m_writeMutex;
};

Status Unavailable(const Error& error) { return MakeError(ErrorCode::Storage, "store: " + error.message); }

Result<std::vector<LogEntry>> ReadEntries(Db& db, int64_t orgId, int64_t afterSeq, int limit) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "SELECT seq, accepted_at_ms, changeset_id, user_id, device_id, schema_version, created_at_ms, changeset FROM log "
      "WHERE org_id = ? AND seq > ? ORDER BY seq LIMIT ?"));
  stmt.BindAll(orgId, afterSeq, limit);
  std::vector<LogEntry> entries;
  size_t bytes = 0;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    // Rows are read one at a time: the ones past the byte budget are never loaded.
    size_t size = static_cast<size_t>(stmt.ColumnBytes(7));
    if (!entries.empty() && bytes + size > kMaxReadBytes) break;
    bytes += size;
    LogEntry entry;
    entry.seq = stmt.Int64(0);
    entry.acceptedAtMs = stmt.Int64(1);
    entry.envelope.changesetId = stmt.Int64(2);
    entry.envelope.userId = stmt.Int64(3);
    entry.envelope.deviceId = stmt.Int64(4);
    entry.envelope.schemaVersion = static_cast<int32_t>(stmt.Int64(5));
    entry.envelope.createdAtMs = stmt.Int64(6);
    entry.envelope.changeset = stmt.Blob(7);
    entries.push_back(std::move(entry));
  }
  return entries;
}

Status InsertEntries(Db& db, int64_t orgId, const std::vector<LogEntry>& entries) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "INSERT INTO log (org_id, seq, device_id, changeset_id, user_id, schema_version, created_at_ms, accepted_at_ms, "
      "changeset) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  for (const LogEntry& entry : entries) {
    stmt.Reset();
    const auto& e = entry.envelope;
    stmt.BindAll(orgId, entry.seq, e.deviceId, e.changesetId, e.userId, static_cast<int64_t>(e.schemaVersion), e.createdAtMs,
                 entry.acceptedAtMs);
    stmt.BindBlob(9, e.changeset.data(), e.changeset.size());
    CRM_TRY(stmt.Run());
  }
  return Ok();
}

Result<int64_t> ReadHead(Db& db, int64_t orgId) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT head_seq FROM orgs WHERE id = ?"));
  stmt.Bind(1, orgId);
  CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return MakeError(ErrorCode::NotFound, "no organisation " + std::to_string(orgId));
  return stmt.Int64(0);
}

// Only this process writes an SQLite store's log (the copies folder is locked by the server), so
// the writer checks the head once more at commit instead of holding the file's write lock while
// the push is validated: pushes of other organisations are not held up meanwhile.
class SqliteLogWriter : public LogWriter {
 public:
  SqliteLogWriter(Pool& pool, Pool::Lease lease, int64_t orgId, int64_t head)
      : m_pool(pool), m_db(std::move(lease)), m_orgId(orgId), m_head(head) {}

  int64_t Head() const override { return m_head; }

  Result<std::vector<LogEntry>> Read(int64_t afterSeq, int limit) override { return ReadEntries(*m_db, m_orgId, afterSeq, limit); }

  Result<std::map<int64_t, int64_t>> FindLogged(int64_t deviceId, const std::vector<int64_t>& changesetIds) override {
    std::map<int64_t, int64_t> found;
    CRM_ASSIGN_OR_RETURN(Stmt stmt, m_db->Prepare("SELECT seq FROM log WHERE org_id = ? AND device_id = ? AND changeset_id = ?"));
    for (int64_t id : changesetIds) {
      stmt.Reset();
      stmt.BindAll(m_orgId, deviceId, id);
      CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (row) found[id] = stmt.Int64(0);
    }
    return found;
  }

  Status Append(const std::vector<LogEntry>& entries) override {
    for (const LogEntry& entry : entries) {
      if (entry.seq != m_head + 1 + static_cast<int64_t>(m_pending.size())) {
        return MakeError(ErrorCode::Invalid, "log: entries must follow the head without gaps");
      }
      m_pending.push_back(entry);
    }
    return Ok();
  }

  Status Commit() override {
    if (m_pending.empty()) return Ok();
    std::lock_guard<std::mutex> lock(m_pool.WriteMutex());
    CRM_ASSIGN_OR_RETURN(Txn txn, m_db->Begin(TxnKind::Immediate));
    CRM_ASSIGN_OR_RETURN(int64_t head, ReadHead(*m_db, m_orgId));
    if (head != m_head) return MakeError(ErrorCode::Conflict, "log: the organisation's head moved during the push");
    CRM_TRY(InsertEntries(*m_db, m_orgId, m_pending));
    CRM_ASSIGN_OR_RETURN(Stmt stmt, m_db->Prepare("UPDATE orgs SET head_seq = ? WHERE id = ?"));
    stmt.BindAll(m_pending.back().seq, m_orgId);
    CRM_TRY(stmt.Run());
    CRM_TRY(txn.Commit());
    m_head = m_pending.back().seq;
    m_pending.clear();
    return Ok();
  }

 private:
  Pool& m_pool;
  Pool::Lease m_db;
  int64_t m_orgId;
  int64_t m_head;
  std::vector<LogEntry> m_pending;
};

class SqliteStore : public Store {
 public:
  explicit SqliteStore(std::string path, bool durable) : m_pool(std::move(path), durable) {}

  Status Init() {
    CRM_ASSIGN_OR_RETURN(Pool::Lease db, m_pool.Borrow());
    {
      CRM_ASSIGN_OR_RETURN(Stmt mode, db->PrepareOnce("PRAGMA journal_mode = WAL"));
      CRM_ASSIGN_OR_RETURN(bool row, mode.Step());
      if (!row || mode.String(0) != "wal") return MakeError(ErrorCode::Storage, "store: cannot switch to WAL mode");
    }
    std::lock_guard<std::mutex> lock(m_pool.WriteMutex());
    CRM_TRY(db->Exec(kSchema));
    CRM_ASSIGN_OR_RETURN(Stmt version, db->Prepare("SELECT value FROM relay_meta WHERE key = 'store_version'"));
    CRM_ASSIGN_OR_RETURN(bool row, version.Step());
    if (!row || version.String(0) != "1") {
      return MakeError(ErrorCode::Schema, "store: made by a newer relay (store version " + (row ? version.String(0) : "?") + ")");
    }
    // Added to version 1: the secret a device id is bound to (older relays ignore the column).
    CRM_ASSIGN_OR_RETURN(int64_t hasSecret, db->QueryInt("SELECT count(*) FROM pragma_table_info('devices') WHERE name = 'secret_hash'"));
    if (hasSecret == 0) CRM_TRY(db->Exec("ALTER TABLE devices ADD COLUMN secret_hash TEXT"));
    // Added to version 1: a revocation that still takes unsent changes, and the device's report that it wiped.
    CRM_ASSIGN_OR_RETURN(int64_t hasWiped, db->QueryInt("SELECT count(*) FROM pragma_table_info('devices') WHERE name = 'wiped_at'"));
    if (hasWiped == 0) {
      CRM_TRY(db->Exec("ALTER TABLE devices ADD COLUMN keep_unsent INTEGER NOT NULL DEFAULT 0; "
                       "ALTER TABLE devices ADD COLUMN wiped_at INTEGER"));
    }
    return Ok();
  }

  std::string Kind() const override { return "sqlite"; }

  Status AddSetupToken(const std::string& hash, int64_t now) override {
    return Write([&](Db& db) -> Status {
      CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("INSERT INTO setup_tokens (hash, created_at) VALUES (?, ?)"));
      stmt.BindAll(hash, now);
      return stmt.Run();
    });
  }

  Result<std::string> DeviceKeySecret(const std::string& candidate) override {
    CRM_TRY(Write([&](Db& db) -> Status {
      CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("INSERT OR IGNORE INTO relay_meta (key, value) VALUES ('device_key_secret', ?)"));
      stmt.Bind(1, candidate);
      return stmt.Run();
    }));
    return Read<std::string>([&](Db& db) -> Result<std::string> {
      CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT value FROM relay_meta WHERE key = 'device_key_secret'"));
      CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
      if (!found) return MakeError(ErrorCode::Storage, "store: the device key secret was not kept");
      return stmt.String(0);
    });
  }

  Result<int64_t> CountUnusedSetupTokens(int64_t now) override {
    return Read<int64_t>([&](Db& db) -> Result<int64_t> {
      CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT count(*) FROM setup_tokens WHERE used_at IS NULL AND created_at > ?"));
      stmt.Bind(1, now - kSetupTokenLifetimeMs);
      CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
      return row ? stmt.Int64(0) : 0;
    });
  }

  Status CreateOrganisation(const NewOrganisation& org) override {
    return Write([&](Db& db) -> Status {
      CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin(TxnKind::Immediate));
      {
        CRM_ASSIGN_OR_RETURN(Stmt token, db.Prepare("SELECT used_at, created_at FROM setup_tokens WHERE hash = ?"));
        token.Bind(1, org.setupTokenHash);
        CRM_ASSIGN_OR_RETURN(bool known, token.Step());
        if (!known) return MakeError(ErrorCode::Denied, "unknown set-up token");
        if (!token.IsNull(0)) return MakeError(ErrorCode::Conflict, "this set-up token was used already");
        if (token.Int64(1) <= org.now - kSetupTokenLifetimeMs) return MakeError(ErrorCode::Denied, "this set-up token expired (they last 24 hours)");
      }
      {
        CRM_ASSIGN_OR_RETURN(Stmt use, db.Prepare("UPDATE setup_tokens SET used_at = ?, org_id = ? WHERE hash = ?"));
        use.BindAll(org.now, org.orgId, org.setupTokenHash);
        CRM_TRY(use.Run());
      }
      {
        CRM_ASSIGN_OR_RETURN(Stmt taken, db.Prepare("SELECT 1 FROM orgs WHERE name = ?"));
        taken.Bind(1, org.name);
        CRM_ASSIGN_OR_RETURN(bool exists, taken.Step());
        if (exists) return MakeError(ErrorCode::Conflict, "an organisation called '" + org.name + "' exists already");
      }
      CRM_ASSIGN_OR_RETURN(Stmt insert, db.Prepare("INSERT INTO orgs (id, name, created_at, head_seq) VALUES (?, ?, ?, ?)"));
      insert.BindAll(org.orgId, org.name, org.now, org.first.seq);
      CRM_TRY(insert.Run());
      CRM_TRY(InsertPassword(db, org.orgId, org.adminUserId, org.adminPasswordHash, org.now));
      CRM_TRY(InsertEntries(db, org.orgId, {org.first}));
      return txn.Commit();
    });
  }

  Result<std::optional<OrgRecord>> FindOrganisation(const std::string& name) override {
    return Read<std::optional<OrgRecord>>([&](Db& db) -> Result<std::optional<OrgRecord>> {
      CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT id, name, created_at, head_seq FROM orgs WHERE name = ?"));
      stmt.Bind(1, name);
      CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
      if (!found) return std::optional<OrgRecord>();
      return std::optional<OrgRecord>(OrgRecord{stmt.Int64(0), stmt.String(1), stmt.Int64(2), stmt.Int64(3)});
    });
  }

  Result<int64_t> CountOrganisations() override {
    return Read<int64_t>([&](Db& db) { return db.QueryInt("SELECT count(*) FROM orgs"); });
  }

  Status SetPassword(int64_t orgId, int64_t userId, const std::string& hash, int64_t now) override {
    return Write([&](Db& db) { return InsertPassword(db, orgId, userId, hash, now); });
  }

  Result<std::string> DirectoryKey(int64_t orgId, const std::string& fresh, int64_t now) override {
    auto stored = [&]() {
      return Read<std::optional<std::string>>([&](Db& db) -> Result<std::optional<std::string>> {
        CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT key FROM directory_keys WHERE org_id = ?"));
        stmt.Bind(1, orgId);
        CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
        return found ? std::optional<std::string>(stmt.String(0)) : std::nullopt;
      });
    };
    CRM_ASSIGN_OR_RETURN(std::optional<std::string> key, stored());
    if (key) return *key;
    // Made once: of two first questions at once, the first insert wins and both read it.
    CRM_TRY(Write([&](Db& db) -> Status {
      CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("INSERT OR IGNORE INTO directory_keys (org_id, key, created_at) VALUES (?, ?, ?)"));
      stmt.BindAll(orgId, fresh, now);
      return stmt.Run();
    }));
    CRM_ASSIGN_OR_RETURN(key, stored());
    if (!key) return MakeError(ErrorCode::Storage, "directory key: not stored");
    return *key;
  }

  Result<std::optional<std::string>> PasswordHash(int64_t orgId, int64_t userId) override {
    return Read<std::optional<std::string>>([&](Db& db) -> Result<std::optional<std::string>> {
      CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT hash FROM passwords WHERE org_id = ? AND user_id = ?"));
      stmt.BindAll(orgId, userId);
      CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
      if (!found) return std::optional<std::string>();
      return std::optional<std::string>(stmt.String(0));
    });
  }

  Result<std::set<int64_t>> UsersWithPassword(int64_t orgId) override {
    return Ids("SELECT user_id FROM passwords WHERE org_id = ?", [&](Stmt& stmt) { stmt.Bind(1, orgId); });
  }

  Status AddToken(const std::string& hash, const TokenRecord& token, const DeviceClaim& claim, int64_t now) override {
    return Write([&](Db& db) -> Status {
      CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin(TxnKind::Immediate));
      {
        CRM_ASSIGN_OR_RETURN(Stmt known, db.Prepare(
            "SELECT revoked_at, secret_hash, EXISTS (SELECT 1 FROM tokens WHERE org_id = d.org_id AND device_id = d.device_id AND "
            "user_id = ?) FROM devices d WHERE org_id = ? AND device_id = ?"));
        known.BindAll(token.userId, token.orgId, token.deviceId);
        CRM_ASSIGN_OR_RETURN(bool found, known.Step());
        if (found) {
          std::optional<std::string> secret;
          if (!known.IsNull(1)) secret = known.String(1);
          CRM_TRY(CheckDeviceClaim(!known.IsNull(0), secret, known.Int64(2) != 0, claim));
        }
      }
      CRM_ASSIGN_OR_RETURN(Stmt device, db.Prepare(
          "INSERT INTO devices (org_id, device_id, name, user_id, first_seen, last_seen, secret_hash) VALUES (?, ?, ?, ?, ?, ?, ?) "
          "ON CONFLICT (org_id, device_id) DO UPDATE SET name = excluded.name, user_id = excluded.user_id, "
          "last_seen = excluded.last_seen, secret_hash = excluded.secret_hash"));
      device.BindAll(token.orgId, token.deviceId, claim.name, token.userId, now, now, claim.secretHash);
      CRM_TRY(device.Run());
      CRM_ASSIGN_OR_RETURN(Stmt insert, db.Prepare(
          "INSERT INTO tokens (hash, org_id, user_id, device_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)"));
      insert.BindAll(hash, token.orgId, token.userId, token.deviceId, now, token.expiresAt);
      CRM_TRY(insert.Run());
      return txn.Commit();
    });
  }

  Result<std::optional<TokenRecord>> FindToken(const std::string& hash, int64_t now) override {
    return Read<std::optional<TokenRecord>>([&](Db& db) -> Result<std::optional<TokenRecord>> {
      CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
          "SELECT t.org_id, t.user_id, t.device_id, t.expires_at FROM tokens t JOIN devices d "
          "ON d.org_id = t.org_id AND d.device_id = t.device_id "
          "WHERE t.hash = ? AND t.revoked_at IS NULL AND t.expires_at > ? AND d.revoked_at IS NULL"));
      stmt.BindAll(hash, now);
      CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
      if (!found) return std::optional<TokenRecord>();
      return std::optional<TokenRecord>(TokenRecord{stmt.Int64(0), stmt.Int64(1), stmt.Int64(2), stmt.Int64(3)});
    });
  }

  Status RevokeToken(const std::string& hash, int64_t now) override {
    return Write([&](Db& db) -> Status {
      CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("UPDATE tokens SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL"));
      stmt.BindAll(now, hash);
      return stmt.Run();
    });
  }

  Status RevokeUserTokens(int64_t orgId, int64_t userId, int64_t now) override {
    return Write([&](Db& db) -> Status {
      CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("UPDATE tokens SET revoked_at = ? WHERE org_id = ? AND user_id = ? AND revoked_at IS NULL"));
      stmt.BindAll(now, orgId, userId);
      return stmt.Run();
    });
  }

  Status TouchDevice(int64_t orgId, int64_t deviceId, int64_t userId, int64_t now) override {
    return Write([&](Db& db) -> Status {
      CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("UPDATE devices SET last_seen = ?, user_id = ? WHERE org_id = ? AND device_id = ?"));
      stmt.BindAll(now, userId, orgId, deviceId);
      return stmt.Run();
    });
  }

  Result<std::vector<DeviceRecord>> ListDevices(int64_t orgId) override {
    return Read<std::vector<DeviceRecord>>([&](Db& db) -> Result<std::vector<DeviceRecord>> {
      CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
          "SELECT device_id, name, user_id, last_seen, revoked_at IS NOT NULL, keep_unsent, wiped_at IS NOT NULL FROM devices "
          "WHERE org_id = ? ORDER BY last_seen DESC"));
      stmt.Bind(1, orgId);
      std::vector<DeviceRecord> devices;
      while (true) {
        CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
        if (!row) break;
        devices.push_back(DeviceRecord{stmt.Int64(0), stmt.String(1), stmt.Int64(2), stmt.Int64(3), stmt.Int64(4) != 0,
                                       stmt.Int64(5) != 0, stmt.Int64(6) != 0});
      }
      return devices;
    });
  }

  Status RevokeDevice(int64_t orgId, int64_t deviceId, bool keepUnsent, int64_t now) override {
    return Write([&](Db& db) -> Status {
      CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin(TxnKind::Immediate));
      CRM_ASSIGN_OR_RETURN(Stmt device, db.Prepare(
          "UPDATE devices SET revoked_at = coalesce(revoked_at, ?), keep_unsent = ? WHERE org_id = ? AND device_id = ?"));
      device.BindAll(now, static_cast<int64_t>(keepUnsent), orgId, deviceId);
      CRM_TRY(device.Run());
      if (db.Changes() == 0) return MakeError(ErrorCode::NotFound, "no device " + std::to_string(deviceId));
      if (!keepUnsent) CRM_TRY(EndDeviceTokens(db, orgId, deviceId, now));
      return txn.Commit();
    });
  }

  Result<std::optional<RevokedDeviceToken>> FindRevokedDeviceToken(const std::string& hash, int64_t now) override {
    return Read<std::optional<RevokedDeviceToken>>([&](Db& db) -> Result<std::optional<RevokedDeviceToken>> {
      CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
          "SELECT t.org_id, t.user_id, t.device_id, t.expires_at, t.revoked_at IS NULL AND t.expires_at > ?, d.keep_unsent, "
          "d.wiped_at IS NOT NULL, d.secret_hash FROM tokens t JOIN devices d ON d.org_id = t.org_id AND d.device_id = t.device_id "
          "WHERE t.hash = ? AND d.revoked_at IS NOT NULL"));
      stmt.BindAll(now, hash);
      CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
      if (!found) return std::optional<RevokedDeviceToken>();
      RevokedDeviceToken revoked{TokenRecord{stmt.Int64(0), stmt.Int64(1), stmt.Int64(2), stmt.Int64(3)}, stmt.Int64(4) != 0,
                                 DeviceRevocation{stmt.Int64(5) != 0, stmt.Int64(6) != 0, std::nullopt}};
      if (!stmt.IsNull(7)) revoked.revocation.secretHash = stmt.String(7);
      return std::optional<RevokedDeviceToken>(std::move(revoked));
    });
  }

  Result<std::optional<DeviceRevocation>> FindDeviceRevocation(int64_t orgId, int64_t deviceId) override {
    return Read<std::optional<DeviceRevocation>>([&](Db& db) -> Result<std::optional<DeviceRevocation>> {
      CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
          "SELECT keep_unsent, wiped_at IS NOT NULL, secret_hash FROM devices WHERE org_id = ? AND device_id = ? AND revoked_at IS NOT NULL"));
      stmt.BindAll(orgId, deviceId);
      CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
      if (!found) return std::optional<DeviceRevocation>();
      DeviceRevocation revocation{stmt.Int64(0) != 0, stmt.Int64(1) != 0, std::nullopt};
      if (!stmt.IsNull(2)) revocation.secretHash = stmt.String(2);
      return std::optional<DeviceRevocation>(std::move(revocation));
    });
  }

  Status MarkDeviceWiped(int64_t orgId, int64_t deviceId, int64_t now) override {
    return Write([&](Db& db) -> Status {
      CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin(TxnKind::Immediate));
      CRM_ASSIGN_OR_RETURN(Stmt device, db.Prepare(
          "UPDATE devices SET wiped_at = coalesce(wiped_at, ?), keep_unsent = 0 WHERE org_id = ? AND device_id = ? AND revoked_at IS NOT NULL"));
      device.BindAll(now, orgId, deviceId);
      CRM_TRY(device.Run());
      if (db.Changes() == 0) return MakeError(ErrorCode::NotFound, "no revoked device " + std::to_string(deviceId));
      CRM_TRY(EndDeviceTokens(db, orgId, deviceId, now));
      return txn.Commit();
    });
  }

  Result<std::map<int64_t, std::set<int64_t>>> DeviceHolders(int64_t orgId, int64_t userId) override {
    return Read<std::map<int64_t, std::set<int64_t>>>([&](Db& db) -> Result<std::map<int64_t, std::set<int64_t>>> {
      CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
          "SELECT DISTINCT device_id, user_id FROM tokens WHERE org_id = ? AND device_id IN "
          "(SELECT device_id FROM tokens WHERE org_id = ? AND user_id = ?)"));
      stmt.BindAll(orgId, orgId, userId);
      std::map<int64_t, std::set<int64_t>> holders;
      while (true) {
        CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
        if (!row) break;
        holders[stmt.Int64(0)].insert(stmt.Int64(1));
      }
      return holders;
    });
  }

  Result<std::set<int64_t>> SignedInUsers(int64_t orgId, int64_t deviceId, int64_t now) override {
    return Ids("SELECT DISTINCT user_id FROM tokens WHERE org_id = ? AND device_id = ? AND revoked_at IS NULL AND expires_at > ?",
               [&](Stmt& stmt) { stmt.BindAll(orgId, deviceId, now); });
  }

  Result<int64_t> HeadSeq(int64_t orgId) override {
    return Read<int64_t>([&](Db& db) { return ReadHead(db, orgId); });
  }

  Result<std::vector<LogEntry>> ReadLog(int64_t orgId, int64_t afterSeq, int limit) override {
    return Read<std::vector<LogEntry>>([&](Db& db) { return ReadEntries(db, orgId, afterSeq, limit); });
  }

  Result<std::unique_ptr<LogWriter>> BeginWrite(int64_t orgId) override {
    auto lease = m_pool.Borrow();
    if (!lease) return Unavailable(lease.GetError()).GetError();
    auto head = ReadHead(*lease.Value(), orgId);
    if (!head) return head.GetError();
    return std::unique_ptr<LogWriter>(std::make_unique<SqliteLogWriter>(m_pool, std::move(lease).Value(), orgId, head.Value()));
  }

 private:
  static Status EndDeviceTokens(Db& db, int64_t orgId, int64_t deviceId, int64_t now) {
    CRM_ASSIGN_OR_RETURN(Stmt tokens, db.Prepare(
        "UPDATE tokens SET revoked_at = ? WHERE org_id = ? AND device_id = ? AND revoked_at IS NULL"));
    tokens.BindAll(now, orgId, deviceId);
    return tokens.Run();
  }

  static Status InsertPassword(Db& db, int64_t orgId, int64_t userId, const std::string& hash, int64_t now) {
    CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
        "INSERT INTO passwords (org_id, user_id, hash, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (org_id, user_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at"));
    stmt.BindAll(orgId, userId, hash, now);
    return stmt.Run();
  }

  // The first column of a query's rows as a set (ids of people, devices…); `bind` binds its parameters.
  template <typename Bind>
  Result<std::set<int64_t>> Ids(const char* sql, Bind&& bind) {
    return Read<std::set<int64_t>>([&](Db& db) -> Result<std::set<int64_t>> {
      CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(sql));
      bind(stmt);
      std::set<int64_t> ids;
      while (true) {
        CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
        if (!row) break;
        ids.insert(stmt.Int64(0));
      }
      return ids;
    });
  }

  template <class T, class F>
  Result<T> Read(F&& body) {
    auto lease = m_pool.Borrow();
    if (!lease) return Unavailable(lease.GetError()).GetError();
    return body(*lease.Value());
  }

  template <class F>
  Status Write(F&& body) {
    auto lease = m_pool.Borrow();
    if (!lease) return Unavailable(lease.GetError());
    std::lock_guard<std::mutex> lock(m_pool.WriteMutex());
    return body(*lease.Value());
  }

  Pool m_pool;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const StoreOptions& options) {
  auto store = std::make_unique<SqliteStore>(path, options.durable);
  if (auto ready = store->Init(); !ready) return MakeError(ready.Code(), "store " + path + ": " + ready.Message());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace crm::relay
