// Running a helper program (ntfs-3g, dislocker) and collecting what it says.
// The engine starts other programs only for mounting; never through a shell.
#pragma once

#include <string>
#include <vector>

#include "recovery/status.h"

namespace lifeboat {

struct ProgramResult {
  int exit_code = -1;   // -1: killed by a signal
  std::string output;   // stdout and stderr, interleaved, at most 64 KiB
};

// The full path of `name` from $PATH, then /sbin:/bin:/usr/sbin:/usr/bin;
// empty if not found. A name containing '/' is returned as is.
std::string FindProgram(const std::string& name);

// Runs argv[0] (a path) with stdin from /dev/null and waits for it to exit
// (a daemon: until it has forked into the background). Fails if it could not
// be started, or ran longer than `timeout_seconds` (then it is killed).
Result<ProgramResult> RunProgram(const std::vector<std::string>& argv, int timeout_seconds = 120);

}  // namespace lifeboat
