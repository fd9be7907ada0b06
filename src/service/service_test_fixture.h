// ServiceTest: a BookingService over a real SQLite store in a temp directory,
// with a fake clock, a restart, and a show to work on. Tests only.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>

#include "http/catalog_codec.h"
#include "http/seat_map_json.h"
#include "service/booking_service.h"
#include "store/sqlite_store.h"
#include "testing/fake_clock.h"
#include "testing/manual_store.h"
#include "testing/venues.h"

namespace boxoffice::service {

template <typename T>
inline T Wait(const std::function<void(std::function<void(T)>)>& start) {
  auto p = std::make_shared<std::promise<T>>();
  auto f = p->get_future();
  start([p](T v) { p->set_value(std::move(v)); });
  return f.get();
}

class ServiceTest : public ::testing::Test {
 protected:
  ServiceTest() {
    char tmpl[] = "/tmp/boxoffice-service-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void SetUp() override { Open(); }
  ~ServiceTest() override {
    Close();
    std::filesystem::remove_all(dir_);
  }

  void Open() {
    const Status opened = TryOpen();
    ASSERT_TRUE(opened.ok()) << opened.message();
  }
  // Opens the store and recovers a service from it; how that went.
  Status TryOpen() {
    auto s = store::SqliteStore::Open(dir_ + "/boxoffice.db");
    if (!s.ok()) return s.status();
    store_ = std::move(s).value();
    svc_ = std::make_unique<BookingService>(*store_, codec_, clock_, metrics_, caps_);
    Wire(*svc_);
    return svc_->Recover();
  }
  // Sinks and payments a fixture sets up on every (re)opened service.
  virtual void Wire(BookingService&) {}
  void Close() {
    if (svc_) svc_->Stop();
    if (store_) store_->Flush();
    svc_.reset();
    if (store_) store_->Close();
    store_.reset();
  }
  void Restart() {
    Close();
    Open();
  }

  // With the service closed: writes `record` straight into the store, as a
  // damaged file or a bug might, then recovers a service from the store and
  // answers how that went. The store keeps the record; Open() to go on.
  Status RecoverWith(const store::Record& record) {
    {
      auto s = store::SqliteStore::Open(dir_ + "/boxoffice.db");
      if (!s.ok()) return s.status();
      (*s)->Submit(store::Batch{{record}}, nullptr);
      (*s)->Close();
    }
    const Status recovered = TryOpen();
    Close();
    return recovered;
  }

  // A 2x4x10 grid with a GA area of 20 (or `spec`), and a show on sale with a 60 s hold TTL.
  core::ShowId MakeShow(BookingService& svc,
                        const core::SeatMapSpec& spec = testing::GridVenue(2, 4, 10, 20)) {
    auto show = TryMakeShow(svc, spec, [](ShowSettings&) {});
    EXPECT_TRUE(show.ok()) << show.status().message();
    return (*show)->id;
  }
  // The same, with the show's settings changed by `edit` first; how that went.
  StatusOr<std::shared_ptr<const Show>> TryMakeShow(
      BookingService& svc, const core::SeatMapSpec& spec,
      const std::function<void(ShowSettings&)>& edit) {
    const std::string json = boost::json::serialize(http::SeatMapSpecToJson(spec));
    auto venue = Wait<StatusOr<std::shared_ptr<const Venue>>>(
        [&](auto done) { svc.CreateVenue(json, done); });
    EXPECT_TRUE(venue.ok()) << venue.status().message();
    ShowSettings s;
    s.venue_id = (*venue)->id;
    s.name = "Test show";
    s.starts_at_ms = clock_.now_ms() + 86'400'000;
    s.on_sale_at_ms = clock_.now_ms();
    s.currency = "EUR";
    s.prices = {{"P1", 5000}, {"P2", 2500}};
    s.hold_ttl_s = 60;
    edit(s);
    return Wait<StatusOr<std::shared_ptr<const Show>>>([&](auto done) { svc.CreateShow(s, done); });
  }

  Reply<BookingView> Confirm(core::ShowId show, core::HoldId hold) {
    return Wait<Reply<BookingView>>(
        [&](auto done) { svc_->ConfirmHold(show, hold, "pay-1", done); });
  }

  std::string dir_;
  testing::FakeClock clock_;
  http::JsonCatalogCodec codec_;
  metrics::Registry metrics_;
  ShowCaps caps_;  // of every service (re)opened
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<BookingService> svc_;
};

// ManualStoreTest: a BookingService over a ManualStore, whose batches become
// durable when the test says, with a fake clock. Tests only.
class ManualStoreTest : public ::testing::Test {
 protected:
  ManualStoreTest() : svc_(store_, codec_, clock_, metrics_) {}
  void SetUp() override {
    Wire(svc_);
    ASSERT_TRUE(svc_.Recover().ok());
  }
  // Payments and sinks a fixture sets up before recovery.
  virtual void Wire(BookingService&) {}
  // A 1x2x6 grid, on sale now, prices 1; every batch completed.
  core::ShowId MakeShow() {
    const std::string json =
        boost::json::serialize(http::SeatMapSpecToJson(testing::GridVenue(1, 2, 6)));
    std::shared_ptr<const Venue> venue;
    svc_.CreateVenue(json, [&](StatusOr<std::shared_ptr<const Venue>> v) { venue = *v; });
    store_.CompleteAll(Status::Ok());
    ShowSettings s;
    s.venue_id = venue->id;
    s.name = "Manual";
    s.starts_at_ms = clock_.now_ms() + 86'400'000;
    s.on_sale_at_ms = clock_.now_ms();
    s.currency = "EUR";
    s.prices = {{"P1", 1}, {"P2", 1}};
    std::shared_ptr<const Show> show;
    svc_.CreateShow(s, [&](StatusOr<std::shared_ptr<const Show>> r) { show = *r; });
    store_.CompleteAll(Status::Ok());
    return show->id;
  }

  testing::FakeClock clock_;
  testing::ManualStore store_;
  http::JsonCatalogCodec codec_;
  metrics::Registry metrics_;
  BookingService svc_;
};

}  // namespace boxoffice::service
