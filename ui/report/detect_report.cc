// Detect reports (detect_report.h).
#include "ui/report/detect_report.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "ui/report/text_report.h"

namespace lifeboat::ui {
namespace {

std::string Describe(const WindowsInstall& w) {
  std::string s = w.name + " (" + w.version + "." + std::to_string(w.build);
  if (w.ubr) s += "." + std::to_string(*w.ubr);
  if (w.sp) s += " SP" + std::to_string(w.sp);
  if (!w.display_version.empty()) s += " " + w.display_version;
  if (!w.arch.empty()) s += ", " + w.arch;
  if (!w.edition.empty()) s += ", " + w.edition;
  return s + ") in \\" + w.system_root;
}

}  // namespace

void WriteDetectText(std::ostream& out, const std::vector<VolumeReport>& volumes) {
  if (volumes.empty()) {
    out << "No volumes found.\n";
    return;
  }
  for (const VolumeReport& v : volumes) {
    out << Printable(v.id) << "  " << v.fs << "  " << HumanBytes(static_cast<double>(v.size));
    if (!v.label.empty()) out << "  \"" << Printable(v.label) << "\"";
    if (!v.partition_kind.empty() && v.partition_kind != "volume") out << "  [" << v.partition_kind << "]";
    out << '\n';
    for (const WindowsInstall& w : v.windows) {
      out << "    " << Printable(Describe(w)) << '\n';
      out << "    --os \"" << FormatOsSpec(w.Os()) << "\"\n";
      for (const std::string& n : w.warnings) out << "    note: " << Printable(n) << '\n';
    }
    if (v.fs == "ntfs" || v.fs == "bitlocker" || v.fs == "directory") {
      out << "    state: " << (v.writable() ? "OK to repair" : "NOT safe to write") << " (hibernation "
          << HiberStateName(v.hibernation) << ", dirty "
          << (v.dirty ? (*v.dirty ? "yes" : "no") : "unknown") << ", bitlocker " << (v.bitlocker ? "yes" : "no")
          << (v.read_only ? ", read-only" : "") << ")\n";
      for (const std::string& r : v.unsafe_reasons) out << "    - " << Printable(r) << '\n';
    }
    for (const std::string& n : v.notes) out << "    note: " << Printable(n) << '\n';
  }
}

namespace {

nlohmann::ordered_json BitLockerJson(const VolumeReport& v) {
  if (!v.bitlocker_info) return nullptr;
  nlohmann::ordered_json protectors = nlohmann::ordered_json::array();
  for (const BitLockerProtector& p : v.bitlocker_info->protectors) protectors.push_back({{"id", p.id}, {"kind", p.kind}});
  return {{"volume_guid", v.bitlocker_info->volume_guid},
          {"recovery_key_ids", v.bitlocker_info->RecoveryKeyIds()},
          {"protectors", protectors}};
}

}  // namespace

void WriteDetectJson(std::ostream& out, const std::vector<VolumeReport>& volumes, int exit_code) {
  using nlohmann::ordered_json;
  ordered_json j;
  j["schema"] = "lifeboat.detect/1";
  ordered_json vols = ordered_json::array();
  for (const VolumeReport& v : volumes) {
    ordered_json wins = ordered_json::array();
    for (const WindowsInstall& w : v.windows) {
      wins.push_back({{"system_root", w.system_root},
                      {"product_name", w.product_name},
                      {"name", w.name},
                      {"version", w.version},
                      {"build", w.build},
                      {"sp", w.sp},
                      {"ubr", w.ubr ? ordered_json(*w.ubr) : ordered_json(nullptr)},
                      {"edition", w.edition},
                      {"display_version", w.display_version},
                      {"arch", w.arch},
                      {"kernel_image", w.kernel_image},
                      {"kernel_version", w.kernel_version},
                      {"os", FormatOsSpec(w.Os())},
                      {"warnings", w.warnings}});
    }
    vols.push_back({{"id", v.id},
                    {"source", v.source},
                    {"path", v.path},
                    {"partition", v.partition},
                    {"offset", v.offset},
                    {"size", v.size},
                    {"partition_kind", v.partition_kind},
                    {"fs", v.fs},
                    {"label", v.label},
                    {"bitlocker", v.bitlocker},
                    {"bitlocker_info", BitLockerJson(v)},
                    {"dirty", v.dirty ? ordered_json(*v.dirty) : ordered_json(nullptr)},
                    {"hibernation", HiberStateName(v.hibernation)},
                    {"read_only", v.read_only},
                    {"writable", v.writable()},
                    {"unsafe_reasons", v.unsafe_reasons},
                    {"windows", wins},
                    {"notes", v.notes}});
  }
  j["volumes"] = vols;
  j["exit_code"] = exit_code;
  out << j.dump(2, ' ', false, ordered_json::error_handler_t::replace) << '\n';
}

}  // namespace lifeboat::ui
