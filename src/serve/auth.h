// API tokens for needle serve: `Authorization: Bearer <token>`. Only SHA-256
// digests are kept; a presented token is hashed and its digest looked up.
// The lookup's timing can only tell about the digest of the token presented,
// never about a valid token (that would take a SHA-256 preimage), so it
// needs no constant-time scan over every known token. Roles nest: admin can do
// everything; curator manages banks; reviewer works the review queue;
// submitter hashes and looks up. Thread-safe.
#pragma once

#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "store/bank_store.h"

namespace needle::serve {

enum class Role { kSubmitter, kCurator, kReviewer, kAdmin };
const char* RoleName(Role r);

struct Principal {
  int64_t token_id = 0;
  Role role = Role::kSubmitter;
};

class TokenAuth {
 public:
  Status Load(store::BankStore& store);
  // nullopt when the header is missing or the token unknown.
  std::optional<Principal> Check(const std::string& authorization_header) const;
  static bool Allows(Role have, Role need);

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Principal> by_digest_;  // hex SHA-256 -> principal
};

}  // namespace needle::serve
