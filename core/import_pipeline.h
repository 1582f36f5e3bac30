#pragma once
// The import pipeline every kind of record shares: source bytes -> decoded text (core/encoding) ->
// CSV rows (core/csv) -> the header row mapped to a mapping's fields by their header aliases -> each
// row validated and converted by the mapping, with its line number -> all-or-nothing or valid-only ->
// work in slices with progress that never goes backwards -> the `imports` row, and undo.
// A kind of record plugs in with an ImportMapping only; customers are the first (core/import.h).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/csv.h"
#include "core/db.h"
#include "core/encoding.h"
#include "core/org.h"  // Actor, ActingUser

namespace crm {

// ---------------------------------------------------------------------------
// Fields a column can fill

// One field of a mapping. Id 0 is "none" (the column is left out), always the first entry.
struct ImportFieldSpec {
  int id = 0;
  // Stable code for --map ("name", "phones"…); also the key the screens find the field's label by.
  const char* code = "none";
  // Headers as spreadsheets write them, in Chinese and English (compared trimmed, ASCII lower-cased).
  std::vector<std::string_view> headerAliases;
  // Set for a field the import cannot do without: the text names it in the error ("the customer name (客户名称/name)").
  const char* requiredAs = nullptr;
};

class ImportFields {
 public:
  explicit ImportFields(std::vector<ImportFieldSpec> specs);
  const std::vector<ImportFieldSpec>& Specs() const { return m_specs; }
  const char* Code(int id) const;  // "none" for an unknown id
  // A code, or a header alias ("phone", 电话…); "none", "ignore" and "skip" leave a column out.
  Result<int> Parse(std::string_view text, std::string_view what = "field") const;
  // A header as spreadsheets write it ("客户名称*", " Phone ") -> its field; 0 when unknown.
  int Guess(std::string_view header) const;

