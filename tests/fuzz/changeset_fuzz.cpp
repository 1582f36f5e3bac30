// libFuzzer target: changesets built from a recipe. The input is not a changeset: it is read as a
// list of decisions (which table, which columns, which operation, which values) from which a
// changeset in SQLite's session format is written. So nearly every input reaches the row-by-row
// code instead of dying in the parser: the relay's push check (sync/relay/push_check.cpp) and the
// conflict policy (sync::ApplyWithPolicy) on rows that exist, where DATA, NOTFOUND and CONFLICT are
// handled. The relay answers below 500 and nothing crashes.
//
// The format (SQLite ext/session/sqlite3session.h, "Changeset format"): a table header 'T' (or 'P'
// for a patchset, which the relay refuses), a varint column count, one primary-key byte per column,
// the NUL-terminated table name; then records: the operation (SQLITE_INSERT 18, SQLITE_DELETE 9,
// SQLITE_UPDATE 23), an "indirect" byte, and values. INSERT carries the new row, DELETE the old
// one, UPDATE the old values then the new ones, a column it does not change being "undefined".
// A value is a type byte (0 undefined, 1 integer, 2 real, 3 text, 4 blob, 5 NULL) then, for 1 and
// 2, eight big-endian bytes; for 3 and 4, a varint length and the bytes.
//
// Built with clang (-fsanitize=fuzzer,address,undefined) in build/fuzz, like crm-relay-fuzz.
// CRM_FUZZ_SEEDS=DIR writes seed recipes into an empty DIR first.
#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/contacts.h"
#include "core/customers.h"
#include "core/followups.h"
#include "core/ids.h"
#include "core/schema.h"
#include "sync/apply.h"
#include "sync/changeset.h"
#include "fuzz_support.h"
#include "sync/relay/service.h"
#include "sync/wire.h"

namespace {

using namespace crm;

// The recipe: decisions taken from the input in order; once it runs out, every answer is the
// default, so a short input still makes a whole changeset.
class Recipe {
 public:
  Recipe(const uint8_t* data, size_t size) : m_data(data), m_size(size) {}

  bool Done() const { return m_at >= m_size; }
  uint8_t TakeByte(uint8_t fallback = 0) { return Done() ? fallback : m_data[m_at++]; }
  // In [0, below); 0 when out of bytes.
  uint32_t TakeInt(uint32_t below) {
    if (below <= 1) return 0;
    uint32_t value = TakeByte();
    if (below > 256) value = value << 8 | TakeByte();
    return value % below;
  }
  // One chance in `odds`; never when out of bytes (the plain path is the default).
  bool OneIn(uint32_t odds) { return !Done() && TakeInt(odds) == 0; }
  uint64_t TakeInt64() {
    uint64_t value = 0;
    for (int i = 0; i < 8; i++) value = value << 8 | TakeByte();
    return value;
  }
  std::string TakeBytes(size_t size) {
    std::string bytes;
    while (bytes.size() < size && !Done()) bytes += static_cast<char>(TakeByte());
    return bytes;
  }

