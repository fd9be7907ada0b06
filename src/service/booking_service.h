// BookingService: the use cases — venues, shows, holds, box-office sales,
// bookings — on top of the per-show inventories and the durable store.
//
// Every state change is journaled. Holds, releases and extensions are
// answered once their records are queued for the journal (a crash may lose
// the last few milliseconds of them); venues, shows, bookings and
// cancellations are answered only once their batch is durable. The journal
// order of one show is its version order: records are queued under the
// show's lock, in the order the inventory made the changes.
//
// Recover() rebuilds everything from the store before the server serves. A
// sweeper thread expires holds on time (Start/Stop); every operation also
// expires what fell due first, so the sweeper only makes expiry visible.
//
// A store failure is not survivable quietly: the service stops accepting
// changes (failed() turns true, operations answer kUnavailable) and readiness
// reports it. A store that cannot reach its database (store::Store::reachable)
// is not a failure: changes are refused with kUnavailable while it is
// away, and taken again once it is back, with nothing of what was queued
// lost. Nothing is acknowledged that is not journaled.
//
// Thread-safety: every public method may be called from any thread.
// Asynchronous results (`done` callbacks) may run on the store's writer thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "core/limits.h"
#include "core/seat_map.h"
#include "core/show_inventory.h"
#include "core/status.h"
#include "metrics/metrics.h"
#include "payments/gateway.h"
#include "payments/webhook.h"
#include "service/catalog_codec.h"
#include "service/change_sink.h"
#include "service/hold_events.h"
#include "service/hold_trails.h"
#include "service/hold_warnings.h"
#include "service/idempotency_cache.h"
#include "service/owners.h"
#include "service/show_shard.h"
#include "service/show_states.h"
#include "service/waiting_rooms.h"
#include "store/store.h"

