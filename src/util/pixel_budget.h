// A cap on decoded pixels held at once across worker threads, so that memory
// stays bounded by the budget rather than by threads x the largest image.
//
//   PixelBudget budget(300'000'000);
//   { PixelBudget::Lease lease(&budget);
//     lease.Reserve(width * height);   // blocks until it fits
//     ... decode, use pixels ... }      // released here
//
// A reservation larger than the whole budget is granted when nothing else is
// held, so one huge image is processed alone instead of never. A lease that
// grows (a second decode of the same file) gives back what it holds before it
// waits, so two leases can never wait on each other.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace needle::util {

class PixelBudget {
 public:
  explicit PixelBudget(uint64_t capacity) : capacity_(capacity) {}
  PixelBudget(const PixelBudget&) = delete;
  PixelBudget& operator=(const PixelBudget&) = delete;

  uint64_t capacity() const { return capacity_; }
  uint64_t in_use() const {
    std::lock_guard<std::mutex> lock(mu_);
    return in_use_;
  }
  // Largest amount ever held at once (for tests and the run record).
  uint64_t peak() const {
    std::lock_guard<std::mutex> lock(mu_);
    return peak_;
  }

  class Lease {
   public:
    explicit Lease(PixelBudget* budget) : budget_(budget) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { Release(); }

    // Holds at least `pixels` when it returns; a no-op when it already does.
    void Reserve(uint64_t pixels) {
      if (budget_ == nullptr || pixels <= held_) return;
      Release();
      budget_->Acquire(pixels);
      held_ = pixels;
    }
    void Release() {
      if (budget_ != nullptr && held_ > 0) budget_->Give(held_);
      held_ = 0;
    }
    uint64_t held() const { return held_; }

   private:
    PixelBudget* budget_;
    uint64_t held_ = 0;
  };

 private:
  void Acquire(uint64_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return in_use_ == 0 || in_use_ + n <= capacity_; });
    in_use_ += n;
    if (in_use_ > peak_) peak_ = in_use_;
  }
  void Give(uint64_t n) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      in_use_ -= n;
    }
    cv_.notify_all();
  }

  const uint64_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t in_use_ = 0;
  uint64_t peak_ = 0;
};

}  // namespace needle::util
