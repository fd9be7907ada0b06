// kill -9 at a random moment loses no acknowledged booking and books no seat
// twice. Each round opens a new show, lets a few fans hold seats while the
// box office confirms most of the holds (each with an Idempotency-Key),
// SIGKILLs the server mid-stream, restarts it on the same data dir and checks
// every booking whose confirm was answered 201 so far, that replaying each of
// those confirms with its key answers the same 201, the bookings of every
// show, and the audits.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "api_client.h"
#include "server_process.h"
#include "testing/seed.h"

namespace boxoffice::itest {
namespace {

using std::chrono::milliseconds;

constexpr int kRounds = 20;
constexpr int kThreads = 4;
constexpr uint32_t kRows = 40;  // 2000 seats a show: none sells out before the kill
constexpr uint32_t kSeatsPerRow = 50;
constexpr int kConfirmOneIn = 4;  // 3 of 4 holds are confirmed, the rest stay live
constexpr int kKillAfterMinMs = 20;
constexpr int kKillAfterMaxMs = 300;
constexpr int kUsersPerThreadMax = 1000;

struct Acknowledged {
  std::string show;
  std::vector<std::string> seats;
  std::string confirm_target;  // the confirm request, replayed with its key
  std::string confirm_body;
  std::string key;
  std::string answer;  // the 201's body
};

struct Ledger {
  std::mutex mu;
  std::map<std::string, Acknowledged> bookings;  // id -> what the 201 said
};

// One fan thread of one round: holds 1-2 random adjacent seats, the box
// office confirms most holds; stops at the first transport failure.
void Shop(int t, uint64_t seed, ServerProcess& server, const std::string& show,
          const HeaderList& admin, const std::atomic<bool>& stop, Ledger& ledger) {
  Api api(server.port(), std::chrono::seconds(10));
  std::mt19937_64 rng(seed);
  int user = 0;
  HeaderList fan = FanAuth(server, "crash-" + std::to_string(t) + "-0");
  int ref = 0;
  while (!stop.load()) {
    const uint32_t row = static_cast<uint32_t>(rng() % kRows) + 1;
    const uint32_t seat = static_cast<uint32_t>(rng() % (kSeatsPerRow - 1)) + 1;
    const bool two = rng() % 2 == 0;
    const std::string body = R"({"seats":[")" + GridSeat(row, seat) +
                             (two ? R"(",")" + GridSeat(row, seat + 1) : "") + R"("]})";
    Reply h = api.Post("/v1/shows/" + show + "/holds", body, fan);
    if (!h.ok()) return;  // the server is gone
    if (h.status == 409 && h.code() == "fan_limit_exceeded" && user < kUsersPerThreadMax) {
      fan = FanAuth(server, "crash-" + std::to_string(t) + "-" + std::to_string(++user));
      continue;
    }
    // 200: this fan's live hold of the same seats, kept from an earlier pass.
    if (h.status == 200 || (h.status == 409 && h.code() == "seat_unavailable")) continue;
    if (h.status != 201) {
      ADD_FAILURE() << "hold: " << h.Describe();
      return;
    }
    if (rng() % kConfirmOneIn == 0) continue;
    const std::string payment =
        "crash-" + show + "-" + std::to_string(t) + "-" + std::to_string(ref++);
    const std::string target = "/v1/holds/" + h.Str("id") + "/confirm";
    const std::string confirm = R"({"payment_ref":")" + payment + "\"}";
    HeaderList keyed = admin;
    keyed.emplace_back("Idempotency-Key", payment);
    Reply c = api.Post(target, confirm, keyed);
    if (!c.ok()) return;
    if (c.status != 201) {
      ADD_FAILURE() << "confirm: " << c.Describe();
      return;
    }
    std::lock_guard lock(ledger.mu);
    ledger.bookings[c.Str("id")] = {show,  JsonStrings(c.json, "seats"), target, confirm, payment,
                                    c.body};
  }
}

// Every acknowledged booking of `ids` reads back as confirmed with its seats.
void CheckAcknowledged(Api& api, const HeaderList& admin, const Ledger& ledger,
                       const std::set<std::string>& ids) {
  for (const std::string& id : ids) {
    const Acknowledged& ack = ledger.bookings.at(id);
    Reply b = api.Get("/v1/bookings/" + id, admin);
    ASSERT_EQ(b.status, 200u) << "acknowledged booking " << id << " lost: " << b.Describe();
    EXPECT_EQ(b.Str("status"), "confirmed") << id;
    EXPECT_EQ(b.Str("show_id"), ack.show) << id;
    EXPECT_EQ(JsonStrings(b.json, "seats"), ack.seats) << id;
  }
}