namespace boxoffice::service {

inline constexpr core::DurationMs kExpirySweepIntervalMs = 100;
// How long a closed hold is remembered (GET /v1/holds/{id} says "expired"
// rather than "not found"), and how often old ones are forgotten.
inline constexpr core::DurationMs kClosedHoldMemoryMs = 3'600'000;
inline constexpr core::DurationMs kClosedHoldPruneIntervalMs = 60'000;
inline constexpr size_t kCurrencyBytes = 3;
// Payments: how often the sweeper looks for payments to reconcile (each is
// asked about until it is final, at most every reconcile_after_ms), and how
// long webhook event ids and hold trails are remembered (the ids far longer
// than the signature's replay window).
inline constexpr core::DurationMs kReconcileIntervalMs = 1'000;
inline constexpr core::DurationMs kWebhookEventRetentionMs = 7 * 86'400'000LL;
inline constexpr core::DurationMs kHoldTrailRetentionMs = 86'400'000;
static_assert(kWebhookEventRetentionMs > payments::kWebhookToleranceS * 1000);
// How long the first response to an Idempotency-Key is replayed; after that
// the key may be used again as a new request.
inline constexpr core::DurationMs kIdempotencyRetentionMs = 86'400'000;
// How long the outbox keeps a change for readers downstream (GET /v1/changes);
// a reader further behind is told what it missed is gone.
inline constexpr core::DurationMs kOutboxRetentionMs = 7 * 86'400'000LL;

// ---- Catalogue values ----------------------------------------------------------------

struct Venue {
  uint64_t id = 0;
  std::string name;
  core::SeatMapSpec spec;  // the description the map was built from
  std::shared_ptr<const core::SeatMap> map;
  core::TimeMs created_at_ms = 0;
};

struct ShowSettings {
  uint64_t venue_id = 0;
  std::string name;
  core::TimeMs starts_at_ms = 0;
  core::TimeMs on_sale_at_ms = 0;
  std::string currency;
  std::map<std::string, int64_t> prices;  // by category id: every category of the venue
  uint32_t hold_ttl_s = 600;
  uint32_t seats_per_order_max = 10;
  uint32_t seats_per_fan_max = 10;
};

// What the operator lets a show set (serve's hold_ttl_max_s, seats_per_hold_max,
// seats_per_owner_max, hold_lifetime_max_s), within the core's hard limits
// (core/limits.h). The caps apply when a show is made; a show read back at
// recovery is held to the hard limits only, so lowering a cap never turns an
// existing show into corruption.
struct ShowCaps {
  uint32_t hold_ttl_s_max = core::kHoldTtlSecondsMax;
  uint32_t seats_per_order_max = core::kSeatsPerHoldMax;
  uint32_t seats_per_fan_max = core::kSeatsPerOwnerMax;
  core::DurationMs hold_lifetime_max_ms = 1'800'000;  // extensions stop at this age
};

struct Show {
  core::ShowId id = 0;
  ShowSettings settings;
  std::shared_ptr<const Venue> venue;
  core::TimeMs created_at_ms = 0;
};

// ---- Requests and replies ------------------------------------------------------------

struct SeatsWanted {
  std::vector<std::string> labels;
};
struct BestWanted {
  uint32_t count = 0;
  std::string section;   // "" = any
  std::string category;  // "" = any
  bool accessible = false;
  bool allow_split = false;
};
struct PlacesWanted {
  std::string area;
  uint32_t quantity = 0;
};
using HoldWanted = std::variant<SeatsWanted, BestWanted, PlacesWanted>;

enum class HoldStatus : uint8_t { kHeld, kReleased, kExpired, kConfirmed };
std::string_view HoldStatusName(HoldStatus s);

struct HoldView {
  core::ShowId show = 0;
  core::HoldId hold = 0;
  std::string user;
  core::Token token;
  HoldStatus status = HoldStatus::kHeld;
  std::vector<std::string> seats;  // labels
  std::string ga_area;
  uint32_t ga_quantity = 0;
  int64_t total_minor = 0;
  std::string currency;
  core::TimeMs created_at_ms = 0;
  core::TimeMs expires_at_ms = 0;
  core::BookingId booking = 0;  // when confirmed
};

// A ticket: one booked seat or GA place, with its unguessable code.
struct TicketView {
  std::string code;
  core::ShowId show = 0;
  core::BookingId booking = 0;
  std::string label;  // the seat's label, or "<area>#<place>" for general admission
  std::string user;
  bool cancelled = false;  // the booking was cancelled: the ticket is void
};

struct BookingView {
  core::ShowId show = 0;
  core::BookingId booking = 0;
  core::HoldId hold = 0;
  std::string user;
  bool cancelled = false;
  std::vector<std::string> seats;
  std::string ga_area;
  uint32_t ga_quantity = 0;
  int64_t total_minor = 0;
  std::string currency;
  std::string payment_ref;
  core::TimeMs booked_at_ms = 0;
  core::TimeMs cancelled_at_ms = 0;
  std::vector<TicketView> tickets;  // one per seat or place, in the booking's order
};

// What checkout answers: the payment the fan approves at `pay_url`.
struct CheckoutView {
  core::ShowId show = 0;
  core::HoldId hold = 0;
  std::string payment_id;
  int64_t amount_minor = 0;
  std::string currency;
  std::string pay_url;
  core::TimeMs expires_at_ms = 0;  // the hold's, after the checkout extension
  bool existing = false;           // a repeated checkout got the payment already made
};

std::string_view HoldTrailKindName(store::HoldTrailKind k);

// What became of a webhook event.
enum class WebhookOutcome : uint8_t {
  kApplied,    // it took effect (or changed nothing, being older news), durably
  kDuplicate,  // this event id took effect before
};

// What an operation came to: an operational Status (bad input, unknown ids,
// store failure), else a domain outcome with its details.
template <typename T>
struct Reply {
  Status status;
  core::Outcome outcome = core::Outcome::kOk;
  T value{};
  std::vector<std::string> conflicts;  // seat labels, with kSeatUnavailable
  bool existing = false;               // a repeated hold request got its live hold back
  bool ok() const { return status.ok() && outcome == core::Outcome::kOk; }
};

// Counts and the compact seat-state encoding of one version of a show.
struct Availability {
  core::Version version = 0;
  std::vector<core::StateCounts> sections;    // by SectionIndex
  std::vector<core::StateCounts> categories;  // by CategoryIndex
  std::string seat_states;                    // core/snapshot.h encoding
};

struct AuditResult {
  bool ok = false;
  std::vector<std::string> violations;
  core::Version version = 0;
};

struct ShowQuery {
  std::string name_contains;  // case-insensitive
  uint64_t venue_id = 0;      // 0 = any
  core::TimeMs from_ms = INT64_MIN;
  core::TimeMs to_ms = INT64_MAX;
};

template <typename T>
using Done = std::function<void(T)>;
using TokenSourceFactory = std::function<std::unique_ptr<core::TokenSource>()>;

// The Idempotency-Key's record of an answer `R` (rendered by the caller as it
// will answer), for operations answered only once their effect is durable:
// the service writes it in the same batch as the effect, so a replay after any
// crash finds the first answer, or the request never happened. Empty: the
// request has no key. Called at most once, under the show's lock.
template <typename R>
using Remember = std::function<store::IdempotencyRecord(const R&)>;

// How the service takes payments.
struct PaymentsSetup {
  payments::PaymentGateway* gateway = nullptr;
  std::string webhook_secret;  // HMAC key of the gateway's webhooks
  std::string currency = "EUR";
  core::DurationMs checkout_extension_ms =
      300'000;                                   // a hold is extended once, by this, at checkout
  core::DurationMs reconcile_after_ms = 60'000;  // pending payments older than this are queried
};

class BookingService {
 public:
  // `clock` is the service's notion of now (core/clock.h): deadlines run on
  // its monotonic timeline; they are stored and shown in wall-clock time.
  BookingService(store::Store& store, const CatalogCodec& codec, const core::Clock& clock,
                 metrics::Registry& metrics, ShowCaps caps = {});
  ~BookingService();
  BookingService(const BookingService&) = delete;
  BookingService& operator=(const BookingService&) = delete;

