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

TEST(ItemProbe, MarksWhatAFingerCanPressAndTheWindowsAroundIt) {
  HeadlessImGui imgui;
  ItemProbe probe;
  probe.Attach(imgui.Context());
  for (int frame = 0; frame < 3; frame++) {  // the window's scroll range is known from the second frame
    ImGui::NewFrame();
    bool open = true;
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(400, 300));
    ImGui::Begin("Dialog###dialog", &open, ImGuiWindowFlags_NoCollapse);
    ImGui::Text("Just text");
    ImGui::BeginChild("##body", ImVec2(0, 120));
    for (int i = 0; i < 20; i++) ImGui::Button(("Row " + std::to_string(i)).c_str());
    ImGui::EndChild();
    bool check = false;
    ImGui::Checkbox("Shared###shared", &check);
    ImGui::End();
    ImGui::Render();
    probe.EndFrame();
  }
  auto interactive = [&](std::string_view label) {
    for (const ProbedItem& item : probe.LastFrame()) {
      if (item.label == label) return item.interactive;
    }
    ADD_FAILURE() << "no item " << label;
    return false;
  };
  EXPECT_TRUE(interactive("Row 0"));
  EXPECT_TRUE(interactive("Shared###shared"));
  EXPECT_TRUE(interactive("##title_bar_button")) << "the title bar's close button is a target too";
  EXPECT_FALSE(interactive("Dialog###dialog")) << "a window is not a target";
  size_t targets = 0;
  std::string seen;
  for (const ProbedItem& item : probe.LastFrame()) {
    targets += item.interactive ? 1 : 0;
    if (item.interactive) seen += "[" + item.label + " " + std::to_string(item.min.y) + "]";
  }
  EXPECT_EQ(targets, 20u + 2u) << "no scrollbar or child entry counts, clipped rows do: " << seen;

  // The lowest target is the last row, clipped out of its child (so it has no label).
  const ProbedItem* row = nullptr;
  for (const ProbedItem& item : probe.LastFrame()) {
    if (item.interactive && item.label.empty() && (!row || item.min.y > row->min.y)) row = &item;
  }
  ASSERT_NE(row, nullptr);
  const ProbedWindow* body = nullptr;
  for (const ProbedWindow& window : probe.LastWindows()) {
    if (window.id == row->windowId) body = &window;
  }
  ASSERT_NE(body, nullptr);
  EXPECT_NE(body->parentId, 0u) << "the child knows its dialog";
  EXPECT_GT(body->scrollMax.y, 0) << "the rows overflow the child";
  EXPECT_GT(row->min.y, body->clipMax.y) << "the last row is out of sight until scrolled";
}

// A multi-line field is a target, and its own window (which scrolls the text itself) is marked as the field's.
TEST(ItemProbe, AMultiLineFieldIsATargetWithItsOwnWindow) {
  HeadlessImGui imgui;
  ItemProbe probe;
  probe.Attach(imgui.Context());
  char text[64] = "a note";
  for (int frame = 0; frame < 2; frame++) {
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(400, 300));
    ImGui::Begin("##form", nullptr, ImGuiWindowFlags_NoTitleBar);
    ImGui::InputTextMultiline("##note", text, sizeof text, ImVec2(200, 80));
    ImGui::End();
    ImGui::Render();
    probe.EndFrame();
  }
  std::optional<ProbedItem> note = probe.Find("note");
  ASSERT_TRUE(note.has_value());
  EXPECT_TRUE(note->interactive);
  EXPECT_TRUE(note->textField);
  int fieldWindows = 0;
  for (const ProbedWindow& window : probe.LastWindows()) fieldWindows += window.textField ? 1 : 0;
  EXPECT_EQ(fieldWindows, 1) << "the field's own window, not the form";
}

// A table's column headers are captions unless the table sorts (or otherwise acts on) its columns.
TEST(ItemProbe, TableHeadersAreTargetsOnlyWhenTheyDoSomething) {
  HeadlessImGui imgui;
  ItemProbe probe;
  probe.Attach(imgui.Context());
  auto table = [](const char* id, ImGuiTableFlags flags) {
    if (!ImGui::BeginTable(id, 2, flags)) return;
    ImGui::TableSetupColumn("Name");
    ImGui::TableSetupColumn("Role");
    ImGui::TableHeadersRow();
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::Button("Edit");
    ImGui::EndTable();
  };
  ImGui::NewFrame();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(400, 300));
  ImGui::Begin("##tables", nullptr, ImGuiWindowFlags_NoTitleBar);
  table("##captions", ImGuiTableFlags_Borders);
  table("##sorted", ImGuiTableFlags_Borders | ImGuiTableFlags_Sortable);
  ImGui::End();
  ImGui::Render();
  probe.EndFrame();
  // The captions table gives its button; the sortable one its two headers and its button.
  int targets = 0, buttons = 0;
  for (const ProbedItem& item : probe.LastFrame()) {
    targets += item.interactive ? 1 : 0;
    buttons += item.interactive && item.label == "Edit" ? 1 : 0;
  }
  EXPECT_EQ(buttons, 2);
  EXPECT_EQ(targets, 4) << "headers that do nothing are not targets; a sortable table's are";
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
