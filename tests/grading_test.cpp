#include "core/grading.h"

#include <gtest/gtest.h>

#include "core/followups.h"
#include "core/validate.h"
#include "tests/test_support.h"

namespace crm {
namespace {

using testing_support::TestOrg;

constexpr int64_t kDay = 86400000;
constexpr int64_t kYuan = 100;  // cents
// 2026-03-02 10:00 in China.
const int64_t kNow = DaysFromCivil(2026, 3, 2) * kDay + 2 * 3600000;

class GradingTest : public testing::Test {
 protected:
  TestOrg m_org;
  Db& m_db = m_org.db;

  void Visits(int64_t customerId, int count, const Actor& actor) {
    for (int i = 0; i < count; i++) {
      ActivityInput input;
      input.customerId = customerId;
      input.occurredAt = kNow - (2 + i) * kDay;
      input.summary = "拜访";
      ASSERT_TRUE(LogActivity(m_db, input, actor));
    }
  }

  std::string Stage(int64_t id) {
    auto stmt = m_db.PrepareOnce("SELECT stage, lost_reason FROM customers WHERE id = ?").Value();
    stmt.Bind(1, id);
    EXPECT_TRUE(stmt.Step().Value());
    return stmt.String(0) + (stmt.Text(1).empty() ? "" : "/" + stmt.String(1));
  }
};

TEST_F(GradingTest, TheSuggestionPrefersAProfitableCustomerOverABigThinMarginBuyer) {
  int64_t profitable = m_org.Customer("高毛利小客户", m_org.repA);
  int64_t big = m_org.Customer("大客户薄利", m_org.repA);
  Visits(profitable, 3, m_org.repA);
  Visits(big, 3, m_org.repA);
  // ¥400k at 50% margin against ¥4M (ten times the volume) at 2%.
  for (int i = 0; i < 2; i++) {
    ASSERT_TRUE(AddOrder(m_db, profitable, 200000 * kYuan, 100000 * kYuan, kNow - (10 + i) * kDay, m_org.repA));
    ASSERT_TRUE(AddOrder(m_db, big, 2000000 * kYuan, 1960000 * kYuan, kNow - (10 + i) * kDay, m_org.repA));
  }
  auto good = SuggestGrade(m_db, profitable, kNow);
  auto thin = SuggestGrade(m_db, big, kNow);
  ASSERT_TRUE(good) << good.Message();
  ASSERT_TRUE(thin) << thin.Message();
  EXPECT_GT(thin.Value().revenue365dCents, 9 * good.Value().revenue365dCents);
  EXPECT_EQ(good.Value().margin365dCents, 200000 * kYuan);
  EXPECT_EQ(thin.Value().margin365dCents, 80000 * kYuan);
  EXPECT_GT(good.Value().score, thin.Value().score + 10);
  EXPECT_EQ(good.Value().grade, Grade::A);
  EXPECT_EQ(thin.Value().grade, Grade::B);
  EXPECT_EQ(good.Value().daysSinceActivity, 2);
  EXPECT_EQ(good.Value().activities90d, 3);
  EXPECT_EQ(good.Value().orders365d, 2);
  EXPECT_NE(good.Value().why.find("margin"), std::string::npos);
  EXPECT_NE(thin.Value().why.find("(2%)"), std::string::npos) << thin.Value().why;
}

TEST_F(GradingTest, AnUntouchedCustomerIsSuggestedDAndOrdersWithoutCostAddNoMargin) {
  int64_t id = m_org.Customer("沉睡客户", m_org.repA);
  auto quiet = SuggestGrade(m_db, id, kNow).Value();
  EXPECT_EQ(quiet.grade, Grade::D);
  EXPECT_EQ(quiet.daysSinceActivity, -1);
  ASSERT_TRUE(AddOrder(m_db, id, 500000 * kYuan, std::nullopt, kNow - kDay, m_org.repA));
  auto uncosted = SuggestGrade(m_db, id, kNow).Value();
  EXPECT_EQ(uncosted.revenue365dCents, 500000 * kYuan);
  EXPECT_EQ(uncosted.margin365dCents, 0);
  EXPECT_NE(uncosted.why.find("without cost"), std::string::npos);
  // Old orders fall out of the year.
  EXPECT_EQ(SuggestGrade(m_db, id, kNow + 400 * kDay).Value().orders365d, 0);
  EXPECT_EQ(SuggestGrade(m_db, 31337, kNow).Code(), ErrorCode::NotFound);
}

TEST_F(GradingTest, GradeChangesNeedAReasonAndKeepWhoWhyAndTheSuggestion) {
  int64_t id = m_org.Customer("分级客户", m_org.repA);
  Status empty = SetGrade(m_db, id, Grade::A, " \xE3\x80\x80", m_org.repA);
  EXPECT_EQ(empty.Code(), ErrorCode::Invalid);
  EXPECT_NE(empty.Message().find("reason"), std::string::npos);
  EXPECT_EQ(SetGrade(m_db, id, Grade::A, "原因\xC0", m_org.repA).Code(), ErrorCode::Invalid);
  EXPECT_EQ(SetGrade(m_db, id, static_cast<Grade>(7), "x", m_org.repA).Code(), ErrorCode::Invalid);
  EXPECT_EQ(SetGrade(m_db, 999, Grade::A, "x", m_org.repA).Code(), ErrorCode::NotFound);
  EXPECT_TRUE(GradeHistory(m_db, id).Value().empty());

  ASSERT_TRUE(SetGrade(m_db, id, Grade::A, "签了年度框架协议", m_org.repA));
  ASSERT_TRUE(SetGrade(m_db, id, Grade::A, "重复设置", m_org.repA));  // no change: nothing recorded
  ASSERT_TRUE(SetGrade(m_db, id, Grade::B, "付款拖延，需要跟进", m_org.supervisor));
  auto history = GradeHistory(m_db, id).Value();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].newGrade, Grade::B);
  EXPECT_EQ(history[0].oldGrade, Grade::A);
  EXPECT_EQ(history[0].byUserId, m_org.supervisor.userId);
  EXPECT_EQ(history[0].reason, "付款拖延，需要跟进");
  EXPECT_EQ(history[1].oldGrade, Grade::C);
  EXPECT_EQ(history[1].newGrade, Grade::A);
  EXPECT_EQ(history[1].byUserId, m_org.repA.userId);
  EXPECT_EQ(history[1].suggested, Grade::D) << "an untouched customer: the data disagreed with the rep";
  EXPECT_GT(history[0].at, history[1].at);
  EXPECT_EQ(m_db.QueryInt("SELECT count(*) FROM audit_log WHERE table_name = 'customers' AND field = 'grade' AND user_id = " +
                          std::to_string(m_org.supervisor.userId)).Value(), 1);
}

