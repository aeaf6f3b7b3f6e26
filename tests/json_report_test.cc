// Tests for ui/report/json_report.cc: the report streamed row by row is the
// document nlohmann's dump(2) would write for it, byte for byte.
#include "ui/report/json_report.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace lifeboat::ui {
namespace {

RunReport Sample(size_t rows) {
  RunReport r;
  r.command = "fix";
  r.run_id = "20261129-120000-abcd";
  r.target = "/mnt/win";
  r.has_manifest = true;
  r.manifest_path = "xp.lbm";
  r.manifest_entries = 21;
  r.summary.missing = rows;
  r.warnings = {"a warning with \"quotes\""};
  for (size_t i = 0; i < rows; ++i) {
    FileReport f;
    f.path = "WINDOWS/system32/f" + std::to_string(i) + ".dll";
    f.state = i % 2 ? FileState::kRestored : FileState::kMissing;
    f.expected = Sha256::Of(f.path);
    if (i % 3 == 0) f.found = Sha256::Of("old");
    f.source = i % 2 ? "dllcache:f.dll" : "";
    f.message = i == 1 ? std::string("line\nbreak \x1b[31m and \xff invalid UTF-8") : "";
    r.files.push_back(f);
  }
  FileReport ok;
  ok.path = "WINDOWS/ok.dll";
  ok.state = FileState::kOk;
  r.files.push_back(ok);
  return r;
}

TEST_CASE("the streamed JSON report is byte for byte what dump(2) writes for the whole document") {
  for (size_t rows : {size_t{0}, size_t{1}, size_t{5}}) {
    for (bool all : {false, true}) {
      CAPTURE(rows);
      CAPTURE(all);
      std::ostringstream out;
      WriteJsonReport(out, Sample(rows), all);
      const std::string text = out.str();
      REQUIRE(!text.empty());
      CHECK(text.back() == '\n');
      auto j = nlohmann::ordered_json::parse(text);  // valid JSON (invalid UTF-8 was replaced)
      CHECK(j["files"].size() == rows + (all ? 1 : 0));
      CHECK(j["exit_code"].is_number());
      CHECK(j.dump(2) + "\n" == text);
    }
  }
}

}  // namespace
}  // namespace lifeboat::ui
