#include "sync/relay/pg_store.h"

#include <libpq-fe.h>
#include <poll.h>

#include <stdlib.h>

#include <atomic>
#include <thread>

#include "sync/relay/log.h"
#include "sync/relay/pg.h"

namespace crm::relay {

namespace {

// Version 1 of the relay's tables, prefixed so they can share a database with others.
constexpr const char* kSchema = R"sql(
  CREATE TABLE IF NOT EXISTS crm_relay_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS crm_setup_tokens (hash TEXT PRIMARY KEY, created_at BIGINT NOT NULL, used_at BIGINT, org_id BIGINT);
  CREATE TABLE IF NOT EXISTS crm_orgs (id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL,
    head_seq BIGINT NOT NULL);
  CREATE TABLE IF NOT EXISTS crm_passwords (org_id BIGINT NOT NULL, user_id BIGINT NOT NULL, hash TEXT NOT NULL,
    updated_at BIGINT NOT NULL, PRIMARY KEY (org_id, user_id));
  CREATE TABLE IF NOT EXISTS crm_devices (org_id BIGINT NOT NULL, device_id BIGINT NOT NULL, name TEXT NOT NULL,
    user_id BIGINT NOT NULL, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL, revoked_at BIGINT,
    PRIMARY KEY (org_id, device_id));
  CREATE TABLE IF NOT EXISTS crm_tokens (hash TEXT PRIMARY KEY, org_id BIGINT NOT NULL, user_id BIGINT NOT NULL,
    device_id BIGINT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, revoked_at BIGINT);
  CREATE INDEX IF NOT EXISTS crm_tokens_device ON crm_tokens (org_id, device_id, user_id);
  CREATE TABLE IF NOT EXISTS crm_log (org_id BIGINT NOT NULL, seq BIGINT NOT NULL, device_id BIGINT NOT NULL,
    changeset_id BIGINT NOT NULL, user_id BIGINT NOT NULL, schema_version INT NOT NULL, created_at_ms BIGINT NOT NULL,
    accepted_at_ms BIGINT NOT NULL, changeset BYTEA NOT NULL,
    PRIMARY KEY (org_id, seq), UNIQUE (org_id, device_id, changeset_id));
  CREATE TABLE IF NOT EXISTS crm_directory_keys (org_id BIGINT PRIMARY KEY, key TEXT NOT NULL, created_at BIGINT NOT NULL);
  ALTER TABLE crm_devices ADD COLUMN IF NOT EXISTS secret_hash TEXT;
  ALTER TABLE crm_devices ADD COLUMN IF NOT EXISTS keep_unsent BOOLEAN NOT NULL DEFAULT false;
  ALTER TABLE crm_devices ADD COLUMN IF NOT EXISTS wiped_at BIGINT;
  INSERT INTO crm_relay_meta (key, value) VALUES ('store_version', '1') ON CONFLICT (key) DO NOTHING;
)sql";

// Two relays starting at once must not race on CREATE TABLE IF NOT EXISTS (it is not atomic in PostgreSQL).
constexpr const char* kSchemaLock = "SELECT pg_advisory_xact_lock(7243551890123)";
constexpr const char* kChannel = "crm_relay_log";

Result<std::vector<LogEntry>> ReadEntries(PgConn& conn, int64_t orgId, int64_t afterSeq, int limit) {
  // The sizes first (no changeset travels), then the entries that fit kMaxReadBytes (the first always
  // does): libpq holds a whole result in memory, so the bytes must be bounded before they are asked for.
  CRM_ASSIGN_OR_RETURN(PgResult sizes, conn.Query(
      "SELECT seq, octet_length(changeset) FROM crm_log WHERE org_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
      {PgParam::Int(orgId), PgParam::Int(afterSeq), PgParam::Int(limit)}));
  if (sizes.Rows() == 0) return std::vector<LogEntry>();
  int64_t last = sizes.Int64(0, 0);
  size_t bytes = 0;
  for (int i = 0; i < sizes.Rows(); i++) {
    size_t size = static_cast<size_t>(sizes.Int64(i, 1));
    if (i > 0 && bytes + size > kMaxReadBytes) break;
    bytes += size;
    last = sizes.Int64(i, 0);
  }
  CRM_ASSIGN_OR_RETURN(PgResult rows, conn.Query(
      "SELECT seq, accepted_at_ms, changeset_id, user_id, device_id, schema_version, created_at_ms, changeset FROM crm_log "
      "WHERE org_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq",
      {PgParam::Int(orgId), PgParam::Int(afterSeq), PgParam::Int(last)}));
  std::vector<LogEntry> entries;
  entries.reserve(static_cast<size_t>(rows.Rows()));
  for (int i = 0; i < rows.Rows(); i++) {
    LogEntry entry;
    entry.seq = rows.Int64(i, 0);
    entry.acceptedAtMs = rows.Int64(i, 1);
    entry.envelope.changesetId = rows.Int64(i, 2);
    entry.envelope.userId = rows.Int64(i, 3);
    entry.envelope.deviceId = rows.Int64(i, 4);
    entry.envelope.schemaVersion = static_cast<int32_t>(rows.Int64(i, 5));
    entry.envelope.createdAtMs = rows.Int64(i, 6);
    entry.envelope.changeset = rows.Bytes(i, 7);
    entries.push_back(std::move(entry));
  }
  return entries;
}

// Many rows per INSERT: one round trip per 200 changesets instead of one each.
Status InsertEntries(PgConn& conn, int64_t orgId, const std::vector<LogEntry>& entries) {
  constexpr size_t kChunk = 200;
  for (size_t start = 0; start < entries.size(); start += kChunk) {
    size_t end = std::min(entries.size(), start + kChunk);
    std::string sql =
        "INSERT INTO crm_log (org_id, seq, device_id, changeset_id, user_id, schema_version, created_at_ms, accepted_at_ms, "
        "changeset) VALUES ";
    std::vector<PgParam> params;
    params.reserve((end - start) * 9);
    for (size_t i = start; i < end; i++) {
      size_t base = params.size();
      sql += i == start ? "(" : ",(";
      for (int p = 1; p <= 9; p++) sql += (p > 1 ? ",$" : "$") + std::to_string(base + static_cast<size_t>(p));
      sql += ")";
      const LogEntry& entry = entries[i];
      const auto& e = entry.envelope;
      params.push_back(PgParam::Int(orgId));
      params.push_back(PgParam::Int(entry.seq));
      params.push_back(PgParam::Int(e.deviceId));
      params.push_back(PgParam::Int(e.changesetId));
      params.push_back(PgParam::Int(e.userId));
      params.push_back(PgParam::Int(e.schemaVersion));
      params.push_back(PgParam::Int(e.createdAtMs));
      params.push_back(PgParam::Int(entry.acceptedAtMs));
      params.push_back(PgParam::Bytes(e.changeset));
    }
    CRM_TRY(conn.Query(sql, params));
  }
  return Ok();
}

// Holds the organisation's row locked (SELECT … FOR UPDATE) from the start: every writer of this
// organisation, in any relay process, waits here, so sequence numbers are handed out in one order.
class PgLogWriter : public LogWriter {
 public:
  PgLogWriter(PgPool::Lease lease, PgTxn txn, int64_t orgId, int64_t head)
      : m_conn(std::move(lease)), m_txn(std::move(txn)), m_orgId(orgId), m_head(head) {}

