// ExpandSzdd (szdd.h): libmspack's SZDD decompressor over an in-memory
// mspack_system: the "file names" it is given are "in" and "out", which this
// system maps to the input bytes and an output string with a size cap.
#include "recovery/szdd.h"

#include <mspack.h>

#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <new>

namespace lifeboat {
namespace {

constexpr char kMagic[8] = {'S', 'Z', 'D', 'D', '\x88', '\xF0', '\x27', '\x33'};

struct MemFile {
  mspack_file base;  // first: libmspack sees a mspack_file*
  std::string_view in;
  std::string* out = nullptr;
  uint64_t cap = 0;
  size_t pos = 0;
};

struct MemSystem {
  mspack_system sys;  // first
  std::string_view in;
  std::string out;
  uint64_t cap = 0;
};

mspack_file* Open(mspack_system* self, const char* name, int mode) {
  auto* s = reinterpret_cast<MemSystem*>(self);
  auto* f = new (std::nothrow) MemFile();
  if (f == nullptr) return nullptr;
  if (std::strcmp(name, "in") == 0 && mode == MSPACK_SYS_OPEN_READ) {
    f->in = s->in;
  } else if (std::strcmp(name, "out") == 0 && mode == MSPACK_SYS_OPEN_WRITE) {
    f->out = &s->out;
    f->cap = s->cap;
  } else {
    delete f;
    return nullptr;
  }
  return &f->base;
}
void Close(mspack_file* file) { delete reinterpret_cast<MemFile*>(file); }
int Read(mspack_file* file, void* buf, int bytes) {
  auto* f = reinterpret_cast<MemFile*>(file);
  if (bytes < 0) return -1;
  size_t n = std::min<size_t>(static_cast<size_t>(bytes), f->in.size() - f->pos);
  std::memcpy(buf, f->in.data() + f->pos, n);
  f->pos += n;
  return static_cast<int>(n);
}
int Write(mspack_file* file, void* buf, int bytes) {
  auto* f = reinterpret_cast<MemFile*>(file);
  if (f->out == nullptr || bytes < 0) return -1;
  if (f->out->size() + static_cast<uint64_t>(bytes) > f->cap) return -1;  // more than the header or cap says
  f->out->append(static_cast<const char*>(buf), static_cast<size_t>(bytes));
  return bytes;
}
int Seek(mspack_file* file, off_t offset, int mode) {
  auto* f = reinterpret_cast<MemFile*>(file);
  size_t size = f->out ? f->out->size() : f->in.size();
  off_t base = mode == MSPACK_SYS_SEEK_START ? 0 : mode == MSPACK_SYS_SEEK_CUR ? static_cast<off_t>(f->pos) : static_cast<off_t>(size);
  off_t to = base + offset;
  if (to < 0 || static_cast<size_t>(to) > size) return -1;
  f->pos = static_cast<size_t>(to);
  return 0;
}
off_t Tell(mspack_file* file) { return static_cast<off_t>(reinterpret_cast<MemFile*>(file)->pos); }
void Message(mspack_file*, const char*, ...) {}
void* Alloc(mspack_system*, size_t bytes) { return std::malloc(bytes); }
void Free(void* p) { std::free(p); }
void Copy(void* src, void* dest, size_t bytes) { std::memmove(dest, src, bytes); }

Status Bad(const std::string& why) { return Status::Error(Status::Code::kInvalidInput, "not a valid SZDD file: " + why); }

}  // namespace

bool HasSzddMagic(std::string_view head) { return head.size() >= 8 && std::memcmp(head.data(), kMagic, 8) == 0; }

Result<SzddHeader> ReadSzddHeader(std::string_view d) {
  if (d.size() < 14 || !HasSzddMagic(d)) return Bad("no SZDD header");
  if (d[8] != 'A') return Bad("unknown compression mode");
  SzddHeader h;
  h.missing = d[9];
  h.length = static_cast<uint8_t>(d[10]) | static_cast<uint8_t>(d[11]) << 8 | static_cast<uint8_t>(d[12]) << 16 |
             static_cast<uint64_t>(static_cast<uint8_t>(d[13])) << 24;
  return h;
}

std::string SzddExpandedName(const std::string& name, char missing) {
  if (name.empty() || name.back() != '_') return name;
  std::string out = name.substr(0, name.size() - 1);
  if (missing != 0 && static_cast<unsigned char>(missing) >= ' ' && missing != '/' && missing != '\\' &&
      static_cast<unsigned char>(missing) < 0x7F)
    out += missing;
  return out;
}

Result<std::string> ExpandSzdd(std::string_view data, uint64_t max_bytes) {
  Result<SzddHeader> h = ReadSzddHeader(data);
  if (!h.ok()) return h.status();
  if (h->length > max_bytes) return Bad("expands to more than " + std::to_string(max_bytes) + " bytes");
  MemSystem s{};
  s.sys = mspack_system{Open, Close, Read, Write, Seek, Tell, Message, Alloc, Free, Copy, nullptr};
  s.in = data;
  s.cap = h->length;
  msszdd_decompressor* d = mspack_create_szdd_decompressor(&s.sys);
  if (d == nullptr) return Status::Error(Status::Code::kIoError, "libmspack: cannot create the SZDD decompressor");
  int err = MSPACK_ERR_OK;
  msszddd_header* hdr = d->open(d, "in");
  if (hdr == nullptr) {
    err = d->last_error(d);
  } else {
    err = d->extract(d, hdr, "out");
    d->close(d, hdr);
  }
  mspack_destroy_szdd_decompressor(d);
  if (err != MSPACK_ERR_OK) return Bad("libmspack error " + std::to_string(err));
  if (s.out.size() != h->length)
    return Bad("expanded to " + std::to_string(s.out.size()) + " bytes, the header says " + std::to_string(h->length));
  return std::move(s.out);
}

}  // namespace lifeboat
