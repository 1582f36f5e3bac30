// Files in and out of the browser for the import/export screen: the file picker
// hands a CSV's bytes to the import wizard, and an export becomes a download.
// The picker and the download link are storage.js's (the backup restore uses the
// same ones).
#include <emscripten.h>

#include <cstdlib>
#include <string>

#include "ui/import_screen.h"
#include "web/platform.h"

namespace crm::web {

namespace {
EM_JS(void, JsPickImportFile, (), { Module.crmStorage.pickImportFile(); });
EM_JS(void, JsDownload, (const char* data, size_t size, const char* name, const char* mime),
      { Module.crmStorage.download(data, size, UTF8ToString(name), UTF8ToString(mime)); });
}  // namespace

void WireFiles(Platform& platform) {
  ui::AppState& app = platform.app;
  app.pickImportFile = [] { JsPickImportFile(); };
  app.downloadFile = [](const std::string& bytes, const std::string& name, const std::string& mime) {
    JsDownload(bytes.data(), bytes.size(), name.c_str(), mime.c_str());
  };
}

extern "C" EMSCRIPTEN_KEEPALIVE void crm_import_file_chosen(char* data, double size, const char* name) {
  std::string bytes(data, static_cast<size_t>(size));
  std::free(data);
  ui::ImportFileChosen(GetPlatform().app, name ? name : "import.csv", std::move(bytes));
}

}  // namespace crm::web
