// The load generator's audit of a finished sale: a pure function over what
// the API said, independent of the server's own auditor.
//
// Inputs are read through the public API after the sale: the seat map, every
// booking of the show (GET /v1/bookings?show= as the organiser), and the
// availability read once every hold should have expired; plus what the
// simulated fans were told (each 201 from a confirm, with the seats they
// held). The audit checks:
//   1. the availability has the seat map's shape (sections, seat states);
//   2. in every section free + held + booked + blocked = capacity, and the
//      sections add up to the show's capacity;
//   3. the section counts agree with the decoded seat states;
//   4. every booking names seats of the show, no seat is in two confirmed
//      bookings, no booking id is listed twice;
//   5. the seats the availability shows booked are exactly the seats of the
//      confirmed bookings (GA areas: booked places = the bookings' quantity);
//   6. every fan told "booked" has that booking, confirmed, theirs, with the
//      seats they held;
//   7. once every hold is at least 1 s past its expiry, no seat is held;
//   8. (hotseat) no more fans hold bookings than there were hot seats;
//   9. (waiting room on) every confirmed booking is a fan's the room
//      admitted (gave an access token), and no hold asked for without an
//      access token was granted.
// Each violation is one line naming the seat, booking or fan; at most
// kViolationsMax are listed, then a count of the rest.
//
// Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/types.h"
#include "loadgen/api_views.h"

namespace boxoffice::loadgen {

inline constexpr size_t kViolationsMax = 100;
inline constexpr core::DurationMs kExpiryGraceMs = 1'000;  // a hold may outlive expires_at by this

// A booking a fan was told about: the 201 answer to confirming their hold.
struct ToldBooked {
  std::string user;
  std::string hold_id;
  std::string booking_id;
  std::vector<std::string> seats;  // the seats of the hold the fan confirmed
};

// A hold the server granted to a fan who asked without an access token
// while the waiting room was on.
struct HeldWithoutAccess {
  std::string user;
  std::string hold_id;
};

struct AuditInput {
  SeatMapView map;
  uint64_t show_capacity = 0;  // the show object's "capacity"
  std::vector<BookingRecord> bookings;
  AvailabilityView availability;
  // How long after the latest expires_at of any hold that may still have been
  // live the availability was read; below kExpiryGraceMs the expiry check
  // cannot be made (and is reported as skipped, not as a violation).
  core::DurationMs availability_read_after_last_expiry_ms = 0;
  std::vector<ToldBooked> told_booked;
  std::optional<uint64_t> booked_fans_max;  // hotseat: the number of hot seats
  // The waiting room was on: the users it admitted (any order), and the holds
  // granted without an access token.
  std::optional<std::vector<std::string>> admitted_users;
  std::vector<HeldWithoutAccess> held_without_access;
};

struct AuditResult {
  std::vector<std::string> violations;  // empty: PASS
  uint64_t violations_total = 0;        // including those not listed
  bool expiry_checked = false;
  uint64_t confirmed_bookings = 0;
  uint64_t seats_booked = 0;  // by the confirmed bookings (seats plus GA places)
  uint64_t fans_with_bookings = 0;

  bool ok() const { return violations_total == 0; }
};

AuditResult Audit(const AuditInput& in);

}  // namespace boxoffice::loadgen
