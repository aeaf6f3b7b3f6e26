// Restore sources: places that may hold a good copy of a file.
//
// A source yields candidates (a file or archive member with its size). It is
// matched by content, never by name: the planner asks the source to hash only
// candidates whose size could serve an entry still without a copy, and keeps a
// candidate only if its SHA-256 equals the manifest's. Names only decide the
// order in which unsized entries are tried, and label the copy in reports
// ("dllcache:svchost.exe", "payload.tar.gz:i386/svchost.exe").
//
// Reading is sequential-friendly: Survey visits every candidate once and
// Fetch streams any subset in one pass, so a compressed archive is read at
// most twice however many files it serves.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "recovery/byte_reader.h"
#include "recovery/progress.h"
#include "recovery/sha256.h"
#include "recovery/status.h"

namespace lifeboat {

struct Candidate {
  uint64_t id = 0;     // the source's own handle, stable for Fetch
  uint64_t size = 0;   // declared size; kUnknownCandidateSize if the format has none
  std::string name;    // path inside the source, '/'-separated
};

inline constexpr uint64_t kUnknownCandidateSize = UINT64_MAX;

class Source {
 public:
  virtual ~Source() = default;
  // Short name for reports: the directory's or archive's base name.
  virtual const std::string& label() const = 0;
  // The path the user gave.
  virtual const std::string& location() const = 0;

  // Calls want(c) for every candidate; for those it accepts, hashes the
  // content (at most max_bytes(c) bytes; longer content does not match) and
  // calls hashed(c, digest, bytes). hashed returns false to stop early.
  // Unreadable single candidates become warnings; a non-OK Status means the
  // source could not be read further (its earlier results stay valid).
  using WantFn = std::function<bool(const Candidate&)>;
  using HashedFn = std::function<bool(const Candidate&, const Digest&, uint64_t bytes)>;
  virtual Status Survey(const WantFn& want, const std::function<uint64_t(const Candidate&)>& max_bytes,
                        const HashedFn& hashed, ProgressSink& progress, const CancelToken& cancel) = 0;

  // Streams the content of each candidate (as Survey reported it, possibly
  // by another Source object over the same path) to consume(c, reader), in
  // the source's natural order, each once. Candidates that cannot be read are
  // skipped with a warning; the caller notices they were not delivered.
  using ConsumeFn = std::function<void(const Candidate&, ByteReader&)>;
  virtual Status Fetch(const std::vector<Candidate>& wanted, const ConsumeFn& consume,
                       const CancelToken& cancel) = 0;

  const std::vector<std::string>& warnings() const { return warnings_; }

 protected:
  std::vector<std::string> warnings_;
};

// A directory (walked recursively, symlinks not followed), a Windows image
// (install.wim, install.esd: any file with the WIM magic, read with wimlib),
// a payload pack (pack.h) or an archive file that libarchive reads (tar and
// its compressed forms, zip, 7z, cab, iso).
Result<std::unique_ptr<Source>> OpenSource(const std::string& path);

}  // namespace lifeboat
