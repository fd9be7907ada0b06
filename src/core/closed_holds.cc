#include "core/closed_holds.h"

#include <algorithm>

#include "core/status.h"

namespace boxoffice::core {
namespace {

bool ById(const ClosedHolds::Entry& a, const ClosedHolds::Entry& b) { return a.id < b.id; }

}  // namespace

void ClosedHolds::Add(const Entry& e) {
  BOX_ASSERT(e.id != 0);
  recent_[e.id] = e;
  if (recent_.size() >= kRecentMax) FlushRecent();
}

void ClosedHolds::FlushRecent() {
  std::vector<Entry> run;
  run.reserve(recent_.size());
  recent_.ForEach([&](uint64_t, const Entry& e) { run.push_back(e); });
  recent_ = U64FlatMap<Entry>();
  std::sort(run.begin(), run.end(), ById);
  // Merge with smaller-or-equal runs at the back, so sizes stay decreasing.
  while (!runs_.empty() && runs_.back().size() <= run.size()) {
    std::vector<Entry> merged;
    merged.reserve(runs_.back().size() + run.size());
    std::merge(runs_.back().begin(), runs_.back().end(), run.begin(), run.end(),
               std::back_inserter(merged), ById);
    runs_.pop_back();
    run = std::move(merged);
  }
  runs_.push_back(std::move(run));
}

const ClosedHolds::Entry* ClosedHolds::Find(HoldId id) const {
  if (id == 0) return nullptr;
  if (const Entry* e = recent_.Find(id)) return e;
  for (const std::vector<Entry>& run : runs_) {
    Entry key;
    key.id = id;
    auto it = std::lower_bound(run.begin(), run.end(), key, ById);
    if (it != run.end() && it->id == id) return &*it;
  }
  return nullptr;
}

void ClosedHolds::Forget(TimeMs closed_before_ms) {
  const auto before_s = static_cast<uint32_t>(std::max<TimeMs>(0, (closed_before_ms + 999) / 1000));
  recent_.EraseIf([&](uint64_t, const Entry& e) { return e.closed_at_s < before_s; });
  for (std::vector<Entry>& run : runs_) {
    std::erase_if(run, [&](const Entry& e) { return e.closed_at_s < before_s; });
  }
  std::erase_if(runs_, [](const std::vector<Entry>& run) { return run.empty(); });
  // Keep sizes decreasing along the vector (pruning may have broken it).
  std::stable_sort(runs_.begin(), runs_.end(),
                   [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

size_t ClosedHolds::size() const {
  size_t n = recent_.size();
  for (const auto& run : runs_) n += run.size();
  return n;
}

size_t ClosedHolds::bytes() const {
  size_t b = recent_.bytes();
  for (const auto& run : runs_) b += run.capacity() * sizeof(Entry);
  return b;
}

}  // namespace boxoffice::core
