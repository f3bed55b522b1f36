// Properties of the PDQ core that the conformance vectors do not pin down:
// the blocked/vectorised filter equals the reference loops bit for bit on
// every shape (including power-of-two widths and sizes below one block).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "hash/pdq.h"
#include "hash/pdq_downsample.h"

namespace needle::hash {
namespace {

std::vector<float> RandomLuma(int rows, int cols, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> px(0, 255);
  std::vector<float> v(size_t(rows) * cols);
  for (auto& x : v) x = ((0.299f * px(rng)) + (0.587f * px(rng))) + (0.114f * px(rng));
  return v;
}

TEST(PdqCoreTest, SimdLumaEqualsThePortableLoopBitForBit) {
  std::mt19937 rng(11);
  for (size_t n : {0, 1, 7, 8, 9, 15, 16, 17, 1000, 4099}) {
    std::vector<uint8_t> rgb(3 * n);
    for (auto& v : rgb) v = uint8_t(rng());
    if (n >= 8) std::fill(rgb.begin(), rgb.begin() + 24, uint8_t(255));  // extremes too
    std::vector<float> fast(n + 1, -1.0f), portable(n + 1, -1.0f);
    LumaFromRgb(rgb.data(), n, fast.data());
    internal::LumaFromRgbPortable(rgb.data(), n, portable.data());
    ASSERT_EQ(0, std::memcmp(fast.data(), portable.data(), (n + 1) * sizeof(float))) << n;  // no write past n
  }
}

TEST(PdqCoreTest, BlockedFilterEqualsReferenceLoopsBitForBit) {
  const int shapes[][2] = {{5, 5}, {7, 300}, {64, 64}, {17, 33}, {128, 512}, {512, 512}, {300, 1024}, {1001, 257}};
  for (auto [rows, cols] : shapes) {
    auto a = RandomLuma(rows, cols, rows * 131 + cols);
    auto b = a;
    std::vector<float> s1(a.size()), s2(a.size());
    int wr = internal::JaroszWindow(cols, 64), wc = internal::JaroszWindow(rows, 64);
    internal::JaroszFilter(a.data(), s1.data(), rows, cols, wr, wc);
    internal::JaroszFilterNaive(b.data(), s2.data(), rows, cols, wr, wc);
    ASSERT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(float))) << rows << "x" << cols;
  }
}

TEST(PdqCoreTest, PrunedDownsampleEqualsFullFilterThenDecimate) {
  // The fast path skips outputs the 64x64 sampling never reads; the samples
  // it keeps must equal the full reference filter's, bit for bit.
  const int shapes[][2] = {{5, 5}, {6, 63}, {63, 65}, {64, 64}, {65, 64}, {129, 127}, {300, 200},
                           {512, 512}, {1004, 1600}, {17, 1031}, {2000, 33}, {3001, 70}, {4032, 19}};
  for (auto [rows, cols] : shapes) {
    auto a = RandomLuma(rows, cols, rows * 7 + cols * 3);
    auto b = a;
    std::vector<float> s(a.size());
    internal::JaroszFilterNaive(b.data(), s.data(), rows, cols, internal::JaroszWindow(cols, 64),
                                internal::JaroszWindow(rows, 64));
    float want[64 * 64], got[64 * 64];
    internal::Decimate64(b.data(), rows, cols, want);
    internal::Downsample64(a.data(), rows, cols, got);
    ASSERT_EQ(0, std::memcmp(want, got, sizeof want)) << rows << "x" << cols;
  }
}

TEST(PdqCoreTest, SampledTentEqualsReferenceFilterUpToRounding) {
  // The fast pipeline's downsampler folds the box passes into tent weights
  // evaluated only at the samples: the same linear filter, other float order.
  const int shapes[][2] = {{5, 5}, {6, 63}, {63, 65}, {65, 64}, {129, 127}, {300, 200}, {456, 608},
                           {1004, 1600}, {17, 1031}, {2000, 33}, {760, 1008}};
  for (auto [rows, cols] : shapes) {
    std::mt19937 rng(rows * 5 + cols);
    std::vector<uint8_t> grey(size_t(rows) * cols);
    for (auto& g : grey) g = uint8_t(rng());
    std::vector<float> luma(grey.begin(), grey.end()), copy = luma;
    float want[64 * 64], from_float[64 * 64], from_grey[64 * 64];
    internal::Downsample64(luma.data(), rows, cols, want);
    internal::Downsample64Tent(copy.data(), rows, cols, from_float);
    internal::Downsample64Tent(grey.data(), rows, cols, from_grey);
    for (int i = 0; i < 64 * 64; ++i) {
      ASSERT_NEAR(from_float[i], want[i], 2e-3f) << rows << "x" << cols << " sample " << i;
      ASSERT_EQ(from_float[i], from_grey[i]) << rows << "x" << cols << " sample " << i;
    }
  }
}

