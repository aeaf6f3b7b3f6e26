// Fuzz target: journal decoding (checksummed JSON lines from a possibly
// damaged volume). Whatever it accepts must be safe to act on: every path in
// an accepted record is a clean relative path.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "recovery/journal.h"
#include "recovery/rel_path.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  lifeboat::Result<lifeboat::JournalContents> j = lifeboat::DecodeJournal(text, "fuzz");
  if (j.ok()) {
    for (const lifeboat::JournalRecord& r : j->records) {
      for (const std::string* p : {&r.path, &r.tmp, &r.backup})
        if (!lifeboat::IsCleanRelPath(*p)) __builtin_trap();
      // Re-encoding an accepted record must decode to the same op.
      std::string again = lifeboat::EncodeJournalRecord(r);
      lifeboat::Result<lifeboat::JournalContents> k = lifeboat::DecodeJournal(again, "again");
      if (!k.ok() || k->records.size() != 1 || k->records[0].op != r.op) __builtin_trap();
    }
  }
  return 0;
}
