#include "core/show_inventory.h"

#include <gtest/gtest.h>

#include "core/audit.h"
#include "core/limits.h"
#include "testing/fake_clock.h"
#include "testing/seeded_tokens.h"
#include "testing/venues.h"

namespace boxoffice::core {
namespace {

constexpr DurationMs kTtl = 600'000;
constexpr OwnerId kAlice = 1;
constexpr OwnerId kBob = 2;

// A 2-section x 4-row x 10-seat grid (aisle after seat 5) plus a GA area of 20.
class ShowInventoryTest : public ::testing::Test {
 protected:
  ShowInventoryTest()
      : map_(std::make_shared<SeatMap>(testing::MustBuild(testing::GridVenue(2, 4, 10, 20)))),
        show_(7, map_, Policy(), tokens_) {}

  static ShowPolicy Policy() {
    ShowPolicy p;
    p.price_minor_by_category = {5000, 2500};
    p.seats_per_hold_max = 6;
    p.seats_per_owner_max = 8;
    p.hold_lifetime_max_ms = 1'200'000;
    return p;
  }

  SeatIndex S(const char* label) const { return *map_->FindSeat(label); }
  std::vector<SeatIndex> Seats(std::initializer_list<const char*> labels) const {
    std::vector<SeatIndex> v;
    for (const char* l : labels) v.push_back(S(l));
    return v;
  }
  HoldResult Hold(OwnerId o, std::initializer_list<const char*> labels) {
    return show_.HoldSeats(o, Seats(labels), kTtl, clock_.now_ms());
  }
  void ExpectAudit() {
    AuditReport r = auditor_.Check(show_);
    EXPECT_TRUE(r.ok()) << r.Summary();
  }
  const Change& LastChange() const { return show_.changes().changes().back(); }

