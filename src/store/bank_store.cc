#include "store/bank_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <regex>

#include <openssl/rand.h>

#include "hash/digest.h"

namespace needle::store {
namespace {

constexpr int kSchemaVersion = 3;

constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE banks(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL DEFAULT 'alert' CHECK (kind IN ('alert', 'suppress')),
  pdq_threshold INTEGER NOT NULL DEFAULT 31 CHECK (pdq_threshold BETWEEN 0 AND 63),
  min_quality INTEGER NOT NULL DEFAULT 50 CHECK (min_quality BETWEEN 0 AND 100),
  enabled INTEGER NOT NULL DEFAULT 1,
  version INTEGER NOT NULL DEFAULT 1,
  created TEXT NOT NULL,
  updated TEXT NOT NULL);
CREATE TABLE entries(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  bank_id INTEGER NOT NULL REFERENCES banks(id) ON DELETE CASCADE,
  source_key TEXT NOT NULL,
  md5 TEXT, sha1 TEXT, sha256 TEXT, pdq TEXT, photodna TEXT,
  category TEXT NOT NULL DEFAULT '',
  series TEXT NOT NULL DEFAULT '',
  classification TEXT NOT NULL DEFAULT '',
  tags TEXT NOT NULL DEFAULT '[]',
  ai_generated INTEGER,
  metadata TEXT NOT NULL DEFAULT '{}',
  updated TEXT NOT NULL,
  UNIQUE (bank_id, source_key));
CREATE INDEX entries_md5 ON entries(md5) WHERE md5 IS NOT NULL;
CREATE INDEX entries_sha1 ON entries(sha1) WHERE sha1 IS NOT NULL;
CREATE INDEX entries_sha256 ON entries(sha256) WHERE sha256 IS NOT NULL;
CREATE INDEX entries_pdq ON entries(pdq) WHERE pdq IS NOT NULL;
CREATE TABLE imports(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  bank_id INTEGER NOT NULL REFERENCES banks(id) ON DELETE CASCADE,
  path TEXT NOT NULL, file_sha256 TEXT NOT NULL, format TEXT NOT NULL, at TEXT NOT NULL,
  inserted INTEGER NOT NULL, updated INTEGER NOT NULL, unchanged INTEGER NOT NULL,
  deleted INTEGER NOT NULL, missing_deletions INTEGER NOT NULL);
INSERT INTO meta(key, value) VALUES ('schema_version', '1'), ('generation', '0');
)sql";

// Version 2: API tokens, the audit log, HMA's enabled ratio.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE tokens(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sha256 TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('submitter', 'curator', 'reviewer', 'admin')),
  label TEXT NOT NULL DEFAULT '',
  created TEXT NOT NULL);
ALTER TABLE banks ADD COLUMN enabled_ratio REAL NOT NULL DEFAULT 1.0;
UPDATE meta SET value = '2' WHERE key = 'schema_version';
)sql";

// Version 3: HMA's per-content disabling, and each bank's entry count kept
// in its row (counting them took ~0.8 s at 10M entries, on every start and
// bank change). Adding a column with a constant default rewrites nothing;
// the partial index holds only disabled entries, so finding them at start-up
// reads a handful of rows, not 10M.
constexpr const char* kSchemaV3 = R"sql(
ALTER TABLE banks ADD COLUMN entry_count INTEGER NOT NULL DEFAULT 0;
UPDATE banks SET entry_count = (SELECT count(*) FROM entries e WHERE e.bank_id = banks.id);
ALTER TABLE entries ADD COLUMN disable_until_ts INTEGER NOT NULL DEFAULT 0;
CREATE INDEX entries_disabled ON entries(disable_until_ts) WHERE disable_until_ts > 0;
UPDATE meta SET value = '3' WHERE key = 'schema_version';
)sql";

const char* kEntryColumns =
    "e.id, e.bank_id, b.name, e.source_key, e.md5, e.sha1, e.sha256, e.pdq, e.photodna, e.category, e.series, "
    "e.classification, e.tags, e.ai_generated, e.metadata, e.updated, e.disable_until_ts";

