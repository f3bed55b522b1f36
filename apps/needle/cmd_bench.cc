// needle bench index: the PDQ index against brute force and FAISS, on
// uniform or clustered synthetic codes, one thread (and, with --threads,
// needle's throughput on several), exact radius search.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <thread>

#include "../../bench/faiss_peer.h"
#include "cli_util.h"
#include "commands.h"
#include "index/flat_index.h"
#include "index/hamming.h"
#include "index/index_file.h"
#include "index/live_index.h"
#include "index/synthetic_codes.h"

namespace needle::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct BenchFlags {
  std::string what;
  size_t n = 1'000'000;
  size_t queries = 1000;
  int radius = 31;
  std::string distribution = "clustered";
  std::string format = "text";
  std::string methods = "needle,needle_mapped,brute_force,faiss_flat,faiss_multihash";
  uint64_t seed = 42;
  unsigned threads = 1;
  size_t adds = 0;
};

double RssBytes() {
  std::ifstream in("/proc/self/statm");
  double pages = 0, rss = 0;
  in >> pages >> rss;
  return rss * static_cast<double>(sysconf(_SC_PAGESIZE));
}

struct MethodResult {
  double median_us = 0, p99_us = 0, recall = 0, build_s = 0, bytes_per_hash = 0;
  bool ran = false;
};

template <typename SearchFn>
MethodResult Measure(const std::vector<hash::Hash256>& queries, const std::vector<std::set<int64_t>>& truth,
                     SearchFn search) {
  MethodResult r;
  std::vector<double> us;
  size_t found = 0, expected = 0;
  std::vector<int64_t> ids;
  for (size_t i = 0; i < queries.size(); ++i) {
    ids.clear();
    auto t0 = Clock::now();
    search(queries[i], &ids);
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    std::set<int64_t> got(ids.begin(), ids.end());
    expected += truth[i].size();
    for (int64_t id : truth[i]) found += got.count(id);
  }
  std::sort(us.begin(), us.end());
  r.median_us = us[us.size() / 2];
  r.p99_us = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  r.recall = expected ? double(found) / double(expected) : 1.0;
  r.ran = true;
  return r;
}

// Queries per second with `threads` threads searching at once, each taking
// every threads-th query, the whole set `rounds` times: what a server with
// that many workers can get from the index (memory bandwidth and the shared
// cache are shared, so it is less than threads x one thread's rate).
double Throughput(const index::LiveIndex& live, const std::vector<hash::Hash256>& queries, int radius,
                  unsigned threads, int rounds) {
  auto t0 = Clock::now();
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      std::vector<index::RangeHit> h;
      for (int r = 0; r < rounds; ++r)
        for (size_t i = t; i < queries.size(); i += threads) {
          h.clear();
          live.Search(queries[i], radius, &h);
        }
    });
  for (auto& th : pool) th.join();
  return double(queries.size()) * rounds / std::chrono::duration<double>(Clock::now() - t0).count();
}

// The service's bank API adds entries one at a time while lookups run:
// f.adds new codes added singly (timed, the slowest add being a rebuild of
// the side or of everything), then the queries again, checked against the
// truth extended by brute force over the added codes.
MethodResult MeasureAfterAdds(index::LiveIndex& live, const BenchFlags& f, index::Distribution dist,
                              const std::vector<hash::Hash256>& queries, std::vector<std::set<int64_t>> truth,
                              nlohmann::ordered_json* note) {
  std::fprintf(stderr, "adding %zu codes one at a time...\n", f.adds);
  const std::vector<hash::Hash256> added = index::MakeCodes(f.adds, dist, f.seed + 1);
  for (size_t qi = 0; qi < queries.size(); ++qi)
    for (size_t i = 0; i < added.size(); ++i)
      if (hash::Distance(queries[qi], added[i]) <= f.radius) truth[qi].insert(int64_t(f.n + i));
  double total_s = 0, worst_s = 0;
  for (size_t i = 0; i < added.size(); ++i) {
    const index::IndexItem it{added[i], static_cast<uint32_t>(f.n + i)};
    const auto t0 = Clock::now();
    live.Add({&it, 1});
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    total_s += s;
    worst_s = std::max(worst_s, s);
  }
  std::vector<index::RangeHit> h;
  MethodResult m = Measure(queries, truth, [&](const hash::Hash256& q, std::vector<int64_t>* ids) {
    h.clear();
    live.Search(q, f.radius, &h);
    for (auto& x : h) ids->push_back(x.id);
  });
  const auto st = live.stats();
  m.bytes_per_hash = double(st.index_bytes) / double(std::max<size_t>(1, st.live));
  *note = {{"adds", f.adds},        {"adds_per_s", double(f.adds) / total_s}, {"worst_add_ms", worst_s * 1e3},
           {"segments", st.segments}, {"side", st.side},                      {"delta", st.delta}};
  return m;
}

