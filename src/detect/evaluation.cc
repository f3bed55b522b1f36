#include "detect/evaluation.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "banks/list_format.h"
#include "detect/roc.h"
#include "media/decode.h"
#include "media/evidence_file.h"

namespace needle::detect {
namespace {

nlohmann::json Num(double v) {
  if (std::isnan(v)) return nullptr;
  return std::round(v * 1e4) / 1e4;
}

Result<media::RgbImage> DecodePixels(const uint8_t* data, size_t n) {
  NEEDLE_ASSIGN_OR_RETURN(media::DecodedImage d, media::Decode(data, n, media::DecodeOptions{}));
  return std::move(d.image);
}

Result<media::RgbImage> ReencodeJpeg(const cv::Mat& bgr, int quality) {
  std::vector<uint8_t> jpeg;
  if (!cv::imencode(".jpg", bgr, jpeg, {cv::IMWRITE_JPEG_QUALITY, quality})) {
    return Internal("JPEG re-encoding failed");
  }
  return DecodePixels(jpeg.data(), jpeg.size());
}

}  // namespace

const char* ConditionName(Condition c) {
  switch (c) {
    case Condition::kAsIs: return "as-is";
    case Condition::kFormatMatched: return "format-matched";
    case Condition::kLaundered: return "laundered";
  }
  return "?";
}

Result<std::vector<ManifestRow>> ReadManifest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open the manifest");
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::vector<std::string> fields;
  size_t line = 0;
  NEEDLE_ASSIGN_OR_RETURN(bool has_header, banks::ReadCsvRecord(in, ',', &fields, &line));
  if (!has_header) return InvalidArgument(path + ": empty manifest; expected a header file,label,generator");
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < fields.size(); ++i) col[fields[i]] = i;
  for (const char* need : {"file", "label", "generator"}) {
    if (!col.count(need)) return InvalidArgument(path + ": header lacks the '" + need + "' column");
  }
  const bool has_source = col.count("source_repo");
  std::vector<ManifestRow> rows;
  for (;;) {
    NEEDLE_ASSIGN_OR_RETURN(bool more, banks::ReadCsvRecord(in, ',', &fields, &line));
    if (!more) break;
    if (fields.size() == 1 && fields[0].empty()) continue;
    auto at = [&](const char* name) -> std::string {
      const size_t i = col[name];
      return i < fields.size() ? fields[i] : std::string();
    };
    ManifestRow r;
    const std::string label = at("label");
    if (label != "real" && label != "generated") {
      return InvalidArgument(path + ":" + std::to_string(line) + ": label '" + label + "' is neither real nor generated");
    }
    if (at("file").empty()) return InvalidArgument(path + ":" + std::to_string(line) + ": empty file column");
    r.file = (dir / at("file")).string();
    r.generated = label == "generated";
    r.generator = r.generated ? (at("generator").empty() ? "unspecified" : at("generator")) : "";
    r.source = has_source ? at("source_repo") : "";
    rows.push_back(std::move(r));
  }
  if (rows.empty()) return InvalidArgument(path + ": no rows");
  return rows;
}

Result<media::RgbImage> ApplyCondition(const std::vector<uint8_t>& bytes, Condition c) {
  NEEDLE_ASSIGN_OR_RETURN(media::RgbImage img, DecodePixels(bytes.data(), bytes.size()));
  if (c == Condition::kAsIs) return img;
  cv::Mat rgb(img.height, img.width, CV_8UC3, img.rgb.data());
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  if (c == Condition::kFormatMatched) return ReencodeJpeg(bgr, 90);
  cv::Mat half;
  cv::resize(bgr, half, cv::Size(std::max(1, img.width / 2), std::max(1, img.height / 2)), 0, 0, cv::INTER_AREA);
  return ReencodeJpeg(half, 75);
}

