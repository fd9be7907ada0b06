// ShowInventory: the live state of one show's seats and GA places — holds,
// bookings, blocked seats, counts, expiry and the change stream.
//
// Thread-safety: none. One writer at a time per show (service/ serialises
// access per show); const methods may run concurrently only with each other.
//
// Time: every call takes `now_ms`. Time never runs backwards inside an
// inventory: an earlier `now_ms` than already seen is treated as the latest.
// Every mutating call first expires the holds that fell due (Advance), so a
// hold is gone exactly at its `expires_at_ms`: never usable at or after it,
// whether or not a sweep ran in between. Reads check the deadline themselves.
//
// Invariants (checked in full by core/audit.h):
//  - a seat is held by exactly one live hold, booked by exactly one active
//    booking, blocked, or free; its `ref` names that hold slot or booking;
//  - section, category and per-row counts equal a recount of the seat states;
//  - the version increases by one with every Change appended;
//  - an owner's seat count equals its live held plus booked seats and places.
//
// Ids: a HoldId is (sequence << 32 | slot). The slot finds a live hold
// without hashing; the sequence numbers the show's holds in the order they
// were made, so a stale id never matches a reused slot, and closed holds leave
// a tombstone indexed by it so a late call learns why the hold is gone.
//
// Memory: the seats of a live hold or an active booking are a chain through
// the per-seat `next_` array (a seat is in at most one), so hold and booking
// records are small and fixed-size; see LiveBytes().
#pragma once

#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/best_available.h"
#include "core/change.h"
#include "core/closed_holds.h"
#include "core/expiry_queue.h"
#include "core/flat_map.h"
#include "core/seat_map.h"
#include "core/types.h"

namespace boxoffice::core {

struct ShowPolicy {
  std::vector<int64_t> price_minor_by_category;  // indexed by CategoryIndex
  uint32_t seats_per_hold_max = 10;
  uint32_t seats_per_owner_max = 10;            // live holds plus bookings
  DurationMs hold_lifetime_max_ms = 1'800'000;  // extensions stop here
};

struct HoldResult {
  Outcome outcome = Outcome::kOk;
  HoldId hold = 0;
  Token token;
  TimeMs expires_at_ms = 0;
  int64_t total_minor = 0;
  bool existing = false;             // the owner's live hold of the same seats
  std::vector<SeatIndex> conflicts;  // kSeatUnavailable: the seats that are taken
};

struct ConfirmResult {
  Outcome outcome = Outcome::kOk;
  BookingId booking = 0;  // also set with kHoldConfirmed
};

// A copy of a live hold.
struct HoldInfo {
  HoldId id = 0;
  OwnerId owner = 0;
  Token token;
  TimeMs created_at_ms = 0;
  TimeMs expires_at_ms = 0;
  int64_t total_minor = 0;
  std::vector<SeatIndex> seats;  // in the order they were asked for
  SectionIndex ga_area = kNoArea;
  uint32_t ga_quantity = 0;
};

// A copy of a booking. A cancelled booking no longer lists its seats (they may
// belong to someone else now); seat_count says how many it had.
struct Booking {
  BookingId id = 0;
  HoldId hold = 0;
  OwnerId owner = 0;
  TimeMs booked_at_ms = 0;
  int64_t total_minor = 0;
  std::vector<SeatIndex> seats;
  uint32_t seat_count = 0;
  SectionIndex ga_area = kNoArea;
  uint32_t ga_quantity = 0;
  bool cancelled = false;
  TimeMs cancelled_at_ms = 0;
};

// Per-state counts: index with SeatState.
using StateCounts = std::array<uint32_t, kSeatStateCount>;

class ShowInventory {
 public:
  ShowInventory(ShowId show, std::shared_ptr<const SeatMap> map, ShowPolicy policy,
                TokenSource& tokens);

  // ---- Holds ----
  HoldResult HoldSeats(OwnerId owner, std::span<const SeatIndex> seats, DurationMs ttl_ms,
                       TimeMs now_ms);
  HoldResult HoldBest(OwnerId owner, const BestAvailableRequest& req, DurationMs ttl_ms,
                      TimeMs now_ms);
  HoldResult HoldGeneralAdmission(OwnerId owner, SectionIndex area, uint32_t quantity,
                                  DurationMs ttl_ms, TimeMs now_ms);
  Outcome Release(HoldId hold, const Token& token, TimeMs now_ms);
  // Moves expires_at later by `by_ms`, capped at created_at + hold_lifetime_max_ms.
  Outcome Extend(HoldId hold, const Token& token, DurationMs by_ms, TimeMs now_ms,
                 TimeMs* new_expires_at_ms);
  ConfirmResult Confirm(HoldId hold, const Token& token, TimeMs now_ms);

