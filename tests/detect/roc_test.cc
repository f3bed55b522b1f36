// Metrics and calibration against brute-force oracles.
#include "detect/roc.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace needle::detect {
namespace {

double BruteAuc(const std::vector<Scored>& v) {
  double wins = 0;
  size_t pairs = 0;
  for (const Scored& p : v) {
    if (!p.generated) continue;
    for (const Scored& n : v) {
      if (n.generated) continue;
      ++pairs;
      wins += p.score > n.score ? 1.0 : p.score == n.score ? 0.5 : 0.0;
    }
  }
  return wins / static_cast<double>(pairs);
}

TEST(Roc, AucMatchesPairCountingWithTies) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<Scored> v;
    const int n = 2 + trial * 3;
    for (int i = 0; i < n; ++i) {
      const bool gen = rng() % 2;
      // Coarse scores so ties are common.
      v.push_back({std::floor((rng() % 100) / 10.0 + (gen ? 1.5 : 0)) / 10.0, gen});
    }
    v.push_back({0.3, true});
    v.push_back({0.3, false});
    EXPECT_NEAR(RocAuc(v), BruteAuc(v), 1e-12);
  }
  EXPECT_TRUE(std::isnan(RocAuc({{0.1, true}, {0.2, true}})));
  EXPECT_DOUBLE_EQ(RocAuc({{0.9, true}, {0.1, false}}), 1.0);
  EXPECT_DOUBLE_EQ(RocAuc({{0.1, true}, {0.9, false}}), 0.0);
}

TEST(Calibration, ThresholdFlagsAtMostTheAllowedRealsAndIsTheLowestSuch) {
  std::mt19937 rng(9);
  for (int n : {1, 5, 99, 100, 101, 153, 1000}) {
    for (double fpr : {0.0, 0.01, 0.05, 0.1}) {
      std::vector<double> reals;
      for (int i = 0; i < n; ++i) reals.push_back((rng() % 1000) / 1000.0);
      const double t = ThresholdForFpr(reals, fpr);
      size_t flagged = 0;
      for (double r : reals) flagged += r >= t;
      const size_t allowed = static_cast<size_t>(std::floor(fpr * n + 1e-9));
      EXPECT_LE(flagged, allowed) << n << " " << fpr;
      // Minimal: any real score below t, used as the threshold, flags too many.
      for (double r : reals) {
        if (r >= t) continue;
        size_t f2 = 0;
        for (double q : reals) f2 += q >= r;
        EXPECT_GT(f2, allowed);
      }
    }
  }
  EXPECT_EQ(ThresholdForFpr({}, 0.01), 1.0);
}

TEST(Calibration, RatesAtThreshold) {
  const std::vector<Scored> v = {{0.9, true}, {0.8, true}, {0.2, true}, {0.1, false}, {0.85, false}};
  EXPECT_DOUBLE_EQ(DetectionRate(v, 0.5), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(Accuracy(v, 0.5), 3.0 / 5.0);
  // 1% of 2 reals is 0 allowed: the threshold sits above 0.85, so only 0.9 is detected.
  EXPECT_DOUBLE_EQ(TprAtFpr(v, 0.01), 1.0 / 3.0);
}

}  // namespace
}  // namespace needle::detect
