#include "core/import_pipeline.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <fstream>

#include "core/ids.h"
#include "core/records.h"
#include "core/schema.h"
#include "core/text.h"

namespace crm {

// [SECTION] fields and headers
// [SECTION] sources
// [SECTION] reading rows
// [SECTION] the run: check, write, slices, progress
// [SECTION] undo

// ---------------------------------------------------------------------------
// [SECTION] fields and headers

namespace {

std::string LowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
  return out;
}

}  // namespace

ImportFields::ImportFields(std::vector<ImportFieldSpec> specs) : m_specs(std::move(specs)) {}

const char* ImportFields::Code(int id) const {
  for (const ImportFieldSpec& spec : m_specs) {
    if (spec.id == id) return spec.code;
  }
  return "none";
}

Result<int> ImportFields::Parse(std::string_view text, std::string_view what) const {
  std::string key = LowerAscii(Trim(text));
  for (const ImportFieldSpec& spec : m_specs) {
    if (key == spec.code) return spec.id;
  }
  // Singular and header-like spellings are accepted too ("phone", "address", 电话…).
  if (key == "none" || key == "ignore" || key == "skip") return 0;
  int guessed = Guess(key);
  if (guessed != 0) return guessed;
  std::string expected;
  for (const ImportFieldSpec& spec : m_specs) expected += (expected.empty() ? "" : ", ") + std::string(spec.code);
  return MakeError(ErrorCode::Invalid, std::string(what) + ": unknown field '" + std::string(text) + "' (expected " +
                                           expected + ")");
}

int ImportFields::Guess(std::string_view header) const {
  std::string key = LowerAscii(Trim(header));
  // Marks of a required column ("客户名称*", "电话：") are not part of the name.
  while (!key.empty() && (key.back() == '*' || key.back() == ':')) key.pop_back();
  for (std::string_view mark : {"：", "（必填）", "(必填)"}) {
    if (key.size() > mark.size() && key.compare(key.size() - mark.size(), mark.size(), mark) == 0) {
      key.erase(key.size() - mark.size());
    }
  }
  key = Trim(key);
  for (const ImportFieldSpec& spec : m_specs) {
    for (std::string_view alias : spec.headerAliases) {
      if (key == alias) return spec.id;
    }
  }
  return 0;
}

Result<DuplicatePolicy> ParseDuplicatePolicy(std::string_view text) {
  std::string key = LowerAscii(Trim(text));
  if (key == "skip") return DuplicatePolicy::Skip;
  if (key == "merge") return DuplicatePolicy::Merge;
  if (key == "create") return DuplicatePolicy::Create;
  return MakeError(ErrorCode::Invalid, "on-duplicate: unknown policy '" + std::string(text) +
                                           "' (expected skip, merge or create)");
}

// ---------------------------------------------------------------------------
// [SECTION] sources

Result<ImportSource> FileImportSource(const std::string& path) {
  if (path.empty()) return MakeError(ErrorCode::Invalid, "file: no path given");
  std::ifstream probe(path, std::ios::binary | std::ios::ate);
  if (!probe) return MakeError(ErrorCode::NotFound, "file: cannot open '" + path + "'");
  ImportSource source;
  source.totalBytes = static_cast<int64_t>(probe.tellg());
  size_t slash = path.find_last_of("/\\");
  source.name = slash == std::string::npos ? path : path.substr(slash + 1);
  source.open = [path]() -> Result<ByteSource> {
    auto stream = std::make_shared<std::ifstream>(path, std::ios::binary);
    if (!*stream) return MakeError(ErrorCode::NotFound, "file: cannot open '" + path + "'");
    return ByteSource([stream, path](char* buffer, size_t capacity) -> Result<size_t> {
      if (!buffer && capacity > 0) return MakeError(ErrorCode::Invalid, "buffer: null");
      stream->read(buffer, static_cast<std::streamsize>(capacity));
      if (stream->bad()) return MakeError(ErrorCode::Storage, "file: reading '" + path + "' failed");
      return static_cast<size_t>(stream->gcount());
    });
  };
  return source;
}

