// Hostile input: every sample truncated at several offsets and with bytes
// flipped. The decoder must return a clean error or an image, never crash,
// and the digests must always describe the bytes actually read.
#include <gtest/gtest.h>

#include <dirent.h>

#include <random>

#include "hash/file_hasher.h"
#include "media/decode.h"
#include "media/encode_helpers.h"
#include "test_support.h"

namespace needle::media {
namespace {

using namespace ::needle::testing;

std::vector<std::vector<uint8_t>> Corpus() {
  std::vector<std::vector<uint8_t>> c;
  Pixels p = Pattern(48, 40, 3, 21);
  c.push_back(EncodePng(p));
  c.push_back(EncodePng(Pattern(48, 40, 4, 22), true));
  c.push_back(EncodeJpeg(p, 85));
  c.push_back(EncodeWebpLossless(p));
  c.push_back(EncodeGif(Pattern(48, 40, 1, 23)));
  c.push_back(EncodeBmp24(p));
  c.push_back(EncodeTiff(p));
  auto heic = EncodeHeif(p, false);
  if (!heic.empty()) c.push_back(heic);
  auto avif = EncodeHeif(p, true);
  if (!avif.empty()) c.push_back(avif);
  // The bundled samples, whatever their format.
  std::string dir = SourceDir() + "/samples";
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.' && e->d_type == DT_REG) c.push_back(ReadFile(dir + "/" + e->d_name));
    closedir(d);
  }
  return c;
}

// channels: what a decode that succeeds must give (3, or 1 for luma only).
bool CleanOutcome(const Result<DecodedImage>& r, int channels = 3) {
  if (r.ok())
    return r->image.channels == channels &&
           r->image.rgb.size() == size_t(r->image.width) * r->image.height * size_t(channels);
  Code c = r.status().code();
  return (c == Code::kTruncated || c == Code::kCorrupt || c == Code::kUnsupported || c == Code::kTooLarge) &&
         !r.status().message().empty();
}

TEST(CorruptInputTest, TruncationAtManyOffsetsGivesCleanErrors) {
  int truncated_reported = 0, cases = 0;
  for (const auto& file : Corpus()) {
    for (double frac : {0.0, 0.01, 0.1, 0.33, 0.5, 0.75, 0.9, 0.99}) {
      size_t n = static_cast<size_t>(file.size() * frac);
      std::vector<uint8_t> cut(file.begin(), file.begin() + n);
      auto r = Decode(cut.data(), cut.size(), {});
      EXPECT_TRUE(CleanOutcome(r)) << "size " << file.size() << " cut at " << n << ": " << r.status().ToString();
      ++cases;
      if (!r.ok() && r.status().code() == Code::kTruncated) ++truncated_reported;
    }
  }
  // Most cuts must be named as truncation, not just "corrupt".
  EXPECT_GT(truncated_reported, cases / 3);
}

TEST(CorruptInputTest, FlippedBytesNeverCrash) {
  std::mt19937 rng(99);
  for (const auto& file : Corpus()) {
    for (int trial = 0; trial < 25; ++trial) {
      std::vector<uint8_t> bad = file;
      int flips = 1 + int(rng() % 16);
      for (int i = 0; i < flips; ++i) bad[rng() % bad.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
      auto r = Decode(bad.data(), bad.size(), {});
      EXPECT_TRUE(CleanOutcome(r)) << r.status().ToString();
    }
  }
}

// The fast pipeline's JPEG path (DCT-scaled to 1/2, luma only, needle's
// reduced IDCT) is a path of its own through libjpeg: same promise.
TEST(CorruptInputTest, FastJpegDecodeFailsCleanlyToo) {
  DecodeOptions fast;
  fast.jpeg_min_short_side = 40;  // 96x80 -> 48x40, at 1/2
  fast.jpeg_luma_only = true;
  fast.jpeg_reduced_idct = true;
  std::vector<std::vector<uint8_t>> jpegs = {EncodeJpeg(Pattern(96, 80, 3, 31), 85),
                                             EncodeJpeg(Pattern(96, 80, 3, 32), 70, 0, /*progressive=*/true),
                                             EncodeJpeg(Pattern(96, 80, 1, 33), 90)};
  std::mt19937 rng(7);
  for (const auto& file : jpegs) {
    auto whole = Decode(file.data(), file.size(), fast);
    ASSERT_TRUE(whole.ok()) << whole.status().ToString();
    EXPECT_EQ(whole->scale_denom, 2);
    for (double frac : {0.0, 0.01, 0.1, 0.33, 0.5, 0.75, 0.9, 0.99}) {
      std::vector<uint8_t> cut(file.begin(), file.begin() + static_cast<ptrdiff_t>(file.size() * frac));
      auto r = Decode(cut.data(), cut.size(), fast);
      EXPECT_TRUE(CleanOutcome(r, 1)) << "cut at " << cut.size() << ": " << r.status().ToString();
    }
    for (int trial = 0; trial < 25; ++trial) {
      std::vector<uint8_t> bad = file;
      for (int i = 0, flips = 1 + int(rng() % 16); i < flips; ++i)
        bad[rng() % bad.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
      auto r = Decode(bad.data(), bad.size(), fast);
      EXPECT_TRUE(CleanOutcome(r, 1)) << r.status().ToString();
    }
  }
}

TEST(CorruptInputTest, DigestsStayRightWhenDecodeFails) {
  TempDir t;
  auto jpeg = EncodeJpeg(Pattern(64, 64, 3, 30), 90);
  std::vector<uint8_t> cut(jpeg.begin(), jpeg.begin() + jpeg.size() / 2);
  WriteFile(t.File("cut.jpg"), cut);
  hash::FileHashRecord rec = hash::HashFile(t.File("cut.jpg"), {});
  EXPECT_EQ(rec.error.code(), Code::kTruncated) << rec.error.ToString();
  ASSERT_TRUE(rec.digests.has_value());
  EXPECT_EQ(rec.digests->sha256, hash::DigestBytes(cut.data(), cut.size()).sha256);
  EXPECT_EQ(*rec.size, cut.size());
  EXPECT_FALSE(rec.pdq.has_value());
}

}  // namespace
}  // namespace needle::media
