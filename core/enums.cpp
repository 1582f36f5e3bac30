#include "core/enums.h"

#include <iterator>
#include <utility>

namespace crm {

namespace {

struct Entry {
  const char* code;
  const char* zh;
};

// One table per enum, in enum order; codes are what the database stores.
constexpr Entry kRole[] = {{"rep", "业务员"}, {"supervisor", "主管"}, {"leader", "领导"}, {"store", "门店员工"}, {"admin", "管理员"}};
constexpr Entry kKind[] = {{"dealer", "经销商"},     {"sub_distributor", "分销商"}, {"consumer", "终端消费者"},
                           {"designer", "设计师"},   {"contractor", "包工头"},     {"decoration_company", "装饰公司"},
                           {"industrial", "工业客户"}, {"other", "其他"}};
constexpr Entry kCredit[] = {{"", "未评"}, {"good", "良好"}, {"fair", "一般"}, {"poor", "较差"}};
constexpr Entry kGrade[] = {{"A", "A类"}, {"B", "B类"}, {"C", "C类"}, {"D", "D类"}};
constexpr Entry kStage[] = {{"prospect", "潜在客户"}, {"first_deal", "首次成交"}, {"repeat", "重复购买"}, {"loyal", "忠诚客户"},
                            {"at_risk", "流失风险"},  {"lost", "已流失"},       {"won_back", "已挽回"}};
constexpr Entry kLost[] = {{"", "无"},          {"price", "价格流失"},       {"product", "产品流失"}, {"service", "服务流失"},
                           {"technology", "技术流失"}, {"promotion", "促销流失"}, {"need_gone", "需求流失"},
                           {"management", "管理流失"}, {"relationship", "政治流失"}, {"other", "其他流失"}};
constexpr Entry kSource[] = {{"", "未知"},        {"visit", "拜访"},     {"ad", "广告"},       {"referral", "转介绍"},
                             {"phone", "电话"},   {"exhibition", "展会"}, {"conference", "会议"}, {"online", "网络/微信"},
                             {"store", "门店"},   {"other", "其他"}};
constexpr Entry kContactRole[] = {{"decision_maker", "决策人"}, {"user", "使用者"}, {"buyer", "采购"}, {"influencer", "影响者"}, {"other", "其他"}};
constexpr Entry kActivity[] = {{"visit", "拜访"},         {"call", "电话"},    {"message", "消息"}, {"meeting", "会面"},
                               {"conference", "参加会议"}, {"store_visit", "到店"}, {"other", "其他"}};
constexpr Entry kReason[] = {{"class_rule", "按类别回访"}, {"birthday", "生日"},   {"anniversary", "纪念日"}, {"first_use", "首次使用后"},
                             {"in_use", "使用中"},        {"complaint", "投诉后"}, {"manual", "手动安排"}};
constexpr Entry kStatus[] = {{"open", "待回访"}, {"done", "已完成"}, {"cancelled", "已取消"}};
constexpr Entry kFieldType[] = {{"text", "文本"}, {"number", "数字"}, {"date", "日期"}, {"choice", "选项"}};

template <class E, size_t N>
const char* CodeOf(const Entry (&table)[N], E value) {
  auto index = static_cast<size_t>(value);
  return index < N ? table[index].code : "";
}

template <class E, size_t N>
const char* ZhOf(const Entry (&table)[N], E value) {
  auto index = static_cast<size_t>(value);
  return index < N ? table[index].zh : "";
}

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

// Every row a list reads parses its codes, so the exact stored form is tried first and nothing is allocated.
template <class E, size_t N>
Result<E> ParseOf(const Entry (&table)[N], std::string_view text, std::string_view field, bool caseSensitive = false) {
  for (size_t i = 0; i < N; i++) {
    if (text == table[i].code) return static_cast<E>(i);
  }
  for (size_t i = 0; i < N; i++) {
    if ((!caseSensitive && EqualsIgnoringAsciiCase(text, table[i].code)) || text == table[i].zh) return static_cast<E>(i);
  }
  std::string expected;
  for (size_t i = 0; i < N; i++) {
    if (!*table[i].code) continue;
    if (!expected.empty()) expected += ", ";
    expected += std::string(table[i].code) + " " + table[i].zh;
  }
  Error error = FieldError(ErrorCode::Invalid, std::string(field), Problem::UnknownCode,
                           std::string(field) + ": unknown code '" + std::string(text) + "' (expected " + expected + ")");
  error.value = std::string(text);
  return error;
}

}  // namespace

const char* Code(Role value) { return CodeOf(kRole, value); }
const char* Code(CustomerKind value) { return CodeOf(kKind, value); }
const char* Code(Credit value) { return CodeOf(kCredit, value); }
const char* Code(Grade value) { return CodeOf(kGrade, value); }
const char* Code(Stage value) { return CodeOf(kStage, value); }
const char* Code(LostReason value) { return CodeOf(kLost, value); }
const char* Code(Source value) { return CodeOf(kSource, value); }
const char* Code(ContactRole value) { return CodeOf(kContactRole, value); }
const char* Code(ActivityKind value) { return CodeOf(kActivity, value); }
const char* Code(FollowupReason value) { return CodeOf(kReason, value); }
const char* Code(FollowupStatus value) { return CodeOf(kStatus, value); }
const char* Code(FieldType value) { return CodeOf(kFieldType, value); }

Result<Role> ParseRole(std::string_view t, std::string_view f) { return ParseOf<Role>(kRole, t, f); }
// What Chinese spreadsheets call the kinds besides their labels.
constexpr std::pair<const char*, CustomerKind> kKindAliases[] = {
    {"个人", CustomerKind::Consumer},          {"个人客户", CustomerKind::Consumer},   {"散客", CustomerKind::Consumer},
    {"消费者", CustomerKind::Consumer},        {"业主", CustomerKind::Consumer},       {"终端", CustomerKind::Consumer},
    {"代理商", CustomerKind::Dealer},          {"经销", CustomerKind::Dealer},         {"二批", CustomerKind::SubDistributor},
    {"二级经销商", CustomerKind::SubDistributor}, {"分销", CustomerKind::SubDistributor}, {"工长", CustomerKind::Contractor},
    {"施工队", CustomerKind::Contractor},      {"工程商", CustomerKind::Contractor},   {"装修公司", CustomerKind::DecorationCompany},
    {"装饰", CustomerKind::DecorationCompany}, {"家装公司", CustomerKind::DecorationCompany}, {"工厂", CustomerKind::Industrial},
    {"企业", CustomerKind::Industrial},        {"其它", CustomerKind::Other},          {"零售", CustomerKind::Consumer},
    {"零售客户", CustomerKind::Consumer},      {"终端客户", CustomerKind::Consumer},   {"批发商", CustomerKind::Dealer},
    {"家装设计师", CustomerKind::Designer},    {"设计公司", CustomerKind::Designer}};

Result<CustomerKind> ParseCustomerKind(std::string_view t, std::string_view f) {
  for (const auto& [alias, kind] : kKindAliases) {
    if (t == alias) return kind;
  }
  return ParseOf<CustomerKind>(kKind, t, f);
}
Result<Credit> ParseCredit(std::string_view t, std::string_view f) { return ParseOf<Credit>(kCredit, t, f); }
Result<Grade> ParseGrade(std::string_view t, std::string_view f) { return ParseOf<Grade>(kGrade, t, f); }
Result<Stage> ParseStage(std::string_view t, std::string_view f) { return ParseOf<Stage>(kStage, t, f); }
Result<LostReason> ParseLostReason(std::string_view t, std::string_view f) { return ParseOf<LostReason>(kLost, t, f); }
Result<Source> ParseSource(std::string_view t, std::string_view f) { return ParseOf<Source>(kSource, t, f); }
Result<ContactRole> ParseContactRole(std::string_view t, std::string_view f) { return ParseOf<ContactRole>(kContactRole, t, f); }
Result<ActivityKind> ParseActivityKind(std::string_view t, std::string_view f) { return ParseOf<ActivityKind>(kActivity, t, f); }
Result<FollowupReason> ParseFollowupReason(std::string_view t, std::string_view f) { return ParseOf<FollowupReason>(kReason, t, f); }
Result<FollowupStatus> ParseFollowupStatus(std::string_view t, std::string_view f) { return ParseOf<FollowupStatus>(kStatus, t, f); }
Result<FieldType> ParseFieldType(std::string_view t, std::string_view f) { return ParseOf<FieldType>(kFieldType, t, f); }

const char* LabelZh(CustomerKind value) { return ZhOf(kKind, value); }
const char* LabelZh(Stage value) { return ZhOf(kStage, value); }
const char* LabelZh(LostReason value) { return ZhOf(kLost, value); }
const char* LabelZh(Source value) { return ZhOf(kSource, value); }
const char* LabelZh(Credit value) { return ZhOf(kCredit, value); }

}  // namespace crm
