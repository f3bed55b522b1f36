// The service's work slots: never more holders than slots, every waiter
// served, and a release wakes a waiter (no thread left asleep with a slot free).
#include "serve/work_slots.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace needle::serve {
namespace {

TEST(WorkSlotsTest, AtMostSlotsHoldersAndEveryWaiterServed) {
  constexpr int kSlots = 2, kThreads = 16, kRounds = 2000;
  WorkSlots slots(kSlots);
  std::atomic<int> inside{0}, most{0}, done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int r = 0; r < kRounds; ++r) {
        slots.acquire();
        const int now = ++inside;
        for (int m = most.load(); now > m && !most.compare_exchange_weak(m, now);) {
        }
        if (r % 64 == 0) std::this_thread::yield();  // hold it a while now and then: others must wait
        --inside;
        slots.release();
        ++done;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(done.load(), kThreads * kRounds);
  EXPECT_LE(most.load(), kSlots);
  slots.acquire();  // and all of them free again: these do not block
  slots.acquire();
  slots.release();
  slots.release();
}

TEST(WorkSlotsTest, AReleaseWakesASleepingWaiter) {
  WorkSlots slots(1);
  slots.acquire();
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    slots.acquire();
    got = true;
    slots.release();
  });
  for (int i = 0; i < 50; ++i) std::this_thread::yield();
  EXPECT_FALSE(got.load());
  slots.release();
  waiter.join();  // returns only if the release woke it
  EXPECT_TRUE(got.load());
}

}  // namespace
}  // namespace needle::serve
