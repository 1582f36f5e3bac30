#include "core/accounts.h"

#include <unistd.h>

#include <cstdlib>

#include "core/ids.h"
#include "core/org.h"
#include "core/sha256.h"

namespace crm {

namespace {

constexpr const char* kMetaDeviceId = "device.id";
constexpr const char* kMetaDeviceSecret = "device.secret";
constexpr const char* kMetaShared = "device.shared";
constexpr const char* kMetaIdleLock = "device.idle_lock_seconds";
constexpr const char* kMetaTrial = "device.trial";
constexpr const char* kMetaHighContrast = "device.high_contrast";
constexpr const char* kMetaTextScale = "device.text_scale";

bool IsTextScale(int64_t percent) {
  for (int scale : kTextScales) {
    if (scale == percent) return true;
  }
  return false;
}

Result<std::optional<std::string>> GetMeta(Db& db, const char* key) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT value FROM app_meta WHERE key = ?"));
  stmt.Bind(1, key);
  CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return std::optional<std::string>();
  return std::optional<std::string>(stmt.String(0));
}

Status SetMeta(Db& db, const char* key, const std::string& value) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("INSERT INTO app_meta(key, value) VALUES(?, ?) "
                                             "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
  stmt.Bind(1, key).Bind(2, value);
  return stmt.Run();
}

// Stored numbers are parsed without exceptions: a damaged value is an error, never an abort.
Result<int64_t> ParseStoredInt(const std::string& text, const char* what) {
  char* end = nullptr;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || !end || *end) return MakeError(ErrorCode::Corrupt, std::string(what) + ": not a number");
  return static_cast<int64_t>(value);
}

Result<AccountKind> ParseAccountKind(std::string_view text) {
  if (text == "local") return AccountKind::Local;
  if (text == "online") return AccountKind::Online;
  if (text == "trial") return AccountKind::Trial;
  return MakeError(ErrorCode::Corrupt, "device account: unknown kind '" + std::string(text) + "'");
}

std::string RandomBytes(size_t size) {
  std::string bytes(size, '\0');
  if (getentropy(bytes.data(), bytes.size()) != 0) {
    // NewId falls back to std::random_device itself; eight bytes at a time.
    for (size_t i = 0; i < size; i += 8) {
      int64_t id = NewId();
      for (size_t b = 0; b < 8 && i + b < size; b++) bytes[i + b] = static_cast<char>(id >> (8 * b));
    }
  }
  return bytes;
}

Result<DeviceAccount> ReadAccount(Stmt& stmt) {
  DeviceAccount account;
  account.userId = stmt.Int64(0);
  account.name = stmt.String(1);
  CRM_ASSIGN_OR_RETURN(account.role, ParseRole(stmt.Text(2)));
  CRM_ASSIGN_OR_RETURN(account.kind, ParseAccountKind(stmt.Text(3)));
  account.hasPin = !stmt.IsNull(4);
  account.serverAccount = stmt.String(5);
  account.lastSignInAt = stmt.IsNull(6) ? 0 : stmt.Int64(6);
  account.pinWaitUntil = stmt.IsNull(7) ? 0 : stmt.Int64(7);
  return account;
}

constexpr const char* kAccountColumns =
    "SELECT a.user_id, u.name, u.role, a.kind, a.pin_hash, coalesce(a.server_account, ''), a.last_sign_in_at, "
    "a.wait_until FROM device_accounts a JOIN users u ON u.id = a.user_id ";

Result<Actor> RecordSignIn(Db& db, int64_t userId, int64_t nowMs) {
  CRM_ASSIGN_OR_RETURN(int64_t deviceId, DeviceId(db));
  CRM_ASSIGN_OR_RETURN(User user, GetUser(db, userId));
  if (!user.active) return FieldError(ErrorCode::Denied, "user", Problem::Deactivated, "user: " + user.name + " is deactivated");
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "UPDATE device_accounts SET last_sign_in_at = ?, failed_attempts = 0, wait_until = NULL WHERE user_id = ?"));
  stmt.Bind(1, nowMs).Bind(2, userId);
  CRM_TRY(stmt.Run());
  return Actor{userId, deviceId};
}

}  // namespace

const char* Code(AccountKind kind) {
  switch (kind) {
    case AccountKind::Local: return "local";
    case AccountKind::Online: return "online";
    case AccountKind::Trial: return "trial";
  }
  return "local";
}

Status EnsureDeviceTables(Db& db) {
  // Migration 4 creates device_accounts; a database that has not been migrated says so here.
  auto probe = db.PrepareOnce("SELECT 1 FROM device_accounts LIMIT 0");
  if (!probe) return MakeError(ErrorCode::Schema, "device accounts: the database is not migrated (" + probe.Message() + ")");
  return Ok();
}