  int64_t Head() const override { return m_head; }

  Result<std::vector<LogEntry>> Read(int64_t afterSeq, int limit) override { return ReadEntries(*m_conn, m_orgId, afterSeq, limit); }

  Result<std::map<int64_t, int64_t>> FindLogged(int64_t deviceId, const std::vector<int64_t>& changesetIds) override {
    std::map<int64_t, int64_t> found;
    if (changesetIds.empty()) return found;
    std::string array = "{";
    for (size_t i = 0; i < changesetIds.size(); i++) array += (i ? "," : "") + std::to_string(changesetIds[i]);
    array += "}";
    CRM_ASSIGN_OR_RETURN(PgResult rows, m_conn->Query(
        "SELECT changeset_id, seq FROM crm_log WHERE org_id = $1 AND device_id = $2 AND changeset_id = ANY($3::bigint[])",
        {PgParam::Int(m_orgId), PgParam::Int(deviceId), PgParam::Text(array)}));
    for (int i = 0; i < rows.Rows(); i++) found[rows.Int64(i, 0)] = rows.Int64(i, 1);
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
    if (!m_pending.empty()) {
      CRM_TRY(InsertEntries(*m_conn, m_orgId, m_pending));
      int64_t head = m_pending.back().seq;
      CRM_TRY(m_conn->Query("UPDATE crm_orgs SET head_seq = $1 WHERE id = $2", {PgParam::Int(head), PgParam::Int(m_orgId)}));
      // Delivered to the other relay processes when (and only if) the transaction commits.
      CRM_TRY(m_conn->Query("SELECT pg_notify($1, $2)",
                            {PgParam::Text(kChannel), PgParam::Text(std::to_string(m_orgId) + ":" + std::to_string(head))}));
      CRM_TRY(m_txn.Commit());
      m_head = head;
      m_pending.clear();
      return Ok();
    }
    return m_txn.Commit();
  }