BankEntry ReadEntry(const Stmt& s) {
  BankEntry e;
  e.id = s.Int(0);
  e.bank_id = s.Int(1);
  e.bank = s.Text(2);
  banks::HashRecord& r = e.record;
  r.source_key = s.Text(3);
  r.md5 = s.OptText(4);
  r.sha1 = s.OptText(5);
  r.sha256 = s.OptText(6);
  r.pdq = s.OptText(7);
  r.photodna = s.OptText(8);
  r.category = s.Text(9);
  r.series = s.Text(10);
  r.classification = s.Text(11);
  r.tags = nlohmann::json::parse(s.Text(12), nullptr, false).get<std::vector<std::string>>();
  if (!s.IsNull(13)) r.ai_generated = s.Int(13) != 0;
  r.metadata = nlohmann::json::parse(s.Text(14), nullptr, false);
  e.updated = s.Text(15);
  e.disable_until_ts = s.Int(16);
  return e;
}

bool ValidBankName(const std::string& n) {
  static const std::regex re("^[A-Za-z0-9_-]{1,64}$");
  return std::regex_match(n, re);
}

}  // namespace

const char* BankKindName(BankKind k) { return k == BankKind::kSuppress ? "suppress" : "alert"; }
std::optional<BankKind> ParseBankKind(std::string_view s) {
  if (s == "alert") return BankKind::kAlert;
  if (s == "suppress") return BankKind::kSuppress;
  return std::nullopt;
}

std::string NowUtc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string DefaultStoreDir() {
  if (const char* h = std::getenv("NEEDLE_HOME"); h && *h) return h;
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.local/share/needle";
  return ".needle";
}

Result<std::unique_ptr<BankStore>> BankStore::Open(const std::string& dir, bool create) {
  std::error_code ec;
  if (create) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return IoError(dir + ": cannot create the store directory (" + ec.message() + ")");
  } else if (!std::filesystem::is_directory(dir, ec)) {
    return NotFound(dir + ": no store here (create a bank first: needle bank create NAME --store " + dir + ")");
  }
  const std::string path = dir + "/needle.db";
  if (!create && !std::filesystem::exists(path, ec)) return NotFound(path + ": no store database");
  NEEDLE_ASSIGN_OR_RETURN(auto db, Db::Open(path, create));
  std::unique_ptr<BankStore> s(new BankStore(dir, std::move(db)));
  NEEDLE_RETURN_IF_ERROR(s->Migrate());
  return s;
}

Status BankStore::Migrate() {
  NEEDLE_ASSIGN_OR_RETURN(Stmt q, db_->Prepare("SELECT count(*) FROM sqlite_master WHERE name='meta'"));
  NEEDLE_ASSIGN_OR_RETURN(bool row, q.Step());
  bool has_meta = row && q.Int(0) > 0;
  int version = 0;
  if (has_meta) {
    NEEDLE_ASSIGN_OR_RETURN(Stmt v, db_->Prepare("SELECT value FROM meta WHERE key='schema_version'"));
    NEEDLE_ASSIGN_OR_RETURN(bool has, v.Step());
    version = has ? std::atoi(v.Text(0).c_str()) : 0;
  }
  if (version > kSchemaVersion)
    return FailedPrecondition("the store was written by a newer needle (schema " + std::to_string(version) + ")");
  if (version == kSchemaVersion) return Status::Ok();
  // Migrations, each step in the same transaction as the version bump.
  NEEDLE_ASSIGN_OR_RETURN(auto t, Transaction::Begin(*db_));
  if (version < 1) NEEDLE_RETURN_IF_ERROR(db_->Exec(kSchemaV1));
  if (version < 2) {
    NEEDLE_RETURN_IF_ERROR(db_->Exec(kSchemaV2));
    NEEDLE_RETURN_IF_ERROR(db_->Exec(kAuditSchema));
  }
  if (version < 3) NEEDLE_RETURN_IF_ERROR(db_->Exec(kSchemaV3));
  return t->Commit();
}

