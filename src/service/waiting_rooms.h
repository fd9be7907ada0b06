// WaitingRooms: the booking service's per-show virtual waiting rooms (the
// pure line is core::WaitingRoom; this adds fans' identities, the seed, the
// journal, inventory awareness and the published status).
//
// A fan is a user id (the JWT subject). A room does not keep user ids: it
// keeps a 64-bit keyed hash of each (HMAC-SHA256 under the room's own random
// key, truncated), mapped to the fan's arrival number, which is also the
// fan's owner number in the core room. The journal keeps the user ids, so a
// restarted server maps every fan to the same place.
//
// Durability: a join, a session start and a session end are answered once
// their records are queued for the journal (like holds: a crash may lose the
// last few milliseconds of them). Room settings are answered once durable.
// now_serving and the lottery's draw are journaled whenever they moved: by
// Tick (so at most every kQueueTickMs while nothing else happens) and in the
// batch of the join, session start or booking that moved them, so a restart
// never moves now_serving back past what anyone was told. Fans admitted but
// not shopping (their admission unused, or lapsed: lapses are not journaled)
// get a fresh admission window after a restart.
//
// Status: Tick (every kQueueTickMs, from the service's sweeper) advances
// every enabled room, tells it the seats left (free or held) and the mean
// seats per order, and rebuilds the room's QueueStatus when it changed (at
// most every kQueueStatusRefreshMs), rendering it once with the status
// encoder and handing the body to the status sink (the live hub).
//
// Locks: each room has its own mutex. A show's lock may be held when a room's
// lock is taken (a booking ends a session), never the other way round.
//
// Thread-safety: every public method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>

#include "core/clock.h"
#include "core/limits.h"
#include "core/status.h"
#include "core/waiting_room.h"
#include "metrics/metrics.h"
#include "store/store.h"

namespace boxoffice::service {

inline constexpr size_t kQueueRoomsMax = 10'000;
inline constexpr core::DurationMs kQueueTickMs = 100;
inline constexpr core::DurationMs kQueueStatusRefreshMs = 250;
inline constexpr size_t kQueueOwnerKeyBytes = 16;

struct QueueSettings {
  bool enabled = false;
  core::TimeMs prequeue_opens_at_ms = 0;
  core::TimeMs onsale_at_ms = 0;
  uint32_t admissions_per_minute = 600;
  uint32_t active_shoppers_max = 1'000;
  uint32_t session_s = 600;
  bool queue_everyone = true;  // mode "everyone"; false: "at_capacity"

  friend bool operator==(const QueueSettings&, const QueueSettings&) = default;
};

// What everybody may see of a room (and, for organisers, a few counts more).
struct QueueStatus {
  core::ShowId show = 0;
  QueueSettings settings;
  core::RoomPhase phase = core::RoomPhase::kNotOpen;
  uint32_t now_serving = 0;
  uint32_t fans = 0;
  uint32_t prequeue_fans = 0;
  uint32_t served_through = UINT32_MAX;  // UINT32_MAX: no limit known
  bool sold_out = false;
  std::string seed_sha256;  // hex
  std::string seed;         // hex, once drawn; "" before
  uint32_t active_shoppers = 0;
  uint32_t admitted_waiting = 0;
  core::TimeMs updated_at_ms = 0;

  // Equal in all the public body says (updated_at aside; the organisers' counts too).
  bool SamePublicState(const QueueStatus& o) const;
};

// The rendered status of a room: the body everybody gets, and its ETag.
struct QueueStatusBody {
  std::string json;
  std::string etag;  // quoted
};

class QueueStatusSink {
 public:
  virtual ~QueueStatusSink() = default;
  // A room's status changed; `body` is what GET .../queue/status answers. Must not block.
  virtual void OnQueueStatus(core::ShowId show, std::shared_ptr<const QueueStatusBody> body) = 0;
};

// A fan's place, as the routes answer it.
struct QueuePlace {
  core::ShowId show = 0;
  core::Place place;
  bool first_join = false;
};

enum class QueueOutcome : uint8_t {
  kOk = 0,
  kNoRoom,       // the show has no enabled room
  kNotOpen,      // before the pre-queue opens
  kFull,         // the room holds the most fans it can
  kNotInLine,    // the fan never joined
  kNotAdmitted,  // not yet: the fan's sequence is above now_serving
  kOver,         // the session ended or the admission lapsed
};

template <typename T>
struct QueueReply {
  Status status;  // operational: kUnavailable once the journal failed
  QueueOutcome outcome = QueueOutcome::kOk;
  T value{};
  bool ok() const { return status.ok() && outcome == QueueOutcome::kOk; }
};

struct SessionView {
  uint32_t entry = 0;
  core::TimeMs expires_at_ms = 0;
  uint32_t position = 0;  // with kNotAdmitted: places ahead of the fan (0: not drawn yet)
};

class WaitingRooms {
 public:
  using Submit = std::function<void(store::Batch, store::DurableCallback)>;
  // Seats a show has left (free or held) and its mean seats per order.
  struct Inventory {
    uint64_t places_left = 0;
    double mean_basket = 1.0;
  };
  using InventoryOf = std::function<std::optional<Inventory>(core::ShowId)>;
  using StatusEncoder = std::function<std::string(const QueueStatus&)>;