  // Rebuilds venues, shows, bookings and live holds from the store.
  Status Recover();
  void StartSweeper();
  void Stop();  // stops the sweeper; idempotent
  // The sweeper's work, once, now: expiries and warnings, retention pruning,
  // the waiting rooms' tick, reconciliation. The sweeper thread runs it every
  // kExpirySweepIntervalMs; tools and tests that drive time call it themselves.
  void Sweep();
  bool failed() const { return failed_.load(); }
  // Why changes are refused right now (the journal failed, the store is
  // unreachable), or OK.
  Status Refusal() const;
  const core::Clock& clock() const { return clock_; }

  // ---- Wiring (before Recover; the objects outlive the service) ----
  // Where hold lifecycle events go (the live-stream hub); none by default.
  void SetHoldEventSink(HoldEventSink* sink) { hold_events_ = sink; }
  // Where every change goes as it is made (the live-stream hub); none by default.
  void SetChangeSink(ChangeSink* sink) { change_sink_ = sink; }
  // How long before expires_at the holder gets kExpiringSoon.
  void SetHoldWarning(core::DurationMs warning_ms) { hold_warning_ms_ = warning_ms; }
  // The payment gateway and how checkouts use it; without it, checkout is
  // unavailable and only box-office confirmation books.
  void SetPayments(PaymentsSetup setup) { payments_ = std::move(setup); }
  // Where hold tokens, ticket codes and waiting rooms' seeds and keys come
  // from: each call makes one source (a show's or the rooms'). The
  // operating system's CSPRNG by default; a simulation passes seeded ones.
  void SetTokenSources(TokenSourceFactory make);

  // The shows' waiting rooms (recovered, advanced and told of bookings by the service).
  WaitingRooms& rooms() { return *rooms_; }
  // The shows' sales states and tickets let in at the door (recovered by the service).
  ShowStates& show_states() { return *show_states_; }

  // ---- Catalogue ----
  void CreateVenue(std::string seat_map_json, Done<StatusOr<std::shared_ptr<const Venue>>> done,
                   Remember<StatusOr<std::shared_ptr<const Venue>>> remember = {});
  std::shared_ptr<const Venue> FindVenue(uint64_t id) const;
  void CreateShow(ShowSettings settings, Done<StatusOr<std::shared_ptr<const Show>>> done,
                  Remember<StatusOr<std::shared_ptr<const Show>>> remember = {});
  std::shared_ptr<const Show> FindShow(core::ShowId id) const;
  std::vector<std::shared_ptr<const Show>> SearchShows(const ShowQuery& q) const;
  // Free places (seats + GA) of a show right now.
  uint64_t Available(const Show& show);

