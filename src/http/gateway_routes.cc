#include "http/gateway_routes.h"

#include <memory>

#include "http/admin_key.h"
#include "http/json_reader.h"
#include "http/payments_json.h"
#include "http/problem.h"

namespace boxoffice::http {
namespace {

using payments::Payment;
using payments::PaymentStatus;

constexpr size_t kPaymentIdHexDigits = 32;

Response ProblemResponse(unsigned status, std::string code, std::string title, std::string detail) {
  return Problem{status, std::move(code), std::move(title), std::move(detail), {}}.ToResponse();
}

Response Malformed(std::string detail) {
  return ProblemResponse(400, "malformed_request", "Malformed request", std::move(detail));
}

Response NoSuchPayment() {
  return ProblemResponse(404, "not_found", "Not found", "no such payment");
}

// A gateway Status as a problem; `conflict` names a kFailedPrecondition.
Response FromStatus(const Status& s, std::string_view conflict) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      if (s.message().starts_with(payments::kIdempotencyMismatch)) {
        return ProblemResponse(422, "idempotency_key_reused", "Idempotency key reused",
                               s.message());
      }
      return ProblemResponse(422, "invalid_request", "Invalid request", s.message());
    case StatusCode::kNotFound:
      return NoSuchPayment();
    case StatusCode::kFailedPrecondition:
      return ProblemResponse(
          409, std::string(conflict),
          conflict == "payment_settled" ? "Payment settled" : "Payment not refundable",
          s.message());
    default:
      return ProblemResponse(503, "unavailable", "Gateway unavailable", s.message());
  }
}

// "pay_" and 32 lowercase hex digits: anything else cannot name a payment.
bool IsPaymentId(std::string_view id) {
  constexpr std::string_view kPrefix = "pay_";
  if (id.size() != kPrefix.size() + kPaymentIdHexDigits || !id.starts_with(kPrefix)) return false;
  return std::all_of(id.begin() + kPrefix.size(), id.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::optional<Response> RequireApiKey(const Request& req, const std::string& api_key) {
  if (const auto key = req.BearerToken(); key && AdminKeyMatches(*key, api_key)) {
    return std::nullopt;
  }
  Response r = ProblemResponse(401, "unauthorized", "Unauthorized",
                               "send Authorization: Bearer <gateway API key>");
  r.headers.Set("WWW-Authenticate", "Bearer");
  return r;
}

std::string Amount(const Payment& p) {
  const int64_t units = p.amount_minor / 100;
  const int64_t cents = p.amount_minor % 100;
  return std::to_string(units) + "." + (cents < 10 ? "0" : "") + std::to_string(cents) + " " +
         p.currency;
}

// Whether `s` may be a return URL: a path on this origin ("/holds/h1-2"),
// never another site ("//evil", "/\\evil", "https://..."): no open redirect.
bool IsLocalPath(std::string_view s) {
  if (s.empty() || s.size() > kReturnUrlBytesMax || s[0] != '/') return false;
  if (s.size() > 1 && (s[1] == '/' || s[1] == '\\')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return c > ' ' && c < 127 && c != '\\' && c != '"' && c != '<' && c != '>';
  });
}

// The return URL of a pay page request, if it has a valid one.
std::string ReturnOf(const Request& req) {
  const std::optional<std::string_view> r = req.Query("return");
  return r && IsLocalPath(*r) ? std::string(*r) : std::string();
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[static_cast<unsigned char>(c) >> 4];
      out += kHex[static_cast<unsigned char>(c) & 15];
    }
  }
  return out;
}

