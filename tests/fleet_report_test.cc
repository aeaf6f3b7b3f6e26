// Tests for ui/report/fleet_report.cc: merging hand-written lifeboat.auto/1 and
// lifeboat.report/1 files (re-runs, refused, healthy and partly repaired
// machines), skipping malformed ones, and the CSV quoting and HTML escaping.
#include "ui/report/fleet_report.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

namespace lifeboat::ui {
namespace {

using nlohmann::json;

json FixReport(int restored, int unrepaired, int exit_code, const std::vector<std::string>& restored_paths,
               int removed = 0) {
  json files = json::array();
  for (const std::string& p : restored_paths)
    files.push_back({{"path", p}, {"state", "restored"}, {"expected_sha256", "ab"}, {"found_sha256", nullptr},
                     {"source", "dllcache:x"}, {"message", "was missing"}});
  for (int i = 0; i < unrepaired; ++i)
    files.push_back({{"path", "WINDOWS/system32/lost" + std::to_string(i) + ".dll"}, {"state", "unrepaired"},
                     {"expected_sha256", "ab"}, {"found_sha256", nullptr}, {"source", nullptr},
                     {"message", "no verified copy"}});
  return {{"schema", "lifeboat.report/1"}, {"command", "fix"}, {"run_id", "20261129-064000-abcd"},
          {"target", "/mnt/win"}, {"dry_run", false}, {"manifest", nullptr},
          {"summary", {{"ok", 18}, {"missing", 1}, {"corrupt", 2}, {"restored", restored}, {"unrepaired", unrepaired},
                       {"known_bad", 0}, {"removed", removed}, {"unlisted", 0}}},
          {"files", files}, {"notes", json::array()}, {"warnings", json::array()}, {"cancelled", false},
          {"error", nullptr}, {"exit_code", exit_code}};
}

json Volume(const std::string& outcome, int exit_code, json report, const std::string& reason = "",
            int partition = 1) {
  return {{"device", "/dev/sda"}, {"partition", partition}, {"windows", "Windows XP 5.1 2600 SP3 x86"},
          {"outcome", outcome}, {"exit_code", exit_code}, {"reason", reason}, {"report", report}};
}

json Auto(const std::string& serial, const std::string& finished, json volumes, const std::string& uuid = "") {
  return {{"format", "lifeboat.auto/1"}, {"lifeboat_version", "0.1.0"},
          {"machine", {{"serial", serial}, {"uuid", uuid}, {"vendor", "HP"}, {"product", "dc7900"},
                       {"hostname_hint", ""}}},
          {"started", finished}, {"finished", finished}, {"exit_code", 0}, {"volumes", volumes}};
}

FleetInput In(const std::string& name, const json& j) { return {name, j.dump(), ""}; }

const std::string kSvchost = "WINDOWS/system32/svchost.exe";
const std::string kKernel = "WINDOWS/system32/kernel32.dll";

const FleetRow* RowOf(const FleetSummary& s, const std::string& machine) {
  for (const FleetRow& r : s.rows)
    if (r.machine == machine) return &r;
  return nullptr;
}

TEST_CASE("fleet: the latest run of a machine wins, its runs are counted") {
  std::vector<FleetInput> in = {
      // CZC1: failed first, then repaired on the re-run (given out of order).
      In("czc1-b.json", Auto("CZC1", "2026-11-29T07:10:00Z",
                             {Volume("repaired", 1, FixReport(3, 0, 1, {kSvchost, kKernel, "x.sys"}))})),
      In("czc1-a.json", Auto("CZC1", "2026-11-29T06:40:00Z",
                             {Volume("failed", 8, nullptr, "disk full")})),
      In("czc1-c.json", Auto("CZC1", "2026-11-29T06:50:00Z",
                             {Volume("unrepaired", 4, FixReport(0, 3, 4, {}))})),
      // CZC2: BitLocker-locked, refused, fix never ran.
      In("czc2.json", Auto("CZC2", "2026-11-29T06:41:00Z",
                           {Volume("refused", 8, nullptr, "BitLocker-locked: no recovery key")})),
      // CZC3: healthy, two volumes.
      In("czc3.json", Auto("CZC3", "2026-11-29T06:42:00Z",
                           {Volume("healthy", 0, FixReport(0, 0, 0, {})),
                            Volume("healthy", 0, FixReport(0, 0, 0, {}), "", 2)})),
      // No serial: known by its UUID; partly repaired.
      In("nouuid.json", Auto("", "2026-11-29T06:43:00Z",
                             {Volume("partly_repaired", 5, FixReport(1, 1, 5, {kSvchost}))}, "4c4c4544-0001")),
  };
  FleetSummary s = MergeFleet(in);
  CHECK(s.inputs == 6);
  CHECK(s.merged == 6);
  CHECK(s.skipped.empty());
  CHECK(s.machines == 4);
  CHECK(s.runs == 6);
  CHECK(s.rerun_machines == 1);
  CHECK(s.volumes == 5);
  CHECK(s.outcomes.at("repaired") == 1);
  CHECK(s.outcomes.at("failed") == 0);  // CZC1's failure was superseded
  CHECK(s.outcomes.at("unrepaired") == 0);
  CHECK(s.outcomes.at("refused") == 1);
  CHECK(s.outcomes.at("healthy") == 2);
  CHECK(s.outcomes.at("partly_repaired") == 1);
  CHECK(s.restored == 4);
  CHECK(s.unrepaired == 1);
  REQUIRE(s.most_restored.size() == 3);
  CHECK(s.most_restored[0] == std::pair<std::string, size_t>{kSvchost, 2});

  const FleetRow* c1 = RowOf(s, "CZC1");
  REQUIRE(c1);
  CHECK(c1->runs == 3);
  CHECK(c1->file == "czc1-b.json");
  CHECK(c1->outcome == "repaired");
  CHECK(c1->restored == 3);
  const FleetRow* c2 = RowOf(s, "CZC2");
  REQUIRE(c2);
  CHECK(c2->outcome == "refused");
  CHECK(c2->reason == "BitLocker-locked: no recovery key");
  CHECK_FALSE(c2->has_report);
  CHECK(c2->exit_code == 8);
  const FleetRow* u = RowOf(s, "4c4c4544-0001");
  REQUIRE(u);
  CHECK(u->outcome == "partly_repaired");
  CHECK(u->runs == 1);

  std::ostringstream csv;
  WriteFleetCsv(csv, s);
  // Header + 5 volume rows; the refused volume's counts are empty, not 0.
  std::string text = csv.str();
  CHECK(std::count(text.begin(), text.end(), '\n') == 6);
  CHECK(text.find("CZC2,,HP,dc7900,2026-11-29T06:41:00Z,/dev/sda,1,Windows XP 5.1 2600 SP3 x86,refused,8,,,,"
                  "BitLocker-locked: no recovery key,1,czc2.json\r\n") != std::string::npos);
  CHECK(text.find("CZC1,,HP,dc7900,2026-11-29T07:10:00Z,/dev/sda,1,Windows XP 5.1 2600 SP3 x86,repaired,1,3,0,0,,3,"
                  "czc1-b.json\r\n") != std::string::npos);

  std::ostringstream txt;
  WriteFleetText(txt, s);
  CHECK(txt.str().find("  machines          4\n") != std::string::npos);
  CHECK(txt.str().find("  refused           1\n") != std::string::npos);
  CHECK(txt.str().find("  most restored     " + kSvchost + " 2\n") != std::string::npos);

  std::ostringstream js;
  WriteFleetJson(js, s);
  json j = json::parse(js.str());
  CHECK(j["format"] == "lifeboat.fleet/1");
  CHECK(j["machines"] == 4);
  CHECK(j["outcomes"]["refused"] == 1);
  CHECK(j["files"]["restored"] == 4);
  CHECK(j["most_restored"][0]["path"] == kSvchost);
}

TEST_CASE("fleet: most restored files counted case-insensitively, as Windows names them") {
  FleetSummary s = MergeFleet({
      In("a.json", Auto("A1", "2026-11-29T06:40:00Z", {Volume("repaired", 1, FixReport(1, 0, 1, {kSvchost}))})),
      In("b.json", Auto("B1", "2026-11-29T06:40:00Z",
                        {Volume("repaired", 1, FixReport(2, 0, 1, {"Windows/System32/svchost.exe", kKernel}))})),
      In("c.json", Auto("C1", "2026-11-29T06:40:00Z",
                        {Volume("repaired", 1, FixReport(1, 0, 1, {"WINDOWS/SYSTEM32/SVCHOST.EXE"}))})),
  });
  REQUIRE(s.most_restored.size() == 2);
  CHECK(s.most_restored[0] == std::pair<std::string, size_t>{kSvchost, 3});
  CHECK(s.most_restored[1] == std::pair<std::string, size_t>{kKernel, 1});
  CHECK(s.restored == 4);
  CHECK(MergeFleet({In("a.json", Auto("A1", "x", json::array()))}, 0).most_restored.empty());
}

TEST_CASE("fleet: a lone fix report is its own machine, outcome from its exit code") {
  json partly = FixReport(2, 1, 5, {kSvchost, kKernel});
  json failed = FixReport(0, 0, 8, {});
  failed["error"] = "manifest not signed by a trusted key";
  FleetSummary s = MergeFleet({In("pc7.json", partly), In("pc8.json", failed), In("pc9.json", FixReport(0, 0, 0, {}))});
  CHECK(s.machines == 3);
  CHECK(s.outcomes.at("partly_repaired") == 1);
  CHECK(s.outcomes.at("failed") == 1);
  CHECK(s.outcomes.at("healthy") == 1);
  const FleetRow* r = RowOf(s, "pc7.json");
  REQUIRE(r);
  CHECK(r->device == "/mnt/win");
  CHECK(r->finished == "2026-11-29T06:40:00Z");
  CHECK(r->serial.empty());
  CHECK(RowOf(s, "pc8.json")->reason == "manifest not signed by a trusted key");

  // "cancelled": null is accepted as not cancelled (it threw a JSON type error).
  json nulled = FixReport(2, 1, 1, {kSvchost});
  nulled["cancelled"] = nullptr;
  FleetSummary n = MergeFleet({In("pc10.json", nulled)});
  CHECK(n.skipped.empty());
  CHECK(n.outcomes.at("repaired") == 1);
}

TEST_CASE("fleet: lifeboat.auto/1 named in \"format\" (as specified) or \"schema\" (as lifeboat auto writes it)") {
  json as_written = Auto("CZC2", "2026-11-29T06:41:00Z", {Volume("repaired", 1, FixReport(1, 0, 1, {kSvchost}))});
  as_written.erase("format");
  as_written["schema"] = "lifeboat.auto/1";
  as_written["notes"] = {"no Windows volume found"};
  FleetSummary s = MergeFleet({In("a.json", Auto("CZC1", "2026-11-29T06:40:00Z", json::array())), In("b.json", as_written)});
  CHECK(s.skipped.empty());
  CHECK(s.machines == 2);
  CHECK(s.outcomes.at("repaired") == 1);
  CHECK(s.outcomes.at("no_volumes") == 1);
}

TEST_CASE("fleet: placeholder serials and UUIDs do not merge different machines") {
  json healthy = json::array({Volume("healthy", 0, FixReport(0, 0, 0, {}))});
  FleetSummary s = MergeFleet({
      In("a.json", Auto("To Be Filled By O.E.M.", "2026-11-29T06:40:00Z", healthy, "4c4c4544-00aa")),
      In("b.json", Auto("To Be Filled By O.E.M.", "2026-11-29T06:41:00Z", healthy, "4c4c4544-00bb")),
      In("c.json", Auto("Default string", "2026-11-29T06:42:00Z", healthy, "03000200-0400-0500-0006-000700080009")),
      In("d.json", Auto("0000000000", "2026-11-29T06:43:00Z", healthy, "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")),
      In("e.json", Auto("", "2026-11-29T06:44:00Z", healthy, "00000000-0000-0000-0000-000000000000")),
      In("f.json", Auto("Unknown", "2026-11-29T06:45:00Z", healthy, "0F0F0F0F-0000-FFFF-0000-000000000000")),
  });
  CHECK(s.machines == 6);
  CHECK(RowOf(s, "f.json"));
  CHECK(s.rerun_machines == 0);
  CHECK(RowOf(s, "4c4c4544-00aa"));
  CHECK(RowOf(s, "4c4c4544-00bb"));
  CHECK(RowOf(s, "c.json"));
  CHECK(RowOf(s, "d.json"));
  CHECK(RowOf(s, "e.json"));
  CHECK(RowOf(s, "c.json")->serial == "Default string");  // still shown as reported
}

TEST_CASE("fleet: a machine without Windows volumes is a row needing attention") {
  FleetSummary s = MergeFleet({In("empty.json", Auto("CZC9", "2026-11-29T06:40:00Z", json::array()))});
  CHECK(s.machines == 1);
  CHECK(s.volumes == 0);
  CHECK(s.outcomes.at("no_volumes") == 1);
  CHECK(NeedsAttention("no_volumes"));
}

TEST_CASE("fleet: malformed and foreign files are skipped with the reason, the rest merged") {
  json bad_volume = Auto("CZC5", "2026-11-29T06:40:00Z", {Volume("repaired", 1, nullptr)});
  bad_volume["volumes"][0]["partition"] = "one";
  json bad_report = Auto("CZC6", "2026-11-29T06:40:00Z", {Volume("repaired", 1, FixReport(1, 0, 1, {kSvchost}))});
  bad_report["volumes"][0]["report"]["summary"]["restored"] = "lots";
  json no_volumes = Auto("CZC7", "2026-11-29T06:40:00Z", json::array());
  no_volumes.erase("volumes");
  std::vector<FleetInput> in = {
      {"garbage.json", "this is not json {", ""},
      {"empty.json", "", ""},
      {"array.json", "[1,2,3]", ""},
      In("other.json", json{{"format", "lifeboat.detect/1"}, {"volumes", json::array()}}),
      In("undo.json", [] { json u = FixReport(0, 0, 0, {}); u["command"] = "undo"; return u; }()),
      In("partition.json", bad_volume),
      In("summary.json", bad_report),
      In("novolumes.json", no_volumes),
      {"unreadable.json", "", "cannot be read"},
      In("good.json", Auto("CZC1", "2026-11-29T06:40:00Z", {Volume("healthy", 0, FixReport(0, 0, 0, {}))})),
  };
  FleetSummary s = MergeFleet(in);
  CHECK(s.inputs == 10);
  CHECK(s.merged == 1);
  REQUIRE(s.skipped.size() == 9);
  CHECK(s.machines == 1);
  CHECK(s.volumes == 1);
  CHECK(s.restored == 0);  // nothing of a skipped file is counted
  CHECK(s.skipped[0].file == "garbage.json");
  CHECK(s.skipped[0].reason == "not JSON (syntax error at byte 2)");
  CHECK(s.skipped[1].reason == "not JSON (syntax error at byte 1)");
  CHECK(s.skipped[2].reason == "not a lifeboat report (not a JSON object)");
  CHECK(s.skipped[3].reason == "not a lifeboat.auto/1 or lifeboat.report/1 report");
  CHECK(s.skipped[4].reason == "a lifeboat.report/1 of `undo`, not of fix or scan");
  CHECK(s.skipped[5].reason == "volumes[0].partition is not an integer");
  CHECK(s.skipped[6].reason == "volumes[0].report.summary.restored is not an integer");
  CHECK(s.skipped[7].reason == "volumes is not an array");
  CHECK(s.skipped[8].reason == "cannot be read");
}

TEST_CASE("fleet: CSV fields with commas, quotes and newlines are quoted (RFC 4180)") {
  CHECK(CsvField("plain") == "plain");
  CHECK(CsvField("") == "");
  CHECK(CsvField("a,b") == "\"a,b\"");
  CHECK(CsvField("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(CsvField("two\nlines") == "\"two\nlines\"");
  CHECK(CsvField("cr\rhere") == "\"cr\rhere\"");

  FleetSummary s = MergeFleet({In(
      "a,b.json", Auto("SN,\"1\"", "2026-11-29T06:40:00Z",
                       {Volume("refused", 8, nullptr, "hibernated: \"fast startup\",\nrun shutdown /s")}))});
  std::ostringstream csv;
  WriteFleetCsv(csv, s);
  std::string row = csv.str().substr(csv.str().find("\r\n") + 2);
  CHECK(row ==
        "\"SN,\"\"1\"\"\",,HP,dc7900,2026-11-29T06:40:00Z,/dev/sda,1,Windows XP 5.1 2600 SP3 x86,refused,8,,,,"
        "\"hibernated: \"\"fast startup\"\",\nrun shutdown /s\",1,\"a,b.json\"\r\n");

  // A cell a spreadsheet would run as a formula gets a leading apostrophe.
  FleetSummary f = MergeFleet({In("f.json", Auto("=HYPERLINK(\"x\")", "2026-11-29T06:40:00Z",
                                                 {Volume("failed", 8, nullptr, "@SUM(1)")}))});
  std::ostringstream fcsv;
  WriteFleetCsv(fcsv, f);
  CHECK(fcsv.str().find("\"'=HYPERLINK(\"\"x\"\")\",") != std::string::npos);
  CHECK(fcsv.str().find(",'@SUM(1),") != std::string::npos);
}

TEST_CASE("fleet: HTML escapes every string from the reports") {
  CHECK(HtmlEscape("<script>alert('x')</script> & \"q\"") ==
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  CHECK(HtmlEscape("bell\x07") == "bell?");

  std::string hostile = "WINDOWS/<script>alert(1)</script>.dll";
  FleetSummary s = MergeFleet(
      {In("<b>pc.json", Auto("<i>SN", "2026-11-29T06:40:00Z",
                             {Volume("repaired", 1, FixReport(1, 0, 1, {hostile})),
                              Volume("refused", 8, nullptr, "BitLocker-locked: <img src=x>", 2)}))});
  std::ostringstream html;
  WriteFleetHtml(html, s);
  std::string page = html.str();
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("<img") == std::string::npos);
  CHECK(page.find("<i>") == std::string::npos);
  CHECK(page.find("<b>") == std::string::npos);
  CHECK(page.find("WINDOWS/&lt;script&gt;alert(1)&lt;/script&gt;.dll") != std::string::npos);
  CHECK(page.find("BitLocker-locked: &lt;img src=x&gt;") != std::string::npos);
  // Attention first, and said in words, not only by style.
  size_t refused = page.find("Needs attention: refused (1)");
  size_t repaired = page.find(">repaired (1)</h2>");
  CHECK(refused != std::string::npos);
  CHECK(repaired != std::string::npos);
  CHECK(refused < repaired);
  CHECK(page.find("http") == std::string::npos);  // nothing external
}

TEST_CASE("fleet: an outcome a report names cannot drive the terminal in the text summary") {
  // Regression (report_fuzz): outcomes other than the known ones were printed as
  // given, so an uploaded report could send escape sequences to the admin's terminal.
  FleetSummary s = MergeFleet(
      {In("pc.json", Auto("CZC9", "2026-11-29T06:40:00Z", {Volume("x\x1b]0;pwned\x07\xc2\x9b", 1, nullptr)}))});
  REQUIRE(s.merged == 1);
  std::ostringstream txt;
  WriteFleetText(txt, s);
  std::string text = txt.str();
  CHECK(text.find("  x?]0;pwned??      1\n") != std::string::npos);
  CHECK(std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x20 || c == '\n'; }));
  CHECK(text.find("\xc2\x9b") == std::string::npos);
}

}  // namespace
}  // namespace lifeboat::ui
