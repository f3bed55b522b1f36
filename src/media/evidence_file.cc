#include "media/evidence_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace needle::media {
namespace {

constexpr size_t kChunk = 1 << 20;
constexpr size_t kHeadBytes = 64;

Status FromErrno(int err, const std::string& what) {
  std::string msg = what + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
    case ENOTDIR: return NotFound(msg);
    case EACCES:
    case EPERM: return PermissionDenied(msg);
    case ELOOP: return InvalidArgument(what + ": is a symbolic link (not followed)");
    default: return IoError(msg);
  }
}

// Closes the descriptor on every path out.
struct Fd {
  int fd = -1;
  ~Fd() { if (fd >= 0) ::close(fd); }
};

}  // namespace

Result<EvidenceFile> ReadEvidence(const std::string& path, const ReadOptions& options) {
  EvidenceFile ev;
  ev.path = path;
  Fd f;
  // O_NOATIME is refused (EPERM) for files we do not own unless privileged;
  // then we fall back to a plain read-only open. O_NOFOLLOW: the walker never
  // follows links, and neither does a direct open.
  const int base = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK;
  f.fd = ::open(path.c_str(), base | O_NOATIME);
  ev.noatime = f.fd >= 0;
  if (f.fd < 0 && errno == EPERM) f.fd = ::open(path.c_str(), base);
  if (f.fd < 0) return FromErrno(errno, path);

  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return FromErrno(errno, path);
  if (!S_ISREG(st.st_mode)) return InvalidArgument(path + ": not a regular file");

  const uint64_t expected = static_cast<uint64_t>(st.st_size);
  ev.kept = expected <= options.max_buffer_bytes;
  if (ev.kept) ev.bytes.reserve(expected);

  hash::MultiDigest digest;
  std::vector<uint8_t> chunk(ev.kept ? 0 : kChunk);
  for (;;) {
    uint8_t* dst;
    size_t want;
    if (ev.kept) {
      // Read straight into the kept buffer; grow if the file grew meanwhile.
      if (ev.bytes.size() == ev.bytes.capacity()) ev.bytes.reserve(ev.bytes.size() + kChunk);
      size_t old = ev.bytes.size();
      want = std::min(kChunk, ev.bytes.capacity() - old);
      ev.bytes.resize(old + want);
      dst = ev.bytes.data() + old;
    } else {
      dst = chunk.data();
      want = chunk.size();
    }
    ssize_t got = ::read(f.fd, dst, want);
    if (got < 0 && errno == EINTR) {
      if (ev.kept) ev.bytes.resize(ev.bytes.size() - want);
      continue;
    }
    if (got < 0) return FromErrno(errno, path);
    if (ev.kept) ev.bytes.resize(ev.bytes.size() - want + static_cast<size_t>(got));
    if (got == 0) break;
    digest.Update(dst, static_cast<size_t>(got));
    if (ev.head.size() < kHeadBytes) {
      size_t take = std::min(kHeadBytes - ev.head.size(), static_cast<size_t>(got));
      ev.head.insert(ev.head.end(), dst, dst + take);
    }
    ev.size += static_cast<uint64_t>(got);
    if (ev.kept && ev.size > options.max_buffer_bytes) {
      // The file grew past the limit while we read it: stop keeping bytes.
      ev.kept = false;
      ev.bytes.clear();
      ev.bytes.shrink_to_fit();
      chunk.resize(kChunk);
    }
  }
  ev.digests = digest.Finish();
  return ev;
}

}  // namespace needle::media
