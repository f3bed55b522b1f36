#include "banks/record_lookup.h"

#include <algorithm>
#include <tuple>
#include <utility>

namespace needle::banks {

Result<std::vector<Match>> LookupRecord(Matcher& matcher, const hash::FileHashRecord& r,
                                        const RecordLookupOptions& options) {
  std::vector<Match> out;
  if (r.digests) {
    for (auto [type, hex] : {std::pair{store::DigestType::kMd5, &r.digests->md5},
                             std::pair{store::DigestType::kSha1, &r.digests->sha1},
                             std::pair{store::DigestType::kSha256, &r.digests->sha256}}) {
      NEEDLE_ASSIGN_OR_RETURN(auto ms, matcher.LookupDigest(type, *hex));
      for (auto& m : ms) out.push_back(std::move(m));
    }
  }
  if (!r.pdq) return out;

  // The queries in order of preference: a tie keeps the earlier one.
  std::vector<std::pair<const char*, const hash::Hash256*>> queries = {{"", &r.pdq->hash}};
  if (r.pdq_oriented) queries.push_back({"oriented", &*r.pdq_oriented});
  if (options.dihedral && r.dihedral) {
    const hash::PdqDihedral& d = *r.dihedral;
    for (auto [name, h] : {std::pair{"rot90", &d.rot90}, {"rot180", &d.rot180}, {"rot270", &d.rot270},
                           {"flipx", &d.flipx}, {"flipy", &d.flipy}, {"flipplus1", &d.flipplus1},
                           {"flipminus1", &d.flipminus1}})
      queries.push_back({name, h});
  }
  std::vector<Match> pdq;
  for (const auto& [variant, code] : queries) {
    if (variant[0] != '\0' && *code == r.pdq->hash) continue;  // a symmetric image: the same query again
    NEEDLE_ASSIGN_OR_RETURN(auto ms, matcher.LookupPdq(*code, r.pdq->quality));
    for (auto& m : ms) {
      auto seen = std::find_if(pdq.begin(), pdq.end(), [&](const Match& x) { return x.entry_id == m.entry_id; });
      if (seen != pdq.end() && seen->distance <= m.distance) continue;
      m.variant = variant;
      if (seen != pdq.end()) *seen = std::move(m);
      else pdq.push_back(std::move(m));
    }
  }
  std::stable_sort(pdq.begin(), pdq.end(), [](const Match& a, const Match& b) {
    return std::tie(a.distance, a.bank, a.entry_id) < std::tie(b.distance, b.bank, b.entry_id);
  });
  for (auto& m : pdq) out.push_back(std::move(m));
  return out;
}

}  // namespace needle::banks
