// The bank store: hash lists (banks) and their entries in one SQLite
// database, `<dir>/needle.db`, plus the PDQ index snapshot `<dir>/pdq.idx`.
//
// Durable and crash-safe: WAL with synchronous=FULL, every change in one
// transaction, so a kill at any moment leaves either the old or the new
// state. An import is all-or-nothing (ImportSession). Every change to bank
// contents bumps `generation`, which marks older index snapshots stale.
//
// The schema is written up in docs/store.md. Not thread-safe: open
// one BankStore per thread or process; SQLite serialises writers between
// processes.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "banks/hash_record.h"
#include "needle/status.h"
#include "store/audit_log.h"
#include "store/sqlite.h"

namespace needle::store {

enum class BankKind { kAlert, kSuppress };
const char* BankKindName(BankKind k);
std::optional<BankKind> ParseBankKind(std::string_view s);

struct BankConfig {
  int64_t id = 0;
  std::string name;
  std::string description;
  BankKind kind = BankKind::kAlert;
  int pdq_threshold = 31;  // 0..63
  int min_quality = 50;    // queries below this PDQ quality are not matched against the bank
  bool enabled = true;
  double enabled_ratio = 1.0;  // HMA's matching_enabled_ratio ("coinflip"), 0..1
  int64_t version = 1;     // bumped by every change to the bank or its entries
  std::string created, updated;
  int64_t entries = 0;     // filled by List/Get
};

struct BankEntry {
  int64_t id = 0;
  int64_t bank_id = 0;
  std::string bank;
  banks::HashRecord record;
  std::string updated;
  int64_t disable_until_ts = 0;  // HMA: not matched by lookups until this Unix time (0: enabled)
};

struct ImportCounts {
  int64_t inserted = 0, updated = 0, unchanged = 0, deleted = 0, missing_deletions = 0;
  int64_t Total() const { return inserted + updated + unchanged + deleted + missing_deletions; }
};

enum class DigestType { kMd5, kSha1, kSha256 };
// "md5", "sha1", "sha256": also the entries columns that hold them.
const char* DigestTypeName(DigestType t);

// API token roles as stored, in serve::Role's order (admin can do everything;
// curator and reviewer are peers, each above submitter).
inline constexpr std::array<const char*, 4> kTokenRoles = {"submitter", "curator", "reviewer", "admin"};
// What a token is stored and looked up by: the hex SHA-256 of its text.
std::string TokenDigest(std::string_view token);

class BankStore {
 public:
  // `dir` is created when `create` is true. kNotFound when absent otherwise.
  static Result<std::unique_ptr<BankStore>> Open(const std::string& dir, bool create);

  // Banks. Names: 1-64 of [A-Za-z0-9_-].
  Result<BankConfig> CreateBank(const BankConfig& config);
  Result<std::vector<BankConfig>> ListBanks();
  Result<BankConfig> GetBank(const std::string& name);
  Status UpdateBank(const BankConfig& config);  // by name; all fields but counts
  // kAlreadyExists when `to` names another bank.
  Status RenameBank(const std::string& from, const std::string& to);
  Status DeleteBank(const std::string& name);

  // One all-or-nothing import into a bank. Nothing is visible to other
  // readers until Commit(); destroying the session without Commit() rolls
  // everything back and leaves the bank exactly as it was.
  class ImportSession {
   public:
    ~ImportSession();
    Status Apply(const banks::HashRecord& r);  // upsert, or delete when r.deleted
    Result<ImportCounts> Commit(const std::string& path, const std::string& file_sha256, const std::string& format);
    const ImportCounts& counts() const { return counts_; }

   private:
    friend class BankStore;
    ImportSession(BankStore* s, int64_t bank_id, std::unique_ptr<Transaction> t);
    BankStore* store_;
    int64_t bank_id_;
    std::unique_ptr<Transaction> txn_;
    ImportCounts counts_;
    std::unique_ptr<Stmt> find_, insert_, update_, erase_;
  };
  Result<std::unique_ptr<ImportSession>> BeginImport(const std::string& bank);

  // Single entries (the service's bank management).
  Result<int64_t> AddEntry(const std::string& bank, const banks::HashRecord& r);
  Result<int> RemoveEntry(const std::string& bank, int64_t entry_id);
  // HMA's content update: disable until a Unix time (0 enables) and/or set
  // the note (kept in the metadata as "note"). kNotFound when the bank has
  // no such entry. The index is untouched; lookups filter (banks::Matcher).
  Status UpdateEntryState(const std::string& bank, int64_t entry_id, std::optional<int64_t> disable_until_ts,
                          const std::optional<std::string>& note);
  // (entry id, disable_until_ts) of every entry disabled past `now`.
  Result<std::vector<std::pair<int64_t, int64_t>>> DisabledEntries(int64_t now);

  // Reads.
  Status ForEachEntry(const std::string& bank, const std::function<Status(const BankEntry&)>& fn);
  Result<std::vector<BankEntry>> EntriesById(const std::vector<int64_t>& ids);
  Result<std::vector<BankEntry>> LookupDigest(DigestType type, const std::string& hex);
  // Entries that carry a digest of this type, in every bank.
  Result<int64_t> CountDigests(DigestType type);
  // Every PDQ entry of every bank (for building the index).
  Status ForEachPdq(const std::function<void(int64_t entry_id, int64_t bank_id, const std::string& pdq_hex)>& fn);

  Result<uint64_t> Generation();

  // API tokens: only TokenDigest(token) is stored; the token itself is
  // returned once, by CreateToken. Roles: kTokenRoles.
  struct TokenRecord {
    int64_t id = 0;
    std::string sha256, role, label, created;
  };
  Result<std::string> CreateToken(const std::string& role, const std::string& label);
  Result<std::vector<TokenRecord>> ListTokens();

  // The store's own hash-chained audit log (bank changes, tokens, API writes).
  Status Audit(const std::string& action, const nlohmann::json& details);
  Result<struct AuditCheck> VerifyAudit();
  const std::string& dir() const { return dir_; }
  std::string IndexPath() const { return dir_ + "/pdq.idx"; }
  std::string EntryBanksPath() const { return dir_ + "/pdq.banks"; }  // saved with the index (banks/entry_banks_file.h)
  Db& db() { return *db_; }

 private:
  BankStore(std::string dir, std::unique_ptr<Db> db) : dir_(std::move(dir)), db_(std::move(db)) {}
  Status Migrate();
  Status BumpGeneration();
  // A new version of the bank, whose entries grew by entry_delta.
  Status BumpBank(int64_t bank_id, int64_t entry_delta = 0);
  Result<int64_t> BankId(const std::string& name);

  std::string dir_;
  std::unique_ptr<Db> db_;
};

// The default store directory: $NEEDLE_HOME, else ~/.local/share/needle.
std::string DefaultStoreDir();

// UTC now as ISO 8601 ("2026-11-26T07:35:10Z").
std::string NowUtc();

}  // namespace needle::store
