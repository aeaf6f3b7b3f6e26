// DetectWindows (windows_detect.h). Registry facts follow
// shared/docs/WINDOWS-FORMATS.md section 3: CurrentControlSet does not exist
// offline (use Select\Current), Windows 11 still calls itself "Windows 10"
// (use the build), CurrentVersion is frozen at 6.3 on 10/11 (use the major
// and minor version numbers).
#include "recovery/windows_detect.h"

#include <cstdio>

#include "recovery/case_fold.h"
#include "recovery/hive.h"
#include "recovery/path_resolver.h"
#include "recovery/pe_header.h"
#include "recovery/rel_path.h"

namespace lifeboat {
namespace {

constexpr const char* kCurrentVersion = "Microsoft\\Windows NT\\CurrentVersion";

Result<std::string> ReadFile(FileSystem& fs, const std::string& path, uint64_t limit) {
  Result<std::unique_ptr<ByteReader>> in = fs.OpenRead(path);
  if (!in.ok()) return in.status();
  return ReadAll(**in, limit, fs.Describe(path));
}

uint32_t ToNumber(const std::optional<std::string>& s) {
  uint64_t v = 0;
  return s && ParseDecimal(*s, v, 9) ? static_cast<uint32_t>(v) : 0;
}

std::string ArchFromRegistry(const std::string& a) {
  std::string f = FoldCase(a);
  if (f == "x86") return "x86";
  if (f == "amd64") return "x64";
  if (f == "arm64") return "arm64";
  if (f == "ia64") return "ia64";
  return f;
}

}  // namespace

void ReadSoftwareHive(const Hive& h, WindowsInstall& w) {
  w.product_name = h.GetString(kCurrentVersion, "ProductName").value_or("");
  std::optional<uint32_t> major = h.GetDword(kCurrentVersion, "CurrentMajorVersionNumber");
  std::optional<uint32_t> minor = h.GetDword(kCurrentVersion, "CurrentMinorVersionNumber");
  if (major && minor)
    w.version = std::to_string(*major) + "." + std::to_string(*minor);
  else
    w.version = h.GetString(kCurrentVersion, "CurrentVersion").value_or("");
  w.build = ToNumber(h.GetString(kCurrentVersion, "CurrentBuildNumber"));
  if (w.build == 0) w.build = ToNumber(h.GetString(kCurrentVersion, "CurrentBuild"));
  std::string csd = h.GetString(kCurrentVersion, "CSDVersion").value_or("");
  unsigned sp = 0;
  if (std::sscanf(csd.c_str(), "Service Pack %u", &sp) == 1) w.sp = sp;
  w.ubr = h.GetDword(kCurrentVersion, "UBR");
  w.edition = h.GetString(kCurrentVersion, "EditionID").value_or("");
  w.display_version = h.GetString(kCurrentVersion, "DisplayVersion").value_or("");
  if (w.display_version.empty()) w.display_version = h.GetString(kCurrentVersion, "ReleaseId").value_or("");
}

void ReadSystemHive(const Hive& h, WindowsInstall& w) {
  std::optional<uint32_t> current = h.GetDword("Select", "Current");
  if (!current || *current == 0 || *current > 999) {
    w.warnings.push_back("SYSTEM hive has no Select\\Current; architecture from the kernel only");
    return;
  }
  char set[32];
  std::snprintf(set, sizeof set, "ControlSet%03u", *current);
  std::string base = set;
  std::optional<std::string> arch =
      h.GetString(base + "\\Control\\Session Manager\\Environment", "PROCESSOR_ARCHITECTURE");
  if (arch) w.arch = ArchFromRegistry(*arch);
  if (w.sp == 0) {
    // XP/2003 also record the service pack as 0x0300 here.
    std::optional<uint32_t> csd = h.GetDword(base + "\\Control\\Windows", "CSDVersion");
    if (csd) w.sp = *csd >> 8;
  }
}

namespace {

// "5.1.2600.5512" → version 5.1 and build 2600 when the hive gave none, and
// a warning when both exist and disagree on the build.
void FillFromKernelVersion(WindowsInstall& w) {
  unsigned major = 0, minor = 0, build = 0, rev = 0;
  if (std::sscanf(w.kernel_version.c_str(), "%u.%u.%u.%u", &major, &minor, &build, &rev) != 4) return;
  if (w.build == 0) {
    w.build = build;
    w.version = std::to_string(major) + "." + std::to_string(minor);
  } else if (w.build != build) {
    w.warnings.push_back("the registry says build " + std::to_string(w.build) + " but " + w.kernel_image +
                         " is " + w.kernel_version);
  }
}

}  // namespace

std::string WindowsName(uint32_t build, const std::string& version) {
  if (build >= 22000) return "Windows 11";
  if (build >= 10240) return "Windows 10";
  if (build >= 9600) return "Windows 8.1";
  if (build >= 9200) return "Windows 8";
  if (build >= 7600) return "Windows 7";
  if (build >= 6000) return "Windows Vista";
  if (build >= 3790) return "Windows Server 2003 / XP x64";
  if (build >= 2600) return "Windows XP";
  if (build >= 2195) return "Windows 2000";
  return version.empty() ? "Windows" : "Windows NT " + version;
}

OsSpec WindowsInstall::Os() const {
  OsSpec s;
  s.values["family"] = "windows";
  if (!version.empty()) s.values["version"] = version;
  if (build) s.values["build"] = std::to_string(build);
  s.values["sp"] = std::to_string(sp);
  if (ubr) s.values["ubr"] = std::to_string(*ubr);
  if (!arch.empty()) s.values["arch"] = arch;
  if (!edition.empty()) s.values["edition"] = FoldCase(edition);
  return s;
}

Result<std::vector<WindowsInstall>> DetectWindows(FileSystem& fs) {
  std::vector<WindowsInstall> found;
  Result<std::vector<DirEntry>> root = fs.ListDir("");
  if (!root.ok()) return root.status();
  PathResolver resolver(fs);
  for (const DirEntry& e : *root) {
    if (e.type != FileType::kDirectory || FoldCase(e.name) == "lifeboat") continue;
    Resolution software = resolver.Resolve(e.name + "/System32/config/SOFTWARE");
    if (software.kind != Resolution::Kind::kFound) continue;
    WindowsInstall w;
    w.system_root = e.name;
    Result<std::string> bytes = ReadFile(fs, software.disk_path, 1u << 30);
    Result<std::unique_ptr<Hive>> hive =
        bytes.ok() ? Hive::FromBytes(std::move(bytes).value(), fs.Describe(software.disk_path))
                   : Result<std::unique_ptr<Hive>>(bytes.status());
    if (hive.ok()) {
      ReadSoftwareHive(**hive, w);
      if ((*hive)->dirty()) w.warnings.push_back("the SOFTWARE hive was not cleanly flushed; values may be stale");
    } else {
      w.warnings.push_back("SOFTWARE hive unreadable (" + hive.status().message() +
                           "); version from ntoskrnl.exe only");
    }
    Resolution system = resolver.Resolve(e.name + "/System32/config/SYSTEM");
    if (system.kind == Resolution::Kind::kFound) {
      Result<std::string> sb = ReadFile(fs, system.disk_path, 1u << 30);
      Result<std::unique_ptr<Hive>> sh =
          sb.ok() ? Hive::FromBytes(std::move(sb).value(), fs.Describe(system.disk_path))
                  : Result<std::unique_ptr<Hive>>(sb.status());
      if (sh.ok()) {
        ReadSystemHive(**sh, w);
        if ((*sh)->dirty()) w.warnings.push_back("the SYSTEM hive was not cleanly flushed; values may be stale");
      } else {
        w.warnings.push_back("SYSTEM hive unreadable: " + sh.status().message());
      }
    } else {
      w.warnings.push_back("no SYSTEM hive; architecture from the kernel only");
    }
    // The kernel, or kernel32.dll when the kernel itself is the damaged file.
    for (const char* image : {"ntoskrnl.exe", "kernel32.dll"}) {
      Resolution kernel = resolver.Resolve(e.name + "/System32/" + image);
      if (kernel.kind != Resolution::Kind::kFound) continue;
      Result<std::string> k = ReadFile(fs, kernel.disk_path, 64u << 20);
      if (!k.ok()) continue;
      Result<PeInfo> pe = ParsePeHeader(std::string_view(*k).substr(0, 4096));
      if (!pe.ok()) {
        w.warnings.push_back(std::string(image) + " is not a valid PE image");
        continue;
      }
      if (!pe->arch.empty()) {
        if (w.arch.empty()) w.arch = pe->arch;
        else if (pe->arch != w.arch)
          w.warnings.push_back("the registry says " + w.arch + " but " + image + " is " + pe->arch);
      }
      w.kernel_image = image;
      w.kernel_version = FindFileVersion(*k).value_or("");
      break;
    }
    FillFromKernelVersion(w);
    w.name = WindowsName(w.build, w.version);
    found.push_back(std::move(w));
  }
  return found;
}

}  // namespace lifeboat
