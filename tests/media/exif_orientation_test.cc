#include "media/exif_orientation.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace needle::media {
namespace {

// A TIFF header and IFD0 with one entry: tag, type, count 1, value.
std::vector<uint8_t> Tiff(bool le, uint16_t tag, uint16_t type, uint16_t value) {
  std::vector<uint8_t> t = le ? std::vector<uint8_t>{'I', 'I', 42, 0, 8, 0, 0, 0}
                              : std::vector<uint8_t>{'M', 'M', 0, 42, 0, 0, 0, 8};
  auto u16 = [&](uint16_t v) {
    if (le) t.push_back(v & 255), t.push_back(v >> 8);
    else t.push_back(v >> 8), t.push_back(v & 255);
  };
  auto u32 = [&](uint32_t v) {
    if (le) u16(v & 0xffff), u16(v >> 16);
    else u16(v >> 16), u16(v & 0xffff);
  };
  u16(1);      // entry count
  u16(tag);
  u16(type);
  u32(1);      // value count
  u16(value);  // SHORT value, left-justified in the 4-byte field
  u16(0);
  u32(0);      // next IFD
  return t;
}

TEST(ExifOrientationTest, ReadsBothByteOrders) {
  EXPECT_EQ(ExifOrientationFromTiff(Tiff(true, 0x0112, 3, 6).data(), Tiff(true, 0x0112, 3, 6).size()), 6);
  auto be = Tiff(false, 0x0112, 3, 8);
  EXPECT_EQ(ExifOrientationFromTiff(be.data(), be.size()), 8);
  std::vector<uint8_t> app1 = {'E', 'x', 'i', 'f', 0, 0};
  app1.insert(app1.end(), be.begin(), be.end());
  EXPECT_EQ(ExifOrientation(app1.data(), app1.size()), 8);
}

TEST(ExifOrientationTest, MissingOrInvalidMeansOne) {
  auto other = Tiff(true, 0x010f, 2, 6);
  EXPECT_EQ(ExifOrientationFromTiff(other.data(), other.size()), 1);
  auto bad = Tiff(true, 0x0112, 3, 9);
  EXPECT_EQ(ExifOrientationFromTiff(bad.data(), bad.size()), 1);
  EXPECT_EQ(ExifOrientationFromTiff(nullptr, 0), 1);
}

TEST(ExifOrientationTest, HostileOffsetsAndCountsStayInBounds) {
  std::mt19937 rng(5);
  auto good = Tiff(true, 0x0112, 3, 3);
  for (int i = 0; i < 2000; ++i) {
    auto t = good;
    t[rng() % t.size()] = static_cast<uint8_t>(rng());
    size_t cut = rng() % (t.size() + 1);
    int o = ExifOrientationFromTiff(t.data(), cut);
    EXPECT_TRUE(o >= 1 && o <= 8);
  }
  // IFD offset pointing far past the end, and a huge entry count.
  std::vector<uint8_t> far = {'I', 'I', 42, 0, 0xff, 0xff, 0xff, 0x7f};
  EXPECT_EQ(ExifOrientationFromTiff(far.data(), far.size()), 1);
  std::vector<uint8_t> many = {'I', 'I', 42, 0, 8, 0, 0, 0, 0xff, 0xff};
  EXPECT_EQ(ExifOrientationFromTiff(many.data(), many.size()), 1);
}

}  // namespace
}  // namespace needle::media