  // `refusal` says why changes are refused now (the journal failed, the store
  // is unreachable), or OK when they are not. `clock` is the service's:
  // sessions end on its monotonic timeline, and their ends are stored and
  // shown in wall-clock time.
  WaitingRooms(Submit submit, std::function<Status()> refusal, InventoryOf inventory,
               const core::Clock& clock, metrics::Registry& metrics);
  ~WaitingRooms();
  WaitingRooms(const WaitingRooms&) = delete;
  WaitingRooms& operator=(const WaitingRooms&) = delete;

  // ---- Wiring (before Recover) ----
  void SetStatusEncoder(StatusEncoder encoder) { encoder_ = std::move(encoder); }
  // Where rooms' lottery seeds and keys come from (the CSPRNG by default).
  void SetTokenSource(std::unique_ptr<core::TokenSource> source);
  void SetStatusSink(QueueStatusSink* sink) { sink_ = sink; }

  // Rebuilds every room from the store's snapshot.
  Status Recover(const store::Snapshot& snap);

  // ---- Organisers ----
  // Creates or changes a show's room (the show must exist: the caller checks).
  // kInvalidArgument for bad values, kFailedPrecondition when the opening
  // times would change after the pre-queue opened, kResourceExhausted beyond
  // kQueueRoomsMax. `done` runs once the settings are durable. The first
  // call draws the room's seed and key; later calls keep them and the line.
  void Configure(core::ShowId show, QueueSettings settings,
                 std::function<void(StatusOr<QueueStatus>)> done);
  std::optional<QueueStatus> Find(core::ShowId show);

  // ---- Fans ----
  bool Enabled(core::ShowId show) const;
  QueueReply<QueuePlace> Join(core::ShowId show, const std::string& user);
  // Starts (or finds again) the fan's session; `entry` is the ticket's.
  QueueReply<SessionView> StartSession(core::ShowId show, const std::string& user, uint32_t entry);
  // Whether the fan with this entry is shopping in the show's room right now.
  bool Shopping(core::ShowId show, const std::string& user, uint32_t entry);
  // The fan is done shopping: ends its session now, so the next fan in line
  // can be let in. kOk also when the session was already over; kNotAdmitted
  // when it has not started, kNotInLine when the fan never joined.
  QueueReply<SessionView> EndSession(core::ShowId show, const std::string& user);
  // A booking by `user` completed: ends the fan's session, its record added to `batch`.
  void OnBooked(core::ShowId show, const std::string& user, core::TimeMs at_ms,
                store::Batch& batch);
  // The rendered status (null while the room has none or no encoder is set).
  std::shared_ptr<const QueueStatusBody> StatusBody(core::ShowId show);

  core::TimeMs now() const { return clock_.NowMs(); }  // the service's clock

  // Advances every room; the service's sweeper calls it every kQueueTickMs.
  void Tick();

  struct Totals {
    uint64_t fans = 0;
    uint64_t active_shoppers = 0;
    size_t bytes = 0;  // what the rooms take in memory
  };
  Totals Count() const;

 private:
  struct Room;
  Room* FindRoom(core::ShowId show) const;
  // The show's enabled room, or null with `out` saying why (no room, or the journal failed).
  template <typename T>
  Room* OpenRoom(core::ShowId show, QueueReply<T>& out) const;
  void Refresh(Room& r, core::TimeMs now, bool force);  // under r.mu
  // Adds where the line stands to `batch` if it moved since last journaled,
  // and the admissions that lapsed meanwhile (as sessions that ended). True if
  // it added anything. Under r.mu.
  bool JournalProgress(Room& r, core::TimeMs now, store::Batch& batch);
  // Ends the entry's session if it is running, adding its record and the
  // progress to `batch`. True if it ended one. Under r.mu.
  bool EndShopping(Room& r, uint32_t entry, core::TimeMs at_ms, store::Batch& batch);
  QueueStatus StatusOf(const Room& r, core::TimeMs now) const;  // under r.mu
  void UpdateGauges();

  Submit submit_;
  std::function<Status()> refusal_;
  InventoryOf inventory_;
  std::mutex secrets_mu_;
  std::unique_ptr<core::TokenSource> secrets_;  // guarded by secrets_mu_
  const core::Clock& clock_;
  StatusEncoder encoder_;
  QueueStatusSink* sink_ = nullptr;

  mutable std::shared_mutex rooms_mu_;
  std::map<core::ShowId, std::unique_ptr<Room>> rooms_;  // guarded by rooms_mu_; never removed
  std::mutex configure_mu_;                              // one Configure at a time

  metrics::Gauge& fans_;
  metrics::Gauge& active_shoppers_;
  metrics::Gauge& bytes_;
  metrics::Counter& joins_;
  metrics::Counter& access_grants_;
};

}  // namespace boxoffice::service
