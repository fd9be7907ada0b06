// Random requests to every route the binary serves, over real sockets: valid
// bodies mutated in their JSON and in their bytes, real and junk ids in the
// path, junk queries and headers, with and without credentials. Every answer
// is a 2xx, 3xx or 4xx (a 4xx as problem+json with a code); a refused change
// moves no seat; the server keeps answering, stops cleanly, and the audit of
// every show passes, before and after a restart on the same data.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "api_client.h"
#include "http/api_json.h"
#include "server_process.h"
#include "service/booking_service.h"
#include "service/system_clock.h"
#include "testing/seed.h"

namespace boxoffice::itest {
namespace {

// Not scaled down under the sanitizers: the server is the slower side, and
// it is where they look (about 30 s under ASan).
constexpr uint64_t kRequests = 20'000;
constexpr size_t kPoolMax = 64;  // ids and tokens kept per kind

// Streams stay open for as long as the client wants: they have their own tests.
bool IsStream(const ServedRoute& r) {
  return r.path.ends_with("/events") || r.path == "/v1/shows/{id}/changes";
}

// What a path parameter names: the segment before it ("holds" in /v1/holds/{id}).
std::string KindOfParameter(const std::string& path) {
  const size_t brace = path.find('{');
  if (brace == std::string::npos || brace < 2) return "";
  const size_t slash = path.rfind('/', brace - 2);
  return path.substr(slash + 1, brace - 2 - slash);
}

// What an "id" in a route's answer names: the route's last literal segment.
std::string KindOfAnswer(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string last = path.substr(slash + 1);
  return last.starts_with("{") ? KindOfParameter(path) : last;
}

class ApiFuzzTest : public ::testing::Test {
 protected:
  void SetUp() override {
    seed_ = boxoffice::testing::TestSeed("ApiFuzzTest");
    rng_.seed(seed_);
    ASSERT_TRUE(server_.Start().ok()) << server_.Log();
    api_ = std::make_unique<Api>(server_.port());
    admin_ = AdminAuth(server_);
    for (const char* fan : {"alice", "bob", "carol"}) fans_.push_back(FanAuth(server_, fan));
    venue_ = CreateVenue(*api_, admin_, TheatreJson());
    shows_.push_back(CreateShow(*api_, admin_, ShowJson(venue_, "Open", TheatrePrices())));
    shows_.push_back(CreateShow(*api_, admin_, ShowJson(venue_, "Queued", TheatrePrices())));
    Reply room = api_->Call("PUT", "/v1/shows/" + shows_[1] + "/queue", RoomJson(),
                            With(admin_, {{"Content-Type", "application/json"}}));
    ASSERT_EQ(room.status, 200u) << room.Describe();
    fence_show_ = CreateShow(*api_, admin_, ShowJson(venue_, "Fence", TheatrePrices()));
    fence_room_ = RoomJson();
    Fence();
    pools_["venues"].push_back(venue_);
    for (const std::string& s : shows_) pools_["shows"].push_back(s);
    StatusOr<std::vector<ServedRoute>> routes = ServedRoutes();
    ASSERT_TRUE(routes.ok()) << routes.status().message();
    for (const ServedRoute& r : *routes) {
      if (!IsStream(r)) routes_.push_back(r);
    }
    ASSERT_GT(routes_.size(), 20u);
    last_seq_ = ReadChanges().second;
  }

  static std::string RoomJson() {
    const core::TimeMs now = service::SystemWallMs();
    return R"({"enabled":true,"prequeue_opens_at":")" + http::FormatTime(now - 120'000) +
           R"(","onsale_at":")" + http::FormatTime(now - 60'000) +
           R"(","admissions_per_minute":6000,"active_shoppers_max":100,"session_seconds":600,)"
           R"("mode":"everyone"})";
  }

  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[rng_() % v.size()];
  }
  bool OneIn(uint64_t n) { return rng_() % n == 0; }

