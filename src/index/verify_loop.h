// The candidate verification loop of every kernel level (hamming.cc,
// hamming_avx512.cc), with its two-level prefetch (kVerifyNear, kVerifyFar).
// `static` on purpose: each file compiles its own copy with its own flags,
// so the linker never keeps an AVX-512 copy for a CPU without AVX-512 (no
// std::min either, for the same reason).
#pragma once

#include "index/hamming.h"

namespace needle::index::internal {

template <typename DistanceFn>
static inline size_t VerifyWith(DistanceFn distance, const hash::Hash256& q, const hash::Hash256* codes,
                                const uint32_t* cand, size_t n, int radius, uint32_t* out_idx, uint16_t* out_dist) {
  for (size_t i = 0; i < (n < kVerifyFar ? n : kVerifyFar); ++i)
    __builtin_prefetch(&codes[cand[i] >> kCandidateTagBits], 0, 1);
  for (size_t i = 0; i < (n < kVerifyNear ? n : kVerifyNear); ++i)
    __builtin_prefetch(&codes[cand[i] >> kCandidateTagBits]);
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i + kVerifyFar < n) __builtin_prefetch(&codes[cand[i + kVerifyFar] >> kCandidateTagBits], 0, 1);
    if (i + kVerifyNear < n) __builtin_prefetch(&codes[cand[i + kVerifyNear] >> kCandidateTagBits]);
    const int d = distance(q, codes[cand[i] >> kCandidateTagBits]);
    out_idx[k] = static_cast<uint32_t>(i);  // written unconditionally, kept if it matches
    out_dist[k] = static_cast<uint16_t>(d);
    k += d <= radius;
  }
  return k;
}

}  // namespace needle::index::internal
