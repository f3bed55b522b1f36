// A counting semaphore that wakes one waiter per release.
//
// Why not std::counting_semaphore: libstdc++ 12 wakes every waiter on each
// release that finds the count at zero (bits/semaphore_base.h: "FIXME -
// Figure out why this does not wake a waiting thread"), so with 32
// connections waiting for 2 slots each finished request woke ~30 threads to
// race for the slot, in no particular order: the tail latency of the ones
// that kept losing (p99 14-74 ms at 32 connections). glibc's sem_t wakes one,
// the longest waiting (p99 4.9-8.3 ms, figures in server.cc). A request may
// still overtake waiting ones (no hand-off: server.cc says why).
#pragma once

#include <semaphore.h>

#include <cerrno>
#include <exception>

namespace needle::serve {

class WorkSlots {
 public:
  explicit WorkSlots(unsigned slots) {
    if (sem_init(&sem_, 0, slots) != 0) std::terminate();
  }
  ~WorkSlots() { sem_destroy(&sem_); }
  WorkSlots(const WorkSlots&) = delete;
  WorkSlots& operator=(const WorkSlots&) = delete;

  void acquire() {
    while (sem_wait(&sem_) != 0)
      if (errno != EINTR) std::terminate();
  }
  void release() { sem_post(&sem_); }

 private:
  sem_t sem_;
};

}  // namespace needle::serve
