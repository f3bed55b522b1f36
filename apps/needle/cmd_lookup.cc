// needle lookup: hashes given on the command line or in a file, against
// every enabled bank. needle match: files hashed (as needle hash) and
// looked up.
#include <fstream>
#include <memory>
#include <thread>

#include "banks/hash_record.h"
#include "banks/matcher.h"
#include "banks/record_lookup.h"
#include "cli_util.h"
#include "commands.h"
#include "hash/file_hasher.h"
#include "hash/hash_record_json.h"
#include "util/file_walker.h"
#include "util/ordered_parallel.h"
#include "util/progress.h"

namespace needle::cli {
namespace {

struct LookupFlags {
  std::string store;
  std::vector<std::string> pdq, md5, sha1, sha256;
  std::string pdq_file;
  // match
  std::vector<std::string> paths;
  int threads = 0;
  bool quiet = false;
  bool follow_symlinks = false;
  bool dihedral = false;
};


struct Query {
  std::string type, value;
};

int RunLookup(const LookupFlags& f) {
  std::vector<Query> queries;
  for (auto& v : f.pdq) queries.push_back({"pdq", v});
  if (!f.pdq_file.empty()) {
    std::ifstream in(f.pdq_file);
    if (!in) return Fail("lookup", NotFound(f.pdq_file + ": cannot open"));
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      size_t b = line.find_first_not_of(" \t");
      if (b == std::string::npos || line[b] == '#') continue;
      size_t sp = line.find_last_of(" \t");
      std::string v = sp == std::string::npos || sp < b ? line.substr(b) : line.substr(sp + 1);
      queries.push_back({"pdq", v});
    }
  }
  for (auto& v : f.md5) queries.push_back({"md5", v});
  for (auto& v : f.sha1) queries.push_back({"sha1", v});
  for (auto& v : f.sha256) queries.push_back({"sha256", v});
  if (queries.empty())
    return Fail("lookup", InvalidArgument("give hashes: --pdq HEX, --pdq-file FILE, --md5, --sha1 or --sha256"));

  auto store = store::BankStore::Open(StoreDir(f.store), false);
  if (!store.ok()) return Fail("lookup", store.status());
  auto matcher = banks::Matcher::Open(**store);
  if (!matcher.ok()) return Fail("lookup", matcher.status());

  int failed = 0;
  for (const auto& q : queries) {
    nlohmann::ordered_json out;
    size_t len = q.type == "md5" ? 32 : q.type == "sha1" ? 40 : 64;
    auto norm = banks::NormalizeHex(q.value, len, q.type);
    out["query"] = {{"type", q.type}, {"value", norm.ok() ? *norm : q.value}};
    Result<std::vector<banks::Match>> ms = std::vector<banks::Match>{};
    if (!norm.ok()) {
      ms = norm.status();
    } else if (q.type == "pdq") {
      ms = (*matcher)->LookupPdq(*hash::Hash256::FromHex(*norm), std::nullopt);
    } else {
      auto t = q.type == "md5" ? store::DigestType::kMd5 : q.type == "sha1" ? store::DigestType::kSha1 : store::DigestType::kSha256;
      ms = (*matcher)->LookupDigest(t, *norm);
    }
    if (!ms.ok()) {
      ++failed;
      out["error"] = std::string(CodeName(ms.status().code()));
      out["message"] = ms.status().message();
    } else {
      out["matches"] = nlohmann::ordered_json::array();
      for (const auto& m : *ms) out["matches"].push_back(banks::MatchToJson(m));
    }
    std::cout << out.dump() << '\n';
  }
  return failed ? kExitSomeFailed : kExitOk;
}

int RunMatch(const LookupFlags& f) {
  auto store = store::BankStore::Open(StoreDir(f.store), false);
  if (!store.ok()) return Fail("match", store.status());
  auto matcher = banks::Matcher::Open(**store);
  if (!matcher.ok()) return Fail("match", matcher.status());
  hash::HashOptions opt;
  opt.dihedral = f.dihedral;
  util::WalkOptions wopt;
  wopt.follow_symlinks = f.follow_symlinks;
  util::FileWalker walker(f.paths, wopt);
  util::Progress progress("matching", !f.quiet);
  int threads = f.threads > 0 ? f.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int failed = 0;
  std::function<bool(util::WalkEntry*)> next = [&](util::WalkEntry* e) { return walker.Next(e); };
  std::function<hash::FileHashRecord(util::WalkEntry&)> work = [&](util::WalkEntry& e) {
    if (e.kind == util::WalkEntry::Kind::kFile) return hash::HashFile(e.path, opt);
    hash::FileHashRecord r;
    r.path = e.path;
    r.error = e.kind == util::WalkEntry::Kind::kError ? e.error : Unsupported("skipped: " + e.reason);
    return r;
  };
  std::function<void(hash::FileHashRecord&)> emit = [&](hash::FileHashRecord& r) {
    nlohmann::ordered_json matches = nlohmann::ordered_json::array();
    // Lookups run here, serialised: the store handle is single-threaded. A
    // failed one is the record's error, never an empty match list.
    auto ms = banks::LookupRecord(**matcher, r, {.dihedral = f.dihedral});
    if (ms.ok()) {
      for (auto& m : *ms) matches.push_back(banks::MatchToJson(m));
    } else if (r.error.ok()) {
      r.error = Status(ms.status().code(), "bank lookup: " + ms.status().message());
    }
    nlohmann::ordered_json j = hash::ToJson(r);
    j["matches"] = matches;
    bool bad = !r.error.ok();
    failed += bad;
    progress.Add(r.size.value_or(0), bad);
    std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  };
  util::OrderedParallel<util::WalkEntry, hash::FileHashRecord>(threads, size_t(threads) * 4, next, work, emit);
  progress.Finish();
  return failed ? kExitSomeFailed : kExitOk;
}

}  // namespace

