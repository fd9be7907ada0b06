// Abuse control over real sockets: rate limits answer 429 with a Retry-After
// that follows the configured rate, refuse before anything changes, and keep
// other clients (another address, another fan, another show) unaffected;
// joining a waiting room takes a proof of work (queue_pow_bits). The server
// trusts X-Forwarded-For from loopback (rate_forwarded_for), which
// lets one test process speak as many client addresses; requests without the
// header come from loopback and are not limited (the default).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "api_client.h"
#include "crypto/proof_of_work.h"
#include "server_process.h"
#include "shared_server.h"

namespace boxoffice::itest {
namespace {

// The configured budgets: tokens a second and bursts.
constexpr int kAddressPerSecond = 1, kAddressBurst = 3;
constexpr int kUserPerSecond = 1, kUserBurst = 4;
constexpr int kUserShowPerSecond = 1, kUserShowBurst = 2;
constexpr uint32_t kPowBits = 8;
constexpr int kAttemptsMax = 40;  // requests sent at most while looking for the first 429

// What a refusal must say: one token at `per_second` is at most 1000 / per_second
// ms away, and Retry-After rounds that up to whole seconds, at least 1.
int64_t ExpectedRetryAfterS(int per_second) {
  const int64_t wait_ms = 1000 / per_second;
  return std::max<int64_t>(1, (wait_ms + 999) / 1000);
}

HeaderList From(const std::string& address) { return {{"X-Forwarded-For", address}}; }

class AbuseTest : public SharedServerTest<AbuseTest> {
 public:
  static std::vector<std::string> ServerFlags() {
    return {
        "--rate-forwarded-for=true",
        "--rate-address-per-s=" + std::to_string(kAddressPerSecond),
        "--rate-address-burst=" + std::to_string(kAddressBurst),
        "--rate-user-per-s=" + std::to_string(kUserPerSecond),
        "--rate-user-burst=" + std::to_string(kUserBurst),
        "--rate-user-show-per-s=" + std::to_string(kUserShowPerSecond),
        "--rate-user-show-burst=" + std::to_string(kUserShowBurst),
        "--queue-pow-bits=" + std::to_string(kPowBits),
    };
  }

