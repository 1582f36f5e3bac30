#include "core/import.h"

#include <gtest/gtest.h>

#include <set>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "core/encoding.h"
#include "core/ids.h"
#include "test_support.h"

namespace crm {
namespace {

using testing_support::TestOrg;

// [SECTION] helpers and fixtures
// [SECTION] headers, rows and their problems
// [SECTION] duplicates
// [SECTION] batches, progress, cancel, undo
// [SECTION] jobs in slices

// ---------------------------------------------------------------------------
// [SECTION] helpers and fixtures

// The lines of the report's errors, and whether the one on `line` names `field`.
std::vector<int64_t> ErrorLines(const ImportReport& report) {
  std::vector<int64_t> lines;
  for (const RowIssue& issue : report.errors) lines.push_back(issue.line);
  return lines;
}
std::string ErrorOn(const ImportReport& report, int64_t line) {
  for (const RowIssue& issue : report.errors) {
    if (issue.line == line) return issue.message;
  }
  return "";
}

Result<int64_t> FindByName(Db& db, const std::string& name) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT id FROM customers WHERE name = ? AND deleted_at IS NULL"));
  stmt.Bind(1, name);
  CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return MakeError(ErrorCode::NotFound, name);
  return stmt.Int64(0);
}

// Every progress value of a run, in the order reported: `done` never goes back, nor does the pass, nor the
// bytes and rows within a pass; the last value is the end of the scale.
void ExpectProgressOnlyForward(const std::vector<ImportProgress>& seen) {
  ASSERT_FALSE(seen.empty());
  for (size_t i = 1; i < seen.size(); i++) {
    const ImportProgress& before = seen[i - 1];
    const ImportProgress& now = seen[i];
    EXPECT_GE(now.done, before.done) << "value " << i;
    EXPECT_EQ(now.total, before.total) << "value " << i;
    EXPECT_GE(now.pass, before.pass) << "value " << i;
    if (now.pass == before.pass) {
      EXPECT_GE(now.rowsDone, before.rowsDone) << "value " << i;
      EXPECT_GE(now.bytesRead, before.bytesRead) << "value " << i;
    }
    EXPECT_LE(now.done, now.total) << "value " << i;
  }
  EXPECT_EQ(seen.back().done, seen.back().total);
}

// A messy spreadsheet as Chinese Excel saves it: GB18030, no BOM, CRLF, quotes, embedded
// newlines and commas, a blank line, a final line without a newline, and four bad rows.
std::string MessyGbCsv() {
  std::string utf8 =
      "客户名称,电话,详细地址,城市,客户类型,生日,备注,标签,无关列\r\n"            // line 1
      "\"佛山五金, 有限公司\",13800138000/0757-81234567,\"南海区\"\"桂城\"\"路1号\",佛山,经销商,1980-05-06,\"第一行\r\n"
      "第二行\",五金、门窗,x\r\n"                                                  // lines 2–3
      ",13900139000,,,,,,,\r\n"                                                   // line 4: empty name
      "李四装饰,12345,,广州,,,,,\r\n"                                            // line 5: malformed phone
      "王五,13700137000,,深圳,,2023-02-30,,,\r\n"                                // line 6: no such date
      "赵六,13600136000,,深圳,wholesaler_x,,,,\r\n"                              // line 7: unknown kind
      "\"张三 \"\"老张\"\" 建材\",13500135000 13400134000,,上海,designer,05-06,,,\r\n"  // line 8
      "\r\n"                                                                      // line 9: blank
      "钱七,+86 131-3113-1311,,杭州,装饰公司,,,,";                                // line 10, no newline
  auto gb = EncodeGb18030(utf8);
  EXPECT_TRUE(gb) << gb.Message();
  return gb.ValueOr("");
}

// ---------------------------------------------------------------------------
// [SECTION] headers, rows and their problems

TEST(Import, HeadersAreRecognisedInChineseAndEnglish) {
  EXPECT_EQ(GuessImportField("客户名称"), ImportField::Name);
  EXPECT_EQ(GuessImportField(" Phone "), ImportField::Phones);
  EXPECT_EQ(GuessImportField("手机号"), ImportField::Phones);
  EXPECT_EQ(GuessImportField("详细地址"), ImportField::Street);
  EXPECT_EQ(GuessImportField("客户等级"), ImportField::Grade);
  EXPECT_EQ(GuessImportField("经营品牌"), ImportField::Brands);
  EXPECT_EQ(GuessImportField("客户名称*"), ImportField::Name);
  EXPECT_EQ(GuessImportField("传真"), ImportField::None);
  EXPECT_EQ(ParseImportField("phone").Value(), ImportField::Phones);
  EXPECT_EQ(ParseImportField("none").Value(), ImportField::None);
  auto bad = ParseImportField("colour", "--map");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.Message().find("--map"), std::string::npos);
  EXPECT_EQ(ParseDuplicatePolicy("MERGE").Value(), DuplicatePolicy::Merge);
  EXPECT_FALSE(ParseDuplicatePolicy("replace"));
}

