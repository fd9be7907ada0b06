// The outbox over real HTTP: GET /v1/changes gives every change of every
// show, durably, in order (by a global sequence, or by a show's versions),
// page by page, to admins only, and the same after a restart.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api_client.h"
#include "server_process.h"

namespace boxoffice::itest {
namespace {

std::vector<std::string> Field(const Reply& r, std::string_view key) {
  std::vector<std::string> out;
  if (!r.Has("changes")) return out;
  for (const boost::json::value& c : r.Arr("changes")) {
    const boost::json::value& v = c.at(key);
    out.push_back(v.is_string() ? std::string(v.as_string())
                                : std::to_string(v.to_number<int64_t>()));
  }
  return out;
}

TEST(Outbox, EveryChangeInOrderPageByPageAndAfterARestart) {
  ServerProcess server;
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  Api api(server.port());
  const HeaderList admin = AdminAuth(server);
  const std::string venue = CreateVenue(api, admin, GridJson("Outbox Hall", 2, 10));
  const std::string show = CreateShow(api, admin, ShowJson(venue, "Outbox", GridPrices()));
  const std::string other = CreateShow(api, admin, ShowJson(venue, "Other", GridPrices()));

  // held, released, held, booked on `show`; held on `other`.
  Reply h = api.Post("/v1/shows/" + show + "/holds",
                     "{\"seats\":[\"" + GridSeat(1, 1) + "\",\"" + GridSeat(1, 2) + "\"]}",
                     FanAuth(server, "ann"));
  ASSERT_EQ(h.status, 201u) << h.Describe();
  ASSERT_EQ(api.Delete("/v1/holds/" + h.Str("id"),
                       With(FanAuth(server, "ann"), HoldToken(h.Str("token"))))
                .status,
            204u);
  h = api.Post("/v1/shows/" + show + "/holds", "{\"seats\":[\"" + GridSeat(2, 5) + "\"]}",
               FanAuth(server, "ben"));
  ASSERT_EQ(h.status, 201u) << h.Describe();
  ASSERT_EQ(api.Post("/v1/holds/" + h.Str("id") + "/confirm", "{\"payment_ref\":\"cash-1\"}", admin)
                .status,
            201u);
  ASSERT_EQ(api.Post("/v1/shows/" + other + "/holds", "{\"seats\":[\"" + GridSeat(1, 1) + "\"]}",
                     FanAuth(server, "cat"))
                .status,
            201u);

  const Reply mine = api.Get("/v1/changes?show=" + show, admin);
  ASSERT_EQ(mine.status, 200u) << mine.Describe();
  EXPECT_EQ(Field(mine, "reason"),
            (std::vector<std::string>{"held", "released", "held", "booked"}));
  EXPECT_EQ(Field(mine, "version"), (std::vector<std::string>{"1", "2", "3", "4"}));
  EXPECT_EQ(JsonStrings(mine.Arr("changes")[0], "seats"),
            (std::vector<std::string>{GridSeat(1, 1), GridSeat(1, 2)}));
  EXPECT_EQ(mine.Int("next_after"), 4);

  // Every show, two at a time, following next_after.
  std::vector<std::string> shows;
  int64_t after = 0;
  for (int page = 0; page < 10; ++page) {
    const Reply r = api.Get("/v1/changes?after=" + std::to_string(after) + "&limit=2", admin);
    ASSERT_EQ(r.status, 200u) << r.Describe();
    if (r.Arr("changes").empty()) break;
    EXPECT_LE(r.Arr("changes").size(), 2u);
    for (const std::string& s : Field(r, "show_id")) shows.push_back(s);
    after = r.Int("next_after");
  }
  EXPECT_EQ(shows, (std::vector<std::string>{show, show, show, show, other}));

  // Admins only; bad parameters are 400s.
  EXPECT_EQ(api.Get("/v1/changes", FanAuth(server, "ann")).status, 403u);
  EXPECT_EQ(api.Get("/v1/changes").status, 401u);
  for (const char* bad : {"?after=-1", "?after=x", "?limit=0", "?limit=100000", "?show=nope"}) {
    EXPECT_EQ(api.Get(std::string("/v1/changes") + bad, admin).status, 400u) << bad;
  }
  EXPECT_EQ(api.Get("/v1/changes?show=s999", admin).status, 404u);

  // Durable: the same after a restart.
  ASSERT_TRUE(server.Restart().ok()) << server.Log();
  Api again(server.port());
  const Reply after_restart = again.Get("/v1/changes?show=" + show, admin);
  EXPECT_EQ(Field(after_restart, "reason"), Field(mine, "reason"));
  EXPECT_EQ(Field(after_restart, "seq"), Field(mine, "seq"));
  EXPECT_TRUE(server.Stop().ok()) << server.Log();
}

}  // namespace
}  // namespace boxoffice::itest
