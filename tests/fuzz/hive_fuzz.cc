// Fuzz target: registry hive reading (the SOFTWARE and SYSTEM hives of a
// damaged volume, parsed by hivex through recovery/hive.cc) and the values
// lifeboat takes from them. Must never crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string>

#include "recovery/hive.h"
#include "recovery/windows_detect.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  lifeboat::Result<std::unique_ptr<lifeboat::Hive>> h = lifeboat::Hive::FromBytes(bytes, "fuzz");
  if (!h.ok()) return 0;
  lifeboat::WindowsInstall w;
  lifeboat::ReadSoftwareHive(**h, w);
  lifeboat::ReadSystemHive(**h, w);
  (void)w.Os();
  (void)(*h)->GetString("", "");
  (void)(*h)->GetDword("a\\\\b\\", "x");
  return 0;
}
