#include "core/followups.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/contacts.h"
#include "core/ids.h"
#include "core/grading.h"
#include "core/validate.h"
#include "tests/test_support.h"

namespace crm {
namespace {

using testing_support::TestOrg;

constexpr int64_t kDay = 86400000;
constexpr int64_t kHour = 3600000;

// Milliseconds for a local (UTC+8) wall-clock time.
int64_t Local(int year, unsigned month, unsigned day, int hour = 0, int minute = 0) {
  return DaysFromCivil(year, month, day) * kDay + (hour - 8) * kHour + minute * 60000;
}

// Monday 2026-03-02, 10:00 in China: "now" for these tests.
const int64_t kNow = Local(2026, 3, 2, 10);
const int64_t kToday = Local(2026, 3, 2);

class FollowupsTest : public testing::Test {
 protected:
  TestOrg m_org;
  Db& m_db = m_org.db;

  Status Sql(const std::string& sql) { return m_db.Exec(sql); }

  // The open follow-ups of a customer, earliest first.
  std::vector<std::pair<std::string, int64_t>> Open(int64_t customerId) {
    std::vector<std::pair<std::string, int64_t>> open;
    auto stmt = m_db.PrepareOnce("SELECT reason, due_at FROM followups WHERE customer_id = ? AND status = 'open' ORDER BY due_at");
    EXPECT_TRUE(stmt);
    stmt.Value().Bind(1, customerId);
    while (stmt.Value().Step().ValueOr(false)) open.emplace_back(stmt.Value().String(0), stmt.Value().Int64(1));
    return open;
  }

  int64_t ClassFollowupId(int64_t customerId) {
    auto stmt = m_db.PrepareOnce("SELECT id FROM followups WHERE customer_id = ? AND status = 'open' AND reason = 'class_rule'");
    stmt.Value().Bind(1, customerId);
    EXPECT_TRUE(stmt.Value().Step().ValueOr(false));
    return stmt.Value().Int64(0);
  }

  // Puts a customer's clock where a test wants it: created (and last seen) at `since`, class follow-up re-planned.
  void Since(int64_t customerId, int64_t since) {
    ASSERT_TRUE(Sql("UPDATE customers SET created_at = " + std::to_string(since) + " WHERE id = " + std::to_string(customerId)));
    ASSERT_TRUE(EnsureClassFollowup(m_db, customerId, m_org.admin));
  }

  void SetDue(int64_t followupId, int64_t due) {
    ASSERT_TRUE(Sql("UPDATE followups SET due_at = " + std::to_string(due) + " WHERE id = " + std::to_string(followupId)));
  }

  ActivityInput Visit(int64_t customerId, int64_t at, std::string summary = "上门拜访，介绍新款断桥铝") {
    ActivityInput input;
    input.customerId = customerId;
    input.occurredAt = at;
    input.summary = std::move(summary);
    return input;
  }
};

TEST_F(FollowupsTest, IntervalsDefaultPerGradeAndTheOrganisationCanChangeThem) {
  EXPECT_EQ(IntervalDays(m_db, Grade::A).Value(), 7);
  EXPECT_EQ(IntervalDays(m_db, Grade::B).Value(), 14);
  EXPECT_EQ(IntervalDays(m_db, Grade::C).Value(), 30);
  EXPECT_EQ(IntervalDays(m_db, Grade::D).Value(), 90);
  ASSERT_TRUE(SetSettingInt(m_db, kSettingIntervalA, 3, m_org.leader));
  EXPECT_EQ(IntervalDays(m_db, Grade::A).Value(), 3);
  EXPECT_EQ(IntervalDays(m_db, Grade::B).Value(), 14);
  Status denied = SetSettingInt(m_db, kSettingIntervalB, 1, m_org.repA);
  EXPECT_EQ(denied.Code(), ErrorCode::Denied);
  EXPECT_EQ(IntervalDays(m_db, Grade::B).Value(), 14);
}

TEST_F(FollowupsTest, ACreatedCustomerHasExactlyOneClassFollowupOneIntervalAfterCreation) {
  int64_t id = m_org.Customer("佛山铝材经销部", m_org.repA);
  auto open = Open(id);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].first, "class_rule");
  int64_t created = m_db.QueryInt("SELECT created_at FROM customers WHERE id = " + std::to_string(id)).Value();
  EXPECT_EQ(open[0].second, created + 30 * kDay);  // grade C by default
  ASSERT_TRUE(EnsureClassFollowup(m_db, id, m_org.repA));
  EXPECT_EQ(Open(id).size(), 1u) << "ensuring twice must not plan twice";
  int64_t owner = m_db.QueryInt("SELECT owner_id FROM followups WHERE customer_id = " + std::to_string(id)).Value();
  EXPECT_EQ(owner, m_org.repA.userId);
  // Pool customers are planned too (the pool's follow-ups have no owner).
  int64_t pooled = m_org.PoolCustomer("公海客户");
  ASSERT_EQ(Open(pooled).size(), 1u);
}

