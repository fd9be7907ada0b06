#include "core/expiry_queue.h"

#include <algorithm>

#include "core/status.h"

namespace boxoffice::core {

bool ExpiryQueue::Contains(uint32_t slot) const {
  return slot < position_.size() && position_[slot] != kAbsent;
}

void ExpiryQueue::Place(size_t pos, Entry e) {
  heap_[pos] = e;
  position_[e.slot] = static_cast<uint32_t>(pos);
}

void ExpiryQueue::SiftUp(size_t pos) {
  const Entry e = heap_[pos];
  while (pos > 0) {
    const size_t parent = (pos - 1) / 2;
    if (heap_[parent].deadline_ms <= e.deadline_ms) break;
    Place(pos, heap_[parent]);
    pos = parent;
  }
  Place(pos, e);
}

void ExpiryQueue::SiftDown(size_t pos) {
  const Entry e = heap_[pos];
  const size_t n = heap_.size();
  while (true) {
    size_t child = 2 * pos + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child + 1].deadline_ms < heap_[child].deadline_ms) ++child;
    if (e.deadline_ms <= heap_[child].deadline_ms) break;
    Place(pos, heap_[child]);
    pos = child;
  }
  Place(pos, e);
}

void ExpiryQueue::Insert(uint32_t slot, TimeMs deadline_ms) {
  if (slot >= position_.size()) {
    position_.resize(std::max<size_t>(slot + 1, position_.size() * 2), kAbsent);
  }
  BOX_ASSERT(position_[slot] == kAbsent);
  heap_.push_back(Entry{deadline_ms, slot});
  position_[slot] = static_cast<uint32_t>(heap_.size() - 1);
  SiftUp(heap_.size() - 1);
}

void ExpiryQueue::RemoveAt(size_t pos) {
  const uint32_t slot = heap_[pos].slot;
  const Entry last = heap_.back();
  heap_.pop_back();
  position_[slot] = kAbsent;
  if (pos == heap_.size()) return;
  Place(pos, last);
  SiftUp(pos);
  SiftDown(position_[last.slot]);
}

void ExpiryQueue::Remove(uint32_t slot) {
  BOX_ASSERT(Contains(slot));
  RemoveAt(position_[slot]);
}

void ExpiryQueue::Reschedule(uint32_t slot, TimeMs deadline_ms) {
  BOX_ASSERT(Contains(slot));
  const size_t pos = position_[slot];
  heap_[pos].deadline_ms = deadline_ms;
  SiftUp(pos);
  SiftDown(position_[slot]);
}

void ExpiryQueue::PopDue(TimeMs now_ms, std::vector<uint32_t>& due) {
  while (!heap_.empty() && heap_.front().deadline_ms <= now_ms) {
    due.push_back(heap_.front().slot);
    RemoveAt(0);
  }
}

}  // namespace boxoffice::core
