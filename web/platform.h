#pragma once
// The browser platform: window and GL context, canvas size and pixel ratio,
// storage, and the frame loop. Only web/ includes Emscripten headers.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/db.h"
#include "ui/app_state.h"
#include "ui/fonts.h"

struct GLFWwindow;

namespace crm::web {

class WebGlRenderer;

struct Platform {
  GLFWwindow* window = nullptr;
  std::unique_ptr<WebGlRenderer> renderer;  // made once the GL context is current
  // The GL context was lost (GPU reset, memory pressure) / given back by the browser; how often it came back.
  bool glLost = false;
  bool glRestored = false;
  int glRestores = 0;
  ui::AppState app;
  std::optional<Db> db;
  ui::FontFiles fonts{"/fonts/latin.ttf", "/fonts/cjk.ttf", "/fonts/symbols.ttf", "/fonts/han-ext"};

  // Canvas geometry: CSS size and device pixel ratio; the backing store is their product.
  double cssWidth = 0;
  double cssHeight = 0;
  float pixelRatio = 0;
  int framebufferWidth = 1;
  int framebufferHeight = 1;

  bool readySignalled = false;

  // Text-input bridge (text_input.cpp): what the hidden input was last told, the IME's wish, the clipboard.
  struct TextSync {
    bool want = false;
    double x = -1, y = -1;
  } textSync;
  bool imeVisible = false;
  bool touchSeen = false;
  std::string clipboard;  // what ImGui last copied
  std::string copyReply;  // the text last handed to a copy/cut event, kept alive for JavaScript
  bool copyHandedOver = false;  // that event wrote the clipboard: ImGui's copy on its next frame need not
  std::string liveText;   // what the live region was last given (accessibility.cpp)

  // Frame timing, for the 50 ms budget: the slowest frame and how many went over.
  double lastFrameMs = 0;
  double maxFrameMs = 0;
  int framesOver50Ms = 0;
  // The last few frames over 50 ms, by part, to tell which part blew the budget (test state shows them).
  struct SlowFrame {
    uint64_t frame;
    double total, ui, fonts, render, storage;
    int screen, page;  // what was drawn (ui::Screen, ui::Page)
  };
  std::vector<SlowFrame> slowFrames;
  double lastUiMs = 0;  // the screens' own share of the last frame (DrawApp), without rendering
  double lastFontsMs = 0;    // the glyph atlas's rebuild and upload, when one was due
  double lastRenderMs = 0;   // ImGui's draw lists to WebGL
  double lastStorageMs = 0;  // capturing commits for IndexedDB
  double lastSyncStatusMs = -1e9;  // when the status bar's sync status was last read
  double lastDrawnMs = -1e9;       // when the last frame was drawn (frames are spaced out while the book opens)
  // Idle frames (main.cpp): when the user last gave input or the app last changed state, and that state.
  double lastActivityMs = 0;
  const void* activityDb = nullptr;
  int activityRole = -1;
  bool activityUpdate = false;  // an app update was offered (the offer is drawn at once)
  uint64_t idleSkipped = 0;  // frames not drawn because nothing would have changed
  struct FrameParts {
    double fonts, render, storage;
  };
  std::vector<FrameParts> partSamples;
  // Frame times kept for the benchmark while it samples (test builds turn it on); capped.
  bool sampleFrames = false;
  std::vector<double> frameSamples;
  std::vector<double> uiSamples;
  double clockOffsetMs = 0;  // test builds move the clock forward to exercise the idle lock
};

// The one platform instance; lives as long as the page.
Platform& GetPlatform();

// Storage (storage.h, storage_browser.cpp): elect the writing tab, load, and save every commit.
void StartStorage();   // asynchronous; the app shows "loading" until the database is open
void StorageFrame();   // once per frame, after the screens ran

// Once the database is open (storage calls this): device tables, the first screen, persistence.
void OnDatabaseReady(Platform& platform);

// Files for the import/export screen (files_browser.cpp): the picker and downloads.
void WireFiles(Platform& platform);

// The screen reader's view (accessibility.cpp): after a frame, the focused control's label and value
// go to the page's live region when they changed.
void SyncLiveRegion(Platform& platform);

// Test hooks (test_hooks.cpp): present in test builds only.
void AttachTestHooks(Platform& platform);
void SignalReadyIfDue(Platform& platform);

}  // namespace crm::web