TEST(Import, MessyGb18030AllOrNothingReportsEveryBadLineAndWritesNothing) {
  TestOrg org;
  ImportReport report = ImportCustomers(org.db, StringImportSource(MessyGbCsv(), "客户.csv"), {}, org.admin).Value();
  EXPECT_EQ(report.encoding, Encoding::Gb18030);
  EXPECT_FALSE(report.written);
  EXPECT_EQ(report.rowsRead, 7);  // the blank line is not a row
  EXPECT_EQ(ErrorLines(report), (std::vector<int64_t>{4, 5, 6, 7})) << ErrorOn(report, 2);
  EXPECT_EQ(ErrorOn(report, 4).rfind("name", 0), 0u) << ErrorOn(report, 4);
  EXPECT_EQ(ErrorOn(report, 5).rfind("phone", 0), 0u) << ErrorOn(report, 5);
  EXPECT_NE(ErrorOn(report, 5).find("12345"), std::string::npos);
  EXPECT_EQ(ErrorOn(report, 6).rfind("birthday", 0), 0u) << ErrorOn(report, 6);
  EXPECT_EQ(ErrorOn(report, 7).rfind("kind", 0), 0u) << ErrorOn(report, 7);
  EXPECT_EQ(CountCustomers(org.db).Value(), 0);
  EXPECT_EQ(org.db.QueryInt("SELECT COUNT(*) FROM imports").Value(), 0);
}

// Every problem of a row in one message, so one round of corrections in the spreadsheet is enough.
TEST(Import, ARowWithSeveralProblemsNamesThemAll) {
  TestOrg org;
  std::string csv = "客户名称,电话,客户类型,生日,城市\n"
                    ",12345,零件商,1990-13-45,佛山\n"
                    "好客户,13800138000,零售,1990-01-02,佛山\n";
  ImportReport report = ImportCustomers(org.db, StringImportSource(csv, "several.csv"), {}, org.admin).Value();
  ASSERT_EQ(ErrorLines(report), (std::vector<int64_t>{2}));
  const std::string message = ErrorOn(report, 2);
  for (const char* part : {"kind: unknown code '零件商'", "name: required", "phone: '12345'", "birthday"}) {
    EXPECT_NE(message.find(part), std::string::npos) << part << " in: " << message;
  }
  EXPECT_EQ(std::count(message.begin(), message.end(), ';'), 3) << message;
  // The same problems with their fields and codes, for the screens to word in the user's language.
  std::set<std::pair<std::string, Problem>> problems;
  for (const Error& problem : report.errors[0].problems) problems.emplace(problem.field, problem.problem);
  EXPECT_EQ(problems, (std::set<std::pair<std::string, Problem>>{{"name", Problem::Required},
                                                                 {"phone", Problem::BadPhone},
                                                                 {"kind", Problem::UnknownCode},
                                                                 {"birthday", Problem::BadDate}}));
  for (const Error& problem : report.errors[0].problems) {
    if (problem.problem == Problem::UnknownCode) {
      EXPECT_EQ(problem.value, "零件商");
    }
  }
}