 private:
  const uint8_t* m_data;
  size_t m_size;
  size_t m_at = 0;
};

// The value type bytes of the format.
enum ValueKind : uint8_t { kUndefined = 0, kInteger = 1, kFloat = 2, kText = 3, kBlob = 4, kNull = 5 };

// sqlite3PutVarint: 1 to 9 bytes, big-endian, seven bits a byte with the high bit meaning "more",
// the ninth byte (for values above 56 bits) holding eight.
void PutVarint(std::string& out, uint64_t value) {
  uint8_t buffer[10];
  if (value & (uint64_t{0xff000000} << 32)) {
    buffer[8] = static_cast<uint8_t>(value);
    value >>= 8;
    for (int i = 7; i >= 0; i--) {
      buffer[i] = static_cast<uint8_t>((value & 0x7f) | 0x80);
      value >>= 7;
    }
    out.append(reinterpret_cast<char*>(buffer), 9);
    return;
  }
  int n = 0;
  do {
    buffer[n++] = static_cast<uint8_t>((value & 0x7f) | 0x80);
    value >>= 7;
  } while (value != 0);
  buffer[0] &= 0x7f;
  for (int i = n - 1; i >= 0; i--) out += static_cast<char>(buffer[i]);
}

void PutBigEndian(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>(value >> shift);
}

// Encoded values (type byte included), as a changeset carries them.
std::string EncodeInteger(int64_t value) {
  std::string out(1, kInteger);
  PutBigEndian(out, static_cast<uint64_t>(value));
  return out;
}
std::string EncodeFloat(double value) {
  uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  std::string out(1, kFloat);
  PutBigEndian(out, bits);
  return out;
}
std::string EncodeBytes(ValueKind kind, const std::string& bytes) {
  std::string out(1, static_cast<char>(kind));
  PutVarint(out, bytes.size());
  return out + bytes;
}

// A synced table as the schema has it, and a few of its rows in the seeded database.
struct TableModel {
  std::string name;
  std::vector<std::string> columns;
  std::vector<uint8_t> pk;  // pragma_table_info's pk: 0, or the column's place in the key
  std::vector<std::vector<std::string>> rows;  // encoded values, one per column
};

struct Fixture {
  std::string dir;
  std::unique_ptr<relay::Service> service;
  std::string adminToken, repToken;
  int64_t repId = 0, repDevice = 0;
  // The database the policy applies to: seeded once; each input is applied in a transaction that
  // is rolled back, so every input meets the same rows.
  std::unique_ptr<Db> db;
  std::vector<TableModel> tables;
};
Fixture* g_fixture = nullptr;

using fuzz::JsonField;

relay::ApiResponse Post(const std::string& path, const std::string& body, const std::string& token = "") {
  return fuzz::PostJson(*g_fixture->service, path, body, token);
}

relay::ApiResponse Push(const std::vector<uint8_t>& changeset, int64_t changesetId) {
  sync::ChangesetEnvelope envelope{changesetId, g_fixture->repId, g_fixture->repDevice, LatestSchemaVersion(), NowMs(), changeset};
  std::vector<uint8_t> body = sync::EncodePush(sync::PushRequest{{envelope}});
  relay::ApiRequest request;
  request.method = "POST";
  request.path = "/v1/push";
  request.remote = "fuzz";
  request.authorization = "Bearer " + g_fixture->repToken;
  request.contentType = "application/x-crm";
  request.body.assign(body.begin(), body.end());
  return g_fixture->service->Handle(request);
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "fuzz: %s\n", what.c_str());
  std::abort();
}

void SetUpRelay() {
  char pattern[] = "/tmp/crm-changeset-fuzz-XXXXXX";
  g_fixture->dir = mkdtemp(pattern);
  auto service = relay::Service::Open(fuzz::FuzzRelayOptions(g_fixture->dir));
  if (!service) Die("cannot open the relay: " + service.Message());
  g_fixture->service = std::move(service).Value();
  std::string token = g_fixture->service->NewSetupToken().Value();
  auto setup = Post("/v1/setup", "{\"setup_token\":\"" + token +
                                     "\",\"organisation\":\"种子公司\",\"admin_name\":\"admin\",\"password\":\"admin password\",\"device_id\":\"11\",\"device_secret\":\"" + std::string(40, 'a') + "\"}");
  g_fixture->adminToken = JsonField(setup.body, "token");
  auto rep = Post("/v1/admin/users", "{\"name\":\"rep\",\"role\":\"rep\",\"password\":\"rep password\"}", g_fixture->adminToken);
  g_fixture->repId = std::strtoll(JsonField(rep.body, "user_id").c_str(), nullptr, 10);
  g_fixture->repDevice = 12;
  auto signin = Post("/v1/signin", "{\"organisation\":\"种子公司\",\"user\":\"rep\",\"password\":\"rep password\",\"device_id\":\"12\",\"device_secret\":\"" + std::string(40, 'b') + "\"}");
  g_fixture->repToken = JsonField(signin.body, "token");
  if (g_fixture->adminToken.empty() || g_fixture->repToken.empty()) Die("set-up failed: " + setup.body + " / " + signin.body);
}

std::string EncodeColumn(Stmt& stmt, int column) {
  switch (stmt.Type(column)) {
    case ValueType::Integer: return EncodeInteger(stmt.Int64(column));
    case ValueType::Real: return EncodeFloat(stmt.Double(column));
    case ValueType::Text: return EncodeBytes(kText, stmt.String(column));
    case ValueType::Blob: {
      std::vector<uint8_t> blob = stmt.Blob(column);
      return EncodeBytes(kBlob, std::string(blob.begin(), blob.end()));
    }
    case ValueType::Null: break;
  }
  return std::string(1, kNull);
}

