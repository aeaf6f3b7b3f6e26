// The run journal: an append-only, write-ahead record of every change a fix
// makes, so `undo` and crash recovery know exactly what happened.
//
// Format (after leveldb's log): one record per line,
//     <crc32 of the JSON text, 8 lowercase hex digits> <space> <JSON object> \n
// A record is appended and fsynced *before* the change it describes. On
// reading, a last line that is incomplete or fails its checksum is a torn
// write from a crash and is ignored; a bad record anywhere else means the
// journal was damaged and it is refused (undo must not guess).
//
// Records of one fix run, in order:
//   run     {run_id, sequence, target, manifest, manifest_sha256, time, version}
//           (sequence orders runs: wall clocks on broken PCs are not to be trusted)
//   mkdir   {path}                          before creating a directory
//   begin   {seq, kind: restore|replace, path, tmp, backup?, new_sha256, old_sha256?}
//           or {seq, kind: remove, path, backup, old_sha256} for a known-bad file
//   done    {seq}                           the new file is in place
//   failed  {seq, message}                  the step was abandoned, nothing changed
//   end     {cancelled?}                    the run finished (no step pending)
// Added later:
//   recovered {time}                        a later fix cleaned up after a crash
//   undone    {time, reverted, conflicts}   undo finished for this run
// A record appended after a torn tail starts on a fresh line and carries
// "resync": true; only such a record makes the bad line before it acceptable.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "recovery/filesystem.h"
#include "recovery/sha256.h"
#include "recovery/status.h"

namespace lifeboat {

struct JournalRecord {
  enum class Op { kRun, kMkdir, kBegin, kDone, kFailed, kEnd, kRecovered, kUndone };
  Op op = Op::kRun;
  uint32_t seq = 0;
  std::string kind;  // "restore" | "replace"
  std::string path, tmp, backup;
  std::optional<Digest> new_sha256, old_sha256;
  std::string run_id, target, manifest, manifest_sha256, time, message;
  bool cancelled = false;
  bool resync = false;
  uint64_t reverted = 0, conflicts = 0;
  uint64_t sequence = 0;
};

std::string EncodeJournalRecord(const JournalRecord& r);  // one line, with '\n'

struct JournalContents {
  std::vector<JournalRecord> records;
  bool torn_tail = false;       // a partial last record was ignored
  bool ends_mid_line = false;  // the data does not end with '\n'
};

// Parses journal bytes. `name` is used in error messages.
Result<JournalContents> DecodeJournal(std::string_view data, const std::string& name);
Result<JournalContents> ReadJournal(FileSystem& fs, const std::string& path);

class JournalWriter {
 public:
  // Creates a new journal file (must not exist) or appends to an existing one.
  static Result<std::unique_ptr<JournalWriter>> Create(FileSystem& fs, const std::string& path);
  // `existing` is what ReadJournal returned: after a torn tail the writer
  // ends the torn line (if it has no newline) and marks its first record as
  // a resync point.
  static Result<std::unique_ptr<JournalWriter>> Append(FileSystem& fs, const std::string& path,
                                                       const JournalContents& existing);

  Status Add(const JournalRecord& r);  // buffered until Sync
  // Writes the buffered records and fsyncs, then checks that the file has the
  // size it should: a write that stored fewer bytes than it reported (a lying
  // disk) is an error, and the writer refuses everything after it, so the
  // short record stays the journal's torn tail rather than a hole in it.
  Status Sync();
  Status AddAndSync(const JournalRecord& r);

 private:
  JournalWriter(FileSystem& fs, std::string path, std::unique_ptr<WritableFile> f, uint64_t size)
      : fs_(fs), path_(std::move(path)), file_(std::move(f)), size_(size) {}
  FileSystem& fs_;
  std::string path_;
  std::unique_ptr<WritableFile> file_;
  uint64_t size_ = 0;  // what the file must hold after Sync
  std::string buffer_;
  bool resync_next_ = false;
  Status broken_;  // the first write or sync error: the writer is done
};

}  // namespace lifeboat
