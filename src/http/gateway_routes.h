// GatewayRoutes: the simulated payment gateway's HTTP API, served by
// `boxoffice gateway` on its own port, or mounted under /gateway/ on the
// booking server (the default).
//
//   POST /gateway/v1/payments                  create (idempotent by key)  API key
//   GET  /gateway/v1/payments/{id}             read                        API key
//   POST /gateway/v1/payments/{id}/refunds     {"idempotency_key"}         API key
//   POST /gateway/v1/payments/{id}/approve     the fan pays                none
//   POST /gateway/v1/payments/{id}/decline     the fan declines            none
//   GET  /gateway/pay/{id}?return=/path        the fan's page (HTML)       none
//   POST /gateway/pay/{id}?return=/path        its form: approve/decline,  none
//                                              then 303 to the return path
//
// The merchant authenticates with `Authorization: Bearer <api key>`. The
// fan's routes need no key: the unguessable payment id in pay_url is the
// capability, as a real gateway's hosted payment page would be.
//
// Errors are problem+json with stable codes: malformed_request (400),
// unauthorized (401), not_found (404), payment_settled and
// payment_not_refundable (409), idempotency_key_reused and invalid_request
// (422), unavailable (503).
//
// Thread-safety: Register() before the server starts; handlers then run on
// any io thread and answer from the gateway's thread.
#pragma once

#include <string>
#include <string_view>

#include "http/router.h"
#include "payments/simulated_gateway.h"

namespace boxoffice::http {

inline constexpr std::string_view kGatewayPayPath = "/gateway/pay/";
// A pay page's return URL: a path on the same origin, at most this long.
inline constexpr size_t kReturnUrlBytesMax = 512;

struct GatewayRoutesOptions {
  std::string api_key;  // what merchants send as Bearer
};

class GatewayRoutes {
 public:
  // `gateway` may be null only to list the routes (Register, then Router::Routes).
  GatewayRoutes(payments::SimulatedGateway* gateway, GatewayRoutesOptions options);

  void Register(Router& router);

 private:
  void Create(Request&& req, Responder respond);
  void Get(Request&& req, Responder respond);
  void Refund(Request&& req, Responder respond);
  void Cancel(Request&& req, Responder respond);
  void Approve(Request&& req, Responder respond);
  void Decline(Request&& req, Responder respond);
  void PayPage(Request&& req, Responder respond);
  void PayPageForm(Request&& req, Responder respond);

  payments::SimulatedGateway* gateway_;
  GatewayRoutesOptions options_;
};

}  // namespace boxoffice::http