TEST(PdqCoreTest, SampledTentHashesStayWithinAFewBitsOfTheReference) {
  // Smooth content, where bits are stable: rounding differences flip none or
  // almost none of them.
  const int rows = 456, cols = 608;
  std::vector<uint8_t> grey(size_t(rows) * cols);
  for (int y = 0; y < rows; ++y)
    for (int x = 0; x < cols; ++x)
      grey[size_t(y) * cols + x] = uint8_t(128 + 60 * std::sin(x * 0.013 + y * 0.007) + 50 * std::cos(y * 0.021 - x * 0.004));
  PdqHash ref = PdqFromRgb(grey.data(), cols, rows, 1);
  PdqHash tent = PdqFromRgb(grey.data(), cols, rows, 1, Downsampler::kSampledTent);
  EXPECT_EQ(ref.quality, tent.quality);
  EXPECT_LE(Distance(ref.hash, tent.hash), 2);
  PdqDihedral dref = PdqDihedralFromRgb(grey.data(), cols, rows, 1);
  PdqDihedral dtent = PdqDihedralFromRgb(grey.data(), cols, rows, 1, Downsampler::kSampledTent);
  EXPECT_LE(Distance(dref.rot90, dtent.rot90), 2);
}

TEST(PdqCoreTest, WindowSizesFollowTheReference) {
  EXPECT_EQ(internal::JaroszWindow(1600, 64), 13);  // ceil(1600/128)
  EXPECT_EQ(internal::JaroszWindow(128, 64), 1);
  EXPECT_EQ(internal::JaroszWindow(129, 64), 2);
  EXPECT_EQ(internal::JaroszWindow(5, 64), 1);
}

TEST(PdqCoreTest, TinyImagesGiveZeroHashAndQualityZero) {
  std::vector<uint8_t> rgb(4 * 4 * 3, 200);
  PdqHash h = PdqFromRgb(rgb.data(), 4, 4);
  EXPECT_EQ(h.quality, 0);
  EXPECT_EQ(h.hash, Hash256{});
  std::vector<uint8_t> wide(100 * 4 * 3, 10);
  EXPECT_EQ(PdqFromRgb(wide.data(), 100, 4).quality, 0);
}

TEST(PdqCoreTest, HashHasAtMost128BitsSetAndIsDeterministic) {
  std::vector<uint8_t> rgb(320 * 240 * 3);
  std::mt19937 rng(3);
  for (auto& b : rgb) b = static_cast<uint8_t>(rng());
  PdqHash a = PdqFromRgb(rgb.data(), 320, 240);
  PdqHash b = PdqFromRgb(rgb.data(), 320, 240);
  EXPECT_EQ(a.hash, b.hash);
  int ones = 0;
  for (int k = 0; k < 256; ++k) ones += a.hash.Bit(k);
  EXPECT_LE(ones, 128);
  EXPECT_GE(ones, 120);
}

TEST(PdqCoreTest, DihedralTransposeIsExactOnPixels) {
  // pdq.md §3: flipplus1 (transpose) is the one variant that equals the hash
  // of truly transposed pixels.
  const int w = 200, h = 150;
  std::vector<uint8_t> rgb(size_t(w) * h * 3), t(size_t(w) * h * 3);
  std::mt19937 rng(4);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      uint8_t v = static_cast<uint8_t>((x * 3 + y * 5 + (rng() % 40)) & 255);
      for (int c = 0; c < 3; ++c) rgb[(size_t(y) * w + x) * 3 + c] = v;
    }
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c) t[(size_t(x) * h + y) * 3 + c] = rgb[(size_t(y) * w + x) * 3 + c];
  PdqDihedral d = PdqDihedralFromRgb(rgb.data(), w, h);
  PdqHash tp = PdqFromRgb(t.data(), h, w);
  EXPECT_EQ(d.flipplus1, tp.hash);
}

TEST(PdqCoreTest, OrientationMapsToTheInverseTransform) {
  PdqDihedral d;
  d.orig.SetBit(1);
  d.rot270.SetBit(2);
  d.rot90.SetBit(3);
  EXPECT_EQ(&OrientedVariant(d, 1), &d.orig);
  EXPECT_EQ(&OrientedVariant(d, 6), &d.rot270);
  EXPECT_EQ(&OrientedVariant(d, 8), &d.rot90);
  EXPECT_EQ(&OrientedVariant(d, 3), &d.rot180);
  EXPECT_EQ(&OrientedVariant(d, 0), &d.orig);
}

}  // namespace
}  // namespace needle::hash
