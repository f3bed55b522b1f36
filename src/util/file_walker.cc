#include "util/file_walker.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <utility>

namespace needle::util {

struct FileWalker::Impl {
  struct Frame {
    std::string dir;
    std::vector<std::string> names;
    size_t next = 0;
  };
  std::vector<std::string> roots;
  size_t next_root = 0;
  WalkOptions options;
  std::vector<Frame> stack;
  std::set<std::pair<dev_t, ino_t>> visited;  // only when following links

  // Classifies one path. Pushes a frame for directories.
  bool Visit(const std::string& path, bool is_root, WalkEntry* out) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
      out->kind = WalkEntry::Kind::kError;
      out->path = path;
      out->error = errno == ENOENT ? NotFound(path + ": no such file or directory")
                                   : IoError(path + ": " + std::strerror(errno));
      return true;
    }
    if (S_ISLNK(st.st_mode)) {
      if (!options.follow_symlinks) {
        out->kind = WalkEntry::Kind::kSkipped;
        out->path = path;
        out->reason = "symbolic link not followed (use --follow-symlinks)";
        return true;
      }
      if (::stat(path.c_str(), &st) != 0) {
        out->kind = WalkEntry::Kind::kSkipped;
        out->path = path;
        out->reason = "dangling symbolic link";
        return true;
      }
    }
    if (S_ISREG(st.st_mode)) {
      out->kind = WalkEntry::Kind::kFile;
      out->path = path;
      return true;
    }
    if (S_ISDIR(st.st_mode)) {
      if (static_cast<int>(stack.size()) >= options.max_depth) {
        out->kind = WalkEntry::Kind::kError;
        out->path = path;
        out->error = TooLarge(path + ": directory nesting deeper than " + std::to_string(options.max_depth));
        return true;
      }
      if (options.follow_symlinks && !visited.insert({st.st_dev, st.st_ino}).second) {
        out->kind = WalkEntry::Kind::kSkipped;
        out->path = path;
        out->reason = "directory already visited (link cycle)";
        return true;
      }
      return PushDir(path, out);
    }
    (void)is_root;
    out->kind = WalkEntry::Kind::kSkipped;
    out->path = path;
    out->reason = "not a regular file (device, socket or pipe)";
    return true;
  }

  // Returns true with an error entry if the directory cannot be listed.
  bool PushDir(const std::string& path, WalkEntry* out) {
    DIR* d = ::opendir(path.c_str());
    if (d == nullptr) {
      out->kind = WalkEntry::Kind::kError;
      out->path = path;
      out->error = errno == EACCES ? PermissionDenied(path + ": cannot list directory")
                                   : IoError(path + ": " + std::strerror(errno));
      return true;
    }
    Frame f;
    f.dir = path;
    while (dirent* e = ::readdir(d)) {
      if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
      f.names.emplace_back(e->d_name);
    }
    ::closedir(d);
    std::sort(f.names.begin(), f.names.end());
    stack.push_back(std::move(f));
    return false;
  }
};

FileWalker::FileWalker(std::vector<std::string> roots, WalkOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->roots = std::move(roots);
  impl_->options = options;
}

FileWalker::~FileWalker() = default;

bool FileWalker::Next(WalkEntry* out) {
  Impl& s = *impl_;
  for (;;) {
    *out = WalkEntry{};
    if (!s.stack.empty()) {
      Impl::Frame& top = s.stack.back();
      if (top.next == top.names.size()) {
        s.stack.pop_back();
        continue;
      }
      std::string child = top.dir;
      if (child.empty() || child.back() != '/') child += '/';
      child += top.names[top.next++];
      if (s.Visit(child, false, out)) return true;
      continue;
    }
    if (s.next_root == s.roots.size()) return false;
    const std::string root = s.roots[s.next_root++];
    // A root named explicitly is followed if it is a link to a directory the
    // user pointed at; a link inside the tree is not.
    struct stat st {};
    if (::lstat(root.c_str(), &st) == 0 && S_ISLNK(st.st_mode) && ::stat(root.c_str(), &st) == 0 &&
        S_ISDIR(st.st_mode)) {
      if (s.PushDir(root, out)) return true;
      continue;
    }
    if (s.Visit(root, true, out)) return true;
  }
}

}  // namespace needle::util