TEST_F(FollowupsTest, DuplicateClassFollowupsFromASyncMergeCollapseToOne) {
  int64_t id = m_org.Customer("合并客户", m_org.repA);
  ASSERT_TRUE(Sql("INSERT INTO followups(id, customer_id, owner_id, due_at, reason, created_at, updated_at, created_by, updated_by, "
                  "device_id) SELECT 42, customer_id, owner_id, due_at + 1, 'class_rule', 1, 1, 1, 1, 1 FROM followups WHERE customer_id = " +
                  std::to_string(id)));
  ASSERT_EQ(Open(id).size(), 2u);
  ASSERT_TRUE(EnsureClassFollowup(m_db, id, m_org.repA));
  EXPECT_EQ(Open(id).size(), 1u);
}

TEST_F(FollowupsTest, AnActivityCompletesTheDueFollowupAndPlansTheNext) {
  int64_t id = m_org.Customer("南海门窗", m_org.repA);
  Since(id, kNow - 31 * kDay);  // due yesterday: overdue
  int64_t due = ClassFollowupId(id);
  ActivityInput visit = Visit(id, kNow);
  visit.outcome = "同意下月订货";
  auto activity = LogActivity(m_db, visit, m_org.repA);
  ASSERT_TRUE(activity) << activity.Message();

  auto done = m_db.PrepareOnce("SELECT status, result, activity_id, done_at, updated_by FROM followups WHERE id = ?").Value();
  done.Bind(1, due);
  ASSERT_TRUE(done.Step().Value());
  EXPECT_EQ(done.String(0), "done");
  EXPECT_EQ(done.String(1), "同意下月订货");
  EXPECT_EQ(done.Int64(2), activity.Value());
  EXPECT_EQ(done.Int64(3), kNow);
  EXPECT_EQ(done.Int64(4), m_org.repA.userId);

  auto open = Open(id);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].second, kNow + 30 * kDay);
  EXPECT_EQ(m_db.QueryInt("SELECT last_activity_at FROM customers WHERE id = " + std::to_string(id)).Value(), kNow);
  auto activities = ActivitiesOf(m_db, id).Value();
  ASSERT_EQ(activities.size(), 1u);
  EXPECT_EQ(activities[0].followupId, due);
  EXPECT_EQ(activities[0].userId, m_org.repA.userId);
}

TEST_F(FollowupsTest, AnEarlyActivityDoesNotCompleteButMovesTheClassFollowup) {
  int64_t id = m_org.Customer("顺德五金", m_org.repA);
  Since(id, kNow - 20 * kDay);  // due in ten days
  ASSERT_TRUE(LogActivity(m_db, Visit(id, kNow), m_org.repA));
  EXPECT_EQ(m_db.QueryInt("SELECT count(*) FROM followups WHERE status = 'done' AND customer_id = " + std::to_string(id)).Value(), 0);
  auto open = Open(id);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].second, kNow + 30 * kDay);
}

TEST_F(FollowupsTest, AnActivityAnswersTheEarliestFollowupDueToday) {
  int64_t id = m_org.Customer("投诉客户", m_org.repA);
  Since(id, kNow - 29 * kDay);  // class follow-up due tomorrow
  auto complaint = ScheduleFollowup(m_db, id, kToday + 18 * kHour, FollowupReason::Complaint, "漏水投诉回访", m_org.repA);
  ASSERT_TRUE(complaint) << complaint.Message();
  ASSERT_TRUE(LogActivity(m_db, Visit(id, kNow, "电话回访漏水问题，已派人维修"), m_org.repA));
  EXPECT_EQ(m_db.QueryInt("SELECT count(*) FROM followups WHERE status = 'done' AND id = " + std::to_string(complaint.Value())).Value(), 1);
  auto open = Open(id);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].first, "class_rule");
  EXPECT_EQ(open[0].second, kNow + 30 * kDay);
}

