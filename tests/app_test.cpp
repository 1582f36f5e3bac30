// The home screen, driven headlessly through ImGui the way the browser test
// drives it: find the button by its id, click it, and read the result.
#include <gtest/gtest.h>

#include "core/scope.h"
#include "ui/keyed_text.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <regex>

#include "core/accounts.h"
#include "core/audit.h"
#include "core/conflicts.h"
#include "core/contacts.h"
#include "core/customer_dates.h"
#include "core/directory.h"
#include "core/handover.h"
#include "core/followups.h"
#include "core/ids.h"
#include "core/org.h"
#include "core/ownership.h"
#include "core/schema.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "ui/app_state.h"
#include "sync/apply.h"
#include "sync/link.h"
#include "sync/offline_lock.h"
#include "sync/protocol.h"
#include "sync_test_support.h"
#include "chinese_text.h"
#include "core/custom_fields.h"
#include "core/ownership.h"
#include "ui/errors.h"
#include "ui/customer_sections.h"
#include "ui/customer_sections/audit_section.h"
#include "ui/fonts.h"
#include "ui/keyed_text.h"
#include "ui/labels.h"
#include "ui/value_words.h"

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
    FontFiles files{std::string(CRM_FONTS_DIR) + "/latin.ttf", std::string(CRM_FONTS_DIR) + "/cjk.ttf",
                    std::string(CRM_FONTS_DIR) + "/symbols.ttf", CRM_HAN_EXTENSION_DIR};
    m_state.glyphs.SetFiles(files);
    io.UserData = &m_state.glyphs;
    ASSERT_TRUE(m_state.glyphs.Update(io, 1.0f, kBaseFontSize));
    m_state.db = &m_db;
    m_state.screen = Screen::Home;
    m_state.actor = EnsureLocalOwner(m_db, "本机用户", 4).Value();
    ASSERT_TRUE(RefreshOrganisation(m_state));
    m_state.requestPersist = [this] { m_persistRequests++; };
    m_state.probe.Attach(m_context);
  }
  void TearDown() override { ImGui::DestroyContext(m_context); }

  void Frame() {
    // As the platform does between frames: the atlas grows for what the last frame showed, and the atlas
    // (and, for the display tests, the style) follow the layout, theme and text size.
    ASSERT_TRUE(m_state.glyphs.Update(ImGui::GetIO(), 1.0f, AppFontSize(m_state)));
    if (m_appStyle) UpdateStyle(m_state, 1.0f);
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

  // The quick add lives under settings → about.
  void OpenAbout() {
    Frame();
    Click("nav_settings");
    Click("settings_about");
  }

  void Frames(int count) {
    for (int i = 0; i < count; i++) Frame();
  }

  // Everything one frame draws in the app's window, as text in drawing order: what a person reads, field by field.
  // ImGui's log ends with the first top-level window (the app's) and hands its text to the clipboard, caught here.
  std::string ScreenText() {
    ImGuiIO& io = ImGui::GetIO();
    EXPECT_TRUE(m_state.glyphs.Update(io, 1.0f, AppFontSize(m_state)));
    if (m_appStyle) UpdateStyle(m_state, 1.0f);
    std::string text;
    auto setClipboard = io.SetClipboardTextFn;
    void* clipboardData = io.ClipboardUserData;
    io.SetClipboardTextFn = [](void* captured, const char* logged) { *static_cast<std::string*>(captured) = logged; };
    io.ClipboardUserData = &text;
    m_state.nowMs += 16;
    ImGui::NewFrame();
    ImGui::LogToClipboard();
    DrawApp(m_state);
    ImGui::LogFinish();  // when the app drew no window of its own
    ImGui::Render();
    m_state.probe.EndFrame();
    io.SetClipboardTextFn = setClipboard;
    io.ClipboardUserData = clipboardData;
    return text;
  }

  // Every text the next frame draws, in every window (tooltips and popups too), as a person sees it.
  std::vector<std::string> DrawnText() {
    Frame();
    return DrawnTexts(*ImGui::GetDrawData(), *ImGui::GetIO().Fonts);
  }
  // The same joined: a wrapped sentence reads whole.
  std::string DrawnJoined() {
    std::string joined;
    for (const std::string& text : DrawnText()) joined += text;
    return joined;
  }
  // The signed-in admin adds the customer; then `viewer` signs in on this device and opens it.
  int64_t CreateAndOpenAs(const CustomerInput& input, int64_t viewer) {
    int64_t id = CreateCustomer(m_db, input, m_state.actor).Value();
    m_state.actor = Actor{viewer, 4};
    EXPECT_TRUE(RefreshOrganisation(m_state));
    OpenCustomer(m_state, id);
    Frame();
    return id;
  }
  // One key (with Ctrl held when `ctrl`), pressed and let go, a frame each.
  void PressKey(ImGuiKey key, bool ctrl = false) {
    ImGuiIO& io = ImGui::GetIO();
    if (ctrl) io.AddKeyEvent(ImGuiMod_Ctrl, true);
    io.AddKeyEvent(key, true);
    Frame();
    io.AddKeyEvent(key, false);
    if (ctrl) io.AddKeyEvent(ImGuiMod_Ctrl, false);
    Frame();
  }
  // Closes the popup a tap on a greyed-out control opened (a click outside it only closes it).
  void Dismiss() {
    ImGuiIO& io = ImGui::GetIO();
    io.AddMousePosEvent(2, io.DisplaySize.y - 2);
    Frame();
    io.AddMouseButtonEvent(0, true);
    Frame();
    io.AddMouseButtonEvent(0, false);
    Frames(2);
  }
  // The texts of the next frame with English in them, where a Chinese reader looks: empty when all is Chinese.
  std::string EnglishOnScreen() {
    std::string found;
    for (const std::string& text : DrawnText()) {
      if (!chinese_text::ForeignWords(text).empty()) found += "[" + text + "]";
    }
    return found;
  }

  // Into a text field, as an input method commits: the field takes the keyboard, its text is replaced.
  void Type(const char* field, const char* text) {
    Click(field);
    ImGuiIO& io = ImGui::GetIO();
    io.AddKeyEvent(ImGuiMod_Ctrl, true);
    io.AddKeyEvent(ImGuiKey_A, true);
    Frame();
    io.AddKeyEvent(ImGuiKey_A, false);
    io.AddKeyEvent(ImGuiMod_Ctrl, false);
    io.AddInputCharactersUTF8(text);
    Frames(2);
  }

  // A finger on a touch screen: down at `from`, moved to `to` in steps, lifted (and then hovering nothing).
  void TouchDrag(ImVec2 from, ImVec2 to, int steps = 10) {
    ImGuiIO& io = ImGui::GetIO();
    auto touchAt = [&](ImVec2 at) {
      io.AddMouseSourceEvent(ImGuiMouseSource_TouchScreen);
      io.AddMousePosEvent(at.x, at.y);
    };
    touchAt(from);
    io.AddMouseButtonEvent(0, true);
    Frame();
    for (int i = 1; i <= steps; i++) {
      float t = static_cast<float>(i) / static_cast<float>(steps);
      touchAt(ImVec2(from.x + (to.x - from.x) * t, from.y + (to.y - from.y) * t));
      Frame();
    }
    io.AddMouseSourceEvent(ImGuiMouseSource_TouchScreen);
    io.AddMouseButtonEvent(0, false);
    Frame();
    touchAt(ImVec2(-FLT_MAX, -FLT_MAX));
    Frames(2);
  }

  // The window of the last frame whose name holds `part` (a child's name holds its parent's).
  const ProbedWindow* WindowNamed(const char* part) {
    for (const ProbedWindow& window : m_state.probe.LastWindows()) {
      if (window.name.find(part) != std::string::npos) return &window;
    }
    return nullptr;
  }

  Db m_db = Db::OpenMemory().Value();
  ImGuiContext* m_context = nullptr;
  AppState m_state;
  int m_persistRequests = 0;
  bool m_appStyle = false;  // the app's own style and theme (ui/theme.h), as the browser draws; ImGui's default otherwise
};

TEST_F(AppTest, AFingerScrollsPeopleAndDevicesAndItsCloseStaysInSight) {
  m_state.layout = Layout::Tablet;
  ApplyStyle(Layout::Tablet, 1.0f);
  Frame();
  Click("people");
  Frames(2);
  const ProbedWindow* body = WindowNamed("people_body");
  ASSERT_NE(body, nullptr);
  ASSERT_GT(body->scrollMax.y, 100) << "at 1024×768 the tablet's people & devices is taller than its window";
  auto close = m_state.probe.Find("people_close");
  ASSERT_TRUE(close);
  EXPECT_LE(close->max.y, ImGui::GetIO().DisplaySize.y) << "关闭 is in sight without scrolling";
  for (const ProbedItem& item : m_state.probe.LastFrame()) {
    EXPECT_NE(item.label, "##title_bar_button") << "no title-bar X smaller than a finger, in window " << item.windowId << " "
                                                << (ImGui::FindWindowByID(item.windowId) ? ImGui::FindWindowByID(item.windowId)->Name : "");
  }

  // Upwards, from low in the window on a spot that is no button or field (a label, a gap).
  auto onTarget = [&](ImVec2 at) {
    for (const ProbedItem& item : m_state.probe.LastFrame()) {
      if (item.interactive && at.x >= item.min.x && at.x <= item.max.x && at.y >= item.min.y && at.y <= item.max.y) return true;
    }
    return false;
  };
  ImVec2 from(body->clipMax.x - 20, body->clipMax.y - 10);
  while (onTarget(from) && from.y > body->clipMin.y + 200) from.y -= 4;
  ASSERT_FALSE(onTarget(from));
  TouchDrag(from, ImVec2(from.x, from.y - 180));
  body = WindowNamed("people_body");
  ASSERT_NE(body, nullptr);
  EXPECT_GT(body->scroll.y, 100) << "the window followed the finger (a glide may add to it)";
  EXPECT_TRUE(m_state.people.open) << "the drag pressed nothing";
  Frames(90);  // the glide comes to rest
  body = WindowNamed("people_body");
  float scrolled = body->scroll.y;

  // A drag that starts in a text field belongs to the field: the window stays where it is.
  auto field = m_state.probe.Find("new_user_pin");
  ASSERT_TRUE(field);
  ImVec2 inField((field->min.x + field->max.x) / 2, (field->min.y + field->max.y) / 2);
  TouchDrag(inField, ImVec2(inField.x, inField.y + 120));
  body = WindowNamed("people_body");
  EXPECT_NEAR(body->scroll.y, scrolled, 1.0f);
}

