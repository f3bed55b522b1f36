// Exact Hamming range search over 256-bit codes by multi-index hashing
// (Norouzi, Punjani & Fleet, TPAMI 2014), with long substrings.
//
// The code is cut into 11 substrings (3 of 24 bits, 8 of 23). If
// distance(q, x) <= r then some substring differs in at most t = floor(r/11)
// bits (pigeonhole: 11 x (t+1) > r), so visiting, in every table, the keys
// within t of the query's substring finds every match: exact for any r.
// Candidates are verified on the full code, and a match is reported once:
// only from the first table whose substring is within t.
//
// Why 11 x 23-24 bits (measured with a brute-force count over 1M codes,
// radius 31, t = 2): 4.5k distinct candidates per query at 10M on clustered
// codes against 45k for 16 x 16 bits (t = 1); verifying a candidate is a
// cache miss on its code, so that count is the query time.
//
// A table is two-level so it stays small: the top 16 bits of a substring
// index a dense offset array; entries inside a bucket keep the remaining
// 7-8 bits ("low bits") in a byte array, scanned 32 at a time (NearBytes),
// and a 24-bit code position. Visiting the keys within t means: for each
// top-bit mask of weight a <= t, scan that bucket for low bits within t - a.
//
// Layout (and memory, beyond the codes and their ids):
// - codes are stored sorted by substring 0, so table 0 needs no positions;
// - low bits: 11 x n bytes; positions for tables 1..10: 10 x 3n bytes;
// - 11 offset arrays of 65537 x 4 bytes (2.9 MB in all).
// That is 41 bytes per code plus the offsets (41.3 at 10M, 43.9 at 1M).
// A segment holds at most 2^24 codes; LiveIndex shards larger sets.
//
// Immutable after Build(); Search() is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "hash/hash256.h"

namespace needle::index {

struct RangeHit {
  uint32_t id;
  uint16_t distance;
};

class MihIndex {
 public:
  static constexpr size_t kMaxCodes = size_t(1) << 24;
  static constexpr int kTables = 11;
  static constexpr size_t kBuckets = 65536;  // top 16 bits of a substring

  // Builds from codes and caller ids (same length, <= kMaxCodes).
  static std::unique_ptr<MihIndex> Build(std::span<const hash::Hash256> codes, std::span<const uint32_t> ids);

  // Appends every (id, distance) with distance <= radius. Order unspecified.
  void Search(const hash::Hash256& q, int radius, std::vector<RangeHit>* out) const;

  size_t size() const { return n_; }
  // Bytes of the index structure beyond codes and ids.
  size_t IndexBytes() const;

  // Raw sections for the on-disk snapshot (index_file.h).
  struct Sections {
    std::span<const hash::Hash256> codes;   // sorted by substring 0
    std::span<const uint32_t> ids;          // ids[pos]
    std::span<const uint32_t> offsets;      // kTables x (kBuckets + 1)
    std::span<const uint8_t> low_bits;      // kTables x n, then 32 bytes of padding
    std::span<const uint8_t> postings;      // (kTables - 1) x 3n + 1 (24-bit positions)
  };
  Sections sections() const;
  // Wraps sections owned elsewhere (a memory map); `keepalive` owns them.
  static std::unique_ptr<MihIndex> FromSections(const Sections& s, std::shared_ptr<const void> keepalive);

  static size_t OffsetsLen() { return size_t(kTables) * (kBuckets + 1); }
  static size_t LowBitsLen(size_t n) { return size_t(kTables) * n + 32; }  // 32: NearBytes may over-read
  static size_t PostingsLen(size_t n) { return size_t(kTables - 1) * 3 * n + 1; }

 private:
  MihIndex() = default;
  size_t n_ = 0;
  // Either owned vectors or views into a mapping.
  std::vector<hash::Hash256> codes_own_;
  std::vector<uint32_t> ids_own_, offsets_own_;
  std::vector<uint8_t> low_own_, postings_own_;
  Sections view_;
  std::shared_ptr<const void> keepalive_;
};

// Substring k (0..10) of a code: SubstringBits(k) consecutive bits (24 for
// k < 3, else 23), bit b of the code being bit b % 64 of limb b / 64.
int SubstringBits(int k);
uint32_t Substring(const hash::Hash256& h, int k);

}  // namespace needle::index