  // A valid body for the route, when it takes one.
  std::string ValidBody(const ServedRoute& r) {
    const std::string op = r.method + " " + r.path;
    if (op == "POST /v1/venues") return TheatreJson("Fuzz hall");
    if (op == "POST /v1/shows") return ShowJson(venue_, "Fuzz show", TheatrePrices());
    if (op == "POST /v1/shows/{id}/holds") {
      static const std::vector<std::string> kHolds = {
          R"({"seats":["STALLS-A-1","STALLS-A-2"]})", R"({"best_available":{"count":2}})",
          R"({"general_admission":{"area":"FLOOR","quantity":2}})"};
      return Pick(kHolds);
    }
    if (op == "POST /v1/holds/{id}/extend") return R"({"by_s":60})";
    if (op == "POST /v1/holds/{id}/confirm") return R"({"payment_ref":"p-1"})";
    if (op == "POST /v1/bookings/{id}/cancel") return "{}";
    if (op == "PUT /v1/shows/{id}/queue") return RoomJson();
    if (op == "POST /v1/shows/{id}/queue/access") {
      return R"({"ticket":")" + Token("ticket") + R"("})";
    }
    if (op == "POST /v1/payments/webhook") {
      return R"({"id":"evt_1","type":"payment.succeeded","created_at_ms":1,)"
             R"("payment":{"id":"pay_1","status":"succeeded","amount_minor":100}})";
    }
    if (op == "POST /gateway/v1/payments") {
      return R"({"idempotency_key":"k-1","amount_minor":100,"currency":"EUR",)"
             R"("reference":"r-1"})";
    }
    return OneIn(2) ? "" : "{}";
  }