// The rep's customers, contacts, activities and follow-ups, made through core as a device makes
// them, then pushed to the relay too: both sides hold the same rows, so recipes that name an
// existing row reach the conflict paths on both.
void SetUpDatabase() {
  auto opened = Db::OpenMemory();
  if (!opened) Die("cannot open a database: " + opened.Message());
  g_fixture->db = std::make_unique<Db>(std::move(opened).Value());
  Db& db = *g_fixture->db;
  if (Status migrated = Migrate(db); !migrated) Die("cannot migrate: " + migrated.Message());
  (void)db.Exec("INSERT INTO users (id, name, role, created_at, updated_at, created_by, updated_by, device_id) VALUES (" +
                std::to_string(g_fixture->repId) + ", 'rep', 'rep', 1, 1, 1, 1, 1)");
  // Fixed ids: a recipe that crashed replays on the same keys in another process.
  SeedIdsForTesting(20240607);
  Actor actor{g_fixture->repId, g_fixture->repDevice};
  auto capture = sync::ChangesetCapture::Start(db, SyncedTables());
  if (!capture) Die("cannot capture: " + capture.Message());
  const char* names[] = {"门窗经销商", "会务公司", "工业供应", "小店"};
  for (int i = 0; i < 4; i++) {
    CustomerInput input;
    input.name = names[i];
    input.phones = {"1380000111" + std::to_string(i)};
    input.tags = {i % 2 ? "门窗" : "会展"};
    input.notes = i == 0 ? "" : "备注" + std::to_string(i);
    auto customer = CreateCustomer(db, input, actor);
    if (!customer) Die("cannot seed a customer: " + customer.Message());
    ContactInput contact;
    contact.name = "联系人" + std::to_string(i);
    contact.phone = "1390000222" + std::to_string(i);
    contact.title = "经理";
    (void)AddContact(db, customer.Value(), contact, actor);
    ActivityInput activity;
    activity.customerId = customer.Value();
    activity.occurredAt = 1700000000000 + i;
    activity.summary = "拜访";
    (void)LogActivity(db, activity, actor);
    (void)ScheduleFollowup(db, customer.Value(), 1800000000000 + i, FollowupReason::Manual, "回访", actor);
  }
  auto changeset = capture.Value().Changeset();
  SeedIdsForTesting(0);
  if (!changeset) Die("cannot read the seed changeset: " + changeset.Message());
  auto pushed = Push(changeset.Value(), 1);
  if (pushed.status != 200) std::fprintf(stderr, "fuzz: the seed push answered %d: %s\n", pushed.status, pushed.body.c_str());

  for (const std::string& name : SyncedTables()) {
    TableModel table;
    table.name = name;
    auto info = db.Prepare("SELECT name, pk FROM pragma_table_info(?) ORDER BY cid");
    if (!info) Die(info.Message());
    info.Value().Bind(1, name);
    while (info.Value().Step().ValueOr(false)) {
      table.columns.push_back(info.Value().String(0));
      table.pk.push_back(static_cast<uint8_t>(info.Value().Int64(1)));
    }
    auto rows = db.Prepare("SELECT * FROM \"" + name + "\" LIMIT 8");
    if (!rows) Die(rows.Message());
    while (rows.Value().Step().ValueOr(false)) {
      std::vector<std::string> row;
      for (int i = 0; i < rows.Value().ColumnCount(); i++) row.push_back(EncodeColumn(rows.Value(), i));
      table.rows.push_back(std::move(row));
    }
    g_fixture->tables.push_back(std::move(table));
  }
}

