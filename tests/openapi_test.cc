// docs/openapi.yaml is kept true. It is read with a real YAML parser
// (yaml-cpp, through testing::OpenApiContract): the operations it documents
// are exactly the routes the binary serves (from `boxoffice routes`), the
// live server answers each documented operation without 405, every $ref
// names something, every schema uses only keywords the response validator
// understands, and the conventions name every problem any route may answer.
// Every answer the integration tests receive is held to the document by
// api_contract.h; the tests here also check that hook, and the closed
// holds' representation explicitly.
#include <gtest/gtest.h>

#include <boost/json/value.hpp>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "api_client.h"
#include "api_contract.h"
#include "server_process.h"
#include "testing/openapi_contract.h"

namespace boxoffice::itest {
namespace {

namespace json = boost::json;
using Operation = std::pair<std::string, std::string>;  // {"GET", "/v1/shows/{}"}

const testing::OpenApiContract& Contract() {
  static const StatusOr<testing::OpenApiContract> contract =
      testing::OpenApiContract::Load(BOXOFFICE_OPENAPI_FILE);
  if (!contract.ok()) {
    ADD_FAILURE() << contract.status().message();
    std::abort();  // every test here needs the document
  }
  return *contract;
}

// "/v1/shows/{id}/holds" -> "/v1/shows/{}/holds": parameter names may differ.
std::string NormalizePath(std::string_view path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    out += path[i];
    if (path[i] != '{') continue;
    const size_t close = path.find('}', i);
    if (close == std::string_view::npos) break;
    out += '}';
    i = close;
  }
  return out;
}

std::set<Operation> DocumentedOperations() {
  std::set<Operation> ops;
  for (const auto& op : Contract().Operations()) ops.insert({op.method, NormalizePath(op.path)});
  return ops;
}

// The operations `boxoffice routes` lists.
StatusOr<std::set<Operation>> ServedOperations() {
  StatusOr<std::vector<ServedRoute>> routes = ServedRoutes();
  if (!routes.ok()) return routes.status();
  std::set<Operation> ops;
  for (const ServedRoute& r : *routes) ops.insert({r.method, NormalizePath(r.path)});
  return ops;
}

// The path with every "{}" replaced by `value`.
std::string Fill(std::string path, std::string_view value) {
  for (size_t at; (at = path.find("{}")) != std::string::npos;) path.replace(at, 2, value);
  return path;
}

std::string Join(const std::set<Operation>& ops) {
  std::string out;
  for (const auto& [method, path] : ops) out += "  " + method + " " + path + "\n";
  return out;
}

std::set<Operation> Minus(const std::set<Operation>& a, const std::set<Operation>& b) {
  std::set<Operation> out;
  for (const Operation& op : a) {
    if (!b.contains(op)) out.insert(op);
  }
  return out;
}

// Every "$ref" string anywhere in `v`, with where it is.
void CollectRefs(const json::value& v, const std::string& where,
                 std::vector<std::pair<std::string, std::string>>& out) {
  if (const json::array* a = v.if_array()) {
    for (size_t i = 0; i < a->size(); ++i)
      CollectRefs((*a)[i], where + "/" + std::to_string(i), out);
  } else if (const json::object* o = v.if_object()) {
    for (const auto& [key, value] : *o) {
      if (key == "$ref" && value.is_string())
        out.push_back({where, std::string(value.as_string())});
      CollectRefs(value, where + "/" + std::string(key), out);
    }
  }
}

TEST(OpenApi, IsValidYamlWithTheOperationsOfTheContract) {
  const std::set<Operation> documented = DocumentedOperations();
  for (const Operation& op : std::set<Operation>{{"GET", "/healthz"},
                                                 {"POST", "/v1/shows/{}/holds"},
                                                 {"POST", "/v1/holds/{}/confirm"},
                                                 {"DELETE", "/v1/holds/{}"}}) {
    EXPECT_TRUE(documented.contains(op)) << op.first << " " << op.second << " in\n"
                                         << Join(documented);
  }
  EXPECT_EQ(Contract().document().at("openapi"), json::value("3.0.3"));
}

TEST(OpenApi, DocumentsEveryServedRouteAndNothingElse) {
  const std::set<Operation> documented = DocumentedOperations();
  StatusOr<std::set<Operation>> served = ServedOperations();
  ASSERT_TRUE(served.ok()) << served.status().message();
  ASSERT_FALSE(served->empty());
  // HEAD is answered by the GET handler without a route of its own.
  std::set<Operation> served_without_head;
  for (const Operation& op : *served) {
    if (op.first != "HEAD") served_without_head.insert(op);
  }
  EXPECT_EQ(Minus(served_without_head, documented), std::set<Operation>{})
      << "served but not in docs/openapi.yaml:\n"
      << Join(Minus(served_without_head, documented));
  EXPECT_EQ(Minus(documented, served_without_head), std::set<Operation>{})
      << "in docs/openapi.yaml but not served:\n"
      << Join(Minus(documented, served_without_head));
}

// Every documented operation reaches a handler on the live server: not 405
// (method not allowed) and not 501, with or without credentials.
TEST(OpenApi, LiveServerAnswersEveryDocumentedOperation) {
  ServerProcess server;
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  Api api(server.port());
  for (const auto& [method, path] : DocumentedOperations()) {
    const std::string target = Fill(path, "x1");
    Reply r = api.Call(method, target, method == "POST" ? "{}" : "",
                       {{"Content-Type", "application/json"}});
    ASSERT_TRUE(r.ok()) << method << " " << target << ": " << r.error;
    EXPECT_NE(r.status, 405u) << method << " " << target << ": " << r.Describe();
    EXPECT_NE(r.status, 501u) << method << " " << target << ": " << r.Describe();
    EXPECT_LT(r.status, 500u) << method << " " << target << ": " << r.Describe();
  }
  EXPECT_TRUE(server.Stop().ok()) << server.Log();
}

TEST(OpenApi, EveryReferenceResolves) {
  std::vector<std::pair<std::string, std::string>> refs;
  CollectRefs(Contract().document(), "#", refs);
  ASSERT_GT(refs.size(), 100u);
  for (const auto& [where, ref] : refs) {
    EXPECT_NE(Contract().validator().Resolve(ref), nullptr) << where << ": " << ref;
  }
  for (const char* schema : {"Venue", "SeatMap", "Show", "Availability", "Hold", "LiveHold",
                             "ClosedHold", "Booking", "Problem"}) {
    EXPECT_NE(Contract().validator().Resolve("#/components/schemas/" + std::string(schema)),
              nullptr)
        << schema;
  }
}

// A keyword the validator does not know would make it skip part of a
// schema; a discriminator whose values lead elsewhere would misguide clients.
TEST(OpenApi, EverySchemaIsOneTheResponseValidatorUnderstands) {
  for (const std::string& e : Contract().CheckSchemas()) ADD_FAILURE() << e;
}

// kAnyRouteProblems is the validator's reading of the conventions paragraph.
TEST(OpenApi, TheConventionsNameEveryProblemAnyRouteMayAnswer) {
  const json::value& description = Contract().document().at("info").at("description");
  ASSERT_TRUE(description.is_string());
  const std::string_view text = description.as_string();
  for (const testing::AnyRouteProblem& p : testing::kAnyRouteProblems) {
    EXPECT_NE(text.find(std::to_string(p.status)), std::string_view::npos) << p.status;
    EXPECT_NE(text.find("`" + std::string(p.code) + "`"), std::string_view::npos) << p.code;
  }
}

// The hook: Api records what it receives, and a broken answer is found.
TEST(OpenApi, EveryAnswerTheApiClientReceivesIsCheckedAgainstTheDocument) {
  ServerProcess server;
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  Api api(server.port());
  TakeAnswers();  // only this test's answers below
  ASSERT_EQ(api.Get("/v1/shows/s404").status, 404u);
  std::vector<testing::Answer> answers = TakeAnswers();
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].target, "/v1/shows/s404");
  EXPECT_EQ(CheckAnswers(answers), std::vector<std::string>{});
  answers[0].body = R"({"code":"not_found"})";  // no type, title or status
  const std::vector<std::string> broken = CheckAnswers(answers);
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_NE(broken[0].find("missing required member 'title'"), std::string::npos) << broken[0];
  EXPECT_TRUE(server.Stop().ok()) << server.Log();
}

