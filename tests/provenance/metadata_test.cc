// Generator metadata and camera EXIF from samples the test builds itself.
#include "provenance/metadata_probe.h"

#include <gtest/gtest.h>

#include <zlib.h>

#include "media/encode_helpers.h"
#include "test_support.h"

namespace needle::provenance {
namespace {

using namespace ::needle::testing;

uint32_t Crc(const std::string& type, const std::string& data) {
  uLong c = crc32(0, reinterpret_cast<const Bytef*>(type.data()), 4);
  return uint32_t(crc32(c, reinterpret_cast<const Bytef*>(data.data()), uInt(data.size())));
}

// Inserts a chunk after IHDR.
std::vector<uint8_t> WithChunk(std::vector<uint8_t> png, const std::string& type, const std::string& data) {
  std::vector<uint8_t> c;
  auto be = [&](uint32_t v) { c.insert(c.end(), {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)}); };
  be(uint32_t(data.size()));
  c.insert(c.end(), type.begin(), type.end());
  c.insert(c.end(), data.begin(), data.end());
  be(Crc(type, data));
  png.insert(png.begin() + 33, c.begin(), c.end());
  return png;
}

TEST(MetadataTest, Automatic1111AndComfyUiPngChunks) {
  auto base = EncodePng(Pattern(32, 32, 3));
  auto a1111 = WithChunk(base, "tEXt", std::string("parameters\0a cat, Steps: 20, Sampler: Euler a, CFG scale: 7", 59));
  MetadataSummary m = ProbeMetadata(a1111.data(), a1111.size());
  EXPECT_EQ(m.generator, "AUTOMATIC1111");
  auto f = MetadataFindings(m);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].direction, Direction::kSynthetic);
  EXPECT_EQ(f[0].strength, Strength::kStrong);
  EXPECT_NE(f[0].summary.find("forged"), std::string::npos);

  // ComfyUI writes its graph compressed in iTXt or zTXt; use zTXt here.
  std::string json = "{\"3\": {\"class_type\": \"KSampler\"}}";
  std::string z(compressBound(json.size()), '\0');
  uLongf zl = z.size();
  compress(reinterpret_cast<Bytef*>(z.data()), &zl, reinterpret_cast<const Bytef*>(json.data()), json.size());
  z.resize(zl);
  auto comfy = WithChunk(base, "zTXt", std::string("prompt\0\0", 8) + z);
  MetadataSummary c = ProbeMetadata(comfy.data(), comfy.size());
  EXPECT_EQ(c.generator, "ComfyUI");
  EXPECT_EQ(c.png_text["prompt"], json);
}

TEST(MetadataTest, EveryGeneratorFingerprintInTheSpec) {
  auto base = EncodePng(Pattern(16, 16, 3));
  auto gen = [&](const std::string& key, const std::string& value) {
    auto png = WithChunk(base, "tEXt", key + std::string(1, '\0') + value);
    return ProbeMetadata(png.data(), png.size());
  };
  EXPECT_EQ(gen("parameters", "{\"prompt\": \"x\", \"performance\": \"Speed\"}").generator, "Fooocus");
  EXPECT_EQ(gen("parameters", "{\"sui_image_params\": {}}").generator, "SwarmUI");
  EXPECT_EQ(gen("fooocus_scheme", "fooocus").generator, "Fooocus");
  EXPECT_EQ(gen("invokeai_metadata", "{}").generator, "InvokeAI");
  EXPECT_EQ(gen("invokeai_workflow", "{}").generator, "InvokeAI");
  EXPECT_EQ(gen("Dream", "\"a [b]\" -s 50 -S 1").generator, "InvokeAI");
  EXPECT_EQ(gen("Title", "NovelAI generated image").generator, "NovelAI");
  EXPECT_EQ(gen("Description", "a lighthouse --ar 16:9 --v 6 Job ID: 0000").generator, "Midjourney");
  EXPECT_EQ(gen("AIGC", "{\"Label\":\"1\"}").generator, "AIGC label (GB 45438-2025)");
  auto flux = gen("prompt", "{\"4\": {\"class_type\": \"UNETLoader\", \"inputs\": {\"unet_name\": \"flux1-dev.safetensors\"}}}");
  EXPECT_EQ(flux.generator, "ComfyUI");
  EXPECT_EQ(flux.generator_model, "flux1");
  EXPECT_EQ(gen("Comment", "just a photo").generator, "");
}

