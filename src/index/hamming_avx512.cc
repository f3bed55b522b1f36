// AVX-512 VPOPCNTDQ Hamming range scan: two codes per zmm register. Built
// with -mavx512f -mavx512vpopcntdq; only called when the CPU has both.
// GCC 12 headers warn about an uninitialised temporary inside the
// 512-bit intrinsics themselves; not our code.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "index/hamming.h"

namespace needle::index::internal {

size_t RangeScanAvx512(const hash::Hash256& q, const hash::Hash256* codes, size_t n, int radius, uint32_t* idx,
                       uint16_t* dist) {
  const __m256i q256 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q.limb.data()));
  const __m512i qv = _mm512_broadcast_i64x4(q256);
  size_t k = 0, i = 0;
  for (; i + 2 <= n; i += 2) {
    __m512i c = _mm512_loadu_si512(codes[i].limb.data());
    __m512i p = _mm512_popcnt_epi64(_mm512_xor_si512(qv, c));
    // Sum limbs 0-3 (code i) and 4-7 (code i+1).
    __m256i lo = _mm512_castsi512_si256(p), hi = _mm512_extracti64x4_epi64(p, 1);
    __m128i l2 = _mm_add_epi64(_mm256_castsi256_si128(lo), _mm256_extracti128_si256(lo, 1));
    __m128i h2 = _mm_add_epi64(_mm256_castsi256_si128(hi), _mm256_extracti128_si256(hi, 1));
    int d0 = static_cast<int>(_mm_cvtsi128_si64(l2) + _mm_extract_epi64(l2, 1));
    int d1 = static_cast<int>(_mm_cvtsi128_si64(h2) + _mm_extract_epi64(h2, 1));
    idx[k] = static_cast<uint32_t>(i);
    dist[k] = static_cast<uint16_t>(d0);
    k += d0 <= radius;
    idx[k] = static_cast<uint32_t>(i + 1);
    dist[k] = static_cast<uint16_t>(d1);
    k += d1 <= radius;
  }
  if (i < n) {
    size_t m = RangeScanPopcnt(q, codes + i, n - i, radius, idx + k, dist + k);
    for (size_t j = k; j < k + m; ++j) idx[j] += static_cast<uint32_t>(i);
    k += m;
  }
  return k;
}

}  // namespace needle::index::internal
