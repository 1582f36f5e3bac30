#include "core/import.h"

#include <algorithm>

#include "core/org.h"
#include "core/text.h"
#include "core/validate.h"

namespace crm {

// [SECTION] the customer fields and their headers
// [SECTION] a row as a customer: cells, phones, tags
// [SECTION] the customer mapping: validate, duplicates, write, undo
// [SECTION] the public calls, over the pipeline

namespace {

// Headers seen in Chinese and English spreadsheets (compared trimmed, ASCII lower-cased).
std::vector<ImportFieldSpec> CustomerFieldSpecs() {
  auto spec = [](ImportField field, const char* code, std::vector<std::string_view> aliases,
                 const char* requiredAs = nullptr) {
    return ImportFieldSpec{static_cast<int>(field), code, std::move(aliases), requiredAs};
  };
  return {
      spec(ImportField::None, "none", {}),
      spec(ImportField::Name, "name", {"客户名称", "名称", "客户", "公司名称", "客户名", "姓名", "name", "customer",
                                       "customer name", "company"}, "the customer name (客户名称/name)"),
      spec(ImportField::Phones, "phones", {"电话", "手机", "联系电话", "手机号", "手机号码", "电话号码", "phone", "phones",
                                           "mobile", "tel", "telephone"}),
      spec(ImportField::Province, "province", {"省", "省份", "province"}),
      spec(ImportField::City, "city", {"市", "城市", "city"}),
      spec(ImportField::District, "district", {"区", "区县", "district"}),
      spec(ImportField::Street, "street", {"地址", "详细地址", "address", "street"}),
      spec(ImportField::Kind, "kind", {"客户类型", "类型", "type", "kind"}),
      spec(ImportField::Industry, "industry", {"行业", "industry"}),
      spec(ImportField::Scale, "scale", {"规模", "scale"}),
      spec(ImportField::Brands, "brands", {"经营品牌", "代理品牌", "经营类别", "brands"}),
      spec(ImportField::Source, "source", {"来源", "客户来源", "source"}),
      spec(ImportField::Credit, "credit", {"信用", "信用等级", "credit"}),
      spec(ImportField::Birthday, "birthday", {"生日", "birthday"}),
      spec(ImportField::Anniversary, "anniversary", {"纪念日", "anniversary"}),
      spec(ImportField::Preferences, "preferences", {"偏好", "喜好", "preferences"}),
      spec(ImportField::Notes, "notes", {"备注", "说明", "notes", "note", "remarks"}),
      spec(ImportField::Tags, "tags", {"标签", "tags", "tag"}),
      spec(ImportField::Grade, "grade", {"等级", "客户等级", "客户分类", "class", "grade"}),
  };
}

// ---------------------------------------------------------------------------
// [SECTION] a row as a customer: cells, phones, tags

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
CustomerInput RowToInput(const ImportRow& row, std::vector<Error>* problems) {
  CustomerInput input;
  auto parse = [problems](auto parsed, auto& target) {
    if (parsed) target = std::move(parsed).Value();
    else problems->push_back(parsed.GetError());
  };
  for (size_t column = 0; column < row.fields.size(); column++) {
    auto field = static_cast<ImportField>(row.fields[column]);
    if (field == ImportField::None) continue;
    std::string cell = row.Cell(column);
    switch (field) {
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
// [SECTION] the customer mapping: validate, duplicates, write, undo

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

// Signed like every write (the relay refuses an update that leaves another's name on the row); updated_at
// stays, as undo tells changed customers by updated_at != created_at.
Status SetImportId(Db& db, int64_t customerId, int64_t importId, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("UPDATE customers SET import_id = ?, updated_by = ?, device_id = ? WHERE id = ?"));
  stmt.BindAll(importId, actor.userId, actor.deviceId, customerId);
  return stmt.Run();
}

class CustomerMapping final : public RecordImportMapping<CustomerInput> {
 public:
  const ImportFields& Fields() const override { return m_fields; }

  Result<RowCheck<CustomerInput>> Validate(Db& db, const Actor& actor, const ImportRow& row,
                                           DuplicatePolicy policy) const override {
    RowCheck<CustomerInput> check;
    CustomerInput parsed = RowToInput(row, &check.problems);
    CRM_ASSIGN_OR_RETURN(std::vector<Error> invalid, CheckCustomerInput(db, parsed, &check.record));
    check.problems.insert(check.problems.end(), invalid.begin(), invalid.end());
    if (!check.problems.empty()) return check;
    CRM_ASSIGN_OR_RETURN(auto duplicate, FindDuplicate(db, check.record));
    if (!duplicate) return check;
    const auto& [existingId, reason] = *duplicate;
    if (policy == DuplicatePolicy::Skip) {
      check.action = RowAction::Skip;
    } else if (policy == DuplicatePolicy::Create) {
      check.action = RowAction::Create;
    } else {
      auto allowed = AuthorizeCustomerChange(db, actor, existingId);
      if (!allowed) {
        // The refusal keeps its problem and its person, so the row reads "this is 张三's customer…".
        Error refused = allowed.GetError();
        refused.message = "duplicate of customer " + std::to_string(existingId) + " (" + reason + "), cannot merge: " + refused.message;
        check.problems.push_back(std::move(refused));
        return check;
      }
      CRM_ASSIGN_OR_RETURN(Customer existing, GetCustomer(db, existingId));
      CustomerInput merged = MergeInto(existing.fields, check.record);
      Status mergedValid = ValidateCustomerInput(db, merged, &check.record);
      if (!mergedValid) {
        Error invalid = mergedValid.GetError();
        invalid.message = "merging into customer " + std::to_string(existingId) + ": " + invalid.message;
        check.problems.push_back(std::move(invalid));
        return check;
      }
      check.action = RowAction::Merge;
    }
    check.duplicate = DuplicateMatch{row.line, existingId, reason, check.action};
    return check;
  }

  Status Write(Db& db, const Actor& actor, const RowCheck<CustomerInput>& check, int64_t importId) const override {
    if (check.action == RowAction::Merge) return UpdateCustomer(db, check.duplicate->existingId, check.record, actor);
    CRM_ASSIGN_OR_RETURN(int64_t id, CreateCustomer(db, check.record, actor));
    return SetImportId(db, id, importId, actor);
  }

  // Trashes the customers the import created (only the unchanged ones when `onlyUnchanged`).
  Result<UndoReport> Undo(Db& db, int64_t importId, const Actor& actor, bool onlyUnchanged) const override {
    UndoReport report;
    report.importId = importId;
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
    return report;
  }

  Result<int64_t> CountCreated(Db& db, int64_t importId) const override {
    CRM_ASSIGN_OR_RETURN(Stmt count, db.Prepare("SELECT COUNT(*) FROM customers WHERE import_id = ?"));
    count.Bind(1, importId);
    CRM_ASSIGN_OR_RETURN(bool row, count.Step());
    int64_t created = row ? count.Int64(0) : 0;
    count.Reset();
    return created;
  }

 private:
  ImportFields m_fields{CustomerFieldSpecs()};
};

}  // namespace

// ---------------------------------------------------------------------------
// [SECTION] the public calls, over the pipeline

const RecordImportMapping<CustomerInput>& CustomerImportMapping() {
  static const CustomerMapping kMapping;  // immutable: the fields and the rules
  return kMapping;
}

const std::vector<const ImportMapping*>& AllImportMappings() {
  static const std::vector<const ImportMapping*> kAll = {&CustomerImportMapping()};
  return kAll;
}

const char* ImportFieldCode(ImportField field) { return CustomerImportMapping().Fields().Code(static_cast<int>(field)); }

Result<ImportField> ParseImportField(std::string_view text, std::string_view what) {
  CRM_ASSIGN_OR_RETURN(int field, CustomerImportMapping().Fields().Parse(text, what));
  return static_cast<ImportField>(field);
}

ImportField GuessImportField(std::string_view header) {
  return static_cast<ImportField>(CustomerImportMapping().Fields().Guess(header));
}

Result<ImportColumns> ReadImportColumns(const ImportSource& source, Encoding encoding) {
  CRM_ASSIGN_OR_RETURN(ImportColumnsOf<int> columns, ReadImportColumns(source, CustomerImportMapping().Fields(), encoding));
  return RetypeFields<ImportField>(std::move(columns));
}

Result<ImportPreview> PreviewImport(Db& db, const ImportSource& source, const ImportOptions& options,
                                    const Actor& actor, int maxRows) {
  return PreviewImportRows<ImportField>(db, CustomerImportMapping(), source, RetypeFields<int>(options), actor, maxRows);
}

Result<ImportReport> ImportCustomers(Db& db, const ImportSource& source, const ImportOptions& options,
                                     const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(ImportReportOf<int> report,
                       RunImport(db, CustomerImportMapping(), source, RetypeFields<int>(options), actor));
  return RetypeFields<ImportField>(std::move(report));
}

struct ImportJob::State {
  ImportRun run;
  ImportReport report;  // the run's, with the customer fields, as of the last step
};

namespace {
const ImportReport kNoReport;  // what a moved-from job reports
}  // namespace

ImportJob::ImportJob() = default;
ImportJob::ImportJob(ImportJob&&) noexcept = default;
ImportJob& ImportJob::operator=(ImportJob&&) noexcept = default;
ImportJob::~ImportJob() = default;

Result<ImportJob> ImportJob::Start(Db& db, ImportSource source, ImportOptions options, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(ImportRun run, ImportRun::Start(db, CustomerImportMapping(), std::move(source),
                                                       RetypeFields<int>(options), actor));
  ImportJob job;
  job.m_state = std::make_unique<State>(State{std::move(run), {}});
  return job;
}

Result<bool> ImportJob::Step(Db& db, double budgetMs) {
  if (!m_state) return MakeError(ErrorCode::Invalid, "import: not started");
  Result<bool> done = m_state->run.Step(db, budgetMs);
  m_state->report = RetypeFields<ImportField>(m_state->run.Report());
  return done;
}

void ImportJob::Cancel() {
  if (m_state) m_state->run.Cancel();
}

bool ImportJob::Finished() const { return !m_state || m_state->run.Finished(); }

const ImportReport& ImportJob::Report() const { return m_state ? m_state->report : kNoReport; }

ImportProgress ImportJob::Progress() const { return m_state ? m_state->run.Progress() : ImportProgress{}; }

Result<UndoReport> UndoLastImport(Db& db, const Actor& actor) { return UndoLastImport(db, AllImportMappings(), actor); }

}  // namespace crm
