// A hash-chained, append-only audit table, shared by the case store and the
// bank store. Each entry's hash covers the previous entry's hash, so an edit
// anywhere breaks the chain from there on; triggers refuse UPDATE/DELETE.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "needle/status.h"
#include "store/sqlite.h"

namespace needle::store {

struct AuditCheck {
  bool ok = true;
  int64_t entries = 0;
  int64_t first_bad = 0;  // seq of the first entry that does not verify
  std::string reason;
};

// SQL creating the `audit` table and its guards (part of a schema).
extern const char* const kAuditSchema;

// Appends (in its own transaction unless `in_transaction`).
Status AppendAudit(Db& db, const std::string& action, const nlohmann::json& details, bool in_transaction = false);
Result<AuditCheck> VerifyAuditLog(Db& db);

// SHA-256 of an audit entry, chained: H(prev | seq | at | action | details).
std::string AuditHash(const std::string& prev, int64_t seq, const std::string& at, const std::string& action,
                      const std::string& details);

}  // namespace needle::store
