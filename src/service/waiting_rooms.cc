#include "service/waiting_rooms.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/hmac.h"
#include "crypto/random.h"

namespace boxoffice::service {
namespace {

// A room's fans by the keyed hash of their user id: an open-addressing table
// of entry numbers (4 bytes a slot, at most 3/4 full, linear probing) over
// the hashes kept by entry (8 bytes a fan). Entries are added in order, 1..n.
class FanIndex {
 public:
  FanIndex() : slots_(kInitialSlots, 0) {}

  std::optional<uint32_t> Find(uint64_t key) const {
    for (size_t i = key & Mask();; i = (i + 1) & Mask()) {
      const uint32_t e = slots_[i];
      if (e == 0) return std::nullopt;
      if (keys_[e - 1] == key) return e;
    }
  }
  // Adds the next entry (size() + 1) under `key`, which is not in the index.
  uint32_t Add(uint64_t key) {
    if (4 * (keys_.size() + 1) > 3 * slots_.size()) Grow();
    keys_.push_back(key);
    const auto entry = static_cast<uint32_t>(keys_.size());
    Place(entry);
    return entry;
  }
  size_t size() const { return keys_.size(); }
  size_t bytes() const {
    return keys_.capacity() * sizeof(uint64_t) + slots_.capacity() * sizeof(uint32_t);
  }

 private:
  static constexpr size_t kInitialSlots = 16;
  size_t Mask() const { return slots_.size() - 1; }
  void Place(uint32_t entry) {
    size_t i = keys_[entry - 1] & Mask();
    while (slots_[i] != 0) i = (i + 1) & Mask();
    slots_[i] = entry;
  }
  void Grow() {
    slots_.assign(slots_.size() * 2, 0);
    for (uint32_t e = 1; e <= keys_.size(); ++e) Place(e);
  }

  std::vector<uint64_t> keys_;   // entry - 1 -> key
  std::vector<uint32_t> slots_;  // 0: empty; else an entry
};

}  // namespace

struct WaitingRooms::Room {
  Room(core::ShowId id, QueueSettings s, const core::LotterySeed& lottery_seed, std::string key)
      : show(id),
        settings(s),
        seed(lottery_seed),
        owner_key(std::move(key)),
        seed_sha256(crypto::HexEncode(crypto::AsChars(crypto::Sha256(SeedBytes())))),
        room(PolicyOf(s), seed) {}

  static core::WaitingRoomPolicy PolicyOf(const QueueSettings& s) {
    core::WaitingRoomPolicy p;
    p.prequeue_opens_at_ms = s.prequeue_opens_at_ms;
    p.onsale_at_ms = s.onsale_at_ms;
    p.admissions_per_minute = s.admissions_per_minute;
    p.active_sessions_max = s.active_shoppers_max;
    p.session_ms = core::DurationMs{s.session_s} * 1000;
    p.queue_everyone = s.queue_everyone;
    return p;
  }

  std::string_view SeedBytes() const { return crypto::AsChars(seed); }

  // The fan's key in `fans`.
  uint64_t KeyOf(std::string_view user) const {
    const crypto::Sha256Digest d = crypto::HmacSha256(owner_key, user);
    uint64_t k = 0;
    std::memcpy(&k, d.data(), sizeof(k));
    return k == 0 ? 1 : k;
  }
  std::optional<uint32_t> EntryOf(std::string_view user) const { return fans.Find(KeyOf(user)); }

  store::QueueRoomRecord Record(core::TimeMs now) const {
    return store::QueueRoomRecord{show,
                                  settings.enabled,
                                  settings.prequeue_opens_at_ms,
                                  settings.onsale_at_ms,
                                  settings.admissions_per_minute,
                                  settings.active_shoppers_max,
                                  settings.session_s,
                                  settings.queue_everyone,
                                  std::string(SeedBytes()),
                                  owner_key,
                                  now};
  }

