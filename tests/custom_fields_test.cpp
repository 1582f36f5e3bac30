#include "core/custom_fields.h"

#include <gtest/gtest.h>

#include "tests/test_support.h"

namespace crm {
namespace {

using testing_support::TestOrg;

TEST(CustomFields, AreTypedAndValidated) {
  TestOrg org;
  CustomField area{0, "store_area", "门店面积", FieldType::Number, {}, false, 0};
  CustomField level{0, "dealer_level", "经销商级别", FieldType::Choice, {"一级", "二级"}, false, 1};
  CustomField opened{0, "opened_on", "开业日期", FieldType::Date, {}, false, 2};
  int64_t areaId = CreateCustomField(org.db, area, org.admin).Value();
  int64_t levelId = CreateCustomField(org.db, level, org.admin).Value();
  int64_t openedId = CreateCustomField(org.db, opened, org.admin).Value();
  auto taken = CreateCustomField(org.db, area, org.admin);
  EXPECT_EQ(taken.Code(), ErrorCode::Conflict);
  EXPECT_EQ(taken.GetError().field, "key");
  EXPECT_EQ(taken.GetError().problem, Problem::Duplicate);
  EXPECT_EQ(CreateCustomField(org.db, CustomField{0, "x", "X", FieldType::Text}, org.repA).Code(), ErrorCode::Denied);

  CustomerInput input;
  input.name = "带自定义字段的客户";
  input.custom = {{areaId, "120.5"}, {levelId, "一级"}, {openedId, "2019/5/1"}};
  auto id = CreateCustomer(org.db, input, org.repA);
  ASSERT_TRUE(id) << id.Message();
  auto values = GetCustomer(org.db, id.Value()).Value().fields.custom;
  ASSERT_EQ(values.size(), 3u);
  bool sawDate = false;
  for (const auto& [field, value] : values) sawDate |= field == openedId && value == "2019-05-01";
  EXPECT_TRUE(sawDate);

  input.custom = {{areaId, "很大"}};
  auto notANumber = CreateCustomer(org.db, input, org.repA);
  EXPECT_NE(notANumber.Message().find("门店面积: '很大' is not a number"), std::string::npos);
  EXPECT_EQ(notANumber.GetError().field, "custom.store_area") << "the field id is the key, not the label";
  EXPECT_EQ(notANumber.GetError().problem, Problem::NotANumber);
  input.custom = {{levelId, "三级"}};
  EXPECT_NE(CreateCustomer(org.db, input, org.repA).Message().find("not one of the choices"), std::string::npos);
}

TEST(CustomFields, KeysAndChoicesAreChecked) {
  TestOrg org;
  EXPECT_FALSE(CreateCustomField(org.db, CustomField{0, "Bad Key", "坏键", FieldType::Text}, org.admin));
  EXPECT_FALSE(CreateCustomField(org.db, CustomField{0, "empty_choice", "空选项", FieldType::Choice}, org.admin));
  EXPECT_FALSE(CreateCustomField(org.db, CustomField{0, "no_label", "", FieldType::Text}, org.admin));
  ASSERT_TRUE(CreateCustomField(org.db, CustomField{0, "b", "乙", FieldType::Text, {}, false, 2}, org.admin));
  ASSERT_TRUE(CreateCustomField(org.db, CustomField{0, "a", "甲", FieldType::Text, {}, false, 1}, org.admin));
  auto fields = ListCustomFields(org.db).Value();
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].key, "a") << "listed by position";
}

TEST(CustomFields, RequiredValuesMustBeGiven) {
  CustomField field{1, "must", "必填", FieldType::Text, {}, true, 0};
  EXPECT_EQ(ValidateCustomValue(field, "  ").Message(), "必填: required");
  EXPECT_EQ(ValidateCustomValue(field, "  ").GetError().field, CustomFieldId(field));
  EXPECT_EQ(ValidateCustomValue(field, "有").Value(), "有");
}

}  // namespace
}  // namespace crm
