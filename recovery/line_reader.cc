// ForEachLine (line_reader.h).
#include "recovery/line_reader.h"

#include <vector>

#include "recovery/manifest.h"

namespace lifeboat {

Status ForEachLine(ByteReader& in, const std::string& name, size_t max_line,
                   const std::function<Status(std::string_view line, uint32_t number)>& fn) {
  std::vector<char> buf(64 * 1024);
  std::string pending;  // a line split across chunks
  uint32_t lineno = 0;
  auto too_long = [&](uint32_t n) {
    return ManifestError(name, n, "line longer than " + std::to_string(max_line) + " bytes");
  };
  for (;;) {
    Result<size_t> got = in.Read(buf.data(), buf.size());
    if (!got.ok()) return got.status();
    if (*got == 0) break;
    std::string_view chunk(buf.data(), *got);
    while (!chunk.empty()) {
      size_t nl = chunk.find('\n');
      if (nl == std::string_view::npos) {
        pending.append(chunk);
        if (pending.size() > max_line) return too_long(lineno + 1);
        break;
      }
      ++lineno;
      std::string_view line = chunk.substr(0, nl);
      if (!pending.empty()) {
        pending.append(line);
        line = pending;
      }
      if (line.size() > max_line) return too_long(lineno);
      LB_RETURN_IF_ERROR(fn(line, lineno));
      pending.clear();
      chunk.remove_prefix(nl + 1);
    }
  }
  if (!pending.empty())
    return ManifestError(name, lineno + 1, "last line has no newline: the manifest looks truncated");
  return Status::Ok();
}

}  // namespace lifeboat