 private:
  PgPool::Lease m_conn;
  PgTxn m_txn;
  int64_t m_orgId;
  int64_t m_head;
  std::vector<LogEntry> m_pending;
};

class PgStore : public Store {
 public:
  PgStore(const std::string& conninfo, int connections) : m_pool(conninfo, connections) {}
  ~PgStore() override { Close(); }

  Status Init() {
    CRM_ASSIGN_OR_RETURN(PgPool::Lease conn, m_pool.Borrow());
    CRM_ASSIGN_OR_RETURN(PgTxn txn, PgTxn::Begin(*conn));
    CRM_TRY(conn->Exec(kSchemaLock));
    CRM_TRY(conn->Exec(kSchema));
    CRM_TRY(txn.Commit());
    CRM_ASSIGN_OR_RETURN(PgResult version, conn->Query("SELECT value FROM crm_relay_meta WHERE key = 'store_version'"));
    if (version.Rows() != 1 || version.Text(0, 0) != "1") {
      return MakeError(ErrorCode::Schema, "store: made by a newer relay (store version " + (version.Rows() ? version.Text(0, 0) : "?") + ")");
    }
    return Ok();
  }

  std::string Kind() const override { return "postgres"; }

  Status AddSetupToken(const std::string& hash, int64_t now) override {
    return Run([&](PgConn& conn) -> Status {
      CRM_TRY(conn.Query("INSERT INTO crm_setup_tokens (hash, created_at) VALUES ($1, $2)", {PgParam::Text(hash), PgParam::Int(now)}));
      return Ok();
    });
  }

  Result<std::string> DeviceKeySecret(const std::string& candidate) override {
    CRM_TRY(Run([&](PgConn& conn) -> Status {
      CRM_TRY(conn.Query("INSERT INTO crm_relay_meta (key, value) VALUES ('device_key_secret', $1) ON CONFLICT (key) DO NOTHING",
                         {PgParam::Text(candidate)}));
      return Ok();
    }));
    return Get<std::string>([&](PgConn& conn) -> Result<std::string> {
      CRM_ASSIGN_OR_RETURN(PgResult rows, conn.Query("SELECT value FROM crm_relay_meta WHERE key = 'device_key_secret'"));
      if (rows.Rows() == 0) return MakeError(ErrorCode::Storage, "store: the device key secret was not kept");
      return rows.Text(0, 0);
    });
  }

  Result<int64_t> CountUnusedSetupTokens(int64_t now) override {
    return Count("SELECT count(*) FROM crm_setup_tokens WHERE used_at IS NULL AND created_at > $1",
                 {PgParam::Int(now - kSetupTokenLifetimeMs)});
  }