  // ---- Bookings and seats ----
  Outcome Cancel(BookingId booking, TimeMs now_ms);
  Outcome Block(std::span<const SeatIndex> seats, TimeMs now_ms, std::vector<SeatIndex>* conflicts);
  Outcome Unblock(std::span<const SeatIndex> seats, TimeMs now_ms);

  // Expires every hold whose deadline is <= now_ms. Mutating calls do this first.
  void Advance(TimeMs now_ms);

  // ---- Recovery: rebuilding a show from its journal ----
  // Call on a fresh inventory, bookings in id order (ids 1..n without gaps,
  // cancelled ones included), then holds and blocked seats in any order, then
  // FinishRestore. They append no Changes. Operational errors (the journal
  // names a taken seat, an id out of order) come back as kCorruption.
  Status RestoreBooking(const Booking& booking);
  Status RestoreHold(const HoldInfo& hold);
  Status RestoreBlocked(std::span<const SeatIndex> seats);
  // A hold that closed before the restart (why: kHoldExpired, kHoldReleased or
  // kHoldConfirmed with its booking, restored first), so late requests learn
  // what became of it as they did before.
  Status RestoreClosedHold(HoldId hold, OwnerId owner, const Token& token, Outcome why,
                           BookingId booking, TimeMs closed_at_ms);
  // Sets the version and makes every future hold id larger than any issued
  // before (generations start above the version, which counted every hold).
  // Holds already past their deadline at `now_ms` expire in the next call.
  Status FinishRestore(Version version);

  // ---- Reading ----
  // kOk and fills `info` for a live hold; otherwise why it is not live
  // (kHoldNotFound, kHoldExpired, kHoldReleased, kHoldConfirmed).
  Outcome FindHold(HoldId hold, TimeMs now_ms, HoldInfo* info) const;
  // Why a hold that is no longer live closed, whose it was, and its booking.
  struct ClosedHoldInfo {
    Outcome why;
    OwnerId owner;
    BookingId booking;
    TimeMs closed_at_ms;  // to the second
  };
  std::optional<ClosedHoldInfo> FindClosedHold(HoldId hold) const;
  std::optional<Booking> FindBooking(BookingId booking) const;
  BookingId booking_count() const { return bookings_.size(); }  // ids are 1..count
  void ForEachLiveHold(const std::function<void(const HoldInfo&)>& fn) const;

  ShowId show() const { return show_; }
  Version version() const { return version_; }
  const SeatMap& map() const { return *map_; }
  const ShowPolicy& policy() const { return policy_; }
  std::span<const SeatState> seat_states() const { return states_; }
  SeatState seat_state(SeatIndex i) const { return states_[i]; }
  // The hold slot (held) or booking index (booked) that owns seat `i`.
  uint32_t seat_ref(SeatIndex i) const { return refs_[i]; }
  std::span<const uint16_t> row_free() const { return row_free_; }
  // Best-available search over the current state (refreshes the row-run cache).
  bool FindBestSeats(const BestAvailableRequest& req, std::vector<SeatIndex>& out);
  // The cached longest free run of a row, if not stale (for the auditor).
  std::optional<uint16_t> cached_row_run(RowIndex r) const {
    return row_run_stale_[r] ? std::nullopt : std::optional<uint16_t>(row_run_[r]);
  }
  const StateCounts& section_counts(SectionIndex s) const { return section_counts_[s]; }
  const StateCounts& category_counts(CategoryIndex c) const { return category_counts_[c]; }
  uint32_t owner_seats(OwnerId owner) const;
  size_t live_holds() const { return expiry_.size(); }
  HoldId HoldIdOfSlot(uint32_t slot) const;
  static uint32_t SlotOfHold(HoldId id);

  // Changes since the last Clear(); the owner drains them.
  ChangeLog& changes() { return changes_; }
  const ChangeLog& changes() const { return changes_; }

  // Forgets tombstones of holds closed before `before_ms` (they then read as not found).
  void ForgetClosedHolds(TimeMs before_ms);

  // Bytes of live state: per-seat arrays, hold and booking records, the expiry
  // queue and owner counts (allocated, not just used); and that per seat.
  // Tombstones of closed holds are history, not live state: ClosedHoldBytes().
  size_t LiveBytes() const;
  double LiveBytesPerSeat() const;
  size_t ClosedHoldBytes() const { return closed_.bytes(); }

 private:
  friend class InventoryCorrupter;  // audit_test.cc breaks invariants on purpose