TEST_F(AppTest, NoKeyboardShortcutIsOfferedOnATablet) {
  EXPECT_NE(std::string(SearchHint(m_state)).find('/'), std::string::npos) << "a laptop names the / shortcut";
  m_state.layout = Layout::Tablet;
  ApplyStyle(Layout::Tablet, 1.0f);
  Frames(2);
  EXPECT_EQ(std::string(SearchHint(m_state)).find('/'), std::string::npos) << SearchHint(m_state);
  for (const ProbedItem& item : m_state.probe.LastFrame()) {
    EXPECT_EQ(item.label.find("Ctrl+"), std::string::npos) << item.label;
  }
}

TEST_F(AppTest, AddButtonStoresACustomerAndAsksToPersist) {
  OpenAbout();
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
  OpenAbout();
  Click("lang_en");
  EXPECT_EQ(m_state.lang, Lang::En);
  auto button = m_state.probe.Find("Add a customer");
  EXPECT_TRUE(button);
}

TEST_F(AppTest, AFailedWriteIsShownNotSwallowed) {
  OpenAbout();
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

// Characters beyond U+FFFF (𠮷 of CJK Extension B, emoji) typed into the form are stored as typed, not as U+FFFD.
TEST_F(AppTest, AstralCharactersTypedIntoTheFormAreStoredAsTyped) {
  const std::string name = "𠮷野家🏠";
  const std::string city = "☎️ 🚪 ∅";
  Frame();
  Click("new_customer");
  ASSERT_TRUE(m_state.form.open);
  Type("customer_name", name.c_str());
  Type("customer_city", city.c_str());
  EXPECT_EQ(m_state.form.name, name);
  Click("save_customer");
  ASSERT_FALSE(m_state.form.open) << m_state.form.formError;
  CustomerPage page = ListCustomers(m_db, CustomerQuery{}).Value();
  ASSERT_EQ(page.rows.size(), 1u);
  Customer stored = GetCustomer(m_db, page.rows[0].id).Value();
  EXPECT_EQ(stored.fields.name, name);
  EXPECT_EQ(stored.fields.address.city, city);
}

unsigned int FirstCodepoint(const char* text) {
  unsigned int codepoint = 0;
  ImTextCharFromUtf8(&codepoint, text, nullptr);
  return codepoint;
}

// Emoji and symbols come from the shipped symbol font; a character no font has is drawn as a box, not '?'.
TEST_F(AppTest, EmojiAndSymbolsHaveGlyphsAndAMissingCharacterIsABox) {
  m_state.glyphs.Require("🏠🚪☎️∅ก");
  ASSERT_TRUE(m_state.glyphs.Update(ImGui::GetIO(), 1.0f, kBaseFontSize));
  ImFont* font = ImGui::GetIO().Fonts->Fonts[0];
  for (const char* text : {"🏠", "🚪", "☎", "∅"}) {
    const ImFontGlyph* glyph = font->FindGlyphNoFallback(static_cast<ImWchar>(FirstCodepoint(text)));
    ASSERT_NE(glyph, nullptr) << text;
    EXPECT_TRUE(glyph->Visible) << text;
  }
  // The variation selector of ☎️ takes no room and draws nothing (no box after the telephone).
  const ImFontGlyph* selector = font->FindGlyphNoFallback(static_cast<ImWchar>(0xFE0F));
  ASSERT_NE(selector, nullptr);
  EXPECT_FALSE(selector->Visible);
  EXPECT_EQ(selector->AdvanceX, 0.0f);
  EXPECT_EQ(m_state.glyphs.MissingCount(), 1u) << "Thai is in none of the shipped fonts";
  EXPECT_EQ(font->FallbackChar, static_cast<ImWchar>(kMissingGlyphChar));
  EXPECT_EQ(font->FindGlyph(static_cast<ImWchar>(FirstCodepoint("ก")))->Codepoint, kMissingGlyphChar);
}

// A CJK Extension B character waits for its on-demand font file: the platform is asked once for that
// file, and the character gets its glyph once the file has arrived.
TEST_F(AppTest, AnExtensionBCharacterFetchesItsFontFileOnlyWhenItAppears) {
  char dir[] = "/tmp/crm-han-ext-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  FontFiles files = m_state.glyphs.Files();
  files.hanExtensionDir = dir;
  m_state.glyphs.SetFiles(files);
  m_state.glyphs.Require("王堃");
  ASSERT_TRUE(m_state.glyphs.Update(ImGui::GetIO(), 1.0f, kBaseFontSize));
  EXPECT_TRUE(m_state.glyphs.TakeFilesToFetch().empty()) << "no file for characters the shipped fonts have";

  const unsigned int kYoshi = FirstCodepoint("𠮷");
  m_state.glyphs.Require("𠮷野家 𠮷");
  auto rebuilt = m_state.glyphs.Update(ImGui::GetIO(), 1.0f, kBaseFontSize);
  ASSERT_TRUE(rebuilt);
  std::vector<std::string> wanted = m_state.glyphs.TakeFilesToFetch();
  ASSERT_EQ(wanted.size(), 1u);
  EXPECT_EQ(wanted[0], std::string(dir) + "/" + HanExtensionFileName(kYoshi));
  EXPECT_EQ(m_state.glyphs.WaitingCount(), 1u);
  m_state.glyphs.Require("𠮷");
  EXPECT_FALSE(m_state.glyphs.HasPending()) << "a waiting character is not asked for again";
  ASSERT_TRUE(m_state.glyphs.Update(ImGui::GetIO(), 1.0f, kBaseFontSize));
  EXPECT_TRUE(m_state.glyphs.TakeFilesToFetch().empty()) << "each file is asked for once";

  // The platform's fetch writes the file where it was asked for.
  std::string source = std::string(CRM_HAN_EXTENSION_DIR) + "/" + HanExtensionFileName(kYoshi);
  std::ifstream in(source, std::ios::binary);
  std::ofstream(wanted[0], std::ios::binary) << in.rdbuf();
  m_state.glyphs.FileArrived(wanted[0], true);
  rebuilt = m_state.glyphs.Update(ImGui::GetIO(), 1.0f, kBaseFontSize);
  ASSERT_TRUE(rebuilt);
  EXPECT_TRUE(rebuilt.Value());
  const ImFontGlyph* glyph = ImGui::GetIO().Fonts->Fonts[0]->FindGlyphNoFallback(static_cast<ImWchar>(kYoshi));
  ASSERT_NE(glyph, nullptr);
  EXPECT_TRUE(glyph->Visible);
  EXPECT_EQ(m_state.glyphs.WaitingCount(), 0u);
  std::remove(wanted[0].c_str());
  rmdir(dir);
}

TEST_F(AppTest, DataShownInTheListGrowsTheAtlas) {
  ASSERT_TRUE(AddCustomer(m_db, "犇犇建材", m_state.actor));
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
  ASSERT_TRUE(m_state.form.open);
  Click("save_customer");
  EXPECT_EQ(FormError(m_state.form, FormField::Name), "必填");
  EXPECT_TRUE(m_state.form.open);
  m_state.form.name = "顺德区乐从镇华艺门业";
  m_state.form.birthday = "1980-02-30";
  Click("save_customer");
  EXPECT_FALSE(FormError(m_state.form, FormField::Birthday).empty()) << "the error lands under its own field";
  EXPECT_TRUE(FormError(m_state.form, FormField::Name).empty());
  m_state.form.birthday = "02-28";
  Click("save_customer");
  EXPECT_FALSE(m_state.form.open);
  EXPECT_EQ(m_state.customerCount, 1);
}

// Core's error names its field; the form puts the error, worded in Chinese, under that field.
TEST_F(AppTest, ACustomersBadPhoneIsShownInChineseUnderThePhoneField) {
  m_state.lang = Lang::Zh;
  Frame();
  Click("new_customer");
  ASSERT_TRUE(m_state.form.open);
  m_state.form.name = "佛山华艺门业";
  m_state.form.phones = "12345";
  Click("save_customer");
  EXPECT_EQ(FormError(m_state.form, FormField::Phones), Tr(Lang::Zh, Str::ErrBadPhone));
  EXPECT_TRUE(FormError(m_state.form, FormField::Name).empty());
  EXPECT_TRUE(m_state.form.formError.empty()) << m_state.form.formError;
  EXPECT_TRUE(m_state.form.open);
}

// A customer handed to a colleague leaves this device while its page is open: the page says why it is gone.
TEST_F(AppTest, ACustomerThatLeavesTheDeviceWhileOpenIsExplained) {
  m_state.lang = Lang::Zh;
  int64_t id = AddCustomer(m_db, "交接走的客户", m_state.actor).Value();
  OpenCustomer(m_state, id);
  Frame();
  ASSERT_TRUE(m_state.detail.customer.has_value());
  ASSERT_TRUE(DropCustomers(m_db, {id}));
  Frame();
  Frame();
  EXPECT_FALSE(m_state.detail.customer.has_value());
  EXPECT_EQ(m_state.detail.error, TrKey(Lang::Zh, "scope.customer_left_device"));
  // A customer that was never here is still plainly "not found".
  OpenCustomer(m_state, id + 1);
  Frame();
  EXPECT_EQ(m_state.detail.error, Tr(Lang::Zh, Str::ErrNotFound));
}

TEST_F(AppTest, AContactsBadPhoneAndBirthdayAreShownInChineseUnderTheirFields) {
  m_state.lang = Lang::Zh;
  int64_t id = AddCustomer(m_db, "南海装饰", m_state.actor).Value();
  OpenCustomer(m_state, id);
  Frame();
  Click("section_contacts");
  Click("add_contact");
  ContactFormState& form = m_state.detail.contacts.contact;
  ASSERT_TRUE(form.open);
  form.name = "王经理";
  form.phone = "电话号码";
  Click("save_contact");
  EXPECT_EQ(form.phoneError, Tr(Lang::Zh, Str::ErrBadPhone));
  EXPECT_TRUE(form.nameError.empty()) << form.nameError;
  EXPECT_TRUE(form.error.empty()) << form.error;
  form.phone = "13800138000";
  form.birthday = "1980-02-30";
  Click("save_contact");
  EXPECT_EQ(form.birthdayError, Tr(Lang::Zh, Str::ErrBadDate));
  EXPECT_TRUE(form.phoneError.empty()) << form.phoneError;
  EXPECT_TRUE(form.open);
  form.birthday = "02-28";
  Click("save_contact");
  EXPECT_FALSE(form.open) << form.error;
  EXPECT_EQ(ContactsOf(m_db, id).Value().size(), 1u);
}

// The important-dates section: a day that does not exist is refused in Chinese right under the month-day field (and
// nowhere else); corrected, the date is saved and listed with its kind, title and how soon it comes round.
TEST_F(AppTest, AnImportantDatesBadDayIsShownInChineseUnderItsFieldAndTheGoodOneIsListed) {
  m_state.lang = Lang::Zh;
  m_state.nowMs = NowMs();
  int64_t id = AddCustomer(m_db, "南海装饰", m_state.actor).Value();
  OpenCustomer(m_state, id);
  Frame();
  Click("section_dates");
  EXPECT_NE(ScreenText().find(TrKey(Lang::Zh, "customer_dates.none")), std::string::npos);
  Click("add_date");
  Click("date_kind_wedding");
  Type("date_title", "王总夫妇");
  Type("date_month_day", "02-30");
  Click("save_date");
  EXPECT_TRUE(CustomerDatesOf(m_db, id).Value().empty());
  std::string screen = ScreenText();
  const std::string badDate = Tr(Lang::Zh, Str::ErrBadDate);
  size_t monthDay = screen.find(FieldLabel(Lang::Zh, "customer_dates", "month_day"));
  size_t error = screen.find(badDate);
  size_t year = screen.find(FieldLabel(Lang::Zh, "customer_dates", "year"));
  ASSERT_NE(monthDay, std::string::npos) << screen;
  ASSERT_NE(error, std::string::npos) << screen;
  ASSERT_NE(year, std::string::npos) << screen;
  EXPECT_LT(monthDay, error) << "the error follows its field";
  EXPECT_LT(error, year) << "and comes before the next field";
  EXPECT_EQ(screen.find(badDate, error + 1), std::string::npos) << "shown once, not also on the form's line";

  Type("date_month_day", "10-01");
  Type("date_year", "2008");
  Click("save_date");
  auto dates = CustomerDatesOf(m_db, id).Value();
  ASSERT_EQ(dates.size(), 1u);
  EXPECT_EQ(dates[0].kind, CustomerDateKind::Wedding);
  EXPECT_EQ(dates[0].title, "王总夫妇");
  EXPECT_EQ(dates[0].monthDay, "10-01");
  EXPECT_EQ(dates[0].year, 2008);
  screen = ScreenText();
  EXPECT_EQ(screen.find(badDate), std::string::npos) << screen;
  EXPECT_NE(screen.find(std::string(TrKey(Lang::Zh, "customer_dates.kind.wedding")) + "  ·  王总夫妇"), std::string::npos) << screen;
  EXPECT_NE(screen.find("10-01  ·  2008"), std::string::npos) << screen;
  EXPECT_NE(screen.find(TrKey(Lang::Zh, "customer_dates.saved")), std::string::npos) << screen;
  auto section = m_state.probe.Find("section_dates");
  ASSERT_TRUE(section);
  EXPECT_EQ(section->label.rfind(std::string(TrKey(Lang::Zh, "customer_dates")) + " (1)", 0), 0u) << section->label;
  // Its return visit, planned from the list.
  Click("date_plan_0");
  bool planned = false;
  for (const Followup& f : FollowupsOf(m_db, id).Value()) planned |= f.reason == FollowupReason::Anniversary && f.status == FollowupStatus::Open;
  EXPECT_TRUE(planned) << m_state.detail.error;
}

TEST_F(AppTest, TheNavigationOpensEveryPage) {
  Frame();
  for (const char* id : {"nav_agenda", "nav_pool", "nav_import", "nav_trash", "nav_settings", "nav_customers"}) {
    Click(id);
    EXPECT_STREQ(PageName(m_state.page), std::string(id).substr(4) == "import" ? "import" : std::string(id).substr(4).c_str()) << id;
  }
  EXPECT_EQ(m_state.page, Page::Customers);
}

TEST_F(AppTest, ASamePhoneIsFlaggedBeforeSavingAndSavesOnlyWhenConfirmed) {
  CustomerInput existing;
  existing.name = "佛山美家门窗";
  existing.phones = {"13800138000"};
  ASSERT_TRUE(CreateCustomer(m_db, existing, m_state.actor));
  Frame();
  Click("new_customer");
  m_state.form.name = "美家门窗（新）";
  m_state.form.phones = "138-0013-8000";
  m_state.form.typedAtMs = m_state.nowMs;
  Frames(20);  // the check waits for a pause in typing
  ASSERT_EQ(m_state.form.duplicates.size(), 1u);
  EXPECT_EQ(m_state.form.duplicates[0].reason, DuplicateReason::SamePhone);
  ASSERT_TRUE(m_state.probe.Find("open_existing_0"));
  Click("save_customer");
  EXPECT_TRUE(m_state.form.open) << "not saved while a duplicate is shown";
  EXPECT_TRUE(m_state.form.duplicatesConfirm);
  EXPECT_EQ(CountCustomers(m_db).Value(), 1);
  Click("save_anyway");
  EXPECT_FALSE(m_state.form.open);
  EXPECT_EQ(CountCustomers(m_db).Value(), 2);
}

// A scoped device holds none of another rep's customers; the company directory still names whose a number is,
// and the form offers to ask for the customer instead of making it twice.
TEST_F(AppTest, ANumberOfAnotherRepsCustomerNotOnThisDeviceWarnsNamingTheOwnerAndAsksForAHandOver) {
  const std::string key(64, 'a');
  int64_t owner = CreateUser(m_db, "张三", Role::Rep, std::nullopt, m_state.actor).Value();
  DirectoryPage page;
  page.full = true;
  page.finished = true;
  page.position = DirectoryPosition{5, key};
  page.entries = {DirectoryEntry{987654321, owner, "佛山美家门窗", "佛山市", false, {PhoneDigest(key, "13800138000")}}};
  ASSERT_TRUE(StoreDirectoryPage(m_db, page));
  Frame();
  Click("new_customer");
  m_state.form.name = "新门窗";
  m_state.form.phones = "+86 138 0013 8000";
  m_state.form.typedAtMs = m_state.nowMs;
  Frames(20);
  ASSERT_EQ(m_state.form.duplicates.size(), 1u);
  EXPECT_TRUE(m_state.form.duplicates[0].elsewhere);
  const std::string zh = TrKeyWith(Lang::Zh, "handover.customer_of", "张三");
  EXPECT_EQ(zh, "已是张三的客户");
  EXPECT_NE(DrawnJoined().find(zh), std::string::npos);
  EXPECT_FALSE(m_state.probe.Find("open_existing_0")) << "a customer this device does not hold cannot be opened";
  m_state.lang = Lang::En;
  EXPECT_NE(DrawnJoined().find("already a customer of 张三"), std::string::npos);

  Click("handover_ask_0");
  m_state.form.handOverNote = "老客户介绍的";
  Click("handover_send");
  EXPECT_EQ(m_state.form.handOverError, "");
  EXPECT_EQ(testing_support::QueryText(m_db, "SELECT customer_id || ' ' || requested_by || ' ' || state || ' ' || note FROM handover_requests"),
            "987654321 " + std::to_string(m_state.actor.userId) + " requested 老客户介绍的");
  EXPECT_NE(DrawnJoined().find(TrKeyWith(Lang::En, "handover.sent", "张三")), std::string::npos);
  EXPECT_TRUE(m_state.form.open) << "the form stays: the rep may still save a customer of their own";
}

TEST_F(AppTest, ASupervisorGrantsAHandOverFromThePoolScreen) {
  int64_t team = CreateTeam(m_db, "一组", std::nullopt, m_state.actor).Value();
  Actor owner{CreateUser(m_db, "张三", Role::Rep, team, m_state.actor).Value(), 4};
  Actor asking{CreateUser(m_db, "李四", Role::Rep, team, m_state.actor).Value(), 4};
  int64_t supervisor = CreateUser(m_db, "王主管", Role::Supervisor, team, m_state.actor).Value();
  int64_t customer = AddCustomer(m_db, "美家门窗", owner).Value();
  ASSERT_TRUE(RequestHandOver(m_db, customer, "", asking));
  m_state.actor = Actor{supervisor, 4};
  ASSERT_TRUE(RefreshOrganisation(m_state));
  Frame();
  Click("nav_pool");
  Click("pool_tab_handover");
  EXPECT_NE(DrawnJoined().find(TrKeyWith(m_state.lang, "handover.line", "李四", "美家门窗", "张三")), std::string::npos);
  Click("handover_grant");
  EXPECT_EQ(HoldingOf(m_db, customer).Value().ownerId, asking.userId);
  EXPECT_NE(DrawnJoined().find(TrKeyWith(m_state.lang, "handover.none", "")), std::string::npos);
}

TEST_F(AppTest, AVisitIsLoggedInThreeClicksFromTheCustomerAndPlansTheNextFollowup) {
  int64_t id = AddCustomer(m_db, "南海装饰", m_state.actor).Value();
  m_state.nowMs = NowMs();
  OpenCustomer(m_state, id);
  Frame();
  Click("log_visit");                       // 1
  // The summary has the keyboard as the dialog opens: type into it.
  ImGui::GetIO().AddInputCharactersUTF8("看了样品，下周报价");
  Frames(2);
  ASSERT_EQ(m_state.visit.summary, "看了样品，下周报价");
  Click("visit_plan_next");                 // (optional) plan the next follow-up…
  Click("visit_next_1d");                   // … tomorrow
  Click("save_visit");                      // 2
  EXPECT_FALSE(m_state.visit.open) << m_state.visit.error << m_state.visit.nextError << m_state.visit.summaryError << " schedule=" << m_state.visit.scheduleNext << " date=" << m_state.visit.nextDate;
  auto activities = ActivitiesOf(m_db, id).Value();
  ASSERT_EQ(activities.size(), 1u);
  EXPECT_EQ(activities[0].fields.summary, "看了样品，下周报价");
  EXPECT_EQ(activities[0].fields.kind, ActivityKind::Visit);
  auto followups = FollowupsOf(m_db, id).Value();
  bool tomorrow = false;
  for (const Followup& f : followups) {
    if (f.reason == FollowupReason::Manual && f.status == FollowupStatus::Open) tomorrow = true;
  }
  EXPECT_TRUE(tomorrow);
  // The agenda lists it among the next days.
  Click("nav_agenda");
  ASSERT_EQ(m_state.agenda.week.size(), 1u);
  EXPECT_EQ(m_state.agenda.week[0].customerName, "南海装饰");
}

TEST_F(AppTest, ShortcutsOpenTheFormCloseItAndFocusTheSearch) {
  ImGuiIO& io = ImGui::GetIO();
  Frame();
  PressKey(ImGuiKey_Slash);
  Frames(2);
  EXPECT_TRUE(io.WantTextInput) << "'/' at start";
  PressKey(ImGuiKey_Escape);  // leaves the field
  Frames(2);
  PressKey(ImGuiKey_N, true);
  EXPECT_TRUE(m_state.form.open);
  Frames(2);
  EXPECT_TRUE(io.WantTextInput) << "the form's name field has the keyboard";
  Frames(2);
  PressKey(ImGuiKey_Escape);
  EXPECT_FALSE(m_state.form.open);
  Frames(2);
  PressKey(ImGuiKey_Slash);
  Frames(2);
  EXPECT_TRUE(ImGui::GetIO().WantTextInput) << "'/' gives the search field the keyboard";
  // From another page too.
  Click("nav_agenda");
  PressKey(ImGuiKey_Slash);
  Frames(2);
  EXPECT_EQ(m_state.page, Page::Customers);
  EXPECT_TRUE(io.WantTextInput);
}

// Every section of a customer reads in Chinese: the grade suggestion's reason, the audit trail, the dates… (a
// section's text below the fold is not drawn, so each is opened on a screen tall enough to show all of it).
TEST_F(AppTest, EverySectionOfACustomerReadsInChinese) {
  m_state.lang = Lang::Zh;
  ImGui::GetIO().DisplaySize = ImVec2(1280, 2400);
  CustomerInput input;
  input.name = "佛山华艺门业";
  input.phones = {"13600001111"};
  input.tags = {"老客户"};
  int64_t id = CreateCustomer(m_db, input, m_state.actor).Value();
  OpenCustomer(m_state, id);
  Frames(2);
  for (const CustomerSection& section : CustomerSections()) {
    Click((std::string("section_") + section.id).c_str());
    Frames(2);
    EXPECT_EQ(EnglishOnScreen(), "") << "section " << section.id;
  }
}

// Refusals before effort: a rep on another rep's customer finds what would be refused greyed out, the reason
// (whose customer it is, in Chinese) on a tap, and no form to fill in vain; core refuses the same write the same way.
TEST_F(AppTest, ARepSeesAnotherRepsCustomerGreyedOutWithTheOwnerNamedInChinese) {
  m_state.lang = Lang::Zh;
  Actor admin = m_state.actor;
  int64_t zhang = CreateUser(m_db, "张三", Role::Rep, std::nullopt, admin).Value();
  int64_t li = CreateUser(m_db, "李四", Role::Rep, std::nullopt, admin).Value();
  CustomerInput input;
  input.name = "李四的客户";
  input.ownerId = li;
  int64_t id = CreateAndOpenAs(input, zhang);
  const std::string reason = "没有权限：这是李四的客户，只有李四或其主管可以修改";
  EXPECT_EQ(customer_detail::EditRefusal(m_state), reason);
  EXPECT_EQ(DrawnJoined().find(reason), std::string::npos) << "the reason waits for a hover or a tap";
  Click("edit_customer");
  EXPECT_FALSE(m_state.form.open) << "refused before the form is filled";
  EXPECT_NE(DrawnJoined().find(reason), std::string::npos) << "a tap on the greyed-out button says why";
  EXPECT_EQ(EnglishOnScreen(), "");
  Dismiss();
  for (const char* refused : {"release_customer", "trash_customer", "log_visit", "schedule_followup", "merge_customer"}) {
    Click(refused);
    EXPECT_NE(DrawnJoined().find(reason), std::string::npos) << refused;
    Dismiss();
  }
  Customer after = GetCustomer(m_db, id).Value();
  EXPECT_EQ(after.ownerId, li) << "nothing changed";
  EXPECT_FALSE(after.deletedAt);
  EXPECT_FALSE(m_state.detail.confirmTrash);
  EXPECT_FALSE(m_state.visit.open);
  EXPECT_FALSE(m_state.detail.scheduleOpen);
  EXPECT_FALSE(m_state.merge.open);
  // The sections' actions too.
  Click("section_contacts");
  Click("add_contact");
  EXPECT_FALSE(m_state.detail.contacts.contact.open);
  EXPECT_NE(DrawnJoined().find(reason), std::string::npos);
  EXPECT_EQ(EnglishOnScreen(), "");
  Dismiss();
  // Core's write refuses with the same reason, naming the owner.
  Status written = UpdateCustomer(m_db, id, input, m_state.actor);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.GetError().value, "李四");
  EXPECT_EQ(DescribeError(Lang::Zh, written.GetError()), reason);
  // A rep is not offered the bulk move; the page says who may.
  Click("nav_pool");
  Click("pool_tab_reassign");
  EXPECT_FALSE(m_state.probe.Find("reassign_from"));
  EXPECT_EQ(EnglishOnScreen(), "");
}

