#pragma once
// Accounts on this device: who may sign in here, with which PIN, and the
// device's own settings (its id, shared-tablet mode, idle lock, trial).
//
// Organisation users (core/org.h) travel between devices; what is stored here
// does not. A PIN is a device-local secret: only a salted PBKDF2-HMAC-SHA256
// hash of it is kept, in the local-only table `device_accounts`, never synced.
//
// Account kinds:
//  - Local: created on this device, works offline only (until it is linked).
//  - Online: signed in against the relay; `serverAccount` names the account
//    and `session` holds the relay's device token. Nothing creates Online
//    accounts yet: the relay's auth API does not exist. LinkOnlineAccount is
//    where a successful online sign-in will record itself.
//  - Trial: the demo organisation's user; no account anywhere.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/customers.h"
#include "core/db.h"
#include "core/enums.h"
#include "core/sha256.h"

namespace crm {

enum class AccountKind { Local, Online, Trial };
const char* Code(AccountKind kind);

// What the sign-in screen lists.
struct DeviceAccount {
  int64_t userId = 0;
  std::string name;
  Role role = Role::Rep;
  AccountKind kind = AccountKind::Local;
  bool hasPin = false;
  std::string serverAccount;  // Online only
  int64_t lastSignInAt = 0;
  int64_t pinWaitUntil = 0;   // after too many wrong PINs: no PIN is checked before this time (ms); 0: none
};

constexpr size_t kMinPinDigits = 4;
constexpr size_t kMaxPinDigits = 8;
// PBKDF2 cost. A PIN has few possible values, so no iteration count protects it
// against someone holding the device's storage; the hash keeps the PIN itself
// out of the database and slows guessing. Tuned so a check stays well under the
// 2 s switching target in the browser, run in slices between frames.
constexpr uint32_t kPinIterations = 60000;
constexpr int kPinAttemptsBeforeWait = 5;
constexpr int64_t kPinWaitMs = 30000;

// Creates the local-only tables when missing. Idempotent; call after Migrate().
Status EnsureDeviceTables(Db& db);

// This device's random id, made once and kept in app_meta.
Result<int64_t> DeviceId(Db& db);
// The secret that proves the id to the relay (sign-in binds the id to it): 32 random bytes as hex,
// made once with the id and kept beside it, never synced.
Result<std::string> DeviceSecret(Db& db);

// "1234" .. "12345678", ASCII digits only; errors are about the field "pin".
Status ValidatePin(std::string_view pin);

// The salted hash to store for a PIN: "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>".
struct PinRecord {
  std::string salt;  // raw bytes
  uint32_t iterations = kPinIterations;
  std::string hash;  // raw bytes
};
std::string NewPinSalt();

Result<std::vector<DeviceAccount>> ListDeviceAccounts(Db& db);
Result<DeviceAccount> GetDeviceAccount(Db& db, int64_t userId);

// Registers an organisation user on this device with a PIN hash already derived
// (see PinCheck below for deriving it without blocking a frame). `pin` may be empty: no PIN.
Status SaveDeviceAccount(Db& db, int64_t userId, AccountKind kind, const std::optional<PinRecord>& pin);
// Convenience for tests and native tools: derives the hash in one call.
Status SetPinBlocking(Db& db, int64_t userId, std::string_view pin);
Status SetAccountKind(Db& db, int64_t userId, AccountKind kind);
Status RemoveDeviceAccount(Db& db, int64_t userId);

// A derived PIN record from a finished Pbkdf2Sha256 over `salt`.
PinRecord MakePinRecord(std::string salt, const Pbkdf2Sha256& finished);

// The first account of a fresh device: an admin of a new, empty organisation, with a PIN. Invalid when the
// device already has users (a trial converts through ConvertTrialToAccount instead).
Result<Actor> CreateLocalAccount(Db& db, std::string_view name, const PinRecord& pin);
// Another person on this device (shared tablet): an organisation user with a PIN. Admins only.
Result<int64_t> AddDeviceUser(Db& db, std::string_view name, Role role, const PinRecord& pin, const Actor& actor);

// Where online sign-in will plug in: records the relay account and device token for a user.
Status LinkOnlineAccount(Db& db, int64_t userId, std::string_view serverAccount, std::string_view session);

// PIN verification, in two halves so the slow part can run in slices:
//   auto check = BeginPinCheck(db, userId, pin, now);   // refuses during a wait after failed attempts
//   while (!check.Value().kdf.Step(2000)) { ...next frame... }
//   auto actor = FinishPinCheck(db, check.Value(), now);  // Denied "PIN: wrong PIN" or the signed-in Actor
struct PinCheck {
  int64_t userId = 0;
  std::string expected;  // stored hash
  Pbkdf2Sha256 kdf;
};
Result<PinCheck> BeginPinCheck(Db& db, int64_t userId, std::string_view pin, int64_t nowMs);
Result<Actor> FinishPinCheck(Db& db, const PinCheck& check, int64_t nowMs);
// Signs in an account without a PIN (a personal device) or after a finished check.
Result<Actor> SignInWithoutPin(Db& db, int64_t userId, int64_t nowMs);
// For a user who has just proven who they are another way (they set this PIN a moment ago).
Result<Actor> MarkSignedIn(Db& db, int64_t userId, int64_t nowMs);
Result<Actor> SignInBlocking(Db& db, int64_t userId, std::string_view pin, int64_t nowMs);

// Who signed in last: a personal device resumes with them.
Result<std::optional<int64_t>> LastSignedInUser(Db& db);

// Device settings (local, never synced).
struct DeviceSettings {
  bool shared = false;             // shared tablet: starts locked, auto-locks when idle
  int idleLockSeconds = 120;       // auto-lock after this long without input (shared mode)
  bool trial = false;              // the demo organisation is loaded
  // How this device shows the app (its reader's eyes, not the organisation's data): stays on the device.
  bool highContrast = false;
  int textScalePercent = 100;      // one of kTextScales
};
constexpr int kTextScales[] = {100, 125, 150};
constexpr int kMinIdleLockSeconds = 15;
constexpr int kMaxIdleLockSeconds = 3600;
Result<DeviceSettings> GetDeviceSettings(Db& db);
Status SaveDeviceSettings(Db& db, const DeviceSettings& settings);

}  // namespace crm