  boost::json::value RandomValue() {
    switch (rng_() % 12) {
      case 0:
        return nullptr;
      case 1:
        return OneIn(2);
      case 2:
        return -1;
      case 3:
        return 0;
      case 4:
        return std::numeric_limits<int64_t>::min();
      case 5:
        return std::numeric_limits<uint64_t>::max();
      case 6:
        return 1e308;
      case 7:
        return 2.5;
      case 8:
        return "";
      case 9:
        return boost::json::string(OneIn(2) ? 300 : 70'000, 'x');
      case 10:
        return boost::json::array{1, "a", nullptr};
      default:
        return boost::json::object{{"x", 1}};
    }
  }

  static void Collect(boost::json::value& v, std::vector<boost::json::value*>& out) {
    out.push_back(&v);
    if (v.is_object()) {
      for (auto& m : v.as_object()) Collect(m.value(), out);
    } else if (v.is_array()) {
      for (auto& e : v.as_array()) Collect(e, out);
    }
  }

  // One change somewhere in the JSON tree: a value swapped for another of
  // any type, a member dropped or added, an array emptied or grown.
  void MutateTree(boost::json::value& root) {
    std::vector<boost::json::value*> nodes;
    Collect(root, nodes);
    boost::json::value& v = *Pick(nodes);
    const uint64_t how = rng_() % 4;
    if (how == 1 && v.is_object() && !v.as_object().empty()) {
      boost::json::object& o = v.as_object();
      o.erase(std::next(o.begin(), static_cast<std::ptrdiff_t>(rng_() % o.size())));
    } else if (how == 2 && v.is_object()) {
      v.as_object()["unexpected"] = RandomValue();
    } else if (how == 2 && v.is_array()) {
      v.as_array().push_back(RandomValue());
    } else if (how == 3 && v.is_array()) {
      v.as_array().clear();
    } else {
      v = RandomValue();
    }
  }

  // Damage to the text: cut short, a byte changed, or junk let in (bad
  // UTF-8, NUL, escapes of surrogates, deep nesting, stray punctuation).
  void MutateBytes(std::string& s) {
    static const std::vector<std::string> kJunk = {"\xff",
                                                   "\xc0\xaf",
                                                   "\xed\xa0\x80",
                                                   std::string(1, '\0'),
                                                   "\\u0000",
                                                   "\\ud800",
                                                   std::string(64, '['),
                                                   "{\"a\":",
                                                   "1e999999",
                                                   "-0",
                                                   "\"",
                                                   ",",
                                                   "}",
                                                   "]"};
    const size_t at = s.empty() ? 0 : rng_() % (s.size() + 1);
    switch (rng_() % 3) {
      case 0:
        s.resize(at);
        break;
      case 1:
        if (!s.empty()) s[rng_() % s.size()] = static_cast<char>(rng_());
        break;
      default:
        s.insert(at, Pick(kJunk));
    }
  }

  std::string Body(const ServedRoute& r) {
    std::string body = ValidBody(r);
    if (OneIn(4) || body.empty()) return body;
    if (OneIn(2)) {
      boost::json::value tree = boost::json::parse(body);
      for (uint64_t n = 1 + rng_() % 3; n > 0; --n) MutateTree(tree);
      body = boost::json::serialize(tree);
    }
    if (OneIn(2)) MutateBytes(body);
    return body;
  }

  std::string PathValue(const std::string& kind) {
    static const std::vector<std::string> kJunk = {"0",
                                                   "s0",
                                                   "s-1",
                                                   "s1x",
                                                   "h1-1",
                                                   "h0-0",
                                                   "b0",
                                                   "%00",
                                                   "%ff%fe",
                                                   "..%2F..",
                                                   "%",
                                                   "%zz",
                                                   "a%20b",
                                                   "h4294967295-4294967295",
                                                   "s18446744073709551616",
                                                   "\xc3\xa9",
                                                   std::string(5'000, 'a')};
    if (!OneIn(4)) {
      auto it = pools_.find(kind);
      if (it != pools_.end() && !it->second.empty()) return Pick(it->second);
    }
    if (OneIn(3) && !pools_.empty()) {  // an id of another kind
      auto it = std::next(pools_.begin(), static_cast<std::ptrdiff_t>(rng_() % pools_.size()));
      if (!it->second.empty()) return Pick(it->second);
    }
    return Pick(kJunk);
  }

  std::string Target(const ServedRoute& r) {
    std::string target = r.path;
    if (const size_t open = target.find('{'); open != std::string::npos) {
      const size_t close = target.find('}', open);
      target.replace(open, close - open + 1, PathValue(KindOfParameter(r.path)));
    }
    if (r.method == "GET" && OneIn(2)) {
      static const std::vector<std::string> kKeys = {"after", "limit", "show",  "name", "venue",
                                                     "from",  "to",    "since", "user", "q"};
      static const std::vector<std::string> kValues = {
          "-1",  "0", "1", "abc", "99999999999999999999", "", "2030-01-01T00:00:00.000Z",
          "%ff", "s1"};
      target += "?";
      for (uint64_t n = 1 + rng_() % 3; n > 0; --n) {
        target += Pick(kKeys) + "=" + Pick(kValues) + "&";
      }
    }
    return target;
  }

  std::string Token(const std::string& kind) {
    auto it = pools_.find(kind);
    if (it == pools_.end() || it->second.empty() || OneIn(4)) return "junk.token.value";
    std::string t = Pick(it->second);
    if (OneIn(4) && !t.empty()) t[rng_() % t.size()] ^= 1;  // tampered
    return t;
  }

  HeaderList Headers(const ServedRoute& r) {
    HeaderList h;
    switch (rng_() % 8) {
      case 0:
        break;
      case 1:
        h = {{"Authorization", "Bearer " + Token("jwt")}};
        break;
      case 2:
      case 3:
        h = admin_;
        break;
      default:
        h = Pick(fans_);
    }
    if (r.method != "GET" && !OneIn(4)) h.emplace_back("Content-Type", "application/json");
    if (OneIn(4)) h.emplace_back("X-Hold-Token", Token("token"));
    if (OneIn(4)) h.emplace_back("Boxoffice-Access", Token("access_token"));
    if (OneIn(6))
      h.emplace_back("Idempotency-Key",
                     OneIn(2) ? "k-" + std::to_string(rng_() % 8) : std::string(100, 'k'));
    if (OneIn(8)) h.emplace_back("If-None-Match", "\"junk\"");
    return h;
  }

  void Keep(const std::string& kind, const std::string& value) {
    std::vector<std::string>& pool = pools_[kind];
    if (pool.size() < kPoolMax) {
      pool.push_back(value);
    } else {
      pool[rng_() % kPoolMax] = value;
    }
  }

  // Ids and tokens from an answer, for later requests to use.
  void Harvest(const ServedRoute& r, const boost::json::value& v) {
    if (v.is_array()) {
      for (const auto& e : v.as_array()) Harvest(r, e);
      return;
    }
    if (!v.is_object()) return;
    for (const auto& [key, value] : v.as_object()) {
      if (value.is_string()) {
        const std::string k(key), s(value.as_string());
        if (k == "id") Keep(KindOfAnswer(r.path), s);
        if (k.ends_with("_id")) Keep(k.substr(0, k.size() - 3) + "s", s);
        if (k == "code") Keep("tickets", s);
        if (k == "token" || k == "ticket" || k == "access_token") Keep(k, s);
      } else {
        Harvest(r, value);
      }
    }
  }

  // Returns once everything answered so far is durable: holds are answered
  // once queued for the journal, which commits in order, and a room's
  // settings only once durable.
  void Fence() {
    Reply r = api_->Call("PUT", "/v1/shows/" + fence_show_ + "/queue", fence_room_,
                         With(admin_, {{"Content-Type", "application/json"}}));
    ASSERT_EQ(r.status, 200u) << r.Describe();
  }

  // The outbox after `last_seq_`: its reasons, and the last seq read.
  std::pair<std::vector<std::string>, int64_t> ReadChanges() {
    std::vector<std::string> reasons;
    int64_t last = last_seq_;
    for (;;) {
      Reply page = api_->Get("/v1/changes?limit=1000&after=" + std::to_string(last), admin_);
      EXPECT_EQ(page.status, 200u) << page.Describe();
      if (page.status != 200 || page.Arr("changes").empty()) return {reasons, last};
      for (const boost::json::value& c : page.Arr("changes")) {
        reasons.push_back(JsonStr(c, "reason"));
        last = JsonInt(c, "seq");
      }
    }
  }

  void ExpectEveryShowAudited() {
    Reply list = api_->Get("/v1/shows?limit=100", admin_);
    ASSERT_EQ(list.status, 200u) << list.Describe();
    for (const std::string& show : pools_["shows"]) {  // every show made, and a few more
      Reply audit = api_->Get("/v1/shows/" + show + "/audit", admin_);
      EXPECT_EQ(audit.status, 200u) << audit.Describe();
      EXPECT_TRUE(audit.Bool("ok")) << audit.Describe();
    }
  }

  uint64_t seed_ = 0;
  std::mt19937_64 rng_;
  ServerProcess server_;
  std::unique_ptr<Api> api_;
  HeaderList admin_;
  std::vector<HeaderList> fans_;
  std::string venue_;
  std::string fence_show_;
  std::string fence_room_;
  std::vector<std::string> shows_;
  std::vector<ServedRoute> routes_;
  std::map<std::string, std::vector<std::string>> pools_;
  int64_t last_seq_ = 0;
};

TEST_F(ApiFuzzTest, RandomRequestsGetCleanAnswersAndRefusedOnesChangeNoSeat) {
  std::map<unsigned, uint64_t> by_status;
  for (uint64_t i = 0; i < kRequests; ++i) {
    const ServedRoute& route = Pick(routes_);
    const std::string target = Target(route);
    const std::string body = Body(route);
    const HeaderList headers = Headers(route);
    const std::string what = "request " + std::to_string(i) + ": " + route.method + " " +
                             target.substr(0, 200) + " body " + body.substr(0, 200);
    Reply r = api_->Call(route.method, target, body, headers);
    ASSERT_NE(r.status, 0u) << what << ": no answer (" << r.error << ")\n" << server_.Log();
    ++by_status[r.status];
    ASSERT_LT(r.status, 500u) << what << ": " << r.Describe();
    if (r.status >= 400) {
      EXPECT_EQ(r.Header("Content-Type"), "application/problem+json") << what;
      EXPECT_FALSE(r.code().empty()) << what << ": " << r.Describe();
    } else if (r.json.is_object() || r.json.is_array()) {
      Harvest(route, r.json);
    }
    if (route.method == "GET") continue;
    // A refused change moves no seat. Holds may expire meanwhile, and a
    // payment approved earlier books its seats when its webhook arrives.
    if (r.status < 400) {
      ASSERT_NO_FATAL_FAILURE(Fence());
    }
    const auto [reasons, last] = ReadChanges();
    last_seq_ = last;
    if (r.status < 400) continue;
    for (const std::string& reason : reasons) {
      EXPECT_TRUE(reason == "expired" || reason == "booked")
          << what << ": a '" << reason << "' change after " << r.Describe();
    }
  }
  std::string spread;
  for (const auto& [status, n] : by_status) {
    spread += " " + std::to_string(status) + ":" + std::to_string(n);
  }
  std::printf("answers by status:%s\n", spread.c_str());
  // The requests reached past the checks: some changed something.
  EXPECT_GT(by_status[200] + by_status[201] + by_status[204], kRequests / 50) << spread;

  Reply health = api_->Get("/healthz");
  EXPECT_EQ(health.status, 200u) << health.Describe();
  ExpectEveryShowAudited();
  ASSERT_TRUE(server_.Restart().ok()) << server_.Log();
  api_ = std::make_unique<Api>(server_.port());
  ExpectEveryShowAudited();
}

}  // namespace
}  // namespace boxoffice::itest