// The owner's supervisor may change the customer: the same buttons are live for them.
TEST_F(AppTest, TheOwnersSupervisorMayEditTheCustomer) {
  m_state.lang = Lang::Zh;
  Actor admin = m_state.actor;
  int64_t team = CreateTeam(m_db, "南区", std::nullopt, admin).Value();
  int64_t boss = CreateUser(m_db, "王主管", Role::Supervisor, team, admin).Value();
  int64_t li = CreateUser(m_db, "李四", Role::Rep, team, admin).Value();
  CustomerInput input;
  input.name = "李四的客户";
  input.ownerId = li;
  CreateAndOpenAs(input, boss);
  EXPECT_EQ(customer_detail::EditRefusal(m_state), "");
  EXPECT_EQ(customer_detail::ReassignRefusal(m_state), "");
  Click("edit_customer");
  EXPECT_TRUE(m_state.form.open);
}

// Admin-only settings are greyed out for a rep, the reason in Chinese, before anything is typed.
TEST_F(AppTest, ARepFindsAdminSettingsGreyedOutWithTheReasonInChinese) {
  m_state.lang = Lang::Zh;
  int64_t rep = CreateUser(m_db, "张三", Role::Rep, std::nullopt, m_state.actor).Value();
  m_state.actor = Actor{rep, 4};
  ASSERT_TRUE(RefreshOrganisation(m_state));
  Frame();
  Click("nav_settings");
  Click("settings_fields");
  m_state.settings.fieldLabel = "门店面积";
  m_state.settings.fieldKey = "store_area";
  Click("add_field");
  EXPECT_TRUE(ListCustomFields(m_db).Value().empty());
  const std::string reason = DescribeError(Lang::Zh, CheckCanAdminister(m_state.me).GetError());
  EXPECT_EQ(reason, "没有权限：只有管理员可以管理人员、团队和自定义字段");
  EXPECT_NE(DrawnJoined().find(reason), std::string::npos);
  EXPECT_EQ(EnglishOnScreen(), "");
  Dismiss();
  Click("settings_rules");
  Click("save_rules");
  EXPECT_NE(DrawnJoined().find("没有权限：只有领导和管理员可以修改设置"), std::string::npos);
  EXPECT_EQ(EnglishOnScreen(), "");
}