  // ---- Availability ----
  // The current availability; built once per version and shared.
  std::shared_ptr<const Availability> GetAvailability(core::ShowId show);

  // ---- Holds ----
  Reply<HoldView> CreateHold(const std::string& user, core::ShowId show, const HoldWanted& wanted);
  Reply<HoldView> GetHold(core::ShowId show, core::HoldId hold);
  Reply<HoldView> ReleaseHold(core::ShowId show, core::HoldId hold, const core::Token& token);
  Reply<HoldView> ExtendHold(core::ShowId show, core::HoldId hold, const core::Token& token,
                             uint32_t by_s);
  // Box-office sale: answered once the booking is durable.
  void ConfirmHold(core::ShowId show, core::HoldId hold, std::string payment_ref,
                   Done<Reply<BookingView>> done, Remember<Reply<BookingView>> remember = {});

  // ---- The outbox: every change, durably, for systems downstream ----
  void ReadChanges(const store::ChangesQuery& query, store::ChangesDone done) {
    store_.ReadChanges(query, std::move(done));
  }

  // ---- Bookings ----
  Reply<BookingView> GetBooking(core::ShowId show, core::BookingId booking);
  std::vector<BookingView> BookingsOfUser(const std::string& user);
  std::vector<BookingView> BookingsOfShow(core::ShowId show);
  void CancelBooking(core::ShowId show, core::BookingId booking, Done<Reply<BookingView>> done,
                     Remember<Reply<BookingView>> remember = {});

  AuditResult Audit(core::ShowId show);

  // ---- Payments (booking_payments.cc) ----
  // Creates (or returns the existing) payment for a live hold, priced by the
  // server; the first checkout of a hold extends it once by
  // checkout_extension_ms. Answered once the payment is durable. Without a
  // gateway: kUnavailable.
  void Checkout(core::ShowId show, core::HoldId hold, const core::Token& token,
                Done<Reply<CheckoutView>> done, Remember<Reply<CheckoutView>> remember = {});
  bool payments_enabled() const { return payments_.gateway != nullptr; }
  const std::string& webhook_secret() const { return payments_.webhook_secret; }
  // Applies a verified webhook event: books, refunds or records, exactly once
  // per event id and per payment. `done` runs once the effect is durable;
  // kUnavailable asks the sender to retry (the event is being applied, or the
  // journal failed).
  void ApplyWebhook(const payments::WebhookEvent& event, Done<StatusOr<WebhookOutcome>> done);
  // Brings every payment that is not final (pending, failed, refunding) one
  // step closer, at most every reconcile_after_ms each: asks the gateway about
  // it while its hold is live and settles it as a webhook would; cancels it at
  // the gateway once the hold has ended (or settles it, if it was charged
  // after all); asks again for refunds not yet made. The sweeper calls it.
  void ReconcilePayments();
  // The audit trail of a hold; kNotFound if nothing is known of it.
  StatusOr<std::vector<HoldTrailEntry>> HoldTrail(core::ShowId show, core::HoldId hold);
  std::optional<TicketView> FindTicket(const std::string& code);
  // The service's record of a payment, for tests and tools.
  std::optional<store::PaymentRecord> FindPayment(const std::string& payment_id) const;
  std::vector<store::PaymentRecord> Payments() const;

  // ---- Idempotency records (the HTTP layer decides what to remember) ----
  std::optional<store::IdempotencyRecord> FindIdempotent(const std::string& user,
                                                         const std::string& key) const;
  // Remembers a response: replayed at once; `done` runs once the record is
  // durable (or failed).
  void RememberIdempotent(store::IdempotencyRecord record, store::DurableCallback done);
  // Remembers a response once its record is durable, then runs `done`.
  void RememberIdempotentOnceDurable(store::IdempotencyRecord record, store::DurableCallback done);