  struct HoldSlot {  // 48 bytes
    Token token;
    TimeMs expires_at_ms = 0;        // 0: the slot is free
    uint32_t owner = 0;              // an OwnerId, at most kOwnerIdMax
    uint32_t sequence = 0;           // the hold's number in the show: its id's high half
    uint32_t age_at_expiry_ms = 0;   // expires_at_ms - created_at: at most kHoldLifetimeMaxMs
    SeatIndex first_seat = kNoSeat;  // chain through next_
    uint32_t ga_quantity = 0;
    uint16_t seat_count = 0;
    SectionIndex ga_area = kNoArea;
    bool live() const { return expires_at_ms != 0; }
    TimeMs created_at_ms() const { return expires_at_ms - age_at_expiry_ms; }
  };
  static_assert(sizeof(HoldSlot) == 48);
  struct BookingSlot {  // 56 bytes
    HoldId hold = 0;
    OwnerId owner = 0;
    TimeMs booked_at_ms = 0;
    TimeMs cancelled_at_ms = 0;  // 0: active
    int64_t total_minor = 0;
    SeatIndex first_seat = kNoSeat;  // chain through next_ while active
    uint32_t ga_quantity = 0;
    uint16_t seat_count = 0;
    SectionIndex ga_area = kNoArea;
  };

  TimeMs Now(TimeMs now_ms);
  HoldSlot* LiveSlot(HoldId id);
  const HoldSlot* LiveSlot(HoldId id) const;
  Outcome WhyNotLive(HoldId id, const Token* token) const;
  const ClosedHolds::Entry* FindClosed(HoldId id) const;
  Outcome CheckHoldRequest(OwnerId owner, uint32_t count, DurationMs ttl_ms) const;
  HoldResult CreateHold(OwnerId owner, std::span<const SeatIndex> seats, SectionIndex ga_area,
                        uint32_t ga_quantity, DurationMs ttl_ms, TimeMs now_ms);
  std::optional<HoldResult> ExistingHold(OwnerId owner, std::span<const SeatIndex> seats) const;
  void CloseHold(uint32_t slot, Outcome why, ChangeReason reason, BookingId booking, TimeMs now_ms);
  void SetSeat(SeatIndex i, SeatState to, uint32_t ref);
  void MoveGeneralAdmission(SectionIndex area, uint32_t quantity, SeatState from, SeatState to);
  void Emit(ChangeReason reason, SeatState state, HoldId hold, BookingId booking,
            std::span<const SeatIndex> seats, SectionIndex ga_area, uint32_t ga_quantity,
            TimeMs now_ms);
  void Link(std::span<const SeatIndex> seats);
  const std::vector<SeatIndex>& Chain(SeatIndex first);  // into chain_, reused
  void AddOwnerSeats(OwnerId owner, int64_t delta);
  int64_t PriceOf(std::span<const SeatIndex> seats, SectionIndex ga_area,
                  uint32_t ga_quantity) const;
  HoldInfo InfoOf(uint32_t slot) const;
  int64_t PriceOfChain(SeatIndex first, SectionIndex ga_area, uint32_t ga_quantity) const;

  ShowId show_;
  std::shared_ptr<const SeatMap> map_;
  ShowPolicy policy_;
  TokenSource& tokens_;

  std::vector<SeatState> states_;   // per seat
  std::vector<uint32_t> refs_;      // per seat: hold slot or booking index
  std::vector<SeatIndex> next_;     // per seat: next seat of the same hold/booking
  std::vector<uint16_t> row_free_;  // per row
  std::vector<uint16_t> row_run_;   // per row: longest adjacent free run (see RowRuns)
  std::vector<uint8_t> row_run_stale_;
  std::vector<StateCounts> section_counts_;
  std::vector<StateCounts> category_counts_;

  std::deque<HoldSlot> slots_;  // a deque: no doubling slack
  std::vector<uint32_t> free_slots_;
  uint32_t hold_sequence_ = 0;  // the last hold's sequence
  ClosedHolds closed_;
  std::deque<BookingSlot> bookings_;         // booking id = index + 1
  FlatMap<uint32_t, uint32_t> owner_seats_;  // live held + booked seats and places
  ExpiryQueue expiry_;
  std::vector<uint32_t> due_;       // scratch for Advance
  std::vector<SeatIndex> scratch_;  // scratch for best-available
  std::vector<SeatIndex> chain_;    // scratch for Chain()

  ChangeLog changes_;
  Version version_ = 0;
  TimeMs now_ms_ = 0;
};

}  // namespace boxoffice::core
