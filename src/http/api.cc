#include "http/api.h"

#include <boost/json/serialize.hpp>
#include <charconv>
#include <map>

#include "core/limits.h"
#include "crypto/encoding.h"
#include "crypto/hmac.h"
#include "http/admin_key.h"
#include "http/api_detail.h"
#include "http/api_json.h"
#include "http/catalog_codec.h"
#include "http/content_coding.h"
#include "http/json_reader.h"
#include "http/jwt.h"
#include "http/payments_json.h"
#include "http/problem.h"
#include "metrics/process_metrics.h"
#include "service/system_clock.h"

namespace boxoffice::http {
// Helpers shared with the other route files (declared in api_detail.h).
namespace api_detail {

using core::Outcome;

Response JsonResponse(unsigned status, const boost::json::object& o) {
  return Response::Json(status, boost::json::serialize(o));
}

Problem MakeProblem(unsigned status, std::string code, std::string title, std::string detail) {
  Problem p;
  p.status = status;
  p.code = std::move(code);
  p.title = std::move(title);
  p.detail = std::move(detail);
  return p;
}

Response Malformed(const std::string& detail) {
  return MakeProblem(400, "malformed_request", "Malformed request", detail).ToResponse();
}

Response NotFound(const std::string& detail) {
  return MakeProblem(404, "not_found", "Not found", detail).ToResponse();
}

// An operational Status from the service as a problem.
Response FromStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return MakeProblem(422, "invalid_request", "Invalid request", s.message()).ToResponse();
    case StatusCode::kNotFound:
      return NotFound(s.message());
    case StatusCode::kFailedPrecondition:
      return MakeProblem(409, "not_on_sale", "Not on sale", s.message()).ToResponse();
    default: {
      Response r = MakeProblem(503, "unavailable", "Service unavailable", s.message()).ToResponse();
      r.headers.Set("Retry-After", "1");
      return r;
    }
  }
}

// A domain outcome (not kOk) as a problem.
Problem FromOutcome(Outcome o) {
  switch (o) {
    case Outcome::kSeatUnavailable:
      return MakeProblem(409, "seat_unavailable", "Seat unavailable",
                         "some of the seats are taken");
    case Outcome::kNotEnoughSeats:
      return MakeProblem(409, "not_enough_seats", "Not enough seats",
                         "not enough seats together match the request");
    case Outcome::kOwnerLimitExceeded:
      return MakeProblem(409, "fan_limit_exceeded", "Fan limit exceeded",
                         "this would exceed the seats a fan may have for the show");
    case Outcome::kInvalidRequest:
      return MakeProblem(422, "invalid_request", "Invalid request",
                         "the request breaks the show's limits");
    case Outcome::kHoldNotFound:
      return MakeProblem(404, "not_found", "Not found", "no such hold");
    case Outcome::kWrongToken:
      return MakeProblem(403, "wrong_token", "Wrong hold token",
                         "X-Hold-Token does not match the hold");
    case Outcome::kHoldExpired:
      return MakeProblem(410, "hold_expired", "Hold expired", "the hold has expired");
    case Outcome::kHoldReleased:
      return MakeProblem(410, "hold_released", "Hold released", "the hold was released");
    case Outcome::kHoldConfirmed:
      return MakeProblem(409, "hold_confirmed", "Hold confirmed",
                         "the hold already became a booking");
    case Outcome::kExtensionLimit:
      return MakeProblem(409, "extension_limit", "Extension limit",
                         "the hold is at its maximum lifetime");
    case Outcome::kBookingNotFound:
      return MakeProblem(404, "not_found", "Not found", "no such booking");
    case Outcome::kBookingCancelled:
      return MakeProblem(409, "booking_cancelled", "Booking cancelled",
                         "the booking is already cancelled");
    case Outcome::kSeatNotBlocked:
      return MakeProblem(409, "seat_not_blocked", "Seat not blocked",
                         "some of the seats are not blocked");
    case Outcome::kOk:
      break;
  }
  // No `default:` above: the compiler names an outcome added without a problem.
  BOX_ASSERT(o != Outcome::kOk);  // callers turn only refusals into problems
  return MakeProblem(500, "internal_error", "Internal error", std::string(core::OutcomeName(o)));
}

template <typename T>
Response FromReply(const service::Reply<T>& r) {
  if (!r.status.ok()) return FromStatus(r.status);
  Problem p = FromOutcome(r.outcome);
  if (!r.conflicts.empty()) {
    boost::json::array c;
    for (const std::string& l : r.conflicts) c.emplace_back(l);
    p.extra["conflicts"] = std::move(c);
  }
  return p.ToResponse();
}

bool PrintableAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 127; });
}

Response Unauthorized(const std::string& detail) {
  Response r = MakeProblem(401, "unauthorized", "Unauthorized", detail).ToResponse();
  r.headers.Set("WWW-Authenticate", "Bearer");
  return r;
}

Response Forbidden(const std::string& detail) {
  return MakeProblem(403, "forbidden", "Forbidden", detail).ToResponse();
}

Caller Authenticate(const Request& req, const ApiOptions& options) {
  Caller c;
  if (auto key = req.Header("X-Admin-Key")) {
    if (AdminKeyMatches(*key, options.admin_key)) {
      c.admin = true;
    } else {
      c.problem = Unauthorized("X-Admin-Key is not valid");
    }
    return c;
  }
  const std::optional<std::string_view> bearer = req.BearerToken();
  if (!bearer) {
    c.problem = Unauthorized("send Authorization: Bearer <token>");
    return c;
  }
  StatusOr<JwtClaims> claims =
      VerifyJwtRemembered(*bearer, options.jwt_secret, options.clock->WallMs());
  if (!claims.ok()) {
    c.problem = Unauthorized("the bearer token is not valid: " + claims.status().message());
    return c;
  }
  c.admin = claims->role == JwtRole::kAdmin;
  c.user = claims->sub;
  return c;
}

// The caller must be a fan (an organiser acting as a fan is refused: holds
// belong to people).
std::optional<Response> RequireFan(const Caller& c) {
  if (c.problem) return c.problem;
  if (c.user.empty()) return Forbidden("this route is for fans (a bearer token)");
  return std::nullopt;
}

