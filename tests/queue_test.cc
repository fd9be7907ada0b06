// The waiting room over real sockets: join, status, access and holds; a fan
// ending their session early; every way around the hold gate refused with
// its code and nothing changed; the status pushed on the live stream; and a
// restart or a crash in the middle of an on-sale that keeps every fan's place.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <thread>

#include "api_client.h"
#include "core/waiting_room.h"
#include "crypto/encoding.h"
#include "crypto/hmac.h"
#include "http/api_json.h"
#include "http/queue_tokens.h"
#include "server_process.h"
#include "service/booking_service.h"
#include "service/system_clock.h"
#include "stream_client.h"

namespace boxoffice::itest {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kWait{30'000};

std::string Time(core::TimeMs t) { return http::FormatTime(t); }

std::string RoomJson(core::TimeMs prequeue_opens_at, core::TimeMs onsale_at, uint32_t rate,
                     uint32_t shoppers_max) {
  return R"({"enabled":true,"prequeue_opens_at":")" + Time(prequeue_opens_at) +
         R"(","onsale_at":")" + Time(onsale_at) + R"(","admissions_per_minute":)" +
         std::to_string(rate) + R"(,"active_shoppers_max":)" + std::to_string(shoppers_max) +
         R"(,"session_seconds":600,"mode":"everyone"})";
}

HeaderList Access(std::string_view token) { return {{"Boxoffice-Access", std::string(token)}}; }

class QueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok()) << server_.Log();
    api_ = std::make_unique<Api>(server_.port());
    admin_ = AdminAuth(server_);
    venue_ = CreateVenue(*api_, admin_, TheatreJson());
    show_ = NewShow("Hot show");
    ASSERT_FALSE(show_.empty());
  }

  std::string NewShow(std::string_view name) {
    return CreateShow(*api_, admin_, ShowJson(venue_, name, TheatrePrices()));
  }
  std::string Path(const std::string& show, std::string_view rest = "") {
    return "/v1/shows/" + show + "/queue" + std::string(rest);
  }
  Reply Configure(const std::string& show, const std::string& body) {
    return api_->Call("PUT", Path(show), body,
                      With(admin_, {{"Content-Type", "application/json"}}));
  }
  Reply Join(const std::string& show, const std::string& user) {
    return api_->Post(Path(show), "", FanAuth(server_, user));
  }
  Reply AccessFor(const std::string& show, const std::string& user, const std::string& ticket) {
    return api_->Post(Path(show, "/access"), R"({"ticket":")" + ticket + R"("})",
                      FanAuth(server_, user));
  }
  Reply Hold(const std::string& user, const HeaderList& extra, std::string_view seat) {
    return api_->Post("/v1/shows/" + show_ + "/holds",
                      R"({"seats":[")" + std::string(seat) + R"("]})",
                      With(FanAuth(server_, user), extra));
  }
  // Polls the status until `until` holds (or the deadline passes).
  Reply StatusWhen(const std::string& show, const std::function<bool(const Reply&)>& until) {
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    Reply r;
    do {
      r = api_->Get(Path(show, "/status"));
      if (r.status == 200 && until(r)) return r;
      std::this_thread::sleep_for(milliseconds(50));
    } while (std::chrono::steady_clock::now() < deadline);
    ADD_FAILURE() << "the status never got there: " << r.Describe();
    return r;
  }
  void KeepsEveryPlaceAcross(const std::function<void()>& restart);
  std::string QueueSecret() {
    std::ifstream in(server_.data_dir() + "/queue.secret");
    std::string s;
    std::getline(in, s);
    return s;
  }

  ServerProcess server_;
  std::unique_ptr<Api> api_;
  HeaderList admin_;
  std::string venue_;
  std::string show_;
};