Status BankStore::BumpGeneration() {
  return db_->Exec("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'");
}

Status BankStore::BumpBank(int64_t bank_id, int64_t entry_delta) {
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "UPDATE banks SET version = version + 1, updated = ?, entry_count = entry_count + ? WHERE id = ?"));
  return s.Bind(1, NowUtc()).Bind(2, entry_delta).Bind(3, bank_id).Run();
}

Result<uint64_t> BankStore::Generation() {
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT value FROM meta WHERE key='generation'"));
  NEEDLE_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? std::strtoull(s.Text(0).c_str(), nullptr, 10) : 0;
}

Result<int64_t> BankStore::BankId(const std::string& name) {
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT id FROM banks WHERE name = ?"));
  s.Bind(1, name);
  NEEDLE_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound("no bank named '" + name + "' (see: needle bank list)");
  return s.Int(0);
}

Result<BankConfig> BankStore::CreateBank(const BankConfig& c) {
  if (!ValidBankName(c.name)) return InvalidArgument("bank names are 1-64 characters of A-Z a-z 0-9 _ -");
  if (c.pdq_threshold < 0 || c.pdq_threshold > 63) return InvalidArgument("PDQ threshold must be 0..63");
  if (c.min_quality < 0 || c.min_quality > 100) return InvalidArgument("minimum quality must be 0..100");
  if (!(c.enabled_ratio >= 0.0 && c.enabled_ratio <= 1.0)) return InvalidArgument("enabled_ratio must be 0..1");
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "INSERT INTO banks(name, description, kind, pdq_threshold, min_quality, enabled, created, updated, enabled_ratio) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  std::string now = NowUtc();
  s.Bind(1, c.name).Bind(2, c.description).Bind(3, BankKindName(c.kind)).Bind(4, c.pdq_threshold);
  s.Bind(5, c.min_quality).Bind(6, c.enabled ? 1 : 0).Bind(7, now).Bind(8, now).Bind(9, std::to_string(c.enabled_ratio));
  Status st = s.Run();
  if (st.code() == Code::kAlreadyExists) return AlreadyExists("bank '" + c.name + "' already exists");
  NEEDLE_RETURN_IF_ERROR(st);
  return GetBank(c.name);
}

Result<std::vector<BankConfig>> BankStore::ListBanks() {
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "SELECT b.id, b.name, b.description, b.kind, b.pdq_threshold, b.min_quality, b.enabled, b.version, "
      "b.created, b.updated, b.entry_count, b.enabled_ratio "
      "FROM banks b ORDER BY b.name"));
  std::vector<BankConfig> out;
  for (;;) {
    NEEDLE_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    BankConfig c;
    c.id = s.Int(0);
    c.name = s.Text(1);
    c.description = s.Text(2);
    c.kind = ParseBankKind(s.Text(3)).value_or(BankKind::kAlert);
    c.pdq_threshold = static_cast<int>(s.Int(4));
    c.min_quality = static_cast<int>(s.Int(5));
    c.enabled = s.Int(6) != 0;
    c.version = s.Int(7);
    c.created = s.Text(8);
    c.updated = s.Text(9);
    c.entries = s.Int(10);
    c.enabled_ratio = std::atof(s.Text(11).c_str());
    out.push_back(std::move(c));
  }
  return out;
}

Result<BankConfig> BankStore::GetBank(const std::string& name) {
  NEEDLE_ASSIGN_OR_RETURN(auto all, ListBanks());
  for (auto& b : all)
    if (b.name == name) return b;
  return NotFound("no bank named '" + name + "' (see: needle bank list)");
}

