// API tokens for needle serve: `Authorization: Bearer <token>`. Only SHA-256
// digests are kept; a presented token is hashed and compared with every
// known digest in constant time (no early exit). Roles nest: admin can do
// everything; curator manages banks; reviewer works the review queue;
// submitter hashes and looks up. Thread-safe.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

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
  mutable std::mutex mu_;
  std::vector<store::BankStore::TokenRecord> tokens_;
};

}  // namespace needle::serve
