#pragma once
// Errors are values across module boundaries: every fallible call returns
// Result<T> (or Status), carrying a code and a message meant for a person.
#include <optional>
#include <string>
#include <utility>

namespace crm {

enum class ErrorCode {
  Generic,
  Invalid,    // input that breaks a rule; the message says which field and why
  NotFound,
  Denied,     // permission check failed
  Conflict,   // uniqueness or concurrent change
  Storage,    // SQLite or the browser's storage failed
  Full,       // disk or quota exhausted
  Corrupt,    // bytes that cannot be decoded or a damaged database
  Schema,     // data from a newer (or unknown) schema version
};

const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::Generic;
  std::string message;
};

inline Error MakeError(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

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
