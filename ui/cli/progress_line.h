// A one-line progress display on stderr (only when stderr is a terminal):
// phase, files, bytes, rate and ETA, redrawn at most ten times a second.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

#include "recovery/progress.h"

namespace lifeboat::ui {

class ProgressLine final : public ProgressSink {
 public:
  explicit ProgressLine(int fd = 2) : fd_(fd) {}
  ~ProgressLine() override;
  void Begin(Phase phase, uint64_t total_files, uint64_t total_bytes) override;
  void Advance(uint64_t files, uint64_t bytes) override;
  void End(Phase phase) override;

 private:
  void Draw(bool force);
  void Clear();

  int fd_;
  std::mutex mu_;
  Phase phase_ = Phase::kScan;
  uint64_t total_files_ = 0, total_bytes_ = 0;
  std::atomic<uint64_t> files_{0}, bytes_{0};
  std::chrono::steady_clock::time_point start_;
  std::atomic<int64_t> last_draw_ns_{0};
  bool drawn_ = false;
};

}  // namespace lifeboat::ui
