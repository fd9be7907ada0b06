// BookingService, the booking flow: checkout, webhooks, settlement of
// payments (book, book again after expiry, or refund), reconciliation with
// the gateway, refunds on cancellation, the hold trail and ticket codes.
//
// The rule every path keeps: a payment the gateway charged ends as a booking
// (state kBooked) or as a refund asked for and recorded (kRefunding, then
// kRefunded). A settlement changes a payment once: the ledger marks it
// `settling` until the new state is durable, and a second settlement of the
// same payment waits (webhooks answer 503 and are retried; reconciliation
// tries again later). Gateway callbacks arrive on the gateway's threads;
// nothing here waits for the gateway or the disk.
#include <algorithm>
#include <cstdio>

#include "crypto/encoding.h"
#include "service/booking_service.h"
#include "service/show_entry.h"

namespace boxoffice::service {

using core::Outcome;
using store::HoldTrailKind;
using store::PaymentState;

std::string_view HoldTrailKindName(HoldTrailKind k) {
  switch (k) {
    case HoldTrailKind::kCreated:
      return "created";
    case HoldTrailKind::kExtended:
      return "extended";
    case HoldTrailKind::kCheckoutStarted:
      return "checkout_started";
    case HoldTrailKind::kPaid:
      return "paid";
    case HoldTrailKind::kConfirmed:
      return "confirmed";
    case HoldTrailKind::kReleased:
      return "released";
    case HoldTrailKind::kExpired:
      return "expired";
    case HoldTrailKind::kRefunded:
      return "refunded";
    case HoldTrailKind::kPaymentFailed:
      return "payment_failed";
    case HoldTrailKind::kPaymentCancelled:
      return "payment_cancelled";
  }
  return "unknown";
}

namespace {
// What a settlement is to do with a payment.
enum class Action : uint8_t { kNone, kBook, kFail, kRefunded, kRefundUnknown, kCancel };
}  // namespace

struct BookingService::Settlement {
  Action action = Action::kNone;
  store::PaymentRecord rec;  // as the ledger had it
  std::string refund_id;     // kRefunded
};

namespace {

constexpr std::string_view kTicketCodePrefix = "tk_";

std::string HoldReference(core::ShowId show, core::HoldId hold) {
  return "h" + std::to_string(show) + "-" + std::to_string(hold);
}

// One payment per attempt: a declined payment is followed by a new one.
std::string PaymentKey(core::ShowId show, core::HoldId hold, size_t attempt) {
  return "hold-" + std::to_string(show) + "-" + std::to_string(hold) + "-" +
         std::to_string(attempt);
}

std::string RefundKey(const std::string& payment_id) {
  return ("refund-" + payment_id).substr(0, 64);  // the gateway's key limit
}

// The action the gateway's word about a payment calls for, given our record.
Action ActionFor(payments::PaymentStatus said, PaymentState ours) {
  switch (said) {
    case payments::PaymentStatus::kPending:
      return Action::kNone;
    case payments::PaymentStatus::kFailed:
      return ours == PaymentState::kPending ? Action::kFail : Action::kNone;
    case payments::PaymentStatus::kSucceeded:
      return ours == PaymentState::kPending || ours == PaymentState::kFailed ? Action::kBook
                                                                             : Action::kNone;
    case payments::PaymentStatus::kRefunded:
      return ours == PaymentState::kRefunded ? Action::kNone : Action::kRefunded;
    case payments::PaymentStatus::kCancelled:
      return ours == PaymentState::kPending || ours == PaymentState::kFailed ? Action::kCancel
                                                                             : Action::kNone;
  }
  return Action::kNone;
}

CheckoutView ViewOfPayment(const store::PaymentRecord& r, core::TimeMs expires_at_ms,
                           bool existing) {
  return CheckoutView{r.show_id,  r.hold_id, r.payment_id,  r.amount_minor,
                      r.currency, r.pay_url, expires_at_ms, existing};
}

}  // namespace

// ---- Trail and tickets, journaled with the changes ----------------------------------------

void BookingService::AddTrail(ShowEntry& e, core::HoldId hold, HoldTrailKind kind,
                              core::TimeMs at_ms, std::string reason, store::Batch& batch) {
  batch.records.push_back(store::HoldTrailRecord{e.show->id, hold, kind, at_ms, reason});
  e.trail.Add(hold, HoldTrailEntry{kind, at_ms, std::move(reason)});
}

void BookingService::JournalExtras(ShowEntry& e, core::ShowInventory& inv, const core::Change& c,
                                   store::Batch& batch) {
  switch (c.reason) {
    case core::ChangeReason::kHeld:
      return AddTrail(e, c.hold, HoldTrailKind::kCreated, c.at_ms, "", batch);
    case core::ChangeReason::kReleased:
      return AddTrail(e, c.hold, HoldTrailKind::kReleased, c.at_ms, "", batch);
    case core::ChangeReason::kExpired:
      return AddTrail(e, c.hold, HoldTrailKind::kExpired, c.at_ms, "", batch);
    case core::ChangeReason::kBooked:
      break;
    default:
      return;
  }
  AddTrail(e, c.hold, HoldTrailKind::kConfirmed, c.at_ms, "booking " + std::to_string(c.booking),
           batch);
  const std::vector<std::string>& codes = EnsureTickets(e, inv, c.booking);
  const core::Booking b = *inv.FindBooking(c.booking);
  for (size_t i = 0; i < codes.size(); ++i) {
    const core::SeatIndex seat = i < b.seats.size() ? b.seats[i] : core::kNoSeat;
    batch.records.push_back(store::TicketRecord{codes[i], e.show->id, b.id, seat,
                                                static_cast<uint32_t>(i + 1), c.at_ms});
  }
}

const std::vector<std::string>& BookingService::EnsureTickets(ShowEntry& e,
                                                              core::ShowInventory& inv,
                                                              core::BookingId booking) {
  if (e.tickets.size() < booking) e.tickets.resize(booking);
  std::vector<std::string>& codes = e.tickets[booking - 1];
  if (!codes.empty()) return codes;
  const core::Booking b = *inv.FindBooking(booking);
  const size_t count = b.ga_area == core::kNoArea ? b.seats.size() : b.ga_quantity;
  std::lock_guard<std::mutex> lock(ledger_->mu);
  for (size_t i = 0; i < count; ++i) {
    const core::Token random = e.ticket_codes->Next();
    std::string code = std::string(kTicketCodePrefix) + crypto::HexEncode(random.bytes);
    ledger_->tickets[code] = Ledger::TicketRef{e.show->id, b.id, static_cast<uint32_t>(i)};
    codes.push_back(std::move(code));
  }
  return codes;
}

// ---- Checkout -------------------------------------------------------------------------------

void BookingService::Checkout(core::ShowId show, core::HoldId hold, const core::Token& token,
                              Done<Reply<CheckoutView>> done,
                              Remember<Reply<CheckoutView>> remember) {
  Reply<CheckoutView> reply;
  if (payments_.gateway == nullptr) {
    reply.status = Status::Unavailable("payments are not configured");
    return done(std::move(reply));
  }
  ShowEntry* e = EntryForChange(show, "no such hold", reply.status);
  if (e == nullptr) return done(std::move(reply));
  const core::TimeMs now = clock_.NowMs();
  core::HoldInfo info;
  e->shard->With([&](core::ShowInventory& inv) {
    inv.Advance(now);
    reply.outcome = inv.FindHold(hold, now, &info);
    if (reply.outcome == Outcome::kOk && !core::TokensEqualConstantTime(info.token, token))
      reply.outcome = Outcome::kWrongToken;
    if (reply.outcome == Outcome::kHoldNotFound) reply.status = Status::NotFound("no such hold");
    Journal(*e, inv, {}, nullptr);
    return 0;
  });
  if (!reply.ok()) return done(std::move(reply));
  if (info.total_minor <= 0) {
    reply.status = Status::InvalidArgument("nothing to pay: the hold is free of charge");
    return done(std::move(reply));
  }
  size_t attempt = 1;
  {
    std::unique_lock<std::mutex> lock(ledger_->mu);
    auto it = ledger_->by_hold.find({show, hold});
    if (it != ledger_->by_hold.end()) {
      const Ledger::Entry& entry = ledger_->payments.at(it->second.back());
      const store::PaymentRecord& last = entry.rec;
      // Its outcome, or the payment itself, is not durable yet: the fan asks
      // again shortly (a pay_url is never shown before its payment is durable).
      if (entry.settling || entry.recording) {
        lock.unlock();
        reply.status =
            Status::Unavailable(entry.settling ? "the last payment for this hold is being settled"
                                               : "the payment for this hold is being recorded");
        return done(std::move(reply));
      }
      if (last.state != PaymentState::kFailed && last.state != PaymentState::kCancelled) {
        // pending, or settled: the same payment
        reply.value = ViewOfPayment(last, clock_.ToWallMs(info.expires_at_ms), true);
        lock.unlock();
        return done(std::move(reply));
      }
      attempt = it->second.size() + 1;
    }
  }
  payments::PaymentRequest request{PaymentKey(show, hold, attempt), info.total_minor,
                                   e->show->settings.currency, HoldReference(show, hold),
                                   e->show->settings.name.substr(0, 200)};
  payments_.gateway->CreatePayment(
      request, [this, e, info, done = std::move(done),
                remember = std::move(remember)](StatusOr<payments::Payment> p) mutable {
        if (!p.ok()) {
          Reply<CheckoutView> failed;
          failed.status = Status::Unavailable("the payment gateway: " + p.status().message());
          return done(std::move(failed));
        }
        RecordCheckout(*e, info, std::move(p).value(), std::move(done), remember);
      });
}

// Records a payment the gateway made for a checkout, extends the hold if this
// is its first payment, and answers once that is durable.
void BookingService::RecordCheckout(ShowEntry& e, const core::HoldInfo& info,
                                    payments::Payment payment, Done<Reply<CheckoutView>> done,
                                    const Remember<Reply<CheckoutView>>& remember) {
  const core::ShowId show = e.show->id;
  const core::TimeMs now = clock_.NowMs();
  bool known = false;
  bool first = false;
  store::PaymentRecord rec{payment.id,
                           show,
                           info.id,
                           owners_.User(info.owner),
                           info.seats,
                           info.ga_area,
                           info.ga_quantity,
                           payment.amount_minor,
                           payment.currency,
                           payment.pay_url,
                           PaymentState::kPending,
                           0,
                           "",
                           "",
                           now,
                           now};
  Reply<CheckoutView> reply;
  {
    std::lock_guard<std::mutex> lock(ledger_->mu);
    auto it = ledger_->payments.find(payment.id);
    known = it != ledger_->payments.end();
    if (!known) {
      std::vector<std::string>& ids = ledger_->by_hold[{show, info.id}];
      first = ids.empty();
      ids.push_back(payment.id);
      ledger_->payments.emplace(payment.id, Ledger::Entry{rec, now, false, /*recording=*/true});
      ledger_->Track(rec);
    } else if (it->second.recording) {
      // A twin checkout is recording it: answered once that is durable, so
      // no fan is shown a pay_url whose payment a crash could make unknown.
      reply.status = Status::Unavailable("the payment for this hold is being recorded");
    }
  }
  if (!reply.status.ok()) return done(std::move(reply));
  e.shard->With([&](core::ShowInventory& inv) {
    inv.Advance(now);
    core::HoldInfo live;
    reply.outcome = inv.FindHold(info.id, now, &live);
    store::Batch batch;
    if (!known) {
      batch.records.push_back(rec);
      AddTrail(e, info.id, HoldTrailKind::kCheckoutStarted, now, "payment " + payment.id, batch);
    }
    core::TimeMs expires = live.expires_at_ms;
    if (reply.outcome == Outcome::kOk && first &&
        inv.Extend(info.id, info.token, payments_.checkout_extension_ms, now, &expires) ==
            Outcome::kOk) {
      batch.records.push_back(ExtendedRecord(show, info.id, info.created_at_ms, expires));
      AddTrail(e, info.id, HoldTrailKind::kExtended, now, "checkout", batch);
    }
    reply.value = ViewOfPayment(rec, clock_.ToWallMs(expires), known);
    store::DurableCallback answer =
        Remembering(remember, reply, batch, AnswerWhenDurable(reply, done, "the payment"));
    if (!known) {
      answer = [this, id = payment.id, answer = std::move(answer)](Status s) {
        if (s.ok()) {
          std::lock_guard<std::mutex> lock(ledger_->mu);
          ledger_->payments.at(id).recording = false;
        }
        answer(std::move(s));
      };
    }
    Journal(e, inv, std::move(batch), std::move(answer));
    return 0;
  });
  // The gateway may hand back a payment that moved on already (a checkout
  // repeated after a restart): settle it now rather than at reconciliation.
  if (!known && payment.status != payments::PaymentStatus::kPending)
    Settle(payment, "", {}, [](StatusOr<WebhookOutcome>) {});
}

// ---- Webhooks and settlement ----------------------------------------------------------------

void BookingService::ApplyWebhook(const payments::WebhookEvent& event,
                                  Done<StatusOr<WebhookOutcome>> done) {
  if (Status refused = Refusal(); !refused.ok()) return done(refused);
  {
    std::lock_guard<std::mutex> lock(ledger_->mu);
    if (ledger_->webhook_events.count(event.id) > 0) return done(WebhookOutcome::kDuplicate);
    if (!ledger_->events_in_flight.insert(event.id).second)
      return done(Status::Unavailable("this event is being applied"));
  }
  payments::Payment said = event.payment;
  switch (event.type) {
    case payments::WebhookType::kPaymentSucceeded:
      said.status = payments::PaymentStatus::kSucceeded;
      break;
    case payments::WebhookType::kPaymentFailed:
      said.status = payments::PaymentStatus::kFailed;
      break;
    case payments::WebhookType::kRefundSucceeded:
      said.status = payments::PaymentStatus::kRefunded;
      break;
  }
  const core::TimeMs now = clock_.NowMs();
  store::Batch batch;
  batch.records.push_back(store::WebhookEventRecord{event.id, now});
  Settle(said, event.refund_id, std::move(batch),
         [this, id = event.id, now, done = std::move(done)](StatusOr<WebhookOutcome> r) {
           {
             std::lock_guard<std::mutex> lock(ledger_->mu);
             ledger_->events_in_flight.erase(id);
             if (r.ok()) ledger_->webhook_events.emplace(id, now);
           }
           done(std::move(r));
         });
}

void BookingService::Settle(const payments::Payment& payment, std::string refund_id,
                            store::Batch batch, Done<StatusOr<WebhookOutcome>> done) {
  Settlement s;
  s.refund_id = std::move(refund_id);
  bool busy = false;  // answered outside the lock: `done` may take it
  {
    std::lock_guard<std::mutex> lock(ledger_->mu);
    auto it = ledger_->payments.find(payment.id);
    if (it == ledger_->payments.end()) {
      // Not ours (or lost before it was recorded, so no fan saw its pay_url):
      // a charge for it is refunded.
      if (payment.status == payments::PaymentStatus::kSucceeded) {
        s.action = Action::kRefundUnknown;
        s.rec = store::PaymentRecord{.payment_id = payment.id,
                                     .amount_minor = payment.amount_minor,
                                     .currency = payment.currency,
                                     .pay_url = payment.pay_url,
                                     .created_at_ms = clock_.NowMs()};
        ledger_->payments.emplace(payment.id, Ledger::Entry{s.rec, 0, true});
        ledger_->Track(s.rec);
      }
    } else if (it->second.settling) {
      busy = true;
    } else {
      s.rec = it->second.rec;
      s.action = ActionFor(payment.status, s.rec.state);
      it->second.settling = s.action != Action::kNone;
    }
  }
  if (busy) return done(Status::Unavailable("the payment is being settled"));
  const auto finish = [this, id = payment.id, action = s.action, done = std::move(done)](
                          store::PaymentRecord settled, Status st) {
    {
      std::lock_guard<std::mutex> lock(ledger_->mu);
      auto it = ledger_->payments.find(id);
      // Only a settlement that marked the payment clears the mark: old news
      // finishing meanwhile must not let a second settlement in.
      if (it != ledger_->payments.end() && action != Action::kNone) {
        it->second.settling = false;
        if (st.ok()) {
          it->second.rec = settled;
          ledger_->Track(settled);
        }
      }
    }
    if (!st.ok()) return done(Status::Unavailable("could not record the payment: " + st.message()));
    if (action != Action::kNone && settled.state == PaymentState::kRefunding) RequestRefund(id);
    if (action == Action::kRefunded && hold_events_ != nullptr && settled.show_id != 0) {
      hold_events_->Publish(HoldEvent{settled.show_id, settled.hold_id, settled.owner,
                                      HoldEventKind::kRefunded, settled.updated_at_ms, 0, 0,
                                      settled.note});
    }
    done(WebhookOutcome::kApplied);
  };
  const core::TimeMs now = clock_.NowMs();
  ShowEntry* e = s.action == Action::kNone ? nullptr : Entry(s.rec.show_id);
  if (e == nullptr) {
    JournalContext ctx;
    store::PaymentRecord settled = ApplySettlement(nullptr, nullptr, s, now, batch, ctx);
    if (batch.records.empty()) return finish(settled, Status::Ok());
    return SubmitOrFail(std::move(batch),
                        [finish, settled](Status st) mutable { finish(settled, std::move(st)); });
  }
  e->shard->With([&](core::ShowInventory& inv) {
    JournalContext ctx;
    store::PaymentRecord settled = ApplySettlement(e, &inv, s, now, batch, ctx);
    Journal(
        *e, inv, std::move(batch),
        [finish, settled](Status st) mutable { finish(settled, std::move(st)); }, ctx);
    return 0;
  });
}

store::PaymentRecord BookingService::ApplySettlement(ShowEntry* e, core::ShowInventory* inv,
                                                     const Settlement& s, core::TimeMs now,
                                                     store::Batch& batch, JournalContext& ctx) {
  store::PaymentRecord rec = s.rec;
  rec.updated_at_ms = now;
  const core::HoldId hold = rec.hold_id;
  const auto trail = [&](HoldTrailKind kind, std::string reason) {
    if (e != nullptr) AddTrail(*e, hold, kind, now, std::move(reason), batch);
  };
  switch (s.action) {
    case Action::kNone:
      return rec;
    case Action::kRefundUnknown:
      rec.state = PaymentState::kRefunding;
      rec.note = "no hold of this service knows the payment";
      break;
    case Action::kFail:
      rec.state = PaymentState::kFailed;
      rec.note = "declined";
      trail(HoldTrailKind::kPaymentFailed, "payment " + rec.payment_id + " declined");
      break;
    case Action::kCancel:
      rec.state = PaymentState::kCancelled;
      rec.note = "withdrawn at the gateway, never charged";
      trail(HoldTrailKind::kPaymentCancelled, "payment " + rec.payment_id + ": " + rec.note);
      break;
    case Action::kRefunded:
      rec.state = PaymentState::kRefunded;
      if (!s.refund_id.empty()) rec.refund_id = s.refund_id;
      trail(HoldTrailKind::kRefunded,
            "payment " + rec.payment_id + (rec.note.empty() ? "" : ": " + rec.note));
      break;
    case Action::kBook: {
      trail(HoldTrailKind::kPaid, "payment " + rec.payment_id);
      if (inv == nullptr) {
        rec.state = PaymentState::kRefunding;
        rec.note = "the show no longer exists";
        break;
      }
      ctx.payment_ref = rec.payment_id;
      inv->Advance(now);
      core::HoldInfo info;
      const Outcome o = inv->FindHold(hold, now, &info);
      core::ConfirmResult booked;
      booked.outcome = o;
      if (o == Outcome::kOk) {
        booked = inv->Confirm(hold, info.token, now);
      } else if (const core::BookingId earlier = BookingOfHold(*e, hold, rec.payment_id)) {
        // The order was booked already (by another payment of the hold, or
        // at the box office), whether or not the hold's tombstone is still
        // kept: this payment is a second charge for it.
        booked.outcome = Outcome::kHoldConfirmed;
        booked.booking = earlier;
      } else if (o != Outcome::kHoldConfirmed) {
        // The hold expired or was released before the payment arrived: book
        // the same seats if every one of them is still free.
        const core::OwnerId owner = owners_.Intern(rec.owner);
        const core::DurationMs ttl_ms = core::DurationMs{e->show->settings.hold_ttl_s} * 1000;
        const core::HoldResult again =
            rec.ga_area != core::kNoArea
                ? inv->HoldGeneralAdmission(owner, rec.ga_area, rec.ga_quantity, ttl_ms, now)
                : inv->HoldSeats(owner, rec.seats, ttl_ms, now);
        booked.outcome = again.outcome;
        // The new hold is journaled on its own first: a hold's record is
        // written while it is live, and the booking's batch follows it.
        Journal(*e, *inv, {}, nullptr);
        if (again.outcome == Outcome::kOk) booked = inv->Confirm(again.hold, again.token, now);
        if (booked.outcome == Outcome::kOk) {
          e->booking_of_hold[hold] = booked.booking;  // the order's booking, under the new hold
          trail(HoldTrailKind::kConfirmed,
                "paid after the hold " + std::string(core::OutcomeName(o)) +
                    "; the same seats booked as booking " + std::to_string(booked.booking));
        }
      }
      if (booked.outcome == Outcome::kOk) {
        rec.state = PaymentState::kBooked;
        rec.booking_id = booked.booking;
        rec.note = "";
      } else {
        rec.state = PaymentState::kRefunding;
        rec.note = booked.outcome == Outcome::kHoldConfirmed
                       ? "the hold was already booked"
                       : "paid after the hold ended (" + std::string(core::OutcomeName(o)) +
                             ") and the seats were no longer free (" +
                             std::string(core::OutcomeName(booked.outcome)) + ")";
      }
      break;
    }
  }
  batch.records.push_back(rec);
  return rec;
}

core::BookingId BookingService::BookingOfHold(const ShowEntry& e, core::HoldId hold,
                                              const std::string& payment_id) const {
  if (auto it = e.booking_of_hold.find(hold); it != e.booking_of_hold.end()) return it->second;
  std::lock_guard<std::mutex> lock(ledger_->mu);  // after the show's lock, as always
  auto ids = ledger_->by_hold.find({e.show->id, hold});
  if (ids == ledger_->by_hold.end()) return 0;
  for (const std::string& id : ids->second) {
    const store::PaymentRecord& other = ledger_->payments.at(id).rec;
    if (id != payment_id && other.booking_id != 0) return other.booking_id;
  }
  return 0;
}

// ---- Refunds ---------------------------------------------------------------------------------

void BookingService::RequestRefund(const std::string& payment_id) {
  if (payments_.gateway == nullptr) return;
  payments_.gateway->RefundPayment(
      payment_id, RefundKey(payment_id), [this, payment_id](StatusOr<payments::Refund> r) {
        if (!r.ok()) {  // reconciliation asks again
          std::fprintf(stderr, "boxoffice: refund of %s failed: %s\n", payment_id.c_str(),
                       r.status().message().c_str());
          return;
        }
        payments::Payment refunded;
        refunded.id = payment_id;
        refunded.status = payments::PaymentStatus::kRefunded;
        Settle(refunded, r->id, {}, [](StatusOr<WebhookOutcome>) {});
      });
}

std::string BookingService::RefundOnCancel(const BookingView& booking, core::TimeMs now,
                                           store::Batch& batch) {
  if (booking.payment_ref.empty()) return "";
  std::lock_guard<std::mutex> lock(ledger_->mu);
  auto it = ledger_->payments.find(booking.payment_ref);
  if (it == ledger_->payments.end()) return "";  // a box-office sale: paid elsewhere
  store::PaymentRecord& rec = it->second.rec;
  if (rec.state == PaymentState::kRefunding || rec.state == PaymentState::kRefunded) return "";
  // Settling until the cancellation is durable (CancelBooking clears it):
  // reconciliation must not have the gateway refund a cancellation a crash
  // could still lose.
  it->second.settling = true;
  rec.state = PaymentState::kRefunding;
  rec.booking_id = booking.booking;
  rec.note = "booking cancelled";
  rec.updated_at_ms = now;
  ledger_->Track(rec);
  batch.records.push_back(rec);
  return rec.payment_id;
}

void BookingService::EndCancelSettling(const std::string& payment_id) {
  std::lock_guard<std::mutex> lock(ledger_->mu);
  if (auto it = ledger_->payments.find(payment_id); it != ledger_->payments.end()) {
    it->second.settling = false;
  }
}

// ---- Reconciliation ----------------------------------------------------------------------------

// Every payment stays open until it is final: booked, refunded or
// cancelled. While its hold is live, a pending or failed payment is asked
// about (a declined card may be tried again and charged, its webhook lost);
// once the hold has ended, it is cancelled at the gateway, which either
// withdraws it for good or says it was charged (then it is asked about and
// settled: booked if the seats are still free, else refunded).
void BookingService::ReconcilePayments() {
  if (payments_.gateway == nullptr || !Refusal().ok()) return;
  const core::TimeMs now = clock_.NowMs();
  const core::DurationMs after = payments_.reconcile_after_ms;
  struct Due {
    std::string id;
    core::ShowId show;
    core::HoldId hold;
  };
  std::vector<Due> unsettled;
  std::vector<std::string> refund;
  {
    std::lock_guard<std::mutex> lock(ledger_->mu);
    for (const std::string& id : ledger_->open) {
      Ledger::Entry& entry = ledger_->payments.at(id);
      const store::PaymentRecord& r = entry.rec;
      if (entry.settling || now - entry.last_query_ms < after) continue;
      if (r.state == PaymentState::kRefunding) {
        if (now - r.updated_at_ms < after) continue;
        refund.push_back(id);
      } else {
        if (now - r.updated_at_ms < after) continue;  // a fresh one: its webhook is on the way
        unsettled.push_back(Due{id, r.show_id, r.hold_id});
      }
      entry.last_query_ms = now;
    }
  }
  for (const Due& d : unsettled) {
    ShowEntry* e = Entry(d.show);
    const bool live = e != nullptr && e->shard->With([&](const core::ShowInventory& inv) {
      return inv.FindHold(d.hold, now, nullptr) == Outcome::kOk;
    });
    if (live) {
      AskAboutPayment(d.id);
    } else {
      WithdrawPayment(d.id);
    }
  }
  for (const std::string& id : refund) RequestRefund(id);
}

void BookingService::AskAboutPayment(const std::string& payment_id) {
  payments_.gateway->GetPayment(payment_id, [this](StatusOr<payments::Payment> p) {
    if (p.ok()) Settle(*p, "", {}, [](StatusOr<WebhookOutcome>) {});
  });
}

void BookingService::WithdrawPayment(const std::string& payment_id) {
  payments_.gateway->CancelPayment(payment_id, [this, payment_id](StatusOr<payments::Payment> p) {
    if (p.ok()) return Settle(*p, "", {}, [](StatusOr<WebhookOutcome>) {});
    if (p.status().code() == StatusCode::kFailedPrecondition) {
      return AskAboutPayment(payment_id);  // charged after all: settle what it is
    }
    if (p.status().code() == StatusCode::kNotFound) {
      // The gateway does not know it (a simulated one forgets when it
      // restarts): nobody can be charged for it any more.
      payments::Payment gone;
      gone.id = payment_id;
      gone.status = payments::PaymentStatus::kCancelled;
      return Settle(gone, "", {}, [](StatusOr<WebhookOutcome>) {});
    }
    // Unreachable for now: reconciliation tries again.
  });
}

// ---- Reading ------------------------------------------------------------------------------------

StatusOr<std::vector<HoldTrailEntry>> BookingService::HoldTrail(core::ShowId show,
                                                                core::HoldId hold) {
  ShowEntry* e = Entry(show);
  if (e == nullptr) return Status::NotFound("no such hold");
  return e->shard->With([&](core::ShowInventory&) -> StatusOr<std::vector<HoldTrailEntry>> {
    const std::vector<HoldTrailEntry>* trail = e->trail.Find(hold);
    if (trail == nullptr) return Status::NotFound("no trail of such a hold");
    return *trail;
  });
}

std::optional<TicketView> BookingService::FindTicket(const std::string& code) {
  Ledger::TicketRef ref;
  {
    std::lock_guard<std::mutex> lock(ledger_->mu);
    auto it = ledger_->tickets.find(code);
    if (it == ledger_->tickets.end()) return std::nullopt;
    ref = it->second;
  }
  Reply<BookingView> b = GetBooking(ref.show, ref.booking);
  if (!b.ok() || ref.index >= b.value.tickets.size()) return std::nullopt;
  return b.value.tickets[ref.index];
}

std::optional<store::PaymentRecord> BookingService::FindPayment(
    const std::string& payment_id) const {
  std::lock_guard<std::mutex> lock(ledger_->mu);
  auto it = ledger_->payments.find(payment_id);
  if (it == ledger_->payments.end()) return std::nullopt;
  return it->second.rec;
}

std::vector<store::PaymentRecord> BookingService::Payments() const {
  std::vector<store::PaymentRecord> out;
  std::lock_guard<std::mutex> lock(ledger_->mu);
  for (const auto& [id, entry] : ledger_->payments) out.push_back(entry.rec);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.created_at_ms, a.payment_id) < std::tie(b.created_at_ms, b.payment_id);
  });
  return out;
}

