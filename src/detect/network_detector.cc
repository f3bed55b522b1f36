#include "detect/network_detector.h"

#include <cmath>
#include <fstream>
#include <iterator>
#include <opencv2/dnn.hpp>

#include "hash/digest.h"

namespace needle::detect {
namespace {

// Tiles per forward pass: bounds the input blob (16 x 3 x 256 x 256 floats = 12.6 MB).
constexpr int kTilesPerBatch = 16;

double Sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

}  // namespace

struct NetworkDetector::Impl {
  cv::dnn::Net net;
};

NetworkDetector::NetworkDetector(DetectorConfig config, std::shared_ptr<const std::vector<unsigned char>> onnx)
    : config_(std::move(config)), onnx_(std::move(onnx)), impl_(std::make_unique<Impl>()) {
  impl_->net = cv::dnn::readNetFromONNX(*onnx_);
  impl_->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  impl_->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
}

NetworkDetector::~NetworkDetector() = default;

Result<std::unique_ptr<NetworkDetector>> NetworkDetector::Load(const DetectorConfig& config) {
  std::ifstream in(config.onnx_path, std::ios::binary);
  if (!in) return NotFound(config.onnx_path + ": detector weights not found");
  auto bytes = std::make_shared<std::vector<unsigned char>>(std::istreambuf_iterator<char>(in),
                                                            std::istreambuf_iterator<char>());
  const std::string sha = hash::DigestBytes(bytes->data(), bytes->size()).sha256;
  if (sha != config.onnx_sha256) {
    return Corrupt(config.onnx_path + ": SHA-256 " + sha + " differs from the model description's " +
                   config.onnx_sha256 + " (weights changed without retraining the description?)");
  }
  try {
    return std::unique_ptr<NetworkDetector>(new NetworkDetector(config, std::move(bytes)));
  } catch (const cv::Exception& e) {
    return Corrupt(config.onnx_path + ": OpenCV DNN cannot load it: " + e.what());
  }
}

std::unique_ptr<NetworkDetector> NetworkDetector::Clone() const {
  return std::unique_ptr<NetworkDetector>(new NetworkDetector(config_, onnx_));
}

double NetworkDetector::Probability(double logit) const { return Sigmoid(config_.platt_a * logit + config_.platt_b); }

Result<NetworkScore> NetworkDetector::Score(const media::RgbImage& image) {
  if (image.channels != 3) return InvalidArgument("detector needs RGB pixels");
  NetworkScore out;
  out.grid = PlanTiles(image.width, image.height, config_.tile, config_.min_side);
  if (out.grid.tiles.empty()) {
    return InvalidArgument("image is " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                           "; the detector needs at least " + std::to_string(config_.min_side) + " pixels per side");
  }
  const int tw = out.grid.tiles[0].width, th = out.grid.tiles[0].height;
  const size_t plane = static_cast<size_t>(tw) * th;
  std::vector<double> logits;
  logits.reserve(out.grid.tiles.size());
  for (size_t first = 0; first < out.grid.tiles.size(); first += kTilesPerBatch) {
    const int n = static_cast<int>(std::min<size_t>(kTilesPerBatch, out.grid.tiles.size() - first));
    const int shape[4] = {n, 3, th, tw};
    cv::Mat blob(4, shape, CV_32F);
    float* dst = blob.ptr<float>();
    for (int t = 0; t < n; ++t) {
      const Tile& tile = out.grid.tiles[first + t];
      float* r = dst + static_cast<size_t>(t) * 3 * plane;
      float* g = r + plane;
      float* b = g + plane;
      for (int y = 0; y < th; ++y) {
        const uint8_t* src = &image.rgb[(static_cast<size_t>(tile.y + y) * image.width + tile.x) * 3];
        for (int x = 0; x < tw; ++x, src += 3) {
          const size_t o = static_cast<size_t>(y) * tw + x;
          r[o] = src[0] * (1.0f / 255);
          g[o] = src[1] * (1.0f / 255);
          b[o] = src[2] * (1.0f / 255);
        }
      }
    }
    cv::Mat result;
    try {
      impl_->net.setInput(blob);
      result = impl_->net.forward();
    } catch (const cv::Exception& e) {
      return Internal(std::string("detector forward pass failed: ") + e.what());
    }
    const float* v = result.ptr<float>();
    for (int t = 0; t < n; ++t) logits.push_back(v[t]);
  }
  double sum = 0;
  for (double l : logits) {
    sum += l;
    out.tile_probability.push_back(Probability(l));
  }
  out.logit = sum / static_cast<double>(logits.size());
  out.probability = Probability(out.logit);
  return out;
}

}  // namespace needle::detect
