#include "core/demo_data.h"

#include <string>

#include "core/accounts.h"
#include "core/ids.h"
#include "core/org.h"
#include "core/ownership.h"
#include "core/schema.h"

namespace crm {

namespace {

struct DemoCustomer {
  const char* name;
  CustomerKind kind;
  const char* phone;
  const char* province;
  const char* city;
  const char* district;
  const char* industry;
  const char* brands;
  Source source;
  Credit credit;
  Grade grade;
  const char* tags;  // comma-separated
  const char* notes;
  int owner;  // 0: the owner, 1/2: the reps, 3: the clerk, -1: the public pool
};

// Names mix common and rare characters (堃, 喆, 犇, 淼, 昇) on purpose: customers' names do.
constexpr DemoCustomer kCustomers[] = {
    {"佛山市南海区兴盛门窗经销部", CustomerKind::Dealer, "13802861234", "广东省", "佛山市", "南海区", "门窗", "兴发铝材、坚朗五金", Source::Visit, Credit::Good, Grade::A, "老客户,年采购大", "每月初订货，付款及时", 1},
    {"顺德区乐从镇华艺门业", CustomerKind::Dealer, "13923145678", "广东省", "佛山市", "顺德区", "门窗", "断桥铝门窗", Source::Exhibition, Credit::Good, Grade::A, "展会客户", "关注隔音窗新品", 1},
    {"王堃（家装设计师）", CustomerKind::Designer, "13660552231", "广东省", "广州市", "天河区", "家装设计", "", Source::Referral, Credit::Good, Grade::B, "设计师,转介绍", "偏好极简窄边框推拉门", 2},
    {"陈喆设计工作室", CustomerKind::Designer, "13719884520", "广东省", "广州市", "海珠区", "家装设计", "", Source::Online, Credit::Good, Grade::B, "设计师", "做别墅项目，需要样品", 2},
    {"刘犇（包工头）", CustomerKind::Contractor, "13528876611", "广东省", "佛山市", "禅城区", "装修施工", "", Source::Referral, Credit::Fair, Grade::C, "包工头", "结款周期较长，注意欠款", 1},
    {"张淼", CustomerKind::Consumer, "13612345670", "广东省", "佛山市", "南海区", "", "", Source::Store, Credit::Unknown, Grade::C, "新房装修", "万科城三期，阳台封窗", 3},
    {"李昇装饰工程有限公司", CustomerKind::DecorationCompany, "075786231234", "广东省", "佛山市", "南海区", "装饰工程", "", Source::Visit, Credit::Good, Grade::A, "装饰公司,工程单", "年度框架合作", 0},
    {"东莞市长安镇恒通门窗店", CustomerKind::SubDistributor, "13790123456", "广东省", "东莞市", "长安镇", "门窗", "兴发铝材", Source::Phone, Credit::Fair, Grade::B, "分销商", "", 2},
    {"中山市古镇鑫源建材", CustomerKind::SubDistributor, "13631298765", "广东省", "中山市", "古镇镇", "建材", "门窗、五金", Source::Exhibition, Credit::Good, Grade::B, "分销商", "", 1},
    {"赵磊", CustomerKind::Consumer, "18620334455", "广东省", "广州市", "番禺区", "", "", Source::Online, Credit::Unknown, Grade::D, "微信咨询", "只问价格，未到店", -1},
    {"黄晓燕", CustomerKind::Consumer, "18928761234", "广东省", "佛山市", "顺德区", "", "", Source::Store, Credit::Good, Grade::B, "老客户转介绍", "二次购买阳光房", 3},
    {"周建国（包工头）", CustomerKind::Contractor, "13580012345", "广东省", "佛山市", "三水区", "装修施工", "", Source::Visit, Credit::Poor, Grade::D, "包工头,欠款", "上次工程尾款未结清", 1},
    {"广州尚品宅配设计中心", CustomerKind::DecorationCompany, "02038761234", "广东省", "广州市", "白云区", "全屋定制", "", Source::Conference, Credit::Good, Grade::A, "会议营销", "招商会签约", 0},
    {"吴晗（室内设计师）", CustomerKind::Designer, "13802998877", "广东省", "深圳市", "南山区", "室内设计", "", Source::Referral, Credit::Good, Grade::B, "设计师", "", 2},
    {"郑浩然", CustomerKind::Consumer, "13750016789", "广东省", "江门市", "蓬江区", "", "", Source::Ad, Credit::Unknown, Grade::C, "广告客户", "看到电梯广告来电", -1},
    {"珠海市香洲区金盾门窗", CustomerKind::Dealer, "13926998811", "广东省", "珠海市", "香洲区", "门窗", "防盗门、断桥铝", Source::Visit, Credit::Fair, Grade::C, "经销商", "竞品在该区域促销", 2},
    {"孙悦", CustomerKind::Consumer, "15915887766", "广东省", "佛山市", "禅城区", "", "", Source::Store, Credit::Unknown, Grade::C, "", "想换全屋隔音窗", 3},
    {"清远市华盛装饰", CustomerKind::DecorationCompany, "07633345678", "广东省", "清远市", "清城区", "装饰工程", "", Source::Phone, Credit::Fair, Grade::C, "装饰公司", "", 0},
    {"马骁（工长）", CustomerKind::Contractor, "13690887755", "广东省", "广州市", "荔湾区", "装修施工", "", Source::Referral, Credit::Good, Grade::B, "包工头,转介绍", "手上三个小区项目", 1},
    {"何静怡", CustomerKind::Consumer, "18718889900", "广东省", "佛山市", "南海区", "", "", Source::Online, Credit::Unknown, Grade::C, "抖音咨询", "", -1},
    {"肇庆市端州区永安门窗", CustomerKind::Dealer, "13802556677", "广东省", "肇庆市", "端州区", "门窗", "兴发铝材", Source::Exhibition, Credit::Good, Grade::B, "经销商", "", 2},
    {"林琪（软装设计师）", CustomerKind::Designer, "13480776655", "广东省", "深圳市", "福田区", "软装设计", "", Source::Conference, Credit::Good, Grade::C, "设计师", "", 2},
    {"惠州市大亚湾宏达建材", CustomerKind::SubDistributor, "13502223344", "广东省", "惠州市", "惠阳区", "建材", "门窗", Source::Visit, Credit::Fair, Grade::C, "分销商", "", 1},
    {"罗志强", CustomerKind::Consumer, "13826112233", "广东省", "佛山市", "顺德区", "", "", Source::Store, Credit::Good, Grade::B, "别墅", "别墅整体门窗，预算较高", 3},
    {"汕头市金平区美居门窗", CustomerKind::Dealer, "13715008899", "广东省", "汕头市", "金平区", "门窗", "", Source::Phone, Credit::Unknown, Grade::D, "经销商", "电话沟通一次", -1},
    {"谢婧", CustomerKind::Consumer, "18666778899", "广东省", "广州市", "天河区", "", "", Source::Referral, Credit::Unknown, Grade::C, "转介绍", "王堃介绍", 2},
    {"梁国栋（包工头）", CustomerKind::Contractor, "13609991122", "广东省", "佛山市", "高明区", "装修施工", "", Source::Visit, Credit::Fair, Grade::C, "包工头", "", 1},
    {"佛山市禅城区艺峰装饰设计", CustomerKind::DecorationCompany, "075782201122", "广东省", "佛山市", "禅城区", "装饰设计", "", Source::Exhibition, Credit::Good, Grade::B, "装饰公司", "", 0},
    {"韦俊杰", CustomerKind::Consumer, "15007571234", "广东省", "佛山市", "南海区", "", "", Source::Ad, Credit::Unknown, Grade::C, "", "", 3},
    {"茂名市华兴门窗厂", CustomerKind::Industrial, "13929776655", "广东省", "茂名市", "茂南区", "门窗加工", "型材采购", Source::Visit, Credit::Good, Grade::B, "工业客户", "采购型材和五金配件", 0},
    {"冯瑾（家装设计师）", CustomerKind::Designer, "13802334411", "广东省", "佛山市", "顺德区", "家装设计", "", Source::Referral, Credit::Good, Grade::A, "设计师,转介绍", "每月带 2-3 个客户到店", 2},
    {"阳江市江城区安居门窗", CustomerKind::Dealer, "13542998877", "广东省", "阳江市", "江城区", "门窗", "", Source::Conference, Credit::Fair, Grade::C, "经销商", "", 1},
    {"曹雪梅", CustomerKind::Consumer, "18927445566", "广东省", "佛山市", "禅城区", "", "", Source::Store, Credit::Good, Grade::B, "会员", "积分兑换过五金套装", 3},
    {"邓昊（项目经理）", CustomerKind::Contractor, "13631887722", "广东省", "广州市", "黄埔区", "工程项目", "", Source::Visit, Credit::Good, Grade::B, "工程单", "", 0},
    {"湛江市霞山区富华建材", CustomerKind::SubDistributor, "13828339900", "广东省", "湛江市", "霞山区", "建材", "", Source::Phone, Credit::Poor, Grade::D, "分销商,欠款", "欠款两万，已催收", -1},
    {"许晓峰", CustomerKind::Consumer, "13711223344", "广东省", "广州市", "越秀区", "", "", Source::Online, Credit::Unknown, Grade::C, "", "", 2},
};

constexpr const char* kOwnerName = "体验账户";
constexpr const char* kStaffNames[] = {"张伟", "李娜", "门店小刘"};
constexpr Role kStaffRoles[] = {Role::Rep, Role::Rep, Role::Store};

std::vector<std::string> SplitTags(const char* text) {
  std::vector<std::string> tags;
  std::string current;
  for (const char* c = text; *c; c++) {
    if (*c == ',') {
      if (!current.empty()) tags.push_back(current);
      current.clear();
    } else {
      current += *c;
    }
  }
  if (!current.empty()) tags.push_back(current);
  return tags;
}

}  // namespace

Result<DemoOrganisation> SeedDemoOrganisation(Db& db, int64_t deviceId) {
  CRM_ASSIGN_OR_RETURN(int64_t users, db.QueryInt("SELECT count(*) FROM users"));
  if (users > 0) return MakeError(ErrorCode::Invalid, "demo: this device already has an organisation");
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  DemoOrganisation demo;
  CRM_ASSIGN_OR_RETURN(demo.owner, EnsureLocalOwner(db, kOwnerName, deviceId));
  CRM_ASSIGN_OR_RETURN(int64_t team, CreateTeam(db, "门店一组", demo.owner.userId, demo.owner));
  for (size_t i = 0; i < std::size(kStaffNames); i++) {
    CRM_ASSIGN_OR_RETURN(int64_t id, CreateUser(db, kStaffNames[i], kStaffRoles[i], team, demo.owner));
    demo.staff.push_back(id);
  }
  for (const DemoCustomer& row : kCustomers) {
    CustomerInput input;
    input.name = row.name;
    input.kind = row.kind;
    input.phones = {row.phone};
    input.address = {row.province, row.city, row.district, ""};
    input.industry = row.industry;
    input.brands = row.brands;
    input.source = row.source;
    input.credit = row.credit;
    input.grade = row.grade;
    input.tags = SplitTags(row.tags);
    input.notes = row.notes;
    if (row.owner < 0) input.toPool = true;
    else if (row.owner > 0) input.ownerId = demo.staff[static_cast<size_t>(row.owner - 1)];
    auto created = CreateCustomer(db, input, demo.owner);
    if (!created) return MakeError(created.Code(), std::string("demo customer ") + row.name + ": " + created.Message());
    demo.customers++;
  }
  CRM_TRY(SaveDeviceAccount(db, demo.owner.userId, AccountKind::Trial, std::nullopt));
  CRM_ASSIGN_OR_RETURN(DeviceSettings settings, GetDeviceSettings(db));
  settings.trial = true;
  CRM_TRY(SaveDeviceSettings(db, settings));
  CRM_TRY(txn.Commit());
  return demo;
}

Status DropOrganisationData(Db& db) {
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  // The demo was never synced and is not history anyone needs: no audit rows for its removal.
  db.SetAuditSuppressed(true);
  Status dropped = Ok();
  for (const std::string& table : SyncedTables()) {
    dropped = db.Exec("DELETE FROM " + table);
    if (!dropped) break;
  }
  if (dropped) dropped = db.Exec("DELETE FROM device_accounts");
  db.SetAuditSuppressed(false);
  CRM_TRY(dropped);
  CRM_ASSIGN_OR_RETURN(DeviceSettings settings, GetDeviceSettings(db));
  settings.trial = false;
  CRM_TRY(SaveDeviceSettings(db, settings));
  return txn.Commit();
}

Result<Actor> ConvertTrialToAccount(Db& db, std::string_view name, const PinRecord& pin, bool keepData) {
  CRM_ASSIGN_OR_RETURN(DeviceSettings settings, GetDeviceSettings(db));
  if (!settings.trial) return MakeError(ErrorCode::Invalid, "account: this device is not in a trial");
  if (!keepData) {
    CRM_TRY(DropOrganisationData(db));
    return CreateLocalAccount(db, name, pin);
  }
  CRM_ASSIGN_OR_RETURN(std::vector<DeviceAccount> accounts, ListDeviceAccounts(db));
  std::optional<int64_t> trialUser;
  for (const DeviceAccount& account : accounts) {
    if (account.kind == AccountKind::Trial) trialUser = account.userId;
  }
  if (!trialUser) return MakeError(ErrorCode::NotFound, "account: the trial user is gone");
  CRM_ASSIGN_OR_RETURN(int64_t deviceId, DeviceId(db));
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  Actor trial{*trialUser, deviceId};
  CRM_ASSIGN_OR_RETURN(int64_t id, CreateUser(db, name, Role::Admin, std::nullopt, trial));
  Actor owner{id, deviceId};
  CRM_TRY(ReassignCustomers(db, trial.userId, owner.userId, owner));
  CRM_TRY(SetUserActive(db, trial.userId, false, owner));
  CRM_TRY(RemoveDeviceAccount(db, trial.userId));
  CRM_TRY(SaveDeviceAccount(db, owner.userId, AccountKind::Local, pin));
  CRM_ASSIGN_OR_RETURN(Actor signedIn, MarkSignedIn(db, owner.userId, NowMs()));
  settings.trial = false;
  CRM_TRY(SaveDeviceSettings(db, settings));
  CRM_TRY(txn.Commit());
  return signedIn;
}

}  // namespace crm