TEST_F(GradingTest, ARepCannotRegradeOrMoveAnotherRepsCustomer) {
  int64_t id = m_org.Customer("张三的客户", m_org.repA);
  EXPECT_EQ(SetGrade(m_db, id, Grade::D, "抢客户", m_org.repB).Code(), ErrorCode::Denied);
  EXPECT_EQ(SetStage(m_db, id, Stage::Lost, LostReason::Price, m_org.repB).Code(), ErrorCode::Denied);
  EXPECT_EQ(AddOrder(m_db, id, 100, 50, kNow, m_org.repWest).Code(), ErrorCode::Denied);
  EXPECT_TRUE(GradeHistory(m_db, id).Value().empty());
  EXPECT_EQ(Stage(id), "prospect");
}

TEST_F(GradingTest, LostNeedsAReasonAndOnlyLostCustomersAreWonBack) {
  int64_t id = m_org.Customer("流失客户", m_org.repA);
  EXPECT_EQ(SetStage(m_db, id, Stage::WonBack, LostReason::None, m_org.repA).Code(), ErrorCode::Invalid);
  Status noReason = SetStage(m_db, id, Stage::Lost, LostReason::None, m_org.repA);
  EXPECT_EQ(noReason.Code(), ErrorCode::Invalid);
  EXPECT_NE(noReason.Message().find("lost_reason"), std::string::npos);
  EXPECT_EQ(SetStage(m_db, id, Stage::Repeat, LostReason::Price, m_org.repA).Code(), ErrorCode::Invalid);

  ASSERT_TRUE(SetStage(m_db, id, Stage::Lost, LostReason::Price, m_org.repA));
  EXPECT_EQ(Stage(id), "lost/price");
  int64_t lostAt = m_db.QueryInt("SELECT lost_at FROM customers WHERE id = " + std::to_string(id)).Value();
  EXPECT_GT(lostAt, 0);
  ASSERT_TRUE(SetStage(m_db, id, Stage::Lost, LostReason::Service, m_org.repA));  // correcting the reason
  EXPECT_EQ(Stage(id), "lost/service");
  EXPECT_EQ(m_db.QueryInt("SELECT lost_at FROM customers WHERE id = " + std::to_string(id)).Value(), lostAt);
  EXPECT_EQ(SuggestGrade(m_db, id, kNow).Value().grade, Grade::D);

  ASSERT_TRUE(SetStage(m_db, id, Stage::WonBack, LostReason::None, m_org.repA));
  EXPECT_EQ(Stage(id), "won_back") << "leaving Lost clears the reason";
}

