#include "serve/auth.h"

#include <openssl/crypto.h>

#include "hash/digest.h"

namespace needle::serve {

const char* RoleName(Role r) {
  switch (r) {
    case Role::kSubmitter: return "submitter";
    case Role::kCurator: return "curator";
    case Role::kReviewer: return "reviewer";
    case Role::kAdmin: return "admin";
  }
  return "submitter";
}

Status TokenAuth::Load(store::BankStore& store) {
  NEEDLE_ASSIGN_OR_RETURN(auto t, store.ListTokens());
  std::lock_guard<std::mutex> l(mu_);
  tokens_ = std::move(t);
  return Status::Ok();
}

std::optional<Principal> TokenAuth::Check(const std::string& header) const {
  const std::string prefix = "Bearer ";
  if (header.size() <= prefix.size() || header.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  const std::string token = header.substr(prefix.size());
  const std::string digest = hash::DigestBytes(reinterpret_cast<const uint8_t*>(token.data()), token.size()).sha256;
  std::optional<Principal> found;
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& t : tokens_) {
    // Compare against every token, always the full length.
    bool same = t.sha256.size() == digest.size() && CRYPTO_memcmp(t.sha256.data(), digest.data(), digest.size()) == 0;
    if (same && !found) {
      Principal p;
      p.token_id = t.id;
      p.role = t.role == "admin" ? Role::kAdmin : t.role == "curator" ? Role::kCurator
               : t.role == "reviewer" ? Role::kReviewer : Role::kSubmitter;
      found = p;
    }
  }
  return found;
}

bool TokenAuth::Allows(Role have, Role need) {
  if (have == Role::kAdmin) return true;
  if (have == need) return true;
  // Curators and reviewers may also hash and look up.
  return need == Role::kSubmitter && (have == Role::kCurator || have == Role::kReviewer);
}

}  // namespace needle::serve
