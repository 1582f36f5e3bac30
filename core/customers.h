#pragma once
// Customers: the company-owned customer database.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/db.h"

namespace crm {

// Who makes a change, and on which device: every write is attributed.
struct Actor {
  int64_t userId = 0;
  int64_t deviceId = 0;
};

constexpr size_t kMaxNameLength = 200;  // code points

// Live (not deleted) customers.
Result<int64_t> CountCustomers(Db& db);
// Adds a customer with a validated name; returns its new id.
Result<int64_t> AddCustomer(Db& db, std::string_view name, const Actor& actor);

}  // namespace crm
