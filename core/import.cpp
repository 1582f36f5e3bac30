#include "core/import.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <fstream>
#include <memory>

#include "core/ids.h"
#include "core/org.h"
#include "core/schema.h"
#include "core/text.h"
#include "core/validate.h"

namespace crm {

// [SECTION] fields and headers
// [SECTION] sources
// [SECTION] reading rows
// [SECTION] planning a row: parse, validate, duplicates
// [SECTION] preview, import, undo

namespace {

struct FieldCode {
  const char* code;
  ImportField field;
};
constexpr FieldCode kFieldCodes[] = {
    {"none", ImportField::None},           {"name", ImportField::Name},
    {"phones", ImportField::Phones},       {"province", ImportField::Province},
    {"city", ImportField::City},           {"district", ImportField::District},
    {"street", ImportField::Street},       {"kind", ImportField::Kind},
    {"industry", ImportField::Industry},   {"scale", ImportField::Scale},
    {"brands", ImportField::Brands},       {"source", ImportField::Source},
    {"credit", ImportField::Credit},       {"birthday", ImportField::Birthday},
    {"anniversary", ImportField::Anniversary}, {"preferences", ImportField::Preferences},
    {"notes", ImportField::Notes},         {"tags", ImportField::Tags},
    {"grade", ImportField::Grade},
};

// Headers seen in Chinese and English spreadsheets (compared trimmed, ASCII lower-cased).
constexpr FieldCode kHeaderAliases[] = {
    {"客户名称", ImportField::Name}, {"名称", ImportField::Name}, {"客户", ImportField::Name},
    {"公司名称", ImportField::Name}, {"客户名", ImportField::Name}, {"姓名", ImportField::Name},
    {"name", ImportField::Name}, {"customer", ImportField::Name}, {"customer name", ImportField::Name},
    {"company", ImportField::Name},
    {"电话", ImportField::Phones}, {"手机", ImportField::Phones}, {"联系电话", ImportField::Phones},
    {"手机号", ImportField::Phones}, {"手机号码", ImportField::Phones}, {"电话号码", ImportField::Phones},
    {"phone", ImportField::Phones}, {"phones", ImportField::Phones}, {"mobile", ImportField::Phones},
    {"tel", ImportField::Phones}, {"telephone", ImportField::Phones},
    {"地址", ImportField::Street}, {"详细地址", ImportField::Street}, {"address", ImportField::Street},
    {"street", ImportField::Street},
    {"省", ImportField::Province}, {"省份", ImportField::Province}, {"province", ImportField::Province},
    {"市", ImportField::City}, {"城市", ImportField::City}, {"city", ImportField::City},
    {"区", ImportField::District}, {"区县", ImportField::District}, {"district", ImportField::District},
    {"客户类型", ImportField::Kind}, {"类型", ImportField::Kind}, {"type", ImportField::Kind},
    {"kind", ImportField::Kind},
    {"行业", ImportField::Industry}, {"industry", ImportField::Industry},
    {"规模", ImportField::Scale}, {"scale", ImportField::Scale},
    {"经营品牌", ImportField::Brands}, {"代理品牌", ImportField::Brands}, {"经营类别", ImportField::Brands},
    {"brands", ImportField::Brands},
    {"来源", ImportField::Source}, {"客户来源", ImportField::Source}, {"source", ImportField::Source},
    {"信用", ImportField::Credit}, {"信用等级", ImportField::Credit}, {"credit", ImportField::Credit},
    {"生日", ImportField::Birthday}, {"birthday", ImportField::Birthday},
    {"纪念日", ImportField::Anniversary}, {"anniversary", ImportField::Anniversary},
    {"偏好", ImportField::Preferences}, {"喜好", ImportField::Preferences}, {"preferences", ImportField::Preferences},
    {"标签", ImportField::Tags}, {"tags", ImportField::Tags}, {"tag", ImportField::Tags},
    {"备注", ImportField::Notes}, {"说明", ImportField::Notes}, {"notes", ImportField::Notes},
    {"note", ImportField::Notes}, {"remarks", ImportField::Notes},
    {"等级", ImportField::Grade}, {"客户等级", ImportField::Grade}, {"客户分类", ImportField::Grade},
    {"class", ImportField::Grade}, {"grade", ImportField::Grade},
};

std::string LowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
  return out;
}

}  // namespace