  testing::FakeClock clock_;
  testing::SeededTokens tokens_;
  std::shared_ptr<SeatMap> map_;
  ShowInventory show_;
  Auditor auditor_;
};

TEST_F(ShowInventoryTest, HoldTakesAllSeatsAndPricesThem) {
  HoldResult h = Hold(kAlice, {"S1-1-1", "S1-1-2", "S1-3-1"});  // rows 1-2 P1, 3-4 P2
  ASSERT_EQ(h.outcome, Outcome::kOk);
  EXPECT_NE(h.hold, 0u);
  EXPECT_EQ(h.total_minor, 5000 + 5000 + 2500);
  EXPECT_EQ(h.expires_at_ms, clock_.now_ms() + kTtl);
  EXPECT_EQ(show_.seat_state(S("S1-1-1")), SeatState::kHeld);
  EXPECT_EQ(show_.owner_seats(kAlice), 3u);
  EXPECT_EQ(show_.version(), 1u);
  EXPECT_EQ(LastChange().reason, ChangeReason::kHeld);
  EXPECT_EQ(show_.changes().seats(LastChange()).size(), 3u);
  ExpectAudit();
}

TEST_F(ShowInventoryTest, HoldIsAllOrNothingAndNamesTheConflicts) {
  ASSERT_EQ(Hold(kAlice, {"S1-1-2"}).outcome, Outcome::kOk);
  const Version v = show_.version();
  HoldResult h = Hold(kBob, {"S1-1-1", "S1-1-2", "S1-1-3"});
  EXPECT_EQ(h.outcome, Outcome::kSeatUnavailable);
  EXPECT_EQ(h.conflicts, Seats({"S1-1-2"}));
  EXPECT_EQ(show_.seat_state(S("S1-1-1")), SeatState::kFree);
  EXPECT_EQ(show_.seat_state(S("S1-1-3")), SeatState::kFree);
  EXPECT_EQ(show_.version(), v);
  ExpectAudit();
}

TEST_F(ShowInventoryTest, SameOwnerSameSeatsGetsTheSameHold) {
  HoldResult a = Hold(kAlice, {"S1-2-1", "S1-2-2"});
  HoldResult b = Hold(kAlice, {"S1-2-2", "S1-2-1"});
  ASSERT_EQ(b.outcome, Outcome::kOk);
  EXPECT_TRUE(b.existing);
  EXPECT_EQ(a.hold, b.hold);
  EXPECT_EQ(a.token, b.token);
  EXPECT_EQ(show_.owner_seats(kAlice), 2u);
  // Another owner, or a different set of seats, conflicts.
  EXPECT_EQ(Hold(kBob, {"S1-2-1", "S1-2-2"}).outcome, Outcome::kSeatUnavailable);
  EXPECT_EQ(Hold(kAlice, {"S1-2-1"}).outcome, Outcome::kSeatUnavailable);
}

TEST_F(ShowInventoryTest, InvalidHoldRequestsChangeNothing) {
  EXPECT_EQ(show_.HoldSeats(kAlice, {}, kTtl, clock_.now_ms()).outcome, Outcome::kInvalidRequest);
  const std::vector<SeatIndex> dup = {S("S1-1-1"), S("S1-1-1")};
  EXPECT_EQ(show_.HoldSeats(kAlice, dup, kTtl, clock_.now_ms()).outcome, Outcome::kInvalidRequest);
  const std::vector<SeatIndex> outside = {map_->seat_count()};
  EXPECT_EQ(show_.HoldSeats(kAlice, outside, kTtl, clock_.now_ms()).outcome,
            Outcome::kInvalidRequest);
  EXPECT_EQ(
      Hold(kAlice, {"S1-1-1", "S1-1-2", "S1-1-3", "S1-1-4", "S1-1-5", "S1-1-6", "S1-1-7"}).outcome,
      Outcome::kInvalidRequest);  // over seats_per_hold_max
  EXPECT_EQ(show_.HoldSeats(kAlice, Seats({"S1-1-1"}), kHoldTtlMinMs - 1, clock_.now_ms()).outcome,
            Outcome::kInvalidRequest);
  EXPECT_EQ(show_.HoldSeats(kAlice, Seats({"S1-1-1"}), kHoldTtlMaxMs + 1, clock_.now_ms()).outcome,
            Outcome::kInvalidRequest);
  EXPECT_EQ(show_.version(), 0u);
  ExpectAudit();
}

TEST_F(ShowInventoryTest, OwnerLimitCountsHoldsAndBookings) {
  HoldResult a = Hold(kAlice, {"S1-1-1", "S1-1-2", "S1-1-3", "S1-1-4"});
  ASSERT_EQ(show_.Confirm(a.hold, a.token, clock_.now_ms()).outcome, Outcome::kOk);
  ASSERT_EQ(Hold(kAlice, {"S1-2-1", "S1-2-2", "S1-2-3", "S1-2-4"}).outcome, Outcome::kOk);
  EXPECT_EQ(Hold(kAlice, {"S1-3-1"}).outcome, Outcome::kOwnerLimitExceeded);
  EXPECT_EQ(show_.HoldGeneralAdmission(kAlice, *map_->FindSection("GA"), 1, kTtl, clock_.now_ms())
                .outcome,
            Outcome::kOwnerLimitExceeded);
  EXPECT_EQ(Hold(kBob, {"S1-3-1"}).outcome, Outcome::kOk);
  ExpectAudit();
}

TEST_F(ShowInventoryTest, ReleaseFreesSeatsOnlyWithTheRightToken) {
  HoldResult h = Hold(kAlice, {"S2-1-1", "S2-1-2"});
  Token wrong = h.token;
  wrong.bytes[0] ^= 1;
  EXPECT_EQ(show_.Release(h.hold, wrong, clock_.now_ms()), Outcome::kWrongToken);
  EXPECT_EQ(show_.seat_state(S("S2-1-1")), SeatState::kHeld);
  EXPECT_EQ(show_.Release(h.hold, h.token, clock_.now_ms()), Outcome::kOk);
  EXPECT_EQ(show_.seat_state(S("S2-1-1")), SeatState::kFree);
  EXPECT_EQ(LastChange().reason, ChangeReason::kReleased);
  EXPECT_EQ(show_.owner_seats(kAlice), 0u);
  EXPECT_EQ(show_.Release(h.hold, h.token, clock_.now_ms()), Outcome::kHoldReleased);
  EXPECT_EQ(show_.Release(h.hold + 1, h.token, clock_.now_ms()), Outcome::kHoldNotFound);
  ExpectAudit();
}

TEST_F(ShowInventoryTest, HoldExpiresExactlyAtItsDeadline) {
  HoldResult h = Hold(kAlice, {"S1-4-1"});
  HoldInfo info;
  clock_.Set(h.expires_at_ms - 1);
  EXPECT_EQ(show_.FindHold(h.hold, clock_.now_ms(), &info), Outcome::kOk);
  // One millisecond before the deadline another fan cannot have the seat...
  EXPECT_EQ(Hold(kBob, {"S1-4-1"}).outcome, Outcome::kSeatUnavailable);
  clock_.Set(h.expires_at_ms);
  // ...at the deadline the hold is gone even before any sweep, and the seat is free.
  EXPECT_EQ(show_.FindHold(h.hold, clock_.now_ms(), &info), Outcome::kHoldExpired);
  HoldResult b = Hold(kBob, {"S1-4-1"});
  EXPECT_EQ(b.outcome, Outcome::kOk);
  const auto& changes = show_.changes().changes();
  ASSERT_GE(changes.size(), 2u);
  EXPECT_EQ(changes[changes.size() - 2].reason, ChangeReason::kExpired);
  EXPECT_EQ(changes[changes.size() - 2].hold, h.hold);
  ExpectAudit();
}

TEST_F(ShowInventoryTest, SweepFreesSeatsAtTheDeadline) {
  HoldResult h = Hold(kAlice, {"S1-4-2", "S1-4-3"});
  show_.Advance(h.expires_at_ms - 1);
  EXPECT_EQ(show_.seat_state(S("S1-4-2")), SeatState::kHeld);
  show_.Advance(h.expires_at_ms);
  EXPECT_EQ(show_.seat_state(S("S1-4-2")), SeatState::kFree);
  EXPECT_EQ(show_.live_holds(), 0u);
  EXPECT_EQ(LastChange().reason, ChangeReason::kExpired);
  EXPECT_EQ(show_.owner_seats(kAlice), 0u);
  EXPECT_EQ(show_.Release(h.hold, h.token, clock_.now_ms()), Outcome::kHoldExpired);
  ExpectAudit();
}

TEST_F(ShowInventoryTest, ConfirmAfterExpiryIsRefusedEvenBeforeTheSweep) {
  HoldResult h = Hold(kAlice, {"S1-1-5"});
  const TimeMs late = h.expires_at_ms;
  EXPECT_EQ(show_.Confirm(h.hold, h.token, late).outcome, Outcome::kHoldExpired);
  EXPECT_EQ(show_.seat_state(S("S1-1-5")), SeatState::kFree);
  EXPECT_EQ(show_.booking_count(), 0u);
  EXPECT_EQ(show_.Confirm(h.hold, h.token, late + 1).outcome, Outcome::kHoldExpired);
  ExpectAudit();
}

TEST_F(ShowInventoryTest, ConfirmMakesABookingOnceAndRepeatsTell) {
  HoldResult h = Hold(kAlice, {"S1-1-5", "S1-1-6"});
  ConfirmResult c = show_.Confirm(h.hold, h.token, clock_.now_ms());
  ASSERT_EQ(c.outcome, Outcome::kOk);
  const std::optional<Booking> b = show_.FindBooking(c.booking);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->seats, Seats({"S1-1-5", "S1-1-6"}));
  EXPECT_EQ(b->total_minor, 10000);
  EXPECT_EQ(show_.seat_state(S("S1-1-5")), SeatState::kBooked);
  EXPECT_EQ(LastChange().reason, ChangeReason::kBooked);
  EXPECT_EQ(LastChange().booking, c.booking);
  EXPECT_EQ(show_.live_holds(), 0u);
  ConfirmResult again = show_.Confirm(h.hold, h.token, clock_.now_ms());
  EXPECT_EQ(again.outcome, Outcome::kHoldConfirmed);
  EXPECT_EQ(again.booking, c.booking);
  EXPECT_EQ(show_.booking_count(), 1u);
  Token wrong = h.token;
  wrong.bytes[15] ^= 0x80;
  EXPECT_EQ(show_.Confirm(h.hold, wrong, clock_.now_ms()).outcome, Outcome::kWrongToken);
  // A booked hold can no longer be released or extended.
  EXPECT_EQ(show_.Release(h.hold, h.token, clock_.now_ms()), Outcome::kHoldConfirmed);
  EXPECT_EQ(show_.Extend(h.hold, h.token, 1000, clock_.now_ms(), nullptr), Outcome::kHoldConfirmed);
  ExpectAudit();
}

TEST_F(ShowInventoryTest, ConfirmWithWrongTokenChangesNothing) {
  HoldResult h = Hold(kAlice, {"S1-2-5"});
  Token wrong{};
  EXPECT_EQ(show_.Confirm(h.hold, wrong, clock_.now_ms()).outcome, Outcome::kWrongToken);
  EXPECT_EQ(show_.seat_state(S("S1-2-5")), SeatState::kHeld);
  EXPECT_EQ(show_.booking_count(), 0u);
}

TEST_F(ShowInventoryTest, ExtendMovesTheDeadlineUpToTheLifetimeCap) {
  HoldResult h = Hold(kAlice, {"S2-2-2"});
  TimeMs expires = 0;
  ASSERT_EQ(show_.Extend(h.hold, h.token, 300'000, clock_.now_ms(), &expires), Outcome::kOk);
  EXPECT_EQ(expires, h.expires_at_ms + 300'000);
  // The cap is created_at + 1,200,000: the next extension is clamped to it.
  ASSERT_EQ(show_.Extend(h.hold, h.token, 600'000, clock_.now_ms(), &expires), Outcome::kOk);
  EXPECT_EQ(expires, clock_.now_ms() + 1'200'000);
  EXPECT_EQ(show_.Extend(h.hold, h.token, 1, clock_.now_ms(), &expires), Outcome::kExtensionLimit);
  EXPECT_EQ(show_.Extend(h.hold, h.token, 0, clock_.now_ms(), &expires), Outcome::kInvalidRequest);
  Token wrong{};
  EXPECT_EQ(show_.Extend(h.hold, wrong, 10, clock_.now_ms(), &expires), Outcome::kWrongToken);
  // The extended hold outlives its original deadline and expires at the new one.
  show_.Advance(h.expires_at_ms + 1'000);
  EXPECT_EQ(show_.seat_state(S("S2-2-2")), SeatState::kHeld);
  show_.Advance(expires);
  EXPECT_EQ(show_.seat_state(S("S2-2-2")), SeatState::kFree);
  ExpectAudit();
}

TEST_F(ShowInventoryTest, ExtendAfterExpiryIsRefused) {
  HoldResult h = Hold(kAlice, {"S2-2-3"});
  EXPECT_EQ(show_.Extend(h.hold, h.token, 1000, h.expires_at_ms, nullptr), Outcome::kHoldExpired);
}

TEST_F(ShowInventoryTest, CancelFreesTheSeatsOnce) {
  HoldResult h = Hold(kAlice, {"S2-3-1", "S2-3-2"});
  ConfirmResult c = show_.Confirm(h.hold, h.token, clock_.now_ms());
  ASSERT_EQ(c.outcome, Outcome::kOk);
  EXPECT_EQ(show_.Cancel(c.booking, clock_.now_ms()), Outcome::kOk);
  EXPECT_EQ(show_.seat_state(S("S2-3-1")), SeatState::kFree);
  EXPECT_TRUE(show_.FindBooking(c.booking)->cancelled);
  EXPECT_EQ(LastChange().reason, ChangeReason::kCancelled);
  EXPECT_EQ(show_.owner_seats(kAlice), 0u);
  EXPECT_EQ(show_.Cancel(c.booking, clock_.now_ms()), Outcome::kBookingCancelled);
  EXPECT_EQ(show_.Cancel(999, clock_.now_ms()), Outcome::kBookingNotFound);
  EXPECT_EQ(show_.Cancel(0, clock_.now_ms()), Outcome::kBookingNotFound);
  EXPECT_EQ(Hold(kBob, {"S2-3-1"}).outcome, Outcome::kOk);
  ExpectAudit();
}

TEST_F(ShowInventoryTest, GeneralAdmissionHoldsQuantitiesUpToCapacity) {
  const SectionIndex ga = *map_->FindSection("GA");
  HoldResult a = show_.HoldGeneralAdmission(kAlice, ga, 6, kTtl, clock_.now_ms());
  ASSERT_EQ(a.outcome, Outcome::kOk);
  EXPECT_EQ(a.total_minor, 6 * 2500);
  HoldResult b = show_.HoldGeneralAdmission(kBob, ga, 6, kTtl, clock_.now_ms());
  ASSERT_EQ(b.outcome, Outcome::kOk);
  ASSERT_EQ(show_.HoldGeneralAdmission(3, ga, 6, kTtl, clock_.now_ms()).outcome, Outcome::kOk);
  EXPECT_EQ(show_.section_counts(ga)[0], 2u);
  EXPECT_EQ(show_.HoldGeneralAdmission(4, ga, 3, kTtl, clock_.now_ms()).outcome,
            Outcome::kNotEnoughSeats);  // over capacity
  ASSERT_EQ(show_.Confirm(a.hold, a.token, clock_.now_ms()).outcome, Outcome::kOk);
  EXPECT_EQ(show_.section_counts(ga)[static_cast<int>(SeatState::kBooked)], 6u);
  ASSERT_EQ(show_.Release(b.hold, b.token, clock_.now_ms()), Outcome::kOk);
  EXPECT_EQ(show_.section_counts(ga)[0], 8u);
  EXPECT_EQ(show_.HoldGeneralAdmission(4, ga, 0, kTtl, clock_.now_ms()).outcome,
            Outcome::kInvalidRequest);
  EXPECT_EQ(show_.HoldGeneralAdmission(4, 0, 1, kTtl, clock_.now_ms()).outcome,
            Outcome::kInvalidRequest);  // a seated section is not a GA area
  ExpectAudit();
}

TEST_F(ShowInventoryTest, GeneralAdmissionHoldsExpireAndCancel) {
  const SectionIndex ga = *map_->FindSection("GA");
  HoldResult a = show_.HoldGeneralAdmission(kAlice, ga, 4, kTtl, clock_.now_ms());
  show_.Advance(a.expires_at_ms);
  EXPECT_EQ(show_.section_counts(ga)[0], 20u);
  HoldResult b = show_.HoldGeneralAdmission(kAlice, ga, 4, kTtl, clock_.now_ms() + kTtl + 1000);
  ConfirmResult c = show_.Confirm(b.hold, b.token, clock_.now_ms() + kTtl + 1000);
  ASSERT_EQ(c.outcome, Outcome::kOk);
  EXPECT_EQ(show_.Cancel(c.booking, clock_.now_ms() + kTtl + 2000), Outcome::kOk);
  EXPECT_EQ(show_.section_counts(ga)[0], 20u);
  ExpectAudit();
}

TEST_F(ShowInventoryTest, BlockAndUnblockSeats) {
  std::vector<SeatIndex> conflicts;
  ASSERT_EQ(Hold(kAlice, {"S1-1-1"}).outcome, Outcome::kOk);
  EXPECT_EQ(show_.Block(Seats({"S1-1-1", "S1-1-2"}), clock_.now_ms(), &conflicts),
            Outcome::kSeatUnavailable);
  EXPECT_EQ(conflicts, Seats({"S1-1-1"}));
  EXPECT_EQ(show_.seat_state(S("S1-1-2")), SeatState::kFree);
  ASSERT_EQ(show_.Block(Seats({"S1-1-2", "S1-1-3"}), clock_.now_ms(), nullptr), Outcome::kOk);
  EXPECT_EQ(Hold(kBob, {"S1-1-2"}).outcome, Outcome::kSeatUnavailable);
  EXPECT_EQ(show_.Unblock(Seats({"S1-1-3", "S1-1-4"}), clock_.now_ms()), Outcome::kSeatNotBlocked);
  EXPECT_EQ(show_.Unblock(Seats({"S1-1-2", "S1-1-3"}), clock_.now_ms()), Outcome::kOk);
  EXPECT_EQ(Hold(kBob, {"S1-1-2"}).outcome, Outcome::kOk);
  ExpectAudit();
}

TEST_F(ShowInventoryTest, TimeNeverRunsBackwards) {
  HoldResult h = Hold(kAlice, {"S1-3-3"});
  show_.Advance(h.expires_at_ms);
  // A call with an older clock reading sees the hold expired all the same.
  EXPECT_EQ(show_.Confirm(h.hold, h.token, clock_.now_ms()).outcome, Outcome::kHoldExpired);
}

TEST_F(ShowInventoryTest, VersionsIncreaseByOnePerChange) {
  HoldResult a = Hold(kAlice, {"S1-1-1"});
  HoldResult b = Hold(kBob, {"S1-1-2"});
  ASSERT_EQ(show_.Release(a.hold, a.token, clock_.now_ms()), Outcome::kOk);
  ASSERT_EQ(show_.Confirm(b.hold, b.token, clock_.now_ms()).outcome, Outcome::kOk);
  Version expect = 1;
  for (const Change& c : show_.changes().changes()) EXPECT_EQ(c.version, expect++);
  EXPECT_EQ(show_.version(), 4u);
  show_.changes().Clear();
  EXPECT_TRUE(show_.changes().empty());
  EXPECT_EQ(show_.version(), 4u);
}

TEST_F(ShowInventoryTest, ForgottenTombstonesReadAsNotFound) {
  HoldResult h = Hold(kAlice, {"S1-1-1"});
  ASSERT_EQ(show_.Release(h.hold, h.token, clock_.now_ms()), Outcome::kOk);
  show_.ForgetClosedHolds(clock_.now_ms() + 1);
  EXPECT_EQ(show_.Release(h.hold, h.token, clock_.now_ms()), Outcome::kHoldNotFound);
}

TEST_F(ShowInventoryTest, AReusedSlotDoesNotAnswerToAnOldId) {
  HoldResult a = Hold(kAlice, {"S1-1-1"});
  ASSERT_EQ(show_.Release(a.hold, a.token, clock_.now_ms()), Outcome::kOk);
  HoldResult b = Hold(kBob, {"S1-1-2"});
  EXPECT_NE(a.hold, b.hold);
  EXPECT_EQ(ShowInventory::SlotOfHold(a.hold), ShowInventory::SlotOfHold(b.hold));
  EXPECT_EQ(show_.Release(a.hold, b.token, clock_.now_ms()), Outcome::kWrongToken);
  EXPECT_EQ(show_.seat_state(S("S1-1-2")), SeatState::kHeld);
}

TEST_F(ShowInventoryTest, LiveStateStaysUnderThirtyTwoBytesPerSeat) {
  const auto stadium = std::make_shared<SeatMap>(testing::MustBuild(testing::Stadium70k()));
  ShowPolicy p;
  p.price_minor_by_category = {1, 1};
  ShowInventory big(1, stadium, p, tokens_);
  EXPECT_LE(big.LiveBytesPerSeat(), 32.0);
}

}  // namespace
}  // namespace boxoffice::core

namespace boxoffice::core {
namespace {

// Rebuilds `from` into a fresh inventory the way recovery does.
std::unique_ptr<ShowInventory> Rebuild(const ShowInventory& from, TokenSource& tokens) {
  auto to = std::make_unique<ShowInventory>(from.show(), std::make_shared<SeatMap>(from.map()),
                                            from.policy(), tokens);
  for (BookingId id = 1; id <= from.booking_count(); ++id) {
    Booking b = *from.FindBooking(id);
    EXPECT_TRUE(to->RestoreBooking(b).ok());
  }
  from.ForEachLiveHold([&](const HoldInfo& h) { EXPECT_TRUE(to->RestoreHold(h).ok()); });
  std::vector<SeatIndex> blocked;
  for (SeatIndex s = 0; s < from.map().seat_count(); ++s) {
    if (from.seat_state(s) == SeatState::kBlocked) blocked.push_back(s);
  }
  EXPECT_TRUE(to->RestoreBlocked(blocked).ok());
  EXPECT_TRUE(to->FinishRestore(from.version()).ok());
  return to;
}

TEST_F(ShowInventoryTest, RecoveryRebuildsTheSameStateAndNeverReusesHoldIds) {
  HoldResult a = Hold(kAlice, {"S1-1-1", "S1-1-2"});
  HoldResult b = Hold(kBob, {"S1-2-1"});
  ASSERT_EQ(show_.Confirm(b.hold, b.token, clock_.now_ms()).outcome, Outcome::kOk);
  HoldResult c = Hold(kBob, {"S1-3-1"});
  ASSERT_EQ(show_.Confirm(c.hold, c.token, clock_.now_ms()).outcome, Outcome::kOk);
  ASSERT_EQ(show_.Cancel(2, clock_.now_ms()), Outcome::kOk);
  ASSERT_EQ(show_.Block(Seats({"S2-4-9"}), clock_.now_ms(), nullptr), Outcome::kOk);
  HoldResult ga = show_.HoldGeneralAdmission(3, *map_->FindSection("GA"), 3, kTtl, clock_.now_ms());
  ASSERT_EQ(ga.outcome, Outcome::kOk);

  testing::SeededTokens other_tokens(99);
  auto rebuilt = Rebuild(show_, other_tokens);
  for (SeatIndex s = 0; s < map_->seat_count(); ++s) {
    ASSERT_EQ(rebuilt->seat_state(s), show_.seat_state(s)) << map_->label(s);
  }
  EXPECT_EQ(rebuilt->version(), show_.version());
  EXPECT_EQ(rebuilt->owner_seats(kAlice), 2u);
  EXPECT_TRUE(AuditShow(*rebuilt).ok()) << AuditShow(*rebuilt).Summary();
  // The restored hold works with its old token and keeps its deadline.
  HoldInfo info;
  ASSERT_EQ(rebuilt->FindHold(a.hold, clock_.now_ms(), &info), Outcome::kOk);
  EXPECT_EQ(info.expires_at_ms, a.expires_at_ms);
  EXPECT_EQ(rebuilt->Release(a.hold, a.token, clock_.now_ms()), Outcome::kOk);
  // New holds get ids that were never issued before.
  for (int i = 0; i < 5; ++i) {
    HoldResult n = rebuilt->HoldSeats(10 + i, Seats({"S2-1-1"}), kTtl, clock_.now_ms());
    ASSERT_EQ(n.outcome, Outcome::kOk);
    EXPECT_GT(n.hold >> 32, b.hold >> 32);
    EXPECT_NE(n.hold, a.hold);
    EXPECT_NE(n.hold, b.hold);
    EXPECT_NE(n.hold, c.hold);
    ASSERT_EQ(rebuilt->Release(n.hold, n.token, clock_.now_ms()), Outcome::kOk);
  }
  // Holds past their deadline at restart expire on the next call.
  rebuilt->Advance(ga.expires_at_ms);
  EXPECT_EQ(rebuilt->live_holds(), 0u);
}

// Closed holds read back from the journal answer late requests as before.
TEST_F(ShowInventoryTest, RestoredClosedHoldsTellWhatBecameOfThem) {
  HoldResult booked = Hold(kAlice, {"S1-1-1"});
  ASSERT_EQ(show_.Confirm(booked.hold, booked.token, clock_.now_ms()).outcome, Outcome::kOk);
  HoldResult released = Hold(kBob, {"S1-1-2"});
  testing::SeededTokens t(5);
  ShowInventory fresh(7, map_, Policy(), t);
  ASSERT_TRUE(fresh.RestoreBooking(*show_.FindBooking(1)).ok());
  const TimeMs at = clock_.now_ms();
  ASSERT_TRUE(
      fresh.RestoreClosedHold(booked.hold, kAlice, booked.token, Outcome::kHoldConfirmed, 1, at)
          .ok());
  ASSERT_TRUE(
      fresh.RestoreClosedHold(released.hold, kBob, released.token, Outcome::kHoldReleased, 0, at)
          .ok());
  ASSERT_TRUE(fresh.FinishRestore(show_.version()).ok());
  const ConfirmResult again = fresh.Confirm(booked.hold, booked.token, at);
  EXPECT_EQ(again.outcome, Outcome::kHoldConfirmed);
  EXPECT_EQ(again.booking, 1u);
  EXPECT_EQ(fresh.Release(released.hold, released.token, at), Outcome::kHoldReleased);
  EXPECT_EQ(fresh.Release(released.hold, booked.token, at), Outcome::kWrongToken);
  const auto closed = fresh.FindClosedHold(booked.hold);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->owner, kAlice);
  EXPECT_EQ(closed->closed_at_ms, at / 1000 * 1000);
  // What a damaged journal could say is refused.
  EXPECT_EQ(
      fresh.RestoreClosedHold(booked.hold, kAlice, booked.token, Outcome::kHoldConfirmed, 2, at)
          .code(),
      StatusCode::kCorruption);  // no booking 2
  EXPECT_EQ(fresh.RestoreClosedHold(booked.hold, kAlice, booked.token, Outcome::kWrongToken, 0, at)
                .code(),
            StatusCode::kCorruption);
  EXPECT_EQ(fresh.RestoreClosedHold(0, kAlice, booked.token, Outcome::kHoldExpired, 0, at).code(),
            StatusCode::kCorruption);
}

TEST_F(ShowInventoryTest, RecoveryRejectsAJournalThatDoubleBooks) {
  HoldResult a = Hold(kAlice, {"S1-1-1"});
  ASSERT_EQ(show_.Confirm(a.hold, a.token, clock_.now_ms()).outcome, Outcome::kOk);
  testing::SeededTokens t(5);
  ShowInventory fresh(7, map_, Policy(), t);
  Booking b = *show_.FindBooking(1);
  ASSERT_TRUE(fresh.RestoreBooking(b).ok());
  b.id = 2;
  EXPECT_EQ(fresh.RestoreBooking(b).code(), StatusCode::kCorruption);
  b.id = 7;
  EXPECT_EQ(fresh.RestoreBooking(b).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace boxoffice::core