EvalResult ScoreManifest(const std::vector<ManifestRow>& rows, DetectorSet& set, const EvalOptions& options) {
  EvalResult out;
  out.scores.resize(rows.size());
  out.errors.resize(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    // Read as evidence (read-only, atime kept), like every other command.
    auto file = media::ReadEvidence(rows[i].file);
    std::vector<uint8_t> bytes;
    if (!file.ok()) {
      out.errors[i] = file.status().ToString();
    } else {
      bytes = std::move(file->bytes);
    }
    for (Condition c : kConditions) {
      if (!out.errors[i].empty()) break;
      auto img = ApplyCondition(bytes, c);
      if (!img.ok()) {
        out.errors[i] = std::string(ConditionName(c)) + ": " + img.status().ToString();
        break;
      }
      auto d = set.Run(*img);
      if (!d.ok()) {
        out.errors[i] = std::string(ConditionName(c)) + ": " + d.status().ToString();
        break;
      }
      RowScore& s = out.scores[i][static_cast<int>(c)];
      s.network = d->network.probability;
      s.has_baseline = d->has_baseline;
      s.baseline = d->has_baseline ? d->baseline.probability : 0;
    }
    if (options.progress) options.progress(i + 1, rows.size());
  }
  return out;
}

namespace {

nlohmann::json ConditionJson(const std::vector<ManifestRow>& rows, const EvalResult& result, int cond,
                             bool baseline, double threshold, double max_fpr) {
  std::vector<Scored> all;
  std::map<std::string, std::vector<Scored>> by_generator, by_source;
  std::vector<Scored> reals;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!result.errors[i].empty()) continue;
    const RowScore& s = result.scores[i][cond];
    const Scored sc{baseline ? s.baseline : s.network, rows[i].generated};
    all.push_back(sc);
    if (rows[i].generated) {
      by_generator[rows[i].generator].push_back(sc);
    } else {
      reals.push_back(sc);
    }
    if (!rows[i].source.empty()) by_source[rows[i].source].push_back(sc);
  }
  auto fpr = [&](const std::vector<Scored>& v) {
    size_t n = 0, flagged = 0;
    for (const Scored& s : v) {
      if (s.generated) continue;
      ++n;
      flagged += s.score >= threshold;
    }
    return n ? static_cast<double>(flagged) / static_cast<double>(n) : std::nan("");
  };
  nlohmann::json j = {{"n", all.size()}, {"auc", Num(RocAuc(all))}, {"tpr_at_1pct_fpr", Num(TprAtFpr(all, max_fpr))},
                      {"accuracy", Num(Accuracy(all, threshold))}, {"detected", Num(DetectionRate(all, threshold))},
                      {"false_positive_rate", Num(fpr(all))}};
  nlohmann::json gens = nlohmann::json::object();
  for (auto& [g, v] : by_generator) {
    std::vector<Scored> with_reals = reals;
    with_reals.insert(with_reals.end(), v.begin(), v.end());
    gens[g] = {{"n", v.size()}, {"auc", Num(RocAuc(with_reals))}, {"detected", Num(DetectionRate(v, threshold))}};
  }
  j["per_generator"] = std::move(gens);
  nlohmann::json sources = nlohmann::json::object();
  for (auto& [src, v] : by_source) {
    sources[src] = {{"n", v.size()}, {"auc", Num(RocAuc(v))}, {"detected", Num(DetectionRate(v, threshold))},
                    {"false_positive_rate", Num(fpr(v))}};
  }
  j["per_source"] = std::move(sources);
  return j;
}

nlohmann::json Report(const std::vector<ManifestRow>& rows, const EvalResult& result, bool baseline,
                      double threshold, double max_fpr) {
  nlohmann::json conds = nlohmann::json::object();
  for (Condition c : kConditions) {
    conds[ConditionName(c)] = ConditionJson(rows, result, static_cast<int>(c), baseline, threshold, max_fpr);
  }
  return {{"threshold", Num(threshold)}, {"conditions", std::move(conds)}};
}

}  // namespace

nlohmann::json EvaluationJson(const std::vector<ManifestRow>& rows, const EvalResult& result,
                              double network_threshold, double baseline_threshold, double max_fpr) {
  nlohmann::json j = Report(rows, result, false, network_threshold, max_fpr);
  j["baseline"] = Report(rows, result, true, baseline_threshold, max_fpr);
  nlohmann::json failed = nlohmann::json::array();
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!result.errors[i].empty()) failed.push_back({{"file", rows[i].file}, {"error", result.errors[i]}});
  }
  j["failed"] = std::move(failed);
  return j;
}

}  // namespace needle::detect
