#include "core/export.h"

#include <chrono>
#include <climits>
#include <cstdio>
#include <memory>

#include "core/enums.h"

namespace crm {

namespace {

std::string ExcelSafe(const std::string& cell) {
  if (cell.empty()) return cell;
  char first = cell.front();
  if (first == '=' || first == '+' || first == '-' || first == '@') return "\t" + cell;
  bool digits = cell.find_first_not_of("0123456789") == std::string::npos;
  if (digits && (cell.size() >= 7 || cell.front() == '0')) return "=\"" + cell + "\"";
  return cell;
}

Result<std::string> JoinChildren(Db& db, const char* sql, int64_t customerId, const char* separator) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(sql));
  stmt.Bind(1, customerId);
  std::string out;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    if (!out.empty()) out += separator;
    out += stmt.Text(0);
  }
  return out;
}

// One customer's cells from a row of kRowColumns (its phones and tags read here).
Result<std::vector<std::string>> ExportCells(Db& db, const Stmt& rows, const ExportOptions& options) {
  int64_t id = rows.Int64(0);
  CRM_ASSIGN_OR_RETURN(std::string phones, JoinChildren(db,
      "SELECT phone FROM customer_phones WHERE customer_id = ? AND deleted_at IS NULL ORDER BY position, id", id, " / "));
  CRM_ASSIGN_OR_RETURN(std::string tags, JoinChildren(db,
      "SELECT tag FROM customer_tags WHERE customer_id = ? AND deleted_at IS NULL ORDER BY tag", id, "、"));
  std::string kind = rows.String(6), source = rows.String(10), credit = rows.String(11);
  if (!options.englishHeaders) {
    // Chinese labels read better in Excel; the importer accepts both labels and codes.
    auto parsedKind = ParseCustomerKind(kind);
    if (parsedKind) kind = LabelZh(parsedKind.Value());
    auto parsedSource = ParseSource(source);
    if (parsedSource && !source.empty()) source = LabelZh(parsedSource.Value());
    auto parsedCredit = ParseCredit(credit);
    if (parsedCredit && !credit.empty()) credit = LabelZh(parsedCredit.Value());
  }
  std::vector<std::string> cells = {rows.String(1), phones, rows.String(2), rows.String(3), rows.String(4),
                                    rows.String(5), kind, rows.String(7), rows.String(8), rows.String(9), source,
                                    credit, rows.String(12), rows.String(13), rows.String(14), tags, rows.String(15),
                                    rows.String(16), rows.String(17)};
  if (options.excelSafe) {
    for (std::string& cell : cells) cell = ExcelSafe(cell);
  }
  return cells;
}

constexpr const char* kRowColumns =
    "SELECT c.id, c.name, c.province, c.city, c.district, c.street, c.kind, c.industry, c.scale, c.brands, c.source, "
    "c.credit, c.birthday, c.anniversary, c.preferences, c.notes, c.grade, u.name, c.created_at "
    "FROM customers c LEFT JOIN users u ON u.id = c.owner_id ";

}  // namespace

std::vector<std::string> ExportHeaders(bool english) {
  if (english) {
    return {"name", "phones", "province", "city", "district", "address", "kind", "industry", "scale", "brands",
            "source", "credit", "birthday", "anniversary", "preferences", "tags", "notes", "class", "owner"};
  }
  return {"客户名称", "电话", "省份", "城市", "区县", "详细地址", "客户类型", "行业", "规模", "经营品牌",
          "来源", "信用", "生日", "纪念日", "偏好", "标签", "备注", "客户等级", "负责人"};
}