const char* ImportFieldCode(ImportField field) {
  for (const FieldCode& entry : kFieldCodes) {
    if (entry.field == field) return entry.code;
  }
  return "none";
}

Result<ImportField> ParseImportField(std::string_view text, std::string_view what) {
  std::string key = LowerAscii(Trim(text));
  for (const FieldCode& entry : kFieldCodes) {
    if (key == entry.code) return entry.field;
  }
  // Singular and header-like spellings are accepted too ("phone", "address", 电话…).
  if (key == "ignore" || key == "skip") return ImportField::None;
  ImportField guessed = GuessImportField(key);
  if (guessed != ImportField::None) return guessed;
  std::string expected;
  for (const FieldCode& entry : kFieldCodes) expected += (expected.empty() ? "" : ", ") + std::string(entry.code);
  return MakeError(ErrorCode::Invalid, std::string(what) + ": unknown field '" + std::string(text) + "' (expected " +
                                           expected + ")");
}

ImportField GuessImportField(std::string_view header) {
  std::string key = LowerAscii(Trim(header));
  // Marks of a required column ("客户名称*", "电话：") are not part of the name.
  while (!key.empty() && (key.back() == '*' || key.back() == ':')) key.pop_back();
  for (std::string_view mark : {"：", "（必填）", "(必填)"}) {
    if (key.size() > mark.size() && key.compare(key.size() - mark.size(), mark.size(), mark) == 0) {
      key.erase(key.size() - mark.size());
    }
  }
  key = Trim(key);
  for (const FieldCode& entry : kHeaderAliases) {
    if (key == entry.code) return entry.field;
  }
  return ImportField::None;
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

Result<Encoding> ResolveEncoding(const ImportSource& source, Encoding requested) {
  if (!source.open) return MakeError(ErrorCode::Invalid, "source: nothing to read");
  if (requested != Encoding::Auto) return requested;
  CRM_ASSIGN_OR_RETURN(ByteSource bytes, source.open());
  return DetectEncoding(bytes);
}

Result<std::vector<ImportField>> BuildMapping(const std::vector<std::string>& headers,
                                              const std::vector<ColumnMapping>& overrides, bool requireName = true) {
  std::vector<ImportField> mapping(headers.size(), ImportField::None);
  std::vector<bool> overridden(headers.size(), false);
  for (const ColumnMapping& entry : overrides) {
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
      if (found == headers.end()) return MakeError(ErrorCode::Invalid, "map: no column named '" + entry.header + "'");
      column = static_cast<size_t>(found - headers.begin());
    }
    mapping[column] = entry.field;
    overridden[column] = true;
  }
  // Guesses fill the rest; a field is taken by the first column that claims it, and an explicit
  // mapping wins over a guess.
  for (size_t column = 0; column < headers.size(); column++) {
    if (overridden[column]) continue;
    ImportField guess = GuessImportField(headers[column]);
    if (guess == ImportField::None) continue;
    bool taken = false;
    for (size_t other = 0; other < headers.size(); other++) {
      if (other != column && mapping[other] == guess && (overridden[other] || other < column)) taken = true;
    }
    if (!taken) mapping[column] = guess;
  }
  if (requireName && std::find(mapping.begin(), mapping.end(), ImportField::Name) == mapping.end()) {
    return MakeError(ErrorCode::Invalid, "map: no column holds the customer name (客户名称/name); map one explicitly");
  }
  return mapping;
}

// A cell as Excel users leave it: spaces around, or ="0757…" to keep leading zeros; line
// breaks inside a cell become LF (the customer rules refuse a CR).
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

// Splits on any of `separators` (UTF-8 strings), dropping empty pieces.
std::vector<std::string> SplitAny(const std::string& text, const std::vector<std::string_view>& separators) {
  std::vector<std::string> pieces;
  std::string current;
  for (size_t i = 0; i < text.size();) {
    bool matched = false;
    for (std::string_view sep : separators) {
      if (text.compare(i, sep.size(), sep) == 0) {
        if (!Trim(current).empty()) pieces.push_back(Trim(current));
        current.clear();
        i += sep.size();
        matched = true;
        break;
      }
    }
    if (!matched) current += text[i++];
  }
  if (!Trim(current).empty()) pieces.push_back(Trim(current));
  return pieces;
}

