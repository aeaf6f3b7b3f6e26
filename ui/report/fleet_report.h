// `lifeboat report merge`: many run reports from a fleet of PCs merged into
// one picture for the admin (what happened to each machine's volumes, and
// fleet totals). Inputs are "lifeboat.auto/1" (one per machine per unattended
// run) and "lifeboat.report/1" (one `fix --json` run on one volume); outputs are
// a CSV (one row per machine and volume), a static HTML page, a text summary
// and "lifeboat.fleet/1" JSON with the totals.
//
// MergeFleet is a pure function from file names and contents to a
// FleetSummary: a file that is not one of the two formats, or is malformed
// (not JSON, a field of the wrong type), is skipped with the reason and counted.
// A machine is identified by its serial, else its UUID (firmware placeholders
// such as "To Be Filled By O.E.M." do not count), else (no identity, or
// a lifeboat.report/1, whose machine is unknown) by the report's file name. When
// a machine has several reports, the one with the latest `finished` time is its
// current state and `runs` counts them all.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace lifeboat::ui {

// One input file: its name as given, and its contents (or why it could not be read).
struct FleetInput {
  std::string name;
  std::string text;
  std::string read_error;  // non-empty: the file could not be read
};

// One volume of a machine's latest run: a row of the CSV and of the HTML.
struct FleetRow {
  std::string machine;  // the identity used to group runs: serial, uuid or file name
  std::string serial, uuid, vendor, product, hostname;
  std::string finished;  // ISO 8601 UTC; for a lifeboat.report/1 the run id's start time
  std::string device;
  std::optional<int64_t> partition;
  std::string windows;
  std::string outcome;  // repaired, healthy, partly_repaired, unrepaired, refused, failed, no_manifest, no_volumes
  int exit_code = 0;
  bool has_report = false;  // false: fix did not run, the counts are empty
  uint64_t restored = 0, removed = 0, unrepaired = 0;
  std::string reason;
  size_t runs = 1;
  std::string file;  // the report it comes from
};

struct FleetSkipped {
  std::string file;
  std::string reason;
};

struct FleetSummary {
  size_t inputs = 0;  // files given
  size_t merged = 0;  // files read as one of the two formats
  std::vector<FleetSkipped> skipped;
  size_t machines = 0;
  size_t runs = 0;      // reports merged, re-runs included
  size_t rerun_machines = 0;  // machines with more than one report
  size_t volumes = 0;   // volumes in the machines' latest runs
  std::map<std::string, size_t> outcomes;  // outcome -> volumes (every known outcome present, maybe 0)
  uint64_t restored = 0, removed = 0, unrepaired = 0;  // files, over the latest runs
  // Path (case-insensitive, first spelling seen) and how many volumes restored it; most first.
  std::vector<std::pair<std::string, size_t>> most_restored;
  std::vector<FleetRow> rows;  // ordered by machine, then volume as reported
};

// Outcomes in display order: those that need attention first.
const std::vector<std::string>& FleetOutcomes();
bool NeedsAttention(const std::string& outcome);

// `top`: how many of the most often restored files to keep.
FleetSummary MergeFleet(const std::vector<FleetInput>& inputs, size_t top = 10);

// RFC 4180 CSV: a header row, CRLF line ends, fields quoted when they hold a
// comma, quote, CR or LF. A text field starting with = + - @ or a tab gets a
// leading apostrophe so that a spreadsheet does not run it as a formula.
void WriteFleetCsv(std::ostream& out, const FleetSummary& s);
// A self-contained page (no script, no external resource): totals, then a
// table per outcome, the ones needing attention first. Every string escaped.
void WriteFleetHtml(std::ostream& out, const FleetSummary& s);
// The totals for a terminal.
void WriteFleetText(std::ostream& out, const FleetSummary& s);
// The totals as "lifeboat.fleet/1".
void WriteFleetJson(std::ostream& out, const FleetSummary& s);

// One CSV field, quoted if needed (no formula guard).
std::string CsvField(const std::string& s);
// & < > " ' as entities; control characters as '?'.
std::string HtmlEscape(const std::string& s);

}  // namespace lifeboat::ui