// Writes the index as a server finds it: a snapshot file (index_file.h).
Status WriteSnapshot(const index::LiveIndex& live, std::string* path) {
  const char* tmpdir = std::getenv("TMPDIR");
  *path = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/needle-bench-" + std::to_string(getpid()) + ".idx";
  std::fprintf(stderr, "writing the index snapshot %s...\n", path->c_str());
  return index::WriteIndexFile(*path, 0, live.Segments());
}

// The index as a server loads it: the snapshot `st` wrote at `path`,
// searched through a read-only memory map of the file. The in-memory index
// is gone by then, so at 100M codes the two copies do not share the RAM.
MethodResult MeasureMapped(Status st, const std::string& path, size_t n, const std::vector<hash::Hash256>& queries,
                           const std::vector<std::set<int64_t>>& truth, int radius) {
  MethodResult m;
  std::fprintf(stderr, "mapping the index snapshot...\n");
  auto t0 = Clock::now();
  auto snap = st.ok() ? index::ReadIndexFile(path) : Result<index::IndexSnapshot>(st);
  const double load_s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::remove(path.c_str());  // the mapping keeps the data until it is unmapped
  if (!snap.ok()) {
    std::fprintf(stderr, "needle bench: snapshot skipped: %s\n", snap.status().ToString().c_str());
    return m;
  }
  index::LiveIndex mapped;
  mapped.ResetSegments(std::move(snap->segments));
  std::vector<index::RangeHit> h;
  m = Measure(queries, truth, [&](const hash::Hash256& q, std::vector<int64_t>* ids) {
    h.clear();
    mapped.Search(q, radius, &h);
    for (auto& x : h) ids->push_back(x.id);
  });
  m.build_s = load_s;  // load and validate, not build
  m.bytes_per_hash = double(mapped.stats().index_bytes) / double(std::max<size_t>(1, n));
  return m;
}