Result<int64_t> DeviceId(Db& db) {
  CRM_ASSIGN_OR_RETURN(auto stored, GetMeta(db, kMetaDeviceId));
  if (stored) return ParseStoredInt(*stored, kMetaDeviceId);
  int64_t id = NewId();
  CRM_TRY(SetMeta(db, kMetaDeviceId, std::to_string(id)));
  return id;
}

Result<std::string> DeviceSecret(Db& db) {
  CRM_ASSIGN_OR_RETURN(auto stored, GetMeta(db, kMetaDeviceSecret));
  if (stored && stored->size() == 64) return *stored;
  std::string bytes = RandomBytes(32);
  std::string secret = ToHex(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  CRM_TRY(SetMeta(db, kMetaDeviceSecret, secret));
  return secret;
}

Status ValidatePin(std::string_view pin) {
  if (pin.empty()) return FieldError(ErrorCode::Invalid, "pin", Problem::Required, "PIN: required");
  for (char c : pin) {
    if (c < '0' || c > '9') return FieldError(ErrorCode::Invalid, "pin", Problem::DigitsOnly, "PIN: digits only");
  }
  if (pin.size() < kMinPinDigits || pin.size() > kMaxPinDigits) {
    return FieldError(ErrorCode::Invalid, "pin", Problem::DigitCount,
                      "PIN: " + std::to_string(kMinPinDigits) + " to " + std::to_string(kMaxPinDigits) + " digits",
                      static_cast<int64_t>(kMinPinDigits), static_cast<int64_t>(kMaxPinDigits));
  }
  return Ok();
}

std::string NewPinSalt() { return RandomBytes(16); }

namespace {
std::string EncodePin(const PinRecord& pin) {
  return "pbkdf2-sha256$" + std::to_string(pin.iterations) + "$" +
         ToHex(reinterpret_cast<const uint8_t*>(pin.salt.data()), pin.salt.size()) + "$" +
         ToHex(reinterpret_cast<const uint8_t*>(pin.hash.data()), pin.hash.size());
}

Result<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2) return MakeError(ErrorCode::Corrupt, "PIN hash: odd hex length");
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return MakeError(ErrorCode::Corrupt, "PIN hash: not hex");
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

Result<PinRecord> DecodePin(std::string_view text) {
  constexpr std::string_view kPrefix = "pbkdf2-sha256$";
  if (text.substr(0, kPrefix.size()) != kPrefix) return MakeError(ErrorCode::Corrupt, "PIN hash: unknown scheme");
  text.remove_prefix(kPrefix.size());
  size_t first = text.find('$');
  size_t second = first == std::string_view::npos ? first : text.find('$', first + 1);
  if (second == std::string_view::npos) return MakeError(ErrorCode::Corrupt, "PIN hash: malformed");
  PinRecord pin;
  CRM_ASSIGN_OR_RETURN(int64_t iterations, ParseStoredInt(std::string(text.substr(0, first)), "PIN hash"));
  if (iterations <= 0 || iterations > 10000000) return MakeError(ErrorCode::Corrupt, "PIN hash: bad iteration count");
  pin.iterations = static_cast<uint32_t>(iterations);
  CRM_ASSIGN_OR_RETURN(pin.salt, FromHex(text.substr(first + 1, second - first - 1)));
  CRM_ASSIGN_OR_RETURN(pin.hash, FromHex(text.substr(second + 1)));
  if (pin.iterations == 0 || pin.hash.size() != 32) return MakeError(ErrorCode::Corrupt, "PIN hash: malformed");
  return pin;
}
}  // namespace

Result<std::vector<DeviceAccount>> ListDeviceAccounts(Db& db) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(std::string(kAccountColumns) +
                                             "WHERE u.deleted_at IS NULL AND u.active = 1 ORDER BY a.created_at, u.name"));
  std::vector<DeviceAccount> accounts;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    CRM_ASSIGN_OR_RETURN(DeviceAccount account, ReadAccount(stmt));
    accounts.push_back(std::move(account));
  }
  return accounts;
}

Result<DeviceAccount> GetDeviceAccount(Db& db, int64_t userId) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(std::string(kAccountColumns) + "WHERE a.user_id = ?"));
  stmt.Bind(1, userId);
  CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return MakeError(ErrorCode::NotFound, "user: not registered on this device");
  return ReadAccount(stmt);
}

Status SaveDeviceAccount(Db& db, int64_t userId, AccountKind kind, const std::optional<PinRecord>& pin) {
  CRM_TRY(GetUser(db, userId));
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "INSERT INTO device_accounts(user_id, kind, pin_hash, created_at) VALUES(?, ?, ?, ?) "
      "ON CONFLICT(user_id) DO UPDATE SET kind = excluded.kind, pin_hash = excluded.pin_hash, "
      "failed_attempts = 0, wait_until = NULL"));
  stmt.Bind(1, userId).Bind(2, Code(kind));
  if (pin) stmt.Bind(3, EncodePin(*pin)); else stmt.Bind(3, Null{});
  stmt.Bind(4, NowMs());
  return stmt.Run();
}