  const core::ShowId show;
  std::atomic<bool> enabled{false};
  std::mutex mu;
  // Guarded by mu:
  QueueSettings settings;
  const core::LotterySeed seed;
  const std::string owner_key;
  const std::string seed_sha256;
  core::WaitingRoom room;
  FanIndex fans;  // entries by the keyed hash of their user id
  uint32_t journaled_now_serving = 0;
  bool journaled_drawn = false;
  bool has_status = false;
  QueueStatus status;
  std::shared_ptr<const QueueStatusBody> body;
};

bool QueueStatus::SamePublicState(const QueueStatus& o) const {
  return show == o.show && settings == o.settings && phase == o.phase &&
         now_serving == o.now_serving && fans == o.fans && prequeue_fans == o.prequeue_fans &&
         served_through == o.served_through && sold_out == o.sold_out &&
         seed_sha256 == o.seed_sha256 && seed == o.seed;
}

WaitingRooms::WaitingRooms(Submit submit, std::function<Status()> refusal, InventoryOf inventory,
                           const core::Clock& clock, metrics::Registry& m)
    : submit_(std::move(submit)),
      refusal_(std::move(refusal)),
      inventory_(std::move(inventory)),
      secrets_(std::make_unique<crypto::RandomTokens>()),
      clock_(clock),
      fans_(m.GetGauge("boxoffice_queue_fans", "Fans in waiting rooms, all shows")),
      active_shoppers_(m.GetGauge("boxoffice_queue_active_shoppers",
                                  "Fans shopping in a session from a waiting room, all shows")),
      bytes_(m.GetGauge("boxoffice_queue_bytes", "Memory the waiting rooms take, in bytes")),
      joins_(m.GetCounter("boxoffice_queue_joins_total", "Fans who joined a waiting room")),
      access_grants_(m.GetCounter("boxoffice_queue_access_grants_total",
                                  "Shopping sessions started from a waiting room")) {}

void WaitingRooms::SetTokenSource(std::unique_ptr<core::TokenSource> source) {
  std::lock_guard<std::mutex> lock(secrets_mu_);
  secrets_ = std::move(source);
}

WaitingRooms::~WaitingRooms() = default;

WaitingRooms::Room* WaitingRooms::FindRoom(core::ShowId show) const {
  std::shared_lock<std::shared_mutex> lock(rooms_mu_);
  auto it = rooms_.find(show);
  return it == rooms_.end() ? nullptr : it->second.get();
}

bool WaitingRooms::Enabled(core::ShowId show) const {
  Room* r = FindRoom(show);
  return r != nullptr && r->enabled.load(std::memory_order_acquire);
}

// ---- Recovery ---------------------------------------------------------------------------

namespace {

core::LotterySeed SeedOf(std::string_view bytes) {
  core::LotterySeed seed{};
  std::memcpy(seed.data(), bytes.data(), std::min(bytes.size(), seed.size()));
  return seed;
}

// The records of one show: [first, last) of a vector sorted by show.
template <typename T>
std::pair<size_t, size_t> RangeOf(const std::vector<T>& v, core::ShowId show) {
  auto lo = std::lower_bound(v.begin(), v.end(), show,
                             [](const T& r, core::ShowId s) { return r.show_id < s; });
  auto hi = std::upper_bound(v.begin(), v.end(), show,
                             [](core::ShowId s, const T& r) { return s < r.show_id; });
  return {static_cast<size_t>(lo - v.begin()), static_cast<size_t>(hi - v.begin())};
}

// The settings a room may have: asked for by an organiser, or read back.
Status Validate(const QueueSettings& s) {
  if (s.onsale_at_ms < s.prequeue_opens_at_ms)
    return Status::InvalidArgument("onsale_at must not be before prequeue_opens_at");
  if (s.admissions_per_minute < 1 || s.admissions_per_minute > core::kAdmissionsPerMinuteMax)
    return Status::InvalidArgument("admissions_per_minute must be 1.." +
                                   std::to_string(core::kAdmissionsPerMinuteMax));
  if (s.active_shoppers_max < 1 || s.active_shoppers_max > core::kActiveShoppersMax)
    return Status::InvalidArgument("active_shoppers_max must be 1.." +
                                   std::to_string(core::kActiveShoppersMax));
  if (s.session_s < core::kSessionSecondsMin || s.session_s > core::kSessionSecondsMax)
    return Status::InvalidArgument("session_seconds must be " +
                                   std::to_string(core::kSessionSecondsMin) + ".." +
                                   std::to_string(core::kSessionSecondsMax));
  return Status::Ok();
}

}  // namespace

Status WaitingRooms::Recover(const store::Snapshot& snap) {
  for (const store::QueueRoomRecord& rec : snap.queue_rooms) {
    const QueueSettings settings{rec.enabled,
                                 rec.prequeue_opens_at_ms,
                                 rec.onsale_at_ms,
                                 rec.admissions_per_minute,
                                 rec.active_shoppers_max,
                                 rec.session_s,
                                 rec.queue_everyone};
    const auto corrupt = [&](const std::string& what) {
      return Status::Corruption("waiting room of show " + std::to_string(rec.show_id) + ": " +
                                what);
    };
    if (rec.seed.size() != sizeof(core::LotterySeed) || rec.owner_key.size() != kQueueOwnerKeyBytes)
      return corrupt("seed or key of the wrong size");
    if (Status v = Validate(settings); !v.ok()) return corrupt(v.message());
    auto r = std::make_unique<Room>(rec.show_id, settings, SeedOf(rec.seed), rec.owner_key);
    core::WaitingRoom::Snapshot s;
    uint32_t prequeue = 0;
    const auto [j0, j1] = RangeOf(snap.queue_joins, rec.show_id);
    for (size_t i = j0; i < j1; ++i) {
      const store::QueueJoinRecord& j = snap.queue_joins[i];
      if (j.entry != i - j0 + 1) return corrupt("entries are not 1..n");
      s.owners_by_entry.push_back(j.entry);
      const uint64_t key = r->KeyOf(j.user);
      if (r->fans.Find(key)) return corrupt("a fan joined twice");
      r->fans.Add(key);
      prequeue += j.prequeue;
      s.drawn |= !j.prequeue;  // a later arrival means the lottery was drawn
      s.last_advance_ms = std::max(s.last_advance_ms, j.joined_at_ms);
    }
    s.state_by_entry.assign(s.owners_by_entry.size(), core::SessionState::kWaiting);
    const auto [s0, s1] = RangeOf(snap.queue_sessions, rec.show_id);
    for (size_t i = s0; i < s1; ++i) {
      const store::QueueSessionRecord& q = snap.queue_sessions[i];
      if (q.entry == 0 || q.entry > s.state_by_entry.size())
        return corrupt("a session without a fan");
      s.state_by_entry[q.entry - 1] =
          q.ended ? core::SessionState::kDone : core::SessionState::kShopping;
      if (!q.ended) s.session_ends_ms.push_back(clock_.FromWallMs(q.ends_at_ms));
    }
    const auto [p0, p1] = RangeOf(snap.queue_progress, rec.show_id);
    if (p0 < p1) {
      const store::QueueProgressRecord& p = snap.queue_progress[p0];
      s.now_serving = p.now_serving;
      s.drawn |= p.drawn;
      s.last_advance_ms = std::max(s.last_advance_ms, p.at_ms);
      r->journaled_now_serving = p.now_serving;
      r->journaled_drawn = s.drawn;
    }
    if (s.drawn) s.order = core::LotteryOrder(r->seed, prequeue);
    StatusOr<core::WaitingRoom> room =
        core::WaitingRoom::Restore(Room::PolicyOf(settings), r->seed, s);
    if (!room.ok()) return corrupt(room.status().message());
    r->room = std::move(room).value();
    r->enabled.store(settings.enabled);
    {
      std::lock_guard<std::mutex> lock(r->mu);
      Refresh(*r, clock_.NowMs(), /*force=*/true);
    }
    std::unique_lock<std::shared_mutex> lock(rooms_mu_);
    rooms_[rec.show_id] = std::move(r);
  }
  UpdateGauges();
  return Status::Ok();
}

// ---- Organisers -------------------------------------------------------------------------

void WaitingRooms::Configure(core::ShowId show, QueueSettings settings,
                             std::function<void(StatusOr<QueueStatus>)> done) {
  if (Status s = Validate(settings); !s.ok()) return done(s);
  if (Status refused = refusal_(); !refused.ok()) return done(refused);
  std::lock_guard<std::mutex> configure(configure_mu_);
  const core::TimeMs now = clock_.NowMs();
  Room* r = FindRoom(show);
  if (r == nullptr) {
    {
      std::shared_lock<std::shared_mutex> lock(rooms_mu_);
      if (rooms_.size() >= kQueueRoomsMax)
        return done(Status::ResourceExhausted("at most " + std::to_string(kQueueRoomsMax) +
                                              " shows may have a waiting room"));
    }
    core::LotterySeed seed{};
    std::string key(kQueueOwnerKeyBytes, '\0');
    {
      std::lock_guard<std::mutex> lock(secrets_mu_);
      static_assert(sizeof(seed) == 2 * sizeof(core::Token::bytes));
      static_assert(kQueueOwnerKeyBytes == sizeof(core::Token::bytes));
      const core::Token a = secrets_->Next(), b = secrets_->Next(), k = secrets_->Next();
      std::memcpy(seed.data(), a.bytes.data(), a.bytes.size());
      std::memcpy(seed.data() + a.bytes.size(), b.bytes.data(), b.bytes.size());
      std::memcpy(key.data(), k.bytes.data(), k.bytes.size());
    }
    auto room = std::make_unique<Room>(show, settings, seed, std::move(key));
    r = room.get();
    std::unique_lock<std::shared_mutex> lock(rooms_mu_);
    rooms_[show] = std::move(room);
  }
  store::Batch batch;
  QueueStatus status;
  {
    std::lock_guard<std::mutex> lock(r->mu);
    const QueueSettings& old = r->settings;
    const bool times_change = old.prequeue_opens_at_ms != settings.prequeue_opens_at_ms ||
                              old.onsale_at_ms != settings.onsale_at_ms;
    if (times_change && now >= old.prequeue_opens_at_ms) {
      return done(
          Status::FailedPrecondition("the opening times cannot change once the pre-queue opened"));
    }
    if (!(settings == old)) {
      StatusOr<core::WaitingRoom> rebuilt =
          core::WaitingRoom::Restore(Room::PolicyOf(settings), r->seed, r->room.TakeSnapshot());
      if (!rebuilt.ok()) return done(rebuilt.status());
      r->room = std::move(rebuilt).value();
      r->settings = settings;
    }
    r->enabled.store(settings.enabled, std::memory_order_release);
    batch.records.push_back(r->Record(now));
    Refresh(*r, now, /*force=*/true);
    status = StatusOf(*r, now);
  }
  submit_(std::move(batch), [done = std::move(done), status](Status s) {
    if (!s.ok()) return done(s);
    done(status);
  });
}

std::optional<QueueStatus> WaitingRooms::Find(core::ShowId show) {
  Room* r = FindRoom(show);
  if (r == nullptr) return std::nullopt;
  std::lock_guard<std::mutex> lock(r->mu);
  return StatusOf(*r, clock_.NowMs());
}

// ---- Fans -------------------------------------------------------------------------------

template <typename T>
WaitingRooms::Room* WaitingRooms::OpenRoom(core::ShowId show, QueueReply<T>& out) const {
  Room* r = FindRoom(show);
  if (r == nullptr || !r->enabled.load(std::memory_order_acquire)) {
    out.outcome = QueueOutcome::kNoRoom;
    return nullptr;
  }
  if (Status refused = refusal_(); !refused.ok()) {
    out.status = std::move(refused);
    return nullptr;
  }
  return r;
}

QueueReply<QueuePlace> WaitingRooms::Join(core::ShowId show, const std::string& user) {
  QueueReply<QueuePlace> out;
  out.value.show = show;
  Room* r = OpenRoom(show, out);
  if (r == nullptr) return out;
  const uint64_t key = r->KeyOf(user);  // owner_key is constant: no lock needed
  const core::TimeMs now = clock_.NowMs();
  std::lock_guard<std::mutex> lock(r->mu);
  if (std::optional<uint32_t> entry = r->fans.Find(key)) {
    r->room.Advance(now);  // the lottery may be due: the place gets its sequence
    out.value.place = *r->room.Find(*entry);
    store::Batch batch;
    if (JournalProgress(*r, now, batch)) submit_(std::move(batch), nullptr);
    return out;
  }
  const uint32_t owner = r->room.fans() + 1;  // the entry the fan is about to get
  switch (r->room.Join(owner, now, &out.value.place)) {
    case core::JoinOutcome::kNotOpen:
      out.outcome = QueueOutcome::kNotOpen;
      return out;
    case core::JoinOutcome::kFull:
      out.outcome = QueueOutcome::kFull;
      return out;
    case core::JoinOutcome::kAlreadyJoined:
    case core::JoinOutcome::kJoined:
      break;
  }
  BOX_ASSERT(out.value.place.entry == owner);
  const uint32_t indexed = r->fans.Add(key);
  BOX_ASSERT(indexed == owner);
  out.value.first_join = true;
  joins_.Inc();
  store::Batch batch;
  batch.records.push_back(store::QueueJoinRecord{show, owner, user, out.value.place.prequeue, now});
  JournalProgress(*r, now, batch);  // the join may have moved the line on
  submit_(std::move(batch), nullptr);
  return out;
}

QueueReply<SessionView> WaitingRooms::StartSession(core::ShowId show, const std::string& user,
                                                   uint32_t entry) {
  QueueReply<SessionView> out;
  out.value.entry = entry;
  Room* r = OpenRoom(show, out);
  if (r == nullptr) return out;
  const core::TimeMs now = clock_.NowMs();
  std::lock_guard<std::mutex> lock(r->mu);
  if (r->EntryOf(user) != entry) {
    out.outcome = QueueOutcome::kNotInLine;
    return out;
  }
  core::TimeMs ends_at_ms = 0;
  const core::SessionOutcome started = r->room.StartSession(entry, now, &ends_at_ms);
  out.value.expires_at_ms = clock_.ToWallMs(ends_at_ms);  // as fans and the journal see it
  switch (started) {
    case core::SessionOutcome::kStarted: {
      access_grants_.Inc();
      store::Batch batch;
      batch.records.push_back(
          store::QueueSessionRecord{show, entry, out.value.expires_at_ms, false});
      JournalProgress(*r, now, batch);
      submit_(std::move(batch), nullptr);
      return out;
    }
    case core::SessionOutcome::kAlreadyShopping:
      return out;
    case core::SessionOutcome::kNotInLine:
      out.outcome = QueueOutcome::kNotInLine;
      return out;
    case core::SessionOutcome::kNotAdmitted: {
      out.outcome = QueueOutcome::kNotAdmitted;
      const uint32_t sequence = r->room.Find(entry)->sequence;
      out.value.position = sequence > r->room.now_serving() ? sequence - r->room.now_serving() : 0;
      return out;
    }
    case core::SessionOutcome::kOver:
      out.outcome = QueueOutcome::kOver;
      return out;
  }
  return out;
}

bool WaitingRooms::Shopping(core::ShowId show, const std::string& user, uint32_t entry) {
  Room* r = FindRoom(show);
  if (r == nullptr) return false;
  std::lock_guard<std::mutex> lock(r->mu);
  return r->EntryOf(user) == entry && r->room.Shopping(entry, clock_.NowMs());
}

QueueReply<SessionView> WaitingRooms::EndSession(core::ShowId show, const std::string& user) {
  QueueReply<SessionView> out;
  Room* r = OpenRoom(show, out);
  if (r == nullptr) return out;
  const core::TimeMs now = clock_.NowMs();
  std::lock_guard<std::mutex> lock(r->mu);
  const std::optional<uint32_t> entry = r->EntryOf(user);
  if (!entry) {
    out.outcome = QueueOutcome::kNotInLine;
    return out;
  }
  out.value.entry = *entry;
  store::Batch batch;
  if (EndShopping(*r, *entry, now, batch)) {
    submit_(std::move(batch), nullptr);
  } else if (r->room.Find(*entry)->session == core::SessionState::kWaiting) {
    out.outcome = QueueOutcome::kNotAdmitted;
  }
  return out;
}

void WaitingRooms::OnBooked(core::ShowId show, const std::string& user, core::TimeMs at_ms,
                            store::Batch& batch) {
  Room* r = FindRoom(show);
  if (r == nullptr) return;
  std::lock_guard<std::mutex> lock(r->mu);
  const std::optional<uint32_t> entry = r->EntryOf(user);
  if (entry) EndShopping(*r, *entry, at_ms, batch);
}

bool WaitingRooms::EndShopping(Room& r, uint32_t entry, core::TimeMs at_ms, store::Batch& batch) {
  if (!r.room.Shopping(entry, at_ms)) return false;
  r.room.EndSession(entry, at_ms);
  batch.records.push_back(store::QueueSessionRecord{r.show, entry, at_ms, true});
  JournalProgress(r, at_ms, batch);
  return true;
}

std::shared_ptr<const QueueStatusBody> WaitingRooms::StatusBody(core::ShowId show) {
  Room* r = FindRoom(show);
  if (r == nullptr) return nullptr;
  std::lock_guard<std::mutex> lock(r->mu);
  return r->body;
}

// ---- The timer --------------------------------------------------------------------------

void WaitingRooms::Tick() {
  std::vector<Room*> all;
  {
    std::shared_lock<std::shared_mutex> lock(rooms_mu_);
    for (const auto& [show, r] : rooms_) all.push_back(r.get());
  }
  for (Room* r : all) {
    if (!r->enabled.load(std::memory_order_acquire)) continue;
    const std::optional<Inventory> inv = inventory_(r->show);  // takes the show's lock
    const core::TimeMs now = clock_.NowMs();
    std::lock_guard<std::mutex> lock(r->mu);
    if (inv) r->room.SetPlacesLeft(inv->places_left, inv->mean_basket);
    r->room.Advance(now);
    store::Batch batch;
    if (JournalProgress(*r, now, batch)) submit_(std::move(batch), nullptr);
    Refresh(*r, now, /*force=*/false);
  }
  UpdateGauges();
}

bool WaitingRooms::JournalProgress(Room& r, core::TimeMs now, store::Batch& batch) {
  const std::vector<uint32_t> lapsed = r.room.TakeLapsed();
  for (uint32_t entry : lapsed) {
    batch.records.push_back(store::QueueSessionRecord{r.show, entry, now, /*ended=*/true});
  }
  if (r.room.now_serving() == r.journaled_now_serving && r.room.drawn() == r.journaled_drawn) {
    return !lapsed.empty();
  }
  r.journaled_now_serving = r.room.now_serving();
  r.journaled_drawn = r.room.drawn();
  batch.records.push_back(
      store::QueueProgressRecord{r.show, r.journaled_now_serving, r.journaled_drawn, now});
  return true;
}

QueueStatus WaitingRooms::StatusOf(const Room& r, core::TimeMs now) const {
  QueueStatus s;
  s.show = r.show;
  s.settings = r.settings;
  s.phase = r.room.phase(now);
  s.now_serving = r.room.now_serving();
  s.fans = r.room.fans();
  s.prequeue_fans = r.room.prequeue_fans();
  s.served_through = r.room.served_through();
  s.sold_out = s.phase == core::RoomPhase::kSoldOut;
  s.seed_sha256 = r.seed_sha256;
  if (r.room.drawn()) s.seed = crypto::HexEncode(crypto::AsChars(r.seed));
  s.active_shoppers = r.room.active_sessions();
  s.admitted_waiting = r.room.admitted_waiting();
  s.updated_at_ms = now;
  return s;
}

void WaitingRooms::Refresh(Room& r, core::TimeMs now, bool force) {
  QueueStatus s = StatusOf(r, now);
  if (r.has_status && s.SamePublicState(r.status)) return;
  if (!force && r.has_status && now - r.status.updated_at_ms < kQueueStatusRefreshMs) return;
  r.status = std::move(s);
  r.has_status = true;
  if (!encoder_) return;
  auto body = std::make_shared<QueueStatusBody>();
  body->json = encoder_(r.status);
  const crypto::Sha256Digest d = crypto::Sha256(body->json);
  body->etag = "\"" + crypto::HexEncode(crypto::AsChars(d).substr(0, 12)) + "\"";
  r.body = body;
  if (sink_ != nullptr) sink_->OnQueueStatus(r.show, std::move(body));
}

WaitingRooms::Totals WaitingRooms::Count() const {
  std::shared_lock<std::shared_mutex> lock(rooms_mu_);
  Totals t;
  for (const auto& [show, r] : rooms_) {
    std::lock_guard<std::mutex> room_lock(r->mu);
    t.fans += r->room.fans();
    t.active_shoppers += r->room.active_sessions();
    t.bytes += sizeof(Room) + r->room.bytes() + r->fans.bytes();
  }
  return t;
}

void WaitingRooms::UpdateGauges() {
  const Totals t = Count();
  fans_.Set(static_cast<double>(t.fans));
  active_shoppers_.Set(static_cast<double>(t.active_shoppers));
  bytes_.Set(static_cast<double>(t.bytes));
}

}  // namespace boxoffice::service
