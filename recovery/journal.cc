// Journal encoding (checksummed JSON lines), decoding with torn-tail
// tolerance, and the buffered writer. Decoding treats the journal as
// untrusted (it lives on the damaged volume): every path must be a clean
// relative path and every field has the expected type.
#include "recovery/journal.h"

#include <zlib.h>

#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

#include "recovery/rel_path.h"

namespace lifeboat {
namespace {

using nlohmann::json;

const char* OpName(JournalRecord::Op op) {
  switch (op) {
    case JournalRecord::Op::kRun:
      return "run";
    case JournalRecord::Op::kMkdir:
      return "mkdir";
    case JournalRecord::Op::kBegin:
      return "begin";
    case JournalRecord::Op::kDone:
      return "done";
    case JournalRecord::Op::kFailed:
      return "failed";
    case JournalRecord::Op::kEnd:
      return "end";
    case JournalRecord::Op::kRecovered:
      return "recovered";
    case JournalRecord::Op::kUndone:
      return "undone";
  }
  return "?";
}

uint32_t Crc(std::string_view s) {
  return static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size())));
}

Status Bad(const std::string& name, size_t line, const std::string& why) {
  return Status::Error(Status::Code::kInvalidInput,
                       name + ":" + std::to_string(line) + ": damaged journal record: " + why);
}

// Field readers that reject wrong types instead of throwing.
bool GetString(const json& j, const char* key, std::string& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

bool GetDigest(const json& j, const char* key, std::optional<Digest>& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_string()) return false;
  out = DigestFromHex(it->get<std::string>());
  return out.has_value();
}

template <typename T>
bool GetUnsigned(const json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it == j.end()) return true;
  if (!it->is_number_unsigned()) return false;
  uint64_t v = it->get<uint64_t>();
  if (v > std::numeric_limits<T>::max()) return false;  // never wrap onto another step
  out = static_cast<T>(v);
  return true;
}

Result<JournalRecord> FromJson(const json& j) {
  if (!j.is_object()) return Status::Error(Status::Code::kInvalidInput, "not an object");
  std::string op;
  if (!GetString(j, "op", op)) return Status::Error(Status::Code::kInvalidInput, "bad op");
  JournalRecord r;
  bool known = false;
  for (auto o : {JournalRecord::Op::kRun, JournalRecord::Op::kMkdir, JournalRecord::Op::kBegin,
                 JournalRecord::Op::kDone, JournalRecord::Op::kFailed, JournalRecord::Op::kEnd,
                 JournalRecord::Op::kRecovered, JournalRecord::Op::kUndone}) {
    if (op == OpName(o)) {
      r.op = o;
      known = true;
    }
  }
  if (!known) return Status::Error(Status::Code::kInvalidInput, "unknown op '" + op + "'");
  bool ok = GetUnsigned(j, "seq", r.seq) && GetString(j, "kind", r.kind) && GetString(j, "path", r.path) &&
            GetString(j, "tmp", r.tmp) && GetString(j, "backup", r.backup) &&
            GetDigest(j, "new_sha256", r.new_sha256) && GetDigest(j, "old_sha256", r.old_sha256) &&
            GetString(j, "run_id", r.run_id) && GetString(j, "target", r.target) &&
            GetString(j, "manifest", r.manifest) && GetString(j, "manifest_sha256", r.manifest_sha256) &&
            GetString(j, "time", r.time) && GetString(j, "message", r.message) &&
            GetUnsigned(j, "reverted", r.reverted) && GetUnsigned(j, "conflicts", r.conflicts) &&
            GetUnsigned(j, "sequence", r.sequence);
  for (auto [key, field] : {std::pair{"cancelled", &r.cancelled}, std::pair{"resync", &r.resync}}) {
    auto it = j.find(key);
    if (it == j.end()) continue;
    if (!it->is_boolean()) ok = false;
    else *field = it->get<bool>();
  }
  if (!ok) return Status::Error(Status::Code::kInvalidInput, "a field has the wrong type");
  for (const std::string* p : {&r.path, &r.tmp, &r.backup})
    if (!p->empty() && !IsCleanRelPath(*p))
      return Status::Error(Status::Code::kInvalidInput, "path '" + *p + "' is not a clean relative path");
  if (r.op == JournalRecord::Op::kBegin) {
    auto bad = [](const std::string& why) { return Status::Error(Status::Code::kInvalidInput, why); };
    if (r.kind != "restore" && r.kind != "replace" && r.kind != "remove")
      return bad("unknown step kind '" + r.kind + "'");
    if (r.path.empty()) return bad("begin record without a path");
    if (r.kind == "remove") {
      if (r.backup.empty() || !r.old_sha256) return bad("remove step without backup or old_sha256");
      if (!r.tmp.empty() || r.new_sha256) return bad("remove step with a temp file or new content");
    } else {
      if (r.tmp.empty() || !r.new_sha256) return bad("begin record lacks tmp or new_sha256");
      if (r.kind == "replace" && r.backup.empty()) return bad("replace step without a backup path");
      // Only lifeboat's own names: a hostile journal must not turn undo or
      // recovery into "remove WINDOWS/system32/config/SYSTEM".
      if (r.tmp != r.path + ".lifeboat-tmp") return bad("temp path '" + r.tmp + "' is not the step's own temp name");
    }
    if (!r.backup.empty() && r.backup.rfind("lifeboat/backup/", 0) != 0)
      return bad("backup path '" + r.backup + "' is outside lifeboat/backup/");
  }
  if (r.op == JournalRecord::Op::kMkdir && r.path.empty())
    return Status::Error(Status::Code::kInvalidInput, "mkdir record without a path");
  return r;
}

}  // namespace