// Customers that arrive by sync (written outside any screen) are counted in the status bar at the next frame.
TEST_F(AppTest, TheCustomerCountFollowsChangesThatArriveBySync) {
  Frame();
  const int64_t before = m_state.customerCount;
  ASSERT_TRUE(AddCustomer(m_db, "同步来的客户", m_state.actor));
  Frame();
  EXPECT_EQ(m_state.customerCount, before + 1);
}

// The admin lets reps' devices receive their team's customers with one box among the rules.
TEST_F(AppTest, TheAdminTurnsOnTeamVisibilityForRepsInTheRules) {
  m_state.lang = Lang::Zh;
  Frame();
  Click("nav_settings");
  Click("settings_rules");
  EXPECT_NE(DrawnJoined().find("业务员的设备也接收同组同事的客户"), std::string::npos);
  EXPECT_EQ(GetSettingInt(m_db, kSettingRepSeesTeam).Value(), 0);
  Click("rep_sees_team");
  Click("save_rules");
  EXPECT_EQ(GetSettingInt(m_db, kSettingRepSeesTeam).Value(), 1);
  EXPECT_EQ(EnglishOnScreen(), "");
}

// The offline lock's days: off by default, a number past the bound is said next to the field (and nothing is
// saved), a good one is saved.
TEST_F(AppTest, TheOfflineLockDaysAreCheckedNextToTheirField) {
  m_state.lang = Lang::Zh;
  Frame();
  Click("nav_settings");
  Click("settings_rules");
  EXPECT_NE(DrawnJoined().find(TrKey(Lang::Zh, "offline_lock.days")), std::string::npos);
  Type("offline_lock_days", std::to_string(kMaxOfflineLockDays + 30).c_str());
  Click("save_rules");
  const std::string said = DescribeError(Lang::Zh, CheckSettingInt(kSettingOfflineLockDays, kMaxOfflineLockDays + 30).GetError());
  EXPECT_EQ(m_state.settings.offlineLockError, said);
  std::string screen = DrawnJoined();
  EXPECT_NE(screen.find(said), std::string::npos) << screen;
  EXPECT_EQ(GetSettingInt(m_db, kSettingOfflineLockDays).Value(), 0) << "nothing saved";
  EXPECT_EQ(EnglishOnScreen(), "");
  Type("offline_lock_days", "14");
  Click("save_rules");
  EXPECT_EQ(GetSettingInt(m_db, kSettingOfflineLockDays).Value(), 14);
  EXPECT_EQ(m_state.settings.offlineLockError, "");
  EXPECT_EQ(DrawnJoined().find(said), std::string::npos);
}