TEST(Import, MessyGb18030ValidOnlyImportsTheGoodRowsIntact) {
  TestOrg org;
  ImportOptions options;
  options.validOnly = true;
  ImportReport report = ImportCustomers(org.db, StringImportSource(MessyGbCsv(), "客户.csv"), options, org.admin).Value();
  EXPECT_TRUE(report.written);
  EXPECT_EQ(report.created, 3);
  EXPECT_EQ(report.failed, 4);
  EXPECT_EQ(ErrorLines(report), (std::vector<int64_t>{4, 5, 6, 7}));
  ASSERT_TRUE(report.importId);
  EXPECT_EQ(CountCustomers(org.db).Value(), 3);

  Customer first = GetCustomer(org.db, FindByName(org.db, "佛山五金, 有限公司").Value()).Value();
  EXPECT_EQ(first.fields.phones, (std::vector<std::string>{"13800138000", "075781234567"}));
  EXPECT_EQ(first.fields.address.street, "南海区\"桂城\"路1号");
  EXPECT_EQ(first.fields.address.city, "佛山");
  EXPECT_EQ(first.fields.kind, CustomerKind::Dealer);
  EXPECT_EQ(first.fields.notes, "第一行\n第二行");  // the cell's CRLF becomes LF
  EXPECT_EQ(first.fields.birthday, "1980-05-06");
  EXPECT_EQ(first.fields.tags.size(), 2u);
  EXPECT_EQ(first.importId, report.importId);

  Customer third = GetCustomer(org.db, FindByName(org.db, "张三 \"老张\" 建材").Value()).Value();
  EXPECT_EQ(third.fields.phones.size(), 2u);  // two mobiles separated by a space
  EXPECT_EQ(third.fields.kind, CustomerKind::Designer);
  Customer last = GetCustomer(org.db, FindByName(org.db, "钱七").Value()).Value();
  EXPECT_EQ(last.fields.phones, (std::vector<std::string>{"13131131311"}));
  EXPECT_EQ(last.fields.kind, CustomerKind::DecorationCompany);
  EXPECT_EQ(org.db.QueryInt("SELECT rows_ok * 100 + rows_failed FROM imports").Value(), 304);
}

TEST(Import, UndecodableBytesMarkTheRowBad) {
  TestOrg org;
  // Line 3 holds bytes that are no GB18030 character (C2 FF, FF).
  std::string gb = EncodeGb18030("名称,电话\n好客户,13800138000\n").Value() + "\xC2\xFF\xFF,13900139000\n";
  ImportOptions options;
  options.encoding = Encoding::Gb18030;
  options.validOnly = true;
  ImportReport report = ImportCustomers(org.db, StringImportSource(gb, "x.csv"), options, org.admin).Value();
  EXPECT_EQ(report.created, 1);
  ASSERT_EQ(ErrorLines(report), (std::vector<int64_t>{3}));
  EXPECT_NE(report.errors[0].message.find("gb18030"), std::string::npos);
}

TEST(Import, ForcedEncodingAndUtf8Bom) {
  TestOrg org;
  std::string csv = "\xEF\xBB\xBF" "name,phone,city\n客户甲,13800138000,佛山\n";
  ImportReport report = ImportCustomers(org.db, StringImportSource(csv, "a.csv"), {}, org.admin).Value();
  EXPECT_EQ(report.encoding, Encoding::Utf8);
  EXPECT_EQ(report.created, 1);
  EXPECT_TRUE(FindByName(org.db, "客户甲"));
}