TEST_F(QueueTest, FansJoinWaitTheirTurnAndHoldWithTheirAccessToken) {
  const core::TimeMs now = service::SystemWallMs();
  Reply room = Configure(show_, RoomJson(now - 1'000, now + 1'500, 6'000, 100));
  ASSERT_EQ(room.status, 200u) << room.Describe();
  const std::string commitment = room.Str("seed_sha256");
  ASSERT_EQ(commitment.size(), 64u);

  Reply alice = Join(show_, "alice");
  ASSERT_EQ(alice.status, 201u) << alice.Describe();
  EXPECT_TRUE(alice.Bool("prequeue"));
  EXPECT_TRUE(alice.json.as_object().at("sequence").is_null());
  EXPECT_EQ(alice.Str("status_url"), Path(show_, "/status"));
  Reply again = Join(show_, "alice");
  EXPECT_EQ(again.status, 200u);
  EXPECT_EQ(again.Int("entry"), alice.Int("entry"));
  Reply bob = Join(show_, "bob");
  ASSERT_EQ(bob.status, 201u);
  EXPECT_EQ(bob.Int("entry"), 2);
  // Before the draw nobody is admitted.
  Reply early = AccessFor(show_, "alice", alice.Str("ticket"));
  EXPECT_EQ(early.status, 409u) << early.Describe();
  EXPECT_EQ(early.code(), "not_admitted");

  Reply status = StatusWhen(show_, [](const Reply& r) { return r.Int("now_serving") >= 2; });
  EXPECT_EQ(status.Header("Cache-Control"), "public, max-age=1");
  const std::string etag = status.Header("ETag");
  ASSERT_FALSE(etag.empty());
  Reply cached = api_->Get(Path(show_, "/status"), {{"If-None-Match", etag}});
  EXPECT_TRUE(cached.status == 304u || cached.Header("ETag") != etag) << cached.Describe();
  // The seed is published and keeps the commitment; it orders the pre-queue.
  const std::optional<std::string> seed = crypto::HexDecode(status.Str("seed"));
  ASSERT_TRUE(seed.has_value()) << status.Describe();
  EXPECT_EQ(crypto::HexEncode(crypto::AsChars(crypto::Sha256(*seed))), commitment);
  core::LotterySeed lottery{};
  std::copy(seed->begin(), seed->end(), lottery.begin());
  const std::vector<uint32_t> order = core::LotteryOrder(lottery, 2);
  alice = Join(show_, "alice");
  EXPECT_EQ(alice.Int("sequence"), order[0] == 1 ? 1 : 2) << alice.Describe();

  Reply access = AccessFor(show_, "alice", alice.Str("ticket"));
  ASSERT_EQ(access.status, 200u) << access.Describe();
  const std::string token = access.Str("access_token");
  Reply access_again = AccessFor(show_, "alice", alice.Str("ticket"));
  EXPECT_EQ(access_again.Str("expires_at"), access.Str("expires_at"));  // the same session

  Reply held = Hold("alice", Access(token), "STALLS-A-1");
  ASSERT_EQ(held.status, 201u) << held.Describe();
  // A completed booking ends the session: the token opens nothing any more.
  Reply booked =
      api_->Post("/v1/holds/" + held.Str("id") + "/confirm", R"({"payment_ref":"p-1"})", admin_);
  ASSERT_EQ(booked.status, 201u) << booked.Describe();
  Reply after = Hold("alice", Access(token), "STALLS-A-2");
  EXPECT_EQ(after.status, 403u) << after.Describe();
  EXPECT_EQ(after.code(), "access_invalid");
  EXPECT_EQ(AccessFor(show_, "alice", alice.Str("ticket")).code(), "session_over");

  // A show without a room takes holds as before.
  const std::string calm = NewShow("Calm show");
  Reply plain = api_->Post("/v1/shows/" + calm + "/holds", R"({"seats":["STALLS-B-1"]})",
                           FanAuth(server_, "alice"));
  EXPECT_EQ(plain.status, 201u) << plain.Describe();
  EXPECT_EQ(Join(calm, "alice").code(), "queue_disabled");
}

// One shopper at a time: the next fan is let in only when the first one
// says they are done, and that stays so across a restart.
TEST_F(QueueTest, AFanWhoIsDoneShoppingLetsTheNextOneIn) {
  const core::TimeMs now = service::SystemWallMs();
  ASSERT_EQ(Configure(show_, RoomJson(now - 2'000, now - 1'000, 6'000, 1)).status, 200u);
  const Reply alice = Join(show_, "alice");
  ASSERT_EQ(alice.status, 201u) << alice.Describe();
  const Reply bob = Join(show_, "bob");
  ASSERT_EQ(bob.status, 201u) << bob.Describe();
  StatusWhen(show_, [](const Reply& r) { return r.Int("now_serving") >= 1; });
  const Reply access = AccessFor(show_, "alice", alice.Str("ticket"));
  ASSERT_EQ(access.status, 200u) << access.Describe();
  const std::string token = access.Str("access_token");

  const auto end_session = [&](const std::string& user) {
    return api_->Call("DELETE", Path(show_, "/access"), "", FanAuth(server_, user));
  };
  EXPECT_EQ(end_session("bob").code(), "not_shopping");  // not let in yet
  EXPECT_EQ(end_session("carol").code(), "not_in_line");
  EXPECT_EQ(api_->Call("DELETE", Path(show_, "/access"), "", {}).status, 401u);
  EXPECT_EQ(api_->Get(Path(show_), admin_).Int("now_serving"), 1);

  Reply ended = end_session("alice");
  EXPECT_EQ(ended.status, 204u) << ended.Describe();
  EXPECT_EQ(end_session("alice").status, 204u);  // already over
  Reply held = Hold("alice", Access(token), "STALLS-C-1");
  EXPECT_EQ(held.status, 403u) << held.Describe();
  EXPECT_EQ(held.code(), "access_invalid");
  StatusWhen(show_, [](const Reply& r) { return r.Int("now_serving") >= 2; });
  const Reply bob_access = AccessFor(show_, "bob", bob.Str("ticket"));
  ASSERT_EQ(bob_access.status, 200u) << bob_access.Describe();

  ASSERT_TRUE(server_.Restart().ok()) << server_.Log();
  api_ = std::make_unique<Api>(server_.port());
  EXPECT_EQ(AccessFor(show_, "alice", alice.Str("ticket")).code(), "session_over");
  EXPECT_EQ(api_->Get(Path(show_), admin_).Int("active_shoppers"), 1);
  EXPECT_EQ(Hold("bob", Access(bob_access.Str("access_token")), "STALLS-C-2").status, 201u);
}

TEST_F(QueueTest, EveryWayAroundTheGateIsRefusedAndChangesNothing) {
  const core::TimeMs now = service::SystemWallMs();
  ASSERT_EQ(Configure(show_, RoomJson(now - 1'000, now, 6'000, 100)).status, 200u);
  const std::string other = NewShow("Other show");
  ASSERT_EQ(Configure(other, RoomJson(now - 1'000, now + 3'600'000, 60, 10)).status, 200u);
  Reply alice = Join(show_, "alice");
  ASSERT_EQ(alice.status, 201u) << alice.Describe();
  ASSERT_EQ(Join(show_, "bob").status, 201u);
  StatusWhen(show_, [](const Reply& r) { return r.Int("now_serving") >= 2; });
  Reply access = AccessFor(show_, "alice", alice.Str("ticket"));
  ASSERT_EQ(access.status, 200u) << access.Describe();
  const std::string token = access.Str("access_token");
  const StatusOr<http::AccessGrant> grant = http::VerifyAccessToken(token, QueueSecret());
  ASSERT_TRUE(grant.ok()) << "the server's queue secret signs the tokens";

  const std::string holds_before = api_->Get("/v1/shows/" + show_ + "/availability").body;
  const uint64_t version = AvailabilityVersion(*api_, show_);
  std::string tampered = token;
  tampered[tampered.size() / 3] = tampered[tampered.size() / 3] == 'A' ? 'B' : 'A';
  http::AccessGrant elsewhere = *grant;
  elsewhere.show = *http::ParseShowId(other);
  const std::vector<std::tuple<std::string, HeaderList, std::string>> attempts = {
      {"alice", {}, "access_required"},
      {"bob", Access(token), "access_invalid"},  // another fan's token
      {"alice", Access(http::SignAccessToken(elsewhere, QueueSecret())), "access_invalid"},
      {"alice", Access(tampered), "access_invalid"},
      {"alice", Access(alice.Str("ticket")), "access_invalid"},  // a ticket is no access token
      {"alice", Access(http::SignAccessToken(*grant, std::string(43, 'k'))), "access_invalid"},
  };
  for (const auto& [user, headers, code] : attempts) {
    Reply r = Hold(user, headers, "STALLS-C-3");
    EXPECT_EQ(r.status, 403u) << code << ": " << r.Describe();
    EXPECT_EQ(r.code(), code) << r.Describe();
    EXPECT_EQ(JsonStr(r.json, "queue_url"), Path(show_));
  }
  EXPECT_EQ(AvailabilityVersion(*api_, show_), version);
  EXPECT_EQ(api_->Get("/v1/shows/" + show_ + "/availability").body, holds_before);

  // Tickets: forged, another fan's, another show's, not admitted yet.
  http::QueueTicket forged{"alice", *http::ParseShowId(show_), 1, 1};
  EXPECT_EQ(AccessFor(show_, "alice", http::SignQueueTicket(forged, std::string(43, 'k'))).code(),
            "ticket_invalid");
  EXPECT_EQ(AccessFor(show_, "bob", alice.Str("ticket")).code(), "ticket_mismatch");
  EXPECT_EQ(AccessFor(other, "alice", alice.Str("ticket")).code(), "ticket_mismatch");
  Reply waiting = Join(other, "carol");
  ASSERT_EQ(waiting.status, 201u) << waiting.Describe();
  Reply not_yet = AccessFor(other, "carol", waiting.Str("ticket"));
  EXPECT_EQ(not_yet.status, 409u) << not_yet.Describe();
  EXPECT_EQ(not_yet.code(), "not_admitted");
  EXPECT_EQ(AvailabilityVersion(*api_, show_), version);

  // The real thing still works.
  EXPECT_EQ(Hold("alice", Access(token), "STALLS-C-3").status, 201u);

  // The session decides, not the token's own expires_at (the session's end on
  // the wall clock, for the fan): once it is over, its token opens nothing.
  ASSERT_EQ(api_->Call("DELETE", Path(show_, "/access"), "", FanAuth(server_, "alice")).status,
            204u);
  const uint64_t held = AvailabilityVersion(*api_, show_);
  Reply over = Hold("alice", Access(token), "STALLS-C-4");
  EXPECT_EQ(over.status, 403u) << over.Describe();
  EXPECT_EQ(over.code(), "access_invalid") << over.Describe();
  EXPECT_EQ(AvailabilityVersion(*api_, show_), held);
}

TEST_F(QueueTest, TheStatusIsPushedOnTheLiveStream) {
  const core::TimeMs now = service::SystemWallMs();
  ASSERT_EQ(Configure(show_, RoomJson(now - 1'000, now + 600'000, 600, 100)).status, 200u);
  StreamClient sse(StreamClient::Kind::kSse, server_.port(), "/v1/shows/" + show_ + "/changes");
  ASSERT_TRUE(sse.Connect().ok());
  ASSERT_EQ(Join(show_, "alice").status, 201u);
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  bool seen = false;
  while (!seen && std::chrono::steady_clock::now() < deadline) {
    StatusOr<StreamMessage> m = sse.Next(milliseconds(5'000));
    if (!m.ok()) continue;
    seen = m->event == "queue" && JsonInt(m->json, "fans") == 1;
    if (m->event == "queue") {
      EXPECT_EQ(JsonStr(m->json, "state"), "prequeue");
    }
  }
  EXPECT_TRUE(seen) << "no queue message with the fan who joined";
}

// Fans join, some are admitted and start shopping, then `restart` stops and
// starts the server: every place, ticket, session and now_serving survive.
void QueueTest::KeepsEveryPlaceAcross(const std::function<void()>& restart) {
  const core::TimeMs now = service::SystemWallMs();
  ASSERT_EQ(Configure(show_, RoomJson(now - 1'000, now + 1'000, 60, 100)).status, 200u);
  constexpr int kEarly = 30;
  for (int i = 1; i <= kEarly; ++i) ASSERT_EQ(Join(show_, "fan" + std::to_string(i)).status, 201u);
  StatusWhen(show_, [](const Reply& r) { return r.Int("now_serving") >= 2; });
  for (int i = kEarly + 1; i <= kEarly + 5; ++i) Join(show_, "fan" + std::to_string(i));
  std::map<std::string, Reply> places;
  for (int i = 1; i <= kEarly + 5; ++i) {
    const std::string fan = "fan" + std::to_string(i);
    places[fan] = Join(show_, fan);
  }
  const int64_t serving = api_->Get(Path(show_, "/status")).Int("now_serving");
  std::map<std::string, std::string> tokens;
  for (const auto& [fan, place] : places) {
    if (place.Int("sequence") > serving) continue;
    Reply a = AccessFor(show_, fan, place.Str("ticket"));
    ASSERT_EQ(a.status, 200u) << a.Describe();
    tokens[fan] = a.Str("access_token");
  }
  ASSERT_GE(tokens.size(), 2u);
  const int64_t shoppers = api_->Get(Path(show_), admin_).Int("active_shoppers");
  EXPECT_EQ(shoppers, static_cast<int64_t>(tokens.size()));
  const int64_t serving_before = api_->Get(Path(show_), admin_).Int("now_serving");

  restart();
  if (HasFatalFailure()) return;
  api_ = std::make_unique<Api>(server_.port());

  Reply room = api_->Get(Path(show_), admin_);
  EXPECT_GE(room.Int("now_serving"), serving_before) << room.Describe();
  EXPECT_EQ(room.Int("active_shoppers"), shoppers);
  EXPECT_EQ(room.Int("fans"), kEarly + 5);
  for (const auto& [fan, place] : places) {
    Reply again = Join(show_, fan);
    EXPECT_EQ(again.status, 200u) << again.Describe();
    EXPECT_EQ(again.Int("entry"), place.Int("entry")) << fan;
    EXPECT_EQ(again.Int("sequence"), place.Int("sequence")) << fan;
    EXPECT_EQ(again.Str("ticket"), place.Str("ticket")) << fan;
  }
  // The sessions run on: their tokens still open the holds.
  int seat = 1;
  for (const auto& [fan, token] : tokens) {
    Reply r = Hold(fan, Access(token), "STALLS-D-" + std::to_string(seat++));
    EXPECT_EQ(r.status, 201u) << fan << ": " << r.Describe();
    if (seat > 10) break;
  }
}

TEST_F(QueueTest, ARestartInTheMiddleOfAnOnSaleKeepsEveryPlace) {
  KeepsEveryPlaceAcross([this] { ASSERT_TRUE(server_.Restart().ok()) << server_.Log(); });
}

TEST_F(QueueTest, ACrashInTheMiddleOfAnOnSaleKeepsEveryPlaceMadeDurable) {
  KeepsEveryPlaceAcross([this] {
    // Joins and sessions are answered once queued for the journal, which
    // commits in order: a show, answered only once durable, fences them.
    ASSERT_FALSE(NewShow("Fence").empty());
    ASSERT_TRUE(server_.Kill().ok()) << server_.Log();
    ASSERT_TRUE(server_.Start().ok()) << server_.Log();
  });
}

}  // namespace
}  // namespace boxoffice::itest