std::optional<Response> RequireAdmin(const Caller& c) {
  if (c.problem) return c.problem;
  if (!c.admin) return Forbidden("this route is for organisers (X-Admin-Key)");
  return std::nullopt;
}

std::optional<Response> RequireAny(const Caller& c) { return c.problem; }

std::optional<core::Token> HoldToken(const Request& req) {
  const std::optional<std::string_view> t = req.Header("X-Hold-Token");
  if (!t) return std::nullopt;
  return crypto::TokenFromString(*t);
}

// Forwards a response to the original Responder after `on_response` saw it.
class InterceptSink final : public internal::ResponseSink {
 public:
  InterceptSink(Responder original, std::function<void(Response&, Responder)> on_response)
      : original_(std::move(original)), on_response_(std::move(on_response)) {}
  void Deliver(uint64_t, Response&& response) override {
    Responder r = std::move(original_);
    on_response_(response, std::move(r));
  }

 private:
  Responder original_;
  std::function<void(Response&, Responder)> on_response_;
};

std::string SerializeHeaders(const Response& r) {
  std::string out = r.content_type + "\n";
  for (const auto& [name, value] : r.headers) out += name + ": " + value + "\n";
  return out;
}

Response ReplayOf(const store::IdempotencyRecord& rec) {
  Response r;
  r.status = static_cast<unsigned>(rec.status);
  r.body = rec.response_body;
  std::string_view h = rec.response_headers;
  const size_t nl = h.find('\n');
  r.content_type = std::string(h.substr(0, nl));
  h.remove_prefix(nl == std::string_view::npos ? h.size() : nl + 1);
  while (!h.empty()) {
    const size_t end = h.find('\n');
    const std::string_view line = h.substr(0, end);
    const size_t colon = line.find(": ");
    if (colon != std::string_view::npos)
      r.headers.Add(std::string(line.substr(0, colon)), std::string(line.substr(colon + 2)));
    h.remove_prefix(end == std::string_view::npos ? h.size() : end + 1);
  }
  r.headers.Set("Idempotent-Replayed", "true");
  return r;
}

// Whether an If-None-Match field lists `etag` (or is "*"), by the weak
// comparison RFC 9110 prescribes for it: a W/ prefix is ignored.
bool IfNoneMatchHas(std::optional<std::string_view> if_none_match, std::string_view etag) {
  if (!if_none_match) return false;
  std::string_view list = *if_none_match;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view tag = list.substr(0, comma);
    list.remove_prefix(comma == std::string_view::npos ? list.size() : comma + 1);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == etag || tag == "*") return true;
  }
  return false;
}

std::optional<core::ShowId> ShowParam(const Request& req) {
  return ParseShowId(req.PathParam("id"));
}

}  // namespace api_detail

using namespace api_detail;  // NOLINT(google-build-using-namespace): this file's own helpers

namespace {
// The service's clock unless the options name one; with neither (the route
// listing), the process's.
ApiOptions WithClock(ApiOptions options, const service::BookingService* service) {
  static const service::SystemClock system_clock;
  if (options.clock == nullptr) options.clock = service ? &service->clock() : &system_clock;
  return options;
}
}  // namespace

// Rendered bodies that stay the same for a while (availability per version,
// seat maps for ever) and the Idempotency-Keys being answered right now.
struct Api::Cache {
  // One version of a show's availability: the JSON body, and its gzip
  // coding once a client asked for it.
  struct Bodies {
    core::Version version = 0;
    std::shared_ptr<const std::string> identity;
    std::shared_ptr<const std::string> gzip;
  };

  std::mutex mu;
  std::map<core::ShowId, Bodies> availability;
  std::map<core::ShowId, Bodies> seat_maps;  // version unused: a seat map never changes
  std::set<std::pair<std::string, std::string>> idempotency_in_flight;
};

Api::Api(service::BookingService* service, ApiOptions options, metrics::Registry* metrics)
    : svc_(service),
      options_(WithClock(std::move(options), service)),
      queue_proof_(QueueProofOptions{options_.queue_pow_bits, options_.queue_secret}),
      metrics_(metrics),
      cache_(std::make_unique<Cache>()) {}

Api::~Api() = default;

void Api::Register(Router& router) {
  const auto bind = [this](void (Api::*fn)(Request&&, Responder)) {
    return [this, fn](Request&& req, Responder respond) {
      (this->*fn)(std::move(req), std::move(respond));
    };
  };
  const auto durable = [this](void (Api::*fn)(Request&&, Responder, IdempotencyScope)) {
    return Idempotent(
        DurableHandler([this, fn](Request&& req, Responder respond, IdempotencyScope idem) {
          (this->*fn)(std::move(req), std::move(respond), std::move(idem));
        }));
  };
  router.Add(Method::kGet, "/healthz", bind(&Api::Healthz));
  router.Add(Method::kGet, "/readyz", bind(&Api::Readyz));
  router.Add(Method::kGet, "/metrics", bind(&Api::Metrics));
  router.Add(Method::kPost, "/v1/venues", durable(&Api::CreateVenue));
  router.Add(Method::kGet, "/v1/venues/{id}", bind(&Api::GetVenue));
  router.Add(Method::kPost, "/v1/shows", durable(&Api::CreateShow));
  router.Add(Method::kGet, "/v1/shows", bind(&Api::SearchShows));
  router.Add(Method::kGet, "/v1/shows/{id}", bind(&Api::GetShow));
  router.Add(Method::kGet, "/v1/shows/{id}/seatmap", bind(&Api::GetSeatMap));
  router.Add(Method::kGet, "/v1/shows/{id}/availability", bind(&Api::GetAvailability));
  router.Add(Method::kGet, "/v1/shows/{id}/audit", bind(&Api::AuditShow));
  router.Add(Method::kGet, "/v1/changes", bind(&Api::ListChanges));
  router.Add(Method::kPost, "/v1/shows/{id}/holds", Idempotent(bind(&Api::CreateHold)));
  router.Add(Method::kGet, "/v1/holds/{id}", bind(&Api::GetHold));
  router.Add(Method::kDelete, "/v1/holds/{id}", bind(&Api::ReleaseHold));
  router.Add(Method::kPost, "/v1/holds/{id}/extend", Idempotent(bind(&Api::ExtendHold)));
  router.Add(Method::kPost, "/v1/holds/{id}/confirm", durable(&Api::ConfirmHold));
  router.Add(Method::kGet, "/v1/bookings", bind(&Api::ListBookings));
  router.Add(Method::kGet, "/v1/bookings/{id}", bind(&Api::GetBooking));
  router.Add(Method::kPost, "/v1/bookings/{id}/cancel", durable(&Api::CancelBooking));
  router.Add(Method::kPost, "/v1/holds/{id}/checkout", durable(&Api::Checkout));
  router.Add(Method::kGet, "/v1/holds/{id}/events", bind(&Api::HoldEvents));
  router.Add(Method::kPost, "/v1/payments/webhook", bind(&Api::PaymentWebhook));
  router.Add(Method::kGet, "/v1/tickets/{code}", bind(&Api::GetTicket));
  router.Add(Method::kPut, "/v1/shows/{id}/queue", bind(&Api::PutQueue));
  router.Add(Method::kGet, "/v1/shows/{id}/queue", bind(&Api::GetQueue));
  router.Add(Method::kPost, "/v1/shows/{id}/queue", bind(&Api::JoinQueue));
  router.Add(Method::kGet, "/v1/shows/{id}/queue/status", bind(&Api::GetQueueStatus));
  router.Add(Method::kPost, "/v1/shows/{id}/queue/access", bind(&Api::QueueAccess));
  router.Add(Method::kDelete, "/v1/shows/{id}/queue/access", bind(&Api::EndQueueSession));
  router.Add(Method::kGet, "/v1/shows/{id}/queue/challenge", bind(&Api::GetQueueChallenge));
  RegisterWebRoutes(router);
}

