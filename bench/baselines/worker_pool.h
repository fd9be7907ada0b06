// WorkerPool: the threads that talk to a baseline's store. Store calls block
// (one round trip after another, as the seed design makes them), so the io
// threads hand each request's store work to this pool; every worker owns one
// SeatStore (one connection) and runs one job at a time.
//
//   WorkerPool pool(16, [] { return std::make_unique<RedisStore>(...); }, 100'000);
//   if (!pool.Submit([](SeatStore& s) { ... })) answer 503;
//
// Thread-safety: Submit from any thread; the destructor stops and joins.
// Jobs still queued at Stop run before the workers exit.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "seat_store.h"

namespace boxoffice::baselines {

inline constexpr size_t kWorkersMax = 256;
inline constexpr size_t kQueuedJobsMaxDefault = 100'000;

class WorkerPool {
 public:
  using Job = std::function<void(SeatStore&)>;
  using StoreFactory = std::function<std::unique_ptr<SeatStore>()>;

  WorkerPool(size_t workers, const StoreFactory& make_store, size_t queued_max);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues a job; false when the queue is full or the pool stopped.
  bool Submit(Job job);
  void Stop();

 private:
  void Run(SeatStore& store);

  const size_t queued_max_;
  std::vector<std::unique_ptr<SeatStore>> stores_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<Job> queue_;  // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
};

}  // namespace boxoffice::baselines
