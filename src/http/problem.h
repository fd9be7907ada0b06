// Problem details (RFC 9457): every error response of the API, rendered as
// application/problem+json.
//
//   {"type":"https://boxoffice.dev/problems/seat_unavailable",
//    "title":"Seat unavailable","status":409,
//    "detail":"2 of the requested seats are taken","code":"seat_unavailable",
//    "conflicts":["A-1-2","A-1-3"]}
//
// `code` is the stable, machine-readable name of the problem (snake_case);
// clients branch on it. `type` is derived from it: kProblemTypeBase + code,
// a URI that identifies the problem kind (it need not resolve). `title` is the
// same for every occurrence of a code; `detail` explains this occurrence.
// Extra members carry problem-specific data and never reuse a standard name.
//
// Thread-safety: a plain value.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "http/message.h"

namespace boxoffice::http {

inline constexpr std::string_view kProblemTypeBase = "https://boxoffice.dev/problems/";

struct Problem {
  unsigned status = 500;
  std::string code;    // e.g. "seat_unavailable"
  std::string title;   // e.g. "Seat unavailable"
  std::string detail;  // e.g. "seat A-1-2 is held"
  boost::json::object extra;

  std::string ToJson() const;
  Response ToResponse() const;  // status, application/problem+json, the JSON body
};

// Problems the server framework itself answers with; handlers may reuse them.
namespace problems {
Problem BadRequest(std::string detail);            // 400 malformed_request
Problem InvalidTarget(std::string detail);         // 400 invalid_target
Problem NotFound(std::string detail);              // 404 not_found
Problem MethodNotAllowed(std::string detail);      // 405 method_not_allowed
Problem RequestTimeout();                          // 408 request_timeout
Problem PayloadTooLarge(size_t body_bytes_max);    // 413 payload_too_large
Problem TargetTooLong(size_t target_bytes_max);    // 414 target_too_long
Problem HeaderTooLarge(size_t header_bytes_max);   // 431 header_too_large
Problem Internal(std::string detail);              // 500 internal_error
Problem MethodNotImplemented(std::string detail);  // 501 method_not_implemented
Problem Overloaded(std::string detail);            // 503 overloaded
Problem HandlerTimeout();                          // 503 handler_timeout
}  // namespace problems

}  // namespace boxoffice::http
