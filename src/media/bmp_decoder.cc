// BMP through stb_image (Debian's libstb): no Debian library decodes BMP on
// its own, and this one is confined to BMP (STBI_ONLY_BMP), reads from
// memory only, and is checked against the pixel limit from the header first.
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_BMP
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STBI_NO_THREAD_LOCALS
#define STBI_FAILURE_USERMSG
#include <stb/stb_image.h>

#include <climits>
#include <cstring>

#include "media/decode.h"

namespace needle::media {

Result<DecodedImage> DecodeBmp(const uint8_t* data, size_t n, const DecodeOptions& options) {
  DecodedImage out;
  out.format = Format::kBmp;
  if (n < 26 || n > size_t(INT_MAX)) return n < 26 ? Truncated("BMP header is incomplete") : TooLarge("BMP file over 2 GiB");
  int w = 0, h = 0, comp = 0;
  if (!stbi_info_from_memory(data, static_cast<int>(n), &w, &h, &comp)) {
    return Corrupt(std::string("BMP header: ") + stbi_failure_reason());
  }
  out.width = w;
  out.height = h;
  NEEDLE_RETURN_IF_ERROR(CheckDimensions(w, h, options));
  // stb reads only what the header promises; a short pixel array shows up as
  // a failure or as rows of zeros. Check the promised size first.
  uint32_t offset = data[10] | (data[11] << 8) | (data[12] << 16) | (uint32_t(data[13]) << 24);
  if (offset >= n) return Truncated("BMP pixel data starts past the end of the file");
  stbi_uc* px = stbi_load_from_memory(data, static_cast<int>(n), &w, &h, &comp, 3);
  if (px == nullptr) return Corrupt(std::string("BMP: ") + stbi_failure_reason());
  out.image.width = w;
  out.image.height = h;
  out.image.rgb.assign(px, px + size_t(w) * h * 3);
  stbi_image_free(px);
  return out;
}

}  // namespace needle::media
