// Looks hashes up in every bank of a store.
//
// PDQ goes through the LiveIndex: loaded from the store's memory-mapped
// snapshot when it is current, rebuilt from the database (and saved) when
// it is stale. The index is searched at the largest threshold of any
// enabled bank; each hit is then kept only if its bank is enabled, its
// entry is not disabled (HMA's disable_until_ts, still in the future), the
// distance is within that bank's threshold, and the query's quality (when
// known) reaches the bank's minimum. Digests go through the store's indexes.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "hash/hash256.h"
#include "index/live_index.h"
#include "store/bank_store.h"

namespace needle::banks {

struct Match {
  std::string bank;
  store::BankKind kind = store::BankKind::kAlert;
  int64_t entry_id = 0;
  std::string type;   // "pdq", "md5", "sha1", "sha256"
  std::string value;  // the entry's hash
  int distance = 0;   // 0 for digests
  int threshold = 0;  // the bank's PDQ threshold (pdq only)
  // pdq: which hash of the file matched: "" its own, "oriented" (upright per
  // EXIF) or a rotated/mirrored variant ("rot90"...); see record_lookup.h.
  std::string variant;
  // pdq: the bits where the query and the entry differ (query XOR entry;
  // bit 16*i + j is DCT coefficient row i, column j, as in the hash), so a
  // reader can see where two images part, not only how many bits.
  std::optional<hash::Hash256> differing;
  store::BankEntry entry;  // source metadata (category, series, tags...)
};

// Where a snapshot's index lives once loaded. kMapped: the file's pages,
// shared with the page cache and loaded on demand (a one-off lookup).
// kResident: copied into the process on transparent huge pages, where a
// query's ~6k random reads are not page walks too: for a service (10M
// hashes, bench/serve-bench: 10.9-11.1k -> 12.8-13.0k lookups/s).
enum class IndexMemory { kMapped, kResident };

class Matcher {
 public:
  // `save_snapshot`: write a rebuilt index back to the store.
  static Result<std::unique_ptr<Matcher>> Open(store::BankStore& store, bool save_snapshot = true,
                                               IndexMemory memory = IndexMemory::kMapped);

  // quality: the query's PDQ quality when known (from a file), else nullopt.
  Result<std::vector<Match>> LookupPdq(const hash::Hash256& q, std::optional<int> quality);
  Result<std::vector<Match>> LookupDigest(store::DigestType type, const std::string& hex);

  // Re-reads bank settings and which entries are disabled (after enable/
  // disable, threshold or content-state changes).
  Status RefreshBanks();
  // Re-reads only which entries are disabled: one indexed query, where
  // RefreshBanks counts every bank's entries (~0.8 s at 10M).
  Status RefreshDisabled();

  // The service's path: no database access per lookup. Hits carry the bank
  // and entry ids; filtering as LookupPdq (enabled, threshold, quality), plus
  // HMA's coinflip: a bank is kept iff its enabled_ratio >= coin, and an
  // optional list of bank names. ignore_enabled (HMA's raw_lookup) keeps
  // disabled banks and entries too. Thread-safe.
  struct FastHit {
    int64_t bank_id;
    std::string bank;
    int64_t entry_id;
    int distance;
  };
  std::vector<FastHit> LookupPdqFast(const hash::Hash256& q, std::optional<int> quality, double coin,
                                     const std::vector<std::string>& only_banks, bool ignore_enabled = false);
  // The same filtering for a digest (distance 0), through the store's index:
  // the caller serialises store access (one SQLite handle).
  Result<std::vector<FastHit>> LookupDigestFast(store::DigestType type, const std::string& hex, double coin,
                                                const std::vector<std::string>& only_banks,
                                                bool ignore_enabled = false);
  // Live index updates (the service's bank API). Thread-safe.
  void AddLive(int64_t entry_id, int64_t bank_id, const hash::Hash256& code);
  void RemoveLive(const std::vector<int64_t>& entry_ids);
  std::vector<store::BankConfig> Banks();
  size_t IndexSize() { return index_.stats().live; }
  index::LiveIndex& index() { return index_; }
  bool loaded_from_snapshot() const { return from_snapshot_; }
  // True when the entry -> bank map came from its saved file too, so the
  // database's entries were not read at all.
  bool loaded_bank_map() const { return from_bank_map_; }

 private:
  explicit Matcher(store::BankStore& s) : store_(s) {}
  Status LoadIndex(bool save, IndexMemory memory);
  // The bank of a hit on `entry_id` in `bank_id` if the fast lookups keep
  // it: known, enabled, through the coinflip and the entry not disabled
  // (unless ignore_enabled), and in `only_banks` when that is not empty.
  // Call with mu_ held.
  const store::BankConfig* Admit(int64_t bank_id, int64_t entry_id, double coin,
                                 const std::vector<std::string>& only_banks, bool ignore_enabled) const;
  // Whether the entry is disabled now. Call with mu_ held.
  bool EntryDisabled(int64_t entry_id) const;

  store::BankStore& store_;
  index::LiveIndex index_;
  std::shared_mutex mu_;                  // guards banks_, bank_of_entry_ and disabled_until_
  std::vector<store::BankConfig> banks_;
  std::vector<int32_t> bank_of_entry_;    // entry id -> bank id (0 = none)
  std::unordered_map<int64_t, int64_t> disabled_until_;  // entry id -> Unix time; few entries
  bool from_snapshot_ = false, from_bank_map_ = false;
};

// The JSON form of a match in every output (lookup, match, scan,
// /v1/submit): bank, bank_kind, entry, type, value, distance; for PDQ the
// bank's threshold, the differing bits (hex) and the variant that matched
// (when not the file's own hash); the source's category, series, tags and
// AI flag when present.
nlohmann::ordered_json MatchToJson(const Match& m);

}  // namespace needle::banks
