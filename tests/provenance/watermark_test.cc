// The dwtDct watermark decoder against the reference decoder's output for
// every vector x message x variant, and an encode/decode round trip.
#include "provenance/dwtdct_watermark.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "media/decode.h"
#include "media/encode_helpers.h"
#include "test_support.h"

namespace needle::provenance {
namespace {

media::RgbImage Load(const std::string& path) {
  auto b = ::needle::testing::ReadFile(path);
  auto d = media::Decode(b.data(), b.size(), {});
  EXPECT_TRUE(d.ok()) << path;
  return d.ok() ? d->image : media::RgbImage{};
}

TEST(WatermarkTest, BitIdenticalWithTheReferenceDecoderOnEveryVector) {
  NEEDLE_REQUIRE_SHARED_OR_SKIP(shared);
  const std::string dir = shared + "/vectors/watermark/";
  auto ref = nlohmann::json::parse(std::ifstream(dir + "expected_reference_decoder.json"));
  int cases = 0;
  for (auto& [file, res] : ref["results"].items()) {
    media::RgbImage im = Load(dir + file);
    if (im.channels != 3) continue;
    for (const auto& s : DwtDctSchemes()) {
      if (!res.contains(s.name == "SDXL48" ? "SDXL48" : s.name)) continue;
      const auto& variants = res[s.name];
      for (auto& [variant, want] : variants.items()) {
        const bool fl = variant.rfind("float", 0) == 0, sw = variant.find("rgbswap") != std::string::npos;
        auto bits = DecodeDwtDctBits(im, static_cast<int>(s.bits.size()), fl, sw);
        int matched = 0;
        for (size_t i = 0; i < bits.size(); ++i) matched += bits[i] == s.bits[i];
        EXPECT_EQ(matched, want["matched"].get<int>()) << file << " " << s.name << " " << variant;
        ++cases;
      }
    }
  }
  EXPECT_GE(cases, 150);  // 14 images x 3 messages x 4 variants, less the small ones
}

TEST(WatermarkTest, EncoderRoundTripAndNegatives) {
  // A textured synthetic picture (benign noise pattern), 512x512.
  auto p = ::needle::testing::Pattern(512, 512, 3, 77);
  media::RgbImage im{512, 512, 3, ::needle::testing::ExpectedRgb(p)};
  WatermarkResult clean = DecodeDwtDct(im);
  ASSERT_TRUE(clean.checked);
  EXPECT_FALSE(clean.present);
  for (const auto& s : DwtDctSchemes()) {
    media::RgbImage marked = EncodeDwtDct(im, s.bits, /*float_domain=*/s.name == "SDXL48");
    WatermarkResult r = DecodeDwtDct(marked);
    EXPECT_TRUE(r.present) << s.name << " " << r.best.matched << "/" << r.best.total;
    EXPECT_EQ(r.best.scheme, s.name);
    EXPECT_LT(r.best.p_value, 1e-6);
  }
  media::RgbImage small{100, 100, 3, std::vector<uint8_t>(100 * 100 * 3, 128)};
  EXPECT_FALSE(DecodeDwtDct(small).checked);
}

TEST(WatermarkTest, BinomialTail) {
  EXPECT_NEAR(BinomialTail(48, 48), 3.55e-15, 1e-16);
  EXPECT_NEAR(BinomialTail(36, 48), 3.6e-4, 2e-5);
  EXPECT_DOUBLE_EQ(BinomialTail(0, 10), 1.0);
}

}  // namespace
}  // namespace needle::provenance