std::string EncodeJournalRecord(const JournalRecord& r) {
  json j;
  j["op"] = OpName(r.op);
  auto put = [&j](const char* k, const std::string& v) {
    if (!v.empty()) j[k] = v;
  };
  switch (r.op) {
    case JournalRecord::Op::kRun:
      put("run_id", r.run_id);
      j["sequence"] = r.sequence;
      put("target", r.target);
      put("manifest", r.manifest);
      put("manifest_sha256", r.manifest_sha256);
      put("time", r.time);
      j["version"] = 1;
      break;
    case JournalRecord::Op::kMkdir:
      put("path", r.path);
      break;
    case JournalRecord::Op::kBegin:
      j["seq"] = r.seq;
      put("kind", r.kind);
      put("path", r.path);
      put("tmp", r.tmp);
      put("backup", r.backup);
      if (r.new_sha256) j["new_sha256"] = ToHex(*r.new_sha256);
      if (r.old_sha256) j["old_sha256"] = ToHex(*r.old_sha256);
      break;
    case JournalRecord::Op::kDone:
      j["seq"] = r.seq;
      break;
    case JournalRecord::Op::kFailed:
      j["seq"] = r.seq;
      put("message", r.message);
      break;
    case JournalRecord::Op::kEnd:
      if (r.cancelled) j["cancelled"] = true;
      break;
    case JournalRecord::Op::kRecovered:
      put("time", r.time);
      break;
    case JournalRecord::Op::kUndone:
      put("time", r.time);
      j["reverted"] = r.reverted;
      j["conflicts"] = r.conflicts;
      break;
  }
  if (r.resync) j["resync"] = true;
  std::string text = j.dump(-1, ' ', false, json::error_handler_t::replace);
  char crc[9];
  std::snprintf(crc, sizeof crc, "%08x", Crc(text));
  return std::string(crc) + " " + text + "\n";
}

