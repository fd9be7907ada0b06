// A graceful restart (SIGTERM, exit 0, start on the same data dir) keeps
// everything: live holds with their original deadline and token, bookings,
// idempotent answers, and an availability version that never goes back.
// Holds whose deadline passed while the server was down come back expired.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <thread>

#include "api_client.h"
#include "server_process.h"

namespace boxoffice::itest {
namespace {

using core::SeatState;
using std::chrono::milliseconds;

std::string SeatsBody(std::string_view a, std::string_view b = {}) {
  return R"({"seats":[")" + std::string(a) + (b.empty() ? "" : R"(",")" + std::string(b)) +
         R"("]})";
}

TEST(RestartTest, HoldsBookingsAndVersionsSurviveAGracefulRestart) {
  ServerProcess server;
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  const HeaderList admin = AdminAuth(server);
  std::string show, hold_a, token_a, expires_a, hold_b, token_b, expires_b, booking, booking_body;
  std::string avail_before, idem_body;
  uint64_t version_before = 0;
  {
    Api api(server.port());
    const std::string venue = CreateVenue(api, admin, TheatreJson());
    show = CreateShow(api, admin, ShowJson(venue, "Restart show", TheatrePrices()));
    ASSERT_FALSE(show.empty());
    const std::string holds = "/v1/shows/" + show + "/holds";

    Reply a = api.Post(holds, SeatsBody("STALLS-A-1", "STALLS-A-2"), FanAuth(server, "alice"));
    ASSERT_EQ(a.status, 201u) << a.Describe();
    hold_a = a.Str("id");
    token_a = a.Str("token");
    expires_a = a.Str("expires_at");

    Reply b = api.Post(holds, SeatsBody("STALLS-B-1"), FanAuth(server, "bob"));
    ASSERT_EQ(b.status, 201u) << b.Describe();
    hold_b = b.Str("id");
    token_b = b.Str("token");
    Reply ext = api.Post("/v1/holds/" + hold_b + "/extend", R"({"by_s":300})",
                         With(FanAuth(server, "bob"), HoldToken(token_b)));
    ASSERT_EQ(ext.status, 200u) << ext.Describe();
    expires_b = ext.Str("expires_at");

    Reply c = api.Post(holds, SeatsBody("STALLS-C-1", "STALLS-C-2"), FanAuth(server, "carol"));
    ASSERT_EQ(c.status, 201u) << c.Describe();
    Reply bk =
        api.Post("/v1/holds/" + c.Str("id") + "/confirm", R"({"payment_ref":"pay-c"})", admin);
    ASSERT_EQ(bk.status, 201u) << bk.Describe();
    booking = bk.Str("id");
    booking_body = api.Get("/v1/bookings/" + booking, admin).body;

    Reply d = api.Post(holds, R"({"general_admission":{"area":"FLOOR","quantity":2}})",
                       FanAuth(server, "dave"));
    ASSERT_EQ(d.status, 201u) << d.Describe();
    ASSERT_EQ(api.Delete("/v1/holds/" + d.Str("id"),
                         With(FanAuth(server, "dave"), HoldToken(d.Str("token"))))
                  .status,
              204u);

    Reply e = api.Post(holds, SeatsBody("STALLS-D-5"),
                       With(FanAuth(server, "erin"), IdempotencyKey("erin-1")));
    ASSERT_EQ(e.status, 201u) << e.Describe();
    idem_body = e.body;

    Reply av = api.Get("/v1/shows/" + show + "/availability");
    ASSERT_EQ(av.status, 200u);
    version_before = static_cast<uint64_t>(av.Int("version"));
    avail_before = av.body;
  }

  ASSERT_TRUE(server.Restart().ok()) << server.Log();

  Api api(server.port());
  Reply a = api.Get("/v1/holds/" + hold_a, FanAuth(server, "alice"));
  ASSERT_EQ(a.status, 200u) << a.Describe();
  EXPECT_EQ(a.Str("status"), "held");
  EXPECT_EQ(a.Str("expires_at"), expires_a);
  EXPECT_EQ(JsonStrings(a.json, "seats"), (std::vector<std::string>{"STALLS-A-1", "STALLS-A-2"}));
  Reply b = api.Get("/v1/holds/" + hold_b, FanAuth(server, "bob"));
  ASSERT_EQ(b.status, 200u) << b.Describe();
  EXPECT_EQ(b.Str("expires_at"), expires_b) << "the extension survives";
  Reply bk = api.Get("/v1/bookings/" + booking, admin);
  ASSERT_EQ(bk.status, 200u) << bk.Describe();
  EXPECT_EQ(bk.body, booking_body);

  Reply av = api.Get("/v1/shows/" + show + "/availability");
  ASSERT_EQ(av.status, 200u) << av.Describe();
  EXPECT_GE(static_cast<uint64_t>(av.Int("version")), version_before);
  const std::vector<SeatState> before =
      SeatStates(Reply{200, {}, avail_before, boost::json::parse(avail_before), ""}, kTheatreSeats);
  EXPECT_EQ(SeatStates(av, kTheatreSeats), before) << "seat states changed across the restart";
  EXPECT_EQ(ToJson(av.json.as_object().at("sections")),
            ToJson(boost::json::parse(avail_before).as_object().at("sections")));

  // The idempotent answer is kept; the tokens still work.
  Reply e = api.Post("/v1/shows/" + show + "/holds", SeatsBody("STALLS-D-5"),
                     With(FanAuth(server, "erin"), IdempotencyKey("erin-1")));
  EXPECT_EQ(e.status, 201u) << e.Describe();
  EXPECT_EQ(e.body, idem_body);
  Reply ext = api.Post("/v1/holds/" + hold_a + "/extend", R"({"by_s":60})",
                       With(FanAuth(server, "alice"), HoldToken(token_a)));
  EXPECT_EQ(ext.status, 200u) << ext.Describe();
  EXPECT_EQ(ParseTimeMs(ext.Str("expires_at")), ParseTimeMs(expires_a) + 60'000);
  EXPECT_EQ(
      api.Delete("/v1/holds/" + hold_b, With(FanAuth(server, "bob"), HoldToken(token_b))).status,
      204u);
  Reply conf = api.Post("/v1/holds/" + hold_a + "/confirm", R"({"payment_ref":"pay-a"})", admin);
  EXPECT_EQ(conf.status, 201u) << conf.Describe();
  Reply taken =
      api.Post("/v1/shows/" + show + "/holds", SeatsBody("STALLS-C-1"), FanAuth(server, "frank"));
  EXPECT_EQ(taken.code(), "seat_unavailable") << "a booked seat is free after the restart";
  const uint64_t version_after_changes = AvailabilityVersion(api, show);
  EXPECT_GT(version_after_changes, version_before);
  Reply audit = api.Get("/v1/shows/" + show + "/audit", admin);
  EXPECT_TRUE(audit.Bool("ok")) << audit.Describe();

  // A second restart: the version still does not go back.
  ASSERT_TRUE(server.Restart().ok()) << server.Log();
  Api api2(server.port());
  EXPECT_GE(AvailabilityVersion(api2, show), version_after_changes);
  EXPECT_EQ(api2.Get("/v1/bookings/" + conf.Str("id"), admin).Str("status"), "confirmed");
  EXPECT_TRUE(server.Stop().ok()) << server.Log();
}

TEST(RestartTest, HoldsThatExpiredWhileDownComeBackExpired) {
  ServerProcess server({"--hold-ttl-s", "2"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  const HeaderList admin = AdminAuth(server);
  std::string show, hold, expires_at;
  {
    Api api(server.port());
    const std::string venue = CreateVenue(api, admin, TheatreJson());
    show = CreateShow(api, admin, ShowJson(venue, "Short holds", TheatrePrices()));
    Reply h =
        api.Post("/v1/shows/" + show + "/holds", SeatsBody("STALLS-A-5"), FanAuth(server, "alice"));
    ASSERT_EQ(h.status, 201u) << h.Describe();
    hold = h.Str("id");
    expires_at = h.Str("expires_at");
  }
  ASSERT_TRUE(server.Stop().ok()) << server.Log();
  // Down until well past the deadline.
  const int64_t deadline_ms = ParseTimeMs(expires_at);
  ASSERT_GT(deadline_ms, 0);
  while (
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count() < deadline_ms + 500) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  Api api(server.port());
  Reply h = api.Get("/v1/holds/" + hold, FanAuth(server, "alice"));
  // A hold that ended may be forgotten by the store; if it is still known it
  // must read as expired.
  if (h.status == 200) {
    EXPECT_EQ(h.Str("status"), "expired") << h.Describe();
  } else {
    EXPECT_EQ(h.status, 404u) << h.Describe();
  }
  Reply av = api.Get("/v1/shows/" + show + "/availability");
  EXPECT_EQ(JsonInt(av.Arr("sections").at(0), "held"), 0) << av.Describe();
  Reply again =
      api.Post("/v1/shows/" + show + "/holds", SeatsBody("STALLS-A-5"), FanAuth(server, "bob"));
  EXPECT_EQ(again.status, 201u) << again.Describe();
  EXPECT_TRUE(server.Stop().ok()) << server.Log();
}

}  // namespace
}  // namespace boxoffice::itest
