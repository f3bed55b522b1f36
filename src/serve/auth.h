// API tokens for needle serve: `Authorization: Bearer <token>`. Only SHA-256
// digests are kept; a presented token is hashed, the known digests sharing
// its first 64 bits are found in a hash map, and each is compared with it in
// constant time. (The map's timing tells only about the presented token's
// own digest; comparing with every token, as before, cost a locked scan per
// request.) Roles nest: admin can do
// everything; curator manages banks; reviewer works the review queue;
// submitter hashes and looks up. Thread-safe.
#pragma once

#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/bank_store.h"

namespace needle::serve {

enum class Role { kSubmitter, kCurator, kReviewer, kAdmin };  // store::kTokenRoles' order
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
  struct Known {
    std::string sha256;  // hex
    Principal who;
  };
  // Keyed by the digest's first 16 hex digits.
  std::unordered_map<std::string, std::vector<Known>> by_prefix_;
};

}  // namespace needle::serve
