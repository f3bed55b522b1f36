#include "provenance/dwtdct_watermark.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace needle::provenance {
namespace {

constexpr int kBlock = 4;
constexpr double kScale = 36.0;
constexpr int kMinSide = 256;

std::vector<int> BytesToBits(const std::string& s) {
  std::vector<int> b;
  for (unsigned char c : s)
    for (int i = 7; i >= 0; --i) b.push_back((c >> i) & 1);
  return b;
}

std::vector<int> HexBits(uint64_t v, int n) {
  std::vector<int> b;
  for (int i = n - 1; i >= 0; --i) b.push_back(int((v >> i) & 1));
  return b;
}

// RGB rows [y0, y1) -> OpenCV BGR (or, with swap, the RGB bytes taken as BGR).
cv::Mat ToMatRows(const media::RgbImage& im, bool swap_rb, int y0, int y1) {
  cv::Mat m(y1 - y0, im.width, CV_8UC3);
  for (int y = 0; y < y1 - y0; ++y) {
    const uint8_t* s = im.rgb.data() + size_t(y0 + y) * im.width * 3;
    uint8_t* d = m.ptr<uint8_t>(y);
    for (int x = 0; x < im.width; ++x) {
      d[3 * x] = swap_rb ? s[3 * x] : s[3 * x + 2];
      d[3 * x + 1] = s[3 * x + 1];
      d[3 * x + 2] = swap_rb ? s[3 * x + 2] : s[3 * x];
    }
  }
  return m;
}
cv::Mat ToMat(const media::RgbImage& im, bool swap_rb) { return ToMatRows(im, swap_rb, 0, im.height); }

// The LL band of U, one-level Haar in the reference's product form, with
// T = double (8-bit path, U read as uint8: the same values convertTo gives)
// or float (float path).
template <typename T, typename S = T>
std::vector<T> HaarLL(const cv::Mat& u, int* lr_out, int* lc_out) {
  const int rows = u.rows / 4 * 4, cols = u.cols / 4 * 4;
  const T h = static_cast<T>(0.7071067811865476);
  const int lr = rows / 2, lc = cols / 2;
  std::vector<T> lo(static_cast<size_t>(cols));
  std::vector<T> ll(static_cast<size_t>(lr) * lc);
  for (int i = 0; i < lr; ++i) {
    const S* r0 = u.ptr<S>(2 * i);
    const S* r1 = u.ptr<S>(2 * i + 1);
    for (int x = 0; x < cols; ++x) lo[x] = h * static_cast<T>(r0[x]) + h * static_cast<T>(r1[x]);
    T* out = &ll[size_t(i) * lc];
    for (int j = 0; j < lc; ++j) out[j] = h * lo[2 * j] + h * lo[2 * j + 1];
  }
  *lr_out = lr;
  *lc_out = lc;
  return ll;
}

// Block scores: 1 iff the block's largest AC magnitude sits in the upper
// half of its quantisation cell.
template <typename T>
std::vector<uint8_t> BlockScores(const std::vector<T>& ll, int lr, int lc) {
  std::vector<uint8_t> scores;
  for (int by = 0; by < lr / kBlock; ++by)
    for (int bx = 0; bx < lc / kBlock; ++bx) {
      T v[16];
      for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c) v[r * 4 + c] = ll[size_t(by * 4 + r) * lc + bx * 4 + c];
      int k = 1;
      for (int i = 2; i < 16; ++i)
        if (std::fabs(v[i]) > std::fabs(v[k])) k = i;
      T m = std::fmod(std::fabs(v[k]), static_cast<T>(kScale));
      scores.push_back(m > static_cast<T>(kScale / 2));
    }
  return scores;
}

std::vector<int> BitsFromScores(const std::vector<uint8_t>& scores, int length) {
  std::vector<int> ones(length, 0), count(length, 0);
  for (size_t n = 0; n < scores.size(); ++n) {
    ones[n % length] += scores[n];
    count[n % length] += 1;
  }
  std::vector<int> out(length);
  for (int i = 0; i < length; ++i) out[i] = 255 * ones[i] > 127 * count[i];
  return out;
}

