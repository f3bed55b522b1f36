// The on-disk PDQ index snapshot: MIH segments written once, memory-mapped
// read-only when loaded, so a 100M-code index opens in milliseconds and the
// page cache shares it between processes.
//
// Format (little-endian, every section 64-byte aligned):
//   header  "NDLPDQX1" | u32 version=3 | u32 segments | u64 generation
//   per segment: u64 n, u64 top_bits (16-19), u32 id_base, u32 id_bytes (3 or
//                4), then sections codes[n] (32 B), ids[n x id_bytes + 1]
//                (little-endian, added to id_base),
//                buckets[per table k: (2^key_k + 1) x 2] (u32: first entry,
//                occupancy of low bits % 32; key_k = top_bits for the
//                three 24-bit tables, top_bits - 1 for the others),
//                low bits[n + 32] (u8, table 0), entries[10 x n + 8] (u32,
//                low | position << 8, tables 1-10)
// Another version (an older needle's) reads as kCorrupt; the store then
// rebuilds the index from its entries and rewrites the snapshot.
// `generation` is the store's change counter the snapshot was built at; a
// snapshot whose generation differs from the store's is stale.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "index/mih_index.h"
#include "needle/status.h"

namespace needle::index {

struct IndexSnapshot {
  uint64_t generation = 0;
  std::vector<std::shared_ptr<const MihIndex>> segments;
};

// Writes atomically (temporary file, fsync, rename).
Status WriteIndexFile(const std::string& path, uint64_t generation,
                      const std::vector<std::shared_ptr<const MihIndex>>& segments);

// Maps the file; kNotFound if absent, kCorrupt if malformed or truncated.
Result<IndexSnapshot> ReadIndexFile(const std::string& path);

}  // namespace needle::index
