// Progress and cancellation: how the engine talks to whatever front end runs
// it, without doing terminal I/O itself.
//
// The engine reports the totals of each phase up front and then advances
// counters, possibly from several worker threads at once; front ends (the CLI
// progress line, the TUI, tests) implement ProgressSink. Cancellation is a
// flag the front end sets (Esc, Ctrl-C) and the engine polls between files
// and between read chunks, always stopping at a point where the target is
// consistent.
#pragma once

#include <atomic>
#include <cstdint>

namespace lifeboat {

enum class Phase {
  kScan,    // hashing target files
  kSearch,  // hashing source candidates
  kRepair,  // copying verified files into place
  kUndo,    // reverting a run
};

const char* PhaseName(Phase p);

class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  // totals of 0 mean "unknown"
  virtual void Begin(Phase /*phase*/, uint64_t /*total_files*/, uint64_t /*total_bytes*/) {}
  // May be called from worker threads concurrently.
  virtual void Advance(uint64_t /*files*/, uint64_t /*bytes*/) {}
  virtual void End(Phase /*phase*/) {}
};

// A sink that ignores everything.
ProgressSink& NullProgress();

class CancelToken {
 public:
  void Cancel() { flag_.store(true, std::memory_order_relaxed); }
  bool cancelled() const { return flag_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> flag_{false};
};

}  // namespace lifeboat