Result<JournalContents> DecodeJournal(std::string_view data, const std::string& name) {
  JournalContents out;
  out.ends_mid_line = !data.empty() && data.back() != '\n';
  size_t pos = 0, line = 0;
  size_t pending_bad_line = 0;  // a bad line that only a resync record may follow
  while (pos < data.size()) {
    ++line;
    size_t nl = data.find('\n', pos);
    if (nl == std::string_view::npos) {  // no newline: the write was torn
      out.torn_tail = true;
      break;
    }
    std::string_view rec = data.substr(pos, nl - pos);
    bool last = nl + 1 == data.size();
    pos = nl + 1;
    bool framed = rec.size() > 9 && rec[8] == ' ';
    uint32_t want = 0;
    for (size_t i = 0; i < 8 && framed; ++i) {
      char c = rec[i];
      int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (v < 0) framed = false;
      want = want << 4 | static_cast<uint32_t>(v < 0 ? 0 : v);
    }
    std::string_view text = framed ? rec.substr(9) : std::string_view();
    if (!framed || Crc(text) != want) {
      if (pending_bad_line) return Bad(name, pending_bad_line, "checksum mismatch");
      if (last) {
        out.torn_tail = true;
        break;
      }
      pending_bad_line = line;
      continue;
    }
    json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return Bad(name, line, "invalid JSON");
    Result<JournalRecord> r = FromJson(j);
    if (!r.ok()) return Bad(name, line, r.status().message());
    if (pending_bad_line) {
      if (!r->resync) return Bad(name, pending_bad_line, "checksum mismatch");
      pending_bad_line = 0;
    }
    out.records.push_back(std::move(r).value());
  }
  if (pending_bad_line) return Bad(name, pending_bad_line, "checksum mismatch");
  return out;
}

Result<JournalContents> ReadJournal(FileSystem& fs, const std::string& path) {
  Result<std::unique_ptr<ByteReader>> in = fs.OpenRead(path);
  if (!in.ok()) return in.status();
  Result<std::string> data = ReadAll(**in, 256u << 20, fs.Describe(path));
  if (!data.ok()) return data.status();
  return DecodeJournal(*data, fs.Describe(path));
}

Result<std::unique_ptr<JournalWriter>> JournalWriter::Create(FileSystem& fs, const std::string& path) {
  Result<std::unique_ptr<WritableFile>> f = fs.CreateNew(path, 0644);
  if (!f.ok()) return f.status();
  // The journal's own name must survive a power cut before any record counts.
  LB_RETURN_IF_ERROR(fs.SyncDir(ParentPath(path)));
  return std::unique_ptr<JournalWriter>(new JournalWriter(fs, path, std::move(f).value(), 0));
}

Result<std::unique_ptr<JournalWriter>> JournalWriter::Append(FileSystem& fs, const std::string& path,
                                                             const JournalContents& existing) {
  Result<FileInfo> info = fs.Stat(path);
  if (!info.ok()) return info.status();
  Result<std::unique_ptr<WritableFile>> f = fs.OpenAppend(path);
  if (!f.ok()) return f.status();
  std::unique_ptr<JournalWriter> w(new JournalWriter(fs, path, std::move(f).value(), info->size));
  if (existing.ends_mid_line) w->buffer_ = "\n";  // the next record must stand on its own line
  w->resync_next_ = existing.torn_tail;
  return w;
}

Status JournalWriter::Add(const JournalRecord& r) {
  if (resync_next_) {
    JournalRecord marked = r;
    marked.resync = true;
    buffer_ += EncodeJournalRecord(marked);
    resync_next_ = false;
  } else {
    buffer_ += EncodeJournalRecord(r);
  }
  return Status::Ok();
}

Status JournalWriter::Sync() {
  LB_RETURN_IF_ERROR(broken_);
  if (!buffer_.empty()) {
    size_ += buffer_.size();
    broken_ = file_->Write(buffer_.data(), buffer_.size());
    buffer_.clear();
    LB_RETURN_IF_ERROR(broken_);
  }
  broken_ = file_->Sync();
  LB_RETURN_IF_ERROR(broken_);
  Result<FileInfo> info = fs_.Stat(path_);
  if (!info.ok()) {
    broken_ = info.status();
  } else if (info->size != size_) {
    broken_ = Status::Error(Status::Code::kIoError,
                            fs_.Describe(path_) + ": the journal holds " + std::to_string(info->size) +
                                " bytes after a write that reported " + std::to_string(size_) +
                                ": the disk lost data it had accepted",
                            EIO);
  }
  return broken_;
}

Status JournalWriter::AddAndSync(const JournalRecord& r) {
  LB_RETURN_IF_ERROR(Add(r));
  return Sync();
}

}  // namespace lifeboat
