#pragma once
// Where the relay keeps what it must never lose: organisations, credentials,
// devices and tokens, and each organisation's log of accepted changesets in
// their one order. Two implementations: SQLite (one file, one process) and
// PostgreSQL (several relay processes share it).
//
// Every call is thread-safe. Secrets arrive already hashed (auth.h): a store
// never sees a password or a token.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "sync/wire.h"

namespace crm::relay {

struct OrgRecord {
  int64_t id = 0;
  std::string name;
  int64_t createdAt = 0;
  int64_t headSeq = 0;
};

// One accepted changeset at its place in the organisation's order.
struct LogEntry {
  int64_t seq = 0;
  int64_t acceptedAtMs = 0;  // the relay's clock; also the conflict log's "at" in the relay's copy
  sync::ChangesetEnvelope envelope;
};

struct TokenRecord {
  int64_t orgId = 0;
  int64_t userId = 0;
  int64_t deviceId = 0;
  int64_t expiresAt = 0;
};

struct DeviceRecord {
  int64_t id = 0;
  std::string name;
  int64_t userId = 0;  // who signed in on it last
  int64_t lastSeen = 0;
  bool revoked = false;
  bool keepUnsent = false;  // revoked, but its unsent changes are still taken (docs/PROTOCOL.md, "Admin")
  bool wiped = false;       // the device reported that it erased its data
};

// What a revoked device is told (403 device_revoked): erase your data, after pushing what is unsent
// when `keepUnsent`. `secretHash`: the secret the id is bound to, for sign-ins naming the device.
struct DeviceRevocation {
  bool keepUnsent = false;
  bool wiped = false;
  std::optional<std::string> secretHash;
};

// A token of a revoked device, in any state of its own (ended, expired): the device must still learn
// that it was revoked rather than be asked to sign in again. `live`: the token itself is neither
// ended nor expired (with keepUnsent, such a token still pushes).
struct RevokedDeviceToken {
  TokenRecord token;
  bool live = false;
  DeviceRevocation revocation;
};

// A device as it signs in: its name, and the SHA-256 of the secret it made at its first start. The
// first sign-in binds the device id to that secret within the organisation; later sign-ins on the
// id must bring the same secret, so nobody can take another device's id (and sign its changes).
struct DeviceClaim {
  std::string name;
  std::string secretHash;
};

// The rule of DeviceClaim, for every store: `revoked` and `boundSecret` are the device's row;
// `userHeldToken`: the signing-in user already held a token on it.
Status CheckDeviceClaim(bool revoked, const std::optional<std::string>& boundSecret, bool userHeldToken, const DeviceClaim& claim);

// A set-up token works for this long after it was made.
constexpr int64_t kSetupTokenLifetimeMs = 24LL * 3600 * 1000;

// What a new organisation starts with, written in one transaction.
struct NewOrganisation {
  std::string setupTokenHash;
  int64_t orgId = 0;
  std::string name;
  int64_t adminUserId = 0;
  std::string adminPasswordHash;
  LogEntry first;  // seq 1: the admin's users row
  int64_t now = 0;
};

// Writes to one organisation's log. While it lives, no other writer of that organisation
// (thread or process) can append: the sequence numbers it hands out are the next ones.
class LogWriter {
 public:
  virtual ~LogWriter() = default;
  virtual int64_t Head() const = 0;
  // Entries after `afterSeq`, seen from inside this writer (at most `limit`, and kMaxReadBytes).
  virtual Result<std::vector<LogEntry>> Read(int64_t afterSeq, int limit) = 0;
  // The sequence numbers already given to these changesets of `deviceId` (a retried push).
  virtual Result<std::map<int64_t, int64_t>> FindLogged(int64_t deviceId, const std::vector<int64_t>& changesetIds) = 0;
  // Appends after Head(); entries carry seq Head()+1, Head()+2, …
  virtual Status Append(const std::vector<LogEntry>& entries) = 0;
  // Durable when it returns Ok. Without a commit, nothing of this writer is stored.
  virtual Status Commit() = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  virtual std::string Kind() const = 0;  // "sqlite" or "postgres", for /healthz and logs

  // --- set-up tokens and organisations
  virtual Status AddSetupToken(const std::string& hash, int64_t now) = 0;
  // The secret device keys are derived from (POST /v1/device_key): `candidate` (64 hex digits) is kept the first
  // time, and whatever is kept is returned, so every relay process on one store answers the same key.
  virtual Result<std::string> DeviceKeySecret(const std::string& candidate) = 0;
  // Unused and not expired at `now`.
  virtual Result<int64_t> CountUnusedSetupTokens(int64_t now) = 0;
  // Denied: the set-up token is unknown or expired (kSetupTokenLifetimeMs). Conflict: it was used, or the name is taken.
  virtual Status CreateOrganisation(const NewOrganisation& org) = 0;
  virtual Result<std::optional<OrgRecord>> FindOrganisation(const std::string& name) = 0;
  virtual Result<int64_t> CountOrganisations() = 0;

