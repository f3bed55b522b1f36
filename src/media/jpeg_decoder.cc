// JPEG through libjpeg-turbo's classic API (not TurboJPEG) for three reasons:
// DCT-domain scaling, CMYK handling as Pillow does it, and warnings (a
// premature end of data is only a warning in libjpeg; for evidence it is a
// truncated file and must be reported as one).
#include <csetjmp>
#include <cstdio>
#include <cstring>

#include <jpeglib.h>
#include <jerror.h>
#include <jpegint.h>  // struct jpeg_inverse_dct, to install the reduced IDCT

#include "media/decode.h"
#include "media/exif_orientation.h"
#include "media/jpeg_reduced_idct.h"

namespace needle::media {
namespace {

// Progressive JPEGs with thousands of scans take minutes to decode; real
// encoders emit at most a few dozen (libjpeg-turbo's TurboJPEG uses 500 too).
constexpr int kMaxScans = 500;

struct ErrorMgr {
  jpeg_error_mgr pub;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  bool truncated;
  int warnings;
  char first_warning[JMSG_LENGTH_MAX];
  bool too_many_scans;
};

void OnError(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorMgr*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  longjmp(err->jump, 1);
}

void OnMessage(j_common_ptr cinfo, int level) {
  if (level >= 0) return;  // trace messages
  auto* err = reinterpret_cast<ErrorMgr*>(cinfo->err);
  if (cinfo->err->msg_code == JWRN_JPEG_EOF) err->truncated = true;
  if (err->warnings++ == 0) (*cinfo->err->format_message)(cinfo, err->first_warning);
}

void OnProgress(j_common_ptr cinfo) {
  if (!cinfo->is_decompressor) return;
  auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (d->input_scan_number > kMaxScans) {
    auto* err = reinterpret_cast<ErrorMgr*>(cinfo->err);
    err->too_many_scans = true;
    std::snprintf(err->message, sizeof err->message, "more than %d progressive scans", kMaxScans);
    longjmp(err->jump, 1);
  }
}

// Pillow opens Adobe CMYK JPEGs as inverted ("CMYK;I") and converts to RGB
// with a naive formula; the PDQ reference values were produced that way.
inline uint8_t CmykChannel(int c, int k) {
  int nk = 255 - k;
  int t = c * nk + 128;
  int mul = ((t >> 8) + t) >> 8;  // c * nk / 255, rounded
  int v = nk - mul;
  return static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
}

// libjpeg's inverse_DCT signature; the table rides in cinfo->client_data.
void ReducedLumaIdct(j_decompress_ptr cinfo, jpeg_component_info*, JCOEFPTR coef, JSAMPARRAY out, JDIMENSION col) {
  internal::ReducedIdct4x4(coef, *static_cast<const internal::ReducedIdctTable*>(cinfo->client_data), out, col);
}

// The fast pipeline's 1/2-scale luma decode runs needle's reduced IDCT on Y
// instead of libjpeg-turbo's (see jpeg_reduced_idct.h for why). Installed
// after jpeg_start_decompress, which picked the IDCTs and latched the
// quantisation tables; nothing resets them for a one-pass decode.
void InstallReducedLumaIdct(jpeg_decompress_struct* cinfo, internal::ReducedIdctTable* table) {
  jpeg_component_info* y = &cinfo->comp_info[0];
  if (cinfo->out_color_space != JCS_GRAYSCALE || cinfo->buffered_image || cinfo->data_precision != 8 ||
      y->DCT_scaled_size != 4 || y->quant_table == nullptr || cinfo->idct == nullptr)
    return;
  *table = internal::MakeReducedIdctTable(y->quant_table->quantval);
  cinfo->client_data = table;
  cinfo->idct->inverse_DCT[0] = ReducedLumaIdct;
}

// Runs libjpeg. Only trivially destructible locals live in this frame after
// setjmp (C++ forbids longjmp across non-trivial destructors); the output
// image was constructed by the caller.
bool RunLibjpeg(const uint8_t* data, size_t n, const DecodeOptions& options, DecodedImage* out,
                ErrorMgr* err, Status* status) {
  jpeg_decompress_struct cinfo;
  jpeg_progress_mgr progress;
  std::memset(&cinfo, 0, sizeof cinfo);
  cinfo.err = jpeg_std_error(&err->pub);
  err->pub.error_exit = OnError;
  err->pub.emit_message = OnMessage;
  progress.progress_monitor = OnProgress;
  if (setjmp(err->jump)) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  cinfo.progress = &progress;
  jpeg_mem_src(&cinfo, data, static_cast<unsigned long>(n));
  jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
  jpeg_read_header(&cinfo, TRUE);

  for (jpeg_saved_marker_ptr m = cinfo.marker_list; m != nullptr; m = m->next) {
    if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 && std::memcmp(m->data, "Exif\0\0", 6) == 0) {
      out->orientation = ExifOrientation(m->data, m->data_length);
      break;
    }
  }
  out->width = static_cast<int>(cinfo.image_width);
  out->height = static_cast<int>(cinfo.image_height);
  *status = CheckDimensions(cinfo.image_width, cinfo.image_height, options);
  if (!status->ok()) {
    jpeg_destroy_decompress(&cinfo);
    return true;
  }