 private:
  HoldEventSink* hold_events_ = nullptr;
  PaymentsSetup payments_;
  ChangeSink* change_sink_ = nullptr;
  core::DurationMs hold_warning_ms_ = kHoldWarningMsDefault;
  HoldWarnings warnings_;
  struct ShowEntry;
  struct Ledger;
  struct Settlement;
  struct BookingMeta {  // what the core does not keep about a booking
    std::string payment_ref;
  };
  struct JournalContext {
    std::string payment_ref;  // for the booking a Confirm makes
  };

  ShowEntry* Entry(core::ShowId show) const;
  // The show's entry for an operation that changes it; null with `status` set
  // when the show does not exist or the journal has failed.
  ShowEntry* EntryForChange(core::ShowId show, const char* not_found, Status& status) const;
  std::shared_ptr<const Show> AddShow(core::ShowId id, ShowSettings settings,
                                      std::shared_ptr<const Venue> venue,
                                      core::TimeMs created_at_ms);
  Status RecoverShow(const store::Snapshot& snap, ShowEntry& entry);
  // Turns the inventory's pending changes into records appended to `batch`,
  // adds the show's version, and queues the batch. Called under the show's lock.
  void Journal(ShowEntry& e, core::ShowInventory& inv, store::Batch batch,
               store::DurableCallback done, const JournalContext& ctx = {});
  void SubmitOrFail(store::Batch batch, store::DurableCallback done);
  // The record of a hold's new deadline: both its times in wall-clock time,
  // converted alike, so a step of the wall clock never puts them out of order.
  store::HoldExtended ExtendedRecord(core::ShowId show, core::HoldId hold,
                                     core::TimeMs created_at_ms, core::TimeMs expires_at_ms) const;
  // Hands the inventory's pending changes to the change sink and the hold
  // events they mean to the hold-event sink. Under the show's lock.
  void Announce(const Show& show, const core::ShowInventory& inv);
  // Tells holders whose holds expire within the warning time. Under the show's lock.
  void WarnExpiringSoon(const Show& show, const core::ShowInventory& inv, core::TimeMs now);
  void NoteJournalStatus(const Status& s);  // a failed batch fails the service
  // ---- booking_payments.cc ----
  // Trail entries and ticket codes for a change being journaled (under the show's lock).
  void JournalExtras(ShowEntry& e, core::ShowInventory& inv, const core::Change& c,
                     store::Batch& batch);
  // The ticket codes of a booking, made on first use (under the show's lock).
  const std::vector<std::string>& EnsureTickets(ShowEntry& e, core::ShowInventory& inv,
                                                core::BookingId booking);
  void AddTrail(ShowEntry& e, core::HoldId hold, store::HoldTrailKind kind, core::TimeMs at_ms,
                std::string reason, store::Batch& batch);
  // The records that turn a cancelled booking's payment into a refund, and the
  // payment to refund once they are durable ("" if none).
  std::string RefundOnCancel(const BookingView& booking, core::TimeMs now, store::Batch& batch);
  // The cancellation that marked `payment_id` settling is durable (or failed).
  void EndCancelSettling(const std::string& payment_id);
  void RequestRefund(const std::string& payment_id);
  // Reconciliation's two questions: what is this payment (settled as said),
  // and withdraw it, since its hold ended (settled as cancelled, or as
  // charged if the gateway says it was).
  void AskAboutPayment(const std::string& payment_id);
  void WithdrawPayment(const std::string& payment_id);
  void RecordCheckout(ShowEntry& e, const core::HoldInfo& info, payments::Payment payment,
                      Done<Reply<CheckoutView>> done,
                      const Remember<Reply<CheckoutView>>& remember);
  // What answers `reply` once its batch is durable: as it is, or kUnavailable
  // ("<what> could not be made durable: ...") when the batch failed.
  template <typename T>
  static store::DurableCallback AnswerWhenDurable(Reply<T> reply, Done<Reply<T>> done,
                                                  const char* what) {
    return [reply = std::move(reply), done = std::move(done), what](Status s) mutable {
      if (!s.ok()) {
        reply.status =
            Status::Unavailable(std::string(what) + " could not be made durable: " + s.message());
      }
      done(std::move(reply));
    };
  }
  // Adds the Idempotency-Key's record of `reply` to `batch` (when there is a
  // key) and returns what runs once the batch is durable: the record is kept
  // for replays, then `then` runs.
  template <typename R>
  store::DurableCallback Remembering(const Remember<R>& remember, const R& reply,
                                     store::Batch& batch, store::DurableCallback then) {
    if (!remember) return then;
    store::IdempotencyRecord record = remember(reply);
    batch.records.push_back(record);
    return [this, record = std::move(record), then = std::move(then)](Status s) mutable {
      if (s.ok()) idempotency_.Add(std::move(record));
      then(std::move(s));
    };
  }
  // Brings the service's record of a payment in line with the gateway's word
  // about it: books, refunds or records, once; `batch` may carry the webhook
  // event id that must become durable with the effect.
  void Settle(const payments::Payment& payment, std::string refund_id, store::Batch batch,
              Done<StatusOr<WebhookOutcome>> done);
  // The booking the order of `hold` became, if any (0): by the show's index of
  // bookings by hold, or by another payment of the hold than `payment_id`
  // that booked. Never by the hold's tombstone, which is forgotten in time.
  // Under the show's lock.
  core::BookingId BookingOfHold(const ShowEntry& e, core::HoldId hold,
                                const std::string& payment_id) const;
  // The payment's new record; books or makes the trail entries in `inv` (under
  // the show's lock) when the show exists.
  store::PaymentRecord ApplySettlement(ShowEntry* e, core::ShowInventory* inv, const Settlement& s,
                                       core::TimeMs now, store::Batch& batch, JournalContext& ctx);
  // Payments, webhook ids, tickets and hold trails, after the shows; kCorruption
  // when a ticket or trail names a booking or hold its show does not have.
  Status RecoverPayments(const store::Snapshot& snap);
  // Forgets webhook event ids, hold trails, idempotency records and outbox
  // changes past their retention, in memory and in the store.
  void PruneHistory(core::TimeMs now);
  HoldView ViewOfHold(const ShowEntry& e, const core::HoldInfo& h) const;
  BookingView ViewOfBooking(const ShowEntry& e, const core::Booking& b) const;
  std::vector<std::string> Labels(const core::SeatMap& map,
                                  std::span<const core::SeatIndex> seats) const;
  StatusOr<std::vector<core::SeatIndex>> SeatsOf(const core::SeatMap& map,
                                                 const std::vector<std::string>& labels,
                                                 std::vector<std::string>* unknown) const;
  Status CheckOnSale(const Show& show, core::TimeMs now) const;
  // What a waiting room needs to know of its show's seats.
  std::optional<WaitingRooms::Inventory> QueueInventory(core::ShowId show) const;

