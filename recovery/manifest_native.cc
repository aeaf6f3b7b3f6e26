// Native manifest parser and writer (format: manifests/FORMAT.md).
//
// The parser is a small state machine over lines: the magic line, then
// header lines, then require/forbid lines, then "end <count>". Every error
// names "file:line". The count on the end line catches a manifest cut short
// at a line boundary, which no other check could.
#include "recovery/manifest_native.h"

#include <set>

#include "recovery/line_reader.h"

namespace lifeboat {
namespace {

bool ParseSize(std::string_view s, uint64_t& out) {
  if (s == "-") {
    out = kUnknownSize;
    return true;
  }
  return ParseDecimal(s, out);
}

std::string SizeText(uint64_t size) { return size == kUnknownSize ? "-" : std::to_string(size); }

// Splits "a b rest" into the first two words and the rest.
bool SplitTwo(std::string_view s, std::string_view& a, std::string_view& b, std::string_view& rest) {
  size_t s1 = s.find(' ');
  if (s1 == std::string_view::npos) return false;
  size_t s2 = s.find(' ', s1 + 1);
  if (s2 == std::string_view::npos) return false;
  a = s.substr(0, s1);
  b = s.substr(s1 + 1, s2 - s1 - 1);
  rest = s.substr(s2 + 1);
  return true;
}

class NativeParser {
 public:
  explicit NativeParser(ManifestBuilder& out) : out_(out) {}

  Status Line(std::string_view l, uint32_t n) {
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (stage_ == Stage::kMagic) return Magic(l, n);
    if (l.find_first_not_of(" \t") == std::string_view::npos || l[0] == '#') return Status::Ok();
    if (stage_ == Stage::kEnded) return Error(n, "content after the 'end' line");
    size_t sp = l.find(' ');
    std::string_view key = l.substr(0, sp);
    std::string_view rest = sp == std::string_view::npos ? std::string_view() : l.substr(sp + 1);
    if (key == "require" || key == "forbid") {
      stage_ = Stage::kEntries;
      ++count_;
      return key == "require" ? Require(rest, n) : Forbid(rest, n);
    }
    if (key == "end") return End(rest, n);
    if (key == "name" || key == "description" || key == "created" || key == "os") return Header(key, rest, n);
    return Error(n, "unknown line '" + std::string(key.substr(0, 40)) + "' (expected require, forbid, end or a header)");
  }

  Status Finish() {
    if (stage_ == Stage::kMagic) return Error(0, "empty file: not a lifeboat manifest");
    if (stage_ != Stage::kEnded) return Error(0, "no 'end' line: the manifest is truncated");
    return Status::Ok();
  }

 private:
  enum class Stage { kMagic, kHeader, kEntries, kEnded };

  Status Error(uint32_t n, const std::string& msg) const { return ManifestError(out_.name(), n, msg); }

  Status Magic(std::string_view l, uint32_t n) {
    std::string want = std::string(kNativeMagic) + " " + std::to_string(kNativeVersion);
    if (l == want) {
      stage_ = Stage::kHeader;
      return Status::Ok();
    }
    if (l.substr(0, 18) == std::string(kNativeMagic) + " ")
      return Error(n, "format version '" + std::string(l.substr(18, 20)) + "' is not supported (this lifeboat reads '" +
                          want + "')");
    return Error(n, "not a lifeboat manifest: the first line must be '" + want + "'");
  }

  Status Header(std::string_view key, std::string_view value, uint32_t n) {
    if (stage_ != Stage::kHeader)
      return Error(n, "header line '" + std::string(key) + "' after the first entry; headers come first");
    if (key != "os" && !seen_.insert(std::string(key)).second)
      return Error(n, "'" + std::string(key) + "' given twice");
    if (value.empty()) return Error(n, "'" + std::string(key) + "' has no value");
    Manifest& m = out_.header();
    if (key == "name") m.title = std::string(value);
    if (key == "description") m.description = std::string(value);
    if (key == "created") m.created = std::string(value);
    if (key == "os") {
      Result<OsSpec> os = ParseOsSpec(value, /*allow_ranges=*/true);
      if (!os.ok()) return Error(n, os.status().message());
      m.applies_to.push_back(std::move(os).value());
    }
    return Status::Ok();
  }

  // "<sha256> <size> <path-or-pattern>[ | options]"
  Status Fields(std::string_view rest, uint32_t n, Digest& digest, uint64_t& size, std::string_view& path,
                std::string_view& options) {
    std::string_view hex, size_text;
    if (!SplitTwo(rest, hex, size_text, path)) return Error(n, "expected '<sha256> <size> <path>'");
    std::optional<Digest> d = DigestFromHex(hex);
    if (!d) {
      bool all_hex = hex.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
      return Error(n, "'" + std::string(hex.substr(0, 70)) + "' is not a SHA-256 (64 hex digits)" +
                          (all_hex ? HashLengthHint(hex.size()) : ""));
    }
    digest = *d;
    if (!ParseSize(size_text, size)) return Error(n, "size '" + std::string(size_text.substr(0, 30)) + "' is not a number or '-'");
    size_t bar = path.find(" | ");
    options = bar == std::string_view::npos ? std::string_view() : path.substr(bar + 3);
    if (bar != std::string_view::npos) path = path.substr(0, bar);
    if (path.find('|') != std::string_view::npos) return Error(n, "'|' in a path (Windows names cannot contain it)");
    return Status::Ok();
  }

