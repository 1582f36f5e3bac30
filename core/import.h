#pragma once
// CSV customer import: map columns (Chinese and English headers recognised),
// preview, validate every row with the customer rules, detect duplicates,
// write in batched transactions and undo the last import. Files are read
// twice (validate, then write), never held whole: the source re-opens.
// Customers are the first mapping of the generic pipeline (core/import_pipeline.h);
// these calls are that pipeline with the customer mapping.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/customers.h"
#include "core/import_pipeline.h"

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

// The customer import's types: the pipeline's, with the customer fields.
using ColumnMapping = ColumnMappingOf<ImportField>;
using ImportOptions = ImportOptionsOf<ImportField>;
using ImportReport = ImportReportOf<ImportField>;
using PreviewRow = PreviewRowOf<CustomerInput>;
using ImportPreview = ImportPreviewOf<CustomerInput, ImportField>;
using ImportColumns = ImportColumnsOf<ImportField>;

// The customer mapping, as the pipeline drives it (also for undoing an import of any kind, see
// AllImportMappings).
const RecordImportMapping<CustomerInput>& CustomerImportMapping();
// Every kind of import there is: an import's id is one of theirs, so undo asks each.
const std::vector<const ImportMapping*>& AllImportMappings();

// The header row and core's guess for each column, without requiring a name column: what an import
// wizard shows so the user can map the columns by hand. The encoding is resolved (Auto: detected).
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
  // Where the job stands now (the pass, rows done in it, bytes read; done of total, never going back).
  ImportProgress Progress() const;

 private:
  ImportJob();
  struct State;
  std::unique_ptr<State> m_state;
};

// Moves to the trash every customer the newest not-yet-undone import created, unless someone
// changed it since; merges into existing customers are not reverted. Marks the import undone.
Result<UndoReport> UndoLastImport(Db& db, const Actor& actor);

}  // namespace crm
