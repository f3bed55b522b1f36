#include "provenance/cbor_value.h"

#include <gtest/gtest.h>

namespace needle::provenance {
namespace {

Result<CborValue> Decode(std::vector<uint8_t> b) { return DecodeCbor(b.data(), b.size()); }

TEST(CborValueTest, DecodesCoseShapes) {
  // 18([h'A10126', {}, null, h'00'])  (tag 18, protected {1: -7})
  auto r = Decode({0xD2, 0x84, 0x43, 0xA1, 0x01, 0x26, 0xA0, 0xF6, 0x41, 0x00});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->type, CborValue::Type::kTag);
  EXPECT_EQ(r->tag, 18u);
  const CborValue& a = r->Untagged();
  ASSERT_EQ(a.items.size(), 4u);
  auto prot = DecodeCbor(reinterpret_cast<const uint8_t*>(a.items[0].s.data()), a.items[0].s.size());
  ASSERT_TRUE(prot.ok());
  ASSERT_NE(prot->Get(int64_t(1)), nullptr);
  EXPECT_EQ(prot->Get(int64_t(1))->i, -7);
}

// Found by `make fuzz` (c2pa_fuzzer): an array declaring 2^34 items made
// libcbor try to allocate 22 GB before reading a single element.
TEST(CborValueTest, HugeDeclaredCountsAreRefusedBeforeAllocation) {
  EXPECT_EQ(Decode({0x9B, 0, 0, 0, 5, 0, 0, 0, 0}).status().code(), Code::kCorrupt);       // array
  EXPECT_EQ(Decode({0xBB, 0, 0, 0, 5, 0, 0, 0, 0}).status().code(), Code::kCorrupt);       // map
  EXPECT_EQ(Decode({0x5B, 0, 0, 0, 5, 0, 0, 0, 0}).status().code(), Code::kCorrupt);       // bytes
  EXPECT_EQ(Decode({0xD2, 0x9A, 0xFF, 0xFF, 0xFF, 0xFF}).status().code(), Code::kCorrupt);  // tagged
  EXPECT_EQ(Decode({0x82, 0x01}).status().code(), Code::kCorrupt);                          // short
  EXPECT_EQ(Decode({0x01, 0x02}).status().code(), Code::kCorrupt);                          // trailing
  std::vector<uint8_t> deep(100, 0x81);
  deep.push_back(0x01);
  EXPECT_EQ(Decode(deep).status().code(), Code::kCorrupt);  // nesting
  EXPECT_TRUE(Decode({0x9F, 0x01, 0x02, 0xFF}).ok());       // indefinite array is fine
}

}  // namespace
}  // namespace needle::provenance
