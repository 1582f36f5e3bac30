#include "core/result.h"

namespace crm {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::Generic: return "error";
    case ErrorCode::Invalid: return "invalid";
    case ErrorCode::NotFound: return "not_found";
    case ErrorCode::Denied: return "denied";
    case ErrorCode::Conflict: return "conflict";
    case ErrorCode::Storage: return "storage";
    case ErrorCode::Full: return "full";
    case ErrorCode::Corrupt: return "corrupt";
    case ErrorCode::Schema: return "schema";
  }
  return "error";
}

}  // namespace crm