  store::Store& store_;
  const CatalogCodec& codec_;
  TokenSourceFactory token_sources_;
  const core::Clock& clock_;
  const ShowCaps caps_;
  OwnerRegistry owners_;

  mutable std::shared_mutex catalog_mu_;
  std::map<uint64_t, std::shared_ptr<const Venue>> venues_;   // guarded by catalog_mu_
  std::map<core::ShowId, std::unique_ptr<ShowEntry>> shows_;  // guarded by catalog_mu_
  uint64_t next_venue_id_ = 1;                                // guarded by catalog_mu_
  core::ShowId next_show_id_ = 1;                             // guarded by catalog_mu_

  IdempotencyCache idempotency_;

  core::TimeMs last_prune_ms_ = 0;      // sweeper thread only
  core::TimeMs last_reconcile_ms_ = 0;  // sweeper thread only
  std::unique_ptr<Ledger> ledger_;      // payments, webhook event ids, ticket index
  std::unique_ptr<WaitingRooms> rooms_;
  std::unique_ptr<ShowStates> show_states_;

  std::atomic<bool> failed_{false};
  std::atomic<bool> stopping_{false};
  std::mutex sweeper_mu_;
  std::condition_variable sweeper_cv_;
  std::thread sweeper_;

  metrics::Gauge& holds_active_;
  metrics::Counter& holds_created_;
  metrics::Counter& holds_expired_;
  metrics::Counter& holds_released_;
  metrics::Counter& hold_conflicts_;
  metrics::Counter& bookings_;
  metrics::Counter& cancellations_;
};

}  // namespace boxoffice::service
