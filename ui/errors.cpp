#include "ui/errors.h"

#include <cstdio>

#include "ui/keyed_text.h"
#include "ui/labels.h"

namespace crm::ui {

namespace {

// The text for each Problem that has one fixed wording; OutOfRange, Denied and None are worded below.
struct Wording {
  Problem problem;
  Str text;
};
constexpr Wording kWordings[] = {
    {Problem::Required, Str::ErrRequired},         {Problem::TooLong, Str::ErrTooLong},
    {Problem::TooMany, Str::ErrTooMany},           {Problem::Repeated, Str::ErrRepeated},
    {Problem::BadText, Str::ErrBadText},           {Problem::BadFormat, Str::ErrBadFormat},
    {Problem::BadPhone, Str::ErrBadPhone},         {Problem::BadDate, Str::ErrBadDate},
    {Problem::BadEmail, Str::ErrBadEmail},         {Problem::NotANumber, Str::ErrNotANumber},
    {Problem::NotAChoice, Str::ErrNotAChoice},     {Problem::DigitsOnly, Str::ErrDigitsOnly},
    {Problem::DigitCount, Str::ErrDigitCount},     {Problem::UnknownCode, Str::ErrUnknownCode},
    {Problem::NotApplicable, Str::ErrNotApplicable}, {Problem::AlreadyClosed, Str::ErrAlreadyClosed},
    {Problem::InTrash, Str::ErrInTrash},           {Problem::NeedsAdmin, Str::ErrNeedsAdmin},
    {Problem::AlreadySetUp, Str::ErrAlreadySetUp}, {Problem::Duplicate, Str::ErrDuplicate},
    {Problem::Deactivated, Str::ErrDeactivated},   {Problem::NoPin, Str::ErrNoPin},
    {Problem::WrongPin, Str::ErrWrongPin},         {Problem::WaitSeconds, Str::ErrWaitSeconds},
    {Problem::NotFound, Str::ErrNotFound},
};

// The texts take at most two numbers (%d), in the order arg, arg2.
std::string Format(Lang lang, Str text, const Error& error) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, Tr(lang, text), static_cast<int>(error.arg), static_cast<int>(error.arg2));
  return buffer;
}

// A keyed text of ui/strings/errors_strings.cpp.
std::string Words(Lang lang, const char* key) {
  const char* text = TrKey(lang, key);
  return text ? text : key;
}

// The person a refusal is about, by name; "another person" when core could not name them.
std::string Person(Lang lang, const Error& error) { return error.value.empty() ? Words(lang, "errors.someone") : error.value; }

// A text taking one name (%s), or the same name twice.
std::string WithName(Lang lang, const char* key, const std::string& name) { return TrKeyWith(lang, key, name, name); }

// An error core gave no problem (storage, sync, a rule with no wording of its own): English readers get core's
// message, which says the most; everyone else a wording of its code, never the English.
std::string CodeWording(Lang lang, const Error& error) {
  if (lang == Lang::En && !error.message.empty()) return error.message;
  switch (error.code) {
    case ErrorCode::Generic: return Words(lang, "errors.code.generic");
    case ErrorCode::Invalid: return Words(lang, "errors.code.invalid");
    case ErrorCode::NotFound: return Words(lang, "errors.code.not_found");
    case ErrorCode::Denied: return Words(lang, "errors.code.denied");
    case ErrorCode::Conflict: return Words(lang, "errors.code.conflict");
    case ErrorCode::Storage: return Words(lang, "errors.code.storage");
    case ErrorCode::Full: return Words(lang, "errors.code.full");
    case ErrorCode::Corrupt: return Words(lang, "errors.code.corrupt");
    case ErrorCode::Schema: return Words(lang, "errors.code.schema");
  }
  return Words(lang, "errors.code.generic");
}

