#include "core/import_pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/ids.h"
#include "test_support.h"

namespace crm {
namespace {

using testing_support::TestOrg;

// A second kind of record, as opening balances will be: loyalty points per member code, into a
// scratch table this test creates. Only a mapping: the pipeline does the rest.
enum PointsField { kNone = 0, kMember = 1, kPoints = 2 };

struct PointsRecord {
  std::string member;
  int64_t points = 0;
};

class PointsMapping final : public RecordImportMapping<PointsRecord> {
 public:
  const ImportFields& Fields() const override { return m_fields; }

  Result<RowCheck<PointsRecord>> Validate(Db& db, const Actor&, const ImportRow& row, DuplicatePolicy policy) const override {
    RowCheck<PointsRecord> check;
    std::string points;
    for (size_t column = 0; column < row.fields.size(); column++) {
      if (row.fields[column] == kMember) check.record.member = row.Cell(column);
      if (row.fields[column] == kPoints) points = row.Cell(column);
    }
    if (check.record.member.empty()) check.problems.push_back(MakeError(ErrorCode::Invalid, "member: required"));
    char* end = nullptr;
    check.record.points = std::strtoll(points.c_str(), &end, 10);
    if (points.empty() || *end != '\0') {
      check.problems.push_back(MakeError(ErrorCode::Invalid, "points: '" + points + "' is not a whole number"));
    }
    if (!check.problems.empty()) return check;
    CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT id FROM scratch_points WHERE member = ? AND deleted_at IS NULL"));
    stmt.Bind(1, check.record.member);
    CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
    if (found) {
      check.action = policy == DuplicatePolicy::Merge ? RowAction::Merge
                     : policy == DuplicatePolicy::Create ? RowAction::Create
                                                         : RowAction::Skip;
      check.duplicate = DuplicateMatch{row.line, stmt.Int64(0), "member " + check.record.member, check.action};
    }
    return check;
  }

  Status Write(Db& db, const Actor&, const RowCheck<PointsRecord>& check, int64_t importId) const override {
    if (check.action == RowAction::Merge) {
      CRM_ASSIGN_OR_RETURN(Stmt add, db.Prepare("UPDATE scratch_points SET points = points + ? WHERE id = ?"));
      add.BindAll(check.record.points, check.duplicate->existingId);
      return add.Run();
    }
    if (check.record.points < 0) return MakeError(ErrorCode::Invalid, "points: a balance cannot start below zero");
    CRM_ASSIGN_OR_RETURN(Stmt insert, db.Prepare("INSERT INTO scratch_points(id, member, points, import_id) VALUES(?, ?, ?, ?)"));
    insert.BindAll(NewId(), check.record.member, check.record.points, importId);
    return insert.Run();
  }

  Result<UndoReport> Undo(Db& db, int64_t importId, const Actor&, bool) const override {
    CRM_ASSIGN_OR_RETURN(Stmt trash, db.Prepare(
        "UPDATE scratch_points SET deleted_at = 1 WHERE import_id = ? AND deleted_at IS NULL"));
    trash.Bind(1, importId);
    CRM_TRY(trash.Run());
    UndoReport report;
    report.trashed = db.Changes();
    return report;
  }

  Result<int64_t> CountCreated(Db& db, int64_t importId) const override {
    return db.QueryInt("SELECT COUNT(*) FROM scratch_points WHERE import_id = " + std::to_string(importId));
  }

 private:
  ImportFields m_fields{{{kNone, "none", {}, nullptr},
                         {kMember, "member", {"会员号", "member", "card"}, "the member code (会员号/member)"},
                         {kPoints, "points", {"积分", "points"}, nullptr}}};
};

struct PointsBook : TestOrg {
  PointsMapping mapping;
  PointsBook() {
    EXPECT_TRUE(db.Exec("CREATE TABLE scratch_points (id INTEGER PRIMARY KEY, member TEXT NOT NULL, "
                        "points INTEGER NOT NULL, import_id INTEGER, deleted_at INTEGER)"));
  }
  int64_t Live() { return db.QueryInt("SELECT COUNT(*) FROM scratch_points WHERE deleted_at IS NULL").Value(); }
  int64_t PointsOf(const std::string& member) {
    return db.QueryInt("SELECT points FROM scratch_points WHERE deleted_at IS NULL AND member = '" + member + "'").Value();
  }
};

// Lines 2–6; line 4 has two problems, line 5 one; line 6 repeats line 2's member.
const std::string kPointsCsv =
    "积分 ,备注,会员号*\r\n"
    "120,老会员,M001\r\n"
    "80,,M002\r\n"
    "很多,,\r\n"
    "abc,,M004\r\n"
    "30,,M001\r\n";

TEST(ImportPipeline, FieldsAreFoundByCodeAndByHeaderAlias) {
  PointsMapping mapping;
  const ImportFields& fields = mapping.Fields();
  EXPECT_EQ(fields.Guess(" 积分 "), kPoints);
  EXPECT_EQ(fields.Guess("会员号（必填）"), kMember);
  EXPECT_EQ(fields.Guess("Card:"), kMember);
  EXPECT_EQ(fields.Guess("备注"), kNone);
  EXPECT_EQ(fields.Parse("POINTS").Value(), kPoints);
  EXPECT_EQ(fields.Parse("会员号").Value(), kMember);
  EXPECT_EQ(fields.Parse("ignore").Value(), kNone);
  auto unknown = fields.Parse("balance", "--map");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.Message(), "--map: unknown field 'balance' (expected none, member, points)");
  EXPECT_STREQ(fields.Code(kPoints), "points");

