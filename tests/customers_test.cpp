#include "core/customers.h"

#include <gtest/gtest.h>

#include "core/schema.h"

namespace crm {
namespace {

class CustomersTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Migrate(m_db)); }
  Db m_db = Db::OpenMemory().Value();
  Actor m_actor{7, 9};
};

TEST_F(CustomersTest, AddedCustomersAreCountedAndAttributed) {
  EXPECT_EQ(CountCustomers(m_db).Value(), 0);
  auto id = AddCustomer(m_db, "  佛山市南海区铝门窗经销部  ", m_actor);
  ASSERT_TRUE(id) << id.Message();
  EXPECT_EQ(CountCustomers(m_db).Value(), 1);
  auto row = m_db.Prepare("SELECT name, created_by, updated_by, device_id, created_at FROM customers WHERE id = ?");
  ASSERT_TRUE(row);
  row.Value().Bind(1, id.Value());
  ASSERT_TRUE(row.Value().Step().Value());
  EXPECT_EQ(row.Value().String(0), "佛山市南海区铝门窗经销部");
  EXPECT_EQ(row.Value().Int64(1), 7);
  EXPECT_EQ(row.Value().Int64(2), 7);
  EXPECT_EQ(row.Value().Int64(3), 9);
  EXPECT_GT(row.Value().Int64(4), 0);
}

TEST_F(CustomersTest, EmptyNameIsRefusedWithTheField) {
  auto id = AddCustomer(m_db, " \xE3\x80\x80 ", m_actor);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.Code(), ErrorCode::Invalid);
  EXPECT_EQ(id.Message(), "name: required");
  EXPECT_EQ(CountCustomers(m_db).Value(), 0);
}

TEST_F(CustomersTest, InvalidUtf8IsRefused) {
  auto id = AddCustomer(m_db, "王\xFF五", m_actor);
  ASSERT_FALSE(id);
  EXPECT_NE(id.Message().find("UTF-8"), std::string::npos);
}

TEST_F(CustomersTest, OverlongNameIsRefused) {
  std::string name;
  for (size_t i = 0; i <= kMaxNameLength; i++) name += "客";
  auto id = AddCustomer(m_db, name, m_actor);
  ASSERT_FALSE(id);
  EXPECT_NE(id.Message().find("at most"), std::string::npos);
}

TEST_F(CustomersTest, SoftDeletedCustomersAreNotCounted) {
  auto id = AddCustomer(m_db, "张三", m_actor);
  ASSERT_TRUE(id);
  ASSERT_TRUE(m_db.Exec("UPDATE customers SET deleted_at = 1 WHERE id = " + std::to_string(id.Value())));
  EXPECT_EQ(CountCustomers(m_db).Value(), 0);
}

}  // namespace
}  // namespace crm
