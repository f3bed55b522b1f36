// Service metrics in the Prometheus text format: requests by route and
// status, a latency histogram per route, index size, matches per bank,
// quarantined hashes. Thread-safe, lock-light (one mutex, short sections).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace needle::serve {

class Metrics {
 public:
  void Request(const std::string& route, int status, double seconds);
  void Match(const std::string& bank);
  void Quarantined();
  std::string Render(size_t index_size) const;

 private:
  static const std::vector<double>& Buckets();
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, std::vector<uint64_t>> latency_;  // cumulative per bucket (+Inf last)
  std::map<std::string, double> latency_sum_;
  std::map<std::string, uint64_t> matches_;
  uint64_t quarantined_ = 0;
};

}  // namespace needle::serve
