#pragma once
// CSV customer import: map columns (Chinese and English headers recognised),
// preview, validate every row with the customer rules, detect duplicates,
// write in batched transactions and undo the last import. Files are read
// twice (validate, then write), never held whole: the source re-opens.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/csv.h"
#include "core/customers.h"
#include "core/db.h"
#include "core/encoding.h"

namespace crm {

// The customer fields a column can fill.
enum class ImportField {
  None, Name, Phones, Province, City, District, Street, Kind, Industry, Scale, Brands, Source, Credit,
  Birthday, Anniversary, Preferences, Notes, Tags, Grade
};

// Stable codes for --map ("name", "phones", "street"…); "none" leaves a column out.
const char* ImportFieldCode(ImportField field);
Result<ImportField> ParseImportField(std::string_view text, std::string_view what = "field");
// A header as spreadsheets write it (客户名称, 手机, Phone…) → its field; None when unknown.
ImportField GuessImportField(std::string_view header);

// The same bytes, from the start, each time `open` is called.
struct ImportSource {
  std::function<Result<ByteSource>()> open;
  int64_t totalBytes = -1;  // -1 when unknown
  std::string name;         // recorded in the imports table
};
// A file on disk (natively, or the Emscripten file system).
Result<ImportSource> FileImportSource(const std::string& path);
ImportSource StringImportSource(std::string bytes, std::string name);

enum class DuplicatePolicy { Skip, Merge, Create };
Result<DuplicatePolicy> ParseDuplicatePolicy(std::string_view text);

// Maps one column, by header text or by 1-based column number, overriding the guess.
struct ColumnMapping {
  std::string header;  // used when column is 0
  int column = 0;
  ImportField field = ImportField::None;
};

struct ImportProgress {
  int pass = 1;  // 1: checking, 2: writing
  int64_t rowsDone = 0;
  int64_t bytesRead = 0;
  int64_t totalBytes = -1;
};
// Return false to cancel.
using ImportProgressFn = std::function<bool(const ImportProgress&)>;

struct ImportOptions {
  Encoding encoding = Encoding::Auto;
  std::vector<ColumnMapping> mappings;
  bool validOnly = false;  // default all-or-nothing: one bad row and nothing is written
  DuplicatePolicy onDuplicate = DuplicatePolicy::Skip;
  int batchSize = 5000;      // rows per transaction
  size_t maxIssues = 1000;   // errors and duplicates kept in the report (counts go on)
  ImportProgressFn progress;
  int progressEvery = 1000;  // rows between progress calls
};

// Between the problems of one row, each "field: …": "name: required; phone: '12345' has 5 digits (…)".
constexpr const char* kRowProblemSeparator = "; ";

struct RowIssue {
  int64_t line = 0;
  std::string message;  // "phone: …", naming the field; several joined by kRowProblemSeparator
};

enum class RowAction { Create, Skip, Merge, Fail };

struct DuplicateMatch {
  int64_t line = 0;
  int64_t existingId = 0;
  std::string reason;  // "phone 13800138000" or "name and city"
  RowAction action = RowAction::Skip;
};

struct ImportReport {
  Encoding encoding = Encoding::Utf8;
  std::vector<std::string> headers;
  std::vector<ImportField> mapping;  // per column
  int64_t rowsRead = 0;
  int64_t created = 0;
  int64_t merged = 0;
  int64_t skipped = 0;  // duplicates left alone
  int64_t failed = 0;
  std::vector<RowIssue> errors;           // at most maxIssues, in line order
  std::vector<DuplicateMatch> duplicates;  // likewise
  std::optional<int64_t> importId;
  bool written = false;    // false: nothing was imported (bad rows in all-or-nothing mode, or cancelled)
  bool cancelled = false;
};

struct PreviewRow {
  int64_t line = 0;
  std::vector<std::string> cells;
  CustomerInput input;  // normalized when valid
  RowAction action = RowAction::Create;
  std::string problem;  // why the row fails, when action is Fail
  std::optional<DuplicateMatch> duplicate;
};

struct ImportPreview {
  Encoding encoding = Encoding::Utf8;
  std::vector<std::string> headers;
  std::vector<ImportField> mapping;
  std::vector<PreviewRow> rows;
};

// The header row and core's guess for each column, without requiring a name column: what an import
// wizard shows so the user can map the columns by hand. The encoding is resolved (Auto: detected).
struct ImportColumns {
  Encoding encoding = Encoding::Utf8;
  std::vector<std::string> headers;
  std::vector<ImportField> guess;  // per column
};
Result<ImportColumns> ReadImportColumns(const ImportSource& source, Encoding encoding = Encoding::Auto);

// The first `maxRows` data rows, mapped and checked; writes nothing.
Result<ImportPreview> PreviewImport(Db& db, const ImportSource& source, const ImportOptions& options,
                                    const Actor& actor, int maxRows = 20);
// Checks every row, then (unless all-or-nothing found bad rows) writes them. A row-level problem
// is in the report, not an error; an error means the file or the database failed.
Result<ImportReport> ImportCustomers(Db& db, const ImportSource& source, const ImportOptions& options,
                                     const Actor& actor);

// The same import in slices, for a screen that must keep drawing frames: Start checks the options and
// the user and detects the encoding; each Step works through rows for about `budgetMs` (at least one
// row; 0 or less: to the end) and commits what it wrote before it returns, so no transaction stays open
// between steps. Rows per transaction stay at most options.batchSize. The report, the all-or-nothing
// rule, cancelling and undo are those of ImportCustomers (which is Start plus Step until done).
class ImportJob {
 public:
  static Result<ImportJob> Start(Db& db, ImportSource source, ImportOptions options, const Actor& actor);
  ImportJob(ImportJob&&) noexcept;
  ImportJob& operator=(ImportJob&&) noexcept;
  ~ImportJob();

  // True once finished (Report() is then final). An error finishes the job too.
  Result<bool> Step(Db& db, double budgetMs);
  // The next Step stops: in all-or-nothing mode what was written is taken back; valid-only keeps the
  // committed rows. Report().cancelled tells.
  void Cancel();
  bool Finished() const;
  const ImportReport& Report() const;
  // Where the job stands now (the pass, rows done in it, bytes read).
  ImportProgress Progress() const;

 private:
  ImportJob();
  struct State;
  std::unique_ptr<State> m_state;
};

struct UndoReport {
  int64_t importId = 0;
  int64_t trashed = 0;
  int64_t keptChanged = 0;  // changed since the import (edited, visited, reassigned): left alone
  int64_t keptDenied = 0;   // the acting user may not change them
};
// Moves to the trash every customer the newest not-yet-undone import created, unless someone
// changed it since; merges into existing customers are not reverted. Marks the import undone.
Result<UndoReport> UndoLastImport(Db& db, const Actor& actor);

}  // namespace crm
