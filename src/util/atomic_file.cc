#include "util/atomic_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace needle::util {

Status WriteFileAtomically(const std::string& path, const std::function<bool(FILE*)>& body, const std::string& what) {
  const std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return IoError(tmp + ": " + std::strerror(errno));
  bool ok = body(f);
  ok = ok && std::fflush(f) == 0 && fsync(fileno(f)) == 0;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return IoError(path + ": could not write " + what);
  }
  return Status::Ok();
}

}  // namespace needle::util
