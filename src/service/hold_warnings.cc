#include "service/hold_warnings.h"

namespace boxoffice::service {

void HoldWarnings::Add(core::ShowId show, core::HoldId hold, core::TimeMs due_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  by_show_[show].emplace(due_ms, hold);
}

std::vector<core::HoldId> HoldWarnings::TakeDue(core::ShowId show, core::TimeMs now_ms) {
  std::vector<core::HoldId> due;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_show_.find(show);
  if (it == by_show_.end()) return due;
  Heap& heap = it->second;
  while (!heap.empty() && heap.top().first <= now_ms) {
    due.push_back(heap.top().second);
    heap.pop();
  }
  return due;
}

size_t HoldWarnings::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [show, heap] : by_show_) n += heap.size();
  return n;
}

}  // namespace boxoffice::service