// GET /v1/holds/{id} of a released, an expired and a confirmed hold keeps
// the document's schema (a closed hold has no seats, price or deadline).
TEST(OpenApi, ClosedHoldsKeepTheirSchema) {
  ServerProcess server;
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  Api api(server.port());
  const HeaderList admin = AdminAuth(server);
  const HeaderList alice = FanAuth(server, "alice");
  const std::string venue = CreateVenue(api, admin, TheatreJson());
  const std::string show =
      CreateShow(api, admin, ShowJson(venue, "Short holds", TheatrePrices(), R"(,"hold_ttl_s":1)"));
  auto hold = [&](std::string_view seat) {
    Reply r = api.Post("/v1/shows/" + show + "/holds",
                       R"({"seats":[")" + std::string(seat) + R"("]})", alice);
    EXPECT_EQ(r.status, 201u) << r.Describe();
    return std::pair{r.Str("id"), r.Str("token")};
  };
  const auto [released, released_token] = hold("STALLS-A-1");
  const auto [confirmed, confirmed_token] = hold("STALLS-A-2");
  const auto [expired, expired_token] = hold("STALLS-A-3");
  EXPECT_EQ(api.Delete("/v1/holds/" + released, With(alice, HoldToken(released_token))).status,
            204u);
  EXPECT_EQ(
      api.Post("/v1/holds/" + confirmed + "/confirm", R"({"payment_ref":"p1"})", admin).status,
      201u);
  std::this_thread::sleep_for(std::chrono::milliseconds(1'200));  // the third one expires
  TakeAnswers();
  for (const auto& [id, status] :
       {std::pair{released, "released"}, std::pair{confirmed, "confirmed"},
        std::pair{expired, "expired"}}) {
    Reply r = api.Get("/v1/holds/" + id, alice);
    ASSERT_EQ(r.status, 200u) << r.Describe();
    EXPECT_EQ(r.Str("status"), status) << r.Describe();
    EXPECT_EQ(r.Has("booking_id"), std::string_view(status) == "confirmed") << r.Describe();
  }
  const std::vector<testing::Answer> answers = TakeAnswers();
  ASSERT_EQ(answers.size(), 3u);
  for (const std::string& e : CheckAnswers(answers)) ADD_FAILURE() << e;
  EXPECT_TRUE(server.Stop().ok()) << server.Log();
}

}  // namespace
}  // namespace boxoffice::itest
