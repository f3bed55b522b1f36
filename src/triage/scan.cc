#include "triage/scan.h"

#include <sys/stat.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

#include <opencv2/core/utility.hpp>

#include "banks/matcher.h"
#include "banks/record_lookup.h"
#include "detect/detector_pool.h"
#include "hash/file_hasher.h"
#include "hash/hash_record_json.h"
#include "media/evidence_file.h"
#include "needle/version.h"
#include "provenance/inspector.h"
#include "store/bank_store.h"
#include "store/case_store.h"
#include "triage/triage_pass.h"
#include "triage/verdict.h"
#include "util/file_walker.h"
#include "util/ordered_parallel.h"
#include "util/pixel_budget.h"

namespace needle::triage {
namespace {

struct Job {
  util::WalkEntry entry;
  store::PathState state;
  bool skip = false;  // unchanged since it was recorded
};

struct Done {
  store::FileResult result;
  std::optional<hash::FileHashRecord> hashed;
  bool skip = false;
  bool not_file = false;
};


}  // namespace

Result<ScanSummary> RunScan(const ScanOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  ScanSummary summary;
  NEEDLE_ASSIGN_OR_RETURN(auto cs, store::CaseStore::Open(o.case_dir, true));

  // Banks are optional: a scan without a store still triages.
  std::unique_ptr<store::BankStore> bank_store;
  std::unique_ptr<banks::Matcher> matcher;
  nlohmann::json bank_info = nlohmann::json::array();
  if (!o.store_dir.empty()) {
    auto bs = store::BankStore::Open(o.store_dir, false);
    if (bs.ok()) {
      bank_store = std::move(*bs);
      NEEDLE_ASSIGN_OR_RETURN(matcher, banks::Matcher::Open(*bank_store));
      NEEDLE_ASSIGN_OR_RETURN(auto list, bank_store->ListBanks());
      for (auto& b : list) {
        bool used = b.enabled && (o.banks.empty() || std::find(o.banks.begin(), o.banks.end(), b.name) != o.banks.end());
        bank_info.push_back({{"name", b.name}, {"kind", store::BankKindName(b.kind)}, {"version", b.version},
                             {"entries", b.entries}, {"pdq_threshold", b.pdq_threshold},
                             {"min_quality", b.min_quality}, {"used", used}});
      }
      for (const auto& want : o.banks)
        if (std::none_of(list.begin(), list.end(), [&](const store::BankConfig& b) { return b.name == want; }))
          return NotFound("no bank named '" + want + "' in " + o.store_dir);
    } else if (bs.status().code() != Code::kNotFound) {
      return bs.status();
    } else {
      summary.warnings.push_back("no bank store at " + o.store_dir + ": files are not matched against hash lists");
    }
  }
  auto bank_allowed = [&](const std::string& name) {
    return o.banks.empty() || std::find(o.banks.begin(), o.banks.end(), name) != o.banks.end();
  };

  // The pixel detector: a missing or altered model is a warning, never a
  // silent gap: the audit log and the summary say the step did not run.
  std::unique_ptr<detect::DetectorPool> detectors;
  nlohmann::json detector_info = "off (--no-detector)";
  TriageConfig config = o.config;
  if (o.detect) {
    const std::string model = o.detector_model.empty() ? detect::DefaultModelPath() : o.detector_model;
    auto set = detect::DetectorSet::Load(model);
    if (set.ok()) {
      // Workers run files in parallel; one OpenCV thread each avoids oversubscription.
      cv::setNumThreads(1);
      ApplyDetectorCalibration(&config, set->config().threshold, set->config().uncertain_from);
      detector_info = {{"model", set->config().version}, {"onnx_sha256", set->config().onnx_sha256},
                       {"threshold", set->config().threshold}, {"uncertain_from", set->config().uncertain_from},
                       {"baseline", set->baseline().version()}};
      detectors = std::make_unique<detect::DetectorPool>(std::move(*set));
    } else {
      detector_info = "unavailable: " + set.status().ToString();
      summary.warnings.push_back("pixel detector not run: " + set.status().ToString());
    }
  }

  nlohmann::json settings{{"needle_version", NEEDLE_VERSION},
                          {"command", o.command_line},
                          {"roots", o.roots},
                          {"pipeline", "fullres"},
                          {"pdq", "PDQ (Meta), bit-exact with the reference; EXIF orientation recorded, not applied"},
                          {"max_pixels", o.max_pixels},
                          {"max_pixels_in_flight", o.max_pixels_in_flight},
                          {"follow_symlinks", o.follow_symlinks},
                          {"banks", bank_info},
                          {"pdq_queries", o.dihedral ? "own hash, EXIF-upright variant, 7 rotated/mirrored variants"
                                                     : "own hash, EXIF-upright variant"},
                          {"triage_config", config.raw},
                          {"steps", detectors ? nlohmann::json{"read", "decode", "pdq", "inspect", "detect", "lookup"}
                                              : nlohmann::json{"read", "decode", "pdq", "inspect", "lookup"}},
                          {"c2pa_trust_anchors", o.trust_anchors.empty() ? "none (nothing trusted)" : o.trust_anchors},
                          {"detector", detector_info},
                          {"detector_thresholds", {{"synthetic", config.detector_synthetic_threshold},
                                                   {"camera_max", config.detector_camera_max_score}}}};
  NEEDLE_ASSIGN_OR_RETURN(int64_t run_id, cs->BeginRun(settings));

  hash::HashOptions hopt;
  hopt.decode.max_pixels = o.max_pixels;
  hopt.dihedral = o.dihedral;
  util::PixelBudget pixel_budget(o.max_pixels_in_flight);
  util::WalkOptions wopt;
  wopt.follow_symlinks = o.follow_symlinks;
  util::FileWalker walker(o.roots, wopt);
  const int threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  Status failure;

  // `next` and `emit` run under OrderedParallel's lock: all store access is
  // serialised there; workers only read files and compute.
  std::function<bool(Job*)> next = [&](Job* job) {
    if (!failure.ok()) return false;
    if (!walker.Next(&job->entry)) return false;
    ++summary.seen;
    job->skip = false;
    if (job->entry.kind == util::WalkEntry::Kind::kFile) {
      struct stat st {};
      if (::lstat(job->entry.path.c_str(), &st) == 0) {
        job->state = {uint64_t(st.st_size), int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                      uint64_t(st.st_ino)};
        auto done = cs->AlreadyDone(job->entry.path, job->state);
        if (!done.ok()) failure = done.status();
        else job->skip = *done;
      }
    }
    return true;
  };
  std::function<Done(Job&)> work = [&](Job& job) {
    Done d;
    d.result.path = job.entry.path;
    d.result.state = job.state;
    if (job.skip) {
      d.skip = true;
      return d;
    }
    if (job.entry.kind != util::WalkEntry::Kind::kFile) {
      d.not_file = true;
      return d;
    }
    auto ev = media::ReadEvidence(job.entry.path, hopt.read);
    if (!ev.ok()) {
      d.result.error_code = std::string(CodeName(ev.status().code()));
      d.result.error_message = ev.status().message();
      return d;
    }
    // The lease outlives `decoded` (declared first): pixels are counted
    // until the last step that reads them has finished.
    util::PixelBudget::Lease lease(&pixel_budget);
    hash::HashOptions job_opt = hopt;
    job_opt.decode.before_allocate = [&lease](uint64_t pixels) { lease.Reserve(pixels); };
    media::DecodedImage decoded;
    hash::FileHashRecord rec = hash::HashEvidence(*ev, job_opt, &decoded);
    d.result.sha256 = rec.digests->sha256;
    nlohmann::json item = hash::ToJson(rec);
    item.erase("path");
    if (!rec.error.ok()) {
      d.result.error_code = std::string(CodeName(rec.error.code()));
      d.result.error_message = rec.error.message();
      item.erase("error");
      item.erase("message");
    }
    if (ev->kept) {
      provenance::InspectOptions iopt;
      iopt.trust_anchors = o.trust_anchors;
      auto ins = provenance::InspectBytes(ev->path, ev->digests.sha256, ev->bytes.data(), ev->bytes.size(),
                                          rec.pdq ? &decoded.image : nullptr, iopt);
      nlohmann::json pj = provenance::ToJson(ins);
      item["metadata"] = pj["metadata"];
      if (ins.c2pa.present || !ins.c2pa.remote_reference.empty()) item["c2pa"] = pj["c2pa"];
      if (ins.watermark.checked) item["watermark"] = pj["watermark"];
      for (const auto& f : ins.findings) d.result.findings.push_back(nlohmann::json(provenance::ToJson(f)));
    }
    if (detectors && rec.pdq && decoded.image.channels == 3) {
      std::optional<double> score;
      item["detector"] = detect::DetectForRecord(*detectors, decoded.image, &score);
      if (score) item["detector_score"] = *score;
    }
    d.result.item = std::move(item);
    d.hashed = std::move(rec);
    return d;
  };
  std::function<void(Done&)> emit = [&](Done& d) {
    if (!failure.ok()) return;
    if (d.skip) {
      ++summary.skipped_unchanged;
      return;
    }
    if (d.not_file) {
      ++summary.not_files;
      return;
    }
    if (matcher && d.hashed) {
      // A failed lookup stops the scan: a file reported with no match
      // because the bank store failed would read as "not known".
      auto ms = banks::LookupRecord(*matcher, *d.hashed, {.dihedral = o.dihedral});
      if (!ms.ok()) {
        failure = Status(ms.status().code(), "bank lookup for " + d.hashed->path + ": " + ms.status().message());
        return;
      }
      for (auto& m : *ms)
        if (bank_allowed(m.bank)) d.result.matches.push_back(nlohmann::json(banks::MatchToJson(m)));
    }
    Status st = cs->RecordFile(d.result, run_id);
    if (!st.ok()) {
      failure = st;
      return;
    }
    ++summary.processed;
    if (!d.result.error_code.empty()) ++summary.failed;
    if (o.on_file) {
      std::optional<double> score;
      if (d.result.item.contains("detector_score")) score = d.result.item["detector_score"].get<double>();
      VerdictInput in{d.result.error_code, d.result.error_message, d.result.matches, d.result.findings, score};
      Verdict v = Decide(in, config);
      nlohmann::json line{{"path", d.result.path}, {"class", v.klass}, {"reasons", v.reasons}};
      if (d.result.sha256) line["sha256"] = *d.result.sha256;
      o.on_file(line);
    }
  };
  util::OrderedParallel<Job, Done>(threads, size_t(threads) * 2, next, work, emit);
  if (!failure.ok()) return failure.Annotate("case store");

  // Triage again only when something changed (or the config did not match).
  NEEDLE_ASSIGN_OR_RETURN(int64_t pending, cs->ItemsChangedSinceTriage());
  if (pending > 0 || summary.processed > 0) {
    NEEDLE_ASSIGN_OR_RETURN(TriageSummary ts, RunTriage(*cs, config));
    summary.classes = ts.classes;
    summary.items = ts.items;
    summary.clusters = ts.clusters;
  } else {
    NEEDLE_RETURN_IF_ERROR(cs->ForEachItem([&](store::ItemRow& r) {
      summary.classes[r.klass]++;
      ++summary.items;
      return Status::Ok();
    }));
    NEEDLE_ASSIGN_OR_RETURN(auto cl, cs->Clusters());
    summary.clusters = static_cast<int64_t>(cl.size());
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  nlohmann::json fin{{"seen", summary.seen}, {"processed", summary.processed},
                     {"skipped_unchanged", summary.skipped_unchanged}, {"failed", summary.failed},
                     {"items", summary.items}, {"clusters", summary.clusters}, {"classes", summary.classes}};
  NEEDLE_RETURN_IF_ERROR(cs->FinishRun(run_id, fin));
  return summary;
}

}  // namespace needle::triage
