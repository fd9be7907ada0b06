// Many fans race for the same seats of one show over their own keep-alive
// connections: every seat pair is asked for by every thread, so each pair's
// first request wins and the rest must see seat_unavailable. Winners either
// release (the pair may be won again) or are confirmed by the box office.
// Afterwards the API, the show's audit and the store file itself agree: one
// active booking per seat, and exactly the bookings whose confirm said 201.
//
// The test opens DATA_DIR/boxoffice.db read-only with the SQLite C API: a
// test-only exception to "only src/store/ includes sqlite3.h", to check the
// store from outside the server. It relies on the schema of
// src/store/sqlite_schema.cc (booked_seats, bookings) and on seat indexes
// following the seat-map order of GET /v1/shows/{id}/seatmap.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <latch>
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

constexpr int kThreads = 32;
constexpr uint32_t kRows = 10;
constexpr uint32_t kSeatsPerRow = 20;
constexpr uint32_t kPairs = kRows * kSeatsPerRow / 2;
constexpr int kReleaseOneIn = 4;
constexpr int kUsersPerThreadMax = 64;

struct Pair {
  std::string a, b;
};

Pair PairSeats(uint32_t pair) {
  const uint32_t row = pair / (kSeatsPerRow / 2) + 1;
  const uint32_t first = (pair % (kSeatsPerRow / 2)) * 2 + 1;
  return {GridSeat(row, first), GridSeat(row, first + 1)};
}

struct Outcomes {
  std::mutex mu;
  std::vector<int> wins = std::vector<int>(kPairs, 0);
  std::vector<int> releases = std::vector<int>(kPairs, 0);
  std::vector<int> bookings = std::vector<int>(kPairs, 0);
  // booking id -> {payment_ref, seats} for every confirm answered 201.
  std::map<std::string, std::pair<std::string, std::vector<std::string>>> booked;
};

// One racing fan thread: asks for every pair once, in its own order.
void Race(int t, uint64_t seed, ServerProcess& server, const std::string& show,
          const HeaderList& admin, std::latch& start, Outcomes& out) {
  Api api(server.port());
  std::mt19937_64 rng(seed + static_cast<uint64_t>(t));
  std::vector<uint32_t> order(kPairs);
  for (uint32_t i = 0; i < kPairs; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  int user = 0;
  HeaderList fan = FanAuth(server, "race-" + std::to_string(t) + "-0");
  EXPECT_EQ(api.Get("/healthz").status, 200u);  // connect before the start line
  start.arrive_and_wait();
  int confirmations = 0;
  for (uint32_t pair : order) {
    const Pair p = PairSeats(pair);
    const std::string body = R"({"seats":[")" + p.a + R"(",")" + p.b + R"("]})";
    Reply r = api.Post("/v1/shows/" + show + "/holds", body, fan);
    while (r.status == 409 && r.code() == "fan_limit_exceeded" && user < kUsersPerThreadMax) {
      fan = FanAuth(server, "race-" + std::to_string(t) + "-" + std::to_string(++user));
      r = api.Post("/v1/shows/" + show + "/holds", body, fan);
    }
    if (r.status == 409 && r.code() == "seat_unavailable") {
      const std::vector<std::string> conflicts = JsonStrings(r.json, "conflicts");
      EXPECT_FALSE(conflicts.empty()) << r.Describe();
      for (const std::string& c : conflicts) EXPECT_TRUE(c == p.a || c == p.b) << r.Describe();
      continue;
    }
    if (r.status != 201) {
      ADD_FAILURE() << "hold of " << p.a << "+" << p.b << ": " << r.Describe();
      continue;
    }
    const std::string hold = r.Str("id");
    if (rng() % kReleaseOneIn == 0) {
      Reply d = api.Delete("/v1/holds/" + hold, With(fan, HoldToken(r.Str("token"))));
      EXPECT_EQ(d.status, 204u) << d.Describe();
      std::lock_guard lock(out.mu);
      ++out.wins[pair];
      ++out.releases[pair];
      continue;
    }
    const std::string ref = "race-" + std::to_string(t) + "-" + std::to_string(confirmations++);
    Reply c =
        api.Post("/v1/holds/" + hold + "/confirm", R"({"payment_ref":")" + ref + "\"}", admin);
    EXPECT_EQ(c.status, 201u) << c.Describe();
    std::lock_guard lock(out.mu);
    ++out.wins[pair];
    if (c.status == 201) {
      ++out.bookings[pair];
      out.booked[c.Str("id")] = {ref, {p.a, p.b}};
    }
  }
}