// Scores of every block for one domain/channel variant.
// U is computed in strips of rows (colour conversion is per pixel, so the
// values are identical): converting the whole image at once held BGR, float
// BGR, float YUV and U together, 390 MB for one 12 MP photo.
cv::Mat UChannel(const media::RgbImage& im, bool float_domain, bool swap_rb) {
  constexpr int kStrip = 64;
  cv::Mat u(im.height, im.width, float_domain ? CV_32F : CV_8U);
  cv::Mat bgr, f, yuv;
  for (int y0 = 0; y0 < im.height; y0 += kStrip) {
    const int y1 = std::min(im.height, y0 + kStrip);
    bgr = ToMatRows(im, swap_rb, y0, y1);
    if (float_domain) {
      bgr.convertTo(f, CV_32F);
      cv::cvtColor(f, yuv, cv::COLOR_BGR2YUV);
    } else {
      cv::cvtColor(bgr, yuv, cv::COLOR_BGR2YUV);
    }
    cv::Mat dst = u.rowRange(y0, y1);
    cv::extractChannel(yuv, dst, 1);
  }
  return u;
}

std::vector<uint8_t> VariantScores(const media::RgbImage& im, bool float_domain, bool swap_rb) {
  cv::Mat u = UChannel(im, float_domain, swap_rb);
  int lr = 0, lc = 0;
  if (float_domain) {
    auto ll = HaarLL<float>(u, &lr, &lc);
    return BlockScores(ll, lr, lc);
  }
  auto ll = HaarLL<double, uint8_t>(u, &lr, &lc);
  return BlockScores(ll, lr, lc);
}

std::string BitsHex(const std::vector<int>& bits) {
  std::string s;
  char buf[3];
  for (size_t i = 0; i < bits.size(); i += 8) {
    int byte = 0;
    for (size_t j = 0; j < 8; ++j) byte = (byte << 1) | (i + j < bits.size() ? bits[i + j] : 0);
    std::snprintf(buf, sizeof buf, "%02x", byte);
    s += buf;
  }
  return s;
}

}  // namespace

const std::vector<WatermarkScheme>& DwtDctSchemes() {
  static const std::vector<WatermarkScheme> s = {
      {"StableDiffusionV1", BytesToBits("StableDiffusionV1"), 105},
      {"SDV2", BytesToBits("SDV2"), 29},
      {"SDXL48", HexBits(0xB3EC907BB19Eull, 48), 40},
  };
  return s;
}

double BinomialTail(int k, int n) {
  if (k <= 0) return 1.0;
  if (k > n) return 0.0;
  // Sum in log space: sum_{i=k..n} C(n,i) / 2^n.
  double total = 0.0;
  for (int i = k; i <= n; ++i)
    total += std::exp(std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) - n * std::log(2.0));
  return std::min(1.0, total);
}

std::vector<int> DecodeDwtDctBits(const media::RgbImage& im, int length, bool float_domain, bool swap_rb) {
  return BitsFromScores(VariantScores(im, float_domain, swap_rb), length);
}

WatermarkResult DecodeDwtDct(const media::RgbImage& im) {
  WatermarkResult r;
  if (im.channels != 3 || im.width < kMinSide || im.height < kMinSide) {
    r.reason = "image smaller than 256x256: the dwtDct watermark cannot be present";
    return r;
  }
  r.checked = true;
  // Four colour conversions and Haar transforms, shared by the three messages.
  for (bool fl : {false, true})
    for (bool sw : {false, true}) {
      const std::vector<uint8_t> scores = VariantScores(im, fl, sw);
      for (const auto& s : DwtDctSchemes()) {
        auto bits = BitsFromScores(scores, static_cast<int>(s.bits.size()));
        WatermarkDecode d;
        d.scheme = s.name;
        d.variant = std::string(fl ? "float" : "uint8") + (sw ? "_rgbswap" : "_bgr");
        d.total = static_cast<int>(bits.size());
        for (size_t i = 0; i < bits.size(); ++i) d.matched += bits[i] == s.bits[i];
        d.p_value = BinomialTail(d.matched, d.total);
        d.decoded_hex = BitsHex(bits);
        if (r.decodes.empty() || d.p_value < r.best.p_value) r.best = d;
        r.decodes.push_back(d);
      }
    }
  for (const auto& s : DwtDctSchemes())
    if (s.name == r.best.scheme) r.present = r.best.matched >= s.present_threshold;
  return r;
}

