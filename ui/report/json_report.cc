// JSON report writer. Key order is fixed (ordered_json) so reports diff well.
#include "ui/report/json_report.h"

#include <nlohmann/json.hpp>

namespace lifeboat::ui {

void WriteJsonReport(std::ostream& out, const RunReport& r, bool all) {
  using nlohmann::ordered_json;
  auto str_or_null = [](const std::string& s) { return s.empty() ? ordered_json(nullptr) : ordered_json(s); };
  ordered_json j;
  j["schema"] = "lifeboat.report/1";
  j["command"] = r.command;
  j["run_id"] = str_or_null(r.run_id);
  j["target"] = r.target;
  j["dry_run"] = r.dry_run;
  if (r.has_manifest) {
    j["manifest"] = {{"path", r.manifest_path},
                     {"sha256", ToHex(r.manifest_sha256)},
                     {"entries", r.manifest_entries},
                     {"forbid_rules", r.manifest_forbid_rules},
                     {"name", str_or_null(r.manifest_title)},
                     {"signature", str_or_null(r.signature_state)},
                     {"signer", str_or_null(r.signature_key_id)},
                     {"signer_key", str_or_null(r.signature_key_file)}};
  } else {
    j["manifest"] = nullptr;
  }
  const Summary& s = r.summary;
  j["summary"] = {{"ok", s.ok}, {"missing", s.missing}, {"corrupt", s.corrupt}, {"restored", s.restored},
                  {"unrepaired", s.unrepaired}};
  j["summary"]["known_bad"] = s.known_bad;
  j["summary"]["removed"] = s.removed;
  j["summary"]["unlisted"] = s.unlisted;
  if (r.command == "undo") j["summary"]["reverted"] = s.reverted;
  // "files" is written row by row where this marker lands: a JSON document
  // of a million rows would take over a GiB, the text of one row a few hundred
  // bytes. The layout is what dump(2) gives for the whole document.
  const std::string marker = "\x01files\x01";
  j["files"] = marker;
  j["notes"] = r.notes;
  j["warnings"] = r.warnings;
  j["cancelled"] = r.cancelled;
  j["error"] = str_or_null(r.error);
  j["exit_code"] = r.exit_code;
  const std::string text = j.dump(2, ' ', false, ordered_json::error_handler_t::replace);
  const std::string dumped_marker = ordered_json(marker).dump();  // "\u0001files\u0001"
  const size_t at = text.find(dumped_marker);
  out << text.substr(0, at);
  bool any = false;
  for (const FileReport& f : r.files) {
    if (f.state == FileState::kOk && !all) continue;
    ordered_json row = {{"path", f.path},
                        {"state", FileStateName(f.state)},
                        {"expected_sha256", f.expected ? ordered_json(ToHex(*f.expected)) : ordered_json(nullptr)},
                        {"found_sha256", f.found ? ordered_json(ToHex(*f.found)) : ordered_json(nullptr)},
                        {"source", str_or_null(f.source)},
                        {"message", f.message}};
    std::string one = row.dump(2, ' ', false, ordered_json::error_handler_t::replace);
    out << (any ? ",\n    " : "[\n    ");
    for (char c : one) {
      out << c;
      if (c == '\n') out << "    ";  // the row sits two levels deep
    }
    any = true;
  }
  out << (any ? "\n  ]" : "[]") << text.substr(at + dumped_marker.size()) << '\n';
}

}  // namespace lifeboat::ui
