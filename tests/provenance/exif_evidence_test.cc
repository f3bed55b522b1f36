// exiv2-based camera evidence: maker notes, serials, thumbnails that no
// longer match the picture.
#include "provenance/exif_evidence.h"

#include <gtest/gtest.h>

#include <exiv2/exiv2.hpp>
#include <exiv2/quicktimevideo.hpp>

#include <algorithm>
#include <cmath>

#include "media/decode.h"
#include "media/encode_helpers.h"
#include "test_support.h"

namespace needle::provenance {
namespace {

using namespace ::needle::testing;

// Writes EXIF (make, model, serial, a JPEG thumbnail) into `jpeg` with exiv2.
std::vector<uint8_t> WithExif(const std::vector<uint8_t>& jpeg, const std::vector<uint8_t>& thumb) {
  auto img = Exiv2::ImageFactory::open(jpeg.data(), long(jpeg.size()));
  img->readMetadata();
  Exiv2::ExifData exif;
  exif["Exif.Image.Make"] = "Canon";
  exif["Exif.Image.Model"] = "Canon EOS R5";
  exif["Exif.Photo.BodySerialNumber"] = "012345678";
  Exiv2::ExifThumb(exif).setJpegThumbnail(thumb.data(), long(thumb.size()));
  img->setExifData(exif);
  img->writeMetadata();
  Exiv2::BasicIo& io = img->io();
  io.seek(0, Exiv2::BasicIo::beg);
  Exiv2::DataBuf b = io.read(long(io.size()));
  return std::vector<uint8_t>(b.pData_, b.pData_ + b.size_);
}

media::RgbImage DecodeRgb(const std::vector<uint8_t>& b) {
  return media::Decode(b.data(), b.size(), {})->image;
}

// A smooth synthetic scene (so a thumbnail of it is the same picture).
Pixels Scene(int w, int h) {
  Pixels p{w, h, 3, {}};
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      double u = double(x) / w, v = double(y) / h;
      // An 8x6 grid of blocks with fixed pseudo-random levels: strong
      // edges (high PDQ quality) that survive downscaling.
      int cell = int(u * 8) + 8 * int(v * 6);
      double a = double((cell * 97 + 13) % 256);
      p.data.push_back(uint8_t(std::clamp(a, 0.0, 255.0)));
      p.data.push_back(uint8_t(std::clamp(255 * v, 0.0, 255.0)));
      p.data.push_back(uint8_t(std::clamp(200 - 150 * u * v, 0.0, 255.0)));
    }
  return p;
}

TEST(ExifEvidenceTest, CameraTraitsAndMatchingThumbnail) {
  auto jpeg = EncodeJpeg(Scene(640, 480), 92);
  Pixels small = Scene(160, 120);  // the same picture at 160x120
  auto with = WithExif(jpeg, EncodeJpeg(small, 90));
  auto main = DecodeRgb(with);
  ExifEvidence e = ReadExifEvidence(with.data(), with.size(), &main);
  ASSERT_TRUE(e.read) << e.error;
  EXPECT_EQ(e.make, "Canon");
  EXPECT_EQ(e.serial, "012345678");
  EXPECT_TRUE(e.thumbnail);
  EXPECT_EQ(e.thumb_width, 160);
  for (const auto& f : ExifFindings(e)) EXPECT_NE(f.signal, "exif.thumbnail") << f.summary;
}

TEST(ExifEvidenceTest, ThumbnailOfAnotherPictureMeansEdited) {
  auto jpeg = EncodeJpeg(Scene(640, 480), 92);
  Pixels other_px = Scene(160, 120);  // a different picture: inverted and mirrored
  for (int y = 0; y < 120; ++y)
    for (int x = 0; x < 80; ++x)
      for (int c = 0; c < 3; ++c)
        std::swap(other_px.data[(size_t(y) * 160 + x) * 3 + c], other_px.data[(size_t(y) * 160 + 159 - x) * 3 + c]);
  for (auto& v : other_px.data) v = uint8_t(255 - v);
  auto other = EncodeJpeg(other_px, 90);
  auto with = WithExif(jpeg, other);
  auto main = DecodeRgb(with);
  ExifEvidence e = ReadExifEvidence(with.data(), with.size(), &main);
  ASSERT_TRUE(e.thumb_distance.has_value()) << ToJson(e).dump();
  EXPECT_GT(*e.thumb_distance, 80);
  bool edited = false;
  for (const auto& f : ExifFindings(e)) edited |= f.signal == "exif.thumbnail" && f.direction == Direction::kEdited;
  EXPECT_TRUE(edited);
}

TEST(ExifEvidenceTest, SampleCameraFileAndGarbage) {
  auto b = ReadFile(SourceDir() + "/samples/camera-olympus-e420.jpg");
  ExifEvidence e = ReadExifEvidence(b.data(), b.size(), nullptr);
  EXPECT_TRUE(e.makernote);
  EXPECT_EQ(e.model, "E-420");
  std::vector<uint8_t> junk(1000, 0xFF);
  ExifEvidence j = ReadExifEvidence(junk.data(), junk.size(), nullptr);
  EXPECT_TRUE(ExifFindings(j).empty());
}

// exiv2's video parsers allocate without bounds on hostile input (a fuzzed
// QuickTime `ftyp` asked for gigabytes): a movie never reaches them, while a
// HEIF still goes through exiv2's BMFF image parser.
TEST(ExifEvidenceTest, VideoContainersNeverReachExiv2) {
  std::vector<uint8_t> mov = {0, 0, 0, 20, 'f', 't', 'y', 'p', 'q', 't', ' ', ' ', 0, 0, 2, 0, 'q', 't', ' ', ' '};
  mov.resize(4096, 0x41);
  ASSERT_EQ(Exiv2::ImageFactory::getType(mov.data(), long(mov.size())), Exiv2::ImageType::qtime);
  ExifEvidence m = ReadExifEvidence(mov.data(), mov.size(), nullptr);
  EXPECT_FALSE(m.read);
  std::vector<uint8_t> avi = {'R', 'I', 'F', 'F', 0, 16, 0, 0, 'A', 'V', 'I', ' ', 'L', 'I', 'S', 'T'};
  avi.resize(4096, 0x42);
  EXPECT_FALSE(ReadExifEvidence(avi.data(), avi.size(), nullptr).read);

  auto heic = ReadFile(SourceDir() + "/samples/colorchart.heic");
  EXPECT_TRUE(ReadExifEvidence(heic.data(), heic.size(), nullptr).read);
}

}  // namespace
}  // namespace needle::provenance