// The problems worded from keyed texts; empty for the others.
std::string KeyedWording(Lang lang, const Error& error) {
  switch (error.problem) {
    case Problem::NotYourCustomer: return WithName(lang, "errors.not_your_customer", Person(lang, error));
    case Problem::AlreadyOwned: return WithName(lang, "errors.already_owned", Person(lang, error));
    case Problem::NotDecodable: {
      auto encoding = ParseEncoding(error.value);
      return WithName(lang, "errors.not_decodable", encoding ? EncodingInWords(lang, encoding.Value()) : error.value);
    }
    case Problem::SupervisorsOnly: return Words(lang, "errors.supervisors_only");
    case Problem::AdminsOnly: return Words(lang, "errors.admins_only");
    case Problem::LeadersOnly: return Words(lang, "errors.leaders_only");
    case Problem::NotYourAssignee: return Words(lang, "errors.not_your_assignee");
    case Problem::NotYourImport: return Words(lang, "errors.not_your_import");
    case Problem::NotSignedIn: return Words(lang, "errors.not_signed_in");
    case Problem::AlreadyYours: return Words(lang, "errors.already_yours");
    case Problem::AlreadyInPool: return Words(lang, "errors.already_in_pool");
    case Problem::SameOwner: return Words(lang, "errors.same_owner");
    case Problem::NotInTrash: return Words(lang, "errors.not_in_trash");
    case Problem::Merged: return Words(lang, "errors.merged");
    case Problem::SameCustomer: return Words(lang, "errors.same_customer");
    case Problem::EmptyFile: return Words(lang, "errors.empty_file");
    case Problem::NothingToUndo: return Words(lang, "errors.nothing_to_undo");
    case Problem::RelayUnreachable: return Words(lang, "errors.relay_unreachable");
    case Problem::RelayBusy: return Words(lang, "errors.relay_busy");
    case Problem::RelaySignIn: return Words(lang, "errors.relay_sign_in");
    case Problem::RelayForbids: return Words(lang, "errors.relay_forbids");
    case Problem::RelayRejected: return Words(lang, "errors.relay_rejected");
    case Problem::RelayRefusedChange:
      return WithName(lang, "errors.relay_refused_change", AuditTableLabel(lang, error.value));
    case Problem::DeviceRevoked: return Words(lang, "errors.device_revoked");
    default: return {};
  }
}

}  // namespace

std::string EncodingInWords(Lang lang, Encoding encoding) {
  switch (encoding) {
    case Encoding::Utf8: return Words(lang, "encoding.utf8");
    case Encoding::Gb18030: return Words(lang, "encoding.gb18030");
    case Encoding::Auto: break;
  }
  return Tr(lang, Str::EncAuto);
}

std::string DescribeError(Lang lang, const Error& error) {
  // A refusal says so first, whatever its wording.
  std::string refused = error.code == ErrorCode::Denied ? Tr(lang, Str::NotAllowed) : "";
  switch (error.problem) {
    case Problem::None:
      if (error.code == ErrorCode::Denied && lang != Lang::En) return refused + Words(lang, "errors.code.denied");
      return refused + CodeWording(lang, error);
    case Problem::OutOfRange:
      return Format(lang, error.arg || error.arg2 ? Str::ErrOutOfRangeBetween : Str::ErrOutOfRange, error);
    case Problem::Denied:
      return refused + Tr(lang, Str::ErrDenied);
    // What the sync server said is its own sentence, not this person's refusal.
    case Problem::RelayUnreachable:
    case Problem::RelayBusy:
    case Problem::RelaySignIn:
    case Problem::RelayForbids:
    case Problem::RelayRejected:
    case Problem::RelayRefusedChange:
    case Problem::DeviceRevoked:
      return KeyedWording(lang, error);
    default: break;
  }
  if (std::string keyed = KeyedWording(lang, error); !keyed.empty()) return refused + keyed;
  for (const Wording& wording : kWordings) {
    if (wording.problem != error.problem) continue;
    std::string text = Format(lang, wording.text, error);
    if (!error.value.empty()) text += (lang == Lang::Zh ? "：「" : ": '") + error.value + (lang == Lang::Zh ? "」" : "'");
    return text;
  }
  return refused + CodeWording(lang, error);
}

void ShowError(Lang lang, const Error& error, std::initializer_list<FieldSlot> fields, std::string& general) {
  std::string text = DescribeError(lang, error);
  if (!error.field.empty()) {
    for (const FieldSlot& slot : fields) {
      if (slot.field == error.field) {
        *slot.error = std::move(text);
        return;
      }
    }
  }
  general = std::move(text);
}

}  // namespace crm::ui
