#include "sale_ledger.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <thread>

namespace boxoffice::itest {

namespace {

constexpr int kConfirmOneIn = 4;  // 3 of 4 holds are confirmed, the rest stay live
constexpr int kUsersPerThreadMax = 1000;
constexpr std::chrono::milliseconds kOutagePause{20};

std::string HoldBody(std::mt19937_64& rng) {
  const uint32_t row = static_cast<uint32_t>(rng() % kSaleRows) + 1;
  const uint32_t seat = static_cast<uint32_t>(rng() % (kSaleSeatsPerRow - 1)) + 1;
  const bool two = rng() % 2 == 0;
  return R"({"seats":[")" + GridSeat(row, seat) + (two ? R"(",")" + GridSeat(row, seat + 1) : "") +
         R"("]})";
}

// True if the shop goes on after no answer, or a 503 while retrying.
bool WaitOut(Outage outage) {
  if (outage == Outage::kEnds) return false;
  std::this_thread::sleep_for(kOutagePause);
  return true;
}

}  // namespace

void Shop(int thread, uint64_t seed, ServerProcess& server, const std::string& show,
          const HeaderList& admin, const std::atomic<bool>& stop, Ledger& ledger, Outage outage) {
  Api api(server.port(), std::chrono::seconds(10));
  std::mt19937_64 rng(seed);
  int user = 0;
  const std::string prefix = "crash-" + std::to_string(thread) + "-";
  HeaderList fan = FanAuth(server, prefix + "0");
  int ref = 0;
  while (!stop.load()) {
    Reply h = api.Post("/v1/shows/" + show + "/holds", HoldBody(rng), fan);
    if (!h.ok() || (h.status == 503 && outage == Outage::kRetries)) {
      if (WaitOut(outage)) continue;
      return;  // the server is gone
    }
    if (h.status == 409 && h.code() == "fan_limit_exceeded" && user < kUsersPerThreadMax) {
      fan = FanAuth(server, prefix + std::to_string(++user));
      continue;
    }
    // 200: this fan's live hold of the same seats, kept from an earlier pass.
    if (h.status == 200 || (h.status == 409 && h.code() == "seat_unavailable")) continue;
    if (h.status != 201) {
      ADD_FAILURE() << "hold: " << h.Describe();
      return;
    }
    if (rng() % kConfirmOneIn == 0) continue;
    const std::string payment = prefix + "pay-" + std::to_string(ref++);
    const std::string target = "/v1/holds/" + h.Str("id") + "/confirm";
    const std::string confirm = R"({"payment_ref":")" + payment + "\"}";
    const std::string key = show + "-" + payment;  // one admin confirms for every show
    HeaderList keyed = admin;
    keyed.emplace_back("Idempotency-Key", key);
    Reply c = api.Post(target, confirm, keyed);
    if (!c.ok() || (c.status == 503 && outage == Outage::kRetries)) {
      if (WaitOut(outage)) continue;
      return;
    }
    if (c.status != 201) {
      ADD_FAILURE() << "confirm: " << c.Describe();
      return;
    }
    std::lock_guard lock(ledger.mu);
    ledger.bookings[c.Str("id")] = {show,  JsonStrings(c.json, "seats"), target, confirm, key,
                                    c.body};
  }
}

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

}  // namespace boxoffice::itest
