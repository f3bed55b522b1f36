// AVX-512 kernels: the range scan (two codes per zmm register), the bucket
// scans of the multi-index search and candidate verification. Built with
// -mavx512f -mavx512bw -mavx512vl -mavx512vpopcntdq (CMakeLists.txt); only
// called when the CPU has all four.
// GCC 12 headers warn about an uninitialised temporary inside the
// 512-bit intrinsics themselves; not our code.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "index/hamming.h"
#include "index/verify_loop.h"

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

namespace {

// The lanes of a 16-lane block at offset i of n that hold elements.
inline __mmask16 Lanes(size_t n, size_t i) {
  return n - i >= 16 ? __mmask16(0xffff) : static_cast<__mmask16>((1u << (n - i)) - 1);
}

// Appends the lanes of `c` selected by `hit` at out: compress into a
// register, then one full store (the caller's room for n + 16 takes the
// rest); a compressing store to memory is several times slower.
inline size_t Append(__mmask16 hit, __m512i c, uint32_t* out) {
  _mm512_storeu_si512(out, _mm512_maskz_compress_epi32(hit, c));
  return static_cast<size_t>(__builtin_popcount(hit));
}

}  // namespace

// 16 entries per step with masked loads (nothing past n is read) and no
// branch on the data: the index scans whole buckets with this, where the
// portable path walks to the entries equal to the query's low bits.
size_t NearEntriesAvx512(const uint32_t* e, size_t n, uint8_t q, int budget, uint32_t tag, uint32_t* out) {
  const __m512i qv = _mm512_set1_epi32(q), limit = _mm512_set1_epi32(budget);
  const __m512i byte0 = _mm512_set1_epi32(0xff), tagv = _mm512_set1_epi32(static_cast<int>(tag));
  const __m512i pos_mask = _mm512_set1_epi32(~((1 << kCandidateTagBits) - 1));
  size_t k = 0;
  for (size_t i = 0; i < n; i += 16) {
    const __mmask16 lanes = Lanes(n, i);
    const __m512i v = _mm512_maskz_loadu_epi32(lanes, e + i);
    const __m512i d = _mm512_popcnt_epi32(_mm512_and_si512(_mm512_xor_si512(v, qv), byte0));
    const __mmask16 hit = _mm512_mask_cmple_epu32_mask(lanes, d, limit);
    // (v >> 8) << 4 | tag, the position moved over the tag bits.
    const __m512i c = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi32(v, 8 - kCandidateTagBits), pos_mask), tagv);
    k += Append(hit, c, out + k);
  }
  return k;
}

size_t NearBytesAvx512(const uint8_t* bytes, size_t n, uint8_t q, int budget, uint32_t base, uint32_t* out) {
  const __m512i qv = _mm512_set1_epi32(q), limit = _mm512_set1_epi32(budget);
  const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  size_t k = 0;
  for (size_t i = 0; i < n; i += 16) {
    const __mmask16 lanes = Lanes(n, i);
    const __m512i v = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(lanes, bytes + i));
    const __mmask16 hit = _mm512_mask_cmple_epu32_mask(lanes, _mm512_popcnt_epi32(_mm512_xor_si512(v, qv)), limit);
    const __m512i pos = _mm512_add_epi32(iota, _mm512_set1_epi32(static_cast<int>(base + i)));
    k += Append(hit, _mm512_slli_epi32(pos, kCandidateTagBits), out + k);
  }
  return k;
}

size_t VerifyCandidatesAvx512(const hash::Hash256& q, const hash::Hash256* codes, const uint32_t* cand, size_t n,
                              int radius, uint32_t* out_idx, uint16_t* out_dist) {
  const auto distance = [](const hash::Hash256& a, const hash::Hash256& b) {
    const __m256i x = _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.limb.data())),
                                       _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.limb.data())));
    const __m256i p = _mm256_popcnt_epi64(x);
    const __m128i s = _mm_add_epi64(_mm256_castsi256_si128(p), _mm256_extracti128_si256(p, 1));
    return static_cast<int>(_mm_cvtsi128_si64(s) + _mm_extract_epi64(s, 1));
  };
  return VerifyWith(distance, q, codes, cand, n, radius, out_idx, out_dist);
}

}  // namespace needle::index::internal