int RunIndexBench(const BenchFlags& f) {
  const auto dist = f.distribution == "uniform" ? index::Distribution::kUniform : index::Distribution::kClustered;
  auto want = [&](const char* m) { return f.methods.find(m) != std::string::npos; };
  std::fprintf(stderr, "generating %zu %s codes and %zu queries...\n", f.n, f.distribution.c_str(), f.queries);
  std::vector<hash::Hash256> codes = index::MakeCodes(f.n, dist, f.seed);
  std::vector<hash::Hash256> queries = index::MakeQueries(codes, f.queries, dist, f.seed);

  // Brute force: the ground truth, and a method of its own.
  index::FlatIndex flat;
  auto t0 = Clock::now();
  for (size_t i = 0; i < codes.size(); ++i) flat.Add(codes[i], static_cast<uint32_t>(i));
  double flat_build = std::chrono::duration<double>(Clock::now() - t0).count();
  std::vector<std::set<int64_t>> truth(queries.size());
  std::vector<index::RangeHit> hits;
  for (size_t i = 0; i < queries.size(); ++i) {
    hits.clear();
    flat.Search(queries[i], f.radius, &hits);
    for (auto& h : hits) truth[i].insert(h.id);
  }
  MethodResult brute = Measure(queries, truth, [&](const hash::Hash256& q, std::vector<int64_t>* ids) {
    hits.clear();
    flat.Search(q, f.radius, &hits);
    for (auto& h : hits) ids->push_back(h.id);
  });
  brute.build_s = flat_build;

  MethodResult needle, mapped;
  double qps1 = 0, qpsn = 0;  // --threads: queries/s on one thread and on f.threads
  MethodResult after_adds;    // --adds
  nlohmann::ordered_json adds_note;
  if (want("needle")) {
    std::fprintf(stderr, "building the needle index...\n");
    auto live = std::make_unique<index::LiveIndex>();
    {
      std::vector<index::IndexItem> items(codes.size());
      for (size_t i = 0; i < codes.size(); ++i) items[i] = {codes[i], static_cast<uint32_t>(i)};
      t0 = Clock::now();
      live->Reset(items);
      needle.build_s = std::chrono::duration<double>(Clock::now() - t0).count();
    }
    std::vector<index::RangeHit> h2;
    MethodResult m = Measure(queries, truth, [&](const hash::Hash256& q, std::vector<int64_t>* ids) {
      h2.clear();
      live->Search(q, f.radius, &h2);
      for (auto& h : h2) ids->push_back(h.id);
    });
    m.build_s = needle.build_s;
    m.bytes_per_hash = double(live->stats().index_bytes) / double(std::max<size_t>(1, f.n));
    needle = m;
    if (f.threads > 1) {
      qps1 = Throughput(*live, queries, f.radius, 1, 3);
      qpsn = Throughput(*live, queries, f.radius, f.threads, 3);
    }
    if (f.adds > 0) after_adds = MeasureAfterAdds(*live, f, dist, queries, truth, &adds_note);
    if (want("needle_mapped") && f.adds > 0) {
      std::fprintf(stderr, "needle bench: needle_mapped not measured with --adds (its snapshot would hold the adds)\n");
    } else if (want("needle_mapped")) {
      std::string path;
      Status st = WriteSnapshot(*live, &path);
      live.reset();
      mapped = MeasureMapped(st, path, f.n, queries, truth, f.radius);
    }
  }

  MethodResult fflat, fmh;
  if (bench::FaissAvailable() && want("faiss_flat")) {
    std::fprintf(stderr, "building FAISS IndexBinaryFlat...\n");
    double rss0 = RssBytes();
    t0 = Clock::now();
    auto peer = bench::MakeFaissFlat(codes);
    double build = std::chrono::duration<double>(Clock::now() - t0).count();
    double extra = RssBytes() - rss0 - 32.0 * double(f.n);
    fflat = Measure(queries, truth, [&](const hash::Hash256& q, std::vector<int64_t>* ids) { peer->RangeSearch(q, f.radius, ids); });
    fflat.build_s = build;
    fflat.bytes_per_hash = std::max(0.0, extra) / double(std::max<size_t>(1, f.n));
  }
  if (bench::FaissAvailable() && want("faiss_multihash")) {
    std::fprintf(stderr, "building FAISS IndexBinaryMultiHash(16x16, nflip=%d)...\n", f.radius / 16);
    double rss0 = RssBytes();
    t0 = Clock::now();
    auto peer = bench::MakeFaissMultiHash(codes, f.radius / 16);
    double build = std::chrono::duration<double>(Clock::now() - t0).count();
    double extra = RssBytes() - rss0 - 32.0 * double(f.n);
    fmh = Measure(queries, truth, [&](const hash::Hash256& q, std::vector<int64_t>* ids) { peer->RangeSearch(q, f.radius, ids); });
    fmh.build_s = build;
    fmh.bytes_per_hash = std::max(0.0, extra) / double(std::max<size_t>(1, f.n));
  }

  size_t total_truth = 0;
  for (auto& t : truth) total_truth += t.size();
  auto js = [](const MethodResult& m) {
    return nlohmann::ordered_json{{"median_us", m.median_us}, {"p99_us", m.p99_us}, {"recall", m.recall},
                                  {"build_s", m.build_s},     {"bytes_per_hash", m.bytes_per_hash}};
  };
  nlohmann::ordered_json j{{"n", f.n}, {"queries", f.queries}, {"radius", f.radius},
                           {"distribution", f.distribution}, {"simd", index::SimdLevelName(index::ActiveSimdLevel())},
                           {"true_matches", total_truth}};
  if (needle.ran) j["needle"] = js(needle);
  if (qpsn > 0) j["needle_threads"] = {{"threads", f.threads}, {"qps_1", qps1}, {"qps", qpsn}};
  if (mapped.ran) j["needle_mapped"] = js(mapped);
  if (after_adds.ran) {
    j["needle_after_adds"] = js(after_adds);
    j["needle_after_adds"].update(adds_note);
  }
  j["brute_force"] = js(brute);
  if (fflat.ran) j["faiss_flat"] = js(fflat);
  if (fmh.ran) j["faiss_multihash"] = js(fmh);
  if (f.format == "json") {
    std::cout << j.dump() << '\n';
    return kExitOk;
  }
  std::printf("n=%zu queries=%zu radius=%d distribution=%s simd=%s true matches=%zu\n", f.n, f.queries, f.radius,
              f.distribution.c_str(), index::SimdLevelName(index::ActiveSimdLevel()), total_truth);
  std::printf("%-16s %12s %12s %8s %9s %14s\n", "method", "median_us", "p99_us", "recall", "build_s", "bytes/hash");
  auto row = [](const char* name, const MethodResult& m) {
    if (m.ran)
      std::printf("%-16s %12.1f %12.1f %8.4f %9.2f %14.1f\n", name, m.median_us, m.p99_us, m.recall, m.build_s,
                  m.bytes_per_hash);
  };
  row("needle", needle);
  row("needle_mapped", mapped);
  row("needle+adds", after_adds);
  row("brute_force", brute);
  row("faiss_flat", fflat);
  row("faiss_multihash", fmh);
  if (needle.ran && fmh.ran) std::printf("needle vs faiss_multihash (median): %.1fx faster\n", fmh.median_us / needle.median_us);
  if (needle.ran) std::printf("needle vs brute force (median): %.1fx faster\n", brute.median_us / needle.median_us);
  if (after_adds.ran)
    std::printf("needle+adds: %zu single adds at %.0f/s (slowest %.1f ms), then %zu segments, side %zu, delta %zu\n",
                f.adds, adds_note["adds_per_s"].get<double>(), adds_note["worst_add_ms"].get<double>(),
                adds_note["segments"].get<size_t>(), adds_note["side"].get<size_t>(), adds_note["delta"].get<size_t>());
  if (qpsn > 0)
    std::printf("needle throughput: %.0f queries/s on 1 thread, %.0f on %u threads at once (%.2fx)\n", qps1, qpsn,
                f.threads, qpsn / qps1);
  return kExitOk;
}

}  // namespace

