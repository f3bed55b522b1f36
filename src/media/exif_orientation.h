// Reads the EXIF Orientation tag (0x0112) from a TIFF-structured EXIF block.
// Bounds-checked against hostile input; never allocates.
#pragma once

#include <cstddef>
#include <cstdint>

namespace needle::media {

// `tiff` starts at the TIFF header ("II*\0" or "MM\0*"). Returns 1..8, or 1
// when the tag is absent or the block is malformed.
int ExifOrientationFromTiff(const uint8_t* tiff, size_t n);

// As above for an APP1/eXIf/HEIF payload that may begin with "Exif\0\0" (JPEG
// APP1) or a 4-byte offset (HEIF Exif item). Tries the likely starts.
int ExifOrientation(const uint8_t* data, size_t n);

}  // namespace needle::media
