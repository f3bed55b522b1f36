#include "serve/metrics.h"

#include <cstdio>
#include <sstream>

namespace needle::serve {

const std::vector<double>& Metrics::Buckets() {
  static const std::vector<double> b = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5};
  return b;
}

void Metrics::Request(const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> l(mu_);
  requests_[{route, status}]++;
  auto& h = latency_[route];
  if (h.empty()) h.assign(Buckets().size() + 1, 0);
  for (size_t i = 0; i < Buckets().size(); ++i)
    if (seconds <= Buckets()[i]) h[i]++;
  h.back()++;
  latency_sum_[route] += seconds;
}

void Metrics::Match(const std::string& bank) {
  std::lock_guard<std::mutex> l(mu_);
  matches_[bank]++;
}

void Metrics::Quarantined() {
  std::lock_guard<std::mutex> l(mu_);
  ++quarantined_;
}

std::string Metrics::Render(size_t index_size) const {
  std::lock_guard<std::mutex> l(mu_);
  std::ostringstream o;
  o << "# HELP needle_requests_total HTTP requests by route and status.\n# TYPE needle_requests_total counter\n";
  for (const auto& [k, n] : requests_)
    o << "needle_requests_total{route=\"" << k.first << "\",status=\"" << k.second << "\"} " << n << "\n";
  o << "# HELP needle_request_seconds Request latency.\n# TYPE needle_request_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    for (size_t i = 0; i < Buckets().size(); ++i)
      o << "needle_request_seconds_bucket{route=\"" << route << "\",le=\"" << Buckets()[i] << "\"} " << h[i] << "\n";
    o << "needle_request_seconds_bucket{route=\"" << route << "\",le=\"+Inf\"} " << h.back() << "\n";
    o << "needle_request_seconds_sum{route=\"" << route << "\"} " << latency_sum_.at(route) << "\n";
    o << "needle_request_seconds_count{route=\"" << route << "\"} " << h.back() << "\n";
  }
  o << "# HELP needle_index_size PDQ entries in the live index.\n# TYPE needle_index_size gauge\n";
  o << "needle_index_size " << index_size << "\n";
  o << "# HELP needle_matches_total Matches returned per bank.\n# TYPE needle_matches_total counter\n";
  for (const auto& [b, n] : matches_) o << "needle_matches_total{bank=\"" << b << "\"} " << n << "\n";
  o << "# HELP needle_quarantined_total Hashes put in flood quarantine.\n# TYPE needle_quarantined_total counter\n";
  o << "needle_quarantined_total " << quarantined_ << "\n";
  return o.str();
}

}  // namespace needle::serve
