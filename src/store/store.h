// Store: where everything that must survive a restart is written.
//
// The service journals every state change as a Record. Records are grouped
// into Batches; a Batch is applied atomically (all of it or none of it) and
// its callback runs once it is durable (fsync'd) or has failed. An
// implementation commits many batches in one transaction and one fsync
// (group commit) on its own writer thread; Submit never blocks on disk.
//
// The store is also the last line of defence against selling a seat twice:
// it rejects a batch that would give a (show, seat) a second active booking.
//
// Load() reads back everything recovery needs. It runs before the server
// accepts requests; Submit may be called from any thread afterwards.
// LoadShow() reads one show's part, and every batch is fenced by the epoch
// of the shows it writes (see "Ownership of shows"), for several nodes
// sharing one database.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "core/seat_map.h"
#include "core/status.h"
#include "core/types.h"

namespace boxoffice::store {

using core::BookingId;
using core::DurationMs;
using core::HoldId;
using core::SeatIndex;
using core::ShowId;
using core::TimeMs;
using core::Version;

inline constexpr uint16_t kNoArea = UINT16_MAX;

// ---- Records --------------------------------------------------------------------

struct VenueRecord {
  uint64_t venue_id = 0;
  std::string name;
  core::SeatMapSpec seat_map;  // stored in the store's own form (seat_map_codec.h)
  TimeMs created_at_ms = 0;

  friend bool operator==(const VenueRecord&, const VenueRecord&) = default;
};

struct ShowPrice {
  std::string category;  // a category id of the show's venue
  int64_t price_minor = 0;

  friend bool operator==(const ShowPrice&, const ShowPrice&) = default;
};

struct ShowRecord {  // a show and its settings
  ShowId show_id = 0;
  uint64_t venue_id = 0;
  std::string name;
  TimeMs starts_at_ms = 0;
  TimeMs on_sale_at_ms = 0;
  std::string currency;           // ISO 4217, e.g. "EUR"
  std::vector<ShowPrice> prices;  // one per category; loaded in category id order
  uint32_t hold_ttl_s = 0;
  uint32_t seats_per_order_max = 0;
  uint32_t seats_per_fan_max = 0;
  TimeMs created_at_ms = 0;

  friend bool operator==(const ShowRecord&, const ShowRecord&) = default;
};

struct HoldRecord {
  ShowId show_id = 0;
  HoldId hold_id = 0;
  std::string owner;  // user id as authenticated
  core::Token token;
  std::vector<SeatIndex> seats;
  uint16_t ga_area = kNoArea;
  uint32_t ga_quantity = 0;
  int64_t total_minor = 0;
  TimeMs created_at_ms = 0;
  TimeMs expires_at_ms = 0;

  friend bool operator==(const HoldRecord&, const HoldRecord&) = default;
};

// A live hold's new deadline. Its creation time comes along, written as the
// same wall-clock reading, so the two stay in order whatever the wall clock
// did since the hold was made.
struct HoldExtended {
  ShowId show_id = 0;
  HoldId hold_id = 0;
  TimeMs expires_at_ms = 0;
  TimeMs created_at_ms = 0;

  friend bool operator==(const HoldExtended&, const HoldExtended&) = default;
};

enum class HoldEnd : uint8_t { kReleased = 1, kExpired = 2, kConfirmed = 3 };

// A live hold ends. The store keeps what a late request learns of it (a
// ClosedHoldRecord) until HistoryPruned forgets it.
struct HoldClosed {
  ShowId show_id = 0;
  HoldId hold_id = 0;
  HoldEnd why = HoldEnd::kReleased;
  TimeMs at_ms = 0;
  BookingId booking_id = 0;  // kConfirmed: the booking the hold became

  friend bool operator==(const HoldClosed&, const HoldClosed&) = default;
};

// A hold that ended, as Load reads it back: why, whose, and its booking.
struct ClosedHoldRecord {
  ShowId show_id = 0;
  HoldId hold_id = 0;
  std::string owner;
  core::Token token;
  HoldEnd why = HoldEnd::kReleased;
  BookingId booking_id = 0;
  TimeMs closed_at_ms = 0;

