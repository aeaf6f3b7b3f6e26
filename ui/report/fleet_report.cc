// Fleet report: merging lifeboat.auto/1 and lifeboat.report/1 files.
//
// Each input is parsed and validated on its own into a Run (a machine identity,
// a finished time and its volumes as FleetRows); a file that fails is skipped
// with the reason, and nothing of it is used. Runs are then grouped by machine;
// the one with the latest `finished` (ISO 8601 UTC compares as a string; on a tie
// the later input) gives the machine's rows, and the totals are counted over
// those rows only, so a re-run replaces the earlier picture instead of adding to it.
#include "ui/report/fleet_report.h"

#include <algorithm>
#include <cctype>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "recovery/case_fold.h"
#include "ui/report/text_report.h"

namespace lifeboat::ui {
namespace {

using nlohmann::json;

// Why a file is skipped; thrown and caught within one file's parse only.
struct Malformed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Accessors that check types: a field absent or null is its default, a field
// of another type makes the file malformed.
std::string Str(const json& o, const char* key, const std::string& where) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return "";
  if (!it->is_string()) throw Malformed(where + key + " is not a string");
  return it->get<std::string>();
}

int64_t Int(const json& o, const char* key, const std::string& where, int64_t dflt = 0) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return dflt;
  if (!it->is_number_integer()) throw Malformed(where + key + " is not an integer");
  return it->get<int64_t>();
}

std::optional<int64_t> OptInt(const json& o, const char* key, const std::string& where) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return std::nullopt;
  return Int(o, key, where);
}

uint64_t Count(const json& o, const char* key, const std::string& where) {
  int64_t n = Int(o, key, where);
  if (n < 0) throw Malformed(where + key + " is negative");
  return static_cast<uint64_t>(n);
}

const json& Object(const json& o, const char* key, const std::string& where) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_object()) throw Malformed(where + key + " is not an object");
  return *it;
}

const json& Array(const json& o, const char* key, const std::string& where) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_array()) throw Malformed(where + key + " is not an array");
  return *it;
}

// A lifeboat.report/1 object's counts, outcome and restored paths, filled into `row`.
void ReadFixReport(const json& r, const std::string& where, FleetRow& row, std::vector<std::string>& restored) {
  if (!r.is_object() || Str(r, "schema", where) != "lifeboat.report/1")
    throw Malformed(where + "schema is not lifeboat.report/1");
  const json& s = Object(r, "summary", where);
  std::string sw = where + "summary.";
  row.has_report = true;
  row.restored = Count(s, "restored", sw);
  row.removed = Count(s, "removed", sw);
  row.unrepaired = Count(s, "unrepaired", sw);
  for (const json& f : Array(r, "files", where)) {
    if (!f.is_object()) throw Malformed(where + "files[] is not an object");
    if (Str(f, "state", where + "files[].") == "restored") restored.push_back(Str(f, "path", where + "files[]."));
  }
  row.exit_code = static_cast<int>(Int(r, "exit_code", where));
  std::string error = Str(r, "error", where);
  auto cancelled = r.find("cancelled");
  if (cancelled != r.end() && !cancelled->is_null() && !cancelled->is_boolean())
    throw Malformed(where + "cancelled is not a boolean");
  if (row.reason.empty()) row.reason = error;
}

// The outcome of a lone lifeboat.report/1, from its exit code (fsck bits).
std::string OutcomeOf(const json& r, const FleetRow& row) {
  auto flag = r.find("cancelled");  // a boolean or null (ReadFixReport checked)
  bool cancelled = (flag != r.end() && flag->is_boolean() && flag->get<bool>()) || (row.exit_code & 32);
  if ((row.exit_code & 8) || !Str(r, "error", "").empty() || cancelled) return "failed";
  bool fixed = row.exit_code & 1, left = row.exit_code & 4;
  if (fixed && left) return "partly_repaired";
  if (fixed) return "repaired";
  if (left) return "unrepaired";
  return "healthy";
}