  Status CreateOrganisation(const NewOrganisation& org) override {
    return Run([&](PgConn& conn) -> Status {
      CRM_ASSIGN_OR_RETURN(PgTxn txn, PgTxn::Begin(conn));
      CRM_ASSIGN_OR_RETURN(PgResult token, conn.Query("SELECT used_at, created_at FROM crm_setup_tokens WHERE hash = $1 FOR UPDATE",
                                                       {PgParam::Text(org.setupTokenHash)}));
      if (token.Rows() == 0) return MakeError(ErrorCode::Denied, "unknown set-up token");
      if (!token.IsNull(0, 0)) return MakeError(ErrorCode::Conflict, "this set-up token was used already");
      if (token.Int64(0, 1) <= org.now - kSetupTokenLifetimeMs) return MakeError(ErrorCode::Denied, "this set-up token expired (they last 24 hours)");
      CRM_TRY(conn.Query("UPDATE crm_setup_tokens SET used_at = $1, org_id = $2 WHERE hash = $3",
                         {PgParam::Int(org.now), PgParam::Int(org.orgId), PgParam::Text(org.setupTokenHash)}));
      auto inserted = conn.Query("INSERT INTO crm_orgs (id, name, created_at, head_seq) VALUES ($1, $2, $3, $4)",
                                 {PgParam::Int(org.orgId), PgParam::Text(org.name), PgParam::Int(org.now), PgParam::Int(org.first.seq)});
      if (!inserted) {
        if (inserted.Code() == ErrorCode::Conflict) return MakeError(ErrorCode::Conflict, "an organisation called '" + org.name + "' exists already");
        return inserted.GetError();
      }
      CRM_TRY(UpsertPassword(conn, org.orgId, org.adminUserId, org.adminPasswordHash, org.now));
      CRM_TRY(InsertEntries(conn, org.orgId, {org.first}));
      return txn.Commit();
    });
  }

  Result<std::optional<OrgRecord>> FindOrganisation(const std::string& name) override {
    return Get<std::optional<OrgRecord>>([&](PgConn& conn) -> Result<std::optional<OrgRecord>> {
      CRM_ASSIGN_OR_RETURN(PgResult rows, conn.Query("SELECT id, name, created_at, head_seq FROM crm_orgs WHERE name = $1",
                                                     {PgParam::Text(name)}));
      if (rows.Rows() == 0) return std::optional<OrgRecord>();
      return std::optional<OrgRecord>(OrgRecord{rows.Int64(0, 0), rows.Text(0, 1), rows.Int64(0, 2), rows.Int64(0, 3)});
    });
  }

  Result<int64_t> CountOrganisations() override { return Count("SELECT count(*) FROM crm_orgs", {}); }

  Status SetPassword(int64_t orgId, int64_t userId, const std::string& hash, int64_t now) override {
    return Run([&](PgConn& conn) { return UpsertPassword(conn, orgId, userId, hash, now); });
  }

  Result<std::string> DirectoryKey(int64_t orgId, const std::string& fresh, int64_t now) override {
    return Get<std::string>([&](PgConn& conn) -> Result<std::string> {
      CRM_ASSIGN_OR_RETURN(PgResult rows, conn.Query("SELECT key FROM crm_directory_keys WHERE org_id = $1", {PgParam::Int(orgId)}));
      if (rows.Rows() > 0) return rows.Text(0, 0);
      // Made once: of two relays asking first at once, the first insert wins and both read it.
      CRM_TRY(conn.Query("INSERT INTO crm_directory_keys (org_id, key, created_at) VALUES ($1, $2, $3) ON CONFLICT (org_id) DO NOTHING",
                         {PgParam::Int(orgId), PgParam::Text(fresh), PgParam::Int(now)}));
      CRM_ASSIGN_OR_RETURN(rows, conn.Query("SELECT key FROM crm_directory_keys WHERE org_id = $1", {PgParam::Int(orgId)}));
      if (rows.Rows() == 0) return MakeError(ErrorCode::Storage, "directory key: not stored");
      return rows.Text(0, 0);
    });
  }

  Result<std::optional<std::string>> PasswordHash(int64_t orgId, int64_t userId) override {
    return Get<std::optional<std::string>>([&](PgConn& conn) -> Result<std::optional<std::string>> {
      CRM_ASSIGN_OR_RETURN(PgResult rows, conn.Query("SELECT hash FROM crm_passwords WHERE org_id = $1 AND user_id = $2",
                                                     {PgParam::Int(orgId), PgParam::Int(userId)}));
      if (rows.Rows() == 0) return std::optional<std::string>();
      return std::optional<std::string>(rows.Text(0, 0));
    });
  }

  Result<std::set<int64_t>> UsersWithPassword(int64_t orgId) override {
    return Ids("SELECT user_id FROM crm_passwords WHERE org_id = $1", {PgParam::Int(orgId)});
  }