  friend bool operator==(const ClosedHoldRecord&, const ClosedHoldRecord&) = default;
};

struct BookingRecord {
  ShowId show_id = 0;
  BookingId booking_id = 0;
  HoldId hold_id = 0;
  std::string owner;
  std::vector<SeatIndex> seats;
  uint16_t ga_area = kNoArea;
  uint32_t ga_quantity = 0;
  int64_t total_minor = 0;
  std::string payment_ref;
  TimeMs booked_at_ms = 0;
  bool cancelled = false;  // as loaded; cancellations are journaled as BookingCancelled
  TimeMs cancelled_at_ms = 0;

  friend bool operator==(const BookingRecord&, const BookingRecord&) = default;
};

struct BookingCancelled {
  ShowId show_id = 0;
  BookingId booking_id = 0;
  TimeMs at_ms = 0;

  friend bool operator==(const BookingCancelled&, const BookingCancelled&) = default;
};

struct SeatsBlocked {  // blocked = false: unblocked
  ShowId show_id = 0;
  std::vector<SeatIndex> seats;
  bool blocked = true;

  friend bool operator==(const SeatsBlocked&, const SeatsBlocked&) = default;
};

struct ShowVersion {  // the show's change counter after this batch
  ShowId show_id = 0;
  Version version = 0;

  friend bool operator==(const ShowVersion&, const ShowVersion&) = default;
};

// The first response to (user, key), replayed for repeats. A second record of
// the same (user, key) replaces the first: the key was forgotten in between.
struct IdempotencyRecord {
  std::string user;
  std::string key;
  std::string request_hash;  // a repeat with a different request is refused
  int status = 0;
  std::string response_body;
  std::string response_headers;  // serialized by the HTTP layer
  TimeMs created_at_ms = 0;

  friend bool operator==(const IdempotencyRecord&, const IdempotencyRecord&) = default;
};

// ---- Payments, the hold trail and tickets (the booking flow) ----

// Where a payment stands for the service. Stable numbers: they are stored.
enum class PaymentState : uint8_t {
  kPending = 0,    // created at the gateway; the fan has not paid (or we have not heard)
  kFailed = 1,     // declined; the hold stays until it expires
  kBooked = 2,     // paid, and the booking is made
  kRefunding = 3,  // paid without a booking (or cancelled): a refund is asked for
  kRefunded = 4,   // the refund succeeded
  kCancelled = 5,  // withdrawn at the gateway before it was charged: never chargeable
};

struct PaymentRecord {     // the latest state of one payment; replaces the earlier one of its id
  std::string payment_id;  // the gateway's id, "pay_..."
  ShowId show_id = 0;
  HoldId hold_id = 0;
  std::string owner;
  std::vector<SeatIndex> seats;  // what the hold held, to book again after it expired
  uint16_t ga_area = kNoArea;
  uint32_t ga_quantity = 0;
  int64_t amount_minor = 0;
  std::string currency;
  std::string pay_url;
  PaymentState state = PaymentState::kPending;
  BookingId booking_id = 0;  // kBooked, and a cancelled booking's refund
  std::string refund_id;
  std::string note;  // why it was refunded or failed, in words
  TimeMs created_at_ms = 0;
  TimeMs updated_at_ms = 0;

  friend bool operator==(const PaymentRecord&, const PaymentRecord&) = default;
};

struct WebhookEventRecord {  // a webhook event that took effect; one per id (the latest)
  std::string event_id;
  TimeMs received_at_ms = 0;

