// UTF-16LE, as Windows file formats store names and paths, to UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace lifeboat {

// Up to the first NUL (or the end); surrogate pairs are joined, a lone
// surrogate becomes '?'. An odd last byte is ignored.
std::string Utf16ToUtf8(std::string_view raw);

}  // namespace lifeboat