// ---- Idempotency ------------------------------------------------------------------------------

store::IdempotencyRecord IdempotencyScope::RecordOf(const Response& response) const {
  return store::IdempotencyRecord{who,
                                  key,
                                  request_hash,
                                  static_cast<int>(response.status),
                                  std::string(response.body.view()),
                                  SerializeHeaders(response),
                                  clock->NowMs()};
}

Handler Api::Idempotent(Handler inner) {
  return Idempotent(DurableHandler([inner = std::move(inner)](Request&& req, Responder respond,
                                                              IdempotencyScope) {
                      inner(std::move(req), std::move(respond));
                    }),
                    /*durable=*/false);
}

// Replays the first answer to a key, refuses a key reused for another request
// or still being answered, and remembers the answer. A durable route answers
// only once the key's record is durable: the service writes it with the
// effect (the scope), or, for an answer without one (a refusal, the payment
// made before), it is written here before the answer goes out. The others'
// answers are remembered as they are sent, and journaled in the background.
Handler Api::Idempotent(DurableHandler inner, bool durable) {
  return [this, inner = std::move(inner), durable](Request&& req, Responder respond) {
    const std::optional<std::string_view> key_header = req.Header("Idempotency-Key");
    if (!key_header) return inner(std::move(req), std::move(respond), IdempotencyScope{});
    const std::string key(*key_header);
    if (key.empty() || key.size() > kIdempotencyKeyBytesMax || !PrintableAscii(key)) {
      return respond(Malformed("Idempotency-Key must be 1..64 printable ASCII characters"));
    }
    const Caller caller = Authenticate(req, options_);
    if (caller.problem) {
      return inner(std::move(req), std::move(respond), IdempotencyScope{});  // answers 401
    }
    const std::string who = caller.identity();
    const crypto::Sha256Digest digest =
        crypto::Sha256(std::string(MethodName(req.method)) + " " + req.target + "\n" + req.body);
    const std::string hash = crypto::HexEncode(crypto::AsChars(digest));
    const auto finish = [this, who, key] {
      std::lock_guard<std::mutex> lock(cache_->mu);
      cache_->idempotency_in_flight.erase({who, key});
    };
    {
      // First the claim, then the cache: no repeat is answered while the
      // first request is (its record may not be durable yet).
      std::lock_guard<std::mutex> lock(cache_->mu);
      if (!cache_->idempotency_in_flight.emplace(who, key).second) {
        return respond(MakeProblem(409, "request_in_progress", "Request in progress",
                                   "a request with this Idempotency-Key is still being answered")
                           .ToResponse());
      }
    }
    if (std::optional<store::IdempotencyRecord> rec = svc_->FindIdempotent(who, key)) {
      finish();
      if (rec->request_hash != hash) {
        return respond(MakeProblem(422, "idempotency_key_reused", "Idempotency key reused",
                                   "this Idempotency-Key was used for a different request")
                           .ToResponse());
      }
      return respond(ReplayOf(*rec));
    }
    auto sink = std::make_shared<InterceptSink>(
        std::move(respond),
        [this, who, key, hash, durable, finish](Response& response, Responder original) {
          if (response.status >= 500) {
            finish();
            return original(std::move(response));
          }
          const IdempotencyScope scope{who, key, hash, options_.clock};
          if (durable) {
            if (svc_->FindIdempotent(who, key)) {  // written with the effect: durable
              finish();
              return original(std::move(response));
            }
            auto answer = std::make_shared<std::pair<Response, Responder>>(std::move(response),
                                                                           std::move(original));
            svc_->RememberIdempotentOnceDurable(
                scope.RecordOf(answer->first), [answer, finish](Status s) {
                  finish();
                  if (!s.ok()) return answer->second(FromStatus(Status::Unavailable(s.message())));
                  answer->second(std::move(answer->first));
                });
            return;
          }
          // Remembered at once (a repeat sees it) and journaled in the
          // background: the response does not wait for an fsync. Should the
          // server die before the record is durable, a repeat runs again,
          // which a hold, an extension or a refusal survives.
          svc_->RememberIdempotent(scope.RecordOf(response), nullptr);
          finish();
          original(std::move(response));
        });
    inner(std::move(req), Responder(sink, 0, nullptr),
          IdempotencyScope{who, key, hash, options_.clock});
  };
}

// ---- Operations
// ----------------------------------------------------------------------------------

void Api::Healthz(Request&&, Responder respond) { respond(JsonResponse(200, {{"status", "ok"}})); }

