// What a file is looked up by: digests, PDQ, the EXIF-upright variant and,
// on request, the rotated and mirrored variants; each entry reported once.
#include "banks/record_lookup.h"

#include <gtest/gtest.h>

#include "media/encode_helpers.h"
#include "test_support.h"

namespace needle::banks {
namespace {

using ::needle::testing::DataDir;
using ::needle::testing::ReadFile;
using ::needle::testing::TempDir;

class RecordLookupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(store::BankStore::Open(dir_.path(), true)).value();
    store::BankConfig b;
    b.name = "B";
    ASSERT_TRUE(store_->CreateBank(b).ok());
    bridge_ = ReadFile(DataDir() + "/pdq/images/bridge-mods/aaa-orig.jpg");
    hash::HashOptions o;
    o.dihedral = true;
    rec_ = hash::HashBytes("bridge", bridge_.data(), bridge_.size(), o);
    ASSERT_TRUE(rec_.error.ok()) << rec_.error.ToString();
    ASSERT_TRUE(rec_.pdq && rec_.dihedral);
  }
  int64_t Add(const std::string& key, std::optional<std::string> pdq, std::optional<std::string> md5 = {},
              const std::string& category = "") {
    HashRecord r;
    r.source_key = key;
    r.pdq = pdq;
    r.md5 = md5;
    r.category = category;
    auto id = store_->AddEntry("B", r);
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : 0;
  }
  std::unique_ptr<Matcher> Open() { return std::move(Matcher::Open(*store_)).value(); }

  TempDir dir_;
  std::unique_ptr<store::BankStore> store_;
  std::vector<uint8_t> bridge_;
  hash::FileHashRecord rec_;
};

TEST_F(RecordLookupTest, ACopyTurnedOnItsSideMatchesOnlyThroughTheVariants) {
  // The bank holds the hash of the photo's pixels turned 90 degrees: the
  // upright photo is ~half its bits away, found only by its rot90 variant.
  const auto turned_png = testing::EncodePng(testing::Rotated90(testing::DecodePixels(bridge_)));
  auto turned = hash::HashBytes("turned", turned_png.data(), turned_png.size(), {});
  ASSERT_TRUE(turned.pdq);
  const int64_t id = Add("turned", turned.pdq->hash.ToHex(), {}, "2");
  auto m = Open();

  auto plain = LookupRecord(*m, rec_, {});
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->empty());

  auto with = LookupRecord(*m, rec_, {.dihedral = true});
  ASSERT_TRUE(with.ok());
  ASSERT_EQ(with->size(), 1u);
  const Match& hit = (*with)[0];
  EXPECT_EQ(hit.entry_id, id);
  EXPECT_EQ(hit.variant, "rot90");
  EXPECT_LE(hit.distance, 8);  // pdq.md: DCT-domain variants are 0-8 bits from true rotations of this photo
  auto j = MatchToJson(hit);
  EXPECT_EQ(j["variant"], "rot90");
  EXPECT_EQ(j["threshold"], 31);
  EXPECT_EQ(j["category"], "2");
  // The differing bits are the rot90 variant XOR the entry: as many as the distance.
  ASSERT_TRUE(hit.differing);
  hash::Hash256 back = *hit.differing;
  for (size_t i = 0; i < 4; ++i) back.limb[i] ^= turned.pdq->hash.limb[i];
  EXPECT_EQ(back, rec_.dihedral->rot90);
  EXPECT_EQ(hash::Distance(*hit.differing, hash::Hash256{}), hit.distance);
  EXPECT_EQ(j["differing_bits"], hit.differing->ToHex());

  // Asked for variants the record does not carry: the file's own hash only.
  hash::FileHashRecord bare = rec_;
  bare.dihedral.reset();
  EXPECT_TRUE(LookupRecord(*m, bare, {.dihedral = true})->empty());
}

TEST_F(RecordLookupTest, EachEntryOnceAtItsBestDistanceAndTheUprightVariantNamed) {
  const hash::Hash256 own = rec_.pdq->hash;
  hash::Hash256 near = own;
  near.limb[0] ^= 0b101;  // 2 bits away
  hash::Hash256 far = own;
  for (auto& l : far.limb) l = ~l;  // 256 bits away
  const int64_t e_own = Add("own", own.ToHex());
  const int64_t e_far = Add("far", far.ToHex());
  auto m = Open();

  // The upright variant 2 bits from the entry that the own hash hits at 0:
  // reported once, as the own hash's match.
  hash::FileHashRecord r = rec_;
  r.pdq_oriented = near;
  auto ms = LookupRecord(*m, r, {});
  ASSERT_TRUE(ms.ok());
  ASSERT_EQ(ms->size(), 1u);
  EXPECT_EQ((*ms)[0].entry_id, e_own);
  EXPECT_EQ((*ms)[0].distance, 0);
  EXPECT_EQ((*ms)[0].variant, "");
  EXPECT_FALSE(MatchToJson((*ms)[0]).contains("variant"));

  // An entry only the upright variant reaches says so; order is by distance.
  r.pdq_oriented = far;
  ms = LookupRecord(*m, r, {});
  ASSERT_TRUE(ms.ok());
  ASSERT_EQ(ms->size(), 2u);
  EXPECT_EQ((*ms)[0].entry_id, e_own);
  EXPECT_EQ((*ms)[1].entry_id, e_far);
  EXPECT_EQ((*ms)[1].variant, "oriented");
}

TEST_F(RecordLookupTest, DigestMatchesComeFirstWithTheirSourceFields) {
  Add("bytes", std::nullopt, rec_.digests->md5, "1");
  Add("pixels", rec_.pdq->hash.ToHex());
  auto ms = LookupRecord(*Open(), rec_, {});
  ASSERT_TRUE(ms.ok());
  ASSERT_EQ(ms->size(), 2u);
  EXPECT_EQ((*ms)[0].type, "md5");
  EXPECT_EQ(MatchToJson((*ms)[0])["category"], "1");
  EXPECT_FALSE(MatchToJson((*ms)[0]).contains("threshold"));
  EXPECT_EQ((*ms)[1].type, "pdq");
}

}  // namespace
}  // namespace needle::banks
