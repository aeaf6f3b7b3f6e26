// Payload packs (see pack.h for the format).
//
// Building plans a repair of an empty volume: every manifest entry is
// "missing", and the planner finds a verified copy for each in the sources
// (size first, then SHA-256, exactly as fix does). The copies are fetched
// once per distinct digest into a raw spool file (hashed again on the way:
// a source that changed is not packed), each is deflated into a second spool
// and kept deflated only if that is smaller, and then the pack is written in
// one go to a temp file next to the output: the index (offsets are known,
// since every ustar header is one block), the objects, the two zero blocks
// that end a tar. fsync, rename, fsync the directory.
//
// Reading trusts nothing in the file: the index is bounded and validated
// (hex digests, encodings, aligned, ordered, non-overlapping offsets), and an
// object is read only after the tar header at its offset names it and
// declares its stored size. Objects past the end of the file (a truncated
// pack) fail one by one, so the ones before the cut still serve.
#include "recovery/pack.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

#include "recovery/hash_stream.h"
#include "recovery/planner.h"
#include "recovery/rel_path.h"
#include "recovery/scanner.h"

namespace lifeboat {
namespace {

constexpr uint64_t kBlock = 512;
constexpr uint64_t kMaxUstarSize = 077777777777ull;  // 11 octal digits
constexpr size_t kChunk = 256 * 1024;

uint64_t Padded(uint64_t n) { return (n + kBlock - 1) / kBlock * kBlock; }

// ---- ustar headers ---------------------------------------------------------

std::string UstarHeader(const std::string& name, uint64_t size, uint64_t mtime) {
  char h[kBlock] = {};
  std::memcpy(h, name.data(), std::min<size_t>(name.size(), 99));
  std::snprintf(h + 100, 8, "%07o", 0644);
  std::snprintf(h + 108, 8, "%07o", 0);
  std::snprintf(h + 116, 8, "%07o", 0);
  std::snprintf(h + 124, 12, "%011llo", static_cast<unsigned long long>(size));
  std::snprintf(h + 136, 12, "%011llo", static_cast<unsigned long long>(mtime & kMaxUstarSize));
  std::memset(h + 148, ' ', 8);
  h[156] = '0';
  std::memcpy(h + 257, "ustar", 6);
  std::memcpy(h + 263, "00", 2);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h + 148, 8, "%06o", sum);
  h[155] = ' ';
  return std::string(h, kBlock);
}

// An octal tar number field: digits, then NUL or spaces.
bool ParseOctal(std::string_view field, uint64_t& out) {
  size_t i = 0;
  while (i < field.size() && field[i] == ' ') ++i;
  uint64_t v = 0;
  size_t digits = 0;
  for (; i < field.size() && field[i] >= '0' && field[i] <= '7'; ++i, ++digits) {
    if (digits >= 21) return false;
    v = v * 8 + static_cast<uint64_t>(field[i] - '0');
  }
  if (digits == 0) return false;
  for (; i < field.size(); ++i)
    if (field[i] != '\0' && field[i] != ' ') return false;
  out = v;
  return true;
}

struct UstarEntry {
  std::string name;
  uint64_t size = 0;
};

// Parses one header block: ustar magic, checksum, a regular file, no prefix.
std::optional<UstarEntry> ParseUstar(std::string_view h) {
  if (h.size() < kBlock || h.substr(257, 5) != "ustar") return std::nullopt;
  uint64_t want = 0;
  if (!ParseOctal(h.substr(148, 8), want)) return std::nullopt;
  uint64_t sum = 0;
  for (size_t i = 0; i < kBlock; ++i) sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
  if (sum != want) return std::nullopt;
  if (h[156] != '0' && h[156] != '\0') return std::nullopt;
  if (h[345] != '\0') return std::nullopt;
  UstarEntry e;
  std::string_view name = h.substr(0, 100);
  e.name = std::string(name.substr(0, name.find('\0')));
  if (!ParseOctal(h.substr(124, 12), e.size)) return std::nullopt;
  return e;
}

// ---- files -------------------------------------------------------------------

class FdFile final : public RandomAccessFile {
 public:
  FdFile(int fd, uint64_t size, std::string name) : fd_(fd), size_(size), name_(std::move(name)) {}
  ~FdFile() override { ::close(fd_); }
  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) override {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, buf + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno(errno, "read " + name_);
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    return done;
  }
  uint64_t size() const override { return size_; }