TEST(Import, MappingOverridesAndMissingNameColumn) {
  TestOrg org;
  std::string csv = "公司,联系人手机,城市\n甲公司,13800138000,佛山\n";
  // 公司 is not a known header: without a mapping there is no name column.
  auto refused = ImportCustomers(org.db, StringImportSource(csv, "a.csv"), {}, org.admin);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.Message().find("name"), std::string::npos);

  ImportOptions options;
  options.mappings = {{"公司", 0, ImportField::Name}, {"", 2, ImportField::Phones}, {"城市", 0, ImportField::None}};
  ImportPreview preview = PreviewImport(org.db, StringImportSource(csv, "a.csv"), options, org.admin).Value();
  EXPECT_EQ(preview.mapping, (std::vector<ImportField>{ImportField::Name, ImportField::Phones, ImportField::None}));
  ASSERT_EQ(preview.rows.size(), 1u);
  EXPECT_EQ(preview.rows[0].action, RowAction::Create);
  EXPECT_EQ(preview.rows[0].input.phones, (std::vector<std::string>{"13800138000"}));
  EXPECT_EQ(preview.rows[0].input.address.city, "");
  EXPECT_EQ(CountCustomers(org.db).Value(), 0);  // a preview writes nothing

  options.mappings = {{"没有这列", 0, ImportField::Name}};
  EXPECT_FALSE(PreviewImport(org.db, StringImportSource(csv, "a.csv"), options, org.admin));
  options.mappings = {{"", 9, ImportField::Name}};
  EXPECT_FALSE(PreviewImport(org.db, StringImportSource(csv, "a.csv"), options, org.admin));
}

TEST(Import, PreviewShowsProblemsOfTheFirstRows) {
  TestOrg org;
  ImportPreview preview = PreviewImport(org.db, StringImportSource(MessyGbCsv(), "x"), {}, org.admin, 4).Value();
  EXPECT_EQ(preview.encoding, Encoding::Gb18030);
  ASSERT_EQ(preview.rows.size(), 4u);
  EXPECT_EQ(preview.rows[0].line, 2);
  EXPECT_EQ(preview.rows[0].action, RowAction::Create);
  EXPECT_EQ(preview.rows[1].line, 4);
  EXPECT_EQ(preview.rows[1].action, RowAction::Fail);
  EXPECT_EQ(preview.rows[1].problem.rfind("name", 0), 0u);
}

// ---------------------------------------------------------------------------
// [SECTION] duplicates

TEST(Import, DuplicatesAreSkippedMergedOrCreated) {
  TestOrg org;
  int64_t existing = org.Customer("老客户", org.admin, {"13900139000"}, "佛山");
  int64_t sameCity = org.Customer("同城客户", org.admin, {}, "广州");
  std::string csv = "客户名称,电话,城市,详细地址,标签\n"
                    "新名字,139-0013-9000,,新地址1号,重点\n"
                    "同城客户,,广州,天河路,\n"
                    "全新客户,13700137000,深圳,,\n";

  ImportReport skip = ImportCustomers(org.db, StringImportSource(csv, "a"), {}, org.admin).Value();
  EXPECT_EQ(skip.skipped, 2);
  EXPECT_EQ(skip.created, 1);
  ASSERT_EQ(skip.duplicates.size(), 2u);
  EXPECT_EQ(skip.duplicates[0].line, 2);
  EXPECT_EQ(skip.duplicates[0].existingId, existing);
  EXPECT_NE(skip.duplicates[0].reason.find("13900139000"), std::string::npos);
  EXPECT_EQ(skip.duplicates[1].existingId, sameCity);
  EXPECT_EQ(GetCustomer(org.db, existing).Value().fields.address.street, "");

  ImportOptions merge;
  merge.onDuplicate = DuplicatePolicy::Merge;
  ImportReport merged = ImportCustomers(org.db, StringImportSource(csv, "b"), merge, org.admin).Value();
  EXPECT_EQ(merged.merged, 3);  // the third row now matches the customer the first import made
  Customer after = GetCustomer(org.db, existing).Value();
  EXPECT_EQ(after.fields.name, "老客户");  // filled, not overwritten
  EXPECT_EQ(after.fields.address.street, "新地址1号");
  EXPECT_EQ(after.fields.tags, (std::vector<std::string>{"重点"}));
  EXPECT_EQ(GetCustomer(org.db, sameCity).Value().fields.address.street, "天河路");

  ImportOptions create;
  create.onDuplicate = DuplicatePolicy::Create;
  int64_t before = CountCustomers(org.db).Value();
  ImportReport created = ImportCustomers(org.db, StringImportSource(csv, "c"), create, org.admin).Value();
  EXPECT_EQ(created.created, 3);
  EXPECT_EQ(created.duplicates.size(), 3u);
  EXPECT_EQ(CountCustomers(org.db).Value(), before + 3);
}

