// mtree manifests through libarchive.
//
// libarchive's reader does the parsing (keywords, /set and /unset, escapes,
// continuation lines); we feed it from our ByteReader through a read callback
// and turn each regular-file header into a manifest entry. libarchive 3.6
// does not touch the file system while reading mtree (its "checkfs" option is
// off by default), so a hostile manifest cannot make us open paths.
// libarchive reports no line numbers, so on an error we re-read the stream
// and find the line that names the offending entry.
#include "recovery/manifest_mtree.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <memory>
#include <vector>

namespace lifeboat {
namespace {

struct ReadContext {
  ByteReader* in = nullptr;
  std::vector<char> buf = std::vector<char>(64 * 1024);
  Status error;
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
  }
  *out = ctx->buf.data();
  return static_cast<la_ssize_t>(*n);
}

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};

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

// Without a line number, the message names the entry instead.
std::string EntryError(uint32_t line, const std::string& path, const std::string& msg) {
  return (line > 0 ? "" : "entry '" + path + "': ") + msg;
}

}  // namespace

uint32_t FindMtreeLine(ByteReader& in, std::string_view path) {
  path = StripDotSlash(path);
  std::string data;
  std::vector<char> buf(64 * 1024);
  for (;;) {
    Result<size_t> n = in.Read(buf.data(), buf.size());
    if (!n.ok() || *n == 0) break;
    data.append(buf.data(), *n);
  }
  uint32_t lineno = 0;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t nl = data.find('\n', pos);
    if (nl == std::string::npos) nl = data.size();
    std::string_view line(data.data() + pos, nl - pos);
    uint32_t start_line = ++lineno;
    pos = nl + 1;
    // A trailing backslash continues the entry on the next line.
    while (!line.empty() && line.back() == '\\' && pos < data.size()) {
      nl = data.find('\n', pos);
      if (nl == std::string::npos) nl = data.size();
      line = std::string_view(line.data(), data.data() + nl - line.data());
      ++lineno;
      pos = nl + 1;
    }
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string_view::npos || line[b] == '#' || line[b] == '/') continue;
    size_t e = line.find_first_of(" \t", b);
    std::string name = DecodeMtreeName(line.substr(b, e == std::string_view::npos ? e : e - b));
    if (StripDotSlash(name) == path) return start_line;
  }
  return 0;
}

Status ParseMtree(ByteReader& in, const ReaderFactory& reopen, ManifestBuilder& out,
                  const ManifestLimits& limits) {
  (void)limits;  // the caller's HashingReader enforces the size limit
  std::unique_ptr<struct archive, ArchiveDeleter> a(archive_read_new());
  archive_read_support_format_mtree(a.get());
  ReadContext ctx;
  ctx.in = &in;
  auto line_of = [&](const std::string& path) -> uint32_t {
    Result<std::unique_ptr<ByteReader>> again = reopen();
    return again.ok() ? FindMtreeLine(**again, path) : 0;
  };
  if (archive_read_open(a.get(), &ctx, nullptr, ReadCallback, nullptr) != ARCHIVE_OK) {
    if (!ctx.error.ok()) return ctx.error;
    return ManifestError(out.name(), 0,
                         std::string("not a readable mtree file: ") + archive_error_string(a.get()));
  }
  std::string last_path;
  for (;;) {
    struct archive_entry* e = nullptr;
    int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (!ctx.error.ok()) return ctx.error;
    if (r == ARCHIVE_FATAL || r == ARCHIVE_RETRY || e == nullptr) {
      const char* why = archive_error_string(a.get());
      std::string msg = std::string("mtree parse error: ") + (why ? why : "unknown");
      if (!last_path.empty()) msg += " (after the entry '" + last_path + "')";
      return ManifestError(out.name(), 0, msg);
    }
    const char* raw_name = archive_entry_pathname(e);
    std::string path = raw_name ? raw_name : "";
    if (r == ARCHIVE_WARN) {
      const char* why = archive_error_string(a.get());
      uint32_t line = line_of(path);
      return ManifestError(out.name(), line, EntryError(line, path, why ? why : "malformed entry"));
    }
    last_path = path;
    if (archive_entry_filetype(e) != AE_IFREG) continue;
    const unsigned char* d = archive_entry_digest(e, ARCHIVE_ENTRY_DIGEST_SHA256);
    Digest digest{};
    if (d != nullptr) std::copy_n(d, digest.size(), digest.begin());
    if (std::all_of(digest.begin(), digest.end(), [](uint8_t b) { return b == 0; })) {
      uint32_t line = line_of(path);
      return ManifestError(out.name(), line,
                           EntryError(line, path,
                                      "file entry has no sha256digest (write it with "
                                      "`bsdtar --format=mtree --options mtree:sha256`)"));
    }
    uint64_t size = archive_entry_size_is_set(e) ? static_cast<uint64_t>(archive_entry_size(e)) : kUnknownSize;
    Status added = out.Add(path, size, digest, 0);
    if (!added.ok()) {
      uint32_t line = line_of(path);
      // Re-issue with the line number the builder could not know.
      std::string msg = added.message();
      std::string prefix = out.name() + ": ";
      if (msg.rfind(prefix, 0) == 0) msg = msg.substr(prefix.size());
      return ManifestError(out.name(), line, msg);
    }
  }
  // Drain what libarchive did not ask for, to see how the stream ends.
  for (;;) {
    const void* unused;
    la_ssize_t n = ReadCallback(a.get(), &ctx, &unused);
    if (n < 0) return ctx.error;
    if (n == 0) break;
  }
  if (ctx.any_byte && ctx.last_byte != '\n')
    return ManifestError(out.name(), 0, "last line has no newline: the manifest looks truncated");
  return Status::Ok();
}

}  // namespace lifeboat
