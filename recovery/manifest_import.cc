// hashdeep and Winbindex importers (manifest_import.h).
#include "recovery/manifest_import.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>

#include "recovery/rel_path.h"

namespace lifeboat {
namespace {

using nlohmann::json;

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t nl = text.find('\n', i);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view l = text.substr(i, nl - i);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    out.push_back(l);
    i = nl + 1;
  }
  return out;
}

// Dotted file versions compared numerically: 10.0.19041.1151 > 10.0.19041.985.
std::vector<uint64_t> VersionKey(const std::string& v) {
  std::vector<uint64_t> out;
  uint64_t cur = 0;
  bool any = false;
  for (char c : v) {
    if (c >= '0' && c <= '9') {
      cur = cur * 10 + static_cast<uint64_t>(c - '0');
      any = true;
    } else if (c == '.') {
      out.push_back(cur);
      cur = 0;
    } else {
      break;
    }
  }
  if (any) out.push_back(cur);
  return out;
}

Result<std::string> Gunzip(std::string_view data, const std::string& name) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return Status::Error(Status::Code::kIoError, "zlib init failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[65536];
  int r = Z_OK;
  while (r != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    r = inflate(&z, Z_NO_FLUSH);
    if (r != Z_OK && r != Z_STREAM_END) {
      inflateEnd(&z);
      return Status::Error(Status::Code::kInvalidInput, name + ": not valid gzip data");
    }
    out.append(buf, sizeof buf - z.avail_out);
    if (out.size() > (512u << 20)) {
      inflateEnd(&z);
      return Status::Error(Status::Code::kInvalidInput, name + ": decompresses to more than 512 MiB, refused");
    }
    if (r == Z_OK && z.avail_in == 0 && z.avail_out != 0) break;  // truncated input
  }
  inflateEnd(&z);
  if (r != Z_STREAM_END) return Status::Error(Status::Code::kInvalidInput, name + ": truncated gzip data");
  return out;
}

uint32_t MachineType(const std::string& arch) {
  if (arch == "x86") return 0x14c;
  if (arch == "x64") return 0x8664;
  if (arch == "arm64") return 0xaa64;
  return 0;
}

std::string FileNameOf(const std::string& name) {
  std::string base(BaseName(name));
  for (const char* ext : {".gz", ".json"})
    if (base.size() > std::strlen(ext) && base.compare(base.size() - std::strlen(ext), std::strlen(ext), ext) == 0)
      base.resize(base.size() - std::strlen(ext));
  return base;
}

// The UBR of a Winbindex "releaseVersion" ("19041.1151" -> 1151).
bool UbrOf(const json& update, uint64_t& ubr) {
  auto info = update.find("updateInfo");
  if (info == update.end() || !info->is_object()) return false;
  auto rv = info->find("releaseVersion");
  if (rv == info->end() || !rv->is_string()) return false;
  std::string s = rv->get<std::string>();
  size_t dot = s.find('.');
  return dot != std::string::npos && ParseDecimal(std::string_view(s).substr(dot + 1), ubr);
}

}  // namespace

Result<Manifest> ImportHashdeep(std::string_view text, const std::string& name, const ImportOptions& options) {
  std::vector<std::string_view> lines = Lines(text);
  if (lines.size() < 2 || lines[0] != "%%%% HASHDEEP-1.0" || lines[1].substr(0, 5) != "%%%% ")
    return ManifestError(name, 1, "not hashdeep output (it starts with '%%%% HASHDEEP-1.0')");
  std::vector<std::string> cols;
  std::string_view header = lines[1].substr(5);
  for (size_t i = 0; i <= header.size();) {
    size_t c = header.find(',', i);
    if (c == std::string_view::npos) c = header.size();
    cols.emplace_back(header.substr(i, c - i));
    i = c + 1;
  }
  auto col = [&](const char* want) -> int {
    auto it = std::find(cols.begin(), cols.end(), want);
    return it == cols.end() ? -1 : static_cast<int>(it - cols.begin());
  };
  int size_col = col("size"), sha_col = col("sha256"), file_col = col("filename");
  if (sha_col < 0) return ManifestError(name, 2, "no sha256 column: run hashdeep with -c sha256 (or -c md5,sha256)");
  if (file_col != static_cast<int>(cols.size()) - 1) return ManifestError(name, 2, "filename must be the last column");

  ManifestLimits limits;
  ManifestBuilder builder(name, limits);
  for (size_t n = 2; n < lines.size(); ++n) {
    std::string_view l = lines[n];
    auto lineno = static_cast<uint32_t>(n + 1);
    if (l.empty() || l.substr(0, 2) == "##") continue;
    std::vector<std::string_view> f;
    size_t i = 0;
    for (size_t k = 0; k + 1 < cols.size(); ++k) {
      size_t c = l.find(',', i);
      if (c == std::string_view::npos) return ManifestError(name, lineno, "too few columns");
      f.push_back(l.substr(i, c - i));
      i = c + 1;
    }
    f.push_back(l.substr(i));  // the file name may contain commas
    std::optional<Digest> d = DigestFromHex(f[static_cast<size_t>(sha_col)]);
    if (!d) return ManifestError(name, lineno, "bad sha256 '" + std::string(f[static_cast<size_t>(sha_col)]) + "'");
    uint64_t size = kUnknownSize;
    if (size_col >= 0 && !ParseDecimal(f[static_cast<size_t>(size_col)], size))
      return ManifestError(name, lineno, "bad size");
    std::string path(f.back());
    if (!options.strip_prefix.empty()) {
      // Whole components only: "/mnt/ref" strips "/mnt/ref/x", never "/mnt/ref2/x".
      std::string prefix = options.strip_prefix;
      if (prefix.back() != '/' && prefix.back() != '\\') prefix += '/';
      std::string p = path, q = prefix;
      std::replace(p.begin(), p.end(), '\\', '/');
      std::replace(q.begin(), q.end(), '\\', '/');
      if (p.compare(0, q.size(), q) == 0) path = path.substr(q.size());
    }
    if (!path.empty() && (path[0] == '/' || path[0] == '\\' || (path.size() > 1 && path[1] == ':')))
      return ManifestError(name, lineno,
                           "absolute path '" + path +
                               "': run hashdeep with -l from the volume root, or give --strip-prefix");
    LB_RETURN_IF_ERROR(builder.Add(path, size, *d, lineno));
  }
  return builder.Finish(ManifestFormat::kNative, Digest{});
}

