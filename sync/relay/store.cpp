#include "sync/relay/store.h"

#include "core/sha256.h"
#include "sync/relay/pg_store.h"
#include "sync/relay/sqlite_store.h"

namespace crm::relay {

namespace {
bool StartsWith(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }
}  // namespace

Result<std::unique_ptr<Store>> OpenStore(const std::string& spec, const StoreOptions& options) {
  if (StartsWith(spec, "sqlite:")) {
    std::string path = spec.substr(7);
    if (path.empty()) return MakeError(ErrorCode::Invalid, "--store sqlite:PATH needs a path, e.g. sqlite:./relay.db");
    return OpenSqliteStore(path, options);
  }
  if (StartsWith(spec, "postgres://") || StartsWith(spec, "postgresql://")) return OpenPgStore(spec, options);
  if (StartsWith(spec, "postgres:")) return OpenPgStore(spec.substr(9), options);  // a libpq "key=value" string
  return MakeError(ErrorCode::Invalid, "--store: expected sqlite:PATH or postgres://USER@HOST:PORT/DB, got '" + spec + "'");
}

Status CheckDeviceClaim(bool revoked, const std::optional<std::string>& boundSecret, bool userHeldToken, const DeviceClaim& claim) {
  if (revoked) return MakeError(ErrorCode::Denied, "this device was revoked by an administrator");
  if (boundSecret ? !ConstantTimeEqual(*boundSecret, claim.secretHash) : !userHeldToken) {
    return MakeError(ErrorCode::Denied, "this device id belongs to another device: sign in from that device, or clear this browser's data");
  }
  return Ok();
}

std::string DefaultCopiesDir(const std::string& spec) {
  if (StartsWith(spec, "sqlite:")) return spec.substr(7) + ".orgs";
  return "./relay-copies";
}

}  // namespace crm::relay
