// Fuzz target: the hashdeep and Winbindex importers (manifest_import.cc) and
// the signify key/signature parsers (signify.cc), all fed untrusted files.
// The first byte picks the parser.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "recovery/manifest_import.h"
#include "recovery/rel_path.h"
#include "recovery/signify.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  lifeboat::ImportOptions options;
  options.windows_version = "22H2";
  options.arch = "x64";
  options.ubr = (data[0] & 8) ? "1-5000" : "";
  switch (data[0] % 5) {
    case 0: {
      auto m = lifeboat::ImportHashdeep(text, "fuzz.hashdeep", options);
      if (m.ok())
        for (const auto& e : m->entries)
          if (!lifeboat::IsCleanRelPath(e.path) || e.path.empty()) __builtin_trap();
      break;
    }
    case 1: {
      auto m = lifeboat::ImportWinbindex(text, "svchost.exe.json", options);
      if (m.ok() && m->entries.size() != 1) __builtin_trap();
      break;
    }
    case 2: {
      auto k = lifeboat::ParsePublicKey(text, "fuzz.pub");
      if (k.ok() && lifeboat::ParsePublicKey(lifeboat::FormatPublicKey(*k), "again").status().ok() == false)
        __builtin_trap();
      break;
    }
    case 3:
      (void)lifeboat::ParseSecretKey(text, "fuzz.sec");
      break;
    case 4: {
      auto s = lifeboat::ParseSignature(text, "fuzz.sig");
      if (s.ok() && !lifeboat::ParseSignature(lifeboat::FormatSignature(*s), "again").ok()) __builtin_trap();
      break;
    }
  }
  return 0;
}
