#include "baseline_api.h"

#include <algorithm>
#include <boost/json/serialize.hpp>

#include "core/best_available.h"
#include "core/limits.h"
#include "core/show_inventory.h"
#include "core/snapshot.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "http/admin_key.h"
#include "http/api.h"
#include "http/api_json.h"
#include "http/catalog_codec.h"
#include "http/json_reader.h"
#include "http/jwt.h"
#include "http/problem.h"
#include "http/seat_map_json.h"
#include "service/system_clock.h"

namespace boxoffice::baselines {
namespace {

using core::Outcome;
using http::Method;
using http::Request;
using http::Responder;
using http::Response;

Response Problem(unsigned status, std::string code, std::string title, std::string detail) {
  http::Problem p;
  p.status = status;
  p.code = std::move(code);
  p.title = std::move(title);
  p.detail = std::move(detail);
  return p.ToResponse();
}

Response Malformed(std::string detail) {
  return Problem(400, "malformed_request", "Malformed request", std::move(detail));
}
Response Invalid(std::string detail) {
  return Problem(422, "invalid_request", "Invalid request", std::move(detail));
}
Response NotFound(std::string detail) {
  return Problem(404, "not_found", "Not found", std::move(detail));
}
Response Unavailable(const Status& s) {
  return Problem(503, "unavailable", "Service unavailable", s.message());
}

Response FromOutcome(Outcome o, const std::vector<std::string>& conflicts = {}) {
  switch (o) {
    case Outcome::kSeatUnavailable: {
      http::Problem p;
      p.status = 409;
      p.code = "seat_unavailable";
      p.title = "Seat unavailable";
      p.detail = "some of the seats are taken";
      boost::json::array c;
      for (const std::string& l : conflicts) c.emplace_back(l);
      p.extra["conflicts"] = std::move(c);
      return p.ToResponse();
    }
    case Outcome::kNotEnoughSeats:
      return Problem(409, "not_enough_seats", "Not enough seats",
                     "not enough seats together match the request");
    case Outcome::kHoldNotFound:
      return NotFound("no such hold");
    case Outcome::kWrongToken:
      return Problem(403, "wrong_token", "Wrong hold token",
                     "X-Hold-Token does not match the hold");
    case Outcome::kHoldExpired:
      return Problem(410, "hold_expired", "Hold expired", "the hold has expired");
    case Outcome::kHoldConfirmed:
      return Problem(409, "hold_confirmed", "Hold confirmed", "the hold already became a booking");
    default:
      return Problem(500, "internal_error", "Internal error", std::string(core::OutcomeName(o)));
  }
}

Response Json(unsigned status, const boost::json::object& o) {
  return Response::Json(status, boost::json::serialize(o));
}

// Who asks: an organiser (X-Admin-Key), a fan (a bearer JWT), or the problem.
struct Caller {
  bool admin = false;
  std::string user;
  std::optional<Response> problem;
};

Caller Authenticate(const Request& req, const BaselineOptions& o) {
  Caller c;
  if (auto key = req.Header("X-Admin-Key")) {
    c.admin = http::AdminKeyMatches(*key, o.admin_key);
    if (!c.admin) c.problem = Problem(401, "unauthorized", "Unauthorized", "bad X-Admin-Key");
    return c;
  }
  constexpr std::string_view kBearer = "Bearer ";
  const std::optional<std::string_view> auth = req.Header("Authorization");
  if (!auth || auth->size() <= kBearer.size() || auth->substr(0, kBearer.size()) != kBearer) {
    c.problem = Problem(401, "unauthorized", "Unauthorized", "send Authorization: Bearer <token>");
    return c;
  }
  StatusOr<http::JwtClaims> claims =
      http::VerifyJwt(auth->substr(kBearer.size()), o.jwt_secret, service::SystemWallMs());
  if (!claims.ok()) {
    c.problem = Problem(401, "unauthorized", "Unauthorized", claims.status().message());
    return c;
  }
  c.admin = claims->role == http::JwtRole::kAdmin;
  c.user = claims->sub;
  return c;
}

std::optional<Response> RequireAdmin(const Caller& c) {
  if (c.problem) return c.problem;
  if (!c.admin) return Problem(403, "forbidden", "Forbidden", "this route is for organisers");
  return std::nullopt;
}

std::optional<Response> RequireFan(const Caller& c) {
  if (c.problem) return c.problem;
  if (c.user.empty()) return Problem(403, "forbidden", "Forbidden", "this route is for fans");
  return std::nullopt;
}

// What a fan asks for in POST /v1/shows/{id}/holds.
struct HoldAsk {
  std::vector<core::SeatIndex> seats;  // specific seats, sorted
  std::optional<core::BestAvailableRequest> best;
};

// Reads the hold request; InvalidArgument for a malformed body (400),
// NotFound naming an unknown seat, FailedPrecondition for a count out of range.
StatusOr<HoldAsk> ParseHoldAsk(std::string_view body, const service::Show& show) {
  StatusOr<boost::json::value> v = http::ParseJson(body);
  if (!v.ok()) return v.status();
  http::ObjectReader r(*v, "");
  const boost::json::array* seats =
      r.Array("seats", http::Field::kOptional, http::kSeatsPerRequestMax);
  const boost::json::value* best = r.Value("best_available", http::Field::kOptional);
  if ((seats != nullptr) == (best != nullptr) && r.ok())
    r.Fail("body", "give exactly one of seats, best_available");
  const core::SeatMap& map = *show.venue->map;
  HoldAsk ask;
  uint32_t count = 0;
  if (seats != nullptr && r.ok()) {
    for (size_t i = 0; i < seats->size(); ++i) {
      const boost::json::string* label = (*seats)[i].if_string();
      if (label == nullptr) {
        r.Fail(r.PathOf("seats", i), "expected a seat label");
        break;
      }
      const std::optional<core::SeatIndex> seat = map.FindSeat(*label);
      if (!seat) return Status::NotFound(std::string(*label));
      ask.seats.push_back(*seat);
    }
    std::sort(ask.seats.begin(), ask.seats.end());
    if (std::adjacent_find(ask.seats.begin(), ask.seats.end()) != ask.seats.end())
      return Status::FailedPrecondition("a seat is named twice");
    count = static_cast<uint32_t>(ask.seats.size());
  } else if (best != nullptr && r.ok()) {
    http::ObjectReader b(*best, "best_available");
    core::BestAvailableRequest req;
    req.count = static_cast<uint32_t>(
        b.Int("count", http::Field::kRequired, 0, http::kSeatsPerRequestMax).value_or(0));
    req.allow_split = b.Bool("allow_split", http::Field::kOptional).value_or(false);
    const std::optional<std::string> section =
        b.String("section", http::Field::kOptional, core::kLabelBytesMax);
    if (section && b.ok()) {
      req.section = map.FindSection(*section);
      if (!req.section) b.Fail("best_available.section", "no such section");
    }
    r.Adopt(b.Finish());
    count = req.count;
    ask.best = req;
  }
  if (Status st = r.Finish(); !st.ok()) return st;
  if (count < 1 || count > show.settings.seats_per_order_max) {
    return Status::FailedPrecondition("1 to " + std::to_string(show.settings.seats_per_order_max) +
                                      " seats per hold");
  }
  return ask;
}

// Best available over the states the store reported: the seats, or empty.
std::vector<core::SeatIndex> PickBest(const core::SeatMap& map,
                                      const std::vector<core::SeatState>& states,
                                      const core::BestAvailableRequest& req) {
  std::vector<uint16_t> row_free(map.rows().size(), 0);
  for (core::SeatIndex i = 0; i < map.seat_count(); ++i) {
    if (states[i] == core::SeatState::kFree) row_free[map.seat(i).row]++;
  }
  std::vector<uint16_t> longest(map.rows().size(), 0);
  std::vector<uint8_t> stale(map.rows().size(), 1);
  std::vector<core::SeatIndex> out;
  if (!core::FindBestAvailable(map, states, row_free, core::RowRuns{longest, stale}, req, out))
    out.clear();
  std::sort(out.begin(), out.end());
  return out;
}

service::Availability AvailabilityOf(const core::SeatMap& map,
                                     const std::vector<core::SeatState>& states) {
  service::Availability a;
  a.sections.assign(map.sections().size(), core::StateCounts{});
  a.categories.assign(map.categories().size(), core::StateCounts{});
  for (core::SeatIndex i = 0; i < map.seat_count(); ++i) {
    const core::Seat& seat = map.seat(i);
    const auto state = static_cast<size_t>(states[i]);
    a.sections[seat.section][state]++;
    a.categories[seat.category][state]++;
  }
  a.seat_states = core::EncodeSeatStates(states);
  return a;
}

Response HoldCreated(const service::Show& show, const std::string& user,
                     std::span<const core::SeatIndex> seats, const core::Token& token,
                     const HoldResult& held, core::TimeMs now_ms) {
  service::HoldView h;
  h.show = show.id;
  h.hold = held.hold;
  h.user = user;
  h.token = token;
  h.status = service::HoldStatus::kHeld;
  for (core::SeatIndex s : seats) h.seats.push_back(show.venue->map->label(s));
  h.total_minor = TotalMinor(show, seats);
  h.currency = show.settings.currency;
  h.created_at_ms = now_ms;
  h.expires_at_ms = held.expires_at_ms;
  Response r = Response::Json(201, http::HoldJson(h, /*with_token=*/true));
  r.headers.Set("Location", "/v1/holds/" + http::HoldId(show.id, held.hold));
  return r;
}

// Holds what the fan asked for; best available picks, holds, and picks again
// when someone was quicker.
Response HoldOnStore(SeatStore& store, const service::Show& show, const std::string& user,
                     const HoldAsk& ask) {
  core::Token token;
  crypto::RandomBytes(token.bytes);
  const core::SeatMap& map = *show.venue->map;
  std::vector<std::string> conflicts;
  for (int attempt = 0; attempt < kBestAvailableTriesMax; ++attempt) {
    const core::TimeMs now = service::SystemWallMs();
    std::vector<core::SeatIndex> seats = ask.seats;
    if (ask.best) {
      StatusOr<std::vector<core::SeatState>> states = store.SeatStates(show, now);
      if (!states.ok()) return Unavailable(states.status());
      seats = PickBest(map, *states, *ask.best);
      if (seats.empty()) return FromOutcome(Outcome::kNotEnoughSeats);
    }
    StatusOr<HoldResult> held = store.Hold(show, user, seats, token, now);
    if (!held.ok()) return Unavailable(held.status());
    if (held->outcome == Outcome::kOk) return HoldCreated(show, user, seats, token, *held, now);
    conflicts = held->conflicts;
    if (!ask.best) break;
  }
  return FromOutcome(Outcome::kSeatUnavailable, conflicts);
}

}  // namespace

int64_t TotalMinor(const service::Show& show, std::span<const core::SeatIndex> seats) {
  const core::SeatMap& map = *show.venue->map;
  int64_t total = 0;
  for (core::SeatIndex s : seats)
    total += show.settings.prices.at(map.categories()[map.seat(s).category].id);
  return total;
}

BaselineApi::BaselineApi(WorkerPool* pool, BaselineOptions options)
    : pool_(pool), options_(std::move(options)) {}

void BaselineApi::Register(http::Router& router) {
  const auto bind = [this](void (BaselineApi::*h)(Request&&, Responder)) {
    return [this, h](Request&& req, Responder respond) {
      (this->*h)(std::move(req), std::move(respond));
    };
  };
  router.Add(Method::kGet, "/healthz", [](Request&&, Responder respond) {
    respond(Json(200, {{"status", "ok"}}));
  });
  router.Add(Method::kPost, "/v1/venues", bind(&BaselineApi::CreateVenue));
  router.Add(Method::kPost, "/v1/shows", bind(&BaselineApi::CreateShow));
  router.Add(Method::kGet, "/v1/shows/{id}/seatmap", bind(&BaselineApi::GetSeatMap));
  router.Add(Method::kGet, "/v1/shows/{id}/availability", bind(&BaselineApi::GetAvailability));
  router.Add(Method::kPost, "/v1/shows/{id}/holds", bind(&BaselineApi::CreateHold));
  router.Add(Method::kDelete, "/v1/holds/{id}", bind(&BaselineApi::ReleaseHold));
  router.Add(Method::kPost, "/v1/holds/{id}/confirm", bind(&BaselineApi::ConfirmHold));
  router.Add(Method::kGet, "/v1/bookings", bind(&BaselineApi::ListBookings));
}

std::shared_ptr<const service::Show> BaselineApi::FindShow(std::string_view public_id) const {
  const std::optional<core::ShowId> id = http::ParseShowId(public_id);
  if (!id) return nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = shows_.find(*id);
  return it == shows_.end() ? nullptr : it->second;
}

void BaselineApi::OnWorker(Responder respond, std::function<Response(SeatStore&)> job) {
  auto shared = std::make_shared<Responder>(std::move(respond));
  const bool queued =
      pool_->Submit([shared, job = std::move(job)](SeatStore& store) { (*shared)(job(store)); });
  if (!queued) {
    (*shared)(Problem(503, "overloaded", "Overloaded", "the store's work queue is full"));
  }
}

void BaselineApi::CreateVenue(Request&& req, Responder respond) {
  if (auto p = RequireAdmin(Authenticate(req, options_))) return respond(std::move(*p));
  StatusOr<core::SeatMapSpec> spec = http::JsonCatalogCodec().ParseSeatMap(req.body);
  if (!spec.ok()) return respond(Malformed(spec.status().message()));
  StatusOr<core::SeatMap> map = core::SeatMap::Build(*spec);
  if (!map.ok()) return respond(Malformed(map.status().message()));
  auto venue = std::make_shared<service::Venue>();
  venue->name = map->name();
  venue->spec = std::move(spec).value();
  venue->map = std::make_shared<const core::SeatMap>(std::move(map).value());
  venue->created_at_ms = service::SystemWallMs();
  {
    std::lock_guard<std::mutex> lock(mu_);
    venue->id = ++venues_created_;
    venues_[venue->id] = venue;
  }
  Response r = Json(201, http::VenueJson(*venue, false));
  r.headers.Set("Location", "/v1/venues/" + http::VenueId(venue->id));
  respond(std::move(r));
}

void BaselineApi::CreateShow(Request&& req, Responder respond) {
  if (auto p = RequireAdmin(Authenticate(req, options_))) return respond(std::move(*p));
  StatusOr<service::ShowSettings> settings =
      http::ParseShowSettings(req.body, service::SystemWallMs(), options_.show_defaults);
  if (!settings.ok()) return respond(Malformed(settings.status().message()));
  auto show = std::make_shared<service::Show>();
  {
    std::lock_guard<std::mutex> lock(mu_);
    const auto venue = venues_.find(settings->venue_id);
    if (venue == venues_.end()) return respond(NotFound("no such venue"));
    show->venue = venue->second;
  }
  for (const core::Category& c : show->venue->map->categories()) {
    if (!settings->prices.contains(c.id)) return respond(Invalid("no price for category " + c.id));
  }
  show->settings = std::move(settings).value();
  show->created_at_ms = service::SystemWallMs();
  {
    std::lock_guard<std::mutex> lock(mu_);
    show->id = ++shows_created_;
  }
  OnWorker(std::move(respond), [this, show](SeatStore& store) {
    if (Status s = store.CreateShow(*show); !s.ok()) return Unavailable(s);
    {
      std::lock_guard<std::mutex> lock(mu_);
      shows_[show->id] = show;
    }
    Response r = Json(201, http::ShowJson(*show, show->venue->map->sellable_capacity()));
    r.headers.Set("Location", "/v1/shows/" + http::ShowId(show->id));
    return r;
  });
}

void BaselineApi::GetSeatMap(Request&& req, Responder respond) {
  const std::shared_ptr<const service::Show> show = FindShow(req.PathParam("id"));
  if (show == nullptr) return respond(NotFound("no such show"));
  std::shared_ptr<const std::string> body;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::shared_ptr<const std::string>& cached = seat_maps_[show->id];
    if (cached == nullptr) cached = std::make_shared<const std::string>(http::SeatMapText(*show));
    body = cached;
  }
  respond(Response::Json(200, *body));
}

