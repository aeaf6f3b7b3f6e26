// ProgressLine: counters are atomics so worker threads never wait; drawing
// takes a try_lock, and a thread that loses the race simply skips the redraw.
#include "ui/cli/progress_line.h"

#include "ui/report/text_report.h"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace lifeboat::ui {
ProgressLine::~ProgressLine() { Clear(); }

void ProgressLine::Begin(Phase phase, uint64_t total_files, uint64_t total_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  phase_ = phase;
  total_files_ = total_files;
  total_bytes_ = total_bytes;
  files_ = 0;
  bytes_ = 0;
  start_ = std::chrono::steady_clock::now();
  last_draw_ns_ = 0;
}

void ProgressLine::Advance(uint64_t files, uint64_t bytes) {
  files_.fetch_add(files, std::memory_order_relaxed);
  bytes_.fetch_add(bytes, std::memory_order_relaxed);
  Draw(false);
}

void ProgressLine::End(Phase) {
  std::lock_guard<std::mutex> lock(mu_);
  Clear();
}

void ProgressLine::Clear() {
  if (!drawn_) return;
  const char clear[] = "\r\033[K";
  (void)!::write(fd_, clear, sizeof clear - 1);
  drawn_ = false;
}

void ProgressLine::Draw(bool force) {
  auto now = std::chrono::steady_clock::now();
  int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  int64_t last = last_draw_ns_.load(std::memory_order_relaxed);
  if (!force && ns - last < 100'000'000) return;
  std::unique_lock<std::mutex> lock(mu_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  last_draw_ns_ = ns;
  double secs = std::chrono::duration<double>(now - start_).count();
  uint64_t files = files_.load(), bytes = bytes_.load();
  double rate = secs > 0 ? bytes / secs : 0;
  std::string line = "\r\033[K" + std::string(PhaseName(phase_)) + "  " + std::to_string(files);
  if (total_files_) line += "/" + std::to_string(total_files_);
  line += " files  " + HumanBytes(static_cast<double>(bytes));
  if (total_bytes_) line += "/" + HumanBytes(static_cast<double>(total_bytes_));
  line += "  " + HumanBytes(rate) + "/s";
  if (total_bytes_ && rate > 0 && bytes <= total_bytes_) {
    auto eta = static_cast<uint64_t>((total_bytes_ - bytes) / rate);
    char buf[32];
    std::snprintf(buf, sizeof buf, "  ETA %lu:%02lu", static_cast<unsigned long>(eta / 60),
                  static_cast<unsigned long>(eta % 60));
    line += buf;
  }
  (void)!::write(fd_, line.data(), line.size());
  drawn_ = true;
}

}  // namespace lifeboat::ui
