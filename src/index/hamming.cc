#include "index/hamming.h"

#include <array>
#include <cstdlib>
#include <cstring>

#include "index/verify_loop.h"

namespace needle::index {
namespace internal {

size_t RangeScanScalar(const hash::Hash256& q, const hash::Hash256* codes, size_t n, int radius, uint32_t* idx,
                       uint16_t* dist) {
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    int d = 0;
    for (int l = 0; l < 4; ++l) {
      uint64_t x = q.limb[l] ^ codes[i].limb[l];
      // Portable popcount (no POPCNT instruction assumed).
      x = x - ((x >> 1) & 0x5555555555555555ull);
      x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
      x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
      d += static_cast<int>((x * 0x0101010101010101ull) >> 56);
    }
    if (d <= radius) {
      idx[k] = static_cast<uint32_t>(i);
      dist[k] = static_cast<uint16_t>(d);
      ++k;
    }
  }
  return k;
}

__attribute__((target("popcnt"))) size_t RangeScanPopcnt(const hash::Hash256& q, const hash::Hash256* codes,
                                                         size_t n, int radius, uint32_t* idx, uint16_t* dist) {
  size_t k = 0;
  const uint64_t q0 = q.limb[0], q1 = q.limb[1], q2 = q.limb[2], q3 = q.limb[3];
  for (size_t i = 0; i < n; ++i) {
    const uint64_t* c = codes[i].limb.data();
    int d = __builtin_popcountll(q0 ^ c[0]) + __builtin_popcountll(q1 ^ c[1]) + __builtin_popcountll(q2 ^ c[2]) +
            __builtin_popcountll(q3 ^ c[3]);
    idx[k] = static_cast<uint32_t>(i);  // written unconditionally, kept if it matches
    dist[k] = static_cast<uint16_t>(d);
    k += d <= radius;
  }
  return k;
}

}  // namespace internal

namespace {

#if defined(__x86_64__)
bool HasAvx512() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vpopcntdq");
}
#endif

SimdLevel Best() {
#if defined(__x86_64__)
  if (HasAvx512()) return SimdLevel::kAvx512;
  if (__builtin_cpu_supports("avx2")) return SimdLevel::kAvx2;
  if (__builtin_cpu_supports("popcnt")) return SimdLevel::kPopcnt;
#endif
  return SimdLevel::kScalar;
}

SimdLevel Initial() {
  SimdLevel best = Best();
  if (const char* env = std::getenv("NEEDLE_SIMD")) {
    for (SimdLevel l : {SimdLevel::kScalar, SimdLevel::kPopcnt, SimdLevel::kAvx2, SimdLevel::kAvx512})
      if (std::strcmp(env, SimdLevelName(l)) == 0 && SimdLevelSupported(l)) return l;
  }
  return best;
}

SimdLevel& Level() {
  static SimdLevel level = Initial();
  return level;
}

}  // namespace

const char* SimdLevelName(SimdLevel level) {
  switch (level) {
    case SimdLevel::kScalar: return "scalar";
    case SimdLevel::kPopcnt: return "popcnt";
    case SimdLevel::kAvx2: return "avx2";
    case SimdLevel::kAvx512: return "avx512";
  }
  return "scalar";
}

bool SimdLevelSupported(SimdLevel level) {
#if defined(__x86_64__)
  switch (level) {
    case SimdLevel::kScalar: return true;
    case SimdLevel::kPopcnt: return __builtin_cpu_supports("popcnt");
    case SimdLevel::kAvx2: return __builtin_cpu_supports("avx2");
    case SimdLevel::kAvx512: return HasAvx512();
  }
#endif
  return level == SimdLevel::kScalar;
}

SimdLevel ActiveSimdLevel() { return Level(); }

bool SetSimdLevel(SimdLevel level) {
  if (!SimdLevelSupported(level)) return false;
  Level() = level;
  return true;
}

size_t NearBytes(const uint8_t* bytes, size_t n, uint8_t q, int budget, uint32_t base, uint32_t* out) {
  if (Level() >= SimdLevel::kAvx512) return internal::NearBytesAvx512(bytes, n, q, budget, base, out);
  if (Level() >= SimdLevel::kAvx2) return internal::NearBytesAvx2(bytes, n, q, budget, base, out);
  return internal::NearBytesScalar(bytes, n, q, budget, base, out);
}

