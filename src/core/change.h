// Change: one state change of a show, as subscribers and the journal see it.
//
// A ShowInventory appends a Change for every state change it makes, with the
// show's version after the change (each Change increments the version by one).
// ChangeLog stores them flat (one vector of headers, one of seats) so the hot
// path does not allocate once its capacity is warm; the owner drains it with
// Clear() after handing the changes on.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "core/types.h"

namespace boxoffice::core {

inline constexpr SectionIndex kNoArea = UINT16_MAX;

// Why a change happened. Stable numbering: journals store it.
enum class ChangeReason : uint8_t {
  kHeld = 0,
  kReleased = 1,
  kExpired = 2,
  kBooked = 3,
  kCancelled = 4,
  kBlocked = 5,
  kUnblocked = 6,
};

std::string_view ChangeReasonName(ChangeReason r);

struct Change {
  ShowId show;
  Version version;
  TimeMs at_ms;
  ChangeReason reason;
  SeatState new_state;   // the state of the seats (and GA places) after the change
  HoldId hold;           // 0 when not about a hold
  BookingId booking;     // 0 when not about a booking
  SectionIndex ga_area;  // kNoArea when no GA places are involved
  uint32_t ga_quantity;
  uint32_t seats_begin;  // into ChangeLog::seats()
  uint32_t seats_count;
};

class ChangeLog {
 public:
  void Append(const Change& c, std::span<const SeatIndex> seats) {
    Change stored = c;
    stored.seats_begin = static_cast<uint32_t>(seats_.size());
    stored.seats_count = static_cast<uint32_t>(seats.size());
    seats_.insert(seats_.end(), seats.begin(), seats.end());
    changes_.push_back(stored);
  }
  std::span<const Change> changes() const { return changes_; }
  std::span<const SeatIndex> seats(const Change& c) const {
    return std::span<const SeatIndex>(seats_).subspan(c.seats_begin, c.seats_count);
  }
  bool empty() const { return changes_.empty(); }
  size_t size() const { return changes_.size(); }
  void Clear() {
    changes_.clear();
    seats_.clear();
  }

 private:
  std::vector<Change> changes_;
  std::vector<SeatIndex> seats_;
};

}  // namespace boxoffice::core
