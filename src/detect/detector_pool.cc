#include "detect/detector_pool.h"

namespace needle::detect {

nlohmann::json DetectForRecord(DetectorPool& pool, const media::RgbImage& image, std::optional<double>* probability) {
  auto det = pool.Borrow();
  auto r = det->Run(image);
  if (!r.ok()) return {{"error", std::string(CodeName(r.status().code()))}, {"message", r.status().message()}};
  *probability = r->network.probability;
  return DetectionJson(*r, *det);
}

}  // namespace needle::detect
