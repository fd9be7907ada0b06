#include "core/show_inventory.h"

#include <algorithm>

#include "core/limits.h"
#include "core/status.h"

namespace boxoffice::core {
namespace {

constexpr uint32_t kSlotBits = 32;
constexpr uint64_t kSlotMask = 0xffff'ffffULL;

uint32_t SequenceOf(HoldId id) { return static_cast<uint32_t>(id >> kSlotBits); }

bool HasDuplicates(std::span<const SeatIndex> seats) {
  for (size_t i = 0; i < seats.size(); ++i) {
    for (size_t j = i + 1; j < seats.size(); ++j) {
      if (seats[i] == seats[j]) return true;
    }
  }
  return false;
}

}  // namespace

ShowInventory::ShowInventory(ShowId show, std::shared_ptr<const SeatMap> map, ShowPolicy policy,
                             TokenSource& tokens)
    : show_(show), map_(std::move(map)), policy_(std::move(policy)), tokens_(tokens) {
  BOX_ASSERT(map_ != nullptr);
  BOX_ASSERT(policy_.price_minor_by_category.size() == map_->categories().size());
  BOX_ASSERT(policy_.seats_per_hold_max >= 1 && policy_.seats_per_hold_max <= kSeatsPerHoldMax);
  BOX_ASSERT(policy_.hold_lifetime_max_ms >= 0 &&
             policy_.hold_lifetime_max_ms <= kHoldLifetimeMaxMs);
  const uint32_t n = map_->seat_count();
  states_.assign(n, SeatState::kFree);
  refs_.assign(n, 0);
  next_.assign(n, kNoSeat);
  row_free_.resize(map_->rows().size());
  for (RowIndex r = 0; r < row_free_.size(); ++r) {
    row_free_[r] = static_cast<uint16_t>(map_->row(r).seat_count);
  }
  row_run_.assign(row_free_.size(), 0);
  row_run_stale_.assign(row_free_.size(), 1);
  section_counts_.assign(map_->sections().size(), StateCounts{});
  category_counts_.assign(map_->categories().size(), StateCounts{});
  for (const Seat& s : map_->seats()) {
    section_counts_[s.section][0]++;
    category_counts_[s.category][0]++;
  }
  for (SectionIndex a = 0; a < map_->sections().size(); ++a) {
    const Section& s = map_->section(a);
    if (!s.general_admission) continue;
    section_counts_[a][0] = s.capacity;
    category_counts_[s.ga_category][0] += s.capacity;
  }
}

// ---- Time and expiry ----------------------------------------------------------

TimeMs ShowInventory::Now(TimeMs now_ms) {
  now_ms_ = std::max(now_ms_, now_ms);
  Advance(now_ms_);
  return now_ms_;
}

void ShowInventory::Advance(TimeMs now_ms) {
  now_ms_ = std::max(now_ms_, now_ms);
  if (!expiry_.AnyDue(now_ms_)) return;  // the common case: one comparison
  due_.clear();
  expiry_.PopDue(now_ms_, due_);
  for (uint32_t slot : due_) {
    BOX_ASSERT(slots_[slot].live() && slots_[slot].expires_at_ms <= now_ms_);
    CloseHold(slot, Outcome::kHoldExpired, ChangeReason::kExpired, 0, now_ms_);
  }
}

// ---- Holds ----------------------------------------------------------------------

Outcome ShowInventory::CheckHoldRequest(OwnerId owner, uint32_t count, DurationMs ttl_ms) const {
  if (count == 0 || count > policy_.seats_per_hold_max) return Outcome::kInvalidRequest;
  if (owner == 0 || owner > kOwnerIdMax) return Outcome::kInvalidRequest;
  if (hold_sequence_ >= kHoldsPerShowMax) return Outcome::kInvalidRequest;  // ids exhausted
  if (ttl_ms < kHoldTtlMinMs || ttl_ms > kHoldTtlMaxMs) return Outcome::kInvalidRequest;
  if (owner_seats(owner) + count > policy_.seats_per_owner_max) return Outcome::kOwnerLimitExceeded;
  return Outcome::kOk;
}

std::optional<HoldResult> ShowInventory::ExistingHold(OwnerId owner,
                                                      std::span<const SeatIndex> seats) const {
  if (states_[seats[0]] != SeatState::kHeld) return std::nullopt;
  const uint32_t slot = refs_[seats[0]];
  const HoldSlot& h = slots_[slot];
  if (h.owner != owner || h.seat_count != seats.size()) return std::nullopt;
  for (SeatIndex s : seats) {
    if (states_[s] != SeatState::kHeld || refs_[s] != slot) return std::nullopt;
  }
  HoldResult r;
  r.hold = HoldIdOfSlot(slot);
  r.token = h.token;
  r.expires_at_ms = h.expires_at_ms;
  r.total_minor = PriceOfChain(h.first_seat, h.ga_area, h.ga_quantity);
  r.existing = true;
  return r;
}

HoldResult ShowInventory::HoldSeats(OwnerId owner, std::span<const SeatIndex> seats,
                                    DurationMs ttl_ms, TimeMs now_ms) {
  now_ms = Now(now_ms);
  HoldResult r;
  if (seats.empty() || seats.size() > policy_.seats_per_hold_max || HasDuplicates(seats)) {
    r.outcome = Outcome::kInvalidRequest;
    return r;
  }
  for (SeatIndex s : seats) {
    if (s >= states_.size()) {
      r.outcome = Outcome::kInvalidRequest;
      return r;
    }
  }
  if (std::optional<HoldResult> same = ExistingHold(owner, seats)) return *same;
  for (SeatIndex s : seats) {
    if (states_[s] != SeatState::kFree) r.conflicts.push_back(s);
  }
  if (!r.conflicts.empty()) {
    r.outcome = Outcome::kSeatUnavailable;
    return r;
  }
  r.outcome = CheckHoldRequest(owner, static_cast<uint32_t>(seats.size()), ttl_ms);
  if (r.outcome != Outcome::kOk) return r;
  return CreateHold(owner, seats, kNoArea, 0, ttl_ms, now_ms);
}

HoldResult ShowInventory::HoldBest(OwnerId owner, const BestAvailableRequest& req,
                                   DurationMs ttl_ms, TimeMs now_ms) {
  now_ms = Now(now_ms);
  HoldResult r;
  const bool bad_section = req.section && (*req.section >= map_->sections().size() ||
                                           map_->section(*req.section).general_admission);
  const bool bad_category = req.category && *req.category >= map_->categories().size();
  if (bad_section || bad_category) {
    r.outcome = Outcome::kInvalidRequest;
    return r;
  }
  r.outcome = CheckHoldRequest(owner, req.count, ttl_ms);
  if (r.outcome != Outcome::kOk) return r;
  if (!FindBestSeats(req, scratch_)) {
    r.outcome = Outcome::kNotEnoughSeats;
    return r;
  }
  return CreateHold(owner, scratch_, kNoArea, 0, ttl_ms, now_ms);
}

HoldResult ShowInventory::HoldGeneralAdmission(OwnerId owner, SectionIndex area, uint32_t quantity,
                                               DurationMs ttl_ms, TimeMs now_ms) {
  now_ms = Now(now_ms);
  HoldResult r;
  if (area >= map_->sections().size() || !map_->section(area).general_admission) {
    r.outcome = Outcome::kInvalidRequest;
    return r;
  }
  r.outcome = CheckHoldRequest(owner, quantity, ttl_ms);
  if (r.outcome != Outcome::kOk) return r;
  if (section_counts_[area][static_cast<int>(SeatState::kFree)] < quantity) {
    r.outcome = Outcome::kNotEnoughSeats;
    return r;
  }
  return CreateHold(owner, {}, area, quantity, ttl_ms, now_ms);
}

HoldResult ShowInventory::CreateHold(OwnerId owner, std::span<const SeatIndex> seats,
                                     SectionIndex ga_area, uint32_t ga_quantity, DurationMs ttl_ms,
                                     TimeMs now_ms) {
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  HoldSlot& h = slots_[slot];
  BOX_ASSERT(!h.live());
  h.sequence = ++hold_sequence_;
  h.owner = static_cast<uint32_t>(owner);
  h.token = tokens_.Next();
  h.expires_at_ms = now_ms + ttl_ms;
  h.age_at_expiry_ms = static_cast<uint32_t>(ttl_ms);
  h.ga_area = ga_area;
  h.ga_quantity = ga_quantity;
  h.seat_count = static_cast<uint16_t>(seats.size());
  h.first_seat = seats.empty() ? kNoSeat : seats[0];
  Link(seats);
  for (SeatIndex s : seats) SetSeat(s, SeatState::kHeld, slot);
  if (ga_area != kNoArea)
    MoveGeneralAdmission(ga_area, ga_quantity, SeatState::kFree, SeatState::kHeld);
  AddOwnerSeats(owner, static_cast<int64_t>(seats.size() + ga_quantity));
  expiry_.Insert(slot, h.expires_at_ms);
  const HoldId id = HoldIdOfSlot(slot);
  Emit(ChangeReason::kHeld, SeatState::kHeld, id, 0, seats, ga_area, ga_quantity, now_ms);
  HoldResult r;
  r.hold = id;
  r.token = h.token;
  r.expires_at_ms = h.expires_at_ms;
  r.total_minor = PriceOf(seats, ga_area, ga_quantity);
  return r;
}

void ShowInventory::CloseHold(uint32_t slot, Outcome why, ChangeReason reason, BookingId booking,
                              TimeMs now_ms) {
  HoldSlot& h = slots_[slot];
  BOX_ASSERT(h.live());
  const HoldId id = HoldIdOfSlot(slot);
  if (expiry_.Contains(slot)) expiry_.Remove(slot);  // Advance already took due ones out
  if (reason != ChangeReason::kBooked) {
    const std::vector<SeatIndex>& seats = Chain(h.first_seat);
    for (SeatIndex s : seats) SetSeat(s, SeatState::kFree, 0);
    if (h.ga_area != kNoArea) {
      MoveGeneralAdmission(h.ga_area, h.ga_quantity, SeatState::kHeld, SeatState::kFree);
    }
    AddOwnerSeats(h.owner, -static_cast<int64_t>(h.seat_count + h.ga_quantity));
    Emit(reason, SeatState::kFree, id, 0, seats, h.ga_area, h.ga_quantity, now_ms);
  }
  BOX_ASSERT(booking <= UINT32_MAX);
  closed_.Add(h.sequence, ClosedHolds::Entry{h.token, slot, h.owner, static_cast<uint32_t>(booking),
                                             static_cast<uint32_t>(now_ms / 1000), why});
  h.expires_at_ms = 0;
  h.first_seat = kNoSeat;
  free_slots_.push_back(slot);
}

Outcome ShowInventory::Release(HoldId hold, const Token& token, TimeMs now_ms) {
  now_ms = Now(now_ms);
  HoldSlot* h = LiveSlot(hold);
  if (h == nullptr) return WhyNotLive(hold, &token);
  if (!TokensEqualConstantTime(h->token, token)) return Outcome::kWrongToken;
  const uint32_t slot = SlotOfHold(hold);
  CloseHold(slot, Outcome::kHoldReleased, ChangeReason::kReleased, 0, now_ms);
  return Outcome::kOk;
}

Outcome ShowInventory::Extend(HoldId hold, const Token& token, DurationMs by_ms, TimeMs now_ms,
                              TimeMs* new_expires_at_ms) {
  now_ms = Now(now_ms);
  HoldSlot* h = LiveSlot(hold);
  if (h == nullptr) return WhyNotLive(hold, &token);
  if (!TokensEqualConstantTime(h->token, token)) return Outcome::kWrongToken;
  const uint32_t slot = SlotOfHold(hold);
  if (by_ms <= 0 || by_ms > kHoldTtlMaxMs) return Outcome::kInvalidRequest;
  const TimeMs cap = h->created_at_ms() + policy_.hold_lifetime_max_ms;
  const TimeMs target = std::min(h->expires_at_ms + by_ms, cap);
  if (target <= h->expires_at_ms) return Outcome::kExtensionLimit;
  h->age_at_expiry_ms += static_cast<uint32_t>(target - h->expires_at_ms);
  h->expires_at_ms = target;
  expiry_.Reschedule(slot, target);
  if (new_expires_at_ms != nullptr) *new_expires_at_ms = target;
  return Outcome::kOk;
}

ConfirmResult ShowInventory::Confirm(HoldId hold, const Token& token, TimeMs now_ms) {
  now_ms = Now(now_ms);
  ConfirmResult r;
  HoldSlot* h = LiveSlot(hold);
  if (h == nullptr) {
    r.outcome = WhyNotLive(hold, &token);
    if (r.outcome == Outcome::kHoldConfirmed) r.booking = FindClosed(hold)->booking;
    return r;
  }
  if (!TokensEqualConstantTime(h->token, token)) {
    r.outcome = Outcome::kWrongToken;
    return r;
  }
  BookingSlot& b = bookings_.emplace_back();
  const BookingId id = bookings_.size();
  b.hold = hold;
  b.owner = h->owner;
  b.booked_at_ms = now_ms;
  b.total_minor = PriceOfChain(h->first_seat, h->ga_area, h->ga_quantity);
  b.first_seat = h->first_seat;
  b.seat_count = h->seat_count;
  b.ga_area = h->ga_area;
  b.ga_quantity = h->ga_quantity;
  const auto booking_index = static_cast<uint32_t>(id - 1);
  const std::vector<SeatIndex>& seats = Chain(b.first_seat);
  for (SeatIndex s : seats) SetSeat(s, SeatState::kBooked, booking_index);
  if (b.ga_area != kNoArea) {
    MoveGeneralAdmission(b.ga_area, b.ga_quantity, SeatState::kHeld, SeatState::kBooked);
  }
  Emit(ChangeReason::kBooked, SeatState::kBooked, hold, id, seats, b.ga_area, b.ga_quantity,
       now_ms);
  CloseHold(SlotOfHold(hold), Outcome::kHoldConfirmed, ChangeReason::kBooked, id, now_ms);
  r.booking = id;
  return r;
}

// ---- Bookings and blocked seats -------------------------------------------------

Outcome ShowInventory::Cancel(BookingId booking, TimeMs now_ms) {
  now_ms = Now(now_ms);
  if (booking == 0 || booking > bookings_.size()) return Outcome::kBookingNotFound;
  BookingSlot& b = bookings_[booking - 1];
  if (b.cancelled_at_ms != 0) return Outcome::kBookingCancelled;
  b.cancelled_at_ms = now_ms;
  const std::vector<SeatIndex>& seats = Chain(b.first_seat);
  b.first_seat = kNoSeat;
  for (SeatIndex s : seats) SetSeat(s, SeatState::kFree, 0);
  if (b.ga_area != kNoArea) {
    MoveGeneralAdmission(b.ga_area, b.ga_quantity, SeatState::kBooked, SeatState::kFree);
  }
  AddOwnerSeats(b.owner, -static_cast<int64_t>(b.seat_count + b.ga_quantity));
  Emit(ChangeReason::kCancelled, SeatState::kFree, b.hold, booking, seats, b.ga_area, b.ga_quantity,
       now_ms);
  return Outcome::kOk;
}

Outcome ShowInventory::Block(std::span<const SeatIndex> seats, TimeMs now_ms,
                             std::vector<SeatIndex>* conflicts) {
  now_ms = Now(now_ms);
  if (seats.empty() || HasDuplicates(seats)) return Outcome::kInvalidRequest;
  bool taken = false;
  for (SeatIndex s : seats) {
    if (s >= states_.size()) return Outcome::kInvalidRequest;
    if (states_[s] != SeatState::kFree) {
      taken = true;
      if (conflicts != nullptr) conflicts->push_back(s);
    }
  }
  if (taken) return Outcome::kSeatUnavailable;
  for (SeatIndex s : seats) SetSeat(s, SeatState::kBlocked, 0);
  Emit(ChangeReason::kBlocked, SeatState::kBlocked, 0, 0, seats, kNoArea, 0, now_ms);
  return Outcome::kOk;
}

Outcome ShowInventory::Unblock(std::span<const SeatIndex> seats, TimeMs now_ms) {
  now_ms = Now(now_ms);
  if (seats.empty() || HasDuplicates(seats)) return Outcome::kInvalidRequest;
  for (SeatIndex s : seats) {
    if (s >= states_.size()) return Outcome::kInvalidRequest;
    if (states_[s] != SeatState::kBlocked) return Outcome::kSeatNotBlocked;
  }
  for (SeatIndex s : seats) SetSeat(s, SeatState::kFree, 0);
  Emit(ChangeReason::kUnblocked, SeatState::kFree, 0, 0, seats, kNoArea, 0, now_ms);
  return Outcome::kOk;
}

// ---- Recovery ----------------------------------------------------------------------

namespace {
Status Corrupt(std::string what) { return Status::Corruption("restore: " + std::move(what)); }
}  // namespace

Status ShowInventory::RestoreBooking(const Booking& b) {
  if (b.id != bookings_.size() + 1)
    return Corrupt("booking " + std::to_string(b.id) + " out of order");
  if (b.owner == 0 || b.owner > kOwnerIdMax) return Corrupt("booking " + std::to_string(b.id));
  const bool active = !b.cancelled;
  for (SeatIndex s : b.seats) {
    if (s >= states_.size()) return Corrupt("booking names seat index " + std::to_string(s));
    if (active && states_[s] != SeatState::kFree)
      return Corrupt("seat " + map_->label(s) + " booked twice");
  }
  if (b.ga_area != kNoArea) {
    if (b.ga_area >= map_->sections().size() || !map_->section(b.ga_area).general_admission) {
      return Corrupt("booking names a GA area that is not one");
    }
    if (active && section_counts_[b.ga_area][0] < b.ga_quantity)
      return Corrupt("GA area over capacity");
  }
  BookingSlot& slot = bookings_.emplace_back();
  slot.hold = b.hold;
  slot.owner = b.owner;
  slot.booked_at_ms = b.booked_at_ms;
  slot.cancelled_at_ms = b.cancelled ? std::max<TimeMs>(1, b.cancelled_at_ms) : 0;
  slot.total_minor = b.total_minor;
  slot.seat_count = static_cast<uint16_t>(b.seats.size());
  slot.ga_area = b.ga_area;
  slot.ga_quantity = b.ga_quantity;
  if (!active) return Status::Ok();
  slot.first_seat = b.seats.empty() ? kNoSeat : b.seats[0];
  Link(b.seats);
  const auto index = static_cast<uint32_t>(b.id - 1);
  for (SeatIndex s : b.seats) SetSeat(s, SeatState::kBooked, index);
  if (b.ga_area != kNoArea)
    MoveGeneralAdmission(b.ga_area, b.ga_quantity, SeatState::kFree, SeatState::kBooked);
  AddOwnerSeats(b.owner, static_cast<int64_t>(b.seats.size() + b.ga_quantity));
  return Status::Ok();
}

Status ShowInventory::RestoreHold(const HoldInfo& h) {
  const uint32_t slot = SlotOfHold(h.id);
  const uint32_t sequence = SequenceOf(h.id);
  if (sequence == 0 || sequence > kHoldsPerShowMax || slot > kSeatsPerVenueMax * 4)
    return Corrupt("hold id " + std::to_string(h.id));
  const TimeMs age_at_expiry_ms = h.expires_at_ms - h.created_at_ms;
  if (h.seats.size() > kSeatsPerHoldMax || h.expires_at_ms <= 0 || age_at_expiry_ms < 0 ||
      age_at_expiry_ms > std::max(kHoldLifetimeMaxMs, kHoldTtlMaxMs) || h.owner == 0 ||
      h.owner > kOwnerIdMax)
    return Corrupt("hold " + std::to_string(h.id));
  while (slots_.size() <= slot) slots_.emplace_back();
  if (slots_[slot].live()) return Corrupt("two live holds in slot " + std::to_string(slot));
  for (SeatIndex s : h.seats) {
    if (s >= states_.size() || states_[s] != SeatState::kFree)
      return Corrupt("hold " + std::to_string(h.id) + " names a taken seat");
  }
  if (h.ga_area != kNoArea) {
    if (h.ga_area >= map_->sections().size() || !map_->section(h.ga_area).general_admission ||
        section_counts_[h.ga_area][0] < h.ga_quantity) {
      return Corrupt("hold " + std::to_string(h.id) + " GA places");
    }
  }
  HoldSlot& hs = slots_[slot];
  hs.sequence = sequence;
  hold_sequence_ = std::max(hold_sequence_, sequence);
  hs.owner = static_cast<uint32_t>(h.owner);
  hs.token = h.token;
  hs.expires_at_ms = h.expires_at_ms;
  hs.age_at_expiry_ms = static_cast<uint32_t>(age_at_expiry_ms);
  hs.ga_area = h.ga_area;
  hs.ga_quantity = h.ga_quantity;
  hs.seat_count = static_cast<uint16_t>(h.seats.size());
  hs.first_seat = h.seats.empty() ? kNoSeat : h.seats[0];
  Link(h.seats);
  for (SeatIndex s : h.seats) SetSeat(s, SeatState::kHeld, slot);
  if (h.ga_area != kNoArea)
    MoveGeneralAdmission(h.ga_area, h.ga_quantity, SeatState::kFree, SeatState::kHeld);
  AddOwnerSeats(h.owner, static_cast<int64_t>(h.seats.size() + h.ga_quantity));
  expiry_.Insert(slot, h.expires_at_ms);
  return Status::Ok();
}

Status ShowInventory::RestoreClosedHold(HoldId hold, OwnerId owner, const Token& token, Outcome why,
                                        BookingId booking, TimeMs closed_at_ms) {
  const uint32_t sequence = SequenceOf(hold);
  const bool confirmed = why == Outcome::kHoldConfirmed;
  if (sequence == 0 || sequence > kHoldsPerShowMax || owner == 0 || owner > kOwnerIdMax ||
      closed_at_ms < 0 || closed_at_ms / 1000 > UINT32_MAX ||
      (why != Outcome::kHoldExpired && why != Outcome::kHoldReleased && !confirmed) ||
      confirmed != (booking != 0) || booking > bookings_.size()) {
    return Corrupt("closed hold " + std::to_string(hold));
  }
  if (const HoldSlot* live = LiveSlot(hold); live != nullptr)
    return Corrupt("hold " + std::to_string(hold) + " is both live and closed");
  closed_.Add(sequence, ClosedHolds::Entry{token, SlotOfHold(hold), static_cast<uint32_t>(owner),
                                           static_cast<uint32_t>(booking),
                                           static_cast<uint32_t>(closed_at_ms / 1000), why});
  hold_sequence_ = std::max(hold_sequence_, sequence);
  return Status::Ok();
}

Status ShowInventory::RestoreBlocked(std::span<const SeatIndex> seats) {
  for (SeatIndex s : seats) {
    if (s >= states_.size() || states_[s] != SeatState::kFree)
      return Corrupt("blocked seat is taken");
    SetSeat(s, SeatState::kBlocked, 0);
  }
  return Status::Ok();
}

Status ShowInventory::FinishRestore(Version version) {
  if (version > UINT32_MAX) return Corrupt("version beyond the hold id space");
  version_ = version;
  // The version counted every hold ever made, so sequences above it are new.
  hold_sequence_ = std::max(hold_sequence_, static_cast<uint32_t>(version));
  free_slots_.clear();
  for (uint32_t slot = static_cast<uint32_t>(slots_.size()); slot-- > 0;) {
    if (!slots_[slot].live()) free_slots_.push_back(slot);
  }
  return Status::Ok();
}

// ---- Reading ----------------------------------------------------------------------

uint32_t ShowInventory::SlotOfHold(HoldId id) { return static_cast<uint32_t>(id & kSlotMask); }

HoldId ShowInventory::HoldIdOfSlot(uint32_t slot) const {
  return (uint64_t{slots_[slot].sequence} << kSlotBits) | slot;
}

const ShowInventory::HoldSlot* ShowInventory::LiveSlot(HoldId id) const {
  const uint32_t slot = SlotOfHold(id);
  if (slot >= slots_.size()) return nullptr;
  const HoldSlot& h = slots_[slot];
  if (!h.live() || h.sequence != SequenceOf(id)) return nullptr;
  return &h;
}

ShowInventory::HoldSlot* ShowInventory::LiveSlot(HoldId id) {
  return const_cast<HoldSlot*>(static_cast<const ShowInventory*>(this)->LiveSlot(id));
}

const ClosedHolds::Entry* ShowInventory::FindClosed(HoldId id) const {
  return closed_.Find(SequenceOf(id), SlotOfHold(id));
}

Outcome ShowInventory::WhyNotLive(HoldId id, const Token* token) const {
  const ClosedHolds::Entry* closed = FindClosed(id);
  if (closed == nullptr) return Outcome::kHoldNotFound;
  if (token != nullptr && !TokensEqualConstantTime(closed->token, *token)) {
    return Outcome::kWrongToken;
  }
  return closed->why;
}

Outcome ShowInventory::FindHold(HoldId hold, TimeMs now_ms, HoldInfo* info) const {
  const HoldSlot* h = LiveSlot(hold);
  if (h == nullptr) return WhyNotLive(hold, nullptr);
  if (h->expires_at_ms <= std::max(now_ms, now_ms_)) return Outcome::kHoldExpired;
  if (info != nullptr) *info = InfoOf(SlotOfHold(hold));
  return Outcome::kOk;
}

HoldInfo ShowInventory::InfoOf(uint32_t slot) const {
  const HoldSlot& h = slots_[slot];
  HoldInfo info{HoldIdOfSlot(slot),
                h.owner,
                h.token,
                h.created_at_ms(),
                h.expires_at_ms,
                PriceOfChain(h.first_seat, h.ga_area, h.ga_quantity),
                {},
                h.ga_area,
                h.ga_quantity};
  for (SeatIndex s = h.first_seat; s != kNoSeat; s = next_[s]) info.seats.push_back(s);
  return info;
}

std::optional<ShowInventory::ClosedHoldInfo> ShowInventory::FindClosedHold(HoldId hold) const {
  const ClosedHolds::Entry* c = FindClosed(hold);
  if (c == nullptr) return std::nullopt;
  return ClosedHoldInfo{c->why, c->owner, c->booking, TimeMs{c->closed_at_s} * 1000};
}

std::optional<Booking> ShowInventory::FindBooking(BookingId booking) const {
  if (booking == 0 || booking > bookings_.size()) return std::nullopt;
  const BookingSlot& b = bookings_[booking - 1];
  Booking out{booking,      b.hold,    b.owner,       b.booked_at_ms,         b.total_minor,    {},
              b.seat_count, b.ga_area, b.ga_quantity, b.cancelled_at_ms != 0, b.cancelled_at_ms};
  for (SeatIndex s = b.first_seat; s != kNoSeat; s = next_[s]) out.seats.push_back(s);
  return out;
}

void ShowInventory::ForEachLiveHold(const std::function<void(const HoldInfo&)>& fn) const {
  for (uint32_t slot = 0; slot < slots_.size(); ++slot) {
    if (slots_[slot].live()) fn(InfoOf(slot));
  }
}

uint32_t ShowInventory::owner_seats(OwnerId owner) const {
  if (owner == 0 || owner > kOwnerIdMax) return 0;
  const uint32_t* n = owner_seats_.Find(static_cast<uint32_t>(owner));
  return n == nullptr ? 0 : *n;
}

void ShowInventory::ForgetClosedHolds(TimeMs before_ms) { closed_.Forget(before_ms); }

size_t ShowInventory::LiveBytes() const {
  // A deque allocates fixed-size blocks; count whole blocks.
  const auto deque_bytes = [](size_t n, size_t elem) {
    constexpr size_t kBlockBytes = 512;
    const size_t per_block = std::max<size_t>(1, kBlockBytes / elem);
    return (n + per_block - 1) / per_block * kBlockBytes;
  };
  return states_.capacity() * sizeof(SeatState) + refs_.capacity() * sizeof(uint32_t) +
         next_.capacity() * sizeof(SeatIndex) + row_free_.capacity() * sizeof(uint16_t) +
         row_run_.capacity() * sizeof(uint16_t) + row_run_stale_.capacity() +
         (section_counts_.capacity() + category_counts_.capacity()) * sizeof(StateCounts) +
         deque_bytes(slots_.size(), sizeof(HoldSlot)) + free_slots_.capacity() * sizeof(uint32_t) +
         deque_bytes(bookings_.size(), sizeof(BookingSlot)) + expiry_.bytes() +
         owner_seats_.bytes();
}

double ShowInventory::LiveBytesPerSeat() const {
  return static_cast<double>(LiveBytes()) / std::max<uint32_t>(1, map_->seat_count());
}

// ---- State changes -----------------------------------------------------------------

void ShowInventory::SetSeat(SeatIndex i, SeatState to, uint32_t ref) {
  const SeatState from = states_[i];
  BOX_ASSERT(from != to);
  const Seat& seat = map_->seat(i);
  section_counts_[seat.section][static_cast<int>(from)]--;
  section_counts_[seat.section][static_cast<int>(to)]++;
  category_counts_[seat.category][static_cast<int>(from)]--;
  category_counts_[seat.category][static_cast<int>(to)]++;
  if (from == SeatState::kFree) row_free_[seat.row]--;
  if (to == SeatState::kFree) row_free_[seat.row]++;
  if (from == SeatState::kFree || to == SeatState::kFree) row_run_stale_[seat.row] = 1;
  states_[i] = to;
  refs_[i] = ref;
}

void ShowInventory::MoveGeneralAdmission(SectionIndex area, uint32_t quantity, SeatState from,
                                         SeatState to) {
  StateCounts& s = section_counts_[area];
  StateCounts& c = category_counts_[map_->section(area).ga_category];
  BOX_ASSERT(s[static_cast<int>(from)] >= quantity);
  s[static_cast<int>(from)] -= quantity;
  s[static_cast<int>(to)] += quantity;
  c[static_cast<int>(from)] -= quantity;
  c[static_cast<int>(to)] += quantity;
}

void ShowInventory::Emit(ChangeReason reason, SeatState state, HoldId hold, BookingId booking,
                         std::span<const SeatIndex> seats, SectionIndex ga_area,
                         uint32_t ga_quantity, TimeMs now_ms) {
  ++version_;
  changes_.Append(
      Change{show_, version_, now_ms, reason, state, hold, booking, ga_area, ga_quantity, 0, 0},
      seats);
}

void ShowInventory::AddOwnerSeats(OwnerId owner, int64_t delta) {
  BOX_ASSERT(owner != 0 && owner <= kOwnerIdMax);
  uint32_t& n = owner_seats_[static_cast<uint32_t>(owner)];
  BOX_ASSERT(static_cast<int64_t>(n) + delta >= 0);
  n = static_cast<uint32_t>(static_cast<int64_t>(n) + delta);
  if (n == 0) owner_seats_.Erase(static_cast<uint32_t>(owner));
}

bool ShowInventory::FindBestSeats(const BestAvailableRequest& req, std::vector<SeatIndex>& out) {
  return FindBestAvailable(*map_, states_, row_free_, RowRuns{row_run_, row_run_stale_}, req, out);
}

void ShowInventory::Link(std::span<const SeatIndex> seats) {
  for (size_t i = 0; i < seats.size(); ++i) {
    next_[seats[i]] = i + 1 < seats.size() ? seats[i + 1] : kNoSeat;
  }
}

const std::vector<SeatIndex>& ShowInventory::Chain(SeatIndex first) {
  chain_.clear();
  for (SeatIndex s = first; s != kNoSeat; s = next_[s]) chain_.push_back(s);
  return chain_;
}

int64_t ShowInventory::PriceOfChain(SeatIndex first, SectionIndex ga_area,
                                    uint32_t ga_quantity) const {
  int64_t total = 0;
  for (SeatIndex s = first; s != kNoSeat; s = next_[s]) {
    total += policy_.price_minor_by_category[map_->seat(s).category];
  }
  return total + PriceOf({}, ga_area, ga_quantity);
}

int64_t ShowInventory::PriceOf(std::span<const SeatIndex> seats, SectionIndex ga_area,
                               uint32_t ga_quantity) const {
  int64_t total = 0;
  for (SeatIndex s : seats) total += policy_.price_minor_by_category[map_->seat(s).category];
  if (ga_area != kNoArea) {
    total += ga_quantity * policy_.price_minor_by_category[map_->section(ga_area).ga_category];
  }
  return total;
}

}  // namespace boxoffice::core