// The fan's page: what is being paid, and a form with two buttons while it
// can be paid (no script: it posts to this page, which answers with a
// redirect to `return_url` when there is one).
std::string PayPageHtml(const Payment& p, const std::string& return_url) {
  const bool open = p.status == PaymentStatus::kPending || p.status == PaymentStatus::kFailed;
  std::string html =
      "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Pay</title>"
      "<meta name=\"viewport\" content=\"width=device-width\"></head>\n"
      "<body style=\"font-family:sans-serif;max-width:28em;margin:3em auto\">\n"
      "<h1>Simulated payment</h1>\n<p>Amount: <b>" +
      EscapeMarkup(Amount(p)) + "</b></p>\n<p>Reference: " + EscapeMarkup(p.reference) +
      "</p>\n<p>Status: <b id=\"status\">" + std::string(payments::PaymentStatusName(p.status)) +
      "</b></p>\n";
  const std::string back =
      return_url.empty() ? std::string() : "?return=" + PercentEncode(return_url);
  if (open) {
    html += "<form method=\"post\" action=\"" + std::string(kGatewayPayPath) + p.id +
            EscapeMarkup(back) +
            "\">\n<p><button name=\"answer\" value=\"approve\">Approve</button> "
            "<button name=\"answer\" value=\"decline\">Decline</button></p>\n</form>\n";
  }
  if (!return_url.empty()) {
    html += "<p><a href=\"" + EscapeMarkup(return_url) + "\">Back to the shop</a></p>\n";
  }
  html += "</body></html>\n";
  return html;
}

// Keeps a Responder in a copyable callback.
std::shared_ptr<Responder> Share(Responder r) { return std::make_shared<Responder>(std::move(r)); }

// Answers with the payment as JSON, or with the problem.
payments::Done<Payment> PaymentAnswer(Responder respond) {
  return [r = Share(std::move(respond))](StatusOr<Payment> p) {
    if (!p.ok()) return (*r)(FromStatus(p.status(), "payment_settled"));
    (*r)(Response::Json(200, EncodePayment(*p)));
  };
}

}  // namespace

GatewayRoutes::GatewayRoutes(payments::SimulatedGateway* gateway, GatewayRoutesOptions options)
    : gateway_(gateway), options_(std::move(options)) {}

void GatewayRoutes::Register(Router& router) {
  const auto bind = [this](void (GatewayRoutes::*fn)(Request&&, Responder)) {
    return [this, fn](Request&& req, Responder respond) {
      (this->*fn)(std::move(req), std::move(respond));
    };
  };
  router.Add(Method::kPost, "/gateway/v1/payments", bind(&GatewayRoutes::Create));
  router.Add(Method::kGet, "/gateway/v1/payments/{id}", bind(&GatewayRoutes::Get));
  router.Add(Method::kPost, "/gateway/v1/payments/{id}/refunds", bind(&GatewayRoutes::Refund));
  router.Add(Method::kPost, "/gateway/v1/payments/{id}/cancel", bind(&GatewayRoutes::Cancel));
  router.Add(Method::kPost, "/gateway/v1/payments/{id}/approve", bind(&GatewayRoutes::Approve));
  router.Add(Method::kPost, "/gateway/v1/payments/{id}/decline", bind(&GatewayRoutes::Decline));
  router.Add(Method::kGet, "/gateway/pay/{id}", bind(&GatewayRoutes::PayPage));
  router.Add(Method::kPost, "/gateway/pay/{id}", bind(&GatewayRoutes::PayPageForm));
}

void GatewayRoutes::Create(Request&& req, Responder respond) {
  if (auto p = RequireApiKey(req, options_.api_key)) return respond(std::move(*p));
  StatusOr<payments::PaymentRequest> request = DecodePaymentRequest(req.body);
  if (!request.ok()) return respond(Malformed(request.status().message()));
  gateway_->Create(
      *request, [r = Share(std::move(respond))](StatusOr<payments::GatewayEngine::Created> c) {
        if (!c.ok()) return (*r)(FromStatus(c.status(), "payment_settled"));
        Response out = Response::Json(c->replayed ? 200 : 201, EncodePayment(c->payment));
        out.headers.Set("Location", "/gateway/v1/payments/" + c->payment.id);
        (*r)(std::move(out));
      });
}

void GatewayRoutes::Get(Request&& req, Responder respond) {
  if (auto p = RequireApiKey(req, options_.api_key)) return respond(std::move(*p));
  const std::string id(req.PathParam("id"));
  if (!IsPaymentId(id)) return respond(NoSuchPayment());
  gateway_->GetPayment(id, PaymentAnswer(std::move(respond)));
}