TEST(Import, MergeIsRefusedForCustomersTheUserMayNotChange) {
  TestOrg org;
  org.Customer("西区客户", org.repWest, {"13900139000"});
  ImportOptions merge;
  merge.onDuplicate = DuplicatePolicy::Merge;
  ImportReport report = ImportCustomers(org.db, StringImportSource("名称,电话\n别名,13900139000\n", "a"), merge, org.repA).Value();
  EXPECT_FALSE(report.written);
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_NE(report.errors[0].message.find("cannot merge"), std::string::npos);
}

// ---------------------------------------------------------------------------
// [SECTION] batches, progress, cancel, undo

std::string GeneratedCsv(int rows) {
  std::string csv = "客户名称,电话\n";
  for (int i = 0; i < rows; i++) csv += "客户" + std::to_string(i) + ",1380000" + std::to_string(1000 + i) + "\n";
  return csv;
}

TEST(Import, BatchesAndProgressCoverEveryRow) {
  TestOrg org;
  ImportOptions options;
  options.batchSize = 7;
  options.progressEvery = 5;
  std::vector<ImportProgress> seen;
  options.progress = [&](const ImportProgress& p) {
    seen.push_back(p);
    return true;
  };
  std::string csv = GeneratedCsv(23);
  ImportReport report = ImportCustomers(org.db, StringImportSource(csv, "g"), options, org.admin).Value();
  EXPECT_EQ(report.created, 23);
  EXPECT_EQ(org.db.QueryInt("SELECT COUNT(*) FROM customers WHERE import_id IS NOT NULL").Value(), 23);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().pass, 2);
  EXPECT_EQ(seen.back().rowsDone, 23);
  EXPECT_EQ(seen.back().bytesRead, static_cast<int64_t>(csv.size()));
  EXPECT_EQ(seen.back().totalBytes, static_cast<int64_t>(csv.size()));
  EXPECT_EQ(seen.back().total, 2 * static_cast<int64_t>(csv.size()));  // read twice: checked, then written
  EXPECT_TRUE(std::any_of(seen.begin(), seen.end(), [](const ImportProgress& p) { return p.pass == 1; }));
  ExpectProgressOnlyForward(seen);
}

// All-or-nothing with a bad row stops after checking: the bar still ends full, never having gone back.
TEST(Import, ProgressEndsAtTheTotalWhenNothingIsWritten) {
  TestOrg org;
  ImportOptions options;
  options.progressEvery = 3;
  std::vector<ImportProgress> seen;
  options.progress = [&](const ImportProgress& p) {
    seen.push_back(p);
    return true;
  };
  std::string csv = GeneratedCsv(10) + "坏电话,12\n";
  ImportReport report = ImportCustomers(org.db, StringImportSource(csv, "g"), options, org.admin).Value();
  EXPECT_FALSE(report.written);
  ExpectProgressOnlyForward(seen);
  EXPECT_EQ(seen.back().pass, 1);
  EXPECT_EQ(seen.back().rowsDone, 11);
  EXPECT_EQ(seen.back().total, 2 * static_cast<int64_t>(csv.size()));
}

TEST(Import, CancelThroughProgressWritesNothingInAllOrNothingMode) {
  TestOrg org;
  for (int cancelInPass : {1, 2}) {
    ImportOptions options;
    options.batchSize = 10;
    options.progressEvery = 10;
    options.progress = [&](const ImportProgress& p) { return !(p.pass == cancelInPass && p.rowsDone >= 30); };
    ImportReport report = ImportCustomers(org.db, StringImportSource(GeneratedCsv(50), "g"), options, org.admin).Value();
    EXPECT_TRUE(report.cancelled) << cancelInPass;
    EXPECT_FALSE(report.written);
    EXPECT_EQ(CountCustomers(org.db).Value(), 0) << cancelInPass;
  }
  // Valid-only keeps the batches committed before the cancel.
  ImportOptions options;
  options.validOnly = true;
  options.batchSize = 8;
  options.progressEvery = 10;
  options.progress = [&](const ImportProgress& p) { return !(p.pass == 2 && p.rowsDone >= 30); };
  ImportReport report = ImportCustomers(org.db, StringImportSource(GeneratedCsv(50), "g"), options, org.admin).Value();
  EXPECT_TRUE(report.cancelled);
  // Cancelled at row 30: the batches ending at rows 8, 16 and 24 stay, the open one (25–30) is dropped.
  EXPECT_EQ(report.created, 24);
  EXPECT_EQ(CountCustomers(org.db).Value(), 24);
}