Action RegisterBench(CLI::App& app) {
  auto f = std::make_shared<BenchFlags>();
  CLI::App* sub = app.add_subcommand("bench", "Benchmarks (index: the PDQ index vs brute force and FAISS)");
  sub->add_option("what", f->what, "What to benchmark: index")->required()->check(CLI::IsMember({"index"}));
  sub->add_option("--n", f->n, "Number of indexed codes (default 1000000)");
  sub->add_option("--queries", f->queries, "Number of queries, half planted near codes (default 1000)");
  sub->add_option("--radius", f->radius, "Hamming radius, inclusive (default 31)")->check(CLI::Range(0, 255));
  sub->add_option("--distribution", f->distribution, "clustered (default) or uniform")
      ->check(CLI::IsMember({"uniform", "clustered"}));
  sub->add_option("--format", f->format, "text (default) or json")->check(CLI::IsMember({"text", "json"}));
  sub->add_option("--methods", f->methods, "Comma list of needle, needle_mapped (the same index written as a snapshot and searched through a memory map, as a server loads it), brute_force, faiss_flat, faiss_multihash");
  sub->add_option("--seed", f->seed, "Random seed (default 42)");
  sub->add_option("--threads", f->threads,
                  "Also measure needle's throughput with this many threads searching at once (as a server's workers)")
      ->check(CLI::Range(1u, 256u));
  sub->add_option("--adds", f->adds,
                  "Then add this many codes one at a time (as the service's bank API does) and search again "
                  "(row needle+adds)");
  sub->footer("All methods run on one thread and are checked against brute force (recall); --threads N adds\n"
              "needle's queries/s on 1 and on N threads (\"needle_threads\":{threads,qps_1,qps} in JSON); --adds N\n"
              "adds N codes singly and measures again (\"needle_after_adds\": the fields below, adds_per_s,\n"
              "worst_add_ms, segments, side, delta).\n"
              "JSON: {\"n\",\"queries\",\"radius\",\"distribution\",\"needle\":{median_us,p99_us,recall,build_s,\n"
              "bytes_per_hash},\"brute_force\":{...},\"faiss_flat\":{...},\"faiss_multihash\":{...}}.\n"
              "bytes_per_hash: index memory beyond the 32-byte codes (for needle, the ids included);\n"
              "for FAISS measured as resident-memory growth.");
  return [f] { return RunIndexBench(*f); };
}

}  // namespace needle::cli
