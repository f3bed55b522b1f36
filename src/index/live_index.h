// The PDQ index that serves lookups while banks change.
//
// Readers take an immutable snapshot (a shared_ptr, swapped atomically), so
// a lookup never waits for a writer and never sees half an update. Writers
// (serialised among themselves) publish a new snapshot that shares every
// unchanged part with the old one:
//   segments  immutable MihIndex shards (each <= 2^24 codes)
//   delta     codes added since the last compaction, scanned by brute force
//   deleted   ids removed from segments since the last compaction
// When the delta passes `delta_limit` it becomes a new segment; when deleted
// ids pass a quarter of the segments, or segments pass `max_segments`,
// everything live is rebuilt into fresh segments. Memory therefore stays
// within a constant factor of the live set however many updates arrive.
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
    size_t delta_limit = 65536;
    size_t max_segments = 8;
    size_t segment_size = MihIndex::kMaxCodes;
  };
  LiveIndex() : LiveIndex(Options{}) {}
  explicit LiveIndex(Options options);

  // Replaces everything (initial load, full rebuild).
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
    size_t segments = 0;
    size_t delta = 0;
    size_t deleted = 0;
    size_t index_bytes = 0;    // MIH structure beyond the codes (ids included)
  };
  Stats stats() const;

  // The current segments (to persist them).
  std::vector<std::shared_ptr<const MihIndex>> Segments() const;
  // Forces the delta and deletions into fresh segments.
  void Compact();

 private:
  struct Snapshot {
    std::vector<std::shared_ptr<const MihIndex>> segments;
    std::shared_ptr<const std::vector<IndexItem>> delta;
    std::shared_ptr<const std::vector<uint32_t>> deleted;  // sorted
    size_t segment_items = 0;
  };
  std::shared_ptr<const Snapshot> Load() const;
  void Publish(std::shared_ptr<const Snapshot> s);
  std::shared_ptr<const Snapshot> Rebuilt(const Snapshot& s) const;  // all live items into fresh segments
  static std::vector<IndexItem> LiveItems(const Snapshot& s);

  Options options_;
  std::mutex writer_;
  std::shared_ptr<const Snapshot> current_;  // accessed with std::atomic_load/store
};

}  // namespace needle::index