Status BankStore::UpdateBank(const BankConfig& c) {
  if (c.pdq_threshold < 0 || c.pdq_threshold > 63) return InvalidArgument("PDQ threshold must be 0..63");
  if (c.min_quality < 0 || c.min_quality > 100) return InvalidArgument("minimum quality must be 0..100");
  if (!(c.enabled_ratio >= 0.0 && c.enabled_ratio <= 1.0)) return InvalidArgument("enabled_ratio must be 0..1");
  NEEDLE_ASSIGN_OR_RETURN(int64_t id, BankId(c.name));
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "UPDATE banks SET description = ?, kind = ?, pdq_threshold = ?, min_quality = ?, enabled = ?, "
      "version = version + 1, updated = ?, enabled_ratio = ? WHERE id = ?"));
  s.Bind(1, c.description).Bind(2, BankKindName(c.kind)).Bind(3, c.pdq_threshold).Bind(4, c.min_quality);
  s.Bind(5, c.enabled ? 1 : 0).Bind(6, NowUtc()).Bind(7, std::to_string(c.enabled_ratio)).Bind(8, id);
  return s.Run();
}

Status BankStore::RenameBank(const std::string& from, const std::string& to) {
  if (!ValidBankName(to)) return InvalidArgument("bank names are 1-64 characters of A-Z a-z 0-9 _ -");
  NEEDLE_ASSIGN_OR_RETURN(int64_t id, BankId(from));
  if (from == to) return Status::Ok();
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "UPDATE banks SET name = ?, version = version + 1, updated = ? WHERE id = ?"));
  Status st = s.Bind(1, to).Bind(2, NowUtc()).Bind(3, id).Run();
  if (st.code() == Code::kAlreadyExists) return AlreadyExists("bank '" + to + "' already exists");
  return st;  // entries and the index refer to the bank by id: nothing else changes
}

Status BankStore::DeleteBank(const std::string& name) {
  NEEDLE_ASSIGN_OR_RETURN(int64_t id, BankId(name));
  NEEDLE_ASSIGN_OR_RETURN(auto t, Transaction::Begin(*db_));
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("DELETE FROM banks WHERE id = ?"));
  NEEDLE_RETURN_IF_ERROR(s.Bind(1, id).Run());
  NEEDLE_RETURN_IF_ERROR(BumpGeneration());
  return t->Commit();
}

// ---- import ----

BankStore::ImportSession::ImportSession(BankStore* s, int64_t bank_id, std::unique_ptr<Transaction> t)
    : store_(s), bank_id_(bank_id), txn_(std::move(t)) {}
BankStore::ImportSession::~ImportSession() = default;

Result<std::unique_ptr<BankStore::ImportSession>> BankStore::BeginImport(const std::string& bank) {
  NEEDLE_ASSIGN_OR_RETURN(int64_t id, BankId(bank));
  // Hash keys are random, so every insert lands on a different index page;
  // with SQLite's default 2 MB page cache a 10M-hash import took 407 s.
  // The cache is an upper bound, allocated only as pages are touched.
  NEEDLE_RETURN_IF_ERROR(db_->Exec("PRAGMA cache_size = -262144"));  // 256 MiB
  NEEDLE_ASSIGN_OR_RETURN(auto t, Transaction::Begin(*db_));
  std::unique_ptr<ImportSession> s(new ImportSession(this, id, std::move(t)));
  NEEDLE_ASSIGN_OR_RETURN(Stmt find, db_->Prepare(
      "SELECT id, md5, sha1, sha256, pdq, photodna, category, series, classification, tags, ai_generated, metadata "
      "FROM entries WHERE bank_id = ? AND source_key = ?"));
  NEEDLE_ASSIGN_OR_RETURN(Stmt ins, db_->Prepare(
      "INSERT INTO entries(bank_id, source_key, md5, sha1, sha256, pdq, photodna, category, series, classification, "
      "tags, ai_generated, metadata, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  NEEDLE_ASSIGN_OR_RETURN(Stmt upd, db_->Prepare(
      "UPDATE entries SET md5 = ?, sha1 = ?, sha256 = ?, pdq = ?, photodna = ?, category = ?, series = ?, "
      "classification = ?, tags = ?, ai_generated = ?, metadata = ?, updated = ? WHERE id = ?"));
  NEEDLE_ASSIGN_OR_RETURN(Stmt del, db_->Prepare("DELETE FROM entries WHERE bank_id = ? AND source_key = ?"));
  s->find_ = std::make_unique<Stmt>(std::move(find));
  s->insert_ = std::make_unique<Stmt>(std::move(ins));
  s->update_ = std::make_unique<Stmt>(std::move(upd));
  s->erase_ = std::make_unique<Stmt>(std::move(del));
  return s;
}

