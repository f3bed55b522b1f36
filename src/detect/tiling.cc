#include "detect/tiling.h"

#include <algorithm>

namespace needle::detect {
namespace {

// Window starts along one axis: n windows of `size` covering [0, extent).
std::vector<int> Starts(int extent, int size) {
  const int n = (extent + size - 1) / size;
  std::vector<int> starts;
  for (int i = 0; i < n; ++i) {
    const int s = std::min(i * size, extent - size) & ~1;
    // An odd remainder of one pixel maps back onto the previous window.
    if (starts.empty() || s != starts.back()) starts.push_back(s);
  }
  return starts;
}

}  // namespace

TileGrid PlanTiles(int width, int height, int tile, int min_side) {
  TileGrid grid;
  if (width < min_side || height < min_side || tile < 2) return grid;
  const int tw = std::min(tile, width) & ~1;
  const int th = std::min(tile, height) & ~1;
  const std::vector<int> xs = Starts(width, tw);
  const std::vector<int> ys = Starts(height, th);
  grid.rows = static_cast<int>(ys.size());
  grid.cols = static_cast<int>(xs.size());
  for (int r = 0; r < grid.rows; ++r) {
    for (int c = 0; c < grid.cols; ++c) grid.tiles.push_back({xs[c], ys[r], tw, th, r, c});
  }
  return grid;
}

}  // namespace needle::detect
