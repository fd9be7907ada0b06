// SIGTERM while clients are mid-request: the server answers what it is
// handling, does not wait for a client that stopped sending, and exits 0.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "api_client.h"
#include "http/test_client.h"
#include "server_process.h"

namespace boxoffice::itest {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The gateway takes this long to make a payment: the checkout is in flight
// when SIGTERM arrives.
constexpr int kGatewayLatencyMs = 3'000;
// SIGTERM goes this long after the checkout was sent (it is in its handler by then).
constexpr milliseconds kCheckoutHeadStart{500};
// Well under the 10 s a request may take to arrive, which is what a stop
// waited for a client that had sent half a request (the drain is 120 s here).
constexpr seconds kStopWithin{8};

TEST(ShutdownTest, AHalfSentRequestDoesNotHoldUpSigtermAndARequestInFlightIsAnswered) {
  ServerProcess server(
      {"--gateway-latency-ms=" + std::to_string(kGatewayLatencyMs), "--drain-timeout-s=120"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  Api api(server.port());
  const HeaderList alice = FanAuth(server, "alice");
  const std::string venue = CreateVenue(api, AdminAuth(server), TheatreJson());
  const std::string show =
      CreateShow(api, AdminAuth(server), ShowJson(venue, "Last call", TheatrePrices()));
  Reply hold = api.Post("/v1/shows/" + show + "/holds", R"({"seats":["STALLS-A-1"]})", alice);
  ASSERT_EQ(hold.status, 201u) << hold.Describe();

  // Half a request: its header (the server invites the body), then a little of the body.
  http::TestClient half("127.0.0.1", server.port(), seconds(60));
  std::string head = "POST /v1/shows/" + show + "/holds HTTP/1.1\r\nHost: x\r\n";
  for (const auto& [name, value] : alice) head += name + ": " + value + "\r\n";
  head += "Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n";
  ASSERT_TRUE(half.SendRaw(head).ok());
  auto interim = half.ReadResponse();
  ASSERT_TRUE(interim.ok()) << interim.status().message();
  ASSERT_EQ(interim->status, 100u);
  ASSERT_TRUE(half.SendRaw(R"({"seats":)").ok());

  auto checkout = std::async(std::launch::async, [&] {
    Api fan(server.port(), seconds(60));
    return fan.Post("/v1/holds/" + hold.Str("id") + "/checkout", "",
                    With(alice, HoldToken(hold.Str("token"))));
  });
  std::this_thread::sleep_for(kCheckoutHeadStart);
  const Status stopped = server.Stop(kStopWithin);
  EXPECT_TRUE(stopped.ok()) << stopped.message();

  const Reply paid = checkout.get();
  EXPECT_EQ(paid.status, 201u) << paid.Describe();
  auto refused = half.ReadResponse();
  ASSERT_TRUE(refused.ok()) << refused.status().message();
  EXPECT_EQ(refused->status, 503u) << refused->body;
  EXPECT_NE(refused->body.find(R"("code":"overloaded")"), std::string::npos) << refused->body;
  EXPECT_FALSE(refused->keep_alive);
}

}  // namespace
}  // namespace boxoffice::itest
