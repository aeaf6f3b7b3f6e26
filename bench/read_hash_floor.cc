// The floor of "read every file and hash it" on this machine, without
// lifeboat: N threads take the files of a list in turn and hash each with
// OpenSSL's EVP SHA-256, doing nothing else. bench/run.sh times it beside
// `lifeboat scan`, so the gap between them is lifeboat's own overhead, and the
// gap to "the limit" (the faster of cat and openssl speed alone) is the cost
// of getting the bytes from the page cache to the hash. Two ways to get them:
//   read  256 KiB read() calls into one buffer per thread (what lifeboat does):
//         the kernel copies each page, and the hash reads the copy from L2;
//   mmap  files of 64 KiB or more mapped with MAP_POPULATE and hashed in
//         place, 16 KiB at a time with the next 16 KiB prefetched (smaller
//         files are read): no copy, but the hash reads DRAM itself, and the
//         mapping and unmapping cost page-table work and TLB flushes.
//   build/read_hash_floor LIST THREADS [read|mmap]   (LIST: one path per line, in inode order)
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr size_t kBuf = 256 * 1024;

bool HashByRead(int fd, EVP_MD_CTX* ctx, char* buf) {
  ssize_t n;
  while ((n = ::read(fd, buf, kBuf)) > 0) EVP_DigestUpdate(ctx, buf, static_cast<size_t>(n));
  return n == 0;
}

bool HashByMap(int fd, size_t size, EVP_MD_CTX* ctx) {
  constexpr size_t kStep = 16 * 1024;
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  if (map == MAP_FAILED) return false;
  const auto* p = static_cast<const unsigned char*>(map);
  for (size_t off = 0; off < size; off += kStep) {
    size_t ahead_end = std::min(size, off + 2 * kStep);
    for (size_t q = off + kStep; q < ahead_end; q += 64) __builtin_prefetch(p + q);
    EVP_DigestUpdate(ctx, p + off, std::min(kStep, size - off));
  }
  ::munmap(map, size);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4 || (argc == 4 && std::strcmp(argv[3], "read") != 0 && std::strcmp(argv[3], "mmap") != 0)) {
    std::fprintf(stderr, "usage: read_hash_floor LIST THREADS [read|mmap]\n");
    return 16;
  }
  const bool use_mmap = argc == 4 && std::strcmp(argv[3], "mmap") == 0;
  std::vector<std::string> files;
  std::ifstream in(argv[1]);
  for (std::string line; std::getline(in, line);) files.push_back(line);
  const int threads = std::max(1, std::atoi(argv[2]));
  const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  std::atomic<size_t> next{0};
  std::atomic<int> failures{0};
  auto work = [&] {
    std::unique_ptr<char[]> buf(new char[kBuf]);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    for (size_t k; (k = next.fetch_add(1)) < files.size();) {
      int fd = ::open(files[k].c_str(), O_RDONLY | O_CLOEXEC);
      struct stat st;
      if (fd < 0 || ::fstat(fd, &st) != 0) {
        ++failures;
        if (fd >= 0) ::close(fd);
        continue;
      }
      EVP_DigestInit_ex(ctx, md, nullptr);
      const size_t size = static_cast<size_t>(st.st_size);
      bool ok = use_mmap && size >= 64 * 1024 ? HashByMap(fd, size, ctx) : HashByRead(fd, ctx, buf.get());
      if (!ok) ++failures;
      EVP_DigestFinal_ex(ctx, digest, &len);
      ::close(fd);
    }
    EVP_MD_CTX_free(ctx);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (failures) std::fprintf(stderr, "read_hash_floor: %d files could not be read\n", failures.load());
  return failures ? 8 : 0;
}
