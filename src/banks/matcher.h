// Looks hashes up in every bank of a store.
//
// PDQ goes through the LiveIndex: loaded from the store's memory-mapped
// snapshot when it is current, rebuilt from the database (and saved) when
// it is stale. The index is searched at the largest threshold of any
// enabled bank; each hit is then kept only if its bank is enabled, the
// distance is within that bank's threshold, and the query's quality (when
// known) reaches the bank's minimum. Digests go through the store's indexes.
#pragma once

#include <memory>
#include <optional>
#include <string>
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
  store::BankEntry entry;  // source metadata (category, series, tags...)
};

class Matcher {
 public:
  // `save_snapshot`: write a rebuilt index back to the store.
  static Result<std::unique_ptr<Matcher>> Open(store::BankStore& store, bool save_snapshot = true);

  // quality: the query's PDQ quality when known (from a file), else nullopt.
  Result<std::vector<Match>> LookupPdq(const hash::Hash256& q, std::optional<int> quality);
  Result<std::vector<Match>> LookupDigest(store::DigestType type, const std::string& hex);

  // Re-reads bank settings (after enable/disable or threshold changes).
  Status RefreshBanks();
  index::LiveIndex& index() { return index_; }
  bool loaded_from_snapshot() const { return from_snapshot_; }

 private:
  explicit Matcher(store::BankStore& s) : store_(s) {}
  Status LoadIndex(bool save);

  store::BankStore& store_;
  index::LiveIndex index_;
  std::vector<store::BankConfig> banks_;
  bool from_snapshot_ = false;
};

const char* DigestTypeName(store::DigestType t);

}  // namespace needle::banks
