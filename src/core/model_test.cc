// Randomized model test: millions of random operations on a small show,
// checked after every one against a deliberately simple reference model.
//
// The seed is printed; rerun one with BOXOFFICE_SEED=<seed>. The number of
// operations is BOXOFFICE_MODEL_OPS (default 2,000,000; a tenth under sanitizers).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>

#include "core/audit.h"
#include "core/show_inventory.h"
#include "testing/seed.h"
#include "testing/seeded_tokens.h"
#include "testing/venues.h"

namespace boxoffice::core {
namespace {

constexpr uint32_t kSeatsPerHoldMax = 4;
constexpr uint32_t kSeatsPerOwnerMax = 6;
constexpr DurationMs kLifetimeMaxMs = 20'000;
constexpr OwnerId kOwners = 5;

// The reference: plain maps, every rule written the obvious way.
struct Model {
  struct Hold {
    OwnerId owner;
    Token token;
    std::vector<SeatIndex> seats;
    SectionIndex ga;
    uint32_t qty;
    TimeMs created, expires;
    int64_t total;
  };
  struct Booking {
    OwnerId owner;
    std::vector<SeatIndex> seats;
    SectionIndex ga;
    uint32_t qty;
    bool cancelled = false;
  };

  std::vector<SeatState> states;
  std::map<HoldId, Hold> live;
  std::map<HoldId, std::pair<Outcome, Token>> closed;
  std::map<HoldId, BookingId> booked_from;
  std::vector<Booking> bookings;
  std::map<SectionIndex, uint32_t> ga_free;

  uint32_t OwnerSeats(OwnerId o) const {
    uint32_t n = 0;
    for (const auto& [id, h] : live)
      n += h.owner == o ? static_cast<uint32_t>(h.seats.size() + h.qty) : 0;
    for (const Booking& b : bookings) {
      n += (b.owner == o && !b.cancelled) ? static_cast<uint32_t>(b.seats.size() + b.qty) : 0;
    }
    return n;
  }
  void Free(const Hold& h) {
    for (SeatIndex s : h.seats) states[s] = SeatState::kFree;
    if (h.ga != kNoArea) ga_free[h.ga] += h.qty;
  }
  void Expire(TimeMs now) {
    for (auto it = live.begin(); it != live.end();) {
      if (it->second.expires <= now) {
        Free(it->second);
        closed[it->first] = {Outcome::kHoldExpired, it->second.token};
        it = live.erase(it);
      } else {
        ++it;
      }
    }
  }
  // Why a call with `token` on `id` cannot proceed, or kOk if the hold is live and the token right.
  Outcome Check(HoldId id, const Token& token) const {
    if (auto it = live.find(id); it != live.end()) {
      return it->second.token == token ? Outcome::kOk : Outcome::kWrongToken;
    }
    if (auto it = closed.find(id); it != closed.end()) {
      return it->second.second == token ? it->second.first : Outcome::kWrongToken;
    }
    return Outcome::kHoldNotFound;
  }
};

class ModelTest : public ::testing::Test {
 protected:
  ModelTest()
      : map_(std::make_shared<SeatMap>(testing::MustBuild(testing::GridVenue(2, 3, 8, 10)))),
        ga_(*map_->FindSection("GA")) {
    ShowPolicy p;
    p.price_minor_by_category = {300, 100};
    p.seats_per_hold_max = kSeatsPerHoldMax;
    p.seats_per_owner_max = kSeatsPerOwnerMax;
    p.hold_lifetime_max_ms = kLifetimeMaxMs;
    show_ = std::make_unique<ShowInventory>(1, map_, p, tokens_);
    m_.states.assign(map_->seat_count(), SeatState::kFree);
    m_.ga_free[ga_] = map_->section(ga_).capacity;
  }

  uint64_t Rand(uint64_t n) { return rng_() % n; }
  OwnerId AnyOwner() { return 1 + Rand(kOwners); }
  DurationMs AnyTtl() { return 1'000 + static_cast<DurationMs>(Rand(9'000)); }
  int64_t Price(const std::vector<SeatIndex>& seats, uint32_t qty) const {
    int64_t t = qty * show_->policy().price_minor_by_category[1];
    for (SeatIndex s : seats) t += show_->policy().price_minor_by_category[map_->seat(s).category];
    return t;
  }

  // A hold id that is live, closed, or made up; and its token, right or wrong.
  std::pair<HoldId, Token> AnyHold() {
    HoldId id = 12345;
    Token token{};
    const uint64_t pick = Rand(10);
    if (pick < 6 && !m_.live.empty()) {
      auto it = std::next(m_.live.begin(), static_cast<long>(Rand(m_.live.size())));
      id = it->first;
      token = it->second.token;
    } else if (pick < 9 && !m_.closed.empty()) {
      auto it = std::next(m_.closed.begin(),
                          static_cast<long>(Rand(std::min<size_t>(m_.closed.size(), 64))));
      id = it->first;
      token = it->second.second;
    }
    if (Rand(10) == 0) token.bytes[Rand(16)] ^= 0x40;
    return {id, token};
  }

