#pragma once
// CSV export of customers that Excel opens with Chinese intact: UTF-8 with a
// BOM, CRLF line ends, RFC 4180 quoting. Rows stream from the database to the
// sink one at a time; the headers are ones the importer recognises, so an
// export can be imported again.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/csv.h"
#include "core/db.h"

namespace crm {

struct ExportOptions {
  bool englishHeaders = false;  // default: Chinese headers and Chinese labels for kinds, sources, credit
  bool bom = true;              // Excel needs it to read UTF-8
  bool crlf = true;
  // Long digit strings (phones) written as ="…" so Excel keeps them as text (no 1.38E+10, no lost
  // leading zero), and cells starting with = + - @ prefixed with a tab so Excel does not run them
  // as formulas. The importer undoes both.
  bool excelSafe = true;
  bool includeTrash = false;
  std::function<bool(int64_t rowsDone)> progress;  // return false to cancel; called every 1000 rows
  int64_t batchHint = 1000;
};

std::vector<std::string> ExportHeaders(bool english);

// The same file in slices, for a screen that must keep drawing frames: Start writes the BOM and the
// header and counts the rows; each Step writes rows for about `budgetMs` (at least one; 0: to the end),
// in the same order as ExportCustomers, reading a page at a time by (created_at, id) so nothing stays
// open between steps. Rows changed between steps are written as they are when their page is read.
class ExportJob {
 public:
  static Result<ExportJob> Start(Db& db, ByteSink sink, const ExportOptions& options = {});
  // True once every row is written and the sink flushed.
  Result<bool> Step(Db& db, double budgetMs);
  int64_t RowsDone() const { return m_rows; }
  int64_t RowsTotal() const { return m_total; }  // counted at Start

 private:
  ExportJob(ByteSink sink, const ExportOptions& options);
  std::unique_ptr<CsvWriter> m_writer;
  ExportOptions m_options;
  int64_t m_rows = 0;
  int64_t m_total = 0;
  int64_t m_afterCreated = INT64_MIN;  // the last row written, as (created_at, id)
  int64_t m_afterId = INT64_MIN;
  bool m_done = false;
};
// Writes the header and one row per customer; returns the number of customer rows.
Result<int64_t> ExportCustomers(Db& db, const ByteSink& sink, const ExportOptions& options = {});
// The same, to a file (replaced).
Result<int64_t> ExportCustomersToFile(Db& db, const std::string& path, const ExportOptions& options = {});

}  // namespace crm