size_t NearEntries(const uint32_t* e, size_t n, uint8_t q, int budget, uint32_t tag, uint32_t* out) {
  if (Level() >= SimdLevel::kAvx512) return internal::NearEntriesAvx512(e, n, q, budget, tag, out);
  if (Level() >= SimdLevel::kAvx2) return internal::NearEntriesAvx2(e, n, q, budget, tag, out);
  return internal::NearEntriesScalar(e, n, q, budget, tag, out);
}

size_t VerifyCandidates(const hash::Hash256& q, const hash::Hash256* codes, const uint32_t* cand, size_t n,
                        int radius, uint32_t* out_idx, uint16_t* out_dist) {
  if (Level() >= SimdLevel::kAvx512)
    return internal::VerifyCandidatesAvx512(q, codes, cand, n, radius, out_idx, out_dist);
  if (Level() >= SimdLevel::kPopcnt)
    return internal::VerifyCandidatesPopcnt(q, codes, cand, n, radius, out_idx, out_dist);
  return internal::VerifyCandidatesScalar(q, codes, cand, n, radius, out_idx, out_dist);
}

namespace internal {
namespace {
const std::array<uint8_t, 256> kPop = [] {
  std::array<uint8_t, 256> t{};
  for (int v = 0; v < 256; ++v) t[size_t(v)] = static_cast<uint8_t>(__builtin_popcount(unsigned(v)));
  return t;
}();

__attribute__((target("popcnt"))) int DistanceHw(const hash::Hash256& a, const hash::Hash256& b) {
  return __builtin_popcountll(a.limb[0] ^ b.limb[0]) + __builtin_popcountll(a.limb[1] ^ b.limb[1]) +
         __builtin_popcountll(a.limb[2] ^ b.limb[2]) + __builtin_popcountll(a.limb[3] ^ b.limb[3]);
}

}  // namespace

size_t NearEntriesScalar(const uint32_t* e, size_t n, uint8_t q, int budget, uint32_t tag, uint32_t* out) {
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    out[k] = (e[i] >> 8) << kCandidateTagBits | tag;
    k += kPop[(e[i] ^ q) & 0xff] <= budget;
  }
  return k;
}

size_t NearBytesScalar(const uint8_t* bytes, size_t n, uint8_t q, int budget, uint32_t base, uint32_t* out) {
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    out[k] = (base + static_cast<uint32_t>(i)) << kCandidateTagBits;
    k += kPop[bytes[i] ^ q] <= budget;
  }
  return k;
}

size_t VerifyCandidatesScalar(const hash::Hash256& q, const hash::Hash256* codes, const uint32_t* cand, size_t n,
                              int radius, uint32_t* out_idx, uint16_t* out_dist) {
  return VerifyWith(hash::Distance, q, codes, cand, n, radius, out_idx, out_dist);
}

__attribute__((target("popcnt"))) size_t VerifyCandidatesPopcnt(const hash::Hash256& q, const hash::Hash256* codes,
                                                                const uint32_t* cand, size_t n, int radius,
                                                                uint32_t* out_idx, uint16_t* out_dist) {
  return VerifyWith(DistanceHw, q, codes, cand, n, radius, out_idx, out_dist);
}
}  // namespace internal

size_t RangeScan(const hash::Hash256& q, const hash::Hash256* codes, size_t n, int radius, uint32_t* idx,
                 uint16_t* dist) {
  switch (Level()) {
    case SimdLevel::kAvx512: return internal::RangeScanAvx512(q, codes, n, radius, idx, dist);
    case SimdLevel::kAvx2: return internal::RangeScanAvx2(q, codes, n, radius, idx, dist);
    case SimdLevel::kPopcnt: return internal::RangeScanPopcnt(q, codes, n, radius, idx, dist);
    case SimdLevel::kScalar: break;
  }
  return internal::RangeScanScalar(q, codes, n, radius, idx, dist);
}

int DistancePopcnt(const hash::Hash256& a, const hash::Hash256& b) {
  static const bool hw = SimdLevelSupported(SimdLevel::kPopcnt);
  return hw ? internal::DistanceHw(a, b) : hash::Distance(a, b);
}

}  // namespace needle::index
