#include "core/directory.h"

#include <gtest/gtest.h>

#include "core/duplicates.h"
#include "core/scope.h"
#include "core/validate.h"
#include "tests/test_support.h"

namespace crm {
namespace {

using testing_support::TestOrg;

const std::string kKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

CustomerInput Input(const char* name, std::vector<std::string> phones = {}, const char* city = "") {
  CustomerInput input;
  input.name = name;
  input.phones = std::move(phones);
  input.address.city = city;
  return input;
}

// The directory as the relay reads it from the whole organisation, stored on a device that then loses the
// customers `dropped` (another rep's: out of its scope).
void AsScopedDevice(TestOrg& org, const std::vector<int64_t>& dropped) {
  auto entries = ReadDirectory(org.db, kKey, 0, 1000);
  ASSERT_TRUE(entries) << entries.Message();
  ASSERT_TRUE(DropCustomers(org.db, dropped));
  DirectoryPage page;
  page.full = true;
  page.entries = entries.Value();
  page.finished = true;
  page.position = DirectoryPosition{42, kKey};
  Status stored = StoreDirectoryPage(org.db, page);
  ASSERT_TRUE(stored) << stored.Message();
}

TEST(PhoneDigest, OneNumberOneDigestWhateverItsFormAndKeyed) {
  std::string digest = PhoneDigest(kKey, "13800138000");
  EXPECT_EQ(digest.size(), kPhoneDigestBytes);
  EXPECT_EQ(PhoneDigest(kKey, "+86 138-0013-8000"), digest);
  EXPECT_EQ(PhoneDigest(kKey, "0086 13800138000"), digest);
  EXPECT_NE(PhoneDigest(kKey, "13800138001"), digest);
  EXPECT_NE(PhoneDigest(std::string(64, 'f'), "13800138000"), digest) << "another organisation's key";
  EXPECT_EQ(PhoneDigest(kKey, "not a phone"), "");
}

// The relay digests the number as typed with the device's own normalisation: a number stored in one form is
// found when the device is given another.
TEST(ReadDirectory, TheRelaysDigestIsTheDevicesAndCarriesNoAddressOrNotes) {
  TestOrg org;
  CustomerInput input = Input("美家门窗经销部", {"+86 139 1234 5678"}, "佛山市");
  input.address.street = "季华五路 88 号";
  input.notes = "老板喜欢喝茶";
  int64_t id = CreateCustomer(org.db, input, org.repA).Value();
  auto entries = ReadDirectory(org.db, kKey, 0, 100).Value();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].customerId, id);
  EXPECT_EQ(entries[0].ownerId, org.repA.userId);
  EXPECT_EQ(entries[0].name, "美家门窗经销部");
  EXPECT_EQ(entries[0].city, "佛山市");
  ASSERT_EQ(entries[0].phoneDigests.size(), 1u);
  EXPECT_EQ(entries[0].phoneDigests[0], PhoneDigest(kKey, NormalizePhone("139-1234-5678").Value()));
}

TEST(FindDuplicates, AnotherRepsCustomerNotHeldHereIsFoundInTheDirectoryNamingTheOwner) {
  TestOrg org;
  int64_t theirs = org.Customer("美家门窗经销部", org.repWest, {"13912345678"}, "佛山市");
  int64_t elsewhereSimilar = org.Customer("佛山美家门窗旗舰", org.repWest, {}, "佛山市");
  org.Customer("美家门窗", org.repWest, {}, "广州市");  // another city
  int64_t mine = org.Customer("美家门窗二店", org.repA, {}, "佛山市");
  AsScopedDevice(org, {theirs, elsewhereSimilar});

  auto byPhone = FindDuplicates(org.db, Input("新客户", {"139 1234 5678"})).Value();
  ASSERT_EQ(byPhone.size(), 1u);
  EXPECT_EQ(byPhone[0].id, theirs);
  EXPECT_EQ(byPhone[0].reason, DuplicateReason::SamePhone);
  EXPECT_TRUE(byPhone[0].elsewhere);
  EXPECT_EQ(byPhone[0].ownerName, "赵六");
  EXPECT_EQ(byPhone[0].matchedPhone, "13912345678");

  auto byName = FindDuplicates(org.db, Input("美家门窗", {}, "佛山市")).Value();
  std::vector<std::pair<int64_t, bool>> seen;
  for (const DuplicateCandidate& found : byName) seen.emplace_back(found.id, found.elsewhere);
  EXPECT_EQ(seen, (std::vector<std::pair<int64_t, bool>>{{theirs, true}, {mine, false}, {elsewhereSimilar, true}}))
      << "the same name first, then similar ones: held here before the directory's; 广州市 is another customer";
  EXPECT_EQ(byName[0].reason, DuplicateReason::SameName);
}

TEST(FindDuplicates, ACustomerHeldHereIsNotFoundTwice) {
  TestOrg org;
  int64_t mine = org.Customer("美家门窗", org.repA, {"13912345678"}, "佛山市");
  AsScopedDevice(org, {});
  auto found = FindDuplicates(org.db, Input("美家门窗", {"13912345678"}, "佛山市")).Value();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, mine);
  EXPECT_FALSE(found[0].elsewhere);
}

TEST(StoreDirectoryPage, AFullPageReplacesItsRangeAndAnIncrementalOneItsCustomers) {
  TestOrg org;
  auto count = [&] { return org.db.QueryInt("SELECT count(*) FROM directory_customers").Value(); };
  DirectoryPage full;
  full.full = true;
  full.position = DirectoryPosition{0, kKey};
  for (int64_t id : {10, 20, 30}) full.entries.push_back(DirectoryEntry{id, org.repWest.userId, "客户" + std::to_string(id), "", false, {}});
  ASSERT_TRUE(StoreDirectoryPage(org.db, full));
  EXPECT_EQ(count(), 3);
  EXPECT_EQ(LocalDirectoryPosition(org.db).Value().seq, -1) << "not finished: no position yet";

  // Customer 20 went; the second page of a new full round covers (10, end].
  DirectoryPage second;
  second.full = true;
  second.afterId = 10;
  second.entries = {DirectoryEntry{30, std::nullopt, "客户30", "", false, {PhoneDigest(kKey, "13800000030")}}};
  second.finished = true;
  second.position = DirectoryPosition{7, kKey};
  ASSERT_TRUE(StoreDirectoryPage(org.db, second));
  EXPECT_EQ(count(), 2);
  EXPECT_EQ(LocalDirectoryPosition(org.db).Value().seq, 7);

  DirectoryPage changes;
  changes.removed = {30};
  changes.entries = {DirectoryEntry{10, org.repB.userId, "改名", "", true, {}}};
  changes.finished = true;
  changes.position = DirectoryPosition{9, kKey};
  ASSERT_TRUE(StoreDirectoryPage(org.db, changes));
  EXPECT_EQ(count(), 1);
  EXPECT_EQ(org.db.QueryInt("SELECT count(*) FROM directory_phones").Value(), 0);
  EXPECT_EQ(LocalDirectoryPosition(org.db).Value().seq, 9);

  DirectoryPage otherKey = changes;
  otherKey.position.key = std::string(64, 'f');
  EXPECT_FALSE(StoreDirectoryPage(org.db, otherKey)) << "digests under another key need a full answer";
}

}  // namespace
}  // namespace crm
