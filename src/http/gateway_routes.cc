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

// The fan's page: what is being paid, and two buttons while it can be paid.
std::string PayPageHtml(const Payment& p) {
  const bool open = p.status == PaymentStatus::kPending || p.status == PaymentStatus::kFailed;
  std::string html =
      "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Pay</title>"
      "<meta name=\"viewport\" content=\"width=device-width\"></head>\n"
      "<body style=\"font-family:sans-serif;max-width:28em;margin:3em auto\">\n"
      "<h1>Simulated payment</h1>\n<p>Amount: <b>" +
      EscapeMarkup(Amount(p)) + "</b></p>\n<p>Reference: " + EscapeMarkup(p.reference) +
      "</p>\n<p>Status: <b id=\"status\">" + std::string(payments::PaymentStatusName(p.status)) +
      "</b></p>\n";
  if (open) {
    html +=
        "<p><button onclick=\"answer('approve')\">Approve</button> "
        "<button onclick=\"answer('decline')\">Decline</button></p>\n"
        "<script>\nfunction answer(what) {\n"
        "  fetch('/gateway/v1/payments/" +
        p.id +
        "/' + what, {method: 'POST'})\n"
        "    .then(r => r.json())\n"
        "    .then(j => { document.getElementById('status').textContent = j.status || j.code; });\n"
        "}\n</script>\n";
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

void GatewayRoutes::PayPage(Request&& req, Responder respond) {
  const std::string id(req.PathParam("id"));
  if (!IsPaymentId(id)) return respond(NoSuchPayment());
  gateway_->GetPayment(id, [r = Share(std::move(respond))](StatusOr<Payment> p) {
    if (!p.ok()) return (*r)(FromStatus(p.status(), "payment_settled"));
    Response out;
    out.status = 200;
    out.content_type = "text/html; charset=utf-8";
    out.body = PayPageHtml(*p);
    out.headers.Set("Cache-Control", "no-store");
    (*r)(std::move(out));
  });
}

}  // namespace boxoffice::http
