// `lifeboat detect` output: a table for people, JSON ("lifeboat.detect/1")
// for scripts and for the unattended mode.
#pragma once

#include <ostream>
#include <vector>

#include "recovery/volume_probe.h"

namespace lifeboat::ui {

void WriteDetectText(std::ostream& out, const std::vector<VolumeReport>& volumes);
void WriteDetectJson(std::ostream& out, const std::vector<VolumeReport>& volumes, int exit_code);

}  // namespace lifeboat::ui
