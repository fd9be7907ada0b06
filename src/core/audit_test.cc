#include "core/audit.h"

#include <gtest/gtest.h>

#include "testing/seeded_tokens.h"
#include "testing/venues.h"

namespace boxoffice::core {

// Breaks an inventory's invariants on purpose, to prove the auditor notices.
class InventoryCorrupter {
 public:
  static void SetState(ShowInventory& s, SeatIndex i, SeatState st) { s.states_[i] = st; }
  static void SetRef(ShowInventory& s, SeatIndex i, uint32_t ref) { s.refs_[i] = ref; }
  static void BumpRowFree(ShowInventory& s, RowIndex r) { s.row_free_[r]++; }
  static void BumpSectionFree(ShowInventory& s, SectionIndex a) { s.section_counts_[a][0]++; }
  static void AddSeatToBooking(ShowInventory& s, BookingId b, SeatIndex i) {
    auto& booking = s.bookings_[b - 1];
    s.next_[i] = booking.first_seat;
    booking.first_seat = i;
    booking.seat_count++;
  }
  static void SetOwnerSeats(ShowInventory& s, OwnerId o, uint32_t n) {
    s.owner_seats_[static_cast<uint32_t>(o)] = n;
  }
  static void SetVersion(ShowInventory& s, Version v) { s.version_ = v; }
  static void SetRowRun(ShowInventory& s, RowIndex r, uint16_t run) {
    s.row_run_[r] = run;
    s.row_run_stale_[r] = 0;
  }
};

namespace {

constexpr TimeMs kNow = 1'800'000'000'000;

class AuditTest : public ::testing::Test {
 protected:
  AuditTest()
      : map_(std::make_shared<SeatMap>(testing::MustBuild(testing::GridVenue(1, 2, 6, 10)))),
        show_(1, map_, Policy(), tokens_) {
    const std::vector<SeatIndex> a = {0, 1};
    held_ = show_.HoldSeats(1, a, 60'000, kNow);
    const std::vector<SeatIndex> b = {2, 3};
    HoldResult h = show_.HoldSeats(2, b, 60'000, kNow);
    booking_ = show_.Confirm(h.hold, h.token, kNow).booking;
    ga_ = show_.HoldGeneralAdmission(3, *map_->FindSection("GA"), 2, 60'000, kNow);
  }
  static ShowPolicy Policy() {
    ShowPolicy p;
    p.price_minor_by_category = {10, 5};
    return p;
  }
  std::string Audit() { return AuditShow(show_).Summary(); }

  testing::SeededTokens tokens_;
  std::shared_ptr<SeatMap> map_;
  ShowInventory show_;
  HoldResult held_;
  HoldResult ga_;
  BookingId booking_ = 0;
};

TEST_F(AuditTest, AConsistentShowPasses) { EXPECT_EQ(Audit(), "PASS"); }

TEST_F(AuditTest, DetectsAHeldSeatWithoutAHold) {
  InventoryCorrupter::SetState(show_, 5, SeatState::kHeld);
  EXPECT_NE(Audit().find("seat S1-1-6 is held but no live hold or booking has it"),
            std::string::npos)
      << Audit();
}

TEST_F(AuditTest, DetectsASeatInAHoldAndABooking) {
  InventoryCorrupter::AddSeatToBooking(show_, booking_, 0);  // seat 0 is also held
  EXPECT_NE(Audit().find("seat S1-1-1 is in two live holds/bookings"), std::string::npos)
      << Audit();
}

TEST_F(AuditTest, DetectsAFreeSeatThatABookingClaims) {
  InventoryCorrupter::SetState(show_, 2, SeatState::kFree);
  EXPECT_NE(Audit().find("seat S1-1-3 is free but a live hold or booking has it"),
            std::string::npos)
      << Audit();
}

TEST_F(AuditTest, DetectsAWrongReference) {
  InventoryCorrupter::SetRef(show_, 0, 12345);
  EXPECT_NE(Audit().find("points at the wrong hold or booking"), std::string::npos) << Audit();
}

TEST_F(AuditTest, DetectsCountsThatDriftedFromARecount) {
  InventoryCorrupter::BumpRowFree(show_, 1);
  InventoryCorrupter::BumpSectionFree(show_, *map_->FindSection("GA"));
  const std::string a = Audit();
  EXPECT_NE(a.find("row 1 free count differs"), std::string::npos) << a;
  EXPECT_NE(a.find("section GA counts differ"), std::string::npos) << a;
}

TEST_F(AuditTest, DetectsAStaleLongestRunCache) {
  InventoryCorrupter::SetRowRun(show_, 1, 1);  // row 2 is all free: its longest run is 3
  EXPECT_NE(Audit().find("row 1 longest free run differs"), std::string::npos) << Audit();
}

TEST_F(AuditTest, DetectsAWrongOwnerCount) {
  InventoryCorrupter::SetOwnerSeats(show_, 1, 7);
  EXPECT_NE(Audit().find("owner 1 seat count differs"), std::string::npos) << Audit();
}

TEST_F(AuditTest, DetectsAVersionGoingDown) {
  Auditor auditor;
  ASSERT_TRUE(auditor.Check(show_).ok());
  show_.changes().Clear();
  InventoryCorrupter::SetVersion(show_, 1);
  const AuditReport r = auditor.Check(show_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.Summary().find("version went down"), std::string::npos) << r.Summary();
}

TEST_F(AuditTest, DetectsChangesOutOfStepWithTheVersion) {
  InventoryCorrupter::SetVersion(show_, 99);
  EXPECT_NE(Audit().find("the last change is not the show's version"), std::string::npos)
      << Audit();
}

}  // namespace
}  // namespace boxoffice::core