  template <typename Fn>
  Status Options(std::string_view options, uint32_t n, Fn&& on_option) {
    size_t i = 0;
    while (i < options.size()) {
      size_t j = options.find(' ', i);
      if (j == std::string_view::npos) j = options.size();
      std::string_view word = options.substr(i, j - i);
      i = j + 1;
      if (word.empty()) continue;
      size_t eq = word.find('=');
      if (eq == std::string_view::npos || eq == 0 || eq + 1 == word.size())
        return Error(n, "option '" + std::string(word.substr(0, 40)) + "' is not key=value");
      LB_RETURN_IF_ERROR(on_option(word.substr(0, eq), word.substr(eq + 1)));
    }
    return Status::Ok();
  }

  Status Require(std::string_view rest, uint32_t n) {
    Digest digest;
    uint64_t size;
    std::string_view path, options;
    LB_RETURN_IF_ERROR(Fields(rest, n, digest, size, path, options));
    std::string version;
    std::vector<AcceptedCopy> alternatives;
    LB_RETURN_IF_ERROR(Options(options, n, [&](std::string_view k, std::string_view v) -> Status {
      if (k == "version") {
        version = std::string(v);
        return Status::Ok();
      }
      if (k == "alt") {
        size_t colon = v.find(':');
        std::optional<Digest> d = DigestFromHex(v.substr(0, colon));
        AcceptedCopy alt;
        if (!d || colon == std::string_view::npos || !ParseSize(v.substr(colon + 1), alt.size))
          return Error(n, "alt must be <sha256>:<size>");
        alt.sha256 = *d;
        alternatives.push_back(alt);
        return Status::Ok();
      }
      return Error(n, "unknown require option '" + std::string(k.substr(0, 40)) + "' (version, alt)");
    }));
    return out_.Add(path, size, digest, n, std::move(version), std::move(alternatives));
  }

  Status Forbid(std::string_view rest, uint32_t n) {
    Digest digest;
    uint64_t size;
    std::string_view pattern, options;
    LB_RETURN_IF_ERROR(Fields(rest, n, digest, size, pattern, options));
    std::string rule_name;
    LB_RETURN_IF_ERROR(Options(options, n, [&](std::string_view k, std::string_view v) -> Status {
      if (k == "name") {
        rule_name = std::string(v);
        return Status::Ok();
      }
      return Error(n, "unknown forbid option '" + std::string(k.substr(0, 40)) + "' (name)");
    }));
    return out_.AddForbid(pattern, digest, size, std::move(rule_name), n);
  }

  Status End(std::string_view rest, uint32_t n) {
    if (!seen_.count("name")) return Error(n, "no 'name' line in the header");
    uint64_t declared;
    if (!ParseSize(rest, declared) || declared == kUnknownSize) return Error(n, "expected 'end <count>'");
    if (declared != count_)
      return Error(n, "'end " + std::string(rest) + "' but " + std::to_string(count_) +
                          " entries were read: lines are missing or were added");
    stage_ = Stage::kEnded;
    return Status::Ok();
  }

  ManifestBuilder& out_;
  Stage stage_ = Stage::kMagic;
  uint64_t count_ = 0;
  std::set<std::string> seen_;
};

}  // namespace

Status ParseNative(ByteReader& in, ManifestBuilder& out, const ManifestLimits& limits) {
  NativeParser parser(out);
  LB_RETURN_IF_ERROR(ForEachLine(in, out.name(), limits.max_line_bytes,
                                 [&](std::string_view line, uint32_t n) { return parser.Line(line, n); }));
  return parser.Finish();
}

Result<Manifest> ReadNativeHeader(ByteReader& in, const std::string& name) {
  ManifestLimits limits;
  ManifestBuilder builder(name, limits);
  NativeParser parser(builder);
  bool reached_entries = false;
  Status s = ForEachLine(in, name, limits.max_line_bytes, [&](std::string_view line, uint32_t n) -> Status {
    if (line.substr(0, 8) == "require " || line.substr(0, 7) == "forbid " || line.substr(0, 4) == "end ") {
      reached_entries = true;
      return Status::Error(Status::Code::kCancelled, "header read");  // stop here
    }
    return parser.Line(line, n);
  });
  if (!reached_entries && !s.ok()) return s;
  if (!reached_entries) LB_RETURN_IF_ERROR(parser.Finish());
  Manifest m = std::move(builder.header());
  m.format = ManifestFormat::kNative;
  return m;
}

std::string FormatNative(const Manifest& m) {
  std::string out = std::string(kNativeMagic) + " " + std::to_string(kNativeVersion) + "\n";
  out += "name " + (m.title.empty() ? std::string("unnamed") : m.title) + "\n";
  if (!m.description.empty()) out += "description " + m.description + "\n";
  if (!m.created.empty()) out += "created " + m.created + "\n";
  for (const OsSpec& os : m.applies_to) out += "os " + FormatOsSpec(os) + "\n";
  for (const ManifestEntry& e : m.entries) {
    out += "require " + ToHex(e.sha256) + " " + SizeText(e.size) + " " + e.path;
    std::string options;
    if (!e.version.empty()) options += " version=" + e.version;
    for (const AcceptedCopy& a : e.alternatives) options += " alt=" + ToHex(a.sha256) + ":" + SizeText(a.size);
    if (!options.empty()) out += " |" + options;
    out += "\n";
  }
  for (const ForbidRule& r : m.forbid) {
    out += "forbid " + ToHex(r.sha256) + " " + SizeText(r.size) + " " + r.pattern;
    if (!r.name.empty()) out += " | name=" + r.name;
    out += "\n";
  }
  out += "end " + std::to_string(m.entries.size() + m.forbid.size()) + "\n";
  return out;
}

}  // namespace lifeboat