// ---- Recovery and pruning -----------------------------------------------------------------------

Status BookingService::RecoverPayments(const store::Snapshot& snap) {
  std::vector<std::string> refunds;
  {
    std::lock_guard<std::mutex> lock(ledger_->mu);
    for (const store::PaymentRecord& r : snap.payments) {
      ledger_->payments[r.payment_id] = Ledger::Entry{r, r.updated_at_ms, false};
      ledger_->Track(r);
      ledger_->by_hold[{r.show_id, r.hold_id}].push_back(r.payment_id);
      if (r.state == PaymentState::kRefunding) refunds.push_back(r.payment_id);
    }
    for (const store::WebhookEventRecord& w : snap.webhook_events)
      ledger_->webhook_events[w.event_id] = w.received_at_ms;
  }
  // Tickets and trails arrive ordered by show; take each show's lock once.
  // Each names a booking or hold the show has (the inventory is recovered
  // first): a store that says otherwise is damaged.
  const auto per_show = [&](const auto& records, auto&& apply) -> Status {
    for (size_t i = 0; i < records.size();) {
      size_t j = i;
      while (j < records.size() && records[j].show_id == records[i].show_id) ++j;
      if (ShowEntry* e = Entry(records[i].show_id)) {
        Status st = e->shard->With([&](core::ShowInventory& inv) {
          for (size_t k = i; k < j; ++k) {
            if (Status s = apply(*e, inv, records[k]); !s.ok()) return s;
          }
          return Status::Ok();
        });
        if (!st.ok()) return st;
      }
      i = j;
    }
    return Status::Ok();
  };
  Status st = per_show(snap.tickets, [&](ShowEntry& e, const core::ShowInventory& inv,
                                         const store::TicketRecord& t) {
    if (t.booking_id == 0 || t.booking_id > inv.booking_count()) {
      return Status::Corruption("ticket of show " + std::to_string(t.show_id) + " names booking " +
                                std::to_string(t.booking_id) + ", which the show does not have");
    }
    if (e.tickets.size() < t.booking_id) e.tickets.resize(t.booking_id);
    std::vector<std::string>& codes = e.tickets[t.booking_id - 1];
    std::lock_guard<std::mutex> lock(ledger_->mu);
    ledger_->tickets[t.code] =
        Ledger::TicketRef{t.show_id, t.booking_id, static_cast<uint32_t>(codes.size())};
    codes.push_back(t.code);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  std::vector<store::HoldTrailRecord> trail = snap.hold_trail;
  std::stable_sort(trail.begin(), trail.end(),
                   [](const auto& a, const auto& b) { return a.show_id < b.show_id; });
  st = per_show(trail, [](ShowEntry& e, const core::ShowInventory& inv,
                          const store::HoldTrailRecord& t) {
    // Every hold ever made counted in the version, so no sequence is above it.
    if (!HoldTrails::Plausible(t.hold_id, inv.version()) || !e.trail.Fits(t.hold_id)) {
      return Status::Corruption("hold trail of show " + std::to_string(t.show_id) + " names hold " +
                                std::to_string(t.hold_id) + ", which the show never made");
    }
    e.trail.Add(t.hold_id, HoldTrailEntry{t.kind, t.at_ms, t.reason});
    return Status::Ok();
  });
  if (!st.ok()) return st;
  for (const std::string& id : refunds) RequestRefund(id);
  return Status::Ok();
}

void BookingService::PruneHistory(core::TimeMs now) {
  const store::HistoryPruned bounds{now - kWebhookEventRetentionMs, now - kHoldTrailRetentionMs,
                                    now - kIdempotencyRetentionMs, now - kOutboxRetentionMs,
                                    now - kClosedHoldMemoryMs};
  const core::TimeMs trail_before = bounds.hold_trail_before_ms;
  std::vector<ShowEntry*> entries;
  {
    std::shared_lock<std::shared_mutex> lock(catalog_mu_);
    for (const auto& [id, e] : shows_) entries.push_back(e.get());
  }
  for (ShowEntry* e : entries) {
    e->shard->With([&](core::ShowInventory&) {
      e->trail.Prune(trail_before);
      return 0;
    });
  }
  // Idempotency keys and webhook event ids are forgotten in memory only once
  // the store forgot them: a request that finds its key gone writes it after
  // the store's delete, never before it (a clash there would fail the batch).
  store::Batch batch;
  batch.records.push_back(bounds);
  SubmitOrFail(std::move(batch), [this, bounds](Status s) {
    if (!s.ok()) return;
    idempotency_.ForgetBefore(bounds.idempotency_before_ms);
    std::lock_guard<std::mutex> lock(ledger_->mu);
    std::erase_if(ledger_->webhook_events,
                  [&](const auto& kv) { return kv.second < bounds.webhook_events_before_ms; });
  });
}

}  // namespace boxoffice::service
