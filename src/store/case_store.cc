#include "store/case_store.h"

#include <filesystem>

#include "hash/digest.h"
#include "store/bank_store.h"

namespace needle::store {
namespace {

constexpr int kCaseSchemaVersion = 1;

constexpr const char* kCaseSchemaV1 = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  started TEXT NOT NULL, finished TEXT,
  settings TEXT NOT NULL, summary TEXT);
CREATE TABLE items(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sha256 TEXT UNIQUE,
  item TEXT NOT NULL DEFAULT '{}',
  matches TEXT NOT NULL DEFAULT '[]',
  findings TEXT NOT NULL DEFAULT '[]',
  error_code TEXT NOT NULL DEFAULT '',
  error_message TEXT NOT NULL DEFAULT '',
  class TEXT NOT NULL DEFAULT '',
  priority INTEGER NOT NULL DEFAULT 0,
  explanation TEXT NOT NULL DEFAULT '[]',
  cluster_id INTEGER NOT NULL DEFAULT 0,
  triaged INTEGER NOT NULL DEFAULT 0);
CREATE TABLE paths(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  path TEXT NOT NULL UNIQUE,
  item_id INTEGER NOT NULL REFERENCES items(id),
  size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, inode INTEGER NOT NULL,
  run_id INTEGER NOT NULL REFERENCES runs(id));
CREATE INDEX paths_item ON paths(item_id);
CREATE TABLE clusters(id INTEGER PRIMARY KEY, info TEXT NOT NULL);
CREATE TABLE audit(
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL, action TEXT NOT NULL, details TEXT NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
-- The audit log is append-only: the database itself refuses edits.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
INSERT INTO meta(key, value) VALUES ('schema_version', '1');
)sql";

}  // namespace

std::string AuditHash(const std::string& prev, int64_t seq, const std::string& at, const std::string& action,
                      const std::string& details) {
  std::string blob = prev + "\n" + std::to_string(seq) + "\n" + at + "\n" + action + "\n" + details;
  return hash::DigestBytes(reinterpret_cast<const uint8_t*>(blob.data()), blob.size()).sha256;
}

Result<std::unique_ptr<CaseStore>> CaseStore::Open(const std::string& dir, bool create) {
  std::error_code ec;
  if (create) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return IoError(dir + ": cannot create the case folder (" + ec.message() + ")");
  }
  const std::string path = dir + "/case.db";
  if (!create && !std::filesystem::exists(path, ec)) return NotFound(dir + ": no case here (run needle scan first)");
  NEEDLE_ASSIGN_OR_RETURN(auto db, Db::Open(path, create));
  std::unique_ptr<CaseStore> s(new CaseStore(dir, std::move(db)));
  NEEDLE_RETURN_IF_ERROR(s->Migrate());
  return s;
}

Status CaseStore::Migrate() {
  NEEDLE_ASSIGN_OR_RETURN(Stmt q, db_->Prepare("SELECT count(*) FROM sqlite_master WHERE name='meta'"));
  NEEDLE_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!(row && q.Int(0) > 0)) {
    NEEDLE_ASSIGN_OR_RETURN(auto t, Transaction::Begin(*db_));
    NEEDLE_RETURN_IF_ERROR(db_->Exec(kCaseSchemaV1));
    return t->Commit();
  }
  NEEDLE_ASSIGN_OR_RETURN(Stmt v, db_->Prepare("SELECT value FROM meta WHERE key='schema_version'"));
  NEEDLE_ASSIGN_OR_RETURN(bool has, v.Step());
  int version = has ? std::atoi(v.Text(0).c_str()) : 0;
  if (version > kCaseSchemaVersion)
    return FailedPrecondition("the case was written by a newer needle (schema " + std::to_string(version) + ")");
  return Status::Ok();
}

