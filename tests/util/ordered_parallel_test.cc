#include "util/ordered_parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>

namespace needle::util {
namespace {

TEST(OrderedParallelTest, EmitsEveryItemOnceInInputOrder) {
  for (int threads : {1, 2, 4, 8}) {
    int next_value = 0;
    const int n = 500;
    std::atomic<int> in_flight{0}, max_in_flight{0};
    std::vector<int> got;
    std::function<bool(int*)> next = [&](int* v) {
      if (next_value == n) return false;
      *v = next_value++;
      return true;
    };
    std::function<int(int&)> work = [&](int& v) {
      int now = ++in_flight;
      int m = max_in_flight.load();
      while (now > m && !max_in_flight.compare_exchange_weak(m, now)) {}
      // Uneven work so completion order differs from input order.
      std::this_thread::sleep_for(std::chrono::microseconds((v * 7919) % 300));
      --in_flight;
      return v * 2;
    };
    std::function<void(int&)> emit = [&](int& v) { got.push_back(v); };
    OrderedParallel<int, int>(threads, 16, next, work, emit);
    ASSERT_EQ(got.size(), size_t(n));
    for (int i = 0; i < n; ++i) ASSERT_EQ(got[i], 2 * i);
    EXPECT_LE(max_in_flight.load(), threads);
  }
}

}  // namespace
}  // namespace needle::util
