#include "ui/item_probe.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "imgui.h"

namespace crm::ui {
namespace {

// A headless ImGui frame: no renderer, just layout, which is what the probe records.
class HeadlessImGui {
 public:
  HeadlessImGui() {
    m_context = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(800, 600);
    io.IniFilename = nullptr;
    unsigned char* pixels = nullptr;
    int width = 0, height = 0;
    io.Fonts->GetTexDataAsAlpha8(&pixels, &width, &height);
  }
  ~HeadlessImGui() { ImGui::DestroyContext(m_context); }
  ImGuiContext* Context() const { return m_context; }

 private:
  ImGuiContext* m_context;
};

TEST(ItemProbe, FindsItemsOfTheLastFrameByLabelOrId) {
  HeadlessImGui imgui;
  ItemProbe probe;
  probe.Attach(imgui.Context());
  ImGui::NewFrame();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(400, 300));  // items clipped out of a window are not reported
  ImGui::Begin("Main");
  ImGui::Button("Save");
  ImGui::Button("Add customer###add_customer");
  ImGui::End();
  ImGui::Render();
  EXPECT_FALSE(probe.Find("Save")) << "the frame is not finished yet";
  probe.EndFrame();

  auto save = probe.Find("Save");
  ASSERT_TRUE(save);
  EXPECT_GT(save->max.x, save->min.x);
  EXPECT_GT(save->max.y, save->min.y);
  auto byId = probe.Find("add_customer");
  ASSERT_TRUE(byId);
  auto byText = probe.Find("Add customer");
  ASSERT_TRUE(byText);
  EXPECT_EQ(byId->id, byText->id);
  EXPECT_GT(byId->min.y, save->min.y) << "the second button is below the first";
  EXPECT_FALSE(probe.Find("Delete"));
}

TEST(ItemProbe, AFrameReplacesThePreviousOne) {
  HeadlessImGui imgui;
  ItemProbe probe;
  probe.Attach(imgui.Context());
  for (int frame = 0; frame < 2; frame++) {
    ImGui::NewFrame();
    ImGui::Begin("Main");
    ImGui::Button(frame == 0 ? "First" : "Second");
    ImGui::End();
    ImGui::Render();
    probe.EndFrame();
  }
  EXPECT_FALSE(probe.Find("First"));
  EXPECT_TRUE(probe.Find("Second"));
}

// What a frame drew is read back from its glyphs: labels without their ids, words with their spaces, and the text
// of every window, a tooltip and a popup included.
TEST(ItemProbe, DrawnTextsAreWhatTheFrameShowsInEveryWindow) {
  HeadlessImGui imgui;
  // A tooltip or popup is sized in its first frame and drawn from the second.
  for (int frame = 0; frame < 2; frame++) {
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(400, 300));
    ImGui::Begin("Main");
    ImGui::TextUnformatted("Sign in  with a PIN");
    ImGui::Button("Save###save_id");
    ImGui::SetTooltip("Only admins");
    ImGui::OpenPopup("reason");
    if (ImGui::BeginPopup("reason")) {
      ImGui::TextUnformatted("Not yours");
      ImGui::EndPopup();
    }
    ImGui::End();
    ImGui::Render();
  }
  std::vector<std::string> texts = DrawnTexts(*ImGui::GetDrawData(), *ImGui::GetIO().Fonts);
  auto has = [&](const std::string& wanted) { return std::find(texts.begin(), texts.end(), wanted) != texts.end(); };
  std::string all;
  for (const std::string& text : texts) all += "[" + text + "]";
  EXPECT_TRUE(has("Sign in with a PIN")) << all;
  EXPECT_TRUE(has("Save")) << all;
  EXPECT_TRUE(has("Main")) << "the window's title: " << all;
  EXPECT_TRUE(has("Only admins")) << all;
  EXPECT_TRUE(has("Not yours")) << all;
  EXPECT_EQ(all.find("save_id"), std::string::npos) << all;
}

}  // namespace
}  // namespace crm::ui
