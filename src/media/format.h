// Format detection by content (magic bytes), never by file name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "media/image.h"

namespace needle::media {

// Detects the image format from the first bytes of a file (64 are enough).
Format SniffFormat(const uint8_t* data, size_t n);

// For files that are not images we decode: a short label for the record
// ("mp4", "pdf", "zip", ...) or "unknown".
std::string SniffOtherKind(const uint8_t* data, size_t n);

}  // namespace needle::media
