// The fast pipeline's reduced IDCT against a brute-force oracle: the full
// 8x8 inverse DCT (JPEG's definition, in double) of the block's low 4x4
// frequencies, then the mean of each 2x2 pixel square.
#include "media/jpeg_reduced_idct.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "media/decode.h"
#include "media/encode_helpers.h"

namespace needle::media {
namespace {

using internal::MakeReducedIdctTable;

// Pixel (m, n) of the 4x4 output as the oracle defines it, unclamped.
double Oracle(const int16_t* coef, const uint16_t* quant, int m, int n) {
  const double pi = std::acos(-1.0);
  auto c = [](int k) { return k == 0 ? 1.0 / std::sqrt(2.0) : 1.0; };
  double sum = 0;
  for (int y = 2 * m; y < 2 * m + 2; ++y)
    for (int x = 2 * n; x < 2 * n + 2; ++x) {
      double p = 128;
      for (int u = 0; u < 4; ++u)
        for (int v = 0; v < 4; ++v)
          p += 0.25 * c(u) * c(v) * coef[8 * u + v] * quant[8 * u + v] * std::cos((2 * y + 1) * u * pi / 16) *
               std::cos((2 * x + 1) * v * pi / 16);
      sum += p;
    }
  return sum / 4;
}

using Idct = void (*)(const int16_t*, const internal::ReducedIdctTable&, uint8_t* const*, size_t);

class ReducedIdctTest : public ::testing::TestWithParam<Idct> {
 protected:
  void RunIdct(const int16_t* coef, const uint16_t* quant, uint8_t out[4][4]) {
    uint8_t* rows[4] = {out[0], out[1], out[2], out[3]};
    GetParam()(coef, MakeReducedIdctTable(quant), rows, 0);
  }
};
INSTANTIATE_TEST_SUITE_P(SimdAndPortable, ReducedIdctTest,
                         ::testing::Values(&internal::ReducedIdct4x4, &internal::ReducedIdct4x4Portable));

TEST_P(ReducedIdctTest, MatchesTheBoxMeanOfTheLowFrequenciesOnRandomBlocks) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 2000; ++trial) {
    int16_t coef[64] = {};
    uint16_t quant[64];
    for (int i = 0; i < 64; ++i) quant[i] = static_cast<uint16_t>(1 + rng() % 40);
    // Random blocks: every frequency set, high ones too (they must not count).
    const int spread = trial % 2 == 0 ? 8 : 60;
    for (int i = 0; i < 64; ++i) coef[i] = static_cast<int16_t>(int(rng() % (2 * spread + 1)) - spread);
    coef[0] = static_cast<int16_t>(int(rng() % 41) - 20);
    uint8_t got[4][4];
    RunIdct(coef, quant, got);
    for (int m = 0; m < 4; ++m)
      for (int n = 0; n < 4; ++n) {
        const double want = std::clamp(Oracle(coef, quant, m, n), 0.0, 255.0);
        ASSERT_NEAR(got[m][n], want, 0.51) << "trial " << trial << " pixel " << m << "," << n;
      }
  }
}

TEST_P(ReducedIdctTest, FlatBlocksGiveTheirLevelAndClamp) {
  uint16_t quant[64];
  std::fill(quant, quant + 64, 2);
  for (int dc : {-600, -512, -100, 0, 100, 508, 600}) {
    int16_t coef[64] = {};
    coef[0] = static_cast<int16_t>(dc);  // DC = 8 x (mean - 128) / quant
    uint8_t got[4][4];
    RunIdct(coef, quant, got);
    const double level = std::clamp(128.0 + dc * 2 / 8.0, 0.0, 255.0);
    for (auto& row : got)
      for (uint8_t px : row) EXPECT_NEAR(px, level, 0.51) << dc;
  }
}

testing::Pixels Smooth(int channels) {
  testing::Pixels p{800, 600, channels, {}};
  p.data.resize(size_t(800) * 600 * channels);
  for (int y = 0; y < 600; ++y)
    for (int x = 0; x < 800; ++x)
      for (int c = 0; c < channels; ++c)
        p.data[(size_t(y) * 800 + x) * channels + c] =
            static_cast<uint8_t>(128 + 60 * std::sin(x / 23.0 + c) * std::cos(y / 31.0) + (x + y) % 50 - 25);
  return p;
}

Result<DecodedImage> DecodeHalfLuma(const std::vector<uint8_t>& jpeg, bool reduced_idct) {
  DecodeOptions o;
  o.jpeg_min_short_side = 256;
  o.jpeg_luma_only = true;
  o.jpeg_reduced_idct = reduced_idct;
  return Decode(jpeg.data(), jpeg.size(), o);
}

// A progressive file holds the same quantised coefficients as a baseline one
// of the same pixels and quality, so the reduced decode must be identical:
// the IDCT is installed after the whole progressive file was read too.
TEST(ReducedIdctDecodeTest, ProgressiveAndBaselineGiveTheSamePixels) {
  for (int channels : {3, 1}) {
    const testing::Pixels pixels = Smooth(channels);
    const auto progressive_file = testing::EncodeJpeg(pixels, 85, 0, /*progressive=*/true);
    auto baseline = DecodeHalfLuma(testing::EncodeJpeg(pixels, 85), true);
    auto progressive = DecodeHalfLuma(progressive_file, true);
    auto libjpeg = DecodeHalfLuma(progressive_file, false);
    ASSERT_TRUE(baseline.ok() && progressive.ok() && libjpeg.ok());
    EXPECT_EQ(progressive->scale_denom, 2);
    EXPECT_EQ(progressive->image.rgb, baseline->image.rgb) << channels;
    EXPECT_NE(progressive->image.rgb, libjpeg->image.rgb) << channels;  // it really ran
  }
}

// In a real decode it stays close to libjpeg-turbo's own 1/2-scale luma.
TEST(ReducedIdctDecodeTest, ScaledLumaDecodeStaysCloseToLibjpeg) {
  const auto jpeg = testing::EncodeJpeg(Smooth(3), 90);
  auto libjpeg = DecodeHalfLuma(jpeg, false);
  auto needle = DecodeHalfLuma(jpeg, true);
  ASSERT_TRUE(libjpeg.ok() && needle.ok());
  ASSERT_EQ(needle->scale_denom, 2);
  ASSERT_EQ(needle->image.channels, 1);
  ASSERT_EQ(needle->image.rgb.size(), libjpeg->image.rgb.size());
  double total = 0;
  int worst = 0;
  for (size_t i = 0; i < needle->image.rgb.size(); ++i) {
    const int d = std::abs(int(needle->image.rgb[i]) - int(libjpeg->image.rgb[i]));
    total += d;
    worst = std::max(worst, d);
  }
  EXPECT_LT(total / needle->image.rgb.size(), 1.5);
  EXPECT_LE(worst, 24);
  EXPECT_NE(needle->image.rgb, libjpeg->image.rgb);  // it really ran
}

}  // namespace
}  // namespace needle::media