  Status AddToken(const std::string& hash, const TokenRecord& token, const DeviceClaim& claim, int64_t now) override {
    return Run([&](PgConn& conn) -> Status {
      CRM_ASSIGN_OR_RETURN(PgTxn txn, PgTxn::Begin(conn));
      CRM_ASSIGN_OR_RETURN(PgResult device, conn.Query(
          "SELECT revoked_at, secret_hash, EXISTS (SELECT 1 FROM crm_tokens t WHERE t.org_id = d.org_id AND t.device_id = d.device_id "
          "AND t.user_id = $3)::int FROM crm_devices d WHERE org_id = $1 AND device_id = $2 FOR UPDATE",
          {PgParam::Int(token.orgId), PgParam::Int(token.deviceId), PgParam::Int(token.userId)}));
      if (device.Rows() > 0) {
        std::optional<std::string> secret;
        if (!device.IsNull(0, 1)) secret = device.Text(0, 1);
        CRM_TRY(CheckDeviceClaim(!device.IsNull(0, 0), secret, device.Int64(0, 2) != 0, claim));
      }
      CRM_TRY(conn.Query(
          "INSERT INTO crm_devices (org_id, device_id, name, user_id, first_seen, last_seen, secret_hash) VALUES ($1, $2, $3, $4, $5, $5, $6) "
          "ON CONFLICT (org_id, device_id) DO UPDATE SET name = excluded.name, user_id = excluded.user_id, last_seen = excluded.last_seen, "
          "secret_hash = excluded.secret_hash",
          {PgParam::Int(token.orgId), PgParam::Int(token.deviceId), PgParam::Text(claim.name), PgParam::Int(token.userId),
           PgParam::Int(now), PgParam::Text(claim.secretHash)}));
      CRM_TRY(conn.Query(
          "INSERT INTO crm_tokens (hash, org_id, user_id, device_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
          {PgParam::Text(hash), PgParam::Int(token.orgId), PgParam::Int(token.userId), PgParam::Int(token.deviceId),
           PgParam::Int(now), PgParam::Int(token.expiresAt)}));
      return txn.Commit();
    });
  }

  Result<std::optional<TokenRecord>> FindToken(const std::string& hash, int64_t now) override {
    return Get<std::optional<TokenRecord>>([&](PgConn& conn) -> Result<std::optional<TokenRecord>> {
      CRM_ASSIGN_OR_RETURN(PgResult rows, conn.Query(
          "SELECT t.org_id, t.user_id, t.device_id, t.expires_at FROM crm_tokens t JOIN crm_devices d "
          "ON d.org_id = t.org_id AND d.device_id = t.device_id "
          "WHERE t.hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND d.revoked_at IS NULL",
          {PgParam::Text(hash), PgParam::Int(now)}));
      if (rows.Rows() == 0) return std::optional<TokenRecord>();
      return std::optional<TokenRecord>(TokenRecord{rows.Int64(0, 0), rows.Int64(0, 1), rows.Int64(0, 2), rows.Int64(0, 3)});
    });
  }

  Status RevokeToken(const std::string& hash, int64_t now) override {
    return Run([&](PgConn& conn) -> Status {
      CRM_TRY(conn.Query("UPDATE crm_tokens SET revoked_at = $1 WHERE hash = $2 AND revoked_at IS NULL",
                         {PgParam::Int(now), PgParam::Text(hash)}));
      return Ok();
    });
  }

  Status RevokeUserTokens(int64_t orgId, int64_t userId, int64_t now) override {
    return Run([&](PgConn& conn) -> Status {
      CRM_TRY(conn.Query("UPDATE crm_tokens SET revoked_at = $1 WHERE org_id = $2 AND user_id = $3 AND revoked_at IS NULL",
                         {PgParam::Int(now), PgParam::Int(orgId), PgParam::Int(userId)}));
      return Ok();
    });
  }

  Status TouchDevice(int64_t orgId, int64_t deviceId, int64_t userId, int64_t now) override {
    return Run([&](PgConn& conn) -> Status {
      CRM_TRY(conn.Query("UPDATE crm_devices SET last_seen = $1, user_id = $2 WHERE org_id = $3 AND device_id = $4",
                         {PgParam::Int(now), PgParam::Int(userId), PgParam::Int(orgId), PgParam::Int(deviceId)}));
      return Ok();
    });
  }

