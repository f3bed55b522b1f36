// needle scan / report / audit: the triage of a whole case.
#include <fstream>
#include <memory>

#include "cli_util.h"
#include "util/strings.h"
#include "commands.h"
#include "report/report.h"
#include "store/case_store.h"
#include "triage/scan.h"
#include "util/progress.h"

namespace needle::cli {
namespace {

struct CaseFlags {
  std::vector<std::string> evidence;
  std::string case_dir;
  std::string store;
  std::string banks;
  std::string config;
  std::string trust_anchors;
  std::string format = "auto";
  std::string output;
  int threads = 0;
  uint64_t max_pixels = 200'000'000;
  uint64_t max_pixels_in_flight = 300'000'000;
  bool quiet = false;
  bool follow_symlinks = false;
  bool dihedral = false;
  bool no_thumbnails = false;
  bool no_detector = false;
  std::string detector_model;
  std::string command_line;
};


int RunScanCmd(const CaseFlags& f) {
  triage::ScanOptions o;
  o.roots = f.evidence;
  o.case_dir = f.case_dir;
  o.store_dir = StoreDir(f.store);
  o.banks = util::SplitComma(f.banks);
  o.threads = f.threads;
  o.follow_symlinks = f.follow_symlinks;
  o.dihedral = f.dihedral;
  o.max_pixels = f.max_pixels;
  o.max_pixels_in_flight = f.max_pixels_in_flight;
  o.trust_anchors = f.trust_anchors;
  o.detect = !f.no_detector;
  o.detector_model = f.detector_model;
  o.command_line = f.command_line;
  if (!f.config.empty()) {
    auto c = triage::LoadTriageConfig(f.config);
    if (!c.ok()) return Fail("scan", c.status());
    o.config = *c;
  } else {
    o.config = triage::DefaultTriageConfig();
  }
  const bool jsonl = ResolveFormat(f.format) == OutputFormat::kJsonl && f.format != "auto";
  util::Progress progress("scanning", !f.quiet);
  std::map<std::string, int64_t> so_far;
  o.on_file = [&](const nlohmann::json& line) {
    std::string k = line["class"];
    so_far[k]++;
    std::string extra;
    for (auto& [cls, n] : so_far) extra += cls + ":" + std::to_string(n) + " ";
    progress.Add(0, k == "unreadable", extra);
    if (jsonl) std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  };
  auto r = triage::RunScan(o);
  progress.Finish();
  if (!r.ok()) return Fail("scan", r.status());
  for (const auto& w : r->warnings) std::cerr << "needle scan: warning: " << w << '\n';
  if (!f.quiet) {
    std::fprintf(stderr, "needle scan: %lld files seen, %lld processed, %lld unchanged (skipped), %lld unreadable, "
                         "%lld items, %lld clusters in %.1fs\n",
                 (long long)r->seen, (long long)r->processed, (long long)r->skipped_unchanged, (long long)r->failed,
                 (long long)r->items, (long long)r->clusters, r->seconds);
    for (auto& [k, n] : r->classes) std::fprintf(stderr, "  %-18s %lld\n", k.c_str(), (long long)n);
    std::fprintf(stderr, "report: needle report --case %s --format html > report.html\n", f.case_dir.c_str());
  }
  // Exit 1 while the case holds unreadable files, so a re-run reports the same.
  return r->classes.count("unreadable") && r->classes.at("unreadable") > 0 ? kExitSomeFailed : kExitOk;
}

int RunReportCmd(const CaseFlags& f) {
  auto cs = store::CaseStore::Open(f.case_dir, false);
  if (!cs.ok()) return Fail("report", cs.status());
  report::ReportFormat fmt = f.format == "html"  ? report::ReportFormat::kHtml
                             : f.format == "csv" ? report::ReportFormat::kCsv
                             : f.format == "vics" ? report::ReportFormat::kVics
                                                  : report::ReportFormat::kJsonl;
  report::ReportOptions ro;
  ro.thumbnails = !f.no_thumbnails;
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (!f.output.empty()) {
    file.open(f.output, std::ios::binary);
    if (!file) return Fail("report", IoError(f.output + ": cannot write"));
    out = &file;
  }
  Status st = report::WriteReport(**cs, fmt, ro, *out);
  if (!st.ok()) return Fail("report", st);
  (void)(*cs)->Audit("report", {{"format", f.format}, {"thumbnails", ro.thumbnails}, {"output", f.output.empty() ? "stdout" : f.output}});
  return kExitOk;
}

int RunAuditVerify(const CaseFlags& f) {
  auto cs = store::CaseStore::Open(f.case_dir, false);
  if (!cs.ok()) return Fail("audit verify", cs.status());
  auto c = (*cs)->VerifyAudit();
  if (!c.ok()) return Fail("audit verify", c.status());
  if (c->ok) {
    std::cout << "audit log intact: " << c->entries << " entries verified\n";
    return kExitOk;
  }
  std::cout << "audit log BROKEN at entry " << c->first_bad << ": " << c->reason << '\n';
  return kExitSomeFailed;
}

}  // namespace

Action RegisterCase(CLI::App& app, int argc, char** argv) {
  auto f = std::make_shared<CaseFlags>();
  for (int i = 0; i < argc; ++i) f->command_line += (i ? " " : "") + std::string(argv[i]);
  auto action = std::make_shared<Action>();

  CLI::App* scan = app.add_subcommand("scan", "Triage a whole case: hash, match, inspect, rank (resumable)");
  scan->footer(
      "Walks the evidence (no symbolic links unless --follow-symlinks), reads every file once,\n"
      "read-only, and records digests, PDQ, bank matches, provenance findings and the pixel\n"
      "detector's score (needle detect) in the case\n"
      "folder (one SQLite database, case.db). Then every distinct file gets one class and a\n"
      "priority, new likely-camera material first:\n"
      "  camera-likely, unknown, unreadable, synthetic-likely, synthetic-proven, known, suppressed\n"
      "Identical files collapse to one item with all their paths; near-duplicates (PDQ <= 31,\n"
      "quality >= 50) form clusters, and a known image's edited copies are known too.\n"
      "Thresholds: config/triage.json (built in; --config to override).\n\n"
      "Resumable: kill it at any moment and run the same command again; files already recorded\n"
      "are not read again. Every run, setting, bank version and threshold goes into the case's\n"
      "hash-chained audit log (needle audit verify --case DIR).\n\n"
      "Examples:\n  needle scan /mnt/evidence --case cases/2026-117\n"
      "  needle scan seized/ --case c1 --banks KNOWN_BAD,ALLOWLIST --threads 2\n"
      "  needle report --case cases/2026-117 --format html > report.html");
  scan->add_option("evidence", f->evidence, "Files and folders to scan")->required();
  scan->add_option("--case", f->case_dir, "Case folder (created if missing)")->required();
  scan->add_option("--store", f->store, "Bank store (default $NEEDLE_HOME or ~/.local/share/needle)");
  scan->add_option("--banks", f->banks, "Only these banks, comma separated (default: every enabled bank)");
  scan->add_option("--config", f->config, "Triage thresholds file (default: built-in config/triage.json)");
  scan->add_option("--trust-anchors", f->trust_anchors, "C2PA trust anchors (PEM); default: none trusted")
      ->check(CLI::ExistingFile);
  scan->add_option("--threads", f->threads, "Worker threads (default: all cores)")->check(CLI::Range(1, 1024));
  scan->add_option("--max-pixels", f->max_pixels, "Refuse images above this many pixels (default 200000000)");
  scan->add_option("--max-pixels-in-flight", f->max_pixels_in_flight,
                   "Decoded pixels all workers may hold at once, 3 bytes each (default 300000000);\n"
                   "a larger image waits and is decoded alone")
      ->check(CLI::PositiveNumber);
  scan->add_option("--format", f->format, "jsonl: also print one line per file as it is processed")
      ->check(CLI::IsMember({"auto", "jsonl", "text"}));
  scan->add_flag("--follow-symlinks", f->follow_symlinks, "Follow symbolic links inside folders");
  scan->add_flag("--dihedral", f->dihedral,
                 "Also match images rotated or mirrored against the banks (7 more PDQ queries a file);\n"
                 "such a match names its \"variant\" (rot90, flipx, ...). Applies to the files this run\n"
                 "reads: files the case already holds unchanged are not read again");
  scan->add_option("--detector-model", f->detector_model, "Pixel detector model description (default: bundled)");
  scan->add_flag("--no-detector", f->no_detector,
                 "Skip the pixel detector (about 50 ms per megapixel per core); recorded in the audit log");
  scan->add_flag("-q,--quiet", f->quiet, "No progress bar or summary");
  scan->callback([f, action] { *action = [f] { return RunScanCmd(*f); }; });

  CLI::App* rep = app.add_subcommand("report", "Write a case report: html, csv, jsonl or vics");
  rep->footer("html: one offline file (no external requests) with counts per class, the items in priority\n"
              "order with reasons and findings, clusters and SVG charts; thumbnails blurred and greyscale\n"
              "until clicked (one at a time), or none with --no-thumbnails.\n"
              "vics: a VICS 2.0 Media export (MD5, SHA1, Series from clusters, needle:* tags).");
  rep->add_option("--case", f->case_dir, "Case folder")->required();
  rep->add_option("--format", f->format, "html, csv, jsonl (default) or vics")
      ->check(CLI::IsMember({"auto", "html", "csv", "jsonl", "vics"}));
  rep->add_option("-o,--output", f->output, "Write here instead of stdout");
  rep->add_flag("--no-thumbnails", f->no_thumbnails, "Hash-only HTML report");
  rep->callback([f, action] { *action = [f] { return RunReportCmd(*f); }; });

  CLI::App* audit = app.add_subcommand("audit", "Check a case's hash-chained audit log");
  CLI::App* verify = audit->add_subcommand("verify", "Verify every entry of the audit chain");
  audit->require_subcommand(1);
  verify->add_option("--case", f->case_dir, "Case folder")->required();
  verify->callback([f, action] { *action = [f] { return RunAuditVerify(*f); }; });

  return [action] { return *action ? (*action)() : kExitUsage; };
}

}  // namespace needle::cli
