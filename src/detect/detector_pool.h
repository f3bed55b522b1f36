// Detectors for worker threads. An OpenCV network keeps per-run buffers and
// is not thread-safe, so each worker borrows its own copy (made on first
// need, at most one per concurrent borrower) and gives it back.
//
//   detect::DetectorPool pool(std::move(set));
//   { auto lease = pool.Borrow(); auto d = lease->Run(image); }
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "detect/detection.h"

namespace needle::detect {

class DetectorPool {
 public:
  explicit DetectorPool(DetectorSet prototype) : prototype_(std::move(prototype)) {}

  class Lease {
   public:
    Lease(DetectorPool* pool, std::unique_ptr<DetectorSet> set) : pool_(pool), set_(std::move(set)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (set_) pool_->Return(std::move(set_));
    }
    DetectorSet* operator->() { return set_.get(); }
    DetectorSet& operator*() { return *set_; }

   private:
    DetectorPool* pool_;
    std::unique_ptr<DetectorSet> set_;
  };

  Lease Borrow() {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.empty()) return Lease(this, std::make_unique<DetectorSet>(prototype_.Clone()));
    auto d = std::move(free_.back());
    free_.pop_back();
    return Lease(this, std::move(d));
  }

 private:
  void Return(std::unique_ptr<DetectorSet> d) {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(std::move(d));
  }

  std::mutex mu_;
  DetectorSet prototype_;
  std::vector<std::unique_ptr<DetectorSet>> free_;
};

// Runs a borrowed detector on `image` and returns what a file record holds:
// DetectionJson, or {"error", "message"} when the image cannot be scored.
// `probability` gets the calibrated score when there is one. Used by scan and
// by /v1/submit so both record the same thing.
nlohmann::json DetectForRecord(DetectorPool& pool, const media::RgbImage& image, std::optional<double>* probability);

}  // namespace needle::detect
