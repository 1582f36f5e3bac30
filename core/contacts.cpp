#include "core/contacts.h"

#include "core/ids.h"
#include "core/org.h"
#include "core/records.h"
#include "core/validate.h"

namespace crm {

namespace {

Status Validate(const ContactInput& input, ContactInput& out) {
  // Messages name the contact ("contact phone: …"); the field ids are the contact form's ("phone").
  CRM_ASSIGN_OR_RETURN(out.name, OnField(CleanText(input.name, "contact name", 50, true), "name"));
  int role = static_cast<int>(input.role);
  if (role < 0 || role > static_cast<int>(ContactRole::Other)) {
    return FieldError(ErrorCode::Invalid, "role", Problem::UnknownCode, "contact role: unknown code");
  }
  out.role = input.role;
  CRM_ASSIGN_OR_RETURN(out.title, CleanText(input.title, "title", 50));
  if (!input.phone.empty()) {
    CRM_ASSIGN_OR_RETURN(out.phone, OnField(NormalizePhone(input.phone, "contact phone"), "phone"));
  }
  CRM_ASSIGN_OR_RETURN(out.wechat, CleanText(input.wechat, "wechat", 50));
  CRM_ASSIGN_OR_RETURN(out.email, CleanText(input.email, "email", 100));
  if (!out.email.empty() && (out.email.find('@') == std::string::npos || out.email.find(' ') != std::string::npos)) {
    return FieldError(ErrorCode::Invalid, "email", Problem::BadEmail, "email: '" + out.email + "' is not an e-mail address");
  }
  if (!input.birthday.empty()) {
    CRM_ASSIGN_OR_RETURN(out.birthday, OnField(NormalizeDate(input.birthday, "contact birthday"), "birthday"));
  }
  CRM_ASSIGN_OR_RETURN(out.notes, CleanText(input.notes, "notes", kMaxTextLength));
  return Ok();
}

Result<int64_t> CustomerOfContact(Db& db, int64_t contactId) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT customer_id FROM contacts WHERE id = ? AND deleted_at IS NULL"));
  stmt.Bind(1, contactId);
  CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return FieldError(ErrorCode::NotFound, "", Problem::NotFound, "contact: no contact with id " + std::to_string(contactId));
  return stmt.Int64(0);
}

std::optional<std::string> NonEmpty(const std::string& text) { return text.empty() ? std::nullopt : std::optional<std::string>(text); }

}  // namespace

Result<int64_t> AddContact(Db& db, int64_t customerId, const ContactInput& input, const Actor& actor) {
  CRM_TRY(AuthorizeCustomerChange(db, actor, customerId));
  ContactInput in;
  CRM_TRY(Validate(input, in));
  int64_t id = NewId();
  int64_t now = NowMs();
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "INSERT INTO contacts(id, customer_id, name, role, title, phone, phone_normalized, wechat, email, birthday, notes, "
      "created_at, updated_at, created_by, updated_by, device_id) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt.BindNext(id).BindNext(customerId).BindNext(in.name).BindNext(Code(in.role)).BindNext(in.title);
  stmt.BindNext(NonEmpty(in.phone)).BindNext(NonEmpty(in.phone)).BindNext(in.wechat).BindNext(in.email);
  stmt.BindNext(NonEmpty(in.birthday)).BindNext(in.notes);
  stmt.BindNext(now).BindNext(now).BindNext(actor.userId).BindNext(actor.userId).BindNext(actor.deviceId);
  CRM_TRY(stmt.Run());
  return id;
}

Status UpdateContact(Db& db, int64_t contactId, const ContactInput& input, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(int64_t customerId, CustomerOfContact(db, contactId));
  CRM_TRY(AuthorizeCustomerChange(db, actor, customerId));
  ContactInput in;
  CRM_TRY(Validate(input, in));
  CRM_ASSIGN_OR_RETURN(Stmt stmt, PrepareSignedUpdate(db, actor, NowMs(), "contacts",
      "name = ?1, role = ?2, title = ?3, phone = ?4, phone_normalized = ?5, wechat = ?6, email = ?7, birthday = ?8, notes = ?9",
      "id = ?10"));
  stmt.BindNext(in.name).BindNext(Code(in.role)).BindNext(in.title).BindNext(NonEmpty(in.phone)).BindNext(NonEmpty(in.phone));
  stmt.BindNext(in.wechat).BindNext(in.email).BindNext(NonEmpty(in.birthday)).BindNext(in.notes).BindNext(contactId);
  return stmt.Run();
}

Status TrashContact(Db& db, int64_t contactId, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(int64_t customerId, CustomerOfContact(db, contactId));
  CRM_TRY(AuthorizeCustomerChange(db, actor, customerId));
  int64_t now = NowMs();
  CRM_ASSIGN_OR_RETURN(Stmt stmt, PrepareSignedUpdate(db, actor, now, "contacts", "deleted_at = ?1", "id = ?2"));
  stmt.BindAll(now, contactId);
  return stmt.Run();
}

Result<std::vector<Contact>> ContactsOf(Db& db, int64_t customerId) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "SELECT id, name, role, coalesce(title, ''), coalesce(phone, ''), coalesce(wechat, ''), coalesce(email, ''), "
      "coalesce(birthday, ''), coalesce(notes, '') FROM contacts WHERE customer_id = ? AND deleted_at IS NULL "
      "ORDER BY role != 'decision_maker', name"));
  stmt.Bind(1, customerId);
  std::vector<Contact> contacts;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    Contact contact;
    contact.id = stmt.Int64(0);
    contact.customerId = customerId;
    contact.fields.name = stmt.String(1);
    contact.fields.role = ParseContactRole(stmt.Text(2)).ValueOr(ContactRole::Other);
    contact.fields.title = stmt.String(3);
    contact.fields.phone = stmt.String(4);
    contact.fields.wechat = stmt.String(5);
    contact.fields.email = stmt.String(6);
    contact.fields.birthday = stmt.String(7);
    contact.fields.notes = stmt.String(8);
    contacts.push_back(std::move(contact));
  }
  return contacts;
}

}  // namespace crm
