// Human-readable reports: the summary a technician reads on stdout.
#pragma once

#include <ostream>
#include <string>

#include "recovery/manifest.h"
#include "recovery/planner.h"
#include "recovery/report.h"
#include "recovery/undo.h"

namespace lifeboat::ui {

struct TextOptions {
  bool all = false;      // list ok entries too
  bool verbose = false;  // show hashes of problem files
};

void WriteTextReport(std::ostream& out, const RunReport& r, const TextOptions& opt);

// `s` with control characters (C0, DEL, and UTF-8 encoded C1) replaced by
// '?': names from a hostile volume or archive must not drive the terminal.
std::string Printable(std::string_view s);
// "512 B", "1.5 MiB", "24.0 GiB".
std::string HumanBytes(double bytes);
// The repair plan, one line per directory and step ("fix --dry-run", and the
// confirmation prompt).
void WritePlan(std::ostream& out, const Manifest& m, const RepairPlan& plan);
void WriteUndoPlan(std::ostream& out, const UndoPlan& plan);

}  // namespace lifeboat::ui
