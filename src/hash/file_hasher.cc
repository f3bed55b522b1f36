#include "hash/file_hasher.h"

#include "media/decode.h"
#include "media/format.h"

namespace needle::hash {

void HashDecoded(const uint8_t* data, size_t n, const HashOptions& options, FileHashRecord* rec,
                 media::DecodedImage* keep) {
  rec->pipeline = options.pipeline;
  media::Format f = media::SniffFormat(data, n);
  rec->format = f == media::Format::kUnknown ? media::SniffOtherKind(data, n) : media::FormatName(f);
  auto decoded = media::Decode(data, n, DecodeOptionsFor(options.pipeline, options.decode, options.fast_min_short_side));
  if (!decoded.ok()) {
    rec->error = decoded.status();
    return;
  }
  media::DecodedImage& d = decoded.value();
  rec->width = d.width;
  rec->height = d.height;
  rec->orientation = d.orientation;
  rec->scale_denom = d.scale_denom;
  rec->warnings = std::move(d.warnings);
  if (options.dihedral || d.orientation != 1) {
    PdqWithDihedral both = HashImageDihedral(d, options.pipeline);
    rec->pdq = both.plain;
    if (d.orientation != 1) rec->pdq_oriented = OrientedVariant(both.dihedral, d.orientation);
    if (options.dihedral) rec->dihedral = both.dihedral;
  } else {
    rec->pdq = HashImage(d, options.pipeline);
  }
  if (keep) *keep = std::move(d);
}

FileHashRecord HashFile(const std::string& path, const HashOptions& options) {
  FileHashRecord rec;
  rec.path = path;
  rec.pipeline = options.pipeline;
  auto ev = media::ReadEvidence(path, options.read);
  if (!ev.ok()) {
    rec.error = ev.status();
    return rec;
  }
  return HashEvidence(*ev, options);
}

FileHashRecord HashEvidence(const media::EvidenceFile& ev, const HashOptions& options, media::DecodedImage* keep) {
  FileHashRecord rec;
  rec.path = ev.path;
  rec.pipeline = options.pipeline;
  rec.size = ev.size;
  rec.digests = ev.digests;
  if (!ev.kept) {
    media::Format f = media::SniffFormat(ev.head.data(), ev.head.size());
    rec.format = f == media::Format::kUnknown ? media::SniffOtherKind(ev.head.data(), ev.head.size())
                                               : media::FormatName(f);
    rec.error = TooLarge("file of " + std::to_string(ev.size) + " bytes is above the decode limit of " +
                         std::to_string(options.read.max_buffer_bytes) + " bytes; digests only");
    return rec;
  }
  HashDecoded(ev.bytes.data(), ev.bytes.size(), options, &rec, keep);
  return rec;
}

FileHashRecord HashBytes(const std::string& label, const uint8_t* data, size_t n, const HashOptions& options) {
  FileHashRecord rec;
  rec.path = label;
  rec.size = n;
  rec.digests = DigestBytes(data, n);
  HashDecoded(data, n, options, &rec);
  return rec;
}

}  // namespace needle::hash