TEST_F(FollowupsTest, ActivitiesAreListedNewestFirstWithTheirSequence) {
  int64_t id = m_org.Customer("序号客户", m_org.repA);
  ASSERT_TRUE(LogActivity(m_db, Visit(id, kNow - 2 * kDay, "第一次"), m_org.repA));
  ASSERT_TRUE(LogActivity(m_db, Visit(id, kNow, "第三次"), m_org.repA));
  ASSERT_TRUE(LogActivity(m_db, Visit(id, kNow - kDay, "第二次（补录）"), m_org.repA));
  auto list = ActivitiesOf(m_db, id).Value();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].fields.summary, "第三次");
  EXPECT_EQ(list[0].sequence, 3);
  EXPECT_EQ(list[1].fields.summary, "第二次（补录）");
  EXPECT_EQ(list[1].sequence, 2);
  EXPECT_EQ(list[2].sequence, 1);
  // A late entry does not move the last contact backwards.
  EXPECT_EQ(m_db.QueryInt("SELECT last_activity_at FROM customers WHERE id = " + std::to_string(id)).Value(), kNow);
  EXPECT_EQ(ActivitiesOf(m_db, 12345).Code(), ErrorCode::NotFound);
}

TEST_F(FollowupsTest, AGradeChangeReplansTheClassFollowup) {
  int64_t id = m_org.Customer("升级客户", m_org.repA);
  ASSERT_TRUE(LogActivity(m_db, Visit(id, kNow), m_org.repA));
  ASSERT_EQ(Open(id)[0].second, kNow + 30 * kDay);
  ASSERT_TRUE(SetGrade(m_db, id, Grade::A, "三个月内很可能成交", m_org.repA));
  auto open = Open(id);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].second, kNow + 7 * kDay);
  ASSERT_TRUE(SetGrade(m_db, id, Grade::D, "一年内无成交可能", m_org.repA));
  EXPECT_EQ(Open(id)[0].second, kNow + 90 * kDay);
}

TEST_F(FollowupsTest, DueListsSplitByWindowPerRepAndPerTeam) {
  int64_t a1 = m_org.Customer("甲一", m_org.repA);
  int64_t a2 = m_org.Customer("甲二", m_org.repA);
  int64_t a3 = m_org.Customer("甲三", m_org.repA);
  int64_t a4 = m_org.Customer("甲四", m_org.repA);
  int64_t b1 = m_org.Customer("乙一", m_org.repB);
  int64_t w1 = m_org.Customer("西一", m_org.repWest);
  int64_t w2 = m_org.Customer("西二", m_org.store);
  int64_t gone = m_org.Customer("已删除", m_org.repA);
  SetDue(ClassFollowupId(a1), kToday - 1);           // last minute of yesterday: overdue
  SetDue(ClassFollowupId(a2), kToday);               // first minute of today
  SetDue(ClassFollowupId(a3), kToday + 6 * kDay + 1);  // within the week
  SetDue(ClassFollowupId(a4), kToday + 7 * kDay);    // upcoming
  SetDue(ClassFollowupId(b1), kToday - 3 * kDay);    // overdue, same team
  SetDue(ClassFollowupId(w1), kToday - 2 * kDay);    // overdue, other team
  SetDue(ClassFollowupId(w2), kToday - 4 * kDay);    // overdue, other team, another member
  SetDue(ClassFollowupId(gone), kToday - 5 * kDay);
  ASSERT_TRUE(TrashCustomer(m_db, gone, m_org.repA));

  auto names = [&](DueWindow window, std::optional<int64_t> owner, std::optional<int64_t> team) {
    DueQuery query;
    query.window = window;
    query.ownerId = owner;
    query.teamId = team;
    query.nowMs = kNow;
    auto list = DueFollowups(m_db, query);
    EXPECT_TRUE(list) << list.Message();
    std::vector<std::string> out;
    for (const Followup& f : list.Value()) out.push_back(f.customerName);
    return out;
  };
  using V = std::vector<std::string>;
  int64_t repA = m_org.repA.userId;
  EXPECT_EQ(names(DueWindow::Overdue, repA, std::nullopt), V{"甲一"});
  EXPECT_EQ(names(DueWindow::Today, repA, std::nullopt), V{"甲二"});
  EXPECT_EQ(names(DueWindow::ThisWeek, repA, std::nullopt), V{"甲三"});
  EXPECT_EQ(names(DueWindow::Upcoming, repA, std::nullopt), V{"甲四"});
  EXPECT_EQ(names(DueWindow::Overdue, std::nullopt, m_org.east), (V{"乙一", "甲一"}));  // by due time
  // East is most of this small organisation (one walk in due order), West a small share (members merged).
  EXPECT_EQ(names(DueWindow::Overdue, std::nullopt, m_org.west), (V{"西二", "西一"}));
  EXPECT_EQ(names(DueWindow::Today, std::nullopt, m_org.west), V{});
  EXPECT_EQ(names(DueWindow::Today, std::nullopt, m_org.east), V{"甲二"});
  EXPECT_EQ(names(DueWindow::Overdue, std::nullopt, std::nullopt), (V{"西二", "乙一", "西一", "甲一"}));
  DueQuery limited;
  limited.window = DueWindow::Overdue;
  limited.teamId = m_org.west;
  limited.nowMs = kNow;
  limited.limit = 1;
  ASSERT_EQ(DueFollowups(m_db, limited).Value().size(), 1u);
  EXPECT_EQ(DueFollowups(m_db, limited).Value()[0].customerName, "西二");
  limited.teamId = 31337;
  EXPECT_EQ(DueFollowups(m_db, limited).Code(), ErrorCode::NotFound);

  DueQuery query;
  query.window = DueWindow::Today;
  query.ownerId = repA;
  query.nowMs = kNow;
  auto today = DueFollowups(m_db, query).Value();
  ASSERT_EQ(today.size(), 1u);
  EXPECT_EQ(today[0].grade, Grade::C);
  EXPECT_EQ(today[0].reason, FollowupReason::ClassRule);
  EXPECT_EQ(today[0].ownerId, repA);
  // At 23:59 local the same follow-up is still today's; at 00:00 the next day it is overdue.
  query.nowMs = kToday + kDay - 60000;
  EXPECT_EQ(DueFollowups(m_db, query).Value().size(), 1u);
  query.window = DueWindow::Overdue;
  query.nowMs = kToday + kDay;
  EXPECT_EQ(DueFollowups(m_db, query).Value().size(), 2u);

  query.teamId = m_org.east;
  EXPECT_EQ(DueFollowups(m_db, query).Code(), ErrorCode::Invalid) << "a rep or a team, not both";
}