ImportSource StringImportSource(std::string bytes, std::string name) {
  ImportSource source;
  source.totalBytes = static_cast<int64_t>(bytes.size());
  source.name = std::move(name);
  auto shared = std::make_shared<const std::string>(std::move(bytes));
  source.open = [shared]() -> Result<ByteSource> { return StringSource(*shared); };
  return source;
}

// ---------------------------------------------------------------------------
// [SECTION] reading rows

namespace {

// A cell as Excel users leave it: spaces around, or ="0757…" to keep leading zeros; line
// breaks inside a cell become LF (the record rules refuse a CR).
std::string CleanCell(std::string_view cell) {
  std::string text;
  text.reserve(cell.size());
  for (size_t i = 0; i < cell.size(); i++) {
    if (cell[i] != '\r') {
      text += cell[i];
    } else if (i + 1 >= cell.size() || cell[i + 1] != '\n') {
      text += '\n';
    }
  }
  text = Trim(text);
  if (text.size() >= 3 && text.compare(0, 2, "=\"") == 0 && text.back() == '"') text = text.substr(2, text.size() - 3);
  return Trim(text);
}

// Decodes and splits one pass over the source; knows which lines held undecodable bytes.
class RowReader {
 public:
  static Result<std::unique_ptr<RowReader>> Open(const ImportSource& source, Encoding encoding) {
    auto reader = std::unique_ptr<RowReader>(new RowReader());
    CRM_ASSIGN_OR_RETURN(ByteSource bytes, source.open());
    RowReader* self = reader.get();
    CRM_ASSIGN_OR_RETURN(reader->m_decoder, TextDecoder::Open(std::move(bytes), encoding, [self](int64_t line) {
                           if (self->m_badLines.size() < 100000) self->m_badLines.push_back(line);
                         }));
    reader->m_csv = std::make_unique<CsvReader>(TextDecoder::AsSource(reader->m_decoder.get()));
    return reader;
  }

  // The next record with any content; `badBytes` tells whether it held undecodable bytes.
  Result<bool> Next(CsvRecord& record, bool& badBytes) {
    for (;;) {
      CRM_ASSIGN_OR_RETURN(bool got, m_csv->Next(record));
      if (!got) return false;
      while (!m_badLines.empty() && m_badLines.front() < record.line) m_badLines.pop_front();
      badBytes = !m_badLines.empty() && m_badLines.front() <= record.lastLine;
      bool blank = std::all_of(record.fields.begin(), record.fields.end(),
                               [](const std::string& field) { return Trim(field).empty(); });
      if (!blank || badBytes) return true;
    }
  }
  int64_t BytesRead() const { return m_decoder->BytesRead(); }

