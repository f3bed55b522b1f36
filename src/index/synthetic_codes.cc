#include "index/synthetic_codes.h"

#include <algorithm>
#include <random>

namespace needle::index {
namespace {

hash::Hash256 Random(std::mt19937_64& rng) {
  hash::Hash256 h;
  for (auto& l : h.limb) l = rng();
  return h;
}

hash::Hash256 Flip(hash::Hash256 h, int bits, std::mt19937_64& rng) {
  for (int i = 0; i < bits; ++i) {
    int k = static_cast<int>(rng() % 256);
    h.limb[k >> 6] ^= uint64_t{1} << (k & 63);
  }
  return h;
}

}  // namespace

std::vector<hash::Hash256> MakeCodes(size_t n, Distribution d, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<hash::Hash256> out;
  out.reserve(n);
  if (d == Distribution::kUniform) {
    for (size_t i = 0; i < n; ++i) out.push_back(Random(rng));
    return out;
  }
  std::vector<hash::Hash256> themes(256);
  for (auto& t : themes) t = Random(rng);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  while (out.size() < n) {
    hash::Hash256 centre = Flip(themes[rng() % themes.size()], 40 + static_cast<int>(rng() % 41), rng);
    // Pareto-like sizes: P(size > s) ~ 1/s, capped at 500.
    size_t size = std::min<size_t>(500, static_cast<size_t>(1.0 / std::max(1e-9, u(rng))));
    size = std::min(size, n - out.size());
    for (size_t i = 0; i < size; ++i) out.push_back(i == 0 ? centre : Flip(centre, static_cast<int>(rng() % 25), rng));
  }
  std::shuffle(out.begin(), out.end(), rng);
  return out;
}

std::vector<hash::Hash256> MakeQueries(const std::vector<hash::Hash256>& codes, size_t n, Distribution d,
                                       uint64_t seed) {
  std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ull);
  std::vector<hash::Hash256> q;
  std::vector<hash::Hash256> fresh = MakeCodes(n, d, seed + 1);
  for (size_t i = 0; i < n; ++i) {
    if (i % 2 == 0 && !codes.empty()) q.push_back(Flip(codes[rng() % codes.size()], static_cast<int>(rng() % 41), rng));
    else q.push_back(fresh[i]);
  }
  return q;
}

}  // namespace needle::index
