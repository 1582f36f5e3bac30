#pragma once
// Sign-in: the welcome screen of a fresh device (trial, local account, online
// sign-in), the lock screen of a device with accounts (pick a person, enter a
// PIN), and turning a trial into a real account.
//
// PINs are hashed with PBKDF2 (core/accounts.h); the hash runs in slices of a
// few milliseconds per frame (RunPinJob), so no frame blocks while a PIN is
// checked or set.
//
// Online sign-in: the screen collects server, account and password and hands
// them to AppState::requestOnlineSignIn, which the platform provides once the
// relay has an auth API. Until then it is empty and the screen says so.
//
// Unlock: a device whose data is encrypted (web/storage.js, docs/DESIGN.md "Encryption at rest") opens
// nothing before a person in its keyring gives their PIN or password; the names come from the keyring.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/accounts.h"
#include "core/result.h"
#include "ui/i18n.h"

namespace crm::ui {

struct AppState;

enum class SignInStep { Choose, CreateAccount, Online, PickUser, EnterPin, Convert };

// A PIN being hashed across frames, and what to do when it is done.
struct PinJob {
  enum class Purpose { Verify, NewAccount, NewUser, Convert };
  Purpose purpose = Purpose::Verify;
  std::string salt;  // for new PINs
  PinCheck check;    // check.kdf runs; check.expected is empty for new PINs
  int64_t startedMs = 0;
};

struct OnlineSignInRequest {
  std::string server;
  std::string account;
  std::string password;
};

struct SignInState {
  SignInStep step = SignInStep::Choose;
  std::string name, pin, pinAgain;
  std::string server, account, password;
  std::string nameError, pinError, pinAgainError, formError;
  std::string formNotice;   // progress of an online sign-in (signing in, downloading the company's data)
  bool onlineBusy = false;  // an online sign-in is on its way: the button waits
  bool keepDemo = true;
  bool focusField = false;  // focus the step's first field on its first frame
  int64_t userId = 0;       // the person picked on the lock screen
  int64_t pinWaitUntil = 0; // after too many wrong PINs: the PIN field waits until then, counting down (ms)
  bool wipedNotice = false; // an administrator revoked this device and its data was erased (core/wipe.h): say so
  std::vector<DeviceAccount> accounts;
  std::optional<PinJob> job;
  // New-user fields come from the people screen; kept here so the job can finish them.
  Role newUserRole = Role::Rep;
  double lastSwitchMs = 0;  // PIN submitted → signed in, for tests and the report
};

// How a person opens this device's encrypted data: a local account's PIN, or an online account's password.
enum class DeviceKeyKind { Pin, Password };
const char* Code(DeviceKeyKind kind);  // "pin", "password"

// One person who may open the device (staff names only: the keyring is not encrypted).
struct DeviceKeyEntry {
  int64_t userId = 0;
  std::string name;
  Role role = Role::Rep;
  DeviceKeyKind kind = DeviceKeyKind::Pin;
};

// The unlock step, and what the platform does with the device's data key. The hooks are empty where
// nothing is encrypted (native builds; tests give a fake).
struct UnlockState {
  std::vector<DeviceKeyEntry> keyring;
  bool encrypted = false;  // the data on this device is stored encrypted
  int64_t userId = 0;      // the person picked; 0 while the list shows
  std::string secret, secretError;
  bool busy = false;       // the secret is being tried (a key derivation of about half a second)
  bool focusField = false;
  int64_t waitUntil = 0;   // after too many wrong secrets: the field waits until then, counting down (ms)
  // Tries a secret; the answer comes back as UnlockRefused, or as the opened database with the person signed in.
  std::function<void(int64_t userId, const std::string& secret)> tryUnlock;
  // Wraps the data key for a person (the first wrap makes the key and re-saves everything encrypted).
  std::function<void(const DeviceKeyEntry& who, const std::string& secret)> protect;
};

void DrawWelcome(AppState& state);
void DrawUnlock(AppState& state);
// The secret did not open the device; `waitUntil` (ms, 0: none) is when the next try may come.
void UnlockRefused(AppState& state, int64_t waitUntil);
// A person just proved a secret (set or checked a PIN, signed in online): the device's data is encrypted
// for them. A trial stays unencrypted; a PIN wraps only on a device not linked to a relay, so a PIN alone
// never opens an online organisation's data.
void ProtectDeviceFor(AppState& state, int64_t userId, DeviceKeyKind kind, const std::string& secret);
void DrawLocked(AppState& state);
void DrawConvertTrial(AppState& state);

// Starts hashing a new PIN for `purpose`; the result lands when RunPinJob finishes it.
void StartNewPinJob(AppState& state, PinJob::Purpose purpose, const std::string& pin);
// Advances the PIN job by a slice (about 8 ms) and finishes it when done. Call once per frame.
void RunPinJob(AppState& state);
bool PinJobRunning(const AppState& state);

// Reloads the accounts listed on the lock screen.
void RefreshAccounts(AppState& state);

// What a failed online sign-in says, in the person's language, from the error's code (never the relay's
// message): a wrong account or password, a device an administrator revoked, else as DescribeError words it.
std::string OnlineSignInErrorText(Lang lang, const Error& error);

}  // namespace crm::ui