// A value the recipe chooses for one column: the row's own value most often (so old values match
// and keys exist), else anything the format allows.
std::string ChooseValue(Recipe& recipe, const std::string* existing, bool key) {
  if (recipe.Done()) return existing ? *existing : std::string(1, kNull);
  uint32_t choice = recipe.TakeInt(key ? 32 : 24);
  if (existing && choice >= 12) return *existing;
  switch (choice) {
    case 0: return std::string(1, kUndefined);
    case 1: return std::string(1, kNull);
    case 2: return EncodeInteger(static_cast<int64_t>(recipe.TakeInt(8)) - 2);
    case 3: return EncodeInteger(static_cast<int64_t>(recipe.TakeInt64()));
    case 4: {
      uint64_t bits = recipe.TakeInt64();
      double value = 0;
      std::memcpy(&value, &bits, sizeof value);
      return EncodeFloat(recipe.OneIn(2) ? value : static_cast<double>(recipe.TakeInt(100)) / 4);
    }
    case 5: return EncodeBytes(kText, recipe.TakeBytes(recipe.TakeInt(16)));
    case 6: return EncodeBytes(kBlob, recipe.TakeBytes(recipe.TakeInt(16)));
    case 7: return EncodeBytes(kText, std::string(recipe.TakeInt(4096), 'x'));
    case 8: return EncodeBytes(kText, "1");  // affinity turns it into an integer
    case 9: return EncodeFloat(1.0);
    case 10: return EncodeBytes(kText, "");
    case 11: return EncodeInteger(g_fixture->repId);  // the author, as created_by and updated_by must be
    default: return EncodeInteger(static_cast<int64_t>(recipe.TakeInt(4)) + 1);
  }
}

// One changeset from the recipe: one to four table sections of one to six records each.
std::vector<uint8_t> Generate(Recipe& recipe) {
  const auto& tables = g_fixture->tables;
  std::string out;
  int sections = 1 + static_cast<int>(recipe.TakeInt(4));
  for (int section = 0; section < sections; section++) {
    // The header: a real table most of the time, with its real shape most of the time.
    char kind = section > 0 && recipe.OneIn(12) ? 'P' : 'T';
    uint32_t pick = recipe.TakeByte();
    const TableModel* table = &tables[pick % tables.size()];
    std::string name = table->name;
    std::vector<uint8_t> pk = table->pk;
    if (pick >= 232) {
      switch (pick % 6) {
        case 0: name = "no_such_table"; break;
        case 1: name = std::string(300 + recipe.TakeInt(4000), 'n'); break;
        case 2: name = "customer_fts"; break;
        case 3: name = "device_accounts"; break;
        case 4: name = recipe.TakeBytes(recipe.TakeInt(12)); break;
        default: name = "sqlite_master"; break;
      }
      name.erase(std::remove(name.begin(), name.end(), '\0'), name.end());
    }
    if (recipe.OneIn(10)) {
      // A wrong column count: fewer (an older app), more (a newer one), or none at all.
      uint32_t size = recipe.TakeInt(3) == 0 ? recipe.TakeInt(static_cast<uint32_t>(pk.size()) + 4)
                                             : static_cast<uint32_t>(pk.size()) - 1;
      pk.resize(size, 0);
    }
    if (!pk.empty() && recipe.OneIn(12)) pk[recipe.TakeInt(static_cast<uint32_t>(pk.size()))] ^= 1;
    out += kind;
    PutVarint(out, pk.size());
    for (uint8_t flag : pk) out += static_cast<char>(flag);
    out += name;
    out += '\0';

    int records = 1 + static_cast<int>(recipe.TakeInt(6));
    for (int record = 0; record < records; record++) {
      const uint8_t kOps[] = {SQLITE_INSERT, SQLITE_UPDATE, SQLITE_DELETE};
      uint8_t op = kOps[recipe.TakeInt(3)];
      if (recipe.OneIn(64)) op = recipe.TakeByte();
      out += static_cast<char>(op);
      out += static_cast<char>(recipe.OneIn(8) ? 1 : 0);
      // The row it starts from: one of the table's rows, or none (a key nobody has).
      bool fromRow = recipe.TakeInt(4) != 0;
      uint32_t which = recipe.TakeByte();
      const std::vector<std::string>* row = fromRow && !table->rows.empty() ? &table->rows[which % table->rows.size()] : nullptr;
      auto existing = [&](size_t column) { return row && column < row->size() ? &(*row)[column] : nullptr; };
      if (op == SQLITE_UPDATE) {
        // Old values, then new: a key is in the old record only (now and then in both); another
        // column is either left alone (undefined in both) or changed, from its value, another one,
        // or undefined. Both values are always taken, so each column reads the same bytes.
        std::string before, after;
        for (size_t i = 0; i < pk.size(); i++) {
          uint32_t mode = recipe.TakeInt(16);
          std::string from = ChooseValue(recipe, existing(i), pk[i] != 0);
          std::string to = ChooseValue(recipe, nullptr, false);
          bool changed = pk[i] ? mode == 15 : mode < 6;
          before += pk[i] || changed ? from : std::string(1, kUndefined);
          after += changed ? to : std::string(1, kUndefined);
        }
        out += before + after;
      } else {
        for (size_t i = 0; i < pk.size(); i++) out += ChooseValue(recipe, existing(i), pk[i] != 0);
      }
    }
  }
  // Now and then a changeset cut short.
  if (recipe.OneIn(32) && !out.empty()) out.resize(out.size() - 1 - recipe.TakeInt(static_cast<uint32_t>(out.size())));
  return std::vector<uint8_t>(out.begin(), out.end());
}