 private:
  int fd_;
  uint64_t size_;
  std::string name_;
};

class MemoryFile final : public RandomAccessFile {
 public:
  explicit MemoryFile(std::string_view data) : data_(data) {}
  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) override {
    if (offset >= data_.size()) return size_t{0};
    size_t k = std::min<uint64_t>(n, data_.size() - offset);
    std::memcpy(buf, data_.data() + offset, k);
    return k;
  }
  uint64_t size() const override { return data_.size(); }

 private:
  std::string_view data_;
};

Status ReadExactly(RandomAccessFile& f, uint64_t offset, char* buf, size_t n, const std::string& what) {
  Result<size_t> r = f.ReadAt(offset, buf, n);
  if (!r.ok()) return r.status();
  if (*r != n) return Status::Error(Status::Code::kIoError, what + ": the pack ends early (truncated?)");
  return Status::Ok();
}

// ---- object reader ---------------------------------------------------------------

// Streams one object's content from its stored bytes, inflating if needed.
// Produces exactly `size` bytes or fails.
class ObjectReader final : public ByteReader {
 public:
  ObjectReader(RandomAccessFile& f, uint64_t begin, const PackObject& o, std::string name)
      : f_(f), pos_(begin), end_(begin + o.stored_size), size_(o.size), deflated_(o.deflated), name_(std::move(name)) {
    if (deflated_) {
      std::memset(&zs_, 0, sizeof zs_);
      z_ok_ = inflateInit(&zs_) == Z_OK;
      in_.resize(kChunk);
    }
  }
  ~ObjectReader() override {
    if (deflated_ && z_ok_) inflateEnd(&zs_);
  }

  Result<size_t> Read(char* buf, size_t cap) override {
    if (!error_.ok()) return error_;
    if (cap == 0) return size_t{0};
    if (!deflated_) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(cap, end_ - pos_));
      if (n == 0) return size_t{0};
      Status s = ReadExactly(f_, pos_, buf, n, name_);
      if (!s.ok()) return error_ = s;
      pos_ += n;
      return n;
    }
    if (!z_ok_) return error_ = Status::Error(Status::Code::kIoError, name_ + ": cannot start zlib");
    while (!ended_) {
      if (zs_.avail_in == 0 && pos_ < end_) {
        size_t n = static_cast<size_t>(std::min<uint64_t>(in_.size(), end_ - pos_));
        Status s = ReadExactly(f_, pos_, in_.data(), n, name_);
        if (!s.ok()) return error_ = s;
        pos_ += n;
        zs_.next_in = reinterpret_cast<Bytef*>(in_.data());
        zs_.avail_in = static_cast<uInt>(n);
      }
      zs_.next_out = reinterpret_cast<Bytef*>(buf);
      zs_.avail_out = static_cast<uInt>(std::min<size_t>(cap, 1u << 30));
      uInt before = zs_.avail_out;
      int r = inflate(&zs_, Z_NO_FLUSH);
      size_t produced = before - zs_.avail_out;
      out_ += produced;
      if (out_ > size_) return error_ = Fail("decodes to more than its declared " + std::to_string(size_) + " bytes");
      if (r == Z_STREAM_END) {
        ended_ = true;
        if (out_ != size_)
          return error_ = Fail("decodes to " + std::to_string(out_) + " bytes, not its declared " + std::to_string(size_));
        if (zs_.avail_in != 0 || pos_ != end_) return error_ = Fail("data after the end of its deflate stream");
      } else if (r != Z_OK) {
        if (r == Z_BUF_ERROR && zs_.avail_in == 0 && pos_ == end_)
          return error_ = Fail("deflate stream ends early");
        if (r != Z_BUF_ERROR) return error_ = Fail(std::string("deflate error: ") + (zs_.msg ? zs_.msg : "bad data"));
      }
      if (produced > 0) return produced;
    }
    return size_t{0};
  }

 private:
  Status Fail(const std::string& what) const {
    return Status::Error(Status::Code::kIoError, name_ + " is damaged (" + what + ")");
  }

  RandomAccessFile& f_;
  uint64_t pos_, end_, size_;
  bool deflated_;
  std::string name_;
  z_stream zs_{};
  bool z_ok_ = false, ended_ = false;
  uint64_t out_ = 0;
  std::vector<char> in_;
  Status error_;
};

