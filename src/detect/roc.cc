#include "detect/roc.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace needle::detect {

double RocAuc(const std::vector<Scored>& items) {
  std::vector<Scored> s = items;
  std::sort(s.begin(), s.end(), [](const Scored& a, const Scored& b) { return a.score < b.score; });
  double pos_rank_sum = 0;
  size_t n_pos = 0;
  for (size_t i = 0; i < s.size();) {
    size_t j = i;
    while (j + 1 < s.size() && s[j + 1].score == s[i].score) ++j;
    const double mid_rank = (static_cast<double>(i) + static_cast<double>(j)) / 2 + 1;
    for (size_t k = i; k <= j; ++k) {
      if (s[k].generated) {
        pos_rank_sum += mid_rank;
        ++n_pos;
      }
    }
    i = j + 1;
  }
  const size_t n_neg = s.size() - n_pos;
  if (n_pos == 0 || n_neg == 0) return std::numeric_limits<double>::quiet_NaN();
  const double np = static_cast<double>(n_pos);
  return (pos_rank_sum - np * (np + 1) / 2) / (np * static_cast<double>(n_neg));
}

double ThresholdForFpr(std::vector<double> real_scores, double max_fpr) {
  if (real_scores.empty()) return 1.0;
  std::sort(real_scores.begin(), real_scores.end(), std::greater<>());
  const size_t allowed = static_cast<size_t>(std::floor(max_fpr * static_cast<double>(real_scores.size()) + 1e-9));
  if (allowed >= real_scores.size()) return real_scores.back();
  // Flag at most `allowed` reals: the threshold must exceed the (allowed+1)-th
  // highest real score.
  return std::nextafter(real_scores[allowed], std::numeric_limits<double>::infinity());
}

double DetectionRate(const std::vector<Scored>& items, double threshold) {
  size_t n = 0, hit = 0;
  for (const Scored& s : items) {
    if (!s.generated) continue;
    ++n;
    hit += s.score >= threshold;
  }
  return n ? static_cast<double>(hit) / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
}

double Accuracy(const std::vector<Scored>& items, double threshold) {
  if (items.empty()) return std::numeric_limits<double>::quiet_NaN();
  size_t right = 0;
  for (const Scored& s : items) right += (s.score >= threshold) == s.generated;
  return static_cast<double>(right) / static_cast<double>(items.size());
}

double TprAtFpr(const std::vector<Scored>& items, double max_fpr) {
  std::vector<double> reals;
  for (const Scored& s : items) {
    if (!s.generated) reals.push_back(s.score);
  }
  if (reals.empty()) return std::numeric_limits<double>::quiet_NaN();
  return DetectionRate(items, ThresholdForFpr(std::move(reals), max_fpr));
}

}  // namespace needle::detect