  // --- passwords (Argon2id strings)
  virtual Status SetPassword(int64_t orgId, int64_t userId, const std::string& hash, int64_t now) = 0;
  virtual Result<std::optional<std::string>> PasswordHash(int64_t orgId, int64_t userId) = 0;
  virtual Result<std::set<int64_t>> UsersWithPassword(int64_t orgId) = 0;

  // --- devices and tokens
  // Registers (or renames) the device and stores the token. Denied when the device was revoked, or its id
  // is bound to another secret (DeviceClaim). An id from before secrets existed is bound by the first
  // sign-in of a user who already held a token on it.
  virtual Status AddToken(const std::string& hash, const TokenRecord& token, const DeviceClaim& device, int64_t now) = 0;
  // Only a usable token: known, not expired, not revoked, its device not revoked.
  virtual Result<std::optional<TokenRecord>> FindToken(const std::string& hash, int64_t now) = 0;
  virtual Status RevokeToken(const std::string& hash, int64_t now) = 0;
  // Every token of the user, on every device (a new password, a deactivation).
  virtual Status RevokeUserTokens(int64_t orgId, int64_t userId, int64_t now) = 0;
  virtual Status TouchDevice(int64_t orgId, int64_t deviceId, int64_t userId, int64_t now) = 0;
  virtual Result<std::vector<DeviceRecord>> ListDevices(int64_t orgId) = 0;
  // NotFound when the organisation has no such device. Without `keepUnsent` every token of the device
  // ends; with it they keep pushing (only) until the device reports it wiped. Revoking again sets
  // keepUnsent anew.
  virtual Status RevokeDevice(int64_t orgId, int64_t deviceId, bool keepUnsent, int64_t now) = 0;
  // The token's device when it is revoked (whatever the token's own state); empty otherwise.
  virtual Result<std::optional<RevokedDeviceToken>> FindRevokedDeviceToken(const std::string& hash, int64_t now) = 0;
  // The device's revocation, when it is revoked; empty otherwise (also for an unknown device).
  virtual Result<std::optional<DeviceRevocation>> FindDeviceRevocation(int64_t orgId, int64_t deviceId) = 0;
  // The device erased its data: no more pushes, every token ends.
  virtual Status MarkDeviceWiped(int64_t orgId, int64_t deviceId, int64_t now) = 0;
  // The devices the user ever held a token on, each with every user who ever held one there.
  virtual Result<std::map<int64_t, std::set<int64_t>>> DeviceHolders(int64_t orgId, int64_t userId) = 0;
  // Who is signed in on the device at `now`: the users holding a token there that has neither ended
  // (signed out, revoked) nor expired. A shared tablet's scope is the union of theirs.
  virtual Result<std::set<int64_t>> SignedInUsers(int64_t orgId, int64_t deviceId, int64_t now) = 0;

  // --- the company directory (GET /v1/directory)
  // The organisation's directory key (core/directory.h): the one stored, or `fresh` (random, made by the caller)
  // stored now when it has none. Made once and kept: every phone digest a device holds is under it.
  virtual Result<std::string> DirectoryKey(int64_t orgId, const std::string& fresh, int64_t now) = 0;

  // --- the log
  virtual Result<int64_t> HeadSeq(int64_t orgId) = 0;
  virtual Result<std::vector<LogEntry>> ReadLog(int64_t orgId, int64_t afterSeq, int limit) = 0;
  virtual Result<std::unique_ptr<LogWriter>> BeginWrite(int64_t orgId) = 0;

  // Called (from a store thread) when another process moved an organisation's head, so
  // waiting pulls wake up. The SQLite store has no other process and never calls it.
  virtual void OnRemoteHead(std::function<void(int64_t orgId, int64_t head)> callback) { (void)callback; }
  // Stops background threads; further calls fail.
  virtual void Close() {}
};

// Opens "sqlite:PATH" or "postgres://…"/"postgresql://…" (or a libpq "key=value" string
// prefixed with "postgres:"), creating the tables when missing.
struct StoreOptions {
  bool durable = true;   // SQLite: synchronous=FULL; off only for the fuzzer
  int connections = 8;   // PostgreSQL connection pool size
};
Result<std::unique_ptr<Store>> OpenStore(const std::string& spec, const StoreOptions& options = {});

// Where a store spec keeps the organisations' copies when none is given: next to an SQLite
// store (PATH.orgs), in ./relay-copies for PostgreSQL.
std::string DefaultCopiesDir(const std::string& spec);

// Limits of the log, the same for every store. A read of the log stops before the entry that would
// take it past kMaxReadBytes (the first entry always comes), and a pushed changeset is at most
// kMaxChangesetBytes: a pull answer stays well below a device's message limit (sync/wire.h).
constexpr int kMaxPullLimit = 1000;
constexpr int kMaxBatch = 1000;
constexpr size_t kMaxReadBytes = 16u << 20;
constexpr size_t kMaxChangesetBytes = 12u << 20;
static_assert(kMaxReadBytes + kMaxChangesetBytes + (1u << 20) < sync::kMaxMessageBytes, "a pull answer must fit a device's limit");

}  // namespace crm::relay
