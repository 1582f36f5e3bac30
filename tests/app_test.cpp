// The home screen, driven headlessly through ImGui the way the browser test
// drives it: find the button by its id, click it, and read the result.
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>

#include "core/accounts.h"
#include "core/conflicts.h"
#include "core/contacts.h"
#include "core/customer_dates.h"
#include "core/followups.h"
#include "core/ids.h"
#include "core/org.h"
#include "core/schema.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "ui/app_state.h"
#include "sync/apply.h"
#include "sync_test_support.h"
#include "ui/customer_sections.h"
#include "ui/fonts.h"
#include "ui/keyed_text.h"
#include "ui/labels.h"

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
    ASSERT_TRUE(RefreshOrganisation(m_state));
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
    EXPECT_TRUE(m_state.glyphs.Update(io, 1.0f, FontSizeFor(m_state.layout)));
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
  auto press = [&](ImGuiKey key, bool ctrl = false) {
    if (ctrl) io.AddKeyEvent(ImGuiMod_Ctrl, true);
    io.AddKeyEvent(key, true);
    Frame();
    io.AddKeyEvent(key, false);
    if (ctrl) io.AddKeyEvent(ImGuiMod_Ctrl, false);
    Frame();
  };
  Frame();
  press(ImGuiKey_Slash);
  Frames(2);
  EXPECT_TRUE(io.WantTextInput) << "'/' at start";
  press(ImGuiKey_Escape);  // leaves the field
  Frames(2);
  press(ImGuiKey_N, true);
  EXPECT_TRUE(m_state.form.open);
  Frames(2);
  EXPECT_TRUE(io.WantTextInput) << "the form's name field has the keyboard";
  Frames(2);
  press(ImGuiKey_Escape);
  EXPECT_FALSE(m_state.form.open);
  Frames(2);
  press(ImGuiKey_Slash);
  Frames(2);
  EXPECT_TRUE(io.WantTextInput) << "'/' gives the search field the keyboard";
  // From another page too.
  Click("nav_agenda");
  press(ImGuiKey_Slash);
  Frames(2);
  EXPECT_EQ(m_state.page, Page::Customers);
  EXPECT_TRUE(io.WantTextInput);
}

TEST_F(AppTest, APermissionErrorFromCoreIsShownAsSuch) {
  Actor admin = m_state.actor;
  int64_t repA = CreateUser(m_db, "张三", Role::Rep, std::nullopt, admin).Value();
  int64_t repB = CreateUser(m_db, "李四", Role::Rep, std::nullopt, admin).Value();
  CustomerInput input;
  input.name = "李四的客户";
  input.ownerId = repB;
  int64_t id = CreateCustomer(m_db, input, admin).Value();
  m_state.actor = Actor{repA, 4};
  ASSERT_TRUE(RefreshOrganisation(m_state));
  OpenCustomer(m_state, id);
  Frame();
  Click("release_customer");
  EXPECT_EQ(m_state.detail.error.rfind("没有权限", 0), 0u) << m_state.detail.error;
  EXPECT_TRUE(GetCustomer(m_db, id).Value().ownerId == repB) << "nothing changed";
  // A rep is not offered the bulk move; the page says who may.
  Click("nav_pool");
  Click("pool_tab_reassign");
  EXPECT_FALSE(m_state.probe.Find("reassign_from"));
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
  EXPECT_NE(ConflictLine(m_state, m_state.conflicts.entries[1]).find("13800138000 → 13900139000"), std::string::npos)
      << ConflictLine(m_state, m_state.conflicts.entries[1]);
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

}  // namespace
}  // namespace crm::ui
