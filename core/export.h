#pragma once
// CSV export of customers that Excel opens with Chinese intact: UTF-8 with a
// BOM, CRLF line ends, RFC 4180 quoting. Rows stream from the database to the
// sink one at a time; the headers are ones the importer recognises, so an
// export can be imported again.
#include <cstdint>
#include <functional>
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
// Writes the header and one row per customer; returns the number of customer rows.
Result<int64_t> ExportCustomers(Db& db, const ByteSink& sink, const ExportOptions& options = {});
// The same, to a file (replaced).
Result<int64_t> ExportCustomersToFile(Db& db, const std::string& path, const ExportOptions& options = {});

}  // namespace crm
