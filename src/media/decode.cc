#include "media/decode.h"

#include "media/format.h"

namespace needle::media {

Status CheckDimensions(int64_t width, int64_t height, const DecodeOptions& options) {
  if (width <= 0 || height <= 0)
    return Corrupt("image header gives " + std::to_string(width) + "x" + std::to_string(height) + " pixels");
  // Both sides are bounded so that width * 3 and the product cannot overflow.
  if (width > (1 << 24) || height > (1 << 24) ||
      static_cast<uint64_t>(width) * static_cast<uint64_t>(height) > options.max_pixels)
    return TooLarge(std::to_string(width) + "x" + std::to_string(height) + " pixels exceeds the limit of " +
                    std::to_string(options.max_pixels) + " (raise it with --max-pixels)");
  if (options.before_allocate) options.before_allocate(static_cast<uint64_t>(width) * static_cast<uint64_t>(height));
  return Status::Ok();
}

Result<DecodedImage> Decode(const uint8_t* data, size_t n, const DecodeOptions& options) {
  switch (SniffFormat(data, n)) {
    case Format::kJpeg: return DecodeJpeg(data, n, options);
    case Format::kPng: return DecodePng(data, n, options);
    case Format::kWebp: return DecodeWebp(data, n, options);
    case Format::kGif: return DecodeGif(data, n, options);
    case Format::kBmp: return DecodeBmp(data, n, options);
    case Format::kTiff: return DecodeTiff(data, n, options);
    case Format::kHeif:
    case Format::kAvif: return DecodeHeif(data, n, options);
    case Format::kUnknown: break;
  }
  return Unsupported("not an image format needle decodes (detected: " + SniffOtherKind(data, n) + ")");
}

}  // namespace needle::media