// A device that syncs and has not reached the relay for the organisation's days shows the locked screen and no
// customer; once the sync client records an answer of the relay, the app opens again by itself.
TEST_F(AppTest, ADeviceAwayFromTheRelayTooLongIsLockedUntilItReachesItAgain) {
  constexpr int64_t kDay = 24LL * 3600 * 1000;
  const int64_t start = 1765000000000;
  ASSERT_TRUE(AddCustomer(m_db, "锁定前的客户", m_state.actor));
  ASSERT_TRUE(SetSettingInt(m_db, kSettingOfflineLockDays, 3, m_state.actor));
  m_state.nowMs = start + 10 * kDay;
  EXPECT_NE(DrawnJoined().find("锁定前的客户"), std::string::npos) << "a device that does not sync never locks";

  ASSERT_TRUE(sync::SaveLink(m_db, sync::SyncLink{"https://crm.example.com", 42}));
  ASSERT_TRUE(sync::RecordRelayContact(m_db, start));
  Frames(70);  // past the second between checks
  for (Lang lang : {Lang::Zh, Lang::En}) {
    m_state.lang = lang;
    std::string screen = DrawnJoined();
    EXPECT_NE(screen.find(TrKey(lang, "offline_lock.title")), std::string::npos) << screen;
    EXPECT_NE(screen.find(TrKey(lang, "offline_lock.unlock")), std::string::npos) << screen;
    EXPECT_NE(screen.find(MomentWords(m_state, start)), std::string::npos) << "the last contact: " << screen;
    EXPECT_EQ(screen.find("锁定前的客户"), std::string::npos) << screen;
    EXPECT_FALSE(m_state.probe.Find("nav_customers")) << "no page to open";
  }
  m_state.lang = Lang::Zh;
  EXPECT_EQ(EnglishOnScreen(), "");

  // The relay answers (the sync client records it): the app opens again.
  ASSERT_TRUE(sync::RecordRelayContact(m_db, m_state.nowMs));
  Frames(70);
  std::string screen = DrawnJoined();
  EXPECT_EQ(screen.find(TrKey(Lang::Zh, "offline_lock.title")), std::string::npos) << screen;
  EXPECT_NE(screen.find("锁定前的客户"), std::string::npos) << screen;
  EXPECT_TRUE(m_state.probe.Find("nav_customers"));
}

// A bad import, read in Chinese: the rows' problems (a phone that is not one, another rep's customer to merge
// into) and the detected encoding in words.
TEST_F(AppTest, ABadImportReadsInChinese) {
  m_state.lang = Lang::Zh;
  Actor admin = m_state.actor;
  int64_t zhang = CreateUser(m_db, "张三", Role::Rep, std::nullopt, admin).Value();
  int64_t li = CreateUser(m_db, "李四", Role::Rep, std::nullopt, admin).Value();
  CustomerInput input;
  input.name = "李四的客户";
  input.phones = {"13800138000"};
  input.ownerId = li;
  ASSERT_TRUE(CreateCustomer(m_db, input, admin));
  m_state.actor = Actor{zhang, 4};
  ASSERT_TRUE(RefreshOrganisation(m_state));
  Frame();
  Click("nav_import");
  ImportFileChosen(m_state, "客户名单.csv", "客户名称,电话\n佛山华艺门业,电话未知\n李四的客户,13800138000\n");
  Frames(3);
  Click("dup_merge");
  Frames(3);
  std::string screen = DrawnJoined();
  EXPECT_NE(screen.find("UTF-8（通用）"), std::string::npos) << screen;
  EXPECT_NE(screen.find(Tr(Lang::Zh, Str::ErrBadPhone)), std::string::npos) << screen;
  EXPECT_NE(screen.find("这是李四的客户"), std::string::npos) << screen;
  EXPECT_EQ(EnglishOnScreen(), "");
}

TEST_F(AppTest, TheConflictLogShowsWhatSyncDecidedAndMarksItSeen) {
  int64_t id = AddCustomer(m_db, "佛山华艺门业", m_state.actor).Value();
  ConflictEntry phone;
  phone.seq = 41;
  phone.at = NowMs();
  phone.table = "customers";
  phone.rowKey = std::to_string(id);
  phone.customerId = id;
  phone.field = "phone";
  phone.lostValue = "13800138000";
  phone.wonValue = "13900139000";
  phone.resolution = "replaced";
  phone.winnerUser = m_state.actor.userId;
  ConflictEntry gone = phone;
  gone.seq = 42;
  gone.customerId.reset();
  gone.field.clear();
  gone.resolution = "dropped";
  ASSERT_TRUE(RecordConflicts(m_db, {phone, gone}));
  Frame();
  Click("open_conflicts");
  ASSERT_EQ(m_state.page, Page::Conflicts);
  ASSERT_EQ(m_state.conflicts.entries.size(), 2u);
  const std::string line = ConflictLine(m_state, m_state.conflicts.entries[1]);
  EXPECT_NE(line.find("「13900139000」"), std::string::npos) << line;
  EXPECT_NE(line.find("「13800138000」"), std::string::npos) << line;
  Click("conflicts_mark_seen");
  EXPECT_EQ(CountUnseenConflicts(m_db).Value(), 0);
  Click("conflicts_unseen");
  EXPECT_TRUE(m_state.conflicts.entries.empty());
  Click("conflicts_all");
  ASSERT_EQ(m_state.conflicts.entries.size(), 2u);
  // The customer's own conflicts are in its detail, above the audit trail.
  Click(("conflict_customer_" + std::to_string(m_state.conflicts.entries[1].id)).c_str());
  EXPECT_EQ(m_state.detail.customerId, id);
  EXPECT_EQ(m_state.detail.audit.conflicts.size(), 1u);
}

// Stored values in the words people know them by (ui/value_words.h): no epoch milliseconds, no ids.
bool HasLongNumber(const std::string& text) { return std::regex_search(text, std::regex("[0-9]{10,}")); }

TEST_F(AppTest, APhoneMovedToTrashReadsAsSuchInTheAuditTrailNotAsDigits) {
  CustomerInput input;
  input.name = "佛山华艺门业";
  input.phones = {"13800138000", "13900139000"};
  int64_t id = CreateCustomer(m_db, input, m_state.actor).Value();
  input.phones = {"13900139000"};
  ASSERT_TRUE(UpdateCustomer(m_db, id, input, m_state.actor));
  ASSERT_TRUE(TrashCustomer(m_db, id, m_state.actor));
  ASSERT_TRUE(RestoreCustomer(m_db, id, m_state.actor));
  int phoneTrashed = 0, restored = 0;
  for (const AuditEntry& e : AuditForCustomer(m_db, id).Value()) {
    if (e.field != "deleted_at") continue;
    const std::string line = AuditLine(m_state, e);
    EXPECT_FALSE(HasLongNumber(line)) << line;
    EXPECT_NE(line.find(e.newValue ? "移入回收站" : "已恢复"), std::string::npos) << line;
    phoneTrashed += e.table == "customer_phones" && e.newValue;
    restored += !e.newValue;
  }
  EXPECT_GE(phoneTrashed, 1);
  EXPECT_GE(restored, 1);
  m_state.lang = Lang::En;
  for (const AuditEntry& e : AuditForCustomer(m_db, id).Value()) {
    if (e.table == "customer_phones" && e.field == "deleted_at") {
      EXPECT_NE(AuditLine(m_state, e).find("moved to trash"), std::string::npos);
    }
  }
}

TEST_F(AppTest, AnOwnerChangeInTheAuditTrailNamesThePeople) {
  Actor admin = m_state.actor;
  int64_t zhang = CreateUser(m_db, "张三", Role::Rep, std::nullopt, admin).Value();
  int64_t li = CreateUser(m_db, "李四", Role::Rep, std::nullopt, admin).Value();
  CustomerInput input;
  input.name = "南海装饰";
  input.ownerId = zhang;
  int64_t id = CreateCustomer(m_db, input, admin).Value();
  ASSERT_TRUE(ReassignCustomer(m_db, id, li, admin));
  bool named = false;
  for (const AuditEntry& e : AuditForCustomer(m_db, id).Value()) {
    if (e.field != "owner_id") continue;
    const std::string line = AuditLine(m_state, e);
    named |= line.find("张三 → 李四") != std::string::npos;
    EXPECT_FALSE(HasLongNumber(line)) << line;
  }
  EXPECT_TRUE(named);
}

// Two reps move the same phone to the trash on their own devices; the relay's order makes the later one win.
TEST_F(AppTest, TheConflictLogNamesTheCustomerAndThePeopleInWordsAndOpensTheCustomer) {
  Actor admin = m_state.actor;
  Actor zhang{CreateUser(m_db, "张三", Role::Rep, std::nullopt, admin).Value(), 21};
  Actor li{CreateUser(m_db, "李四", Role::Rep, std::nullopt, admin).Value(), 22};
  CustomerInput input;
  input.name = "佛山华艺门业";
  input.phones = {"13800138000"};
  int64_t id = CreateCustomer(m_db, input, admin).Value();
  const std::string phone = std::to_string(m_db.QueryInt("SELECT id FROM customer_phones WHERE customer_id = " + std::to_string(id)).Value());
  auto trashOn = [&](Db& replica, const Actor& who, int64_t at) {
    return testing_support::Capture(replica, [&](Db& db) {
      testing_support::ExecOrFail(db, "UPDATE customer_phones SET deleted_at = " + std::to_string(at) + ", updated_at = " +
                                          std::to_string(at) + ", updated_by = " + std::to_string(who.userId) +
                                          ", device_id = " + std::to_string(who.deviceId) + " WHERE id = " + phone);
    });
  };
  Db a = testing_support::Clone(m_db);
  Db b = testing_support::Clone(m_db);
  const int64_t zhangAt = 1796621897432, liAt = 1796621903513;
  sync::Bytes fromZhang = trashOn(a, zhang, zhangAt);
  sync::Bytes fromLi = trashOn(b, li, liAt);
  ASSERT_TRUE(sync::ApplyWithPolicy(m_db, fromZhang.data(), fromZhang.size(), sync::ApplyOrigin{1, zhang.userId, zhang.deviceId, liAt + 5000}));
  auto applied = sync::ApplyWithPolicy(m_db, fromLi.data(), fromLi.size(), sync::ApplyOrigin{2, li.userId, li.deviceId, liAt + 6000});
  ASSERT_TRUE(applied) << applied.Message();
  ASSERT_EQ(applied.Value().conflicts.size(), 1u);
  ASSERT_TRUE(RecordConflicts(m_db, applied.Value().conflicts));

  // The entry carries what the words need: its customer, who made each change, when, on which device.
  const ConflictEntry entry = ListConflicts(m_db).Value().at(0);
  EXPECT_EQ(entry.customerId, id);
  EXPECT_EQ(entry.winnerUser, li.userId);
  EXPECT_EQ(entry.winnerAt, liAt);
  EXPECT_EQ(entry.loserUser, zhang.userId);
  EXPECT_EQ(entry.loserAt, zhangAt);
  EXPECT_EQ(entry.loserDevice, zhang.deviceId);
  EXPECT_EQ(ConflictCustomerName(m_state, entry), "佛山华艺门业");

  Frame();
  Click("open_conflicts");
  ASSERT_EQ(m_state.page, Page::Conflicts);
  const std::string text = ScreenText();
  EXPECT_FALSE(HasLongNumber(text)) << text;
  EXPECT_NE(text.find("佛山华艺门业"), std::string::npos) << text;
  EXPECT_NE(text.find("李四 在 " + LocalDateTimeText(liAt, m_state.utcOffsetMinutes)), std::string::npos) << text;
  EXPECT_NE(text.find("张三 在 " + LocalDateTimeText(zhangAt, m_state.utcOffsetMinutes)), std::string::npos) << text;
  EXPECT_NE(text.find("移入回收站"), std::string::npos) << text;
  Click(("conflict_customer_" + std::to_string(entry.id)).c_str());
  EXPECT_EQ(m_state.detail.customerId, id);
}