 private:
  RowReader() = default;
  std::unique_ptr<TextDecoder> m_decoder;
  std::unique_ptr<CsvReader> m_csv;
  std::deque<int64_t> m_badLines;
};

// The header row, cleaned; the reader is left on the first data row.
Result<std::vector<std::string>> ReadHeaders(RowReader& reader, Encoding encoding) {
  CsvRecord header;
  bool badBytes = false;
  CRM_ASSIGN_OR_RETURN(bool any, reader.Next(header, badBytes));
  if (!any) return FieldError(ErrorCode::Invalid, "", Problem::EmptyFile, "file: empty (no header row)");
  if (badBytes) {
    Error error = FieldError(ErrorCode::Invalid, "", Problem::NotDecodable,
                             "line " + std::to_string(header.line) + ": the header row is not valid " + EncodingName(encoding) +
                                 " text; choose the file's encoding",
                             header.line);
    error.value = EncodingName(encoding);
    return error;
  }
  std::vector<std::string> headers;
  for (const std::string& cell : header.fields) headers.push_back(CleanCell(cell));
  return headers;
}

Result<std::vector<int>> BuildMapping(const std::vector<std::string>& headers, const ImportFields& fields,
                                     const std::vector<ColumnMappingOf<int>>& overrides, bool requireFields = true) {
  std::vector<int> mapping(headers.size(), 0);
  std::vector<bool> overridden(headers.size(), false);
  for (const ColumnMappingOf<int>& entry : overrides) {
    size_t column = 0;
    if (entry.column > 0) {
      if (static_cast<size_t>(entry.column) > headers.size()) {
        return MakeError(ErrorCode::Invalid, "map: column " + std::to_string(entry.column) + " does not exist (the file has " +
                                                 std::to_string(headers.size()) + " columns)");
      }
      column = static_cast<size_t>(entry.column - 1);
    } else if (entry.column < 0) {
      return MakeError(ErrorCode::Invalid, "map: column numbers start at 1");
    } else {
      std::string wanted = Trim(entry.header);
      auto found = std::find_if(headers.begin(), headers.end(), [&](const std::string& h) { return Trim(h) == wanted; });
      if (found == headers.end()) {
        Error error = FieldError(ErrorCode::Invalid, "map", Problem::NotFound, "map: no column named '" + entry.header + "'");
        error.value = entry.header;
        return error;
      }
      column = static_cast<size_t>(found - headers.begin());
    }
    mapping[column] = entry.field;
    overridden[column] = true;
  }
  // Guesses fill the rest; a field is taken by the first column that claims it, and an explicit
  // mapping wins over a guess.
  for (size_t column = 0; column < headers.size(); column++) {
    if (overridden[column]) continue;
    int guess = fields.Guess(headers[column]);
    if (guess == 0) continue;
    bool taken = false;
    for (size_t other = 0; other < headers.size(); other++) {
      if (other != column && mapping[other] == guess && (overridden[other] || other < column)) taken = true;
    }
    if (!taken) mapping[column] = guess;
  }
  if (!requireFields) return mapping;
  for (const ImportFieldSpec& spec : fields.Specs()) {
    if (spec.requiredAs && std::find(mapping.begin(), mapping.end(), spec.id) == mapping.end()) {
      return FieldError(ErrorCode::Invalid, spec.code, Problem::Required,
                        "map: no column holds " + std::string(spec.requiredAs) + "; map one explicitly");
    }
  }
  return mapping;
}

}  // namespace

std::string ImportRow::Cell(size_t column) const { return column < cells.size() ? CleanCell(cells[column]) : std::string(); }

RowOutcome UndecodableRow(Encoding encoding) {
  std::string message = std::string("bytes that are not valid ") + EncodingName(encoding) + " text (wrong encoding?)";
  Error undecodable = FieldError(ErrorCode::Corrupt, "", Problem::NotDecodable, message);
  undecodable.value = EncodingName(encoding);
  return RowOutcome{RowAction::Fail, message, {std::move(undecodable)}, std::nullopt};
}

Result<Encoding> ResolveImportEncoding(const ImportSource& source, Encoding requested) {
  if (!source.open) return MakeError(ErrorCode::Invalid, "source: nothing to read");
  if (requested != Encoding::Auto) return requested;
  CRM_ASSIGN_OR_RETURN(ByteSource bytes, source.open());
  return DetectEncoding(bytes);
}

Status CheckImportOptions(const ImportSource& source, const ImportOptionsOf<int>& options) {
  if (!source.open) return MakeError(ErrorCode::Invalid, "source: nothing to read");
  if (options.batchSize <= 0) return MakeError(ErrorCode::Invalid, "batch size: must be at least 1");
  if (options.progressEvery <= 0) return MakeError(ErrorCode::Invalid, "progress interval: must be at least 1 row");
  for (const ColumnMappingOf<int>& mapping : options.mappings) {
    if (mapping.column == 0 && Trim(mapping.header).empty()) {
      return MakeError(ErrorCode::Invalid, "map: a mapping needs a header name or a column number");
    }
  }
  return Ok();
}

Result<ImportColumnsOf<int>> ReadImportColumns(const ImportSource& source, const ImportFields& fields, Encoding encoding) {
  ImportColumnsOf<int> columns;
  CRM_ASSIGN_OR_RETURN(columns.encoding, ResolveImportEncoding(source, encoding));
  CRM_ASSIGN_OR_RETURN(std::unique_ptr<RowReader> reader, RowReader::Open(source, columns.encoding));
  CRM_ASSIGN_OR_RETURN(columns.headers, ReadHeaders(*reader, columns.encoding));
  CRM_ASSIGN_OR_RETURN(columns.guess, BuildMapping(columns.headers, fields, {}, /*requireFields=*/false));
  return columns;
}