Result<int64_t> ExportCustomers(Db& db, const ByteSink& sink, const ExportOptions& options) {
  if (!sink) return MakeError(ErrorCode::Invalid, "sink: none given");
  if (options.batchHint <= 0) return MakeError(ErrorCode::Invalid, "progress interval: must be at least 1 row");
  CsvWriter writer(sink, CsvWriterOptions{',', options.crlf});
  if (options.bom) CRM_TRY(writer.WriteRaw("\xEF\xBB\xBF"));
  CRM_TRY(writer.WriteRecord(ExportHeaders(options.englishHeaders)));

  // One read transaction: the file is a consistent snapshot even while others write.
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin(TxnKind::Deferred));
  CRM_ASSIGN_OR_RETURN(Stmt rows, db.PrepareOnce(std::string(kRowColumns) +
      (options.includeTrash ? "" : "WHERE c.deleted_at IS NULL ") + "ORDER BY c.created_at, c.id"));
  int64_t count = 0;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    CRM_ASSIGN_OR_RETURN(std::vector<std::string> cells, ExportCells(db, rows, options));
    CRM_TRY(writer.WriteRecord(cells));
    count++;
    if (options.progress && count % options.batchHint == 0 && !options.progress(count)) {
      return MakeError(ErrorCode::Generic, "export: cancelled after " + std::to_string(count) + " rows");
    }
  }
  rows.Reset();
  CRM_TRY(writer.Flush());
  CRM_TRY(txn.Commit());
  return count;
}

ExportJob::ExportJob(ByteSink sink, const ExportOptions& options)
    : m_writer(std::make_unique<CsvWriter>(std::move(sink), CsvWriterOptions{',', options.crlf})), m_options(options) {}

Result<ExportJob> ExportJob::Start(Db& db, ByteSink sink, const ExportOptions& options) {
  if (!sink) return MakeError(ErrorCode::Invalid, "sink: none given");
  ExportJob job(std::move(sink), options);
  if (options.bom) CRM_TRY(job.m_writer->WriteRaw("\xEF\xBB\xBF"));
  CRM_TRY(job.m_writer->WriteRecord(ExportHeaders(options.englishHeaders)));
  CRM_ASSIGN_OR_RETURN(job.m_total, db.QueryInt(options.includeTrash ? "SELECT count(*) FROM customers"
                                                                     : "SELECT count(*) FROM customers WHERE deleted_at IS NULL"));
  return job;
}

Result<bool> ExportJob::Step(Db& db, double budgetMs) {
  if (m_done) return true;
  auto started = std::chrono::steady_clock::now();
  auto spent = [&] { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count(); };
  constexpr int kPage = 200;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(Stmt rows, db.Prepare(std::string(kRowColumns) + "WHERE " +
        (m_options.includeTrash ? "" : "c.deleted_at IS NULL AND ") +
        "(c.created_at, c.id) > (?, ?) ORDER BY c.created_at, c.id LIMIT " + std::to_string(kPage)));
    rows.Bind(1, m_afterCreated).Bind(2, m_afterId);
    int read = 0;
    bool overBudget = false;
    for (;;) {
      CRM_ASSIGN_OR_RETURN(bool row, rows.Step());
      if (!row) break;
      read++;
      CRM_ASSIGN_OR_RETURN(std::vector<std::string> cells, ExportCells(db, rows, m_options));
      CRM_TRY(m_writer->WriteRecord(cells));
      m_rows++;
      m_afterCreated = rows.Int64(18);
      m_afterId = rows.Int64(0);
      if (m_options.progress && m_rows % m_options.batchHint == 0 && !m_options.progress(m_rows)) {
        return MakeError(ErrorCode::Generic, "export: cancelled after " + std::to_string(m_rows) + " rows");
      }
      if (budgetMs > 0 && spent() >= budgetMs) {
        overBudget = true;
        break;
      }
    }
    rows.Reset();
    if (read < kPage && !overBudget) {
      CRM_TRY(m_writer->Flush());
      m_done = true;
      return true;
    }
    if (overBudget) return false;
  }
}

Result<int64_t> ExportCustomersToFile(Db& db, const std::string& path, const ExportOptions& options) {
  if (path.empty()) return MakeError(ErrorCode::Invalid, "file: no path given");
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!file) return MakeError(ErrorCode::Storage, "file: cannot write '" + path + "'");
  FILE* handle = file.get();
  ByteSink sink = [handle, &path](std::string_view bytes) -> Status {
    if (std::fwrite(bytes.data(), 1, bytes.size(), handle) != bytes.size()) {
      return MakeError(ErrorCode::Full, "file: writing '" + path + "' failed (disk full?)");
    }
    return Ok();
  };
  CRM_ASSIGN_OR_RETURN(int64_t count, ExportCustomers(db, sink, options));
  if (std::fflush(handle) != 0) return MakeError(ErrorCode::Full, "file: writing '" + path + "' failed (disk full?)");
  return count;
}

}  // namespace crm
