// Exact Hamming range search over 256-bit codes by multi-index hashing
// (Norouzi, Punjani & Fleet, TPAMI 2014) with long substrings and the
// generalised pigeonhole principle (Qin et al., ICDE 2018).
//
// The code is cut into 11 substrings (3 of 24 bits, 8 of 23). Table k gets a
// threshold t_k with sum(t_k + 1) > r (t_k = -1: the table is skipped). If
// distance(q, x) <= r, some substring k differs in at most t_k bits (else
// the distance would be >= sum(t_k + 1)), so visiting, in every table, the
// keys within t_k of the query's substring finds every match: exact for any
// r. At r = 31: ten tables at t = 2, one at t = 1. Candidates are verified on
// the full code, and a match is reported once: only from the first table
// whose substring is within its threshold.
//
// Why 11 x 23-24 bits (measured with a brute-force count over 1M codes,
// radius 31): ~4.3k candidates per query at 10M clustered codes against 45k
// for 16 x 16 bits (FAISS MultiHash's layout, and needle's first index).
//
// A table is two-level so it stays small: the top bits of a substring (16-19
// for the 24-bit substrings, 15-18 for the 23-bit ones, more for bigger
// segments) index a dense bucket array; each entry in a bucket keeps the
// remaining 5-8 bits ("low bits", as many in every table) and, for tables 1..10,
// its code position in one 32-bit word (low | position << 8), so a bucket
// scan yields positions without another memory access. Visiting the keys
// within t means: for each top-bit mask of weight a <= t, scan that bucket
// for low bits within t - a. Query time is memory misses and the work
// between them: the visits run as a software pipeline with prefetches a few
// buckets ahead, and each bucket carries a 32-bit occupancy mask of its low
// bits (bit low % 32) beside its offset, so a visit that cannot match (most
// visits at budget 0) never touches the entries (10M clustered: 230 -> 209
// us). Entries of a bucket are sorted by low bits, so the ones equal to the
// query's sit near a slot guessed from them: the portable path walks there,
// the AVX-512 one scans the 16 slots around it (the whole bucket when the
// run may leave them) with masked loads and a compress, no branch on the
// data (in-cache reruns of the same queries: 77 -> ~50 us; from memory 125
// -> ~92 us at 10M clustered, ~84 us uniform).
// Candidates are then verified with the codes prefetched into L2 far ahead
// and into L1 near. The arrays live on transparent huge pages
// (util/huge_pages.h): with 4 KiB pages each random read is also a page
// walk.
//
// Layout (and memory, beyond the codes):
// - the caller's ids, in code order: 3 bytes each (an offset from the
//   segment's smallest id) when they span less than 2^24, else 4;
// - codes are stored sorted by substring 0, so table 0 needs no positions,
//   only its low bits (n + 32 bytes);
// - tables 1..10: 10 x n 32-bit entries (+ 8 of padding);
// - 11 bucket arrays of 2^key_bits + 1 (offset, occupancy) word pairs
//   (3.7 MB at 16 bits, 29 MB at 19).
// That is 44 bytes per code plus the buckets (46.9 at 10M, 47.7 at 1M).
// The 23-bit tables' keys are one bit narrower than the 24-bit ones' so
// that every table keeps 5 low bits at 10M, which its 32-bit occupancy mask
// covers exactly: against 19-bit keys everywhere, 1.7 B/hash less, ~1-2%
// slower on clustered codes, ~8% faster on uniform ones (fewer bucket
// visits: 172 instead of 191 per table at t = 2).
// A segment holds at most 2^24 codes; LiveIndex shards larger sets.
//
// Immutable after Build(); Search() is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include "hash/hash256.h"
#include "util/huge_pages.h"

namespace needle::index {

struct RangeHit {
  uint32_t id;
  uint16_t distance;
};

class MihIndex {
 public:
  static constexpr size_t kMaxCodes = size_t(1) << 24;
  static constexpr int kTables = 11;
  static constexpr int kMinTopBits = 16, kMaxTopBits = 19;

  // Builds from codes and caller ids (same length, <= kMaxCodes). `top_bits`
  // 0 picks TopBitsFor(n); tests force each width on small sets.
  static std::unique_ptr<MihIndex> Build(std::span<const hash::Hash256> codes, std::span<const uint32_t> ids,
                                         int top_bits = 0);

