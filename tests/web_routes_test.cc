// The routes the web pages need, against the real binary: sales paused and
// closed (holds refused, durable across a restart), the report as JSON and
// CSV, check-in once (a second scan says when, also after a restart; unknown,
// wrong show, cancelled), demo sign-in only with --demo, and the web pages
// served by the binary itself.
#include <gtest/gtest.h>

#include "api_client.h"
#include "server_process.h"

namespace boxoffice::itest {
namespace {

class WebRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok()) << server_.Log();
    api_ = std::make_unique<Api>(server_.port());
    admin_ = AdminAuth(server_);
    venue_ = CreateVenue(*api_, admin_, TheatreJson());
    show_ = CreateShow(*api_, admin_, ShowJson(venue_, "Web", TheatrePrices()));
  }
  void TearDown() override { EXPECT_TRUE(server_.Stop().ok()) << server_.Log(); }
  void Restart() {
    ASSERT_TRUE(server_.Restart().ok()) << server_.Log();
    api_ = std::make_unique<Api>(server_.port());
  }
  Reply Hold(const std::string& fan, const std::string& body) {
    return api_->Post("/v1/shows/" + show_ + "/holds", body, FanAuth(server_, fan));
  }
  // A booking of `seats` for `fan`, confirmed at the box office.
  Reply Book(const std::string& fan, const std::string& seats) {
    const Reply h = Hold(fan, R"({"seats":)" + seats + "}");
    EXPECT_EQ(h.status, 201u) << h.Describe();
    return api_->Post("/v1/holds/" + h.Str("id") + "/confirm", R"({"payment_ref":"box"})", admin_);
  }
  Reply SetSales(const std::string& state) {
    return api_->Call("PATCH", "/v1/shows/" + show_, R"({"sales":")" + state + R"("})",
                      With(admin_, {{"Content-Type", "application/json"}}));
  }
  Reply CheckIn(const std::string& code, const std::string& body = "") {
    return api_->Post("/v1/tickets/" + code + "/checkin", body, admin_);
  }

  ServerProcess server_{{"--demo"}};
  std::unique_ptr<Api> api_;
  HeaderList admin_;
  std::string venue_, show_;
};

TEST_F(WebRoutesTest, PausedAndClosedSalesRefuseHoldsDurably) {
  EXPECT_EQ(api_->Get("/v1/shows/" + show_).Str("sales"), "open");
  EXPECT_EQ(SetSales("shut").status, 400u);
  EXPECT_EQ(
      api_->Call("PATCH", "/v1/shows/" + show_, R"({"sales":"paused"})", FanAuth(server_, "alice"))
          .status,
      403u);
  const Reply paused = SetSales("paused");
  ASSERT_EQ(paused.status, 200u) << paused.Describe();
  EXPECT_EQ(paused.Str("sales"), "paused");
  EXPECT_EQ(Hold("alice", R"({"best_available":{"count":1}})").code(), "sales_paused");
  Restart();
  EXPECT_EQ(Hold("alice", R"({"best_available":{"count":1}})").code(), "sales_paused");
  ASSERT_EQ(SetSales("open").status, 200u);
  EXPECT_EQ(Hold("alice", R"({"best_available":{"count":1}})").status, 201u);
  ASSERT_EQ(SetSales("closed").status, 200u);
  EXPECT_EQ(Hold("bob", R"({"best_available":{"count":1}})").code(), "sales_closed");
  EXPECT_EQ(SetSales("open").code(), "sales_closed");
}

