#include "ui/import_screen.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/table_changes.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/errors.h"
#include "ui/labels.h"

namespace crm::ui {

// [SECTION] options and preview
// [SECTION] the job, a slice per frame
// [SECTION] steps of the wizard
// [SECTION] export

namespace {

// A slice of import or export work per frame: with the frame's own drawing it stays well inside 50 ms.
constexpr double kSliceMs = 12;
constexpr Encoding kEncodings[] = {Encoding::Auto, Encoding::Utf8, Encoding::Gb18030};
constexpr DuplicatePolicy kPolicies[] = {DuplicatePolicy::Skip, DuplicatePolicy::Merge, DuplicatePolicy::Create};
constexpr Str kPolicyLabels[] = {Str::DupPolicySkip, Str::DupPolicyMerge, Str::DupPolicyCreate};

// ---------------------------------------------------------------------------
// [SECTION] options and preview

// A problem as the user reads it: the field the import names it by (or the record registry's label), then the
// problem in the user's language.
std::string ProblemText(Lang lang, const Error& error) {
  std::string text = DescribeError(lang, error);
  if (error.field.empty()) return text;
  auto field = ParseImportField(error.field);
  std::string label = field && field.Value() != ImportField::None ? LabelOf(lang, field.Value())
                                                                 : FieldLabel(lang, "customers", error.field);
  return label + (lang == Lang::Zh ? "：" : ": ") + text;
}

// A row's problems, each worded; core's English text only for English readers, when it gave none (an older report).
std::string RowProblemText(Lang lang, const std::vector<Error>& problems, const std::string& message) {
  if (problems.empty()) return DescribeError(lang, MakeError(ErrorCode::Invalid, message));
  std::string out;
  for (const Error& problem : problems) out += (out.empty() ? "" : lang == Lang::Zh ? "；" : "; ") + ProblemText(lang, problem);
  return out;
}

ImportOptions Options(const ImportScreenState& screen) {
  ImportOptions options;
  options.encoding = kEncodings[std::clamp(screen.encoding, 0, 2)];
  options.validOnly = screen.validOnly;
  options.onDuplicate = kPolicies[std::clamp(screen.duplicatePolicy, 0, 2)];
  // Every column mapped explicitly once the user touched the mapping (by column number: headers may repeat).
  for (size_t column = 0; column < screen.mapping.size(); column++) {
    ColumnMapping mapping;
    mapping.column = static_cast<int>(column + 1);
    mapping.field = AllImportFields()[static_cast<size_t>(screen.mapping[column])];
    options.mappings.push_back(mapping);
  }
  return options;
}

std::string OptionsKey(const ImportScreenState& screen) {
  std::string key = std::to_string(screen.encoding) + "|" + std::to_string(screen.duplicatePolicy) + "|";
  for (int field : screen.mapping) key += std::to_string(field) + ",";
  return key;
}

void RefreshPreview(AppState& state) {
  ImportScreenState& screen = state.import;
  if (!screen.source) return;
  // The columns and core's guess, read again when the encoding changes; then the user's mapping rules.
  if (screen.columnsEncoding != screen.encoding) {
    screen.columnsEncoding = screen.encoding;
    auto columns = ReadImportColumns(*screen.source, kEncodings[std::clamp(screen.encoding, 0, 2)]);
    screen.mapping.clear();
    screen.headers.clear();
    screen.previewKey.clear();
    if (!columns) {
      screen.previewError = ProblemText(state.lang, columns.GetError());
      screen.preview.reset();
      return;
    }
    screen.detected = columns.Value().encoding;
    screen.headers = columns.Value().headers;
    for (ImportField field : columns.Value().guess) screen.mapping.push_back(IndexOf(AllImportFields(), field));
  }
  if (screen.headers.empty()) return;
  std::string key = OptionsKey(screen);
  if (key == screen.previewKey) return;
  screen.previewKey = key;
  auto preview = PreviewImport(*state.db, *screen.source, Options(screen), state.actor, 8);
  if (!preview) {
    // A mapping without a name column is the user's to fix: the columns stay on screen.
    screen.previewError = ProblemText(state.lang, preview.GetError());
    screen.preview.reset();
    return;
  }
  screen.previewError.clear();
  screen.preview = std::move(preview).Value();
}

// ---------------------------------------------------------------------------
// [SECTION] the job, a slice per frame

void StartImport(AppState& state) {
  ImportScreenState& screen = state.import;
  screen.error.clear();
  screen.message.clear();
  screen.report.reset();
  screen.undo.reset();
  auto job = ImportJob::Start(*state.db, *screen.source, Options(screen), state.actor);
  if (!job) {
    screen.error = DescribeError(state.lang, job.GetError());
    return;
  }
  screen.job.emplace(std::move(job).Value());
  screen.steps = 0;
  screen.maxStepMs = 0;
  screen.step = ImportStep::Running;
}

void StepImport(AppState& state) {
  ImportScreenState& screen = state.import;
  if (!screen.job) return;
  auto started = std::chrono::steady_clock::now();
  auto done = screen.job->Step(*state.db, kSliceMs);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  screen.steps++;
  screen.maxStepMs = std::max(screen.maxStepMs, ms);
  // Each slice committed what it wrote: save it now, as any edit.
  if (state.requestPersist) state.requestPersist();
  if (!done) {
    screen.error = DescribeError(state.lang, done.GetError());
    screen.report = screen.job->Report();
    screen.job.reset();
    screen.step = ImportStep::Done;
    AfterCommit(state);
    return;
  }
  if (!done.Value()) return;
  screen.report = screen.job->Report();
  screen.job.reset();
  screen.step = ImportStep::Done;
  AfterCommit(state);
}

void StepExport(AppState& state) {
  ImportScreenState& screen = state.import;
  if (!screen.exportJob) return;
  auto done = screen.exportJob->Step(*state.db, kSliceMs);
  screen.exportedRows = screen.exportJob->RowsDone();
  if (!done) {
    screen.exportError = DescribeError(state.lang, done.GetError());
    screen.exportJob.reset();
    return;
  }
  if (!done.Value()) return;
  screen.exportJob.reset();
  std::string name = "customers-" + LocalDateText(state.nowMs, state.utcOffsetMinutes) + ".csv";
  if (state.downloadFile) state.downloadFile(*screen.exportBytes, name, "text/csv;charset=utf-8");
  char text[160];
  std::snprintf(text, sizeof text, Tr(state.lang, Str::ExportDone), static_cast<long long>(screen.exportedRows), name.c_str());
  screen.exportMessage = text;
}

// ---------------------------------------------------------------------------
// [SECTION] steps of the wizard

void DrawUndo(AppState& state) {
  ImportScreenState& screen = state.import;
  // Offered only when there is an import to take back (a refused import wrote nothing).
  if (NeedsLoad(state, screen.undoLoad, TableBit("imports"))) {
    auto last = LastUndoableImport(*state.db, state.actor);
    screen.canUndo = last && last.Value().has_value();
  }
  if (!screen.canUndo) return;
  std::string undo = Label(state.lang, Str::UndoLastImport, "import_undo");
  if (ImGui::Button(undo.c_str())) {
    auto undone = UndoLastImport(*state.db, state.actor);
    if (undone) {
      screen.undo = undone.Value();
      char text[200];
      std::snprintf(text, sizeof text, Tr(state.lang, Str::UndoDone), static_cast<long long>(undone.Value().trashed),
                    static_cast<long long>(undone.Value().keptChanged + undone.Value().keptDenied));
      screen.message = text;
      screen.error.clear();
      AfterCommit(state);
    } else {
      screen.error = undone.Code() == ErrorCode::NotFound ? std::string(Tr(state.lang, Str::NothingToUndo)) : DescribeError(state.lang, undone.GetError());
      screen.message.clear();
    }
  }
}

void DrawChoose(AppState& state) {
  Lang lang = state.lang;
  ImGui::TextWrapped("%s", Tr(lang, Str::ImportIntro));
  std::string choose = Label(lang, Str::ChooseCsv, "import_choose");
  if (PrimaryButton(choose.c_str()) && state.pickImportFile) state.pickImportFile();
  ImGui::SameLine();
  DrawUndo(state);
}

void DrawMapping(AppState& state) {
  ImportScreenState& screen = state.import;
  Lang lang = state.lang;
  if (screen.headers.empty()) return;
  ImGui::SeparatorText(Tr(lang, Str::ColumnMapping));
  std::vector<std::string> fields = LabelsOf(lang, AllImportFields());
  ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchProp;
  if (ImGui::BeginTable("##mapping", 3, flags)) {
    ImGui::TableSetupColumn(Tr(lang, Str::CsvColumn));
    ImGui::TableSetupColumn(Tr(lang, Str::ImportsInto));
    ImGui::TableSetupColumn(Tr(lang, Str::FirstValue));
    ImGui::TableHeadersRow();
    for (size_t column = 0; column < screen.headers.size() && column < screen.mapping.size(); column++) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::AlignTextToFramePadding();
      DataText(screen.headers[column]);
      ImGui::TableNextColumn();
      std::string id = "map_" + std::to_string(column + 1);
      int picked = ChoiceMenu(id.c_str(), "", fields, screen.mapping[column]);
      if (picked >= 0) screen.mapping[column] = picked;
      ImGui::TableNextColumn();
      if (screen.preview && !screen.preview->rows.empty() && column < screen.preview->rows[0].cells.size()) {
        DataText(screen.preview->rows[0].cells[column]);
      }
    }
    ImGui::EndTable();
  }
}

void DrawPreviewRows(AppState& state) {
  ImportScreenState& screen = state.import;
  Lang lang = state.lang;
  if (!screen.preview) return;
  ImGui::SeparatorText(Tr(lang, Str::PreviewRows));
  char text[64];
  for (const PreviewRow& row : screen.preview->rows) {
    std::snprintf(text, sizeof text, Tr(lang, Str::LineN), static_cast<long long>(row.line));
    ImGui::TextDisabled("%s", text);
    ImGui::SameLine();
    std::string cells;
    for (size_t i = 0; i < row.cells.size() && i < 4; i++) cells += (i ? " | " : "") + row.cells[i];
    DataText(cells);
    ImGui::SameLine();
    if (row.action == RowAction::Fail) {
      ErrorText(RowProblemText(lang, row.problems, row.problem));
    } else if (row.duplicate) {
      WarningText(std::string(Tr(lang, Str::DuplicateOf)) + " " + row.duplicate->reason);
    } else {
      SuccessText(Tr(lang, Str::RowOk));
    }
  }
}

void DrawMap(AppState& state) {
  ImportScreenState& screen = state.import;
  Lang lang = state.lang;
  char file[256];
  std::snprintf(file, sizeof file, "%s  ·  %lld B", screen.fileName.c_str(), static_cast<long long>(screen.fileBytes));
  NoteText(file);
  ImGui::TextUnformatted(file);
  ImGui::SameLine();
  std::string again = Label(lang, Str::ChooseAnother, "import_choose");
  if (ImGui::Button(again.c_str()) && state.pickImportFile) state.pickImportFile();
  ImGui::TextUnformatted(Tr(lang, Str::Encoding));
  int clicked = ChoiceButtons(LabelsOf(lang, std::vector<Encoding>(std::begin(kEncodings), std::end(kEncodings))), "encoding_",
                              {"auto", "utf8", "gb18030"}, screen.encoding);
  if (clicked >= 0) screen.encoding = clicked;
  RefreshPreview(state);
  if (!screen.headers.empty() && screen.encoding == 0) {
    ImGui::TextDisabled("%s %s", Tr(lang, Str::Detected), EncodingInWords(lang, screen.detected).c_str());
  }
  if (!screen.previewError.empty()) ErrorText(screen.previewError);
  // The options and the one main action first, in sight; the mapping and the preview under them.
  ImGui::TextUnformatted(Tr(lang, Str::OnDuplicate));
  std::vector<std::string> policies;
  for (Str label : kPolicyLabels) policies.emplace_back(Tr(lang, label));
  clicked = ChoiceButtons(policies, "dup_", {"skip", "merge", "create"}, screen.duplicatePolicy);
  if (clicked >= 0) screen.duplicatePolicy = clicked;
  std::string validOnly = Label(lang, Str::ValidOnly, "import_valid_only");
  ImGui::Checkbox(validOnly.c_str(), &screen.validOnly);
  ImGui::BeginDisabled(!screen.previewError.empty());
  std::string start = Label(lang, Str::StartImport, "import_start");
  if (PrimaryButton(start.c_str())) StartImport(state);
  ImGui::EndDisabled();
  DrawMapping(state);
  DrawPreviewRows(state);
}

void DrawRunning(AppState& state) {
  ImportScreenState& screen = state.import;
  Lang lang = state.lang;
  if (!screen.job) return;
  ImportProgress progress = screen.job->Progress();
  char text[160];
  std::snprintf(text, sizeof text, Tr(lang, progress.pass == 1 ? Str::ImportChecking : Str::ImportWriting),
                static_cast<long long>(progress.rowsDone));
  ImGui::TextUnformatted(text);
  // Both passes on one scale (checking, then writing), which never goes backwards.
  float fraction = progress.total > 0 ? static_cast<float>(progress.done) / static_cast<float>(progress.total) : 0;
  ImGui::ProgressBar(fraction, ImVec2(-FLT_MIN, 0));
  std::string cancel = Label(lang, Str::Cancel, "import_cancel");
  if (ImGui::Button(cancel.c_str())) screen.job->Cancel();
}

void DrawDone(AppState& state) {
  ImportScreenState& screen = state.import;
  Lang lang = state.lang;
  if (!screen.report) return;
  const ImportReport& r = *screen.report;
  char text[256];
  std::snprintf(text, sizeof text, Tr(lang, Str::ImportSummary), static_cast<long long>(r.rowsRead), static_cast<long long>(r.created),
                static_cast<long long>(r.merged), static_cast<long long>(r.skipped), static_cast<long long>(r.failed));
  ImGui::TextUnformatted(text);
  if (r.cancelled) WarningText(Tr(lang, Str::ImportCancelled));
  if (!r.written && r.failed > 0 && !screen.validOnly) {
    WarningText(Tr(lang, Str::ImportNothingWritten));
    std::string retry = Label(lang, Str::ImportValidRows, "import_valid_rows");
    if (PrimaryButton(retry.c_str())) {
      screen.validOnly = true;
      StartImport(state);
      return;
    }
  }
  if (r.written) {
    SuccessText(Tr(lang, Str::ImportWritten));
  }
  DrawUndo(state);
  ImGui::SameLine();
  std::string another = Label(lang, Str::ImportAnother, "import_another");
  if (ImGui::Button(another.c_str())) {
    screen.step = ImportStep::Choose;
    screen.source.reset();
    screen.preview.reset();
    screen.report.reset();
  }
  if (!r.errors.empty()) {
    ImGui::SeparatorText(Tr(lang, Str::ImportErrors));
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(r.errors.size()));
    while (clipper.Step()) {
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; i++) {
        const RowIssue& issue = r.errors[static_cast<size_t>(i)];
        std::snprintf(text, sizeof text, Tr(lang, Str::LineN), static_cast<long long>(issue.line));
        std::string problem = RowProblemText(lang, issue.problems, issue.message);
        std::string line = Label(std::string(text) + "  " + problem, "import_error_" + std::to_string(issue.line));
        NoteText(line);
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.8f, 0.15f, 0.15f, 1));
        ImGui::Selectable(line.c_str(), false);
        ImGui::PopStyleColor();
      }
    }
  }
  if (!r.duplicates.empty()) {
    ImGui::SeparatorText(Tr(lang, Str::ImportDuplicates));
    for (size_t i = 0; i < r.duplicates.size() && i < 200; i++) {
      const DuplicateMatch& d = r.duplicates[i];
      std::snprintf(text, sizeof text, Tr(lang, Str::LineN), static_cast<long long>(d.line));
      std::string line = std::string(text) + "  " + d.reason;
      NoteText(line);
      ImGui::TextUnformatted(line.c_str());
    }
  }
}

