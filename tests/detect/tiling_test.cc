// Tiling on odd and awkward sizes: every window inside the image, even-sided,
// the same size, and together covering every pixel but at most one trailing
// row/column of an odd side.
#include "detect/tiling.h"

#include <gtest/gtest.h>

#include <vector>

namespace needle::detect {
namespace {

void CheckGrid(int w, int h, int tile) {
  SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h) + " tile " + std::to_string(tile));
  const TileGrid g = PlanTiles(w, h, tile, 32);
  ASSERT_EQ(g.tiles.size(), static_cast<size_t>(g.rows) * g.cols);
  ASSERT_FALSE(g.tiles.empty());
  std::vector<int> covered(static_cast<size_t>(w) * h, 0);
  for (const Tile& t : g.tiles) {
    EXPECT_EQ(t.width, g.tiles[0].width);
    EXPECT_EQ(t.height, g.tiles[0].height);
    EXPECT_EQ(t.width % 2, 0);
    EXPECT_EQ(t.height % 2, 0);
    EXPECT_LE(t.width, tile);
    EXPECT_GE(t.x, 0);
    EXPECT_GE(t.y, 0);
    EXPECT_LE(t.x + t.width, w);
    EXPECT_LE(t.y + t.height, h);
    EXPECT_EQ(t.x % 2, 0) << "2x2 blocks stay aligned with the image";
    EXPECT_EQ(t.y % 2, 0);
    for (int y = t.y; y < t.y + t.height; ++y) {
      for (int x = t.x; x < t.x + t.width; ++x) covered[static_cast<size_t>(y) * w + x] = 1;
    }
  }
  for (int y = 0; y < (h & ~1); ++y) {
    for (int x = 0; x < (w & ~1); ++x) ASSERT_TRUE(covered[static_cast<size_t>(y) * w + x]) << x << "," << y;
  }
  // Windows do not repeat.
  for (size_t i = 1; i < g.tiles.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      EXPECT_FALSE(g.tiles[i].x == g.tiles[j].x && g.tiles[i].y == g.tiles[j].y);
    }
  }
}

TEST(Tiling, CoversOddAndAwkwardSizes) {
  for (int w : {32, 33, 255, 256, 257, 300, 511, 513, 1001}) {
    for (int h : {32, 35, 128, 257, 640}) CheckGrid(w, h, 256);
  }
  CheckGrid(4000, 3000, 256);
}

TEST(Tiling, GridShape) {
  TileGrid g = PlanTiles(1024, 768, 256, 32);
  EXPECT_EQ(g.cols, 4);
  EXPECT_EQ(g.rows, 3);
  g = PlanTiles(257, 100, 256, 32);  // the odd column is dropped, not a second window
  EXPECT_EQ(g.cols, 1);
  EXPECT_EQ(g.tiles[0].width, 256);
  EXPECT_EQ(g.tiles[0].height, 100);
  g = PlanTiles(300, 40, 256, 32);  // a thin strip: windows as tall as the image
  EXPECT_EQ(g.rows, 1);
  EXPECT_EQ(g.cols, 2);
  EXPECT_EQ(g.tiles[1].x, 44);
}

TEST(Tiling, TooSmallGivesNoTiles) {
  EXPECT_TRUE(PlanTiles(31, 500, 256, 32).tiles.empty());
  EXPECT_TRUE(PlanTiles(500, 10, 256, 32).tiles.empty());
  EXPECT_TRUE(PlanTiles(0, 0, 256, 32).tiles.empty());
}

}  // namespace
}  // namespace needle::detect
