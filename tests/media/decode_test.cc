// Decoders against known pixels: lossless formats must give back exactly
// what was encoded, under the colour policy (alpha dropped, grey replicated).
#include "media/decode.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "media/encode_helpers.h"
#include "test_support.h"

namespace needle::media {
namespace {

using namespace ::needle::testing;

Result<DecodedImage> DecodeBytes(const std::vector<uint8_t>& b, DecodeOptions o = {}) {
  return Decode(b.data(), b.size(), o);
}

void ExpectExact(const std::vector<uint8_t>& bytes, const Pixels& p, Format f) {
  auto d = DecodeBytes(bytes);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->format, f);
  EXPECT_EQ(d->width, p.width);
  EXPECT_EQ(d->height, p.height);
  ASSERT_EQ(d->image.width, p.width);
  EXPECT_TRUE(d->image.rgb == ExpectedRgb(p)) << FormatName(f);
}

TEST(DecodeTest, PngAllColourTypesDropAlphaAndReplicateGrey) {
  for (int ch : {1, 2, 3, 4}) {
    Pixels p = Pattern(37, 23, ch, ch);
    ExpectExact(EncodePng(p), p, Format::kPng);
    ExpectExact(EncodePng(p, /*interlaced=*/true), p, Format::kPng);
  }
}

TEST(DecodeTest, Png16BitGreyIsClampedNotScaled) {
  std::vector<uint16_t> v = {0, 100, 255, 256, 1000, 65535};
  auto d = DecodeBytes(EncodePng16Grey(6, 1, v));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  std::vector<uint8_t> want = {0, 100, 255, 255, 255, 255};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(d->image.rgb[3 * i], want[i]) << i;
}

TEST(DecodeTest, LosslessFormatsRoundTrip) {
  Pixels p = Pattern(41, 29, 3, 9);
  ExpectExact(EncodeWebpLossless(p), p, Format::kWebp);
  ExpectExact(EncodeBmp24(p), p, Format::kBmp);
  ExpectExact(EncodeTiff(p), p, Format::kTiff);
  Pixels g = Pattern(41, 29, 1, 10);
  ExpectExact(EncodeGif(g), g, Format::kGif);
  ExpectExact(EncodeGif(g, /*interlaced=*/true), g, Format::kGif);
}

TEST(DecodeTest, JpegIsCloseAndGreyIsReplicated) {
  // A smooth image: JPEG (with 4:2:0 chroma) reproduces it closely.
  Pixels p{64, 48, 3, {}};
  for (int y = 0; y < 48; ++y)
    for (int x = 0; x < 64; ++x) p.data.insert(p.data.end(), {uint8_t(x * 3), uint8_t(y * 4), uint8_t(128 + x - y)});
  auto d = DecodeBytes(EncodeJpeg(p, 100));
  ASSERT_TRUE(d.ok());
  auto want = ExpectedRgb(p);
  double err = 0;
  for (size_t i = 0; i < want.size(); ++i) err += std::abs(int(d->image.rgb[i]) - int(want[i]));
  EXPECT_LT(err / want.size(), 4.0);
  Pixels g = Pattern(64, 48, 1, 12);
  auto dg = DecodeBytes(EncodeJpeg(g, 95));
  ASSERT_TRUE(dg.ok());
  for (size_t i = 0; i < dg->image.rgb.size(); i += 3) {
    ASSERT_EQ(dg->image.rgb[i], dg->image.rgb[i + 1]);
    ASSERT_EQ(dg->image.rgb[i], dg->image.rgb[i + 2]);
  }
}

TEST(DecodeTest, JpegOrientationIsRecordedNotApplied) {
  Pixels p = Pattern(40, 20, 3, 13);
  auto d = DecodeBytes(EncodeJpeg(p, 90, /*orientation=*/6));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->orientation, 6);
  EXPECT_EQ(d->image.width, 40);  // not rotated
  EXPECT_EQ(d->image.height, 20);
}

TEST(DecodeTest, JpegScaledDecodeKeepsShortSide) {
  Pixels p = Pattern(1200, 800, 3, 14);
  DecodeOptions o;
  o.jpeg_min_short_side = 256;
  auto d = DecodeBytes(EncodeJpeg(p, 90), o);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->scale_denom, 2);  // 800/4 = 200 < 256, so 1/2
  EXPECT_EQ(d->image.width, 600);
  EXPECT_EQ(d->width, 1200);  // native size still reported
}

TEST(DecodeTest, HeifAndAvifDecodeWhenEncodersExist) {
  Pixels p = Pattern(64, 48, 3, 15);
  for (bool avif : {false, true}) {
    auto bytes = EncodeHeif(p, avif);
    if (bytes.empty()) continue;
    auto d = DecodeBytes(bytes);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(d->format, avif ? Format::kAvif : Format::kHeif);
    EXPECT_EQ(d->image.width, 64);
    EXPECT_EQ(d->image.height, 48);
  }
}

TEST(DecodeTest, PixelLimitIsEnforcedFromTheHeader) {
  Pixels p = Pattern(100, 100, 3, 16);
  DecodeOptions o;
  o.max_pixels = 9999;
  for (auto bytes : {EncodePng(p), EncodeJpeg(p, 90), EncodeWebpLossless(p), EncodeBmp24(p), EncodeTiff(p),
                     EncodeGif(Pattern(100, 100, 1))}) {
    auto d = DecodeBytes(bytes, o);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.status().code(), Code::kTooLarge) << d.status().ToString();
  }
  o.max_pixels = 10000;
  EXPECT_TRUE(DecodeBytes(EncodePng(p), o).ok());
}

TEST(DecodeTest, HugeDimensionsInATinyFileAreRefusedBeforeAllocation) {
  // A PNG header claiming 60000 x 60000 (3.6 gigapixels, ~11 GB of RGB)
  // followed by nothing. Allocating first would abort under ASan.
  Pixels p = Pattern(8, 8, 3);
  auto png = EncodePng(p);
  auto be32 = [&](size_t off, uint32_t v) {
    png[off] = v >> 24, png[off + 1] = (v >> 16) & 255, png[off + 2] = (v >> 8) & 255, png[off + 3] = v & 255;
  };
  be32(16, 60000);
  be32(20, 60000);
  // Fix the IHDR CRC so libpng reads the header.
  uint32_t crc = 0xffffffffu;
  for (size_t i = 12; i < 29; ++i) {
    crc ^= png[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
  }
  be32(29, ~crc);
  auto d = DecodeBytes(png);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Code::kTooLarge) << d.status().ToString();
}

TEST(DecodeTest, UnsupportedFormatIsAClearError) {
  std::string text = "just some text, not an image";
  auto d = Decode(reinterpret_cast<const uint8_t*>(text.data()), text.size(), {});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Code::kUnsupported);
}

TEST(DecodeTest, SharedModesFollowThePillowPolicy) {
  // CMYK.jpg and the palette/bilevel/grey PNGs are covered bit-exactly by the
  // PDQ conformance test; here only check they decode to the right size.
  for (const char* f : {"CMYK.jpg", "YCbCr.jpg", "1.png", "L.png", "P.png"}) {
    auto bytes = ReadFile(DataDir() + "/pdq/images/misc-images/modes/" + f);
    auto d = Decode(bytes.data(), bytes.size(), {});
    ASSERT_TRUE(d.ok()) << f << ": " << d.status().ToString();
    EXPECT_EQ(d->image.rgb.size(), size_t(d->image.width) * d->image.height * 3);
  }
}

}  // namespace
}  // namespace needle::media
