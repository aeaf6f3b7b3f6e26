// What a locked BitLocker volume says about itself without a key: its volume
// GUID and the identifiers of its key protectors, read from the FVE metadata
// block the volume header points to (Windows 7 and later layout, as libbde
// documents it). The recovery screen shows "Recovery key ID: 9BF4D9A4", the
// first 8 hex digits of the recovery-password protector's GUID; fleets look
// the recovery password up by that ID.
#pragma once

#include <string>
#include <vector>

#include "recovery/block_device.h"
#include "recovery/status.h"

namespace lifeboat {

struct BitLockerProtector {
  std::string id;    // "9BF4D9A4-A30E-4A6A-9F7D-2C1D2B1E0F00"
  std::string kind;  // recovery-password, startup-key, tpm, tpm-pin, clear-key, password, other
};

struct BitLockerInfo {
  std::string volume_guid;
  std::vector<BitLockerProtector> protectors;
  // The short IDs (first 8 hex digits) of the recovery-password protectors.
  std::vector<std::string> RecoveryKeyIds() const;
};

// `volume` starts at the BitLocker volume header (-FVE-FS-). Fails on a
// header or metadata block it cannot make sense of; never reads outside the
// volume or past the metadata block.
Result<BitLockerInfo> ReadBitLockerInfo(BlockReader& volume);

// GUID bytes as stored (first three fields little-endian) to upper-case text.
std::string GuidText(const unsigned char* bytes);

}  // namespace lifeboat
