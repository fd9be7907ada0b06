// Api: the routes of the Boxoffice HTTP API (v1) and their handlers.
//
// Handlers validate the request (auth, JSON shape, ids), call the
// BookingService, and render the result or a problem+json. They never block:
// durable operations answer from the store's writer thread through their
// Responder. Every POST honours Idempotency-Key (see Idempotent()).
//
// Authentication: fans send `Authorization: Bearer <JWT HS256>`; organisers
// send `X-Admin-Key`. Hold operations (checkout included) also need
// `X-Hold-Token`. The payment gateway's webhook is authenticated by its
// `Boxoffice-Signature` alone. While a show's waiting room is enabled,
// creating a hold also needs `Boxoffice-Access` (api_queue.cc).
//
// Thread-safety: Register() before the server starts; handlers then run on
// any io thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include <boost/json/value.hpp>

#include "core/limits.h"
#include "http/queue_challenge.h"
#include "http/router.h"
#include "metrics/metrics.h"
#include "service/booking_service.h"

namespace boxoffice::http {

inline constexpr size_t kIdempotencyKeyBytesMax = 64;
inline constexpr size_t kPaymentRefBytesMax = 128;
inline constexpr size_t kSeatsPerRequestMax = core::kSeatsPerHoldMax;
inline constexpr size_t kTicketCodeBytesMax = 64;
// GET /v1/changes: changes per page, by default and at most.
inline constexpr size_t kChangesPageDefault = 100;
inline constexpr size_t kChangesPageMax = 1000;
// POST /v1/demo/token (only with --demo): a fan's name, and the token's life.
inline constexpr size_t kDemoNameBytesMax = 64;
inline constexpr int64_t kDemoTokenTtlS = 24 * 3600;

struct ApiOptions {
  std::string jwt_secret;
  std::string admin_key;
  service::ShowSettings show_defaults;  // for members POST /v1/shows leaves out
  std::string queue_secret;             // signs queue tickets and access tokens (>= 32 bytes)
  uint32_t queue_pow_bits = 0;          // proof of work to join a room: zero bits; 0: none
  bool demo = false;                    // serve POST /v1/demo/token (never in production)
  // Whose "now" the API reads; the service's clock when left null.
  const core::Clock* clock = nullptr;
};

// The public body of GET /v1/shows/{id}/queue/status (api_queue.cc); the
// service renders each room's status with it (WaitingRooms::SetStatusEncoder).
std::string QueueStatusJson(const service::QueueStatus& s);

// The Idempotency-Key a request came with. Routes answered only once their
// effect is durable hand the service the key's record of their answer
// (Remember), which it writes in the same batch as the effect.
struct IdempotencyScope {
  std::string who;  // the caller's identity
  std::string key;  // empty: the request has no key
  std::string request_hash;

  const core::Clock* clock = nullptr;  // when the record is made

  // The record that replays `response` for this key, made now.
  store::IdempotencyRecord RecordOf(const Response& response) const;
  // Remember for an answer R rendered by `answer`; empty without a key.
  template <typename R>
  service::Remember<R> For(std::function<Response(const R&)> answer) const;
};

class Api {
 public:
  // `service` may be null only to list the routes (Register, then Router::Routes).
  Api(service::BookingService* service, ApiOptions options, metrics::Registry* metrics);
  ~Api();

  void Register(Router& router);
  void SetReady(bool ready) { ready_.store(ready); }

 private:
  struct Cache;

  // A handler that gets the request's Idempotency-Key (answered once durable).
  using DurableHandler = std::function<void(Request&&, Responder, IdempotencyScope)>;
  // Wraps a POST handler with Idempotency-Key replay.
  Handler Idempotent(Handler inner);
  Handler Idempotent(DurableHandler inner, bool durable = true);

  void Healthz(Request&& req, Responder respond);
  void Readyz(Request&& req, Responder respond);
  void Metrics(Request&& req, Responder respond);
  void CreateVenue(Request&& req, Responder respond, IdempotencyScope idem);
  void GetVenue(Request&& req, Responder respond);
  void CreateShow(Request&& req, Responder respond, IdempotencyScope idem);
  void SearchShows(Request&& req, Responder respond);
  void GetShow(Request&& req, Responder respond);
  void GetSeatMap(Request&& req, Responder respond);
  void GetAvailability(Request&& req, Responder respond);
  std::shared_ptr<const std::string> AvailabilityBody(const service::Show& s,
                                                      const service::Availability& a, bool gzip);
  void AuditShow(Request&& req, Responder respond);
  void ListChanges(Request&& req, Responder respond);
  void CreateHold(Request&& req, Responder respond);
  void GetHold(Request&& req, Responder respond);
  void ReleaseHold(Request&& req, Responder respond);
  void ExtendHold(Request&& req, Responder respond);
  void ConfirmHold(Request&& req, Responder respond, IdempotencyScope idem);
  void GetBooking(Request&& req, Responder respond);
  void ListBookings(Request&& req, Responder respond);
  void CancelBooking(Request&& req, Responder respond, IdempotencyScope idem);
  void Checkout(Request&& req, Responder respond, IdempotencyScope idem);
  void PaymentWebhook(Request&& req, Responder respond);
  void HoldEvents(Request&& req, Responder respond);
  void GetTicket(Request&& req, Responder respond);
  // ---- The waiting room (api_queue.cc) ----
  void PutQueue(Request&& req, Responder respond);
  void GetQueue(Request&& req, Responder respond);
  void JoinQueue(Request&& req, Responder respond);
  void GetQueueStatus(Request&& req, Responder respond);
  void QueueAccess(Request&& req, Responder respond);
  void EndQueueSession(Request&& req, Responder respond);
  // While the show's room is enabled: the problem unless the request carries
  // a valid Boxoffice-Access token of this fan's running session.
  std::optional<Response> CheckAccess(const Request& req, const std::string& user,
                                      core::ShowId show);
  // Proof-of-work on a join: the problem when the proof (the body's "proof"
  // member, or null) does not hold. Accepts everything until proof-of-work is on.
  std::optional<Response> CheckJoinProof(const Request& req, const std::string& user,
                                         const boost::json::value* proof);
  void GetQueueChallenge(Request&& req, Responder respond);
  // ---- What the web pages need besides (api_web.cc) ----
  void RegisterWebRoutes(Router& router);
  void UpdateShow(Request&& req, Responder respond);
  void ShowReport(Request&& req, Responder respond);
  void CheckIn(Request&& req, Responder respond);
  void DemoToken(Request&& req, Responder respond);
  // A show as JSON with its sales state.
  boost::json::object ShowWithSales(const service::Show& s);
  // The problem when the show takes no new holds (sales paused or closed).
  std::optional<Response> CheckSales(core::ShowId show);

  service::BookingService* svc_;
  ApiOptions options_;
  QueueProof queue_proof_;  // CheckJoinProof asks it
  metrics::Registry* metrics_;
  std::atomic<bool> ready_{false};
  std::unique_ptr<Cache> cache_;
};

template <typename R>
service::Remember<R> IdempotencyScope::For(std::function<Response(const R&)> answer) const {
  if (key.empty()) return {};
  return
      [scope = *this, answer = std::move(answer)](const R& r) { return scope.RecordOf(answer(r)); };
}

}  // namespace boxoffice::http