TEST_F(WebRoutesTest, TheReportCountsAndPricesTheSaleAsJsonAndCsv) {
  ASSERT_EQ(Book("alice", R"(["STALLS-A-1","STALLS-A-2"])").status, 201u);
  ASSERT_EQ(Book("bob", R"(["STALLS-C-1"])").status, 201u);
  const Reply json = api_->Get("/v1/shows/" + show_ + "/report", admin_);
  ASSERT_EQ(json.status, 200u) << json.Describe();
  EXPECT_EQ(json.Int("bookings"), 2);
  EXPECT_EQ(json.Int("places_booked"), 3);
  EXPECT_EQ(json.Int("revenue_minor"), 2 * kTheatrePremMinor + kTheatreStdMinor);
  EXPECT_EQ(json.Arr("minutes").size(), 1u);
  const Reply csv = api_->Get("/v1/shows/" + show_ + "/report?format=csv", admin_);
  ASSERT_EQ(csv.status, 200u);
  EXPECT_EQ(csv.Header("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_NE(csv.body.find("kind,section,category,minute,"), std::string::npos) << csv.body;
  EXPECT_NE(csv.body.find("place,STALLS,PREM,,20,18,0,2,0,,," +
                          std::to_string(2 * kTheatrePremMinor) + ",EUR\n"),
            std::string::npos)
      << csv.body;
  EXPECT_NE(csv.body.find("total,,,,,,,,,2,3,"), std::string::npos) << csv.body;
  EXPECT_EQ(api_->Get("/v1/shows/" + show_ + "/report?format=xml", admin_).status, 400u);
  EXPECT_EQ(api_->Get("/v1/shows/" + show_ + "/report", FanAuth(server_, "alice")).status, 403u);
}

TEST_F(WebRoutesTest, ATicketIsCheckedInOnceEvenAcrossARestart) {
  const Reply booking = Book("alice", R"(["STALLS-B-3","STALLS-B-4"])");
  ASSERT_EQ(booking.status, 201u) << booking.Describe();
  const std::string code = JsonStr(booking.Arr("tickets")[0], "code");
  const std::string other = JsonStr(booking.Arr("tickets")[1], "code");
  const Reply first = CheckIn(code, R"({"show":")" + show_ + R"("})");
  ASSERT_EQ(first.status, 200u) << first.Describe();
  EXPECT_EQ(first.Str("result"), "checked_in");
  const std::string at = first.Str("checked_in_at");
  const Reply second = CheckIn(code);
  EXPECT_EQ(second.code(), "already_checked_in");
  EXPECT_EQ(second.Str("checked_in_at"), at);
  const Reply metrics = api_->Get("/metrics");
  EXPECT_NE(metrics.body.find("checkins_total{result=\"checked_in\"} 1\n"), std::string::npos);
  EXPECT_NE(metrics.body.find("checkins_total{result=\"already_checked_in\"} 1\n"),
            std::string::npos);
  Restart();
  EXPECT_EQ(CheckIn(code).Str("checked_in_at"), at);
  EXPECT_EQ(CheckIn("tk_00000000000000000000000000000000").status, 404u);
  EXPECT_EQ(CheckIn(other, R"({"show":"s999"})").code(), "wrong_show");
  EXPECT_EQ(CheckIn(other, R"({"show":7})").status, 400u);
  EXPECT_EQ(api_->Post("/v1/tickets/" + other + "/checkin", "", FanAuth(server_, "alice")).status,
            403u);
  ASSERT_EQ(api_->Post("/v1/bookings/" + booking.Str("id") + "/cancel", "{}", admin_).status, 200u);
  EXPECT_EQ(CheckIn(other).code(), "ticket_cancelled");
}

TEST_F(WebRoutesTest, DemoSignInGivesAWorkingFanToken) {
  const Reply t = api_->Post("/v1/demo/token", R"({"name":"zoe"})");
  ASSERT_EQ(t.status, 201u) << t.Describe();
  EXPECT_EQ(t.Str("user"), "zoe");
  const Reply hold =
      api_->Post("/v1/shows/" + show_ + "/holds", R"({"best_available":{"count":1}})",
                 {{"Authorization", "Bearer " + t.Str("token")}});
  EXPECT_EQ(hold.status, 201u) << hold.Describe();
  EXPECT_EQ(api_->Post("/v1/demo/token", R"({"name":"a b"})").status, 400u);
  EXPECT_EQ(api_->Post("/v1/demo/token", R"({"name":""})").status, 400u);
  EXPECT_EQ(api_->Post("/v1/demo/token", R"({})").status, 400u);
}

TEST(WebRoutesWithoutDemo, ThereIsNoDemoSignInAndThePagesAreServed) {
  ServerProcess server;
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  Api api(server.port());
  EXPECT_EQ(api.Post("/v1/demo/token", R"({"name":"zoe"})").status, 404u);
  const Reply page = api.Get("/shows/s1");
  EXPECT_EQ(page.status, 200u);
  EXPECT_EQ(page.Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page.Header("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  EXPECT_TRUE(server.Stop().ok()) << server.Log();
}

}  // namespace
}  // namespace boxoffice::itest
