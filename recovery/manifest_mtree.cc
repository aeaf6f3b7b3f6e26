// mtree manifests through libarchive.
//
// libarchive's reader does the parsing (keywords, /set and /unset, escapes,
// continuation lines); we feed it from our ByteReader through a read callback
// and turn each regular-file header into a manifest entry. libarchive 3.6
// does not touch the file system while reading mtree (its "checkfs" option is
// off by default), so a hostile manifest cannot make us open paths.
//
// libarchive reports no line numbers and merges repeated paths, so the read
// callback also runs every byte through a small line index: for each
// full-path line (the form bsdtar writes) it records path -> line number.
// That gives "file:line" in errors and catches a path listed twice. It also
// catches a NUL in a name ("\000" or a raw byte): libarchive hands names over
// as C strings, so "a\000b.dll" would silently become the entry "a".
#include "recovery/manifest_mtree.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <memory>
#include <unordered_map>
#include <vector>

#include "recovery/rel_path.h"

namespace lifeboat {
namespace {

std::string_view StripDotSlash(std::string_view p) {
  while (p.substr(0, 2) == "./") p.remove_prefix(2);
  return p;
}

// Decodes the escapes libarchive's mtree reader understands: \ooo octal and
// the C-style single-letter ones.
std::string DecodeMtreeName(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out.push_back(s[i]);
      continue;
    }
    char c = s[i + 1];
    if (c >= '0' && c <= '3' && i + 3 < s.size() && s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' &&
        s[i + 3] <= '7') {
      out.push_back(static_cast<char>((c - '0') << 6 | (s[i + 2] - '0') << 3 | (s[i + 3] - '0')));
      i += 3;
      continue;
    }
    static const std::string_view kFrom = "abfnrstv\\", kTo = "\a\b\f\n\r \t\v\\";
    size_t k = kFrom.find(c);
    out.push_back(k == std::string_view::npos ? c : kTo[k]);
    ++i;
  }
  return out;
}

// Line numbers of full-path entries, built from the bytes as they stream by.
class MtreeLineIndex {
 public:
  void Feed(std::string_view chunk) {
    while (!chunk.empty()) {
      size_t nl = chunk.find('\n');
      if (nl == std::string_view::npos) {
        if (pending_.size() < kMaxPending) pending_.append(chunk.substr(0, kMaxPending - pending_.size()));
        return;
      }
      pending_.append(chunk.substr(0, std::min(nl, kMaxPending)));
      chunk.remove_prefix(nl + 1);
      ++line_;
      if (!pending_.empty() && pending_.back() == '\\') {  // continued on the next line
        pending_.pop_back();
        continue;
      }
      Index(pending_);
      pending_.clear();
      entry_line_ = line_ + 1;
    }
  }

  uint32_t LineOf(const std::string& path) const {
    auto it = lines_.find(std::string(StripDotSlash(path)));
    return it == lines_.end() ? 0 : it->second;
  }
  // The first repeated path: its two line numbers (0 if none).
  uint32_t dup_line() const { return dup_line_; }
  uint32_t dup_first() const { return dup_first_; }
  const std::string& dup_path() const { return dup_path_; }
  // The first name holding a NUL, decoded, and its line (0 if none).
  uint32_t nul_line() const { return nul_line_; }
  const std::string& nul_path() const { return nul_path_; }

 private:
  static constexpr size_t kMaxPending = 1 << 20;

  void Index(std::string_view line) {
    size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string_view::npos || line[b] == '#' || line[b] == '/') return;
    size_t e = line.find_first_of(" \t\r", b);
    std::string_view token = line.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b);
    std::string decoded = DecodeMtreeName(token);
    if (decoded.find('\0') != std::string::npos && nul_line_ == 0) {
      nul_line_ = entry_line_;
      nul_path_ = decoded;
    }
    if (token.find('/') == std::string_view::npos) return;  // relative form: not indexed
    std::string path(StripDotSlash(decoded));
    auto [it, inserted] = lines_.emplace(std::move(path), entry_line_);
    if (!inserted && dup_line_ == 0) {
      dup_line_ = entry_line_;
      dup_first_ = it->second;
      dup_path_ = it->first;
    }
  }

  std::string pending_;
  uint32_t line_ = 0;        // lines consumed
  uint32_t entry_line_ = 1;  // first line of the entry being assembled
  std::unordered_map<std::string, uint32_t> lines_;
  uint32_t dup_line_ = 0, dup_first_ = 0;
  std::string dup_path_;
  uint32_t nul_line_ = 0;
  std::string nul_path_;
};

struct ReadContext {
  ByteReader* in = nullptr;
  std::vector<char> buf = std::vector<char>(64 * 1024);
  Status error;
  MtreeLineIndex index;
  char last_byte = '\n';
  bool any_byte = false;
};

