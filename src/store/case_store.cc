#include "store/case_store.h"

#include <filesystem>

#include "store/bank_store.h"

namespace needle::store {
namespace {

constexpr int kCaseSchemaVersion = 2;

// Version 2: review decisions and per-reviewer settings.
constexpr const char* kCaseSchemaV2 = R"sql(
CREATE TABLE decisions(
  item_id INTEGER PRIMARY KEY REFERENCES items(id),
  category TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', reviewer TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE settings(user TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (user, key));
UPDATE meta SET value = '2' WHERE key = 'schema_version';
)sql";

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
INSERT INTO meta(key, value) VALUES ('schema_version', '1');
)sql";

}  // namespace

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
  int version = 0;
  if (row && q.Int(0) > 0) {
    NEEDLE_ASSIGN_OR_RETURN(Stmt v, db_->Prepare("SELECT value FROM meta WHERE key='schema_version'"));
    NEEDLE_ASSIGN_OR_RETURN(bool has, v.Step());
    version = has ? std::atoi(v.Text(0).c_str()) : 0;
  }
  if (version > kCaseSchemaVersion)
    return FailedPrecondition("the case was written by a newer needle (schema " + std::to_string(version) + ")");
  if (version == kCaseSchemaVersion) return Status::Ok();
  NEEDLE_ASSIGN_OR_RETURN(auto t, Transaction::Begin(*db_));
  if (version < 1) {
    NEEDLE_RETURN_IF_ERROR(db_->Exec(kCaseSchemaV1));
    NEEDLE_RETURN_IF_ERROR(db_->Exec(kAuditSchema));
  }
  if (version < 2) NEEDLE_RETURN_IF_ERROR(db_->Exec(kCaseSchemaV2));
  return t->Commit();
}

Status CaseStore::Audit(const std::string& action, const nlohmann::json& details) {
  return AppendAudit(*db_, action, details);
}

Result<AuditCheck> CaseStore::VerifyAudit() { return VerifyAuditLog(*db_); }

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

Result<std::vector<std::string>> CaseStore::ItemPaths(int64_t item_id) {
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT path FROM paths WHERE item_id = ? ORDER BY path"));
  s.Bind(1, item_id);
  std::vector<std::string> paths;
  for (;;) {
    NEEDLE_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return paths;
    paths.push_back(s.Text(0));
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

Result<int64_t> CaseStore::Decide(int64_t item_id, const std::string& category, const std::string& note,
                                  bool whole_cluster, const std::string& reviewer) {
  NEEDLE_ASSIGN_OR_RETURN(auto t, Transaction::Begin(*db_));
  std::vector<int64_t> ids{item_id};
  NEEDLE_ASSIGN_OR_RETURN(Stmt c, db_->Prepare("SELECT cluster_id FROM items WHERE id = ?"));
  c.Bind(1, item_id);
  NEEDLE_ASSIGN_OR_RETURN(bool row, c.Step());
  if (!row) return NotFound("no item " + std::to_string(item_id));
  const int64_t cluster = c.Int(0);
  c.Reset();
  if (whole_cluster && cluster != 0) {
    ids.clear();
    NEEDLE_ASSIGN_OR_RETURN(Stmt m, db_->Prepare("SELECT id FROM items WHERE cluster_id = ?"));
    m.Bind(1, cluster);
    for (;;) {
      NEEDLE_ASSIGN_OR_RETURN(bool r, m.Step());
      if (!r) break;
      ids.push_back(m.Int(0));
    }
  }
  NEEDLE_ASSIGN_OR_RETURN(Stmt up, db_->Prepare(
      "INSERT INTO decisions(item_id, category, note, reviewer, at) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT(item_id) DO UPDATE SET category = excluded.category, note = excluded.note, "
      "reviewer = excluded.reviewer, at = excluded.at"));
  const std::string now = NowUtc();
  for (int64_t id : ids) NEEDLE_RETURN_IF_ERROR(up.Bind(1, id).Bind(2, category).Bind(3, note).Bind(4, reviewer).Bind(5, now).Run());
  NEEDLE_RETURN_IF_ERROR(AppendAudit(*db_, "review.decision",
                                     {{"items", ids}, {"category", category}, {"note", note}, {"reviewer", reviewer},
                                      {"scope", whole_cluster ? "cluster" : "item"}},
                                     true));
  NEEDLE_RETURN_IF_ERROR(t->Commit());
  return static_cast<int64_t>(ids.size());
}

Result<std::map<int64_t, CaseStore::Decision>> CaseStore::Decisions() {
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT item_id, category, note, reviewer, at FROM decisions"));
  std::map<int64_t, Decision> out;
  for (;;) {
    NEEDLE_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    out[s.Int(0)] = Decision{s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)};
  }
}

Result<std::string> CaseStore::Setting(const std::string& user, const std::string& key) {
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT value FROM settings WHERE user = ? AND key = ?"));
  s.Bind(1, user).Bind(2, key);
  NEEDLE_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Text(0) : std::string();
}

Status CaseStore::SetSetting(const std::string& user, const std::string& key, const std::string& value) {
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(
      "INSERT INTO settings(user, key, value) VALUES (?, ?, ?) ON CONFLICT(user, key) DO UPDATE SET value = excluded.value"));
  return s.Bind(1, user).Bind(2, key).Bind(3, value).Run();
}

Result<int64_t> CaseStore::ItemsChangedSinceTriage() {
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT count(*) FROM items WHERE triaged = 0"));
  NEEDLE_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : 0;
}

}  // namespace needle::store
