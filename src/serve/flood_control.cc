#include "serve/flood_control.h"

namespace needle::serve {

bool FloodControl::Record(int64_t entry_id) {
  std::lock_guard<std::mutex> l(mu_);
  if (confirmed_.count(entry_id)) return false;
  if (quarantined_.count(entry_id)) return true;
  if (limit_ == 0) return false;
  auto now = Clock::now();
  auto& q = recent_[entry_id];
  q.push_back(now);
  while (!q.empty() && std::chrono::duration<double>(now - q.front()).count() > window_) q.pop_front();
  if (q.size() > limit_) {
    quarantined_.insert(entry_id);
    recent_.erase(entry_id);
    return true;
  }
  return false;
}

bool FloodControl::IsQuarantined(int64_t entry_id) const {
  std::lock_guard<std::mutex> l(mu_);
  return quarantined_.count(entry_id) > 0;
}

bool FloodControl::Confirm(int64_t entry_id) {
  std::lock_guard<std::mutex> l(mu_);
  if (quarantined_.erase(entry_id) == 0) return false;
  confirmed_.insert(entry_id);
  return true;
}

std::vector<int64_t> FloodControl::Quarantined() const {
  std::lock_guard<std::mutex> l(mu_);
  return std::vector<int64_t>(quarantined_.begin(), quarantined_.end());
}

}  // namespace needle::serve
