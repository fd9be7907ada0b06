// The live stream of the real binary (GET /v1/shows/{id}/changes, SSE and
// WebSocket): subscribers see exactly the changes the server made, in
// version order, including expiries; reconnecting subscribers catch up or
// are told to resync; fans get their own hold events and no one else's; a
// subscriber that stops reading is cut off without disturbing the others.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "api_client.h"
#include "server_process.h"
#include "stream_client.h"

namespace boxoffice::itest {
namespace {

using Kind = StreamClient::Kind;
using std::chrono::milliseconds;
constexpr milliseconds kWait = std::chrono::seconds(10);

// One change as a subscriber saw it.
struct Seen {
  uint64_t version = 0;
  std::string reason;
  std::string state;
  std::vector<std::string> seats;
  friend bool operator==(const Seen&, const Seen&) = default;
};

std::ostream& operator<<(std::ostream& os, const Seen& s) {
  os << s.version << " " << s.reason << "/" << s.state << " [";
  for (const auto& l : s.seats) os << l << " ";
  return os << "]";
}

Seen SeenOf(const StreamMessage& m) {
  Seen s{m.version(), JsonStr(m.json, "reason"), JsonStr(m.json, "state"),
         JsonStrings(m.json, "seats")};
  std::sort(s.seats.begin(), s.seats.end());
  return s;
}

// What a subscriber received, by kind.
struct Received {
  std::vector<StreamMessage> changes, holds, control;  // control: hello, resync
  uint64_t last_version = 0;
};

// Reads until `done(r)` holds; fails the test on a stream error.
::testing::AssertionResult ReadUntil(StreamClient& c, Received& r,
                                     const std::function<bool(const Received&)>& done,
                                     milliseconds timeout = kWait) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done(r)) {
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return ::testing::AssertionFailure() << "timed out";
    StatusOr<StreamMessage> m = c.Next(left);
    if (!m.ok()) return ::testing::AssertionFailure() << m.status().message();
    const std::string type = m->type();
    if (type == "change") {
      if (m->version() != r.last_version + 1)
        return ::testing::AssertionFailure()
               << "version " << m->version() << " after " << r.last_version;
      r.last_version = m->version();
      r.changes.push_back(std::move(*m));
    } else if (type == "hold") {
      r.holds.push_back(std::move(*m));
    } else {
      if (type == "hello" || type == "resync") r.last_version = m->version();
      r.control.push_back(std::move(*m));
    }
  }
  return ::testing::AssertionSuccess();
}

auto UpTo(uint64_t version) {
  return [version](const Received& r) { return r.last_version >= version; };
}

std::string HoldBody(std::initializer_list<std::string> labels) {
  std::string b = R"({"seats":[)";
  for (const auto& l : labels) b += (b.back() == '[' ? "\"" : ",\"") + l + "\"";
  return b + "]}";
}

// A metric's value from /metrics; -1 when absent.
double Metric(Api& api, const std::string& name) {
  const Reply r = api.Get("/metrics");
  const std::string needle = "\n" + name + " ";
  const size_t at = r.body.find(needle);
  return at == std::string::npos ? -1 : std::stod(r.body.substr(at + needle.size()));
}

class LiveStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok()) << server_.Log();
    api_ = std::make_unique<Api>(server_.port());
    const std::string venue = CreateVenue(*api_, AdminAuth(server_), GridJson("Grid", 10, 20));
    show_ = CreateShow(*api_, AdminAuth(server_),
                       ShowJson(venue, "Live", GridPrices(), R"(,"hold_ttl_s":2)"));
    ASSERT_FALSE(show_.empty());
  }

  std::string Changes() const { return "/v1/shows/" + show_ + "/changes"; }

  std::unique_ptr<StreamClient> Subscribe(Kind kind, const std::string& query = "",
                                          HeaderList headers = {}) {
    auto c = std::make_unique<StreamClient>(kind, server_.port(), Changes() + query, headers);
    const Status s = c->Connect();
    EXPECT_TRUE(s.ok()) << s.message();
    return c;
  }

  Reply Hold(const std::string& user, std::initializer_list<std::string> seats) {
    Reply r = api_->Post("/v1/shows/" + show_ + "/holds", HoldBody(seats), FanAuth(server_, user));
    EXPECT_EQ(r.status, 201u) << r.Describe();
    return r;
  }

  ServerProcess server_{
      {"--live-history-changes-max", "64", "--hold-warning-s", "1", "--live-heartbeat-ms", "300"}};
  std::unique_ptr<Api> api_;
  std::string show_;
};

