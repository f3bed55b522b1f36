// Where the detector looks: a grid of native-resolution tiles over the image.
//
// The network is never given resampled pixels (resampling destroys the
// traces it reads), so a large image is cut into tile x tile windows. Edge
// windows are shifted inward so that every window has full size and the whole
// image is covered; an image smaller than a tile in one direction is taken
// whole in that direction. Sides are made even (the network reads 2x2 blocks)
// by dropping at most one trailing row or column.
#pragma once

#include <vector>

namespace needle::detect {

struct Tile {
  int x = 0, y = 0, width = 0, height = 0;
  int row = 0, col = 0;  // position in the heat-map grid
};

struct TileGrid {
  int rows = 0, cols = 0;
  std::vector<Tile> tiles;  // row-major, rows * cols
};

// Empty grid when the image is smaller than min_side in either direction.
TileGrid PlanTiles(int width, int height, int tile, int min_side);

}  // namespace needle::detect