// ---------------------------------------------------------------------------
// [SECTION] export

void DrawExport(AppState& state) {
  ImportScreenState& screen = state.import;
  Lang lang = state.lang;
  ImGui::SeparatorText(Tr(lang, Str::ExportTitle));
  ImGui::TextWrapped("%s", Tr(lang, Str::ExportIntro));
  std::string english = Label(lang, Str::EnglishHeaders, "export_english");
  ImGui::Checkbox(english.c_str(), &screen.englishHeaders);
  ImGui::SameLine();
  std::string trash = Label(lang, Str::IncludeTrash, "export_trash");
  ImGui::Checkbox(trash.c_str(), &screen.exportTrash);
  if (screen.exportJob) {
    char text[96];
    std::snprintf(text, sizeof text, Tr(lang, Str::Exporting), static_cast<long long>(screen.exportJob->RowsDone()),
                  static_cast<long long>(screen.exportJob->RowsTotal()));
    ImGui::TextUnformatted(text);
    float total = static_cast<float>(std::max<int64_t>(1, screen.exportJob->RowsTotal()));
    ImGui::ProgressBar(static_cast<float>(screen.exportJob->RowsDone()) / total, ImVec2(-FLT_MIN, 0));
    return;
  }
  std::string go = Label(lang, Str::ExportCsv, "export_csv");
  if (PrimaryButton(go.c_str())) {
    screen.exportMessage.clear();
    screen.exportError.clear();
    screen.exportBytes = std::make_shared<std::string>();
    ExportOptions options;
    options.englishHeaders = screen.englishHeaders;
    options.includeTrash = screen.exportTrash;
    auto job = ExportJob::Start(*state.db, StringSink(screen.exportBytes.get()), options);
    if (job) screen.exportJob.emplace(std::move(job).Value());
    else screen.exportError = DescribeError(state.lang, job.GetError());
  }
  if (!screen.exportMessage.empty()) SuccessText(screen.exportMessage);
  if (!screen.exportError.empty()) ErrorText(screen.exportError);
}

}  // namespace