size_t CountDigits(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }));
}

// Several phones in one cell: "138… / 0757-…", "138…，139…" or "138… 139…". A space splits only
// when every piece is a whole number, so "0757 8123456" stays one landline.
std::vector<std::string> SplitPhones(const std::string& cell) {
  std::vector<std::string> out;
  for (const std::string& piece : SplitAny(cell, {"/", ",", ";", "、", "，", "；", "\n", "\r", "|"})) {
    std::vector<std::string> words = SplitAny(piece, {" ", "\t", "　"});
    bool allWhole = words.size() > 1 && std::all_of(words.begin(), words.end(), [](const std::string& w) {
                      return CountDigits(w) >= 7;
                    });
    if (allWhole) {
      out.insert(out.end(), words.begin(), words.end());
    } else {
      out.push_back(piece);
    }
  }
  return out;
}

// A row's cells as an input; a cell that is not a known code (kind, source, credit, class) is a problem, noted
// in `problems`, and the row is read on.
CustomerInput RowToInput(const std::vector<std::string>& cells, const std::vector<ImportField>& mapping,
                         std::vector<Error>* problems) {
  CustomerInput input;
  auto parse = [problems](auto parsed, auto& target) {
    if (parsed) target = std::move(parsed).Value();
    else problems->push_back(parsed.GetError());
  };
  for (size_t column = 0; column < mapping.size(); column++) {
    if (mapping[column] == ImportField::None) continue;
    std::string cell = column < cells.size() ? CleanCell(cells[column]) : std::string();
    switch (mapping[column]) {
      case ImportField::None: break;
      case ImportField::Name: input.name = cell; break;
      case ImportField::Phones: {
        for (std::string& phone : SplitPhones(cell)) input.phones.push_back(std::move(phone));
        break;
      }
      case ImportField::Province: input.address.province = cell; break;
      case ImportField::City: input.address.city = cell; break;
      case ImportField::District: input.address.district = cell; break;
      case ImportField::Street: input.address.street = cell; break;
      case ImportField::Kind:
        if (!cell.empty()) {
          parse(ParseCustomerKind(cell, "kind"), input.kind);
        }
        break;
      case ImportField::Industry: input.industry = cell; break;
      case ImportField::Scale: input.scale = cell; break;
      case ImportField::Brands: input.brands = cell; break;
      case ImportField::Source:
        if (!cell.empty()) {
          parse(ParseSource(cell, "source"), input.source);
        }
        break;
      case ImportField::Credit:
        if (!cell.empty()) {
          parse(ParseCredit(cell, "credit"), input.credit);
        }
        break;
      case ImportField::Birthday: input.birthday = cell; break;
      case ImportField::Anniversary: input.anniversary = cell; break;
      case ImportField::Preferences: input.preferences = cell; break;
      case ImportField::Notes:
        if (!cell.empty()) input.notes += (input.notes.empty() ? "" : "\n") + cell;
        break;
      case ImportField::Tags: {
        for (std::string& tag : SplitAny(cell, {",", ";", "、", "，", "；", "|", "\n"})) input.tags.push_back(std::move(tag));
        break;
      }
      case ImportField::Grade:
        if (!cell.empty()) {
          parse(ParseGrade(cell, "class"), input.grade);
        }
        break;
    }
  }
  return input;
}

// ---------------------------------------------------------------------------
// [SECTION] planning a row: parse, validate, duplicates

struct RowPlan {
  RowAction action = RowAction::Create;
  CustomerInput input;  // normalized; for a merge, the merged fields
  std::string problem;
  std::optional<DuplicateMatch> duplicate;
};