 protected:
  std::string Show() {
    const std::string venue = CreateVenue(api(), AdminAuth(*server_), TheatreJson());
    return CreateShow(api(), AdminAuth(*server_), ShowJson(venue, "Show", TheatrePrices()));
  }
  Reply Hold(const std::string& show, const std::string& user, const std::string& seat,
             const std::string& address) {
    return api().Post("/v1/shows/" + show + "/holds", R"({"seats":[")" + seat + R"("]})",
                      With(FanAuth(*server_, user), From(address)));
  }
  // Sends `request(i)` for i = 0, 1, ... until the first 429 (bounded); the
  // number that passed before it, and the 429.
  template <typename Request>
  std::pair<int, Reply> UntilRefused(Request request) {
    for (int i = 0; i < kAttemptsMax; ++i) {
      Reply r = request(i);
      if (r.status == 429 || !r.ok()) return {i, r};
    }
    ADD_FAILURE() << "no 429 within " << kAttemptsMax << " requests";
    return {kAttemptsMax, Reply{}};
  }
  // UntilRefused, checking that the refused request left the show's version
  // where it was. On a slow machine a token may come back between two
  // requests; the ones that pass meanwhile must be 201.
  template <typename Request>
  std::pair<int, Reply> ExpectRefusedChangesNothing(const std::string& show, Request request) {
    uint64_t version = 0;
    auto refused = UntilRefused([&](int i) {
      version = AvailabilityVersion(api(), show);
      Reply r = request(i);
      if (r.status != 429) {
        EXPECT_EQ(r.status, 201u) << r.Describe();
      }
      return r;
    });
    EXPECT_EQ(AvailabilityVersion(api(), show), version) << "a refused request changed the show";
    return refused;
  }
  void ExpectRefusal(const Reply& r, std::string_view scope, int per_second) {
    ASSERT_EQ(r.status, 429u) << r.Describe();
    EXPECT_EQ(r.code(), "rate_limited");
    EXPECT_EQ(r.Header("Content-Type"), "application/problem+json");
    EXPECT_EQ(r.Str("scope"), scope);
    EXPECT_EQ(r.Header("Retry-After"), std::to_string(ExpectedRetryAfterS(per_second)));
    EXPECT_GT(r.Int("retry_after_ms"), 0);
    EXPECT_LE(r.Int("retry_after_ms"), 1000 / per_second);
  }
  std::string Seat(int i) {
    return "STALLS-" + std::string(1, "ABCD"[i / 10 % 4]) + "-" + std::to_string(i % 10 + 1);
  }
};

TEST_F(AbuseTest, HammeringOneShowIsRefusedAndLeavesOtherShowsAndFansAlone) {
  const std::string show = Show();
  const std::string other_show = Show();
  // alice from ever new addresses: only her budget for this show runs out.
  const auto [passed, refused] = UntilRefused(
      [&](int i) { return Hold(show, "alice", Seat(i), "198.51.100." + std::to_string(i + 1)); });
  EXPECT_GE(passed, kUserShowBurst);
  ExpectRefusal(refused, "user_show", kUserShowPerSecond);

  // A refused request changes nothing: its seat is free, the version unchanged.
  const auto [refilled, again] = ExpectRefusedChangesNothing(show, [&](int i) {
    return Hold(show, "alice", Seat(passed + i), "198.51.100." + std::to_string(100 + i));
  });
  ASSERT_EQ(again.status, 429u) << again.Describe();
  const int free_seat = passed + refilled;
  EXPECT_EQ(Hold(show, "bob", Seat(free_seat), "198.51.100.201").status, 201u)
      << "the seat alice was refused is free, and bob has his own budget";

  // alice's other show is unaffected.
  EXPECT_EQ(Hold(other_show, "alice", Seat(0), "198.51.100.202").status, 201u);

  // After Retry-After, alice may hold in the first show again.
  std::this_thread::sleep_for(std::chrono::seconds(std::stoi(again.Header("Retry-After"))));
  EXPECT_EQ(Hold(show, "alice", Seat(free_seat + 1), "198.51.100.203").status, 201u);

  const Reply metrics = api().Get("/metrics");
  EXPECT_NE(metrics.body.find("boxoffice_rate_limited_total{scope=\"user_show\"}"),
            std::string::npos);
}

TEST_F(AbuseTest, AnAddressOverItsBudgetIsRefusedAndOtherAddressesAreNot) {
  const std::string show = Show();
  // Different fans, one address: the address budget runs out.
  const auto [passed, refused] = UntilRefused(
      [&](int i) { return Hold(show, "crowd-" + std::to_string(i), Seat(i), "203.0.113.7"); });
  EXPECT_GE(passed, kAddressBurst);
  ExpectRefusal(refused, "address", kAddressPerSecond);
  const int refilled =
      ExpectRefusedChangesNothing(show, [&](int i) {
        return Hold(show, "crowd-x" + std::to_string(i), Seat(passed + i), "203.0.113.7");
      }).first;
  const int free_seat = passed + refilled;  // refused to crowd-x, so free
  EXPECT_EQ(Hold(show, "crowd-y", Seat(free_seat), "203.0.113.8").status, 201u);
  // IPv6 clients count by their /64.
  const auto [v6_passed, v6_refused] = UntilRefused([&](int i) {
    return Hold(show, "six-" + std::to_string(i), Seat(free_seat + 1 + i),
                "2001:db8:5:6::" + std::to_string(i + 1));
  });
  EXPECT_GE(v6_passed, kAddressBurst);
  ExpectRefusal(v6_refused, "address", kAddressPerSecond);
}

TEST_F(AbuseTest, AFanIsLimitedWhateverTheAddress) {
  // Releasing holds that do not exist: answered 404, and each one counts.
  const auto [passed, refused] = UntilRefused([&](int i) {
    return api().Delete(
        "/v1/holds/h1-" + std::to_string(1000 + i),
        With(FanAuth(*server_, "carol"), With(From("192.0.2." + std::to_string(i + 1)),
                                              {{"X-Hold-Token", std::string(32, 'a')}})));
  });
  EXPECT_GE(passed, kUserBurst);
  ExpectRefusal(refused, "user", kUserPerSecond);
}

TEST_F(AbuseTest, LoopbackClientsAndTheAdminKeyAreNotLimitedByDefault) {
  const std::string show = Show();
  for (int i = 0; i < 3 * kUserBurst; ++i) {
    Reply r = api().Post("/v1/shows/" + show + "/holds", R"({"seats":[")" + Seat(i % 2) + R"("]})",
                         FanAuth(*server_, "dora"));
    EXPECT_NE(r.status, 429u) << r.Describe();
  }
  for (int i = 0; i < 3 * kAddressBurst; ++i) {
    Reply r =
        api().Post("/v1/venues", TheatreJson(), With(AdminAuth(*server_), From("203.0.113.99")));
    EXPECT_EQ(r.status, 201u) << r.Describe();
  }
}

TEST_F(AbuseTest, QueueChallengeIsSignedForTheFanAndSolvable) {
  const std::string show = Show();
  Reply c = api().Get("/v1/shows/" + show + "/queue/challenge", FanAuth(*server_, "erin"));
  ASSERT_EQ(c.status, 200u) << c.Describe();
  EXPECT_EQ(c.Int("difficulty_bits"), kPowBits);
  EXPECT_EQ(c.Str("algorithm"), "sha256");
  EXPECT_EQ(c.Header("Cache-Control"), "no-store");
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  EXPECT_GT(ParseTimeMs(c.Str("expires_at")), now_ms);
  EXPECT_TRUE(crypto::SolveProofOfWork(c.Str("challenge"), kPowBits).has_value());
  Reply again = api().Get("/v1/shows/" + show + "/queue/challenge", FanAuth(*server_, "erin"));
  EXPECT_NE(again.Str("challenge"), c.Str("challenge")) << "each challenge is fresh";
  EXPECT_EQ(api().Get("/v1/shows/" + show + "/queue/challenge").status, 401u);
  EXPECT_EQ(api().Get("/v1/shows/s999999/queue/challenge", FanAuth(*server_, "erin")).status, 404u);
}

TEST_F(AbuseTest, JoiningAWaitingRoomTakesAProofOfWork) {
  const std::string show = Show();
  const std::string room = "/v1/shows/" + show + "/queue";
  Reply put = api().Call("PUT", room,
                         R"({"enabled":true,"prequeue_opens_at":"2020-01-01T00:00:00.000Z",)"
                         R"("onsale_at":"2020-01-01T00:00:00.000Z"})",
                         With(AdminAuth(*server_), {{"Content-Type", "application/json"}}));
  ASSERT_EQ(put.status, 200u) << put.Describe();
  const auto challenge_of = [&](const std::string& user) {
    Reply c = api().Get(room + "/challenge", FanAuth(*server_, user));
    EXPECT_EQ(c.status, 200u) << c.Describe();
    return c.Str("challenge");
  };
  const auto join = [&](const std::string& user, const std::string& body) {
    return api().Post(room, body, FanAuth(*server_, user));
  };
  const auto proof = [](const std::string& challenge, const std::string& nonce) {
    return R"({"proof":{"challenge":")" + challenge + R"(","nonce":")" + nonce + R"("}})";
  };
  const std::string mine = challenge_of("frank");
  const std::string nonce = crypto::SolveProofOfWork(mine, kPowBits).value();
  std::string short_nonce = "0";  // a nonce that falls short of the difficulty
  for (int n = 0; crypto::ProofOfWorkHolds(mine, short_nonce, kPowBits); ++n) {
    short_nonce = std::to_string(n);
  }
  const std::string theirs = challenge_of("grace");

  Reply r = join("frank", "");
  EXPECT_EQ(r.status, 403u) << r.Describe();
  EXPECT_EQ(r.code(), "proof_required");
  r = join("frank", proof(mine, short_nonce));
  EXPECT_EQ(r.code(), "proof_invalid") << r.Describe();
  r = join("frank", proof(theirs, crypto::SolveProofOfWork(theirs, kPowBits).value()));
  EXPECT_EQ(r.code(), "proof_invalid") << "another fan's challenge: " << r.Describe();
  r = join("frank", proof(mine + "x", nonce));
  EXPECT_EQ(r.code(), "proof_invalid") << "a tampered challenge: " << r.Describe();
  const auto fans = [&] {
    Reply admin = api().Get(room, AdminAuth(*server_));
    EXPECT_EQ(admin.status, 200u) << admin.Describe();
    return admin.Int("fans");
  };
  EXPECT_EQ(fans(), 0) << "refused joins change nothing";

  r = join("frank", proof(mine, nonce));
  EXPECT_EQ(r.status, 201u) << r.Describe();
  EXPECT_FALSE(r.Str("ticket").empty());
  EXPECT_EQ(fans(), 1);
}

}  // namespace
}  // namespace boxoffice::itest
