// libFuzzer target: the C2PA store locator, JUMBF and CBOR parsers, COSE
// handling and the metadata probe, on arbitrary bytes. Run with `make fuzz`.
#include <cstddef>
#include <cstdint>

#include "provenance/c2pa_reader.h"
#include "provenance/exif_evidence.h"
#include "provenance/metadata_probe.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace needle::provenance;
  C2paReport r = ReadC2pa(data, size, {});
  (void)C2paFindings(r);
  (void)ToJson(r);
  MetadataSummary m = ProbeMetadata(data, size);
  (void)MetadataFindings(m);
  ExifEvidence e = ReadExifEvidence(data, size, nullptr);
  (void)ExifFindings(e);
  return 0;
}
