#include "serve/auth.h"

#include <mutex>

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
  NEEDLE_ASSIGN_OR_RETURN(auto tokens, store.ListTokens());
  std::unordered_map<std::string, Principal> by_digest;
  for (const auto& t : tokens) {
    Principal p;
    p.token_id = t.id;
    p.role = t.role == "admin" ? Role::kAdmin : t.role == "curator" ? Role::kCurator
             : t.role == "reviewer" ? Role::kReviewer : Role::kSubmitter;
    by_digest.emplace(t.sha256, p);
  }
  std::unique_lock<std::shared_mutex> l(mu_);
  by_digest_ = std::move(by_digest);
  return Status::Ok();
}

std::optional<Principal> TokenAuth::Check(const std::string& header) const {
  const std::string prefix = "Bearer ";
  if (header.size() <= prefix.size() || header.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  const std::string digest =
      hash::Sha256Hex(reinterpret_cast<const uint8_t*>(header.data() + prefix.size()), header.size() - prefix.size());
  std::shared_lock<std::shared_mutex> l(mu_);
  auto it = by_digest_.find(digest);
  if (it == by_digest_.end()) return std::nullopt;
  return it->second;
}

bool TokenAuth::Allows(Role have, Role need) {
  if (have == Role::kAdmin) return true;
  if (have == need) return true;
  // Curators and reviewers may also hash and look up.
  return need == Role::kSubmitter && (have == Role::kCurator || have == Role::kReviewer);
}

}  // namespace needle::serve