TEST(Import, UndoTrashesUnchangedCustomersOfTheLastImport) {
  TestOrg org;
  int64_t kept = org.Customer("原有客户", org.admin);
  ImportReport report = ImportCustomers(org.db, StringImportSource(GeneratedCsv(3), "g"), {}, org.admin).Value();
  ASSERT_EQ(report.created, 3);
  int64_t edited = FindByName(org.db, "客户1").Value();
  int64_t createdAt = GetCustomer(org.db, edited).Value().createdAt;
  while (NowMs() <= createdAt) {
  }
  CustomerInput input = GetCustomer(org.db, edited).Value().fields;
  input.notes = "已拜访";
  ASSERT_TRUE(UpdateCustomer(org.db, edited, input, org.admin));

  // What would be undone is known beforehand (the screen offers undo only then), and only to whom may undo it.
  EXPECT_EQ(LastUndoableImport(org.db, org.admin).Value(), report.importId);
  EXPECT_EQ(LastUndoableImport(org.db, org.repWest).Value(), std::nullopt) << "another's import is not a rep's to undo";
  UndoReport undo = UndoLastImport(org.db, org.admin).Value();
  EXPECT_EQ(undo.importId, *report.importId);
  EXPECT_EQ(undo.trashed, 2);
  EXPECT_EQ(undo.keptChanged, 1);
  EXPECT_EQ(CountCustomers(org.db).Value(), 2);  // the edited one and the one made by hand
  EXPECT_FALSE(GetCustomer(org.db, kept).Value().deletedAt);
  EXPECT_FALSE(GetCustomer(org.db, edited).Value().deletedAt);
  EXPECT_EQ(org.db.QueryInt("SELECT COUNT(*) FROM imports WHERE undone_at IS NOT NULL").Value(), 1);
  // The trash is audited like any other delete.
  EXPECT_GE(org.db.QueryInt("SELECT COUNT(*) FROM audit_log WHERE table_name = 'customers' AND action = 'delete'").Value(), 2);
  EXPECT_EQ(LastUndoableImport(org.db, org.admin).Value(), std::nullopt);
  auto again = UndoLastImport(org.db, org.admin);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.Code(), ErrorCode::NotFound);
}

TEST(Import, FileSourceCrossesChunkBoundariesInGb18030) {
  // ~150 KB of GB18030: several 64 KiB decoder chunks, so characters are split between reads.
  TestOrg org;
  std::string utf8 = "客户名称,电话,详细地址\r\n";
  const int kRows = 2000;
  for (int i = 0; i < kRows; i++) {
    utf8 += "佛山市南海区第" + std::to_string(i) + "号门窗有限责任公司,1380000" + std::to_string(1000 + i) +
            ",\"桂城街道, 南海大道" + std::to_string(i) + "号\"\r\n";
  }
  std::string path = ::testing::TempDir() + "crm_import_test.csv";
  {
    std::ofstream file(path, std::ios::binary);
    file << EncodeGb18030(utf8).Value();
  }
  ImportSource source = FileImportSource(path).Value();
  EXPECT_EQ(source.name, "crm_import_test.csv");
  EXPECT_GT(source.totalBytes, 128 * 1024);
  ImportOptions options;
  options.progressEvery = 100;
  // Every value, a row a slice, as the screen sees them: bytes move within each pass.
  std::vector<ImportProgress> seen;
  options.progress = [&](const ImportProgress& p) {
    seen.push_back(p);
    return true;
  };
  ImportJob job = ImportJob::Start(org.db, source, options, org.admin).Value();
  for (int steps = 0; !job.Step(org.db, 1e-9).Value(); steps++) {
    seen.push_back(job.Progress());
    ASSERT_LT(steps, 100000);
  }
  seen.push_back(job.Progress());
  ImportReport report = job.Report();
  std::remove(path.c_str());
  ExpectProgressOnlyForward(seen);
  int64_t lastBytes = seen.back().bytesRead;
  EXPECT_EQ(report.encoding, Encoding::Gb18030);
  EXPECT_EQ(report.created, kRows);
  EXPECT_TRUE(report.errors.empty());
  EXPECT_EQ(lastBytes, source.totalBytes);
  Customer last = GetCustomer(org.db, FindByName(org.db, "佛山市南海区第1999号门窗有限责任公司").Value()).Value();
  EXPECT_EQ(last.fields.address.street, "桂城街道, 南海大道1999号");
}

