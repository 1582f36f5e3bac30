#pragma once
// Errors are values across module boundaries: every fallible call returns
// Result<T> (or Status), carrying a code and a message meant for a person.
// An error about one input field also names the field and the problem, so a
// screen puts it under that field in the user's language without reading the
// English message.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace crm {

enum class ErrorCode {
  Generic,
  Invalid,    // input that breaks a rule; Error::field and Error::problem say which field and why
  NotFound,
  Denied,     // permission check failed
  Conflict,   // uniqueness or concurrent change
  Storage,    // SQLite or the browser's storage failed
  Full,       // disk or quota exhausted
  Corrupt,    // bytes that cannot be decoded or a damaged database
  Schema,     // data from a newer (or unknown) schema version
};

const char* ErrorCodeName(ErrorCode code);

// What is wrong with a field, for wording the error in any language. `arg`/`arg2` carry
// the numbers the wording needs (noted per value).
enum class Problem {
  None,          // not about a field's value; the message is all there is
  Required,      // empty but needed
  TooLong,       // arg: the most characters allowed
  TooMany,       // arg: the most entries allowed (phone numbers, tags)
  Repeated,      // the same field given twice in one input
  BadText,       // not valid UTF-8, or control characters
  BadFormat,     // not in the field's form (a custom field key, …)
  BadPhone,      // not a phone number
  BadDate,       // not a date, or a day that does not exist
  BadEmail,      // not an e-mail address
  NotANumber,    // a number field holding something else
  NotAChoice,    // not one of a choice field's choices
  DigitsOnly,    // a PIN with something other than digits
  DigitCount,    // a PIN of the wrong length; arg to arg2 digits
  UnknownCode,   // not in a vocabulary (a kind, a source, a stage, …)
  OutOfRange,    // a number or time outside its bounds; arg to arg2 when both are non-zero
  NotApplicable, // a value that does not fit the record's state (a lost reason for a won customer)
  AlreadyClosed, // a follow-up already done or cancelled
  InTrash,       // the customer is in the trash
  NeedsAdmin,    // the change would leave the organisation without an active admin
  AlreadySetUp,  // this device already has an organisation
  Duplicate,     // another record holds this value already (a user name, a field key)
  Deactivated,   // the account is switched off
  Denied,        // the acting user's role does not allow this
  NoPin,         // the account has no PIN to check
  WrongPin,
  WaitSeconds,   // too many wrong PINs; arg: seconds to wait
  NotFound,      // the record named is not there
  // Refusals, each worded for what was refused. `value` names the person it is about, `arg` their user id.
  NotYourCustomer,    // the customer belongs to another person (value: the owner) and the actor is not over them
  SupervisorsOnly,    // moving customers between owners: supervisors within their team, leaders and admins
  AdminsOnly,         // users, teams and custom fields
  LeadersOnly,        // organisation settings and the pool sweep
  NotYourAssignee,    // planning work for someone (value: them) the actor may not plan for
  NotYourImport,      // another person's import (value: the importer)
  NotSignedIn,        // the actor is no known user
  AlreadyOwned,       // a claim of a customer someone (value) holds: only pool customers are claimed
  AlreadyYours,       // a claim of one's own customer
  AlreadyInPool,      // a release of a pool customer
  SameOwner,          // a move to the person who already holds the customers
  NotInTrash,         // a restore of a customer that is not in the trash
  Merged,             // a restore of a customer merged into another
  SameCustomer,       // a merge of a customer into itself
  EmptyFile,          // a file with nothing in it (no header row)
  NotDecodable,       // text that is not in the encoding chosen (value: the encoding's name)
  NothingToUndo,      // no import this person may undo
  // What happened talking to the relay (sync), so the status bar words it in the user's language.
  RelayUnreachable,   // no answer: offline, or the relay is down
  RelayBusy,          // the relay asked to wait (429, 5xx)
  RelaySignIn,        // the relay no longer accepts this device's sign-in
  RelayForbids,       // the relay refuses this person the request
  RelayRejected,      // the relay did not accept the request (wrong address, a bad request)
  RelayRefusedChange, // the relay refused one of this device's changes (value: the table); it was taken back
  DeviceRevoked,      // an administrator revoked this device: its data is erased (arg 1: after pushing what is unsent)
};
// The last values, for code that goes through every one (the wording tests).
constexpr ErrorCode kLastErrorCode = ErrorCode::Schema;
constexpr Problem kLastProblem = Problem::DeviceRevoked;

struct Error {
  ErrorCode code = ErrorCode::Generic;
  std::string message;  // English, for logs, the CLI and the relay's refusals
  std::string field;    // the column / form field id it is about; empty when about no field
  Problem problem = Problem::None;
  int64_t arg = 0;
  int64_t arg2 = 0;
  std::string value;  // the input it is about, when the wording shows it (an unknown code)
};

inline Error MakeError(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }
inline Error FieldError(ErrorCode code, std::string field, Problem problem, std::string message, int64_t arg = 0,
                        int64_t arg2 = 0) {
  return Error{code, std::move(message), std::move(field), problem, arg, arg2};
}
// A refusal about no field, naming the person it is about (the owner, the importer…) for its wording.
inline Error Refusal(Problem problem, std::string message, std::string person = {}, int64_t personId = 0) {
  return Error{ErrorCode::Denied, std::move(message), {}, problem, personId, 0, std::move(person)};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_value(std::move(value)) {}
  Result(Error error) : m_error(std::move(error)) {}

  bool IsOk() const { return m_value.has_value(); }
  explicit operator bool() const { return IsOk(); }

  T& Value() & { return *m_value; }
  const T& Value() const& { return *m_value; }
  // By value: a reference into a temporary Result would dangle (for (x : F().Value())).
  T Value() && { return std::move(*m_value); }
  T ValueOr(T fallback) const { return m_value ? *m_value : std::move(fallback); }

  const Error& GetError() const { return m_error; }
  const std::string& Message() const { return m_error.message; }
  ErrorCode Code() const { return m_error.code; }

 private:
  std::optional<T> m_value;
  Error m_error;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : m_failed(true), m_error(std::move(error)) {}

  bool IsOk() const { return !m_failed; }
  explicit operator bool() const { return IsOk(); }
  const Error& GetError() const { return m_error; }
  const std::string& Message() const { return m_error.message; }
  ErrorCode Code() const { return m_error.code; }

 private:
  bool m_failed = false;
  Error m_error;
};

using Status = Result<void>;

inline Status Ok() { return Status(); }

}  // namespace crm

// Propagates a failed Status/Result out of the calling function.
#define CRM_TRY(expr)                                   \
  do {                                                  \
    auto crm_try_result_ = (expr);                      \
    if (!crm_try_result_) return crm_try_result_.GetError(); \
  } while (0)

#define CRM_CONCAT_INNER_(a, b) a##b
#define CRM_CONCAT_(a, b) CRM_CONCAT_INNER_(a, b)
// Declares `lhs` from a Result's value, or returns its error.
#define CRM_ASSIGN_OR_RETURN(lhs, expr)                                  \
  auto CRM_CONCAT_(crm_result_, __LINE__) = (expr);                      \
  if (!CRM_CONCAT_(crm_result_, __LINE__)) return CRM_CONCAT_(crm_result_, __LINE__).GetError(); \
  lhs = std::move(CRM_CONCAT_(crm_result_, __LINE__)).Value()
