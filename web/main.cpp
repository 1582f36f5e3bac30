// The browser app: GLFW window on the page's canvas, WebGL2 renderer, and the
// frame loop that draws the ImGui screens.
#include <GLES3/gl3.h>
#include <GLFW/glfw3.h>
#include <emscripten.h>
#include <emscripten/html5.h>

#include <cmath>
#include <cstdio>

#include "core/ids.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "imgui_impl_glfw.h"
#include "ui/fonts.h"
#include "web/platform.h"
#include "web/renderer.h"
#include "web/sync_browser.h"
#include "web/text_input.h"

#ifndef CRM_VERSION
#define CRM_VERSION "dev"
#endif

namespace crm::web {

Platform& GetPlatform() {
  // Intentionally never destroyed: the page owns the process until it is closed.
  static Platform* platform = new Platform();
  return *platform;
}

namespace {

EM_JS(char*, BrowserLanguage, (), {
  var language = (navigator.languages && navigator.languages[0]) || navigator.language || 'zh-CN';
  var size = lengthBytesUTF8(language) + 1;
  var pointer = _malloc(size);
  stringToUTF8(language, pointer, size);
  return pointer;
});

// No WebGL2 context: the page (shell.html) says in words what to try instead of showing a blank canvas.
EM_JS(void, ShowNoWebGl, (const char* detail), {
  if (Module.crmNoWebGl) Module.crmNoWebGl(UTF8ToString(detail));
});

// Keeps the canvas backing store at CSS size × devicePixelRatio, so ImGui
// renders one texel per physical pixel; fonts are re-rasterised when the ratio
// changes. The canvas is sized directly, not through glfwSetWindowSize: Emscripten
// 3.1.6's GLFW requests fullscreen whenever that size equals the screen's.
void SyncCanvasSize(Platform& platform) {
  double cssWidth = 0;
  double cssHeight = 0;
  emscripten_get_element_css_size("#canvas", &cssWidth, &cssHeight);
  float pixelRatio = static_cast<float>(emscripten_get_device_pixel_ratio());
  if (pixelRatio <= 0) pixelRatio = 1;
  if (cssWidth < 1 || cssHeight < 1) return;
  bool ratioChanged = pixelRatio != platform.pixelRatio;
  if (ratioChanged || cssWidth != platform.cssWidth || cssHeight != platform.cssHeight) {
    platform.cssWidth = cssWidth;
    platform.cssHeight = cssHeight;
    platform.framebufferWidth = static_cast<int>(std::lround(cssWidth * pixelRatio));
    platform.framebufferHeight = static_cast<int>(std::lround(cssHeight * pixelRatio));
    emscripten_set_canvas_element_size("#canvas", platform.framebufferWidth, platform.framebufferHeight);
  }
  if (ratioChanged) platform.pixelRatio = pixelRatio;
}

// An on-demand font file (CJK Extension B–F), fetched from beside the page into the same path of the
// in-memory file system the preloaded fonts live in; crm_font_arrived tells the glyph atlas either way.
EM_JS(void, FetchFontFile, (const char* path), {
  const file = UTF8ToString(path);
  const done = (ok) => { if (Module.calledRun) Module.ccall('crm_font_arrived', null, ['string', 'number'], [file, ok ? 1 : 0]); };
  fetch(file.charAt(0) == '/' ? file.substring(1) : file)
    .then((response) => {
      if (!response.ok) throw new Error(file + ': HTTP ' + response.status);
      return response.arrayBuffer();
    })
    .then((bytes) => {
      FS.mkdirTree(file.substring(0, file.lastIndexOf('/')));
      FS.writeFile(file, new Uint8Array(bytes));
      done(true);
    })
    .catch((error) => {
      console.warn('font not fetched', error);
      done(false);
    });
});

// Between frames: the glyph atlas is rebuilt when the pixel ratio or the font size (layout, text size) changed,
// or when the last frame showed characters it lacks (rare name characters, typed text).
void UpdateFonts(Platform& platform) {
  ui::AppState& app = platform.app;
  if (platform.pixelRatio <= 0) return;  // the canvas has no size yet
  auto rebuilt = app.glyphs.Update(ImGui::GetIO(), platform.pixelRatio, ui::AppFontSize(app));
  for (const std::string& file : app.glyphs.TakeFilesToFetch()) FetchFontFile(file.c_str());
  if (!rebuilt) {
    app.fatalError = rebuilt.Message();
    return;
  }
  if (rebuilt.Value()) platform.renderer->UploadFonts(*ImGui::GetIO().Fonts);
  // The theme and text size apply from the frame after they were chosen.
  ui::UpdateStyle(app, platform.pixelRatio);
}

// With no input for this long and nothing running, frames come at the idle pace below: a static screen
// is not drawn 60 times a second on a laptop's battery or a tablet left on the counter. The clock, the
// sync status, saves and the idle lock stay current at that pace; any input draws at once. Two seconds
// leave a touch glide (a few hundred ms) and ImGui's hover delays at full speed.
constexpr double kIdleAfterMs = 2000;
constexpr double kIdleFrameMs = 200;

bool SkipIdleFrame(Platform& platform, double now) {
  ui::AppState& app = platform.app;
  // Queued input (mouse, keys, text, focus: every backend callback queues an event) or a new state of the app.
  const int role = static_cast<int>(app.storage.role);
  if (!ImGui::GetCurrentContext()->InputEventsQueue.empty() || app.db != platform.activityDb || role != platform.activityRole ||
      app.storage.updateAvailable != platform.activityUpdate) {
    platform.lastActivityMs = now;
    platform.activityDb = app.db;
    platform.activityRole = role;
    platform.activityUpdate = app.storage.updateAvailable;
    return false;
  }
  if (app.frameCount < 3 || ui::WantsFrames(app) || GetSync().Applying()) return false;
  if (now - platform.lastActivityMs < kIdleAfterMs || now - platform.lastDrawnMs >= kIdleFrameMs) return false;
  platform.idleSkipped++;
  return true;
}

// A lost WebGL context (a tablet's GPU reset, a tab under memory pressure) comes back empty. Returning true
// prevents the event's default, which is what asks the browser to restore it; the next frame then makes the
// renderer and the glyph atlas's texture again. While it is gone nothing is drawn; the app runs on.
// ImGui's GLFW backend takes the wheel on the document, where browsers make wheel listeners passive: its
// preventDefault then logs an error on every scroll. The canvas's own listener may cancel the wheel (no page
// zoom or scroll behind the app); its steps are the backend's: 100 pixels, 3 lines or 1/80 page.
EM_BOOL OnWheel(int, const EmscriptenWheelEvent* event, void*) {
  float multiplier = 0.0f;
  if (event->deltaMode == DOM_DELTA_PIXEL) multiplier = 1.0f / 100.0f;
  if (event->deltaMode == DOM_DELTA_LINE) multiplier = 1.0f / 3.0f;
  if (event->deltaMode == DOM_DELTA_PAGE) multiplier = 80.0f;
  ImGui::GetIO().AddMouseWheelEvent(static_cast<float>(event->deltaX) * -multiplier, static_cast<float>(event->deltaY) * -multiplier);
  return EM_TRUE;
}

EM_BOOL OnContextLost(int, const void*, void* data) {
  static_cast<Platform*>(data)->glLost = true;
  return EM_TRUE;
}

EM_BOOL OnContextRestored(int, const void*, void* data) {
  static_cast<Platform*>(data)->glRestored = true;
  return EM_TRUE;
}

void RestoreRenderer(Platform& platform) {
  platform.glRestored = false;
  platform.glLost = false;
  platform.renderer->Abandon();
  platform.renderer = std::make_unique<WebGlRenderer>();
  if (Status ready = platform.renderer->Init(); !ready) {
    platform.app.fatalError = ready.Message();
    return;
  }
  platform.app.glyphs.Invalidate();
  platform.glRestores++;
}

void Frame(void* argument) {
  Platform& platform = *static_cast<Platform*>(argument);
  double started = emscripten_get_now();
  // A resized canvas is a new state too: sized before the idle test, so it is drawn at once.
  const double cssWidth = platform.cssWidth, cssHeight = platform.cssHeight;
  const float pixelRatio = platform.pixelRatio;
  SyncCanvasSize(platform);
  if (cssWidth != platform.cssWidth || cssHeight != platform.cssHeight || pixelRatio != platform.pixelRatio) {
    platform.lastActivityMs = started;
  }
  if (SkipIdleFrame(platform, started)) return;
  // While the saved book is read from IndexedDB the screen only says so: a frame every 100 ms leaves the
  // main thread (and a software-rendering GPU process) to the read, which took 3-4x longer beside 60 frames
  // a second. Input still reaches the next frame, as every callback queues it.
  if (platform.app.storage.role == ui::WriterRole::Starting && platform.app.frameCount > 2 &&
      started - platform.lastDrawnMs < 100) {
    return;
  }
  platform.lastDrawnMs = started;
  platform.app.nowMs = NowMs() + static_cast<int64_t>(platform.clockOffsetMs);
  UpdatePointerKind(platform);
  if (platform.glRestored) RestoreRenderer(platform);
  double fontsStarted = emscripten_get_now();
  UpdateFonts(platform);
  // Before the canvas has a size, ImGui still needs an atlas: its default font.
  if (!platform.renderer->HasFonts()) platform.renderer->UploadFonts(*ImGui::GetIO().Fonts);
  platform.lastFontsMs = emscripten_get_now() - fontsStarted;
  glfwPollEvents();
  ImGui_ImplGlfw_NewFrame();
  // GLFW's idea of the window size is not kept in step (see SyncCanvasSize); the canvas is the truth.
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(static_cast<float>(platform.framebufferWidth), static_cast<float>(platform.framebufferHeight));
  io.DisplayFramebufferScale = ImVec2(1, 1);
  double uiStarted = emscripten_get_now();
  ImGui::NewFrame();
  ui::DrawApp(platform.app);
  ImGui::Render();
  platform.lastUiMs = emscripten_get_now() - uiStarted;

  double renderStarted = emscripten_get_now();
  if (!platform.glLost) platform.renderer->Render(*ImGui::GetDrawData(), platform.framebufferWidth, platform.framebufferHeight);
  platform.lastRenderMs = emscripten_get_now() - renderStarted;

  SyncTextInput(platform);
  SyncLiveRegion(platform);
  // The sync client's next step; the status bar shows what it reports (its counts are queries: a few times a second).
  GetSync().Frame();
  if (started - platform.lastSyncStatusMs > 250) {
    platform.lastSyncStatusMs = started;
    platform.app.sync = GetSync().Status();
  }
  double storageStarted = emscripten_get_now();
  StorageFrame();
  platform.lastStorageMs = emscripten_get_now() - storageStarted;
  platform.app.probe.EndFrame();
  platform.app.frameCount++;
  platform.lastFrameMs = emscripten_get_now() - started;
  if (platform.app.frameCount > 2) {
    if (platform.lastFrameMs > platform.maxFrameMs) platform.maxFrameMs = platform.lastFrameMs;
    if (platform.lastFrameMs > 50) {
      platform.framesOver50Ms++;
      if (platform.slowFrames.size() >= 8) platform.slowFrames.erase(platform.slowFrames.begin());
      platform.slowFrames.push_back({platform.app.frameCount, platform.lastFrameMs, platform.lastUiMs, platform.lastFontsMs,
                                     platform.lastRenderMs, platform.lastStorageMs, static_cast<int>(platform.app.screen),
                                     static_cast<int>(platform.app.page)});
    }
  }
  if (platform.sampleFrames && platform.frameSamples.size() < 100000) {
    platform.frameSamples.push_back(platform.lastFrameMs);
    platform.uiSamples.push_back(platform.lastUiMs);
    platform.partSamples.push_back({platform.lastFontsMs, platform.lastRenderMs, platform.lastStorageMs});
  }
  SignalReadyIfDue(platform);
}

}  // namespace

int Start() {
  Platform& platform = GetPlatform();
  platform.app.appVersion = CRM_VERSION;
  char* language = BrowserLanguage();
  platform.app.lang = ui::LangFromLocale(language);
  std::free(language);

  if (!glfwInit()) {
    std::fprintf(stderr, "cannot initialise GLFW\n");
    return 1;
  }
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  platform.window = glfwCreateWindow(1280, 800, "CRM", nullptr, nullptr);
  if (!platform.window) {
    std::fprintf(stderr, "cannot create a WebGL2 context\n");
    ShowNoWebGl("cannot create a WebGL2 context");
    return 1;
  }
  glfwMakeContextCurrent(platform.window);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // layout is the app's, not the user's
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  ImGui_ImplGlfw_InitForOpenGL(platform.window, true);
  emscripten_set_wheel_callback(EMSCRIPTEN_EVENT_TARGET_DOCUMENT, nullptr, false, nullptr);
  emscripten_set_wheel_callback("#canvas", nullptr, false, OnWheel);
  platform.renderer = std::make_unique<WebGlRenderer>();
  if (Status ready = platform.renderer->Init(); !ready) {
    std::fprintf(stderr, "%s\n", ready.Message().c_str());
    ShowNoWebGl(ready.Message().c_str());
    return 1;
  }
  emscripten_set_webglcontextlost_callback("#canvas", &platform, false, OnContextLost);
  emscripten_set_webglcontextrestored_callback("#canvas", &platform, false, OnContextRestored);
  InstallTextInput(platform);
  // Screens note the data text they draw (ui::NoteText); the atlas grows to hold it.
  platform.app.glyphs.SetFiles(platform.fonts);
  io.UserData = &platform.app.glyphs;
  // Every build notes the focused control for the screen reader; test builds record every item.
  platform.app.probe.Attach(ImGui::GetCurrentContext(), ui::ProbeMode::FocusOnly);
  AttachTestHooks(platform);
  WireFiles(platform);

  StartStorage();
  emscripten_set_main_loop_arg(Frame, &platform, 0, false);
  return 0;
}

}  // namespace crm::web

extern "C" EMSCRIPTEN_KEEPALIVE void crm_font_arrived(const char* path, int ok) {
  crm::web::Platform& platform = crm::web::GetPlatform();
  platform.app.glyphs.FileArrived(path ? path : "", ok != 0);
  platform.lastActivityMs = emscripten_get_now();  // no input came with it: draw the next frame now
}

int main() { return crm::web::Start(); }