TEST(Import, RefusesBadArguments) {
  TestOrg org;
  ImportOptions options;
  options.batchSize = 0;
  EXPECT_FALSE(ImportCustomers(org.db, StringImportSource("name\na\n", "a"), options, org.admin));
  EXPECT_FALSE(ImportCustomers(org.db, ImportSource{}, {}, org.admin));
  EXPECT_FALSE(ImportCustomers(org.db, StringImportSource("name\na\n", "a"), {}, Actor{12345, 1}));
  EXPECT_FALSE(ImportCustomers(org.db, StringImportSource("", "a"), {}, org.admin));
  EXPECT_FALSE(FileImportSource("/nonexistent/file.csv"));
  EXPECT_FALSE(PreviewImport(org.db, StringImportSource("name\na\n", "a"), {}, org.admin, -1));
}

// ---------------------------------------------------------------------------
// [SECTION] jobs in slices

TEST(Import, AJobInSlicesMatchesTheWholeImportAndLeavesNoTransactionOpen) {
  TestOrg whole;
  ImportOptions options;
  options.validOnly = true;
  std::string csv = GeneratedCsv(40) + ",13999999999\n" + "坏电话,12\n";
  ImportReport expected = ImportCustomers(whole.db, StringImportSource(csv, "g"), options, whole.admin).Value();

  TestOrg sliced;
  options.batchSize = 5;
  options.progressEvery = 4;
  std::vector<ImportProgress> called;
  options.progress = [&](const ImportProgress& p) {
    called.push_back(p);
    return true;
  };
  auto job = ImportJob::Start(sliced.db, StringImportSource(csv, "g"), options, sliced.admin);
  ASSERT_TRUE(job) << job.Message();
  int steps = 0;
  // What a screen shows between slices, and what the callback hears within them.
  std::vector<ImportProgress> betweenSteps{job.Value().Progress()};
  for (;;) {
    // The smallest budget: one row per step.
    auto done = job.Value().Step(sliced.db, 1e-9);
    ASSERT_TRUE(done) << done.Message();
    steps++;
    EXPECT_FALSE(sliced.db.InTransaction()) << "step " << steps;
    betweenSteps.push_back(job.Value().Progress());
    if (done.Value()) break;
    ASSERT_LT(steps, 1000);
  }
  ExpectProgressOnlyForward(betweenSteps);
  ExpectProgressOnlyForward(called);
  EXPECT_EQ(betweenSteps.back().total, 2 * static_cast<int64_t>(csv.size()));
  EXPECT_EQ(betweenSteps.back().pass, 2);
  EXPECT_EQ(betweenSteps.back().rowsDone, 42);
  EXPECT_TRUE(std::any_of(betweenSteps.begin(), betweenSteps.end(), [](const ImportProgress& p) { return p.pass == 1; }));
  EXPECT_TRUE(job.Value().Finished());
  EXPECT_GE(steps, 84);  // 42 rows checked, then 42 written, a row a step
  const ImportReport& report = job.Value().Report();
  EXPECT_EQ(report.created, expected.created);
  EXPECT_EQ(report.created, 40);
  EXPECT_EQ(report.failed, 2);
  EXPECT_EQ(ErrorLines(report), ErrorLines(expected));
  EXPECT_EQ(ErrorLines(report), (std::vector<int64_t>{42, 43}));
  EXPECT_TRUE(report.written);
  EXPECT_EQ(CountCustomers(sliced.db).Value(), 40);
  // Its customers undo together, as one import.
  EXPECT_EQ(UndoLastImport(sliced.db, sliced.admin).Value().trashed, 40);
  // Stepping a finished job does nothing more.
  EXPECT_TRUE(job.Value().Step(sliced.db, 10).Value());
}

