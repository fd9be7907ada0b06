// BookingService::ShowEntry: one show's settings, its shard, and what the
// core does not keep (payment references, ticket codes, hold trails). Shared
// by the service's translation units; not part of its interface.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "service/booking_service.h"

namespace boxoffice::service {

struct BookingService::ShowEntry {
  std::shared_ptr<const Show> show;
  std::unique_ptr<ShowShard> shard;
  // Guarded by the shard's lock:
  std::vector<std::string> payment_refs;          // by booking id - 1
  std::vector<std::vector<std::string>> tickets;  // codes by booking id - 1, in seat order
  // The booking each booked hold became (a paid hold that had ended maps to
  // the booking of its seats made under a new hold too).
  std::unordered_map<core::HoldId, core::BookingId> booking_of_hold;
  HoldTrails trail;
  std::unique_ptr<core::TokenSource> ticket_codes;
  // Published after every change:
  std::atomic<core::Version> version{0};  // the inventory's
  std::mutex availability_mu;
  std::shared_ptr<const Availability> availability;  // guarded by availability_mu
};

}  // namespace boxoffice::service

namespace boxoffice::service {

// BookingService::Ledger: the payments the service knows, the webhook events
// that took effect, and where each ticket code belongs. Guarded by `mu`,
// which is taken after a show's lock, never before one.
struct BookingService::Ledger {
  struct Entry {
    store::PaymentRecord rec;
    core::TimeMs last_query_ms = 0;  // reconciliation asked the gateway then
    bool settling = false;           // a settlement is on its way to the journal
    bool recording = false;          // its first record is on its way to the journal
  };
  struct TicketRef {
    core::ShowId show = 0;
    core::BookingId booking = 0;
    uint32_t index = 0;  // into the show entry's tickets[booking - 1]
  };
  // Notes a payment's new state: reconciliation visits only the open ones,
  // those that are not final yet. A failed payment is not final: the fan may
  // try the card again and be charged; it is final once cancelled.
  void Track(const store::PaymentRecord& rec) {
    if (rec.state == store::PaymentState::kPending || rec.state == store::PaymentState::kFailed ||
        rec.state == store::PaymentState::kRefunding) {
      open.insert(rec.payment_id);
    } else {
      open.erase(rec.payment_id);
    }
  }

  mutable std::mutex mu;
  std::unordered_map<std::string, Entry> payments;
  // The pending, failed and refunding payments, the ones whose outcome may
  // still need asking for, a cancel or a refund: a few per hold being paid
  // for, however many payments the ledger keeps.
  std::unordered_set<std::string> open;
  std::map<std::pair<core::ShowId, core::HoldId>, std::vector<std::string>> by_hold;
  std::unordered_map<std::string, core::TimeMs> webhook_events;  // id -> when it took effect
  std::unordered_set<std::string> events_in_flight;
  std::unordered_map<std::string, TicketRef> tickets;
};

}  // namespace boxoffice::service