void Api::Readyz(Request&&, Responder respond) {
  if (!ready_.load()) return respond(JsonResponse(503, {{"status", "starting"}}));
  if (svc_->failed()) return respond(JsonResponse(503, {{"status", "journal_failed"}}));
  if (!svc_->Refusal().ok()) return respond(JsonResponse(503, {{"status", "store_unreachable"}}));
  respond(JsonResponse(200, {{"status", "ready"}}));
}

void Api::Metrics(Request&&, Responder respond) {
  metrics::UpdateProcessMetrics(*metrics_);
  Response r = Response::Text(200, metrics_->RenderText());
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  respond(std::move(r));
}

// ---- Venues and shows -------------------------------------------------------------------------

namespace {

// The answers of the routes answered once durable, as sent and as replayed.
Response VenueCreatedAnswer(const StatusOr<std::shared_ptr<const service::Venue>>& v) {
  if (!v.ok()) {
    if (v.status().code() == StatusCode::kInvalidArgument) return Malformed(v.status().message());
    return FromStatus(v.status());
  }
  Response r = JsonResponse(201, VenueJson(**v, false));
  r.headers.Set("Location", "/v1/venues/" + VenueId((*v)->id));
  return r;
}

Response ConfirmedAnswer(const service::Reply<service::BookingView>& r) {
  if (!r.ok()) {
    if (r.status.ok() && r.outcome == Outcome::kHoldConfirmed) {
      Problem p = FromOutcome(r.outcome);
      p.extra["booking_id"] = BookingId(r.value.show, r.value.booking);
      return p.ToResponse();
    }
    return FromReply(r);
  }
  Response resp = Response::Json(201, BookingJson(r.value));
  resp.headers.Set("Location", "/v1/bookings/" + BookingId(r.value.show, r.value.booking));
  return resp;
}

Response CancelledAnswer(const service::Reply<service::BookingView>& r) {
  if (!r.ok()) return FromReply(r);
  return Response::Json(200, BookingJson(r.value));
}

Response CheckoutAnswer(const service::Reply<service::CheckoutView>& r) {
  if (!r.ok()) return FromReply(r);
  return JsonResponse(r.value.existing ? 200 : 201, CheckoutJson(r.value));
}

// Answers with `answer` of what the service hands `done`.
template <typename R>
std::function<void(R)> AnswerWith(Responder respond, std::function<Response(const R&)> answer) {
  return [respond = std::make_shared<Responder>(std::move(respond)), answer](R r) {
    (*respond)(answer(r));
  };
}

}  // namespace

void Api::CreateVenue(Request&& req, Responder respond, IdempotencyScope idem) {
  if (auto p = RequireAdmin(Authenticate(req, options_))) return respond(std::move(*p));
  StatusOr<boost::json::value> body = ParseJson(req.body);
  if (!body.ok()) return respond(Malformed(body.status().message()));
  using Created = StatusOr<std::shared_ptr<const service::Venue>>;
  svc_->CreateVenue(std::move(req.body),
                    AnswerWith<Created>(std::move(respond), &VenueCreatedAnswer),
                    idem.For<Created>(&VenueCreatedAnswer));
}

void Api::GetVenue(Request&& req, Responder respond) {
  const std::optional<uint64_t> id = ParseVenueId(req.PathParam("id"));
  std::shared_ptr<const service::Venue> v = id ? svc_->FindVenue(*id) : nullptr;
  if (v == nullptr) return respond(NotFound("no such venue"));
  respond(JsonResponse(200, VenueJson(*v, true)));
}

void Api::CreateShow(Request&& req, Responder respond, IdempotencyScope idem) {
  if (auto p = RequireAdmin(Authenticate(req, options_))) return respond(std::move(*p));
  StatusOr<service::ShowSettings> settings =
      ParseShowSettings(req.body, options_.clock->NowMs(), options_.show_defaults);
  if (!settings.ok()) return respond(Malformed(settings.status().message()));
  using Created = StatusOr<std::shared_ptr<const service::Show>>;
  const std::function<Response(const Created&)> answer = [this](const Created& s) {
    if (!s.ok()) return FromStatus(s.status());
    Response r = JsonResponse(201, ShowWithSales(**s));
    r.headers.Set("Location", "/v1/shows/" + ShowId((*s)->id));
    return r;
  };
  // Once the show is durable, its seat map is rendered before the organiser
  // is answered: the organiser's request pays for it, not a fan's.
  std::function<void(Created)> answered = AnswerWith<Created>(std::move(respond), answer);
  svc_->CreateShow(
      std::move(settings).value(),
      [this, answered = std::move(answered)](Created s) {
        if (s.ok()) SeatMapOf(**s);
        answered(std::move(s));
      },
      idem.For<Created>(answer));
}

void Api::SearchShows(Request&& req, Responder respond) {
  service::ShowQuery q;
  if (auto name = req.Query("q")) q.name_contains = std::string(*name);
  if (auto venue = req.Query("venue")) {
    const std::optional<uint64_t> id = ParseVenueId(*venue);
    if (!id) return respond(Malformed("venue: not a venue id"));
    q.venue_id = *id;
  }
  for (const auto& [name, bound] : {std::pair{"from", &q.from_ms}, std::pair{"to", &q.to_ms}}) {
    if (auto t = req.Query(name)) {
      const std::optional<core::TimeMs> parsed = ParseTime(*t);
      if (!parsed) return respond(Malformed(std::string(name) + ": expected an RFC 3339 time"));
      *bound = *parsed;
    }
  }
  boost::json::array shows;
  for (const auto& s : svc_->SearchShows(q)) shows.push_back(ShowWithSales(*s));
  respond(JsonResponse(200, {{"shows", std::move(shows)}}));
}

void Api::GetShow(Request&& req, Responder respond) {
  const std::optional<core::ShowId> id = ShowParam(req);
  std::shared_ptr<const service::Show> s = id ? svc_->FindShow(*id) : nullptr;
  if (s == nullptr) return respond(NotFound("no such show"));
  respond(JsonResponse(200, ShowWithSales(*s)));
}

