// Flood control: when one bank entry is matched more than `limit` times
// within `window_seconds` (a viral benign image that slipped into a list, a
// bad hash), it is quarantined: its matches are still reported, marked
// "quarantined", and callers should not act on them automatically until a
// person confirms the entry (Confirm) or removes it. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <vector>

namespace needle::serve {

class FloodControl {
 public:
  FloodControl(size_t limit, double window_seconds) : limit_(limit), window_(window_seconds) {}
  void Configure(size_t limit, double window_seconds) {
    std::lock_guard<std::mutex> l(mu_);
    limit_ = limit;
    window_ = window_seconds;
  }
  // Records a match; true when the entry is (now) quarantined.
  bool Record(int64_t entry_id);
  bool IsQuarantined(int64_t entry_id) const;
  // A person reviewed a quarantined entry: it is released and exempt from
  // now on. False, and nothing changes, when the entry is not quarantined:
  // a mistyped id must not exempt another entry in advance.
  bool Confirm(int64_t entry_id);
  std::vector<int64_t> Quarantined() const;

 private:
  using Clock = std::chrono::steady_clock;
  size_t limit_;
  double window_;
  mutable std::mutex mu_;
  std::map<int64_t, std::deque<Clock::time_point>> recent_;
  std::set<int64_t> quarantined_, confirmed_;
};

}  // namespace needle::serve
