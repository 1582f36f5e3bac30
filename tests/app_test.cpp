// The home screen, driven headlessly through ImGui the way the browser test
// drives it: find the button by its id, click it, and read the result.
#include <gtest/gtest.h>

#include <functional>

#include "core/accounts.h"
#include "core/org.h"
#include "core/schema.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "ui/app_state.h"
#include "ui/fonts.h"

namespace crm::ui {
namespace {

class AppTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Migrate(m_db));
    m_context = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(1024, 768);
    io.IniFilename = nullptr;
    FontFiles files{std::string(CRM_FONTS_DIR) + "/latin.ttf", std::string(CRM_FONTS_DIR) + "/cjk.ttf"};
    m_state.glyphs.SetFiles(files);
    io.UserData = &m_state.glyphs;
    ASSERT_TRUE(m_state.glyphs.Update(io, 1.0f, kBaseFontSize));
    m_state.db = &m_db;
    m_state.screen = Screen::Home;
    m_state.actor = EnsureLocalOwner(m_db, "本机用户", 4).Value();
    m_state.requestPersist = [this] { m_persistRequests++; };
    m_state.probe.Attach(m_context);
  }
  void TearDown() override { ImGui::DestroyContext(m_context); }

  void Frame() {
    // As the platform does between frames: the atlas grows for what the last frame showed.
    ASSERT_TRUE(m_state.glyphs.Update(ImGui::GetIO(), 1.0f, FontSizeFor(m_state.layout)));
    m_state.nowMs += 16;
    ImGui::GetIO().DeltaTime = 1.0f / 60.0f;
    ImGui::NewFrame();
    DrawApp(m_state);
    ImGui::Render();
    m_state.probe.EndFrame();
  }

  void Click(const char* label) {
    auto item = m_state.probe.Find(label);
    ASSERT_TRUE(item) << label;
    ImVec2 center((item->min.x + item->max.x) / 2, (item->min.y + item->max.y) / 2);
    ImGuiIO& io = ImGui::GetIO();
    io.AddMousePosEvent(center.x, center.y);
    Frame();
    io.AddMouseButtonEvent(0, true);
    Frame();
    io.AddMouseButtonEvent(0, false);
    Frame();
    Frame();  // what the click opened is drawn, and findable, from the next frame on
  }

  Db m_db = Db::OpenMemory().Value();
  ImGuiContext* m_context = nullptr;
  AppState m_state;
  int m_persistRequests = 0;
};

TEST_F(AppTest, AddButtonStoresACustomerAndAsksToPersist) {
  Frame();
  EXPECT_EQ(m_state.customerCount, 0);
  Click("add_customer");
  EXPECT_EQ(m_state.customerCount, 1);
  EXPECT_EQ(CountCustomers(m_db).Value(), 1);
  EXPECT_EQ(m_persistRequests, 1);
  EXPECT_TRUE(m_state.home.lastError.empty()) << m_state.home.lastError;
}

TEST_F(AppTest, ChineseGlyphsAreInTheAtlas) {
  ImFont* font = ImGui::GetIO().Fonts->Fonts[0];
  for (const char* text : {"客户管理", "添加一位客户", "已存客户数"}) {
    const char* cursor = text;
    while (*cursor) {
      unsigned int codepoint = 0;
      cursor += ImTextCharFromUtf8(&codepoint, cursor, nullptr);
      const ImFontGlyph* glyph = font->FindGlyphNoFallback(static_cast<ImWchar>(codepoint));
      ASSERT_NE(glyph, nullptr) << "missing glyph U+" << std::hex << codepoint;
      EXPECT_TRUE(glyph->Visible);
    }
  }
  EXPECT_NE(font->FindGlyphNoFallback('A'), nullptr) << "Latin must come from the merged Latin face";
}

TEST_F(AppTest, LanguageSwitchChangesTheLabel) {
  m_state.lang = Lang::Zh;
  Frame();
  Click("lang_en");
  EXPECT_EQ(m_state.lang, Lang::En);
  auto button = m_state.probe.Find("Add a customer");
  EXPECT_TRUE(button);
}

TEST_F(AppTest, AFailedWriteIsShownNotSwallowed) {
  Frame();
  ASSERT_TRUE(m_db.Exec("DROP TABLE customers"));
  Click("add_customer");
  EXPECT_FALSE(m_state.home.lastError.empty());
  EXPECT_EQ(m_persistRequests, 0);
}