// A proof-of-work challenge for joining the show's waiting room; with
// queue_pow_bits 0 it asks for no work (difficulty_bits 0) and joining needs
// no proof.
void Api::GetQueueChallenge(Request&& req, Responder respond) {
  const Caller caller = Authenticate(req, options_);
  if (auto p = RequireFan(caller)) return respond(std::move(*p));
  const std::optional<core::ShowId> id = ShowParam(req);
  std::shared_ptr<const service::Show> s = id ? svc_->FindShow(*id) : nullptr;
  if (s == nullptr) return respond(NotFound("no such show"));
  const QueueChallenge c = queue_proof_.Issue(caller.user, s->id, options_.clock->WallMs());
  Response r = JsonResponse(200, {{"challenge", c.challenge},
                                  {"difficulty_bits", c.difficulty_bits},
                                  {"algorithm", "sha256"},
                                  {"expires_at", FormatTime(c.expires_at_ms)}});
  r.headers.Set("Cache-Control", "no-store");
  respond(std::move(r));
}

Api::SeatMapBodies Api::SeatMapOf(const service::Show& s) {
  {
    std::lock_guard<std::mutex> lock(cache_->mu);
    const Cache::Bodies& b = cache_->seat_maps[s.id];
    if (b.identity != nullptr) return {b.identity, b.gzip};
  }
  // Rendered outside the lock; two first requests at once may both render.
  SeatMapBodies made{std::make_shared<const std::string>(SeatMapText(s)), nullptr};
  StatusOr<std::string> z = Gzip(*made.identity);
  if (z.ok()) made.gzip = std::make_shared<const std::string>(std::move(z).value());
  std::lock_guard<std::mutex> lock(cache_->mu);
  Cache::Bodies& b = cache_->seat_maps[s.id];
  if (b.identity == nullptr) {
    b.identity = made.identity;
    b.gzip = made.gzip;
  }
  return {b.identity, b.gzip};
}

void Api::WarmSeatMaps(std::stop_token stop) {
  for (const std::shared_ptr<const service::Show>& s : svc_->SearchShows({})) {
    if (stop.stop_requested()) return;
    SeatMapOf(*s);
  }
}

void Api::GetSeatMap(Request&& req, Responder respond) {
  const std::optional<core::ShowId> id = ShowParam(req);
  std::shared_ptr<const service::Show> s = id ? svc_->FindShow(*id) : nullptr;
  if (s == nullptr) return respond(NotFound("no such show"));
  // Rendered and compressed once (at start or at the show's creation), kept
  // for ever: a seat map never changes.
  const auto [identity, compressed] = SeatMapOf(*s);
  bool gzip = AcceptsGzip(req.Header("Accept-Encoding"));
  gzip = gzip && compressed != nullptr;
  const std::string etag = "\"seatmap-" + std::to_string(s->id) + (gzip ? "-gzip\"" : "\"");
  Response r = IfNoneMatchHas(req.Header("If-None-Match"), etag)
                   ? Response::Empty(304)
                   : Response::Json(200, gzip ? compressed : identity);
  r.headers.Set("ETag", etag);
  r.headers.Set("Vary", "Accept-Encoding");
  if (r.status == 200) {
    r.headers.Set("Cache-Control", "public, max-age=86400, immutable");
    if (gzip) r.headers.Set("Content-Encoding", "gzip");
  }
  respond(std::move(r));
}

// The availability body is rendered once per version and its gzip coding
// compressed once per version, on the first request that accepts it. The two
// codings have different ETags, and both responses say Vary: Accept-Encoding.
void Api::GetAvailability(Request&& req, Responder respond) {
  const std::optional<core::ShowId> id = ShowParam(req);
  std::shared_ptr<const service::Show> s = id ? svc_->FindShow(*id) : nullptr;
  if (s == nullptr) return respond(NotFound("no such show"));
  std::shared_ptr<const service::Availability> a = svc_->GetAvailability(s->id);
  const auto with_cache_headers = [&a](Response r, bool gzip) {
    r.headers.Add("ETag", "\"" + std::to_string(a->version) + (gzip ? "-gzip\"" : "\""));
    r.headers.Add("Cache-Control", "no-cache");
    r.headers.Add("Vary", "Accept-Encoding");
    if (gzip && r.status == 200) r.headers.Add("Content-Encoding", "gzip");
    return r;
  };
  bool gzip = AcceptsGzip(req.Header("Accept-Encoding"));
  if (const std::optional<std::string_view> inm = req.Header("If-None-Match")) {
    Response r = with_cache_headers(Response::Empty(304), gzip);
    if (IfNoneMatchHas(inm, *r.headers.Get("ETag"))) return respond(std::move(r));
  }
  std::shared_ptr<const std::string> body = AvailabilityBody(*s, *a, gzip);
  if (body == nullptr) {  // zlib failed: the identity coding is always acceptable
    gzip = false;
    body = AvailabilityBody(*s, *a, gzip);
  }
  respond(with_cache_headers(Response::Json(200, std::move(body)), gzip));
}

// The cached body of this version of the show's availability, rendered (and
// compressed) on the first request for it; null if compression failed.
std::shared_ptr<const std::string> Api::AvailabilityBody(const service::Show& s,
                                                         const service::Availability& a,
                                                         bool gzip) {
  std::shared_ptr<const std::string> identity;
  {
    std::lock_guard<std::mutex> lock(cache_->mu);
    auto it = cache_->availability.find(s.id);
    if (it != cache_->availability.end() && it->second.version == a.version) {
      if (!gzip) return it->second.identity;
      if (it->second.gzip != nullptr) return it->second.gzip;
      identity = it->second.identity;
    }
  }
  if (identity == nullptr) {
    identity = std::make_shared<const std::string>(boost::json::serialize(AvailabilityJson(s, a)));
  }
  std::shared_ptr<const std::string> compressed;
  if (gzip) {
    StatusOr<std::string> z = Gzip(*identity);
    if (z.ok()) compressed = std::make_shared<const std::string>(std::move(z).value());
  }
  std::lock_guard<std::mutex> lock(cache_->mu);
  Cache::Bodies& slot = cache_->availability[s.id];
  if (slot.identity == nullptr || slot.version < a.version) slot = {a.version, identity, nullptr};
  if (slot.version == a.version && slot.gzip == nullptr) slot.gzip = compressed;
  return gzip ? compressed : identity;
}