  auto columns = ReadImportColumns(StringImportSource(kPointsCsv, "p.csv"), fields);
  ASSERT_TRUE(columns) << columns.Message();
  EXPECT_EQ(columns.Value().headers, (std::vector<std::string>{"积分", "备注", "会员号*"}));
  EXPECT_EQ(columns.Value().guess, (std::vector<int>{kPoints, kNone, kMember}));
}

TEST(ImportPipeline, ARequiredFieldNeedsAColumn) {
  PointsBook book;
  auto refused = RunImport(book.db, book.mapping, StringImportSource("积分\n10\n", "p.csv"), {}, book.admin);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.Message(), "map: no column holds the member code (会员号/member); map one explicitly");
  ImportOptionsOf<int> options;
  options.mappings = {{"", 2, kMember}};
  auto mapped = RunImport(book.db, book.mapping, StringImportSource("积分,卡\n10,M9\n", "p.csv"), options, book.admin);
  ASSERT_TRUE(mapped) << mapped.Message();
  EXPECT_EQ(mapped.Value().created, 1);
  EXPECT_EQ(book.PointsOf("M9"), 10);
}

TEST(ImportPipeline, AllOrNothingReportsEveryBadLineAndWritesNothing) {
  PointsBook book;
  auto report = RunImport(book.db, book.mapping, StringImportSource(kPointsCsv, "p.csv"), {}, book.admin);
  ASSERT_TRUE(report) << report.Message();
  const ImportReportOf<int>& r = report.Value();
  EXPECT_FALSE(r.written);
  EXPECT_EQ(r.rowsRead, 5);
  EXPECT_EQ(r.failed, 2);
  EXPECT_EQ(r.mapping, (std::vector<int>{kPoints, kNone, kMember}));
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].line, 4);
  EXPECT_EQ(r.errors[0].message, std::string("member: required") + kRowProblemSeparator + "points: '很多' is not a whole number");
  EXPECT_EQ(r.errors[1].line, 5);
  EXPECT_EQ(r.errors[1].message, "points: 'abc' is not a whole number");
  EXPECT_EQ(book.Live(), 0);
  EXPECT_EQ(book.db.QueryInt("SELECT COUNT(*) FROM imports").Value(), 0);
}

