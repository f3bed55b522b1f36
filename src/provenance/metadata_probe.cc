#include "provenance/metadata_probe.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string_view>

#include "media/containers.h"

namespace needle::provenance {
namespace {

constexpr size_t kMaxText = 4096;

uint16_t Be16(const uint8_t* p) { return uint16_t((p[0] << 8) | p[1]); }

// ASCII tags of IFD0 and the Exif sub-IFD.
void ReadExif(const uint8_t* t, size_t n, MetadataSummary* m) {
  if (n < 8) return;
  bool le = t[0] == 'I';
  if (!(le || t[0] == 'M')) return;
  auto u16 = [&](size_t o) -> int64_t { return o + 2 > n ? -1 : le ? (t[o] | (t[o + 1] << 8)) : ((t[o] << 8) | t[o + 1]); };
  auto u32 = [&](size_t o) -> int64_t {
    if (o + 4 > n) return -1;
    return le ? (int64_t(t[o]) | (int64_t(t[o + 1]) << 8) | (int64_t(t[o + 2]) << 16) | (int64_t(t[o + 3]) << 24))
              : ((int64_t(t[o]) << 24) | (int64_t(t[o + 1]) << 16) | (int64_t(t[o + 2]) << 8) | int64_t(t[o + 3]));
  };
  m->has_exif = true;
  auto ascii = [&](size_t e) -> std::string {
    int64_t count = u32(e + 4);
    if (count <= 0 || count > 1024) return "";
    size_t off = count <= 4 ? e + 8 : size_t(u32(e + 8));
    if (off >= n || size_t(count) > n - off) return "";
    std::string s(reinterpret_cast<const char*>(t + off), size_t(count));
    while (!s.empty() && (s.back() == 0 || s.back() == ' ')) s.pop_back();
    return s;
  };
  auto walk = [&](int64_t ifd, bool top, auto&& self) -> void {
    if (ifd < 8) return;
    int64_t cnt = u16(size_t(ifd));
    if (cnt < 0 || cnt > 512) return;
    for (int64_t i = 0; i < cnt; ++i) {
      size_t e = size_t(ifd) + 2 + size_t(i) * 12;
      int64_t tag = u16(e), type = u16(e + 2);
      if (tag < 0 || type < 0) return;
      if (type == 2) {
        if (tag == 0x010f) m->make = ascii(e);
        else if (tag == 0x0110) m->model = ascii(e);
        else if (tag == 0x0131) m->software = ascii(e);
        else if (tag == 0x9003) m->datetime_original = ascii(e);
      } else if (tag == 0x9286 && type == 7) {
        // UserComment: 8-byte character code, then the text. AUTOMATIC1111
        // writes its parameters here as "UNICODE\0" + UTF-16.
        int64_t count = u32(e + 4), off = u32(e + 8);
        if (count > 8 && off > 0 && size_t(off) < n && size_t(count) <= n - size_t(off)) {
          const uint8_t* c = t + off;
          size_t len = std::min<size_t>(size_t(count) - 8, kMaxText * 2);
          std::string out;
          if (std::memcmp(c, "UNICODE\0", 8) == 0) {
            // Byte order: the TIFF's unless the text shows otherwise (A1111 writes big-endian).
            bool be = !le;
            if (len >= 2 && c[8] == 0 && c[9] != 0) be = true;
            if (len >= 2 && c[8] != 0 && c[9] == 0) be = false;
            for (size_t k = 0; k + 1 < len; k += 2) {
              uint16_t ch = be ? uint16_t((c[8 + k] << 8) | c[9 + k]) : uint16_t(c[8 + k] | (c[9 + k] << 8));
              if (ch == 0) break;
              out += ch < 128 ? char(ch) : '?';
            }
          } else {
            for (size_t k = 0; k < len && c[8 + k]; ++k) out += char(c[8 + k]);
          }
          m->user_comment = out;
        }
      } else if (tag == 0x8769 && top) {
        self(u32(e + 8), false, self);
      }
    }
  };
  walk(u32(4), true, walk);
}

void ReadXmp(std::string_view x, MetadataSummary* m) {
  m->xmp_present = true;
  size_t pos = 0;
  while ((pos = x.find("digitalsourcetype/", pos)) != std::string_view::npos) {
    pos += 18;
    size_t end = pos;
    while (end < x.size() && (std::isalnum(static_cast<unsigned char>(x[end])))) ++end;
    std::string term(x.substr(pos, end - pos));
    if (!term.empty() && std::find(m->digital_source_types.begin(), m->digital_source_types.end(), term) ==
                             m->digital_source_types.end())
      m->digital_source_types.push_back(term);
  }
}

// ITU T.81 Annex K luminance table, natural (row-major) order.
constexpr int kStdLuma[64] = {16, 11, 10, 16, 24,  40,  51,  61,  12, 12, 14, 19, 26,  58,  60,  55,
                              14, 13, 16, 24, 40,  57,  69,  56,  14, 17, 22, 29, 51,  87,  80,  62,
                              18, 22, 37, 56, 68,  109, 103, 77,  24, 35, 55, 64, 81,  104, 113, 92,
                              49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};
constexpr int kZigzag[64] = {0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,  12, 19, 26, 33, 40, 48,
                             41, 34, 27, 20, 13, 6,  7,  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23,
                             30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};

void AnalyseLuma(const int table[64], MetadataSummary* m) {
  for (int q = 1; q <= 100; ++q) {
    int scale = q < 50 ? 5000 / q : 200 - 2 * q;
    bool same = true;
    for (int i = 0; i < 64 && same; ++i) {
      int v = (kStdLuma[i] * scale + 50) / 100;
      v = v < 1 ? 1 : v > 255 ? 255 : v;
      same = v == table[i];
    }
    if (same) {
      m->jpeg_ijg_standard = true;
      m->jpeg_quality = q;
      return;
    }
  }
  double ratio = 0;
  for (int i = 0; i < 64; ++i) ratio += double(table[i]) / kStdLuma[i];
  double scale = ratio / 64 * 100;  // percent
  int q = scale <= 100 ? int(200 - scale) / 2 : int(5000 / scale);
  m->jpeg_quality = q < 1 ? 1 : q > 100 ? 100 : q;
}

void ProbeJpeg(const uint8_t* d, size_t n, MetadataSummary* m) {
  size_t p = 2;
  while (p + 4 <= n && d[p] == 0xFF) {
    uint8_t marker = d[p + 1];
    if (marker == 0xDA || marker == 0xD9) break;  // start of scan: no more metadata
    if (marker == 0xFF) { ++p; continue; }
    size_t len = Be16(d + p + 2);
    if (len < 2 || p + 2 + len > n) break;
    const uint8_t* seg = d + p + 4;
    size_t sl = len - 2;
    if (marker == 0xE1 && sl > 6 && std::memcmp(seg, "Exif\0\0", 6) == 0) ReadExif(seg + 6, sl - 6, m);
    if (marker == 0xE1 && sl > 29 && std::memcmp(seg, "http://ns.adobe.com/xap/1.0/", 28) == 0)
      ReadXmp(std::string_view(reinterpret_cast<const char*>(seg), sl), m);
    if (marker == 0xDB) {  // DQT: one or more tables
      size_t q = 0;
      while (q < sl) {
        int pq = seg[q] >> 4, tq = seg[q] & 15;
        size_t tl = 1 + 64 * (pq ? 2 : 1);
        if (q + tl > sl) break;
        ++m->jpeg_tables;
        if (tq == 0) {
          int table[64];
          for (int i = 0; i < 64; ++i)
            table[kZigzag[i]] = pq ? (seg[q + 1 + 2 * i] << 8) | seg[q + 2 + 2 * i] : seg[q + 1 + i];
          AnalyseLuma(table, m);
        }
        q += tl;
      }
    }
    if (marker == 0xEB && sl > 2 && seg[0] == 'J' && seg[1] == 'P') {
      std::string_view s(reinterpret_cast<const char*>(seg), std::min<size_t>(sl, 64));
      if (s.find("c2pa") != std::string_view::npos || s.find("jumb") != std::string_view::npos) m->c2pa_present = true;
    }
    p += 2 + len;
  }
}

void RecogniseGenerator(MetadataSummary* m);

std::string Inflate(const uint8_t* d, size_t n) {
  std::string out(kMaxText, '\0');
  uLongf len = kMaxText;
  // uncompress stops with Z_BUF_ERROR when the output is full: keep what we have.
  int rc = uncompress(reinterpret_cast<Bytef*>(out.data()), &len, d, n);
  if (rc != Z_OK && rc != Z_BUF_ERROR) return "";
  out.resize(len);
  return out;
}

void ProbePng(const uint8_t* d, size_t n, MetadataSummary* m) {
  media::ForEachPngChunk(d, n, [&](const media::Chunk& chunk) {
    const std::string_view type = chunk.type;
    const uint8_t* c = chunk.data;
    const size_t len = chunk.size;
    if (type == "tEXt" || type == "zTXt" || type == "iTXt") {
      const uint8_t* z = static_cast<const uint8_t*>(std::memchr(c, 0, len));
      if (z) {
        std::string key(reinterpret_cast<const char*>(c), size_t(z - c));
        const uint8_t* v = z + 1;
        size_t vl = len - size_t(v - c);
        std::string value;
        if (type == "tEXt") {
          value.assign(reinterpret_cast<const char*>(v), std::min(vl, kMaxText));
        } else if (type == "zTXt" && vl >= 1) {
          value = Inflate(v + 1, vl - 1);
        } else if (type == "iTXt" && vl >= 2) {
          bool compressed = v[0] != 0;
          const uint8_t* q = v + 2;
          size_t ql = vl - 2;
          for (int skip = 0; skip < 2 && ql > 0; ++skip) {  // language tag, translated keyword
            const uint8_t* e = static_cast<const uint8_t*>(std::memchr(q, 0, ql));
            if (!e) { ql = 0; break; }
            ql -= size_t(e - q) + 1;
            q = e + 1;
          }
          value = compressed ? Inflate(q, ql) : std::string(reinterpret_cast<const char*>(q), std::min(ql, kMaxText));
        }
        if (key == "XML:com.adobe.xmp") ReadXmp(value, m);
        if (m->png_text.size() < 64) m->png_text[key] = value;
      }
    } else if (type == "eXIf") {
      ReadExif(c, len, m);
    } else if (type == "caBX") {
      m->c2pa_present = true;
    }
    return true;
  });
  RecogniseGenerator(m);
}

void RecogniseGenerator(MetadataSummary* m) {
  // Exact keys per provenance.md §3. Prompts are never copied into the
  // summary: only which tool, which keys, and a model name.
  auto has = [&](const char* k) { return m->png_text.count(k) > 0; };
  auto text = [&](const char* k) { return has(k) ? m->png_text.at(k) : std::string(); };
  auto contains = [](const std::string& s, const char* w) { return s.find(w) != std::string::npos; };
  const std::string params = text("parameters");
  const bool params_json = !params.empty() && params[0] == '{';
  if (has("AIGC") || contains(m->user_comment, "TC260")) m->generator = "AIGC label (GB 45438-2025)";
  else if (params_json && contains(params, "sui_image_params")) m->generator = "SwarmUI";
  else if (has("fooocus_scheme") || (params_json && (contains(params, "\"performance\"") || contains(params, "Fooocus"))) ||
           m->software.rfind("Fooocus", 0) == 0)
    m->generator = "Fooocus";
  else if (contains(params, "Civitai resources")) m->generator = "Civitai (AUTOMATIC1111 format)";
  else if (contains(params, "Steps:")) m->generator = "AUTOMATIC1111";
  else if (has("prompt") || has("workflow") || m->model.rfind("prompt:{", 0) == 0 || m->make.rfind("workflow:{", 0) == 0)
    m->generator = "ComfyUI";
  else if (has("invokeai_metadata") || has("invokeai_workflow") || has("invokeai_graph") || has("sd-metadata") ||
           has("Dream"))
    m->generator = "InvokeAI";
  else if (text("Software") == "NovelAI" || contains(text("Source"), "NovelAI") ||
           text("Title") == "NovelAI generated image")
    m->generator = "NovelAI";
  else if (contains(text("Description"), "Job ID:") || contains(text("Description"), " --ar ") ||
           contains(text("Description"), " --v "))
    m->generator = "Midjourney";
  else if (contains(m->user_comment, "Steps:") && contains(m->user_comment, "Sampler:"))
    m->generator = "AUTOMATIC1111";
  else if (m->software.find("Midjourney") != std::string::npos)
    m->generator = "Midjourney";
  else if (m->software.find("DALL") != std::string::npos || m->software.find("OpenAI") != std::string::npos)
    m->generator = "DALL-E";
  // A model name, where the graph names one (e.g. Flux inside ComfyUI).
  const std::string graph = text("prompt") + text("workflow") + m->model;
  for (const char* model : {"flux1", "flux-", "sdxl", "sd_xl", "v1-5", "sd3"})
    if (contains(graph, model)) {
      m->generator_model = model;
      break;
    }
}

void ProbeRiff(const uint8_t* d, size_t n, MetadataSummary* m) {
  media::ForEachRiffChunk(d, n, [&](const media::Chunk& c) {
    if (c.type == "C2PA") m->c2pa_present = true;
    if (c.type == "EXIF") {
      const size_t skip = c.size > 6 && std::memcmp(c.data, "Exif\0\0", 6) == 0 ? 6 : 0;
      ReadExif(c.data + skip, c.size - skip, m);
    }
    if (c.type == "XMP ") ReadXmp(std::string_view(reinterpret_cast<const char*>(c.data), c.size), m);
    return true;
  });
}

void ProbeBmff(const uint8_t* d, size_t n, MetadataSummary* m) {
  // C2PA in BMFF is a top-level uuid box with the C2PA UUID.
  media::ForEachBmffBox(d, n, [&](const media::Chunk& c) {
    if (c.type == "uuid" && c.size >= 16 && std::memcmp(c.data, media::kC2paUuid, 16) == 0) m->c2pa_present = true;
    return true;
  });
}

}  // namespace

MetadataSummary ProbeMetadata(const uint8_t* d, size_t n) {
  MetadataSummary m;
  if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) ProbeJpeg(d, n, &m);
  else if (n >= 8 && std::memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0) ProbePng(d, n, &m);
  else if (n >= 12 && std::memcmp(d, "RIFF", 4) == 0 && std::memcmp(d + 8, "WEBP", 4) == 0) ProbeRiff(d, n, &m);
  else if (n >= 12 && std::memcmp(d + 4, "ftyp", 4) == 0) ProbeBmff(d, n, &m);
  else if (n >= 8 && (std::memcmp(d, "II*\0", 4) == 0 || std::memcmp(d, "MM\0*", 4) == 0)) ReadExif(d, n, &m);
  if (m.generator.empty()) RecogniseGenerator(&m);
  return m;
}