Status SetPinBlocking(Db& db, int64_t userId, std::string_view pin) {
  CRM_TRY(ValidatePin(pin));
  CRM_ASSIGN_OR_RETURN(DeviceAccount account, GetDeviceAccount(db, userId));
  PinRecord record;
  record.salt = NewPinSalt();
  Sha256Digest key = Pbkdf2Sha256::Derive(pin, record.salt, record.iterations);
  record.hash.assign(reinterpret_cast<const char*>(key.data()), key.size());
  return SaveDeviceAccount(db, userId, account.kind, record);
}

Status SetAccountKind(Db& db, int64_t userId, AccountKind kind) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("UPDATE device_accounts SET kind = ? WHERE user_id = ?"));
  stmt.Bind(1, Code(kind)).Bind(2, userId);
  return stmt.Run();
}

Status RemoveDeviceAccount(Db& db, int64_t userId) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("DELETE FROM device_accounts WHERE user_id = ?"));
  stmt.Bind(1, userId);
  return stmt.Run();
}

PinRecord MakePinRecord(std::string salt, const Pbkdf2Sha256& finished) {
  PinRecord record;
  record.salt = std::move(salt);
  record.iterations = finished.Iterations();
  record.hash.assign(reinterpret_cast<const char*>(finished.Key().data()), finished.Key().size());
  return record;
}

Result<Actor> CreateLocalAccount(Db& db, std::string_view name, const PinRecord& pin) {
  CRM_ASSIGN_OR_RETURN(int64_t users, db.QueryInt("SELECT count(*) FROM users WHERE deleted_at IS NULL"));
  if (users > 0) {
    return FieldError(ErrorCode::Invalid, "", Problem::AlreadySetUp, "account: this device already has an organisation");
  }
  CRM_ASSIGN_OR_RETURN(int64_t deviceId, DeviceId(db));
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  CRM_ASSIGN_OR_RETURN(Actor owner, EnsureLocalOwner(db, name, deviceId));
  CRM_TRY(SaveDeviceAccount(db, owner.userId, AccountKind::Local, pin));
  CRM_TRY(RecordSignIn(db, owner.userId, NowMs()));
  CRM_TRY(txn.Commit());
  return owner;
}

Result<int64_t> AddDeviceUser(Db& db, std::string_view name, Role role, const PinRecord& pin, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  CRM_ASSIGN_OR_RETURN(int64_t id, CreateUser(db, name, role, std::nullopt, actor));
  CRM_TRY(SaveDeviceAccount(db, id, AccountKind::Local, pin));
  CRM_TRY(txn.Commit());
  return id;
}

Status LinkOnlineAccount(Db& db, int64_t userId, std::string_view serverAccount, std::string_view session) {
  if (serverAccount.empty()) return FieldError(ErrorCode::Invalid, "account", Problem::Required, "account: required");
  CRM_TRY(GetDeviceAccount(db, userId));
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "UPDATE device_accounts SET kind = 'online', server_account = ?, session = ? WHERE user_id = ?"));
  stmt.Bind(1, serverAccount).Bind(2, session).Bind(3, userId);
  return stmt.Run();
}

Result<PinCheck> BeginPinCheck(Db& db, int64_t userId, std::string_view pin, int64_t nowMs) {
  CRM_TRY(ValidatePin(pin));
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT pin_hash, wait_until FROM device_accounts WHERE user_id = ?"));
  stmt.Bind(1, userId);
  CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return FieldError(ErrorCode::NotFound, "user", Problem::NotFound, "user: not registered on this device");
  if (stmt.IsNull(0)) return FieldError(ErrorCode::Invalid, "pin", Problem::NoPin, "PIN: this user has no PIN");
  if (!stmt.IsNull(1) && stmt.Int64(1) > nowMs) {
    int64_t seconds = (stmt.Int64(1) - nowMs + 999) / 1000;
    return FieldError(ErrorCode::Denied, "pin", Problem::WaitSeconds, "PIN: too many wrong PINs, wait " + std::to_string(seconds) + " s",
                      seconds);
  }
  CRM_ASSIGN_OR_RETURN(PinRecord record, DecodePin(stmt.Text(0)));
  return PinCheck{userId, record.hash, Pbkdf2Sha256(pin, record.salt, record.iterations)};
}

