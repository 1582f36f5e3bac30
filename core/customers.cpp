#include "core/customers.h"

#include "core/ids.h"
#include "core/text.h"

namespace crm {

Result<int64_t> CountCustomers(Db& db) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT count(*) FROM customers WHERE deleted_at IS NULL"));
  CRM_ASSIGN_OR_RETURN(bool hasRow, stmt.Step());
  if (!hasRow) return int64_t{0};
  return stmt.Int64(0);
}

Result<int64_t> AddCustomer(Db& db, std::string_view rawName, const Actor& actor) {
  if (!IsValidUtf8(rawName)) {
    return MakeError(ErrorCode::Invalid, "name: not valid UTF-8 text (byte " + std::to_string(FirstInvalidUtf8(rawName)) + ")");
  }
  std::string name = Trim(rawName);
  if (name.empty()) return MakeError(ErrorCode::Invalid, "name: required");
  if (Utf8Length(name) > kMaxNameLength) {
    return MakeError(ErrorCode::Invalid, "name: at most " + std::to_string(kMaxNameLength) + " characters");
  }
  int64_t id = NewId();
  int64_t now = NowMs();
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "INSERT INTO customers(id, name, created_at, updated_at, created_by, updated_by, device_id) "
      "VALUES(?, ?, ?, ?, ?, ?, ?)"));
  stmt.BindAll(id, name, now, now, actor.userId, actor.userId, actor.deviceId);
  CRM_TRY(stmt.Run());
  return id;
}

}  // namespace crm
