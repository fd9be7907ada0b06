#include "service/booking_service.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/audit.h"
#include "core/limits.h"
#include "core/snapshot.h"
#include "crypto/random.h"
#include "service/show_entry.h"

namespace boxoffice::service {

using core::Outcome;

std::string_view HoldStatusName(HoldStatus s) {
  switch (s) {
    case HoldStatus::kHeld:
      return "held";
    case HoldStatus::kReleased:
      return "released";
    case HoldStatus::kExpired:
      return "expired";
    case HoldStatus::kConfirmed:
      return "confirmed";
  }
  return "unknown";
}

namespace {

core::ShowPolicy PolicyOf(const ShowSettings& s, const core::SeatMap& map,
                          core::DurationMs lifetime_ms) {
  core::ShowPolicy p;
  p.hold_lifetime_max_ms = lifetime_ms;
  for (const core::Category& c : map.categories())
    p.price_minor_by_category.push_back(s.prices.at(c.id));
  p.seats_per_hold_max = s.seats_per_order_max;
  p.seats_per_owner_max = s.seats_per_fan_max;
  return p;
}

// Whether `s` is a show this server may sell: within `caps` (the operator's
// at creation, the hard limits at recovery).
Status ValidateSettings(const ShowSettings& s, const Venue& venue, const ShowCaps& caps) {
  if (s.name.empty() || s.name.size() > core::kNameBytesMax) {
    return Status::InvalidArgument("name: must be 1.." + std::to_string(core::kNameBytesMax) +
                                   " bytes");
  }
  if (s.currency.size() != kCurrencyBytes ||
      !std::all_of(s.currency.begin(), s.currency.end(),
                   [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return Status::InvalidArgument("currency: must be three upper-case letters (ISO 4217)");
  }
  for (const core::Category& c : venue.map->categories()) {
    auto it = s.prices.find(c.id);
    if (it == s.prices.end()) return Status::InvalidArgument("prices." + c.id + ": is required");
    if (it->second < 0 || it->second > core::kPriceMinorMax)
      return Status::InvalidArgument("prices." + c.id + ": out of range");
  }
  for (const auto& [id, price] : s.prices) {
    if (!venue.map->FindCategory(id))
      return Status::InvalidArgument("prices." + id + ": no such category in the venue");
  }
  if (s.hold_ttl_s < core::kHoldTtlSecondsMin || s.hold_ttl_s > caps.hold_ttl_s_max) {
    return Status::InvalidArgument("hold_ttl_s: must be between " +
                                   std::to_string(core::kHoldTtlSecondsMin) + " and " +
                                   std::to_string(caps.hold_ttl_s_max) + " (hold_ttl_max_s)");
  }
  if (s.seats_per_order_max < 1 || s.seats_per_order_max > caps.seats_per_order_max) {
    return Status::InvalidArgument("seats_per_order_max: must be between 1 and " +
                                   std::to_string(caps.seats_per_order_max) +
                                   " (seats_per_hold_max)");
  }
  if (s.seats_per_fan_max < s.seats_per_order_max || s.seats_per_fan_max > caps.seats_per_fan_max) {
    return Status::InvalidArgument("seats_per_fan_max: must be between seats_per_order_max and " +
                                   std::to_string(caps.seats_per_fan_max) +
                                   " (seats_per_owner_max)");
  }
  if (s.on_sale_at_ms > s.starts_at_ms)
    return Status::InvalidArgument("on_sale_at: after starts_at");
  return Status::Ok();
}

// What the store keeps of a show, and back.
store::ShowRecord RecordOfShow(const Show& show) {
  const ShowSettings& s = show.settings;
  store::ShowRecord r{.show_id = show.id,
                      .venue_id = s.venue_id,
                      .name = s.name,
                      .starts_at_ms = s.starts_at_ms,
                      .on_sale_at_ms = s.on_sale_at_ms,
                      .currency = s.currency,
                      .prices = {},
                      .hold_ttl_s = s.hold_ttl_s,
                      .seats_per_order_max = s.seats_per_order_max,
                      .seats_per_fan_max = s.seats_per_fan_max,
                      .created_at_ms = show.created_at_ms};
  for (const auto& [category, price] : s.prices) r.prices.push_back({category, price});
  return r;
}

ShowSettings SettingsOfRecord(const store::ShowRecord& r) {
  ShowSettings s{.venue_id = r.venue_id,
                 .name = r.name,
                 .starts_at_ms = r.starts_at_ms,
                 .on_sale_at_ms = r.on_sale_at_ms,
                 .currency = r.currency,
                 .prices = {},
                 .hold_ttl_s = r.hold_ttl_s,
                 .seats_per_order_max = r.seats_per_order_max,
                 .seats_per_fan_max = r.seats_per_fan_max};
  for (const store::ShowPrice& p : r.prices) s.prices[p.category] = p.price_minor;
  return s;
}

Outcome OutcomeOfEnd(store::HoldEnd end) {
  switch (end) {
    case store::HoldEnd::kReleased:
      return Outcome::kHoldReleased;
    case store::HoldEnd::kExpired:
      return Outcome::kHoldExpired;
    case store::HoldEnd::kConfirmed:
      return Outcome::kHoldConfirmed;
  }
  return Outcome::kInvalidRequest;  // not a way a hold ends: RestoreClosedHold refuses it
}

store::HoldEnd EndOf(core::ChangeReason r) {
  switch (r) {
    case core::ChangeReason::kReleased:
      return store::HoldEnd::kReleased;
    case core::ChangeReason::kExpired:
      return store::HoldEnd::kExpired;
    default:
      return store::HoldEnd::kConfirmed;
  }
}

}  // namespace

BookingService::BookingService(store::Store& store, const CatalogCodec& codec,
                               const core::Clock& clock, metrics::Registry& m, ShowCaps caps)
    : store_(store),
      codec_(codec),
      token_sources_([] { return std::make_unique<crypto::RandomTokens>(); }),
      clock_(clock),
      caps_(caps),
      holds_active_(m.GetGauge("holds_active", "Live holds, all shows")),
      holds_created_(m.GetCounter("holds_created_total", "Holds created")),
      holds_expired_(m.GetCounter("holds_expired_total", "Holds that expired")),
      holds_released_(m.GetCounter("holds_released_total", "Holds released by their owner")),
      hold_conflicts_(
          m.GetCounter("hold_conflicts_total", "Hold requests refused: seats taken or not enough")),
      bookings_(m.GetCounter("bookings_total", "Bookings confirmed")),
      cancellations_(m.GetCounter("bookings_cancelled_total", "Bookings cancelled")) {
  ledger_ = std::make_unique<Ledger>();
  rooms_ = std::make_unique<WaitingRooms>(
      [this](store::Batch batch, store::DurableCallback done) {
        SubmitOrFail(std::move(batch), std::move(done));
      },
      [this] { return Refusal(); }, [this](core::ShowId show) { return QueueInventory(show); },
      clock_, m);
  show_states_ = std::make_unique<ShowStates>(
      [this](store::Batch batch, store::DurableCallback done) {
        SubmitOrFail(std::move(batch), std::move(done));
      },
      [this] { return Refusal(); }, [this] { return clock_.NowMs(); }, m);
}

std::optional<WaitingRooms::Inventory> BookingService::QueueInventory(core::ShowId show) const {
  ShowEntry* e = Entry(show);
  if (e == nullptr) return std::nullopt;
  return e->shard->With([](const core::ShowInventory& inv) {
    WaitingRooms::Inventory out;
    uint64_t taken = 0;
    for (core::SectionIndex s = 0; s < inv.map().sections().size(); ++s) {
      const core::StateCounts& c = inv.section_counts(s);
      const auto count = [&c](core::SeatState st) { return c[static_cast<size_t>(st)]; };
      out.places_left += count(core::SeatState::kFree) + count(core::SeatState::kHeld);
      taken += count(core::SeatState::kHeld) + count(core::SeatState::kBooked);
    }
    const size_t orders = inv.live_holds() + inv.booking_count();
    if (orders > 0) out.mean_basket = static_cast<double>(taken) / static_cast<double>(orders);
    return out;
  });
}

BookingService::~BookingService() { Stop(); }

void BookingService::SetTokenSources(TokenSourceFactory make) {
  token_sources_ = std::move(make);
  rooms_->SetTokenSource(token_sources_());
}

// ---- Journal ----------------------------------------------------------------------------

void BookingService::SubmitOrFail(store::Batch batch, store::DurableCallback done) {
  if (!done) {  // most batches: a callback small enough to need no allocation
    store_.Submit(std::move(batch), [this](Status s) { NoteJournalStatus(s); });
    return;
  }
  store_.Submit(std::move(batch), [this, done = std::move(done)](Status s) {
    NoteJournalStatus(s);
    done(std::move(s));
  });
}

Status BookingService::Refusal() const {
  if (failed()) return Status::Unavailable("the journal failed; changes are refused");
  if (!store_.reachable()) {
    return Status::Unavailable("the database is unreachable; changes are refused until it is back");
  }
  return Status::Ok();
}

void BookingService::NoteJournalStatus(const Status& s) {
  if (!s.ok() && !failed_.exchange(true)) {
    std::fprintf(stderr, "boxoffice: journal write failed, refusing further changes: %s\n",
                 s.message().c_str());
  }
}

void BookingService::Journal(ShowEntry& e, core::ShowInventory& inv, store::Batch batch,
                             store::DurableCallback done, const JournalContext& ctx) {
  const core::ShowId show = e.show->id;
  // A record per change (a booking makes two) and the version: one allocation.
  if (const size_t n = inv.changes().changes().size(); n > 0) {
    batch.records.reserve(batch.records.size() + 3 * n + 1);
  }
  for (const core::Change& c : inv.changes().changes()) {
    const auto seats = inv.changes().seats(c);
    // The outbox: the change itself, for systems downstream.
    batch.records.push_back(store::ChangeRecord{0,
                                                show,
                                                c.version,
                                                c.at_ms,
                                                static_cast<uint8_t>(c.reason),
                                                static_cast<uint8_t>(c.new_state),
                                                c.hold,
                                                c.booking,
                                                {seats.begin(), seats.end()},
                                                c.ga_area,
                                                c.ga_quantity});
    switch (c.reason) {
      case core::ChangeReason::kHeld: {
        core::HoldInfo h;
        BOX_ASSERT(inv.FindHold(c.hold, c.at_ms, &h) == Outcome::kOk);
        const core::DurationMs wall = clock_.WallAheadMs();  // one reading for both times
        batch.records.push_back(store::HoldRecord{show, h.id, owners_.User(h.owner), h.token,
                                                  h.seats, h.ga_area, h.ga_quantity, h.total_minor,
                                                  h.created_at_ms + wall, h.expires_at_ms + wall});
        holds_created_.Inc();
        holds_active_.Inc();
        break;
      }
      case core::ChangeReason::kReleased:
      case core::ChangeReason::kExpired:
        batch.records.push_back(store::HoldClosed{show, c.hold, EndOf(c.reason), c.at_ms, 0});
        (c.reason == core::ChangeReason::kExpired ? holds_expired_ : holds_released_).Inc();
        holds_active_.Dec();
        break;
      case core::ChangeReason::kBooked: {
        const core::Booking b = *inv.FindBooking(c.booking);
        batch.records.push_back(store::BookingRecord{
            show, b.id, b.hold, owners_.User(b.owner), b.seats, b.ga_area, b.ga_quantity,
            b.total_minor, ctx.payment_ref, b.booked_at_ms, false, 0});
        batch.records.push_back(
            store::HoldClosed{show, c.hold, store::HoldEnd::kConfirmed, c.at_ms, c.booking});
        rooms_->OnBooked(show, owners_.User(b.owner), c.at_ms, batch);
        e.booking_of_hold[c.hold] = c.booking;
        if (e.payment_refs.size() < b.id) e.payment_refs.resize(b.id);
        e.payment_refs[b.id - 1] = ctx.payment_ref;
        bookings_.Inc();
        holds_active_.Dec();
        break;
      }
      case core::ChangeReason::kCancelled:
        batch.records.push_back(store::BookingCancelled{show, c.booking, c.at_ms});
        cancellations_.Inc();
        break;
      case core::ChangeReason::kBlocked:
      case core::ChangeReason::kUnblocked:
        batch.records.push_back(store::SeatsBlocked{
            show, {seats.begin(), seats.end()}, c.reason == core::ChangeReason::kBlocked});
        break;
    }
    JournalExtras(e, inv, c, batch);
  }
  Announce(*e.show, inv);
  inv.changes().Clear();
  e.version.store(inv.version(), std::memory_order_release);
  if (batch.records.empty()) {
    if (done) done(Status::Ok());
    return;
  }
  batch.records.push_back(store::ShowVersion{show, inv.version()});
  SubmitOrFail(std::move(batch), std::move(done));
}

store::HoldExtended BookingService::ExtendedRecord(core::ShowId show, core::HoldId hold,
                                                   core::TimeMs created_at_ms,
                                                   core::TimeMs expires_at_ms) const {
  const core::DurationMs wall = clock_.WallAheadMs();  // one reading for both times
  return store::HoldExtended{show, hold, expires_at_ms + wall, created_at_ms + wall};
}

// ---- Catalogue ------------------------------------------------------------------------

void BookingService::CreateVenue(std::string seat_map_json,
                                 Done<StatusOr<std::shared_ptr<const Venue>>> done,
                                 Remember<StatusOr<std::shared_ptr<const Venue>>> remember) {
  if (Status refused = Refusal(); !refused.ok()) return done(refused);
  StatusOr<core::SeatMapSpec> spec = codec_.ParseSeatMap(seat_map_json);
  if (!spec.ok()) return done(spec.status());
  StatusOr<core::SeatMap> map = core::SeatMap::Build(*spec);
  if (!map.ok()) return done(map.status());
  auto venue = std::make_shared<Venue>();
  venue->name = map->name();
  venue->map = std::make_shared<const core::SeatMap>(std::move(map).value());
  venue->spec = std::move(spec).value();
  venue->created_at_ms = clock_.NowMs();
  {
    std::unique_lock<std::shared_mutex> lock(catalog_mu_);
    venue->id = next_venue_id_++;
    venues_[venue->id] = venue;
  }
  store::Batch batch;
  batch.records.push_back(
      store::VenueRecord{venue->id, venue->name, venue->spec, venue->created_at_ms});
  store::DurableCallback answer = Remembering<StatusOr<std::shared_ptr<const Venue>>>(
      remember, std::shared_ptr<const Venue>(venue), batch,
      [venue, done = std::move(done)](Status s) {
        if (!s.ok())
          return done(Status::Unavailable("could not journal the venue: " + s.message()));
        done(std::shared_ptr<const Venue>(venue));
      });
  SubmitOrFail(std::move(batch), std::move(answer));
}

std::shared_ptr<const Venue> BookingService::FindVenue(uint64_t id) const {
  std::shared_lock<std::shared_mutex> lock(catalog_mu_);
  auto it = venues_.find(id);
  return it == venues_.end() ? nullptr : it->second;
}

std::shared_ptr<const Show> BookingService::AddShow(core::ShowId id, ShowSettings settings,
                                                    std::shared_ptr<const Venue> venue,
                                                    core::TimeMs created_at_ms) {
  auto entry = std::make_unique<ShowEntry>();
  auto show = std::make_shared<Show>();
  show->id = id;
  show->settings = std::move(settings);
  show->venue = venue;
  show->created_at_ms = created_at_ms;
  entry->show = show;
  entry->shard = std::make_unique<ShowShard>(
      id, venue->map, PolicyOf(show->settings, *venue->map, caps_.hold_lifetime_max_ms),
      token_sources_());
  entry->ticket_codes = token_sources_();
  shows_[id] = std::move(entry);  // the caller holds catalog_mu_ exclusively
  return show;
}

void BookingService::CreateShow(ShowSettings settings,
                                Done<StatusOr<std::shared_ptr<const Show>>> done,
                                Remember<StatusOr<std::shared_ptr<const Show>>> remember) {
  if (Status refused = Refusal(); !refused.ok()) return done(refused);
  std::shared_ptr<const Venue> venue = FindVenue(settings.venue_id);
  if (venue == nullptr) return done(Status::NotFound("venue_id: no such venue"));
  if (Status s = ValidateSettings(settings, *venue, caps_); !s.ok()) return done(s);
  const core::TimeMs now = clock_.NowMs();
  std::shared_ptr<const Show> show;
  {
    std::unique_lock<std::shared_mutex> lock(catalog_mu_);
    show = AddShow(next_show_id_++, std::move(settings), venue, now);
  }
  store::Batch batch;
  batch.records.push_back(RecordOfShow(*show));
  store::DurableCallback answer = Remembering<StatusOr<std::shared_ptr<const Show>>>(
      remember, show, batch, [show, done = std::move(done)](Status s) {
        if (!s.ok()) return done(Status::Unavailable("could not journal the show: " + s.message()));
        done(show);
      });
  SubmitOrFail(std::move(batch), std::move(answer));
}

BookingService::ShowEntry* BookingService::EntryForChange(core::ShowId show, const char* not_found,
                                                          Status& status) const {
  ShowEntry* e = Entry(show);
  if (e == nullptr) {
    status = Status::NotFound(not_found);
  } else if (Status refused = Refusal(); !refused.ok()) {
    status = std::move(refused);
    e = nullptr;
  }
  return e;
}

BookingService::ShowEntry* BookingService::Entry(core::ShowId show) const {
  std::shared_lock<std::shared_mutex> lock(catalog_mu_);
  auto it = shows_.find(show);
  return it == shows_.end() ? nullptr : it->second.get();
}

std::shared_ptr<const Show> BookingService::FindShow(core::ShowId id) const {
  ShowEntry* e = Entry(id);
  return e == nullptr ? nullptr : e->show;
}

std::vector<std::shared_ptr<const Show>> BookingService::SearchShows(const ShowQuery& q) const {
  const auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  const std::string needle = lower(q.name_contains);
  std::vector<std::shared_ptr<const Show>> out;
  {
    std::shared_lock<std::shared_mutex> lock(catalog_mu_);
    for (const auto& [id, e] : shows_) {
      const ShowSettings& s = e->show->settings;
      if (q.venue_id != 0 && s.venue_id != q.venue_id) continue;
      if (s.starts_at_ms < q.from_ms || s.starts_at_ms > q.to_ms) continue;
      if (!needle.empty() && lower(s.name).find(needle) == std::string::npos) continue;
      out.push_back(e->show);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a->settings.starts_at_ms < b->settings.starts_at_ms;
  });
  return out;
}

uint64_t BookingService::Available(const Show& show) {
  std::shared_ptr<const Availability> a = GetAvailability(show.id);
  uint64_t free = 0;
  for (const core::StateCounts& c : a->sections) free += c[0];
  return free;
}

// ---- Availability -----------------------------------------------------------------------

std::shared_ptr<const Availability> BookingService::GetAvailability(core::ShowId show) {
  ShowEntry* e = Entry(show);
  if (e == nullptr) return nullptr;
  const core::Version version = e->version.load(std::memory_order_acquire);
  {
    std::lock_guard<std::mutex> lock(e->availability_mu);
    if (e->availability != nullptr && e->availability->version == version) return e->availability;
  }
  auto a = std::make_shared<Availability>();
  e->shard->With([&](core::ShowInventory& inv) {
    a->version = inv.version();
    for (core::SectionIndex s = 0; s < inv.map().sections().size(); ++s)
      a->sections.push_back(inv.section_counts(s));
    for (core::CategoryIndex c = 0; c < inv.map().categories().size(); ++c)
      a->categories.push_back(inv.category_counts(c));
    a->seat_states = core::EncodeSeatStates(inv.seat_states());
    return 0;
  });
  std::lock_guard<std::mutex> lock(e->availability_mu);
  if (e->availability == nullptr || e->availability->version < a->version) e->availability = a;
  return e->availability;
}

// ---- Holds ----------------------------------------------------------------------------------

std::vector<std::string> BookingService::Labels(const core::SeatMap& map,
                                                std::span<const core::SeatIndex> seats) const {
  std::vector<std::string> out;
  out.reserve(seats.size());
  for (core::SeatIndex s : seats) out.push_back(map.label(s));
  return out;
}

StatusOr<std::vector<core::SeatIndex>> BookingService::SeatsOf(
    const core::SeatMap& map, const std::vector<std::string>& labels,
    std::vector<std::string>* unknown) const {
  std::vector<core::SeatIndex> seats;
  for (const std::string& l : labels) {
    if (std::optional<core::SeatIndex> s = map.FindSeat(l)) {
      seats.push_back(*s);
    } else {
      unknown->push_back(l);
    }
  }
  if (!unknown->empty()) return Status::NotFound("unknown seat(s)");
  return seats;
}

Status BookingService::CheckOnSale(const Show& show, core::TimeMs now) const {
  if (now < show.settings.on_sale_at_ms)
    return Status::FailedPrecondition("the show is not on sale yet");
  return Status::Ok();
}

HoldView BookingService::ViewOfHold(const ShowEntry& e, const core::HoldInfo& h) const {
  const core::SeatMap& map = *e.show->venue->map;
  HoldView v;
  v.show = e.show->id;
  v.hold = h.id;
  v.user = owners_.User(h.owner);
  v.token = h.token;
  v.seats = Labels(map, h.seats);
  if (h.ga_area != core::kNoArea) v.ga_area = map.section(h.ga_area).id;
  v.ga_quantity = h.ga_quantity;
  v.total_minor = h.total_minor;
  v.currency = e.show->settings.currency;
  v.created_at_ms = clock_.ToWallMs(h.created_at_ms);  // as fans see them
  v.expires_at_ms = clock_.ToWallMs(h.expires_at_ms);
  return v;
}

Reply<HoldView> BookingService::CreateHold(const std::string& user, core::ShowId show,
                                           const HoldWanted& wanted) {
  Reply<HoldView> reply;
  ShowEntry* e = EntryForChange(show, "no such show", reply.status);
  if (e == nullptr) return reply;
  const core::TimeMs now = clock_.NowMs();
  if (reply.status = CheckOnSale(*e->show, now); !reply.status.ok()) return reply;
  const core::SeatMap& map = *e->show->venue->map;
  const core::DurationMs ttl_ms = core::DurationMs{e->show->settings.hold_ttl_s} * 1000;
  const core::OwnerId owner = owners_.Intern(user);
  std::vector<core::SeatIndex> seats;
  core::BestAvailableRequest best;
  core::SectionIndex area = core::kNoArea;
  uint32_t quantity = 0;
  if (const auto* w = std::get_if<SeatsWanted>(&wanted)) {
    StatusOr<std::vector<core::SeatIndex>> s = SeatsOf(map, w->labels, &reply.conflicts);
    if (!s.ok()) {
      reply.status = s.status();
      return reply;
    }
    seats = std::move(s).value();
  } else if (const auto* b = std::get_if<BestWanted>(&wanted)) {
    best.count = b->count;
    best.accessible_only = b->accessible;
    best.allow_split = b->allow_split;
    if (!b->section.empty()) best.section = map.FindSection(b->section);
    if (!b->category.empty()) best.category = map.FindCategory(b->category);
    if ((!b->section.empty() && !best.section) || (!b->category.empty() && !best.category)) {
      reply.status = Status::InvalidArgument(best.section || b->section.empty()
                                                 ? "best_available.category: no such category"
                                                 : "best_available.section: no such section");
      return reply;
    }
  } else {
    const auto& p = std::get<PlacesWanted>(wanted);
    const std::optional<core::SectionIndex> a = map.FindSection(p.area);
    if (!a || !map.section(*a).general_admission) {
      reply.status =
          Status::InvalidArgument("general_admission.area: no such general-admission area");
      return reply;
    }
    area = *a;
    quantity = p.quantity;
  }
  e->shard->With([&](core::ShowInventory& inv) {
    core::HoldResult r;
    if (std::holds_alternative<SeatsWanted>(wanted)) {
      r = inv.HoldSeats(owner, seats, ttl_ms, now);
    } else if (std::holds_alternative<BestWanted>(wanted)) {
      r = inv.HoldBest(owner, best, ttl_ms, now);
    } else {
      r = inv.HoldGeneralAdmission(owner, area, quantity, ttl_ms, now);
    }
    reply.outcome = r.outcome;
    reply.existing = r.existing;
    reply.conflicts = Labels(map, r.conflicts);
    if (r.outcome == Outcome::kOk) {
      core::HoldInfo info;
      BOX_ASSERT(inv.FindHold(r.hold, now, &info) == Outcome::kOk);
      reply.value = ViewOfHold(*e, info);
    } else if (r.outcome == Outcome::kSeatUnavailable || r.outcome == Outcome::kNotEnoughSeats) {
      hold_conflicts_.Inc();
    }
    Journal(*e, inv, {}, nullptr);
    return 0;
  });
  return reply;
}

// The status of a hold that is not live, from the core's tombstone.
static HoldStatus StatusOfClosed(Outcome why) {
  switch (why) {
    case Outcome::kHoldExpired:
      return HoldStatus::kExpired;
    case Outcome::kHoldReleased:
      return HoldStatus::kReleased;
    default:
      return HoldStatus::kConfirmed;
  }
}

Reply<HoldView> BookingService::GetHold(core::ShowId show, core::HoldId hold) {
  Reply<HoldView> reply;
  ShowEntry* e = Entry(show);
  if (e == nullptr) {
    reply.status = Status::NotFound("no such hold");
    return reply;
  }
  const core::TimeMs now = clock_.NowMs();
  e->shard->With([&](core::ShowInventory& inv) {
    inv.Advance(now);  // so that a hold due now reads as expired, with its tombstone
    Journal(*e, inv, {}, nullptr);
    core::HoldInfo info;
    const Outcome o = inv.FindHold(hold, now, &info);
    if (o == Outcome::kOk) {
      reply.value = ViewOfHold(*e, info);
    } else if (o == Outcome::kHoldNotFound) {
      reply.status = Status::NotFound("no such hold");
    } else {
      reply.value.show = show;
      reply.value.hold = hold;
      reply.value.status = StatusOfClosed(o);
      reply.value.currency = e->show->settings.currency;
      if (auto closed = inv.FindClosedHold(hold)) {
        reply.value.user = owners_.User(closed->owner);
        reply.value.booking = closed->booking;
      }
    }
    return 0;
  });
  return reply;
}

Reply<HoldView> BookingService::ReleaseHold(core::ShowId show, core::HoldId hold,
                                            const core::Token& token) {
  Reply<HoldView> reply;
  ShowEntry* e = EntryForChange(show, "no such hold", reply.status);
  if (e == nullptr) return reply;
  const core::TimeMs now = clock_.NowMs();
  e->shard->With([&](core::ShowInventory& inv) {
    reply.outcome = inv.Release(hold, token, now);
    if (reply.outcome == Outcome::kHoldNotFound) reply.status = Status::NotFound("no such hold");
    Journal(*e, inv, {}, nullptr);
    return 0;
  });
  reply.value.show = show;
  reply.value.hold = hold;
  if (reply.outcome == Outcome::kOk) reply.value.status = HoldStatus::kReleased;
  return reply;
}

Reply<HoldView> BookingService::ExtendHold(core::ShowId show, core::HoldId hold,
                                           const core::Token& token, uint32_t by_s) {
  Reply<HoldView> reply;
  ShowEntry* e = EntryForChange(show, "no such hold", reply.status);
  if (e == nullptr) return reply;
  const core::TimeMs now = clock_.NowMs();
  e->shard->With([&](core::ShowInventory& inv) {
    core::TimeMs expires = 0;
    reply.outcome = inv.Extend(hold, token, core::DurationMs{by_s} * 1000, now, &expires);
    store::Batch batch;
    if (reply.outcome == Outcome::kOk) {
      core::HoldInfo info;
      BOX_ASSERT(inv.FindHold(hold, now, &info) == Outcome::kOk);
      reply.value = ViewOfHold(*e, info);
      batch.records.push_back(ExtendedRecord(show, hold, info.created_at_ms, expires));
      AddTrail(*e, hold, store::HoldTrailKind::kExtended, now, "by the fan", batch);
    } else if (reply.outcome == Outcome::kHoldNotFound) {
      reply.status = Status::NotFound("no such hold");
    }
    Journal(*e, inv, std::move(batch), nullptr);
    return 0;
  });
  return reply;
}

BookingView BookingService::ViewOfBooking(const ShowEntry& e, const core::Booking& b) const {
  const core::SeatMap& map = *e.show->venue->map;
  BookingView v;
  v.show = e.show->id;
  v.booking = b.id;
  v.hold = b.hold;
  v.user = owners_.User(b.owner);
  v.cancelled = b.cancelled;
  v.seats = Labels(map, b.seats);
  if (b.ga_area != core::kNoArea) v.ga_area = map.section(b.ga_area).id;
  v.ga_quantity = b.ga_quantity;
  v.total_minor = b.total_minor;
  v.currency = e.show->settings.currency;
  if (b.id <= e.payment_refs.size()) v.payment_ref = e.payment_refs[b.id - 1];
  v.booked_at_ms = b.booked_at_ms;
  v.cancelled_at_ms = b.cancelled_at_ms;
  if (b.id <= e.tickets.size()) {
    const std::vector<std::string>& codes = e.tickets[b.id - 1];
    for (size_t i = 0; i < codes.size(); ++i) {
      TicketView t{codes[i], v.show, b.id, "", v.user, b.cancelled};
      t.label = i < v.seats.size() ? v.seats[i] : v.ga_area + "#" + std::to_string(i + 1);
      v.tickets.push_back(std::move(t));
    }
  }
  return v;
}

void BookingService::ConfirmHold(core::ShowId show, core::HoldId hold, std::string payment_ref,
                                 Done<Reply<BookingView>> done,
                                 Remember<Reply<BookingView>> remember) {
  Reply<BookingView> reply;
  ShowEntry* e = EntryForChange(show, "no such hold", reply.status);
  if (e == nullptr) return done(std::move(reply));
  const core::TimeMs now = clock_.NowMs();
  bool submitted = false;
  e->shard->With([&](core::ShowInventory& inv) {
    // The box office sells on the fan's behalf: it acts with the hold's own token.
    inv.Advance(now);
    core::HoldInfo info;
    if (inv.FindHold(hold, now, &info) != Outcome::kOk) {
      const auto closed = inv.FindClosedHold(hold);
      reply.outcome = closed ? closed->why : Outcome::kHoldNotFound;
      reply.value.show = show;
      if (closed) reply.value.booking = closed->booking;
      if (!closed) reply.status = Status::NotFound("no such hold");
      Journal(*e, inv, {}, nullptr);
      return 0;
    }
    const core::Token token = info.token;
    const core::ConfirmResult r = inv.Confirm(hold, token, now);
    BOX_ASSERT(r.outcome == Outcome::kOk);  // live, right token, just checked under the lock
    e->payment_refs.resize(std::max<size_t>(e->payment_refs.size(), r.booking));
    e->payment_refs[r.booking - 1] = payment_ref;
    EnsureTickets(*e, inv, r.booking);
    reply.value = ViewOfBooking(*e, *inv.FindBooking(r.booking));
    submitted = true;
    store::Batch batch;
    store::DurableCallback answer =
        Remembering(remember, reply, batch, AnswerWhenDurable(reply, done, "the booking"));
    Journal(*e, inv, std::move(batch), std::move(answer), JournalContext{payment_ref});
    return 0;
  });
  if (!submitted) done(std::move(reply));
}

Reply<BookingView> BookingService::GetBooking(core::ShowId show, core::BookingId booking) {
  Reply<BookingView> reply;
  ShowEntry* e = Entry(show);
  if (e == nullptr) {
    reply.status = Status::NotFound("no such booking");
    return reply;
  }
  e->shard->With([&](core::ShowInventory& inv) {
    std::optional<core::Booking> b = inv.FindBooking(booking);
    if (b) {
      reply.value = ViewOfBooking(*e, *b);
    } else {
      reply.status = Status::NotFound("no such booking");
    }
    return 0;
  });
  return reply;
}

std::vector<BookingView> BookingService::BookingsOfShow(core::ShowId show) {
  std::vector<BookingView> out;
  ShowEntry* e = Entry(show);
  if (e == nullptr) return out;
  e->shard->With([&](core::ShowInventory& inv) {
    for (core::BookingId id = 1; id <= inv.booking_count(); ++id)
      out.push_back(ViewOfBooking(*e, *inv.FindBooking(id)));
    return 0;
  });
  return out;
}

std::vector<BookingView> BookingService::BookingsOfUser(const std::string& user) {
  std::vector<core::ShowId> ids;
  {
    std::shared_lock<std::shared_mutex> lock(catalog_mu_);
    for (const auto& [id, e] : shows_) ids.push_back(id);
  }
  std::vector<BookingView> out;
  for (core::ShowId id : ids) {
    for (BookingView& b : BookingsOfShow(id)) {
      if (b.user == user) out.push_back(std::move(b));
    }
  }
  return out;
}

void BookingService::CancelBooking(core::ShowId show, core::BookingId booking,
                                   Done<Reply<BookingView>> done,
                                   Remember<Reply<BookingView>> remember) {
  Reply<BookingView> reply;
  ShowEntry* e = EntryForChange(show, "no such booking", reply.status);
  if (e == nullptr) return done(std::move(reply));
  const core::TimeMs now = clock_.NowMs();
  bool submitted = false;
  e->shard->With([&](core::ShowInventory& inv) {
    std::optional<core::Booking> before = inv.FindBooking(booking);
    reply.outcome = inv.Cancel(booking, now);
    if (reply.outcome == Outcome::kBookingNotFound)
      reply.status = Status::NotFound("no such booking");
    if (reply.outcome != Outcome::kOk) {
      Journal(*e, inv, {}, nullptr);
      return 0;
    }
    reply.value = ViewOfBooking(*e, *before);  // with its seats, as it was
    reply.value.cancelled = true;
    reply.value.cancelled_at_ms = now;
    for (TicketView& t : reply.value.tickets) t.cancelled = true;
    submitted = true;
    store::Batch batch;
    const std::string refund = RefundOnCancel(reply.value, now, batch);
    Done<Reply<BookingView>> then = [this, done, refund](Reply<BookingView> r) {
      if (!refund.empty()) {
        EndCancelSettling(refund);
        if (r.status.ok()) RequestRefund(refund);
      }
      done(std::move(r));
    };
    store::DurableCallback answer = Remembering(
        remember, reply, batch, AnswerWhenDurable(reply, std::move(then), "the cancellation"));
    Journal(*e, inv, std::move(batch), std::move(answer));
    return 0;
  });
  if (!submitted) done(std::move(reply));
}

AuditResult BookingService::Audit(core::ShowId show) {
  AuditResult out;
  ShowEntry* e = Entry(show);
  if (e == nullptr) return out;
  e->shard->With([&](core::ShowInventory& inv) {
    const core::AuditReport r = core::AuditShow(inv);
    out.ok = r.ok();
    out.violations = r.violations;
    out.version = inv.version();
    return 0;
  });
  return out;
}

// ---- Idempotency ------------------------------------------------------------------------------

std::optional<store::IdempotencyRecord> BookingService::FindIdempotent(
    const std::string& user, const std::string& key) const {
  return idempotency_.Find(user, key);
}

void BookingService::RememberIdempotent(store::IdempotencyRecord record,
                                        store::DurableCallback done) {
  if (!idempotency_.Add(record)) {
    if (done) done(Status::Ok());  // a concurrent twin got there first
    return;
  }
  store::Batch batch;
  batch.records.push_back(std::move(record));
  SubmitOrFail(std::move(batch), std::move(done));
}

void BookingService::RememberIdempotentOnceDurable(store::IdempotencyRecord record,
                                                   store::DurableCallback done) {
  store::Batch batch;
  store::DurableCallback kept = Remembering<store::IdempotencyRecord>(
      [](const store::IdempotencyRecord& r) { return r; }, record, batch, std::move(done));
  SubmitOrFail(std::move(batch), std::move(kept));
}

// ---- Recovery -----------------------------------------------------------------------------------

Status BookingService::Recover() {
  StatusOr<store::Snapshot> loaded = store_.Load();
  if (!loaded.ok()) return loaded.status();
  const store::Snapshot& snap = *loaded;
  std::unique_lock<std::shared_mutex> lock(catalog_mu_);
  for (const store::VenueRecord& v : snap.venues) {
    StatusOr<core::SeatMap> map = core::SeatMap::Build(v.seat_map);
    if (!map.ok())
      return Status::Corruption("venue " + std::to_string(v.venue_id) + ": " +
                                map.status().message());
    auto venue = std::make_shared<Venue>();
    venue->id = v.venue_id;
    venue->name = v.name;
    venue->spec = v.seat_map;
    venue->map = std::make_shared<const core::SeatMap>(std::move(map).value());
    venue->created_at_ms = v.created_at_ms;
    venues_[v.venue_id] = venue;
    next_venue_id_ = std::max(next_venue_id_, v.venue_id + 1);
  }
  for (const store::ShowRecord& r : snap.shows) {
    ShowSettings settings = SettingsOfRecord(r);
    auto venue = venues_.find(r.venue_id);
    if (venue == venues_.end()) {
      return Status::Corruption("show " + std::to_string(r.show_id) + ": no venue " +
                                std::to_string(r.venue_id));
    }
    // Settings this build would refuse to create are refused read back too.
    if (const Status valid = ValidateSettings(settings, *venue->second, ShowCaps{}); !valid.ok()) {
      return Status::Corruption("show " + std::to_string(r.show_id) + ": " + valid.message());
    }
    AddShow(r.show_id, std::move(settings), venue->second, r.created_at_ms);
    next_show_id_ = std::max(next_show_id_, r.show_id + 1);
  }
  for (auto& [id, entry] : shows_) {
    if (Status st = RecoverShow(snap, *entry); !st.ok()) return st;
  }
  lock.unlock();
  for (const store::IdempotencyRecord& r : snap.idempotency) idempotency_.Add(r);
  if (Status st = RecoverPayments(snap); !st.ok()) return st;
  if (Status st = rooms_->Recover(snap); !st.ok()) return st;
  show_states_->Recover(snap);
  Sweep();  // holds that expired while the server was down
  return Status::Ok();
}

Status BookingService::RecoverShow(const store::Snapshot& snap, ShowEntry& e) {
  const core::ShowId show = e.show->id;
  std::vector<const store::BookingRecord*> bookings;
  for (const store::BookingRecord& b : snap.bookings) {
    if (b.show_id == show) bookings.push_back(&b);
  }
  std::sort(bookings.begin(), bookings.end(),
            [](const auto* a, const auto* b) { return a->booking_id < b->booking_id; });
  return e.shard->With([&](core::ShowInventory& inv) -> Status {
    for (const store::BookingRecord* b : bookings) {
      core::Booking cb{b->booking_id,
                       b->hold_id,
                       owners_.Intern(b->owner),
                       b->booked_at_ms,
                       b->total_minor,
                       b->seats,
                       static_cast<uint32_t>(b->seats.size()),
                       b->ga_area,
                       b->ga_quantity,
                       b->cancelled,
                       b->cancelled_at_ms};
      if (Status st = inv.RestoreBooking(cb); !st.ok()) return st;
      e.payment_refs.push_back(b->payment_ref);
      e.booking_of_hold[b->hold_id] = b->booking_id;
    }
    // Deadlines are stored in wall-clock time: mapped back onto this
    // process's monotonic timeline by how far the two clocks are apart now.
    const core::DurationMs wall_ahead_ms = clock_.WallAheadMs();
    for (const store::HoldRecord& h : snap.live_holds) {
      if (h.show_id != show) continue;
      core::HoldInfo info{h.hold_id,
                          owners_.Intern(h.owner),
                          h.token,
                          h.created_at_ms - wall_ahead_ms,
                          h.expires_at_ms - wall_ahead_ms,
                          h.total_minor,
                          h.seats,
                          h.ga_area,
                          h.ga_quantity};
      if (Status st = inv.RestoreHold(info); !st.ok()) return st;
      holds_active_.Inc();
    }
    for (const store::SeatsBlocked& b : snap.blocked) {
      if (b.show_id != show) continue;
      if (Status st = inv.RestoreBlocked(b.seats); !st.ok()) return st;
    }
    for (const store::ClosedHoldRecord& h : snap.closed_holds) {
      if (h.show_id != show) continue;
      const Status st = inv.RestoreClosedHold(h.hold_id, owners_.Intern(h.owner), h.token,
                                              OutcomeOfEnd(h.why), h.booking_id, h.closed_at_ms);
      if (!st.ok()) return st;
    }
    core::Version version = 0;
    for (const store::ShowVersion& v : snap.versions) {
      if (v.show_id == show) version = std::max(version, v.version);
    }
    if (Status st = inv.FinishRestore(version); !st.ok()) return st;
    e.version.store(inv.version());
    const core::AuditReport audit = core::AuditShow(inv);
    if (!audit.ok())
      return Status::Corruption("show " + std::to_string(show) +
                                " after recovery: " + audit.Summary());
    return Status::Ok();
  });
}

// ---- Expiry sweeper ------------------------------------------------------------------------

void BookingService::Sweep() {
  std::vector<ShowEntry*> entries;
  {
    std::shared_lock<std::shared_mutex> lock(catalog_mu_);
    for (const auto& [id, e] : shows_) entries.push_back(e.get());
  }
  const core::TimeMs now = clock_.NowMs();
  const bool prune = now - last_prune_ms_ >= kClosedHoldPruneIntervalMs;
  if (prune) last_prune_ms_ = now;
  for (ShowEntry* e : entries) {
    e->shard->With([&](core::ShowInventory& inv) {
      inv.Advance(now);
      Journal(*e, inv, {}, nullptr);
      WarnExpiringSoon(*e->show, inv, now);
      if (prune) inv.ForgetClosedHolds(now - kClosedHoldMemoryMs);
      return 0;
    });
  }
  if (prune) PruneHistory(now);
  rooms_->Tick();
  if (now - last_reconcile_ms_ >= kReconcileIntervalMs) {
    last_reconcile_ms_ = now;
    ReconcilePayments();
  }
}

void BookingService::StartSweeper() {
  sweeper_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(sweeper_mu_);
    while (!stopping_.load()) {
      sweeper_cv_.wait_for(lock, std::chrono::milliseconds(kExpirySweepIntervalMs));
      if (stopping_.load()) break;
      lock.unlock();
      Sweep();
      lock.lock();
    }
  });
}

void BookingService::Stop() {
  {
    std::lock_guard<std::mutex> lock(sweeper_mu_);
    stopping_.store(true);
  }
  sweeper_cv_.notify_all();
  if (sweeper_.joinable()) sweeper_.join();
}

}  // namespace boxoffice::service
