#include "sync/scope_filter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "core/contacts.h"
#include "core/schema.h"
#include "core/search.h"
#include "sync/backup.h"
#include "sync/journal.h"
#include "tests/test_support.h"

namespace crm {
namespace {

using testing_support::TestOrg;

// The relay's copy is a file it attaches read-only; the test's organisation is written to one.
Db CopyOnDisk(Db& db, const std::string& name) {
  auto image = sync::ExportBackup(db);
  EXPECT_TRUE(image) << image.Message();
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(image.Value().data()), static_cast<std::streamsize>(image.Value().size()));
  return Db::Open(path).Value();
}

Db Loaded(const sync::Bytes& bytes) {
  Db db = Db::OpenMemory().Value();
  sync::SqliteBuffer buffer = sync::SqliteBuffer::Allocate(bytes.size());
  std::memcpy(buffer.data(), bytes.data(), bytes.size());
  EXPECT_TRUE(sync::LoadImage(db, std::move(buffer)));
  return db;
}

std::vector<int64_t> Found(Db& db, const char* query) {
  auto hits = SearchCustomers(db, query);
  EXPECT_TRUE(hits) << hits.Message();
  std::vector<int64_t> ids;
  for (const SearchHit& hit : hits.ValueOr({})) ids.push_back(hit.id);
  return ids;
}

// What makes up a database besides its rows: tables, indexes, triggers and their SQL.
std::vector<std::string> Definitions(Db& db) {
  std::vector<std::string> out;
  auto list = db.Prepare("SELECT type || ' ' || name || ': ' || ifnull(sql, '') FROM sqlite_master ORDER BY type, name").Value();
  while (list.Step().ValueOr(false)) out.push_back(list.String(0));
  return out;
}

// A rep's scoped image is built in bulk (indexes and the search index set aside and built once): it
// must come out as a database made row by row would be.
TEST(ScopedImage, HoldsTheScopeWithEveryIndexTriggerAndAWorkingSearchIndex) {
  TestOrg org;
  int64_t own = org.Customer("鑫盛门窗", org.repA, {"13800000001"}, "中山市");
  ContactInput contact;
  contact.name = "王经理";
  contact.phone = "13900000009";
  ASSERT_TRUE(AddContact(org.db, own, contact, org.repA));
  int64_t pooled = org.PoolCustomer("公海里的五金店");
  int64_t colleagues = org.Customer("李四的客户", org.repB, {"13800000002"});
  Db copy = CopyOnDisk(org.db, "scoped-image.db");

  auto scope = ReadScopeOf(copy, org.repA.userId);
  ASSERT_TRUE(scope) << scope.Message();
  auto image = sync::ScopedImage(copy, scope.Value());
  ASSERT_TRUE(image) << image.Message();
  Db device = Loaded(image.Value());

  const std::vector<int64_t> held = HeldCustomers(device).Value();
  EXPECT_EQ(held, CustomersInScope(copy, scope.Value()).Value());
  EXPECT_EQ(Found(device, "鑫盛"), std::vector<int64_t>{own});
  EXPECT_EQ(Found(device, "13800000001"), std::vector<int64_t>{own});
  EXPECT_EQ(Found(device, "王经理"), std::vector<int64_t>{own});
  EXPECT_EQ(Found(device, "五金"), std::vector<int64_t>{pooled});
  EXPECT_TRUE(Found(device, "李四的客户").empty());
  EXPECT_TRUE(Found(device, "13800000002").empty());
  EXPECT_FALSE(std::binary_search(held.begin(), held.end(), colleagues));
  EXPECT_TRUE(device.Exec("INSERT INTO customer_fts(customer_fts) VALUES('integrity-check')"));
  auto check = device.Prepare("PRAGMA integrity_check").Value();
  ASSERT_TRUE(check.Step().ValueOr(false));
  EXPECT_EQ(check.String(0), "ok");

  Db fresh = Db::OpenMemory().Value();
  ASSERT_TRUE(Migrate(fresh));
  EXPECT_EQ(Definitions(device), Definitions(fresh));

  // The triggers are back: a customer made on the device is found at once.
  CustomerInput input;
  input.name = "设备上新建";
  auto made = CreateCustomer(device, input, org.repA);
  ASSERT_TRUE(made) << made.Message();
  EXPECT_EQ(Found(device, "新建"), std::vector<int64_t>{made.Value()});
}

}  // namespace
}  // namespace crm