  friend bool operator==(const WebhookEventRecord&, const WebhookEventRecord&) = default;
};

// What happened to a hold. Stable numbers: they are stored.
enum class HoldTrailKind : uint8_t {
  kCreated = 0,
  kExtended = 1,
  kCheckoutStarted = 2,
  kPaid = 3,
  kConfirmed = 4,  // became a booking
  kReleased = 5,
  kExpired = 6,
  kRefunded = 7,
  kPaymentFailed = 8,
  kPaymentCancelled = 9,  // a payment not taken was withdrawn at the gateway
};

struct HoldTrailRecord {
  ShowId show_id = 0;
  HoldId hold_id = 0;
  HoldTrailKind kind = HoldTrailKind::kCreated;
  TimeMs at_ms = 0;
  std::string reason;

  friend bool operator==(const HoldTrailRecord&, const HoldTrailRecord&) = default;
};

struct TicketRecord {  // one booked seat or GA place; the code is unique in the store
  std::string code;
  ShowId show_id = 0;
  BookingId booking_id = 0;
  SeatIndex seat = core::kNoSeat;  // kNoSeat: a general-admission place
  uint32_t place = 0;              // 1.. within the booking's GA places
  TimeMs issued_at_ms = 0;

  friend bool operator==(const TicketRecord&, const TicketRecord&) = default;
};

// Forgets webhook event ids, trail entries, idempotency records, outbox
// changes and closed holds older than these (0: none): exactly the rows whose
// time is before the bound, so the service can forget the same ones.
struct HistoryPruned {
  TimeMs webhook_events_before_ms = 0;
  TimeMs hold_trail_before_ms = 0;
  TimeMs idempotency_before_ms = 0;
  TimeMs changes_before_ms = 0;
  TimeMs closed_holds_before_ms = 0;

  friend bool operator==(const HistoryPruned&, const HistoryPruned&) = default;
};

// ---- A show's sales state and its tickets at the door ----

// Whether a show takes new holds. Stable numbers: they are stored.
enum class SalesState : uint8_t {
  kOpen = 0,    // the default: holds are taken (from on_sale_at)
  kPaused = 1,  // no new holds for now; holds already made may still be paid
  kClosed = 2,  // no new holds, for good
};

struct ShowSalesRecord {  // a show's sales state; replaces the earlier one of the show
  ShowId show_id = 0;
  SalesState state = SalesState::kOpen;
  TimeMs at_ms = 0;

  friend bool operator==(const ShowSalesRecord&, const ShowSalesRecord&) = default;
};

struct TicketCheckinRecord {  // a ticket let in at the door; a code is checked in once
  std::string code;
  ShowId show_id = 0;
  TimeMs at_ms = 0;

  friend bool operator==(const TicketCheckinRecord&, const TicketCheckinRecord&) = default;
};

// ---- The waiting room (service/waiting_rooms.h) ----

struct QueueRoomRecord {  // a show's room settings; replaces the earlier record of the show
  ShowId show_id = 0;
  bool enabled = false;
  TimeMs prequeue_opens_at_ms = 0;
  TimeMs onsale_at_ms = 0;
  uint32_t admissions_per_minute = 0;
  uint32_t active_shoppers_max = 0;
  uint32_t session_s = 0;
  bool queue_everyone = true;  // mode "everyone"; false: "at_capacity"
  std::string seed;            // the lottery seed, 32 bytes
  std::string owner_key;       // keys the room's hash of user ids, 16 bytes
  TimeMs updated_at_ms = 0;

  friend bool operator==(const QueueRoomRecord&, const QueueRoomRecord&) = default;
};

struct QueueJoinRecord {  // a fan took a place; (show, entry) and (show, user) are unique
  ShowId show_id = 0;
  uint32_t entry = 0;  // arrival number, from 1
  std::string user;
  bool prequeue = false;
  TimeMs joined_at_ms = 0;

  friend bool operator==(const QueueJoinRecord&, const QueueJoinRecord&) = default;
};

// A shopping session started, or ended (early, or unused: the admission
// lapsed); replaces the earlier one of the entry.
struct QueueSessionRecord {
  ShowId show_id = 0;
  uint32_t entry = 0;
  TimeMs ends_at_ms = 0;
  bool ended = false;  // ended early (a booking completed), or never started

