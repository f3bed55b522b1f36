// needle::Status and needle::Result<T>: errors as values at module boundaries.
//
// A Status is either OK or carries a Code and a message. Codes are chosen by
// what the *caller* does next (skip the file, stop the run, reject a request),
// not by where the failure happened. The module that detects a failure writes
// the message; callers add context once with Annotate().
//
//   NEEDLE_ASSIGN_OR_RETURN(auto img, media::Decode(bytes, limits));
//
// Thread-safety: Status and Result are plain values.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace needle {

// Stable identifiers: they appear in JSON output ("error" field) and in the
// case store, so never renumber or rename them.
enum class Code {
  kOk = 0,
  kNotFound,          // the file or entry does not exist
  kPermissionDenied,  // the OS refused access
  kIoError,           // read failed midway (device error, file changed)
  kUnsupported,       // not a format needle decodes; digests are still valid
  kTruncated,         // data ends before the format says it should
  kCorrupt,           // data is malformed
  kTooLarge,          // exceeds a configured limit (pixels, bytes, depth)
  kInvalidArgument,   // bad user input (flags, hash text, request)
  kInternal,          // a bug or an unexpected library failure
  kAlreadyExists,     // creating something that exists (a bank, a token)
  kFailedPrecondition // state does not allow the operation (store locked...)
};

// The stable text form of a code ("truncated", "too_large", ...).
std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefix the message with context, e.g. the file name: "photo.jpg: truncated".
  Status& Annotate(std::string_view context);

  // "truncated: Premature end of JPEG file"
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
inline Status PermissionDenied(std::string m) { return Status(Code::kPermissionDenied, std::move(m)); }
inline Status IoError(std::string m) { return Status(Code::kIoError, std::move(m)); }
inline Status Unsupported(std::string m) { return Status(Code::kUnsupported, std::move(m)); }
inline Status Truncated(std::string m) { return Status(Code::kTruncated, std::move(m)); }
inline Status Corrupt(std::string m) { return Status(Code::kCorrupt, std::move(m)); }
inline Status TooLarge(std::string m) { return Status(Code::kTooLarge, std::move(m)); }
inline Status InvalidArgument(std::string m) { return Status(Code::kInvalidArgument, std::move(m)); }
inline Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }
inline Status AlreadyExists(std::string m) { return Status(Code::kAlreadyExists, std::move(m)); }
inline Status FailedPrecondition(std::string m) { return Status(Code::kFailedPrecondition, std::move(m)); }

// A value or the reason there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {          // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace needle

#define NEEDLE_CONCAT_INNER(a, b) a##b
#define NEEDLE_CONCAT(a, b) NEEDLE_CONCAT_INNER(a, b)

// Return the Status from the enclosing function when `expr` fails.
#define NEEDLE_RETURN_IF_ERROR(expr)              \
  do {                                            \
    ::needle::Status needle_st_ = (expr);         \
    if (!needle_st_.ok()) return needle_st_;      \
  } while (0)

// `lhs` = value of the Result `expr`, or return its Status.
#define NEEDLE_ASSIGN_OR_RETURN(lhs, expr) \
  NEEDLE_ASSIGN_OR_RETURN_IMPL(NEEDLE_CONCAT(needle_res_, __LINE__), lhs, expr)
#define NEEDLE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
