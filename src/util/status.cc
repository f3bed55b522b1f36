#include "needle/status.h"

namespace needle {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kNotFound: return "not_found";
    case Code::kPermissionDenied: return "permission_denied";
    case Code::kIoError: return "io_error";
    case Code::kUnsupported: return "unsupported_format";
    case Code::kTruncated: return "truncated";
    case Code::kCorrupt: return "corrupt";
    case Code::kTooLarge: return "too_large";
    case Code::kInvalidArgument: return "invalid_argument";
    case Code::kInternal: return "internal";
    case Code::kAlreadyExists: return "already_exists";
    case Code::kFailedPrecondition: return "failed_precondition";
  }
  return "internal";
}

Status& Status::Annotate(std::string_view context) {
  if (!ok() && !context.empty()) message_ = std::string(context) + ": " + message_;
  return *this;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName(code_)) + ": " + message_;
}

}  // namespace needle