struct ImportRowReader::State {
  std::unique_ptr<RowReader> reader;
  std::vector<std::string> headers;
  std::vector<int> mapping;
};

ImportRowReader::ImportRowReader() = default;
ImportRowReader::ImportRowReader(ImportRowReader&&) noexcept = default;
ImportRowReader& ImportRowReader::operator=(ImportRowReader&&) noexcept = default;
ImportRowReader::~ImportRowReader() = default;

Result<ImportRowReader> ImportRowReader::Open(const ImportSource& source, Encoding encoding, const ImportFields& fields,
                                              const std::vector<ColumnMappingOf<int>>& overrides) {
  ImportRowReader opened;
  opened.m_state = std::make_unique<State>();
  State& s = *opened.m_state;
  CRM_ASSIGN_OR_RETURN(s.reader, RowReader::Open(source, encoding));
  CRM_ASSIGN_OR_RETURN(s.headers, ReadHeaders(*s.reader, encoding));
  CRM_ASSIGN_OR_RETURN(s.mapping, BuildMapping(s.headers, fields, overrides));
  return opened;
}

const std::vector<std::string>& ImportRowReader::Headers() const { return m_state->headers; }
const std::vector<int>& ImportRowReader::Mapping() const { return m_state->mapping; }
Result<bool> ImportRowReader::Next(CsvRecord& record, bool& badBytes) { return m_state->reader->Next(record, badBytes); }
int64_t ImportRowReader::BytesRead() const { return m_state->reader->BytesRead(); }

// ---------------------------------------------------------------------------
// [SECTION] the run: check, write, slices, progress

namespace {

const ImportReportOf<int> kNoReport;  // what a moved-from run reports

void Keep(std::vector<RowIssue>& issues, size_t max, int64_t line, RowOutcome& outcome) {
  if (issues.size() < max) issues.push_back(RowIssue{line, std::move(outcome.problem), std::move(outcome.problems)});
}

Status RecordImportCounts(Db& db, int64_t importId, const ImportReportOf<int>& report, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, PrepareSignedUpdate(db, actor, NowMs(), "imports", "rows_ok = ?1, rows_failed = ?2", "id = ?3"));
  stmt.BindAll(report.created + report.merged, report.failed, importId);
  return stmt.Run();
}

}  // namespace

// The import as a state machine: pass 1 checks every row, pass 2 writes; a Step does as many rows
// as its budget allows and commits what it wrote before it returns.
struct ImportRun::State {
  enum class Phase { Check, Write, Done };
  const ImportMapping* mapping = nullptr;
  ImportSource source;
  ImportOptionsOf<int> options;
  Actor actor;
  Phase phase = Phase::Check;
  std::optional<ImportRowReader> reader;
  int64_t passBytes = 0;   // bytes the current pass read, once its reader is closed
  int64_t pass1Bytes = 0;  // bytes pass 1 read in all
  ImportReportOf<int> report;
  int64_t toWrite = 0;
  int64_t importId = 0;
  int inBatch = 0;
  bool cancelRequested = false;
  ImportProgress final;  // once Done

  // Where the run stands: pass 2 starts its scale where pass 1 ended, so `done` never goes back.
  ImportProgress Snapshot() const {
    int pass = phase == Phase::Write ? 2 : 1;
    int64_t bytes = reader ? reader->BytesRead() : passBytes;
    ImportProgress progress{pass, report.rowsRead, bytes, source.totalBytes, 0, -1};
    if (source.totalBytes >= 0) {
      progress.total = 2 * source.totalBytes;
      progress.done = (pass == 2 ? source.totalBytes : 0) + std::min(bytes, source.totalBytes);
    } else {
      progress.done = (pass == 2 ? pass1Bytes : 0) + bytes;
    }
    return progress;
  }

  // Reports progress; false when the caller's callback or Cancel() asks to stop.
  bool Tell(const ImportProgress& progress) {
    bool goOn = !options.progress || options.progress(progress);
    return goOn && !cancelRequested;
  }

