// The HTTP API of the real binary, endpoint by endpoint: the happy path and
// every error the contract lists. After a request that must fail and could
// have changed a show, the show's availability version is checked unchanged.
//
// One server serves the whole suite (tests create their own venues and shows,
// so they do not see each other's seats); the expiry tests start their own
// server with a short default hold time.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <initializer_list>
#include <memory>
#include <thread>

#include "api_client.h"
#include "server_process.h"
#include "shared_server.h"
#include "testing/gunzip.h"

namespace boxoffice::itest {
namespace {

using core::SeatState;
using std::chrono::milliseconds;

constexpr std::string_view kProblemType = "https://boxoffice.dev/problems/";
constexpr int64_t kDefaultHoldTtlMs = 600'000;

struct Expected {
  unsigned status;
  std::string_view code;
};

// Input the server must refuse where the contract leaves open whether it
// counts as malformed (400) or as well-formed but invalid (422): values out
// of a documented range, meaningless seat maps.
const std::vector<Expected> kRefusedInput = {{400, "malformed_request"}, {422, "invalid_request"}};

// The reply is a problem+json with one of the given (status, code) pairs.
::testing::AssertionResult IsProblemIn(const Reply& r, const std::vector<Expected>& allowed) {
  bool matched = false;
  std::string wanted;
  for (const Expected& e : allowed) {
    matched = matched || (r.status == e.status && r.code() == e.code);
    wanted += (wanted.empty() ? "" : " or ") + std::to_string(e.status) + " " + std::string(e.code);
  }
  if (!matched)
    return ::testing::AssertionFailure() << "want " << wanted << ", got " << r.Describe();
  if (r.Header("Content-Type").rfind("application/problem+json", 0) != 0) {
    return ::testing::AssertionFailure()
           << "Content-Type '" << r.Header("Content-Type") << "' for " << r.Describe();
  }
  const auto* o = r.json.if_object();
  const bool shape = o != nullptr && o->contains("type") && (*o).at("type").is_string() &&
                     (*o).at("type").as_string() == std::string(kProblemType) + r.code() &&
                     o->contains("title") && (*o).at("title").is_string() &&
                     !(*o).at("title").as_string().empty() && o->contains("status") &&
                     (*o).at("status").is_int64() &&
                     (*o).at("status").as_int64() == static_cast<int64_t>(r.status);
  if (!shape) return ::testing::AssertionFailure() << "not an RFC 9457 problem: " << r.Describe();
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult IsProblem(const Reply& r, unsigned status, std::string_view code) {
  return IsProblemIn(r, {{status, code}});
}

// A detail that names the offending member.
::testing::AssertionResult DetailMentions(const Reply& r, std::string_view member) {
  const auto* o = r.json.if_object();
  const auto* d = o == nullptr ? nullptr : o->if_contains("detail");
  if (d != nullptr && d->is_string() && d->as_string().find(member) != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "detail does not name '" << member << "': " << r.Describe();
}

std::string SeatsBody(std::initializer_list<std::string_view> labels) {
  std::string b = R"({"seats":[)";
  bool first = true;
  for (std::string_view l : labels) {
    b += (first ? "\"" : ",\"") + std::string(l) + "\"";
    first = false;
  }
  return b + "]}";
}

std::vector<std::string> Strings(std::initializer_list<std::string_view> l) {
  return {l.begin(), l.end()};
}

class ApiTest : public SharedServerTest<ApiTest> {
 public:
  static std::vector<std::string> ServerFlags() { return {}; }

 protected:
  HeaderList Admin() { return AdminAuth(*server_); }
  HeaderList Fan(const std::string& user) { return FanAuth(*server_, user); }

  // A new theatre venue and a show there; returns the show id.
  std::string TheatreShow(std::string_view extra_members = "") {
    const std::string venue = CreateVenue(api(), Admin(), TheatreJson());
    return CreateShow(api(), Admin(),
                      ShowJson(venue, "Theatre show", TheatrePrices(), extra_members));
  }
  uint64_t Version(const std::string& show) { return AvailabilityVersion(api(), show); }

  Reply Hold(const std::string& show, const std::string& user, std::string_view body,
             const HeaderList& extra = {}) {
    return api().Post("/v1/shows/" + show + "/holds", body, With(Fan(user), extra));
  }
  // A hold that must succeed: {id, token}.
  std::pair<std::string, std::string> MustHold(const std::string& show, const std::string& user,
                                               std::string_view body) {
    Reply r = Hold(show, user, body);
    EXPECT_EQ(r.status, 201u) << r.Describe();
    if (r.status != 201) return {};
    return {r.Str("id"), r.Str("token")};
  }
  Reply Confirm(const std::string& hold, std::string_view payment_ref = "pay-1",
                const HeaderList& extra = {}) {
    return api().Post("/v1/holds/" + hold + "/confirm",
                      R"({"payment_ref":")" + std::string(payment_ref) + "\"}",
                      With(Admin(), extra));
  }
  std::vector<SeatState> States(const std::string& show) {
    Reply r = api().Get("/v1/shows/" + show + "/availability");
    EXPECT_EQ(r.status, 200u) << r.Describe();
    return SeatStates(r, kTheatreSeats);
  }
  // The state of a theatre seat by label.
  SeatState StateOf(const std::string& show, std::string_view label) {
    const std::vector<std::string> labels = SeatLabels(api(), show);
    const std::vector<SeatState> states = States(show);
    for (size_t i = 0; i < labels.size() && i < states.size(); ++i) {
      if (labels[i] == label) return states[i];
    }
    ADD_FAILURE() << "no seat " << label;
    return SeatState::kBlocked;
  }
};

// ---- Operations -------------------------------------------------------------------

TEST_F(ApiTest, HealthzAndReadyzAnswerOk) {
  Reply h = api().Get("/healthz");
  EXPECT_EQ(h.status, 200u) << h.Describe();
  EXPECT_EQ(h.Str("status"), "ok");
  EXPECT_EQ(h.Header("Content-Type").rfind("application/json", 0), 0u) << h.Header("Content-Type");
  Reply r = api().Get("/readyz");
  EXPECT_EQ(r.status, 200u) << r.Describe();
  EXPECT_EQ(r.Str("status"), "ready");
}

TEST_F(ApiTest, MetricsExposeTheContractsFamilies) {
  Reply m = api().Get("/metrics");
  ASSERT_EQ(m.status, 200u) << m.Describe();
  EXPECT_EQ(m.Header("Content-Type").rfind("text/plain", 0), 0u) << m.Header("Content-Type");
  for (const char* family : {"http_requests_total", "http_request_duration_seconds", "holds_active",
                             "holds_created_total", "holds_expired_total", "hold_conflicts_total",
                             "bookings_total", "journal_batch_size", "journal_commit_seconds"}) {
    EXPECT_NE(m.body.find(std::string("# TYPE ") + family + " "), std::string::npos) << family;
  }
}

TEST_F(ApiTest, UnknownRouteIsNotFoundProblem) {
  EXPECT_TRUE(IsProblem(api().Get("/v1/nothing-here"), 404, "not_found"));
  EXPECT_TRUE(IsProblem(api().Get("/v1/shows/s1/nothing"), 404, "not_found"));
}

TEST_F(ApiTest, WrongMethodIsMethodNotAllowedWithAllow) {
  Reply r = api().Call("PUT", "/v1/shows", "{}", {{"Content-Type", "application/json"}});
  EXPECT_TRUE(IsProblem(r, 405, "method_not_allowed"));
  EXPECT_NE(r.Header("Allow").find("GET"), std::string::npos) << r.Header("Allow");
  EXPECT_NE(r.Header("Allow").find("POST"), std::string::npos) << r.Header("Allow");
}

TEST_F(ApiTest, OversizedBodyIsPayloadTooLarge) {
  const std::string body = R"({"name":")" + std::string(2 << 20, 'x') + R"("})";
  EXPECT_TRUE(IsProblem(api().Post("/v1/venues", body, Admin()), 413, "payload_too_large"));
}

TEST_F(ApiTest, OverlongHeaderIsHeaderTooLarge) {
  Reply r = api().Get("/healthz", {{"X-Padding", std::string(32 << 10, 'a')}});
  EXPECT_TRUE(IsProblem(r, 431, "header_too_large"));
}

// ---- Venues -----------------------------------------------------------------------

TEST_F(ApiTest, CreateVenueAnswersItsSummaryAndLocation) {
  Reply r = api().Post("/v1/venues", TheatreJson("Summary Hall"), Admin());
  ASSERT_EQ(r.status, 201u) << r.Describe();
  const std::string id = r.Str("id");
  EXPECT_EQ(id.rfind("v", 0), 0u) << id;
  EXPECT_EQ(r.Header("Location"), "/v1/venues/" + id);
  EXPECT_EQ(r.Str("name"), "Summary Hall");
  EXPECT_EQ(r.Int("seats"), kTheatreSeats);
  EXPECT_EQ(r.Int("general_admission_capacity"), kTheatreFloorCapacity);
  const auto& sections = r.Arr("sections");
  ASSERT_EQ(sections.size(), 2u) << r.Describe();
  EXPECT_EQ(JsonStr(sections[0], "id"), "STALLS");
  EXPECT_EQ(JsonStr(sections[0], "name"), "Stalls");
  EXPECT_EQ(sections[0].as_object().if_contains("general_admission")->as_bool(), false);
  EXPECT_EQ(JsonInt(sections[0], "capacity"), kTheatreSeats);
  EXPECT_EQ(JsonStr(sections[1], "id"), "FLOOR");
  EXPECT_EQ(sections[1].as_object().if_contains("general_admission")->as_bool(), true);
  EXPECT_EQ(JsonInt(sections[1], "capacity"), kTheatreFloorCapacity);
  const auto& categories = r.Arr("categories");
  ASSERT_EQ(categories.size(), 2u);
  EXPECT_EQ(JsonStr(categories[0], "id"), "PREM");
  EXPECT_EQ(JsonStr(categories[0], "name"), "Premium");
  EXPECT_FALSE(r.Has("seat_map")) << "the create response carries the summary only";
}

TEST_F(ApiTest, GetVenueIncludesItsSeatMap) {
  const std::string id = CreateVenue(api(), Admin(), TheatreJson("Map Hall"));
  Reply r = api().Get("/v1/venues/" + id);
  ASSERT_EQ(r.status, 200u) << r.Describe();
  EXPECT_EQ(r.Str("id"), id);
  EXPECT_EQ(r.Int("seats"), kTheatreSeats);
  const auto& map = r.Obj("seat_map");
  ASSERT_TRUE(map.contains("sections")) << r.Describe();
  EXPECT_EQ(map.at("name").as_string(), "Map Hall");
  EXPECT_EQ(map.at("sections").as_array().size(), 2u);
  EXPECT_TRUE(IsProblem(api().Get("/v1/venues/v999999"), 404, "not_found"));
  EXPECT_TRUE(IsProblem(api().Get("/v1/venues/nonsense"), 404, "not_found"));
}

TEST_F(ApiTest, CreateVenueNeedsTheAdminKey) {
  Reply none = api().Post("/v1/venues", TheatreJson());
  EXPECT_TRUE(IsProblem(none, 401, "unauthorized"));
  EXPECT_FALSE(none.Header("WWW-Authenticate").empty()) << none.Describe();
  EXPECT_TRUE(IsProblem(api().Post("/v1/venues", TheatreJson(), {{"X-Admin-Key", "wrong-key"}}),
                        401, "unauthorized"));
  EXPECT_TRUE(IsProblem(api().Post("/v1/venues", TheatreJson(), Fan("alice")), 403, "forbidden"));
}

TEST_F(ApiTest, CreateVenueRejectsMalformedBodies) {
  const HeaderList admin = Admin();
  EXPECT_TRUE(IsProblem(api().Post("/v1/venues", R"({"name":)", admin), 400, "malformed_request"));
  EXPECT_TRUE(IsProblem(api().Post("/v1/venues", "", admin), 400, "malformed_request"));
  EXPECT_TRUE(IsProblem(api().Post("/v1/venues", "[]", admin), 400, "malformed_request"));

  std::string wrong_type = TheatreJson();
  wrong_type.replace(wrong_type.find(R"("seats":10)"), 10, R"("seats":"10")");
  Reply r = api().Post("/v1/venues", wrong_type, admin);
  EXPECT_TRUE(IsProblem(r, 400, "malformed_request"));
  EXPECT_TRUE(DetailMentions(r, "sections[0].rows[1].seats"));

  std::string unknown = TheatreJson();
  unknown.insert(1, R"("colour":"red",)");
  r = api().Post("/v1/venues", unknown, admin);
  EXPECT_TRUE(IsProblem(r, 400, "malformed_request"));
  EXPECT_TRUE(DetailMentions(r, "colour"));

  EXPECT_TRUE(IsProblem(api().Post("/v1/venues", TheatreJson("Bad \xff\xfe name"), admin), 400,
                        "malformed_request"));
}

TEST_F(ApiTest, CreateVenueRejectsMeaninglessSeatMaps) {
  std::string unknown_category = TheatreJson();
  unknown_category.replace(unknown_category.find(R"("category":"STD","seats":10)"), 16,
                           R"("category":"VIP")");
  EXPECT_TRUE(IsProblemIn(api().Post("/v1/venues", unknown_category, Admin()), kRefusedInput));
}

// ---- Shows ------------------------------------------------------------------------

TEST_F(ApiTest, CreateShowAnswersTheShowObject) {
  const std::string venue = CreateVenue(api(), Admin(), TheatreJson("Show Hall"));
  Reply r = api().Post(
      "/v1/shows",
      ShowJson(venue, "Opening night", TheatrePrices(),
               R"(,"on_sale_at":"2020-01-01T00:00:00.000Z")", "2030-11-28T20:00:00.000Z"),
      Admin());
  ASSERT_EQ(r.status, 201u) << r.Describe();
  const std::string id = r.Str("id");
  EXPECT_EQ(id.rfind("s", 0), 0u) << id;
  EXPECT_EQ(r.Header("Location"), "/v1/shows/" + id);
  EXPECT_EQ(r.Str("venue_id"), venue);
  EXPECT_EQ(r.Str("venue_name"), "Show Hall");
  EXPECT_EQ(r.Str("name"), "Opening night");
  EXPECT_EQ(r.Str("starts_at"), "2030-11-28T20:00:00.000Z");
  EXPECT_EQ(r.Str("on_sale_at"), "2020-01-01T00:00:00.000Z");
  EXPECT_EQ(r.Str("currency"), "EUR");
  EXPECT_EQ(ToJson(r.Obj("prices")), ToJson(boost::json::parse(TheatrePrices())));
  EXPECT_EQ(r.Int("hold_ttl_s"), 600);
  EXPECT_EQ(r.Int("seats_per_order_max"), 10);
  EXPECT_EQ(r.Int("seats_per_fan_max"), 10);
  EXPECT_EQ(r.Int("capacity"), kTheatreSeats + kTheatreFloorCapacity);
  EXPECT_EQ(r.Int("available"), kTheatreSeats + kTheatreFloorCapacity);

  Reply g = api().Get("/v1/shows/" + id);
  ASSERT_EQ(g.status, 200u) << g.Describe();
  EXPECT_EQ(g.body, r.body);
  EXPECT_TRUE(IsProblem(api().Get("/v1/shows/s999999"), 404, "not_found"));
  EXPECT_TRUE(IsProblem(api().Get("/v1/shows/nonsense"), 404, "not_found"));
}

TEST_F(ApiTest, CreateShowDefaultsOnSaleToNow) {
  const std::string venue = CreateVenue(api(), Admin(), TheatreJson());
  const int64_t before_ms =
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  Reply r = api().Post("/v1/shows", ShowJson(venue, "Now on sale", TheatrePrices()), Admin());
  ASSERT_EQ(r.status, 201u) << r.Describe();
  const int64_t on_sale_ms = ParseTimeMs(r.Str("on_sale_at"));
  EXPECT_GE(on_sale_ms, before_ms - 1000) << r.Str("on_sale_at");
  EXPECT_LE(on_sale_ms, before_ms + 60'000) << r.Str("on_sale_at");
}

TEST_F(ApiTest, CreateShowAcceptsTheContractsLimits) {
  const std::string venue = CreateVenue(api(), Admin(), TheatreJson());
  for (const char* extra : {R"(,"hold_ttl_s":1)", R"(,"hold_ttl_s":1800)",
                            R"(,"seats_per_order_max":1,"seats_per_fan_max":1)",
                            R"(,"seats_per_order_max":50,"seats_per_fan_max":50)"}) {
    Reply r = api().Post("/v1/shows", ShowJson(venue, "Limits", TheatrePrices(), extra), Admin());
    EXPECT_EQ(r.status, 201u) << extra << ": " << r.Describe();
  }
  // Within the contract's range but above the server's hold_ttl_max_s (1800 s by default).
  Reply capped = api().Post(
      "/v1/shows", ShowJson(venue, "Capped", TheatrePrices(), R"(,"hold_ttl_s":3600)"), Admin());
  EXPECT_EQ(capped.status, 422u) << capped.Describe();
  EXPECT_NE(capped.body.find("hold_ttl_max_s"), std::string::npos) << capped.Describe();
}

TEST_F(ApiTest, CreateShowRejectsBadRequestsAndCreatesNothing) {
  const std::string venue = CreateVenue(api(), Admin(), TheatreJson());
  const std::string shows_of_venue = "/v1/shows?venue=" + venue;
  auto count = [&] { return api().Get(shows_of_venue).Arr("shows").size(); };
  const size_t before = count();
  const HeaderList admin = Admin();
  auto post = [&](const std::string& body) { return api().Post("/v1/shows", body, admin); };

  // Shape: 400 malformed_request naming the member.
  Reply r = post(R"({"venue_id":")" + venue + R"(","name":5})");
  EXPECT_TRUE(IsProblem(r, 400, "malformed_request"));
  r = post(ShowJson(venue, "X", TheatrePrices(), R"(,"encore":true)"));
  EXPECT_TRUE(IsProblem(r, 400, "malformed_request"));
  EXPECT_TRUE(DetailMentions(r, "encore"));
  r = post(ShowJson(venue, "X", TheatrePrices(), R"(,"hold_ttl_s":"600")"));
  EXPECT_TRUE(IsProblem(r, 400, "malformed_request"));
  EXPECT_TRUE(DetailMentions(r, "hold_ttl_s"));
  EXPECT_TRUE(IsProblem(post(R"({"venue_id":")" + venue + R"(","name":"X"})"), 400,
                        "malformed_request"));  // required members missing
  EXPECT_TRUE(IsProblemIn(post(ShowJson(venue, "X", TheatrePrices(), "", "28/11/2030 20:00")),
                          kRefusedInput));

  // Out of the documented ranges.
  for (const char* extra :
       {R"(,"hold_ttl_s":0)", R"(,"hold_ttl_s":3601)", R"(,"seats_per_order_max":0)",
        R"(,"seats_per_order_max":51)", R"(,"seats_per_order_max":6,"seats_per_fan_max":5)"}) {
    EXPECT_TRUE(IsProblemIn(post(ShowJson(venue, "X", TheatrePrices(), extra)), kRefusedInput))
        << extra;
  }
  EXPECT_TRUE(IsProblemIn(post(ShowJson(venue, "X", R"({"PREM":-1,"STD":4900})")), kRefusedInput));
  EXPECT_TRUE(IsProblem(post(ShowJson(venue, "X", R"({"PREM":9900})")), 422, "invalid_request"))
      << "a category without a price";
  EXPECT_TRUE(IsProblem(post(ShowJson(venue, "X", R"({"PREM":9900,"STD":4900,"VIP":1})")), 422,
                        "invalid_request"))
      << "a price for a category the venue lacks";
  std::string lower_currency = ShowJson(venue, "X", TheatrePrices());
  lower_currency.replace(lower_currency.find("\"EUR\""), 5, "\"eur\"");
  EXPECT_TRUE(IsProblemIn(post(lower_currency), kRefusedInput));

  // An unknown venue id.
  EXPECT_TRUE(IsProblem(post(ShowJson("v999999", "X", TheatrePrices())), 404, "not_found"));
  // Auth.
  EXPECT_TRUE(IsProblem(api().Post("/v1/shows", ShowJson(venue, "X", TheatrePrices())), 401,
                        "unauthorized"));
  EXPECT_TRUE(
      IsProblem(api().Post("/v1/shows", ShowJson(venue, "X", TheatrePrices()), Fan("alice")), 403,
                "forbidden"));
  EXPECT_EQ(count(), before);
}

TEST_F(ApiTest, SearchShowsFiltersAndOrdersByStart) {
  const std::string v1 = CreateVenue(api(), Admin(), TheatreJson("Search Hall"));
  const std::string v2 = CreateVenue(api(), Admin(), TheatreJson("Other Hall"));
  auto create = [&](const std::string& venue, const char* name, const char* starts) {
    return CreateShow(api(), Admin(), ShowJson(venue, name, TheatrePrices(), "", starts));
  };
  // Created out of order on purpose.
  const std::string c = create(v1, "Quixotic Finale", "2031-03-10T20:00:00.000Z");
  const std::string a = create(v1, "Quixotic Opening", "2031-01-10T20:00:00.000Z");
  const std::string b = create(v1, "Plain Middle", "2031-02-10T20:00:00.000Z");
  const std::string d = create(v2, "quixotic elsewhere", "2031-01-20T20:00:00.000Z");
  auto ids = [&](const std::string& target) {
    Reply r = api().Get(target);
    EXPECT_EQ(r.status, 200u) << target << ": " << r.Describe();
    std::vector<std::string> out;
    for (const auto& s : r.Arr("shows")) out.push_back(JsonStr(s, "id"));
    return out;
  };
  EXPECT_EQ(ids("/v1/shows?q=QUIXOTIC"), (std::vector<std::string>{a, d, c}));
  EXPECT_EQ(ids("/v1/shows?venue=" + v1), (std::vector<std::string>{a, b, c}));
  EXPECT_EQ(ids("/v1/shows?q=quixotic&venue=" + v2), (std::vector<std::string>{d}));
  EXPECT_EQ(
      ids("/v1/shows?venue=" + v1 + "&from=2031-02-01T00:00:00.000Z&to=2031-02-28T00:00:00.000Z"),
      (std::vector<std::string>{b}));
  EXPECT_EQ(ids("/v1/shows?q=quixotic%20opening"), (std::vector<std::string>{a}));
  EXPECT_EQ(ids("/v1/shows?q=quixotic+opening"), (std::vector<std::string>{a}));
  EXPECT_EQ(ids("/v1/shows?q=no-such-show-anywhere"), (std::vector<std::string>{}));
  EXPECT_TRUE(IsProblem(api().Get("/v1/shows?from=yesterday"), 400, "malformed_request"));
  EXPECT_TRUE(
      IsProblem(api().Get("/v1/shows?to=2031-13-01T00:00:00.000Z"), 400, "malformed_request"));
  // Search results are whole show objects.
  Reply one = api().Get("/v1/shows?venue=" + v2);
  ASSERT_EQ(one.Arr("shows").size(), 1u);
  EXPECT_EQ(ToJson(one.Arr("shows")[0]), api().Get("/v1/shows/" + d).body);
}

TEST_F(ApiTest, SeatMapListsSeatsWithPricesAndIsCacheable) {
  const std::string show = TheatreShow();
  Reply r = api().Get("/v1/shows/" + show + "/seatmap");
  ASSERT_EQ(r.status, 200u) << r.Describe();
  EXPECT_EQ(r.Str("show_id"), show);
  EXPECT_EQ(r.Str("currency"), "EUR");
  const auto& categories = r.Arr("categories");
  ASSERT_EQ(categories.size(), 2u);
  EXPECT_EQ(JsonStr(categories[0], "id"), "PREM");
  EXPECT_EQ(JsonInt(categories[0], "price_minor"), kTheatrePremMinor);
  EXPECT_EQ(JsonInt(categories[1], "price_minor"), kTheatreStdMinor);
  const auto& sections = r.Arr("sections");
  ASSERT_EQ(sections.size(), 2u);
  const auto& rows = sections[0].as_object().at("rows").as_array();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(JsonStr(rows[0], "label"), "A");
  const auto& row_a = rows[0].as_object().at("seats").as_array();
  ASSERT_EQ(row_a.size(), 10u);
  EXPECT_EQ(JsonStr(row_a[4], "label"), "STALLS-A-5");
  EXPECT_EQ(JsonInt(row_a[4], "number"), 5);
  EXPECT_EQ(JsonStr(row_a[4], "category"), "PREM");
  EXPECT_TRUE(row_a[4].as_object().at("aisle_after").as_bool());
  EXPECT_FALSE(row_a[3].as_object().at("aisle_after").as_bool());
  const auto& row_d = rows[3].as_object().at("seats").as_array();
  EXPECT_TRUE(row_d[0].as_object().at("accessible").as_bool());
  EXPECT_FALSE(row_d[2].as_object().at("accessible").as_bool());
  EXPECT_EQ(JsonStr(sections[1], "id"), "FLOOR");
  EXPECT_TRUE(sections[1].as_object().at("general_admission").as_bool());
  EXPECT_EQ(JsonStr(sections[1], "category"), "STD");
  EXPECT_EQ(SeatLabels(api(), show).size(), kTheatreSeats);

  const std::string etag = r.Header("ETag");
  ASSERT_FALSE(etag.empty());
  Reply cached = api().Get("/v1/shows/" + show + "/seatmap", {{"If-None-Match", etag}});
  EXPECT_EQ(cached.status, 304u) << cached.Describe();
  EXPECT_TRUE(cached.body.empty());
  EXPECT_TRUE(IsProblem(api().Get("/v1/shows/s999999/seatmap"), 404, "not_found"));
}

TEST_F(ApiTest, AvailabilityCountsSeatsAndAnswers304WhileUnchanged) {
  const std::string show = TheatreShow();
  const std::string target = "/v1/shows/" + show + "/availability";
  Reply r = api().Get(target);
  ASSERT_EQ(r.status, 200u) << r.Describe();
  EXPECT_EQ(r.Str("show_id"), show);
  const int64_t version = r.Int("version");
  EXPECT_EQ(r.Header("ETag"), "\"" + std::to_string(version) + "\"");
  EXPECT_EQ(r.Header("Cache-Control"), "no-cache");
  const auto& sections = r.Arr("sections");
  ASSERT_EQ(sections.size(), 2u);
  EXPECT_EQ(JsonStr(sections[0], "id"), "STALLS");
  EXPECT_EQ(JsonInt(sections[0], "free"), kTheatreSeats);
  EXPECT_EQ(JsonInt(sections[0], "held"), 0);
  EXPECT_EQ(JsonInt(sections[0], "booked"), 0);
  EXPECT_EQ(JsonInt(sections[0], "blocked"), 0);
  EXPECT_EQ(JsonInt(sections[1], "free"), kTheatreFloorCapacity);
  const auto& categories = r.Arr("categories");
  ASSERT_EQ(categories.size(), 2u);
  EXPECT_EQ(JsonStr(categories[0], "id"), "PREM");
  EXPECT_EQ(JsonInt(categories[0], "free"), 20);
  EXPECT_EQ(r.Obj("seats").at("encoding").as_string(), "2bit");
  for (SeatState s : SeatStates(r, kTheatreSeats)) EXPECT_EQ(s, SeatState::kFree);

  Reply same = api().Get(target, {{"If-None-Match", r.Header("ETag")}});
  EXPECT_EQ(same.status, 304u) << same.Describe();
  EXPECT_TRUE(same.body.empty());

  MustHold(show, "alice", SeatsBody({"STALLS-A-1", "STALLS-B-2"}));
  Reply changed = api().Get(target, {{"If-None-Match", r.Header("ETag")}});
  ASSERT_EQ(changed.status, 200u) << changed.Describe();
  EXPECT_GT(changed.Int("version"), version);
  EXPECT_EQ(JsonInt(changed.Arr("sections")[0], "held"), 2);
  EXPECT_EQ(JsonInt(changed.Arr("sections")[0], "free"), kTheatreSeats - 2);
  EXPECT_EQ(JsonInt(changed.Arr("categories")[0], "held"), 2);
  EXPECT_EQ(StateOf(show, "STALLS-A-1"), SeatState::kHeld);
  EXPECT_EQ(StateOf(show, "STALLS-A-2"), SeatState::kFree);
  EXPECT_TRUE(IsProblem(api().Get("/v1/shows/s999999/availability"), 404, "not_found"));
}

// The body of a gzip response, inflated (empty, with a test failure, if it is not gzip).
std::string Gunzip(std::string_view gz) {
  StatusOr<std::string> text = testing::Gunzip(gz);
  EXPECT_TRUE(text.ok()) << text.status().message();
  return text.ok() ? *text : "";
}

TEST_F(ApiTest, AvailabilityIsGzippedWhenAcceptedWithItsOwnETag) {
  const std::string show = TheatreShow();
  const std::string target = "/v1/shows/" + show + "/availability";
  Reply plain = api().Get(target);
  ASSERT_EQ(plain.status, 200u) << plain.Describe();
  EXPECT_EQ(plain.Header("Content-Encoding"), "");
  EXPECT_EQ(plain.Header("Vary"), "Accept-Encoding");

  Reply gz = api().Get(target, {{"Accept-Encoding", "br;q=0.9, gzip"}});
  ASSERT_EQ(gz.status, 200u) << gz.Describe();
  EXPECT_EQ(gz.Header("Content-Encoding"), "gzip");
  EXPECT_EQ(gz.Header("Vary"), "Accept-Encoding");
  EXPECT_EQ(gz.Header("Content-Type"), "application/json");
  EXPECT_LT(gz.body.size(), plain.body.size());
  EXPECT_EQ(Gunzip(gz.body), plain.body);
  const std::string etag = plain.Header("ETag"), gz_etag = gz.Header("ETag");
  ASSERT_FALSE(gz_etag.empty());
  EXPECT_NE(gz_etag, etag);
  EXPECT_EQ(api().Get(target, {{"Accept-Encoding", "gzip"}}).body, gz.body);  // cached

  for (const char* refused : {"gzip;q=0", "gzip; q=0.000, identity", "*;q=0", "br"}) {
    Reply r = api().Get(target, {{"Accept-Encoding", refused}});
    ASSERT_EQ(r.status, 200u) << r.Describe();
    EXPECT_EQ(r.Header("Content-Encoding"), "") << refused;
    EXPECT_EQ(r.Header("ETag"), etag) << refused;
    EXPECT_EQ(r.body, plain.body) << refused;
  }

  // Each coding revalidates with its own ETag; the other one's is a mismatch.
  Reply gz_same = api().Get(target, {{"Accept-Encoding", "gzip"}, {"If-None-Match", gz_etag}});
  EXPECT_EQ(gz_same.status, 304u) << gz_same.Describe();
  EXPECT_EQ(gz_same.Header("ETag"), gz_etag);
  EXPECT_EQ(gz_same.Header("Vary"), "Accept-Encoding");
  EXPECT_TRUE(gz_same.body.empty());
  Reply same = api().Get(target, {{"If-None-Match", "\"x\", " + etag}});
  EXPECT_EQ(same.status, 304u) << same.Describe();
  EXPECT_EQ(same.Header("ETag"), etag);
  EXPECT_EQ(api().Get(target, {{"Accept-Encoding", "gzip"}, {"If-None-Match", etag}}).status, 200u);
  EXPECT_EQ(api().Get(target, {{"If-None-Match", gz_etag}}).status, 200u);

  MustHold(show, "alice", SeatsBody({"STALLS-A-1"}));
  Reply changed = api().Get(target, {{"Accept-Encoding", "gzip"}, {"If-None-Match", gz_etag}});
  ASSERT_EQ(changed.status, 200u) << changed.Describe();
  EXPECT_NE(changed.Header("ETag"), gz_etag);
  EXPECT_EQ(Gunzip(changed.body), api().Get(target).body);
}

// ---- Holds ------------------------------------------------------------------------

TEST_F(ApiTest, HoldSpecificSeatsAnswersTheHold) {
  const std::string show = TheatreShow();
  const uint64_t v0 = Version(show);
  Reply r = Hold(show, "alice", SeatsBody({"STALLS-A-1", "STALLS-C-2"}));
  ASSERT_EQ(r.status, 201u) << r.Describe();
  const std::string id = r.Str("id");
  EXPECT_EQ(id.rfind("h" + show.substr(1) + "-", 0), 0u) << id << " of show " << show;
  EXPECT_EQ(r.Str("show_id"), show);
  EXPECT_FALSE(r.Str("token").empty());
  EXPECT_EQ(r.Str("status"), "held");
  EXPECT_EQ(JsonStrings(r.json, "seats"), Strings({"STALLS-A-1", "STALLS-C-2"}));
  EXPECT_EQ(r.Int("total_minor"), kTheatrePremMinor + kTheatreStdMinor);
  EXPECT_EQ(r.Str("currency"), "EUR");
  const int64_t created = ParseTimeMs(r.Str("created_at"));
  const int64_t expires = ParseTimeMs(r.Str("expires_at"));
  ASSERT_GT(created, 0) << r.Str("created_at");
  EXPECT_EQ(expires - created, kDefaultHoldTtlMs) << r.Describe();
  EXPECT_FALSE(r.Has("booking_id"));
  EXPECT_FALSE(r.Has("general_admission"));
  EXPECT_GT(Version(show), v0);
  EXPECT_EQ(StateOf(show, "STALLS-C-2"), SeatState::kHeld);
}

TEST_F(ApiTest, RepeatedHoldOfTheSameSeatsAnswersTheSameHold) {
  const std::string show = TheatreShow();
  const std::string body = SeatsBody({"STALLS-B-1", "STALLS-B-2"});
  const auto [id, token] = MustHold(show, "alice", body);
  const uint64_t v = Version(show);
  Reply again = Hold(show, "alice", body);
  EXPECT_EQ(again.status, 200u) << again.Describe();
  EXPECT_EQ(again.Str("id"), id);
  EXPECT_EQ(Version(show), v);
}

TEST_F(ApiTest, TakenSeatsAreUnavailableWithTheConflicts) {
  const std::string show = TheatreShow();
  MustHold(show, "alice", SeatsBody({"STALLS-A-2"}));
  const uint64_t v = Version(show);
  Reply r = Hold(show, "bob", SeatsBody({"STALLS-A-1", "STALLS-A-2", "STALLS-A-3"}));
  EXPECT_TRUE(IsProblem(r, 409, "seat_unavailable"));
  EXPECT_EQ(JsonStrings(r.json, "conflicts"), Strings({"STALLS-A-2"}));
  EXPECT_EQ(Version(show), v);
  EXPECT_EQ(StateOf(show, "STALLS-A-1"), SeatState::kFree) << "all or nothing";
}

TEST_F(ApiTest, HoldRejectsMalformedAndMeaninglessRequests) {
  const std::string show = TheatreShow();
  MustHold(show, "carol", SeatsBody({"STALLS-D-9"}));
  const uint64_t v = Version(show);
  auto hold = [&](std::string_view body) { return Hold(show, "alice", body); };

  EXPECT_TRUE(IsProblem(hold(R"({"seats":["STALLS-A-1")"), 400, "malformed_request"));
  EXPECT_TRUE(IsProblem(hold(R"({"seats":"STALLS-A-1"})"), 400, "malformed_request"));
  EXPECT_TRUE(IsProblem(hold(R"({"seats":[1,2]})"), 400, "malformed_request"));
  Reply r = hold(R"({"seats":["STALLS-A-1"],"priority":true})");
  EXPECT_TRUE(IsProblem(r, 400, "malformed_request"));
  EXPECT_TRUE(DetailMentions(r, "priority"));
  r = hold(R"({"best_available":{"count":"4"}})");
  EXPECT_TRUE(IsProblem(r, 400, "malformed_request"));
  EXPECT_TRUE(DetailMentions(r, "count"));
  EXPECT_TRUE(IsProblem(hold(R"({"best_available":{"count":2,"near":"stage"}})"), 400,
                        "malformed_request"));
  EXPECT_TRUE(IsProblem(hold(R"({"best_available":{"count":2.5}})"), 400, "malformed_request"));
  EXPECT_TRUE(IsProblem(hold("{\"seats\":[\"STALLS-A-\xff\"]}"), 400, "malformed_request"));
  // Neither or both of the alternatives.
  EXPECT_TRUE(IsProblemIn(hold("{}"), kRefusedInput));
  EXPECT_TRUE(
      IsProblemIn(hold(R"({"seats":["STALLS-A-1"],"best_available":{"count":1}})"), kRefusedInput));

  r = hold(SeatsBody({"STALLS-A-1", "STALLS-Z-99", "BALCONY-A-1"}));
  EXPECT_TRUE(IsProblem(r, 422, "unknown_seat"));
  EXPECT_EQ(JsonStrings(r.json, "seats"), Strings({"STALLS-Z-99", "BALCONY-A-1"}));
  EXPECT_TRUE(IsProblem(hold(R"({"seats":[]})"), 422, "invalid_request"));
  EXPECT_TRUE(IsProblem(hold(SeatsBody({"STALLS-A-1", "STALLS-A-1"})), 422, "invalid_request"));
  EXPECT_TRUE(IsProblem(hold(SeatsBody({"STALLS-B-1", "STALLS-B-2", "STALLS-B-3", "STALLS-B-4",
                                        "STALLS-B-5", "STALLS-B-6", "STALLS-B-7", "STALLS-B-8",
                                        "STALLS-B-9", "STALLS-B-10", "STALLS-C-1"})),
                        422, "invalid_request"))
      << "11 seats, seats_per_order_max 10";
  // The contract names count 0, GA quantity 0 and too many seats as 422.
  for (const char* count : {"0", "11"}) {
    EXPECT_TRUE(IsProblem(hold(std::string(R"({"best_available":{"count":)") + count + "}}"), 422,
                          "invalid_request"))
        << count;
  }
  for (const char* count : {"-1", "-9223372036854775808", "18446744073709551616", "1e300"}) {
    EXPECT_TRUE(IsProblemIn(hold(std::string(R"({"best_available":{"count":)") + count + "}}"),
                            kRefusedInput))
        << count;
  }
  EXPECT_TRUE(IsProblem(hold(R"({"best_available":{"count":2,"section":"BALCONY"}})"), 422,
                        "invalid_request"));
  EXPECT_TRUE(IsProblem(hold(R"({"best_available":{"count":2,"category":"VIP"}})"), 422,
                        "invalid_request"));
  EXPECT_TRUE(IsProblem(hold(R"({"general_admission":{"area":"FLOOR","quantity":0}})"), 422,
                        "invalid_request"));
  EXPECT_TRUE(
      IsProblemIn(hold(R"({"general_admission":{"area":"FLOOR","quantity":-3}})"), kRefusedInput));
  EXPECT_TRUE(IsProblem(hold(R"({"general_admission":{"area":"STALLS","quantity":2}})"), 422,
                        "invalid_request"))
      << "STALLS is not a GA area";
  EXPECT_TRUE(IsProblem(hold(R"({"general_admission":{"area":"MOSH","quantity":2}})"), 422,
                        "invalid_request"));
  EXPECT_EQ(Version(show), v);
}

TEST_F(ApiTest, HoldNeedsAFanAndAShow) {
  const std::string show = TheatreShow();
  const uint64_t v = Version(show);
  const std::string body = SeatsBody({"STALLS-A-1"});
  Reply none = api().Post("/v1/shows/" + show + "/holds", body);
  EXPECT_TRUE(IsProblem(none, 401, "unauthorized"));
  EXPECT_NE(none.Header("WWW-Authenticate").find("Bearer"), std::string::npos) << none.Describe();
  EXPECT_TRUE(IsProblem(
      api().Post("/v1/shows/" + show + "/holds", body, {{"Authorization", "Bearer not.a.jwt"}}),
      401, "unauthorized"));
  EXPECT_TRUE(IsProblem(
      api().Post("/v1/shows/" + show + "/holds", body, {{"Authorization", "Basic YWxpY2U6cHc="}}),
      401, "unauthorized"));
  // A token signed with another key: the server's own token, one byte changed.
  HeaderList forged = Fan("alice");
  ASSERT_FALSE(forged.empty());
  std::string& value = forged[0].second;
  value.back() = value.back() == 'A' ? 'B' : 'A';
  EXPECT_TRUE(
      IsProblem(api().Post("/v1/shows/" + show + "/holds", body, forged), 401, "unauthorized"));
  EXPECT_EQ(Version(show), v);
  EXPECT_TRUE(IsProblem(Hold("s999999", "alice", body), 404, "not_found"));
}

TEST_F(ApiTest, BestAvailableFindsAdjacentSeatsInOneRow) {
  const std::string show = TheatreShow();
  Reply r =
      Hold(show, "alice", R"({"best_available":{"count":4,"section":"STALLS","category":"PREM"}})");
  ASSERT_EQ(r.status, 201u) << r.Describe();
  const std::vector<std::string> seats = JsonStrings(r.json, "seats");
  ASSERT_EQ(seats.size(), 4u);
  const std::string row = seats[0].substr(0, seats[0].rfind('-') + 1);
  EXPECT_TRUE(row == "STALLS-A-" || row == "STALLS-B-") << seats[0];
  std::vector<int> numbers;
  for (const std::string& s : seats) {
    EXPECT_EQ(s.rfind(row, 0), 0u) << s << " not in the row of " << seats[0];
    numbers.push_back(std::stoi(s.substr(row.size())));
  }
  std::sort(numbers.begin(), numbers.end());
  for (size_t i = 1; i < numbers.size(); ++i) EXPECT_EQ(numbers[i], numbers[i - 1] + 1);
  if (row == "STALLS-A-") {
    EXPECT_TRUE(numbers.back() <= 5 || numbers.front() >= 6) << "across the aisle";
  }
  EXPECT_EQ(r.Int("total_minor"), 4 * kTheatrePremMinor);

  Reply acc = Hold(show, "bob", R"({"best_available":{"count":2,"accessible":true}})");
  ASSERT_EQ(acc.status, 201u) << acc.Describe();
  std::vector<std::string> acc_seats = JsonStrings(acc.json, "seats");
  std::sort(acc_seats.begin(), acc_seats.end());
  EXPECT_EQ(acc_seats, Strings({"STALLS-D-1", "STALLS-D-2"}));
}

TEST_F(ApiTest, BestAvailableReportsNotEnoughSeats) {
  const std::string venue = CreateVenue(api(), Admin(), GridJson("Tiny", 1, 5));
  const std::string show = CreateShow(api(), Admin(), ShowJson(venue, "Tiny show", GridPrices()));
  const uint64_t v = Version(show);
  EXPECT_TRUE(
      IsProblem(Hold(show, "alice", R"({"best_available":{"count":6}})"), 409, "not_enough_seats"));
  MustHold(show, "bob", SeatsBody({GridSeat(1, 3)}));
  const uint64_t v2 = Version(show);
  EXPECT_GT(v2, v);
  EXPECT_TRUE(
      IsProblem(Hold(show, "alice", R"({"best_available":{"count":3}})"), 409, "not_enough_seats"))
      << "5 seats with the middle one taken: no 3 together";
  Reply split = Hold(show, "alice", R"({"best_available":{"count":3,"allow_split":true}})");
  EXPECT_EQ(split.status, 201u) << split.Describe();
  EXPECT_EQ(JsonStrings(split.json, "seats").size(), 3u);
}

TEST_F(ApiTest, GeneralAdmissionHoldsAQuantity) {
  const std::string show = TheatreShow();
  Reply r = Hold(show, "alice", R"({"general_admission":{"area":"FLOOR","quantity":3}})");
  ASSERT_EQ(r.status, 201u) << r.Describe();
  EXPECT_EQ(JsonStrings(r.json, "seats"), Strings({}));
  const auto& ga = r.Obj("general_admission");
  EXPECT_EQ(ga.at("area").as_string(), "FLOOR");
  EXPECT_EQ(ga.at("quantity").as_int64(), 3);
  EXPECT_EQ(r.Int("total_minor"), 3 * kTheatreStdMinor);
  Reply a = api().Get("/v1/shows/" + show + "/availability");
  EXPECT_EQ(JsonInt(a.Arr("sections")[1], "held"), 3);
  EXPECT_EQ(JsonInt(a.Arr("sections")[1], "free"), kTheatreFloorCapacity - 3);
  Reply s = api().Get("/v1/shows/" + show);
  EXPECT_EQ(s.Int("available"), kTheatreSeats + kTheatreFloorCapacity - 3);
}

TEST_F(ApiTest, FanLimitCountsHoldsPerShow) {
  const std::string show = TheatreShow(R"(,"seats_per_order_max":2,"seats_per_fan_max":3)");
  MustHold(show, "alice", SeatsBody({"STALLS-C-1", "STALLS-C-2"}));
  const uint64_t v = Version(show);
  EXPECT_TRUE(IsProblem(Hold(show, "alice", SeatsBody({"STALLS-C-4", "STALLS-C-5"})), 409,
                        "fan_limit_exceeded"));
  EXPECT_TRUE(IsProblem(Hold(show, "alice", SeatsBody({"STALLS-C-4", "STALLS-C-5", "STALLS-C-6"})),
                        422, "invalid_request"))
      << "more than seats_per_order_max";
  EXPECT_EQ(Version(show), v);
  EXPECT_EQ(Hold(show, "alice", SeatsBody({"STALLS-C-4"})).status, 201u);
  EXPECT_EQ(Hold(show, "bob", SeatsBody({"STALLS-C-5", "STALLS-C-6"})).status, 201u);
}

TEST_F(ApiTest, FanLimitCountsBookingsWithHolds) {
  const std::string show = TheatreShow(R"(,"seats_per_order_max":2,"seats_per_fan_max":4)");
  const auto [booked, _] = MustHold(show, "carol", SeatsBody({"STALLS-D-1", "STALLS-D-2"}));
  ASSERT_EQ(Confirm(booked, "pay-carol-1").status, 201u);
  const auto [held, token] = MustHold(show, "carol", SeatsBody({"STALLS-D-3", "STALLS-D-4"}));
  ASSERT_FALSE(held.empty());
  // Two booked plus two held: the fan is at the show's limit of 4.
  const uint64_t v = Version(show);
  EXPECT_TRUE(IsProblem(Hold(show, "carol", SeatsBody({"STALLS-D-5"})), 409, "fan_limit_exceeded"));
  EXPECT_EQ(Version(show), v) << "a refused hold changes nothing";
  EXPECT_EQ(StateOf(show, "STALLS-D-5"), SeatState::kFree);
  // Booking the held seats keeps the count at 4; releasing frees room.
  ASSERT_EQ(Confirm(held, "pay-carol-2").status, 201u);
  EXPECT_TRUE(IsProblem(Hold(show, "carol", SeatsBody({"STALLS-D-5"})), 409, "fan_limit_exceeded"));
  EXPECT_EQ(Hold(show, "dave", SeatsBody({"STALLS-D-5"})).status, 201u) << "another fan";
}

TEST_F(ApiTest, NoHoldsBeforeTheSaleOpens) {
  const std::string show = TheatreShow(R"(,"on_sale_at":"2029-01-01T10:00:00.000Z")");
  const uint64_t v = Version(show);
  EXPECT_TRUE(IsProblem(Hold(show, "alice", SeatsBody({"STALLS-A-1"})), 409, "not_on_sale"));
  EXPECT_EQ(Version(show), v);
}

TEST_F(ApiTest, GetHoldIsForItsOwnerAndTheBoxOffice) {
  const std::string show = TheatreShow();
  const auto [id, token] = MustHold(show, "alice", SeatsBody({"STALLS-A-7"}));
  Reply own = api().Get("/v1/holds/" + id, Fan("alice"));
  ASSERT_EQ(own.status, 200u) << own.Describe();
  EXPECT_EQ(own.Str("id"), id);
  EXPECT_EQ(own.Str("status"), "held");
  EXPECT_EQ(JsonStrings(own.json, "seats"), Strings({"STALLS-A-7"}));
  if (own.Has("token")) {
    EXPECT_EQ(own.Str("token"), token);
  }
  Reply admin = api().Get("/v1/holds/" + id, Admin());
  ASSERT_EQ(admin.status, 200u) << admin.Describe();
  EXPECT_EQ(admin.Str("id"), id);
  EXPECT_FALSE(admin.Has("token")) << "the token is the fan's: " << admin.Describe();
  Reply other = api().Get("/v1/holds/" + id, Fan("mallory"));
  EXPECT_TRUE(IsProblemIn(other, {{403, "forbidden"}, {404, "not_found"}}));
  EXPECT_EQ(other.body.find(token), std::string::npos);
  EXPECT_TRUE(IsProblem(api().Get("/v1/holds/" + id), 401, "unauthorized"));
  EXPECT_TRUE(IsProblem(api().Get("/v1/holds/h" + show.substr(1) + "-999999", Fan("alice")), 404,
                        "not_found"));
  EXPECT_TRUE(IsProblem(api().Get("/v1/holds/nonsense", Fan("alice")), 404, "not_found"));
}

TEST_F(ApiTest, ReleaseNeedsTheHoldTokenAndFreesTheSeats) {
  const std::string show = TheatreShow();
  const auto [id, token] = MustHold(show, "alice", SeatsBody({"STALLS-B-5", "STALLS-B-6"}));
  const std::string target = "/v1/holds/" + id;
  const uint64_t v = Version(show);
  EXPECT_TRUE(IsProblem(api().Delete(target, Fan("alice")), 403, "wrong_token"));
  EXPECT_TRUE(
      IsProblem(api().Delete(target, With(Fan("alice"), HoldToken("AAAAAAAAAAAAAAAAAAAAAA"))), 403,
                "wrong_token"));
  EXPECT_TRUE(
      IsProblem(api().Delete(target, With(Fan("alice"), HoldToken(""))), 403, "wrong_token"));
  EXPECT_TRUE(IsProblemIn(api().Delete(target, With(Fan("mallory"), HoldToken(token))),
                          {{403, "forbidden"}, {403, "wrong_token"}, {404, "not_found"}}));
  EXPECT_TRUE(IsProblem(api().Delete(target, HoldToken(token)), 401, "unauthorized"));
  EXPECT_EQ(Version(show), v);
  EXPECT_EQ(StateOf(show, "STALLS-B-5"), SeatState::kHeld);

  Reply ok = api().Delete(target, With(Fan("alice"), HoldToken(token)));
  EXPECT_EQ(ok.status, 204u) << ok.Describe();
  EXPECT_TRUE(ok.body.empty());
  const uint64_t v2 = Version(show);
  EXPECT_GT(v2, v);
  EXPECT_EQ(StateOf(show, "STALLS-B-5"), SeatState::kFree);
  EXPECT_EQ(api().Get(target, Fan("alice")).Str("status"), "released");

  EXPECT_TRUE(
      IsProblem(api().Delete(target, With(Fan("alice"), HoldToken(token))), 410, "hold_released"));
  EXPECT_TRUE(IsProblem(
      api().Post(target + "/extend", R"({"by_s":60})", With(Fan("alice"), HoldToken(token))), 410,
      "hold_released"));
  EXPECT_TRUE(IsProblem(Confirm(id), 410, "hold_released"));
  EXPECT_EQ(Version(show), v2);
  EXPECT_EQ(Hold(show, "bob", SeatsBody({"STALLS-B-5"})).status, 201u);
}

TEST_F(ApiTest, ExtendMovesTheDeadlineUpToTheCap) {
  const std::string show = TheatreShow();
  const auto [id, token] = MustHold(show, "alice", SeatsBody({"STALLS-C-7"}));
  const std::string target = "/v1/holds/" + id + "/extend";
  const HeaderList owner = With(Fan("alice"), HoldToken(token));
  const int64_t before = ParseTimeMs(api().Get("/v1/holds/" + id, Fan("alice")).Str("expires_at"));
  const uint64_t v = Version(show);

  EXPECT_TRUE(IsProblem(api().Post(target, R"({"by_s":"60"})", owner), 400, "malformed_request"));
  EXPECT_TRUE(IsProblem(api().Post(target, R"({"by_s":60,"why":"slow card"})", owner), 400,
                        "malformed_request"));
  EXPECT_TRUE(IsProblem(api().Post(target, R"({})", owner), 400, "malformed_request"));
  EXPECT_TRUE(IsProblemIn(api().Post(target, R"({"by_s":0})", owner), kRefusedInput));
  EXPECT_TRUE(IsProblemIn(api().Post(target, R"({"by_s":3601})", owner), kRefusedInput));
  EXPECT_TRUE(IsProblem(api().Post(target, R"({"by_s":60})", Fan("alice")), 403, "wrong_token"));
  EXPECT_TRUE(
      IsProblem(api().Post(target, R"({"by_s":60})", HoldToken(token)), 401, "unauthorized"));
  EXPECT_EQ(Version(show), v);
  EXPECT_EQ(ParseTimeMs(api().Get("/v1/holds/" + id, Fan("alice")).Str("expires_at")), before);

  Reply r = api().Post(target, R"({"by_s":120})", owner);
  ASSERT_EQ(r.status, 200u) << r.Describe();
  EXPECT_EQ(r.Str("id"), id);
  EXPECT_EQ(ParseTimeMs(r.Str("expires_at")), before + 120'000) << r.Describe();
  EXPECT_EQ(ParseTimeMs(api().Get("/v1/holds/" + id, Fan("alice")).Str("expires_at")),
            before + 120'000);

  // Extending by the most allowed reaches the cap within a few calls.
  int64_t last = before + 120'000;
  bool capped = false;
  for (int i = 0; i < 8 && !capped; ++i) {
    Reply e = api().Post(target, R"({"by_s":3600})", owner);
    if (e.status == 200) {
      EXPECT_GE(ParseTimeMs(e.Str("expires_at")), last);
      last = ParseTimeMs(e.Str("expires_at"));
      continue;
    }
    EXPECT_TRUE(IsProblem(e, 409, "extension_limit"));
    capped = true;
  }
  EXPECT_TRUE(capped) << "no extension_limit after 8 extensions of an hour";
  EXPECT_EQ(ParseTimeMs(api().Get("/v1/holds/" + id, Fan("alice")).Str("expires_at")), last);
}

TEST_F(ApiTest, ConfirmMakesADurableBookingOnce) {
  const std::string show = TheatreShow();
  const auto [id, token] = MustHold(show, "alice", SeatsBody({"STALLS-A-3", "STALLS-C-3"}));
  const uint64_t v = Version(show);
  EXPECT_TRUE(
      IsProblem(api().Post("/v1/holds/" + id + "/confirm", R"({"payment_ref":"p"})", Fan("alice")),
                403, "forbidden"));
  EXPECT_TRUE(IsProblem(api().Post("/v1/holds/" + id + "/confirm", R"({"payment_ref":"p"})"), 401,
                        "unauthorized"));
  EXPECT_TRUE(IsProblem(api().Post("/v1/holds/" + id + "/confirm", R"({})", Admin()), 400,
                        "malformed_request"));
  EXPECT_TRUE(IsProblem(api().Post("/v1/holds/" + id + "/confirm", R"({"payment_ref":7})", Admin()),
                        400, "malformed_request"));
  EXPECT_TRUE(IsProblemIn(Confirm(id, ""), kRefusedInput));
  EXPECT_TRUE(IsProblemIn(Confirm(id, std::string(129, 'p')), kRefusedInput));
  EXPECT_TRUE(IsProblem(Confirm("h" + show.substr(1) + "-999999"), 404, "not_found"));
  EXPECT_EQ(Version(show), v);

  Reply b = Confirm(id, "pay-123");
  ASSERT_EQ(b.status, 201u) << b.Describe();
  const std::string booking = b.Str("id");
  EXPECT_EQ(booking.rfind("b" + show.substr(1) + "-", 0), 0u) << booking;
  EXPECT_EQ(b.Str("show_id"), show);
  EXPECT_EQ(b.Str("hold_id"), id);
  EXPECT_EQ(b.Str("user"), "alice");
  EXPECT_EQ(b.Str("status"), "confirmed");
  EXPECT_EQ(JsonStrings(b.json, "seats"), Strings({"STALLS-A-3", "STALLS-C-3"}));
  EXPECT_EQ(b.Int("total_minor"), kTheatrePremMinor + kTheatreStdMinor);
  EXPECT_EQ(b.Str("currency"), "EUR");
  EXPECT_EQ(b.Str("payment_ref"), "pay-123");
  EXPECT_GT(ParseTimeMs(b.Str("booked_at")), 0) << b.Str("booked_at");
  EXPECT_FALSE(b.Has("cancelled_at"));
  const uint64_t v2 = Version(show);
  EXPECT_GT(v2, v);
  EXPECT_EQ(StateOf(show, "STALLS-A-3"), SeatState::kBooked);

  Reply hold = api().Get("/v1/holds/" + id, Fan("alice"));
  EXPECT_EQ(hold.Str("status"), "confirmed");
  EXPECT_EQ(hold.Str("booking_id"), booking);

  Reply again = Confirm(id, "pay-124");
  EXPECT_TRUE(IsProblem(again, 409, "hold_confirmed"));
  EXPECT_EQ(again.Str("booking_id"), booking);
  EXPECT_TRUE(IsProblem(api().Delete("/v1/holds/" + id, With(Fan("alice"), HoldToken(token))), 409,
                        "hold_confirmed"));
  EXPECT_TRUE(IsProblem(api().Post("/v1/holds/" + id + "/extend", R"({"by_s":60})",
                                   With(Fan("alice"), HoldToken(token))),
                        409, "hold_confirmed"));
  EXPECT_EQ(Version(show), v2);
}

TEST_F(ApiTest, BookingsAreReadByTheirOwnerAndTheBoxOffice) {
  const std::string show = TheatreShow();
  const auto [h1, t1] = MustHold(show, "alice", SeatsBody({"STALLS-D-5"}));
  const auto [h2, t2] =
      MustHold(show, "bob", R"({"general_admission":{"area":"FLOOR","quantity":2}})");
  const std::string b1 = Confirm(h1, "pay-a").Str("id");
  Reply b2r = Confirm(h2, "pay-b");
  ASSERT_EQ(b2r.status, 201u) << b2r.Describe();
  const std::string b2 = b2r.Str("id");
  EXPECT_EQ(b2r.Obj("general_admission").at("quantity").as_int64(), 2);

  Reply own = api().Get("/v1/bookings/" + b1, Fan("alice"));
  ASSERT_EQ(own.status, 200u) << own.Describe();
  EXPECT_EQ(own.Str("id"), b1);
  EXPECT_EQ(own.Str("payment_ref"), "pay-a");
  EXPECT_EQ(api().Get("/v1/bookings/" + b1, Admin()).status, 200u);
  EXPECT_TRUE(IsProblem(api().Get("/v1/bookings/" + b1, Fan("bob")), 403, "forbidden"));
  EXPECT_TRUE(IsProblem(api().Get("/v1/bookings/" + b1), 401, "unauthorized"));
  EXPECT_TRUE(IsProblem(api().Get("/v1/bookings/b" + show.substr(1) + "-999999", Admin()), 404,
                        "not_found"));

  auto ids = [&](const Reply& r) {
    std::vector<std::string> out;
    for (const auto& b : r.Arr("bookings")) out.push_back(JsonStr(b, "id"));
    std::sort(out.begin(), out.end());
    return out;
  };
  Reply mine = api().Get("/v1/bookings", Fan("alice"));
  ASSERT_EQ(mine.status, 200u) << mine.Describe();
  const std::vector<std::string> alices = ids(mine);
  EXPECT_TRUE(std::find(alices.begin(), alices.end(), b1) != alices.end());
  EXPECT_TRUE(std::find(alices.begin(), alices.end(), b2) == alices.end());
  for (const auto& b : mine.Arr("bookings")) EXPECT_EQ(JsonStr(b, "user"), "alice");
  std::vector<std::string> both{b1, b2};
  std::sort(both.begin(), both.end());
  EXPECT_EQ(ids(api().Get("/v1/bookings?show=" + show, Admin())), both);
  EXPECT_TRUE(IsProblem(api().Get("/v1/bookings"), 401, "unauthorized"));
}

TEST_F(ApiTest, CancelFreesTheSeatsOnce) {
  const std::string show = TheatreShow();
  const auto [hold, token] = MustHold(show, "alice", SeatsBody({"STALLS-B-9", "STALLS-B-10"}));
  const std::string booking = Confirm(hold).Str("id");
  const std::string target = "/v1/bookings/" + booking + "/cancel";
  const uint64_t v = Version(show);
  EXPECT_TRUE(IsProblem(api().Post(target, "", Fan("alice")), 403, "forbidden"));
  EXPECT_TRUE(IsProblem(api().Post(target, ""), 401, "unauthorized"));
  EXPECT_TRUE(
      IsProblem(api().Post("/v1/bookings/b" + show.substr(1) + "-999999/cancel", "", Admin()), 404,
                "not_found"));
  EXPECT_EQ(Version(show), v);

  Reply c = api().Post(target, "", Admin());
  ASSERT_EQ(c.status, 200u) << c.Describe();
  EXPECT_EQ(c.Str("id"), booking);
  EXPECT_EQ(c.Str("status"), "cancelled");
  EXPECT_GT(ParseTimeMs(c.Str("cancelled_at")), 0);
  EXPECT_GT(Version(show), v);
  EXPECT_EQ(StateOf(show, "STALLS-B-9"), SeatState::kFree);
  EXPECT_EQ(api().Get("/v1/bookings/" + booking, Fan("alice")).Str("status"), "cancelled");
  const uint64_t v2 = Version(show);
  EXPECT_TRUE(IsProblem(api().Post(target, "", Admin()), 409, "booking_cancelled"));
  EXPECT_EQ(Version(show), v2);
  EXPECT_EQ(Hold(show, "bob", SeatsBody({"STALLS-B-9", "STALLS-B-10"})).status, 201u);
}

TEST_F(ApiTest, AuditIsForTheBoxOffice) {
  const std::string show = TheatreShow();
  const auto [hold, token] = MustHold(show, "alice", SeatsBody({"STALLS-A-9"}));
  Confirm(hold);
  MustHold(show, "bob", SeatsBody({"STALLS-A-10"}));
  Reply a = api().Get("/v1/shows/" + show + "/audit", Admin());
  ASSERT_EQ(a.status, 200u) << a.Describe();
  EXPECT_TRUE(a.Bool("ok")) << a.Describe();
  EXPECT_TRUE(a.Arr("violations").empty());
  EXPECT_EQ(static_cast<uint64_t>(a.Int("version")), Version(show));
  EXPECT_TRUE(IsProblem(api().Get("/v1/shows/" + show + "/audit", Fan("alice")), 403, "forbidden"));
  EXPECT_TRUE(IsProblem(api().Get("/v1/shows/" + show + "/audit"), 401, "unauthorized"));
  EXPECT_TRUE(IsProblem(api().Get("/v1/shows/s999999/audit", Admin()), 404, "not_found"));
}

// ---- Idempotency ------------------------------------------------------------------

// The second answer to a request sent twice with one key repeats the first.
void ExpectReplay(const Reply& first, const Reply& second) {
  EXPECT_EQ(second.status, first.status) << second.Describe();
  EXPECT_EQ(second.body, first.body);
}

TEST_F(ApiTest, PostsWithTheSameIdempotencyKeyReplayTheFirstAnswer) {
  const HeaderList admin_k = With(Admin(), IdempotencyKey("venue-1"));
  Reply v1 = api().Post("/v1/venues", TheatreJson("Idem Hall"), admin_k);
  ASSERT_EQ(v1.status, 201u) << v1.Describe();
  ExpectReplay(v1, api().Post("/v1/venues", TheatreJson("Idem Hall"), admin_k));
  EXPECT_TRUE(IsProblem(api().Post("/v1/venues", TheatreJson("Other Hall"), admin_k), 422,
                        "idempotency_key_reused"));
  const std::string venue = v1.Str("id");

  const HeaderList show_k = With(Admin(), IdempotencyKey("show-1"));
  const std::string show_body = ShowJson(venue, "Idem show", TheatrePrices());
  Reply s1 = api().Post("/v1/shows", show_body, show_k);
  ASSERT_EQ(s1.status, 201u) << s1.Describe();
  ExpectReplay(s1, api().Post("/v1/shows", show_body, show_k));
  EXPECT_EQ(api().Get("/v1/shows?venue=" + venue).Arr("shows").size(), 1u);
  const std::string show = s1.Str("id");

  const HeaderList hold_k = IdempotencyKey("hold-1");
  Reply h1 = Hold(show, "alice", SeatsBody({"STALLS-A-1"}), hold_k);
  ASSERT_EQ(h1.status, 201u) << h1.Describe();
  const uint64_t v = Version(show);
  ExpectReplay(h1, Hold(show, "alice", SeatsBody({"STALLS-A-1"}), hold_k));
  EXPECT_EQ(Version(show), v);
  EXPECT_TRUE(IsProblem(Hold(show, "alice", SeatsBody({"STALLS-A-2"}), hold_k), 422,
                        "idempotency_key_reused"));
  EXPECT_EQ(Version(show), v);
  // The same key from another caller is that caller's own key.
  EXPECT_EQ(Hold(show, "bob", SeatsBody({"STALLS-A-2"}), hold_k).status, 201u);
  const std::string hold = h1.Str("id");
  const std::string token = h1.Str("token");

  const HeaderList extend_k = With(With(Fan("alice"), HoldToken(token)), IdempotencyKey("ext-1"));
  Reply e1 = api().Post("/v1/holds/" + hold + "/extend", R"({"by_s":60})", extend_k);
  ASSERT_EQ(e1.status, 200u) << e1.Describe();
  ExpectReplay(e1, api().Post("/v1/holds/" + hold + "/extend", R"({"by_s":60})", extend_k));
  EXPECT_EQ(api().Get("/v1/holds/" + hold, Fan("alice")).Str("expires_at"), e1.Str("expires_at"))
      << "the replay extended the hold again";
  EXPECT_TRUE(IsProblem(api().Post("/v1/holds/" + hold + "/extend", R"({"by_s":61})", extend_k),
                        422, "idempotency_key_reused"));

  Reply c1 = Confirm(hold, "pay-idem", IdempotencyKey("confirm-1"));
  ASSERT_EQ(c1.status, 201u) << c1.Describe();
  ExpectReplay(c1, Confirm(hold, "pay-idem", IdempotencyKey("confirm-1")));
  EXPECT_TRUE(IsProblem(Confirm(hold, "pay-other", IdempotencyKey("confirm-1")), 422,
                        "idempotency_key_reused"));
  const std::string booking = c1.Str("id");
  EXPECT_EQ(api().Get("/v1/bookings?show=" + show, Admin()).Arr("bookings").size(), 1u);

  const HeaderList cancel_k = With(Admin(), IdempotencyKey("cancel-1"));
  Reply x1 = api().Post("/v1/bookings/" + booking + "/cancel", "", cancel_k);
  ASSERT_EQ(x1.status, 200u) << x1.Describe();
  ExpectReplay(x1, api().Post("/v1/bookings/" + booking + "/cancel", "", cancel_k));
  // The same key on another path.
  EXPECT_TRUE(IsProblem(api().Post("/v1/venues", TheatreJson("Idem Hall"), cancel_k), 422,
                        "idempotency_key_reused"));
}

TEST_F(ApiTest, ErrorAnswersAreReplayedToo) {
  const std::string show = TheatreShow();
  const auto [id, token] = MustHold(show, "alice", SeatsBody({"STALLS-C-9"}));
  const HeaderList key = IdempotencyKey("conflict-1");
  Reply first = Hold(show, "bob", SeatsBody({"STALLS-C-9"}), key);
  EXPECT_TRUE(IsProblem(first, 409, "seat_unavailable"));
  // The seat is free now, but the key pins the first outcome.
  ASSERT_EQ(api().Delete("/v1/holds/" + id, With(Fan("alice"), HoldToken(token))).status, 204u);
  const uint64_t v = Version(show);
  ExpectReplay(first, Hold(show, "bob", SeatsBody({"STALLS-C-9"}), key));
  EXPECT_EQ(Version(show), v);
  EXPECT_EQ(StateOf(show, "STALLS-C-9"), SeatState::kFree);
}

TEST_F(ApiTest, InvalidIdempotencyKeysAreRejected) {
  const std::string show = TheatreShow();
  const uint64_t v = Version(show);
  EXPECT_TRUE(IsProblem(
      Hold(show, "alice", SeatsBody({"STALLS-A-1"}), IdempotencyKey(std::string(65, 'k'))), 400,
      "malformed_request"));
  EXPECT_TRUE(IsProblem(Hold(show, "alice", SeatsBody({"STALLS-A-1"}), IdempotencyKey("")), 400,
                        "malformed_request"));
  EXPECT_TRUE(
      IsProblem(Hold(show, "alice", SeatsBody({"STALLS-A-1"}), IdempotencyKey("caf\xc3\xa9")), 400,
                "malformed_request"));
  EXPECT_EQ(Version(show), v);
}

// ---- Expiry -------------------------------------------------------------------------

// A server whose shows hold seats for 2 s by default (--hold-ttl-s).
class HoldExpiryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok()) << server_.Log();
    api_ = std::make_unique<Api>(server_.port());
  }
  void TearDown() override {
    if (server_.running()) {
      EXPECT_TRUE(server_.Stop().ok()) << server_.Log();
    }
  }

  ServerProcess server_{{"--hold-ttl-s", "2"}};
  std::unique_ptr<Api> api_;
};

TEST_F(HoldExpiryTest, ExpiredHoldFreesItsSeatsAndRefusesEveryAction) {
  Api& api = *api_;
  const HeaderList admin = AdminAuth(server_);
  const std::string venue = CreateVenue(api, admin, TheatreJson());
  const std::string show = CreateShow(api, admin, ShowJson(venue, "Short holds", TheatrePrices()));
  Reply s = api.Get("/v1/shows/" + show);
  EXPECT_EQ(s.Int("hold_ttl_s"), 2) << s.Describe();
  Reply h = api.Post("/v1/shows/" + show + "/holds", SeatsBody({"STALLS-A-1", "STALLS-A-2"}),
                     FanAuth(server_, "alice"));
  ASSERT_EQ(h.status, 201u) << h.Describe();
  const std::string id = h.Str("id");
  const std::string token = h.Str("token");
  EXPECT_EQ(ParseTimeMs(h.Str("expires_at")) - ParseTimeMs(h.Str("created_at")), 2000);

  // Poll until the hold reads as expired (bounded, so a server that never
  // expires holds fails instead of hanging).
  std::string status;
  for (int i = 0; i < 200 && status != "expired"; ++i) {
    std::this_thread::sleep_for(milliseconds(50));
    status = api.Get("/v1/holds/" + id, FanAuth(server_, "alice")).Str("status");
  }
  ASSERT_EQ(status, "expired");
  // The seats are free again, in the counts and in the seat states.
  std::string free_after;
  for (int i = 0; i < 100; ++i) {
    Reply a = api.Get("/v1/shows/" + show + "/availability");
    if (JsonInt(a.Arr("sections")[0], "held") == 0) {
      free_after = "yes";
      const std::vector<SeatState> states = SeatStates(a, kTheatreSeats);
      for (SeatState st : states) EXPECT_EQ(st, SeatState::kFree);
      break;
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_EQ(free_after, "yes");
  const uint64_t v = AvailabilityVersion(api, show);
  const HeaderList owner = With(FanAuth(server_, "alice"), HoldToken(token));
  EXPECT_TRUE(IsProblem(api.Delete("/v1/holds/" + id, owner), 410, "hold_expired"));
  EXPECT_TRUE(IsProblem(api.Post("/v1/holds/" + id + "/extend", R"({"by_s":60})", owner), 410,
                        "hold_expired"));
  EXPECT_TRUE(
      IsProblem(api.Post("/v1/holds/" + id + "/confirm", R"({"payment_ref":"late"})", admin), 410,
                "hold_expired"));
  EXPECT_EQ(AvailabilityVersion(api, show), v);
  Reply again =
      api.Post("/v1/shows/" + show + "/holds", SeatsBody({"STALLS-A-1"}), FanAuth(server_, "bob"));
  EXPECT_EQ(again.status, 201u) << again.Describe();
  Reply audit = api.Get("/v1/shows/" + show + "/audit", admin);
  EXPECT_TRUE(audit.Bool("ok")) << audit.Describe();
}

}  // namespace
}  // namespace boxoffice::itest