namespace {
void BindRecord(Stmt& s, int first, const banks::HashRecord& r, const std::string& now) {
  s.Bind(first, r.md5).Bind(first + 1, r.sha1).Bind(first + 2, r.sha256).Bind(first + 3, r.pdq);
  s.Bind(first + 4, r.photodna).Bind(first + 5, r.category).Bind(first + 6, r.series);
  s.Bind(first + 7, r.classification).Bind(first + 8, nlohmann::json(r.tags).dump());
  if (r.ai_generated) s.Bind(first + 9, int64_t(*r.ai_generated ? 1 : 0));
  else s.BindNull(first + 9);
  s.Bind(first + 10, r.metadata.dump()).Bind(first + 11, now);
}
}  // namespace

Status BankStore::ImportSession::Apply(const banks::HashRecord& r) {
  if (r.source_key.empty()) return InvalidArgument("record has no key and no hash");
  if (r.deleted) {
    erase_->Bind(1, bank_id_).Bind(2, r.source_key);
    NEEDLE_RETURN_IF_ERROR(erase_->Run());
    (store_->db_->Changes() > 0 ? counts_.deleted : counts_.missing_deletions)++;
    return Status::Ok();
  }
  find_->Bind(1, bank_id_).Bind(2, r.source_key);
  auto row = find_->Step();
  if (!row.ok()) {
    find_->Reset();
    return row.status();
  }
  const std::string now = NowUtc();
  if (!*row) {
    find_->Reset();
    insert_->Bind(1, bank_id_).Bind(2, r.source_key);
    BindRecord(*insert_, 3, r, now);
    NEEDLE_RETURN_IF_ERROR(insert_->Run());
    ++counts_.inserted;
    return Status::Ok();
  }
  const int64_t id = find_->Int(0);
  std::optional<int64_t> ai;
  if (!find_->IsNull(10)) ai = find_->Int(10);
  bool same = find_->OptText(1) == r.md5 && find_->OptText(2) == r.sha1 && find_->OptText(3) == r.sha256 &&
              find_->OptText(4) == r.pdq && find_->OptText(5) == r.photodna && find_->Text(6) == r.category &&
              find_->Text(7) == r.series && find_->Text(8) == r.classification &&
              find_->Text(9) == nlohmann::json(r.tags).dump() &&
              ai == (r.ai_generated ? std::optional<int64_t>(*r.ai_generated ? 1 : 0) : std::nullopt) &&
              find_->Text(11) == r.metadata.dump();
  find_->Reset();
  if (same) {
    ++counts_.unchanged;
    return Status::Ok();
  }
  BindRecord(*update_, 1, r, now);
  update_->Bind(13, id);
  NEEDLE_RETURN_IF_ERROR(update_->Run());
  ++counts_.updated;
  return Status::Ok();
}