// Screens reload only when a table they read changed: each counts its loads.
TEST_F(AppTest, TheCustomerListReloadsForCustomersNotForAnUnrelatedCommit) {
  int64_t id = AddCustomer(m_db, "南海装饰", m_state.actor).Value();
  Frames(2);
  const LoadStamp& list = m_state.customers.list.loaded;
  ASSERT_EQ(m_state.customers.list.total, 1);
  int loads = list.loads;
  ContactInput contact;
  contact.name = "王经理";
  ASSERT_TRUE(AddContact(m_db, id, contact, m_state.actor));
  ASSERT_TRUE(SetSettingInt(m_db, kSettingPoolDays, 45, m_state.actor));
  Frames(2);
  EXPECT_EQ(list.loads, loads) << "contacts and settings are not on the list";
  ASSERT_TRUE(AddCustomer(m_db, "顺德门业", m_state.actor));
  Frames(2);
  EXPECT_EQ(list.loads, loads + 1);
  EXPECT_EQ(m_state.customers.list.total, 2);
}

TEST_F(AppTest, TheAgendaReloadsForAFollowupNotForAContact) {
  int64_t id = AddCustomer(m_db, "南海装饰", m_state.actor).Value();
  m_state.nowMs = NowMs();
  Frame();
  Click("nav_agenda");
  const LoadStamp& agenda = m_state.agenda.loaded;
  int loads = agenda.loads;
  ASSERT_GT(loads, 0);
  ContactInput contact;
  contact.name = "王经理";
  ASSERT_TRUE(AddContact(m_db, id, contact, m_state.actor));
  Frames(2);
  EXPECT_EQ(agenda.loads, loads);
  ASSERT_TRUE(ScheduleFollowup(m_db, id, m_state.nowMs + 2 * 86400000LL, FollowupReason::Manual, "", m_state.actor));
  Frames(2);
  EXPECT_EQ(agenda.loads, loads + 1);
  EXPECT_EQ(m_state.agenda.week.size(), 1u);
}

TEST_F(AppTest, ASyncBatchOfContactsReloadsOnlyTheDetailsContactsSection) {
  int64_t id = AddCustomer(m_db, "南海装饰", m_state.actor).Value();
  OpenCustomer(m_state, id);
  Frames(2);
  auto loadsOf = [&](const char* section) {
    int index = CustomerSectionIndex(section);
    EXPECT_GE(index, 0) << section;
    return m_state.detail.sectionLoads.at(static_cast<size_t>(index)).loads;
  };
  int contacts = loadsOf("contacts"), timeline = loadsOf("timeline"), followups = loadsOf("followups"),
      profile = loadsOf("profile"), customer = m_state.detail.customerLoad.loads;
  ASSERT_EQ(contacts, 1);
  // Another device added a contact; its changeset arrives in a sync batch.
  Db other = testing_support::Clone(m_db);
  sync::Bytes batch = testing_support::Capture(other, [&](Db& db) {
    ContactInput contact;
    contact.name = "王经理";
    ASSERT_TRUE(AddContact(db, id, contact, m_state.actor));
  });
  ASSERT_TRUE(sync::ApplyWithPolicy(m_db, batch.data(), batch.size(), sync::ApplyOrigin{}));
  Frames(2);
  EXPECT_EQ(loadsOf("contacts"), contacts + 1);
  ASSERT_EQ(m_state.detail.contacts.contacts.size(), 1u);
  EXPECT_EQ(m_state.detail.contacts.contacts[0].fields.name, "王经理");
  EXPECT_EQ(loadsOf("timeline"), timeline);
  EXPECT_EQ(loadsOf("followups"), followups);
  EXPECT_EQ(loadsOf("profile"), profile);
  EXPECT_EQ(m_state.detail.customerLoad.loads, customer);
}

TEST_F(AppTest, EveryPageHasItsNameAndTheNavigationOnlyItsEntries) {
  std::vector<std::string> names;
  for (const PageSpec& page : Pages()) {
    names.push_back(page.name);
    EXPECT_EQ(&PageSpecOf(page.page), &page);
    EXPECT_STRNE(Tr(Lang::En, page.title), "") << page.name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"customers", "agenda", "pool", "import", "trash", "settings", "conflicts"}));
  EXPECT_EQ(PageSpecOf(Page::Conflicts).navId, nullptr) << "the conflict log opens from the status bar";
}

// Settings → display: the theme and the text size apply from the next frame and stay with the device.
TEST_F(AppTest, TheThemeAndTextSizeApplyAtOnceAndStayOnTheDevice) {
  m_appStyle = true;
  Frame();
  Click("nav_settings");
  Click("settings_display");
  Click("theme_high_contrast");
  EXPECT_TRUE(m_state.device.highContrast);
  EXPECT_NEAR(ContrastRatio(ImGui::GetStyle().Colors[ImGuiCol_Text], ImGui::GetStyle().Colors[ImGuiCol_WindowBg]), 21.0f, 0.01f);
  Click("text_scale_150");
  EXPECT_NEAR(ImGui::GetFontSize(), kBaseFontSize * 1.5f, 1.0f);  // ImGui keeps whole pixels
  int persisted = m_persistRequests;
  EXPECT_GT(persisted, 0);
  // What the device reads at its next start.
  DeviceSettings stored = GetDeviceSettings(m_db).Value();
  EXPECT_TRUE(stored.highContrast);
  EXPECT_EQ(stored.textScalePercent, 150);
  Click("theme_normal");
  Click("text_scale_100");
  stored = GetDeviceSettings(m_db).Value();
  EXPECT_FALSE(stored.highContrast);
  EXPECT_EQ(stored.textScalePercent, 100);
  EXPECT_NEAR(ImGui::GetFontSize(), kBaseFontSize, 1.0f);
}

// At 150 % text the new-customer form's buttons are whole, inside its window, and inside the display.
TEST_F(AppTest, AtTextSize150TheCustomerFormsButtonsStayInsideItsWindow) {
  m_appStyle = true;
  Frame();
  Click("nav_settings");
  Click("settings_display");
  Click("text_scale_150");
  ASSERT_NEAR(ImGui::GetFontSize(), kBaseFontSize * 1.5f, 1.0f);
  Click("nav_customers");
  Click("new_customer");
  ASSERT_TRUE(m_state.form.open);
  ImGuiWindow* window = nullptr;
  for (ImGuiWindow* w : ImGui::GetCurrentContext()->Windows) {
    bool dialog = !(w->Flags & ImGuiWindowFlags_ChildWindow) && std::string(w->Name).find("new_customer_window") != std::string::npos;
    if (dialog && w->WasActive) window = w;
  }
  ASSERT_NE(window, nullptr);
  ImVec2 display = ImGui::GetIO().DisplaySize;
  EXPECT_LE(window->Pos.x + window->Size.x, display.x);
  EXPECT_LE(window->Pos.y + window->Size.y, display.y);
  for (const char* id : {"save_customer", "cancel_customer", "customer_name"}) {
    auto item = m_state.probe.Find(id);
    ASSERT_TRUE(item) << id;
    EXPECT_GE(item->min.x, window->InnerClipRect.Min.x) << id;
    EXPECT_LE(item->max.x, window->InnerClipRect.Max.x) << id;
    EXPECT_GE(item->min.y, window->InnerClipRect.Min.y) << id;
    EXPECT_LE(item->max.y, window->InnerClipRect.Max.y) << id;
    // Its text fits: a button is at least as wide as its label at this size.
    if (std::string(id) != "customer_name") {
      std::string label = id == std::string("save_customer") ? Tr(m_state.lang, Str::Save) : Tr(m_state.lang, Str::Cancel);
      EXPECT_GE(item->max.x - item->min.x, ImGui::CalcTextSize(label.c_str()).x) << id;
    }
  }
}

// The keyboard alone: Tab passes through the screen (the sidebar, the page, the list as one stop), Enter opens
// the row that has the focus, and what a screen reader hears follows the focus.
TEST_F(AppTest, TabReachesTheListEnterOpensTheRowAndTheAnnouncementFollows) {
  m_appStyle = true;
  std::map<std::string, int64_t> ids{{"南海装饰", AddCustomer(m_db, "南海装饰", m_state.actor).Value()},
                                     {"北江建材", AddCustomer(m_db, "北江建材", m_state.actor).Value()}};
  ImGui::GetIO().ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  Frames(2);
  std::vector<std::string> heard;
  for (int i = 0; i < 60 && m_state.probe.Focused().label.rfind("##row_", 0) != 0; i++) {
    PressKey(ImGuiKey_Tab);
    heard.push_back(FocusAnnouncement(m_state));
  }
  ASSERT_EQ(m_state.probe.Focused().label.rfind("##row_", 0), 0u) << "Tab never reached the list";
  EXPECT_TRUE(ImGui::GetIO().NavVisible) << "the focus ring shows while tabbing";
  // On the way: the sidebar's pages and the search field, by their words.
  auto heardWith = [&heard](const std::string& words) {
    for (const std::string& h : heard) if (h.rfind(words, 0) == 0) return true;
    return false;
  };
  EXPECT_TRUE(heardWith(Tr(m_state.lang, Str::NavAgenda))) << "the sidebar";
  EXPECT_TRUE(heardWith(Tr(m_state.lang, Str::SearchHint))) << "the search field";
  // Tab lands on the first row (two added in the same millisecond may come in either order); Down moves to the
  // other row; Enter opens it.
  std::string first = FocusAnnouncement(m_state);
  std::string other = m_state.probe.Focused().label == "##row_南海装饰" ? "北江建材" : "南海装饰";
  PressKey(ImGuiKey_DownArrow);
  EXPECT_EQ(m_state.probe.Focused().label, "##row_" + other);
  EXPECT_EQ(FocusAnnouncement(m_state).rfind(other, 0), 0u) << FocusAnnouncement(m_state);
  EXPECT_NE(first, FocusAnnouncement(m_state));
  PressKey(ImGuiKey_Enter);
  Frame();
  EXPECT_EQ(m_state.detail.customerId, ids[other]);
  // Tab from a row leaves the list at once (one stop), to what follows it.
  m_state.detail.customerId = 0;
  Frames(2);
  for (int i = 0; i < 60 && m_state.probe.Focused().label.rfind("##row_", 0) != 0; i++) PressKey(ImGuiKey_Tab);
  PressKey(ImGuiKey_Tab);
  EXPECT_NE(m_state.probe.Focused().label.rfind("##row_", 0), 0u) << m_state.probe.Focused().label;
}

