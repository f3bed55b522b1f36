#include "store/audit_log.h"

#include "hash/digest.h"
#include "store/bank_store.h"

namespace needle::store {

const char* const kAuditSchema = R"sql(
CREATE TABLE audit(
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL, action TEXT NOT NULL, details TEXT NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql";

std::string AuditHash(const std::string& prev, int64_t seq, const std::string& at, const std::string& action,
                      const std::string& details) {
  std::string blob = prev + "\n" + std::to_string(seq) + "\n" + at + "\n" + action + "\n" + details;
  return hash::Sha256Hex(reinterpret_cast<const uint8_t*>(blob.data()), blob.size());
}

Status AppendAudit(Db& db, const std::string& action, const nlohmann::json& details, bool in_transaction) {
  std::unique_ptr<Transaction> t;
  if (!in_transaction) {
    NEEDLE_ASSIGN_OR_RETURN(t, Transaction::Begin(db));
  }
  NEEDLE_ASSIGN_OR_RETURN(Stmt last, db.Prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"));
  NEEDLE_ASSIGN_OR_RETURN(bool row, last.Step());
  int64_t seq = row ? last.Int(0) + 1 : 1;
  std::string prev = row ? last.Text(1) : std::string(64, '0');
  last.Reset();
  const std::string at = NowUtc(), body = details.dump();
  NEEDLE_ASSIGN_OR_RETURN(Stmt ins, db.Prepare(
      "INSERT INTO audit(seq, at, action, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)"));
  ins.Bind(1, seq).Bind(2, at).Bind(3, action).Bind(4, body).Bind(5, prev).Bind(6, AuditHash(prev, seq, at, action, body));
  NEEDLE_RETURN_IF_ERROR(ins.Run());
  return t ? t->Commit() : Status::Ok();
}

Result<AuditCheck> VerifyAuditLog(Db& db) {
  AuditCheck c;
  NEEDLE_ASSIGN_OR_RETURN(Stmt s, db.Prepare("SELECT seq, at, action, details, prev_hash, hash FROM audit ORDER BY seq"));
  std::string prev(64, '0');
  int64_t expected = 1;
  for (;;) {
    NEEDLE_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ++c.entries;
    const int64_t seq = s.Int(0);
    std::string why;
    if (seq != expected) why = "entry " + std::to_string(expected) + " is missing";
    else if (s.Text(4) != prev) why = "entry " + std::to_string(seq) + " does not chain to the entry before it";
    else if (AuditHash(prev, seq, s.Text(1), s.Text(2), s.Text(3)) != s.Text(5))
      why = "entry " + std::to_string(seq) + " was altered after it was written";
    if (!why.empty()) {
      c.ok = false;
      c.first_bad = seq;
      c.reason = why;
      return c;
    }
    prev = s.Text(5);
    ++expected;
  }
  return c;
}

}  // namespace needle::store
