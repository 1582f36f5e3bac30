#include "core/customers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "core/audit.h"
#include "core/ids.h"
#include "core/search.h"
#include "tests/test_support.h"

namespace crm {
namespace {

using testing_support::TestOrg;

CustomerInput FullInput() {
  CustomerInput input;
  input.name = "  佛山市南海区铝门窗经销部  ";
  input.kind = CustomerKind::Dealer;
  input.phones = {"138-0013-8000", "+86 139 0000 1111", "0757-86221234"};
  input.address = {"广东省", "佛山市", "南海区", "桂城街道南海大道 88 号"};
  input.industry = "门窗";
  input.brands = "坚美, 凤铝";
  input.source = Source::Exhibition;
  input.credit = Credit::Good;
  input.birthday = "1980年3月5日";
  input.anniversary = "06-18";
  input.tags = {"重点", "铝材", "重点"};
  input.notes = "喜欢周三上午拜访";
  return input;
}

// Every page of a query up to `upTo` rows, as (name, id); each page's total must be `total`.
std::vector<std::pair<std::string, int64_t>> ListEveryPage(Db& db, CustomerQuery query, int64_t upTo, size_t total) {
  std::vector<std::pair<std::string, int64_t>> listed;
  for (query.offset = 0; query.offset < upTo; query.offset += query.limit) {
    auto page = ListCustomers(db, query);
    EXPECT_TRUE(page) << page.Message();
    if (!page) break;
    EXPECT_EQ(page.Value().total, static_cast<int64_t>(total)) << "at offset " << query.offset;
    for (const CustomerRow& row : page.Value().rows) listed.push_back({row.name, row.id});
  }
  return listed;
}

TEST(Customers, CreateStoresEveryFieldNormalizedAndAttributed) {
  TestOrg org;
  auto id = CreateCustomer(org.db, FullInput(), org.repA);
  ASSERT_TRUE(id) << id.Message();
  auto customer = GetCustomer(org.db, id.Value());
  ASSERT_TRUE(customer) << customer.Message();
  const Customer& c = customer.Value();
  EXPECT_EQ(c.fields.name, "佛山市南海区铝门窗经销部");
  EXPECT_EQ(c.fields.kind, CustomerKind::Dealer);
  EXPECT_EQ(c.fields.phones, (std::vector<std::string>{"13800138000", "13900001111", "075786221234"}));
  EXPECT_EQ(c.fields.address.city, "佛山市");
  EXPECT_EQ(c.fields.birthday, "1980-03-05");
  EXPECT_EQ(c.fields.anniversary, "--06-18");
  EXPECT_EQ(c.fields.tags, (std::vector<std::string>{"重点", "铝材"}));
  EXPECT_EQ(c.fields.credit, Credit::Good);
  EXPECT_EQ(c.fields.source, Source::Exhibition);
  EXPECT_EQ(c.ownerId, org.repA.userId);
  EXPECT_EQ(c.createdBy, org.repA.userId);
  EXPECT_EQ(c.grade, Grade::C);
  EXPECT_EQ(c.stage, Stage::Prospect);
  EXPECT_FALSE(c.deletedAt);
  auto team = GetUser(org.db, org.repA.userId).Value().teamId;
  EXPECT_EQ(c.teamId, team);
}

TEST(Customers, CreatePlansTheFirstFollowup) {
  TestOrg org;
  int64_t id = org.Customer("张先生", org.repA);
  auto open = org.db.QueryInt("SELECT count(*) FROM followups WHERE status = 'open' AND customer_id = " + std::to_string(id));
  ASSERT_TRUE(open);
  EXPECT_EQ(open.Value(), 1);
}

TEST(Customers, BadInputIsRefusedWithTheField) {
  TestOrg org;
  // The message for people reading logs; the field id and the Problem for the screens.
  struct Case {
    std::function<void(CustomerInput&)> edit;
    std::string expected;
    std::string field;
    Problem problem;
  };
  std::vector<Case> cases = {
      {[](CustomerInput& in) { in.name = "   "; }, "name: required", "name", Problem::Required},
      {[](CustomerInput& in) { in.name = std::string(201 * 3, 'a'); }, "name: at most 200 characters", "name", Problem::TooLong},
      {[](CustomerInput& in) { in.name = "王\xFF五"; }, "name: not valid UTF-8", "name", Problem::BadText},
      {[](CustomerInput& in) { in.phones = {"12345"}; }, "phone: '12345' has 5 digits", "phone", Problem::BadPhone},
      {[](CustomerInput& in) { in.phones = {"138abc"}; }, "phone: '138abc' is not a phone number", "phone", Problem::BadPhone},
      {[](CustomerInput& in) { in.phones = {"12000000000"}; }, "not a valid mobile number", "phone", Problem::BadPhone},
      {[](CustomerInput& in) { in.birthday = "2023-02-29"; }, "birthday: '2023-02-29' does not exist", "birthday", Problem::BadDate},
      {[](CustomerInput& in) { in.birthday = "tomorrow"; }, "birthday: 'tomorrow' is not a date", "birthday", Problem::BadDate},
      {[](CustomerInput& in) { in.kind = static_cast<CustomerKind>(42); }, "kind: unknown code", "kind", Problem::UnknownCode},
      {[](CustomerInput& in) { in.grade = static_cast<Grade>(9); }, "class: unknown code", "grade", Problem::UnknownCode},
      {[](CustomerInput& in) { in.address.street = std::string(201, 'x'); }, "address: at most 200", "street", Problem::TooLong},
      {[](CustomerInput& in) { in.tags = {""}; }, "tag: required", "tags", Problem::Required},
      {[](CustomerInput& in) { in.ownerId = 123456789; }, "user: no user with id 123456789", "user", Problem::NotFound},
      {[](CustomerInput& in) { in.custom = {{987, "x"}}; }, "custom field: no field with id 987", "", Problem::NotFound},
  };
  for (const Case& c : cases) {
    CustomerInput input = FullInput();
    c.edit(input);
    auto id = CreateCustomer(org.db, input, org.repA);
    ASSERT_FALSE(id) << c.expected;
    EXPECT_NE(id.Message().find(c.expected), std::string::npos) << "got: " << id.Message();
    EXPECT_EQ(id.GetError().field, c.field) << c.expected;
    EXPECT_EQ(id.GetError().problem, c.problem) << c.expected;
  }
  auto tooLong = CheckCustomerInput(org.db, [] { CustomerInput in = FullInput(); in.notes = std::string(kMaxTextLength + 1, 'x'); return in; }(), nullptr);
  ASSERT_TRUE(tooLong && tooLong.Value().size() == 1u);
  EXPECT_EQ(tooLong.Value()[0].arg, static_cast<int64_t>(kMaxTextLength)) << "the wording says how long it may be";
  EXPECT_EQ(CountCustomers(org.db).Value(), 0);
}

TEST(Customers, CheckNamesEveryProblemOfAnInputAtOnce) {
  TestOrg org;
  CustomerInput input;
  input.phones = {"12345", "13800138000"};
  input.birthday = "1990-13-45";
  input.tags = {std::string(40, 'x')};
  auto problems = CheckCustomerInput(org.db, input, nullptr);
  ASSERT_TRUE(problems) << problems.Message();
  std::vector<std::string> fields;
  for (const Error& problem : problems.Value()) fields.push_back(problem.message.substr(0, problem.message.find_first_of(": '")));
  EXPECT_EQ(fields, (std::vector<std::string>{"name", "phone", "birthday", "tag"}));
  std::vector<std::string> ids;
  for (const Error& problem : problems.Value()) ids.push_back(problem.field);
  EXPECT_EQ(ids, (std::vector<std::string>{"name", "phone", "birthday", "tags"})) << "the form's field ids";
  EXPECT_EQ(ValidateCustomerInput(org.db, input, nullptr).Message(), problems.Value().front().message) << "the first of them";
  input.name = "好客户";
  input.phones = {"13800138000"};
  input.birthday = "1990-01-02";
  input.tags = {"重点"};
  CustomerInput clean;
  auto none = CheckCustomerInput(org.db, input, &clean);
  ASSERT_TRUE(none) << none.Message();
  EXPECT_TRUE(none.Value().empty());
  EXPECT_EQ(clean.name, "好客户");
}

TEST(Customers, UnknownActorIsDenied) {
  TestOrg org;
  auto id = CreateCustomer(org.db, FullInput(), Actor{999, 1});
  ASSERT_FALSE(id);
  EXPECT_EQ(id.Code(), ErrorCode::Denied);
}

TEST(Customers, RepCannotCreateForAnotherRepButCanForThePool) {
  TestOrg org;
  CustomerInput input = FullInput();
  input.ownerId = org.repB.userId;
  auto denied = CreateCustomer(org.db, input, org.repA);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.Code(), ErrorCode::Denied);
  input.ownerId.reset();
  input.toPool = true;
  auto pooled = CreateCustomer(org.db, input, org.repA);
  ASSERT_TRUE(pooled) << pooled.Message();
  EXPECT_FALSE(GetCustomer(org.db, pooled.Value()).Value().ownerId);
}

TEST(Customers, UpdateReplacesFieldsPhonesAndTags) {
  TestOrg org;
  int64_t id = CreateCustomer(org.db, FullInput(), org.repA).Value();
  CustomerInput changed = FullInput();
  changed.name = "佛山南海铝门窗经销部";
  changed.phones = {"13800138000", "13512345678"};
  changed.tags = {"铝材", "新标签"};
  ASSERT_TRUE(UpdateCustomer(org.db, id, changed, org.repA));
  Customer c = GetCustomer(org.db, id).Value();
  EXPECT_EQ(c.fields.name, "佛山南海铝门窗经销部");
  EXPECT_EQ(c.fields.phones, (std::vector<std::string>{"13800138000", "13512345678"}));
  EXPECT_EQ(c.fields.tags, (std::vector<std::string>{"新标签", "铝材"}));  // a set, listed in order
  // Removing and re-adding a tag revives the same row (its id is derived from the customer and the tag).
  changed.tags = {"重点"};
  ASSERT_TRUE(UpdateCustomer(org.db, id, changed, org.repA));
  EXPECT_EQ(org.db.QueryInt("SELECT count(*) FROM customer_tags WHERE tag = '重点'").Value(), 1);
  EXPECT_EQ(GetCustomer(org.db, id).Value().fields.tags, (std::vector<std::string>{"重点"}));
}

// A phone list's edits are values added and removed, and numbers replaced in place: a number's row derives from
// (customer, number); a replaced number's row takes the new one; a reordering moves rows; a removal trashes its row.
TEST(Customers, PhoneEditsReplaceInPlaceAndKeyAddedNumbersByValue) {
  TestOrg org;
  int64_t id = org.Customer("佛山门窗店", org.repA, {"13600001111", "13600002222"});
  auto rowOf = [&](const std::string& number) {
    return org.db.QueryInt("SELECT id FROM customer_phones WHERE deleted_at IS NULL AND customer_id = " + std::to_string(id) +
                           " AND normalized = '" + number + "'").ValueOr(0);
  };
  auto save = [&](std::vector<std::string> phones) {
    CustomerInput input = GetCustomer(org.db, id).Value().fields;
    input.phones = std::move(phones);
    Status saved = UpdateCustomer(org.db, id, input, org.repA);
    EXPECT_TRUE(saved) << saved.Message();
  };
  auto rows = [&] { return org.db.QueryInt("SELECT count(*) FROM customer_phones WHERE customer_id = " + std::to_string(id)).Value(); };
  auto mainPhone = [&] {  // customers.phone: the list's first number
    Stmt stmt = org.db.Prepare("SELECT phone FROM customers WHERE id = ?").Value();
    stmt.Bind(1, id);
    return stmt.Step().ValueOr(false) ? stmt.String(0) : std::string();
  };
  const int64_t first = DerivedId(id, "phone:13600001111");
  EXPECT_EQ(rowOf("13600001111"), first);
  EXPECT_EQ(rowOf("13600002222"), DerivedId(id, "phone:13600002222"));

  save({"13600003333", "13600002222"});  // the first number replaced
  EXPECT_EQ(rowOf("13600003333"), first) << "a replacement updates the replaced number's row";
  EXPECT_EQ(rows(), 2);
  EXPECT_EQ(mainPhone(), "13600003333");

  save({"13600002222", "13600003333"});  // reordered
  EXPECT_EQ(rowOf("13600003333"), first);
  EXPECT_EQ(GetCustomer(org.db, id).Value().fields.phones, (std::vector<std::string>{"13600002222", "13600003333"}));
  EXPECT_EQ(mainPhone(), "13600002222");

  // The first number again: its derived id holds another number now, so it takes the next derived one.
  save({"13600002222", "13600003333", "13600001111"});
  EXPECT_EQ(rowOf("13600001111"), DerivedId(id, "phone:13600001111#1"));
  EXPECT_EQ(rows(), 3);

  save({"13600002222", "13600003333"});  // removed: to the trash
  EXPECT_EQ(rowOf("13600001111"), 0);
  EXPECT_EQ(rows(), 3);
  save({"13600002222", "13600003333", "13600001111"});  // added again: the same row back
  EXPECT_EQ(rowOf("13600001111"), DerivedId(id, "phone:13600001111#1"));
  EXPECT_EQ(rows(), 3);

  // Rows with ids from before (random ones) are replaced in place like any other.
  ASSERT_TRUE(org.db.Exec("UPDATE customer_phones SET id = 4242 WHERE id = " + std::to_string(first)));
  save({"13600002222", "13900009999", "13600001111"});
  EXPECT_EQ(rowOf("13900009999"), 4242);
  EXPECT_EQ(rows(), 3);
}

// Concurrent edits can leave one number on two live rows: the customer shows it once, and the next save keeps one.
TEST(Customers, ANumberOnTwoRowsIsShownOnceAndSavedAsOne) {
  TestOrg org;
  int64_t id = org.Customer("佛山门窗店", org.repA, {"13600001111", "13600002222"});
  ASSERT_TRUE(org.db.Exec("UPDATE customer_phones SET phone = '13600001111', normalized = '13600001111' WHERE normalized = '13600002222'"));
  CustomerInput input = GetCustomer(org.db, id).Value().fields;
  EXPECT_EQ(input.phones, std::vector<std::string>{"13600001111"});
  ASSERT_TRUE(UpdateCustomer(org.db, id, input, org.repA));
  EXPECT_EQ(org.db.QueryInt("SELECT count(*) FROM customer_phones WHERE deleted_at IS NULL").Value(), 1);
}

TEST(Customers, PermissionsFollowOwnershipAndRole) {
  TestOrg org;
  int64_t ofA = org.Customer("甲客户", org.repA);
  int64_t ofWest = org.Customer("乙客户", org.repWest);
  int64_t pooled = org.PoolCustomer("公海客户");
  CustomerInput edit;
  edit.name = "改名";
  EXPECT_TRUE(UpdateCustomer(org.db, ofA, edit, org.repA));
  EXPECT_EQ(UpdateCustomer(org.db, ofA, edit, org.repB).Code(), ErrorCode::Denied);         // another rep
  EXPECT_TRUE(UpdateCustomer(org.db, pooled, edit, org.repB));                              // the pool's
  EXPECT_TRUE(UpdateCustomer(org.db, ofA, edit, org.supervisor));                           // their team's
  EXPECT_EQ(UpdateCustomer(org.db, ofWest, edit, org.supervisor).Code(), ErrorCode::Denied);  // another team's
  EXPECT_TRUE(UpdateCustomer(org.db, ofWest, edit, org.store));                             // their store's
  EXPECT_TRUE(UpdateCustomer(org.db, ofWest, edit, org.leader));
  EXPECT_TRUE(UpdateCustomer(org.db, ofA, edit, org.admin));
  Status denied = UpdateCustomer(org.db, ofA, edit, org.repB);
  EXPECT_NE(denied.Message().find("belongs to another rep"), std::string::npos) << denied.Message();
  // The refusal names whose customer it is, for the screens to say so in the reader's language.
  EXPECT_EQ(denied.GetError().problem, Problem::NotYourCustomer);
  EXPECT_EQ(denied.GetError().value, "张三");
  EXPECT_EQ(denied.GetError().arg, org.repA.userId);
}

// The check the screens ask before offering an action is the one the write makes: they never disagree.
TEST(Customers, CanEditCustomerAgreesWithTheWrite) {
  TestOrg org;
  int64_t ofA = org.Customer("甲客户", org.repA);
  int64_t ofWest = org.Customer("乙客户", org.repWest);
  CustomerInput edit;
  edit.name = "改名";
  for (const Actor& actor : {org.repA, org.repB, org.supervisor, org.store, org.leader, org.admin, org.repWest}) {
    for (int64_t id : {ofA, ofWest}) {
      Status asked = CanEditCustomer(org.db, actor, id);
      Status written = UpdateCustomer(org.db, id, edit, actor);
      EXPECT_EQ(asked.IsOk(), written.IsOk()) << "user " << actor.userId << " customer " << id;
      if (!asked) {
        EXPECT_EQ(asked.GetError().problem, written.GetError().problem);
        EXPECT_EQ(asked.GetError().value, written.GetError().value);
      }
    }
  }
  ASSERT_TRUE(TrashCustomer(org.db, ofA, org.repA));
  EXPECT_EQ(CanEditCustomer(org.db, org.repA, ofA).GetError().problem, Problem::InTrash);
}

TEST(Customers, TrashAndRestore) {
  TestOrg org;
  int64_t id = org.Customer("王五", org.repA);
  ASSERT_TRUE(TrashCustomer(org.db, id, org.repA));
  EXPECT_EQ(CountCustomers(org.db).Value(), 0);
  EXPECT_TRUE(GetCustomer(org.db, id).Value().deletedAt);
  CustomerInput edit;
  edit.name = "x";
  Status onTrash = UpdateCustomer(org.db, id, edit, org.repA);
  EXPECT_NE(onTrash.Message().find("in the trash"), std::string::npos);
  EXPECT_FALSE(TrashCustomer(org.db, id, org.repA));
  CustomerQuery trash;
  trash.trashOnly = true;
  EXPECT_EQ(ListCustomers(org.db, trash).Value().total, 1);
  ASSERT_TRUE(RestoreCustomer(org.db, id, org.repA));
  EXPECT_EQ(CountCustomers(org.db).Value(), 1);
  EXPECT_EQ(TrashCustomer(org.db, id, org.repB).Code(), ErrorCode::Denied);
  EXPECT_EQ(TrashCustomer(org.db, 424242, org.repA).Code(), ErrorCode::NotFound);
}

TEST(Customers, EveryChangeIsAudited) {
  TestOrg org;
  int64_t id = CreateCustomer(org.db, FullInput(), org.repA).Value();
  CustomerInput changed = FullInput();
  changed.notes = "改为周五拜访";
  ASSERT_TRUE(UpdateCustomer(org.db, id, changed, org.supervisor));
  ASSERT_TRUE(TrashCustomer(org.db, id, org.supervisor));
  auto trail = AuditForCustomer(org.db, id);
  ASSERT_TRUE(trail);
  bool sawInsert = false, sawNotes = false, sawDelete = false;
  for (const AuditEntry& e : trail.Value()) {
    if (e.table == "customers" && e.action == "insert") sawInsert = e.userId == org.repA.userId;
    if (e.field == "notes") {
      sawNotes = e.oldValue == std::optional<std::string>("喜欢周三上午拜访") && e.newValue == std::optional<std::string>("改为周五拜访") &&
                 e.userId == org.supervisor.userId && e.deviceId == org.supervisor.deviceId;
    }
    if (e.action == "delete") sawDelete = true;
  }
  EXPECT_TRUE(sawInsert);
  EXPECT_TRUE(sawNotes);
  EXPECT_TRUE(sawDelete);
  auto byUser = AuditForUser(org.db, org.supervisor.userId);
  ASSERT_TRUE(byUser);
  EXPECT_GE(byUser.Value().size(), 2u);
}

TEST(Customers, ListFiltersSortsAndPages) {
  TestOrg org;
  for (int i = 0; i < 30; i++) org.Customer(("客户" + std::to_string(100 + i)).c_str(), i % 2 ? org.repA : org.repB);
  org.PoolCustomer("公海一号");
  CustomerQuery query;
  query.ownerId = org.repA.userId;
  query.sort = CustomerSort::Name;
  query.descending = false;
  query.limit = 10;
  auto page = ListCustomers(org.db, query);
  ASSERT_TRUE(page) << page.Message();
  EXPECT_EQ(page.Value().total, 15);
  ASSERT_EQ(page.Value().rows.size(), 10u);
  EXPECT_EQ(page.Value().rows.front().name, "客户101");
  EXPECT_EQ(page.Value().rows.front().ownerName, "张三");
  EXPECT_TRUE(page.Value().rows.front().nextDueAt);
  query.offset = 10;
  EXPECT_EQ(ListCustomers(org.db, query).Value().rows.size(), 5u);

  CustomerQuery pool;
  pool.poolOnly = true;
  EXPECT_EQ(ListCustomers(org.db, pool).Value().total, 1);

  // Follow-up filters: every new customer has a plan due later than today, none overdue.
  CustomerQuery overdue;
  overdue.followup = FollowupFilter::Overdue;
  EXPECT_EQ(ListCustomers(org.db, overdue).Value().total, 0);
  CustomerQuery later;
  later.followup = FollowupFilter::DueThisWeek;
  later.nowMs = NowMs() + 40LL * 86400000;  // 40 days on, every C-grade plan (30 days) is due
  EXPECT_EQ(ListCustomers(org.db, later).Value().total, 31);

  CustomerQuery bad;
  bad.limit = 0;
  EXPECT_FALSE(ListCustomers(org.db, bad));
}

TEST(Customers, DerivedIdsAreStableAndPositive) {
  EXPECT_EQ(DerivedId(42, "tag:重点"), DerivedId(42, "tag:重点"));
  EXPECT_NE(DerivedId(42, "tag:重点"), DerivedId(43, "tag:重点"));
  EXPECT_GT(DerivedId(-5, ""), 0);
}

TEST(Customers, ListSearchCombinesWithFiltersSortAndPaging) {
  TestOrg org;
  CustomerInput a;
  a.name = "佛山美家门窗";
  a.grade = Grade::A;
  a.phones = {"13800138000"};
  a.address.city = "佛山";
  ASSERT_TRUE(CreateCustomer(org.db, a, org.repA));
  CustomerInput b = a;
  b.name = "广州美家装饰";
  b.grade = Grade::B;
  b.phones = {"13900139000"};
  b.address.city = "广州";
  b.tags = {"老客户"};
  ASSERT_TRUE(CreateCustomer(org.db, b, org.repA));
  org.Customer("深圳华艺", org.repA, {"13700137000"});

  CustomerQuery query;
  query.search = "美家";  // two Chinese characters, in the middle of the names
  auto both = ListCustomers(org.db, query);
  ASSERT_TRUE(both) << both.Message();
  EXPECT_EQ(both.Value().total, 2);
  query.search = "家";
  EXPECT_EQ(ListCustomers(org.db, query).Value().total, 2);
  query.search = "美家";
  query.grade = Grade::B;
  auto graded = ListCustomers(org.db, query).Value();
  ASSERT_EQ(graded.rows.size(), 1u);
  EXPECT_EQ(graded.rows[0].name, "广州美家装饰");
  query.grade.reset();
  query.sort = CustomerSort::Name;
  query.descending = false;
  query.limit = 1;
  query.offset = 1;
  auto second = ListCustomers(org.db, query).Value();
  EXPECT_EQ(second.total, 2);
  ASSERT_EQ(second.rows.size(), 1u);
  EXPECT_EQ(second.rows[0].name, "广州美家装饰");

  CustomerQuery phone;
  phone.search = "138-0013-8000";  // an exact phone, written as people write it
  EXPECT_EQ(ListCustomers(org.db, phone).Value().total, 1);
  phone.search = "0138";  // part of a number
  EXPECT_EQ(ListCustomers(org.db, phone).Value().total, 1);
  CustomerQuery tag;
  tag.search = "老客户";
  EXPECT_EQ(ListCustomers(org.db, tag).Value().total, 1);
  CustomerQuery terms;
  terms.search = "美家 佛山";  // every term must match
  EXPECT_EQ(ListCustomers(org.db, terms).Value().total, 1);
  CustomerQuery nothing;
  nothing.search = "，。";
  EXPECT_EQ(ListCustomers(org.db, nothing).Value().total, 0);
  // The page without its total, and the total on its own: a screen splits them across two frames.
  CustomerQuery split;
  split.search = "美家";
  split.withTotal = false;
  auto pageOnly = ListCustomers(org.db, split).Value();
  EXPECT_EQ(pageOnly.total, -1);
  EXPECT_EQ(pageOnly.rows.size(), 2u);
  EXPECT_EQ(CountMatchingCustomers(org.db, split).Value(), 2);
  split.search = "";
  split.grade = Grade::A;
  EXPECT_EQ(CountMatchingCustomers(org.db, split).Value(), 1);
  split.grade.reset();
  EXPECT_EQ(CountMatchingCustomers(org.db, split).Value(), 3);
  EXPECT_EQ(CountMatchingCustomers(org.db, split, 1).Value(), 2) << "more than one";
  EXPECT_EQ(CountMatchingCustomers(org.db, split, 3).Value(), 3) << "all three, no more";
  EXPECT_EQ(CountMatchingCustomers(org.db, split, -1).Code(), ErrorCode::Invalid);
  CustomerQuery invalid;
  invalid.search = "\xE7\xBE";
  EXPECT_EQ(ListCustomers(org.db, invalid).Code(), ErrorCode::Invalid);
  invalid.search = std::string(101, 'x');
  EXPECT_EQ(ListCustomers(org.db, invalid).Code(), ErrorCode::Invalid);
}

// A broad term is matched by walking the sort order and asking the search index per customer, a rare one by
// collecting its matches first (ListPage chooses by the number of matches and the page's depth). Paging
// through every page must give the same rows either way: those a plain substring test finds, in order.
TEST(Customers, ListSearchPagesAgreeWithASubstringScanForBroadAndRareTerms) {
  TestOrg org;
  struct Made {
    std::string name;
    int64_t id;
  };
  std::vector<Made> made;
  for (int i = 0; i < 400; i++) {
    // Three in four are door-and-window firms: broad. One in four decorators: rarer.
    std::string name = (i % 4 ? "佛山门窗" : "广州装饰") + std::to_string((i * 37) % 400);
    std::string phone = "139" + std::to_string(10000000 + i);
    made.push_back({name, org.Customer(name.c_str(), i % 2 ? org.repA : org.repB, {phone})});
  }
  for (int i = 1; i < 400; i += 40) ASSERT_TRUE(TrashCustomer(org.db, made[static_cast<size_t>(i)].id, org.admin));
  auto trashed = [&](size_t i) { return i % 40 == 1; };

  for (const char* term : {"门窗", "装饰", "佛山门"}) {
    std::vector<std::pair<std::string, int64_t>> expected;
    for (size_t i = 0; i < made.size(); i++) {
      if (!trashed(i) && made[i].name.find(term) != std::string::npos) expected.push_back({made[i].name, made[i].id});
    }
    std::sort(expected.begin(), expected.end());
    CustomerQuery query;
    query.search = term;
    query.sort = CustomerSort::Name;
    query.descending = false;
    query.limit = 50;
    EXPECT_EQ(ListEveryPage(org.db, query, 400, expected.size()), expected) << term;
    EXPECT_EQ(CountMatchingCustomers(org.db, query, 100).Value(), std::min<int64_t>(101, static_cast<int64_t>(expected.size())))
        << term << ": a bounded count stops one past its bound";
    // With a filter on top: only repA's.
    query.ownerId = org.repA.userId;
    query.offset = 0;
    query.limit = 1000;
    int64_t repAs = 0;
    for (size_t i = 0; i < made.size(); i++) repAs += !trashed(i) && i % 2 && made[i].name.find(term) != std::string::npos;
    EXPECT_EQ(static_cast<int64_t>(ListCustomers(org.db, query).Value().rows.size()), repAs) << term;
  }
  // A phone number together with the index: the exact phone's customer is listed although its name does not match.
  CustomerQuery phone;
  phone.search = "13910000000";
  auto byPhone = ListCustomers(org.db, phone);
  ASSERT_TRUE(byPhone) << byPhone.Message();
  ASSERT_EQ(byPhone.Value().rows.size(), 1u);
  EXPECT_EQ(byPhone.Value().rows[0].id, made[0].id);
}

// A page past the middle of a list is read from the list's other end in the reversed order. Every sort, in
// both directions, with ties, NULLs and a filter, must page the same rows as one page of the whole list.
TEST(Customers, PagesPastTheMiddleReadFromTheEndAreTheSameRows) {
  TestOrg org;
  const Grade grades[] = {Grade::A, Grade::B, Grade::C, Grade::D};
  for (int i = 0; i < 230; i++) {
    CustomerInput input;
    input.name = "客户" + std::to_string(i % 50);  // ties on the name
    input.grade = grades[i % 4];
    ASSERT_TRUE(CreateCustomer(org.db, input, i % 3 ? org.repA : org.repB));
  }
  // Some were visited (the rest stay NULL), some have no plan, a few are in the trash.
  ASSERT_TRUE(org.db.Exec("UPDATE customers SET last_activity_at = 1000 + (id % 7) WHERE id % 3 = 0"));
  ASSERT_TRUE(org.db.Exec("UPDATE followups SET status = 'cancelled' WHERE customer_id % 5 = 0"));
  ASSERT_TRUE(org.db.Exec("UPDATE customers SET deleted_at = 1 WHERE id % 11 = 0"));
  for (CustomerSort sort : {CustomerSort::UpdatedAt, CustomerSort::CreatedAt, CustomerSort::Name, CustomerSort::LastActivity,
                            CustomerSort::Grade, CustomerSort::NextDue}) {
    for (bool descending : {true, false}) {
      for (bool onlyRepA : {false, true}) {
        CustomerQuery query;
        query.sort = sort;
        query.descending = descending;
        if (onlyRepA) query.ownerId = org.repA.userId;
        query.limit = 1000;
        auto whole = ListCustomers(org.db, query);
        ASSERT_TRUE(whole) << whole.Message();
        std::vector<int64_t> expected;
        for (const CustomerRow& row : whole.Value().rows) expected.push_back(row.id);
        const auto total = static_cast<int>(whole.Value().total);
        ASSERT_EQ(static_cast<int>(expected.size()), total);
        const std::string what = "sort " + std::to_string(static_cast<int>(sort)) + (descending ? " desc" : " asc") +
                                 (onlyRepA ? " repA" : "");
        std::vector<int64_t> paged;
        query.limit = 30;
        for (query.offset = 0; query.offset < total; query.offset += 30) {
          query.withTotal = query.offset % 60 == 0;  // the others find the total in the cache
          for (const CustomerRow& row : ListCustomers(org.db, query).Value().rows) paged.push_back(row.id);
        }
        EXPECT_EQ(paged, expected) << what;
        query.offset = total - 3;
        query.limit = 7;
        auto tail = ListCustomers(org.db, query);
        ASSERT_TRUE(tail) << tail.Message();
        ASSERT_EQ(tail.Value().rows.size(), 3u) << what;
        EXPECT_EQ(tail.Value().rows[0].id, expected[static_cast<size_t>(total - 3)]) << what;
        query.offset = total;
        EXPECT_TRUE(ListCustomers(org.db, query).Value().rows.empty()) << what;
      }
    }
  }
}

// A common tag (over 2000 customers) is a membership test against the tag's customers, read once per state
// of the data; a rare one drives the query. Either way the pages are the tagged customers in order, and a
// change between two pages shows on the next one.
TEST(Customers, ListPagesOfATagAgreeWithAScanAndFollowChanges) {
  TestOrg org;
  std::vector<std::pair<std::string, int64_t>> made;
  for (int i = 0; i < 2600; i++) {
    CustomerInput input;
    input.name = "客户" + std::to_string((i * 7919) % 2600);
    if (i % 5) input.tags = {"重点"};  // 2080 of them: common
    if (i % 100 == 0) input.tags.push_back("展会");  // 26: rare
    auto id = CreateCustomer(org.db, input, i % 2 ? org.repA : org.repB);
    ASSERT_TRUE(id) << id.Message();
    made.push_back({input.name, id.Value()});
  }
  std::vector<bool> important(made.size()), fair(made.size());
  for (size_t i = 0; i < made.size(); i++) {
    important[i] = i % 5 != 0;
    fair[i] = i % 100 == 0;
  }
  auto check = [&](const char* tag, const std::vector<bool>& tagged, const char* when) {
    std::vector<std::pair<std::string, int64_t>> expected;
    for (size_t i = 0; i < made.size(); i++) {
      if (tagged[i]) expected.push_back(made[i]);
    }
    std::sort(expected.begin(), expected.end());
    CustomerQuery query;
    query.tag = tag;
    query.sort = CustomerSort::Name;
    query.descending = false;
    query.limit = 100;
    EXPECT_EQ(ListEveryPage(org.db, query, 2600, expected.size()), expected) << tag << " " << when;
  };
  check("重点", important, "at first");
  check("展会", fair, "at first");

  // Take the common tag off some customers and trash another: the next pages no longer list them.
  for (size_t i : {1u, 2u, 3u, 1299u, 2599u}) {
    CustomerInput input = GetCustomer(org.db, made[i].second).Value().fields;
    input.tags = {};
    ASSERT_TRUE(UpdateCustomer(org.db, made[i].second, input, org.admin));
    important[i] = false;
    fair[i] = false;
  }
  ASSERT_TRUE(TrashCustomer(org.db, made[4].second, org.admin));
  important[4] = false;
  check("重点", important, "after the changes");
  check("展会", fair, "after the changes");
}

// The broad form of a list search tests each customer against the matching documents, read once per state
// of the data (200 matches among 300: more than sqrt((offset + limit) * book) = 122 for the first page, so
// the page walks the name order): a customer renamed between two pages is found, or not, by its new name.
TEST(Customers, ListSearchFollowsARenameBetweenPages) {
  TestOrg org;
  std::vector<int64_t> ids;
  for (int i = 0; i < 300; i++) {
    ids.push_back(org.Customer(((i % 3 ? "佛山门窗" : "广州装饰") + std::to_string(i)).c_str(), org.repA));
  }
  CustomerQuery query;
  query.search = "门窗";
  query.sort = CustomerSort::Name;
  auto before = ListCustomers(org.db, query);
  ASSERT_TRUE(before) << before.Message();
  ASSERT_EQ(before.Value().total, 200);
  const int64_t first = before.Value().rows.at(0).id;
  CustomerInput away = GetCustomer(org.db, first).Value().fields;
  away.name = "广州装饰改名";
  ASSERT_TRUE(UpdateCustomer(org.db, first, away, org.admin));
  CustomerInput into = GetCustomer(org.db, ids[0]).Value().fields;
  into.name = "新会门窗";
  ASSERT_TRUE(UpdateCustomer(org.db, ids[0], into, org.admin));
  auto after = ListCustomers(org.db, query);
  ASSERT_TRUE(after) << after.Message();
  EXPECT_EQ(after.Value().total, 200);
  ASSERT_FALSE(after.Value().rows.empty());
  EXPECT_EQ(after.Value().rows[0].id, ids[0]) << "renamed into the term: first by name, descending";
  for (const CustomerRow& row : after.Value().rows) EXPECT_NE(row.id, first) << "renamed away from the term";
}

// Characters beyond U+FFFF (CJK Extension B 𠮷, emoji) are stored byte for byte, found by search, and
// count as one character each towards a length limit, as the relay counts them.
TEST(Customers, AstralCharactersAreStoredSearchedAndCountedAsTyped) {
  TestOrg org;
  CustomerInput input;
  input.name = "𠮷野家🏠";
  input.address.street = "☎️ 🚪 ∅";
  int64_t id = CreateCustomer(org.db, input, org.admin).Value();
  Customer stored = GetCustomer(org.db, id).Value();
  EXPECT_EQ(stored.fields.name, "\xF0\xA0\xAE\xB7\xE9\x87\x8E\xE5\xAE\xB6\xF0\x9F\x8F\xA0");
  EXPECT_EQ(stored.fields.address.street, "\xE2\x98\x8E\xEF\xB8\x8F \xF0\x9F\x9A\xAA \xE2\x88\x85");
  for (const char* query : {"𠮷", "𠮷野", "野家"}) {
    auto hits = SearchCustomers(org.db, query).Value();
    ASSERT_EQ(hits.size(), 1u) << query;
    EXPECT_EQ(hits[0].name, input.name) << query;
  }

  CustomerInput longest;
  for (size_t i = 0; i < kMaxNameLength; i++) longest.name += "𠮷";
  EXPECT_TRUE(CreateCustomer(org.db, longest, org.admin)) << "200 characters of four bytes each are 200 characters";
  longest.name += "🏠";
  EXPECT_FALSE(CreateCustomer(org.db, longest, org.admin));
}

}  // namespace
}  // namespace crm