 private:
  std::vector<ImportFieldSpec> m_specs;
};

// ---------------------------------------------------------------------------
// Sources, options, progress, reports

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
template <class Field>
struct ColumnMappingOf {
  std::string header;  // used when column is 0
  int column = 0;
  Field field{};
};

struct ImportProgress {
  int pass = 1;  // 1: checking, 2: writing
  int64_t rowsDone = 0;  // in this pass
  int64_t bytesRead = 0;  // in this pass
  int64_t totalBytes = -1;
  // Both passes on one scale, for a progress bar: never goes backwards, and equals `total` when the job
  // ends (however it ends). Bytes of pass 1, then the source's size plus bytes of pass 2, out of twice the
  // size; when the size is unknown, total is -1 until the end.
  int64_t done = 0;
  int64_t total = -1;
};
// Return false to cancel.
using ImportProgressFn = std::function<bool(const ImportProgress&)>;

template <class Field>
struct ImportOptionsOf {
  Encoding encoding = Encoding::Auto;
  std::vector<ColumnMappingOf<Field>> mappings;
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
  std::string message;          // "phone: …", naming the field; several joined by kRowProblemSeparator (the CLI's)
  std::vector<Error> problems;  // the same, each with its field and problem code (the screens word them)
};

enum class RowAction { Create, Skip, Merge, Fail };

struct DuplicateMatch {
  int64_t line = 0;
  int64_t existingId = 0;
  std::string reason;  // "phone 13800138000" or "name and city"
  RowAction action = RowAction::Skip;
};

template <class Field>
struct ImportReportOf {
  Encoding encoding = Encoding::Utf8;
  std::vector<std::string> headers;
  std::vector<Field> mapping;  // per column
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

// The header row and the guess for each column, without requiring any column: what an import wizard
// shows so the user can map the columns by hand. The encoding is resolved (Auto: detected).
template <class Field>
struct ImportColumnsOf {
  Encoding encoding = Encoding::Utf8;
  std::vector<std::string> headers;
  std::vector<Field> guess;  // per column
};

struct UndoReport {
  int64_t importId = 0;
  int64_t trashed = 0;
  int64_t keptChanged = 0;  // changed since the import (edited, visited, reassigned): left alone
  int64_t keptDenied = 0;   // the acting user may not change them
};

// The same options, report or columns for another type of field id (a mapping's enum <-> int).
template <class To, class From>
std::vector<To> RetypeFields(const std::vector<From>& fields) {
  std::vector<To> out;
  out.reserve(fields.size());
  for (From field : fields) out.push_back(static_cast<To>(field));
  return out;
}
template <class To, class From>
ImportOptionsOf<To> RetypeFields(const ImportOptionsOf<From>& in) {
  ImportOptionsOf<To> out{in.encoding, {}, in.validOnly, in.onDuplicate, in.batchSize, in.maxIssues, in.progress,
                          in.progressEvery};
  for (const auto& m : in.mappings) out.mappings.push_back({m.header, m.column, static_cast<To>(m.field)});
  return out;
}
template <class To, class From>
ImportReportOf<To> RetypeFields(ImportReportOf<From> in) {
  return ImportReportOf<To>{in.encoding, std::move(in.headers), RetypeFields<To>(in.mapping), in.rowsRead, in.created,
                            in.merged, in.skipped, in.failed, std::move(in.errors), std::move(in.duplicates),
                            in.importId, in.written, in.cancelled};
}
template <class To, class From>
ImportColumnsOf<To> RetypeFields(ImportColumnsOf<From> in) {
  return ImportColumnsOf<To>{in.encoding, std::move(in.headers), RetypeFields<To>(in.guess)};
}

// ---------------------------------------------------------------------------
// The mapping: what a kind of record adds to the pipeline

// One data row as a mapping reads it.
struct ImportRow {
  int64_t line = 0;
  const std::vector<std::string>& cells;  // as read
  const std::vector<int>& fields;         // per column: the field it fills, 0 for none
  // The cell of `column` as Excel users leave it, cleaned: spaces around and ="0757…" dropped, a line
  // break inside a cell as LF; "" past the row's end.
  std::string Cell(size_t column) const;
};

// A row validated and converted: Fail with its problems, or what to do with the record.
template <class Record>
struct RowCheck {
  RowAction action = RowAction::Create;
  Record record;                            // normalized; for a merge, the merged record
  std::vector<Error> problems;              // every problem of the row, each naming its field ("phone: …")
  std::optional<DuplicateMatch> duplicate;  // an existing record the row matches
};

// A row's outcome as the pipeline keeps it, with the record type erased.
struct RowOutcome {
  RowAction action = RowAction::Create;
  std::string problem;  // the row's problems joined by kRowProblemSeparator, when action is Fail
  std::vector<Error> problems;  // the same, each with its field and problem code
  std::optional<DuplicateMatch> duplicate;
};

// What the pipeline drives. Derive from RecordImportMapping<Record> rather than from this.
class ImportMapping {
 public:
  virtual ~ImportMapping() = default;
  virtual const ImportFields& Fields() const = 0;
  // Checks a row (pass 1, preview) or, given the import's id, checks and writes it (pass 2). A problem
  // with the row is a Fail outcome; an error means the database failed.
  virtual Result<RowOutcome> Process(Db& db, const Actor& actor, const ImportRow& row, DuplicatePolicy policy,
                                     std::optional<int64_t> writeUnder) const = 0;
  // Takes back the records import `importId` created, inside the caller's transaction: only those nobody
  // changed since when `onlyUnchanged`; the rest are counted as kept. Merges into existing records stay.
  virtual Result<UndoReport> Undo(Db& db, int64_t importId, const Actor& actor, bool onlyUnchanged) const = 0;
  // How many records import `importId` created (read back after a cancelled batch is rolled back).
  virtual Result<int64_t> CountCreated(Db& db, int64_t importId) const = 0;
};

template <class Record>
class RecordImportMapping : public ImportMapping {
 public:
  // Converts and validates a row, collecting every problem (so one round of corrections in the spreadsheet
  // is enough), and looks for an existing record it duplicates, choosing the action by `policy`.
  virtual Result<RowCheck<Record>> Validate(Db& db, const Actor& actor, const ImportRow& row,
                                            DuplicatePolicy policy) const = 0;
  // Writes a checked row (Create or Merge); a record it creates carries `importId`, for undo. A failure
  // fails the row.
  virtual Status Write(Db& db, const Actor& actor, const RowCheck<Record>& check, int64_t importId) const = 0;

