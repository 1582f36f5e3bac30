// crm-cli: the CRM core from a terminal, for operators and scripts: create a
// database, import and export customer spreadsheets, inspect and reassign.
// Exit codes: 0 done, 1 the command failed, 2 the command line is wrong.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/customers.h"
#include "core/db.h"
#include "core/duplicates.h"
#include "core/encoding.h"
#include "core/export.h"
#include "core/followups.h"
#include "core/ids.h"
#include "core/import.h"
#include "core/org.h"
#include "core/ownership.h"
#include "core/schema.h"
#include "core/search.h"
#include "core/validate.h"

namespace {

const char* kUsage = R"(crm-cli: work with a CRM database file

Usage: crm-cli --db FILE [--as USERNAME] COMMAND [ARGS]

Commands:
  init                      create or upgrade the database; add a local admin when it has no users
  info                      schema version, SQLite version, record counts (JSON)
  import FILE.csv           import customers from a CSV (UTF-8 or GB18030, as Excel saves it)
      --encoding auto|utf-8|gb18030   force the file's encoding (default: detect)
      --map HEADER=FIELD    map a column by header (or #N for column N) to a field
                            (name, phones, province, city, district, street, kind, industry, scale,
                            brands, source, credit, birthday, anniversary, preferences, notes, tags,
                            grade, none); repeatable
      --valid-only          import the good rows and skip bad ones (default: all or nothing)
      --on-duplicate skip|merge|create   what to do with rows matching an existing customer
                            (same phone, or same name in the same city); default skip
      --preview N           show how the first N rows would import, write nothing
  undo-import               trash the customers the last import created (unless changed since)
  export FILE.csv           export customers for Excel (UTF-8 with BOM, CRLF)
      --english             English headers and codes instead of Chinese
      --include-trash       also customers in the trash
  search TEXT               find customers by name, phone, contact, tag or address (TSV: id, name,
                            phone, city, class, owner, match)
      --trash               include the trash
      --limit N             at most N results (default 20)
  due [--rep NAME]          open follow-ups (回访), per rep or for everyone (TSV: due, customer, class,
                            owner, reason)
      --window today|overdue|week|upcoming   which ones (default: overdue and today)
  merge KEEP_ID MERGED_ID   fold the second customer into the first, with all its history
  reassign --from NAME --to NAME   move every customer of one user to another (a rep leaves)
  add NAME                  add a customer named NAME
  seed COUNT                add COUNT generated customers in one transaction
  --help                    this text

Options before the command:
  --db FILE                 the database file (required)
  --as USERNAME             act as this user (default: the local admin)

Exit codes: 0 ok, 1 failure, 2 usage error.
)";

constexpr int kOk = 0;
constexpr int kFailure = 1;
constexpr int kUsageError = 2;

int Fail(const std::string& message) {
  std::fprintf(stderr, "crm-cli: %s\n", message.c_str());
  return kFailure;
}

int Usage(const std::string& message) {
  std::fprintf(stderr, "crm-cli: %s\n(run crm-cli --help for usage)\n", message.c_str());
  return kUsageError;
}

crm::Result<crm::Db> OpenMigrated(const std::string& path) {
  CRM_ASSIGN_OR_RETURN(crm::Db db, crm::Db::Open(path));
  CRM_TRY(crm::Migrate(db));
  CRM_TRY(crm::RefreshPlannerStatistics(db));
  return db;
}

// This database's id for the CLI as a device, made once and kept in app_meta (not synced).
crm::Result<int64_t> CliDeviceId(crm::Db& db) {
  CRM_ASSIGN_OR_RETURN(crm::Stmt read, db.Prepare("SELECT value FROM app_meta WHERE key = 'cli.device_id'"));
  CRM_ASSIGN_OR_RETURN(bool found, read.Step());
  if (found) return static_cast<int64_t>(std::strtoll(read.String(0).c_str(), nullptr, 10));
  read.Reset();
  int64_t id = crm::NewId();
  CRM_ASSIGN_OR_RETURN(crm::Stmt write, db.Prepare("INSERT INTO app_meta(key, value) VALUES('cli.device_id', ?)"));
  write.Bind(1, std::to_string(id));
  CRM_TRY(write.Run());
  return id;
}

crm::Result<crm::Actor> ResolveActor(crm::Db& db, const std::string& asUser) {
  CRM_ASSIGN_OR_RETURN(int64_t device, CliDeviceId(db));
  if (asUser.empty()) return crm::EnsureLocalOwner(db, "管理员", device);
  CRM_ASSIGN_OR_RETURN(crm::User user, crm::FindUserByName(db, asUser));
  return crm::Actor{user.id, device};
}

// The command line, consumed left to right.
struct Args {
  std::vector<std::string> items;
  size_t next = 0;
  bool Done() const { return next >= items.size(); }
  const std::string& Take() { return items[next++]; }
};

int RunImport(crm::Db& db, const crm::Actor& actor, Args& args) {
  std::string file;
  crm::ImportOptions options;
  int preview = -1;
  while (!args.Done()) {
    std::string arg = args.Take();
    auto value = [&](const char* what) -> const std::string* {
      if (args.Done()) return nullptr;
      (void)what;
      return &args.Take();
    };
    if (arg == "--encoding") {
      const std::string* v = value("encoding");
      if (!v) return Usage("import: --encoding needs a value");
      auto encoding = crm::ParseEncoding(*v, "--encoding");
      if (!encoding) return Usage(encoding.Message());
      options.encoding = encoding.Value();
    } else if (arg == "--map") {
      const std::string* v = value("map");
      if (!v) return Usage("import: --map needs HEADER=FIELD");
      size_t eq = v->rfind('=');
      if (eq == std::string::npos || eq == 0) return Usage("--map: expected HEADER=FIELD, got '" + *v + "'");
      auto field = crm::ParseImportField(v->substr(eq + 1), "--map");
      if (!field) return Usage(field.Message());
      crm::ColumnMapping mapping;
      std::string header = v->substr(0, eq);
      if (header.size() > 1 && header[0] == '#' && header.find_first_not_of("0123456789", 1) == std::string::npos) {
        mapping.column = std::atoi(header.c_str() + 1);
        if (mapping.column <= 0) return Usage("--map: column numbers start at 1");
      } else {
        mapping.header = header;
      }
      mapping.field = field.Value();
      options.mappings.push_back(mapping);
    } else if (arg == "--valid-only") {
      options.validOnly = true;
    } else if (arg == "--on-duplicate") {
      const std::string* v = value("on-duplicate");
      if (!v) return Usage("import: --on-duplicate needs skip, merge or create");
      auto policy = crm::ParseDuplicatePolicy(*v);
      if (!policy) return Usage(policy.Message());
      options.onDuplicate = policy.Value();
    } else if (arg == "--preview") {
      const std::string* v = value("preview");
      char* end = nullptr;
      long rows = v ? std::strtol(v->c_str(), &end, 10) : -1;
      if (!v || !end || *end || rows < 0) return Usage("import: --preview needs a row count");
      preview = static_cast<int>(rows);
    } else if (!arg.empty() && arg[0] == '-') {
      return Usage("import: unknown option '" + arg + "'");
    } else if (file.empty()) {
      file = arg;
    } else {
      return Usage("import: one file at a time (got '" + file + "' and '" + arg + "')");
    }
  }
  if (file.empty()) return Usage("import: needs a FILE.csv");
  auto source = crm::FileImportSource(file);
  if (!source) return Fail(source.Message());

  if (preview >= 0) {
    auto result = crm::PreviewImport(db, source.Value(), options, actor, preview);
    if (!result) return Fail(result.Message());
    const crm::ImportPreview& p = result.Value();
    std::printf("encoding: %s\ncolumns:\n", crm::EncodingName(p.encoding));
    for (size_t i = 0; i < p.headers.size(); i++) {
      std::printf("  %zu. %s → %s\n", i + 1, p.headers[i].c_str(), crm::ImportFieldCode(p.mapping[i]));
    }
    for (const crm::PreviewRow& row : p.rows) {
      const char* action = row.action == crm::RowAction::Create ? "create"
                           : row.action == crm::RowAction::Merge ? "merge"
                           : row.action == crm::RowAction::Skip  ? "skip (duplicate)"
                                                                 : "bad";
      std::printf("line %lld: %s%s%s%s%s\n", static_cast<long long>(row.line), action, row.input.name.empty() ? "" : " ",
                  row.input.name.c_str(), row.problem.empty() ? "" : ": ", row.problem.c_str());
    }
    return kOk;
  }

  options.progress = [](const crm::ImportProgress& progress) {
    if (progress.totalBytes > 0) {
      std::fprintf(stderr, "\r%s: %lld rows, %lld%%   ", progress.pass == 1 ? "checking" : "importing",
                   static_cast<long long>(progress.rowsDone),
                   static_cast<long long>(progress.bytesRead * 100 / progress.totalBytes));
    } else {
      std::fprintf(stderr, "\r%s: %lld rows   ", progress.pass == 1 ? "checking" : "importing",
                   static_cast<long long>(progress.rowsDone));
    }
    return true;
  };
  options.progressEvery = 5000;
  auto result = crm::ImportCustomers(db, source.Value(), options, actor);
  std::fputs("\n", stderr);
  if (!result) return Fail(result.Message());
  const crm::ImportReport& report = result.Value();
  for (const crm::RowIssue& issue : report.errors) {
    std::fprintf(stderr, "line %lld: %s\n", static_cast<long long>(issue.line), issue.message.c_str());
  }
  if (report.failed > static_cast<int64_t>(report.errors.size())) {
    std::fprintf(stderr, "… and %lld more bad rows\n", static_cast<long long>(report.failed - report.errors.size()));
  }
  for (const crm::DuplicateMatch& dup : report.duplicates) {
    const char* action = dup.action == crm::RowAction::Merge ? "merged into" : dup.action == crm::RowAction::Create
                                                                                   ? "created anyway, like"
                                                                                   : "skipped, duplicate of";
    std::fprintf(stderr, "line %lld: %s customer %lld (%s)\n", static_cast<long long>(dup.line), action,
                 static_cast<long long>(dup.existingId), dup.reason.c_str());
  }
  std::printf("{\"encoding\":\"%s\",\"rows\":%lld,\"created\":%lld,\"merged\":%lld,\"skipped\":%lld,\"failed\":%lld,"
              "\"written\":%s}\n",
              crm::EncodingName(report.encoding), static_cast<long long>(report.rowsRead),
              static_cast<long long>(report.created), static_cast<long long>(report.merged),
              static_cast<long long>(report.skipped), static_cast<long long>(report.failed),
              report.written ? "true" : "false");
  if (report.failed > 0 && !options.validOnly) {
    return Fail("nothing imported: fix the rows above, or use --valid-only to import the good rows");
  }
  return report.cancelled ? kFailure : kOk;
}

int RunExport(crm::Db& db, Args& args) {
  std::string file;
  crm::ExportOptions options;
  while (!args.Done()) {
    std::string arg = args.Take();
    if (arg == "--english") {
      options.englishHeaders = true;
    } else if (arg == "--include-trash") {
      options.includeTrash = true;
    } else if (!arg.empty() && arg[0] == '-') {
      return Usage("export: unknown option '" + arg + "'");
    } else if (file.empty()) {
      file = arg;
    } else {
      return Usage("export: one file at a time");
    }
  }
  if (file.empty()) return Usage("export: needs a FILE.csv");
  auto count = crm::ExportCustomersToFile(db, file, options);
  if (!count) return Fail(count.Message());
  std::printf("%lld\n", static_cast<long long>(count.Value()));
  return kOk;
}

// Cells of TSV output: tabs and line breaks inside a value would break the columns.
std::string Cell(std::string text) {
  for (char& c : text) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

bool ParseCount(const std::string& text, long long low, long long high, long long* out) {
  char* end = nullptr;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || !end || *end || value < low || value > high) return false;
  *out = value;
  return true;
}

int RunSearch(crm::Db& db, Args& args) {
  std::string text;
  crm::SearchOptions options;
  options.limit = 20;
  while (!args.Done()) {
    std::string arg = args.Take();
    long long limit = 0;
    if (arg == "--trash") {
      options.includeTrash = true;
    } else if (arg == "--limit") {
      if (args.Done() || !ParseCount(args.Take(), 1, 500, &limit)) return Usage("search: --limit needs a number from 1 to 500");
      options.limit = static_cast<int>(limit);
    } else if (!arg.empty() && arg[0] == '-' && arg.size() > 1 && !(arg[1] >= '0' && arg[1] <= '9')) {
      return Usage("search: unknown option '" + arg + "'");
    } else {
      text += (text.empty() ? "" : " ") + arg;
    }
  }
  if (text.empty()) return Usage("search: needs TEXT");
  auto hits = crm::SearchCustomers(db, text, options);
  if (!hits) return Fail(hits.Message());
  static const char* kMatch[] = {"phone", "name", "name-prefix", "text"};
  for (const crm::SearchHit& hit : hits.Value()) {
    std::printf("%lld\t%s\t%s\t%s\t%s\t%s\t%s%s\n", static_cast<long long>(hit.id), Cell(hit.name).c_str(),
                Cell(hit.phone).c_str(), Cell(hit.city).c_str(), crm::Code(hit.grade),
                hit.ownerId ? Cell(hit.ownerName).c_str() : "(公海 pool)", kMatch[static_cast<int>(hit.match)],
                hit.inTrash ? "\t(trash)" : "");
  }
  if (hits.Value().empty()) std::fprintf(stderr, "crm-cli: no customer matches '%s'\n", text.c_str());
  return kOk;
}

int RunDue(crm::Db& db, Args& args) {
  std::vector<crm::DueWindow> windows = {crm::DueWindow::Overdue, crm::DueWindow::Today};
  std::optional<int64_t> owner;
  while (!args.Done()) {
    std::string arg = args.Take();
    if (arg == "--rep" && !args.Done()) {
      std::string name = args.Take();
      auto user = crm::FindUserByName(db, name);
      if (!user) return Fail("due: " + user.Message());
      owner = user.Value().id;
    } else if (arg == "--window" && !args.Done()) {
      std::string window = args.Take();
      if (window == "today") windows = {crm::DueWindow::Today};
      else if (window == "overdue") windows = {crm::DueWindow::Overdue};
      else if (window == "week") windows = {crm::DueWindow::ThisWeek};
      else if (window == "upcoming") windows = {crm::DueWindow::Upcoming};
      else return Usage("due: --window is today, overdue, week or upcoming, not '" + window + "'");
    } else {
      return Usage("due: unknown argument '" + arg + "'");
    }
  }
  auto offset = crm::GetSettingInt(db, "org.utc_offset_minutes");
  if (!offset) return Fail(offset.Message());
  for (crm::DueWindow window : windows) {
    crm::DueQuery query;
    query.window = window;
    query.ownerId = owner;
    query.limit = 1000;
    auto due = crm::DueFollowups(db, query);
    if (!due) return Fail(due.Message());
    for (const crm::Followup& followup : due.Value()) {
      int64_t local = followup.dueAt + offset.Value() * 60000;
      int year = 0;
      unsigned month = 0, dayOfMonth = 0;
      crm::CivilFromDays(local >= 0 ? local / 86400000 : (local - 86399999) / 86400000, year, month, dayOfMonth);
      std::printf("%04d-%02d-%02d\t%s\t%s\t%lld\t%s%s\n", year, month, dayOfMonth, Cell(followup.customerName).c_str(),
                  crm::Code(followup.grade), static_cast<long long>(followup.ownerId.value_or(0)), crm::Code(followup.reason),
                  window == crm::DueWindow::Overdue ? "\toverdue" : "");
    }
  }
  return kOk;
}

int RunMerge(crm::Db& db, const crm::Actor& actor, Args& args) {
  long long kept = 0, merged = 0;
  if (args.Done() || !ParseCount(args.Take(), 1, INT64_MAX, &kept)) return Usage("merge: needs KEEP_ID MERGED_ID (numbers)");
  if (args.Done() || !ParseCount(args.Take(), 1, INT64_MAX, &merged)) return Usage("merge: needs KEEP_ID MERGED_ID (numbers)");
  if (!args.Done()) return Usage("merge: takes exactly two ids");
  auto summary = crm::MergeCustomers(db, kept, merged, actor);
  if (!summary) return Fail(summary.Message());
  const crm::MergeSummary& m = summary.Value();
  // One key per table a customer holds (core/records.h), named as the table is.
  std::string moved;
  for (const auto& [table, count] : m.moved) moved += ",\"" + table + "\":" + std::to_string(count);
  std::printf("{\"kept\":%lld,\"merged\":%lld,\"moved\":{%s},\"fields_filled\":%d}\n", kept, merged,
              moved.empty() ? "" : moved.c_str() + 1, m.fieldsFilled);
  return kOk;
}

int RunReassign(crm::Db& db, const crm::Actor& actor, Args& args) {
  std::string from, to;
  while (!args.Done()) {
    std::string arg = args.Take();
    if (arg == "--from" && !args.Done()) {
      from = args.Take();
    } else if (arg == "--to" && !args.Done()) {
      to = args.Take();
    } else {
      return Usage("reassign: unknown argument '" + arg + "'");
    }
  }
  if (from.empty() || to.empty()) return Usage("reassign: needs --from NAME and --to NAME");
  auto fromUser = crm::FindUserByName(db, from);
  if (!fromUser) return Fail(fromUser.Message());
  auto toUser = crm::FindUserByName(db, to);
  if (!toUser) return Fail(toUser.Message());
  auto moved = crm::ReassignCustomers(db, fromUser.Value().id, toUser.Value().id, actor);
  if (!moved) return Fail(moved.Message());
  std::printf("%d\n", moved.Value());
  return kOk;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; i++) args.items.emplace_back(argv[i]);
  std::string dbPath, asUser;
  // Global options come before the command.
  while (!args.Done()) {
    const std::string& arg = args.items[args.next];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return kOk;
    }
    if (arg == "--db" || arg == "--as") {
      args.next++;
      if (args.Done()) return Usage(arg + " needs a value");
      (arg == "--db" ? dbPath : asUser) = args.Take();
      continue;
    }
    break;
  }
  if (args.Done()) return Usage("no command given");
  std::string command = args.Take();
  if (command == "help") {
    std::fputs(kUsage, stdout);
    return kOk;
  }
  if (dbPath.empty()) return Usage("--db FILE is required");
  static const char* kCommands[] = {"init",     "info", "import", "undo-import", "export", "reassign",
                                    "add",      "seed", "search", "due",         "merge"};
  bool known = false;
  for (const char* name : kCommands) known = known || command == name;
  if (!known) return Usage("unknown command '" + command + "'");

  auto opened = OpenMigrated(dbPath);
  if (!opened) return Fail(opened.Message());
  crm::Db& db = opened.Value();

  if (command == "info") {
    auto version = crm::SchemaVersion(db);
    auto count = crm::CountCustomers(db);
    if (!version || !count) return Fail(!version ? version.Message() : count.Message());
    std::printf("{\"schema\":%d,\"sqlite\":\"%s\",\"customers\":%lld}\n", version.Value(), crm::SqliteVersion(),
                static_cast<long long>(count.Value()));
    return kOk;
  }
  if (command == "export") return RunExport(db, args);
  if (command == "search") return RunSearch(db, args);
  if (command == "due") return RunDue(db, args);

  auto actor = ResolveActor(db, asUser);
  if (!actor) return Fail(actor.Message());
  if (command == "init") {
    if (!args.Done()) return Usage("init: takes no arguments");
    auto version = crm::SchemaVersion(db);
    if (!version) return Fail(version.Message());
    std::printf("{\"schema\":%d,\"admin\":%lld}\n", version.Value(), static_cast<long long>(actor.Value().userId));
    return kOk;
  }
  if (command == "import") return RunImport(db, actor.Value(), args);
  if (command == "reassign") return RunReassign(db, actor.Value(), args);
  if (command == "undo-import") {
    auto undone = crm::UndoLastImport(db, actor.Value());
    if (!undone) return Fail(undone.Message());
    std::printf("{\"import\":%lld,\"trashed\":%lld,\"kept_changed\":%lld,\"kept_denied\":%lld}\n",
                static_cast<long long>(undone.Value().importId), static_cast<long long>(undone.Value().trashed),
                static_cast<long long>(undone.Value().keptChanged), static_cast<long long>(undone.Value().keptDenied));
    return kOk;
  }
  if (command == "merge") return RunMerge(db, actor.Value(), args);
  if (command == "add") {
    if (args.Done()) return Usage("add: needs a NAME");
    auto id = crm::AddCustomer(db, args.Take(), actor.Value());
    if (!id) return Fail(id.Message());
    std::printf("%lld\n", static_cast<long long>(id.Value()));
    return kOk;
  }
  if (command == "seed") {
    if (args.Done()) return Usage("seed: needs a COUNT");
    std::string text = args.Take();
    char* end = nullptr;
    long long count = std::strtoll(text.c_str(), &end, 10);
    if (!end || *end || count < 0) return Usage("seed: COUNT must be a whole number, got '" + text + "'");
    auto txn = db.Begin();
    if (!txn) return Fail(txn.Message());
    for (long long i = 0; i < count; i++) {
      auto id = crm::AddCustomer(db, "客户 " + std::to_string(i + 1), actor.Value());
      if (!id) return Fail(id.Message());
    }
    if (auto committed = txn.Value().Commit(); !committed) return Fail(committed.Message());
    std::printf("%lld\n", count);
    return kOk;
  }
  return Usage("unknown command '" + command + "'");
}