media::RgbImage EncodeDwtDct(const media::RgbImage& im, const std::vector<int>& bits, bool float_domain) {
  cv::Mat bgr = ToMat(im, false), yuv;
  if (float_domain) {
    cv::Mat f;
    bgr.convertTo(f, CV_32F);
    cv::cvtColor(f, yuv, cv::COLOR_BGR2YUV);
  } else {
    cv::cvtColor(bgr, yuv, cv::COLOR_BGR2YUV);
  }
  std::vector<cv::Mat> ch;
  cv::split(yuv, ch);
  cv::Mat u;
  ch[1].convertTo(u, CV_64F);
  const int rows = u.rows / 4 * 4, cols = u.cols / 4 * 4, lr = rows / 2, lc = cols / 2;
  const double h = 0.7071067811865476;
  std::vector<double> lo(size_t(lr) * cols), hi(size_t(lr) * cols), ca(size_t(lr) * lc), cv_(size_t(lr) * lc),
      chh(size_t(lr) * lc), cd(size_t(lr) * lc);
  for (int i = 0; i < lr; ++i)
    for (int x = 0; x < cols; ++x) {
      double a = u.at<double>(2 * i, x), b = u.at<double>(2 * i + 1, x);
      lo[size_t(i) * cols + x] = h * a + h * b;
      hi[size_t(i) * cols + x] = h * a - h * b;
    }
  for (int i = 0; i < lr; ++i)
    for (int j = 0; j < lc; ++j) {
      size_t p = size_t(i) * cols + 2 * j, q = size_t(i) * lc + j;
      ca[q] = h * lo[p] + h * lo[p + 1];
      cv_[q] = h * lo[p] - h * lo[p + 1];
      chh[q] = h * hi[p] + h * hi[p + 1];
      cd[q] = h * hi[p] - h * hi[p + 1];
    }
  const int L = static_cast<int>(bits.size());
  int n = 0;
  for (int by = 0; by < lr / 4; ++by)
    for (int bx = 0; bx < lc / 4; ++bx, ++n) {
      double* v[16];
      for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c) v[r * 4 + c] = &ca[size_t(by * 4 + r) * lc + bx * 4 + c];
      int k = 1;
      for (int i = 2; i < 16; ++i)
        if (std::fabs(*v[i]) > std::fabs(*v[k])) k = i;
      double a = std::fabs(*v[k]);
      double w = bits[n % L];
      double nv = (std::floor(a / kScale) + 0.25 + 0.5 * w) * kScale;
      *v[k] = *v[k] >= 0 ? nv : -nv;
    }
  // Inverse with H and V swapped, as the reference does.
  for (int i = 0; i < lr; ++i)
    for (int j = 0; j < lc; ++j) {
      size_t p = size_t(i) * cols + 2 * j, q = size_t(i) * lc + j;
      double hs = cv_[q], vs = chh[q];
      lo[p] = h * ca[q] + h * vs;
      lo[p + 1] = h * ca[q] - h * vs;
      hi[p] = h * hs + h * cd[q];
      hi[p + 1] = h * hs - h * cd[q];
    }
  for (int i = 0; i < lr; ++i)
    for (int x = 0; x < cols; ++x) {
      double l = lo[size_t(i) * cols + x], hh = hi[size_t(i) * cols + x];
      u.at<double>(2 * i, x) = h * l + h * hh;
      u.at<double>(2 * i + 1, x) = h * l - h * hh;
    }
  cv::Mat out;
  if (float_domain) {
    u.convertTo(ch[1], CV_32F);
    cv::merge(ch, yuv);
    cv::cvtColor(yuv, out, cv::COLOR_YUV2BGR);
    cv::Mat rounded;
    out.convertTo(rounded, CV_8U);  // saturating, rounded (diffusers-style save)
    out = rounded;
  } else {
    cv::Mat u8(u.rows, u.cols, CV_8U);
    for (int y = 0; y < u.rows; ++y)
      for (int x = 0; x < u.cols; ++x) u8.at<uint8_t>(y, x) = static_cast<uint8_t>(static_cast<int32_t>(u.at<double>(y, x)));
    ch[1] = u8;
    cv::merge(ch, yuv);
    cv::cvtColor(yuv, out, cv::COLOR_YUV2BGR);
  }
  media::RgbImage r;
  r.width = im.width;
  r.height = im.height;
  r.rgb.resize(size_t(r.width) * r.height * 3);
  for (int y = 0; y < r.height; ++y) {
    const uint8_t* s = out.ptr<uint8_t>(y);
    for (int x = 0; x < r.width; ++x) {
      r.rgb[(size_t(y) * r.width + x) * 3] = s[3 * x + 2];
      r.rgb[(size_t(y) * r.width + x) * 3 + 1] = s[3 * x + 1];
      r.rgb[(size_t(y) * r.width + x) * 3 + 2] = s[3 * x];
    }
  }
  return r;
}

}  // namespace needle::provenance