TEST_F(LiveStreamTest, EverySubscriberSeesTheChangesTheServerMadeInVersionOrder) {
  const std::string alice_token = FanAuth(server_, "alice")[0].second.substr(7);
  std::vector<std::unique_ptr<StreamClient>> subs;
  subs.push_back(Subscribe(Kind::kSse));
  subs.push_back(Subscribe(Kind::kSse, "?access_token=" + alice_token));
  subs.push_back(Subscribe(Kind::kWebSocket));
  subs.push_back(Subscribe(Kind::kWebSocket, "", FanAuth(server_, "bob")));
  std::vector<Received> got(subs.size());
  for (size_t i = 0; i < subs.size(); ++i) {
    ASSERT_TRUE(ReadUntil(*subs[i], got[i], [](const Received& r) { return !r.control.empty(); }));
    EXPECT_EQ(got[i].control[0].type(), "hello");
    EXPECT_EQ(got[i].control[0].version(), 0u);
  }

  const Reply a = Hold("alice", {GridSeat(1, 1), GridSeat(1, 2)});
  const Reply b = Hold("bob", {GridSeat(2, 1)});
  EXPECT_EQ(api_->Delete("/v1/holds/" + a.Str("id"),
                         With(FanAuth(server_, "alice"), HoldToken(a.Str("token"))))
                .status,
            204u);
  const Reply booking = api_->Post("/v1/holds/" + b.Str("id") + "/confirm",
                                   R"({"payment_ref":"box-1"})", AdminAuth(server_));
  ASSERT_EQ(booking.status, 201u) << booking.Describe();
  const Reply cancelled =
      api_->Post("/v1/bookings/" + booking.Str("id") + "/cancel", "{}", AdminAuth(server_));
  ASSERT_EQ(cancelled.status, 200u) << cancelled.Describe();
  const Reply d = Hold("alice", {GridSeat(3, 5)});  // both left to expire
  const Reply e = Hold("bob", {GridSeat(4, 1)});

  const std::vector<Seen> expected = {
      {1, "held", "held", {GridSeat(1, 1), GridSeat(1, 2)}},
      {2, "held", "held", {GridSeat(2, 1)}},
      {3, "released", "free", {GridSeat(1, 1), GridSeat(1, 2)}},
      {4, "booked", "booked", {GridSeat(2, 1)}},
      {5, "cancelled", "free", {GridSeat(2, 1)}},
      {6, "held", "held", {GridSeat(3, 5)}},
      {7, "held", "held", {GridSeat(4, 1)}},
      {8, "expired", "free", {GridSeat(3, 5)}},
      {9, "expired", "free", {GridSeat(4, 1)}},
  };
  for (size_t i = 0; i < subs.size(); ++i) {
    ASSERT_TRUE(ReadUntil(*subs[i], got[i], UpTo(9))) << "subscriber " << i;
    std::vector<Seen> seen;
    for (const auto& m : got[i].changes) seen.push_back(SeenOf(m));
    EXPECT_EQ(seen, expected) << "subscriber " << i;
  }
  // The server's own record agrees: version 9, every seat free again.
  EXPECT_EQ(AvailabilityVersion(*api_, show_), 9u);
  const Reply availability = api_->Get("/v1/shows/" + show_ + "/availability");
  for (core::SeatState s : SeatStates(availability, 200)) EXPECT_EQ(s, core::SeatState::kFree);
  // Expired holds reach the stream within a second of expires_at.
  const int64_t expired_at = ParseTimeMs(JsonStr(got[0].changes[7].json, "at"));
  const int64_t expires_at = ParseTimeMs(d.Str("expires_at"));
  EXPECT_GE(expired_at, expires_at);
  EXPECT_LE(expired_at - expires_at, 1000);

  // Hold events: each fan gets the events of their own holds, and only those.
  const auto has = [](const Received& r, const std::string& event, const std::string& hold) {
    return std::any_of(r.holds.begin(), r.holds.end(), [&](const StreamMessage& m) {
      return JsonStr(m.json, "event") == event && JsonStr(m.json, "hold") == hold;
    });
  };
  Received& alice = got[1];
  Received& bob = got[3];
  ASSERT_TRUE(ReadUntil(*subs[1], alice, [&](const Received& r) {
    return has(r, "expiring_soon", d.Str("id")) && has(r, "expired", d.Str("id"));
  }));
  ASSERT_TRUE(ReadUntil(*subs[3], bob, [&](const Received& r) {
    return has(r, "booked", b.Str("id")) && has(r, "expiring_soon", e.Str("id")) &&
           has(r, "expired", e.Str("id"));
  }));
  for (const auto& m : alice.holds) {
    const std::string hold = JsonStr(m.json, "hold");
    EXPECT_TRUE(hold == a.Str("id") || hold == d.Str("id")) << ToJson(m.json);
  }
  for (const auto& m : bob.holds) {
    const std::string hold = JsonStr(m.json, "hold");
    EXPECT_TRUE(hold == b.Str("id") || hold == e.Str("id")) << ToJson(m.json);
    if (JsonStr(m.json, "event") == "booked") {
      EXPECT_EQ(JsonStr(m.json, "booking"), booking.Str("id"));
    }
  }
  EXPECT_TRUE(got[0].holds.empty());
  EXPECT_TRUE(got[2].holds.empty());
  // Quiet streams get heartbeats.
  Received more;
  more.last_version = 9;
  EXPECT_FALSE(ReadUntil(*subs[0], more, UpTo(10), milliseconds(700)));
  EXPECT_GE(subs[0]->heartbeats(), 1);
}