Result<std::optional<std::pair<int64_t, std::string>>> FindDuplicate(Db& db, const CustomerInput& input) {
  using Found = std::optional<std::pair<int64_t, std::string>>;
  for (const std::string& phone : input.phones) {
    CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
        "SELECT p.customer_id FROM customer_phones p JOIN customers c ON c.id = p.customer_id "
        "WHERE p.normalized = ? AND p.deleted_at IS NULL AND c.deleted_at IS NULL LIMIT 1"));
    stmt.Bind(1, phone);
    CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
    if (found) return Found(std::make_pair(stmt.Int64(0), "phone " + phone));
  }
  // Name alone is too weak (many 张伟); name within the same city is the same customer.
  if (!input.address.city.empty()) {
    CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
        "SELECT id FROM customers WHERE city = ? AND name = ? AND deleted_at IS NULL LIMIT 1"));
    stmt.Bind(1, input.address.city).Bind(2, input.name);
    CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
    if (found) return Found(std::make_pair(stmt.Int64(0), "name and city (" + input.address.city + ")"));
  }
  return Found();
}

// Fills the existing customer's empty fields from the row and adds its new phones and tags.
CustomerInput MergeInto(const CustomerInput& existing, const CustomerInput& row) {
  CustomerInput out = existing;
  auto fill = [](std::string& target, const std::string& value) {
    if (target.empty()) target = value;
  };
  if (out.kind == CustomerKind::Other) out.kind = row.kind;
  if (out.source == Source::Unknown) out.source = row.source;
  if (out.credit == Credit::Unknown) out.credit = row.credit;
  fill(out.address.province, row.address.province);
  fill(out.address.city, row.address.city);
  fill(out.address.district, row.address.district);
  fill(out.address.street, row.address.street);
  fill(out.industry, row.industry);
  fill(out.scale, row.scale);
  fill(out.brands, row.brands);
  fill(out.birthday, row.birthday);
  fill(out.anniversary, row.anniversary);
  fill(out.preferences, row.preferences);
  fill(out.notes, row.notes);
  for (const std::string& phone : row.phones) {
    if (out.phones.size() < kMaxPhones && std::find(out.phones.begin(), out.phones.end(), phone) == out.phones.end()) {
      out.phones.push_back(phone);
    }
  }
  for (const std::string& tag : row.tags) {
    if (out.tags.size() < kMaxTags && std::find(out.tags.begin(), out.tags.end(), tag) == out.tags.end()) {
      out.tags.push_back(tag);
    }
  }
  out.ownerId.reset();
  out.toPool = false;
  return out;
}

// What to do with one row. A row-level problem is a Fail plan; an error is the database failing.
Result<RowPlan> PlanRow(Db& db, const Actor& actor, const CsvRecord& record, bool badBytes,
                        const std::vector<ImportField>& mapping, Encoding encoding, DuplicatePolicy policy) {
  RowPlan plan;
  auto fail = [&](std::string problem) {
    plan.action = RowAction::Fail;
    plan.problem = std::move(problem);
    return plan;
  };
  if (badBytes) return fail(std::string("bytes that are not valid ") + EncodingName(encoding) + " text (wrong encoding?)");
  // Every problem of the row at once, so one round of corrections in the spreadsheet is enough.
  std::vector<Error> problems;
  CustomerInput parsed = RowToInput(record.fields, mapping, &problems);
  CRM_ASSIGN_OR_RETURN(std::vector<Error> invalid, CheckCustomerInput(db, parsed, &plan.input));
  problems.insert(problems.end(), invalid.begin(), invalid.end());
  if (!problems.empty()) {
    std::string all;
    for (const Error& problem : problems) all += (all.empty() ? "" : kRowProblemSeparator) + problem.message;
    return fail(all);
  }
  CRM_ASSIGN_OR_RETURN(auto duplicate, FindDuplicate(db, plan.input));
  if (!duplicate) return plan;
  DuplicateMatch match{record.line, duplicate->first, duplicate->second, RowAction::Skip};
  if (policy == DuplicatePolicy::Skip) {
    plan.action = RowAction::Skip;
  } else if (policy == DuplicatePolicy::Create) {
    plan.action = RowAction::Create;
  } else {
    auto allowed = AuthorizeCustomerChange(db, actor, duplicate->first);
    if (!allowed) return fail("duplicate of customer " + std::to_string(duplicate->first) + " (" + duplicate->second +
                              "), cannot merge: " + allowed.Message());
    CRM_ASSIGN_OR_RETURN(Customer existing, GetCustomer(db, duplicate->first));
    CustomerInput merged = MergeInto(existing.fields, plan.input);
    Status mergedValid = ValidateCustomerInput(db, merged, &plan.input);
    if (!mergedValid) return fail("merging into customer " + std::to_string(duplicate->first) + ": " + mergedValid.Message());
    plan.action = RowAction::Merge;
  }
  match.action = plan.action;
  plan.duplicate = match;
  return plan;
}

