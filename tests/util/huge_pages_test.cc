#include "util/huge_pages.h"

#include <cstdint>
#include <numeric>

#include <gtest/gtest.h>

namespace needle::util {
namespace {

TEST(HugePages, LargeArraysAreAlignedToHugePagesAndHoldTheirValues) {
  HugeVector<uint32_t> v(3 << 20);  // 12 MiB: mapped, 2 MiB aligned
  EXPECT_EQ(reinterpret_cast<uintptr_t>(v.data()) % (2 << 20), 0u);
  std::iota(v.begin(), v.end(), 7u);
  for (size_t i = 0; i < v.size(); i += 4099) ASSERT_EQ(v[i], 7u + i);
  EXPECT_EQ(v.back(), 7u + v.size() - 1);
}

TEST(HugePages, SmallAndGrowingArraysWork) {
  HugeVector<uint8_t> v;
  for (int i = 0; i < 5 << 20; ++i) v.push_back(static_cast<uint8_t>(i));  // crosses 2 MiB while growing
  for (size_t i = 0; i < v.size(); i += 997) ASSERT_EQ(v[i], static_cast<uint8_t>(i));
  HugeVector<uint8_t> empty;
  empty.reserve(0);
  HugeVector<uint64_t> small(3, 9);
  EXPECT_EQ(small[2], 9u);
}

}  // namespace
}  // namespace needle::util
