#include "testing/openapi_contract.h"

#include <gtest/gtest.h>

namespace boxoffice::testing {
namespace {

constexpr std::string_view kDocument = R"(
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /v1/shows/{id}:
    get:
      responses:
        "200":
          description: The show.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Show"}
        "304":
          description: Not modified.
        "404":
          $ref: "#/components/responses/NotFound"
  /v1/shows/{id}/queue:
    delete:
      responses:
        "204":
          description: Gone.
  /v1/shows/{id}/{part}:
    get:
      responses:
        default:
          description: Anything.
          content:
            text/plain:
              schema: {type: string}
components:
  responses:
    NotFound:
      description: "`not_found`."
      content:
        application/problem+json:
          schema: {$ref: "#/components/schemas/Problem"}
  schemas:
    Show:
      type: object
      required: [id]
      properties:
        id: {type: string}
    Problem:
      type: object
      required: [code]
      additionalProperties: true
      properties:
        code: {type: string}
)";

OpenApiContract Contract() {
  StatusOr<OpenApiContract> c = OpenApiContract::FromYaml(kDocument);
  EXPECT_TRUE(c.ok()) << c.status().message();
  return std::move(*c);
}

std::vector<std::string> Check(std::string method, std::string target, unsigned status,
                               std::string content_type, std::string body) {
  static const OpenApiContract contract = Contract();
  return contract.CheckAnswer(
      {std::move(method), std::move(target), status, std::move(content_type), std::move(body)});
}

::testing::AssertionResult Mentions(const std::vector<std::string>& errors, std::string_view what) {
  for (const std::string& e : errors) {
    if (e.find(what) != std::string::npos) return ::testing::AssertionSuccess();
  }
  auto failure = ::testing::AssertionFailure() << "no error with '" << what << "' among:";
  for (const std::string& e : errors) failure << "\n  " << e;
  return failure;
}

TEST(OpenApiContractTest, PathsMatchTheirTemplatesAndLiteralsWin) {
  const OpenApiContract c = Contract();
  EXPECT_EQ(c.MatchPath("/v1/shows/s1"), "/v1/shows/{id}");
  EXPECT_EQ(c.MatchPath("/v1/shows/s1/queue"), "/v1/shows/{id}/queue");
  EXPECT_EQ(c.MatchPath("/v1/shows/s1/seatmap"), "/v1/shows/{id}/{part}");
  EXPECT_EQ(c.MatchPath("/v1/shows/"), std::nullopt);
  EXPECT_EQ(c.MatchPath("/v2/shows/s1"), std::nullopt);
  EXPECT_EQ(c.Operations().size(), 3u);
  EXPECT_TRUE(c.CheckSchemas().empty());
}

TEST(OpenApiContractTest, AnswersThatKeepTheContract) {
  EXPECT_TRUE(Check("GET", "/v1/shows/s1?x=1", 200, "application/json", R"({"id":"s1"})").empty());
  EXPECT_TRUE(Check("HEAD", "/v1/shows/s1", 200, "application/json", "").empty());
  EXPECT_TRUE(Check("GET", "/v1/shows/s1", 304, "", "").empty());
  EXPECT_TRUE(Check("GET", "/v1/shows/s9", 404, "application/problem+json; charset=utf-8",
                    R"({"code":"not_found","detail":"no such show"})")
                  .empty());
  EXPECT_TRUE(Check("DELETE", "/v1/shows/s1/queue", 204, "", "").empty());
  EXPECT_TRUE(Check("GET", "/v1/shows/s1/x", 500, "text/plain", "oops").empty());  // default
  EXPECT_TRUE(Check("GET", "/elsewhere", 404, "text/html", "<p>").empty());        // not documented
  // The conventions: any route may answer these as problems.
  EXPECT_TRUE(Check("POST", "/v1/shows/s1", 405, "application/problem+json",
                    R"({"code":"method_not_allowed"})")
                  .empty());
  EXPECT_TRUE(Check("GET", "/v1/shows/s1", 429, "application/problem+json",
                    R"({"code":"rate_limited","retry_after_ms":1000})")
                  .empty());
}

TEST(OpenApiContractTest, AnswersThatBreakIt) {
  struct Case {
    Answer answer;
    std::string_view error;
  };
  const Case cases[] = {
      {{"GET", "/v1/shows/s1", 200, "application/json", R"({"name":"x"})"},
       "missing required member 'id'"},
      {{"GET", "/v1/shows/s1", 200, "application/json", R"({"id":"s1","secret":1})"},
       "/secret: a member the schema does not declare"},
      {{"GET", "/v1/shows/s1", 200, "text/html", "<p>"},
       "Content-Type 'text/html' is not one of application/json"},
      {{"GET", "/v1/shows/s1", 200, "application/json", "{"}, "the body is not JSON"},
      {{"GET", "/v1/shows/s1", 402, "application/problem+json", "{}"},
       "the operation does not list this status"},
      {{"POST", "/v1/shows/s1", 201, "application/json", "{}"},
       "the document has no such operation"},
      {{"DELETE", "/v1/shows/s1/queue", 204, "text/plain", "x"},
       "a body where the document describes none"},
      {{"GET", "/v1/shows/s1", 503, "application/problem+json", "{}"},
       "missing required member 'code'"},
      // Statuses any route may answer, with a code it may not answer them with.
      {{"GET", "/v1/shows/s1", 400, "application/problem+json", R"({"code":"malformed_request"})"},
       "not a problem any route may answer with this code"},
      {{"GET", "/v1/shows/s1", 503, "application/problem+json", R"({"code":"seat_unavailable"})"},
       "not a problem any route may answer with this code"},
  };
  for (const Case& c : cases) {
    const Answer& a = c.answer;
    EXPECT_TRUE(Mentions(Check(a.method, a.target, a.status, a.content_type, a.body), c.error))
        << a.method << " " << a.target << " " << a.status;
  }
  EXPECT_TRUE(
      Check("GET", "/v1/shows/s1", 503, "application/problem+json", R"({"code":"overloaded"})")
          .empty());
}

TEST(OpenApiContractTest, ADocumentThatIsNotOpenApiIsRefused) {
  EXPECT_FALSE(OpenApiContract::FromYaml("openapi: 3.0.3\n").ok());
  EXPECT_FALSE(OpenApiContract::FromYaml("paths: {a: b: c}\n").ok());
  EXPECT_FALSE(OpenApiContract::Load("/nonexistent.yaml").ok());
}

}  // namespace
}  // namespace boxoffice::testing