TEST(Import, AJobCancelledWhileWritingTakesBackWhatItWroteUnlessValidOnly) {
  for (bool validOnly : {false, true}) {
    TestOrg org;
    ImportOptions options;
    options.validOnly = validOnly;
    options.batchSize = 4;
    auto job = ImportJob::Start(org.db, StringImportSource(GeneratedCsv(30), "g"), options, org.admin).Value();
    // Check all 30 rows, then write a few slices.
    while (job.Progress().pass == 1 || job.Progress().rowsDone < 10) ASSERT_FALSE(job.Step(org.db, 1e-9).Value());
    EXPECT_GT(CountCustomers(org.db).Value(), 0) << "written batches are committed between steps";
    job.Cancel();
    EXPECT_TRUE(job.Step(org.db, 1e-9).Value());
    EXPECT_TRUE(job.Report().cancelled);
    EXPECT_FALSE(org.db.InTransaction());
    if (validOnly) {
      EXPECT_EQ(job.Report().created, CountCustomers(org.db).Value());
      EXPECT_GE(job.Report().created, 10);
    } else {
      EXPECT_FALSE(job.Report().written);
      EXPECT_EQ(CountCustomers(org.db).Value(), 0);
    }
  }
  // A job cancelled while checking writes nothing, and a bad start is an error value.
  TestOrg org;
  auto job = ImportJob::Start(org.db, StringImportSource(GeneratedCsv(30), "g"), {}, org.admin).Value();
  ASSERT_FALSE(job.Step(org.db, 1e-9).Value());
  job.Cancel();
  EXPECT_TRUE(job.Step(org.db, 1e-9).Value());
  EXPECT_TRUE(job.Report().cancelled);
  EXPECT_EQ(org.db.QueryInt("SELECT count(*) FROM imports").Value(), 0);
  ImportOptions bad;
  bad.batchSize = 0;
  EXPECT_EQ(ImportJob::Start(org.db, StringImportSource("name\na\n", "a"), bad, org.admin).Code(), ErrorCode::Invalid);
  EXPECT_EQ(ImportJob::Start(org.db, StringImportSource("name\na\n", "a"), {}, Actor{999, 1}).Code(), ErrorCode::Denied);
}

TEST(Import, ColumnsAreReadWithTheirGuessEvenWithoutANameColumn) {
  std::string gb = EncodeGb18030("手机,城市,传真\r\n13800138000,佛山,x\r\n").Value();
  auto columns = ReadImportColumns(StringImportSource(gb, "g"));
  ASSERT_TRUE(columns) << columns.Message();
  EXPECT_EQ(columns.Value().encoding, Encoding::Gb18030);
  EXPECT_EQ(columns.Value().headers, (std::vector<std::string>{"手机", "城市", "传真"}));
  EXPECT_EQ(columns.Value().guess, (std::vector<ImportField>{ImportField::Phones, ImportField::City, ImportField::None}));
  // The same file does not import until a column holds the name.
  TestOrg org;
  EXPECT_EQ(PreviewImport(org.db, StringImportSource(gb, "g"), {}, org.admin).Code(), ErrorCode::Invalid);
  ImportOptions options;
  options.mappings = {ColumnMapping{"", 3, ImportField::Name}};
  auto preview = PreviewImport(org.db, StringImportSource(gb, "g"), options, org.admin);
  ASSERT_TRUE(preview) << preview.Message();
  EXPECT_EQ(preview.Value().rows.at(0).input.name, "x");
  EXPECT_EQ(ReadImportColumns(StringImportSource("", "empty")).Code(), ErrorCode::Invalid);
}

}  // namespace
}  // namespace crm
