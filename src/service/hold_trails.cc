#include "service/hold_trails.h"

#include <utility>

#include "core/status.h"

namespace boxoffice::service {

void HoldTrails::Add(core::HoldId hold, HoldTrailEntry entry) {
  const uint32_t seq = SequenceOf(hold);
  if (by_sequence_.empty()) first_ = seq;
  if (seq < first_) {  // restored out of order, or older than a pruned front
    by_sequence_.insert(by_sequence_.begin(), first_ - seq, Trail{});
    first_ = seq;
  }
  const size_t index = seq - first_;
  if (index >= by_sequence_.size()) by_sequence_.resize(index + 1);
  Trail& t = by_sequence_[index];
  if (t.entries.empty()) {
    t.slot = SlotOf(hold);
    ++size_;
  }
  BOX_ASSERT(t.slot == SlotOf(hold));  // one sequence number, one hold
  t.entries.push_back(std::move(entry));
}

bool HoldTrails::Fits(core::HoldId hold) const {
  const uint32_t seq = SequenceOf(hold);
  if (seq < first_ || seq - first_ >= by_sequence_.size()) return true;
  const Trail& t = by_sequence_[seq - first_];
  return t.entries.empty() || t.slot == SlotOf(hold);
}

const std::vector<HoldTrailEntry>* HoldTrails::Find(core::HoldId hold) const {
  const uint32_t seq = SequenceOf(hold);
  if (seq < first_ || seq - first_ >= by_sequence_.size()) return nullptr;
  const Trail& t = by_sequence_[seq - first_];
  if (t.entries.empty() || t.slot != SlotOf(hold)) return nullptr;
  return &t.entries;
}

void HoldTrails::Prune(core::TimeMs before_ms) {
  for (Trail& t : by_sequence_) {
    if (!t.entries.empty() && t.entries.back().at_ms < before_ms) {
      std::vector<HoldTrailEntry>().swap(t.entries);
      --size_;
    }
  }
  while (!by_sequence_.empty() && by_sequence_.front().entries.empty()) {
    by_sequence_.pop_front();
    ++first_;
  }
  if (by_sequence_.empty()) first_ = 0;
}

}  // namespace boxoffice::service
