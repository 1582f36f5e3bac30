#pragma once
// Typed custom fields (text, number, date, choice) that an organisation defines
// for its customers, and the rules their values obey.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/customers.h"
#include "core/db.h"
#include "core/enums.h"

namespace crm {

struct CustomField {
  int64_t id = 0;
  std::string key;    // stable, ASCII: "store_area"
  std::string label;  // shown: "门店面积"
  FieldType type = FieldType::Text;
  std::vector<std::string> choices;  // for Choice
  bool required = false;
  int position = 0;
};

// Admins define fields; `key` is [a-z0-9_]{1,40} and unique among live fields.
Result<int64_t> CreateCustomField(Db& db, const CustomField& field, const Actor& actor);
Result<std::vector<CustomField>> ListCustomFields(Db& db);
Result<CustomField> GetCustomField(Db& db, int64_t id);
// The normalized value for a field ("12.50" for numbers, "YYYY-MM-DD" for dates, one of the choices).
Result<std::string> ValidateCustomValue(const CustomField& field, std::string_view value);
// The field id a custom field's value errors carry (Error::field): "custom.<key>".
std::string CustomFieldId(const CustomField& field);

}  // namespace crm
