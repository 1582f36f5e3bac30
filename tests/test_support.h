#pragma once
// A small organisation for tests: an admin, a leader, a supervisor with two reps
// in team East, a rep in team West and a store clerk, on a migrated database.
#include <gtest/gtest.h>

#include "core/customers.h"
#include "core/org.h"
#include "core/schema.h"

namespace crm::testing_support {

struct TestOrg {
  Db db = Db::OpenMemory().Value();
  Actor admin, leader, supervisor, repA, repB, repWest, store;
  int64_t east = 0, west = 0;

  TestOrg() {
    EXPECT_TRUE(Migrate(db));
    admin = EnsureLocalOwner(db, "管理员", 1).Value();
    east = CreateTeam(db, "华东组", std::nullopt, admin).Value();
    west = CreateTeam(db, "华南组", std::nullopt, admin).Value();
    leader = Make("总经理", Role::Leader, std::nullopt, 2);
    supervisor = Make("王主管", Role::Supervisor, east, 3);
    repA = Make("张三", Role::Rep, east, 4);
    repB = Make("李四", Role::Rep, east, 5);
    repWest = Make("赵六", Role::Rep, west, 6);
    store = Make("门店小刘", Role::Store, west, 7);
  }

  Actor Make(const char* name, Role role, std::optional<int64_t> team, int64_t device) {
    auto id = CreateUser(db, name, role, team, admin);
    EXPECT_TRUE(id) << id.Message();
    return Actor{id.ValueOr(0), device};
  }

  int64_t Customer(const char* name, const Actor& owner, std::vector<std::string> phones = {}, const char* city = "") {
    CustomerInput input;
    input.name = name;
    input.phones = std::move(phones);
    input.address.city = city;
    auto id = CreateCustomer(db, input, owner);
    EXPECT_TRUE(id) << id.Message();
    return id.ValueOr(0);
  }

  int64_t PoolCustomer(const char* name) {
    CustomerInput input;
    input.name = name;
    input.toPool = true;
    auto id = CreateCustomer(db, input, admin);
    EXPECT_TRUE(id) << id.Message();
    return id.ValueOr(0);
  }
};

}  // namespace crm::testing_support
