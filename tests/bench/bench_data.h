#pragma once
// A realistic book for benchmarks: Chinese firm and person names, cities,
// mobile numbers, grades and owners, with follow-up plans and a long activity
// history. Deterministic for a seed, so native and wasm runs measure the same data.
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/customers.h"
#include "core/db.h"
#include "core/ids.h"
#include "core/org.h"
#include "core/schema.h"

namespace crm::bench {

struct BenchBook {
  Db db = Db::OpenMemory().Value();
  Actor admin;
  std::vector<Actor> reps;
  std::vector<int64_t> customerIds;
  double insertSeconds = 0;  // time spent creating the customers through CreateCustomer
};

inline const std::vector<std::string>& Cities() {
  static const std::vector<std::string> kCities = {"佛山市", "广州市", "深圳市", "东莞市", "中山市", "珠海市", "长沙市", "武汉市",
                                                   "成都市", "杭州市", "南京市", "苏州市", "郑州市", "西安市", "济南市", "合肥市"};
  return kCities;
}

// A firm name like "佛山市南海区永盛铝门窗经销部" or a person's name like "王堃".
inline std::string FirmName(std::mt19937& random, const std::string& city) {
  static const std::vector<std::string> kWords = {"永盛", "鑫达", "华美", "金鹏", "宏图", "恒发", "利华", "新城", "兴隆", "顺德",
                                                  "雅居", "建材", "福临", "安居", "万家", "博艺", "盛世", "嘉和", "长城", "东方"};
  static const std::vector<std::string> kTrades = {"铝门窗", "门窗", "装饰", "建材", "五金", "家居", "幕墙", "玻璃"};
  static const std::vector<std::string> kKinds = {"经销部", "有限公司", "门市部", "工作室", "商行", "店"};
  static const std::vector<std::string> kSurnames = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"};
  static const std::vector<std::string> kGiven = {"伟", "芳", "娜", "敏", "静", "强", "磊", "堃", "喆", "犇", "淼", "鑫", "洋", "勇"};
  static const std::vector<std::string> kLatin = {"Hongkong Design", "Golden Window", "Sunrise Glass", "Evergreen Decor",
                                                  "Lucky Hardware", "Skyline Facade", "Oak Studio", "Bright Home"};
  auto pick = [&](const std::vector<std::string>& list) { return list[random() % list.size()]; };
  if (random() % 20 == 0) return pick(kLatin) + " " + std::to_string(random() % 1000);
  if (random() % 4 == 0) return pick(kSurnames) + pick(kGiven) + (random() % 2 ? pick(kGiven) : "");
  return city + pick(kWords) + pick(kTrades) + pick(kKinds);
}

// Creates `customers` customers through CreateCustomer (timed), then `activities` activities and
// their plans with direct SQL (the history a book accumulates over the years, not what is measured).
inline BenchBook MakeBook(int customers, int activities, unsigned seed = 20261122) {
  BenchBook book;
  (void)Migrate(book.db);
  book.admin = EnsureLocalOwner(book.db, "管理员", 1).Value();
  int64_t team = CreateTeam(book.db, "销售一组", std::nullopt, book.admin).Value();
  for (int i = 0; i < 20; i++) {
    int64_t id = CreateUser(book.db, "业务员" + std::to_string(i + 1), Role::Rep, team, book.admin).Value();
    book.reps.push_back(Actor{id, 100 + i});
  }
  std::mt19937 random(seed);
  static const Grade kGrades[] = {Grade::A, Grade::B, Grade::B, Grade::C, Grade::C, Grade::C, Grade::D};
  auto started = std::chrono::steady_clock::now();
  auto txn = book.db.Begin();
  for (int i = 0; i < customers; i++) {
    CustomerInput input;
    input.address.city = Cities()[random() % Cities().size()];
    input.name = FirmName(random, input.address.city);
    input.phones = {"1" + std::to_string(30 + random() % 70) + std::to_string(10000000 + random() % 89999999)};
    input.grade = kGrades[random() % 7];
    input.kind = static_cast<CustomerKind>(random() % 8);
    if (random() % 3 == 0) input.tags = {random() % 2 ? "重点" : "老客户"};
    const Actor& owner = book.reps[random() % book.reps.size()];
    if (random() % 10 == 0) input.toPool = true;
    auto id = CreateCustomer(book.db, input, owner);
    if (id) book.customerIds.push_back(id.Value());
  }
  (void)txn.Value().Commit();
  book.insertSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  // History: activities spread over three years, newest time copied to the customer. Generated
  // data is not a user's change, so it is not audited.
  book.db.SetAuditSuppressed(true);
  auto history = book.db.Begin();
  auto insert = book.db.Prepare(
      "INSERT INTO activities(id, customer_id, kind, occurred_at, user_id, summary, created_at, updated_at, created_by, "
      "updated_by, device_id) VALUES(?, ?, 'visit', ?, ?, '上门拜访，介绍新款断桥铝', ?, ?, ?, ?, ?)");
  int64_t now = NowMs();
  for (int i = 0; i < activities && !book.customerIds.empty(); i++) {
    int64_t customer = book.customerIds[random() % book.customerIds.size()];
    int64_t at = now - static_cast<int64_t>(random() % (3LL * 365 * 86400)) * 1000;
    const Actor& rep = book.reps[random() % book.reps.size()];
    insert.Value().BindAll(NewId(), customer, at, rep.userId, at, at, rep.userId, rep.userId, rep.deviceId);
    (void)insert.Value().Run();
    insert.Value().Reset();
  }
  (void)book.db.Exec(
      "UPDATE customers SET last_activity_at = (SELECT max(occurred_at) FROM activities a WHERE a.customer_id = customers.id)");
  (void)history.Value().Commit();
  book.db.SetAuditSuppressed(false);
  return book;
}

}  // namespace crm::bench
