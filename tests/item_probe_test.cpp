#include "ui/item_probe.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace crm::ui
