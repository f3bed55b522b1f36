#include "needle/status.h"

#include <gtest/gtest.h>

namespace needle {
namespace {

Result<int> Half(int x) {
  if (x % 2) return InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  NEEDLE_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(StatusTest, CodesHaveStableNames) {
  EXPECT_EQ(CodeName(Code::kTruncated), "truncated");
  EXPECT_EQ(CodeName(Code::kUnsupported), "unsupported_format");
  EXPECT_EQ(CodeName(Code::kTooLarge), "too_large");
  EXPECT_EQ(Status().ToString(), "ok");
}

TEST(StatusTest, AnnotateAddsContextOnce) {
  Status s = Corrupt("bad marker");
  s.Annotate("a.jpg");
  EXPECT_EQ(s.ToString(), "corrupt: a.jpg: bad marker");
  Status ok;
  ok.Annotate("ignored");
  EXPECT_TRUE(ok.ok());
}

TEST(StatusTest, AssignOrReturnPropagates) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "odd: 3");
}

}  // namespace
}  // namespace needle
