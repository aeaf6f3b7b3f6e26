// Splitting a byte stream into lines for the line-based manifest parsers.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "recovery/byte_reader.h"
#include "recovery/status.h"

namespace lifeboat {

// Calls fn(line, number) for every '\n'-terminated line (without the '\n'),
// numbering from 1, in chunks so memory stays bounded by `max_line`. A line
// longer than that, or a last line without '\n' (a truncated file), is an
// error naming "<name>:<line>". Stops at the first error fn returns.
Status ForEachLine(ByteReader& in, const std::string& name, size_t max_line,
                   const std::function<Status(std::string_view line, uint32_t number)>& fn);

}  // namespace lifeboat
