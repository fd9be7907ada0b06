// OwnerRegistry: user ids (strings from authentication) <-> core::OwnerId.
//
// The core counts seats per OwnerId; the journal and the API speak user ids.
// Ids are dense and start at 1 (0 is never an owner). They live only in
// memory: recovery maps the journal's user ids afresh.
//
// Thread-safe.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/types.h"

namespace boxoffice::service {

class OwnerRegistry {
 public:
  core::OwnerId Intern(std::string_view user) {
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, added] = ids_.try_emplace(std::string(user), users_.size() + 1);
    if (added) users_.push_back(it->first);
    return it->second;
  }
  std::string User(core::OwnerId id) const {
    std::lock_guard<std::mutex> lock(mu_);
    return id >= 1 && id <= users_.size() ? users_[id - 1] : std::string();
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, core::OwnerId> ids_;
  std::vector<std::string> users_;
};

}  // namespace boxoffice::service