  void CloseReader() {
    if (reader) passBytes = reader->BytesRead();
    reader.reset();
  }

  void Finish() {
    final = Snapshot();
    final.done = final.total = std::max(final.done, final.total);
    phase = Phase::Done;
    CloseReader();
  }

  Status OpenReader() {
    CRM_ASSIGN_OR_RETURN(ImportRowReader opened,
                         ImportRowReader::Open(source, report.encoding, mapping->Fields(), options.mappings));
    reader.emplace(std::move(opened));
    passBytes = 0;
    return Ok();
  }

  Result<RowOutcome> Process(Db& db, const CsvRecord& record, bool badBytes, std::optional<int64_t> writeUnder) {
    if (badBytes) return UndecodableRow(report.encoding);
    return mapping->Process(db, actor, ImportRow{record.line, record.fields, reader->Mapping()}, options.onDuplicate,
                            writeUnder);
  }

  // All-or-nothing cannot keep its promise once batches are committed, so a late failure or a
  // cancel takes back what this import created.
  Status Abandon(Db& db, std::optional<Txn>& txn) {
    if (txn) txn->Rollback();
    txn.reset();
    CRM_TRY(UndoImport(db, {mapping}, importId, actor, /*onlyUnchanged=*/false));
    report.created = 0;
    report.merged = 0;
    report.written = false;
    Finish();
    return Ok();
  }

  // Pass 2 begins: counts start again (rows earlier in the file may now be duplicates), and the
  // import is recorded so its records can be undone together.
  Status BeginWrite(Db& db) {
    phase = Phase::Write;
    passBytes = 0;
    report.rowsRead = report.skipped = report.failed = 0;
    report.errors.clear();
    report.duplicates.clear();
    importId = NewId();
    int64_t now = NowMs();
    CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
        "INSERT INTO imports(id, file_name, created_at, updated_at, created_by, updated_by, device_id) "
        "VALUES(?, ?, ?, ?, ?, ?, ?)"));
    stmt.BindAll(importId, source.name.empty() ? std::string("import") : source.name, now, now, actor.userId, actor.userId,
                 actor.deviceId);
    CRM_TRY(stmt.Run());
    report.importId = importId;
    return Ok();
  }

  // One row of pass 1; false at the end of the file.
  Result<bool> CheckRow(Db& db) {
    if (!reader) {
      CRM_TRY(OpenReader());
      report.headers = reader->Headers();
      report.mapping = reader->Mapping();
    }
    CsvRecord record;
    bool badBytes = false;
    CRM_ASSIGN_OR_RETURN(bool any, reader->Next(record, badBytes));
    if (!any) {
      CloseReader();
      pass1Bytes = passBytes;
      if ((report.failed > 0 && !options.validOnly) || toWrite == 0) {
        Finish();
        Tell(final);
      } else {
        Tell(Snapshot());
        CRM_TRY(BeginWrite(db));
      }
      return false;
    }
    report.rowsRead++;
    CRM_ASSIGN_OR_RETURN(RowOutcome outcome, Process(db, record, badBytes, std::nullopt));
    if (outcome.action == RowAction::Fail) {
      report.failed++;
      Keep(report.errors, options.maxIssues, record.line, outcome);
    } else if (outcome.action == RowAction::Skip) {
      report.skipped++;
    } else {
      toWrite++;
    }
    if (outcome.duplicate && report.duplicates.size() < options.maxIssues) report.duplicates.push_back(*outcome.duplicate);
    if (report.rowsRead % options.progressEvery == 0 && !Tell(Snapshot())) {
      report.cancelled = true;
      Finish();
    }
    return true;
  }

  // One row of pass 2, inside `txn` (begun here when none is open); false at the end of the file.
  Result<bool> WriteRow(Db& db, std::optional<Txn>& txn) {
    if (!reader) CRM_TRY(OpenReader());
    CsvRecord record;
    bool badBytes = false;
    CRM_ASSIGN_OR_RETURN(bool any, reader->Next(record, badBytes));
    if (!any) {
      CRM_TRY(RecordImportCounts(db, importId, report, actor));
      if (txn) {
        CRM_TRY(txn->Commit());
        txn.reset();
      }
      report.written = report.created + report.merged > 0;
      Finish();
      if (!report.cancelled) Tell(final);
      return false;
    }
    report.rowsRead++;
    if (!txn) {
      CRM_ASSIGN_OR_RETURN(Txn begun, db.Begin());
      txn.emplace(std::move(begun));
    }
    CRM_ASSIGN_OR_RETURN(RowOutcome outcome, Process(db, record, badBytes, importId));
    if (outcome.action == RowAction::Create) {
      report.created++;
    } else if (outcome.action == RowAction::Merge) {
      report.merged++;
    } else if (outcome.action == RowAction::Skip) {
      report.skipped++;
    }
    if (outcome.duplicate && report.duplicates.size() < options.maxIssues) report.duplicates.push_back(*outcome.duplicate);
    if (outcome.action == RowAction::Fail) {
      report.failed++;
      Keep(report.errors, options.maxIssues, record.line, outcome);
      if (!options.validOnly) {
        CRM_TRY(Abandon(db, txn));
        return false;
      }
    }
    if (++inBatch >= options.batchSize) CRM_TRY(CommitBatch(db, txn));
    if (report.rowsRead % options.progressEvery == 0 && !Tell(Snapshot())) {
      CRM_TRY(CancelWrite(db, txn));
      return false;
    }
    return true;
  }

  Status CommitBatch(Db& db, std::optional<Txn>& txn) {
    inBatch = 0;
    if (!txn) return Ok();
    CRM_TRY(RecordImportCounts(db, importId, report, actor));
    CRM_TRY(txn->Commit());
    txn.reset();
    return Ok();
  }

  Status CancelWrite(Db& db, std::optional<Txn>& txn) {
    report.cancelled = true;
    if (!options.validOnly) return Abandon(db, txn);
    // Valid-only keeps the committed batches; the open one is dropped, as the user asked to stop.
    if (txn) txn->Rollback();
    txn.reset();
    // Counts of the rolled-back batch are not known row by row: recount from the database.
    CRM_ASSIGN_OR_RETURN(report.created, mapping->CountCreated(db, importId));
    CRM_TRY(RecordImportCounts(db, importId, report, actor));
    report.written = report.created + report.merged > 0;
    Finish();
    return Ok();
  }
};

