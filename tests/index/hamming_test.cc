// Every SIMD level gives exactly what the portable scalar kernel gives.
#include "index/hamming.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace needle::index {
namespace {

TEST(HammingTest, EveryLevelEqualsScalar) {
  std::mt19937_64 rng(3);
  std::vector<hash::Hash256> codes(1001);
  hash::Hash256 q;
  for (auto& l : q.limb) l = rng();
  for (size_t i = 0; i < codes.size(); ++i) {
    codes[i] = q;
    int flips = static_cast<int>(i % 90);
    for (int f = 0; f < flips; ++f) {
      int k = static_cast<int>(rng() % 256);
      codes[i].limb[k >> 6] ^= uint64_t{1} << (k & 63);
    }
  }
  const SimdLevel saved = ActiveSimdLevel();
  for (int radius : {0, 8, 31, 47, 63, 255}) {
    std::vector<uint32_t> ri(codes.size()), ti(codes.size());
    std::vector<uint16_t> rd(codes.size()), td(codes.size());
    size_t rn = internal::RangeScanScalar(q, codes.data(), codes.size(), radius, ri.data(), rd.data());
    for (SimdLevel l : {SimdLevel::kScalar, SimdLevel::kPopcnt, SimdLevel::kAvx2, SimdLevel::kAvx512}) {
      if (!SetSimdLevel(l)) {
        std::printf("SIMD level %s not supported here; skipped\n", SimdLevelName(l));
        continue;
      }
      size_t tn = RangeScan(q, codes.data(), codes.size(), radius, ti.data(), td.data());
      ASSERT_EQ(tn, rn) << SimdLevelName(l) << " r=" << radius;
      for (size_t i = 0; i < rn; ++i) {
        ASSERT_EQ(ti[i], ri[i]) << SimdLevelName(l);
        ASSERT_EQ(td[i], rd[i]) << SimdLevelName(l);
        ASSERT_EQ(td[i], hash::Distance(q, codes[ti[i]]));
      }
    }
  }
  SetSimdLevel(saved);
}

}  // namespace
}  // namespace needle::index