  const bool cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  bool luma_only = false;
  cinfo.dct_method = JDCT_ISLOW;      // libjpeg default; what Pillow uses
  cinfo.do_fancy_upsampling = TRUE;
  if (options.jpeg_min_short_side > 0) {
    unsigned short_side = cinfo.image_width < cinfo.image_height ? cinfo.image_width : cinfo.image_height;
    unsigned denom = 8;
    while (denom > 1 && (short_side + denom - 1) / denom < unsigned(options.jpeg_min_short_side)) denom /= 2;
    cinfo.scale_num = 1;
    cinfo.scale_denom = denom;
    out->scale_denom = static_cast<int>(denom);
    // Luma-only only together with scaling: an unscaled fast decode stays
    // identical to fullres.
    luma_only = options.jpeg_luma_only && !cmyk && denom > 1;
  }
  cinfo.out_color_space = cmyk ? JCS_CMYK : luma_only ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(&cinfo);
  internal::ReducedIdctTable reduced_idct;
  if (luma_only && options.jpeg_reduced_idct) InstallReducedLumaIdct(&cinfo, &reduced_idct);
  const unsigned w = cinfo.output_width, h = cinfo.output_height;
  out->image.width = static_cast<int>(w);
  out->image.height = static_cast<int>(h);
  out->image.channels = luma_only ? 1 : 3;
  const size_t stride = size_t(w) * out->image.channels;
  out->image.rgb.resize(stride * h);
  uint8_t* rgb = out->image.rgb.data();
  if (!cmyk) {
    // Every row pointer at once: libjpeg returns as many rows as it has
    // decoded per call (an iMCU row), not one call per row. From libjpeg's
    // pool, freed with the decompressor even when an error longjmps out.
    auto* rows = static_cast<JSAMPROW*>(
        (*cinfo.mem->alloc_large)(reinterpret_cast<j_common_ptr>(&cinfo), JPOOL_IMAGE, size_t(h) * sizeof(JSAMPROW)));
    for (unsigned y = 0; y < h; ++y) rows[y] = rgb + size_t(y) * stride;
    while (cinfo.output_scanline < h)
      jpeg_read_scanlines(&cinfo, rows + cinfo.output_scanline, h - cinfo.output_scanline);
  } else {
    // Reuse the tail of the output buffer? No: rows are 4 bytes/pixel. A
    // small row buffer from libjpeg's pool is freed with the decompressor.
    JSAMPARRAY buf = (*cinfo.mem->alloc_sarray)(reinterpret_cast<j_common_ptr>(&cinfo), JPOOL_IMAGE, w * 4, 1);
    const bool inverted = cinfo.saw_Adobe_marker;
    while (cinfo.output_scanline < h) {
      uint8_t* dst = rgb + size_t(cinfo.output_scanline) * w * 3;
      jpeg_read_scanlines(&cinfo, buf, 1);
      const uint8_t* s = buf[0];
      for (unsigned x = 0; x < w; ++x, s += 4, dst += 3) {
        int c = s[0], m = s[1], y = s[2], k = s[3];
        if (inverted) c = 255 - c, m = 255 - m, y = 255 - y, k = 255 - k;
        dst[0] = CmykChannel(c, k);
        dst[1] = CmykChannel(m, k);
        dst[2] = CmykChannel(y, k);
      }
    }
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return true;
}

}  // namespace

Result<DecodedImage> DecodeJpeg(const uint8_t* data, size_t n, const DecodeOptions& options) {
  DecodedImage out;
  out.format = Format::kJpeg;
  ErrorMgr err;
  std::memset(&err, 0, sizeof err);
  Status status;
  if (!RunLibjpeg(data, n, options, &out, &err, &status)) {
    // libjpeg reports "empty input" or a bad marker at the end of short data.
    std::string msg = err.message;
    if (err.too_many_scans) return TooLarge(msg);
    if (err.truncated || msg.find("Premature end") != std::string::npos ||
        msg.find("empty") != std::string::npos)
      return Truncated(msg);
    return Corrupt(msg);
  }
  if (!status.ok()) return status;
  if (err.truncated) return Truncated("JPEG data ends early (" + std::string(err.first_warning) + ")");
  if (err.warnings > 0) out.warnings.push_back(err.first_warning);
  return out;
}

}  // namespace needle::media