Status CheckOptions(const ImportSource& source, const ImportOptions& options) {
  if (!source.open) return MakeError(ErrorCode::Invalid, "source: nothing to read");
  if (options.batchSize <= 0) return MakeError(ErrorCode::Invalid, "batch size: must be at least 1");
  if (options.progressEvery <= 0) return MakeError(ErrorCode::Invalid, "progress interval: must be at least 1 row");
  for (const ColumnMapping& mapping : options.mappings) {
    if (mapping.column == 0 && Trim(mapping.header).empty()) {
      return MakeError(ErrorCode::Invalid, "map: a mapping needs a header name or a column number");
    }
  }
  return Ok();
}

// Opens a pass: reader positioned after the header row, and the column mapping.
struct Pass {
  std::unique_ptr<RowReader> reader;
  std::vector<std::string> headers;
  std::vector<ImportField> mapping;
};

Result<Pass> OpenPass(const ImportSource& source, Encoding encoding, const ImportOptions& options) {
  Pass pass;
  CRM_ASSIGN_OR_RETURN(pass.reader, RowReader::Open(source, encoding));
  CsvRecord header;
  bool badBytes = false;
  CRM_ASSIGN_OR_RETURN(bool any, pass.reader->Next(header, badBytes));
  if (!any) return MakeError(ErrorCode::Invalid, "file: empty (no header row)");
  if (badBytes) {
    return MakeError(ErrorCode::Invalid, "line " + std::to_string(header.line) + ": the header row is not valid " +
                                             EncodingName(encoding) + " text; choose the file's encoding");
  }
  for (const std::string& cell : header.fields) pass.headers.push_back(CleanCell(cell));
  CRM_ASSIGN_OR_RETURN(pass.mapping, BuildMapping(pass.headers, options.mappings));
  return pass;
}

// Signed like every write (the relay refuses an update that leaves another's name on the row); updated_at
// stays, as undo tells changed customers by updated_at != created_at.
Status SetImportId(Db& db, int64_t customerId, int64_t importId, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("UPDATE customers SET import_id = ?, updated_by = ?, device_id = ? WHERE id = ?"));
  stmt.BindAll(importId, actor.userId, actor.deviceId, customerId);
  return stmt.Run();
}

Status RecordImportCounts(Db& db, int64_t importId, const ImportReport& report, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "UPDATE imports SET rows_ok = ?, rows_failed = ?, updated_at = ?, updated_by = ?, device_id = ? WHERE id = ?"));
  stmt.BindAll(report.created + report.merged, report.failed, NowMs(), actor.userId, actor.deviceId, importId);
  return stmt.Run();
}

// Trashes the customers an import created (only the unchanged ones when `onlyUnchanged`) and marks it undone.
Result<UndoReport> UndoImport(Db& db, int64_t importId, const Actor& actor, bool onlyUnchanged) {
  UndoReport report;
  report.importId = importId;
  CRM_ASSIGN_OR_RETURN(User acting, ActingUser(db, actor));
  {
    CRM_ASSIGN_OR_RETURN(Stmt importer, db.Prepare("SELECT created_by FROM imports WHERE id = ?"));
    importer.Bind(1, importId);
    CRM_ASSIGN_OR_RETURN(bool found, importer.Step());
    if (found) CRM_TRY(CheckCanChangeImport(acting, importer.Int64(0)));
  }
  std::vector<std::pair<int64_t, bool>> created;  // id, changed since
  {
    // Changed since: any later write to the row (edits, reassignments) or a logged activity.
    CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
        "SELECT c.id, c.updated_at != c.created_at OR EXISTS (SELECT 1 FROM activities a WHERE a.customer_id = c.id "
        "AND a.deleted_at IS NULL) FROM customers c WHERE c.import_id = ? AND c.deleted_at IS NULL"));
    stmt.Bind(1, importId);
    for (;;) {
      CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      created.emplace_back(stmt.Int64(0), stmt.Int64(1) != 0);
    }
  }
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  for (const auto& [id, changed] : created) {
    if (changed && onlyUnchanged) {
      report.keptChanged++;
      continue;
    }
    Status trashed = TrashCustomer(db, id, actor);
    if (!trashed && trashed.Code() == ErrorCode::Denied) {
      report.keptDenied++;
      continue;
    }
    CRM_TRY(trashed);
    report.trashed++;
  }
  int64_t now = NowMs();
  CRM_ASSIGN_OR_RETURN(Stmt mark, db.Prepare(
      "UPDATE imports SET undone_at = ?, updated_at = ?, updated_by = ?, device_id = ? WHERE id = ?"));
  mark.BindAll(now, now, actor.userId, actor.deviceId, importId);
  CRM_TRY(mark.Run());
  CRM_TRY(txn.Commit());
  return report;
}