// ---- the source ------------------------------------------------------------

class PackSource final : public Source {
 public:
  PackSource(std::unique_ptr<RandomAccessFile> f, PackIndex index, std::string location, std::string label)
      : f_(std::move(f)), index_(std::move(index)), location_(std::move(location)), label_(std::move(label)) {}

  const std::string& label() const override { return label_; }
  const std::string& location() const override { return location_; }

  Status Survey(const WantFn& want, const std::function<uint64_t(const Candidate&)>& max_bytes,
                const HashedFn& hashed, ProgressSink& progress, const CancelToken& cancel) override {
    for (size_t i = 0; i < index_.objects.size(); ++i) {
      if (cancel.cancelled()) return Status::Error(Status::Code::kCancelled, "cancelled");
      if (bad_.count(i)) continue;  // warned about once, not read again
      Candidate c = CandidateOf(i);
      if (!want(c)) continue;
      const PackObject& o = index_.objects[i];
      Result<std::unique_ptr<ByteReader>> in = OpenPackObject(*f_, index_, i);
      if (!in.ok()) {
        Bad(i, in.status().message());
        continue;
      }
      Result<StreamHash> h = HashStream(**in, max_bytes(c), progress, cancel);
      if (!h.ok()) {
        if (h.status().code() == Status::Code::kCancelled) return h.status();
        Bad(i, h.status().message());
        continue;
      }
      progress.Advance(1, 0);
      if (h->over_limit) continue;
      if (h->digest != o.sha256 || h->bytes != o.size) {
        Bad(i, "object " + ToHex(o.sha256) + " is damaged (content does not match its address)");
        continue;
      }
      if (!hashed(c, h->digest, h->bytes)) break;
    }
    return Status::Ok();
  }

  Status Fetch(const std::vector<Candidate>& wanted, const ConsumeFn& consume, const CancelToken& cancel) override {
    for (const Candidate& c : wanted) {
      if (cancel.cancelled()) return Status::Error(Status::Code::kCancelled, "cancelled");
      if (c.id >= index_.objects.size()) {
        warnings_.push_back(label_ + ": no object " + std::to_string(c.id));
        continue;
      }
      Result<std::unique_ptr<ByteReader>> in = OpenPackObject(*f_, index_, c.id);
      if (!in.ok()) {
        warnings_.push_back(label_ + ": " + in.status().message());
        continue;
      }
      consume(c, **in);
    }
    return Status::Ok();
  }

 private:
  void Bad(size_t i, const std::string& why) {
    bad_.insert(i);
    warnings_.push_back(label_ + ": " + why);
  }

  Candidate CandidateOf(size_t i) const {
    const PackObject& o = index_.objects[i];
    return Candidate{i, o.size, o.paths.empty() ? o.member() : o.paths.front()};
  }

  std::unique_ptr<RandomAccessFile> f_;
  PackIndex index_;
  std::string location_, label_;
  std::unordered_set<size_t> bad_;  // objects found damaged
};

Status IndexError(const std::string& name, const std::string& what) {
  return Status::Error(Status::Code::kInvalidInput, name + ": not a valid lifeboat pack: " + what);
}

// ---- building ----------------------------------------------------------------

// A JSON string literal. Invalid UTF-8 becomes U+FFFD, so the index always
// parses. (Written by hand: nlohmann's writer costs the static binary 12 KB.)
std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c < 0x20 || c == 0x7f) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    // Length of a well-formed sequence starting here (RFC 3629), or 0.
    size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    if (ok && n >= 3) {
      unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 > 0x9f) || (c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 > 0x8f))
        ok = false;  // overlong, surrogate or beyond U+10FFFF
    }
    if (ok) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
  return out + "\"";
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Status WriteAll(int fd, const char* p, size_t n, const std::string& name) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "write " + name);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

