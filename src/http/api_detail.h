// Helpers of the API's route files (api.cc, api_queue.cc): problems, the
// caller's identity, path parameters, conditional requests. Internal to
// src/http/. Thread-safety: pure functions over their arguments.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "core/status.h"
#include "http/api.h"
#include "http/message.h"
#include "http/problem.h"

namespace boxoffice::http::api_detail {

Response JsonResponse(unsigned status, const boost::json::object& o);
Problem MakeProblem(unsigned status, std::string code, std::string title, std::string detail);
Response Malformed(const std::string& detail);  // 400 malformed_request
Response NotFound(const std::string& detail);   // 404 not_found
Response FromStatus(const Status& s);           // an operational Status as a problem
Problem FromOutcome(core::Outcome o);           // a domain refusal (not kOk) as a problem

// Who is asking: a fan (user id), an organiser, or nobody (with the problem).
struct Caller {
  bool admin = false;
  std::string user;
  std::optional<Response> problem;
  std::string identity() const { return admin ? "admin" : "user:" + user; }
};
Caller Authenticate(const Request& req, const ApiOptions& options);
std::optional<Response> RequireFan(const Caller& c);
std::optional<Response> RequireAdmin(const Caller& c);

// Whether an If-None-Match field lists `etag` (weak comparison).
bool IfNoneMatchHas(std::optional<std::string_view> if_none_match, std::string_view etag);
std::optional<core::ShowId> ShowParam(const Request& req);

}  // namespace boxoffice::http::api_detail
