#include "sync/link.h"

#include "core/accounts.h"
#include "sync/offline_lock.h"

namespace crm::sync {

Result<std::optional<std::string>> GetSyncState(Db& db, const char* key) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT value FROM sync_state WHERE key = ?"));
  stmt.Bind(1, key);
  CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(stmt.String(0));
}

Status SetSyncState(Db& db, const char* key, const std::string& value) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("INSERT INTO sync_state(key, value) VALUES (?, ?) "
                                             "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
  stmt.Bind(1, key).Bind(2, value);
  return stmt.Run();
}

Result<std::optional<SyncLink>> LoadLink(Db& db) {
  CRM_ASSIGN_OR_RETURN(auto organisation, GetSyncState(db, "organisation_id"));
  if (!organisation) return std::optional<SyncLink>();
  CRM_ASSIGN_OR_RETURN(auto server, GetSyncState(db, "server"));
  SyncLink link;
  link.server = server.value_or("");
  try {
    link.organisationId = std::stoll(*organisation);
  } catch (const std::exception&) {
    return MakeError(ErrorCode::Corrupt, "sync: the stored organisation id is damaged");
  }
  return std::optional<SyncLink>(link);
}

Status SaveLink(Db& db, const SyncLink& link) {
  if (link.organisationId <= 0) return MakeError(ErrorCode::Invalid, "organisation: missing");
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  CRM_TRY(SetSyncState(db, "organisation_id", std::to_string(link.organisationId)));
  CRM_TRY(SetSyncState(db, "server", link.server));
  return txn.Commit();
}

Result<Actor> LinkSignedInUser(Db& db, const SyncLink& link, const OnlineIdentity& identity, int64_t nowMs) {
  if (identity.token.empty()) return MakeError(ErrorCode::Invalid, "sign-in: the relay sent no token");
  if (link.organisationId != identity.organisationId) {
    return MakeError(ErrorCode::Invalid, "sign-in: this device holds another organisation's data");
  }
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  CRM_TRY(SaveLink(db, link));
  CRM_TRY(RecordRelayContact(db, nowMs));  // the relay just answered: an offline lock ends (sync/offline_lock.h)
  CRM_TRY(db.Exec("DELETE FROM device_accounts WHERE user_id NOT IN (SELECT id FROM users WHERE deleted_at IS NULL)"));
  CRM_TRY(EnsureDeviceTables(db));
  CRM_ASSIGN_OR_RETURN(DeviceSettings settings, GetDeviceSettings(db));
  if (settings.trial) {
    settings.trial = false;
    CRM_TRY(SaveDeviceSettings(db, settings));
  }
  // Keep a PIN the person already has on this device (a shared tablet); an online account without
  // one resumes like a personal device's.
  auto existing = GetDeviceAccount(db, identity.userId);
  if (!existing) CRM_TRY(SaveDeviceAccount(db, identity.userId, AccountKind::Online, std::nullopt));
  CRM_TRY(LinkOnlineAccount(db, identity.userId, identity.account, identity.token));
  CRM_ASSIGN_OR_RETURN(Actor actor, MarkSignedIn(db, identity.userId, nowMs));
  CRM_TRY(txn.Commit());
  return actor;
}

Result<std::string> TokenFor(Db& db, int64_t userId) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "SELECT session FROM device_accounts WHERE kind = 'online' AND session IS NOT NULL AND session <> '' "
      "ORDER BY user_id = ? DESC, ifnull(last_sign_in_at, 0) DESC LIMIT 1"));
  stmt.Bind(1, userId);
  CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return MakeError(ErrorCode::Denied, "nobody on this device has signed in online");
  return stmt.String(0);
}

Result<int64_t> LocalCustomersAtRisk(Db& db) {
  CRM_ASSIGN_OR_RETURN(DeviceSettings settings, GetDeviceSettings(db));
  if (settings.trial) return int64_t{0};
  return db.QueryInt("SELECT count(*) FROM customers WHERE deleted_at IS NULL");
}

}  // namespace crm::sync
