// The waiting-room routes of the API: organisers configure a show's room;
// fans join, poll the shared status, and trade their ticket for an access
// token once admitted; holds need that token while the room is enabled.
#include <boost/json/serialize.hpp>

#include "http/api.h"
#include "http/api_detail.h"
#include "http/api_json.h"
#include "http/catalog_codec.h"
#include "http/json_reader.h"
#include "http/json_writer.h"
#include "http/queue_tokens.h"
#include "http/signed_token.h"

namespace boxoffice::http {

using namespace api_detail;  // NOLINT(google-build-using-namespace): the API's own helpers

namespace {

constexpr std::string_view kAccessHeader = "Boxoffice-Access";

std::string QueueUrl(core::ShowId show) { return "/v1/shows/" + ShowId(show) + "/queue"; }

std::string_view PhaseName(core::RoomPhase p) {
  switch (p) {
    case core::RoomPhase::kNotOpen:
      return "not_open";
    case core::RoomPhase::kPrequeue:
      return "prequeue";
    case core::RoomPhase::kAdmitting:
      return "admitting";
    case core::RoomPhase::kPaused:
      return "paused";
    case core::RoomPhase::kSoldOut:
      return "sold_out";
    case core::RoomPhase::kSpokenFor:
      return "spoken_for";
  }
  return "unknown";
}

boost::json::object SettingsJson(const service::QueueStatus& s) {
  const service::QueueSettings& q = s.settings;
  return {{"show_id", ShowId(s.show)},
          {"enabled", q.enabled},
          {"prequeue_opens_at", FormatTime(q.prequeue_opens_at_ms)},
          {"onsale_at", FormatTime(q.onsale_at_ms)},
          {"admissions_per_minute", q.admissions_per_minute},
          {"active_shoppers_max", q.active_shoppers_max},
          {"session_seconds", q.session_s},
          {"mode", q.queue_everyone ? "everyone" : "at_capacity"},
          {"seed_sha256", s.seed_sha256}};
}

// The organiser's view: the settings and the room's counts.
boost::json::object AdminJson(const service::QueueStatus& s) {
  boost::json::object o = SettingsJson(s);
  o["state"] = PhaseName(s.phase);
  o["fans"] = s.fans;
  o["prequeue_fans"] = s.prequeue_fans;
  o["active_shoppers"] = s.active_shoppers;
  o["admitted_not_shopping"] = s.admitted_waiting;
  o["now_serving"] = s.now_serving;
  return o;
}

Problem QueueProblem(unsigned status, std::string code, std::string title, std::string detail,
                     core::ShowId show) {
  Problem p = MakeProblem(status, std::move(code), std::move(title), std::move(detail));
  p.extra["queue_url"] = QueueUrl(show);
  return p;
}

Response QueueDisabled(core::ShowId show) {
  return QueueProblem(409, "queue_disabled", "Queue disabled",
                      "the show has no enabled waiting room", show)
      .ToResponse();
}

// The answer to a join, written directly: this is the room's hot path.
std::string JoinJson(core::ShowId show, std::string_view ticket, const core::Place& place) {
  const std::string url = QueueUrl(show);
  std::string out;
  out.reserve(160 + ticket.size() + 2 * url.size());
  JsonWriter w(out);
  w.BeginObject()
      .Member("show_id", ShowId(show))
      .Member("ticket", ticket)
      .Member("entry", place.entry)
      .Key("sequence");
  if (place.sequence != 0) {
    w.Uint(place.sequence);
  } else {
    w.Raw("null");
  }
  w.Member("prequeue", place.prequeue).Member("status_url", url + "/status").EndObject();
  return out;
}

StatusOr<service::QueueSettings> ParseQueueSettings(std::string_view body) {
  StatusOr<boost::json::value> v = ParseJson(body);
  if (!v.ok()) return v.status();
  ObjectReader r(*v, "");
  service::QueueSettings s;
  s.enabled = r.Bool("enabled", Field::kRequired).value_or(false);
  s.prequeue_opens_at_ms = ReadTime(r, "prequeue_opens_at", Field::kRequired).value_or(0);
  s.onsale_at_ms = ReadTime(r, "onsale_at", Field::kRequired).value_or(0);
  s.admissions_per_minute = static_cast<uint32_t>(
      r.Int("admissions_per_minute", Field::kOptional, 1, core::kAdmissionsPerMinuteMax)
          .value_or(s.admissions_per_minute));
  s.active_shoppers_max = static_cast<uint32_t>(
      r.Int("active_shoppers_max", Field::kOptional, 1, core::kActiveShoppersMax)
          .value_or(s.active_shoppers_max));
  s.session_s = static_cast<uint32_t>(
      r.Int("session_seconds", Field::kOptional, core::kSessionSecondsMin, core::kSessionSecondsMax)
          .value_or(s.session_s));
  const std::string mode = r.String("mode", Field::kOptional, 16).value_or("everyone");
  if (mode != "everyone" && mode != "at_capacity")
    r.Fail("mode", "expected \"everyone\" or \"at_capacity\"");
  s.queue_everyone = mode == "everyone";
  if (r.ok() && s.onsale_at_ms < s.prequeue_opens_at_ms)
    r.Fail("onsale_at", "must not be before prequeue_opens_at");
  if (Status st = r.Finish(); !st.ok()) return st;
  return s;
}

}  // namespace

// The public status body (also pushed on the live stream as a "queue" message).
std::string QueueStatusJson(const service::QueueStatus& s) {
  const uint32_t rate = s.settings.admissions_per_minute;
  boost::json::object o{
      {"type", "queue"},
      {"show_id", ShowId(s.show)},
      {"state", PhaseName(s.phase)},
      {"now_serving", s.now_serving},
      {"admissions_per_minute", rate},
      {"seconds_per_place", rate == 0 ? 0.0 : 60.0 / rate},
      {"fans", s.fans},
      {"served_through", nullptr},
      {"sold_out", s.sold_out},
      {"seed_sha256", s.seed_sha256},
      {"seed", nullptr},
      {"prequeue_fans", s.prequeue_fans},
      {"prequeue_opens_at", FormatTime(s.settings.prequeue_opens_at_ms)},
      {"onsale_at", FormatTime(s.settings.onsale_at_ms)},
      {"updated_at", FormatTime(s.updated_at_ms)},
  };
  if (s.served_through != UINT32_MAX) o["served_through"] = s.served_through;
  if (!s.seed.empty()) o["seed"] = s.seed;
  return boost::json::serialize(o);
}

void Api::PutQueue(Request&& req, Responder respond) {
  if (auto p = RequireAdmin(Authenticate(req, options_))) return respond(std::move(*p));
  const std::optional<core::ShowId> show = ShowParam(req);
  if (!show || svc_->FindShow(*show) == nullptr) return respond(NotFound("no such show"));
  StatusOr<service::QueueSettings> settings = ParseQueueSettings(req.body);
  if (!settings.ok()) return respond(Malformed(settings.status().message()));
  svc_->rooms().Configure(
      *show, *settings,
      [respond =
           std::make_shared<Responder>(std::move(respond))](StatusOr<service::QueueStatus> r) {
        if (r.ok()) return (*respond)(JsonResponse(200, AdminJson(*r)));
        switch (r.status().code()) {
          case StatusCode::kInvalidArgument:
            return (*respond)(Malformed(r.status().message()));
          case StatusCode::kFailedPrecondition:
            return (*respond)(
                MakeProblem(409, "queue_times_locked", "Opening times locked", r.status().message())
                    .ToResponse());
          case StatusCode::kResourceExhausted:
            return (*respond)(
                MakeProblem(409, "queue_rooms_full", "Too many waiting rooms", r.status().message())
                    .ToResponse());
          default:
            return (*respond)(FromStatus(r.status()));
        }
      });
}

void Api::GetQueue(Request&& req, Responder respond) {
  if (auto p = RequireAdmin(Authenticate(req, options_))) return respond(std::move(*p));
  const std::optional<core::ShowId> show = ShowParam(req);
  if (!show || svc_->FindShow(*show) == nullptr) return respond(NotFound("no such show"));
  const std::optional<service::QueueStatus> s = svc_->rooms().Find(*show);
  if (!s) return respond(NotFound("the show has no waiting room"));
  respond(JsonResponse(200, AdminJson(*s)));
}

std::optional<Response> Api::CheckJoinProof(const Request& req, const std::string& user,
                                            const boost::json::value* proof) {
  const std::optional<core::ShowId> show = ShowParam(req);
  if (!show) return NotFound("no such show");
  return queue_proof_.CheckProof(proof, user, *show, options_.clock->WallMs());
}

void Api::JoinQueue(Request&& req, Responder respond) {
  const Caller caller = Authenticate(req, options_);
  if (auto p = RequireFan(caller)) return respond(std::move(*p));
  const std::optional<core::ShowId> show = ShowParam(req);
  if (!show || svc_->FindShow(*show) == nullptr) return respond(NotFound("no such show"));
  boost::json::value body;  // null: no body
  if (!req.body.empty()) {
    StatusOr<boost::json::value> v = ParseJson(req.body);
    if (!v.ok()) return respond(Malformed(v.status().message()));
    body = std::move(v).value();
  }
  const boost::json::value* proof = nullptr;
  if (!body.is_null()) {
    ObjectReader r(body, "");
    proof = r.Value("proof", Field::kOptional);
    if (proof != nullptr && !proof->is_object()) r.Fail("proof", "expected an object");
    if (Status st = r.Finish(); !st.ok()) return respond(Malformed(st.message()));
  }
  if (auto p = CheckJoinProof(req, caller.user, proof)) return respond(std::move(*p));
  const service::QueueReply<service::QueuePlace> r = svc_->rooms().Join(*show, caller.user);
  if (!r.status.ok()) return respond(FromStatus(r.status));
  switch (r.outcome) {
    case service::QueueOutcome::kOk:
      break;
    case service::QueueOutcome::kNotOpen:
      return respond(QueueProblem(409, "queue_not_open", "Queue not open",
                                  "the waiting room's pre-queue has not opened yet", *show)
                         .ToResponse());
    case service::QueueOutcome::kFull:
      return respond(QueueProblem(409, "queue_full", "Queue full",
                                  "the waiting room holds the most fans it can", *show)
                         .ToResponse());
    default:
      return respond(QueueDisabled(*show));
  }
  const core::Place& place = r.value.place;
  const std::string ticket =
      SignQueueTicket({caller.user, *show, place.entry, place.sequence}, options_.queue_secret);
  respond(Response::Json(r.value.first_join ? 201 : 200, JoinJson(*show, ticket, place)));
}

void Api::GetQueueStatus(Request&& req, Responder respond) {
  const std::optional<core::ShowId> show = ShowParam(req);
  if (!show || svc_->FindShow(*show) == nullptr) return respond(NotFound("no such show"));
  const std::shared_ptr<const service::QueueStatusBody> body = svc_->rooms().StatusBody(*show);
  if (body == nullptr) return respond(NotFound("the show has no waiting room"));
  const auto with_cache_headers = [&body](Response r) {
    r.headers.Set("ETag", body->etag);
    r.headers.Set("Cache-Control", "public, max-age=1");
    return r;
  };
  if (IfNoneMatchHas(req.Header("If-None-Match"), body->etag)) {
    return respond(with_cache_headers(Response::Empty(304)));
  }
  respond(with_cache_headers(
      Response::Json(200, std::shared_ptr<const std::string>(body, &body->json))));
}

void Api::QueueAccess(Request&& req, Responder respond) {
  const Caller caller = Authenticate(req, options_);
  if (auto p = RequireFan(caller)) return respond(std::move(*p));
  const std::optional<core::ShowId> show = ShowParam(req);
  if (!show || svc_->FindShow(*show) == nullptr) return respond(NotFound("no such show"));
  StatusOr<boost::json::value> body = ParseJson(req.body);
  if (!body.ok()) return respond(Malformed(body.status().message()));
  ObjectReader rd(*body, "");
  const std::string token =
      rd.String("ticket", Field::kRequired, kSignedTokenBytesMax).value_or("");
  if (Status st = rd.Finish(); !st.ok()) return respond(Malformed(st.message()));
  StatusOr<QueueTicket> ticket = VerifyQueueTicket(token, options_.queue_secret);
  if (!ticket.ok()) {
    return respond(QueueProblem(401, "ticket_invalid", "Ticket invalid",
                                "the ticket is not one this server issued", *show)
                       .ToResponse());
  }
  if (ticket->user != caller.user || ticket->show != *show) {
    return respond(QueueProblem(403, "ticket_mismatch", "Ticket mismatch",
                                "the ticket belongs to another fan or show", *show)
                       .ToResponse());
  }
  const service::QueueReply<service::SessionView> r =
      svc_->rooms().StartSession(*show, caller.user, ticket->entry);
  if (!r.status.ok()) return respond(FromStatus(r.status));
  switch (r.outcome) {
    case service::QueueOutcome::kOk:
      break;
    case service::QueueOutcome::kNotAdmitted: {
      Problem p = QueueProblem(409, "not_admitted", "Not admitted yet",
                               "wait until now_serving reaches your sequence", *show);
      p.extra["position"] = r.value.position;
      return respond(p.ToResponse());
    }
    case service::QueueOutcome::kOver:
      return respond(QueueProblem(410, "session_over", "Session over",
                                  "the shopping session ended or the admission lapsed", *show)
                         .ToResponse());
    case service::QueueOutcome::kNotInLine:
      return respond(QueueProblem(401, "ticket_invalid", "Ticket invalid",
                                  "the ticket's place is not in the line", *show)
                         .ToResponse());
    default:
      return respond(QueueDisabled(*show));
  }
  const std::string access = SignAccessToken(
      {caller.user, *show, ticket->entry, r.value.expires_at_ms}, options_.queue_secret);
  respond(JsonResponse(
      200, {{"access_token", access}, {"expires_at", FormatTime(r.value.expires_at_ms)}}));
}

// The fan is done shopping (or gives up): its session ends now and its slot
// goes to the next fan in line. Ending one that is already over is not an error.
void Api::EndQueueSession(Request&& req, Responder respond) {
  const Caller caller = Authenticate(req, options_);
  if (auto p = RequireFan(caller)) return respond(std::move(*p));
  const std::optional<core::ShowId> show = ShowParam(req);
  if (!show || svc_->FindShow(*show) == nullptr) return respond(NotFound("no such show"));
  const service::QueueReply<service::SessionView> r = svc_->rooms().EndSession(*show, caller.user);
  if (!r.status.ok()) return respond(FromStatus(r.status));
  switch (r.outcome) {
    case service::QueueOutcome::kOk:
      return respond(Response::Empty(204));
    case service::QueueOutcome::kNotAdmitted:
      return respond(QueueProblem(409, "not_shopping", "Not shopping",
                                  "the fan's shopping session has not started", *show)
                         .ToResponse());
    case service::QueueOutcome::kNotInLine:
      return respond(QueueProblem(404, "not_in_line", "Not in line",
                                  "the fan never joined this show's waiting room", *show)
                         .ToResponse());
    default:
      return respond(QueueDisabled(*show));
  }
}

std::optional<Response> Api::CheckAccess(const Request& req, const std::string& user,
                                         core::ShowId show) {
  service::WaitingRooms& rooms = svc_->rooms();
  if (!rooms.Enabled(show)) return std::nullopt;
  const std::optional<std::string_view> header = req.Header(kAccessHeader);
  if (!header) {
    return QueueProblem(403, "access_required", "Access required",
                        "this show has a waiting room: join it and send Boxoffice-Access", show)
        .ToResponse();
  }
  // The session decides, on the service's monotonic clock, as holds do: the
  // token's expires_at is the session's end in wall-clock time, for the fan.
  StatusOr<AccessGrant> grant = VerifyAccessToken(*header, options_.queue_secret);
  const bool valid = grant.ok() && grant->user == user && grant->show == show &&
                     rooms.Shopping(show, user, grant->entry);
  if (!valid) {
    return QueueProblem(403, "access_invalid", "Access invalid",
                        "Boxoffice-Access is not a running session of yours for this show", show)
        .ToResponse();
  }
  return std::nullopt;
}

}  // namespace boxoffice::http
