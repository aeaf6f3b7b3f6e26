// Fuzz target: the hashdeep and Winbindex importers (manifest_import.cc),
// the signify key/signature parsers (signify.cc) and the signed-checklist
// readers (manifest_trust.cc: signify's embedded form, "SHA256 (name) = hex"
// lines), all fed untrusted files. The first byte picks the parser.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "recovery/manifest_import.h"
#include "recovery/manifest_trust.h"
#include "recovery/rel_path.h"
#include "recovery/signify.h"

namespace {

// A signature file as LoadCheckedManifest reads it: the signature, then the
// checklist it embeds, then the digest it gives for each name it mentions
// (and for a name it may not).
void Checklist(std::string_view text) {
  (void)lifeboat::ParseSignature(text, "fuzz.sig");
  std::string_view message = lifeboat::EmbeddedMessage(text);
  if (!message.empty()) {
    // What follows the comment and signature lines, to the end of the file.
    if (message.data() < text.data() || message.data() + message.size() != text.data() + text.size())
      __builtin_trap();
    std::string_view head = text.substr(0, text.size() - message.size());
    if (head.empty() || head.back() != '\n' || std::count(head.begin(), head.end(), '\n') != 2) __builtin_trap();
  }
  std::vector<std::string> names = {"xp-sp3-x86.lbm"};
  for (std::string_view rest = message; !rest.empty() && names.size() < 16;) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    size_t close = line.find(") = ");
    if (line.substr(0, 8) == "SHA256 (" && close != std::string_view::npos)
      names.emplace_back(line.substr(8, close - 8));
  }
  for (const std::string& name : names) {
    std::optional<lifeboat::Digest> d = lifeboat::ChecklistDigest(message, name);
    std::string line = "SHA256 (" + name + ") = ";
    if (d) {
      // Listed once with exactly that digest: a second listing makes it ambiguous.
      std::string twice = std::string(message) + "\n" + line + lifeboat::ToHex(*d) + "\n";
      if (lifeboat::ChecklistDigest(twice, name)) __builtin_trap();
    }
    // Any name without a newline can be listed, and is then found (lowercase or uppercase hex).
    lifeboat::Digest want = d ? *d : lifeboat::Sha256::Of(name);
    std::string hex = lifeboat::ToHex(want);
    if (name.find('\n') == std::string::npos) {
      std::optional<lifeboat::Digest> got = lifeboat::ChecklistDigest(line + hex + "\r\n", name);
      std::transform(hex.begin(), hex.end(), hex.begin(), [](char c) { return c >= 'a' && c <= 'f' ? c - 32 : c; });
      std::optional<lifeboat::Digest> upper = lifeboat::ChecklistDigest("# x\n" + line + hex, name);
      if (!got || *got != want || !upper || *upper != want) __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  lifeboat::ImportOptions options;
  options.windows_version = "22H2";
  options.arch = "x64";
  options.ubr = (data[0] & 8) ? "1-5000" : "";
  switch (data[0] % 6) {
    case 0: {
      auto m = lifeboat::ImportHashdeep(text, "fuzz.hashdeep", options);
      if (m.ok())
        for (const auto& e : m->entries)
          if (!lifeboat::IsCleanRelPath(e.path) || e.path.empty()) __builtin_trap();
      break;
    }
    case 1: {
      auto m = lifeboat::ImportWinbindex(text, "svchost.exe.json", options);
      if (m.ok() && m->entries.size() != 1) __builtin_trap();
      break;
    }
    case 2: {
      auto k = lifeboat::ParsePublicKey(text, "fuzz.pub");
      if (k.ok() && lifeboat::ParsePublicKey(lifeboat::FormatPublicKey(*k), "again").status().ok() == false)
        __builtin_trap();
      break;
    }
    case 3:
      (void)lifeboat::ParseSecretKey(text, "fuzz.sec");
      break;
    case 4: {
      auto s = lifeboat::ParseSignature(text, "fuzz.sig");
      if (s.ok() && !lifeboat::ParseSignature(lifeboat::FormatSignature(*s), "again").ok()) __builtin_trap();
      break;
    }
    case 5:
      Checklist(text);
      break;
  }
  return 0;
}