void Keep(std::vector<RowIssue>& issues, size_t max, int64_t line, std::string message) {
  if (issues.size() < max) issues.push_back(RowIssue{line, std::move(message)});
}

}  // namespace

// ---------------------------------------------------------------------------
// [SECTION] preview, import, undo

Result<ImportColumns> ReadImportColumns(const ImportSource& source, Encoding encoding) {
  ImportColumns columns;
  CRM_ASSIGN_OR_RETURN(columns.encoding, ResolveEncoding(source, encoding));
  CRM_ASSIGN_OR_RETURN(std::unique_ptr<RowReader> reader, RowReader::Open(source, columns.encoding));
  CsvRecord header;
  bool badBytes = false;
  CRM_ASSIGN_OR_RETURN(bool any, reader->Next(header, badBytes));
  if (!any) return MakeError(ErrorCode::Invalid, "file: empty (no header row)");
  if (badBytes) {
    return MakeError(ErrorCode::Invalid, "line " + std::to_string(header.line) + ": the header row is not valid " +
                                             EncodingName(columns.encoding) + " text; choose the file's encoding");
  }
  for (const std::string& cell : header.fields) columns.headers.push_back(CleanCell(cell));
  CRM_ASSIGN_OR_RETURN(columns.guess, BuildMapping(columns.headers, {}, /*requireName=*/false));
  return columns;
}

Result<ImportPreview> PreviewImport(Db& db, const ImportSource& source, const ImportOptions& options,
                                    const Actor& actor, int maxRows) {
  CRM_TRY(CheckOptions(source, options));
  if (maxRows < 0) return MakeError(ErrorCode::Invalid, "preview rows: must not be negative");
  CRM_TRY(ActingUser(db, actor));
  ImportPreview preview;
  CRM_ASSIGN_OR_RETURN(preview.encoding, ResolveEncoding(source, options.encoding));
  CRM_ASSIGN_OR_RETURN(Pass pass, OpenPass(source, preview.encoding, options));
  preview.headers = pass.headers;
  preview.mapping = pass.mapping;
  CsvRecord record;
  while (static_cast<int>(preview.rows.size()) < maxRows) {
    bool badBytes = false;
    CRM_ASSIGN_OR_RETURN(bool any, pass.reader->Next(record, badBytes));
    if (!any) break;
    CRM_ASSIGN_OR_RETURN(RowPlan plan, PlanRow(db, actor, record, badBytes, pass.mapping, preview.encoding,
                                               options.onDuplicate));
    PreviewRow row;
    row.line = record.line;
    row.cells = record.fields;
    row.input = std::move(plan.input);
    row.action = plan.action;
    row.problem = std::move(plan.problem);
    row.duplicate = plan.duplicate;
    preview.rows.push_back(std::move(row));
  }
  return preview;
}

namespace {
const ImportReport kNoReport;  // what a moved-from job reports
}  // namespace

// The import as a state machine: pass 1 checks every row, pass 2 writes; a Step does as many rows
// as its budget allows and commits what it wrote before it returns.
struct ImportJob::State {
  enum class Phase { Check, Write, Done };
  ImportSource source;
  ImportOptions options;
  Actor actor;
  Phase phase = Phase::Check;
  std::optional<Pass> pass;
  ImportReport report;
  int64_t toWrite = 0;
  int64_t importId = 0;
  int inBatch = 0;
  bool cancelRequested = false;
  ImportProgress progress;

