#include "core/expiry_wheel.h"

#include <algorithm>

#include "core/status.h"

namespace boxoffice::core {

ExpiryWheel::ExpiryWheel() : heads_(kExpiryWheelBuckets, kNil) {}

void ExpiryWheel::Insert(uint32_t slot, TimeMs deadline_ms) {
  if (slot >= links_.size()) links_.resize(std::max<size_t>(slot + 1, links_.size() * 2));
  Link& l = links_[slot];
  BOX_ASSERT(l.bucket == kNil);
  int64_t tick = TickOf(deadline_ms);
  if (next_tick_ >= 0) tick = std::max(tick, next_tick_);  // never behind the cursor
  const auto bucket = static_cast<uint32_t>(tick % kExpiryWheelBuckets);
  l.deadline_ms = deadline_ms;
  l.bucket = bucket;
  l.prev = kNil;
  l.next = heads_[bucket];
  if (l.next != kNil) links_[l.next].prev = slot;
  heads_[bucket] = slot;
  ++size_;
}

void ExpiryWheel::Unlink(uint32_t slot) {
  Link& l = links_[slot];
  if (l.prev != kNil) {
    links_[l.prev].next = l.next;
  } else {
    heads_[l.bucket] = l.next;
  }
  if (l.next != kNil) links_[l.next].prev = l.prev;
  l.prev = l.next = l.bucket = kNil;
  --size_;
}

void ExpiryWheel::Remove(uint32_t slot) {
  BOX_ASSERT(Contains(slot));
  Unlink(slot);
}

void ExpiryWheel::Reschedule(uint32_t slot, TimeMs deadline_ms) {
  Remove(slot);
  Insert(slot, deadline_ms);
}

bool ExpiryWheel::Contains(uint32_t slot) const {
  return slot < links_.size() && links_[slot].bucket != kNil;
}

void ExpiryWheel::Collect(TimeMs now_ms, std::vector<uint32_t>& due) {
  const int64_t now_tick = TickOf(now_ms);  // ticks before this one have fully elapsed
  if (next_tick_ < 0) next_tick_ = now_tick;
  if (now_tick <= next_tick_) return;
  // One revolution visits every bucket; a longer jump needs no more.
  const int64_t first = std::max(next_tick_, now_tick - int64_t{kExpiryWheelBuckets});
  for (int64_t tick = first; tick < now_tick; ++tick) {
    const auto bucket = static_cast<uint32_t>(tick % kExpiryWheelBuckets);
    uint32_t slot = heads_[bucket];
    while (slot != kNil) {
      const uint32_t next = links_[slot].next;
      if (links_[slot].deadline_ms <= now_ms) {
        Unlink(slot);
        due.push_back(slot);
      }
      slot = next;
    }
  }
  next_tick_ = now_tick;
}

}  // namespace boxoffice::core
