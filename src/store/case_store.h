// The case store: one SQLite database per case (`<case>/case.db`), holding
// what a scan found: items (distinct contents, by SHA-256), the paths they
// were seen at, bank matches, findings, verdicts, clusters, and an
// append-only, hash-chained audit log of every run and setting.
//
// Crash-safety: WAL + synchronous=FULL; each file's results are written in
// one transaction together with its path row, so after a kill a file is
// either fully recorded or not at all, and a re-run picks up exactly the
// missing ones. Schema version in `meta`; migrations run on open.
// Not thread-safe: one CaseStore per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "needle/status.h"
#include "store/audit_log.h"
#include "store/sqlite.h"

namespace needle::store {

struct PathState {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t inode = 0;
};

// One processed file, as the scan hands it to the store.
struct FileResult {
  std::string path;
  PathState state;
  std::optional<std::string> sha256;     // absent when the file could not be read
  nlohmann::json item = nlohmann::json::object();  // digests, format, pdq... (stored on the item)
  nlohmann::json matches = nlohmann::json::array();
  nlohmann::json findings = nlohmann::json::array();
  std::string error_code, error_message;  // read or decode failure
};

struct ItemRow {
  int64_t id = 0;
  std::string sha256;
  nlohmann::json item;                   // hashes, format, dimensions...
  nlohmann::json matches, findings;
  std::vector<std::string> paths;
  std::string error_code, error_message;
  std::string klass;                     // triage class
  int priority = 0;
  nlohmann::json explanation = nlohmann::json::array();
  int64_t cluster_id = 0;                // 0 = none
};



class CaseStore {
 public:
  static Result<std::unique_ptr<CaseStore>> Open(const std::string& dir, bool create);

  // Audit: append an event; the chain hash covers every earlier event.
  Status Audit(const std::string& action, const nlohmann::json& details);
  Result<AuditCheck> VerifyAudit();

  // True when `path` was fully processed with this exact size/mtime/inode.
  Result<bool> AlreadyDone(const std::string& path, const PathState& st);
  // Records one file (item upsert + path + matches + findings) atomically.
  Status RecordFile(const FileResult& r, int64_t run_id);
  // Runs.
  Result<int64_t> BeginRun(const nlohmann::json& settings);
  Status FinishRun(int64_t run_id, const nlohmann::json& summary);

  // Triage results, written by the post-processing pass.
  Status ForEachItem(const std::function<Status(ItemRow&)>& fn);
  // The paths an item was found at, sorted (empty: no such item); one
  // indexed query, for the review queue's per-item requests.
  Result<std::vector<std::string>> ItemPaths(int64_t item_id);
  Status SaveVerdicts(const std::vector<ItemRow>& items, const std::vector<std::pair<int64_t, nlohmann::json>>& clusters);
  Result<nlohmann::json> Clusters();
  Result<int64_t> ItemsChangedSinceTriage();

  // Review decisions (needle serve's review queue). Each one is audited.
  struct Decision {
    int64_t item_id = 0;
    std::string category, note, reviewer;
    std::string at;
  };
  // Applies `category` to the item, or to every member of its cluster.
  Result<int64_t> Decide(int64_t item_id, const std::string& category, const std::string& note, bool whole_cluster,
                         const std::string& reviewer);
  Result<std::map<int64_t, Decision>> Decisions();
  Result<std::string> Setting(const std::string& user, const std::string& key);
  Status SetSetting(const std::string& user, const std::string& key, const std::string& value);

  const std::string& dir() const { return dir_; }
  Db& db() { return *db_; }

 private:
  CaseStore(std::string dir, std::unique_ptr<Db> db) : dir_(std::move(dir)), db_(std::move(db)) {}
  Status Migrate();
  std::string dir_;
  std::unique_ptr<Db> db_;
};

}  // namespace needle::store