// The active bookings in the store: payment_ref -> seat indexes; and the
// seat indexes of booked_seats. Opens the file read-only.
struct StoreView {
  std::map<std::string, std::set<uint32_t>> active_by_ref;
  std::vector<uint32_t> booked_seats;
  int64_t booked_seats_of_active_bookings = 0;
};

StatusOr<StoreView> ReadStore(const std::string& db_path, int64_t show_id) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    const std::string m = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status::IoError(db_path + ": " + m);
  }
  sqlite3_busy_timeout(db, 10'000);
  StoreView view;
  Status status;
  auto query = [&](const char* sql, auto&& row) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) {
      status = Status::IoError(std::string(sql) + ": " + sqlite3_errmsg(db));
      return;
    }
    sqlite3_bind_int64(st, 1, show_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) row(st);
    if (rc != SQLITE_DONE) status = Status::IoError(std::string(sql) + ": " + sqlite3_errmsg(db));
    sqlite3_finalize(st);
  };
  query("SELECT payment_ref, seats FROM bookings WHERE show_id = ?1 AND cancelled = 0",
        [&](sqlite3_stmt* st) {
          const auto* ref = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
          const auto* blob = static_cast<const unsigned char*>(sqlite3_column_blob(st, 1));
          const int bytes = sqlite3_column_bytes(st, 1);
          std::set<uint32_t>& seats = view.active_by_ref[ref == nullptr ? "" : ref];
          for (int i = 0; i + 3 < bytes; i += 4) {
            seats.insert(uint32_t{blob[i]} | uint32_t{blob[i + 1]} << 8 |
                         uint32_t{blob[i + 2]} << 16 | uint32_t{blob[i + 3]} << 24);
          }
        });
  query("SELECT seat_index FROM booked_seats WHERE show_id = ?1", [&](sqlite3_stmt* st) {
    view.booked_seats.push_back(static_cast<uint32_t>(sqlite3_column_int64(st, 0)));
  });
  query(
      "SELECT count(*) FROM booked_seats s JOIN bookings b"
      " ON b.show_id = s.show_id AND b.booking_id = s.booking_id"
      " WHERE s.show_id = ?1 AND b.cancelled = 0",
      [&](sqlite3_stmt* st) {
        view.booked_seats_of_active_bookings = sqlite3_column_int64(st, 0);
      });
  sqlite3_close(db);
  if (!status.ok()) return status;
  return view;
}