void Api::AuditShow(Request&& req, Responder respond) {
  if (auto p = RequireAdmin(Authenticate(req, options_))) return respond(std::move(*p));
  const std::optional<core::ShowId> id = ShowParam(req);
  if (!id || svc_->FindShow(*id) == nullptr) return respond(NotFound("no such show"));
  const service::AuditResult a = svc_->Audit(*id);
  boost::json::array violations;
  for (const std::string& v : a.violations) violations.emplace_back(v);
  respond(JsonResponse(
      200, {{"ok", a.ok}, {"violations", std::move(violations)}, {"version", a.version}}));
}

namespace {

// A decimal query parameter in [0, max]; nullopt when malformed.
std::optional<uint64_t> UintParam(std::string_view text, uint64_t max) {
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || v > max) {
    return std::nullopt;
  }
  return v;
}

}  // namespace

// The outbox: ?after=<seq> over every show, or ?show=<id>&after=<version>
// for one show; oldest first, ?limit= per page.
void Api::ListChanges(Request&& req, Responder respond) {
  if (auto p = RequireAdmin(Authenticate(req, options_))) return respond(std::move(*p));
  store::ChangesQuery q;
  q.limit = kChangesPageDefault;
  std::shared_ptr<const service::Show> show;
  if (const auto s = req.Query("show")) {
    const std::optional<core::ShowId> id = ParseShowId(*s);
    if (!id) return respond(Malformed("show: expected a show id such as s1"));
    show = svc_->FindShow(*id);
    if (show == nullptr) return respond(NotFound("no such show"));
    q.show_id = *id;
  }
  if (const auto a = req.Query("after")) {
    const std::optional<uint64_t> after = UintParam(*a, INT64_MAX);
    if (!after) return respond(Malformed("after: expected a non-negative integer"));
    (show ? q.after_version : q.after_seq) = *after;
  }
  if (const auto l = req.Query("limit")) {
    const std::optional<uint64_t> limit = UintParam(*l, kChangesPageMax);
    if (!limit || *limit == 0) {
      return respond(Malformed("limit: expected 1.." + std::to_string(kChangesPageMax)));
    }
    q.limit = *limit;
  }
  svc_->ReadChanges(q, [this, by_show = show != nullptr,
                        respond = std::make_shared<Responder>(std::move(respond))](
                           StatusOr<store::ChangesPage> page) {
    if (!page.ok()) {
      return (*respond)(
          MakeProblem(503, "unavailable", "Unavailable", std::string(page.status().message()))
              .ToResponse());
    }
    if (page->gone) {
      Problem p = MakeProblem(410, "changes_pruned", "Changes no longer kept",
                              "the changes after this position are no longer kept (the outbox "
                              "keeps " +
                                  std::to_string(service::kOutboxRetentionMs / 86'400'000) +
                                  " days); reload what you keep and read on after next_after");
      p.extra["next_after"] = page->resume_after;
      return (*respond)(p.ToResponse());
    }
    boost::json::array out;
    uint64_t next = 0;
    for (const store::ChangeRecord& c : page->changes) {
      std::shared_ptr<const service::Show> s = svc_->FindShow(c.show_id);
      boost::json::array seats;
      for (core::SeatIndex i : c.seats) {
        if (s != nullptr && i < s->venue->map->seat_count())
          seats.emplace_back(s->venue->map->label(i));
      }
      boost::json::object o{
          {"seq", c.seq},
          {"show_id", ShowId(c.show_id)},
          {"version", c.version},
          {"at", FormatTime(c.at_ms)},
          {"reason", core::ChangeReasonName(static_cast<core::ChangeReason>(c.reason))},
          {"state", core::SeatStateName(static_cast<core::SeatState>(c.state))},
          {"seats", std::move(seats)}};
      if (c.hold_id != 0) o["hold_id"] = HoldId(c.show_id, c.hold_id);
      if (c.booking_id != 0) o["booking_id"] = BookingId(c.show_id, c.booking_id);
      if (c.ga_area != store::kNoArea && s != nullptr &&
          c.ga_area < s->venue->map->sections().size()) {
        o["general_admission"] = {{"area", s->venue->map->section(c.ga_area).id},
                                  {"quantity", c.ga_quantity}};
      }
      out.push_back(std::move(o));
      next = by_show ? c.version : c.seq;
    }
    boost::json::object body{{"changes", std::move(out)}};
    if (next != 0) body["next_after"] = next;
    (*respond)(JsonResponse(200, body));
  });
}

// ---- Holds
// ------------------------------------------------------------------------------------------

namespace {

// The body of POST /v1/shows/{id}/holds: exactly one of seats, best_available,
// general_admission.
StatusOr<service::HoldWanted> ParseHoldWanted(std::string_view body) {
  StatusOr<boost::json::value> v = ParseJson(body);
  if (!v.ok()) return v.status();
  ObjectReader r(*v, "");
  const boost::json::array* seats = r.Array("seats", Field::kOptional, kSeatsPerRequestMax);
  const boost::json::value* best = r.Value("best_available", Field::kOptional);
  const boost::json::value* ga = r.Value("general_admission", Field::kOptional);
  if ((seats != nullptr) + (best != nullptr) + (ga != nullptr) != 1 && r.ok()) {
    r.Fail("body", "give exactly one of seats, best_available, general_admission");
  }
  service::HoldWanted wanted;
  if (seats != nullptr && r.ok()) {
    service::SeatsWanted w;
    for (size_t i = 0; i < seats->size(); ++i) {
      const boost::json::string* label = (*seats)[i].if_string();
      if (label == nullptr || label->size() > 3 * core::kLabelBytesMax) {
        r.Fail(r.PathOf("seats", i), "expected a seat label");
        break;
      }
      w.labels.emplace_back(label->data(), label->size());
    }
    wanted = std::move(w);
  } else if (best != nullptr && r.ok()) {
    ObjectReader b(*best, "best_available");
    service::BestWanted w;
    w.count =
        static_cast<uint32_t>(b.Int("count", Field::kRequired, 0, kSeatsPerRequestMax).value_or(0));
    w.section = b.String("section", Field::kOptional, core::kLabelBytesMax).value_or("");
    w.category = b.String("category", Field::kOptional, core::kLabelBytesMax).value_or("");
    w.accessible = b.Bool("accessible", Field::kOptional).value_or(false);
    w.allow_split = b.Bool("allow_split", Field::kOptional).value_or(false);
    r.Adopt(b.Finish());
    wanted = std::move(w);
  } else if (ga != nullptr && r.ok()) {
    ObjectReader g(*ga, "general_admission");
    service::PlacesWanted w;
    w.area = g.String("area", Field::kRequired, core::kLabelBytesMax).value_or("");
    w.quantity = static_cast<uint32_t>(
        g.Int("quantity", Field::kRequired, 0, kSeatsPerRequestMax).value_or(0));
    r.Adopt(g.Finish());
    wanted = std::move(w);
  }
  if (Status st = r.Finish(); !st.ok()) return st;
  return wanted;
}

// A hold id from the path and the service's view of it; or the problem.
struct HoldRef {
  core::ShowId show = 0;
  core::HoldId hold = 0;
};

std::optional<HoldRef> ParseHoldRef(const Request& req) {
  auto id = ParseHoldId(req.PathParam("id"));
  if (!id) return std::nullopt;
  return HoldRef{id->first, id->second};
}

// A fan may act only on their own holds (the token alone is not enough).
std::optional<Response> RequireOwner(service::BookingService& svc, const HoldRef& ref,
                                     const Caller& caller) {
  service::Reply<service::HoldView> h = svc.GetHold(ref.show, ref.hold);
  if (!h.status.ok()) return std::nullopt;  // the operation itself answers not_found
  if (!h.value.user.empty() && h.value.user != caller.user) {
    return Forbidden("this hold is someone else's");
  }
  return std::nullopt;
}

}  // namespace

