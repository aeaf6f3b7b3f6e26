// Errors as values across the engine (as in leveldb and ninja).
//
// A Status is either OK or carries a code, the errno that caused it (if any)
// and a message that names the file and says what went wrong. Result<T> holds
// either a value or a non-OK Status. Engine functions never throw for expected
// failures (missing files, bad input, I/O errors); exceptions are reserved for
// programming errors and out-of-memory, and are caught only in ui/cli/main.cc.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace lifeboat {

class Status {
 public:
  enum class Code {
    kOk,
    kNotFound,      // a file or directory does not exist
    kExists,        // a file we meant to create exclusively is already there
    kInvalidInput,  // malformed manifest, journal or option value
    kUnsafePath,    // a path would leave the target or cross a symlink
    kIoError,       // read/write/fsync failure
    kNoSpace,       // ENOSPC / EDQUOT
    kReadOnly,      // EROFS: the whole volume takes no writes
    kPermission,    // EACCES / EPERM on one file
    kUnsupported,   // operation not supported by this file system (e.g. link)
    kConflict,      // on-disk state differs from what the journal expects
    kCancelled,     // the user asked us to stop
    kBusy,          // another lifeboat holds the target's lock
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(Code code, std::string message, int sys_errno = 0) {
    return Status(code, std::move(message), sys_errno);
  }
  // Builds an error from an errno value: the code is derived from errno and
  // the message is "<what>: <strerror(errno)>".
  static Status FromErrno(int err, const std::string& what);

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  int sys_errno() const { return errno_; }
  const std::string& message() const { return message_; }
  // Returns a copy whose message is prefixed with "<context>: ".
  Status WithContext(const std::string& context) const;

 private:
  Status(Code code, std::string message, int sys_errno)
      : code_(code), errno_(sys_errno), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  int errno_ = 0;
  std::string message_;
};

// Either a T or an error Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                        // NOLINT
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

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

}  // namespace lifeboat

// Evaluates a Status expression and returns it from the enclosing function if
// it is not OK.
#define LB_RETURN_IF_ERROR(expr)               \
  do {                                         \
    ::lifeboat::Status lb_status_ = (expr);    \
    if (!lb_status_.ok()) return lb_status_;   \
  } while (0)