  friend bool operator==(const QueueSessionRecord&, const QueueSessionRecord&) = default;
};

struct QueueProgressRecord {  // where the room's line stands; replaces the earlier one
  ShowId show_id = 0;
  uint32_t now_serving = 0;
  bool drawn = false;
  TimeMs at_ms = 0;

  friend bool operator==(const QueueProgressRecord&, const QueueProgressRecord&) = default;
};

// The outbox: every change of every show, in order, for systems downstream
// (email, search, analytics). `version` is the show's own sequence number;
// the store gives each change a global `seq` as well (0 when submitted).
struct ChangeRecord {
  uint64_t seq = 0;
  ShowId show_id = 0;
  Version version = 0;
  TimeMs at_ms = 0;
  uint8_t reason = 0;  // core::ChangeReason
  uint8_t state = 0;   // core::SeatState, after the change
  HoldId hold_id = 0;
  BookingId booking_id = 0;
  std::vector<SeatIndex> seats;
  uint16_t ga_area = kNoArea;
  uint32_t ga_quantity = 0;
  friend bool operator==(const ChangeRecord&, const ChangeRecord&) = default;
};

// Which changes to read back: those after a global seq, or, for one show,
// after one of its versions; oldest first, at most `limit`.
struct ChangesQuery {
  uint64_t after_seq = 0;
  ShowId show_id = 0;  // 0: every show (after_seq); else this show (after_version)
  Version after_version = 0;
  size_t limit = 1000;
};
// A page of changes. The outbox keeps changes for a while (see
// HistoryPruned): if the ones right after the query's `after` are no longer
// kept, `gone` is set, `changes` is empty, and reading on from `resume_after`
// (a seq, or the show's version) skips what was lost.
struct ChangesPage {
  std::vector<ChangeRecord> changes;
  bool gone = false;
  uint64_t resume_after = 0;
};
using ChangesDone = std::function<void(StatusOr<ChangesPage>)>;

using Record =
    std::variant<VenueRecord, ShowRecord, HoldRecord, HoldExtended, HoldClosed, BookingRecord,
                 BookingCancelled, SeatsBlocked, ShowVersion, IdempotencyRecord, ChangeRecord,
                 PaymentRecord, WebhookEventRecord, HoldTrailRecord, TicketRecord, HistoryPruned,
                 QueueRoomRecord, QueueJoinRecord, QueueSessionRecord, QueueProgressRecord,
                 ShowSalesRecord, TicketCheckinRecord>;

// ---- Ownership of shows: fencing ----
//
// Each show is written by one node at a time, its owner, during a tenure
// numbered by an epoch (the show_owners table: show, node, epoch, lease). A
// batch carries, for each show its records write, the epoch its node holds;
// the store checks it inside the batch's transaction, in a way that
// conflicts with a change of owner committing meanwhile, and refuses the
// whole batch with kFailedPrecondition ("fenced") when the show has another
// owner or a later epoch: a node that lost a show can never write it again.
// Like any failed batch, a fenced one fails every batch after it until the
// store is reopened (see Submit).
// A show nobody owns yet is taken at epoch 1 by the first batch that writes
// it, and a show the batch names no epoch for is written at epoch 1, so in
// single-node mode the node simply holds every show at epoch 1.

inline constexpr const char* kSingleNodeId = "local";

struct ShowFence {
  ShowId show_id = 0;
  uint64_t epoch = 0;

  friend bool operator==(const ShowFence&, const ShowFence&) = default;
};

struct ShowOwner {
  ShowId show_id = 0;
  std::string node_id;
  uint64_t epoch = 0;
  TimeMs lease_expires_at_ms = 0;  // on the store's clock; 0: the lease never expires