Result<ImportCounts> BankStore::ImportSession::Commit(const std::string& path, const std::string& file_sha256,
                                                      const std::string& format) {
  Db& db = *store_->db_;
  NEEDLE_ASSIGN_OR_RETURN(Stmt log, db.Prepare(
      "INSERT INTO imports(bank_id, path, file_sha256, format, at, inserted, updated, unchanged, deleted, "
      "missing_deletions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  log.Bind(1, bank_id_).Bind(2, path).Bind(3, file_sha256).Bind(4, format).Bind(5, NowUtc());
  log.Bind(6, counts_.inserted).Bind(7, counts_.updated).Bind(8, counts_.unchanged).Bind(9, counts_.deleted);
  log.Bind(10, counts_.missing_deletions);
  NEEDLE_RETURN_IF_ERROR(log.Run());
  if (counts_.inserted + counts_.updated + counts_.deleted > 0) {
    NEEDLE_RETURN_IF_ERROR(store_->BumpGeneration());
    NEEDLE_RETURN_IF_ERROR(store_->BumpBank(bank_id_, counts_.inserted - counts_.deleted));
  }
  find_.reset();
  insert_.reset();
  update_.reset();
  erase_.reset();
  NEEDLE_RETURN_IF_ERROR(txn_->Commit());
  return counts_;
}

Result<int64_t> BankStore::AddEntry(const std::string& bank, const banks::HashRecord& r) {
  NEEDLE_ASSIGN_OR_RETURN(auto session, BeginImport(bank));
  NEEDLE_RETURN_IF_ERROR(session->Apply(r));
  NEEDLE_ASSIGN_OR_RETURN(Stmt q, db_->Prepare("SELECT id FROM entries WHERE bank_id = ? AND source_key = ?"));
  q.Bind(1, session->bank_id_).Bind(2, r.source_key);
  NEEDLE_ASSIGN_OR_RETURN(bool row, q.Step());
  int64_t id = row ? q.Int(0) : 0;
  q.Reset();
  NEEDLE_RETURN_IF_ERROR(session->Commit("(api)", "", "api").status());
  return id;
}

Result<int> BankStore::RemoveEntry(const std::string& bank, int64_t entry_id) {
  NEEDLE_ASSIGN_OR_RETURN(int64_t bid, BankId(bank));
  NEEDLE_ASSIGN_OR_RETURN(auto t, Transaction::Begin(*db_));
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("DELETE FROM entries WHERE id = ? AND bank_id = ?"));
  NEEDLE_RETURN_IF_ERROR(s.Bind(1, entry_id).Bind(2, bid).Run());
  int n = db_->Changes();
  if (n > 0) {
    NEEDLE_RETURN_IF_ERROR(BumpGeneration());
    NEEDLE_RETURN_IF_ERROR(BumpBank(bid, -n));
  }
  NEEDLE_RETURN_IF_ERROR(t->Commit());
  return n;
}

Status BankStore::UpdateEntryState(const std::string& bank, int64_t entry_id, std::optional<int64_t> disable_until_ts,
                                   const std::optional<std::string>& note) {
  NEEDLE_ASSIGN_OR_RETURN(int64_t bid, BankId(bank));
  if (disable_until_ts && *disable_until_ts < 0) return InvalidArgument("disable_until_ts must be >= 0");
  NEEDLE_ASSIGN_OR_RETURN(auto t, Transaction::Begin(*db_));
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "UPDATE entries SET disable_until_ts = coalesce(?, disable_until_ts), "
      "metadata = CASE WHEN ? IS NULL THEN metadata ELSE json_set(metadata, '$.note', ?) END, updated = ? "
      "WHERE id = ? AND bank_id = ?"));
  if (disable_until_ts) s.Bind(1, *disable_until_ts);
  if (note) s.Bind(2, *note).Bind(3, *note);
  NEEDLE_RETURN_IF_ERROR(s.Bind(4, NowUtc()).Bind(5, entry_id).Bind(6, bid).Run());
  if (db_->Changes() == 0) return NotFound("bank " + bank + " has no content " + std::to_string(entry_id));
  NEEDLE_RETURN_IF_ERROR(BumpBank(bid));  // the index is unchanged: no new generation
  return t->Commit();
}

Result<std::vector<std::pair<int64_t, int64_t>>> BankStore::DisabledEntries(int64_t now) {
  // "> 0" repeats the partial index's condition word for word: SQLite uses
  // the index only when it can see that; without it, this read all 10M rows.
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "SELECT id, disable_until_ts FROM entries WHERE disable_until_ts > 0 AND disable_until_ts > ?"));
  s.Bind(1, now);
  std::vector<std::pair<int64_t, int64_t>> out;
  for (;;) {
    NEEDLE_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.emplace_back(s.Int(0), s.Int(1));
  }
  return out;
}

