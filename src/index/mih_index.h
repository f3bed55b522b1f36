// Exact Hamming range search over 256-bit codes by multi-index hashing
// (Norouzi, Punjani & Fleet, TPAMI 2014).
//
// The code is cut into 16 substrings of 16 bits. If distance(q, x) <= r then
// some substring differs in at most floor(r/16) bits (pigeonhole), so probing
// every table with all 16-bit keys within floor(r/16) of the query's
// substring finds every match: exact for any r (0..255; floor(r/16) <= 3 for
// r <= 63). Candidates are verified on the full code, and a match is reported
// once: only from the first table whose substring is within floor(r/16).
//
// Layout (and memory, beyond the codes and their ids):
// - codes are stored sorted by substring 0, so table 0 is just its bucket
//   offsets (no id list);
// - tables 1..15 list code positions as 24-bit integers: 45 bytes per code;
// - 16 offset arrays of 65537 x 4 bytes (4 MB in all).
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
  static constexpr int kTables = 16;

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
    std::span<const uint32_t> offsets;      // kTables x 65537
    std::span<const uint8_t> postings;      // (kTables-1) x (3n + 1)
  };
  Sections sections() const;
  // Wraps sections owned elsewhere (a memory map); `keepalive` owns them.
  static std::unique_ptr<MihIndex> FromSections(const Sections& s, std::shared_ptr<const void> keepalive);

 private:
  MihIndex() = default;
  size_t n_ = 0;
  // Either owned vectors or views into a mapping.
  std::vector<hash::Hash256> codes_own_;
  std::vector<uint32_t> ids_own_, offsets_own_;
  std::vector<uint8_t> postings_own_;
  Sections view_;
  std::shared_ptr<const void> keepalive_;
};

// Substring k (0..15) of a code.
inline uint32_t Substring(const hash::Hash256& h, int k) {
  return static_cast<uint32_t>((h.limb[k >> 2] >> ((k & 3) * 16)) & 0xffff);
}

}  // namespace needle::index