TEST(MetadataTest, JpegCameraExifUserCommentAndXmpDigitalSourceType) {
  auto jpeg = EncodeJpeg(Pattern(32, 32, 3), 90);
  // APP1 EXIF (big-endian): IFD0 Make, Model, ExifIFD -> UserComment "UNICODE" UTF-16BE.
  std::string text = "a cat Steps: 20, Sampler: Euler";
  std::string uc = std::string("UNICODE\0", 8);
  for (char ch : text) uc += '\0', uc += ch;
  std::vector<uint8_t> t = {'M', 'M', 0, 42, 0, 0, 0, 8};
  auto u16 = [&](uint16_t v) { t.push_back(v >> 8), t.push_back(v & 255); };
  auto u32 = [&](uint32_t v) { u16(v >> 16), u16(v & 0xffff); };
  const uint32_t ifd0_end = 8 + 2 + 3 * 12 + 4;
  const uint32_t make_off = ifd0_end, model_off = make_off + 8, exif_ifd = model_off + 8;
  const uint32_t uc_off = exif_ifd + 2 + 12 + 4;
  u16(3);
  u16(0x010f), u16(2), u32(7), u32(make_off);
  u16(0x0110), u16(2), u32(6), u32(model_off);
  u16(0x8769), u16(4), u32(1), u32(exif_ifd);
  u32(0);
  for (char ch : std::string("Canon\0\0\0", 8)) t.push_back(ch);
  for (char ch : std::string("EOS R\0\0\0", 8)) t.push_back(ch);
  u16(1);
  u16(0x9286), u16(7), u32(uint32_t(uc.size())), u32(uc_off);
  u32(0);
  t.insert(t.end(), uc.begin(), uc.end());
  std::vector<uint8_t> app1 = {'E', 'x', 'i', 'f', 0, 0};
  app1.insert(app1.end(), t.begin(), t.end());
  std::string xmp = std::string("http://ns.adobe.com/xap/1.0/") + '\0' +
                    "<x:xmpmeta><rdf:Description Iptc4xmpExt:DigitalSourceType=\"http://cv.iptc.org/newscodes/"
                    "digitalsourcetype/trainedAlgorithmicMedia\"/></x:xmpmeta>";
  auto segment = [](uint8_t marker, const std::vector<uint8_t>& body) {
    std::vector<uint8_t> s = {0xFF, marker, uint8_t((body.size() + 2) >> 8), uint8_t((body.size() + 2) & 255)};
    s.insert(s.end(), body.begin(), body.end());
    return s;
  };
  auto s1 = segment(0xE1, app1);
  auto s2 = segment(0xE1, std::vector<uint8_t>(xmp.begin(), xmp.end()));
  jpeg.insert(jpeg.begin() + 2, s2.begin(), s2.end());
  jpeg.insert(jpeg.begin() + 2, s1.begin(), s1.end());
  MetadataSummary m = ProbeMetadata(jpeg.data(), jpeg.size());
  EXPECT_EQ(m.make, "Canon");
  EXPECT_EQ(m.model, "EOS R");
  EXPECT_EQ(m.user_comment, text);
  EXPECT_EQ(m.generator, "AUTOMATIC1111");
  ASSERT_EQ(m.digital_source_types.size(), 1u);
  EXPECT_EQ(m.digital_source_types[0], "trainedAlgorithmicMedia");
  bool camera = false, dst = false;
  for (const auto& f : MetadataFindings(m)) {
    camera |= f.signal == "exif.camera" && f.strength == Strength::kWeak;
    dst |= f.signal == "metadata.digital_source_type" && f.direction == Direction::kSynthetic;
  }
  EXPECT_TRUE(camera);
  EXPECT_TRUE(dst);
}

TEST(MetadataTest, HostileMetadataIsBounded) {
  // Endless XMP and absurd EXIF counts: bounded work, no crash.
  std::string big(1 << 20, 'x');
  std::vector<uint8_t> png = EncodePng(Pattern(8, 8, 3));
  auto with = WithChunk(png, "iTXt", std::string("XML:com.adobe.xmp\0\0\0\0\0", 22) + big);
  MetadataSummary m = ProbeMetadata(with.data(), with.size());
  EXPECT_LE(m.png_text["XML:com.adobe.xmp"].size(), 4096u);
  std::vector<uint8_t> tiff = {'I', 'I', 42, 0, 8, 0, 0, 0, 0xff, 0xff};
  (void)ProbeMetadata(tiff.data(), tiff.size());
}

}  // namespace
}  // namespace needle::provenance