// A small team's list merges its members' due orders: every limit gives the first rows of (due time, id),
// ties included, whichever member they belong to.
TEST_F(FollowupsTest, ASmallTeamsDueListIsThePrefixOfOneDueOrder) {
  std::vector<std::pair<int64_t, int64_t>> expected;  // (due, follow-up id)
  for (int i = 0; i < 12; i++) {
    const Actor& owner = i % 3 == 0 ? m_org.store : m_org.repWest;
    int64_t customer = m_org.Customer(("西" + std::to_string(i)).c_str(), owner);
    int64_t followup = ClassFollowupId(customer);
    int64_t due = kToday - (1 + (i * 7) % 4) * kDay;  // four distinct days, so ties across members
    SetDue(followup, due);
    expected.push_back({due, followup});
  }
  std::sort(expected.begin(), expected.end());
  for (int limit = 1; limit <= 13; limit++) {
    DueQuery query;
    query.window = DueWindow::Overdue;
    query.teamId = m_org.west;
    query.nowMs = kNow;
    query.limit = limit;
    auto list = DueFollowups(m_db, query);
    ASSERT_TRUE(list) << list.Message();
    std::vector<std::pair<int64_t, int64_t>> got;
    for (const Followup& f : list.Value()) got.push_back({f.dueAt, f.id});
    std::vector<std::pair<int64_t, int64_t>> prefix(expected.begin(), expected.begin() + std::min<size_t>(limit, expected.size()));
    EXPECT_EQ(got, prefix) << "limit " << limit;
  }
}

TEST_F(FollowupsTest, TheOrganisationTimeZoneDecidesWhatToday) {
  int64_t id = m_org.Customer("时区客户", m_org.repA);
  SetDue(ClassFollowupId(id), Local(2026, 3, 2, 7));  // 07:00 China = 23:00 UTC the day before
  DueQuery query;
  query.ownerId = m_org.repA.userId;
  query.nowMs = kNow;
  EXPECT_EQ(DueFollowups(m_db, query).Value().size(), 1u);
  ASSERT_TRUE(SetSettingInt(m_db, "org.utc_offset_minutes", 0, m_org.admin));  // UTC: that was yesterday
  EXPECT_EQ(DueFollowups(m_db, query).Value().size(), 0u);
  query.window = DueWindow::Overdue;
  EXPECT_EQ(DueFollowups(m_db, query).Value().size(), 1u);
}

