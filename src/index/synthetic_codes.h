// Synthetic 256-bit code sets for benchmarks and randomized tests.
//
// uniform:   independent random bits (the worst case for bucketing).
// clustered: like real PDQ lists, near-duplicate groups: cluster centres
//            with power-law sizes (most singletons, a few with hundreds of
//            members), members 0-24 bits from their centre, and centres that
//            share structure (every centre is 40-80 bits from one of a few
//            hundred "themes"), so substrings are skewed as in real data.
// Queries: half planted (0-40 bits from a random code), half fresh.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hash/hash256.h"

namespace needle::index {

enum class Distribution { kUniform, kClustered };

std::vector<hash::Hash256> MakeCodes(size_t n, Distribution d, uint64_t seed);
std::vector<hash::Hash256> MakeQueries(const std::vector<hash::Hash256>& codes, size_t n, Distribution d,
                                       uint64_t seed);

}  // namespace needle::index