  // Appends every (id, distance) with distance <= radius. Order unspecified.
  void Search(const hash::Hash256& q, int radius, std::vector<RangeHit>* out) const;

  size_t size() const { return n_; }
  // Bytes of the index structure beyond the codes (the ids included).
  size_t IndexBytes() const;
  // The caller's id of the code at `pos`.
  uint32_t IdAt(size_t pos) const {
    uint32_t v;
    std::memcpy(&v, view_.ids.data() + pos * size_t(view_.id_bytes), 4);  // ids carry 1 byte of padding
    return view_.id_base + (view_.id_bytes == 4 ? v : v & 0xffffffu);
  }

  // Raw sections for the on-disk snapshot (index_file.h).
  struct Sections {
    std::span<const hash::Hash256> codes;   // sorted by substring 0
    // ids: id of pos = id_base + the id_bytes little-endian bytes at
    // pos * id_bytes; 3 bytes when the segment's ids span < 2^24, then 1 of padding.
    std::span<const uint8_t> ids;
    uint32_t id_base = 0;
    int id_bytes = 4;
    int top_bits = kMinTopBits;             // bucket key width of the 24-bit tables
    std::span<const uint32_t> buckets;      // per table k (2^TableTopBits(k) + 1) x {first entry, occupancy}
    std::span<const uint8_t> low_bits;      // table 0: n, then 32 bytes of padding
    std::span<const uint32_t> entries;      // tables 1..: (kTables - 1) x n (low | pos << 8), then 8 of padding
  };
  Sections sections() const;
  // Wraps sections owned elsewhere (a memory map); `keepalive` owns them.
  static std::unique_ptr<MihIndex> FromSections(const Sections& s, std::shared_ptr<const void> keepalive);
  // A copy that owns its arrays, on transparent huge pages. A mapped
  // snapshot sits on 4 KiB page-cache pages, where a query's random reads
  // are also page walks: for a process that answers many queries.
  std::unique_ptr<MihIndex> ResidentCopy() const;

  // The bucket key width Build() picks for n codes (~16-64 codes a bucket).
  static int TopBitsFor(size_t n);
  // Every table keeps the same number of low bits, 24 - top_bits, so a
  // 23-bit table's key is a bit narrower than a 24-bit one's.
  static constexpr int LowBits(int top_bits) { return 24 - top_bits; }
  static int TableTopBits(int top_bits, int k);
  // Where table k's buckets start in `buckets` (in words), and their total.
  static size_t TableBucketsOffset(int top_bits, int k);
  static size_t BucketsLen(int top_bits) { return TableBucketsOffset(top_bits, kTables); }
  // The occupancy bit of a low-bits value (folded to 32 bits: a filter that
  // may say "maybe" but never hides an entry).
  static uint32_t OccupancyBit(uint32_t low) { return 1u << (low & 31); }
  static size_t LowBitsLen(size_t n) { return n + 32; }  // 32: NearBytes may over-read
  static size_t EntriesLen(size_t n) { return size_t(kTables - 1) * n + 8; }  // 8: NearEntries may over-read
  static size_t IdsLen(size_t n, int id_bytes) { return n * size_t(id_bytes) + 1; }  // 1: IdAt reads 4 bytes

 private:
  MihIndex() = default;
  // Points the view's sections at the owned arrays (Build, ResidentCopy).
  void ViewOwnArrays();
  size_t n_ = 0;
  // Either owned vectors or views into a mapping.
  // Randomly read: on huge pages (util/huge_pages.h).
  util::HugeVector<hash::Hash256> codes_own_;
  util::HugeVector<uint32_t> buckets_own_, entries_own_;
  util::HugeVector<uint8_t> ids_own_, low_own_;
  Sections view_;
  std::shared_ptr<const void> keepalive_;
};

// Substring k (0..10) of a code: SubstringBits(k) consecutive bits (24 for
// k < 3, else 23), bit b of the code being bit b % 64 of limb b / 64.
int SubstringBits(int k);
uint32_t Substring(const hash::Hash256& h, int k);

}  // namespace needle::index
