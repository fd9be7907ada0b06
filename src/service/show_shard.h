// ShowShard: one show's inventory and the lock that makes it the unit of
// concurrency. ShowDirectory: every show's shard, by id.
//
// One writer at a time per show; different shows proceed in parallel. The
// critical section is the inventory call plus handing its changes on (to the
// journal queue and subscribers), all O(seats touched), so that the order of
// changes leaving the shard is the order of their versions.
//
// Thread-safety: ShowShard::With may be called from any thread. ShowDirectory
// lookups take a shared lock; adding a show takes it exclusively. Shards are
// never removed while the directory lives, so a ShowShard* stays valid.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <utility>
#include <vector>

#include "core/show_inventory.h"

namespace boxoffice::service {

class ShowShard {
 public:
  ShowShard(core::ShowId show, std::shared_ptr<const core::SeatMap> map, core::ShowPolicy policy,
            std::unique_ptr<core::TokenSource> tokens)
      : tokens_(std::move(tokens)), inventory_(show, std::move(map), std::move(policy), *tokens_) {}

  ShowShard(const ShowShard&) = delete;
  ShowShard& operator=(const ShowShard&) = delete;

  // Runs fn(inventory) under the shard's lock and returns its result.
  template <typename Fn>
  auto With(Fn&& fn) {
    std::lock_guard<std::mutex> lock(mu_);
    return std::forward<Fn>(fn)(inventory_);
  }

  core::ShowId show() const { return inventory_.show(); }

 private:
  std::mutex mu_;
  std::unique_ptr<core::TokenSource> tokens_;
  core::ShowInventory inventory_;  // guarded by mu_
};

class ShowDirectory {
 public:
  // Adds a shard; false if the show already has one.
  bool Add(std::unique_ptr<ShowShard> shard) {
    std::unique_lock<std::shared_mutex> lock(mu_);
    const core::ShowId id = shard->show();
    return shards_.emplace(id, std::move(shard)).second;
  }

  ShowShard* Find(core::ShowId show) const {
    std::shared_lock<std::shared_mutex> lock(mu_);
    auto it = shards_.find(show);
    return it == shards_.end() ? nullptr : it->second.get();
  }

  // Calls fn(shard) for every show, outside the directory lock's exclusive mode.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    std::vector<ShowShard*> all;
    {
      std::shared_lock<std::shared_mutex> lock(mu_);
      all.reserve(shards_.size());
      for (const auto& [id, shard] : shards_) all.push_back(shard.get());
    }
    for (ShowShard* s : all) fn(*s);
  }

  size_t size() const {
    std::shared_lock<std::shared_mutex> lock(mu_);
    return shards_.size();
  }

 private:
  mutable std::shared_mutex mu_;
  std::map<core::ShowId, std::unique_ptr<ShowShard>> shards_;
};

}  // namespace boxoffice::service
