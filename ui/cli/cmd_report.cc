// `lifeboat report ...`: commands over reports already written. `report merge`
// merges the reports of a fleet campaign (lifeboat.auto/1, lifeboat.report/1)
// into a CSV, a static HTML page and a summary (ui/report/fleet_report.h).
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "ui/cli/commands.h"
#include "ui/report/fleet_report.h"
#include "ui/report/text_report.h"

namespace lifeboat::ui {
namespace {

// A report larger than this is not one lifeboat wrote (a full fix report of a
// Windows 11 volume with --all is a few MiB).
constexpr off_t kMaxReportBytes = 64 << 20;

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string csv, html, json;
  bool quiet = false;
};

FleetInput ReadInput(const std::string& path) {
  FleetInput in;
  in.name = path;
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    in.read_error = std::string("cannot be read: ") + std::strerror(errno);
    return in;
  }
  if (!S_ISREG(st.st_mode)) {
    in.read_error = "not a regular file";
    return in;
  }
  if (st.st_size > kMaxReportBytes) {
    in.read_error = "too large for a lifeboat report (" + HumanBytes(static_cast<double>(st.st_size)) + ")";
    return in;
  }
  std::ifstream f(path, std::ios::binary);
  std::ostringstream text;
  if (f) text << f.rdbuf();
  if (!f || f.bad()) {
    in.read_error = std::string("cannot be read: ") + std::strerror(errno);
    return in;
  }
  in.text = std::move(text).str();
  return in;
}

// Writes one output with `write`; "-" is stdout. False (and a message) on failure.
template <typename Writer>
bool WriteOutput(const std::string& path, const char* what, Writer write) {
  if (path == "-") {
    write(std::cout);
    std::cout.flush();
    return static_cast<bool>(std::cout);
  }
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (f) write(f);
  f.close();
  if (!f) {
    std::cerr << "lifeboat report merge: error: cannot write the " << what << " to " << Printable(path) << '\n';
    return false;
  }
  return true;
}

int RunMerge(const MergeOptions& o) {
  if ((o.csv == "-") + (o.html == "-") + (o.json == "-") > 1) {
    std::cerr << "lifeboat report merge: error: only one of -o, --html and --json can be '-' (stdout)\n";
    return kExitUsage;
  }
  std::vector<FleetInput> inputs;
  inputs.reserve(o.inputs.size());
  for (const std::string& p : o.inputs) inputs.push_back(ReadInput(p));
  FleetSummary s = MergeFleet(inputs);
  for (const FleetSkipped& k : s.skipped)
    std::cerr << "lifeboat report merge: warning: skipped " << Printable(k.file) << ": " << Printable(k.reason)
              << '\n';
  int code = s.skipped.empty() ? kExitHealthy : kExitProblemsLeft;
  if (!o.csv.empty() && !WriteOutput(o.csv, "CSV", [&s](std::ostream& out) { WriteFleetCsv(out, s); }))
    code |= kExitOperational;
  if (!o.html.empty() && !WriteOutput(o.html, "HTML", [&s](std::ostream& out) { WriteFleetHtml(out, s); }))
    code |= kExitOperational;
  if (!o.json.empty() && !WriteOutput(o.json, "JSON", [&s](std::ostream& out) { WriteFleetJson(out, s); }))
    code |= kExitOperational;
  // The summary goes to stderr when an output took stdout.
  bool stdout_taken = o.csv == "-" || o.html == "-" || o.json == "-";
  if (!o.quiet) WriteFleetText(stdout_taken ? std::cerr : std::cout, s);
  return code;
}

void AddReportMergeCommand(CLI::App& report, int& exit_code) {
  auto opts = std::make_shared<MergeOptions>();
  CLI::App* cmd = report.add_subcommand("merge", "Merge the reports of a fleet campaign into a CSV and an HTML page");
  cmd->add_option("reports", opts->inputs, "Report files: lifeboat.auto/1 or lifeboat.report/1 (fix --json)")
      ->required()
      ->option_text("FILE...");
  cmd->add_option("-o,--csv", opts->csv, "Write one CSV row per machine and volume to FILE ('-' for stdout)")
      ->option_text("FILE");
  cmd->add_option("--html", opts->html, "Write a static HTML page (totals, then a table per outcome) to FILE")
      ->option_text("FILE");
  cmd->add_option("--json", opts->json, "Write the fleet totals as lifeboat.fleet/1 JSON to FILE ('-' for stdout)")
      ->option_text("FILE");
  cmd->add_flag("-q,--quiet", opts->quiet, "No summary on stdout (warnings still go to stderr)");
  cmd->footer(
      "Inputs: lifeboat.auto/1 reports (`lifeboat auto`, one per machine per run) and\n"
      "lifeboat.report/1 reports (`lifeboat fix --json`; one volume, its machine unknown, so\n"
      "each file counts as its own machine). A machine is known by its serial, else its UUID\n"
      "(not a firmware placeholder such as \"To Be Filled By O.E.M.\"); when it has several\n"
      "reports, the one that finished last is its current state and the others count as\n"
      "runs. A file that is neither format, or is malformed, is named in a warning and\n"
      "skipped.\n\n"
      "Outputs: a summary on stdout (machines, volumes, each outcome, files restored, the most\n"
      "often restored files); -o: CSV (RFC 4180, header row) with serial, uuid, vendor,\n"
      "product, finished, device, partition, windows, outcome, exit_code, restored, removed,\n"
      "unrepaired, reason, runs, report (a text cell starting with = + - @ gets a leading ');\n"
      "--html: one self-contained page, outcomes needing attention (refused, failed,\n"
      "unrepaired, partly_repaired, no_volumes) first; --json: the totals.\n\n"
      "Example:\n"
      "  lifeboat report merge reports/*.json -o fleet.csv --html fleet.html\n"
      "  lifeboat report merge reports/*.json --json - -q | jq .outcomes\n\n"
      "Exit: 0 every file merged, 4 some skipped, 8 an output could not be written,\n"
      "16 usage error.");
  cmd->callback([opts, &exit_code] { exit_code = RunMerge(*opts); });
}

}  // namespace

void AddReportCommand(CLI::App& app, int& exit_code) {
  CLI::App* report = app.add_subcommand("report", "Work with reports already written (merge a fleet's reports)");
  report->require_subcommand(1);
  report->footer(
      "Run `lifeboat report <command> --help` for the options and an example.\n\n"
      "Example:\n"
      "  lifeboat report merge reports/*.json -o fleet.csv --html fleet.html\n\n"
      "Exit: as the subcommand; 16 usage error.");
  AddReportMergeCommand(*report, exit_code);
}

}  // namespace lifeboat::ui
