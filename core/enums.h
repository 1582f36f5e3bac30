#pragma once
// The CRM's closed vocabularies. Each enum has a stable code stored in the
// database and sent over the wire ("dealer", "A", "lost"…); parsing an unknown
// code is an error value naming the field and the accepted codes.
#include <string>
#include <string_view>

#include "core/result.h"

namespace crm {

enum class Role { Rep, Supervisor, Leader, Store, Admin };
enum class CustomerKind { Dealer, SubDistributor, Consumer, Designer, Contractor, DecorationCompany, Industrial, Other };
enum class Credit { Unknown, Good, Fair, Poor };
enum class Grade { A, B, C, D };
enum class Stage { Prospect, FirstDeal, Repeat, Loyal, AtRisk, Lost, WonBack };
enum class LostReason { None, Price, Product, Service, Technology, Promotion, NeedGone, Management, Relationship, Other };
enum class Source { Unknown, Visit, Ad, Referral, Phone, Exhibition, Conference, Online, Store, Other };
enum class ContactRole { DecisionMaker, User, Buyer, Influencer, Other };
enum class ActivityKind { Visit, Call, Message, Meeting, Conference, StoreVisit, Other };
enum class FollowupReason { ClassRule, Birthday, Anniversary, FirstUse, InUse, Complaint, Manual };
enum class FollowupStatus { Open, Done, Cancelled };
enum class FieldType { Text, Number, Date, Choice };

// Stable database codes.
const char* Code(Role value);
const char* Code(CustomerKind value);
const char* Code(Credit value);
const char* Code(Grade value);
const char* Code(Stage value);
const char* Code(LostReason value);
const char* Code(Source value);
const char* Code(ContactRole value);
const char* Code(ActivityKind value);
const char* Code(FollowupReason value);
const char* Code(FollowupStatus value);
const char* Code(FieldType value);

// Parse a code; `field` names the input in the error ("kind: unknown code 'x' (expected dealer, …)").
// Besides the code, the Chinese label is accepted too (经销商 → Dealer, 流失 → Lost), for imports.
Result<Role> ParseRole(std::string_view text, std::string_view field = "role");
Result<CustomerKind> ParseCustomerKind(std::string_view text, std::string_view field = "kind");
Result<Credit> ParseCredit(std::string_view text, std::string_view field = "credit");
Result<Grade> ParseGrade(std::string_view text, std::string_view field = "class");
Result<Stage> ParseStage(std::string_view text, std::string_view field = "stage");
Result<LostReason> ParseLostReason(std::string_view text, std::string_view field = "lost_reason");
Result<Source> ParseSource(std::string_view text, std::string_view field = "source");
Result<ContactRole> ParseContactRole(std::string_view text, std::string_view field = "contact role");
Result<ActivityKind> ParseActivityKind(std::string_view text, std::string_view field = "activity kind");
Result<FollowupReason> ParseFollowupReason(std::string_view text, std::string_view field = "follow-up reason");
Result<FollowupStatus> ParseFollowupStatus(std::string_view text, std::string_view field = "follow-up status");
Result<FieldType> ParseFieldType(std::string_view text, std::string_view field = "field type");

// Chinese labels, for exports and reports (the UI has its own i18n).
const char* LabelZh(CustomerKind value);
const char* LabelZh(Stage value);
const char* LabelZh(LostReason value);
const char* LabelZh(Source value);
const char* LabelZh(Credit value);

}  // namespace crm