// Replaying an acknowledged confirm with its Idempotency-Key answers the first
// 201 again: the key's record was durable with the booking.
void CheckReplays(Api& api, const HeaderList& admin, const Ledger& ledger,
                  const std::set<std::string>& ids) {
  for (const std::string& id : ids) {
    const Acknowledged& ack = ledger.bookings.at(id);
    HeaderList keyed = admin;
    keyed.emplace_back("Idempotency-Key", ack.key);
    Reply r = api.Post(ack.confirm_target, ack.confirm_body, keyed);
    EXPECT_EQ(r.status, 201u) << "replay of the confirm of " << id << ": " << r.Describe();
    EXPECT_EQ(r.body, ack.answer) << id;
    EXPECT_EQ(r.Header("Idempotent-Replayed"), "true") << id;
  }
}

// The show's bookings hold every acknowledged one, no seat twice, agree with
// the availability counts, and the audit passes.
void CheckShow(Api& api, const HeaderList& admin, const Ledger& ledger, const std::string& show) {
  Reply list = api.Get("/v1/bookings?show=" + show, admin);
  ASSERT_EQ(list.status, 200u) << list.Describe();
  std::set<std::string> ids;
  std::set<std::string> seats;
  for (const auto& b : list.Arr("bookings")) {
    ids.insert(JsonStr(b, "id"));
    if (JsonStr(b, "status") != "confirmed") continue;
    for (const std::string& s : JsonStrings(b, "seats")) {
      EXPECT_TRUE(seats.insert(s).second) << s << " booked twice in " << show;
    }
  }
  for (const auto& [id, ack] : ledger.bookings) {
    if (ack.show == show) {
      EXPECT_TRUE(ids.contains(id)) << id << " missing from the list";
    }
  }
  Reply avail = api.Get("/v1/shows/" + show + "/availability");
  ASSERT_EQ(avail.status, 200u) << avail.Describe();
  EXPECT_EQ(JsonInt(avail.Arr("sections").at(0), "booked"), static_cast<int64_t>(seats.size()))
      << show;
  Reply audit = api.Get("/v1/shows/" + show + "/audit", admin);
  ASSERT_EQ(audit.status, 200u) << audit.Describe();
  EXPECT_TRUE(audit.Bool("ok")) << show << ": " << audit.Describe();
}

TEST(CrashTest, KillAtRandomMomentsLosesNoAcknowledgedBooking) {
  const uint64_t seed =
      testing::TestSeed("CrashTest.KillAtRandomMomentsLosesNoAcknowledgedBooking");
  std::mt19937_64 rng(seed);
  ServerProcess server;
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  const HeaderList admin = AdminAuth(server);
  std::string venue;
  {
    Api api(server.port());
    venue = CreateVenue(api, admin, GridJson("Crash Arena", kRows, kSeatsPerRow));
  }
  ASSERT_FALSE(venue.empty());
  Ledger ledger;
  std::vector<std::string> shows;
  for (int round = 0; round < kRounds && !HasFatalFailure(); ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    Api api(server.port());
    const std::string show = CreateShow(api, admin,
                                        ShowJson(venue, "Crash round " + std::to_string(round),
                                                 GridPrices(), R"(,"seats_per_fan_max":1000)"));
    ASSERT_FALSE(show.empty());
    shows.push_back(show);
    std::set<std::string> before;
    for (const auto& [id, ack] : ledger.bookings) before.insert(id);

    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back(Shop, t, rng(), std::ref(server), show, admin, std::cref(stop),
                           std::ref(ledger));
    }
    const int kill_after_ms =
        kKillAfterMinMs + static_cast<int>(rng() % (kKillAfterMaxMs - kKillAfterMinMs));
    std::this_thread::sleep_for(milliseconds(kill_after_ms));
    ASSERT_TRUE(server.Kill().ok());
    stop = true;
    for (std::thread& th : threads) th.join();
    ASSERT_TRUE(server.Start().ok()) << server.Log();

    Api after(server.port());
    std::set<std::string> acknowledged_this_round;
    for (const auto& [id, ack] : ledger.bookings) {
      if (!before.contains(id)) acknowledged_this_round.insert(id);
    }
    std::printf("[round %d] killed after %d ms; %zu bookings acknowledged (%zu in all)\n", round,
                kill_after_ms, acknowledged_this_round.size(), ledger.bookings.size());
    CheckAcknowledged(after, admin, ledger, acknowledged_this_round);
    CheckReplays(after, admin, ledger, acknowledged_this_round);
    for (const std::string& s : shows) CheckShow(after, admin, ledger, s);
  }
  // At the end every booking of every round, one by one.
  {
    Api api(server.port());
    std::set<std::string> all;
    for (const auto& [id, ack] : ledger.bookings) all.insert(id);
    CheckAcknowledged(api, admin, ledger, all);
    EXPECT_GT(all.size(), 0u) << "no confirmation was ever acknowledged";
  }
  EXPECT_TRUE(server.Stop().ok()) << server.Log();
}

}  // namespace
}  // namespace boxoffice::itest
