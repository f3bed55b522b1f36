#include "hash/hash_record_json.h"

#include <sstream>

namespace needle::hash {

nlohmann::ordered_json ToJson(const FileHashRecord& r) {
  nlohmann::ordered_json j;
  j["path"] = r.path;
  if (r.size) j["size"] = *r.size;
  if (r.digests) {
    j["md5"] = r.digests->md5;
    j["sha1"] = r.digests->sha1;
    j["sha256"] = r.digests->sha256;
  }
  if (!r.format.empty()) j["format"] = r.format;
  if (!r.error.ok()) {
    if (r.width > 0) {
      j["width"] = r.width;
      j["height"] = r.height;
    }
    j["error"] = std::string(CodeName(r.error.code()));
    j["message"] = r.error.message();
    return j;
  }
  j["width"] = r.width;
  j["height"] = r.height;
  j["orientation"] = r.orientation;
  j["pipeline"] = PipelineName(r.pipeline);
  if (r.pdq) {
    j["pdq"] = r.pdq->hash.ToHex();
    j["pdq_quality"] = r.pdq->quality;
  }
  if (r.pdq_oriented) j["pdq_oriented"] = r.pdq_oriented->ToHex();
  if (r.dihedral) {
    const PdqDihedral& d = *r.dihedral;
    j["pdq_dihedral"] = {{"rot90", d.rot90.ToHex()},         {"rot180", d.rot180.ToHex()},
                         {"rot270", d.rot270.ToHex()},       {"flipx", d.flipx.ToHex()},
                         {"flipy", d.flipy.ToHex()},         {"flipplus1", d.flipplus1.ToHex()},
                         {"flipminus1", d.flipminus1.ToHex()}};
  }
  if (r.scale_denom != 1) j["jpeg_scale"] = "1/" + std::to_string(r.scale_denom);
  if (!r.warnings.empty()) j["warnings"] = r.warnings;
  return j;
}

std::string ToText(const FileHashRecord& r) {
  std::ostringstream s;
  if (!r.error.ok()) {
    s << r.path << "  ERROR " << CodeName(r.error.code()) << ": " << r.error.message();
    if (r.digests) s << "  (sha256 " << r.digests->sha256 << ")";
    return s.str();
  }
  s << r.path << "  " << r.format << " " << r.width << "x" << r.height;
  if (r.pdq) s << "  pdq " << r.pdq->hash.ToHex() << " q" << r.pdq->quality;
  if (r.orientation != 1) s << "  orientation " << r.orientation;
  if (r.digests) s << "  sha256 " << r.digests->sha256;
  return s.str();
}

}  // namespace needle::hash
