// The machine-readable report (schema "lifeboat.report/1").
#pragma once

#include <ostream>

#include "recovery/report.h"

namespace lifeboat::ui {

// `all`: list ok entries too (by default `files` holds only the others).
void WriteJsonReport(std::ostream& out, const RunReport& r, bool all);

}  // namespace lifeboat::ui
