// Walking the chunk and box structure of image containers, for the readers
// that look for metadata and C2PA stores in them (provenance/). One walker per
// container, so every reader agrees on where a chunk starts and ends and none
// reads past a declared length.
//
//   media::ForEachPngChunk(d, n, [&](const media::Chunk& c) { ...; return true; });
//
// A callback returns false to stop. Walking stops at the first chunk whose
// declared length runs past the data (a truncated or hostile file).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

namespace needle::media {

struct Chunk {
  std::string_view type;   // PNG chunk type, RIFF FourCC or BMFF box type (4 chars)
  const uint8_t* data;     // payload, after the header
  size_t size;             // payload bytes
  size_t offset;           // of the chunk's header in the file
};

using ChunkFn = std::function<bool(const Chunk&)>;

// The UUID of the top-level BMFF box that carries a C2PA manifest store.
inline constexpr uint8_t kC2paUuid[16] = {0xd8, 0xfe, 0xc3, 0xd6, 0x1b, 0x0e, 0x48, 0x3c,
                                          0x92, 0x97, 0x58, 0x28, 0x87, 0x7e, 0xc4, 0x81};

// PNG: after the signature; length, type, data, CRC. Stops after IEND.
void ForEachPngChunk(const uint8_t* d, size_t n, const ChunkFn& fn);
// RIFF (WebP): the chunks after the 12-byte RIFF header; odd sizes are padded.
void ForEachRiffChunk(const uint8_t* d, size_t n, const ChunkFn& fn);
// ISO BMFF (HEIF, AVIF, MP4): top-level boxes, 64-bit sizes and size 0 (to the end).
void ForEachBmffBox(const uint8_t* d, size_t n, const ChunkFn& fn);

}  // namespace needle::media
