// The routes the web pages need besides the booking API (declared in api.h):
//
//   PATCH /v1/shows/{id}                 sales: open, paused, closed     admin, durable
//   GET   /v1/shows/{id}/report          counts, revenue, sales/minute   admin; ?format=csv
//   POST  /v1/tickets/{code}/checkin     let a ticket in, once           admin, durable
//   POST  /v1/demo/token                 a fan token for a name          only with --demo
//
// Thread-safety: like the rest of Api.
#include <boost/json/serialize.hpp>

#include "core/limits.h"
#include "core/types.h"
#include "http/api.h"
#include "http/api_detail.h"
#include "http/api_json.h"
#include "http/json_reader.h"
#include "http/jwt.h"
#include "service/sales_report.h"

namespace boxoffice::http {

using namespace api_detail;  // NOLINT(google-build-using-namespace): the route files' helpers

namespace {

using service::CheckinResult;
using store::SalesState;

// The body's optional "show" member of a check-in: 0 when absent.
StatusOr<core::ShowId> ExpectedShow(std::string_view body) {
  if (body.empty()) return core::ShowId{0};
  StatusOr<boost::json::value> v = ParseJson(body);
  if (!v.ok()) return v.status();
  ObjectReader r(*v, "");
  const std::string show = r.String("show", Field::kOptional, core::kLabelBytesMax).value_or("");
  if (Status s = r.Finish(); !s.ok()) return s;
  if (show.empty()) return core::ShowId{0};
  const std::optional<core::ShowId> id = ParseShowId(show);
  if (!id) return Status::InvalidArgument("show: not a show id");
  return *id;
}

Response CheckinAnswer(const service::TicketView& t, const service::CheckinReply& r) {
  boost::json::object ticket = TicketJson(t);
  switch (r.result) {
    case CheckinResult::kCheckedIn:
      return JsonResponse(200, {{"result", "checked_in"},
                                {"checked_in_at", FormatTime(r.at_ms)},
                                {"ticket", std::move(ticket)}});
    case CheckinResult::kAlreadyCheckedIn: {
      Problem p = MakeProblem(409, "already_checked_in", "Already checked in",
                              "this ticket was checked in at " + FormatTime(r.at_ms));
      p.extra["checked_in_at"] = FormatTime(r.at_ms);
      p.extra["ticket"] = std::move(ticket);
      return p.ToResponse();
    }
    case CheckinResult::kCancelled: {
      Problem p = MakeProblem(409, "ticket_cancelled", "Ticket cancelled",
                              "the booking of this ticket was cancelled");
      p.extra["ticket"] = std::move(ticket);
      return p.ToResponse();
    }
    case CheckinResult::kWrongShow: {
      Problem p =
          MakeProblem(409, "wrong_show", "Wrong show", "this ticket is for " + ShowId(t.show));
      p.extra["ticket"] = std::move(ticket);
      return p.ToResponse();
    }
  }
  return FromStatus(Status::Internal("unknown check-in result"));
}

std::string Csv(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

constexpr const char* kReportCsvHeader =
    "kind,section,category,minute,capacity,free,held,booked,blocked,bookings,places,"
    "revenue_minor,currency\n";

// One table: `place` rows per (section, category), `minute` rows, a `total` row.
std::string ReportCsv(const service::SalesReport& r) {
  std::string out = kReportCsvHeader;
  const std::string cur = Csv(r.currency);
  for (const service::SalesReportLine& l : r.lines) {
    out += "place," + Csv(l.section) + "," + Csv(l.category) + ",," + std::to_string(l.capacity);
    for (uint32_t n : l.counts) out += "," + std::to_string(n);
    out += ",,," + std::to_string(l.revenue_minor) + "," + cur + "\n";
  }
  for (const service::SalesMinute& m : r.minutes) {
    out += "minute,,," + FormatTime(m.minute_ms) + ",,,,,," + std::to_string(m.bookings) + "," +
           std::to_string(m.places) + "," + std::to_string(m.revenue_minor) + "," + cur + "\n";
  }
  out += "total,,,,,,,,," + std::to_string(r.bookings) + "," + std::to_string(r.places_booked) +
         "," + std::to_string(r.revenue_minor) + "," + cur + "\n";
  return out;
}

boost::json::object ReportJson(core::ShowId show, const service::SalesReport& r) {
  boost::json::array lines;
  for (const service::SalesReportLine& l : r.lines) {
    boost::json::object o{{"section", l.section},
                          {"category", l.category},
                          {"general_admission", l.general_admission},
                          {"capacity", l.capacity},
                          {"revenue_minor", l.revenue_minor}};
    for (int s = 0; s < core::kSeatStateCount; ++s) {
      o[core::SeatStateName(static_cast<core::SeatState>(s))] = l.counts[static_cast<size_t>(s)];
    }
    lines.push_back(std::move(o));
  }
  boost::json::array minutes;
  for (const service::SalesMinute& m : r.minutes) {
    minutes.push_back(boost::json::object{{"minute", FormatTime(m.minute_ms)},
                                          {"bookings", m.bookings},
                                          {"places", m.places},
                                          {"revenue_minor", m.revenue_minor}});
  }
  return {{"show_id", ShowId(show)},         {"version", r.version},
          {"currency", r.currency},          {"lines", std::move(lines)},
          {"minutes", std::move(minutes)},   {"bookings", r.bookings},
          {"cancelled", r.cancelled},        {"places_booked", r.places_booked},
          {"revenue_minor", r.revenue_minor}};
}

bool DemoNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
         c == '@';
}

}  // namespace

void Api::RegisterWebRoutes(Router& router) {
  const auto bind = [this](void (Api::*fn)(Request&&, Responder)) {
    return [this, fn](Request&& req, Responder respond) {
      (this->*fn)(std::move(req), std::move(respond));
    };
  };
  router.Add(Method::kPatch, "/v1/shows/{id}", bind(&Api::UpdateShow));
  router.Add(Method::kGet, "/v1/shows/{id}/report", bind(&Api::ShowReport));
  router.Add(Method::kPost, "/v1/tickets/{code}/checkin", Idempotent(bind(&Api::CheckIn)));
  if (options_.demo) router.Add(Method::kPost, "/v1/demo/token", bind(&Api::DemoToken));
}

boost::json::object Api::ShowWithSales(const service::Show& s) {
  boost::json::object o = ShowJson(s, svc_->Available(s));
  o["sales"] = service::SalesStateName(svc_->show_states().Sales(s.id).state);
  return o;
}

std::optional<Response> Api::CheckSales(core::ShowId show) {
  const SalesState state = svc_->show_states().Sales(show).state;
  if (state == SalesState::kOpen) return std::nullopt;
  if (state == SalesState::kPaused) {
    return MakeProblem(409, "sales_paused", "Sales paused",
                       "the organiser paused the sale of this show; try again later")
        .ToResponse();
  }
  return MakeProblem(409, "sales_closed", "Sales closed", "the sale of this show has ended")
      .ToResponse();
}

void Api::UpdateShow(Request&& req, Responder respond) {
  if (auto p = RequireAdmin(Authenticate(req, options_))) return respond(std::move(*p));
  const std::optional<core::ShowId> id = ShowParam(req);
  std::shared_ptr<const service::Show> s = id ? svc_->FindShow(*id) : nullptr;
  if (s == nullptr) return respond(NotFound("no such show"));
  StatusOr<boost::json::value> body = ParseJson(req.body);
  if (!body.ok()) return respond(Malformed(body.status().message()));
  ObjectReader r(*body, "");
  const std::string name = r.String("sales", Field::kRequired, 16).value_or("");
  const std::optional<SalesState> state = service::ParseSalesState(name);
  if (r.ok() && !state) r.Fail("sales", "expected open, paused or closed");
  if (Status st = r.Finish(); !st.ok()) return respond(Malformed(st.message()));
  svc_->show_states().SetSales(
      s->id, *state,
      [this, s,
       respond = std::make_shared<Responder>(std::move(respond))](StatusOr<service::SalesView> v) {
        if (v.status().code() == StatusCode::kFailedPrecondition) {
          return (*respond)(
              MakeProblem(409, "sales_closed", "Sales closed", v.status().message()).ToResponse());
        }
        if (!v.ok()) return (*respond)(FromStatus(v.status()));
        boost::json::object o = ShowWithSales(*s);
        if (v->at_ms != 0) o["sales_changed_at"] = FormatTime(v->at_ms);
        (*respond)(JsonResponse(200, o));
      });
}

void Api::ShowReport(Request&& req, Responder respond) {
  if (auto p = RequireAdmin(Authenticate(req, options_))) return respond(std::move(*p));
  const std::optional<core::ShowId> id = ShowParam(req);
  std::shared_ptr<const service::Show> s = id ? svc_->FindShow(*id) : nullptr;
  if (s == nullptr) return respond(NotFound("no such show"));
  const std::string_view format = req.Query("format").value_or("json");
  if (format != "json" && format != "csv") return respond(Malformed("format: json or csv"));
  std::shared_ptr<const service::Availability> a = svc_->GetAvailability(s->id);
  const service::SalesReport report = MakeSalesReport(*s, *a, svc_->BookingsOfShow(s->id));
  if (format == "json") {
    Response r = JsonResponse(200, ReportJson(s->id, report));
    r.headers.Set("Cache-Control", "no-store");
    return respond(std::move(r));
  }
  Response r = Response::Text(200, ReportCsv(report));
  r.content_type = "text/csv; charset=utf-8";
  r.headers.Set("Content-Disposition", "attachment; filename=\"" + ShowId(s->id) + "-report.csv\"");
  r.headers.Set("Cache-Control", "no-store");
  respond(std::move(r));
}

void Api::CheckIn(Request&& req, Responder respond) {
  if (auto p = RequireAdmin(Authenticate(req, options_))) return respond(std::move(*p));
  StatusOr<core::ShowId> expected = ExpectedShow(req.body);
  if (!expected.ok()) return respond(Malformed(expected.status().message()));
  const std::string_view code = req.PathParam("code");
  std::optional<service::TicketView> t;
  if (!code.empty() && code.size() <= kTicketCodeBytesMax) t = svc_->FindTicket(std::string(code));
  if (!t) return respond(NotFound("no such ticket"));
  const service::TicketAtDoor door{t->code, t->show, t->cancelled};
  svc_->show_states().CheckIn(door, *expected,
                              [ticket = *t, respond = std::make_shared<Responder>(
                                                std::move(respond))](service::CheckinReply r) {
                                if (!r.status.ok()) return (*respond)(FromStatus(r.status));
                                (*respond)(CheckinAnswer(ticket, r));
                              });
}

void Api::DemoToken(Request&& req, Responder respond) {
  StatusOr<boost::json::value> body = ParseJson(req.body);
  if (!body.ok()) return respond(Malformed(body.status().message()));
  ObjectReader r(*body, "");
  const std::string name = r.String("name", Field::kRequired, kDemoNameBytesMax).value_or("");
  if (r.ok() && (name.empty() || !std::all_of(name.begin(), name.end(), DemoNameChar))) {
    r.Fail("name", "1..64 letters, digits or - _ . @");
  }
  if (Status st = r.Finish(); !st.ok()) return respond(Malformed(st.message()));
  JwtClaims claims;
  claims.sub = name;
  claims.iat_s = options_.clock->WallMs() / 1000;
  claims.exp_s = claims.iat_s + kDemoTokenTtlS;
  Response out = JsonResponse(201, {{"user", name},
                                    {"token", SignJwt(claims, options_.jwt_secret)},
                                    {"expires_at", FormatTime(claims.exp_s * 1000)}});
  out.headers.Set("Cache-Control", "no-store");
  respond(std::move(out));
}

}  // namespace boxoffice::http
