#include "serve/auth.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <mutex>

namespace needle::serve {

static_assert(store::kTokenRoles.size() == size_t(Role::kAdmin) + 1, "Role follows kTokenRoles");

const char* RoleName(Role r) { return store::kTokenRoles[static_cast<size_t>(r)]; }

namespace {
constexpr size_t kPrefix = 16;  // hex digits of a digest that key the map
}  // namespace

Status TokenAuth::Load(store::BankStore& store) {
  NEEDLE_ASSIGN_OR_RETURN(auto tokens, store.ListTokens());
  std::unordered_map<std::string, std::vector<Known>> by_prefix;
  for (const auto& t : tokens) {
    Known k;
    k.sha256 = t.sha256;
    k.who.token_id = t.id;
    // The schema admits only kTokenRoles; anything else would get the least.
    const auto at = std::find(store::kTokenRoles.begin(), store::kTokenRoles.end(), t.role);
    k.who.role = at == store::kTokenRoles.end() ? Role::kSubmitter : Role(at - store::kTokenRoles.begin());
    by_prefix[t.sha256.substr(0, kPrefix)].push_back(std::move(k));
  }
  std::unique_lock<std::shared_mutex> l(mu_);
  by_prefix_ = std::move(by_prefix);
  return Status::Ok();
}

std::optional<Principal> TokenAuth::Check(const std::string& header) const {
  const std::string prefix = "Bearer ";
  if (header.size() <= prefix.size() || header.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  const std::string digest = store::TokenDigest(std::string_view(header).substr(prefix.size()));
  std::shared_lock<std::shared_mutex> l(mu_);
  auto it = by_prefix_.find(digest.substr(0, kPrefix));
  if (it == by_prefix_.end()) return std::nullopt;
  for (const Known& k : it->second)
    if (k.sha256.size() == digest.size() && CRYPTO_memcmp(k.sha256.data(), digest.data(), digest.size()) == 0)
      return k.who;
  return std::nullopt;
}

bool TokenAuth::Allows(Role have, Role need) {
  if (have == Role::kAdmin) return true;
  if (have == need) return true;
  // Curators and reviewers may also hash and look up.
  return need == Role::kSubmitter && (have == Role::kCurator || have == Role::kReviewer);
}

}  // namespace needle::serve
