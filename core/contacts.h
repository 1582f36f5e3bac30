#pragma once
// Contacts (联系人) of company customers, with their role in the purchase:
// decision maker, user, buyer, influencer.
#include <cstdint>
#include <string>
#include <vector>

#include "core/customers.h"
#include "core/db.h"
#include "core/enums.h"

namespace crm {

struct ContactInput {
  std::string name;
  ContactRole role = ContactRole::Other;
  std::string title;  // 职务
  std::string phone;
  std::string wechat;
  std::string email;
  std::string birthday;  // YYYY-MM-DD or MM-DD
  std::string notes;
};

struct Contact {
  int64_t id = 0;
  int64_t customerId = 0;
  ContactInput fields;  // phone normalized to digits
};

Result<int64_t> AddContact(Db& db, int64_t customerId, const ContactInput& input, const Actor& actor);
Status UpdateContact(Db& db, int64_t contactId, const ContactInput& input, const Actor& actor);
Status TrashContact(Db& db, int64_t contactId, const Actor& actor);
// Live contacts of a customer, decision makers first.
Result<std::vector<Contact>> ContactsOf(Db& db, int64_t customerId);

}  // namespace crm