Action RegisterLookup(CLI::App& app) {
  auto f = std::make_shared<LookupFlags>();
  CLI::App* sub = app.add_subcommand("lookup", "Look hashes up in every enabled bank (JSON Lines, one per query)");
  sub->footer(
      "Prints one JSON object per query, in query order:\n"
      "  {\"query\":{\"type\":\"pdq\",\"value\":HEX},\"matches\":[{\"bank\":NAME,\"entry\":ID,\"type\":\"pdq\",\n"
      "   \"value\":HEX,\"distance\":D, ...}]}\n"
      "PDQ matches use each bank's own threshold; exact (every entry within it is returned).\n"
      "A --pdq-file holds one hash per line, bare or 'pdq HEX'.\n\n"
      "Examples:\n  needle lookup --pdq f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22\n"
      "  needle lookup --pdq-file needles.txt --store /cases/banks");
  sub->add_option("--store", f->store, "Store directory (default $NEEDLE_HOME or ~/.local/share/needle)");
  sub->add_option("--pdq", f->pdq, "PDQ hash(es), 64 hex characters");
  sub->add_option("--pdq-file", f->pdq_file, "File of PDQ hashes, one per line")->check(CLI::ExistingFile);
  sub->add_option("--md5", f->md5, "MD5 digest(s)");
  sub->add_option("--sha1", f->sha1, "SHA-1 digest(s)");
  sub->add_option("--sha256", f->sha256, "SHA-256 digest(s)");
  auto lookup = [f] { return RunLookup(*f); };

  CLI::App* m = app.add_subcommand("match", "Hash files (as needle hash) and look them up in every enabled bank");
  m->footer("Each output line is the `needle hash` record plus \"matches\": digest matches (exact) and PDQ\n"
            "matches within each bank's threshold, gated by the bank's minimum quality; the EXIF-upright\n"
            "variant of a rotated photo is looked up too (\"variant\":\"oriented\").\n"
            "Exit codes as for needle hash.");
  m->add_option("paths", f->paths, "Files and folders")->required();
  m->add_option("--store", f->store, "Store directory");
  m->add_option("--threads", f->threads, "Hashing threads (default: all cores)")->check(CLI::Range(1, 1024));
  m->add_flag("--follow-symlinks", f->follow_symlinks, "Follow symbolic links inside folders");
  m->add_flag("--dihedral", f->dihedral,
              "Also match images rotated or mirrored (7 more PDQ queries a file; a match names its \"variant\")");
  m->add_flag("-q,--quiet", f->quiet, "No progress bar");
  auto match = [f] { return RunMatch(*f); };

  return [sub, m, lookup, match] {
    if (sub->parsed()) return lookup();
    if (m->parsed()) return match();
    return kExitUsage;
  };
}

}  // namespace needle::cli