TEST_F(AppTest, TheAtlasGrowsForRareNameCharactersBetweenFrames) {
  ImFont* font = ImGui::GetIO().Fonts->Fonts[0];
  ASSERT_EQ(font->FindGlyphNoFallback(0x5803), nullptr) << "堃 is not in the starting atlas";
  m_state.glyphs.Require("王堃 陈喆 刘犇");
  EXPECT_TRUE(m_state.glyphs.HasPending());
  auto rebuilt = m_state.glyphs.Update(ImGui::GetIO(), 1.0f, kBaseFontSize);
  ASSERT_TRUE(rebuilt);
  EXPECT_TRUE(rebuilt.Value());
  font = ImGui::GetIO().Fonts->Fonts[0];
  for (const char* text = "王堃喆犇"; *text;) {
    unsigned int c = 0;
    text += ImTextCharFromUtf8(&c, text, nullptr);
    EXPECT_NE(font->FindGlyphNoFallback(static_cast<ImWchar>(c)), nullptr) << std::hex << c;
  }
  // A character the shipped fonts lack (Thai) is asked for once and not rebuilt for again.
  m_state.glyphs.Require("ก");
  ASSERT_TRUE(m_state.glyphs.Update(ImGui::GetIO(), 1.0f, kBaseFontSize));
  EXPECT_EQ(m_state.glyphs.MissingCount(), 1u);
  m_state.glyphs.Require("ก");
  EXPECT_FALSE(m_state.glyphs.HasPending());
}

TEST_F(AppTest, DataShownInTheListGrowsTheAtlas) {
  ASSERT_TRUE(AddCustomer(m_db, "犇犇建材", m_state.actor));
  m_state.customers.stale = true;
  int builds = m_state.glyphs.Builds();
  Frame();  // draws the row: notes 犇
  Frame();  // rebuilt before this one
  EXPECT_GT(m_state.glyphs.Builds(), builds);
  unsigned int ben = 0;
  ImTextCharFromUtf8(&ben, "犇", nullptr);
  EXPECT_NE(ImGui::GetIO().Fonts->Fonts[0]->FindGlyphNoFallback(static_cast<ImWchar>(ben)), nullptr);
}

TEST_F(AppTest, NewCustomerFormShowsTheErrorUnderTheField) {
  Frame();
  Click("new_customer");
  ASSERT_TRUE(m_state.customers.form.open);
  Click("save_customer");
  EXPECT_EQ(m_state.customers.form.nameError, "必填");
  EXPECT_TRUE(m_state.customers.form.open);
  m_state.customers.form.name = "顺德区乐从镇华艺门业";
  Click("save_customer");
  EXPECT_FALSE(m_state.customers.form.open);
  EXPECT_EQ(m_state.customerCount, 1);
}

class SessionTest : public AppTest {
 protected:
  void SetUp() override {
    AppTest::SetUp();
    ASSERT_TRUE(EnsureDeviceTables(m_db));
  }
  void FreshDevice() {
    // AppTest made an owner without a device account; start from a database with nobody on it.
    m_db = Db::OpenMemory().Value();
    ASSERT_TRUE(Migrate(m_db));
    m_state.db = &m_db;
    ASSERT_TRUE(StartSession(m_state));
  }
  void RunUntil(const std::function<bool()>& done, int maxFrames = 400) {
    for (int i = 0; i < maxFrames && !done(); i++) Frame();
  }
};

TEST_F(SessionTest, AFreshDeviceWelcomesAndATrialStartsWithSampleData) {
  FreshDevice();
  EXPECT_EQ(m_state.screen, Screen::Welcome);
  Frame();
  Click("start_trial");
  EXPECT_EQ(m_state.screen, Screen::Home);
  EXPECT_TRUE(m_state.device.trial);
  EXPECT_GE(m_state.customerCount, 30);
  EXPECT_EQ(m_state.userName, "体验账户");
}

TEST_F(SessionTest, SharedTabletLocksAndUnlocksWithAPinAcrossFrames) {
  FreshDevice();
  std::string salt = NewPinSalt();
  Pbkdf2Sha256 kdf("1234", salt, kPinIterations);
  kdf.Step(kPinIterations);
  Actor owner = CreateLocalAccount(m_db, "王店长", MakePinRecord(salt, kdf)).Value();
  DeviceSettings settings;
  settings.shared = true;
  settings.idleLockSeconds = 60;
  ASSERT_TRUE(SaveDeviceSettings(m_db, settings));
  ASSERT_TRUE(StartSession(m_state));
  EXPECT_EQ(m_state.screen, Screen::Locked) << "a shared tablet starts locked";
  Frame();
  Click("user:王店长");
  ASSERT_EQ(m_state.signIn.step, SignInStep::EnterPin);
  m_state.signIn.pin = "1234";
  Click("unlock");
  int frames = 0;
  RunUntil([&] { return frames++, m_state.screen == Screen::Home; });
  ASSERT_EQ(m_state.screen, Screen::Home);
  EXPECT_GT(frames, 1) << "the PIN is checked over several frames";
  EXPECT_EQ(m_state.actor.userId, owner.userId);
  // Idle for the configured time: locked again, nobody signed in.
  m_state.nowMs += 61 * 1000;
  Frame();
  EXPECT_EQ(m_state.screen, Screen::Locked);
  EXPECT_EQ(m_state.actor.userId, 0);
}

}  // namespace
}  // namespace crm::ui