Result<Manifest> ImportWinbindex(std::string_view json_text, const std::string& name, const ImportOptions& options) {
  std::string unzipped;
  if (json_text.size() >= 2 && static_cast<uint8_t>(json_text[0]) == 0x1f && static_cast<uint8_t>(json_text[1]) == 0x8b) {
    Result<std::string> z = Gunzip(json_text, name);
    if (!z.ok()) return z.status();
    unzipped = std::move(z).value();
    json_text = unzipped;
  }
  json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    return Status::Error(Status::Code::kInvalidInput, name + ": not Winbindex JSON (an object keyed by SHA-256)");
  uint32_t machine = MachineType(options.arch);
  if (machine == 0)
    return Status::Error(Status::Code::kInvalidInput, "--arch must be x86, x64 or arm64 for Winbindex import");
  if (options.windows_version.empty())
    return Status::Error(Status::Code::kInvalidInput,
                         "--windows-version is required for Winbindex import (e.g. 1909, 21H2, 11-24H2)");
  uint64_t ubr_lo = 0, ubr_hi = UINT64_MAX;
  if (!options.ubr.empty()) {
    size_t dash = options.ubr.find('-');
    bool ok = dash == std::string::npos ? ParseDecimal(options.ubr, ubr_lo) && (ubr_hi = ubr_lo, true)
                                        : ParseDecimal(options.ubr.substr(0, dash), ubr_lo) &&
                                              ParseDecimal(options.ubr.substr(dash + 1), ubr_hi);
    if (!ok) return Status::Error(Status::Code::kInvalidInput, "--ubr must be N or N-M");
  }

  struct Pick {
    Digest digest;
    uint64_t size;
    std::string version;
  };
  std::vector<Pick> picks;
  std::map<std::string, int> versions_seen;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const json& e = it.value();
    if (!e.is_object()) continue;
    auto fi = e.find("fileInfo");
    auto wv = e.find("windowsVersions");
    if (fi == e.end() || !fi->is_object() || wv == e.end() || !wv->is_object()) continue;
    for (auto v = wv->begin(); v != wv->end(); ++v) ++versions_seen[v.key()];
    auto mt = fi->find("machineType");
    if (mt == fi->end() || !mt->is_number_unsigned() || mt->get<uint64_t>() != machine) continue;
    auto ver = wv->find(options.windows_version);
    if (ver == wv->end() || !ver->is_object()) continue;
    if (!options.ubr.empty()) {
      bool in_range = false;
      for (auto kb = ver->begin(); kb != ver->end(); ++kb) {
        uint64_t ubr;
        if (kb->is_object() && UbrOf(*kb, ubr) && ubr >= ubr_lo && ubr <= ubr_hi) in_range = true;
      }
      if (!in_range) continue;
    }
    std::optional<Digest> d = DigestFromHex(it.key());
    if (!d) return Status::Error(Status::Code::kInvalidInput, name + ": key '" + it.key() + "' is not a SHA-256");
    Pick p{*d, kUnknownSize, ""};
    auto sz = fi->find("size");
    if (sz != fi->end() && sz->is_number_unsigned()) p.size = sz->get<uint64_t>();
    auto fv = fi->find("version");
    if (fv != fi->end() && fv->is_string()) {
      std::string s = fv->get<std::string>();
      p.version = s.substr(0, s.find(' '));
    }
    picks.push_back(p);
  }
  std::string file = FileNameOf(name);
  if (picks.empty()) {
    std::string avail;
    for (const auto& [v, count] : versions_seen) avail += (avail.empty() ? "" : ", ") + v;
    return Status::Error(Status::Code::kNotFound, name + ": no " + file + " for Windows " + options.windows_version +
                                                      " " + options.arch +
                                                      (options.ubr.empty() ? "" : " UBR " + options.ubr) +
                                                      " (versions in the file: " + avail + ")");
  }
  std::sort(picks.begin(), picks.end(), [](const Pick& a, const Pick& b) {
    auto ka = VersionKey(a.version), kb = VersionKey(b.version);
    if (ka != kb) return ka > kb;
    return ToHex(a.digest) < ToHex(b.digest);
  });
  std::vector<AcceptedCopy> alternatives;
  for (size_t i = 1; i < picks.size(); ++i) alternatives.push_back(AcceptedCopy{picks[i].digest, picks[i].size});
  ManifestLimits limits;
  ManifestBuilder builder(name, limits);
  std::string path = options.path.empty() ? "WINDOWS/System32/" + file : options.path;
  LB_RETURN_IF_ERROR(builder.Add(path, picks[0].size, picks[0].digest, 0, picks[0].version, std::move(alternatives)));
  return builder.Finish(ManifestFormat::kNative, Digest{});
}

}  // namespace lifeboat
