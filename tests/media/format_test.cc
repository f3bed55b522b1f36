// Format detection looks at bytes only: a PNG named .jpg is a PNG.
#include "media/format.h"

#include <gtest/gtest.h>

#include "media/encode_helpers.h"
#include "test_support.h"

namespace needle::media {
namespace {

using namespace ::needle::testing;

Format Sniff(const std::vector<uint8_t>& b) { return SniffFormat(b.data(), b.size()); }

TEST(FormatTest, EachEncoderIsRecognisedByContent) {
  Pixels p = Pattern(40, 30, 3);
  EXPECT_EQ(Sniff(EncodePng(p)), Format::kPng);
  EXPECT_EQ(Sniff(EncodeJpeg(p, 90)), Format::kJpeg);
  EXPECT_EQ(Sniff(EncodeWebpLossless(p)), Format::kWebp);
  EXPECT_EQ(Sniff(EncodeGif(Pattern(40, 30, 1))), Format::kGif);
  EXPECT_EQ(Sniff(EncodeBmp24(p)), Format::kBmp);
  EXPECT_EQ(Sniff(EncodeTiff(p)), Format::kTiff);
  auto heic = EncodeHeif(Pattern(64, 64, 3), false);
  if (!heic.empty()) {
    EXPECT_EQ(Sniff(heic), Format::kHeif);
  }
  auto avif = EncodeHeif(Pattern(64, 64, 3), true);
  if (!avif.empty()) {
    EXPECT_EQ(Sniff(avif), Format::kAvif);
  }
}

TEST(FormatTest, ExtensionIsIgnored) {
  TempDir t;
  WriteFile(t.File("really-a-png.jpg"), EncodePng(Pattern(16, 16, 3)));
  auto bytes = ReadFile(t.File("really-a-png.jpg"));
  EXPECT_EQ(Sniff(bytes), Format::kPng);
}

TEST(FormatTest, NonImagesAreNamedButNotDecoded) {
  auto s = [](const std::string& x) { return std::vector<uint8_t>(x.begin(), x.end()); };
  EXPECT_EQ(Sniff(s("%PDF-1.7 ...")), Format::kUnknown);
  auto pdf = s("%PDF-1.7");
  EXPECT_EQ(SniffOtherKind(pdf.data(), pdf.size()), "pdf");
  std::vector<uint8_t> mp4 = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 0, 0, 'i', 's', 'o', 'm', 'm', 'p', '4', '1'};
  EXPECT_EQ(Sniff(mp4), Format::kUnknown);
  EXPECT_EQ(SniffOtherKind(mp4.data(), mp4.size()), "mp4");
  EXPECT_EQ(Sniff(s("BM")), Format::kUnknown);  // too short to be a BMP
  EXPECT_EQ(Sniff({}), Format::kUnknown);
}

}  // namespace
}  // namespace needle::media