std::vector<Finding> MetadataFindings(const MetadataSummary& m) {
  std::vector<Finding> out;
  for (const auto& t : m.digital_source_types) {
    Finding f;
    f.signal = "metadata.digital_source_type";
    f.details = {{"digital_source_type", t}};
    if (t == "trainedAlgorithmicMedia" || t == "compositeWithTrainedAlgorithmicMedia" || t == "algorithmicMedia" ||
        t == "compositeSynthetic" || t == "virtualRecording") {
      f.direction = Direction::kSynthetic;
      f.strength = Strength::kStrong;
      f.summary = "XMP/IPTC metadata declares the digital source type '" + t +
                  "' (unsigned metadata: strong, but it can be added or removed by anyone).";
    } else if (t == "digitalCapture" || t == "negativeFilm" || t == "positiveFilm" || t == "print") {
      f.direction = Direction::kCamera;
      f.strength = Strength::kSupporting;
      f.summary = "XMP/IPTC metadata declares the digital source type '" + t + "' (unsigned metadata).";
    } else {
      f.direction = Direction::kEdited;
      f.strength = Strength::kSupporting;
      f.summary = "XMP/IPTC metadata declares the digital source type '" + t + "'.";
    }
    out.push_back(f);
  }
  if (!m.generator.empty()) {
    Finding f;
    f.signal = "metadata.generator";
    f.direction = Direction::kSynthetic;
    f.strength = Strength::kStrong;
    f.summary = std::string(m.png_text.empty() ? "Metadata carries " : "PNG text chunks carry ") + m.generator +
                " generation parameters (strong evidence of an AI generator, though metadata can be forged).";
    nlohmann::json keys = nlohmann::json::array();
    for (const auto& [k, v] : m.png_text) keys.push_back(k);
    f.details = {{"generator", m.generator}, {"keys", keys}};
    if (!m.generator_model.empty()) f.details["model_family"] = m.generator_model;
    out.push_back(f);
  }
  if (!m.make.empty() || !m.model.empty()) {
    Finding f;
    f.signal = "exif.camera";
    f.direction = Direction::kCamera;
    f.strength = Strength::kWeak;
    f.summary = "EXIF names a camera (" + m.make + (m.model.empty() ? "" : " " + m.model) +
                "); camera EXIF alone is weak evidence, it is easily copied.";
    f.details = {{"make", m.make}, {"model", m.model}, {"software", m.software}};
    out.push_back(f);
  }
  if (m.c2pa_present) {
    Finding f;
    f.signal = "c2pa.present";
    f.direction = Direction::kNone;
    f.strength = Strength::kWeak;
    f.summary = "A C2PA manifest store is embedded; run `needle inspect` to validate it.";
    out.push_back(f);
  }
  return out;
}

