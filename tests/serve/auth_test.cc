// Bearer tokens: each known token is found with its role, and a token that
// differs anywhere, or a malformed header, is not.
#include "serve/auth.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "test_support.h"

namespace needle::serve {
namespace {

TEST(TokenAuthTest, FindsEachTokenAndNothingElse) {
  ::needle::testing::TempDir dir;
  auto store = store::BankStore::Open(dir.File("store"), true);
  ASSERT_TRUE(store.ok());
  const std::vector<std::pair<std::string, Role>> roles = {
      {"submitter", Role::kSubmitter}, {"curator", Role::kCurator}, {"reviewer", Role::kReviewer}, {"admin", Role::kAdmin}};
  std::vector<std::pair<std::string, Role>> tokens;
  for (int i = 0; i < 40; ++i) {
    const auto& [name, role] = roles[size_t(i) % roles.size()];
    auto t = (*store)->CreateToken(name, std::to_string(i));
    ASSERT_TRUE(t.ok());
    tokens.push_back({*t, role});
  }
  TokenAuth auth;
  ASSERT_TRUE(auth.Load(**store).ok());
  std::set<int64_t> ids;
  for (const auto& [token, role] : tokens) {
    auto who = auth.Check("Bearer " + token);
    ASSERT_TRUE(who.has_value()) << token;
    EXPECT_EQ(who->role, role);
    ids.insert(who->token_id);
    for (size_t at : {size_t(0), token.size() / 2, token.size() - 1}) {
      std::string other = token;
      other[at] = other[at] == 'a' ? 'b' : 'a';
      EXPECT_FALSE(auth.Check("Bearer " + other).has_value()) << other;
    }
    EXPECT_FALSE(auth.Check("Bearer " + token + " ").has_value());
    EXPECT_FALSE(auth.Check("bearer " + token).has_value());
    EXPECT_FALSE(auth.Check(token).has_value());
  }
  EXPECT_EQ(ids.size(), tokens.size());
  EXPECT_FALSE(auth.Check("").has_value());
  EXPECT_FALSE(auth.Check("Bearer ").has_value());
}

}  // namespace
}  // namespace needle::serve