Status BankStore::ForEachEntry(const std::string& bank, const std::function<Status(const BankEntry&)>& fn) {
  NEEDLE_ASSIGN_OR_RETURN(int64_t id, BankId(bank));
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(std::string("SELECT ") + kEntryColumns +
                                                " FROM entries e JOIN banks b ON b.id = e.bank_id WHERE e.bank_id = ? "
                                                "ORDER BY e.id"));
  s.Bind(1, id);
  for (;;) {
    NEEDLE_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Ok();
    NEEDLE_RETURN_IF_ERROR(fn(ReadEntry(s)));
  }
}

Result<std::vector<BankEntry>> BankStore::EntriesById(const std::vector<int64_t>& ids) {
  std::vector<BankEntry> out;
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(std::string("SELECT ") + kEntryColumns +
                                                " FROM entries e JOIN banks b ON b.id = e.bank_id WHERE e.id = ?"));
  for (int64_t id : ids) {
    s.Bind(1, id);
    NEEDLE_ASSIGN_OR_RETURN(bool row, s.Step());
    if (row) out.push_back(ReadEntry(s));
    s.Reset();
  }
  return out;
}

const char* DigestTypeName(DigestType type) {
  return type == DigestType::kMd5 ? "md5" : type == DigestType::kSha1 ? "sha1" : "sha256";
}

Result<int64_t> BankStore::CountDigests(DigestType type) {
  const std::string col = DigestTypeName(type);  // the WHERE matches the partial index: it counts that index
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT count(*) FROM entries WHERE " + col + " IS NOT NULL"));
  NEEDLE_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : 0;
}

Result<std::vector<BankEntry>> BankStore::LookupDigest(DigestType type, const std::string& hex) {
  const char* col = DigestTypeName(type);
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(std::string("SELECT ") + kEntryColumns +
                                                " FROM entries e JOIN banks b ON b.id = e.bank_id WHERE e." + col +
                                                " = ? ORDER BY e.id"));
  s.Bind(1, hex);
  std::vector<BankEntry> out;
  for (;;) {
    NEEDLE_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    out.push_back(ReadEntry(s));
  }
}

Status BankStore::ForEachPdq(const std::function<void(int64_t, int64_t, const std::string&)>& fn) {
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT id, bank_id, pdq FROM entries WHERE pdq IS NOT NULL ORDER BY id"));
  for (;;) {
    NEEDLE_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Ok();
    fn(s.Int(0), s.Int(1), s.Text(2));
  }
}

}  // namespace needle::store

namespace needle::store {

std::string TokenDigest(std::string_view token) {
  return hash::Sha256Hex(reinterpret_cast<const uint8_t*>(token.data()), token.size());
}

Result<std::string> BankStore::CreateToken(const std::string& role, const std::string& label) {
  if (std::find(kTokenRoles.begin(), kTokenRoles.end(), role) == kTokenRoles.end())
    return InvalidArgument("role must be submitter, curator, reviewer or admin");
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof raw) != 1) return Internal("no randomness for a token");
  const std::string token = "ndl_" + hash::ToHex(raw, sizeof raw);
  const std::string digest = TokenDigest(token);
  NEEDLE_ASSIGN_OR_RETURN(auto t, Transaction::Begin(*db_));
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO tokens(sha256, role, label, created) VALUES (?, ?, ?, ?)"));
  NEEDLE_RETURN_IF_ERROR(s.Bind(1, digest).Bind(2, role).Bind(3, label).Bind(4, NowUtc()).Run());
  NEEDLE_RETURN_IF_ERROR(AppendAudit(*db_, "token.create", {{"id", db_->LastInsertId()}, {"role", role}, {"label", label}}, true));
  NEEDLE_RETURN_IF_ERROR(t->Commit());
  return token;
}

Result<std::vector<BankStore::TokenRecord>> BankStore::ListTokens() {
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT id, sha256, role, label, created FROM tokens ORDER BY id"));
  std::vector<TokenRecord> out;
  for (;;) {
    NEEDLE_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)});
  }
}

Status BankStore::Audit(const std::string& action, const nlohmann::json& details) {
  return AppendAudit(*db_, action, details);
}

Result<AuditCheck> BankStore::VerifyAudit() { return VerifyAuditLog(*db_); }

}  // namespace needle::store