void BaselineApi::GetAvailability(Request&& req, Responder respond) {
  std::shared_ptr<const service::Show> show = FindShow(req.PathParam("id"));
  if (show == nullptr) return respond(NotFound("no such show"));
  OnWorker(std::move(respond), [show](SeatStore& store) {
    StatusOr<std::vector<core::SeatState>> states =
        store.SeatStates(*show, service::SystemWallMs());
    if (!states.ok()) return Unavailable(states.status());
    Response r =
        Json(200, http::AvailabilityJson(*show, AvailabilityOf(*show->venue->map, *states)));
    r.headers.Set("Cache-Control", "no-cache");
    return r;
  });
}

void BaselineApi::CreateHold(Request&& req, Responder respond) {
  const Caller caller = Authenticate(req, options_);
  if (auto p = RequireFan(caller)) return respond(std::move(*p));
  std::shared_ptr<const service::Show> show = FindShow(req.PathParam("id"));
  if (show == nullptr) return respond(NotFound("no such show"));
  StatusOr<HoldAsk> ask = ParseHoldAsk(req.body, *show);
  if (!ask.ok()) {
    switch (ask.status().code()) {
      case StatusCode::kNotFound:
        return respond(Problem(422, "unknown_seat", "Unknown seat",
                               "no such seat in the show: " + ask.status().message()));
      case StatusCode::kFailedPrecondition:
        return respond(Invalid(ask.status().message()));
      default:
        return respond(Malformed(ask.status().message()));
    }
  }
  OnWorker(std::move(respond),
           [show, user = caller.user, ask = std::move(ask).value()](SeatStore& store) {
             return HoldOnStore(store, *show, user, ask);
           });
}

