// The JSON Lines contract of `needle hash` (and of hashes inside scan and
// serve output). Field names are part of the public interface.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "hash/file_hasher.h"

namespace needle::hash {

// Success: path, size, md5, sha1, sha256, format, width, height, orientation,
// pipeline, pdq, pdq_quality [, pdq_oriented] [, pdq_dihedral{...}] [, warnings].
// Failure: path [, size, md5, sha1, sha256, format], error (stable code), message.
nlohmann::ordered_json ToJson(const FileHashRecord& rec);

// One readable line for people.
std::string ToText(const FileHashRecord& rec);

}  // namespace needle::hash
