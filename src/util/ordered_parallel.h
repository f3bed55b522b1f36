// Runs work items on a fixed number of threads and hands results back in
// input order, with a bound on items in flight (started but not yet emitted),
// so memory stays bounded however slow one item is.
//
//   OrderedParallel<Path, Record>(threads, window, next_input, work, emit);
//
// `next` is called under a lock (it need not be thread-safe) and returns
// false at the end; `work` runs concurrently; `emit` runs under the lock, in
// input order.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace needle::util {

template <typename In, typename Out>
void OrderedParallel(int threads, size_t window, const std::function<bool(In*)>& next,
                     const std::function<Out(In&)>& work, const std::function<void(Out&)>& emit) {
  if (threads < 1) threads = 1;
  if (window < static_cast<size_t>(threads)) window = static_cast<size_t>(threads);
  std::mutex mu;
  std::condition_variable cv;
  size_t issued = 0, emitted = 0;
  bool exhausted = false;
  std::map<size_t, Out> ready;

  auto worker = [&] {
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      cv.wait(lock, [&] { return exhausted || issued - emitted < window; });
      if (exhausted) return;
      In in;
      if (!next(&in)) {
        exhausted = true;
        cv.notify_all();
        return;
      }
      size_t seq = issued++;
      lock.unlock();
      Out out = work(in);
      lock.lock();
      ready.emplace(seq, std::move(out));
      while (!ready.empty() && ready.begin()->first == emitted) {
        emit(ready.begin()->second);
        ready.erase(ready.begin());
        ++emitted;
      }
      cv.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  // Every worker returns only after `exhausted`; results still queued belong
  // to items finished by other threads and are emitted by them before exit.
}

}  // namespace needle::util
