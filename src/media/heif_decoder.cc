// HEIC/HEIF and AVIF through libheif (libde265 for HEVC, libaom/dav1d for
// AV1). Decoded without applying irot/imir transformations: the pixels as
// coded, like EXIF orientation elsewhere; the EXIF orientation is recorded.
#include <cstring>
#include <vector>

#include <libheif/heif.h>

#include "media/decode.h"
#include "media/exif_orientation.h"
#include "media/format.h"

namespace needle::media {
namespace {

Status HeifFail(const heif_error& e, const char* what) {
  std::string m = std::string("HEIF ") + what + ": " + (e.message ? e.message : "error");
  if (e.code == heif_error_Unsupported_feature || e.code == heif_error_Unsupported_filetype)
    return Unsupported(m);
  if (e.code == heif_error_Memory_allocation_error) return TooLarge(m);
  if (e.code == heif_error_Invalid_input && e.subcode == heif_suberror_End_of_data) return Truncated(m);
  return Corrupt(m);
}

}  // namespace

Result<DecodedImage> DecodeHeif(const uint8_t* data, size_t n, const DecodeOptions& options) {
  DecodedImage out;
  out.format = SniffFormat(data, n) == Format::kAvif ? Format::kAvif : Format::kHeif;
  heif_context* ctx = heif_context_alloc();
  if (ctx == nullptr) return Internal("libheif could not allocate");
  struct Ctx {
    heif_context* c;
    heif_image_handle* h = nullptr;
    heif_image* img = nullptr;
    heif_decoding_options* opt = nullptr;
    ~Ctx() {
      if (img) heif_image_release(img);
      if (h) heif_image_handle_release(h);
      if (opt) heif_decoding_options_free(opt);
      heif_context_free(c);
    }
  } c{ctx};
  heif_context_set_maximum_image_size_limit(ctx, 1 << 16);
  heif_error e = heif_context_read_from_memory_without_copy(ctx, data, n, nullptr);
  if (e.code != heif_error_Ok) return HeifFail(e, "container");
  e = heif_context_get_primary_image_handle(ctx, &c.h);
  if (e.code != heif_error_Ok) return HeifFail(e, "primary image");

  int w = heif_image_handle_get_ispe_width(c.h);
  int h = heif_image_handle_get_ispe_height(c.h);
  out.width = w;
  out.height = h;
  NEEDLE_RETURN_IF_ERROR(CheckDimensions(w, h, options));

  heif_item_id exif_id;
  if (heif_image_handle_get_list_of_metadata_block_IDs(c.h, "Exif", &exif_id, 1) == 1) {
    size_t sz = heif_image_handle_get_metadata_size(c.h, exif_id);
    if (sz > 0 && sz < (16u << 20)) {
      std::vector<uint8_t> exif(sz);
      if (heif_image_handle_get_metadata(c.h, exif_id, exif.data()).code == heif_error_Ok)
        out.orientation = ExifOrientation(exif.data(), exif.size());
    }
  }

  c.opt = heif_decoding_options_alloc();
  c.opt->ignore_transformations = 1;
  e = heif_decode_image(c.h, &c.img, heif_colorspace_RGB, heif_chroma_interleaved_RGB, c.opt);
  if (e.code != heif_error_Ok) return HeifFail(e, "decode");
  int iw = heif_image_get_width(c.img, heif_channel_interleaved);
  int ih = heif_image_get_height(c.img, heif_channel_interleaved);
  NEEDLE_RETURN_IF_ERROR(CheckDimensions(iw, ih, options));
  int stride = 0;
  const uint8_t* px = heif_image_get_plane_readonly(c.img, heif_channel_interleaved, &stride);
  if (px == nullptr || stride < iw * 3) return Corrupt("HEIF decoder returned no pixels");
  out.image.width = iw;
  out.image.height = ih;
  out.image.rgb.resize(size_t(iw) * ih * 3);
  for (int y = 0; y < ih; ++y) std::memcpy(&out.image.rgb[size_t(y) * iw * 3], px + size_t(y) * stride, size_t(iw) * 3);
  return out;
}

}  // namespace needle::media
