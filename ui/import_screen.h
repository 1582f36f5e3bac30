#pragma once
// Import and export (导入导出). The import wizard: choose a CSV file (the
// browser's file picker, through the platform), its encoding (detected, or
// UTF-8 / GB18030 by hand), the column mapping (headers recognised, every
// column editable), a preview of the first rows with their problems, then the
// import itself in slices across frames (core/import.h ImportJob: no frame is
// blocked) with progress and cancel, the errors by line number, and undo of the
// last import. Export writes a CSV Excel opens with Chinese intact, also in
// slices, and hands it to the browser as a download.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/export.h"
#include "core/import.h"
#include "ui/reload.h"
#include "ui/widgets.h"

namespace crm::ui {

struct AppState;

enum class ImportStep { Choose, Map, Running, Done };

struct ImportScreenState {
  ImportStep step = ImportStep::Choose;
  bool canUndo = false;  // an import this person may undo exists (read again when imports change)
  LoadStamp undoLoad;
  std::string fileName;
  int64_t fileBytes = 0;
  std::optional<ImportSource> source;
  int encoding = 0;              // index into Auto, UTF-8, GB18030
  int columnsEncoding = -1;      // the encoding `headers` were read with
  Encoding detected = Encoding::Utf8;
  std::vector<std::string> headers;
  std::vector<int> mapping;      // per column: index into AllImportFields(), starting from core's guess
  bool validOnly = false;
  int duplicatePolicy = 0;       // skip, merge, create
  std::optional<ImportPreview> preview;
  std::string previewKey;        // the options the preview was made with
  std::string previewError;
  std::optional<ImportJob> job;
  std::optional<ImportReport> report;
  std::optional<UndoReport> undo;
  std::string error;
  std::string message;
  // Frame budget bookkeeping for tests and the benchmark: the slowest step so far.
  int steps = 0;
  double maxStepMs = 0;

  // Export.
  bool englishHeaders = false;
  bool exportTrash = false;
  std::optional<ExportJob> exportJob;
  std::shared_ptr<std::string> exportBytes;
  int64_t exportedRows = 0;
  std::string exportMessage;
  std::string exportError;
};

void DrawImportExport(AppState& state);
// The platform hands over the file the user picked.
void ImportFileChosen(AppState& state, const std::string& name, std::string bytes);
// Advances a running import or export by one slice; called once per frame whatever page is shown.
void RunImportExportJobs(AppState& state);

}  // namespace crm::ui
