// OpenApiContract: docs/openapi.yaml as the contract the server's answers
// are held to.
//
//   StatusOr<testing::OpenApiContract> c = testing::OpenApiContract::Load(path);
//   std::vector<std::string> errors =
//       c->CheckAnswer({"GET", "/v1/holds/h1-4294967297", 200, "application/json", body});
//
// An answer is checked against the operation its method and path name (a
// literal path segment wins over a parameter; HEAD is answered as GET,
// without a body):
//   - its status is one the operation lists (or a `4XX` range, or
//     `default`), or it is a problem the document's conventions let any
//     route answer (kAnyRouteProblems, with one of their codes);
//   - its Content-Type is one the response lists; a response without
//     content has no body;
//   - a JSON body (application/json, *+json) is valid against the schema of
//     its media type, with closed objects (json_schema.h): a member the
//     document does not describe is an error too.
// An answer on a path the document does not describe is not checked
// (MatchPath says so): the document cannot speak for it.
//
// Thread-safety: const methods from any thread once loaded.
#pragma once

#include <boost/json/value.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "testing/json_schema.h"

namespace boxoffice::testing {

// The problems the conventions in the document's `info.description` let
// any route answer without the operation listing them: status and code.
struct AnyRouteProblem {
  unsigned status;
  std::string_view code;
};
inline constexpr AnyRouteProblem kAnyRouteProblems[] = {
    {400, "invalid_target"},      {405, "method_not_allowed"}, {408, "request_timeout"},
    {409, "request_in_progress"}, {413, "payload_too_large"},  {414, "target_too_long"},
    {429, "rate_limited"},        {431, "header_too_large"},   {501, "method_not_implemented"},
    {503, "unavailable"},         {503, "overloaded"},         {503, "handler_timeout"}};

struct Answer {
  std::string method;  // as sent: "GET"
  std::string target;  // path and query: "/v1/shows?q=x"
  unsigned status = 0;
  std::string content_type;  // the header as received, "" when absent
  std::string body;
};

class OpenApiContract {
 public:
  // Reads and parses the YAML file; InvalidArgument when it is not valid
  // YAML or has no `paths`.
  static StatusOr<OpenApiContract> Load(const std::string& path);
  // The same from the document's text.
  static StatusOr<OpenApiContract> FromYaml(std::string_view text);

  const boost::json::value& document() const { return *document_; }
  const SchemaValidator& validator() const { return *validator_; }

  struct Operation {
    std::string method;  // "GET"
    std::string path;    // "/v1/holds/{id}"
    friend auto operator<=>(const Operation&, const Operation&) = default;
  };
  // Every operation under `paths`, in the document's order.
  std::vector<Operation> Operations() const;

  // The documented path template a request path falls under, if any.
  std::optional<std::string> MatchPath(std::string_view path) const;

  // What is wrong with the answer; empty when it keeps the contract or its
  // path is not documented.
  std::vector<std::string> CheckAnswer(const Answer& answer) const;

  // Errors in every schema of the document (CheckSchema of each): unknown
  // keywords, references to nothing, inconsistent discriminators.
  std::vector<std::string> CheckSchemas() const;

 private:
  explicit OpenApiContract(boost::json::value document);
  static StatusOr<OpenApiContract> FromDocument(StatusOr<boost::json::value> document);

  const boost::json::object* ResponseFor(const boost::json::object& operation,
                                         unsigned status) const;
  std::vector<std::string> CheckContent(const boost::json::object& response, const Answer& answer,
                                        bool head) const;
  std::vector<std::string> CheckAnyRouteProblem(const Answer& answer) const;
  void CheckSchemasUnder(const boost::json::value& node, const std::string& where,
                         std::vector<std::string>& errors) const;

  std::unique_ptr<boost::json::value> document_;  // at a fixed address: the validator points to it
  std::unique_ptr<SchemaValidator> validator_;
};

}  // namespace boxoffice::testing
