// The container walkers: every chunk in order, odd RIFF sizes padded, 64-bit
// and to-the-end BMFF sizes, and a declared length past the data stops the
// walk instead of reading beyond it.
#include "media/containers.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace needle::media {
namespace {

void Put32Be(std::vector<uint8_t>* v, uint32_t x) {
  for (int s = 24; s >= 0; s -= 8) v->push_back(uint8_t(x >> s));
}
void Put32Le(std::vector<uint8_t>* v, uint32_t x) {
  for (int s = 0; s <= 24; s += 8) v->push_back(uint8_t(x >> s));
}
void Put(std::vector<uint8_t>* v, const std::string& s) { v->insert(v->end(), s.begin(), s.end()); }

std::vector<std::string> Walk(void (*walk)(const uint8_t*, size_t, const ChunkFn&), const std::vector<uint8_t>& d) {
  std::vector<std::string> seen;
  walk(d.data(), d.size(), [&](const Chunk& c) {
    seen.push_back(std::string(c.type) + ":" + std::string(reinterpret_cast<const char*>(c.data), c.size));
    return true;
  });
  return seen;
}

TEST(Containers, PngChunksInOrderStoppingAtIendAndAtBadLengths) {
  std::vector<uint8_t> d = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  auto chunk = [&](const std::string& type, const std::string& data) {
    Put32Be(&d, uint32_t(data.size()));
    Put(&d, type);
    Put(&d, data);
    Put32Be(&d, 0);  // CRC (not checked here)
  };
  chunk("tEXt", "a\0b");
  chunk("caBX", "jumbf");
  chunk("IEND", "");
  chunk("tEXt", "after");
  EXPECT_EQ(Walk(ForEachPngChunk, d), (std::vector<std::string>{"tEXt:a", "caBX:jumbf", "IEND:"}));
  // A length past the end: nothing after the last whole chunk.
  std::vector<uint8_t> bad(d.begin(), d.begin() + 8 + 12 + 1);  // first chunk ("a" only: 1 byte)
  bad.resize(8);
  Put32Be(&bad, 1000);
  Put(&bad, "tEXt");
  Put(&bad, "short");
  EXPECT_TRUE(Walk(ForEachPngChunk, bad).empty());
}

TEST(Containers, RiffPadsOddChunks) {
  std::vector<uint8_t> d;
  Put(&d, "RIFF");
  Put32Le(&d, 0);
  Put(&d, "WEBP");
  Put(&d, "EXIF");
  Put32Le(&d, 3);
  Put(&d, "abc");
  d.push_back(0);  // pad byte
  Put(&d, "C2PA");
  Put32Le(&d, 2);
  Put(&d, "xy");
  Put(&d, "XMP ");
  Put32Le(&d, 0x7fffffff);  // hostile: far past the end
  EXPECT_EQ(Walk(ForEachRiffChunk, d), (std::vector<std::string>{"EXIF:abc", "C2PA:xy"}));
}

TEST(Containers, BmffLargeAndToTheEndSizes) {
  std::vector<uint8_t> d;
  Put32Be(&d, 12);
  Put(&d, "ftypheic");
  Put32Be(&d, 1);  // 64-bit size follows
  Put(&d, "uuid");
  Put32Be(&d, 0);
  Put32Be(&d, 16 + 3);
  Put(&d, "u16");
  Put32Be(&d, 0);  // to the end of the file
  Put(&d, "mdat");
  Put(&d, "pixels");
  EXPECT_EQ(Walk(ForEachBmffBox, d), (std::vector<std::string>{"ftyp:heic", "uuid:u16", "mdat:pixels"}));
  std::vector<uint8_t> truncated(d.begin(), d.begin() + 12 + 10);  // 64-bit header cut short
  EXPECT_EQ(Walk(ForEachBmffBox, truncated), (std::vector<std::string>{"ftyp:heic"}));
}

TEST(Containers, CallbackCanStop) {
  std::vector<uint8_t> d;
  for (int i = 0; i < 3; ++i) {
    Put32Be(&d, 8);
    Put(&d, "free");
  }
  int calls = 0;
  ForEachBmffBox(d.data(), d.size(), [&](const Chunk&) { return ++calls < 2; });
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace needle::media