TEST_F(FollowupsTest, BirthdaysArePlannedOncePerYearAndFeb29FallsOnFeb28) {
  CustomerInput input;
  input.name = "闰年生日";
  input.birthday = "02-29";
  input.anniversary = "2010-03-01";
  auto id = CreateCustomer(m_db, input, m_org.repA);
  ASSERT_TRUE(id) << id.Message();
  CustomerInput other;
  other.name = "夏天生日";
  other.birthday = "1980-07-15";
  ASSERT_TRUE(CreateCustomer(m_db, other, m_org.repA));

  int64_t from = Local(2027, 2, 20, 10);
  auto planned = PlanDateFollowups(m_db, from, 14, m_org.repA);
  ASSERT_TRUE(planned) << planned.Message();
  EXPECT_EQ(planned.Value(), 2);  // the birthday and the anniversary; not the July birthday
  auto dates = Open(id.Value());
  ASSERT_EQ(dates.size(), 3u);  // with the class follow-up
  auto due = [&](const char* reason) {
    for (auto& [r, at] : dates) {
      if (r == reason) return at;
    }
    return int64_t{0};
  };
  EXPECT_EQ(due("birthday"), Local(2027, 2, 28, 9));
  EXPECT_EQ(due("anniversary"), Local(2027, 3, 1, 9));

  EXPECT_EQ(PlanDateFollowups(m_db, from, 14, m_org.repA).Value(), 0) << "idempotent";
  // Even once done or cancelled, a year's greeting is not planned again.
  auto stmt = m_db.PrepareOnce("SELECT id FROM followups WHERE reason = 'birthday'").Value();
  ASSERT_TRUE(stmt.Step().Value());
  int64_t birthday = stmt.Int64(0);
  stmt.Reset();
  ASSERT_TRUE(CancelFollowup(m_db, birthday, "客户出国", m_org.repA));
  EXPECT_EQ(PlanDateFollowups(m_db, Local(2027, 2, 1), 60, m_org.repA).Value(), 0);

  // In a leap year the birthday is on the day itself.
  EXPECT_EQ(PlanDateFollowups(m_db, Local(2028, 2, 25), 10, m_org.repA).Value(), 2);
  EXPECT_EQ(m_db.QueryInt("SELECT max(due_at) FROM followups WHERE reason = 'birthday'").Value(), Local(2028, 2, 29, 9));

  EXPECT_EQ(PlanDateFollowups(m_db, from, 0, m_org.repA).Code(), ErrorCode::Invalid);
  EXPECT_EQ(PlanDateFollowups(m_db, from, 7, Actor{999, 1}).Code(), ErrorCode::Denied);
}

TEST_F(FollowupsTest, CompleteAndCancelRefuseWhatCannotBeDone) {
  int64_t id = m_org.Customer("完成客户", m_org.repA);
  int64_t followup = ClassFollowupId(id);
  EXPECT_EQ(CompleteFollowup(m_db, 777, "x", std::nullopt, m_org.repA).Code(), ErrorCode::NotFound);
  EXPECT_EQ(CancelFollowup(m_db, 777, "x", m_org.repA).Code(), ErrorCode::NotFound);
  Status noResult = CompleteFollowup(m_db, followup, "  ", std::nullopt, m_org.repA);
  EXPECT_EQ(noResult.Code(), ErrorCode::Invalid);
  EXPECT_NE(noResult.Message().find("result"), std::string::npos);
  EXPECT_EQ(CompleteFollowup(m_db, followup, "ok", int64_t{555}, m_org.repA).Code(), ErrorCode::NotFound);

  ASSERT_TRUE(CompleteFollowup(m_db, followup, "电话沟通，客户满意", std::nullopt, m_org.repA));
  Status again = CompleteFollowup(m_db, followup, "再来一次", std::nullopt, m_org.repA);
  EXPECT_EQ(again.Code(), ErrorCode::Conflict);
  EXPECT_NE(again.Message().find("already done"), std::string::npos);
  EXPECT_EQ(CancelFollowup(m_db, followup, "x", m_org.repA).Code(), ErrorCode::Conflict);
  // The next one is planned one interval after the completion.
  int64_t doneAt = m_db.QueryInt("SELECT done_at FROM followups WHERE id = " + std::to_string(followup)).Value();
  auto open = Open(id);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].second, doneAt + 30 * kDay);

  int64_t next = ClassFollowupId(id);
  EXPECT_EQ(CancelFollowup(m_db, next, "", m_org.repA).Code(), ErrorCode::Invalid);
  ASSERT_TRUE(CancelFollowup(m_db, next, "客户本月休假", m_org.repA));
  EXPECT_EQ(m_db.QueryInt("SELECT count(*) FROM followups WHERE status = 'cancelled' AND id = " + std::to_string(next)).Value(), 1);
  ASSERT_EQ(Open(id).size(), 1u) << "skipping a round plans the next";
  EXPECT_NE(ClassFollowupId(id), next);
}

