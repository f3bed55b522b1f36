// Enumerates the files under a list of roots, one at a time, in a stable
// order (entries sorted by name within each directory, depth first).
//
// Memory is bounded by depth x the largest directory, never by the size of
// the tree: nothing collects the whole listing. Symbolic links are reported,
// not followed, unless asked; followed links never loop (directories are
// remembered by device and inode). Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "needle/status.h"

namespace needle::util {

struct WalkOptions {
  bool follow_symlinks = false;
  int max_depth = 512;
};

struct WalkEntry {
  enum class Kind {
    kFile,      // a regular file to process
    kSkipped,   // a symlink not followed, a device, a socket...: `reason` says
    kError,     // could not list or stat: `error` says
  };
  Kind kind = Kind::kFile;
  std::string path;
  std::string reason;
  Status error;
};

class FileWalker {
 public:
  FileWalker(std::vector<std::string> roots, WalkOptions options = {});
  ~FileWalker();
  FileWalker(const FileWalker&) = delete;
  FileWalker& operator=(const FileWalker&) = delete;

  // Fills `out` with the next entry; false when the walk is over.
  bool Next(WalkEntry* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace needle::util
