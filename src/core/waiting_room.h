// WaitingRoom: one show's line of fans in front of the booking path.
//
// Fans join (one place per fan); those who join before the on-sale time wait
// in a pre-queue and are put in random order at the on-sale time (a lottery),
// later arrivals take the next places in arrival order. `now_serving` moves
// forward at the admission rate; a fan whose sequence is at or below it is
// admitted and may start one shopping session of a fixed length within that
// length of being admitted (else the admission lapses). Admitted fans plus
// fans shopping never exceed the maximum: admission pauses there, and while
// the show has nothing left for the fans waiting, and resumes when sessions
// end or seats come back.
//
// The lottery is verifiable: the order is LotteryOrder(seed, n), a pure
// function anyone can recompute once the seed is published (the service
// commits to a hash of the seed when the pre-queue opens).
//
// Time: every call takes `now_ms`; time never runs backwards inside a room.
// Memory: about 30 bytes per fan (owner map slot, arrival record, state,
// lottery position); see bytes().
//
// Thread-safety: none; one writer at a time (the service serialises).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

#include "core/flat_map.h"
#include "core/status.h"
#include "core/types.h"

namespace boxoffice::core {

using LotterySeed = std::array<uint8_t, 32>;

// The order of a pre-queue of `n` fans: element k is the arrival number
// (1-based) of the fan placed at sequence k + 1. Fisher–Yates from the last
// position down; the random numbers are xoshiro256** seeded with the seed's
// four little-endian 64-bit words (an all-zero seed is replaced by the word
// 1 in the first position), and the swap index for position i (0-based) is
// an unbiased draw in [0, i] (rejection of the top partial range of 2^64).
std::vector<uint32_t> LotteryOrder(const LotterySeed& seed, uint32_t n);

struct WaitingRoomPolicy {
  TimeMs prequeue_opens_at_ms = 0;  // joins before this are refused
  TimeMs onsale_at_ms = 0;          // the lottery is drawn and admission starts
  uint32_t admissions_per_minute = 600;
  uint32_t active_sessions_max = 1'000;
  DurationMs session_ms = 600'000;  // a shopping session's length
  // false: once on sale, fans go straight through while shoppers are under
  // the maximum, and only wait (in arrival order) when the booking path is
  // at capacity; the admission rate then does not apply. The pre-queue and
  // its lottery work the same either way.
  bool queue_everyone = true;
};

enum class RoomPhase : uint8_t {
  kNotOpen = 0,  // before the pre-queue opens
  kPrequeue,     // fans join in random order, drawn at the on-sale time
  kAdmitting,    // now_serving moves forward
  kPaused,       // active sessions at the maximum
  kSoldOut,      // nothing left: every seat is booked (or blocked)
  // Seats are left, but no more than the fans admitted ahead will take (at
  // the observed seats per order): admission waits until sessions end or
  // seats come back (holds expire, bookings are cancelled), and fans placed
  // beyond served_through() are told they will probably get nothing.
  kSpokenFor,
};

enum class SessionState : uint8_t { kWaiting = 0, kShopping, kDone };

struct Place {
  uint32_t entry = 0;     // arrival number, from 1
  uint32_t sequence = 0;  // place in line, from 1; 0 while the pre-queue is not drawn
  bool prequeue = false;
  SessionState session = SessionState::kWaiting;
};

enum class JoinOutcome : uint8_t { kJoined = 0, kAlreadyJoined, kNotOpen, kFull };
enum class SessionOutcome : uint8_t {
  kStarted = 0,
  kAlreadyShopping,  // the same session again (its expiry is returned)
  kNotInLine,
  kNotAdmitted,  // sequence above now_serving, or the lottery not drawn yet
  kOver,         // the session ended, or the admission lapsed; one session per place
};

class WaitingRoom {
 public:
  WaitingRoom(WaitingRoomPolicy policy, const LotterySeed& seed);

  // A place in line for `owner` (never 0). kAlreadyJoined returns the same place.
  JoinOutcome Join(uint32_t owner, TimeMs now_ms, Place* place);
  std::optional<Place> Find(uint32_t owner) const;

  // Draws the lottery at the on-sale time, moves now_serving at the rate and
  // ends sessions that ran out. Every other mutating call does this first.
  void Advance(TimeMs now_ms);