TEST_F(FollowupsTest, ARepCannotWorkAnotherRepsCustomer) {
  int64_t id = m_org.Customer("张三的客户", m_org.repA);
  int64_t followup = ClassFollowupId(id);
  EXPECT_EQ(LogActivity(m_db, Visit(id, kNow), m_org.repB).Code(), ErrorCode::Denied);
  EXPECT_EQ(CompleteFollowup(m_db, followup, "抢着回访", std::nullopt, m_org.repB).Code(), ErrorCode::Denied);
  EXPECT_EQ(CancelFollowup(m_db, followup, "不想回访", m_org.repB).Code(), ErrorCode::Denied);
  EXPECT_EQ(ScheduleFollowup(m_db, id, kNow, FollowupReason::Manual, "", m_org.repB).Code(), ErrorCode::Denied);
  EXPECT_EQ(m_db.QueryInt("SELECT count(*) FROM activities").Value(), 0);
  // Their supervisor may.
  EXPECT_TRUE(LogActivity(m_db, Visit(id, kNow), m_org.supervisor));
}

TEST_F(FollowupsTest, BadActivityInputIsRefusedNamingTheField) {
  int64_t id = m_org.Customer("校验客户", m_org.repA);
  int64_t other = m_org.Customer("别的客户", m_org.repA);
  EXPECT_EQ(LogActivity(m_db, Visit(424242, kNow), m_org.repA).Code(), ErrorCode::NotFound);

  auto bad = LogActivity(m_db, Visit(id, kNow, "拜访\xFF小结"), m_org.repA);
  EXPECT_EQ(bad.Code(), ErrorCode::Invalid);
  EXPECT_NE(bad.Message().find("summary"), std::string::npos);
  EXPECT_NE(bad.Message().find("UTF-8"), std::string::npos);
  EXPECT_EQ(LogActivity(m_db, Visit(id, kNow, "   "), m_org.repA).Code(), ErrorCode::Invalid);

  ActivityInput input = Visit(id, kNow);
  input.kind = static_cast<ActivityKind>(99);
  EXPECT_EQ(LogActivity(m_db, input, m_org.repA).Code(), ErrorCode::Invalid);
  input = Visit(id, NowMs() + 3 * kDay);
  EXPECT_NE(LogActivity(m_db, input, m_org.repA).Message().find("occurred at"), std::string::npos);
  input = Visit(id, 1234567);  // seconds, not milliseconds
  EXPECT_EQ(LogActivity(m_db, input, m_org.repA).Code(), ErrorCode::Invalid);

  ContactInput contact;
  contact.name = "李经理";
  auto contactId = AddContact(m_db, other, contact, m_org.repA);
  ASSERT_TRUE(contactId) << contactId.Message();
  input = Visit(id, kNow);
  input.contactId = contactId.Value();
  auto wrong = LogActivity(m_db, input, m_org.repA);
  EXPECT_EQ(wrong.Code(), ErrorCode::Invalid);
  EXPECT_NE(wrong.Message().find("contact"), std::string::npos);
  input.customerId = other;
  EXPECT_TRUE(LogActivity(m_db, input, m_org.repA));

  EXPECT_EQ(ScheduleFollowup(m_db, id, kNow, FollowupReason::ClassRule, "", m_org.repA).Code(), ErrorCode::Invalid);
  EXPECT_EQ(ScheduleFollowup(m_db, id, 0, FollowupReason::FirstUse, "", m_org.repA).Code(), ErrorCode::Invalid);
  EXPECT_TRUE(ScheduleFollowup(m_db, id, kNow + 3 * kDay, FollowupReason::FirstUse, "安装后使用指导", m_org.repA));

  ASSERT_TRUE(TrashCustomer(m_db, id, m_org.repA));
  EXPECT_EQ(LogActivity(m_db, Visit(id, kNow), m_org.repA).Code(), ErrorCode::Invalid);
  EXPECT_TRUE(EnsureClassFollowup(m_db, id, m_org.repA)) << "nothing to plan for the trash, and no error";
}

