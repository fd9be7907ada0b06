// HoldTrails: one show's audit trail of its holds (created, released,
// expired, paid, confirmed...), kept in memory for the trail's retention.
//
// Hold ids carry a sequence number that counts up from 1 in each show, so the
// trails are a deque indexed by sequence: adding an entry is an index, not a
// hash, and the table never rehashes under the show's lock (a hash map of
// half a million trails stalled every hold of the show for tens of
// milliseconds while it grew). Pruning forgets trails whose last entry is
// older than a cut-off and drops the forgotten ones at the front.
//
// Memory: 32 bytes a hold plus its entries. Not thread-safe: the owner guards
// it (the service keeps it under the show's lock).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "core/types.h"
#include "store/store.h"

namespace boxoffice::service {

// One entry of a hold's audit trail.
struct HoldTrailEntry {
  store::HoldTrailKind kind = store::HoldTrailKind::kCreated;
  core::TimeMs at_ms = 0;
  std::string reason;
};

class HoldTrails {
 public:
  // Appends to the trail of `hold` (entries of one hold in time order).
  void Add(core::HoldId hold, HoldTrailEntry entry);
  // The trail of `hold`, or nullptr if nothing is remembered of it.
  const std::vector<HoldTrailEntry>* Find(core::HoldId hold) const;
  // Forgets every trail whose last entry is before `before_ms`.
  void Prune(core::TimeMs before_ms);
  // Holds with a trail.
  size_t size() const { return size_; }

  // For trails read back from a store, which Add would take on trust:
  // whether `hold` can be one of a show whose holds are counted in
  // `version` (its sequence from 1 to that), and whether its sequence is
  // free here or already this hold's.
  static bool Plausible(core::HoldId hold, uint64_t version) {
    return SequenceOf(hold) >= 1 && SequenceOf(hold) <= version;
  }
  bool Fits(core::HoldId hold) const;

 private:
  struct Trail {
    uint32_t slot = 0;  // the rest of the hold's id, to tell a forged id
    std::vector<HoldTrailEntry> entries;
  };
  static uint32_t SequenceOf(core::HoldId hold) { return static_cast<uint32_t>(hold >> 32); }
  static uint32_t SlotOf(core::HoldId hold) { return static_cast<uint32_t>(hold); }

  uint32_t first_ = 0;  // the sequence of by_sequence_[0]
  std::deque<Trail> by_sequence_;
  size_t size_ = 0;
};

}  // namespace boxoffice::service