Status PwriteAll(int fd, uint64_t off, const char* p, size_t n, const std::string& name) {
  while (n > 0) {
    ssize_t w = ::pwrite(fd, p, n, static_cast<off_t>(off));
    if (w < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "write " + name);
    }
    p += w;
    off += static_cast<uint64_t>(w);
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

// An anonymous scratch file next to `out` (same file system, unlinked at once).
Result<int> ScratchFile(const std::string& out) {
  std::string tmpl = out + ".lifeboat-spool.XXXXXX";
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return Status::FromErrno(errno, "create scratch file " + tmpl);
  ::unlink(tmpl.c_str());
  return fd;
}

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

struct BuildObject {
  Digest digest{};
  uint64_t size = 0;
  std::vector<std::string> paths;
  std::vector<uint32_t> entries;
  size_t source = 0;
  Candidate candidate;
  bool have = false;
  uint64_t raw_offset = 0, z_offset = 0, stored = 0;
  bool deflated = false;
  uint64_t offset = 0;  // in the pack, from the end of the index
};

// Deflates raw[off, off+size) into z at z_end; returns the compressed size.
Result<uint64_t> Deflate(int raw, uint64_t off, uint64_t size, int z, uint64_t z_end, int level,
                         const CancelToken& cancel, ProgressSink& progress) {
  z_stream zs;
  std::memset(&zs, 0, sizeof zs);
  if (deflateInit(&zs, level) != Z_OK) return Status::Error(Status::Code::kIoError, "cannot start zlib");
  std::vector<char> in(kChunk), out(kChunk);
  uint64_t done = 0, written = 0;
  Status err;
  for (bool finish = false; !finish && err.ok();) {
    if (cancel.cancelled()) {
      err = Status::Error(Status::Code::kCancelled, "cancelled");
      break;
    }
    size_t n = static_cast<size_t>(std::min<uint64_t>(in.size(), size - done));
    ssize_t r = n ? ::pread(raw, in.data(), n, static_cast<off_t>(off + done)) : 0;
    if (r < 0 || static_cast<size_t>(r) != n) {
      err = Status::FromErrno(r < 0 ? errno : EIO, "read scratch file");
      break;
    }
    done += n;
    progress.Advance(0, n);
    finish = done == size;
    zs.next_in = reinterpret_cast<Bytef*>(in.data());
    zs.avail_in = static_cast<uInt>(n);
    do {
      zs.next_out = reinterpret_cast<Bytef*>(out.data());
      zs.avail_out = static_cast<uInt>(out.size());
      deflate(&zs, finish ? Z_FINISH : Z_NO_FLUSH);
      size_t have = out.size() - zs.avail_out;
      err = PwriteAll(z, z_end + written, out.data(), have, "scratch file");
      written += have;
    } while (err.ok() && zs.avail_out == 0);
  }
  deflateEnd(&zs);
  if (!err.ok()) return err;
  return written;
}

Status CopyRange(int from, uint64_t off, uint64_t n, int to, const std::string& name) {
  std::vector<char> buf(kChunk);
  while (n > 0) {
    size_t k = static_cast<size_t>(std::min<uint64_t>(buf.size(), n));
    ssize_t r = ::pread(from, buf.data(), k, static_cast<off_t>(off));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return Status::FromErrno(r < 0 ? errno : EIO, "read scratch file");
    LB_RETURN_IF_ERROR(WriteAll(to, buf.data(), static_cast<size_t>(r), name));
    off += static_cast<uint64_t>(r);
    n -= static_cast<uint64_t>(r);
  }
  return Status::Ok();
}

// Writes the pack to `fd`: index member, objects, end-of-archive blocks.
Status WritePack(int fd, const std::string& name, const Manifest& manifest, std::vector<BuildObject*>& objects,
                 int raw, int z, uint64_t mtime) {
  uint64_t off = 0;
  std::string manifest_name(BaseName(manifest.name));
  std::string json = std::string("{\"format\":\"") + kPackFormat + "\",\"manifest\":" +
                     JsonString(manifest.title.empty() ? manifest_name : manifest.title) +
                     ",\"manifest_file\":" + JsonString(manifest_name) + ",\"manifest_sha256\":\"" +
                     ToHex(manifest.file_sha256) + "\",\"objects\":[";
  for (BuildObject* o : objects) {
    o->offset = off;
    off += kBlock + Padded(o->stored);
    json += std::string(o == objects.front() ? "" : ",") + "\n{\"sha256\":\"" + ToHex(o->digest) +
            "\",\"size\":" + std::to_string(o->size) + ",\"stored_size\":" + std::to_string(o->stored) +
            ",\"encoding\":\"" + (o->deflated ? "deflate" : "stored") + "\",\"offset\":" +
            std::to_string(o->offset) + ",\"paths\":[";
    for (size_t i = 0; i < o->paths.size(); ++i) json += (i ? "," : "") + JsonString(o->paths[i]);
    json += "]}";
  }
  json += "]}\n";
  if (json.size() > kMaxPackIndexBytes)
    return Status::Error(Status::Code::kInvalidInput, "the pack index would exceed 64 MiB");
  const std::string zeros(2 * kBlock, '\0');
  LB_RETURN_IF_ERROR(WriteAll(fd, UstarHeader(kPackIndexName, json.size(), mtime).data(), kBlock, name));
  LB_RETURN_IF_ERROR(WriteAll(fd, json.data(), json.size(), name));
  LB_RETURN_IF_ERROR(WriteAll(fd, zeros.data(), Padded(json.size()) - json.size(), name));
  for (BuildObject* o : objects) {
    PackObject po;
    po.sha256 = o->digest;
    po.deflated = o->deflated;
    LB_RETURN_IF_ERROR(WriteAll(fd, UstarHeader(po.member(), o->stored, mtime).data(), kBlock, name));
    if (o->deflated)
      LB_RETURN_IF_ERROR(CopyRange(z, o->z_offset, o->stored, fd, name));
    else
      LB_RETURN_IF_ERROR(CopyRange(raw, o->raw_offset, o->stored, fd, name));
    LB_RETURN_IF_ERROR(WriteAll(fd, zeros.data(), Padded(o->stored) - o->stored, name));
  }
  return WriteAll(fd, zeros.data(), zeros.size(), name);
}

// Moves the finished temp file to `out`; without `force`, never over an existing file.
Status Publish(const std::string& tmp, const std::string& out, bool force) {
  if (force) {
    if (::rename(tmp.c_str(), out.c_str()) != 0) return Status::FromErrno(errno, "rename " + tmp + " to " + out);
  } else if (::link(tmp.c_str(), out.c_str()) != 0) {
    int e = errno;
    if (e == EEXIST) return Status::Error(Status::Code::kExists, out + " already exists (give --force to replace it)");
    return Status::FromErrno(e, "link " + tmp + " to " + out);
  } else {
    ::unlink(tmp.c_str());
  }
  int dfd = ::open(DirOf(out).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

}  // namespace

std::string PackObject::member() const { return "objects/" + ToHex(sha256) + (deflated ? ".z" : ""); }

Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccessFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return Status::FromErrno(e, "stat " + path);
  }
  return std::unique_ptr<RandomAccessFile>(new FdFile(fd, static_cast<uint64_t>(st.st_size), path));
}