TEST_F(FollowupsTest, AnyRepMayVisitAPoolCustomerAndTheVisitCountsForThePool) {
  int64_t id = m_org.PoolCustomer("公海线索");
  ASSERT_TRUE(LogActivity(m_db, Visit(id, kNow), m_org.repWest));
  EXPECT_EQ(m_db.QueryInt("SELECT last_activity_at FROM customers WHERE id = " + std::to_string(id)).Value(), kNow);
  auto open = Open(id);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].second, kNow + 30 * kDay);
  EXPECT_EQ(m_db.QueryInt("SELECT count(*) FROM followups WHERE owner_id IS NULL AND status = 'open' AND customer_id = " +
                          std::to_string(id)).Value(), 1);
  EXPECT_EQ(ActivitiesOf(m_db, id).Value()[0].userId, m_org.repWest.userId);
}

TEST_F(FollowupsTest, FollowupTextsMustBeValidUtf8) {
  int64_t id = m_org.Customer("文本客户", m_org.repA);
  auto note = ScheduleFollowup(m_db, id, kNow + kDay, FollowupReason::InUse, "剩余\xE4\xB8", m_org.repA);
  EXPECT_EQ(note.Code(), ErrorCode::Invalid);
  EXPECT_NE(note.Message().find("note"), std::string::npos);
  Status why = CancelFollowup(m_db, ClassFollowupId(id), "\xFF", m_org.repA);
  EXPECT_EQ(why.Code(), ErrorCode::Invalid);
  EXPECT_NE(why.Message().find("reason"), std::string::npos);
  EXPECT_EQ(Open(id).size(), 1u);
}

TEST_F(FollowupsTest, EveryFollowupWriteIsAudited) {
  int64_t id = m_org.Customer("审计客户", m_org.repA);
  ASSERT_TRUE(LogActivity(m_db, Visit(id, kNow), m_org.repA));
  EXPECT_GT(m_db.QueryInt("SELECT count(*) FROM audit_log WHERE table_name = 'activities' AND user_id = " +
                          std::to_string(m_org.repA.userId) + " AND device_id = " + std::to_string(m_org.repA.deviceId)).Value(), 0);
  EXPECT_GT(m_db.QueryInt("SELECT count(*) FROM audit_log WHERE table_name = 'customers' AND field = 'last_activity_at'").Value(), 0);
}

TEST_F(FollowupsTest, LocalDatesFormatAndParseInTheOrganisationsZone) {
  EXPECT_EQ(UtcOffsetMinutes(m_db).Value(), 480);
  EXPECT_EQ(LocalDateText(kNow, 480), "2026-03-02");
  EXPECT_EQ(LocalDateTimeText(kNow + 5 * 60000, 480), "2026-03-02 10:05");
  // 23:30 UTC on the 1st is already the 2nd in China, and still the 1st in London.
  int64_t late = DaysFromCivil(2026, 3, 1) * kDay + 23 * kHour + 30 * 60000;
  EXPECT_EQ(LocalDateText(late, 480), "2026-03-02");
  EXPECT_EQ(LocalDateText(late, 0), "2026-03-01");
  EXPECT_EQ(LocalDateText(Local(1969, 12, 31, 12), 480), "1969-12-31");
  EXPECT_EQ(LocalDayStartAt(kNow, 480), kToday);
  EXPECT_EQ(LocalDayStartAt(kNow, 480), LocalDayStart(m_db, kNow).Value());
  EXPECT_EQ(LocalDayStartAt(late, 0), DaysFromCivil(2026, 3, 1) * kDay);
  EXPECT_EQ(LocalDateToMs(m_db, "2026-03-09").Value(), Local(2026, 3, 9, 9));
  EXPECT_EQ(LocalDateToMs(m_db, "2026年3月9日", 0).Value(), Local(2026, 3, 9));
  EXPECT_EQ(LocalDateText(LocalDateToMs(m_db, "2026/12/31", 23 * 60 + 59).Value(), 480), "2026-12-31");
  auto yearless = LocalDateToMs(m_db, "03-09", 540, "next follow-up");
  ASSERT_FALSE(yearless);
  EXPECT_EQ(yearless.Message().rfind("next follow-up", 0), 0u) << yearless.Message();
  EXPECT_EQ(LocalDateToMs(m_db, "2026-02-30").Code(), ErrorCode::Invalid);
  EXPECT_FALSE(LocalDateToMs(m_db, "2026-03-09", 1440));
}