  // Reports progress; false when the caller's callback or Cancel() asks to stop.
  bool Progress(int passNumber) {
    progress = ImportProgress{passNumber, report.rowsRead, pass ? pass->reader->BytesRead() : progress.bytesRead,
                              source.totalBytes};
    bool goOn = !options.progress || options.progress(progress);
    return goOn && !cancelRequested;
  }

  void Finish() {
    if (pass) progress.bytesRead = pass->reader->BytesRead();
    progress.rowsDone = report.rowsRead;
    if (phase == Phase::Write) progress.pass = 2;
    phase = Phase::Done;
    pass.reset();
  }

  // All-or-nothing cannot keep its promise once batches are committed, so a late failure or a
  // cancel takes back what this import created.
  Status Abandon(Db& db, std::optional<Txn>& txn) {
    if (txn) txn->Rollback();
    txn.reset();
    CRM_TRY(UndoImport(db, importId, actor, /*onlyUnchanged=*/false));
    report.created = 0;
    report.merged = 0;
    report.written = false;
    Finish();
    return Ok();
  }

  // Pass 2 begins: counts start again (rows earlier in the file may now be duplicates), and the
  // import is recorded so its customers can be undone together.
  Status BeginWrite(Db& db) {
    phase = Phase::Write;
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
    if (!pass) {
      CRM_ASSIGN_OR_RETURN(Pass opened, OpenPass(source, report.encoding, options));
      pass.emplace(std::move(opened));
      report.headers = pass->headers;
      report.mapping = pass->mapping;
    }
    CsvRecord record;
    bool badBytes = false;
    CRM_ASSIGN_OR_RETURN(bool any, pass->reader->Next(record, badBytes));
    if (!any) {
      Progress(1);
      pass.reset();
      if ((report.failed > 0 && !options.validOnly) || toWrite == 0) {
        Finish();
      } else {
        CRM_TRY(BeginWrite(db));
      }
      return false;
    }
    report.rowsRead++;
    CRM_ASSIGN_OR_RETURN(RowPlan plan, PlanRow(db, actor, record, badBytes, pass->mapping, report.encoding,
                                               options.onDuplicate));
    if (plan.action == RowAction::Fail) {
      report.failed++;
      Keep(report.errors, options.maxIssues, record.line, plan.problem);
    } else if (plan.action == RowAction::Skip) {
      report.skipped++;
    } else {
      toWrite++;
    }
    if (plan.duplicate && report.duplicates.size() < options.maxIssues) report.duplicates.push_back(*plan.duplicate);
    if (report.rowsRead % options.progressEvery == 0 && !Progress(1)) {
      report.cancelled = true;
      Finish();
    }
    return true;
  }