void GatewayRoutes::Refund(Request&& req, Responder respond) {
  if (auto p = RequireApiKey(req, options_.api_key)) return respond(std::move(*p));
  const std::string id(req.PathParam("id"));
  StatusOr<boost::json::value> body = ParseJson(req.body);
  if (!body.ok()) return respond(Malformed(body.status().message()));
  ObjectReader reader(*body, "");
  const std::string key =
      reader.String("idempotency_key", Field::kRequired, kPaymentIdempotencyKeyBytesMax)
          .value_or("");
  if (reader.ok() && key.empty())
    reader.Fail(reader.PathOf("idempotency_key"), "must not be empty");
  if (Status s = reader.Finish(); !s.ok()) return respond(Malformed(s.message()));
  if (!IsPaymentId(id)) return respond(NoSuchPayment());
  gateway_->RefundPayment(id, key, [r = Share(std::move(respond))](StatusOr<payments::Refund> f) {
    if (!f.ok()) return (*r)(FromStatus(f.status(), "payment_not_refundable"));
    (*r)(Response::Json(201, EncodeRefund(*f)));
  });
}

// The merchant withdraws a payment it no longer wants; 409 payment_settled if
// it was charged.
void GatewayRoutes::Cancel(Request&& req, Responder respond) {
  if (auto p = RequireApiKey(req, options_.api_key)) return respond(std::move(*p));
  const std::string id(req.PathParam("id"));
  if (!IsPaymentId(id)) return respond(NoSuchPayment());
  gateway_->CancelPayment(id, PaymentAnswer(std::move(respond)));
}

void GatewayRoutes::Approve(Request&& req, Responder respond) {
  const std::string id(req.PathParam("id"));
  if (!IsPaymentId(id)) return respond(NoSuchPayment());
  gateway_->Approve(id, PaymentAnswer(std::move(respond)));
}

void GatewayRoutes::Decline(Request&& req, Responder respond) {
  const std::string id(req.PathParam("id"));
  if (!IsPaymentId(id)) return respond(NoSuchPayment());
  gateway_->Decline(id, PaymentAnswer(std::move(respond)));
}

namespace {

// The pay page, or the problem; after an answer with a return URL, a 303 there.
payments::Done<Payment> PayPageAnswer(Responder respond, std::string return_url, bool redirect) {
  return [r = Share(std::move(respond)), return_url, redirect](StatusOr<Payment> p) {
    if (!p.ok()) return (*r)(FromStatus(p.status(), "payment_settled"));
    Response out;
    if (redirect && !return_url.empty()) {
      out.status = 303;
      out.headers.Set("Location", return_url);
    } else {
      out.status = 200;
      out.content_type = "text/html; charset=utf-8";
      out.body = PayPageHtml(*p, return_url);
    }
    out.headers.Set("Cache-Control", "no-store");
    out.headers.Set("X-Content-Type-Options", "nosniff");
    out.headers.Set("Content-Security-Policy",
                    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                    "base-uri 'none'; frame-ancestors 'none'");
    (*r)(std::move(out));
  };
}

}  // namespace

void GatewayRoutes::PayPage(Request&& req, Responder respond) {
  const std::string id(req.PathParam("id"));
  if (!IsPaymentId(id)) return respond(NoSuchPayment());
  gateway_->GetPayment(id, PayPageAnswer(std::move(respond), ReturnOf(req), false));
}

// The pay page's form: `answer=approve` or `answer=decline`
// (application/x-www-form-urlencoded).
void GatewayRoutes::PayPageForm(Request&& req, Responder respond) {
  const std::string id(req.PathParam("id"));
  if (!IsPaymentId(id)) return respond(NoSuchPayment());
  const std::string_view body = req.body;
  if (body != "answer=approve" && body != "answer=decline") {
    return respond(Malformed("expected the form field answer=approve or answer=decline"));
  }
  auto done = PayPageAnswer(std::move(respond), ReturnOf(req), true);
  if (body == "answer=approve") return gateway_->Approve(id, std::move(done));
  gateway_->Decline(id, std::move(done));
}

}  // namespace boxoffice::http
