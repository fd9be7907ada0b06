#include "core/audit.h"

#include <string>
#include <unordered_map>

namespace boxoffice::core {
namespace {

constexpr uint32_t kUnclaimed = UINT32_MAX;
constexpr size_t kViolationsMax = 50;  // enough to diagnose, bounded for huge shows

class Audit {
 public:
  explicit Audit(const ShowInventory& show) : show_(show), map_(show.map()) {}

  AuditReport Run(Version previous_version) {
    ClaimHeldSeats();
    ClaimBookedSeats();
    CheckSeats();
    CheckCounts();
    CheckOwners();
    CheckVersions(previous_version);
    return std::move(report_);
  }

 private:
  template <typename... Parts>
  void Fail(const Parts&... parts) {
    if (report_.violations.size() >= kViolationsMax) return;
    std::string msg;
    ((msg += Str(parts)), ...);
    report_.violations.push_back(std::move(msg));
  }
  static std::string Str(const std::string& s) { return s; }
  static std::string Str(const char* s) { return s; }
  static std::string Str(std::string_view s) { return std::string(s); }
  template <typename T>
  static std::string Str(T v) {
    return std::to_string(v);
  }

  std::string Seat(SeatIndex s) const { return "seat " + map_.label(s); }

  void Claim(SeatIndex s, uint32_t owner_ref, SeatState as, const std::string& by) {
    if (s >= map_.seat_count()) {
      Fail(by, " names seat index ", s, " outside the map");
      return;
    }
    if (claims_[s] != kUnclaimed) Fail(Seat(s), " is in two live holds/bookings (", by, ")");
    claims_[s] = owner_ref;
    claimed_as_[s] = as;
  }

  void ClaimHeldSeats() {
    claims_.assign(map_.seat_count(), kUnclaimed);
    claimed_as_.assign(map_.seat_count(), SeatState::kFree);
    show_.ForEachLiveHold([this](const HoldInfo& h) {
      const uint32_t slot = ShowInventory::SlotOfHold(h.id);
      for (SeatIndex s : h.seats) Claim(s, slot, SeatState::kHeld, "hold " + std::to_string(h.id));
      if (h.ga_area != kNoArea) ga_held_[h.ga_area] += h.ga_quantity;
      owners_[h.owner] += static_cast<uint32_t>(h.seats.size() + h.ga_quantity);
    });
  }

  void ClaimBookedSeats() {
    for (BookingId id = 1; id <= show_.booking_count(); ++id) {
      const Booking b = *show_.FindBooking(id);
      if (b.cancelled) continue;
      const auto index = static_cast<uint32_t>(b.id - 1);
      for (SeatIndex s : b.seats)
        Claim(s, index, SeatState::kBooked, "booking " + std::to_string(b.id));
      if (b.ga_area != kNoArea) ga_booked_[b.ga_area] += b.ga_quantity;
      owners_[b.owner] += static_cast<uint32_t>(b.seats.size() + b.ga_quantity);
    }
  }

  void CheckSeats() {
    for (SeatIndex s = 0; s < map_.seat_count(); ++s) {
      const SeatState st = show_.seat_state(s);
      const bool owned = st == SeatState::kHeld || st == SeatState::kBooked;
      if (owned && claims_[s] == kUnclaimed) {
        Fail(Seat(s), " is ", SeatStateName(st), " but no live hold or booking has it");
      } else if (!owned && claims_[s] != kUnclaimed) {
        Fail(Seat(s), " is ", SeatStateName(st), " but a live hold or booking has it");
      } else if (owned && (claimed_as_[s] != st || show_.seat_ref(s) != claims_[s])) {
        Fail(Seat(s), " is ", SeatStateName(st), " but points at the wrong hold or booking");
      }
    }
  }

  void CheckCounts() {
    std::vector<StateCounts> sections(map_.sections().size(), StateCounts{});
    std::vector<StateCounts> categories(map_.categories().size(), StateCounts{});
    std::vector<uint32_t> row_free(map_.rows().size(), 0);
    for (SeatIndex s = 0; s < map_.seat_count(); ++s) {
      const auto st = static_cast<int>(show_.seat_state(s));
      const core::Seat& seat = map_.seat(s);
      sections[seat.section][st]++;
      categories[seat.category][st]++;
      if (st == 0) row_free[seat.row]++;
    }
    for (SectionIndex a = 0; a < map_.sections().size(); ++a) {
      const Section& sec = map_.section(a);
      if (!sec.general_admission) continue;
      const uint32_t held = ga_held_[a], booked = ga_booked_[a];
      if (held + booked > sec.capacity)
        Fail("GA area ", sec.id, " has more places sold than capacity");
      StateCounts ga{sec.capacity - held - booked, held, booked, 0};
      sections[a] = ga;
      for (int st = 0; st < kSeatStateCount; ++st) categories[sec.ga_category][st] += ga[st];
    }
    for (SectionIndex a = 0; a < sections.size(); ++a) {
      if (sections[a] != show_.section_counts(a))
        Fail("section ", map_.section(a).id, " counts differ from a recount");
    }
    for (CategoryIndex c = 0; c < categories.size(); ++c) {
      if (categories[c] != show_.category_counts(c))
        Fail("category ", map_.categories()[c].id, " counts differ from a recount");
    }
    for (RowIndex r = 0; r < row_free.size(); ++r) {
      if (row_free[r] != show_.row_free()[r]) Fail("row ", r, " free count differs from a recount");
      const std::optional<uint16_t> run = show_.cached_row_run(r);
      if (run && *run != LongestFreeRun(map_, show_.seat_states(), r)) {
        Fail("row ", r, " longest free run differs from a recount");
      }
    }
  }

  void CheckOwners() {
    for (const auto& [owner, seats] : owners_) {
      if (show_.owner_seats(owner) != seats)
        Fail("owner ", owner, " seat count differs from a recount");
    }
  }

  void CheckVersions(Version previous) {
    if (show_.version() < previous)
      Fail("version went down from ", previous, " to ", show_.version());
    Version expect = 0;
    for (const Change& c : show_.changes().changes()) {
      if (expect != 0 && c.version != expect)
        Fail("change version ", c.version, " does not follow ", expect - 1);
      if (c.version > show_.version()) Fail("change version ", c.version, " is ahead of the show");
      expect = c.version + 1;
    }
    if (expect != 0 && expect - 1 != show_.version())
      Fail("the last change is not the show's version");
  }

  const ShowInventory& show_;
  const SeatMap& map_;
  AuditReport report_;
  std::vector<uint32_t> claims_;
  std::vector<SeatState> claimed_as_;
  std::unordered_map<SectionIndex, uint32_t> ga_held_;
  std::unordered_map<SectionIndex, uint32_t> ga_booked_;
  std::unordered_map<OwnerId, uint32_t> owners_;
};

}  // namespace

std::string AuditReport::Summary() const {
  if (ok()) return "PASS";
  std::string s = std::to_string(violations.size()) + " violation(s):";
  for (const std::string& v : violations) s += "\n  " + v;
  return s;
}

AuditReport AuditShow(const ShowInventory& show, Version previous_version) {
  return Audit(show).Run(previous_version);
}

}  // namespace boxoffice::core