  Result<std::vector<DeviceRecord>> ListDevices(int64_t orgId) override {
    return Get<std::vector<DeviceRecord>>([&](PgConn& conn) -> Result<std::vector<DeviceRecord>> {
      CRM_ASSIGN_OR_RETURN(PgResult rows, conn.Query(
          "SELECT device_id, name, user_id, last_seen, revoked_at IS NOT NULL, keep_unsent, wiped_at IS NOT NULL FROM crm_devices "
          "WHERE org_id = $1 ORDER BY last_seen DESC",
          {PgParam::Int(orgId)}));
      std::vector<DeviceRecord> devices;
      for (int i = 0; i < rows.Rows(); i++) {
        devices.push_back(DeviceRecord{rows.Int64(i, 0), rows.Text(i, 1), rows.Int64(i, 2), rows.Int64(i, 3), rows.Int64(i, 4) != 0,
                                       rows.Int64(i, 5) != 0, rows.Int64(i, 6) != 0});
      }
      return devices;
    });
  }

  Status RevokeDevice(int64_t orgId, int64_t deviceId, bool keepUnsent, int64_t now) override {
    return Run([&](PgConn& conn) -> Status {
      CRM_ASSIGN_OR_RETURN(PgTxn txn, PgTxn::Begin(conn));
      CRM_ASSIGN_OR_RETURN(PgResult device, conn.Query(
          "UPDATE crm_devices SET revoked_at = coalesce(revoked_at, $1), keep_unsent = ($4 <> 0) WHERE org_id = $2 AND device_id = $3",
          {PgParam::Int(now), PgParam::Int(orgId), PgParam::Int(deviceId), PgParam::Int(keepUnsent ? 1 : 0)}));
      if (device.AffectedRows() == 0) return MakeError(ErrorCode::NotFound, "no device " + std::to_string(deviceId));
      if (!keepUnsent) CRM_TRY(EndDeviceTokens(conn, orgId, deviceId, now));
      return txn.Commit();
    });
  }

  Result<std::optional<RevokedDeviceToken>> FindRevokedDeviceToken(const std::string& hash, int64_t now) override {
    return Get<std::optional<RevokedDeviceToken>>([&](PgConn& conn) -> Result<std::optional<RevokedDeviceToken>> {
      CRM_ASSIGN_OR_RETURN(PgResult rows, conn.Query(
          "SELECT t.org_id, t.user_id, t.device_id, t.expires_at, t.revoked_at IS NULL AND t.expires_at > $2, d.keep_unsent, "
          "d.wiped_at IS NOT NULL, d.secret_hash FROM crm_tokens t JOIN crm_devices d ON d.org_id = t.org_id AND d.device_id = t.device_id "
          "WHERE t.hash = $1 AND d.revoked_at IS NOT NULL",
          {PgParam::Text(hash), PgParam::Int(now)}));
      if (rows.Rows() == 0) return std::optional<RevokedDeviceToken>();
      RevokedDeviceToken revoked{TokenRecord{rows.Int64(0, 0), rows.Int64(0, 1), rows.Int64(0, 2), rows.Int64(0, 3)},
                                 rows.Int64(0, 4) != 0, DeviceRevocation{rows.Int64(0, 5) != 0, rows.Int64(0, 6) != 0, std::nullopt}};
      if (!rows.IsNull(0, 7)) revoked.revocation.secretHash = rows.Text(0, 7);
      return std::optional<RevokedDeviceToken>(std::move(revoked));
    });
  }

  Result<std::optional<DeviceRevocation>> FindDeviceRevocation(int64_t orgId, int64_t deviceId) override {
    return Get<std::optional<DeviceRevocation>>([&](PgConn& conn) -> Result<std::optional<DeviceRevocation>> {
      CRM_ASSIGN_OR_RETURN(PgResult rows, conn.Query(
          "SELECT keep_unsent, wiped_at IS NOT NULL, secret_hash FROM crm_devices WHERE org_id = $1 AND device_id = $2 "
          "AND revoked_at IS NOT NULL",
          {PgParam::Int(orgId), PgParam::Int(deviceId)}));
      if (rows.Rows() == 0) return std::optional<DeviceRevocation>();
      DeviceRevocation revocation{rows.Int64(0, 0) != 0, rows.Int64(0, 1) != 0, std::nullopt};
      if (!rows.IsNull(0, 2)) revocation.secretHash = rows.Text(0, 2);
      return std::optional<DeviceRevocation>(std::move(revocation));
    });
  }

