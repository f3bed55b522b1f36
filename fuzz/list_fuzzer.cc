// libFuzzer target: every hash-list parser (text, CSV, ICSE, VICS, NCMEC
// XML, StopNCII) and the format detector, on arbitrary bytes. A parser may
// refuse the input with a Status; it must never crash, hang or hand over a
// record that has neither a hash nor a key (signal types needle keeps
// verbatim but never matches, such as StopNCII's VideoTMK, come with a key
// and no hash). Run with `make fuzz`.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "banks/list_format.h"

using namespace needle::banks;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const RecordFn check = [](HashRecord&& r) {
    if (r.source_key.empty() || (!r.HasHash() && !r.deleted && r.metadata.empty()))
      std::abort();  // an entry nothing could find again, or an empty one
    return needle::Status::Ok();
  };
  (void)DetectListFormat(bytes.substr(0, 4096));
  for (ListFormat f : {ListFormat::kAuto, ListFormat::kText, ListFormat::kCsv, ListFormat::kIcse, ListFormat::kVics,
                       ListFormat::kNcmec, ListFormat::kStopNcii}) {
    std::istringstream in(bytes);
    (void)ParseList(in, f, {}, check);
  }
  return 0;
}