TEST_F(GradingTest, TheWinBackListPutsTheMostProfitableLostCustomersFirst) {
  int64_t small = m_org.Customer("小流失", m_org.repA);
  int64_t large = m_org.Customer("大流失", m_org.repA);
  int64_t volume = m_org.Customer("量大利薄流失", m_org.repA);
  int64_t active = m_org.Customer("在做客户", m_org.repA);
  ASSERT_TRUE(AddOrder(m_db, small, 10000 * kYuan, 8000 * kYuan, kNow, m_org.repA));
  ASSERT_TRUE(AddOrder(m_db, large, 100000 * kYuan, 40000 * kYuan, kNow, m_org.repA));
  ASSERT_TRUE(AddOrder(m_db, volume, 900000 * kYuan, 890000 * kYuan, kNow, m_org.repA));
  ASSERT_TRUE(AddOrder(m_db, active, 900000 * kYuan, 100 * kYuan, kNow, m_org.repA));
  for (int64_t id : {small, large, volume}) ASSERT_TRUE(SetStage(m_db, id, Stage::Lost, LostReason::Price, m_org.repA));
  auto list = WinBackList(m_db).Value();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].name, "大流失");
  EXPECT_EQ(list[1].name, "量大利薄流失");
  EXPECT_EQ(list[2].name, "小流失");
  EXPECT_EQ(list[0].stage, Stage::Lost);
  EXPECT_EQ(WinBackList(m_db, 0).Code(), ErrorCode::Invalid);
}

TEST_F(GradingTest, OrdersMoveTheLifecycleAndBadAmountsAreRefused) {
  int64_t id = m_org.Customer("下单客户", m_org.repA);
  auto negative = AddOrder(m_db, id, -1, std::nullopt, kNow, m_org.repA);
  EXPECT_EQ(negative.Code(), ErrorCode::Invalid);
  EXPECT_NE(negative.Message().find("amount"), std::string::npos);
  EXPECT_EQ(AddOrder(m_db, id, 100, -5, kNow, m_org.repA).Code(), ErrorCode::Invalid);
  EXPECT_NE(AddOrder(m_db, id, 100, 1001, kNow, m_org.repA).Message().find("cost"), std::string::npos);
  EXPECT_EQ(AddOrder(m_db, id, 100, 50, 1000, m_org.repA).Code(), ErrorCode::Invalid);
  EXPECT_EQ(AddOrder(m_db, 4242, 100, 50, kNow, m_org.repA).Code(), ErrorCode::NotFound);
  EXPECT_EQ(AddOrder(m_db, id, INT64_MAX, std::nullopt, kNow, m_org.repA).Code(), ErrorCode::Invalid);
  EXPECT_EQ(Stage(id), "prospect");

  ASSERT_TRUE(AddOrder(m_db, id, 100 * kYuan, 60 * kYuan, kNow, m_org.repA));
  EXPECT_EQ(Stage(id), "first_deal");
  ASSERT_TRUE(AddOrder(m_db, id, 100 * kYuan, 60 * kYuan, kNow, m_org.repA));
  EXPECT_EQ(Stage(id), "repeat");
  ASSERT_TRUE(AddOrder(m_db, id, 100 * kYuan, 60 * kYuan, kNow, m_org.repA));
  EXPECT_EQ(Stage(id), "repeat") << "loyal is set by hand";
  ASSERT_TRUE(SetStage(m_db, id, Stage::Lost, LostReason::Relationship, m_org.repA));
  ASSERT_TRUE(AddOrder(m_db, id, 100 * kYuan, 60 * kYuan, kNow, m_org.repA));
  EXPECT_EQ(Stage(id), "won_back") << "an order from a lost customer wins it back";
  EXPECT_EQ(m_db.QueryInt("SELECT count(*) FROM orders WHERE customer_id = " + std::to_string(id)).Value(), 4);
}

}  // namespace
}  // namespace crm