void ImportFileChosen(AppState& state, const std::string& name, std::string bytes) {
  ImportScreenState& screen = state.import;
  if (screen.job) return;  // an import is running: the file waits for the next one
  screen.fileName = name;
  screen.fileBytes = static_cast<int64_t>(bytes.size());
  screen.source = StringImportSource(std::move(bytes), name);
  screen.mapping.clear();
  screen.headers.clear();
  screen.columnsEncoding = -1;
  screen.preview.reset();
  screen.previewKey.clear();
  screen.previewError.clear();
  screen.report.reset();
  screen.error.clear();
  screen.message.clear();
  screen.validOnly = false;
  screen.step = ImportStep::Map;
  state.page = Page::ImportExport;
}

void RunImportExportJobs(AppState& state) {
  if (!state.db) {
    // The database went away (another tab took over): the jobs go with it.
    state.import.job.reset();
    state.import.exportJob.reset();
    return;
  }
  StepImport(state);
  StepExport(state);
}

void DrawImportExport(AppState& state) {
  ImportScreenState& screen = state.import;
  ImGui::BeginChild("##import_body", ImVec2(0, 0), ImGuiChildFlags_None, ImGuiWindowFlags_NavFlattened);
  ImGui::SeparatorText(Tr(state.lang, Str::ImportTitle));
  if (!screen.error.empty()) ErrorText(screen.error);
  if (!screen.message.empty()) SuccessText(screen.message);
  switch (screen.step) {
    case ImportStep::Choose: DrawChoose(state); break;
    case ImportStep::Map: DrawMap(state); break;
    case ImportStep::Running: DrawRunning(state); break;
    case ImportStep::Done: DrawDone(state); break;
  }
  DrawExport(state);
  ImGui::EndChild();
}

}  // namespace crm::ui