  Status MarkDeviceWiped(int64_t orgId, int64_t deviceId, int64_t now) override {
    return Run([&](PgConn& conn) -> Status {
      CRM_ASSIGN_OR_RETURN(PgTxn txn, PgTxn::Begin(conn));
      CRM_ASSIGN_OR_RETURN(PgResult device, conn.Query(
          "UPDATE crm_devices SET wiped_at = coalesce(wiped_at, $1), keep_unsent = false WHERE org_id = $2 AND device_id = $3 "
          "AND revoked_at IS NOT NULL",
          {PgParam::Int(now), PgParam::Int(orgId), PgParam::Int(deviceId)}));
      if (device.AffectedRows() == 0) return MakeError(ErrorCode::NotFound, "no revoked device " + std::to_string(deviceId));
      CRM_TRY(EndDeviceTokens(conn, orgId, deviceId, now));
      return txn.Commit();
    });
  }

  Result<std::map<int64_t, std::set<int64_t>>> DeviceHolders(int64_t orgId, int64_t userId) override {
    return Get<std::map<int64_t, std::set<int64_t>>>([&](PgConn& conn) -> Result<std::map<int64_t, std::set<int64_t>>> {
      CRM_ASSIGN_OR_RETURN(PgResult rows, conn.Query(
          "SELECT DISTINCT device_id, user_id FROM crm_tokens WHERE org_id = $1 AND device_id IN "
          "(SELECT device_id FROM crm_tokens WHERE org_id = $1 AND user_id = $2)",
          {PgParam::Int(orgId), PgParam::Int(userId)}));
      std::map<int64_t, std::set<int64_t>> holders;
      for (int i = 0; i < rows.Rows(); i++) holders[rows.Int64(i, 0)].insert(rows.Int64(i, 1));
      return holders;
    });
  }

  Result<std::set<int64_t>> SignedInUsers(int64_t orgId, int64_t deviceId, int64_t now) override {
    return Ids("SELECT DISTINCT user_id FROM crm_tokens WHERE org_id = $1 AND device_id = $2 AND revoked_at IS NULL AND expires_at > $3",
               {PgParam::Int(orgId), PgParam::Int(deviceId), PgParam::Int(now)});
  }

  Result<int64_t> HeadSeq(int64_t orgId) override {
    return Get<int64_t>([&](PgConn& conn) -> Result<int64_t> {
      CRM_ASSIGN_OR_RETURN(PgResult rows, conn.Query("SELECT head_seq FROM crm_orgs WHERE id = $1", {PgParam::Int(orgId)}));
      if (rows.Rows() == 0) return MakeError(ErrorCode::NotFound, "no organisation " + std::to_string(orgId));
      return rows.Int64(0, 0);
    });
  }

  Result<std::vector<LogEntry>> ReadLog(int64_t orgId, int64_t afterSeq, int limit) override {
    return Get<std::vector<LogEntry>>([&](PgConn& conn) { return ReadEntries(conn, orgId, afterSeq, limit); });
  }

  Result<std::unique_ptr<LogWriter>> BeginWrite(int64_t orgId) override {
    CRM_ASSIGN_OR_RETURN(PgPool::Lease conn, m_pool.Borrow());
    CRM_ASSIGN_OR_RETURN(PgTxn txn, PgTxn::Begin(*conn));
    CRM_ASSIGN_OR_RETURN(PgResult rows, conn->Query("SELECT head_seq FROM crm_orgs WHERE id = $1 FOR UPDATE", {PgParam::Int(orgId)}));
    if (rows.Rows() == 0) return MakeError(ErrorCode::NotFound, "no organisation " + std::to_string(orgId));
    int64_t head = rows.Int64(0, 0);
    return std::unique_ptr<LogWriter>(std::make_unique<PgLogWriter>(std::move(conn), std::move(txn), orgId, head));
  }

  void OnRemoteHead(std::function<void(int64_t orgId, int64_t head)> callback) override {
    if (m_listener.joinable()) return;
    m_callback = std::move(callback);
    m_listener = std::thread([this] { Listen(); });
  }

