#include "util/progress.h"

#include <unistd.h>

#include <cstdio>

namespace needle::util {

std::string HumanBytes(double b) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (b >= 1000 && u < 4) b /= 1000, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

Progress::Progress(std::string label, bool enabled)
    : label_(std::move(label)), enabled_(enabled && ::isatty(STDERR_FILENO)) {
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

Progress::~Progress() { Finish(); }

void Progress::SetTotal(uint64_t files) {
  std::lock_guard<std::mutex> l(mu_);
  total_ = files;
}

double Progress::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::Add(uint64_t bytes, bool failed, const std::string& extra) {
  std::lock_guard<std::mutex> l(mu_);
  ++files_;
  bytes_ += bytes;
  if (failed) ++failed_;
  if (!extra.empty()) extra_ = extra;
  DrawLocked(false);
}

void Progress::DrawLocked(bool force) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  double elapsed = std::chrono::duration<double>(now - start_).count();
  if (!force && (elapsed < 1.0 || now - last_draw_ < std::chrono::milliseconds(100))) return;
  last_draw_ = now;
  double rate = elapsed > 0 ? files_ / elapsed : 0;
  char line[256];
  int n = std::snprintf(line, sizeof line, "\r\033[K%s %llu", label_.c_str(), (unsigned long long)files_);
  if (total_ > 0) {
    n += std::snprintf(line + n, sizeof line - n, "/%llu", (unsigned long long)total_);
  }
  n += std::snprintf(line + n, sizeof line - n, " files  %s  %.0f files/s  %s/s  %llu failed",
                     HumanBytes(double(bytes_)).c_str(), rate, HumanBytes(elapsed > 0 ? bytes_ / elapsed : 0).c_str(),
                     (unsigned long long)failed_);
  if (total_ > 0 && rate > 0 && files_ < total_)
    n += std::snprintf(line + n, sizeof line - n, "  ETA %.0fs", (total_ - files_) / rate);
  if (!extra_.empty() && n > 0 && size_t(n) < sizeof line)
    std::snprintf(line + n, sizeof line - n, "  %s", extra_.c_str());
  std::fputs(line, stderr);
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::Finish() {
  std::lock_guard<std::mutex> l(mu_);
  if (drawn_) {
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    drawn_ = false;
  }
}

}  // namespace needle::util
