// Hamming-distance kernels over 256-bit codes, chosen at run time:
// scalar (portable), popcnt, avx2 (nibble-table popcount), avx512 (F, BW,
// VL and VPOPCNTDQ: Ice Lake and later, Zen 4). Every level gives identical
// results (tests check each level against the scalar one);
// NEEDLE_SIMD=scalar|popcnt|avx2|avx512 forces one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "hash/hash256.h"

namespace needle::index {

enum class SimdLevel { kScalar, kPopcnt, kAvx2, kAvx512 };

// The level in use (best supported, or NEEDLE_SIMD / SetSimdLevel).
SimdLevel ActiveSimdLevel();
bool SimdLevelSupported(SimdLevel level);
// For tests and benchmarks; returns false if unsupported on this CPU.
bool SetSimdLevel(SimdLevel level);
const char* SimdLevelName(SimdLevel level);

// Appends to `out_idx`/`out_dist` every i < n with distance(q, codes[i]) <=
// radius. Returns the number appended. `out_*` must have room for n.
size_t RangeScan(const hash::Hash256& q, const hash::Hash256* codes, size_t n, int radius, uint32_t* out_idx,
                 uint16_t* out_dist);

// The bucket scans of the multi-index tables (mih_index.h) append
// candidates as (code position << kCandidateTagBits) | tag, the tag being
// the table the candidate came from. `out` must have room for n + 16: the
// AVX-512 kernels store whole vectors past the last candidate.
inline constexpr int kCandidateTagBits = 4;

// Appends candidate (base + i) << 4 for every i < n whose byte is within
// `budget` bits of q: popcount(bytes[i] ^ q) <= budget. Returns the number
// appended. Reads up to 31 bytes past bytes + n (callers pad their arrays).
size_t NearBytes(const uint8_t* bytes, size_t n, uint8_t q, int budget, uint32_t base, uint32_t* out);

// The same over 32-bit entries `low | position << 8`: appends candidate
// (position << 4) | tag of every entry whose low byte is within `budget`
// bits of q. Reads up to 7 entries past e + n (callers pad their arrays).
size_t NearEntries(const uint32_t* e, size_t n, uint8_t q, int budget, uint32_t tag, uint32_t* out);

// Verification of candidates: for every i < n, the distance from q to
// codes[cand[i] >> 4]; appends i and the distance of each within `radius`
// to out_idx/out_dist (room for n), returns how many. The codes are random
// reads, so it keeps many cache misses in flight (prefetching ahead).
size_t VerifyCandidates(const hash::Hash256& q, const hash::Hash256* codes, const uint32_t* cand, size_t n,
                        int radius, uint32_t* out_idx, uint16_t* out_dist);

namespace internal {
// Verification prefetches each code twice: kVerifyFar candidates ahead into
// L2, kVerifyNear ahead into L1. With only the near one the L1 miss buffers
// bound it (~16 misses in flight); the far one lets L2 hold more
// (10M clustered codes: ~96 -> ~91 us a query).
inline constexpr size_t kVerifyNear = 16, kVerifyFar = 128;
size_t NearEntriesScalar(const uint32_t* e, size_t n, uint8_t q, int budget, uint32_t tag, uint32_t* out);
size_t NearEntriesAvx2(const uint32_t* e, size_t n, uint8_t q, int budget, uint32_t tag, uint32_t* out);
size_t NearEntriesAvx512(const uint32_t* e, size_t n, uint8_t q, int budget, uint32_t tag, uint32_t* out);
size_t NearBytesScalar(const uint8_t* bytes, size_t n, uint8_t q, int budget, uint32_t base, uint32_t* out);
size_t NearBytesAvx2(const uint8_t* bytes, size_t n, uint8_t q, int budget, uint32_t base, uint32_t* out);
size_t NearBytesAvx512(const uint8_t* bytes, size_t n, uint8_t q, int budget, uint32_t base, uint32_t* out);
size_t RangeScanScalar(const hash::Hash256& q, const hash::Hash256* codes, size_t n, int radius, uint32_t* idx,
                       uint16_t* dist);
size_t RangeScanPopcnt(const hash::Hash256& q, const hash::Hash256* codes, size_t n, int radius, uint32_t* idx,
                       uint16_t* dist);
size_t RangeScanAvx2(const hash::Hash256& q, const hash::Hash256* codes, size_t n, int radius, uint32_t* idx,
                     uint16_t* dist);
size_t RangeScanAvx512(const hash::Hash256& q, const hash::Hash256* codes, size_t n, int radius, uint32_t* idx,
                       uint16_t* dist);
size_t VerifyCandidatesScalar(const hash::Hash256& q, const hash::Hash256* codes, const uint32_t* cand, size_t n,
                              int radius, uint32_t* out_idx, uint16_t* out_dist);
size_t VerifyCandidatesPopcnt(const hash::Hash256& q, const hash::Hash256* codes, const uint32_t* cand, size_t n,
                              int radius, uint32_t* out_idx, uint16_t* out_dist);
size_t VerifyCandidatesAvx512(const hash::Hash256& q, const hash::Hash256* codes, const uint32_t* cand, size_t n,
                              int radius, uint32_t* out_idx, uint16_t* out_dist);
}  // namespace internal

// Distance of one pair with the fastest scalar instruction available.
int DistancePopcnt(const hash::Hash256& a, const hash::Hash256& b);

}  // namespace needle::index
