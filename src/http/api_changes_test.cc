// The outbox route over real sockets once changes are past their retention:
// the booking service runs on a fake clock, its sweeper prunes the outbox,
// and a reader behind what is kept gets 410 changes_pruned with where to
// read on, at the global sequence and at a show's versions.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "http/api_test_fixture.h"
#include "http/seat_map_json.h"
#include "testing/fake_clock.h"
#include "testing/venues.h"

namespace boxoffice::http {
namespace {

class ApiChangesTest : public ApiServerTest {
 protected:
  ApiChangesTest() : ApiServerTest(&fake_clock_) {}  // fake_clock_ is made before it is read
  void SetUp() override { StartServer(); }

  ClientResponse Changes(const std::string& query) {
    StatusOr<ClientResponse> r = Call("GET", "/v1/changes?" + query, "", Admin());
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? std::move(r).value() : ClientResponse{};
  }
  ClientResponse Post(const std::string& path, const std::string& body,
                      TestClient::HeaderList headers) {
    StatusOr<ClientResponse> r = Call("POST", path, body, std::move(headers));
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? std::move(r).value() : ClientResponse{};
  }
  static boost::json::value Json(const ClientResponse& r) { return boost::json::parse(r.body); }

  // A show on sale with one seat held: change seq 1.
  std::string ShowWithAHold() {
    const std::string venue =
        boost::json::serialize(SeatMapSpecToJson(testing::GridVenue(1, 1, 4)));
    const ClientResponse v = Post("/v1/venues", venue, Admin());
    EXPECT_EQ(v.status, 201u) << v.body;
    const ClientResponse s = Post("/v1/shows",
                                  R"({"venue_id":)" + boost::json::serialize(Json(v).at("id")) +
                                      R"(,"name":"Show","starts_at":"2099-01-01T20:00:00Z",)"
                                      R"("on_sale_at":"2000-01-01T00:00:00Z","currency":"EUR",)"
                                      R"("prices":{"P1":5000,"P2":2500}})",
                                  Admin());
    EXPECT_EQ(s.status, 201u) << s.body;
    const std::string show(Json(s).at("id").as_string());
    const ClientResponse h =
        Post("/v1/shows/" + show + "/holds", R"({"best_available":{"count":1}})", Fan("alice"));
    EXPECT_EQ(h.status, 201u) << h.body;
    return show;
  }

  testing::FakeClock fake_clock_;  // read through clock_ once the service runs
};

TEST_F(ApiChangesTest, AReaderBehindWhatTheOutboxKeepsIsToldWhereToReadOn) {
  const std::string show = ShowWithAHold();
  const ClientResponse kept = Changes("after=0");
  ASSERT_EQ(kept.status, 200u) << kept.body;
  ASSERT_EQ(Json(kept).at("changes").as_array().size(), 1u);

  // A week on, the sweeper expires the hold (seq 2) and prunes seq 1.
  fake_clock_.Advance(service::kOutboxRetentionMs + service::kClosedHoldPruneIntervalMs);
  svc_->StartSweeper();
  ClientResponse gone;
  for (int i = 0; i < 500; ++i) {
    gone = Changes("after=0");
    if (gone.status != 200) break;
    usleep(10'000);
  }
  ASSERT_EQ(gone.status, 410u) << gone.body;
  EXPECT_EQ(gone.headers.Get("Content-Type"), "application/problem+json");
  EXPECT_EQ(Json(gone).at("code"), "changes_pruned");
  EXPECT_EQ(Json(gone).at("next_after"), 1);

  const ClientResponse next = Changes("after=1");
  ASSERT_EQ(next.status, 200u) << next.body;
  const boost::json::value body = Json(next);
  const boost::json::array& changes = body.at("changes").as_array();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].at("seq"), 2);
  EXPECT_EQ(changes[0].at("reason"), "expired");

  const ClientResponse by_show = Changes("show=" + show + "&after=0");
  ASSERT_EQ(by_show.status, 410u) << by_show.body;
  EXPECT_EQ(Json(by_show).at("next_after"), 1);
  EXPECT_EQ(Changes("show=" + show + "&after=1").status, 200u);
}

}  // namespace
}  // namespace boxoffice::http