void Api::CreateHold(Request&& req, Responder respond) {
  const Caller caller = Authenticate(req, options_);
  if (auto p = RequireFan(caller)) return respond(std::move(*p));
  const std::optional<core::ShowId> show = ShowParam(req);
  if (!show || svc_->FindShow(*show) == nullptr) return respond(NotFound("no such show"));
  if (auto p = CheckSales(*show)) return respond(std::move(*p));
  if (auto p = CheckAccess(req, caller.user, *show)) return respond(std::move(*p));
  StatusOr<service::HoldWanted> wanted = ParseHoldWanted(req.body);
  if (!wanted.ok()) return respond(Malformed(wanted.status().message()));
  service::Reply<service::HoldView> r = svc_->CreateHold(caller.user, *show, *wanted);
  if (r.status.code() == StatusCode::kNotFound && !r.conflicts.empty()) {
    Problem p = MakeProblem(422, "unknown_seat", "Unknown seat", "no such seat in the show");
    boost::json::array seats;
    for (const std::string& l : r.conflicts) seats.emplace_back(l);
    p.extra["seats"] = std::move(seats);
    return respond(p.ToResponse());
  }
  if (!r.ok()) return respond(FromReply(r));
  Response resp = Response::Json(r.existing ? 200 : 201, HoldJson(r.value, true));
  resp.headers.Set("Location", "/v1/holds/" + HoldId(r.value.show, r.value.hold));
  respond(std::move(resp));
}

void Api::GetHold(Request&& req, Responder respond) {
  const Caller caller = Authenticate(req, options_);
  if (auto p = RequireAny(caller)) return respond(std::move(*p));
  const std::optional<HoldRef> ref = ParseHoldRef(req);
  if (!ref) return respond(NotFound("no such hold"));
  service::Reply<service::HoldView> r = svc_->GetHold(ref->show, ref->hold);
  if (!r.ok()) return respond(FromReply(r));
  const bool owner = !caller.user.empty() && r.value.user == caller.user;
  if (!caller.admin && !owner) return respond(NotFound("no such hold"));
  respond(Response::Json(200, HoldJson(r.value, /*with_token=*/owner)));
}

void Api::ReleaseHold(Request&& req, Responder respond) {
  const Caller caller = Authenticate(req, options_);
  if (auto p = RequireFan(caller)) return respond(std::move(*p));
  const std::optional<HoldRef> ref = ParseHoldRef(req);
  if (!ref) return respond(NotFound("no such hold"));
  const std::optional<core::Token> token = HoldToken(req);
  if (!token) return respond(FromOutcome(Outcome::kWrongToken).ToResponse());
  if (auto p = RequireOwner(*svc_, *ref, caller)) return respond(std::move(*p));
  service::Reply<service::HoldView> r = svc_->ReleaseHold(ref->show, ref->hold, *token);
  if (!r.ok()) return respond(FromReply(r));
  respond(Response::Empty(204));
}

void Api::ExtendHold(Request&& req, Responder respond) {
  const Caller caller = Authenticate(req, options_);
  if (auto p = RequireFan(caller)) return respond(std::move(*p));
  const std::optional<HoldRef> ref = ParseHoldRef(req);
  if (!ref) return respond(NotFound("no such hold"));
  StatusOr<boost::json::value> body = ParseJson(req.body);
  if (!body.ok()) return respond(Malformed(body.status().message()));
  ObjectReader rd(*body, "");
  const auto by_s = rd.Int("by_s", Field::kRequired, 1, core::kHoldTtlSecondsMax);
  if (Status st = rd.Finish(); !st.ok()) return respond(Malformed(st.message()));
  const std::optional<core::Token> token = HoldToken(req);
  if (!token) return respond(FromOutcome(Outcome::kWrongToken).ToResponse());
  if (auto p = RequireOwner(*svc_, *ref, caller)) return respond(std::move(*p));
  service::Reply<service::HoldView> r =
      svc_->ExtendHold(ref->show, ref->hold, *token, static_cast<uint32_t>(*by_s));
  if (!r.ok()) return respond(FromReply(r));
  respond(Response::Json(200, HoldJson(r.value, true)));
}

void Api::ConfirmHold(Request&& req, Responder respond, IdempotencyScope idem) {
  if (auto p = RequireAdmin(Authenticate(req, options_))) return respond(std::move(*p));
  const std::optional<HoldRef> ref = ParseHoldRef(req);
  if (!ref) return respond(NotFound("no such hold"));
  StatusOr<boost::json::value> body = ParseJson(req.body);
  if (!body.ok()) return respond(Malformed(body.status().message()));
  ObjectReader rd(*body, "");
  std::string payment_ref =
      rd.String("payment_ref", Field::kRequired, kPaymentRefBytesMax).value_or("");
  if (rd.ok() && payment_ref.empty()) rd.Fail("payment_ref", "must not be empty");
  if (Status st = rd.Finish(); !st.ok()) return respond(Malformed(st.message()));
  using Confirmed = service::Reply<service::BookingView>;
  svc_->ConfirmHold(ref->show, ref->hold, std::move(payment_ref),
                    AnswerWith<Confirmed>(std::move(respond), &ConfirmedAnswer),
                    idem.For<Confirmed>(&ConfirmedAnswer));
}