Result<Actor> FinishPinCheck(Db& db, const PinCheck& check, int64_t nowMs) {
  if (!check.kdf.Done()) return MakeError(ErrorCode::Invalid, "PIN: check not finished");
  std::string_view derived(reinterpret_cast<const char*>(check.kdf.Key().data()), check.kdf.Key().size());
  if (!ConstantTimeEqual(derived, check.expected)) {
    CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
        "UPDATE device_accounts SET failed_attempts = failed_attempts + 1, "
        "wait_until = CASE WHEN failed_attempts + 1 >= ? THEN ? ELSE wait_until END WHERE user_id = ?"));
    stmt.Bind(1, kPinAttemptsBeforeWait).Bind(2, nowMs + kPinWaitMs).Bind(3, check.userId);
    CRM_TRY(stmt.Run());
    return FieldError(ErrorCode::Denied, "pin", Problem::WrongPin, "PIN: wrong PIN");
  }
  return RecordSignIn(db, check.userId, nowMs);
}

Result<Actor> SignInWithoutPin(Db& db, int64_t userId, int64_t nowMs) {
  CRM_ASSIGN_OR_RETURN(DeviceAccount account, GetDeviceAccount(db, userId));
  if (account.hasPin) return FieldError(ErrorCode::Denied, "pin", Problem::Required, "PIN: required");
  return RecordSignIn(db, userId, nowMs);
}

Result<Actor> MarkSignedIn(Db& db, int64_t userId, int64_t nowMs) { return RecordSignIn(db, userId, nowMs); }

Result<Actor> SignInBlocking(Db& db, int64_t userId, std::string_view pin, int64_t nowMs) {
  CRM_ASSIGN_OR_RETURN(PinCheck check, BeginPinCheck(db, userId, pin, nowMs));
  check.kdf.Step(check.kdf.Iterations());
  return FinishPinCheck(db, check, nowMs);
}

Result<std::optional<int64_t>> LastSignedInUser(Db& db) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "SELECT a.user_id FROM device_accounts a JOIN users u ON u.id = a.user_id "
      "WHERE a.last_sign_in_at IS NOT NULL AND u.deleted_at IS NULL AND u.active = 1 "
      "ORDER BY a.last_sign_in_at DESC LIMIT 1"));
  CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt.Int64(0));
}

Result<DeviceSettings> GetDeviceSettings(Db& db) {
  DeviceSettings settings;
  CRM_ASSIGN_OR_RETURN(auto shared, GetMeta(db, kMetaShared));
  CRM_ASSIGN_OR_RETURN(auto idle, GetMeta(db, kMetaIdleLock));
  CRM_ASSIGN_OR_RETURN(auto trial, GetMeta(db, kMetaTrial));
  CRM_ASSIGN_OR_RETURN(auto highContrast, GetMeta(db, kMetaHighContrast));
  CRM_ASSIGN_OR_RETURN(auto textScale, GetMeta(db, kMetaTextScale));
  settings.shared = shared && *shared == "1";
  settings.trial = trial && *trial == "1";
  settings.highContrast = highContrast && *highContrast == "1";
  // A damaged text size falls back to the normal one: the app must still open to be fixed.
  if (textScale) {
    auto percent = ParseStoredInt(*textScale, kMetaTextScale);
    if (percent && IsTextScale(percent.Value())) settings.textScalePercent = static_cast<int>(percent.Value());
  }
  if (idle) {
    CRM_ASSIGN_OR_RETURN(int64_t seconds, ParseStoredInt(*idle, kMetaIdleLock));
    settings.idleLockSeconds = static_cast<int>(seconds);
  }
  return settings;
}

Status SaveDeviceSettings(Db& db, const DeviceSettings& settings) {
  if (settings.idleLockSeconds < kMinIdleLockSeconds || settings.idleLockSeconds > kMaxIdleLockSeconds) {
    return FieldError(ErrorCode::Invalid, "idle_lock", Problem::OutOfRange,
                      "idle lock: " + std::to_string(kMinIdleLockSeconds) + " to " + std::to_string(kMaxIdleLockSeconds) + " seconds",
                      kMinIdleLockSeconds, kMaxIdleLockSeconds);
  }
  if (!IsTextScale(settings.textScalePercent)) {
    return FieldError(ErrorCode::Invalid, "text_scale", Problem::OutOfRange, "text size: 100 to 150 percent", 100, 150);
  }
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  CRM_TRY(SetMeta(db, kMetaShared, settings.shared ? "1" : "0"));
  CRM_TRY(SetMeta(db, kMetaIdleLock, std::to_string(settings.idleLockSeconds)));
  CRM_TRY(SetMeta(db, kMetaTrial, settings.trial ? "1" : "0"));
  CRM_TRY(SetMeta(db, kMetaHighContrast, settings.highContrast ? "1" : "0"));
  CRM_TRY(SetMeta(db, kMetaTextScale, std::to_string(settings.textScalePercent)));
  return txn.Commit();
}

}  // namespace crm