  friend bool operator==(const ShowOwner&, const ShowOwner&) = default;
};

// The show a record writes; 0 for records of no show (venues, idempotency
// records, webhook event ids, pruning).
ShowId ShowOf(const Record& record);

struct Batch {
  std::vector<Record> records;
  std::vector<ShowFence> fences = {};  // at most one per show; see "Ownership of shows"
};

// Everything recovery needs, as of the last durable batch.
struct Snapshot {
  std::vector<VenueRecord> venues;
  std::vector<ShowRecord> shows;
  std::vector<HoldRecord> live_holds;          // not closed; may be past their expiry
  std::vector<ClosedHoldRecord> closed_holds;  // not yet pruned, by show then hold
  std::vector<BookingRecord> bookings;         // including cancelled ones
  std::vector<SeatsBlocked> blocked;           // one per show with its blocked seats
  std::vector<ShowVersion> versions;
  std::vector<IdempotencyRecord> idempotency;
  std::vector<PaymentRecord> payments;
  std::vector<WebhookEventRecord> webhook_events;
  std::vector<HoldTrailRecord> hold_trail;  // in the order they were written
  std::vector<TicketRecord> tickets;
  std::vector<QueueRoomRecord> queue_rooms;
  std::vector<QueueJoinRecord> queue_joins;  // by show, then entry
  std::vector<QueueSessionRecord> queue_sessions;
  std::vector<QueueProgressRecord> queue_progress;
  std::vector<ShowSalesRecord> show_sales;
  std::vector<TicketCheckinRecord> checkins;
};

struct StoreStats {
  uint64_t batches_committed = 0;
  uint64_t transactions = 0;  // commits (each covers one or more batches)
  uint64_t records = 0;
  uint64_t batches_failed = 0;  // rejected, or lost with their transaction
  // A store on a server: connections lost and opened again, and transactions
  // whose outcome had to be read back after one.
  uint64_t reconnects = 0;
  uint64_t transactions_in_doubt = 0;
};

using DurableCallback = std::function<void(Status)>;

class Store {
 public:
  virtual ~Store() = default;

  // Reads back the durable state. Call before the first Submit.
  virtual StatusOr<Snapshot> Load() = 0;

  // One show's part of the durable state, by itself: its record and its
  // venue's, live holds (with their original expiry), bookings, blocked
  // seats, version, payments, hold trail, tickets and waiting room; not the
  // records of no show (idempotency records, webhook event ids). kNotFound if
  // the show does not exist. Blocking, from any thread but a network one;
  // batches may be written meanwhile. By default a filtered Load().
  virtual StatusOr<Snapshot> LoadShow(ShowId show);

  // Makes the store's node the owner of `show` under a lease of `lease_ms`
  // on the store's clock (0: a lease that never expires). A node that owns
  // the show renews its lease and keeps its epoch; a show nobody owns, or
  // whose owner's lease has expired, is taken with the next epoch; a show
  // another node holds is kFailedPrecondition naming that node. Blocking,
  // from any thread but a network one. By default not supported.
  virtual StatusOr<ShowOwner> ClaimShow(ShowId show, core::DurationMs lease_ms);

  // False while the store cannot reach its database: it reconnects by
  // itself, and what is submitted meanwhile waits (nothing is failed for
  // that), so callers should refuse new changes until it is true again.
  virtual bool reachable() const { return true; }

  // Queues `batch`; `done` runs on the writer thread once the batch is durable
  // (Status::Ok) or rejected (e.g. kAlreadyExists for a second active booking of
  // a seat; nothing of the batch is applied then). Thread-safe; never blocks on disk.
  // What is durable is always a prefix of what was submitted: once a batch
  // fails, every batch submitted after it fails too, until the store is
  // reopened (a later batch may build on the failed one).
  virtual void Submit(Batch batch, DurableCallback done) = 0;

  // Blocks until everything submitted so far is durable or failed.
  virtual void Flush() = 0;

  // Reads outbox changes made durable so far; `done` runs on the store's
  // thread. Never blocks the caller.
  virtual void ReadChanges(const ChangesQuery& query, ChangesDone done) = 0;

  // Flushes, stops the writer thread, closes the store. Idempotent.
  virtual void Close() = 0;

  virtual StoreStats stats() const = 0;
};

}  // namespace boxoffice::store