std::unique_ptr<RandomAccessFile> MemoryRandomAccessFile(std::string_view data) {
  return std::unique_ptr<RandomAccessFile>(new MemoryFile(data));
}

bool LooksLikePack(std::string_view head) {
  std::optional<UstarEntry> e = ParseUstar(head);
  return e && e->name == kPackIndexName;
}

Result<PackIndex> ReadPackIndex(RandomAccessFile& f, const std::string& name) {
  std::string head(kBlock, '\0');
  Result<size_t> got = f.ReadAt(0, head.data(), head.size());
  if (!got.ok()) return got.status();
  if (*got != kBlock) return IndexError(name, "shorter than one tar header");
  std::optional<UstarEntry> e = ParseUstar(head);
  if (!e || e->name != kPackIndexName) return IndexError(name, std::string("the first member is not ") + kPackIndexName);
  if (e->size > kMaxPackIndexBytes) return IndexError(name, "the index is larger than 64 MiB");
  if (e->size > f.size() - kBlock) return IndexError(name, "the index ends past the end of the file (truncated?)");
  std::string text(e->size, '\0');
  LB_RETURN_IF_ERROR(ReadExactly(f, kBlock, text.data(), text.size(), name));

  nlohmann::json j = nlohmann::json::parse(std::string_view(text), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return IndexError(name, "the index is not a JSON object");
  auto str = [&](const char* key) -> const std::string* {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
  };
  const std::string* format = str("format");
  if (!format || *format != kPackFormat)
    return IndexError(name, std::string("unknown format (expected \"") + kPackFormat + "\")");
  PackIndex index;
  index.data_start = kBlock + Padded(e->size);
  if (const std::string* m = str("manifest")) index.manifest = *m;
  if (const std::string* m = str("manifest_sha256")) index.manifest_sha256 = *m;
  auto objects = j.find("objects");
  if (objects == j.end() || !objects->is_array()) return IndexError(name, "no \"objects\" list");
  uint64_t next = 0;  // the least offset the next object may have
  for (size_t i = 0; i < objects->size(); ++i) {
    const nlohmann::json& o = (*objects)[i];
    std::string where = "object " + std::to_string(i);
    if (!o.is_object()) return IndexError(name, where + " is not an object");
    auto u64 = [&](const char* key, uint64_t& out) {
      auto it = o.find(key);
      if (it == o.end() || !it->is_number_unsigned()) return false;
      out = it->get<uint64_t>();
      return true;
    };
    PackObject p;
    auto sha = o.find("sha256");
    std::optional<Digest> d;
    if (sha != o.end() && sha->is_string()) d = DigestFromHex(sha->get_ref<const std::string&>());
    if (!d) return IndexError(name, where + ": sha256 is not 64 hex digits");
    p.sha256 = *d;
    if (!u64("size", p.size) || !u64("stored_size", p.stored_size) || !u64("offset", p.offset))
      return IndexError(name, where + ": size, stored_size and offset must be numbers");
    auto enc = o.find("encoding");
    std::string encoding = enc != o.end() && enc->is_string() ? enc->get<std::string>() : "";
    if (encoding != "deflate" && encoding != "stored")
      return IndexError(name, where + ": encoding must be \"deflate\" or \"stored\"");
    p.deflated = encoding == "deflate";
    if (!p.deflated && p.stored_size != p.size) return IndexError(name, where + ": stored, but stored_size != size");
    if (p.stored_size > kMaxUstarSize || p.size > (1ull << 48) || p.offset > (1ull << 60))
      return IndexError(name, where + ": implausible size");
    if (p.offset % kBlock != 0 || p.offset < next)
      return IndexError(name, where + ": offset " + std::to_string(p.offset) + " is not aligned or overlaps the object before");
    next = p.offset + kBlock + Padded(p.stored_size);
    auto paths = o.find("paths");
    if (paths == o.end() || !paths->is_array()) return IndexError(name, where + ": no \"paths\" list");
    for (const nlohmann::json& path : *paths) {
      if (!path.is_string() || !IsCleanRelPath(path.get_ref<const std::string&>()))
        return IndexError(name, where + ": a path is not a clean relative path");
      p.paths.push_back(path.get<std::string>());
    }
    index.objects.push_back(std::move(p));
  }
  index.json = std::move(text);
  return index;
}

Result<std::unique_ptr<ByteReader>> OpenPackObject(RandomAccessFile& f, const PackIndex& index, size_t i) {
  const PackObject& o = index.objects.at(i);
  std::string what = "object " + ToHex(o.sha256);
  uint64_t at = index.data_start + o.offset;
  if (at > f.size() || f.size() - at < kBlock + o.stored_size)
    return Status::Error(Status::Code::kIoError, what + " lies past the end of the pack (truncated?)");
  std::string head(kBlock, '\0');
  LB_RETURN_IF_ERROR(ReadExactly(f, at, head.data(), head.size(), what));
  std::optional<UstarEntry> e = ParseUstar(head);
  if (!e || e->name != o.member() || e->size != o.stored_size)
    return Status::Error(Status::Code::kIoError,
                         what + ": the tar header at its offset is not " + o.member() + " (damaged pack or index)");
  return std::unique_ptr<ByteReader>(new ObjectReader(f, at + kBlock, o, what));
}

Result<std::unique_ptr<Source>> OpenPackSource(std::unique_ptr<RandomAccessFile> f, std::string location,
                                               std::string label) {
  Result<PackIndex> index = ReadPackIndex(*f, location);
  if (!index.ok()) return index.status();
  return std::unique_ptr<Source>(
      new PackSource(std::move(f), std::move(index).value(), std::move(location), std::move(label)));
}

Result<std::unique_ptr<Source>> OpenPackSource(const std::string& path) {
  Result<std::unique_ptr<RandomAccessFile>> f = OpenRandomAccessFile(path);
  if (!f.ok()) return f.status();
  return OpenPackSource(std::move(f).value(), path, std::string(BaseName(path)));
}

Status VerifyPackObject(RandomAccessFile& f, const PackIndex& index, size_t i, ProgressSink& progress,
                        const CancelToken& cancel) {
  const PackObject& o = index.objects.at(i);
  Result<std::unique_ptr<ByteReader>> in = OpenPackObject(f, index, i);
  if (!in.ok()) return in.status();
  Result<StreamHash> h = HashStream(**in, o.size, progress, cancel);
  if (!h.ok()) return h.status();
  if (h->over_limit || h->digest != o.sha256 || h->bytes != o.size)
    return Status::Error(Status::Code::kConflict,
                         "object " + ToHex(o.sha256) + " is damaged (content does not match its address)");
  return Status::Ok();
}

Result<PackBuildResult> BuildPack(const Manifest& manifest, const std::vector<std::unique_ptr<Source>>& sources,
                                  const std::string& out, const PackBuildOptions& options, ProgressSink& progress,
                                  const CancelToken& cancel) {
  struct stat st;
  if (!options.force && ::lstat(out.c_str(), &st) == 0)
    return Status::Error(Status::Code::kExists, out + " already exists (give --force to replace it)");

  // Plan the repair of an empty volume: every entry needs a copy.
  ScanResult scan;
  scan.findings.resize(manifest.entries.size());
  for (size_t i = 0; i < manifest.entries.size(); ++i) {
    Finding missing;  // at the manifest's own path (an empty disk_path)
    missing.state = FindingState::kMissing;
    scan.findings.Set(i, std::move(missing));
  }
  RepairPlan plan = PlanRepair(manifest, scan, sources, progress, cancel, PlanOptions{.writes_target = false});
  if (plan.cancelled || cancel.cancelled()) return Status::Error(Status::Code::kCancelled, "cancelled");

  PackBuildResult result;
  result.entries = manifest.entries.size();
  result.warnings = plan.warnings;
  std::vector<std::unique_ptr<BuildObject>> objects;
  std::map<Digest, BuildObject*> by_digest;
  std::map<std::pair<size_t, uint64_t>, BuildObject*> by_candidate;
  for (const RepairStep& s : plan.steps) {
    if (s.kind == StepKind::kRemove) continue;
    BuildObject*& o = by_digest[s.expected];
    if (!o) {
      objects.push_back(std::make_unique<BuildObject>());
      o = objects.back().get();
      o->digest = s.expected;
      o->size = s.size;
      o->source = s.source;
      o->candidate = s.candidate;
      by_candidate[{s.source, s.candidate.id}] = o;
    }
    o->paths.push_back(manifest.entries[s.entry].path);
    o->entries.push_back(s.entry);
  }

  // The shallowest path first: it names the candidate ("WINDOWS/system32/svchost.exe", not its dllcache copy).
  for (auto& o : objects)
    std::stable_sort(o->paths.begin(), o->paths.end(), [](const std::string& a, const std::string& b) {
      return std::count(a.begin(), a.end(), '/') < std::count(b.begin(), b.end(), '/');
    });

  Result<int> raw_fd = ScratchFile(out);
  if (!raw_fd.ok()) return raw_fd.status();
  Fd raw{*raw_fd};
  Result<int> z_fd = ScratchFile(out);
  if (!z_fd.ok()) return z_fd.status();
  Fd z{*z_fd};

  // Fetch each object once, hashing it again on the way into the raw spool.
  uint64_t raw_end = 0;
  Status spool_error;
  for (size_t s = 0; s < sources.size(); ++s) {
    std::vector<Candidate> wanted;
    for (auto& o : objects)
      if (o->source == s) wanted.push_back(o->candidate);
    if (wanted.empty()) continue;
    Status fetched = sources[s]->Fetch(wanted, [&](const Candidate& c, ByteReader& in) {
      BuildObject* o = by_candidate.at({s, c.id});
      Sha256 sha;
      std::vector<char> buf(kChunk);
      uint64_t n = 0;
      for (;;) {
        if (cancel.cancelled() || !spool_error.ok()) return;
        Result<size_t> r = in.Read(buf.data(), buf.size());
        if (!r.ok()) {
          result.warnings.push_back(sources[s]->label() + ":" + c.name + ": " + r.status().message());
          return;
        }
        if (*r == 0) break;
        if (n + *r > o->size) break;  // longer than when it was hashed
        spool_error = PwriteAll(raw.fd, raw_end + n, buf.data(), *r, "scratch file");
        sha.Update(buf.data(), *r);
        n += *r;
      }
      if (n != o->size || sha.Finish() != o->digest) {
        result.warnings.push_back(sources[s]->label() + ":" + c.name +
                                  ": changed since it was hashed; not packed");
        return;
      }
      o->have = true;
      o->raw_offset = raw_end;
      raw_end += n;
    }, cancel);
    if (cancel.cancelled()) return Status::Error(Status::Code::kCancelled, "cancelled");
    LB_RETURN_IF_ERROR(spool_error);
    if (!fetched.ok()) result.warnings.push_back("source " + sources[s]->location() + ": " + fetched.message());
    for (const std::string& w : sources[s]->warnings())
      if (std::find(result.warnings.begin(), result.warnings.end(), w) == result.warnings.end())
        result.warnings.push_back(w);
  }

  // Compress; keep the deflated form only when it is smaller.
  std::vector<BuildObject*> packed;
  uint64_t total = 0;
  for (auto& o : objects)
    if (o->have) {
      packed.push_back(o.get());
      total += o->size;
    }
  progress.Begin(Phase::kRepair, packed.size(), total);
  uint64_t z_end = 0;
  for (BuildObject* o : packed) {
    Result<uint64_t> zn = Deflate(raw.fd, o->raw_offset, o->size, z.fd, z_end, options.level, cancel, progress);
    if (!zn.ok()) return zn.status();
    if (*zn < o->size) {
      o->deflated = true;
      o->z_offset = z_end;
      o->stored = *zn;
      z_end += *zn;
    } else {
      o->stored = o->size;
    }
    if (o->stored > kMaxUstarSize)
      return Status::Error(Status::Code::kInvalidInput, o->paths.front() + " is too large for a pack (8 GiB or more)");
    progress.Advance(1, 0);
  }
  progress.End(Phase::kRepair);

  std::string tmp = out + ".lifeboat-tmp.XXXXXX";
  int tfd = ::mkstemp(tmp.data());
  if (tfd < 0) return Status::FromErrno(errno, "create " + tmp);
  ::fchmod(tfd, 0644);
  Status written = WritePack(tfd, tmp, manifest, packed, raw.fd, z.fd, options.mtime);
  if (written.ok() && ::fsync(tfd) != 0) written = Status::FromErrno(errno, "fsync " + tmp);
  if (::close(tfd) != 0 && written.ok()) written = Status::FromErrno(errno, "close " + tmp);
  if (written.ok()) written = Publish(tmp, out, options.force);
  if (!written.ok()) {
    ::unlink(tmp.c_str());
    return written;
  }

  std::vector<bool> covered(manifest.entries.size(), false);
  for (BuildObject* o : packed) {
    for (uint32_t e : o->entries) covered[e] = true;
    result.content_bytes += o->size;
    result.stored_bytes += o->stored;
  }
  result.objects = packed.size();
  for (size_t i = 0; i < covered.size(); ++i) {
    if (covered[i])
      ++result.covered;
    else
      result.uncovered.push_back(manifest.entries[i].path);
  }
  return result;
}

}  // namespace lifeboat
