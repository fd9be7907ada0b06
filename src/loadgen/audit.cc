#include "loadgen/audit.h"

#include <algorithm>
#include <array>
#include <set>
#include <string_view>
#include <unordered_map>

namespace boxoffice::loadgen {
namespace {

using core::SeatState;

// Collects violation lines, keeping the first kViolationsMax.
class Violations {
 public:
  explicit Violations(AuditResult& r) : r_(r) {}
  void Add(std::string line) {
    r_.violations_total++;
    if (r_.violations.size() < kViolationsMax) r_.violations.push_back(std::move(line));
  }

 private:
  AuditResult& r_;
};

std::string_view StateWord(SeatState s) {
  static constexpr std::array<std::string_view, core::kSeatStateCount> kWords = {
      "free", "held", "booked", "blocked"};
  return kWords[static_cast<size_t>(s)];
}

std::string Join(std::vector<std::string> labels) {
  std::sort(labels.begin(), labels.end());
  std::string out = "[";
  for (size_t i = 0; i < labels.size(); ++i) out += (i > 0 ? " " : "") + labels[i];
  return out + "]";
}

std::string N(uint64_t v) { return std::to_string(v); }

// Checks 1-3: the availability's shape and counts. False when its shape is
// too far off for the seat-level checks.
bool CheckCounts(const AuditInput& in, Violations& v) {
  const SeatMapView& map = in.map;
  const AvailabilityView& a = in.availability;
  bool shape_ok = true;
  if (a.sections.size() != map.sections.size()) {
    v.Add("the availability lists " + N(a.sections.size()) + " sections, the seat map has " +
          N(map.sections.size()));
    shape_ok = false;
  }
  if (a.seats.size() != map.seat_count()) {
    v.Add("the availability has " + N(a.seats.size()) + " seat states, the seat map has " +
          N(map.seat_count()) + " seats");
    shape_ok = false;
  }
  std::array<uint64_t, core::kSeatStateCount> total{};
  uint64_t capacity = 0;
  for (size_t i = 0; i < std::min(a.sections.size(), map.sections.size()); ++i) {
    const SectionCounts& c = a.sections[i];
    const SeatMapView::Section& s = map.sections[i];
    total[0] += c.free;
    total[1] += c.held;
    total[2] += c.booked;
    total[3] += c.blocked;
    capacity += s.capacity;
    if (c.id != s.id) {
      v.Add("section " + N(i) + " is " + s.id + " in the seat map but " + c.id +
            " in the availability");
      shape_ok = false;
      continue;
    }
    if (c.total() != s.capacity) {
      v.Add("section " + s.id + ": free " + N(c.free) + " + held " + N(c.held) + " + booked " +
            N(c.booked) + " + blocked " + N(c.blocked) + " = " + N(c.total()) +
            ", its capacity is " + N(s.capacity));
    }
    if (s.general_admission || a.seats.size() != map.seat_count()) continue;
    std::array<uint64_t, core::kSeatStateCount> seen{};
    for (uint32_t k = s.first_seat; k < s.first_seat + s.seat_count; ++k)
      seen[static_cast<size_t>(a.seats[k])]++;
    const std::array<uint64_t, core::kSeatStateCount> said = {c.free, c.held, c.booked, c.blocked};
    for (size_t st = 0; st < core::kSeatStateCount; ++st) {
      if (seen[st] == said[st]) continue;
      const std::string_view word = StateWord(static_cast<SeatState>(st));
      v.Add("section " + s.id + ": the counts say " + N(said[st]) + " " + std::string(word) +
            ", the seat states show " + N(seen[st]));
    }
  }
  if (capacity != in.show_capacity) {
    v.Add("the seat map's sections add up to " + N(capacity) +
          " seats and places, the show's capacity is " + N(in.show_capacity));
  }
  const uint64_t sum = total[0] + total[1] + total[2] + total[3];
  if (a.sections.size() == map.sections.size() && sum != in.show_capacity) {
    v.Add("free " + N(total[0]) + " + held " + N(total[1]) + " + booked " + N(total[2]) +
          " + blocked " + N(total[3]) + " = " + N(sum) + ", the show's capacity is " +
          N(in.show_capacity));
  }
  return shape_ok;
}

struct BookingIndex {
  std::unordered_map<std::string, const BookingRecord*> by_id;
  std::vector<const BookingRecord*> seat_owner;         // by seat index, confirmed bookings only
  std::unordered_map<std::string, uint64_t> ga_places;  // by area, confirmed bookings only
};

// Check 4: every booking is well-formed and no seat is sold twice.
BookingIndex IndexBookings(const AuditInput& in, AuditResult& r, Violations& v) {
  BookingIndex idx;
  idx.seat_owner.assign(in.map.seat_count(), nullptr);
  std::unordered_map<std::string_view, uint32_t> seat_of;
  for (uint32_t i = 0; i < in.map.seat_count(); ++i) seat_of.emplace(in.map.labels[i], i);
  std::set<std::string_view> users;
  for (const BookingRecord& b : in.bookings) {
    if (!idx.by_id.emplace(b.id, &b).second) {
      v.Add("booking " + b.id + " is listed twice");
      continue;
    }
    if (b.status == "cancelled") continue;
    if (b.status != "confirmed") {
      v.Add("booking " + b.id + " has status \"" + b.status + "\"");
      continue;
    }
    r.confirmed_bookings++;
    users.insert(b.user);
    for (const std::string& label : b.seats) {
      const auto it = seat_of.find(label);
      if (it == seat_of.end()) {
        v.Add("booking " + b.id + " names seat " + label + ", which the show does not have");
        continue;
      }
      r.seats_booked++;
      const BookingRecord*& owner = idx.seat_owner[it->second];
      if (owner != nullptr) {
        v.Add(owner == &b ? "booking " + b.id + " names seat " + label + " twice"
                          : "seat " + label + " is booked twice: by " + owner->id + " and " + b.id);
        continue;
      }
      owner = &b;
    }
    if (!b.ga_area.empty()) {
      idx.ga_places[b.ga_area] += b.ga_quantity;
      r.seats_booked += b.ga_quantity;
    }
  }
  r.fans_with_bookings = users.size();
  return idx;
}

// Check 5: the availability shows booked exactly what the bookings hold.
void CheckBookedSeats(const AuditInput& in, const BookingIndex& idx, Violations& v) {
  const SeatMapView& map = in.map;
  for (uint32_t i = 0; i < map.seat_count(); ++i) {
    const SeatState s = in.availability.seats[i];
    const BookingRecord* owner = idx.seat_owner[i];
    if (s == SeatState::kBooked && owner == nullptr) {
      v.Add("seat " + map.labels[i] + " is booked in the availability but in no confirmed booking");
    } else if (s != SeatState::kBooked && owner != nullptr) {
      v.Add("seat " + map.labels[i] + " is in booking " + owner->id +
            " but the availability shows it " + std::string(StateWord(s)));
    }
  }
  for (size_t k = 0; k < map.sections.size(); ++k) {
    const SeatMapView::Section& s = map.sections[k];
    if (!s.general_admission) continue;
    const auto it = idx.ga_places.find(s.id);
    const uint64_t places = it == idx.ga_places.end() ? 0 : it->second;
    if (in.availability.sections[k].booked != places) {
      v.Add("area " + s.id + ": the availability shows " + N(in.availability.sections[k].booked) +
            " places booked, the bookings hold " + N(places));
    }
  }
  for (const auto& [area, places] : idx.ga_places) {
    const bool known = std::any_of(map.sections.begin(), map.sections.end(), [&](const auto& s) {
      return s.general_admission && s.id == area;
    });
    if (!known)
      v.Add("bookings hold " + N(places) + " places in area " + area +
            ", which the show does not have");
  }
}

// Check 6: every fan told "booked" has that booking.
void CheckToldBooked(const AuditInput& in, const BookingIndex& idx, Violations& v) {
  for (const ToldBooked& t : in.told_booked) {
    const std::string who =
        "fan " + t.user + " was told booked (" + t.booking_id + ", hold " + t.hold_id + ")";
    const auto it = idx.by_id.find(t.booking_id);
    if (it == idx.by_id.end()) {
      v.Add(who + " but the show has no booking " + t.booking_id);
      continue;
    }
    const BookingRecord& b = *it->second;
    if (b.status != "confirmed") v.Add(who + " but the booking is " + b.status);
    if (b.user != t.user) v.Add(who + " but the booking belongs to " + b.user);
    if (b.hold_id != t.hold_id) v.Add(who + " but the booking is of hold " + b.hold_id);
    if (Join(b.seats) != Join(t.seats)) {
      v.Add(who + " but the booking has seats " + Join(b.seats) + ", the fan held " +
            Join(t.seats));
    }
  }
}

// Check 7: nothing is held once every hold is past its expiry plus the grace.
void CheckExpiry(const AuditInput& in, AuditResult& r, Violations& v) {
  if (in.availability_read_after_last_expiry_ms < kExpiryGraceMs) return;
  r.expiry_checked = true;
  std::vector<std::string> held;
  for (uint32_t i = 0; i < in.availability.seats.size() && i < in.map.seat_count(); ++i) {
    if (in.availability.seats[i] == SeatState::kHeld) held.push_back(in.map.labels[i]);
  }
  const uint64_t counted = in.availability.held();
  if (counted == 0 && held.empty()) return;
  std::string examples;
  for (size_t i = 0; i < held.size() && i < 5; ++i) examples += (i > 0 ? ", " : "") + held[i];
  v.Add(N(counted) + " seats and places are held (" + N(held.size()) + " seats by their states" +
        (examples.empty() ? "" : ": " + examples + (held.size() > 5 ? ", ..." : "")) + ") " +
        N(static_cast<uint64_t>(in.availability_read_after_last_expiry_ms)) +
        " ms after the latest hold expiry; no hold may outlive its expiry by more than " +
        N(kExpiryGraceMs) + " ms");
}

// Check 9: with the waiting room on, nobody got past it.
void CheckWaitingRoom(const AuditInput& in, Violations& v) {
  for (const HeldWithoutAccess& h : in.held_without_access) {
    v.Add("fan " + h.user + " got hold " + h.hold_id +
          " without an access token while the waiting room was on");
  }
  if (!in.admitted_users) return;
  const std::set<std::string_view> admitted(in.admitted_users->begin(), in.admitted_users->end());
  for (const BookingRecord& b : in.bookings) {
    if (b.status == "confirmed" && !admitted.contains(b.user)) {
      v.Add("booking " + b.id + " belongs to " + b.user + ", whom the waiting room never admitted");
    }
  }
}

}  // namespace

AuditResult Audit(const AuditInput& in) {
  AuditResult r;
  Violations v(r);
  const bool shape_ok = CheckCounts(in, v);
  const BookingIndex idx = IndexBookings(in, r, v);
  if (shape_ok) CheckBookedSeats(in, idx, v);
  CheckToldBooked(in, idx, v);
  CheckExpiry(in, r, v);
  CheckWaitingRoom(in, v);
  if (in.booked_fans_max && r.fans_with_bookings > *in.booked_fans_max) {
    v.Add(N(r.fans_with_bookings) + " fans hold bookings, but there were only " +
          N(*in.booked_fans_max) + " hot seats");
  }
  if (r.violations_total > r.violations.size()) {
    r.violations.push_back("... and " + N(r.violations_total - r.violations.size()) +
                           " more violations");
  }
  return r;
}

}  // namespace boxoffice::loadgen