  // One row of pass 2, inside `txn` (begun here when none is open); false at the end of the file.
  Result<bool> WriteRow(Db& db, std::optional<Txn>& txn) {
    if (!pass) {
      CRM_ASSIGN_OR_RETURN(Pass opened, OpenPass(source, report.encoding, options));
      pass.emplace(std::move(opened));
    }
    CsvRecord record;
    bool badBytes = false;
    CRM_ASSIGN_OR_RETURN(bool any, pass->reader->Next(record, badBytes));
    if (!any) {
      CRM_TRY(RecordImportCounts(db, importId, report, actor));
      if (txn) {
        CRM_TRY(txn->Commit());
        txn.reset();
      }
      if (!report.cancelled) Progress(2);
      report.written = report.created + report.merged > 0;
      Finish();
      return false;
    }
    report.rowsRead++;
    if (!txn) {
      CRM_ASSIGN_OR_RETURN(Txn begun, db.Begin());
      txn.emplace(std::move(begun));
    }
    CRM_ASSIGN_OR_RETURN(RowPlan plan, PlanRow(db, actor, record, badBytes, pass->mapping, report.encoding,
                                               options.onDuplicate));
    if (plan.action == RowAction::Create) {
      auto id = CreateCustomer(db, plan.input, actor);
      Status written = id ? SetImportId(db, id.Value(), importId, actor) : Status(id.GetError());
      if (written) {
        report.created++;
      } else {
        plan.action = RowAction::Fail;
        plan.problem = written.Message();
      }
    } else if (plan.action == RowAction::Merge) {
      Status written = UpdateCustomer(db, plan.duplicate->existingId, plan.input, actor);
      if (written) {
        report.merged++;
      } else {
        plan.action = RowAction::Fail;
        plan.problem = written.Message();
      }
    } else if (plan.action == RowAction::Skip) {
      report.skipped++;
    }
    if (plan.duplicate && report.duplicates.size() < options.maxIssues) {
      plan.duplicate->action = plan.action;
      report.duplicates.push_back(*plan.duplicate);
    }
    if (plan.action == RowAction::Fail) {
      report.failed++;
      Keep(report.errors, options.maxIssues, record.line, plan.problem);
      if (!options.validOnly) {
        CRM_TRY(Abandon(db, txn));
        return false;
      }
    }
    if (++inBatch >= options.batchSize) CRM_TRY(CommitBatch(db, txn));
    if (report.rowsRead % options.progressEvery == 0 && !Progress(2)) {
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
    CRM_ASSIGN_OR_RETURN(Stmt count, db.Prepare("SELECT COUNT(*) FROM customers WHERE import_id = ?"));
    count.Bind(1, importId);
    CRM_ASSIGN_OR_RETURN(bool row, count.Step());
    report.created = row ? count.Int64(0) : 0;
    count.Reset();
    CRM_TRY(RecordImportCounts(db, importId, report, actor));
    report.written = report.created + report.merged > 0;
    Finish();
    return Ok();
  }
};

ImportJob::ImportJob() = default;
ImportJob::ImportJob(ImportJob&&) noexcept = default;
ImportJob& ImportJob::operator=(ImportJob&&) noexcept = default;
ImportJob::~ImportJob() = default;

Result<ImportJob> ImportJob::Start(Db& db, ImportSource source, ImportOptions options, const Actor& actor) {
  CRM_TRY(CheckOptions(source, options));
  CRM_TRY(ActingUser(db, actor));
  ImportJob job;
  job.m_state = std::make_unique<State>();
  State& s = *job.m_state;
  CRM_ASSIGN_OR_RETURN(s.report.encoding, ResolveEncoding(source, options.encoding));
  s.progress.totalBytes = source.totalBytes;
  s.source = std::move(source);
  s.options = std::move(options);
  s.actor = actor;
  return job;
}

Result<bool> ImportJob::Step(Db& db, double budgetMs) {
  if (!m_state) return MakeError(ErrorCode::Invalid, "import: not started");
  State& s = *m_state;
  auto started = std::chrono::steady_clock::now();
  auto spent = [&] { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count(); };
  std::optional<Txn> txn;
  // A failure leaves no transaction open and the job finished, so the caller sees the error once.
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

void ImportJob::Cancel() {
  if (m_state) m_state->cancelRequested = true;
}

bool ImportJob::Finished() const { return !m_state || m_state->phase == State::Phase::Done; }

const ImportReport& ImportJob::Report() const { return m_state ? m_state->report : kNoReport; }

ImportProgress ImportJob::Progress() const {
  if (!m_state) return ImportProgress{};
  const State& s = *m_state;
  if (s.phase == State::Phase::Done) return s.progress;
  // Live, between steps: the callback is called only every progressEvery rows.
  return ImportProgress{s.phase == State::Phase::Write ? 2 : 1, s.report.rowsRead,
                        s.pass ? s.pass->reader->BytesRead() : s.progress.bytesRead, s.source.totalBytes};
}

Result<ImportReport> ImportCustomers(Db& db, const ImportSource& source, const ImportOptions& options,
                                     const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(ImportJob job, ImportJob::Start(db, source, options, actor));
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool done, job.Step(db, 0));
    if (done) break;
  }
  return job.Report();
}

Result<UndoReport> UndoLastImport(Db& db, const Actor& actor) {
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
  if (!importId) return MakeError(ErrorCode::NotFound, "import: nothing to undo");
  return UndoImport(db, *importId, actor, /*onlyUnchanged=*/true);
}

}  // namespace crm
