// The home screen, driven headlessly through ImGui the way the browser test
// drives it: find the button by its id, click it, and read the result.
#include <gtest/gtest.h>

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
    ASSERT_TRUE(BuildFonts(io, files, 1.0f, ""));
    m_state.db = &m_db;
    m_state.screen = Screen::Home;
    m_state.actor = EnsureLocalOwner(m_db, "本机用户", 4).Value();
    m_state.requestPersist = [this] { m_persistRequests++; };
    m_state.probe.Attach(m_context);
  }
  void TearDown() override { ImGui::DestroyContext(m_context); }

  void Frame() {
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

}  // namespace
}  // namespace crm::ui
