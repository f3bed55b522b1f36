// The bank matches of one hashed file, by one rule for `needle match`,
// `needle scan` and the service's /v1/submit: its MD5, SHA-1 and SHA-256;
// its PDQ; the upright variant when EXIF says the pixels are stored rotated
// (lists hold hashes of both forms); and, when asked, the seven rotated and
// mirrored variants (pdq.md section 3: "use variants as extra queries"), so
// a copy turned on its side still matches. A PDQ match found through a
// variant says which (Match::variant); an entry found by several variants is
// reported once, at its smallest distance (the file's own hash first).
#pragma once

#include <vector>

#include "banks/matcher.h"
#include "hash/file_hasher.h"
#include "needle/status.h"

namespace needle::banks {

struct RecordLookupOptions {
  // Also query rot90, rot180, rot270, flipx, flipy, flipplus1 and
  // flipminus1 (the record must carry them: HashOptions::dihedral).
  bool dihedral = false;
};

// Digest matches first (md5, sha1, sha256), then PDQ by distance. A store
// error is returned, not skipped.
Result<std::vector<Match>> LookupRecord(Matcher& matcher, const hash::FileHashRecord& r,
                                        const RecordLookupOptions& options = {});

}  // namespace needle::banks
