// Fuzz target: fleet reports (ui/report/fleet_report.cc), the JSON files PXE
// clients upload (lifeboat.auto/1) or technicians copy (lifeboat.report/1),
// merged by `lifeboat report merge`. One or two inputs come from the fuzz
// bytes (the first byte: bit 0 splits the rest at its first NUL into two
// files, bit 1 gives both the same file name, bit 2 makes the second
// unreadable, the high bits are how many "most restored" files to keep).
// The summary must add up, and every output must hold: the CSV parses back to
// one record of 16 fields per row, untrusted text is defused or escaped
// (no formula in the CSV, no tag but ours in the HTML, no control character
// on the terminal) and the JSON parses.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "ui/report/fleet_report.h"
#include "ui/report/text_report.h"

namespace {

using lifeboat::ui::FleetSummary;

// RFC 4180 records; false if the text is not well-formed CSV with CRLF ends.
bool ParseCsv(const std::string& csv, std::vector<std::vector<std::string>>& records) {
  std::vector<std::string> record(1);
  size_t i = 0;
  while (i < csv.size()) {
    std::string& field = record.back();
    if (csv[i] == '"' && field.empty()) {
      for (++i;; ++i) {
        if (i == csv.size()) return false;
        if (csv[i] != '"') {
          field += csv[i];
        } else if (i + 1 < csv.size() && csv[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          ++i;
          break;
        }
      }
      if (i < csv.size() && csv[i] != ',' && csv[i] != '\r') return false;
      continue;
    }
    if (csv[i] == ',') {
      record.emplace_back();
      ++i;
    } else if (csv[i] == '\r') {
      if (i + 1 == csv.size() || csv[i + 1] != '\n') return false;
      records.push_back(std::move(record));
      record.assign(1, "");
      i += 2;
    } else if (csv[i] == '"' || csv[i] == '\n') {
      return false;
    } else {
      field += csv[i++];
    }
  }
  return record.size() == 1 && record[0].empty();  // ended with CRLF
}

// Every '<' in the page starts one of the writer's own tags.
bool OnlyOurTags(const std::string& html) {
  static const std::set<std::string> kTags = {"!DOCTYPE", "html",  "/html", "head", "/head", "meta",  "title",
                                              "/title",   "style", "/style", "body", "/body", "h1",    "/h1",
                                              "h2",       "/h2",   "p",     "/p",   "table", "/table", "tr",
                                              "/tr",      "th",    "/th",   "td",   "/td",   "ul",    "/ul",
                                              "li",       "/li"};
  for (size_t lt = html.find('<'); lt != std::string::npos; lt = html.find('<', lt + 1)) {
    size_t end = html.find_first_of(" >", lt + 1);
    if (end == std::string::npos || !kTags.count(html.substr(lt + 1, end - lt - 1))) return false;
  }
  return true;
}

void Check(const FleetSummary& s, size_t inputs, size_t top) {
  if (s.inputs != inputs || s.merged + s.skipped.size() != inputs || s.runs != s.merged) __builtin_trap();
  if (s.machines > s.merged || s.rerun_machines > s.machines || s.rows.size() < s.machines) __builtin_trap();
  size_t by_outcome = 0, no_volumes = 0;
  for (const auto& [outcome, n] : s.outcomes) by_outcome += n;
  uint64_t restored = 0, removed = 0, unrepaired = 0;
  for (size_t i = 0; i < s.rows.size(); ++i) {
    const lifeboat::ui::FleetRow& r = s.rows[i];
    if (r.runs == 0 || r.outcome.empty() || (i > 0 && s.rows[i - 1].machine > r.machine)) __builtin_trap();
    no_volumes += r.outcome == "no_volumes";
    restored += r.restored;
    removed += r.removed;
    unrepaired += r.unrepaired;
  }
  if (by_outcome != s.rows.size() || s.volumes != s.rows.size() - no_volumes || restored != s.restored ||
      removed != s.removed || unrepaired != s.unrepaired)
    __builtin_trap();
  if (s.most_restored.size() > top) __builtin_trap();
  for (size_t i = 0; i < s.most_restored.size(); ++i)
    if (s.most_restored[i].second == 0 || (i > 0 && s.most_restored[i - 1].second < s.most_restored[i].second))
      __builtin_trap();

  std::ostringstream csv, html, text, json;
  lifeboat::ui::WriteFleetCsv(csv, s);
  std::vector<std::vector<std::string>> records;
  if (!ParseCsv(csv.str(), records) || records.size() != s.rows.size() + 1) __builtin_trap();
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].size() != 16) __builtin_trap();
    if (i == 0) continue;
    for (size_t f : {0, 1, 2, 3, 4, 5, 7, 8, 13, 15}) {  // text fields (the others are numbers)
      const std::string& v = records[i][f];
      if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r'))
        __builtin_trap();
    }
  }
  lifeboat::ui::WriteFleetHtml(html, s);
  if (!OnlyOurTags(html.str())) __builtin_trap();
  lifeboat::ui::WriteFleetText(text, s);
  std::string t = text.str();
  for (size_t start = 0, nl; start < t.size(); start = nl + 1) {
    nl = t.find('\n', start);
    if (nl == std::string::npos) __builtin_trap();  // every line ends
    std::string_view line(t.data() + start, nl - start);
    if (lifeboat::ui::Printable(line) != line) __builtin_trap();
  }
  lifeboat::ui::WriteFleetJson(json, s);
  nlohmann::json back = nlohmann::json::parse(json.str(), nullptr, /*allow_exceptions=*/false);
  if (back.is_discarded() || back.value("machines", size_t{0}) != s.machines) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<lifeboat::ui::FleetInput> inputs;
  size_t nul = rest.find('\0');
  if ((data[0] & 1) && nul != std::string::npos) {
    inputs.push_back({"r/a.json", rest.substr(0, nul), ""});
    inputs.push_back({(data[0] & 2) ? "r/a.json" : "r/b.json", rest.substr(nul + 1),
                      (data[0] & 4) ? "cannot be read: Input/output error" : ""});
  } else {
    inputs.push_back({"r/a.json", rest, ""});
  }
  size_t top = data[0] >> 3;
  Check(lifeboat::ui::MergeFleet(inputs, top), inputs.size(), top);
  return 0;
}