  Result<RowOutcome> Process(Db& db, const Actor& actor, const ImportRow& row, DuplicatePolicy policy,
                             std::optional<int64_t> writeUnder) const final {
    CRM_ASSIGN_OR_RETURN(RowCheck<Record> check, Validate(db, actor, row, policy));
    return Outcome(db, actor, check, writeUnder);
  }

  // A checked row as the pipeline keeps it; given the import's id, a Create or Merge is written (a write
  // that fails fails the row).
  RowOutcome Outcome(Db& db, const Actor& actor, const RowCheck<Record>& check,
                     std::optional<int64_t> writeUnder) const {
    RowOutcome outcome{check.action, {}, {}, check.duplicate};
    if (!check.problems.empty()) {
      outcome.action = RowAction::Fail;
      outcome.duplicate.reset();  // a row that breaks the rules is reported for that, not as a duplicate
      for (const Error& problem : check.problems) {
        outcome.problem += (outcome.problem.empty() ? "" : kRowProblemSeparator) + problem.message;
      }
      outcome.problems = check.problems;
    } else if (writeUnder && (check.action == RowAction::Create || check.action == RowAction::Merge)) {
      Status written = Write(db, actor, check, *writeUnder);
      if (!written) {
        outcome.action = RowAction::Fail;
        outcome.problem = written.Message();
        outcome.problems = {written.GetError()};
      }
    }
    if (outcome.duplicate) outcome.duplicate->action = outcome.action;
    return outcome;
  }
};

// ---------------------------------------------------------------------------
// Running an import

// The header row and each column's guess. Requires no column.
Result<ImportColumnsOf<int>> ReadImportColumns(const ImportSource& source, const ImportFields& fields,
                                               Encoding encoding = Encoding::Auto);

// The data rows of one pass over a source, after its header row, with the columns mapped.
class ImportRowReader {
 public:
  // Checks the options, reads the header and maps the columns (every required field must have one).
  static Result<ImportRowReader> Open(const ImportSource& source, Encoding encoding, const ImportFields& fields,
                                      const std::vector<ColumnMappingOf<int>>& overrides);
  ImportRowReader(ImportRowReader&&) noexcept;
  ImportRowReader& operator=(ImportRowReader&&) noexcept;
  ~ImportRowReader();

  const std::vector<std::string>& Headers() const;
  const std::vector<int>& Mapping() const;
  // The next row with any content; `badBytes` tells whether it held bytes that are not text in the encoding.
  Result<bool> Next(CsvRecord& record, bool& badBytes);
  int64_t BytesRead() const;