Status CaseStore::Audit(const std::string& action, const nlohmann::json& details) {
  NEEDLE_ASSIGN_OR_RETURN(auto t, Transaction::Begin(*db_));
  NEEDLE_ASSIGN_OR_RETURN(Stmt last, db_->Prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"));
  NEEDLE_ASSIGN_OR_RETURN(bool row, last.Step());
  int64_t seq = row ? last.Int(0) + 1 : 1;
  std::string prev = row ? last.Text(1) : std::string(64, '0');
  last.Reset();
  const std::string at = NowUtc(), body = details.dump();
  NEEDLE_ASSIGN_OR_RETURN(Stmt ins, db_->Prepare(
      "INSERT INTO audit(seq, at, action, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)"));
  ins.Bind(1, seq).Bind(2, at).Bind(3, action).Bind(4, body).Bind(5, prev).Bind(6, AuditHash(prev, seq, at, action, body));
  NEEDLE_RETURN_IF_ERROR(ins.Run());
  return t->Commit();
}

Result<AuditCheck> CaseStore::VerifyAudit() {
  AuditCheck c;
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT seq, at, action, details, prev_hash, hash FROM audit ORDER BY seq"));
  std::string prev(64, '0');
  int64_t expected = 1;
  for (;;) {
    NEEDLE_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ++c.entries;
    int64_t seq = s.Int(0);
    auto fail = [&](const std::string& why) {
      c.ok = false;
      c.first_bad = seq;
      c.reason = why;
    };
    if (seq != expected) fail("entry " + std::to_string(expected) + " is missing");
    else if (s.Text(4) != prev) fail("entry " + std::to_string(seq) + " does not chain to the entry before it");
    else if (AuditHash(prev, seq, s.Text(1), s.Text(2), s.Text(3)) != s.Text(5))
      fail("entry " + std::to_string(seq) + " was altered after it was written");
    if (!c.ok) return c;
    prev = s.Text(5);
    ++expected;
  }
  return c;
}

Result<bool> CaseStore::AlreadyDone(const std::string& path, const PathState& st) {
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT size, mtime_ns, inode FROM paths WHERE path = ?"));
  s.Bind(1, path);
  NEEDLE_ASSIGN_OR_RETURN(bool row, s.Step());
  return row && uint64_t(s.Int(0)) == st.size && s.Int(1) == st.mtime_ns && uint64_t(s.Int(2)) == st.inode;
}

Status CaseStore::RecordFile(const FileResult& r, int64_t run_id) {
  NEEDLE_ASSIGN_OR_RETURN(auto t, Transaction::Begin(*db_));
  int64_t item_id = 0;
  if (r.sha256) {
    NEEDLE_ASSIGN_OR_RETURN(Stmt find, db_->Prepare("SELECT id FROM items WHERE sha256 = ?"));
    find.Bind(1, *r.sha256);
    NEEDLE_ASSIGN_OR_RETURN(bool row, find.Step());
    if (row) item_id = find.Int(0);
  }
  if (item_id == 0) {
    NEEDLE_ASSIGN_OR_RETURN(Stmt ins, db_->Prepare(
        "INSERT INTO items(sha256, item, matches, findings, error_code, error_message) VALUES (?, ?, ?, ?, ?, ?)"));
    if (r.sha256) ins.Bind(1, *r.sha256);
    else ins.BindNull(1);
    ins.Bind(2, r.item.dump()).Bind(3, r.matches.dump()).Bind(4, r.findings.dump());
    ins.Bind(5, r.error_code).Bind(6, r.error_message);
    NEEDLE_RETURN_IF_ERROR(ins.Run());
    item_id = db_->LastInsertId();
  } else {
    // Same content seen again: refresh what the latest run learned.
    NEEDLE_ASSIGN_OR_RETURN(Stmt up, db_->Prepare(
        "UPDATE items SET item = ?, matches = ?, findings = ?, error_code = ?, error_message = ?, triaged = 0 "
        "WHERE id = ?"));
    up.Bind(1, r.item.dump()).Bind(2, r.matches.dump()).Bind(3, r.findings.dump());
    up.Bind(4, r.error_code).Bind(5, r.error_message).Bind(6, item_id);
    NEEDLE_RETURN_IF_ERROR(up.Run());
  }
  // The item this path pointed at before (if its content changed).
  int64_t old_item = 0;
  {
    NEEDLE_ASSIGN_OR_RETURN(Stmt o, db_->Prepare("SELECT item_id FROM paths WHERE path = ?"));
    o.Bind(1, r.path);
    NEEDLE_ASSIGN_OR_RETURN(bool row, o.Step());
    if (row) old_item = o.Int(0);
  }
  NEEDLE_ASSIGN_OR_RETURN(Stmt p, db_->Prepare(
      "INSERT INTO paths(path, item_id, size, mtime_ns, inode, run_id) VALUES (?, ?, ?, ?, ?, ?) "
      "ON CONFLICT(path) DO UPDATE SET item_id = excluded.item_id, size = excluded.size, "
      "mtime_ns = excluded.mtime_ns, inode = excluded.inode, run_id = excluded.run_id"));
  p.Bind(1, r.path).Bind(2, item_id).Bind(3, int64_t(r.state.size)).Bind(4, r.state.mtime_ns);
  p.Bind(5, int64_t(r.state.inode)).Bind(6, run_id);
  NEEDLE_RETURN_IF_ERROR(p.Run());
  // An item left without any path (the file now holds other content) goes.
  if (old_item != 0 && old_item != item_id) {
    NEEDLE_ASSIGN_OR_RETURN(Stmt d, db_->Prepare(
        "DELETE FROM items WHERE id = ? AND NOT EXISTS (SELECT 1 FROM paths WHERE item_id = ?)"));
    NEEDLE_RETURN_IF_ERROR(d.Bind(1, old_item).Bind(2, old_item).Run());
  }
  return t->Commit();
}

Result<int64_t> CaseStore::BeginRun(const nlohmann::json& settings) {
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO runs(started, settings) VALUES (?, ?)"));
  NEEDLE_RETURN_IF_ERROR(s.Bind(1, NowUtc()).Bind(2, settings.dump()).Run());
  int64_t id = db_->LastInsertId();
  nlohmann::json d = settings;
  d["run"] = id;
  NEEDLE_RETURN_IF_ERROR(Audit("run.start", d));
  return id;
}

Status CaseStore::FinishRun(int64_t run_id, const nlohmann::json& summary) {
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("UPDATE runs SET finished = ?, summary = ? WHERE id = ?"));
  NEEDLE_RETURN_IF_ERROR(s.Bind(1, NowUtc()).Bind(2, summary.dump()).Bind(3, run_id).Run());
  nlohmann::json d = summary;
  d["run"] = run_id;
  return Audit("run.finish", d);
}

