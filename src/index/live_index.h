// The PDQ index that serves lookups while banks change.
//
// Readers take an immutable snapshot (a shared_ptr, swapped atomically), so
// a lookup never waits for a writer and never sees half an update. Writers
// (serialised among themselves) publish a new snapshot that shares every
// unchanged part with the old one:
//   base      immutable MihIndex shards (each <= 2^24 codes), rebuilt whole
//   side      one MihIndex (shards only past 2^24) of the codes added since
//             the last full rebuild, rebuilt with the delta when it fills
//   delta     the latest codes added, scanned by brute force (SIMD)
//   deleted   ids removed from base or side since the last full rebuild
// Why this shape: a segment costs a search about the same whatever its size
// (its ~1,500 bucket visits; 10M codes + one of 65k: 13.4k -> 9.7k
// queries/s on one thread), and the scan costs per code (10M + a delta of
// 65k scanned code by code: 4.0k queries/s). So the delta stays small and
// there is never more than one segment beside the base: adds cost a side
// rebuild per delta_limit of them (linear in the side), and a full rebuild
// each time the side passes an eighth of the base. Deleted ids past a
// quarter of the stored codes also rebuild everything. Memory therefore
// stays within a constant factor of the live set however many updates
// arrive.
//
// Ids are the caller's (bank entry ids) and must be unique.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "index/mih_index.h"

namespace needle::index {

struct IndexItem {
  hash::Hash256 code;
  uint32_t id;
};

class LiveIndex {
 public:
  struct Options {
    size_t delta_limit = 4096;     // scanned at ~1.5 ns a code: a few us a query
    size_t side_min = 65536;       // the side may always grow this far,
    size_t side_divisor = 8;       // or to 1/side_divisor of the base
    size_t segment_size = MihIndex::kMaxCodes;
    // A segment of fewer codes is scanned instead of searched: below ~4k
    // codes its ~1,800 bucket visits cost more than comparing every code
    // (uniform, radius 31: 1,000 codes 4.2 us searched, 1.3 us scanned;
    // 4,000: 4.4 and 4.9 us). Small banks are common (a platform's own list).
    size_t scan_below = 3500;
  };
  LiveIndex() : LiveIndex(Options{}) {}
  explicit LiveIndex(Options options);

  // Replaces everything (initial load, full rebuild): a base, no side.
  void Reset(std::span<const IndexItem> items);
  // Installs segments loaded from a snapshot file.
  void ResetSegments(std::vector<std::shared_ptr<const MihIndex>> segments);

  void Add(std::span<const IndexItem> items);
  void Remove(std::span<const uint32_t> ids);

  // Every live item within `radius` of q. Thread-safe, lock-free for readers.
  void Search(const hash::Hash256& q, int radius, std::vector<RangeHit>* out) const;

  struct Stats {
    size_t live = 0;           // items a search can return
    size_t stored = 0;         // items held, including deleted-but-not-compacted
    size_t segments = 0;       // base and side
    size_t side = 0;           // items in the side segment
    size_t delta = 0;
    size_t deleted = 0;
    size_t index_bytes = 0;    // MIH structure beyond the codes (ids included)
  };
  Stats stats() const;

  // The current segments, base then side (to persist them).
  std::vector<std::shared_ptr<const MihIndex>> Segments() const;
  // Forces side, delta and deletions into a fresh base.
  void Compact();

 private:
  // Codes apart from ids, so the scan reads them contiguously.
  struct Delta {
    std::vector<hash::Hash256> codes;
    std::vector<uint32_t> ids;
  };
  struct Snapshot {
    std::vector<std::shared_ptr<const MihIndex>> base, side;
    std::shared_ptr<const Delta> delta;
    std::shared_ptr<const std::vector<uint32_t>> deleted;  // sorted
    size_t base_items = 0, side_items = 0;
  };
  static std::shared_ptr<Snapshot> Empty();
  std::shared_ptr<const Snapshot> Load() const;
  void Publish(std::shared_ptr<const Snapshot> s);
  std::shared_ptr<const Snapshot> Rebuilt(const Snapshot& s) const;  // all live items into a fresh base
  // Items of `segments` not deleted in s, appended to `out`.
  static void LiveItemsOf(const Snapshot& s, const std::vector<std::shared_ptr<const MihIndex>>& segments,
                          std::vector<IndexItem>* out);
  static std::vector<IndexItem> LiveItems(const Snapshot& s);

  Options options_;
  std::mutex writer_;
  std::shared_ptr<const Snapshot> current_;  // accessed with std::atomic_load/store
};

}  // namespace needle::index