TEST_F(LiveStreamTest, AReconnectingSubscriberCatchesUpOrIsToldToResync) {
  for (int i = 0; i < 3; ++i) {
    const Reply h = Hold("carol", {GridSeat(5, 1)});
    ASSERT_EQ(api_->Delete("/v1/holds/" + h.Str("id"),
                           With(FanAuth(server_, "carol"), HoldToken(h.Str("token"))))
                  .status,
              204u);
  }  // versions 1..6
  for (Kind kind : {Kind::kSse, Kind::kWebSocket}) {
    auto c = kind == Kind::kSse ? Subscribe(kind, "", {{"Last-Event-ID", "2"}})
                                : Subscribe(kind, "?since=2");
    Received r;
    ASSERT_TRUE(ReadUntil(*c, r, UpTo(6)));
    ASSERT_EQ(r.control.size(), 1u);
    EXPECT_EQ(r.control[0].type(), "hello");
    EXPECT_EQ(r.control[0].version(), 2u);
    ASSERT_EQ(r.changes.size(), 4u);
    EXPECT_EQ(r.changes.front().version(), 3u);
  }
  // 140 more changes (146 in all): beyond the history of 64, so version 2 is too old.
  for (int i = 0; i < 70; ++i) {
    const Reply h = Hold("carol", {GridSeat(6, 1)});
    api_->Delete("/v1/holds/" + h.Str("id"),
                 With(FanAuth(server_, "carol"), HoldToken(h.Str("token"))));
  }
  const double resyncs_before = Metric(*api_, "live_resyncs_total");
  uint32_t seat = 1;
  for (Kind kind : {Kind::kSse, Kind::kWebSocket}) {
    const uint64_t head = AvailabilityVersion(*api_, show_);
    auto c = Subscribe(kind, "?since=2");
    Received r;
    ASSERT_TRUE(ReadUntil(*c, r, [](const Received& x) { return x.control.size() == 2; }));
    EXPECT_EQ(r.control[0].type(), "hello");
    EXPECT_EQ(r.control[1].type(), "resync");
    EXPECT_EQ(r.control[1].version(), head);
    EXPECT_TRUE(r.changes.empty());
    // After the resync the stream goes on from there.
    Hold("carol", {GridSeat(7, seat++)});
    ASSERT_TRUE(ReadUntil(*c, r, UpTo(r.last_version + 1)));
    EXPECT_EQ(r.changes.back().version(), r.control[1].version() + 1);
  }
  EXPECT_EQ(Metric(*api_, "live_resyncs_total"), resyncs_before + 2);
}

