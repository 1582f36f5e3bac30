#include "ui/labels.h"

#include "core/records.h"
#include "ui/keyed_text.h"

namespace crm::ui {

namespace {

template <class E, size_t N>
const char* Lookup(Lang lang, E value, const E (&values)[N], const Str (&labels)[N]) {
  for (size_t i = 0; i < N; i++) {
    if (values[i] == value) return Tr(lang, labels[i]);
  }
  return "?";
}

constexpr CustomerKind kKindValues[] = {CustomerKind::Dealer,     CustomerKind::SubDistributor,    CustomerKind::Consumer,
                                        CustomerKind::Designer,   CustomerKind::Contractor,        CustomerKind::DecorationCompany,
                                        CustomerKind::Industrial, CustomerKind::Other};
constexpr Str kKindLabels[] = {Str::KindDealer,     Str::KindSubDistributor,    Str::KindConsumer,   Str::KindDesigner,
                               Str::KindContractor, Str::KindDecorationCompany, Str::KindIndustrial, Str::KindOther};
constexpr Stage kStageValues[] = {Stage::Prospect, Stage::FirstDeal, Stage::Repeat, Stage::Loyal,
                                  Stage::AtRisk,   Stage::Lost,      Stage::WonBack};
constexpr Str kStageLabels[] = {Str::StageProspect, Str::StageFirstDeal, Str::StageRepeat, Str::StageLoyal,
                                Str::StageAtRisk,   Str::StageLost,      Str::StageWonBack};
constexpr LostReason kLostValues[] = {LostReason::None,       LostReason::Price,     LostReason::Product,
                                      LostReason::Service,    LostReason::Technology, LostReason::Promotion,
                                      LostReason::NeedGone,   LostReason::Management, LostReason::Relationship,
                                      LostReason::Other};
constexpr Str kLostLabels[] = {Str::LostNone,     Str::LostPrice,      Str::LostProduct,    Str::LostService,
                               Str::LostTechnology, Str::LostPromotion, Str::LostNeedGone, Str::LostManagement,
                               Str::LostRelationship, Str::LostOther};
constexpr Source kSourceValues[] = {Source::Unknown,    Source::Visit,      Source::Ad,     Source::Referral, Source::Phone,
                                    Source::Exhibition, Source::Conference, Source::Online, Source::Store,    Source::Other};
constexpr Str kSourceLabels[] = {Str::SourceUnknown,    Str::SourceVisit,      Str::SourceAd,     Str::SourceReferral,
                                 Str::SourcePhone,      Str::SourceExhibition, Str::SourceConference, Str::SourceOnline,
                                 Str::SourceStore,      Str::SourceOther};
constexpr Credit kCreditValues[] = {Credit::Unknown, Credit::Good, Credit::Fair, Credit::Poor};
constexpr Str kCreditLabels[] = {Str::CreditUnknown, Str::CreditGood, Str::CreditFair, Str::CreditPoor};
constexpr Role kRoleValues[] = {Role::Rep, Role::Store, Role::Supervisor, Role::Leader, Role::Admin};
constexpr Str kRoleLabels[] = {Str::RoleRep, Str::RoleStore, Str::RoleSupervisor, Str::RoleLeader, Str::RoleAdmin};
constexpr ContactRole kContactRoleValues[] = {ContactRole::DecisionMaker, ContactRole::User, ContactRole::Buyer,
                                              ContactRole::Influencer, ContactRole::Other};
constexpr Str kContactRoleLabels[] = {Str::ContactDecisionMaker, Str::ContactUser, Str::ContactBuyer, Str::ContactInfluencer,
                                      Str::ContactOther};
constexpr ActivityKind kActivityValues[] = {ActivityKind::Visit,      ActivityKind::Call,       ActivityKind::Message,
                                            ActivityKind::Meeting,    ActivityKind::Conference, ActivityKind::StoreVisit,
                                            ActivityKind::Other};
constexpr Str kActivityLabels[] = {Str::ActVisit,      Str::ActCall,       Str::ActMessage, Str::ActMeeting,
                                   Str::ActConference, Str::ActStoreVisit, Str::ActOther};
constexpr FollowupReason kReasonValues[] = {FollowupReason::ClassRule, FollowupReason::Birthday, FollowupReason::Anniversary,
                                            FollowupReason::FirstUse,  FollowupReason::InUse,    FollowupReason::Complaint,
                                            FollowupReason::Manual};
constexpr Str kReasonLabels[] = {Str::ReasonClassRule, Str::ReasonBirthday,  Str::ReasonAnniversary, Str::ReasonFirstUse,
                                 Str::ReasonInUse,     Str::ReasonComplaint, Str::ReasonManual};
constexpr FollowupStatus kStatusValues[] = {FollowupStatus::Open, FollowupStatus::Done, FollowupStatus::Cancelled};
constexpr Str kStatusLabels[] = {Str::StatusOpen, Str::StatusDone, Str::StatusCancelled};
constexpr FieldType kFieldTypeValues[] = {FieldType::Text, FieldType::Number, FieldType::Date, FieldType::Choice};
constexpr Str kFieldTypeLabels[] = {Str::FieldText, Str::FieldNumber, Str::FieldDate, Str::FieldChoice};
constexpr ImportField kImportValues[] = {
    ImportField::None,     ImportField::Name,     ImportField::Phones,    ImportField::Province,    ImportField::City,
    ImportField::District, ImportField::Street,   ImportField::Kind,      ImportField::Industry,    ImportField::Scale,
    ImportField::Brands,   ImportField::Source,   ImportField::Credit,    ImportField::Birthday,    ImportField::Anniversary,
    ImportField::Preferences, ImportField::Notes, ImportField::Tags,      ImportField::Grade};
constexpr Str kImportLabels[] = {Str::ImpNone,     Str::ImpName,        Str::ImpPhones,     Str::ImpProvince, Str::ImpCity,
                                 Str::ImpDistrict, Str::ImpStreet,      Str::ImpKind,       Str::ImpIndustry, Str::ImpScale,
                                 Str::ImpBrands,   Str::ImpSource,      Str::ImpCredit,     Str::ImpBirthday, Str::ImpAnniversary,
                                 Str::ImpPreferences, Str::ImpNotes,    Str::ImpTags,       Str::ImpGrade};
constexpr Encoding kEncodingValues[] = {Encoding::Auto, Encoding::Utf8, Encoding::Gb18030};
constexpr Str kEncodingLabels[] = {Str::EncAuto, Str::EncUtf8, Str::EncGb18030};

template <class E, size_t N>
std::vector<E> ListOf(const E (&values)[N], size_t skip = 0) {
  return std::vector<E>(std::begin(values) + skip, std::end(values));
}

// The offered orders: tables, built once at start-up, never changed.
const std::vector<CustomerKind> kKinds = ListOf(kKindValues);
const std::vector<Stage> kStages = ListOf(kStageValues);
const std::vector<LostReason> kLostReasons = ListOf(kLostValues, 1);
const std::vector<Source> kSources = ListOf(kSourceValues);
const std::vector<Credit> kCredits = ListOf(kCreditValues);
const std::vector<Role> kRoles = ListOf(kRoleValues);
const std::vector<ContactRole> kContactRoles = ListOf(kContactRoleValues);
const std::vector<ActivityKind> kActivityKinds = ListOf(kActivityValues);
const std::vector<Grade> kGrades = {Grade::A, Grade::B, Grade::C, Grade::D};
const std::vector<FieldType> kFieldTypes = ListOf(kFieldTypeValues);
const std::vector<ImportField> kImportFields = ListOf(kImportValues);

}  // namespace

const char* LabelOf(Lang lang, CustomerKind value) { return Lookup(lang, value, kKindValues, kKindLabels); }
const char* LabelOf(Lang lang, Stage value) { return Lookup(lang, value, kStageValues, kStageLabels); }
const char* LabelOf(Lang lang, LostReason value) { return Lookup(lang, value, kLostValues, kLostLabels); }
const char* LabelOf(Lang lang, Source value) { return Lookup(lang, value, kSourceValues, kSourceLabels); }
const char* LabelOf(Lang lang, Credit value) { return Lookup(lang, value, kCreditValues, kCreditLabels); }
const char* LabelOf(Lang lang, Role value) { return Lookup(lang, value, kRoleValues, kRoleLabels); }
const char* LabelOf(Lang lang, ContactRole value) { return Lookup(lang, value, kContactRoleValues, kContactRoleLabels); }
const char* LabelOf(Lang lang, ActivityKind value) { return Lookup(lang, value, kActivityValues, kActivityLabels); }
const char* LabelOf(Lang lang, FollowupReason value) { return Lookup(lang, value, kReasonValues, kReasonLabels); }
const char* LabelOf(Lang lang, FollowupStatus value) { return Lookup(lang, value, kStatusValues, kStatusLabels); }
const char* LabelOf(Lang lang, FieldType value) { return Lookup(lang, value, kFieldTypeValues, kFieldTypeLabels); }
const char* LabelOf(Lang lang, ImportField value) { return Lookup(lang, value, kImportValues, kImportLabels); }
const char* LabelOf(Lang lang, Encoding value) { return Lookup(lang, value, kEncodingValues, kEncodingLabels); }
const char* GradeLabel(Grade grade) { return Code(grade); }

namespace {
struct Word {
  const char* code;
  Str label;
};
constexpr Word kAuditActions[] = {{"insert", Str::AuditInsert}, {"update", Str::AuditUpdate}, {"delete", Str::AuditDelete},
                                  {"restore", Str::AuditRestore}, {"purge", Str::AuditPurge}};
template <size_t N>
std::string Find(Lang lang, const std::string& code, const Word (&words)[N]) {
  for (const Word& word : words) {
    if (code == word.code) return Tr(lang, word.label);
  }
  return code;
}
}  // namespace

std::string AuditActionLabel(Lang lang, const std::string& action) { return Find(lang, action, kAuditActions); }
std::string AuditTableLabel(Lang lang, const std::string& table) {
  const RecordType* type = FindRecordType(table);
  const char* text = type ? TrKey(lang, type->label) : nullptr;
  return text ? text : table;
}

std::string FieldLabel(Lang lang, const std::string& table, const std::string& column) {
  const char* key = IsStandardColumn(column) ? nullptr : FieldLabelKey(table, column);
  const char* text = key ? TrKey(lang, key) : TrKey(lang, "record." + column);
  return text ? text : column;
}

const std::vector<CustomerKind>& AllKinds() { return kKinds; }
const std::vector<Stage>& AllStages() { return kStages; }
const std::vector<LostReason>& AllLostReasons() { return kLostReasons; }
const std::vector<Source>& AllSources() { return kSources; }
const std::vector<Credit>& AllCredits() { return kCredits; }
const std::vector<Role>& AllRoles() { return kRoles; }
const std::vector<ContactRole>& AllContactRoles() { return kContactRoles; }
const std::vector<ActivityKind>& AllActivityKinds() { return kActivityKinds; }
const std::vector<Grade>& AllGrades() { return kGrades; }
const std::vector<FieldType>& AllFieldTypes() { return kFieldTypes; }
const std::vector<ImportField>& AllImportFields() { return kImportFields; }

}  // namespace crm::ui
