// `lifeboat auto`: the unattended repair a boot medium or PXE runs on each PC
// of a floor. It never prompts: it finds the Windows volumes, picks each
// one's manifest, runs fix with every source available, writes one report
// per machine (named by its SMBIOS serial, else its system UUID, and the
// time) to the reports folder and, for PXE clients, PUTs it to the server,
// shows a one-screen summary for the technician walking the floor, and then
// reboots, powers off, opens a shell or just exits.
//
// Settings come from, strongest first: the command line, the kernel command
// line (lifeboat.then=, lifeboat.report=, lifeboat.source=), and a config
// file on the medium (then=, report=, source=).
#include <fcntl.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "recovery/http_upload.h"
#include "recovery/manifest_select.h"
#include "recovery/volume_probe.h"
#include "ui/cli/cli_common.h"
#include "ui/cli/commands.h"
#include "ui/cli/fix_run.h"
#include "ui/report/text_report.h"

namespace lifeboat::ui {
namespace {

struct AutoOptions {
  std::vector<std::string> manifest_dirs, keys_dirs, trusted_keys, sources, devices, images;
  std::string reports = "/run/lifeboat/reports";
  std::string report_url;
  std::string cmdline;
  std::string config;
  std::string then;
  std::string keys_csv;
  std::string dmi_dir = "/sys/class/dmi/id";
  int upload_tries = 5;
  int upload_timeout = 10;
  bool search_volume = false;
};

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

std::string ReadSmall(const std::string& path) {
  std::ifstream f(path);
  std::ostringstream s;
  s << f.rdbuf();
  return Trim(s.str());
}

// lifeboat.KEY=VALUE words of a kernel command line, or KEY=VALUE lines of a
// config file (# comments; a "lifeboat." prefix is allowed there too).
std::multimap<std::string, std::string> ReadSettings(const std::string& path, bool cmdline,
                                                     std::vector<std::string>& notes) {
  std::multimap<std::string, std::string> out;
  if (path.empty()) return out;
  std::ifstream f(path);
  if (!f) {
    notes.push_back("cannot read " + path + "; its settings are not used");
    return out;
  }
  std::string item;
  auto take = [&](std::string word) {
    word = Trim(word);
    if (word.empty() || word[0] == '#') return;
    if (word.rfind("lifeboat.", 0) == 0) word = word.substr(9);
    else if (cmdline) return;  // other kernel parameters
    size_t eq = word.find('=');
    if (eq == std::string::npos) return;
    out.emplace(word.substr(0, eq), word.substr(eq + 1));
  };
  if (cmdline) {
    while (f >> item) take(item);
  } else {
    while (std::getline(f, item)) take(item);
  }
  return out;
}

struct Machine {
  std::string serial, uuid, vendor, product;
  std::string id;  // for file names
};

bool Placeholder(const std::string& s) {
  static const char* kJunk[] = {"", "none", "to be filled by o.e.m.", "default string", "system serial number",
                                "not specified", "0", "0123456789", "n/a", "unknown", "not applicable"};
  std::string l = s;
  for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* j : kJunk)
    if (l == j) return true;
  return l.find_first_not_of("0f-") == std::string::npos;  // all zeros / all ones UUIDs
}

std::string FileSafe(const std::string& s) {
  std::string out;
  for (char c : s)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
  return out.substr(0, 64);
}

Machine ReadMachine(const std::string& dmi) {
  Machine m;
  m.serial = ReadSmall(dmi + "/product_serial");
  m.uuid = ReadSmall(dmi + "/product_uuid");
  m.vendor = ReadSmall(dmi + "/sys_vendor");
  m.product = ReadSmall(dmi + "/product_name");
  if (!Placeholder(m.serial)) m.id = FileSafe(m.serial);
  else if (!Placeholder(m.uuid)) m.id = FileSafe(m.uuid);
  else m.id = "unknown-machine";
  return m;
}

std::string UtcStamp(std::time_t t, bool compact) {
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, compact ? "%Y%m%dT%H%M%SZ" : "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Writes `data` to `path` through a temp file, fsynced, then renamed: a
// report on a FAT stick survives a power-off right after.
Status WriteDurably(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(errno, "cannot create " + tmp);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      return Status::FromErrno(err, "cannot write " + tmp);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return Status::FromErrno(errno, "cannot write " + tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Status::FromErrno(errno, "cannot rename " + tmp);
  std::string dir = path.substr(0, path.rfind('/') == std::string::npos ? 0 : path.rfind('/'));
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

Status MakeDirs(const std::string& path) {
  std::string cur;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    cur = path.substr(0, slash);
    start = slash + 1;
    if (cur.empty()) continue;
    if (::mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) return Status::FromErrno(errno, "cannot create " + cur);
  }
  return Status::Ok();
}

struct VolumeOutcome {
  std::string device;
  int partition = 0;
  std::string windows;
  std::string outcome;  // repaired, healthy, partly_repaired, unrepaired, refused, failed, no_manifest
  int exit_code = 0;
  std::string reason;
  nlohmann::json report;  // the fix report, or null
};

std::string OutcomeOf(int code) {
  if (code & kExitOperational) return "failed";
  if (code & kExitCancelled) return "failed";
  if ((code & kExitProblemsLeft) && (code & kExitRepaired)) return "partly_repaired";
  if (code & kExitProblemsLeft) return "unrepaired";
  if (code & kExitRepaired) return "repaired";
  return "healthy";
}

std::string Describe(const WindowsInstall& w) {
  std::string s = w.name + " " + w.version + " " + std::to_string(w.build);
  if (w.sp) s += " SP" + std::to_string(w.sp);
  if (!w.arch.empty()) s += " " + w.arch;
  return s;
}

std::string Upper(std::string s) {
  for (char& c : s) c = c == '_' ? ' ' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// One line per file that needed work, from a fix report.
void FileLines(const nlohmann::json& report, std::ostream& out) {
  if (!report.is_object() || !report.contains("files") || !report["files"].is_array()) return;
  for (const nlohmann::json& f : report["files"]) {
    std::string state = f.value("state", "");
    if (state == "ok" || state.empty()) continue;
    out << "    " << state << "  " << f.value("path", "");
    if (f.contains("source") && f["source"].is_string()) out << "  from " << f["source"].get<std::string>();
    out << '\n';
  }
}

int RunAuto(AutoOptions o) {
  std::time_t started = std::time(nullptr);
  std::vector<std::string> notes;
  // Settings: command line > kernel command line > config file.
  std::multimap<std::string, std::string> cmdline = ReadSettings(o.cmdline, true, notes);
  std::multimap<std::string, std::string> config = ReadSettings(o.config, false, notes);
  auto setting = [&](const std::string& key) -> std::string {
    auto c = cmdline.find(key);
    if (c != cmdline.end()) return c->second;
    auto f = config.find(key);
    return f != config.end() ? f->second : "";
  };
  if (o.then.empty()) o.then = setting("then");
  if (o.then.empty()) o.then = "none";
  if (o.then != "none" && o.then != "shell" && o.then != "reboot" && o.then != "poweroff") {
    std::cerr << "lifeboat auto: error: then=" << Printable(o.then) << " is not one of none, shell, reboot, poweroff\n";
    return kExitUsage;
  }
  if (o.report_url.empty()) o.report_url = setting("report");
  for (auto* m : {&config, &cmdline}) {
    auto range = m->equal_range("source");
    for (auto it = range.first; it != range.second; ++it) {
      std::stringstream list(it->second);
      std::string one;
      while (std::getline(list, one, ',')) o.sources.push_back(one);
    }
  }
  std::optional<HttpUrl> url;
  if (!o.report_url.empty()) {
    Result<HttpUrl> u = ParseHttpUrl(o.report_url);
    if (!u.ok()) notes.push_back(u.status().message() + "; the report stays on this machine");
    else url = *u;
  }
  // Sources that are not there (a medium without payload) are skipped, not fatal.
  std::vector<std::string> sources;
  for (const std::string& s : o.sources) {
    struct stat st;
    if (::stat(s.c_str(), &st) == 0) sources.push_back(s);
    else notes.push_back("source " + s + " is not there; skipped");
  }

  Machine machine = ReadMachine(o.dmi_dir);
  std::cout << "lifeboat auto: machine " << Printable(machine.vendor + " " + machine.product) << ", serial "
            << Printable(machine.serial.empty() ? "(none)" : machine.serial) << '\n';

  // The volumes.
  std::vector<VolumeReport> volumes = ProbeVolumes(o.images, o.devices, {}, notes);

  Status dirs = MakeDirs(o.reports);
  if (!dirs.ok()) notes.push_back(dirs.message() + "; the report is shown on the console only");
  const std::string base = machine.id + "-" + UtcStamp(started, true);

  std::vector<VolumeOutcome> results;
  for (const VolumeReport& v : volumes) {
    if (v.windows.empty() && !v.bitlocker) continue;  // not a Windows volume
    VolumeOutcome r;
    r.device = v.path;
    r.partition = v.partition;
    r.windows = v.windows.empty() ? "unknown (BitLocker)" : Describe(v.windows[0]);
    std::cout << "lifeboat auto: " << Printable(v.id) << ": " << Printable(r.windows) << '\n';
    bool keyed = v.bitlocker && !o.keys_csv.empty();
    if (!v.writable() && !keyed) {
      r.outcome = "refused";
      r.exit_code = kExitOperational;
      for (const std::string& why : v.unsafe_reasons) r.reason += (r.reason.empty() ? "" : "; ") + why;
      if (r.reason.empty()) r.reason = "BitLocker-locked";
      results.push_back(std::move(r));
      continue;
    }
    FixOptions f;
    std::string reason;
    for (const std::string& dir : o.manifest_dirs) {
      if (v.windows.empty()) {  // a keyed BitLocker volume: fix detects the OS after unlocking
        f.check.manifest_dir = dir;
        break;
      }
      Result<std::string> m = SelectManifest(dir, v.windows[0].Os());
      if (m.ok()) {
        f.check.manifest_dir = dir;
        break;
      }
      reason = m.status().message();
    }
    if (f.check.manifest_dir.empty()) {
      r.outcome = "no_manifest";
      r.exit_code = kExitOperational;
      r.reason = o.manifest_dirs.empty() ? "no --manifest-dir given" : reason;
      results.push_back(std::move(r));
      continue;
    }
    (v.source == "image" ? f.check.target.spec.image : f.check.target.spec.device) = v.path;
    f.check.target.spec.partition = v.partition;
    f.check.target.keys.keys_csv = o.keys_csv;
    f.check.keys_dirs = o.keys_dirs;
    f.check.trusted_keys = o.trusted_keys;
    f.sources = sources;
    f.yes = true;
    f.search_volume = o.search_volume;
    std::string fix_json = (dirs.ok() ? o.reports : std::string("/tmp")) + "/." + base + "-" +
                           std::to_string(results.size()) + ".fix.json";
    f.check.out.json = fix_json;
    f.check.out.quiet = true;
    f.check.out.progress_when_quiet = true;
    r.exit_code = RunFix(f);
    std::ifstream in(fix_json);
    r.report = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    ::unlink(fix_json.c_str());
    if (r.report.is_discarded()) r.report = nullptr;
    r.outcome = OutcomeOf(r.exit_code);
    if (r.report.is_object() && r.report.contains("error") && r.report["error"].is_string())
      r.reason = r.report["error"].get<std::string>();
    results.push_back(std::move(r));
  }

  int code = 0;
  for (const VolumeOutcome& r : results) code |= r.exit_code;
  if (results.empty()) {
    code |= kExitOperational;
    notes.push_back("no Windows volume found");
  }
  std::time_t finished = std::time(nullptr);

  nlohmann::json j;
  j["schema"] = "lifeboat.auto/1";
  j["lifeboat_version"] = LIFEBOAT_VERSION;
  j["machine"] = {{"serial", machine.serial}, {"uuid", machine.uuid}, {"vendor", machine.vendor},
                  {"product", machine.product}, {"hostname_hint", ""}};
  j["started"] = UtcStamp(started, false);
  j["finished"] = UtcStamp(finished, false);
  j["exit_code"] = code;
  j["notes"] = notes;
  j["volumes"] = nlohmann::json::array();
  for (const VolumeOutcome& r : results)
    j["volumes"].push_back({{"device", r.device}, {"partition", r.partition}, {"windows", r.windows},
                            {"outcome", r.outcome}, {"exit_code", r.exit_code}, {"reason", r.reason},
                            {"report", r.report}});
  std::string json = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";

  // The one-screen summary, also the text log.
  std::ostringstream text;
  text << "==================== lifeboat auto ====================\n";
  text << "machine   " << machine.vendor << " " << machine.product << "   serial " << machine.serial << '\n';
  text << "time      " << UtcStamp(started, false) << " .. " << UtcStamp(finished, false) << '\n';
  size_t shown = 0;
  for (const VolumeOutcome& r : results) {
    if (++shown > 10) {
      text << "  ... and " << results.size() - 10 << " more volume(s), see the report\n";
      break;
    }
    std::string counts;
    if (r.report.is_object() && r.report.contains("summary")) {
      const nlohmann::json& s = r.report["summary"];
      counts = std::to_string(s.value("restored", 0)) + " restored, " + std::to_string(s.value("unrepaired", 0)) +
               " unrepaired";
    }
    text << r.device << (r.partition ? " #" + std::to_string(r.partition) : "") << "  " << r.windows << "\n    "
         << Upper(r.outcome) << (counts.empty() ? "" : "  " + counts) << (r.reason.empty() ? "" : "  " + r.reason)
         << '\n';
  }
  for (const std::string& n : notes) text << "note: " << n << '\n';
  std::string verdict = code == 0                          ? "HEALTHY: nothing needed repair"
                        : (code & kExitOperational)        ? "ATTENTION: a volume could not be repaired (see above)"
                        : (code & kExitProblemsLeft)       ? "ATTENTION: some files are still damaged"
                                                           : "REPAIRED";
  text << "result    " << verdict << " (exit " << code << ")\n";

  std::string json_path = o.reports + "/" + base + ".json";
  std::string text_log = text.str();
  for (const VolumeOutcome& r : results) {
    if (!r.report.is_object()) continue;
    text_log += r.device + (r.partition ? " #" + std::to_string(r.partition) : "") + ":\n";
    std::ostringstream lines;
    FileLines(r.report, lines);
    text_log += lines.str();
  }
  bool saved = false;
  if (dirs.ok()) {
    Status a = WriteDurably(json_path, json);
    Status b = WriteDurably(o.reports + "/" + base + ".txt", text_log);
    saved = a.ok() && b.ok();
    if (!a.ok()) text << "report    NOT SAVED: " << a.message() << '\n';
    else if (!b.ok()) text << "report    text log not saved: " << b.message() << '\n';
    if (a.ok()) text << "report    " << json_path << '\n';
  }
  if (url) {
    HttpUrl target = *url;
    if (target.path.back() == '/') target.path += base + ".json";
    Status sent = Status::Error(Status::Code::kIoError, "not tried");
    for (int attempt = 1; attempt <= std::max(1, o.upload_tries); ++attempt) {
      sent = HttpPut(target, json, "application/json", o.upload_timeout);
      if (sent.ok()) break;
      std::cerr << "lifeboat auto: upload attempt " << attempt << " failed: " << Printable(sent.message()) << '\n';
      if (attempt < o.upload_tries) std::this_thread::sleep_for(std::chrono::seconds(std::min(8, 1 << (attempt - 1))));
    }
    if (sent.ok()) {
      text << "uploaded  http://" << target.host << ":" << target.port << target.path << '\n';
    } else {
      text << "upload    FAILED: " << sent.message() << '\n';
      if (!saved) code |= kExitOperational;  // the report exists nowhere but on this screen
    }
  } else if (!saved) {
    code |= kExitOperational;
  }
  text << "=======================================================\n";
  std::cout << text.str() << std::flush;
  if (!saved && !url) std::cout << json << std::flush;  // no medium, no server: the screen is the report

  ::sync();
  if (o.then == "shell") {
    std::cout << "lifeboat auto: starting a shell (exit it to continue)\n" << std::flush;
    ::execl("/bin/sh", "sh", static_cast<char*>(nullptr));
    std::cerr << "lifeboat auto: cannot start /bin/sh: " << std::strerror(errno) << '\n';
  } else if (o.then == "reboot" || o.then == "poweroff") {
    std::cout << "lifeboat auto: " << o.then << '\n' << std::flush;
    if (::reboot(o.then == "reboot" ? RB_AUTOBOOT : RB_POWER_OFF) != 0) {
      std::cerr << "lifeboat auto: cannot " << o.then << ": " << std::strerror(errno) << '\n';
      code |= kExitOperational;
    }
  }
  return code;
}

}  // namespace

void AddAutoCommand(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<AutoOptions>();
  CLI::App* cmd = app.add_subcommand("auto", "Unattended repair of every Windows volume (boot media, PXE)");
  cmd->add_option("--manifest-dir", o->manifest_dirs,
                  "Directory of signed manifests; each volume gets the one matching its Windows (repeatable, "
                  "tried in order)")
      ->option_text("DIR");
  cmd->add_option("--keys-dir", o->keys_dirs, "Directory of trusted public keys (*.pub) (repeatable)")->option_text("DIR");
  cmd->add_option("--trusted-key", o->trusted_keys, "A trusted public key file (repeatable)")->option_text("FILE");
  cmd->add_option("-s,--source", o->sources, "A restore source, e.g. a payload pack on the medium (repeatable; "
                                              "missing ones are skipped)")
      ->option_text("PATH");
  cmd->add_option("--device", o->devices, "Repair only this disk (repeatable; default: every disk)")->option_text("DEV");
  cmd->add_option("--image", o->images, "Repair the volumes of this disk image (repeatable)")->option_text("FILE");
  cmd->add_option("--reports", o->reports, "Folder for the reports (default /run/lifeboat/reports)")->option_text("DIR");
  cmd->add_option("--report-url", o->report_url, "PUT the JSON report to this http:// URL (a URL ending in / gets "
                                                  "the report's file name)")
      ->option_text("URL");
  cmd->add_option("--cmdline", o->cmdline, "Read lifeboat.* settings from this kernel command line (/proc/cmdline)")
      ->option_text("FILE");
  cmd->add_option("--config", o->config, "Read settings from this file (then=, report=, source= lines)")
      ->option_text("FILE");
  cmd->add_option("--then", o->then, "Afterwards: none (default), shell, reboot or poweroff")->option_text("ACTION");
  cmd->add_option("--bitlocker-keys", o->keys_csv, "Fleet CSV of BitLocker recovery passwords (volume id,password)")
      ->option_text("CSV");
  cmd->add_flag("--search-volume", o->search_volume, "Also search every file of each volume for copies");
  cmd->add_option("--dmi-dir", o->dmi_dir, "Where the machine's SMBIOS identity is (default /sys/class/dmi/id)")
      ->option_text("DIR");
  cmd->add_option("--upload-tries", o->upload_tries, "Upload attempts before giving up (default 5)")->option_text("N");
  cmd->add_option("--upload-timeout", o->upload_timeout, "Seconds per upload attempt (default 10)")->option_text("S");
  cmd->footer(
      "Never prompts. For each disk: every Windows volume that is safe to write is repaired with\n"
      "`fix` (its manifest chosen from --manifest-dir by the Windows detected, the volume's own\n"
      "spare copies and quarantine plus every --source); a hibernated, dirty or BitLocker-locked\n"
      "volume is left untouched and the report says why. One report per machine, named by its\n"
      "SMBIOS serial (else system UUID) and the time: <reports>/<serial>-<time>.json (format\n"
      "lifeboat.auto/1, each volume's fix report inside) and .txt, and with a report URL a PUT\n"
      "to the server (retried). A summary fits one screen.\n\n"
      "Kernel command line (with --cmdline /proc/cmdline): lifeboat.then=reboot|poweroff|shell,\n"
      "lifeboat.report=http://10.0.0.1/reports/, lifeboat.source=/medium/payload.lbpack (comma list).\n"
      "The same keys without the prefix, one per line, in a --config file.\n\n"
      "Example (what the boot medium's /init runs):\n"
      "  lifeboat auto --manifest-dir /lifeboat/manifests --keys-dir /lifeboat/keys \\\n"
      "      --source /medium/lifeboat/payload/xp.lbpack --reports /reports --cmdline /proc/cmdline\n\n"
      "Exit: 0 every volume healthy, 1 repaired, 4 files still damaged, 8 a volume refused or\n"
      "failed or no Windows found (OR-ed over the volumes), 16 usage error.");
  cmd->callback([o, &exit_code] { exit_code = RunAuto(*o); });
}

}  // namespace lifeboat::ui