TEST(ConcurrencyTest, EverySeatIsWonOnceAndTheStoreAgrees) {
  const uint64_t seed = testing::TestSeed("ConcurrencyTest.EverySeatIsWonOnceAndTheStoreAgrees");
  ServerProcess server;
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  Api api(server.port());
  const HeaderList admin = AdminAuth(server);
  const std::string venue = CreateVenue(api, admin, GridJson("Race Arena", kRows, kSeatsPerRow));
  const std::string show = CreateShow(api, admin, ShowJson(venue, "The race", GridPrices()));
  ASSERT_FALSE(show.empty());

  Outcomes out;
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back(Race, t, seed, std::ref(server), show, admin, std::ref(start),
                         std::ref(out));
  }
  for (std::thread& th : threads) th.join();

  // Per pair: every win was released or booked; at most one booking; a pair
  // never released was won, hence booked.
  size_t booked_pairs = 0;
  for (uint32_t p = 0; p < kPairs; ++p) {
    EXPECT_GE(out.wins[p], 1) << "nobody won pair " << p;
    EXPECT_EQ(out.wins[p], out.releases[p] + out.bookings[p]) << "pair " << p;
    EXPECT_LE(out.bookings[p], 1) << "pair " << p << " booked twice";
    if (out.releases[p] == 0) {
      EXPECT_EQ(out.bookings[p], 1) << "pair " << p;
    }
    booked_pairs += static_cast<size_t>(out.bookings[p]);
  }
  EXPECT_EQ(out.booked.size(), booked_pairs);
  int wins = 0, releases = 0;
  for (uint32_t p = 0; p < kPairs; ++p) {
    wins += out.wins[p];
    releases += out.releases[p];
  }
  std::printf("%d threads x %u pairs: %d holds won, %d released, %zu booked\n", kThreads, kPairs,
              wins, releases, booked_pairs);

  // The API's view: the show's bookings are exactly the confirmed ones.
  Reply list = api.Get("/v1/bookings?show=" + show, admin);
  ASSERT_EQ(list.status, 200u) << list.Describe();
  std::set<std::string> seen_seats;
  std::set<std::string> listed;
  for (const auto& b : list.Arr("bookings")) {
    const std::string id = JsonStr(b, "id");
    listed.insert(id);
    EXPECT_EQ(JsonStr(b, "status"), "confirmed") << id;
    const auto it = out.booked.find(id);
    ASSERT_NE(it, out.booked.end()) << "a booking nobody was told about: " << ToJson(b);
    EXPECT_EQ(JsonStr(b, "payment_ref"), it->second.first);
    EXPECT_EQ(JsonStrings(b, "seats"), it->second.second) << id;
    for (const std::string& s : JsonStrings(b, "seats")) {
      EXPECT_TRUE(seen_seats.insert(s).second) << s << " is in two bookings";
    }
  }
  EXPECT_EQ(listed.size(), out.booked.size());

  Reply avail = api.Get("/v1/shows/" + show + "/availability");
  ASSERT_EQ(avail.status, 200u) << avail.Describe();
  const auto& section = avail.Arr("sections").at(0);
  EXPECT_EQ(JsonInt(section, "booked"), static_cast<int64_t>(2 * booked_pairs));
  EXPECT_EQ(JsonInt(section, "held"), 0);
  EXPECT_EQ(JsonInt(section, "free"),
            static_cast<int64_t>(kRows * kSeatsPerRow - 2 * booked_pairs));

  Reply audit = api.Get("/v1/shows/" + show + "/audit", admin);
  ASSERT_EQ(audit.status, 200u) << audit.Describe();
  EXPECT_TRUE(audit.Bool("ok")) << audit.Describe();

  // The store's view, read directly.
  const std::vector<std::string> labels = SeatLabels(api, show);
  ASSERT_EQ(labels.size(), kRows * kSeatsPerRow);
  std::map<std::string, uint32_t> index_of;
  for (uint32_t i = 0; i < labels.size(); ++i) index_of[labels[i]] = i;
  StatusOr<StoreView> store =
      ReadStore(server.data_dir() + "/boxoffice.db", std::stoll(show.substr(1)));
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ(store->active_by_ref.size(), out.booked.size());
  std::set<uint32_t> api_seats;
  for (const auto& [id, booking] : out.booked) {
    const auto& [ref, seats] = booking;
    std::set<uint32_t> want;
    for (const std::string& s : seats) want.insert(index_of.at(s));
    api_seats.insert(want.begin(), want.end());
    const auto it = store->active_by_ref.find(ref);
    ASSERT_NE(it, store->active_by_ref.end())
        << "booking " << id << " (" << ref << ") is not in the store";
    EXPECT_EQ(it->second, want) << id;
  }
  const std::set<uint32_t> store_seats(store->booked_seats.begin(), store->booked_seats.end());
  EXPECT_EQ(store->booked_seats.size(), store_seats.size()) << "a seat booked twice in the store";
  EXPECT_EQ(store_seats, api_seats);
  EXPECT_EQ(store->booked_seats_of_active_bookings,
            static_cast<int64_t>(store->booked_seats.size()));

  EXPECT_TRUE(server.Stop().ok()) << server.Log();
}

}  // namespace
}  // namespace boxoffice::itest
