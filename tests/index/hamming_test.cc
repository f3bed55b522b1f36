// Every SIMD level gives exactly what the portable scalar kernel gives.
#include "index/hamming.h"
#include "index/simd_levels.h"

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
      if (!TrySimdLevel(l)) continue;
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

TEST(HammingTest, NearBytesEveryLevelEqualsBruteForce) {
  // The bucket scan of the index: every length (SIMD blocks and the masked
  // tail over the caller's 32 bytes of padding) and every budget. Output is
  // the index's candidate form, position << 4.
  std::mt19937_64 rng(9);
  std::vector<uint8_t> bytes(300 + 32);
  for (auto& b : bytes) b = static_cast<uint8_t>(rng());
  const SimdLevel saved = ActiveSimdLevel();
  for (SimdLevel l : {SimdLevel::kScalar, SimdLevel::kAvx2, SimdLevel::kAvx512}) {
    if (!TrySimdLevel(l)) continue;
    for (size_t n : {0, 1, 5, 31, 32, 33, 63, 64, 65, 100, 300})
      for (int budget = 0; budget <= 8; ++budget) {
        const uint8_t q = static_cast<uint8_t>(n * 37 + budget);
        std::vector<uint32_t> got(n + 16), want;
        for (size_t i = 0; i < n; ++i)
          if (__builtin_popcount(unsigned(bytes[i] ^ q)) <= budget) want.push_back((1000 + uint32_t(i)) << 4);
        got.resize(NearBytes(bytes.data(), n, q, budget, 1000, got.data()));
        ASSERT_EQ(got, want) << SimdLevelName(l) << " n=" << n << " budget=" << budget;
      }
  }
  SetSimdLevel(saved);
}

TEST(HammingTest, NearEntriesEveryLevelEqualsBruteForce) {
  std::mt19937_64 rng(10);
  std::vector<uint32_t> entries(300 + 8);
  for (auto& e : entries) e = static_cast<uint32_t>(rng());
  const SimdLevel saved = ActiveSimdLevel();
  for (SimdLevel l : {SimdLevel::kScalar, SimdLevel::kAvx2, SimdLevel::kAvx512}) {
    if (!TrySimdLevel(l)) continue;
    for (size_t n : {0, 1, 7, 8, 9, 15, 16, 17, 100, 300})
      for (int budget = 0; budget <= 8; ++budget) {
        const uint8_t q = static_cast<uint8_t>(n * 29 + budget);
        const uint32_t tag = uint32_t(n + budget) % 11;
        std::vector<uint32_t> got(n + 16), want;
        for (size_t i = 0; i < n; ++i)
          if (__builtin_popcount((entries[i] ^ q) & 0xff) <= budget) want.push_back((entries[i] >> 8) << 4 | tag);
        got.resize(NearEntries(entries.data(), n, q, budget, tag, got.data()));
        ASSERT_EQ(got, want) << SimdLevelName(l) << " n=" << n << " budget=" << budget;
      }
  }
  SetSimdLevel(saved);
}

TEST(HammingTest, VerifyCandidatesEveryLevelEqualsBruteForce) {
  // Candidates are (position << 4) | table, in any order, repeats allowed.
  std::mt19937_64 rng(11);
  hash::Hash256 q;
  for (auto& l : q.limb) l = rng();
  std::vector<hash::Hash256> codes(500, q);
  for (size_t i = 0; i < codes.size(); ++i)
    for (size_t f = 0; f < i % 70; ++f) {
      const int k = static_cast<int>(rng() % 256);
      codes[i].limb[size_t(k >> 6)] ^= uint64_t{1} << (k & 63);
    }
  std::vector<uint32_t> cand(777);
  for (auto& c : cand) c = uint32_t(rng() % codes.size()) << 4 | uint32_t(rng() % 11);
  const SimdLevel saved = ActiveSimdLevel();
  for (SimdLevel l : {SimdLevel::kScalar, SimdLevel::kPopcnt, SimdLevel::kAvx2, SimdLevel::kAvx512}) {
    if (!TrySimdLevel(l)) continue;
    for (int radius : {0, 8, 31, 47, 63, 256})
      for (size_t n : {size_t(0), size_t(1), size_t(31), size_t(33), cand.size()}) {
        std::vector<uint32_t> idx(n);
        std::vector<uint16_t> dist(n);
        idx.resize(VerifyCandidates(q, codes.data(), cand.data(), n, radius, idx.data(), dist.data()));
        std::vector<uint32_t> want;
        for (size_t i = 0; i < n; ++i)
          if (hash::Distance(q, codes[cand[i] >> 4]) <= radius) want.push_back(uint32_t(i));
        ASSERT_EQ(idx, want) << SimdLevelName(l) << " r=" << radius << " n=" << n;
        for (size_t j = 0; j < idx.size(); ++j) ASSERT_EQ(dist[j], hash::Distance(q, codes[cand[idx[j]] >> 4]));
      }
  }
  SetSimdLevel(saved);
}

}  // namespace
}  // namespace needle::index