// ---- Bookings
// -------------------------------------------------------------------------------------

void Api::GetBooking(Request&& req, Responder respond) {
  const Caller caller = Authenticate(req, options_);
  if (auto p = RequireAny(caller)) return respond(std::move(*p));
  const auto id = ParseBookingId(req.PathParam("id"));
  if (!id) return respond(NotFound("no such booking"));
  service::Reply<service::BookingView> r = svc_->GetBooking(id->first, id->second);
  if (!r.ok()) return respond(FromReply(r));
  if (!caller.admin && r.value.user != caller.user)
    return respond(Forbidden("this booking is someone else's"));
  respond(Response::Json(200, BookingJson(r.value)));
}

void Api::ListBookings(Request&& req, Responder respond) {
  const Caller caller = Authenticate(req, options_);
  if (auto p = RequireAny(caller)) return respond(std::move(*p));
  std::vector<service::BookingView> list;
  if (caller.admin) {
    const std::optional<std::string_view> show_q = req.Query("show");
    const std::optional<core::ShowId> show = show_q ? ParseShowId(*show_q) : std::nullopt;
    if (!show)
      return respond(Malformed("show: an organiser lists the bookings of one show (?show=<id>)"));
    if (svc_->FindShow(*show) == nullptr) return respond(NotFound("no such show"));
    list = svc_->BookingsOfShow(*show);
  } else {
    list = svc_->BookingsOfUser(caller.user);
  }
  respond(Response::Json(200, BookingListJson(list)));
}

void Api::CancelBooking(Request&& req, Responder respond, IdempotencyScope idem) {
  if (auto p = RequireAdmin(Authenticate(req, options_))) return respond(std::move(*p));
  const auto id = ParseBookingId(req.PathParam("id"));
  if (!id) return respond(NotFound("no such booking"));
  using Cancelled = service::Reply<service::BookingView>;
  svc_->CancelBooking(id->first, id->second,
                      AnswerWith<Cancelled>(std::move(respond), &CancelledAnswer),
                      idem.For<Cancelled>(&CancelledAnswer));
}

// ---- Payments, the hold trail, tickets
// ---------------------------------------------------------------

namespace {

Response PaymentsUnavailable() {
  return MakeProblem(503, "payments_unavailable", "Payments unavailable",
                     "this server takes no payments (no gateway is configured)")
      .ToResponse();
}

}  // namespace

void Api::Checkout(Request&& req, Responder respond, IdempotencyScope idem) {
  const Caller caller = Authenticate(req, options_);
  if (auto p = RequireFan(caller)) return respond(std::move(*p));
  const std::optional<HoldRef> ref = ParseHoldRef(req);
  if (!ref) return respond(NotFound("no such hold"));
  const std::optional<core::Token> token = HoldToken(req);
  if (!token) return respond(FromOutcome(Outcome::kWrongToken).ToResponse());
  if (auto p = RequireOwner(*svc_, *ref, caller)) return respond(std::move(*p));
  if (!svc_->payments_enabled()) return respond(PaymentsUnavailable());
  using CheckedOut = service::Reply<service::CheckoutView>;
  svc_->Checkout(ref->show, ref->hold, *token,
                 AnswerWith<CheckedOut>(std::move(respond), &CheckoutAnswer),
                 idem.For<CheckedOut>(&CheckoutAnswer));
}

void Api::PaymentWebhook(Request&& req, Responder respond) {
  if (svc_->webhook_secret().empty()) return respond(PaymentsUnavailable());
  const std::optional<std::string_view> signature = req.Header(payments::kSignatureHeader);
  const Status verified = signature
                              ? payments::VerifyWebhook(svc_->webhook_secret(), *signature,
                                                        req.body, options_.clock->WallMs() / 1000)
                              : Status::InvalidArgument(std::string(payments::kSignatureHeader) +
                                                        " header is required");
  if (!verified.ok()) {  // unsigned is unauthenticated, like a forged signature
    return respond(MakeProblem(401, "invalid_signature", "Invalid signature", verified.message())
                       .ToResponse());
  }
  StatusOr<payments::WebhookEvent> event = DecodeWebhookEvent(req.body);
  if (!event.ok()) return respond(Malformed(event.status().message()));
  svc_->ApplyWebhook(*event, [respond = std::make_shared<Responder>(std::move(respond))](
                                 StatusOr<service::WebhookOutcome> r) {
    if (!r.ok()) return (*respond)(FromStatus(r.status()));
    (*respond)(JsonResponse(
        200, {{"received", true}, {"duplicate", *r == service::WebhookOutcome::kDuplicate}}));
  });
}

void Api::HoldEvents(Request&& req, Responder respond) {
  if (auto p = RequireAdmin(Authenticate(req, options_))) return respond(std::move(*p));
  const std::optional<HoldRef> ref = ParseHoldRef(req);
  if (!ref) return respond(NotFound("no such hold"));
  StatusOr<std::vector<service::HoldTrailEntry>> trail = svc_->HoldTrail(ref->show, ref->hold);
  if (!trail.ok()) return respond(NotFound("no such hold"));
  respond(JsonResponse(200, HoldTrailJson(ref->show, ref->hold, *trail)));
}

void Api::GetTicket(Request&& req, Responder respond) {
  if (auto p = RequireAdmin(Authenticate(req, options_))) return respond(std::move(*p));
  const std::string_view code = req.PathParam("code");
  std::optional<service::TicketView> t;
  if (!code.empty() && code.size() <= kTicketCodeBytesMax) t = svc_->FindTicket(std::string(code));
  if (!t) return respond(NotFound("no such ticket"));
  respond(JsonResponse(200, TicketJson(*t)));
}

}  // namespace boxoffice::http