  void Close() override {
    m_stop = true;
    if (m_listener.joinable()) m_listener.join();
  }

 private:
  // LISTEN on a connection of its own; notifications carry "org:head". Reconnects when dropped.
  void Listen() {
    std::unique_ptr<PgConn> conn;
    while (!m_stop) {
      if (!conn || !conn->Healthy()) {
        conn.reset();
        auto connected = PgConn::Connect(m_pool.Conninfo());
        if (connected && connected.Value()->Exec(std::string("LISTEN ") + kChannel)) {
          conn = std::move(connected).Value();
        } else {
          for (int i = 0; i < 10 && !m_stop; i++) std::this_thread::sleep_for(std::chrono::milliseconds(100));
          continue;
        }
      }
      pollfd fd{PQsocket(conn->Handle()), POLLIN, 0};
      int ready = ::poll(&fd, 1, 200);  // short, so Close() is prompt
      if (ready <= 0) continue;
      if (!PQconsumeInput(conn->Handle())) {
        conn.reset();
        continue;
      }
      while (PGnotify* note = PQnotifies(conn->Handle())) {
        std::string payload = note->extra ? note->extra : "";
        PQfreemem(note);
        size_t colon = payload.find(':');
        if (colon == std::string::npos) continue;
        int64_t orgId = std::strtoll(payload.substr(0, colon).c_str(), nullptr, 10);
        int64_t head = std::strtoll(payload.substr(colon + 1).c_str(), nullptr, 10);
        if (m_callback) m_callback(orgId, head);
      }
    }
  }

  static Status EndDeviceTokens(PgConn& conn, int64_t orgId, int64_t deviceId, int64_t now) {
    CRM_TRY(conn.Query("UPDATE crm_tokens SET revoked_at = $1 WHERE org_id = $2 AND device_id = $3 AND revoked_at IS NULL",
                       {PgParam::Int(now), PgParam::Int(orgId), PgParam::Int(deviceId)}));
    return Ok();
  }

  static Status UpsertPassword(PgConn& conn, int64_t orgId, int64_t userId, const std::string& hash, int64_t now) {
    CRM_TRY(conn.Query(
        "INSERT INTO crm_passwords (org_id, user_id, hash, updated_at) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (org_id, user_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at",
        {PgParam::Int(orgId), PgParam::Int(userId), PgParam::Text(hash), PgParam::Int(now)}));
    return Ok();
  }

  template <class F>
  Status Run(F&& body) {
    CRM_ASSIGN_OR_RETURN(PgPool::Lease conn, m_pool.Borrow());
    return body(*conn);
  }

  template <class T, class F>
  Result<T> Get(F&& body) {
    CRM_ASSIGN_OR_RETURN(PgPool::Lease conn, m_pool.Borrow());
    return body(*conn);
  }

  Result<int64_t> Count(const std::string& sql, const std::vector<PgParam>& params) {
    return Get<int64_t>([&](PgConn& conn) -> Result<int64_t> {
      CRM_ASSIGN_OR_RETURN(PgResult rows, conn.Query(sql, params));
      return rows.Rows() ? rows.Int64(0, 0) : 0;
    });
  }

  Result<std::set<int64_t>> Ids(const std::string& sql, const std::vector<PgParam>& params) {
    return Get<std::set<int64_t>>([&](PgConn& conn) -> Result<std::set<int64_t>> {
      CRM_ASSIGN_OR_RETURN(PgResult rows, conn.Query(sql, params));
      std::set<int64_t> ids;
      for (int i = 0; i < rows.Rows(); i++) ids.insert(rows.Int64(i, 0));
      return ids;
    });
  }

  PgPool m_pool;
  std::thread m_listener;
  std::atomic<bool> m_stop{false};
  std::function<void(int64_t, int64_t)> m_callback;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenPgStore(const std::string& conninfo, const StoreOptions& options) {
  // libpq waits for an unreachable server as long as TCP does; a request should fail in seconds
  // (a conninfo's own connect_timeout still wins).
  ::setenv("PGCONNECT_TIMEOUT", "5", /*overwrite=*/0);
  auto store = std::make_unique<PgStore>(conninfo, std::max(1, options.connections));
  if (auto ready = store->Init(); !ready) return MakeError(ready.Code(), ready.Message());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace crm::relay