// Esc leaves a customer opened from the keyboard (ImGui leaves the flattened child window it was in), and the
// focus requests that follow still land: '/' gives the search field the keyboard.
TEST_F(AppTest, EscFromACustomerOpenedByKeyboardThenSlashFocusesTheSearch) {
  m_appStyle = true;
  int64_t id = AddCustomer(m_db, "南海装饰", m_state.actor).Value();
  ImGui::GetIO().ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  Frames(2);
  for (int i = 0; i < 60 && m_state.probe.Focused().label != "##row_南海装饰"; i++) PressKey(ImGuiKey_Tab);
  PressKey(ImGuiKey_Enter);
  Frames(2);
  ASSERT_EQ(m_state.detail.customerId, id);
  for (int i = 0; i < 60 && m_state.probe.Focused().label.find("###log_visit") == std::string::npos; i++) PressKey(ImGuiKey_Tab);
  ASSERT_NE(m_state.probe.Focused().label.find("###log_visit"), std::string::npos);
  PressKey(ImGuiKey_Escape);
  Frames(2);
  EXPECT_EQ(m_state.detail.customerId, 0);
  PressKey(ImGuiKey_Slash);
  Frames(2);
  EXPECT_TRUE(ImGui::GetIO().WantTextInput) << "'/' gives the search field the keyboard";
  EXPECT_EQ(FocusAnnouncement(m_state), Tr(m_state.lang, Str::SearchHint));
}

