#include "worker_pool.h"

namespace boxoffice::baselines {

WorkerPool::WorkerPool(size_t workers, const StoreFactory& make_store, size_t queued_max)
    : queued_max_(queued_max) {
  BOX_ASSERT(workers >= 1 && workers <= kWorkersMax);
  for (size_t i = 0; i < workers; ++i) stores_.push_back(make_store());
  for (const auto& s : stores_) threads_.emplace_back([this, store = s.get()] { Run(*store); });
}

WorkerPool::~WorkerPool() { Stop(); }

bool WorkerPool::Submit(Job job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || queue_.size() >= queued_max_) return false;
    queue_.push_back(std::move(job));
  }
  ready_.notify_one();
  return true;
}

void WorkerPool::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

void WorkerPool::Run(SeatStore& store) {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job(store);
  }
}

}  // namespace boxoffice::baselines