la_ssize_t ReadCallback(struct archive* a, void* opaque, const void** out) {
  auto* ctx = static_cast<ReadContext*>(opaque);
  Result<size_t> n = ctx->in->Read(ctx->buf.data(), ctx->buf.size());
  if (!n.ok()) {
    ctx->error = n.status();
    archive_set_error(a, EIO, "%s", n.status().message().c_str());
    return -1;
  }
  if (*n > 0) {
    ctx->last_byte = ctx->buf[*n - 1];
    ctx->any_byte = true;
    ctx->index.Feed(std::string_view(ctx->buf.data(), *n));
  }
  *out = ctx->buf.data();
  return static_cast<la_ssize_t>(*n);
}

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};

// Without a line number, the message names the entry instead.
std::string EntryError(uint32_t line, const std::string& path, const std::string& msg) {
  return (line > 0 ? "" : "entry '" + path + "': ") + msg;
}

Status DuplicateError(const std::string& name, const MtreeLineIndex& index) {
  return ManifestError(name, index.dup_line(),
                       "'" + index.dup_path() + "' is listed again (first at line " +
                           std::to_string(index.dup_first()) + "); refusing an ambiguous manifest");
}

// The reason NormalizeManifestPath gives ("contains a NUL byte", or an
// earlier problem of the same name), with the line.
Status NulError(const std::string& name, const MtreeLineIndex& index) {
  Result<std::string> checked = NormalizeManifestPath(index.nul_path());
  return ManifestError(name, index.nul_line(),
                       checked.ok() ? "a name holds a NUL byte" : checked.status().message());
}

}  // namespace

Status ParseMtree(ByteReader& in, ManifestBuilder& out) {
  std::unique_ptr<struct archive, ArchiveDeleter> a(archive_read_new());
  archive_read_support_format_mtree(a.get());
  ReadContext ctx;
  ctx.in = &in;
  if (archive_read_open(a.get(), &ctx, nullptr, ReadCallback, nullptr) != ARCHIVE_OK) {
    if (!ctx.error.ok()) return ctx.error;
    return ManifestError(out.name(), 0,
                         std::string("not a readable mtree file: ") + archive_error_string(a.get()));
  }
  std::string last_path;
  for (;;) {
    struct archive_entry* e = nullptr;
    int r = archive_read_next_header(a.get(), &e);
    if (!ctx.error.ok()) return ctx.error;
    if (ctx.index.nul_line()) return NulError(out.name(), ctx.index);
    if (ctx.index.dup_line()) return DuplicateError(out.name(), ctx.index);
    if (r == ARCHIVE_EOF) break;
    if (r == ARCHIVE_FATAL || r == ARCHIVE_RETRY || e == nullptr) {
      const char* why = archive_error_string(a.get());
      std::string msg = std::string("mtree parse error: ") + (why ? why : "unknown");
      if (!last_path.empty()) msg += " (after the entry '" + last_path + "')";
      return ManifestError(out.name(), 0, msg);
    }
    const char* raw_name = archive_entry_pathname(e);
    std::string path = raw_name ? raw_name : "";
    uint32_t line = ctx.index.LineOf(path);
    if (r == ARCHIVE_WARN) {
      const char* why = archive_error_string(a.get());
      return ManifestError(out.name(), line, EntryError(line, path, why ? why : "malformed entry"));
    }
    last_path = path;
    if (archive_entry_filetype(e) != AE_IFREG) continue;
    const unsigned char* d = archive_entry_digest(e, ARCHIVE_ENTRY_DIGEST_SHA256);
    Digest digest{};
    if (d != nullptr) std::copy_n(d, digest.size(), digest.begin());
    if (std::all_of(digest.begin(), digest.end(), [](uint8_t b) { return b == 0; }))
      return ManifestError(out.name(), line,
                           EntryError(line, path,
                                      "file entry has no sha256digest (write it with "
                                      "`bsdtar --format=mtree --options mtree:sha256`)"));
    // libarchive reports size 0 for an entry without "size=". Only an empty
    // file can really have size 0, so 0 with another digest means "unknown".
    static const Digest kEmptyFile = Sha256::Of("");
    uint64_t size = kUnknownSize;
    if (archive_entry_size_is_set(e) && archive_entry_size(e) >= 0 &&
        (archive_entry_size(e) > 0 || digest == kEmptyFile))
      size = static_cast<uint64_t>(archive_entry_size(e));
    LB_RETURN_IF_ERROR(out.Add(path, size, digest, line));
  }
  // Drain what libarchive did not ask for, to see how the stream ends.
  for (;;) {
    const void* unused;
    la_ssize_t n = ReadCallback(a.get(), &ctx, &unused);
    if (n < 0) return ctx.error;
    if (n == 0) break;
  }
  if (ctx.index.nul_line()) return NulError(out.name(), ctx.index);
  if (ctx.index.dup_line()) return DuplicateError(out.name(), ctx.index);
  if (ctx.any_byte && ctx.last_byte != '\n')
    return ManifestError(out.name(), 0, "last line has no newline: the manifest looks truncated");
  return Status::Ok();
}

}  // namespace lifeboat