Status CaseStore::ForEachItem(const std::function<Status(ItemRow&)>& fn) {
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "SELECT i.id, i.sha256, i.item, i.matches, i.findings, i.error_code, i.error_message, i.class, i.priority, "
      "i.explanation, i.cluster_id, (SELECT json_group_array(path) FROM (SELECT path FROM paths p WHERE "
      "p.item_id = i.id ORDER BY path)) FROM items i ORDER BY i.id"));
  for (;;) {
    NEEDLE_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Ok();
    ItemRow r;
    r.id = s.Int(0);
    r.sha256 = s.Text(1);
    r.item = nlohmann::json::parse(s.Text(2), nullptr, false);
    r.matches = nlohmann::json::parse(s.Text(3), nullptr, false);
    r.findings = nlohmann::json::parse(s.Text(4), nullptr, false);
    r.error_code = s.Text(5);
    r.error_message = s.Text(6);
    r.klass = s.Text(7);
    r.priority = static_cast<int>(s.Int(8));
    r.explanation = nlohmann::json::parse(s.Text(9), nullptr, false);
    r.cluster_id = s.Int(10);
    r.paths = nlohmann::json::parse(s.Text(11), nullptr, false).get<std::vector<std::string>>();
    NEEDLE_RETURN_IF_ERROR(fn(r));
  }
}

Status CaseStore::SaveVerdicts(const std::vector<ItemRow>& items,
                               const std::vector<std::pair<int64_t, nlohmann::json>>& clusters) {
  NEEDLE_ASSIGN_OR_RETURN(auto t, Transaction::Begin(*db_));
  NEEDLE_ASSIGN_OR_RETURN(Stmt up, db_->Prepare(
      "UPDATE items SET class = ?, priority = ?, explanation = ?, cluster_id = ?, triaged = 1 WHERE id = ?"));
  for (const auto& r : items) {
    up.Bind(1, r.klass).Bind(2, r.priority).Bind(3, r.explanation.dump()).Bind(4, r.cluster_id).Bind(5, r.id);
    NEEDLE_RETURN_IF_ERROR(up.Run());
  }
  NEEDLE_RETURN_IF_ERROR(db_->Exec("DELETE FROM clusters"));
  NEEDLE_ASSIGN_OR_RETURN(Stmt cl, db_->Prepare("INSERT INTO clusters(id, info) VALUES (?, ?)"));
  for (const auto& [id, info] : clusters) NEEDLE_RETURN_IF_ERROR(cl.Bind(1, id).Bind(2, info.dump()).Run());
  return t->Commit();
}

Result<nlohmann::json> CaseStore::Clusters() {
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT id, info FROM clusters ORDER BY id"));
  nlohmann::json out = nlohmann::json::array();
  for (;;) {
    NEEDLE_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    auto j = nlohmann::json::parse(s.Text(1), nullptr, false);
    j["id"] = s.Int(0);
    out.push_back(j);
  }
}

Result<int64_t> CaseStore::ItemsChangedSinceTriage() {
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT count(*) FROM items WHERE triaged = 0"));
  NEEDLE_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : 0;
}

}  // namespace needle::store
