#include "core/custom_fields.h"

#include <cmath>
#include <cstdlib>

#include "core/ids.h"
#include "core/org.h"
#include "core/validate.h"

namespace crm {

namespace {

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Result<CustomField> ReadField(Stmt& stmt) {
  CustomField field;
  field.id = stmt.Int64(0);
  field.key = stmt.String(1);
  field.label = stmt.String(2);
  CRM_ASSIGN_OR_RETURN(field.type, ParseFieldType(stmt.Text(3)));
  field.choices = SplitLines(stmt.String(4));
  field.required = stmt.Int64(5) != 0;
  field.position = static_cast<int>(stmt.Int64(6));
  return field;
}

constexpr const char* kColumns = "SELECT id, key, label, type, coalesce(choices, ''), required, position FROM custom_fields ";

}  // namespace

Result<int64_t> CreateCustomField(Db& db, const CustomField& field, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(User acting, ActingUser(db, actor));
  CRM_TRY(CheckCanAdminister(acting));
  if (field.key.empty() || field.key.size() > 40 || field.key.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
    return FieldError(ErrorCode::Invalid, "key", Problem::BadFormat, "key: 1 to 40 characters of a-z, 0-9 and _ (got '" + field.key + "')");
  }
  CRM_ASSIGN_OR_RETURN(std::string label, CleanText(field.label, "label", 50, true));
  if (static_cast<int>(field.type) < 0 || static_cast<int>(field.type) > static_cast<int>(FieldType::Choice)) {
    return FieldError(ErrorCode::Invalid, "type", Problem::UnknownCode, "type: unknown field type");
  }
  std::string choices;
  if (field.type == FieldType::Choice) {
    if (field.choices.empty()) {
      return FieldError(ErrorCode::Invalid, "choices", Problem::Required, "choices: a choice field needs at least one choice");
    }
    for (const std::string& choice : field.choices) {
      CRM_ASSIGN_OR_RETURN(std::string clean, CleanText(choice, "choices", 50, true));
      if (clean.find('\n') != std::string::npos) {
        return FieldError(ErrorCode::Invalid, "choices", Problem::BadFormat, "choices: one line each");
      }
      choices += (choices.empty() ? "" : "\n") + clean;
    }
  }
  CRM_ASSIGN_OR_RETURN(Stmt exists, db.Prepare("SELECT 1 FROM custom_fields WHERE key = ? AND deleted_at IS NULL"));
  exists.Bind(1, field.key);
  CRM_ASSIGN_OR_RETURN(bool taken, exists.Step());
  if (taken) return FieldError(ErrorCode::Conflict, "key", Problem::Duplicate, "key: a field called '" + field.key + "' exists already");
  int64_t id = NewId();
  int64_t now = NowMs();
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "INSERT INTO custom_fields(id, key, label, type, choices, required, position, created_at, updated_at, created_by, "
      "updated_by, device_id) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt.BindAll(id, field.key, label, Code(field.type), choices, field.required ? 1 : 0, field.position, now, now, actor.userId,
               actor.userId, actor.deviceId);
  CRM_TRY(stmt.Run());
  return id;
}

Result<std::vector<CustomField>> ListCustomFields(Db& db) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(std::string(kColumns) + "WHERE deleted_at IS NULL ORDER BY position, label"));
  std::vector<CustomField> fields;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    CRM_ASSIGN_OR_RETURN(CustomField field, ReadField(stmt));
    fields.push_back(std::move(field));
  }
  return fields;
}

Result<CustomField> GetCustomField(Db& db, int64_t id) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(std::string(kColumns) + "WHERE id = ? AND deleted_at IS NULL"));
  stmt.Bind(1, id);
  CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return FieldError(ErrorCode::NotFound, "", Problem::NotFound, "custom field: no field with id " + std::to_string(id));
  return ReadField(stmt);
}

Result<std::string> ValidateCustomValue(const CustomField& field, std::string_view raw) {
  // The message names the field by its label; the field id is its key.
  CRM_ASSIGN_OR_RETURN(std::string value, OnField(CleanText(raw, field.label, 500, field.required), CustomFieldId(field)));
  if (value.empty()) return value;
  switch (field.type) {
    case FieldType::Text: return value;
    case FieldType::Number: {
      char* end = nullptr;
      double number = std::strtod(value.c_str(), &end);
      if (!end || *end != '\0' || !std::isfinite(number)) {
        return FieldError(ErrorCode::Invalid, CustomFieldId(field), Problem::NotANumber, field.label + ": '" + value + "' is not a number");
      }
      return value;
    }
    case FieldType::Date: return OnField(NormalizeDate(value, field.label), CustomFieldId(field));
    case FieldType::Choice:
      for (const std::string& choice : field.choices) {
        if (choice == value) return value;
      }
      return FieldError(ErrorCode::Invalid, CustomFieldId(field), Problem::NotAChoice,
                        field.label + ": '" + value + "' is not one of the choices");
  }
  return FieldError(ErrorCode::Invalid, CustomFieldId(field), Problem::UnknownCode, field.label + ": unknown field type");
}

std::string CustomFieldId(const CustomField& field) { return "custom." + field.key; }

}  // namespace crm