// "20261129-005419-65c2" -> "2026-11-29T00:54:19Z" (run ids are UTC); "" otherwise.
std::string TimeOfRunId(const std::string& id) {
  if (id.size() < 15 || id[8] != '-') return "";
  for (size_t i = 0; i < 15; ++i)
    if (i != 8 && (id[i] < '0' || id[i] > '9')) return "";
  return id.substr(0, 4) + "-" + id.substr(4, 2) + "-" + id.substr(6, 2) + "T" + id.substr(9, 2) + ":" +
         id.substr(11, 2) + ":" + id.substr(13, 2) + "Z";
}

// False for the placeholders firmware of unbranded boards reports instead of
// a serial or UUID ("To Be Filled By O.E.M.", "Default string", zeros and F
// only): many machines share them, so they cannot tell machines apart. A
// superset of what `lifeboat auto` refuses to name its report files after.
bool UsableId(const std::string& id) {
  std::string s;
  for (char c : id)
    if (c != ' ' && c != '-' && c != '.') s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s.empty() || s.find_first_not_of(s[0]) == std::string::npos || s.find_first_not_of("0f") == std::string::npos)
    return false;
  static const char* const kPlaceholders[] = {"tobefilledbyoem", "defaultstring", "systemserialnumber", "none",
                                              "notspecified", "notapplicable", "0123456789", "n/a", "unknown",
                                              "03000200040005000006000700080009"};
  for (const char* p : kPlaceholders)
    if (s == p) return false;
  return true;
}

struct Run {
  std::string machine;
  std::string finished;
  size_t order = 0;  // input position, for ties
  std::vector<FleetRow> rows;
  std::vector<std::string> restored;  // paths restored, one per volume that restored it
};

Run ReadFile(const FleetInput& in) {
  if (!in.read_error.empty()) throw Malformed(in.read_error);
  json j;
  try {
    j = json::parse(std::string_view(in.text));  // as pack.cc and journal.cc: one parser in the binary
  } catch (const json::parse_error& e) {
    // Not e.what(): it quotes the bytes it choked on, which may be anything.
    throw Malformed("not JSON (syntax error at byte " + std::to_string(e.byte) + ")");
  } catch (const json::exception& e) {  // a number out of range: "[json.exception.out_of_range.406] number ..."
    std::string what = e.what();
    throw Malformed("not JSON (" + what.substr(what.find("] ") == std::string::npos ? 0 : what.find("] ") + 2) + ")");
  }
  if (!j.is_object()) throw Malformed("not a lifeboat report (not a JSON object)");
  Run run;
  auto format = j.find("format");
  auto schema = j.find("schema");
  // lifeboat.auto/1 names its format in "format" (the schema as specified) or,
  // as `lifeboat auto` writes it, in "schema" like lifeboat.report/1.
  if ((format != j.end() && *format == "lifeboat.auto/1") || (schema != j.end() && *schema == "lifeboat.auto/1")) {
    const json& m = Object(j, "machine", "");
    FleetRow base;
    base.serial = Str(m, "serial", "machine.");
    base.uuid = Str(m, "uuid", "machine.");
    base.vendor = Str(m, "vendor", "machine.");
    base.product = Str(m, "product", "machine.");
    base.hostname = Str(m, "hostname_hint", "machine.");
    base.finished = Str(j, "finished", "");
    base.file = in.name;
    run.machine = UsableId(base.serial) ? base.serial : UsableId(base.uuid) ? base.uuid : in.name;
    base.machine = run.machine;
    run.finished = base.finished;
    const json& volumes = Array(j, "volumes", "");
    for (size_t i = 0; i < volumes.size(); ++i) {
      const json& v = volumes[i];
      std::string where = "volumes[" + std::to_string(i) + "].";
      if (!v.is_object()) throw Malformed("volumes[" + std::to_string(i) + "] is not an object");
      FleetRow row = base;
      row.device = Str(v, "device", where);
      row.partition = OptInt(v, "partition", where);
      row.windows = Str(v, "windows", where);
      row.outcome = Str(v, "outcome", where);
      if (row.outcome.empty()) throw Malformed(where + "outcome is missing");
      row.reason = Str(v, "reason", where);
      auto report = v.find("report");
      if (report != v.end() && !report->is_null()) ReadFixReport(*report, where + "report.", row, run.restored);
      // The volume's own exit code wins over its report's.
      row.exit_code = static_cast<int>(Int(v, "exit_code", where, row.exit_code));
      run.rows.push_back(std::move(row));
    }
    if (run.rows.empty()) {
      // A machine on which no Windows volume was found: still a machine to look at.
      FleetRow row = base;
      row.outcome = "no_volumes";
      row.exit_code = static_cast<int>(Int(j, "exit_code", ""));
      row.reason = "no Windows volume found";
      run.rows.push_back(std::move(row));
    }
  } else if (schema != j.end() && *schema == "lifeboat.report/1") {
    FleetRow row;
    std::string command = Str(j, "command", "");
    if (command != "fix" && command != "scan") throw Malformed("a lifeboat.report/1 of `" + command + "`, not of fix or scan");
    ReadFixReport(j, "", row, run.restored);
    row.outcome = OutcomeOf(j, row);
    row.device = Str(j, "target", "");
    row.finished = TimeOfRunId(Str(j, "run_id", ""));
    row.file = in.name;
    row.machine = in.name;  // a lone fix report does not say which machine it ran on
    run.machine = in.name;
    run.finished = row.finished;
    run.rows.push_back(std::move(row));
  } else {
    throw Malformed("not a lifeboat.auto/1 or lifeboat.report/1 report");
  }
  return run;
}

