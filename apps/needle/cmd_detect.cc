// needle detect / eval-detector: the learned real-vs-synthetic pixel detector.
#include <opencv2/core/utility.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <memory>

#include "cli_util.h"
#include "commands.h"
#include "detect/detection.h"
#include "detect/evaluation.h"
#include "detect/roc.h"
#include "media/decode.h"
#include "media/evidence_file.h"
#include "util/file_walker.h"
#include "util/progress.h"

namespace needle::cli {
namespace {

struct DetectFlags {
  std::vector<std::string> paths;
  std::string format = "auto";
  std::string model;
  int threads = 0;
  bool follow_symlinks = false;
  // eval-detector
  std::string manifest;
  bool calibrate = false;
  double max_fpr = 0.01;
  bool quiet = false;
};

std::string ModelPath(const DetectFlags& f) {
  return f.model.empty() ? detect::DefaultModelPath() : f.model;
}

// One character per tile, 0 (probability < 0.1) to 9 (>= 0.9), rows as lines.
std::string HeatMapText(const detect::Detection& d) {
  std::string s;
  for (int r = 0; r < d.network.grid.rows; ++r) {
    s += "    ";
    for (int c = 0; c < d.network.grid.cols; ++c) {
      const double p = d.network.tile_probability[static_cast<size_t>(r) * d.network.grid.cols + c];
      s += static_cast<char>('0' + std::min(9, static_cast<int>(p * 10)));
    }
    s += '\n';
  }
  return s;
}

int RunDetect(const DetectFlags& f) {
  if (f.threads > 0) cv::setNumThreads(f.threads);
  auto set = detect::DetectorSet::Load(ModelPath(f));
  if (!set.ok()) return Fail("detect", set.status());
  const bool json = ResolveFormat(f.format) == OutputFormat::kJsonl;
  util::WalkOptions w;
  w.follow_symlinks = f.follow_symlinks;
  util::FileWalker walker(f.paths, w);
  util::WalkEntry e;
  int failed = 0;
  while (walker.Next(&e)) {
    if (e.kind != util::WalkEntry::Kind::kFile) continue;
    nlohmann::json out = {{"path", e.path}};
    Status st;
    detect::Detection d;
    auto file = media::ReadEvidence(e.path);
    if (!file.ok()) {
      st = file.status();
    } else if (auto img = media::Decode(file->bytes.data(), file->bytes.size(), media::DecodeOptions{}); !img.ok()) {
      st = img.status();
    } else if (auto r = set->Run(img->image); !r.ok()) {
      st = r.status();
    } else {
      d = std::move(*r);
      out["width"] = img->image.width;
      out["height"] = img->image.height;
      out.update(detect::DetectionJson(d, *set));
    }
    if (!st.ok()) {
      ++failed;
      out["error"] = std::string(CodeName(st.code()));
      out["message"] = st.message();
    }
    if (json) {
      std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    } else if (!st.ok()) {
      std::cout << e.path << ": error " << st.ToString() << '\n';
    } else {
      std::cout << e.path << ": " << d.band << "  p(synthetic)=" << std::fixed << std::setprecision(3)
                << d.network.probability << " (threshold " << set->config().threshold << ")";
      if (d.has_baseline) std::cout << "  baseline " << d.baseline.probability;
      std::cout << "\n  tiles " << d.network.grid.rows << "x" << d.network.grid.cols << " of "
                << d.network.grid.tiles[0].width << "x" << d.network.grid.tiles[0].height
                << " px (0-9 = p/10):\n" << HeatMapText(d);
      std::cout.unsetf(std::ios::fixed);
    }
  }
  return failed ? kExitSomeFailed : kExitOk;
}

// Rewrites the thresholds of the network's and the baseline's model files.
Status WriteCalibration(const std::string& model_path, const std::string& baseline_path, const std::string& manifest,
                        size_t n_real, double max_fpr, double net_t, double net_u, double base_t) {
  for (const auto& [path, fields] :
       std::vector<std::pair<std::string, nlohmann::json>>{
           {model_path, {{"threshold", net_t}, {"uncertain_from", net_u}}},
           {baseline_path, {{"threshold", base_t}}}}) {
    nlohmann::json j;
    {
      std::ifstream in(path);
      if (!in) return NotFound(path + ": cannot open");
      in >> j;
    }
    j.update(fields);
    j["calibration"] = {{"manifest", std::filesystem::path(manifest).filename().string()},
                        {"real_images", n_real}, {"max_false_positive_rate", max_fpr},
                        {"rule", "lowest threshold flagging at most floor(max_fpr * n) real photos, as-is"}};
    const std::string tmp = path + ".tmp";
    {
      std::ofstream out(tmp);
      out << j.dump(2) << '\n';
      if (!out) return IoError(tmp + ": cannot write");
    }
    std::filesystem::rename(tmp, path);
  }
  return Status::Ok();
}

int RunEval(const DetectFlags& f) {
  if (f.threads > 0) cv::setNumThreads(f.threads);
  auto rows = detect::ReadManifest(f.manifest);
  if (!rows.ok()) return Fail("eval-detector", rows.status());
  auto set = detect::DetectorSet::Load(ModelPath(f));
  if (!set.ok()) return Fail("eval-detector", set.status());
  util::Progress progress("eval-detector", !f.quiet);
  progress.SetTotal(rows->size());
  detect::EvalOptions o;
  o.max_fpr = f.max_fpr;
  o.progress = [&](size_t, size_t) { progress.Add(0, false); };
  detect::EvalResult result = detect::ScoreManifest(*rows, *set, o);
  progress.Finish();

  double net_t = set->config().threshold, base_t = set->baseline().threshold();
  if (f.calibrate) {
    std::vector<double> net_real, base_real;
    for (size_t i = 0; i < rows->size(); ++i) {
      if ((*rows)[i].generated || !result.errors[i].empty()) continue;
      net_real.push_back(result.scores[i][0].network);
      base_real.push_back(result.scores[i][0].baseline);
    }
    if (net_real.empty()) return Fail("eval-detector", InvalidArgument("--calibrate needs real rows in the manifest"));
    net_t = detect::ThresholdForFpr(net_real, f.max_fpr);
    const double net_u = detect::ThresholdForFpr(net_real, 10 * f.max_fpr);
    base_t = detect::ThresholdForFpr(base_real, f.max_fpr);
    Status st = WriteCalibration(ModelPath(f), set->config().baseline_path, f.manifest, net_real.size(), f.max_fpr,
                                 net_t, net_u, base_t);
    if (!st.ok()) return Fail("eval-detector", st);
    std::cerr << "calibrated on " << net_real.size() << " real photos: network threshold " << net_t
              << " (uncertain from " << net_u << "), baseline threshold " << base_t << '\n';
  }
  nlohmann::json report = detect::EvaluationJson(*rows, result, net_t, base_t, f.max_fpr);
  report["model"] = set->config().version;
  report["baseline"]["model"] = set->baseline().version();
  if (f.format == "json") {
    std::cout << report.dump(2) << '\n';
  } else {
    auto fmt = [](const nlohmann::json& v) {
      if (v.is_null()) return std::string("  -  ");
      char b[16];
      std::snprintf(b, sizeof b, "%.3f", v.get<double>());
      return std::string(b);
    };
    for (const char* who : {"network", "baseline"}) {
      const nlohmann::json& rep = std::string(who) == "network" ? report : report["baseline"];
      std::cout << who << " (" << (std::string(who) == "network" ? set->config().version : set->baseline().version())
                << "), threshold " << fmt(rep["threshold"]) << "\n";
      std::cout << "  condition        n     AUC   TPR@1%FPR  accuracy  FPR\n";
      for (auto& [cond, c] : rep["conditions"].items()) {
        std::cout << "  " << std::left << std::setw(15) << cond << std::right << std::setw(4) << c["n"].get<int>()
                  << "  " << fmt(c["auc"]) << "  " << fmt(c["tpr_at_1pct_fpr"]) << "      " << fmt(c["accuracy"])
                  << "     " << fmt(c["false_positive_rate"]) << "\n";
        for (auto& [g, v] : c["per_generator"].items()) {
          std::cout << "      " << std::left << std::setw(30) << g << std::right << std::setw(4) << v["n"].get<int>()
                    << "  AUC " << fmt(v["auc"]) << "  detected " << fmt(v["detected"]) << "\n";
        }
        for (auto& [s, v] : c["per_source"].items()) {
          std::cout << "      source " << std::left << std::setw(38) << s << std::right << std::setw(4)
                    << v["n"].get<int>() << "  AUC " << fmt(v["auc"]) << "  detected " << fmt(v["detected"])
                    << "  FPR " << fmt(v["false_positive_rate"]) << "\n";
        }
      }
    }
    for (const auto& fl : report["failed"]) {
      std::cout << "failed: " << fl["file"].get<std::string>() << ": " << fl["error"].get<std::string>() << "\n";
    }
  }
  return report["failed"].empty() ? kExitOk : kExitSomeFailed;
}

}  // namespace

Action RegisterDetect(CLI::App& app) {
  auto f = std::make_shared<DetectFlags>();
  CLI::App* det = app.add_subcommand("detect", "Pixel detector: probability that an image is AI-generated, with a tile heat map");
  det->footer(
      "Looks at pixels only (never metadata or the container; see `needle inspect` for\n"
      "provenance). The image is cut into native-resolution tiles (never resized: resampling\n"
      "destroys the traces); each tile gets a score and the image's probability is the\n"
      "calibrated mean. Bands: synthetic-likely (>= threshold, which at most 1% of the\n"
      "calibration camera photos reach), uncertain (>= the 10% point), no-synthetic-evidence.\n"
      "A low score is absence of evidence, not proof of a camera. The model, its training\n"
      "recipe and its measured weaknesses: models/MODEL_CARD.md.\n\n"
      "JSON fields: path, width, height, probability, band, threshold, model,\n"
      "tiles{width, height, rows, cols, probability[[...]]}, baseline{probability, synthetic,\n"
      "model}; or error, message.");
  det->add_option("paths", f->paths, "Image files and folders")->required();
  det->add_option("--format", f->format, "text or json (JSON Lines; default: text on a terminal)")
      ->check(CLI::IsMember({"auto", "text", "json", "jsonl"}));
  det->add_option("--model", f->model, "Model description (default: $NEEDLE_MODEL_DIR or the bundled models/detector-v1.json)");
  det->add_option("--threads", f->threads, "OpenCV threads for the network (default: all cores)");
  det->add_flag("--follow-symlinks", f->follow_symlinks, "Follow symbolic links inside folders");

  CLI::App* ev = app.add_subcommand("eval-detector", "Measure the detector on a labelled manifest under three conditions");
  ev->footer(
      "The manifest is a CSV with a header holding at least file,label,generator (label real\n"
      "or generated; paths relative to the manifest) and optionally source_repo. Every file\n"
      "is scored as-is, format-matched (re-encoded JPEG q90, metadata gone) and laundered\n"
      "(resized 0.5 with area interpolation, then JPEG q75). Reported per condition: ROC AUC,\n"
      "TPR at 1% FPR (threshold from that condition's own reals), accuracy, detection rate and\n"
      "false-positive rate at the shipped threshold, per generator and per source, for the\n"
      "network and the spectral baseline.\n"
      "--calibrate sets the shipped thresholds from the manifest's real photos (as-is): the\n"
      "lowest probability that calls at most --max-fpr of them synthetic; it rewrites the\n"
      "model files. Calibrate only on camera photos held out from training.");
  ev->add_option("--manifest", f->manifest, "Manifest CSV")->required()->check(CLI::ExistingFile);
  ev->add_option("--format", f->format, "text or json")->check(CLI::IsMember({"auto", "text", "json"}));
  ev->add_option("--model", f->model, "Model description (default: the bundled models/detector-v1.json)");
  ev->add_flag("--calibrate", f->calibrate, "Set the operating thresholds from the manifest's real photos");
  ev->add_option("--max-fpr", f->max_fpr, "False-positive rate allowed on real photos (default 0.01)")
      ->check(CLI::Range(0.0, 0.5));
  ev->add_option("--threads", f->threads, "OpenCV threads for the network (default: all cores)");
  ev->add_flag("--quiet", f->quiet, "No progress line");
  return [f, det, ev] {
    if (det->parsed()) return RunDetect(*f);
    return RunEval(*f);
  };
}

}  // namespace needle::cli
