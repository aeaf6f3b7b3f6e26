// A Windows image file as a restore source: install.wim and install.esd
// from Vista/7+ install media (several editions, one image each), boot.wim,
// WinRE's winre.wim. Read with wimlib; candidates are named by image index
// and path ("2/Windows/System32/kernel32.dll").
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "recovery/source.h"

namespace lifeboat {

// True if `head` (a file's first bytes) starts with a WIM header magic:
// "MSWIM\0\0\0", or "WLPWM\0\0\0" for wimlib's pipable WIMs. The extension
// says nothing: install.esd is a WIM too.
bool HasWimMagic(std::string_view head);

// Opens the WIM at `path`. A WIM that wimlib cannot open (bad header,
// truncated, split into .swm parts) still yields a Source: its Survey and
// Fetch report the error, so one damaged image costs only that source and
// the other sources of the run are still used.
Result<std::unique_ptr<Source>> OpenWimSource(const std::string& path);

}  // namespace lifeboat