ImportRun::ImportRun() = default;
ImportRun::ImportRun(ImportRun&&) noexcept = default;
ImportRun& ImportRun::operator=(ImportRun&&) noexcept = default;
ImportRun::~ImportRun() = default;

Result<ImportRun> ImportRun::Start(Db& db, const ImportMapping& mapping, ImportSource source, ImportOptionsOf<int> options,
                                   const Actor& actor) {
  CRM_TRY(CheckImportOptions(source, options));
  CRM_TRY(ActingUser(db, actor));
  ImportRun run;
  run.m_state = std::make_unique<State>();
  State& s = *run.m_state;
  CRM_ASSIGN_OR_RETURN(s.report.encoding, ResolveImportEncoding(source, options.encoding));
  s.mapping = &mapping;
  s.source = std::move(source);
  s.options = std::move(options);
  s.actor = actor;
  return run;
}

Result<bool> ImportRun::Step(Db& db, double budgetMs) {
  if (!m_state) return MakeError(ErrorCode::Invalid, "import: not started");
  State& s = *m_state;
  auto started = std::chrono::steady_clock::now();
  auto spent = [&] { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count(); };
  std::optional<Txn> txn;
  // A failure leaves no transaction open and the run finished, so the caller sees the error once.
  auto failed = [&](const Error& error) -> Result<bool> {
    if (txn) txn->Rollback();
    txn.reset();
    s.Finish();
    return error;
  };
  while (s.phase != State::Phase::Done) {
    if (s.cancelRequested) {
      if (s.phase == State::Phase::Check) {
        s.report.cancelled = true;
        s.Finish();
      } else if (Status cancelled = s.CancelWrite(db, txn); !cancelled) {
        return failed(cancelled.GetError());
      }
      break;
    }
    if (s.phase == State::Phase::Check) {
      if (auto row = s.CheckRow(db); !row) return failed(row.GetError());
    } else {
      if (auto row = s.WriteRow(db, txn); !row) return failed(row.GetError());
    }
    if (budgetMs > 0 && spent() >= budgetMs) break;
  }
  // Nothing stays open between steps: the frame that follows sees (and saves) a committed state.
  if (s.phase == State::Phase::Write) {
    if (Status committed = s.CommitBatch(db, txn); !committed) return failed(committed.GetError());
  }
  // A big import changes the book's shape; the planner's statistics follow. The rows are in either way.
  if (s.phase == State::Phase::Done && s.report.written) (void)RefreshPlannerStatistics(db);
  return s.phase == State::Phase::Done;
}