  void Adopt(const HoldResult& r, OwnerId owner, std::vector<SeatIndex> seats, SectionIndex ga,
             uint32_t qty, DurationMs ttl) {
    ASSERT_FALSE(r.existing);
    ASSERT_EQ(r.expires_at_ms, now_ + ttl);
    ASSERT_EQ(r.total_minor, Price(seats, qty));
    ASSERT_EQ(m_.live.count(r.hold), 0u);
    for (SeatIndex s : seats) {
      ASSERT_EQ(m_.states[s], SeatState::kFree);
      m_.states[s] = SeatState::kHeld;
    }
    if (ga != kNoArea) m_.ga_free[ga] -= qty;
    m_.live[r.hold] =
        Model::Hold{owner, r.token, std::move(seats), ga, qty, now_, now_ + ttl, r.total_minor};
  }

  void OpHoldSeats() {
    const OwnerId owner = AnyOwner();
    std::vector<SeatIndex> seats;
    const uint64_t n = Rand(6);  // 0 and 5 are invalid
    for (uint64_t i = 0; i < n; ++i)
      seats.push_back(static_cast<SeatIndex>(Rand(map_->seat_count())));
    if (Rand(4) == 0 && !m_.live.empty()) {  // ask again for a live hold's seats
      const auto& h = std::next(m_.live.begin(), static_cast<long>(Rand(m_.live.size())))->second;
      if (!h.seats.empty()) {
        seats = h.seats;
        std::reverse(seats.begin(), seats.end());
      }
    }
    const DurationMs ttl = AnyTtl();
    const HoldResult r = show_->HoldSeats(owner, seats, ttl, now_);
    tally_[r.outcome]++;
    std::vector<SeatIndex> sorted = seats;
    std::sort(sorted.begin(), sorted.end());
    const bool dup = std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end();
    if (seats.empty() || seats.size() > kSeatsPerHoldMax || dup) {
      ASSERT_EQ(r.outcome, Outcome::kInvalidRequest);
      return;
    }
    for (const auto& [id, h] : m_.live) {
      std::vector<SeatIndex> hs = h.seats;
      std::sort(hs.begin(), hs.end());
      if (h.owner == owner && hs == sorted) {
        ASSERT_EQ(r.outcome, Outcome::kOk);
        ASSERT_TRUE(r.existing);
        ASSERT_EQ(r.hold, id);
        return;
      }
    }
    std::vector<SeatIndex> conflicts;
    for (SeatIndex s : seats) {
      if (m_.states[s] != SeatState::kFree) conflicts.push_back(s);
    }
    if (!conflicts.empty()) {
      ASSERT_EQ(r.outcome, Outcome::kSeatUnavailable);
      ASSERT_EQ(r.conflicts, conflicts);
      return;
    }
    if (m_.OwnerSeats(owner) + seats.size() > kSeatsPerOwnerMax) {
      ASSERT_EQ(r.outcome, Outcome::kOwnerLimitExceeded);
      return;
    }
    ASSERT_EQ(r.outcome, Outcome::kOk);
    Adopt(r, owner, seats, kNoArea, 0, ttl);
  }

  // Whether the model has `count` free adjacent seats in one row matching the filter.
  bool ModelHasTogether(const BestAvailableRequest& req) const {
    for (const Row& row : map_->rows()) {
      if (req.section && row.section != *req.section) continue;
      uint32_t run = 0;
      for (SeatIndex i = row.first_seat; i < row.first_seat + row.seat_count; ++i) {
        const Seat& s = map_->seat(i);
        const bool ok =
            m_.states[i] == SeatState::kFree && (!req.category || s.category == *req.category);
        run = ok ? run + 1 : 0;
        if (run >= req.count) return true;
        if (!s.adjacent_to_next) run = 0;
      }
    }
    return false;
  }