  // Starts the admitted fan's shopping session; `expires_at_ms` is its end.
  SessionOutcome StartSession(uint32_t owner, TimeMs now_ms, TimeMs* expires_at_ms);
  // True while the fan's session runs (before its end, not ended early).
  bool Shopping(uint32_t owner, TimeMs now_ms) const;
  // Ends the fan's session early (a booking completed); frees its slot.
  void EndSession(uint32_t owner, TimeMs now_ms);
  // The entries whose admission lapsed unused since the last call, in the
  // order they lapsed (the service journals them, so that a restart does not
  // open their window again).
  std::vector<uint32_t> TakeLapsed() { return std::exchange(lapsed_, {}); }

  // What is left to sell, and the mean seats per order seen so far: fans
  // beyond what that can serve are told the show is sold out to them, and
  // admission stops at zero places left.
  void SetPlacesLeft(uint64_t places_left, double mean_basket);

  RoomPhase phase(TimeMs now_ms) const;
  uint32_t now_serving() const { return now_serving_; }
  // The last sequence the places left can still serve (UINT32_MAX: no limit known).
  uint32_t served_through() const { return served_through_; }
  uint32_t fans() const { return static_cast<uint32_t>(entry_owner_.size()); }
  uint32_t prequeue_fans() const { return prequeue_size_; }
  bool drawn() const { return drawn_; }
  uint32_t active_sessions() const { return active_; }
  uint32_t admitted_waiting() const { return admitted_waiting_; }
  const WaitingRoomPolicy& policy() const { return policy_; }
  const LotterySeed& seed() const { return seed_; }
  size_t bytes() const;

  // ---- Recovery: the service rebuilds a room from its store ----
  struct Snapshot {
    std::vector<uint32_t> owners_by_entry;  // arrival order
    std::vector<SessionState> state_by_entry;
    std::vector<TimeMs> session_ends_ms;  // per entry in kShopping, in entry order
    std::vector<uint32_t> order;          // the drawn pre-queue order, if drawn
    uint32_t now_serving = 0;
    bool drawn = false;
    TimeMs last_advance_ms = 0;
  };
  Snapshot TakeSnapshot() const;
  // kCorruption when the snapshot does not make sense (or the seed does not
  // reproduce the drawn order).
  static StatusOr<WaitingRoom> Restore(WaitingRoomPolicy policy, const LotterySeed& seed,
                                       const Snapshot& s);

 private:
  uint32_t SequenceOf(uint32_t entry) const;  // 0 before the draw for pre-queue entries
  uint32_t EntryAt(uint32_t sequence) const;
  uint32_t LineEnd() const;  // the highest sequence handed out
  void Draw();
  void Admit(uint32_t count, TimeMs now_ms);
  void LapseAdmissions(TimeMs now_ms);
  void EndSessionsDue(TimeMs now_ms);
  bool AdmissionBlocked() const;

  WaitingRoomPolicy policy_;
  LotterySeed seed_;
  FlatMap<uint32_t, uint32_t> entry_of_owner_;
  std::vector<uint32_t> entry_owner_;        // entry - 1 -> owner
  std::vector<SessionState> state_;          // entry - 1 -> session state
  std::vector<uint32_t> order_;              // sequence - 1 -> entry, the drawn pre-queue
  std::vector<uint32_t> prequeue_sequence_;  // entry - 1 -> sequence, the drawn pre-queue
  uint32_t prequeue_size_ = 0;
  bool drawn_ = false;
  uint32_t now_serving_ = 0;
  uint32_t served_through_ = UINT32_MAX;
  bool nothing_left_ = false;
  int64_t credit_ = 0;  // admissions earned, in 1/60,000ths of a fan
  TimeMs now_ms_ = 0;
  uint32_t active_ = 0;
  uint32_t admitted_waiting_ = 0;
  struct Batch {  // sequences (first, last] admitted at `at_ms`
    uint32_t first;
    uint32_t last;
    TimeMs at_ms;
  };
  std::deque<Batch> batches_;     // admissions not yet lapsed, oldest first
  std::vector<uint32_t> lapsed_;  // entries lapsed since TakeLapsed
  struct Session {
    uint32_t entry;
    TimeMs ends_ms;
  };
  std::deque<Session> sessions_;           // in start order, so in end order; ended ones skipped
  FlatMap<uint32_t, TimeMs> session_end_;  // entry -> end, for sessions running
};

}  // namespace boxoffice::core
