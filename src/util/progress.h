// A one-line progress display on stderr for long runs: files, bytes, rate,
// failures, and the ETA when the total is known. Silent unless stderr is a
// terminal and the run has lasted more than a second, so pipes and logs stay
// clean. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace needle::util {

class Progress {
 public:
  // `enabled` false (e.g. --quiet) never draws.
  Progress(std::string label, bool enabled);
  ~Progress();

  void SetTotal(uint64_t files);
  void Add(uint64_t bytes, bool failed, const std::string& extra = "");
  // Clears the line; call before printing a summary.
  void Finish();

  uint64_t files() const { return files_; }
  uint64_t failed() const { return failed_; }
  double seconds() const;

 private:
  void DrawLocked(bool force);

  std::mutex mu_;
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  uint64_t total_ = 0, files_ = 0, bytes_ = 0, failed_ = 0;
  std::string extra_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// "1.2 MB", "3.4 GB"
std::string HumanBytes(double bytes);

}  // namespace needle::util