// Known outcomes first in their display order, then any others by name.
std::vector<std::string> OrderedOutcomes(const FleetSummary& s) {
  std::vector<std::string> order = FleetOutcomes();
  for (const auto& [name, n] : s.outcomes)
    if (std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);
  return order;
}

// A CSV field from untrusted text: a leading formula character is defused.
std::string CsvText(const std::string& s) {
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
    return CsvField("'" + s);
  return CsvField(s);
}

std::string Partition(const FleetRow& r) { return r.partition ? std::to_string(*r.partition) : ""; }

std::string CountOrEmpty(const FleetRow& r, uint64_t n) { return r.has_report ? std::to_string(n) : ""; }

}  // namespace

const std::vector<std::string>& FleetOutcomes() {
  static const std::vector<std::string> kOutcomes = {"refused",  "failed",  "unrepaired",  "partly_repaired",
                                                     "no_volumes", "no_manifest", "repaired", "healthy"};
  return kOutcomes;
}

bool NeedsAttention(const std::string& outcome) {
  return outcome == "refused" || outcome == "failed" || outcome == "unrepaired" || outcome == "partly_repaired" ||
         outcome == "no_volumes";
}

FleetSummary MergeFleet(const std::vector<FleetInput>& inputs, size_t top) {
  FleetSummary s;
  s.inputs = inputs.size();
  std::map<std::string, std::vector<Run>> by_machine;
  for (size_t i = 0; i < inputs.size(); ++i) {
    try {
      Run run = ReadFile(inputs[i]);
      run.order = i;
      by_machine[run.machine].push_back(std::move(run));
      ++s.merged;
    } catch (const Malformed& e) {
      s.skipped.push_back({inputs[i].name, e.what()});
    } catch (const json::exception& e) {  // a type nlohmann refused to convert: malformed all the same
      s.skipped.push_back({inputs[i].name, e.what()});
    }
  }
  for (const std::string& o : FleetOutcomes()) s.outcomes[o] = 0;
  // Folded path -> (the spelling seen first, volumes): manifests of different
  // Windows versions spell the same file with different case.
  std::map<std::string, std::pair<std::string, size_t>> restored_paths;
  for (auto& [machine, runs] : by_machine) {
    auto latest = std::max_element(runs.begin(), runs.end(), [](const Run& a, const Run& b) {
      return a.finished != b.finished ? a.finished < b.finished : a.order < b.order;
    });
    ++s.machines;
    s.runs += runs.size();
    s.rerun_machines += runs.size() > 1;
    for (FleetRow& row : latest->rows) {
      row.runs = runs.size();
      s.volumes += row.outcome != "no_volumes";
      ++s.outcomes[row.outcome];
      s.restored += row.restored;
      s.removed += row.removed;
      s.unrepaired += row.unrepaired;
      s.rows.push_back(std::move(row));
    }
    for (const std::string& p : latest->restored) {
      auto& [spelling, n] = restored_paths[FoldCase(p)];
      if (n++ == 0) spelling = p;
    }
  }
  // The `top` largest counts, ties by path (the map's order), picked one by one:
  // `top` is small, and a sort of (path, count) pairs costs the static binary 12 KB.
  while (s.most_restored.size() < top) {
    auto best = restored_paths.end();
    for (auto it = restored_paths.begin(); it != restored_paths.end(); ++it)
      if (it->second.second > 0 && (best == restored_paths.end() || it->second.second > best->second.second))
        best = it;
    if (best == restored_paths.end()) break;
    s.most_restored.push_back(best->second);
    best->second.second = 0;
  }
  return s;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string HtmlEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : Printable(s)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

void WriteFleetCsv(std::ostream& out, const FleetSummary& s) {
  out << "serial,uuid,vendor,product,finished,device,partition,windows,outcome,exit_code,restored,removed,"
         "unrepaired,reason,runs,report\r\n";
  for (const FleetRow& r : s.rows) {
    out << CsvText(r.serial) << ',' << CsvText(r.uuid) << ',' << CsvText(r.vendor) << ',' << CsvText(r.product) << ','
        << CsvText(r.finished) << ',' << CsvText(r.device) << ',' << Partition(r) << ',' << CsvText(r.windows) << ','
        << CsvText(r.outcome) << ',' << r.exit_code << ',' << CountOrEmpty(r, r.restored) << ','
        << CountOrEmpty(r, r.removed) << ',' << CountOrEmpty(r, r.unrepaired) << ',' << CsvText(r.reason) << ','
        << r.runs << ',' << CsvText(r.file) << "\r\n";
  }
}

void WriteFleetText(std::ostream& out, const FleetSummary& s) {
  auto line = [&out](const std::string& label, auto value) {
    out << "  " << std::left << std::setw(18) << label << value << '\n';
  };
  out << "lifeboat report merge: " << s.inputs << " file(s), " << s.merged << " merged, " << s.skipped.size()
      << " skipped\n";
  line("machines", s.machines);
  line("runs", s.runs);
  line("re-run machines", s.rerun_machines);
  line("volumes", s.volumes);
  for (const std::string& o : OrderedOutcomes(s)) line(Printable(o), s.outcomes.at(o));  // any outcome a report names
  line("files restored", s.restored);
  line("files removed", s.removed);
  line("files unrepaired", s.unrepaired);
  for (size_t i = 0; i < s.most_restored.size(); ++i)
    line(i == 0 ? "most restored" : "", Printable(s.most_restored[i].first) + " " +
                                            std::to_string(s.most_restored[i].second));
}

void WriteFleetJson(std::ostream& out, const FleetSummary& s) {
  using nlohmann::ordered_json;
  ordered_json j;
  j["format"] = "lifeboat.fleet/1";
  j["inputs"] = s.inputs;
  j["merged"] = s.merged;
  ordered_json skipped = ordered_json::array();
  for (const FleetSkipped& k : s.skipped) skipped.push_back({{"file", k.file}, {"reason", k.reason}});
  j["skipped"] = std::move(skipped);
  j["machines"] = s.machines;
  j["runs"] = s.runs;
  j["rerun_machines"] = s.rerun_machines;
  j["volumes"] = s.volumes;
  ordered_json outcomes = ordered_json::object();
  for (const std::string& o : OrderedOutcomes(s)) outcomes[o] = s.outcomes.at(o);
  j["outcomes"] = std::move(outcomes);
  j["files"] = {{"restored", s.restored}, {"removed", s.removed}, {"unrepaired", s.unrepaired}};
  ordered_json most = ordered_json::array();
  for (const auto& [path, n] : s.most_restored) most.push_back({{"path", path}, {"count", n}});
  j["most_restored"] = std::move(most);
  out << j.dump(2, ' ', false, ordered_json::error_handler_t::replace) << '\n';
}

void WriteFleetHtml(std::ostream& out, const FleetSummary& s) {
  auto e = HtmlEscape;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<title>lifeboat fleet report</title>\n<style>\n"
         "body{font-family:sans-serif;margin:1em 2em}\n"
         "table{border-collapse:collapse;margin-bottom:1em}\n"
         "th,td{border:1px solid #000;padding:2px 6px;text-align:left;vertical-align:top}\n"
         "td.n{text-align:right}\n"
         "h2.attention{border-left:6px solid #000;padding-left:6px}\n"
         "</style>\n</head>\n<body>\n<h1>lifeboat fleet report</h1>\n";
  out << "<p>" << s.inputs << " report file(s): " << s.merged << " merged, " << s.skipped.size()
      << " skipped.</p>\n";
  out << "<h2>Fleet totals</h2>\n<table class=\"totals\">\n";
  auto total = [&out](const std::string& label, uint64_t n) {
    out << "<tr><th>" << label << "</th><td class=\"n\">" << n << "</td></tr>\n";
  };
  total("machines", s.machines);
  total("runs (re-runs included)", s.runs);
  total("machines run more than once", s.rerun_machines);
  total("volumes", s.volumes);
  for (const std::string& o : OrderedOutcomes(s))
    total(e(o) + (NeedsAttention(o) ? " (needs attention)" : ""), s.outcomes.at(o));
  total("files restored", s.restored);
  total("files removed", s.removed);
  total("files unrepaired", s.unrepaired);
  out << "</table>\n";
  if (!s.most_restored.empty()) {
    out << "<h2>Most often restored files</h2>\n<table class=\"restored\">\n<tr><th>file</th><th>volumes</th></tr>\n";
    for (const auto& [path, n] : s.most_restored)
      out << "<tr><td>" << e(path) << "</td><td class=\"n\">" << n << "</td></tr>\n";
    out << "</table>\n";
  }
  if (!s.skipped.empty()) {
    out << "<h2>Skipped files</h2>\n<ul>\n";
    for (const FleetSkipped& k : s.skipped) out << "<li>" << e(k.file) << ": " << e(k.reason) << "</li>\n";
    out << "</ul>\n";
  }
  for (const std::string& o : OrderedOutcomes(s)) {
    size_t n = s.outcomes.at(o);
    if (n == 0) continue;
    bool attention = NeedsAttention(o);
    out << "<h2" << (attention ? " class=\"attention\">Needs attention: " : ">") << e(o) << " (" << n << ")</h2>\n"
        << "<table class=\"outcome\">\n<tr><th>serial</th><th>uuid</th><th>vendor</th><th>product</th>"
           "<th>finished</th><th>device</th><th>partition</th><th>windows</th><th>outcome</th><th>exit</th>"
           "<th>restored</th><th>removed</th><th>unrepaired</th><th>reason</th><th>runs</th><th>report</th></tr>\n";
    for (const FleetRow& r : s.rows) {
      if (r.outcome != o) continue;
      out << "<tr><td>" << e(r.serial) << "</td><td>" << e(r.uuid) << "</td><td>" << e(r.vendor) << "</td><td>"
          << e(r.product) << "</td><td>" << e(r.finished) << "</td><td>" << e(r.device) << "</td><td class=\"n\">"
          << Partition(r) << "</td><td>" << e(r.windows) << "</td><td>" << e(r.outcome) << "</td><td class=\"n\">"
          << r.exit_code << "</td><td class=\"n\">" << CountOrEmpty(r, r.restored) << "</td><td class=\"n\">"
          << CountOrEmpty(r, r.removed) << "</td><td class=\"n\">" << CountOrEmpty(r, r.unrepaired) << "</td><td>"
          << e(r.reason) << "</td><td class=\"n\">" << r.runs << "</td><td>" << e(r.file) << "</td></tr>\n";
    }
    out << "</table>\n";
  }
  out << "</body>\n</html>\n";
}

}  // namespace lifeboat::ui