TEST_F(FollowupsTest, FollowupsOfListsOpenOnesByDueThenClosedNewestFirst) {
  int64_t id = m_org.Customer("详情客户", m_org.repA);
  Since(id, kNow - 40 * kDay);
  int64_t later = ScheduleFollowup(m_db, id, kNow + 3 * kDay, FollowupReason::Manual, "报价", m_org.repA).Value();
  int64_t sooner = ScheduleFollowup(m_db, id, kNow + kDay, FollowupReason::InUse, "", m_org.repA).Value();
  int64_t done = ScheduleFollowup(m_db, id, kNow + 2 * kDay, FollowupReason::Complaint, "", m_org.repA).Value();
  // Done without CompleteFollowup, which would re-plan the class follow-up from the real clock.
  ASSERT_TRUE(Sql("UPDATE followups SET status = 'done', result = '已处理', done_at = " + std::to_string(kNow) +
                  " WHERE id = " + std::to_string(done)));
  auto list = FollowupsOf(m_db, id);
  ASSERT_TRUE(list) << list.Message();
  ASSERT_EQ(list.Value().size(), 4u);
  // The class follow-up is overdue (40 days > 30), so it comes first among the open ones.
  EXPECT_EQ(list.Value()[0].reason, FollowupReason::ClassRule);
  EXPECT_EQ(list.Value()[1].id, sooner);
  EXPECT_EQ(list.Value()[2].id, later);
  EXPECT_EQ(list.Value()[2].note, "报价");
  EXPECT_EQ(list.Value()[3].id, done);
  EXPECT_EQ(list.Value()[3].status, FollowupStatus::Done);
  EXPECT_EQ(list.Value()[3].result, "已处理");
  EXPECT_EQ(list.Value()[3].customerName, "详情客户");
  EXPECT_EQ(FollowupsOf(m_db, id, 2).Value().size(), 2u);
  EXPECT_EQ(FollowupsOf(m_db, 12345).Code(), ErrorCode::NotFound);
}

TEST_F(FollowupsTest, RescheduleMovesAnEventFollowupAndSkipsTheClassRoundForAManualOne) {
  int64_t id = m_org.Customer("改期客户", m_org.repA);
  int64_t manual = ScheduleFollowup(m_db, id, kNow + kDay, FollowupReason::Manual, "送样品", m_org.repA).Value();
  auto moved = RescheduleFollowup(m_db, manual, kNow + 4 * kDay, m_org.repA);
  ASSERT_TRUE(moved) << moved.Message();
  EXPECT_EQ(moved.Value(), manual);
  EXPECT_EQ(m_db.QueryInt("SELECT due_at FROM followups WHERE id = " + std::to_string(manual)).Value(), kNow + 4 * kDay);

  // The grade rule's own follow-up: skipped with the reason, and a manual one planned at the new time.
  int64_t classId = ClassFollowupId(id);
  int64_t due = LocalDateToMs(m_db, "2026-03-05").Value();
  auto planned = RescheduleFollowup(m_db, classId, due, m_org.repA);
  ASSERT_TRUE(planned) << planned.Message();
  EXPECT_NE(planned.Value(), classId);
  EXPECT_EQ(m_db.QueryInt("SELECT status = 'cancelled' AND result = 'rescheduled to 2026-03-05' FROM followups WHERE id = " +
                          std::to_string(classId)).Value(), 1);
  EXPECT_EQ(m_db.QueryInt("SELECT due_at FROM followups WHERE reason = 'manual' AND id = " +
                          std::to_string(planned.Value())).Value(), due);
  // The rule still plans its next round.
  EXPECT_EQ(m_db.QueryInt("SELECT count(*) FROM followups WHERE status = 'open' AND reason = 'class_rule' AND customer_id = " +
                          std::to_string(id)).Value(), 1);

  EXPECT_EQ(RescheduleFollowup(m_db, classId, due, m_org.repA).Code(), ErrorCode::Conflict);
  EXPECT_EQ(RescheduleFollowup(m_db, manual, due, m_org.repWest).Code(), ErrorCode::Denied);
  EXPECT_EQ(RescheduleFollowup(m_db, manual, 5, m_org.repA).Code(), ErrorCode::Invalid);
  EXPECT_EQ(RescheduleFollowup(m_db, 999, due, m_org.repA).Code(), ErrorCode::NotFound);
}

}  // namespace
}  // namespace crm