TEST(ImportPipeline, ValidOnlyWritesTheGoodRowsAndUndoTakesThemBack) {
  PointsBook book;
  ImportOptionsOf<int> options;
  options.validOnly = true;
  auto report = RunImport(book.db, book.mapping, StringImportSource(kPointsCsv, "p.csv"), options, book.admin);
  ASSERT_TRUE(report) << report.Message();
  const ImportReportOf<int>& r = report.Value();
  EXPECT_TRUE(r.written);
  EXPECT_EQ(r.created, 2);
  EXPECT_EQ(r.failed, 2);
  // Line 6 repeats a member line 2 created in the same file: pass 2 sees it and skips it.
  EXPECT_EQ(r.skipped, 1);
  ASSERT_EQ(r.duplicates.size(), 1u);
  EXPECT_EQ(r.duplicates[0].line, 6);
  EXPECT_EQ(r.duplicates[0].action, RowAction::Skip);
  EXPECT_EQ(book.PointsOf("M001"), 120);
  EXPECT_EQ(book.PointsOf("M002"), 80);
  ASSERT_TRUE(r.importId);
  EXPECT_EQ(book.db.QueryInt("SELECT rows_ok * 100 + rows_failed FROM imports").Value(), 202);

  // A later import merges into what the first wrote, and undo takes back only the newest import (imports
  // are ordered by their time, so the clock moves on first).
  int64_t firstAt = book.db.QueryInt("SELECT created_at FROM imports").Value();
  while (NowMs() <= firstAt) {
  }
  options.onDuplicate = DuplicatePolicy::Merge;
  auto merged = RunImport(book.db, book.mapping, StringImportSource("member,points\nM002,5\nM003,7\n", "q.csv"), options,
                          book.admin);
  ASSERT_TRUE(merged) << merged.Message();
  EXPECT_EQ(merged.Value().merged, 1);
  EXPECT_EQ(merged.Value().created, 1);
  EXPECT_EQ(book.PointsOf("M002"), 85);
  UndoReport undo = UndoLastImport(book.db, {&book.mapping}, book.admin).Value();
  EXPECT_EQ(undo.importId, *merged.Value().importId);
  EXPECT_EQ(undo.trashed, 1);
  EXPECT_EQ(book.Live(), 2);
  undo = UndoLastImport(book.db, {&book.mapping}, book.admin).Value();
  EXPECT_EQ(undo.importId, *r.importId);
  EXPECT_EQ(undo.trashed, 2);
  EXPECT_EQ(book.Live(), 0);
  EXPECT_EQ(book.db.QueryInt("SELECT COUNT(*) FROM imports WHERE undone_at IS NOT NULL").Value(), 2);
  EXPECT_EQ(UndoLastImport(book.db, {&book.mapping}, book.admin).Code(), ErrorCode::NotFound);
}

// A row the mapping accepts on checking but fails to write fails the whole import in all-or-nothing mode,
// even after earlier batches were committed.
TEST(ImportPipeline, AWriteFailureTakesBackCommittedBatchesInAllOrNothingMode) {
  PointsBook book;
  std::string csv = "member,points\n";
  for (int i = 0; i < 10; i++) csv += "M" + std::to_string(i) + ",1\n";
  csv += "M99,-5\n";
  ImportOptionsOf<int> options;
  options.batchSize = 3;
  auto report = RunImport(book.db, book.mapping, StringImportSource(csv, "p.csv"), options, book.admin);
  ASSERT_TRUE(report) << report.Message();
  EXPECT_FALSE(report.Value().written);
  ASSERT_EQ(report.Value().errors.size(), 1u);
  EXPECT_EQ(report.Value().errors[0].line, 12);
  EXPECT_EQ(report.Value().errors[0].message, "points: a balance cannot start below zero");
  EXPECT_EQ(book.Live(), 0);

  options.validOnly = true;
  report = RunImport(book.db, book.mapping, StringImportSource(csv, "p.csv"), options, book.admin);
  ASSERT_TRUE(report) << report.Message();
  EXPECT_EQ(report.Value().created, 10);
  EXPECT_EQ(book.Live(), 10);
}

TEST(ImportPipeline, SlicesReportProgressThatNeverGoesBack) {
  PointsBook book;
  std::string csv = "member,points\n";
  for (int i = 0; i < 25; i++) csv += "M" + std::to_string(i) + "," + std::to_string(i) + "\n";
  ImportOptionsOf<int> options;
  options.batchSize = 4;
  options.progressEvery = 2;
  std::vector<ImportProgress> seen;
  options.progress = [&](const ImportProgress& p) {
    seen.push_back(p);
    return true;
  };
  auto run = ImportRun::Start(book.db, book.mapping, StringImportSource(csv, "p.csv"), options, book.admin);
  ASSERT_TRUE(run) << run.Message();
  seen.push_back(run.Value().Progress());
  for (int steps = 0;; steps++) {
    ASSERT_LT(steps, 100);
    auto done = run.Value().Step(book.db, 1e-9);
    ASSERT_TRUE(done) << done.Message();
    EXPECT_FALSE(book.db.InTransaction());
    seen.push_back(run.Value().Progress());
    if (done.Value()) break;
  }
  for (size_t i = 1; i < seen.size(); i++) {
    EXPECT_GE(seen[i].done, seen[i - 1].done) << "value " << i;
    EXPECT_EQ(seen[i].total, 2 * static_cast<int64_t>(csv.size())) << "value " << i;
  }
  EXPECT_EQ(seen.back().done, seen.back().total);
  EXPECT_EQ(seen.back().rowsDone, 25);
  EXPECT_EQ(run.Value().Report().created, 25);
  EXPECT_EQ(book.Live(), 25);
}

}  // namespace
}  // namespace crm