TEST_F(LiveStreamTest, BadRequestsAreRefusedBeforeStreaming) {
  StreamClient bad_since(Kind::kSse, server_.port(), Changes() + "?since=x");
  EXPECT_NE(bad_since.Connect().message().find("400"), std::string::npos);
  StreamClient bad_token(Kind::kWebSocket, server_.port(), Changes() + "?access_token=nope");
  EXPECT_NE(bad_token.Connect().message().find("401"), std::string::npos);
  StreamClient no_show(Kind::kSse, server_.port(), "/v1/shows/s999/changes");
  EXPECT_NE(no_show.Connect().message().find("404"), std::string::npos);
}

// A subscriber that never reads fills its socket; the server cuts it off
// after the stall timeout, while the others get every change and every
// request is answered.
TEST(LiveStreamSlowConsumer, AStalledSubscriberIsCutOffAndOthersGetEverything) {
  ServerProcess server({"--live-stall-timeout-ms", "500", "--seats-per-owner-max", "1000"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  Api api(server.port());
  const std::string venue = CreateVenue(api, AdminAuth(server), GridJson("Big", 20, 50));
  const std::string show =
      CreateShow(api, AdminAuth(server), ShowJson(venue, "Busy", GridPrices()));
  const std::string path = "/v1/shows/" + show + "/changes";
  constexpr int kRounds = 600;  // holds of 10 seats and their releases
  constexpr uint64_t kChanges = 2 * kRounds;

  std::vector<std::unique_ptr<StreamClient>> slow;
  for (Kind kind : {Kind::kSse, Kind::kWebSocket}) {
    slow.push_back(std::make_unique<StreamClient>(kind, server.port(), path, HeaderList{}, 4096));
    ASSERT_TRUE(slow.back()->Connect().ok());
  }
  std::vector<Received> got(2);
  std::vector<std::string> errors(2);
  std::vector<std::thread> readers;
  for (size_t i = 0; i < 2; ++i) {
    readers.emplace_back([&, i] {
      StreamClient c(i == 0 ? Kind::kSse : Kind::kWebSocket, server.port(), path);
      if (Status s = c.Connect(); !s.ok()) {
        errors[i] = s.message();
        return;
      }
      auto r = ReadUntil(c, got[i], UpTo(kChanges), std::chrono::seconds(60));
      if (!r) errors[i] = r.message();
    });
  }
  while (Metric(api, "live_subscribers") < 4) std::this_thread::sleep_for(milliseconds(10));

  const HeaderList fan = FanAuth(server, "dave");
  int answered = 0;
  for (int i = 0; i < kRounds; ++i) {
    const Reply h =
        api.Post("/v1/shows/" + show + "/holds", R"({"best_available":{"count":10}})", fan);
    const Reply d = api.Delete("/v1/holds/" + h.Str("id"), With(fan, HoldToken(h.Str("token"))));
    answered += (h.status == 201 && d.status == 204) ? 1 : 0;
  }
  EXPECT_EQ(answered, kRounds);
  for (auto& t : readers) t.join();
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(errors[i], "") << "reader " << i;
    EXPECT_EQ(got[i].changes.size(), kChanges) << "reader " << i;
    EXPECT_TRUE(got[i].holds.empty());
  }
  EXPECT_EQ(AvailabilityVersion(api, show), kChanges);
  // Both stalled subscribers are cut off (bounded wait), the readers are not.
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (Metric(api, "live_slow_consumer_disconnects_total") < 2 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_EQ(Metric(api, "live_slow_consumer_disconnects_total"), 2);
  EXPECT_EQ(Metric(api, "live_subscribers"), 0);  // the readers have left too
  EXPECT_GE(Metric(api, "live_messages_sent_total"), 2.0 * kChanges);
  EXPECT_TRUE(server.Stop().ok()) << server.Log();
}

TEST_F(LiveStreamTest, ShutdownClosesStreams) {
  auto sse = Subscribe(Kind::kSse);
  auto ws = Subscribe(Kind::kWebSocket);
  Received r1, r2;
  ASSERT_TRUE(ReadUntil(*sse, r1, [](const Received& r) { return !r.control.empty(); }));
  ASSERT_TRUE(ReadUntil(*ws, r2, [](const Received& r) { return !r.control.empty(); }));
  ASSERT_TRUE(server_.Stop().ok()) << server_.Log();
  EXPECT_FALSE(sse->Next(kWait).ok());
  EXPECT_FALSE(ws->Next(kWait).ok());
  EXPECT_EQ(ws->close_reason().substr(0, 4), "1001");
}

}  // namespace
}  // namespace boxoffice::itest