// The selected row's second line (phone, city, owner…) is drawn at WCAG's 4.5:1 or more on the selection,
// in both themes: measured on the vertices the frame drew.
TEST_F(AppTest, TheSelectedRowsSecondaryTextIsReadableInEveryTheme) {
  m_appStyle = true;
  int64_t id = AddCustomer(m_db, "南海装饰", m_state.actor).Value();
  for (bool highContrast : {false, true}) {
    m_state.device.highContrast = highContrast;
    m_state.customers.list.highlightId = id;
    ImGui::GetIO().AddMousePosEvent(-1000, -1000);  // not hovering the row
    Frames(3);
    auto row = m_state.probe.Find("row_南海装饰");
    ASSERT_TRUE(row);
    const ImGuiStyle& style = ImGui::GetStyle();
    ImVec4 background = Over(style.Colors[ImGuiCol_Header], Over(style.Colors[ImGuiCol_ChildBg], style.Colors[ImGuiCol_WindowBg]));
    // The second line: the lower half of the row, right of the class badge.
    ImVec2 min(row->min.x + ImGui::GetFontSize() * 2.5f, (row->min.y + row->max.y) / 2 + 2);
    ImVec2 max(row->max.x - 4, row->max.y - 2);
    int glyphVertices = 0;
    float worst = 21;
    ImDrawData* data = ImGui::GetDrawData();
    for (int l = 0; l < data->CmdListsCount; l++) {
      for (const ImDrawVert& v : data->CmdLists[l]->VtxBuffer) {
        if (v.pos.x < min.x || v.pos.x > max.x || v.pos.y < min.y || v.pos.y > max.y || (v.col >> IM_COL32_A_SHIFT) != 255) continue;
        glyphVertices++;
        worst = std::min(worst, ContrastRatio(ImGui::ColorConvertU32ToFloat4(v.col), background));
      }
    }
    EXPECT_GT(glyphVertices, 0) << "high contrast " << highContrast;
    EXPECT_GE(worst, 4.5f) << "high contrast " << highContrast;
  }
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

TEST_F(SessionTest, WrongPinsAreRefusedInChineseAndThenTheUserWaits) {
  FreshDevice();
  std::string salt = NewPinSalt();
  Pbkdf2Sha256 kdf("1234", salt, kPinIterations);
  kdf.Step(kPinIterations);
  ASSERT_TRUE(CreateLocalAccount(m_db, "王店长", MakePinRecord(salt, kdf)));
  DeviceSettings settings;
  settings.shared = true;
  ASSERT_TRUE(SaveDeviceSettings(m_db, settings));
  ASSERT_TRUE(StartSession(m_state));
  m_state.lang = Lang::Zh;
  Frame();
  Click("user:王店长");
  ASSERT_EQ(m_state.signIn.step, SignInStep::EnterPin);
  for (int attempt = 0; attempt + 1 < kPinAttemptsBeforeWait; attempt++) {
    m_state.signIn.pin = "9999";
    Click("unlock");
    RunUntil([&] { return !m_state.signIn.job; });
    EXPECT_EQ(m_state.signIn.pinError, Tr(Lang::Zh, Str::ErrWrongPin)) << "attempt " << attempt;
    EXPECT_TRUE(m_state.signIn.pin.empty()) << "a refused PIN is cleared, so the next is not appended to it";
  }
  m_state.signIn.pin = "9999";
  Click("unlock");
  RunUntil([&] { return !m_state.signIn.job; });
  Frame();
  // The wait is said in seconds and counts down as time passes; the field is closed meanwhile.
  auto waitText = [](int64_t ms) {
    char wait[128];
    std::snprintf(wait, sizeof wait, Tr(Lang::Zh, Str::ErrWaitSeconds), static_cast<int>((ms + 999) / 1000));
    return std::string(wait);
  };
  const int64_t waitEnds = m_state.signIn.pinWaitUntil;
  ASSERT_GT(waitEnds, m_state.nowMs);
  EXPECT_EQ(m_state.signIn.pinError, waitText(waitEnds - m_state.nowMs));
  m_state.nowMs += 2000;
  Frame();
  EXPECT_EQ(m_state.signIn.pinError, waitText(waitEnds - m_state.nowMs)) << "the countdown moves";
  EXPECT_EQ(EnglishOnScreen(), "") << "the refusal and the whole lock screen read in Chinese";
  // Typing the right PIN now is neither kept nor counted: the field and the button are disabled.
  m_state.signIn.pin = "1234";
  Frame();
  Click("unlock");
  RunUntil([&] { return !m_state.signIn.job; });
  EXPECT_TRUE(m_state.signIn.pin.empty());
  EXPECT_EQ(m_state.screen, Screen::Locked);
  // Once the wait is over, the error goes and the right PIN opens the session.
  m_state.nowMs = waitEnds + 1;
  Frame();
  EXPECT_TRUE(m_state.signIn.pinError.empty()) << m_state.signIn.pinError;
  m_state.signIn.pin = "1234";
  Click("unlock");
  RunUntil([&] { return m_state.screen == Screen::Home; });
  EXPECT_EQ(m_state.screen, Screen::Home);
}

// Encryption at rest: the platform (web/storage.js) keeps the data key; here a fake stands in for it. An
// encrypted device opens nothing before a person of its keyring gives their secret; a wrong one is said next to
// the field in the reader's language, and after several the field waits as the PIN step does.
TEST_F(SessionTest, AnEncryptedDeviceAsksWhoAndTheirSecretBeforeAnythingOpens) {
  m_state.db = nullptr;  // nothing is open while the data is sealed
  m_state.lang = Lang::Zh;
  m_state.screen = Screen::Unlock;
  m_state.unlock.encrypted = true;
  m_state.unlock.keyring = {{7, "王店长", Role::Admin, DeviceKeyKind::Pin}, {9, "李销售", Role::Rep, DeviceKeyKind::Password}};
  std::vector<std::pair<int64_t, std::string>> tries;
  m_state.unlock.tryUnlock = [&](int64_t userId, const std::string& secret) { tries.emplace_back(userId, secret); };
  Frame();
  EXPECT_TRUE(m_state.probe.Find("unlock_user:李销售")) << "every person of the keyring is listed";
  Click("unlock_user:王店长");
  EXPECT_EQ(m_state.unlock.userId, 7);
  Click("unlock_submit");
  EXPECT_EQ(m_state.unlock.secretError, Tr(Lang::Zh, Str::ErrRequired)) << "an empty PIN is not tried";
  EXPECT_TRUE(tries.empty());
  Type("unlock_secret", "9999");
  Click("unlock_submit");
  ASSERT_EQ(tries.size(), 1u);
  EXPECT_EQ(tries[0], std::make_pair(int64_t{7}, std::string("9999")));
  EXPECT_TRUE(m_state.unlock.busy) << "the button waits for the answer";
  UnlockRefused(m_state, 0);
  Frame();
  EXPECT_EQ(m_state.unlock.secretError, Tr(Lang::Zh, Str::ErrWrongPin));
  EXPECT_TRUE(m_state.unlock.secret.empty()) << "a refused PIN is cleared";
  EXPECT_EQ(EnglishOnScreen(), "") << "the unlock step reads in Chinese";
  // Too many wrong ones: the platform says until when; the field counts down and takes nothing meanwhile.
  UnlockRefused(m_state, m_state.nowMs + 30000);
  Frame();
  char wait[128];
  std::snprintf(wait, sizeof wait, Tr(Lang::Zh, Str::ErrWaitSeconds), 30);
  EXPECT_EQ(m_state.unlock.secretError, wait);
  m_state.unlock.secret = "1234";
  Click("unlock_submit");
  EXPECT_EQ(tries.size(), 1u) << "nothing is tried during the wait";
  m_state.nowMs += 31000;
  Frame();
  EXPECT_TRUE(m_state.unlock.secretError.empty());
  // An online account opens with its password, offline: the field takes letters.
  Click("back");
  Click("unlock_user:李销售");
  Type("unlock_secret", "li-2026");
  Click("unlock_submit");
  ASSERT_EQ(tries.size(), 2u);
  EXPECT_EQ(tries[1], std::make_pair(int64_t{9}, std::string("li-2026")));
  UnlockRefused(m_state, 0);
  Frame();
  EXPECT_EQ(m_state.unlock.secretError, TrKey(Lang::Zh, "unlock.wrong_password"));
}

TEST_F(SessionTest, ANewLocalAccountWrapsTheDataKeyWithItsPin) {
  FreshDevice();
  std::vector<std::pair<DeviceKeyEntry, std::string>> wraps;
  m_state.unlock.protect = [&](const DeviceKeyEntry& who, const std::string& secret) { wraps.emplace_back(who, secret); };
  Frame();
  Click("create_local");
  Type("account_name", "王店长");
  Type("pin", "4321");
  Type("pin_again", "4321");
  Click("create_account");
  RunUntil([&] { return m_state.screen == Screen::Home; });
  ASSERT_EQ(m_state.screen, Screen::Home);
  ASSERT_EQ(wraps.size(), 1u);
  EXPECT_EQ(wraps[0].first.userId, m_state.actor.userId);
  EXPECT_EQ(wraps[0].first.name, "王店长");
  EXPECT_EQ(wraps[0].first.kind, DeviceKeyKind::Pin);
  EXPECT_EQ(wraps[0].second, "4321");
  ASSERT_EQ(m_state.unlock.keyring.size(), 1u) << "the unlock list knows the new person";
}

TEST_F(SessionTest, ATrialIsNotEncryptedAndSaysSo) {
  FreshDevice();
  int wraps = 0;
  m_state.unlock.protect = [&](const DeviceKeyEntry&, const std::string&) { wraps++; };
  m_state.lang = Lang::En;
  Frame();
  Click("start_trial");
  ASSERT_TRUE(m_state.device.trial);
  EXPECT_EQ(wraps, 0);
  EXPECT_NE(DrawnJoined().find(TrKey(Lang::En, "unlock.trial_not_encrypted")), std::string::npos) << "the trial banner says it";
}

// Browsers that keep nothing (web/storage.js finds out): said on every page in the reader's language, with the
// ways to keep the data, and the status bar does not claim "saved".
TEST_F(AppTest, AWindowWithoutStorageSaysItForgetsAndOffersBothExports) {
  m_state.lang = Lang::Zh;
  m_state.storage.memoryOnly = true;
  m_state.storage.memoryReason = "InvalidStateError: refused";
  m_state.saveState = SaveState::InWindowOnly;
  int backups = 0;
  m_state.storage.exportBackup = [&] { backups++; };
  std::string joined = DrawnJoined();
  EXPECT_NE(joined.find(TrKey(Lang::Zh, "storage.memory_only")), std::string::npos) << joined;
  EXPECT_NE(joined.find(TrKey(Lang::Zh, "storage.in_this_window")), std::string::npos) << "the status bar says where the data is";
  EXPECT_EQ(joined.find(Tr(Lang::Zh, Str::StorageSaved)), std::string::npos) << "nothing claims the data is saved";
  EXPECT_NE(joined.find("InvalidStateError: refused"), std::string::npos) << "the browser's own words, for whoever helps";
  Click("forget_backup_export");
  EXPECT_EQ(backups, 1);
  Click("forget_export_csv");
  EXPECT_EQ(m_state.page, Page::ImportExport);
  EXPECT_TRUE(m_state.probe.Find("export_csv")) << "the CSV export is one click away";
}

// Evicted data, then an online sign-in: once the relay's data is here the notice says it came back (with the count),
// and no longer that it is gone. Without sync it stays: nothing came back.
TEST_F(AppTest, EvictedDataBroughtBackByTheServerIsSaidSo) {
  m_state.lang = Lang::Zh;
  m_state.storage.evicted = true;
  std::string gone = DrawnJoined();
  EXPECT_NE(gone.find(Tr(Lang::Zh, Str::StorageEvicted)), std::string::npos) << gone;
  EXPECT_TRUE(m_state.storage.evicted) << "no sync yet: the data is still gone";

  // What the relay's bootstrap brings: the organisation's customers, and a place in its order.
  OpenAbout();
  Click("add_customer");
  m_state.sync.configured = true;
  m_state.sync.confirmedSeq = 12;
  std::string back = DrawnJoined();
  EXPECT_FALSE(m_state.storage.evicted);
  EXPECT_EQ(back.find(Tr(Lang::Zh, Str::StorageEvicted)), std::string::npos) << back;
  const std::string said = FillText(Lang::Zh, "storage.restored_from_server", {{"count", std::to_string(m_state.customerCount)}});
  EXPECT_GT(m_state.customerCount, 0);
  EXPECT_NE(back.find(said), std::string::npos) << back;
}

TEST_F(AppTest, WithStorageThatKeepsNoNoticeIsShown) {
  std::string joined = DrawnJoined();
  EXPECT_EQ(joined.find(TrKey(m_state.lang, "storage.memory_only")), std::string::npos);
  EXPECT_EQ(joined.find(TrKey(m_state.lang, "storage.private_window")), std::string::npos);
  EXPECT_FALSE(m_state.probe.Find("forget_backup_export"));
}

// The storage panel says what it knows: usage and "may be cleared" where the browser tells, and that it cannot
// tell where the browser has no navigator.storage (WebKitGTK), never "0 B".
// How the data here is protected, said plainly: PINs alone can be tried from a copied profile; a password
// wrap (an online account) is not warned about; unencrypted data says so.
TEST_F(AppTest, TheStoragePanelSaysWhetherTheDataIsEncryptedAndWhatAPinAloneIsWorth) {
  m_state.lang = Lang::Zh;
  Frame();
  Click("nav_settings");
  Click("settings_storage");
  std::string plain = DrawnJoined();
  EXPECT_NE(plain.find(TrKey(Lang::Zh, "unlock.not_encrypted")), std::string::npos) << plain;

  m_state.unlock.encrypted = true;
  m_state.unlock.keyring = {{m_state.actor.userId, "本机用户", Role::Admin, DeviceKeyKind::Pin}};
  std::string pins = DrawnJoined();
  EXPECT_NE(pins.find(TrKey(Lang::Zh, "unlock.encrypted")), std::string::npos) << pins;
  EXPECT_NE(pins.find(TrKey(Lang::Zh, "unlock.pin_only_warning")), std::string::npos) << pins;
  EXPECT_EQ(pins.find(TrKey(Lang::Zh, "unlock.not_encrypted")), std::string::npos);

  m_state.unlock.keyring.front().kind = DeviceKeyKind::Password;
  std::string online = DrawnJoined();
  EXPECT_NE(online.find(TrKey(Lang::Zh, "unlock.encrypted")), std::string::npos) << online;
  EXPECT_EQ(online.find(TrKey(Lang::Zh, "unlock.pin_only_warning")), std::string::npos) << "a password wrap is not a PIN alone";
}

TEST_F(AppTest, TheStoragePanelSaysWhatTheBrowserCannotTell) {
  m_state.lang = Lang::Zh;
  Frame();
  Click("nav_settings");
  Click("settings_storage");
  m_state.storage.usageBytes = 2048;
  m_state.storage.quotaBytes = 1 << 30;
  m_state.storage.persisted = false;
  std::string told = DrawnJoined();
  EXPECT_NE(told.find(Tr(Lang::Zh, Str::StorageNotPersisted)), std::string::npos) << told;
  EXPECT_EQ(told.find(TrKey(Lang::Zh, "storage.estimate_unknown")), std::string::npos);

  m_state.storage.usageBytes = -1;
  m_state.storage.quotaBytes = -1;
  m_state.storage.estimateUnknown = true;
  std::string untold = DrawnJoined();
  EXPECT_NE(untold.find(TrKey(Lang::Zh, "storage.estimate_unknown")), std::string::npos) << untold;
  EXPECT_EQ(untold.find("0 B"), std::string::npos);
  EXPECT_TRUE(m_state.probe.Find("backup_export")) << "the backup still works";
}

// An online sign-in on a device an administrator revoked: the relay answers 403 device_revoked with an English
// sentence; the person reads why in their own language (as the platform words the answer: web/sync_browser.cpp).
TEST_F(SessionTest, ASignInOnARevokedDeviceSaysWhyInThePersonsLanguage) {
  FreshDevice();
  const std::string relaySays = "an administrator revoked this device: its data must be erased";
  const std::string body = R"({"error":"device_revoked","message":")" + relaySays + R"(","wipe":true,"keep_unsent":false})";
  m_state.requestOnlineSignIn = [&](const OnlineSignInRequest&) {
    auto answer = sync::ReadSessionAnswer("sign-in", sync::HttpAnswer{403, body});
    ASSERT_FALSE(answer);
    m_state.signIn.formError = OnlineSignInErrorText(m_state.lang, answer.GetError());
  };
  for (Lang lang : {Lang::Zh, Lang::En}) {
    m_state.lang = lang;
    Frame();
    Click("sign_in_online");
    Type("online_account", "张三@美家门窗");
    Type("password", "zhangsan-2026");
    Click("online_submit");
    EXPECT_EQ(m_state.signIn.formError, TrKey(lang, "device_wipe.sign_in_refused"));
    // Spaces aside: a wrapped line drops the one it breaks at.
    auto unspaced = [](std::string text) {
      text.erase(std::remove(text.begin(), text.end(), ' '), text.end());
      return text;
    };
    std::string screen = unspaced(DrawnJoined());
    EXPECT_NE(screen.find(unspaced(TrKey(lang, "device_wipe.sign_in_refused"))), std::string::npos) << screen;
    EXPECT_EQ(screen.find(unspaced(relaySays)), std::string::npos) << "the relay's own sentence: " << screen;
    if (lang == Lang::Zh) {
      EXPECT_EQ(EnglishOnScreen(), "");
    }
    Click("back");
  }
}

TEST_F(SessionTest, AFreshPrivateWindowSaysOnTheWelcomeScreenThatItForgets) {
  FreshDevice();
  m_state.lang = Lang::Zh;
  m_state.storage.privateWindow = true;
  std::string joined = DrawnJoined();
  EXPECT_EQ(m_state.screen, Screen::Welcome);
  EXPECT_NE(joined.find(TrKey(Lang::Zh, "storage.private_window")), std::string::npos) << joined;
  EXPECT_TRUE(m_state.probe.Find("backup_export")) << "the storage panel's backup is right there";
  EXPECT_FALSE(m_state.probe.Find("forget_export_csv")) << "nobody is signed in: no customers to export";
}

}  // namespace
}  // namespace crm::ui