void BaselineApi::ReleaseHold(Request&& req, Responder respond) {
  const Caller caller = Authenticate(req, options_);
  if (auto p = RequireFan(caller)) return respond(std::move(*p));
  const auto id = http::ParseHoldId(req.PathParam("id"));
  std::shared_ptr<const service::Show> show = id ? FindShow(http::ShowId(id->first)) : nullptr;
  if (show == nullptr) return respond(NotFound("no such hold"));
  const std::optional<std::string_view> token_text = req.Header("X-Hold-Token");
  const std::optional<core::Token> token =
      token_text ? crypto::TokenFromString(*token_text) : std::nullopt;
  if (!token) return respond(FromOutcome(Outcome::kWrongToken));
  OnWorker(std::move(respond),
           [show, hold = id->second, user = caller.user, token = *token](SeatStore& store) {
             StatusOr<Outcome> o = store.Release(*show, hold, user, token, service::SystemWallMs());
             if (!o.ok()) return Unavailable(o.status());
             return *o == Outcome::kOk ? Response::Empty(204) : FromOutcome(*o);
           });
}

void BaselineApi::ConfirmHold(Request&& req, Responder respond) {
  if (auto p = RequireAdmin(Authenticate(req, options_))) return respond(std::move(*p));
  const auto id = http::ParseHoldId(req.PathParam("id"));
  std::shared_ptr<const service::Show> show = id ? FindShow(http::ShowId(id->first)) : nullptr;
  if (show == nullptr) return respond(NotFound("no such hold"));
  StatusOr<boost::json::value> body = http::ParseJson(req.body);
  if (!body.ok()) return respond(Malformed(body.status().message()));
  http::ObjectReader rd(*body, "");
  std::string payment_ref =
      rd.String("payment_ref", http::Field::kRequired, http::kPaymentRefBytesMax).value_or("");
  if (rd.ok() && payment_ref.empty()) rd.Fail("payment_ref", "must not be empty");
  if (Status st = rd.Finish(); !st.ok()) return respond(Malformed(st.message()));
  OnWorker(std::move(respond), [show, hold = id->second,
                                payment_ref = std::move(payment_ref)](SeatStore& store) {
    StatusOr<ConfirmResult> c = store.Confirm(*show, hold, payment_ref, service::SystemWallMs());
    if (!c.ok()) return Unavailable(c.status());
    if (c->outcome != Outcome::kOk) return FromOutcome(c->outcome);
    Response r = Response::Json(201, http::BookingJson(c->booking));
    r.headers.Set("Location", "/v1/bookings/" + http::BookingId(show->id, c->booking.booking));
    return r;
  });
}

void BaselineApi::ListBookings(Request&& req, Responder respond) {
  if (auto p = RequireAdmin(Authenticate(req, options_))) return respond(std::move(*p));
  const std::optional<std::string_view> show_id = req.Query("show");
  std::shared_ptr<const service::Show> show = show_id ? FindShow(*show_id) : nullptr;
  if (show == nullptr) return respond(NotFound("no such show (?show=<id>)"));
  OnWorker(std::move(respond), [show](SeatStore& store) {
    StatusOr<std::vector<service::BookingView>> list = store.Bookings(*show);
    if (!list.ok()) return Unavailable(list.status());
    return Response::Json(200, http::BookingListJson(*list));
  });
}

}  // namespace boxoffice::baselines