nlohmann::ordered_json ToJson(const MetadataSummary& m) {
  nlohmann::ordered_json j;
  j["exif"] = m.has_exif;
  if (!m.make.empty()) j["make"] = m.make;
  if (!m.model.empty()) j["model"] = m.model;
  if (!m.software.empty()) j["software"] = m.software;
  if (!m.datetime_original.empty()) j["datetime_original"] = m.datetime_original;
  if (!m.user_comment.empty()) j["user_comment"] = m.user_comment.substr(0, 256);
  if (!m.digital_source_types.empty()) j["digital_source_types"] = m.digital_source_types;
  if (!m.generator.empty()) j["generator"] = m.generator;
  if (!m.png_text.empty()) {
    nlohmann::ordered_json keys = nlohmann::ordered_json::array();
    for (const auto& [k, v] : m.png_text) keys.push_back(k);
    j["png_text_keys"] = keys;
  }
  if (m.jpeg_tables > 0)
    j["jpeg_quantisation"] = {{"tables", m.jpeg_tables}, {"ijg_standard", m.jpeg_ijg_standard},
                              {"quality", m.jpeg_quality}};
  j["c2pa_present"] = m.c2pa_present;
  j["xmp"] = m.xmp_present;
  return j;
}

}  // namespace needle::provenance
