#include "core/waiting_room.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/status.h"

namespace boxoffice::core {
namespace {

constexpr int64_t kCreditPerFan = 60'000;  // credit_ grows by the rate per ms

// xoshiro256** (Blackman and Vigna), the lottery's random numbers.
class Xoshiro256 {
 public:
  explicit Xoshiro256(const LotterySeed& seed) {
    for (int w = 0; w < 4; ++w) {
      uint64_t v = 0;
      for (int b = 7; b >= 0; --b) v = (v << 8) | seed[static_cast<size_t>(w * 8 + b)];
      s_[w] = v;
    }
    if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, bound), bound >= 1, by rejecting the top partial range.
  uint64_t Below(uint64_t bound) {
    const uint64_t limit = UINT64_MAX - (UINT64_MAX % bound + 1) % bound;
    uint64_t r;
    do r = Next();
    while (r > limit);
    return r % bound;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace

std::vector<uint32_t> LotteryOrder(const LotterySeed& seed, uint32_t n) {
  std::vector<uint32_t> order(n);
  for (uint32_t i = 0; i < n; ++i) order[i] = i + 1;
  Xoshiro256 rng(seed);
  for (uint32_t i = n; i-- > 1;) std::swap(order[i], order[rng.Below(uint64_t{i} + 1)]);
  return order;
}

WaitingRoom::WaitingRoom(WaitingRoomPolicy policy, const LotterySeed& seed)
    : policy_(policy), seed_(seed) {
  BOX_ASSERT(policy_.prequeue_opens_at_ms <= policy_.onsale_at_ms);
  BOX_ASSERT(policy_.admissions_per_minute > 0 && policy_.active_sessions_max > 0);
  BOX_ASSERT(policy_.session_ms > 0);
}

uint32_t WaitingRoom::SequenceOf(uint32_t entry) const {
  if (entry > prequeue_size_) return entry;
  return drawn_ ? prequeue_sequence_[entry - 1] : 0;
}

uint32_t WaitingRoom::EntryAt(uint32_t sequence) const {
  return sequence <= prequeue_size_ ? order_[sequence - 1] : sequence;
}

uint32_t WaitingRoom::LineEnd() const { return drawn_ ? fans() : 0; }

JoinOutcome WaitingRoom::Join(uint32_t owner, TimeMs now_ms, Place* place) {
  BOX_ASSERT(owner != 0);
  Advance(now_ms);
  JoinOutcome outcome = JoinOutcome::kAlreadyJoined;
  uint32_t* entry = entry_of_owner_.Find(owner);
  if (entry == nullptr) {
    if (now_ms_ < policy_.prequeue_opens_at_ms) return JoinOutcome::kNotOpen;
    if (fans() == UINT32_MAX - 1) return JoinOutcome::kFull;
    entry_owner_.push_back(owner);
    state_.push_back(SessionState::kWaiting);
    const auto e = static_cast<uint32_t>(entry_owner_.size());
    entry_of_owner_[owner] = e;
    if (!drawn_) prequeue_size_ = e;
    outcome = JoinOutcome::kJoined;
    if (drawn_ && !policy_.queue_everyone) Advance(now_ms_);  // straight through if there is room
  }
  if (place != nullptr) *place = *Find(owner);
  return outcome;
}

std::optional<Place> WaitingRoom::Find(uint32_t owner) const {
  if (owner == 0) return std::nullopt;
  const uint32_t* entry = entry_of_owner_.Find(owner);
  if (entry == nullptr) return std::nullopt;
  return Place{*entry, SequenceOf(*entry), *entry <= prequeue_size_, state_[*entry - 1]};
}

void WaitingRoom::Draw() {
  order_ = LotteryOrder(seed_, prequeue_size_);
  prequeue_sequence_.assign(prequeue_size_, 0);
  for (uint32_t k = 0; k < prequeue_size_; ++k) prequeue_sequence_[order_[k] - 1] = k + 1;
  drawn_ = true;
}

bool WaitingRoom::AdmissionBlocked() const {
  return nothing_left_ || now_serving_ >= served_through_ ||
         active_ + admitted_waiting_ >= policy_.active_sessions_max;
}

void WaitingRoom::Advance(TimeMs now_ms) {
  now_ms = std::max(now_ms, now_ms_);
  if (!drawn_ && now_ms >= policy_.onsale_at_ms) Draw();
  if (drawn_) {
    EndSessionsDue(now_ms);
    LapseAdmissions(now_ms);
    const TimeMs from = std::max(now_ms_, policy_.onsale_at_ms);
    if (now_ms > from && !AdmissionBlocked()) {
      credit_ += (now_ms - from) * int64_t{policy_.admissions_per_minute};
    }
    // Nobody to admit: bank at most one second's worth of admissions.
    const int64_t bank_max = std::max<int64_t>(kCreditPerFan, policy_.admissions_per_minute * 1000);
    uint32_t due =
        policy_.queue_everyone
            ? static_cast<uint32_t>(std::min<int64_t>(credit_ / kCreditPerFan, UINT32_MAX))
            : UINT32_MAX;
    due = std::min(due, LineEnd() - now_serving_);
    if (served_through_ != UINT32_MAX && !nothing_left_) {
      due = std::min(due, served_through_ > now_serving_ ? served_through_ - now_serving_ : 0);
    }
    if (nothing_left_) due = 0;
    const uint32_t room = policy_.active_sessions_max -
                          std::min(policy_.active_sessions_max, active_ + admitted_waiting_);
    due = std::min(due, room);
    Admit(due, now_ms);
    credit_ = std::min(credit_ - int64_t{due} * kCreditPerFan, bank_max);
    if (AdmissionBlocked()) credit_ = std::min<int64_t>(credit_, 0);
  }
  now_ms_ = now_ms;
}

void WaitingRoom::Admit(uint32_t count, TimeMs now_ms) {
  if (count == 0) return;
  const uint32_t first = now_serving_;
  now_serving_ += count;
  uint32_t waiting = 0;
  for (uint32_t s = first + 1; s <= now_serving_; ++s) {
    if (state_[EntryAt(s) - 1] == SessionState::kWaiting) ++waiting;
  }
  admitted_waiting_ += waiting;
  batches_.push_back(Batch{first, now_serving_, now_ms});
}

void WaitingRoom::LapseAdmissions(TimeMs now_ms) {
  while (!batches_.empty() && batches_.front().at_ms + policy_.session_ms <= now_ms) {
    const Batch b = batches_.front();
    batches_.pop_front();
    for (uint32_t s = b.first + 1; s <= b.last; ++s) {
      SessionState& st = state_[EntryAt(s) - 1];
      if (st == SessionState::kWaiting) {
        st = SessionState::kDone;
        --admitted_waiting_;
        lapsed_.push_back(EntryAt(s));
      }
    }
  }
}

void WaitingRoom::EndSessionsDue(TimeMs now_ms) {
  while (!sessions_.empty() && sessions_.front().ends_ms <= now_ms) {
    const uint32_t entry = sessions_.front().entry;
    sessions_.pop_front();
    SessionState& st = state_[entry - 1];
    if (st != SessionState::kShopping) continue;  // ended early
    st = SessionState::kDone;
    session_end_.Erase(entry);
    --active_;
  }
}

SessionOutcome WaitingRoom::StartSession(uint32_t owner, TimeMs now_ms, TimeMs* expires_at_ms) {
  Advance(now_ms);
  const std::optional<Place> p = Find(owner);
  if (!p) return SessionOutcome::kNotInLine;
  switch (p->session) {
    case SessionState::kShopping:
      if (expires_at_ms != nullptr) *expires_at_ms = *session_end_.Find(p->entry);
      return SessionOutcome::kAlreadyShopping;
    case SessionState::kDone:
      return SessionOutcome::kOver;
    case SessionState::kWaiting:
      break;
  }
  if (p->sequence == 0 || p->sequence > now_serving_) return SessionOutcome::kNotAdmitted;
  state_[p->entry - 1] = SessionState::kShopping;
  --admitted_waiting_;
  ++active_;
  const TimeMs ends = now_ms_ + policy_.session_ms;
  sessions_.push_back(Session{p->entry, ends});
  session_end_[p->entry] = ends;
  if (expires_at_ms != nullptr) *expires_at_ms = ends;
  return SessionOutcome::kStarted;
}

bool WaitingRoom::Shopping(uint32_t owner, TimeMs now_ms) const {
  const std::optional<Place> p = Find(owner);
  if (!p || p->session != SessionState::kShopping) return false;
  return std::max(now_ms, now_ms_) < *session_end_.Find(p->entry);
}

void WaitingRoom::EndSession(uint32_t owner, TimeMs now_ms) {
  Advance(now_ms);
  const std::optional<Place> p = Find(owner);
  if (!p || p->session != SessionState::kShopping) return;
  state_[p->entry - 1] = SessionState::kDone;
  session_end_.Erase(p->entry);
  --active_;
  Advance(now_ms_);  // the freed slot may let the next fan in at once
}

void WaitingRoom::SetPlacesLeft(uint64_t places_left, double mean_basket) {
  nothing_left_ = places_left == 0;
  const double basket = std::max(1.0, std::isfinite(mean_basket) ? mean_basket : 1.0);
  // Rounded up: while any place is left one more fan may use it, so the line
  // never stalls on a remainder smaller than a typical order.
  const auto fans_servable =
      static_cast<uint64_t>(std::ceil(static_cast<double>(places_left) / basket));
  // Fans admitted (shopping or about to) come first; the rest of what is
  // left goes to the next ones in line.
  const uint64_t ahead = active_ + admitted_waiting_;
  const uint64_t beyond = fans_servable > ahead ? fans_servable - ahead : 0;
  served_through_ =
      static_cast<uint32_t>(std::min<uint64_t>(now_serving_ + beyond, UINT32_MAX - 1));
}

RoomPhase WaitingRoom::phase(TimeMs now_ms) const {
  now_ms = std::max(now_ms, now_ms_);
  if (now_ms < policy_.prequeue_opens_at_ms) return RoomPhase::kNotOpen;
  if (!drawn_ && now_ms < policy_.onsale_at_ms) return RoomPhase::kPrequeue;
  if (nothing_left_) return RoomPhase::kSoldOut;
  if (now_serving_ >= served_through_ && served_through_ < LineEnd()) return RoomPhase::kSpokenFor;
  if (active_ + admitted_waiting_ >= policy_.active_sessions_max) return RoomPhase::kPaused;
  return RoomPhase::kAdmitting;
}

size_t WaitingRoom::bytes() const {
  return entry_of_owner_.bytes() + entry_owner_.capacity() * sizeof(uint32_t) +
         state_.capacity() * sizeof(SessionState) + order_.capacity() * sizeof(uint32_t) +
         prequeue_sequence_.capacity() * sizeof(uint32_t) + session_end_.bytes() +
         sessions_.size() * sizeof(Session) + batches_.size() * sizeof(Batch) +
         lapsed_.capacity() * sizeof(uint32_t);
}

WaitingRoom::Snapshot WaitingRoom::TakeSnapshot() const {
  Snapshot s;
  s.owners_by_entry = entry_owner_;
  s.state_by_entry = state_;
  for (uint32_t e = 1; e <= fans(); ++e) {
    if (state_[e - 1] == SessionState::kShopping)
      s.session_ends_ms.push_back(*session_end_.Find(e));
  }
  s.order = order_;
  s.now_serving = now_serving_;
  s.drawn = drawn_;
  s.last_advance_ms = now_ms_;
  return s;
}

StatusOr<WaitingRoom> WaitingRoom::Restore(WaitingRoomPolicy policy, const LotterySeed& seed,
                                           const Snapshot& s) {
  WaitingRoom room(policy, seed);
  const auto corrupt = [](const char* what) {
    return Status::Corruption(std::string("waiting room: ") + what);
  };
  if (s.owners_by_entry.size() != s.state_by_entry.size() ||
      s.owners_by_entry.size() >= UINT32_MAX || s.order.size() > s.owners_by_entry.size()) {
    return corrupt("sizes disagree");
  }
  room.entry_owner_ = s.owners_by_entry;
  room.state_ = s.state_by_entry;
  for (uint32_t e = 1; e <= room.fans(); ++e) {
    const uint32_t owner = room.entry_owner_[e - 1];
    if (owner == 0 || room.entry_of_owner_.Find(owner) != nullptr) return corrupt("owner twice");
    room.entry_of_owner_[owner] = e;
  }
  room.now_ms_ = s.last_advance_ms;
  if (s.drawn) {
    room.prequeue_size_ = static_cast<uint32_t>(s.order.size());
    room.Draw();
    if (room.order_ != s.order) return corrupt("the seed does not give the stored order");
  } else {
    room.prequeue_size_ = room.fans();
  }
  room.now_serving_ = std::min(s.now_serving, room.LineEnd());
  size_t k = 0;
  for (uint32_t e = 1; e <= room.fans(); ++e) {
    if (room.state_[e - 1] != SessionState::kShopping) continue;
    if (k >= s.session_ends_ms.size()) return corrupt("a session without its end");
    room.session_end_[e] = s.session_ends_ms[k];
    room.sessions_.push_back(Session{e, s.session_ends_ms[k++]});
    ++room.active_;
  }
  std::sort(room.sessions_.begin(), room.sessions_.end(),
            [](const Session& a, const Session& b) { return a.ends_ms < b.ends_ms; });
  // Fans admitted but not shopping yet get a fresh window from the restore.
  for (uint32_t q = 1; q <= room.now_serving_; ++q) {
    if (room.state_[room.EntryAt(q) - 1] == SessionState::kWaiting) ++room.admitted_waiting_;
  }
  if (room.now_serving_ > 0) room.batches_.push_back(Batch{0, room.now_serving_, room.now_ms_});
  if (k != s.session_ends_ms.size()) return corrupt("session ends without sessions");
  return room;
}

}  // namespace boxoffice::core
