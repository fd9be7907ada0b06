// Helpers for the store's tests: a temporary directory, a fixture that opens a
// store file in it, a gate that holds the writer thread, record builders and a
// blocking Submit. Tests only.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <future>
#include <latch>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite_schema.h"
#include "store/sqlite_store.h"
#include "store/store.h"

namespace boxoffice::store::testing {

// A fresh directory under /tmp, removed with everything in it at the end.
class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/boxoffice-store-XXXXXX";
    char* made = mkdtemp(pattern.data());
    if (made == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Holds the writer thread inside a callback until Open(), so that everything
// submitted meanwhile is committed together afterwards. The gate's own empty
// batch is alone in its transaction once the constructor returns.
class WriterGate {
 public:
  explicit WriterGate(Store& store) : latches_(std::make_shared<Latches>()) {
    // The callback shares the latches: it may still be leaving wait() when
    // the gate is gone.
    store.Submit({}, [latches = latches_](Status) {
      latches->entered.count_down();
      latches->released.wait();
    });
    latches_->entered.wait();
  }
  ~WriterGate() { Open(); }
  WriterGate(const WriterGate&) = delete;
  WriterGate& operator=(const WriterGate&) = delete;

  void Open() {
    if (std::exchange(open_, true)) return;
    latches_->released.count_down();
  }

 private:
  struct Latches {
    std::latch entered{1};
    std::latch released{1};
  };
  std::shared_ptr<Latches> latches_;
  bool open_ = false;
};

// Submits and waits for the batch's callback.
inline Status SubmitAndWait(Store& store, Batch batch) {
  std::promise<Status> done;
  std::future<Status> result = done.get_future();
  store.Submit(std::move(batch), [&done](Status s) { done.set_value(std::move(s)); });
  return result.get();
}

// Collects the statuses of batches submitted through one thread, in order.
class Outcomes {
 public:
  explicit Outcomes(Store& store) : store_(store) {}
  // Submits `batch`; its status will be at(index), index = order of submission.
  size_t Submit(Batch batch) {
    auto& slot = statuses_.emplace_back(
        std::make_unique<Status>(StatusCode::kInternal, "callback did not run"));
    store_.Submit(std::move(batch), [s = slot.get()](Status result) { *s = std::move(result); });
    return statuses_.size() - 1;
  }
  // Read after the store's Flush.
  const Status& at(size_t index) const { return *statuses_.at(index); }

 private:
  Store& store_;
  std::vector<std::unique_ptr<Status>> statuses_;  // stable addresses for the callbacks
};

// A test that opens SqliteStores on one file ("store.db") in a temporary
// directory of its own.
class SqliteFileTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteStore> Open() {
    StatusOr<std::unique_ptr<SqliteStore>> s = SqliteStore::Open(dir_.File("store.db"));
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  static Status Submit(Store& store, std::vector<Record> records) {
    return SubmitAndWait(store, Batch{std::move(records)});
  }

  TempDir dir_;
};

// Turns the tables of the current schema back into those of schema 6 (the
// catalogue as the API's JSON, no show owners), to test the migrations from
// older stores.
inline constexpr const char* kTablesOfVersion6 = R"sql(
DROP TABLE venues; DROP TABLE shows; DROP TABLE show_prices; DROP TABLE show_owners;
CREATE TABLE venues(venue_id INTEGER PRIMARY KEY, name TEXT NOT NULL,
  seat_map_json TEXT NOT NULL, created_at_ms INTEGER NOT NULL);
CREATE TABLE shows(show_id INTEGER PRIMARY KEY, venue_id INTEGER NOT NULL, name TEXT NOT NULL,
  settings_json TEXT NOT NULL, starts_at_ms INTEGER NOT NULL, created_at_ms INTEGER NOT NULL);
PRAGMA user_version = 6;
)sql";

// Writes a store file at `path` as an older Boxoffice left it, to test a
// migration: today's schema, back to schema 6's tables (kTablesOfVersion6),
// then `downgrade_sql` (drop what later migrations made, set the
// user_version), then one venue named "Hall".
inline void WriteOlderStoreFile(const std::string& path, const char* downgrade_sql) {
  StatusOr<std::unique_ptr<sqlite::Db>> db = sqlite::Db::Open(path, kSqliteBusyTimeoutMs);
  ASSERT_TRUE(db.ok()) << db.status().message();
  ASSERT_TRUE(sqlite::PrepareSchema(**db).ok());
  ASSERT_TRUE((*db)->Exec(kTablesOfVersion6).ok());
  ASSERT_TRUE((*db)->Exec(downgrade_sql).ok());
  ASSERT_TRUE((*db)->Exec("INSERT INTO venues VALUES(1, 'Hall', '{}', 5)").ok());
}

inline Batch One(Record record) {
  Batch b;
  b.records.push_back(std::move(record));
  return b;
}

inline BookingRecord Booking(ShowId show, BookingId id, std::vector<SeatIndex> seats) {
  BookingRecord b;
  b.show_id = show;
  b.booking_id = id;
  b.hold_id = id + 1000;
  b.owner = "user-" + std::to_string(id);
  b.seats = std::move(seats);
  b.total_minor = 4500 * static_cast<int64_t>(b.seats.size());
  b.payment_ref = "pay-" + std::to_string(id);
  b.booked_at_ms = 1'800'000'000'000 + static_cast<int64_t>(id);
  return b;
}

inline HoldRecord Hold(ShowId show, HoldId id, std::vector<SeatIndex> seats) {
  HoldRecord h;
  h.show_id = show;
  h.hold_id = id;
  h.owner = "user-" + std::to_string(id);
  for (size_t i = 0; i < h.token.bytes.size(); ++i) {
    h.token.bytes[i] = static_cast<uint8_t>(id * 31 + i);
  }
  h.seats = std::move(seats);
  h.total_minor = 4500 * static_cast<int64_t>(h.seats.size());
  h.created_at_ms = 1'800'000'000'000;
  h.expires_at_ms = h.created_at_ms + 600'000;
  return h;
}

inline PaymentRecord Payment(std::string id, PaymentState state, ShowId show = 3) {
  PaymentRecord p;
  p.payment_id = std::move(id);
  p.show_id = show;
  p.hold_id = 7;
  p.owner = "alice";
  p.seats = {4, 5};
  p.amount_minor = 10'000;
  p.currency = "EUR";
  p.pay_url = "http://gw/pay";
  p.state = state;
  p.created_at_ms = 1'000;
  p.updated_at_ms = 1'000;
  return p;
}

inline QueueRoomRecord Room(uint32_t rate, ShowId show = 3) {
  QueueRoomRecord r;
  r.show_id = show;
  r.enabled = true;
  r.prequeue_opens_at_ms = 1'000;
  r.onsale_at_ms = 2'000;
  r.admissions_per_minute = rate;
  r.active_shoppers_max = 50;
  r.session_s = 600;
  r.queue_everyone = false;
  r.seed = std::string(32, 'x');
  r.owner_key = std::string(16, 'k');
  r.updated_at_ms = 900;
  return r;
}

inline ChangeRecord Change(ShowId show, Version version, std::vector<SeatIndex> seats) {
  ChangeRecord c;
  c.show_id = show;
  c.version = version;
  c.at_ms = 1'800'000'000'000 + static_cast<TimeMs>(version);
  c.reason = 1;
  c.state = 1;
  c.hold_id = (uint64_t{version} << 32) | 7;
  c.seats = std::move(seats);
  return c;
}

// Reads a page of the outbox, waiting for it.
inline StatusOr<ChangesPage> ReadChangesAndWait(Store& store, const ChangesQuery& q) {
  std::promise<StatusOr<ChangesPage>> p;
  store.ReadChanges(q, [&p](StatusOr<ChangesPage> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

// A seat map with every kind of element: two categories, a seated section
// with an aisle, steps, ranks and accessible places, and a GA area.
inline core::SeatMapSpec SmallSeatMap() {
  core::SeatMapSpec spec;
  spec.name = "Small Hall";
  spec.categories = {{"PREM", "Premium"}, {"STD", ""}};
  core::SectionSpec stalls{.id = "STALLS", .name = "Stalls", .rank = 0};
  stalls.rows.push_back({.label = "A",
                         .category = "PREM",
                         .blocks = {{1, 9, 2, ""}, {2, 10, 2, "STD"}},
                         .accessible = {1, 2},
                         .rank = 3});
  stalls.rows.push_back({.label = "B", .category = "STD", .blocks = {{1, 12, 1, ""}}});
  spec.sections.push_back(std::move(stalls));
  spec.sections.push_back({.id = "FLOOR",
                           .name = "",
                           .rank = std::nullopt,
                           .rows = {},
                           .general_admission = true,
                           .capacity = 500,
                           .category = "STD"});
  return spec;
}

// A show of `venue` with every setting given, priced for SmallSeatMap.
inline ShowRecord Show(ShowId show, uint64_t venue) {
  return ShowRecord{.show_id = show,
                    .venue_id = venue,
                    .name = "Show " + std::to_string(show),
                    .starts_at_ms = 1'900'000'000'000,
                    .on_sale_at_ms = 1'800'000'000'123,
                    .currency = "EUR",
                    .prices = {{"PREM", 9900}, {"STD", 4500}},
                    .hold_ttl_s = 600,
                    .seats_per_order_max = 8,
                    .seats_per_fan_max = 20,
                    .created_at_ms = 1'700'000'000'000};
}

inline IdempotencyRecord Idempotency(std::string user, std::string key) {
  IdempotencyRecord r;
  r.user = std::move(user);
  r.key = std::move(key);
  r.request_hash = "hash-of-" + r.key;
  r.status = 201;
  r.response_body = R"({"hold_id":"7"})";
  r.response_headers = "Location: /v1/holds/7\r\n";
  r.created_at_ms = 1'800'000'000'000;
  return r;
}

}  // namespace boxoffice::store::testing