  void OpHoldBest() {
    const OwnerId owner = AnyOwner();
    BestAvailableRequest req;
    req.count = static_cast<uint32_t>(Rand(kSeatsPerHoldMax + 1));
    if (Rand(3) == 0) req.section = static_cast<SectionIndex>(Rand(2));
    if (Rand(3) == 0) req.category = static_cast<CategoryIndex>(Rand(2));
    const DurationMs ttl = AnyTtl();
    const HoldResult r = show_->HoldBest(owner, req, ttl, now_);
    tally_[r.outcome]++;
    if (req.count == 0) {
      ASSERT_EQ(r.outcome, Outcome::kInvalidRequest);
      return;
    }
    if (m_.OwnerSeats(owner) + req.count > kSeatsPerOwnerMax) {
      ASSERT_EQ(r.outcome, Outcome::kOwnerLimitExceeded);
      return;
    }
    if (!ModelHasTogether(req)) {
      ASSERT_EQ(r.outcome, Outcome::kNotEnoughSeats);
      return;
    }
    ASSERT_EQ(r.outcome, Outcome::kOk);
    HoldInfo info;
    ASSERT_EQ(show_->FindHold(r.hold, now_, &info), Outcome::kOk);
    std::vector<SeatIndex> seats(info.seats.begin(), info.seats.end());
    ASSERT_EQ(seats.size(), req.count);
    for (size_t i = 0; i < seats.size(); ++i) {
      const Seat& s = map_->seat(seats[i]);
      ASSERT_TRUE(!req.section || s.section == *req.section);
      ASSERT_TRUE(!req.category || s.category == *req.category);
      if (i > 0) {
        ASSERT_EQ(seats[i], seats[i - 1] + 1);
        ASSERT_TRUE(map_->seat(seats[i - 1]).adjacent_to_next);
      }
    }
    Adopt(r, owner, seats, kNoArea, 0, ttl);
  }

  void OpHoldGeneralAdmission() {
    const OwnerId owner = AnyOwner();
    const auto qty = static_cast<uint32_t>(Rand(kSeatsPerHoldMax + 1));
    const DurationMs ttl = AnyTtl();
    const HoldResult r = show_->HoldGeneralAdmission(owner, ga_, qty, ttl, now_);
    tally_[r.outcome]++;
    if (qty == 0) {
      ASSERT_EQ(r.outcome, Outcome::kInvalidRequest);
    } else if (m_.OwnerSeats(owner) + qty > kSeatsPerOwnerMax) {
      ASSERT_EQ(r.outcome, Outcome::kOwnerLimitExceeded);
    } else if (m_.ga_free[ga_] < qty) {
      ASSERT_EQ(r.outcome, Outcome::kNotEnoughSeats);
    } else {
      ASSERT_EQ(r.outcome, Outcome::kOk);
      Adopt(r, owner, {}, ga_, qty, ttl);
    }
  }

  void OpRelease() {
    const auto [id, token] = AnyHold();
    const Outcome expect = m_.Check(id, token);
    const Outcome got = show_->Release(id, token, now_);
    tally_[got]++;
    ASSERT_EQ(got, expect);
    if (expect != Outcome::kOk) return;
    m_.Free(m_.live.at(id));
    m_.closed[id] = {Outcome::kHoldReleased, token};
    m_.live.erase(id);
  }

