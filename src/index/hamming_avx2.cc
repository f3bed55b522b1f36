// AVX2 Hamming range scan: one 256-bit code per ymm register, popcount by
// nibble lookup (vpshufb) and vpsadbw. Built with -mavx2 (CMakeLists.txt);
// only called when the CPU has AVX2.
#include <immintrin.h>

#include "index/hamming.h"

namespace needle::index::internal {
namespace {

// The popcount of each byte of x, by nibble table lookup (vpshufb).
inline __m256i PopcountBytes(__m256i x) {
  const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2,
                                       2, 3, 2, 3, 3, 4);
  const __m256i low = _mm256_set1_epi8(0x0f);
  return _mm256_add_epi8(_mm256_shuffle_epi8(lut, _mm256_and_si256(x, low)),
                         _mm256_shuffle_epi8(lut, _mm256_and_si256(_mm256_srli_epi16(x, 4), low)));
}

}  // namespace

size_t RangeScanAvx2(const hash::Hash256& q, const hash::Hash256* codes, size_t n, int radius, uint32_t* idx,
                     uint16_t* dist) {
  const __m256i qv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q.limb.data()));
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    __m256i x = _mm256_xor_si256(qv, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(codes[i].limb.data())));
    __m256i s = _mm256_sad_epu8(PopcountBytes(x), _mm256_setzero_si256());  // 4 x u64 partial sums
    __m128i t = _mm_add_epi64(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    int d = static_cast<int>(_mm_cvtsi128_si64(t) + _mm_extract_epi64(t, 1));
    idx[k] = static_cast<uint32_t>(i);
    dist[k] = static_cast<uint16_t>(d);
    k += d <= radius;
  }
  return k;
}

// 32 bytes per step: xor, nibble-table popcount, compare, then the set bits
// of the mask become indices. The last step reads a whole block (the
// caller's padding) and masks it to n.
size_t NearBytesAvx2(const uint8_t* bytes, size_t n, uint8_t q, int budget, uint32_t base, uint32_t* out) {
  const __m256i qv = _mm256_set1_epi8(static_cast<char>(q));
  const __m256i limit = _mm256_set1_epi8(static_cast<char>(budget + 1));
  size_t k = 0;
  for (size_t i = 0; i < n; i += 32) {
    __m256i x = _mm256_xor_si256(qv, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bytes + i)));
    uint32_t m = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpgt_epi8(limit, PopcountBytes(x))));
    if (n - i < 32) m &= (1u << (n - i)) - 1;
    while (m) {
      out[k++] = (base + static_cast<uint32_t>(i) + static_cast<uint32_t>(__builtin_ctz(m))) << kCandidateTagBits;
      m &= m - 1;
    }
  }
  return k;
}

// 8 entries per step: the low byte's popcount by nibble table (the other
// bytes masked to zero), a 32-bit compare, one mask bit per entry.
size_t NearEntriesAvx2(const uint32_t* e, size_t n, uint8_t q, int budget, uint32_t tag, uint32_t* out) {
  const __m256i qv = _mm256_set1_epi32(q);
  const __m256i byte0 = _mm256_set1_epi32(0xff);
  const __m256i limit = _mm256_set1_epi32(budget + 1);
  size_t k = 0;
  for (size_t i = 0; i < n; i += 8) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(e + i));
    __m256i x = _mm256_and_si256(_mm256_xor_si256(v, qv), byte0);
    // Only byte 0 of each entry is non-zero, so its byte count is the word's.
    uint32_t m = static_cast<uint32_t>(
        _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(limit, PopcountBytes(x)))));
    if (n - i < 8) m &= (1u << (n - i)) - 1;  // the tail: entries past n are the caller's padding
    while (m) {
      out[k++] = (e[i + static_cast<size_t>(__builtin_ctz(m))] >> 8) << kCandidateTagBits | tag;
      m &= m - 1;
    }
  }
  return k;
}

}  // namespace needle::index::internal
