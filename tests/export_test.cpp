#include "core/export.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/import.h"
#include "test_support.h"

namespace crm {
namespace {

using testing_support::TestOrg;

int64_t AwkwardCustomer(TestOrg& org) {
  CustomerInput input;
  input.name = "佛山\"老字号\"门窗, 有限公司";
  input.kind = CustomerKind::Dealer;
  input.phones = {"13800138000", "0757-81234567"};
  input.address = {"广东", "佛山", "南海区", "桂城路1号"};
  input.source = Source::Referral;
  input.credit = Credit::Good;
  input.birthday = "05-06";
  input.notes = "第一次拜访：\n需要报价";
  input.tags = {"重点", "门窗"};
  input.brands = "=SUM(A1)";  // would run as a formula in Excel
  input.grade = Grade::A;
  auto id = CreateCustomer(org.db, input, org.admin);
  EXPECT_TRUE(id) << id.Message();
  return id.ValueOr(0);
}

TEST(Export, ExcelFriendlyBytes) {
  TestOrg org;
  AwkwardCustomer(org);
  org.Customer("单号码", org.admin, {"0757-8123456"});
  std::string out;
  auto count = ExportCustomers(org.db, StringSink(&out));
  ASSERT_TRUE(count) << count.Message();
  EXPECT_EQ(count.Value(), 2);
  EXPECT_EQ(out.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_EQ(out.compare(3, 12, "客户名称"), 0);
  size_t headerEnd = out.find("\r\n");
  ASSERT_NE(headerEnd, std::string::npos);
  EXPECT_EQ(out.find('\n'), headerEnd + 1);  // every record ends in CRLF
  EXPECT_NE(out.find("\"佛山\"\"老字号\"\"门窗, 有限公司\""), std::string::npos);
  EXPECT_NE(out.find("13800138000 / 075781234567"), std::string::npos);
  // A lone number keeps its leading zero in Excel when written as a text formula.
  EXPECT_NE(out.find("\"=\"\"07578123456\"\"\""), std::string::npos) << "phones kept as text";
  EXPECT_NE(out.find("\t=SUM(A1)"), std::string::npos) << "formula guarded";
  EXPECT_NE(out.find("经销商"), std::string::npos);
  EXPECT_NE(out.find("\"第一次拜访：\n需要报价\""), std::string::npos);
}

TEST(Export, RoundTripThroughImportKeepsChinese) {
  TestOrg source;
  int64_t id = AwkwardCustomer(source);
  CustomerInput plain;
  plain.name = "张三";
  plain.phones = {"13900139000"};
  ASSERT_TRUE(CreateCustomer(source.db, plain, source.repA));
  for (bool english : {false, true}) {
    std::string out;
    ExportOptions options;
    options.englishHeaders = english;
    ASSERT_EQ(ExportCustomers(source.db, StringSink(&out), options).Value(), 2);

    TestOrg target;
    ImportReport report = ImportCustomers(target.db, StringImportSource(out, "export.csv"), {}, target.admin).Value();
    EXPECT_EQ(report.encoding, Encoding::Utf8);
    EXPECT_TRUE(report.errors.empty()) << report.errors[0].message;
    ASSERT_EQ(report.created, 2);
    Customer original = GetCustomer(source.db, id).Value();
    Stmt stmt = target.db.Prepare("SELECT id FROM customers WHERE name = ?").Value();
    stmt.Bind(1, original.fields.name);
    ASSERT_TRUE(stmt.Step().Value());
    Customer copy = GetCustomer(target.db, stmt.Int64(0)).Value();
    stmt.Reset();
    EXPECT_EQ(copy.fields.phones, original.fields.phones);
    EXPECT_EQ(copy.fields.address.province, original.fields.address.province);
    EXPECT_EQ(copy.fields.address.city, original.fields.address.city);
    EXPECT_EQ(copy.fields.address.district, original.fields.address.district);
    EXPECT_EQ(copy.fields.address.street, original.fields.address.street);
    EXPECT_EQ(copy.fields.kind, original.fields.kind);
    EXPECT_EQ(copy.fields.source, original.fields.source);
    EXPECT_EQ(copy.fields.credit, original.fields.credit);
    EXPECT_EQ(copy.fields.birthday, original.fields.birthday);
    EXPECT_EQ(copy.fields.notes, original.fields.notes);
    EXPECT_EQ(copy.fields.brands, original.fields.brands);
    EXPECT_EQ(copy.grade, original.grade);
    auto sorted = [](std::vector<std::string> v) {
      std::sort(v.begin(), v.end());
      return v;
    };
    EXPECT_EQ(sorted(copy.fields.tags), sorted(original.fields.tags));
  }
}

TEST(Export, TrashIsLeftOutUnlessAsked) {
  TestOrg org;
  int64_t id = AwkwardCustomer(org);
  org.Customer("留下", org.admin);
  ASSERT_TRUE(TrashCustomer(org.db, id, org.admin));
  std::string out;
  EXPECT_EQ(ExportCustomers(org.db, StringSink(&out)).Value(), 1);
  EXPECT_EQ(out.find("老字号"), std::string::npos);
  ExportOptions all;
  all.includeTrash = true;
  EXPECT_EQ(ExportCustomers(org.db, StringSink(&out), all).Value(), 2);
}

TEST(Export, ToFileAndCancel) {
  TestOrg org;
  for (int i = 0; i < 25; i++) org.Customer(("客户" + std::to_string(i)).c_str(), org.admin);
  std::string path = ::testing::TempDir() + "crm_export_test.csv";
  ASSERT_EQ(ExportCustomersToFile(org.db, path).Value(), 25);
  std::ifstream file(path, std::ios::binary);
  std::stringstream bytes;
  bytes << file.rdbuf();
  EXPECT_EQ(bytes.str().substr(0, 3), "\xEF\xBB\xBF");
  std::remove(path.c_str());

  ExportOptions options;
  options.batchHint = 10;
  int calls = 0;
  options.progress = [&](int64_t rows) {
    calls++;
    return rows < 20;
  };
  std::string out;
  auto cancelled = ExportCustomers(org.db, StringSink(&out), options);
  EXPECT_FALSE(cancelled);
  EXPECT_EQ(calls, 2);
  EXPECT_FALSE(ExportCustomers(org.db, nullptr));
  EXPECT_FALSE(ExportCustomersToFile(org.db, ""));
}

TEST(Export, AJobInSlicesWritesTheSameFile) {
  TestOrg org;
  AwkwardCustomer(org);
  for (int i = 0; i < 450; i++) org.Customer(("导出客户" + std::to_string(i)).c_str(), org.repA, {"1380000" + std::to_string(1000 + i)});
  int64_t trashed = org.Customer("回收站客户", org.admin);
  ASSERT_TRUE(TrashCustomer(org.db, trashed, org.admin));
  std::string whole;
  ASSERT_EQ(ExportCustomers(org.db, StringSink(&whole)).Value(), 451);

  std::string sliced;
  auto job = ExportJob::Start(org.db, StringSink(&sliced));
  ASSERT_TRUE(job) << job.Message();
  EXPECT_EQ(job.Value().RowsTotal(), 451);
  int steps = 0;
  for (;;) {
    auto done = job.Value().Step(org.db, 1e-9);
    ASSERT_TRUE(done) << done.Message();
    steps++;
    EXPECT_FALSE(org.db.InTransaction());
    if (done.Value()) break;
    ASSERT_LT(steps, 2000);
  }
  EXPECT_GE(steps, 451);
  EXPECT_EQ(job.Value().RowsDone(), 451);
  EXPECT_EQ(sliced, whole);
  // With the trash, in one step.
  ExportOptions all;
  all.includeTrash = true;
  std::string withTrash;
  auto everything = ExportJob::Start(org.db, StringSink(&withTrash), all).Value();
  EXPECT_TRUE(everything.Step(org.db, 0).Value());
  EXPECT_EQ(everything.RowsDone(), 452);
  EXPECT_FALSE(ExportJob::Start(org.db, ByteSink()));
}

TEST(Export, RoundTripThroughImportKeepsAstralCharacters) {
  TestOrg source;
  CustomerInput input;
  input.name = "𠮷野家🏠";
  input.address.street = "☎️ 🚪 ∅";
  input.notes = "微信：🏠🚪";
  int64_t id = CreateCustomer(source.db, input, source.admin).Value();
  std::string out;
  ASSERT_EQ(ExportCustomers(source.db, StringSink(&out)).Value(), 1);
  EXPECT_NE(out.find("𠮷野家🏠"), std::string::npos);
  EXPECT_NE(out.find("☎️ 🚪 ∅"), std::string::npos);

  TestOrg target;
  ImportReport report = ImportCustomers(target.db, StringImportSource(out, "export.csv"), {}, target.admin).Value();
  ASSERT_TRUE(report.errors.empty()) << report.errors[0].message;
  ASSERT_EQ(report.created, 1);
  Customer original = GetCustomer(source.db, id).Value();
  Stmt stmt = target.db.Prepare("SELECT id FROM customers").Value();
  ASSERT_TRUE(stmt.Step().Value());
  Customer copy = GetCustomer(target.db, stmt.Int64(0)).Value();
  EXPECT_EQ(copy.fields.name, original.fields.name);
  EXPECT_EQ(copy.fields.address.street, original.fields.address.street);
  EXPECT_EQ(copy.fields.notes, original.fields.notes);
}

}  // namespace
}  // namespace crm
