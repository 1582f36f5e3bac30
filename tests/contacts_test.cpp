#include "core/contacts.h"

#include <gtest/gtest.h>

#include "tests/test_support.h"

namespace crm {
namespace {

using testing_support::TestOrg;

TEST(Contacts, AddListUpdateAndTrash) {
  TestOrg org;
  int64_t customer = org.Customer("佛山装饰公司", org.repA);
  ContactInput buyer{"陈采购", ContactRole::Buyer, "采购经理", "139-0000-1111", "chen_wx", "chen@example.cn", "08-08", ""};
  ContactInput boss{"刘总", ContactRole::DecisionMaker, "总经理", "", "", "", "", "只在上午接电话"};
  auto buyerId = AddContact(org.db, customer, buyer, org.repA);
  ASSERT_TRUE(buyerId) << buyerId.Message();
  ASSERT_TRUE(AddContact(org.db, customer, boss, org.repA));
  auto contacts = ContactsOf(org.db, customer).Value();
  ASSERT_EQ(contacts.size(), 2u);
  EXPECT_EQ(contacts[0].fields.name, "刘总") << "decision makers first";
  EXPECT_EQ(contacts[1].fields.phone, "13900001111");
  EXPECT_EQ(contacts[1].fields.birthday, "--08-08");

  buyer.title = "采购总监";
  ASSERT_TRUE(UpdateContact(org.db, buyerId.Value(), buyer, org.repA));
  EXPECT_EQ(ContactsOf(org.db, customer).Value()[1].fields.title, "采购总监");
  ASSERT_TRUE(TrashContact(org.db, buyerId.Value(), org.repA));
  EXPECT_EQ(ContactsOf(org.db, customer).Value().size(), 1u);
  EXPECT_EQ(TrashContact(org.db, buyerId.Value(), org.repA).Code(), ErrorCode::NotFound);
}

TEST(Contacts, BadInputAndPermissions) {
  TestOrg org;
  int64_t customer = org.Customer("客户", org.repA);
  // Messages name the contact ("contact phone: …"); the field ids are the contact form's ("phone").
  auto unnamed = AddContact(org.db, customer, ContactInput{"", ContactRole::Buyer}, org.repA);
  EXPECT_EQ(unnamed.Message(), "contact name: required");
  EXPECT_EQ(unnamed.GetError().field, "name");
  EXPECT_EQ(unnamed.GetError().problem, Problem::Required);
  auto phone = AddContact(org.db, customer, ContactInput{"甲", ContactRole::Buyer, "", "123"}, org.repA);
  EXPECT_EQ(phone.Message().rfind("contact phone: ", 0), 0u) << phone.Message();
  EXPECT_EQ(phone.GetError().field, "phone");
  EXPECT_EQ(phone.GetError().problem, Problem::BadPhone);
  auto email = AddContact(org.db, customer, ContactInput{"甲", ContactRole::Buyer, "", "", "", "not-an-email"}, org.repA);
  EXPECT_EQ(email.GetError().field, "email");
  EXPECT_EQ(email.GetError().problem, Problem::BadEmail);
  ContactInput badBirthday{"甲"};
  badBirthday.birthday = "02-30";
  auto birthday = AddContact(org.db, customer, badBirthday, org.repA);
  EXPECT_EQ(birthday.Message().rfind("contact birthday: ", 0), 0u) << birthday.Message();
  EXPECT_EQ(birthday.GetError().field, "birthday");
  EXPECT_EQ(birthday.GetError().problem, Problem::BadDate);
  auto role = AddContact(org.db, customer, ContactInput{"甲", static_cast<ContactRole>(17)}, org.repA);
  EXPECT_EQ(role.GetError().field, "role");
  EXPECT_EQ(role.GetError().problem, Problem::UnknownCode);
  EXPECT_EQ(AddContact(org.db, customer, ContactInput{"甲"}, org.repB).Code(), ErrorCode::Denied);
  EXPECT_EQ(AddContact(org.db, 777, ContactInput{"甲"}, org.repA).Code(), ErrorCode::NotFound);
}

}  // namespace
}  // namespace crm