  void OpExtend() {
    const auto [id, token] = AnyHold();
    const auto by = static_cast<DurationMs>(Rand(8'000)) - 500;
    TimeMs new_expiry = 0;
    const Outcome got = show_->Extend(id, token, by, now_, &new_expiry);
    tally_[got]++;
    Outcome expect = m_.Check(id, token);
    if (expect == Outcome::kOk) {
      Model::Hold& h = m_.live.at(id);
      const TimeMs target = std::min(h.expires + by, h.created + kLifetimeMaxMs);
      if (by <= 0) {
        expect = Outcome::kInvalidRequest;
      } else if (target <= h.expires) {
        expect = Outcome::kExtensionLimit;
      } else {
        h.expires = target;
        ASSERT_EQ(new_expiry, target);
      }
    }
    ASSERT_EQ(got, expect);
  }

  void OpConfirm() {
    const auto [id, token] = AnyHold();
    const ConfirmResult r = show_->Confirm(id, token, now_);
    tally_[r.outcome]++;
    const Outcome expect = m_.Check(id, token);
    ASSERT_EQ(r.outcome, expect);
    ASSERT_TRUE(expect != Outcome::kHoldConfirmed || r.booking == m_.booked_from.at(id));
    if (expect != Outcome::kOk) return;
    const Model::Hold h = m_.live.at(id);
    ASSERT_EQ(r.booking, m_.bookings.size() + 1);
    for (SeatIndex s : h.seats) m_.states[s] = SeatState::kBooked;
    m_.bookings.push_back(Model::Booking{h.owner, h.seats, h.ga, h.qty});
    m_.booked_from[id] = r.booking;
    m_.closed[id] = {Outcome::kHoldConfirmed, token};
    m_.live.erase(id);
  }

  void OpCancel() {
    const BookingId id = Rand(m_.bookings.size() + 2);
    const Outcome got = show_->Cancel(id, now_);
    tally_[got]++;
    if (id == 0 || id > m_.bookings.size()) {
      ASSERT_EQ(got, Outcome::kBookingNotFound);
      return;
    }
    Model::Booking& b = m_.bookings[id - 1];
    if (b.cancelled) {
      ASSERT_EQ(got, Outcome::kBookingCancelled);
      return;
    }
    ASSERT_EQ(got, Outcome::kOk);
    b.cancelled = true;
    for (SeatIndex s : b.seats) m_.states[s] = SeatState::kFree;
    if (b.ga != kNoArea) m_.ga_free[b.ga] += b.qty;
  }

  void OpBlockOrUnblock() {
    const std::vector<SeatIndex> seat = {static_cast<SeatIndex>(Rand(map_->seat_count()))};
    if (Rand(2) == 0) {
      const Outcome got = show_->Block(seat, now_, nullptr);
      tally_[got]++;
      const bool free = m_.states[seat[0]] == SeatState::kFree;
      ASSERT_EQ(got, free ? Outcome::kOk : Outcome::kSeatUnavailable);
      if (free) m_.states[seat[0]] = SeatState::kBlocked;
    } else {
      const Outcome got = show_->Unblock(seat, now_);
      tally_[got]++;
      const bool blocked = m_.states[seat[0]] == SeatState::kBlocked;
      ASSERT_EQ(got, blocked ? Outcome::kOk : Outcome::kSeatNotBlocked);
      if (blocked) m_.states[seat[0]] = SeatState::kFree;
    }
  }

  void CompareStates() {
    for (SeatIndex s = 0; s < map_->seat_count(); ++s) {
      ASSERT_EQ(show_->seat_state(s), m_.states[s]) << "seat " << map_->label(s);
    }
    ASSERT_EQ(show_->section_counts(ga_)[0], m_.ga_free[ga_]);
    ASSERT_EQ(show_->live_holds(), m_.live.size());
    for (OwnerId o = 1; o <= kOwners; ++o) ASSERT_EQ(show_->owner_seats(o), m_.OwnerSeats(o));
  }

  void Step() {
    if (Rand(8) == 0) now_ += static_cast<DurationMs>(Rand(1'500));
    m_.Expire(now_);
    switch (Rand(12)) {
      case 0:
      case 1:
      case 2:
        OpHoldSeats();
        break;
      case 3:
      case 4:
        OpHoldBest();
        break;
      case 5:
        OpHoldGeneralAdmission();
        break;
      case 6:
      case 7:
        OpRelease();
        break;
      case 8:
        OpExtend();
        break;
      case 9:
        OpConfirm();
        break;
      case 10:
        OpCancel();
        break;
      default:
        if (Rand(4) == 0)
          OpBlockOrUnblock();
        else
          show_->Advance(now_);
    }
  }

  // How often each outcome came up, printed at the end: a run that never
  // reached an outcome did not test it.
  std::map<Outcome, uint64_t> tally_;

  testing::SeededTokens tokens_{42};
  std::shared_ptr<SeatMap> map_;
  SectionIndex ga_;
  std::unique_ptr<ShowInventory> show_;
  Model m_;
  std::mt19937_64 rng_;
  TimeMs now_ = 1'800'000'000'000;
};

TEST_F(ModelTest, MatchesTheReferenceModelAfterEveryOperation) {
  const uint64_t seed = testing::TestSeed("ModelTest");
  rng_.seed(seed);
  uint64_t ops = testing::ScaledOps(2'000'000);
  if (const char* env = std::getenv("BOXOFFICE_MODEL_OPS")) ops = std::strtoull(env, nullptr, 10);
  Auditor auditor;
  for (uint64_t i = 0; i < ops; ++i) {
    Step();
    if (HasFatalFailure()) FAIL() << "operation " << i << ", seed " << seed;
    CompareStates();
    if (HasFatalFailure()) FAIL() << "operation " << i << ", seed " << seed;
    if (i % 1000 == 0) {
      const AuditReport r = auditor.Check(*show_);
      ASSERT_TRUE(r.ok()) << "operation " << i << ", seed " << seed << ": " << r.Summary();
      show_->changes().Clear();
    }
  }
  for (const auto& [outcome, n] : tally_)
    std::printf("  %-22s %llu\n", std::string(OutcomeName(outcome)).c_str(),
                static_cast<unsigned long long>(n));
  for (auto o = static_cast<int>(Outcome::kOk); o <= static_cast<int>(Outcome::kSeatNotBlocked);
       ++o) {
    EXPECT_GT(tally_[static_cast<Outcome>(o)], 0u)
        << "never reached: " << OutcomeName(static_cast<Outcome>(o));
  }
}

}  // namespace
}  // namespace boxoffice::core
