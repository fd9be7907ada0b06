#include "http/payments_json.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "http/json_reader.h"

namespace boxoffice::http {
namespace {

namespace json = boost::json;
using payments::Payment;
using payments::PaymentRequest;
using payments::Refund;
using payments::WebhookEvent;

constexpr int64_t kTimeMsMax = INT64_C(253402300799999);  // 9999-12-31

json::object PaymentObject(const Payment& p) {
  return json::object{{"id", p.id},
                      {"reference", p.reference},
                      {"amount_minor", p.amount_minor},
                      {"currency", p.currency},
                      {"status", payments::PaymentStatusName(p.status)},
                      {"pay_url", p.pay_url},
                      {"created_at_ms", p.created_at_ms},
                      {"updated_at_ms", p.updated_at_ms}};
}

std::optional<std::string> Currency(ObjectReader& r) {
  std::optional<std::string> c = r.String("currency", Field::kRequired, 3);
  if (c && (c->size() != 3 ||
            !std::all_of(c->begin(), c->end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; }))) {
    r.Fail(r.PathOf("currency"), "expected an ISO 4217 code such as \"EUR\"");
  }
  return c;
}

// Reads a payment object's members into `p`.
void ReadPayment(ObjectReader& r, Payment& p) {
  p.id = r.String("id", Field::kRequired, kPaymentIdBytesMax).value_or("");
  p.reference = r.String("reference", Field::kRequired, kPaymentReferenceBytesMax).value_or("");
  p.amount_minor = r.Int("amount_minor", Field::kRequired, 0, kPaymentAmountMinorMax).value_or(0);
  p.currency = Currency(r).value_or("");
  const std::string status = r.String("status", Field::kRequired, 16).value_or("");
  if (r.ok() && !payments::ParsePaymentStatus(status, &p.status)) {
    r.Fail(r.PathOf("status"), "unknown payment status");
  }
  p.pay_url = r.String("pay_url", Field::kRequired, kPayUrlBytesMax).value_or("");
  p.created_at_ms = r.Int("created_at_ms", Field::kRequired, 0, kTimeMsMax).value_or(0);
  p.updated_at_ms = r.Int("updated_at_ms", Field::kRequired, 0, kTimeMsMax).value_or(0);
}

template <typename T, typename Fn>
StatusOr<T> Decode(std::string_view body, Fn read) {
  StatusOr<json::value> v = ParseJson(body);
  if (!v.ok()) return v.status();
  ObjectReader r(*v, "");
  T out;
  read(r, out);
  Status s = r.Finish();
  if (!s.ok()) return s;
  return out;
}

}  // namespace

std::string EncodePaymentRequest(const PaymentRequest& r) {
  return json::serialize(json::object{{"idempotency_key", r.idempotency_key},
                                      {"amount_minor", r.amount_minor},
                                      {"currency", r.currency},
                                      {"reference", r.reference},
                                      {"description", r.description}});
}

StatusOr<PaymentRequest> DecodePaymentRequest(std::string_view body) {
  return Decode<PaymentRequest>(body, [](ObjectReader& r, PaymentRequest& out) {
    out.idempotency_key =
        r.String("idempotency_key", Field::kRequired, kPaymentIdempotencyKeyBytesMax).value_or("");
    if (r.ok() && out.idempotency_key.empty()) {
      r.Fail(r.PathOf("idempotency_key"), "must not be empty");
    }
    out.amount_minor =
        r.Int("amount_minor", Field::kRequired, 1, kPaymentAmountMinorMax).value_or(0);
    out.currency = Currency(r).value_or("");
    out.reference = r.String("reference", Field::kRequired, kPaymentReferenceBytesMax).value_or("");
    out.description =
        r.String("description", Field::kOptional, kPaymentDescriptionBytesMax).value_or("");
  });
}

std::string EncodePayment(const Payment& p) { return json::serialize(PaymentObject(p)); }

StatusOr<Payment> DecodePayment(std::string_view body) {
  return Decode<Payment>(body, ReadPayment);
}

std::string EncodeRefund(const Refund& r) {
  return json::serialize(json::object{{"id", r.id},
                                      {"payment_id", r.payment_id},
                                      {"amount_minor", r.amount_minor},
                                      {"created_at_ms", r.created_at_ms}});
}

StatusOr<Refund> DecodeRefund(std::string_view body) {
  return Decode<Refund>(body, [](ObjectReader& r, Refund& out) {
    out.id = r.String("id", Field::kRequired, kPaymentIdBytesMax).value_or("");
    out.payment_id = r.String("payment_id", Field::kRequired, kPaymentIdBytesMax).value_or("");
    out.amount_minor =
        r.Int("amount_minor", Field::kRequired, 0, kPaymentAmountMinorMax).value_or(0);
    out.created_at_ms = r.Int("created_at_ms", Field::kRequired, 0, kTimeMsMax).value_or(0);
  });
}

std::string EncodeWebhookEvent(const WebhookEvent& e) {
  json::object o{{"id", e.id},
                 {"type", payments::WebhookTypeName(e.type)},
                 {"created_at_ms", e.created_at_ms},
                 {"payment", PaymentObject(e.payment)}};
  if (!e.refund_id.empty()) o["refund_id"] = e.refund_id;
  return json::serialize(o);
}

StatusOr<WebhookEvent> DecodeWebhookEvent(std::string_view body) {
  return Decode<WebhookEvent>(body, [](ObjectReader& r, WebhookEvent& out) {
    out.id = r.String("id", Field::kRequired, kPaymentIdBytesMax).value_or("");
    const std::string type = r.String("type", Field::kRequired, 32).value_or("");
    if (r.ok() && !payments::ParseWebhookType(type, &out.type)) {
      r.Fail(r.PathOf("type"), "unknown event type");
    }
    out.created_at_ms = r.Int("created_at_ms", Field::kRequired, 0, kTimeMsMax).value_or(0);
    if (const json::value* p = r.Value("payment", Field::kRequired)) {
      ObjectReader pr(*p, r.PathOf("payment"));
      ReadPayment(pr, out.payment);
      r.Adopt(pr.Finish());
    }
    out.refund_id = r.String("refund_id", Field::kOptional, kPaymentIdBytesMax).value_or("");
    if (r.ok() && (out.type == payments::WebhookType::kRefundSucceeded) == out.refund_id.empty()) {
      r.Fail(r.PathOf("refund_id"), "required for refund.succeeded and only for it");
    }
  });
}

}  // namespace boxoffice::http
