// Problem details rendering and the framework's own problems.
#include "http/problem.h"

#include <boost/json/serialize.hpp>
#include <string>

#include "core/status.h"

namespace boxoffice::http {
namespace {

bool IsStandardMember(std::string_view name) {
  return name == "type" || name == "title" || name == "status" || name == "detail" ||
         name == "instance" || name == "code";
}

Problem Make(unsigned status, std::string_view code, std::string_view title, std::string detail) {
  return Problem{status, std::string(code), std::string(title), std::move(detail), {}};
}

}  // namespace

std::string Problem::ToJson() const {
  BOX_ASSERT(status >= 400 && status <= 599);
  BOX_ASSERT(!code.empty());
  boost::json::object o;
  o.reserve(5 + extra.size());
  std::string type(kProblemTypeBase);
  type += code;
  o["type"] = type;
  o["title"] = title;
  o["status"] = status;
  if (!detail.empty()) o["detail"] = detail;
  o["code"] = code;
  for (const auto& member : extra) {
    BOX_ASSERT(!IsStandardMember(member.key()));
    o[member.key()] = member.value();
  }
  return boost::json::serialize(o);
}

Response Problem::ToResponse() const {
  Response r;
  r.status = status;
  r.content_type = kProblemContentType;
  r.body = ToJson();
  return r;
}

namespace problems {

Problem BadRequest(std::string detail) {
  return Make(400, "malformed_request", "Malformed request", std::move(detail));
}
Problem InvalidTarget(std::string detail) {
  return Make(400, "invalid_target", "Invalid request target", std::move(detail));
}
Problem NotFound(std::string detail) {
  return Make(404, "not_found", "Not found", std::move(detail));
}
Problem MethodNotAllowed(std::string detail) {
  return Make(405, "method_not_allowed", "Method not allowed", std::move(detail));
}
Problem RequestTimeout() {
  return Make(408, "request_timeout", "Request timeout", "the request did not arrive in time");
}
Problem PayloadTooLarge(size_t body_bytes_max) {
  return Make(413, "payload_too_large", "Payload too large",
              "the body exceeds " + std::to_string(body_bytes_max) + " bytes");
}
Problem TargetTooLong(size_t target_bytes_max) {
  return Make(414, "target_too_long", "Request target too long",
              "the request target exceeds " + std::to_string(target_bytes_max) + " bytes");
}
Problem HeaderTooLarge(size_t header_bytes_max) {
  return Make(431, "header_too_large", "Request header fields too large",
              "the header exceeds " + std::to_string(header_bytes_max) + " bytes");
}
Problem Internal(std::string detail) {
  return Make(500, "internal_error", "Internal server error", std::move(detail));
}
Problem MethodNotImplemented(std::string detail) {
  return Make(501, "method_not_implemented", "Method not implemented", std::move(detail));
}
Problem Overloaded(std::string detail) {
  return Make(503, "overloaded", "Server overloaded", std::move(detail));
}
Problem HandlerTimeout() {
  return Make(503, "handler_timeout", "Handler timeout", "the request was not answered in time");
}

}  // namespace problems
}  // namespace boxoffice::http