void ImportRun::Cancel() {
  if (m_state) m_state->cancelRequested = true;
}

bool ImportRun::Finished() const { return !m_state || m_state->phase == State::Phase::Done; }

const ImportReportOf<int>& ImportRun::Report() const { return m_state ? m_state->report : kNoReport; }

ImportReportOf<int> ImportRun::TakeReport() {
  if (!m_state) return kNoReport;
  return std::move(m_state->report);
}

ImportProgress ImportRun::Progress() const {
  if (!m_state) return ImportProgress{};
  const State& s = *m_state;
  return s.phase == State::Phase::Done ? s.final : s.Snapshot();
}

Result<ImportReportOf<int>> RunImport(Db& db, const ImportMapping& mapping, const ImportSource& source,
                                      const ImportOptionsOf<int>& options, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(ImportRun run, ImportRun::Start(db, mapping, source, options, actor));
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool done, run.Step(db, 0));
    if (done) break;
  }
  return run.TakeReport();
}

// ---------------------------------------------------------------------------
// [SECTION] undo

Result<UndoReport> UndoImport(Db& db, const std::vector<const ImportMapping*>& mappings, int64_t importId,
                              const Actor& actor, bool onlyUnchanged) {
  UndoReport report;
  report.importId = importId;
  CRM_ASSIGN_OR_RETURN(User acting, ActingUser(db, actor));
  {
    CRM_ASSIGN_OR_RETURN(Stmt importer, db.Prepare("SELECT created_by FROM imports WHERE id = ?"));
    importer.Bind(1, importId);
    CRM_ASSIGN_OR_RETURN(bool found, importer.Step());
    if (found) CRM_TRY(CheckCanChangeImport(acting, importer.Int64(0)));
  }
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  for (const ImportMapping* mapping : mappings) {
    CRM_ASSIGN_OR_RETURN(UndoReport part, mapping->Undo(db, importId, actor, onlyUnchanged));
    report.trashed += part.trashed;
    report.keptChanged += part.keptChanged;
    report.keptDenied += part.keptDenied;
  }
  int64_t now = NowMs();
  CRM_ASSIGN_OR_RETURN(Stmt mark, PrepareSignedUpdate(db, actor, now, "imports", "undone_at = ?1", "id = ?2"));
  mark.BindAll(now, importId);
  CRM_TRY(mark.Run());
  CRM_TRY(txn.Commit());
  return report;
}

Result<std::optional<int64_t>> LastUndoableImport(Db& db, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(User acting, ActingUser(db, actor));
  // The latest import this user may undo (core/org.h CheckCanChangeImport: their own, or any for supervisors and up).
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "SELECT id, created_by FROM imports WHERE undone_at IS NULL AND deleted_at IS NULL ORDER BY created_at DESC, rowid DESC"));
  std::optional<int64_t> importId;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    if (CheckCanChangeImport(acting, stmt.Int64(1))) {
      importId = stmt.Int64(0);
      break;
    }
  }
  stmt.Reset();
  return importId;
}

Result<UndoReport> UndoLastImport(Db& db, const std::vector<const ImportMapping*>& mappings, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> importId, LastUndoableImport(db, actor));
  if (!importId) return FieldError(ErrorCode::NotFound, "", Problem::NothingToUndo, "import: nothing to undo");
  return UndoImport(db, mappings, *importId, actor, /*onlyUnchanged=*/true);
}

}  // namespace crm
