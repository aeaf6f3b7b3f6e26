// The floor of "read every file and hash it" on this machine, without
// lifeboat: N threads take the files of a list in turn, read each with
// 256 KiB read() calls and hash it with OpenSSL's EVP SHA-256, exactly the
// two costs a scan cannot avoid (the copy out of the page cache and the
// hash). bench/run.sh times it beside `lifeboat scan`, so the gap between
// them is lifeboat's own overhead, and the gap to "the limit" (the faster of
// cat and openssl speed alone) is the copy.
//   build/read_hash_floor LIST THREADS     (LIST: one path per line, in inode order)
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: read_hash_floor LIST THREADS\n");
    return 16;
  }
  std::vector<std::string> files;
  std::ifstream in(argv[1]);
  for (std::string line; std::getline(in, line);) files.push_back(line);
  const int threads = std::max(1, std::atoi(argv[2]));
  const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  std::atomic<size_t> next{0};
  std::atomic<int> failures{0};
  auto work = [&] {
    constexpr size_t kBuf = 256 * 1024;
    std::unique_ptr<char[]> buf(new char[kBuf]);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    for (size_t k; (k = next.fetch_add(1)) < files.size();) {
      int fd = ::open(files[k].c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        ++failures;
        continue;
      }
      EVP_DigestInit_ex(ctx, md, nullptr);
      for (ssize_t n; (n = ::read(fd, buf.get(), kBuf)) > 0;) EVP_DigestUpdate(ctx, buf.get(), static_cast<size_t>(n));
      EVP_DigestFinal_ex(ctx, digest, &len);
      ::close(fd);
    }
    EVP_MD_CTX_free(ctx);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (failures) std::fprintf(stderr, "read_hash_floor: %d files could not be opened\n", failures.load());
  return failures ? 8 : 0;
}
