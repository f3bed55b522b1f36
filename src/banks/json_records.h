// Streams the records out of a large JSON document without loading it:
// every object that is an element of an array named in `record_arrays` (or
// of a top-level array) is handed over as soon as it closes. Arrays nested
// inside a record that are themselves record arrays (VICS Cases -> Media)
// are streamed too and left out of the enclosing object.
//
// Top-level scalar members (envelope fields such as "@odata.context") are
// collected into `envelope` as they are seen. Limits: nesting depth 64,
// one record at most `max_record_bytes` of JSON text (approximate).
#pragma once

#include <functional>
#include <istream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "needle/status.h"

namespace needle::banks {

struct JsonStreamOptions {
  std::set<std::string> record_arrays;
  size_t max_depth = 64;
};

// `on_record(obj, index)` is called per record (index counts from 1); an
// error it returns stops the parse. `envelope` receives top-level scalars.
Status StreamJsonRecords(std::istream& in, const JsonStreamOptions& options, nlohmann::json* envelope,
                         const std::function<Status(nlohmann::json&&, size_t)>& on_record);

}  // namespace needle::banks