 private:
  ImportRowReader();
  struct State;
  std::unique_ptr<State> m_state;
};

// The outcome of a row whose bytes are not text in `encoding`.
RowOutcome UndecodableRow(Encoding encoding);

// The first `maxRows` data rows, mapped and checked with their records; writes nothing.
template <class Record>
struct PreviewRowOf {
  int64_t line = 0;
  std::vector<std::string> cells;
  Record input;  // normalized when valid
  RowAction action = RowAction::Create;
  std::string problem;  // why the row fails, when action is Fail
  std::vector<Error> problems;  // the same, each with its field and problem code
  std::optional<DuplicateMatch> duplicate;
};
template <class Record, class Field = int>
struct ImportPreviewOf {
  Encoding encoding = Encoding::Utf8;
  std::vector<std::string> headers;
  std::vector<Field> mapping;
  std::vector<PreviewRowOf<Record>> rows;
};
Status CheckImportOptions(const ImportSource& source, const ImportOptionsOf<int>& options);
Result<Encoding> ResolveImportEncoding(const ImportSource& source, Encoding requested);
template <class Field, class Record>
Result<ImportPreviewOf<Record, Field>> PreviewImportRows(Db& db, const RecordImportMapping<Record>& mapping,
                                                         const ImportSource& source, const ImportOptionsOf<int>& options,
                                                         const Actor& actor, int maxRows = 20) {
  CRM_TRY(CheckImportOptions(source, options));
  if (maxRows < 0) return MakeError(ErrorCode::Invalid, "preview rows: must not be negative");
  CRM_TRY(ActingUser(db, actor));
  ImportPreviewOf<Record, Field> preview;
  CRM_ASSIGN_OR_RETURN(preview.encoding, ResolveImportEncoding(source, options.encoding));
  CRM_ASSIGN_OR_RETURN(ImportRowReader reader,
                       ImportRowReader::Open(source, preview.encoding, mapping.Fields(), options.mappings));
  preview.headers = reader.Headers();
  preview.mapping = RetypeFields<Field>(reader.Mapping());
  CsvRecord record;
  while (static_cast<int>(preview.rows.size()) < maxRows) {
    bool badBytes = false;
    CRM_ASSIGN_OR_RETURN(bool any, reader.Next(record, badBytes));
    if (!any) break;
    PreviewRowOf<Record> row;
    row.line = record.line;
    RowOutcome outcome = UndecodableRow(preview.encoding);
    if (!badBytes) {
      CRM_ASSIGN_OR_RETURN(RowCheck<Record> check,
                           mapping.Validate(db, actor, ImportRow{record.line, record.fields, reader.Mapping()},
                                            options.onDuplicate));
      outcome = mapping.Outcome(db, actor, check, std::nullopt);
      row.input = std::move(check.record);
    }
    row.cells = record.fields;
    row.action = outcome.action;
    row.problem = std::move(outcome.problem);
    row.problems = std::move(outcome.problems);
    row.duplicate = std::move(outcome.duplicate);
    preview.rows.push_back(std::move(row));
  }
  return preview;
}

// An import in slices, for a screen that must keep drawing frames: Start checks the options and the user
// and detects the encoding; each Step works through rows for about `budgetMs` (at least one row; 0 or
// less: to the end) and commits what it wrote before it returns, so no transaction stays open between
// steps. Pass 1 checks every row; pass 2 (unless all-or-nothing found bad rows) reads the file again and
// writes, at most options.batchSize rows per transaction. A row-level problem is in the report, not an
// error; an error means the file or the database failed. The mapping must outlive the job.
class ImportRun {
 public:
  static Result<ImportRun> Start(Db& db, const ImportMapping& mapping, ImportSource source,
                                 ImportOptionsOf<int> options, const Actor& actor);
  ImportRun(ImportRun&&) noexcept;
  ImportRun& operator=(ImportRun&&) noexcept;
  ~ImportRun();

  // True once finished (Report() is then final). An error finishes the run too.
  Result<bool> Step(Db& db, double budgetMs);
  // The next Step stops: in all-or-nothing mode what was written is taken back; valid-only keeps the
  // committed rows. Report().cancelled tells.
  void Cancel();
  bool Finished() const;
  const ImportReportOf<int>& Report() const;
  ImportReportOf<int> TakeReport();  // once finished, without a copy
  // Where the run stands now.
  ImportProgress Progress() const;

 private:
  ImportRun();
  struct State;
  std::unique_ptr<State> m_state;
};

// Start plus Step until done.
Result<ImportReportOf<int>> RunImport(Db& db, const ImportMapping& mapping, const ImportSource& source,
                                      const ImportOptionsOf<int>& options, const Actor& actor);

// Every mapping's Undo of import `importId` in one transaction (an import is one mapping's, and the
// others find nothing of it), then the import is marked undone.
Result<UndoReport> UndoImport(Db& db, const std::vector<const ImportMapping*>& mappings, int64_t importId,
                              const Actor& actor, bool onlyUnchanged);
// The newest not-yet-undone import the acting user may undo (their own; any, for supervisors and up),
// records changed since it kept.
Result<UndoReport> UndoLastImport(Db& db, const std::vector<const ImportMapping*>& mappings, const Actor& actor);
// The import UndoLastImport would take back for this person (their latest not undone, or anyone's for a supervisor
// and up); nullopt when there is none, so a screen offers undo only when there is something to undo.
Result<std::optional<int64_t>> LastUndoableImport(Db& db, const Actor& actor);

}  // namespace crm
