// Status helpers: errno → Status code mapping and message context.
#include "recovery/status.h"

#include <cerrno>
#include <cstring>

namespace lifeboat {

Status Status::FromErrno(int err, const std::string& what) {
  Code code = Code::kIoError;
  switch (err) {
    case ENOENT:
      code = Code::kNotFound;
      break;
    case EEXIST:
      code = Code::kExists;
      break;
    case ENOSPC:
    case EDQUOT:
      code = Code::kNoSpace;
      break;
    case EROFS:
      code = Code::kReadOnly;
      break;
    case EACCES:
    case EPERM:
      code = Code::kPermission;
      break;
    case ELOOP:  // O_NOFOLLOW / RESOLVE_NO_SYMLINKS met a symlink
      code = Code::kUnsafePath;
      break;
    case ENOTSUP:
    case ENOSYS:
      code = Code::kUnsupported;
      break;
    case EWOULDBLOCK:
      code = Code::kBusy;
      break;
    default:
      break;
  }
  return Status(code, what + ": " + std::strerror(err), err);
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_, errno_);
}

}  // namespace lifeboat