// Seed recipes, written in the order Generate reads them: for each table, inserts, updates and
// deletes of its seeded rows with their own values (an update changes every other column to 1);
// a patchset section after a changeset one; fresh rows. The fuzzer mutates from there.
void WriteSeeds(const std::string& dir) {
  std::filesystem::create_directories(dir);
  if (!std::filesystem::is_empty(dir)) return;
  // A section of `records` records of one operation (0 insert, 1 update, 2 delete) on table `pick`.
  auto section = [](uint8_t pick, uint8_t op, uint8_t records, bool fresh) {
    const TableModel& table = g_fixture->tables[pick % g_fixture->tables.size()];
    std::string bytes{static_cast<char>(pick), '\x01', '\x01', static_cast<char>(records - 1)};
    for (uint8_t record = 0; record < records; record++) {
      bytes += std::string{static_cast<char>(op), '\x01', '\x01', fresh ? '\x00' : '\x01', static_cast<char>(record)};
      for (size_t column = 0; column < table.columns.size(); column++) {
        if (op == 1) bytes += std::string("\x00\x0c\x02\x03", 4);
        else bytes += fresh ? std::string("\x0b\x05", 2) : std::string("\x0c");
      }
    }
    return bytes;
  };
  std::vector<std::string> seeds;
  for (uint8_t pick = 0; pick < g_fixture->tables.size(); pick++) {
    for (uint8_t op = 0; op < 3; op++) seeds.push_back(std::string(1, '\x00') + section(pick, op, 3, false));
    seeds.push_back(std::string(1, '\x00') + section(pick, 0, 2, true));
  }
  uint8_t customers = static_cast<uint8_t>(std::find(SyncedTables().begin(), SyncedTables().end(), "customers") - SyncedTables().begin());
  seeds.push_back(std::string(1, '\x01') + section(customers, 1, 1, false) + std::string(1, '\x00') + section(customers, 1, 1, false));
  int n = 0;
  for (const std::string& seed : seeds) std::ofstream(dir + "/seed-" + std::to_string(n++), std::ios::binary) << seed;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_fixture = new Fixture;
  SetUpRelay();
  SetUpDatabase();
  std::atexit([] {
    std::string dir = g_fixture->dir;
    g_fixture->service.reset();
    g_fixture->db.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  });
  if (const char* seeds = std::getenv("CRM_FUZZ_SEEDS")) WriteSeeds(seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Recipe recipe(data, size);
  std::vector<uint8_t> changeset = Generate(recipe);

  // (a) Through the relay, as a signed-in rep's push: whatever the changeset, an answer below 500.
  int64_t changesetId = 2 + static_cast<int64_t>(recipe.TakeInt64() >> 2);
  relay::ApiResponse response = Push(changeset, changesetId);
  if (response.status >= 500 || response.status < 200) {
    std::fprintf(stderr, "fuzz: POST /v1/push answered %d: %s\n", response.status, response.body.c_str());
    std::abort();
  }

  // (b) The policy on its own, on the seeded rows; any result will do, and it is rolled back.
  Db& db = *g_fixture->db;
  auto txn = db.Begin();
  if (!txn) Die("cannot begin: " + txn.Message());
  sync::ApplyOrigin origin{7, g_fixture->repId, g_fixture->repDevice, 1700000000000};
  (void)sync::ApplyWithPolicy(db, changeset.data(), changeset.size(), origin);
  txn.Value().Rollback();
  return 0;
}
