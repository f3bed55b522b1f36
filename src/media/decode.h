// Decoding evidence bytes into RGB pixels, by content, within limits.
//
//   DecodeOptions opt;  opt.max_pixels = 50'000'000;
//   NEEDLE_ASSIGN_OR_RETURN(DecodedImage img, media::Decode(bytes.data(), bytes.size(), opt));
//
// Errors: kUnsupported (not a format we decode), kTooLarge (pixel limit, from
// the header, before allocation), kTruncated (data ends early), kCorrupt.
// Thread-safe: each call is independent.
#pragma once

#include <cstddef>
#include <cstdint>

#include "media/image.h"
#include "needle/status.h"

namespace needle::media {

Result<DecodedImage> Decode(const uint8_t* data, size_t n, const DecodeOptions& options);

// Per-format entry points (used by Decode; exposed for tests and fuzzers).
Result<DecodedImage> DecodeJpeg(const uint8_t* data, size_t n, const DecodeOptions& options);
Result<DecodedImage> DecodePng(const uint8_t* data, size_t n, const DecodeOptions& options);
Result<DecodedImage> DecodeWebp(const uint8_t* data, size_t n, const DecodeOptions& options);
Result<DecodedImage> DecodeGif(const uint8_t* data, size_t n, const DecodeOptions& options);
Result<DecodedImage> DecodeBmp(const uint8_t* data, size_t n, const DecodeOptions& options);
Result<DecodedImage> DecodeTiff(const uint8_t* data, size_t n, const DecodeOptions& options);
Result<DecodedImage> DecodeHeif(const uint8_t* data, size_t n, const DecodeOptions& options);

// Shared by the decoders: kTooLarge when width x height exceeds the limit or
// either side is zero/negative (kCorrupt).
Status CheckDimensions(int64_t width, int64_t height, const DecodeOptions& options);

}  // namespace needle::media
