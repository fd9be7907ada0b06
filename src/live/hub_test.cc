#include "live/hub.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "testing/venues.h"

namespace boxoffice::live {
namespace {

// Encodes a change as "v<version>" and a hold event as "<user>:<kind>".
class FakeEncoder final : public MessageEncoder {
 public:
  std::string Change(const core::SeatMap&, const core::Change& c,
                     std::span<const core::SeatIndex>) const override {
    return "v" + std::to_string(c.version);
  }
  std::string HoldEvent(const service::HoldEvent& e) const override {
    return e.user + ":" + std::string(service::HoldEventKindName(e.kind));
  }
};

constexpr core::ShowId kShow = 1;

class HubTest : public ::testing::Test {
 protected:
  explicit HubTest(HubOptions options = {}) : hub_(options, encoder_, registry_) {}

  // Changes `from`..`to` of `show`, as the booking service hands them on.
  void Changes(core::Version from, core::Version to, core::ShowId show = kShow) {
    core::ChangeLog log;
    for (core::Version v = from; v <= to; ++v) {
      core::Change c{};
      c.show = show;
      c.version = v;
      c.reason = core::ChangeReason::kHeld;
      c.new_state = core::SeatState::kHeld;
      c.ga_area = core::kNoArea;
      const core::SeatIndex seat = static_cast<core::SeatIndex>(v % map_->seat_count());
      log.Append(c, std::span<const core::SeatIndex>(&seat, 1));
    }
    hub_.OnChanges(map_, log);
  }

  struct Probe {
    Hub::Subscription sub;
    int wakes = 0;
    int closes = 0;
  };
  std::unique_ptr<Probe> Subscribe(std::string user, core::Version now,
                                   std::optional<core::Version> since = std::nullopt,
                                   core::ShowId show = kShow) {
    auto p = std::make_unique<Probe>();
    Probe* raw = p.get();
    p->sub = hub_.Subscribe(
        show, std::move(user), now, since, [raw] { ++raw->wakes; }, [raw] { ++raw->closes; });
    return p;
  }

  static std::vector<core::Version> Versions(const Hub::Pulled& p) {
    std::vector<core::Version> out;
    for (const auto& m : p.changes) out.push_back(m->version);
    return out;
  }
  static std::vector<core::Version> Range(core::Version from, core::Version to) {
    std::vector<core::Version> out;
    for (core::Version v = from; v <= to; ++v) out.push_back(v);
    return out;
  }

  metrics::Registry registry_;
  FakeEncoder encoder_;
  std::shared_ptr<const core::SeatMap> map_ =
      std::make_shared<const core::SeatMap>(testing::MustBuild(testing::GridVenue(1, 2, 10)));
  Hub hub_;
};

TEST_F(HubTest, EverySubscriberGetsEveryChangeInVersionOrder) {
  auto a = Subscribe("", 0);
  auto b = Subscribe("", 0);
  ASSERT_NE(a->sub.subscriber, nullptr);
  EXPECT_EQ(a->sub.version, 0u);
  Changes(1, 5);
  Changes(6, 9);
  hub_.Flush();
  EXPECT_EQ(a->wakes, 1);  // one wake until it pulls
  const Hub::Pulled pa = hub_.Pull(*a->sub.subscriber, 1 << 20);
  const Hub::Pulled pb = hub_.Pull(*b->sub.subscriber, 1 << 20);
  EXPECT_FALSE(pa.behind);
  EXPECT_EQ(Versions(pa), Range(1, 9));
  EXPECT_EQ(Versions(pb), Range(1, 9));
  EXPECT_EQ(pa.changes.front()->text, "v1");
  EXPECT_EQ(pa.changes[0].get(), pb.changes[0].get());  // encoded once, shared
  Changes(10, 10);
  hub_.Flush();
  EXPECT_EQ(a->wakes, 2);  // pulled, so woken again
  EXPECT_EQ(Versions(hub_.Pull(*a->sub.subscriber, 1 << 20)), Range(10, 10));
}

TEST_F(HubTest, ASubscriberStartsAfterTheVersionItWasToldAndSeesOnlyItsShow) {
  Changes(1, 3);
  hub_.Flush();
  auto late = Subscribe("", 3);
  EXPECT_EQ(late->sub.version, 3u);
  Changes(4, 4);
  Changes(1, 2, /*show=*/2);
  hub_.Flush();
  EXPECT_EQ(Versions(hub_.Pull(*late->sub.subscriber, 1 << 20)), Range(4, 4));
}

TEST_F(HubTest, AReconnectingSubscriberCatchesUpFromTheHistory) {
  Changes(1, 20);
  hub_.Flush();
  auto again = Subscribe("", 20, /*since=*/12);
  const Hub::Pulled p = hub_.Pull(*again->sub.subscriber, 1 << 20);
  EXPECT_FALSE(p.behind);
  EXPECT_EQ(Versions(p), Range(13, 20));
}

class SmallHubTest : public HubTest {
 protected:
  SmallHubTest() : HubTest(HubOptions{8, 100, 2}) {}
};

TEST_F(SmallHubTest, ASubscriberTooFarBehindMustResync) {
  Changes(1, 20);
  hub_.Flush();
  auto again = Subscribe("", 20, /*since=*/5);  // 6..12 are gone: 13..20 kept
  const Hub::Pulled p = hub_.Pull(*again->sub.subscriber, 1 << 20);
  EXPECT_TRUE(p.behind);
  EXPECT_EQ(p.version, 20u);
  EXPECT_TRUE(p.changes.empty());
  Changes(21, 21);
  hub_.Flush();
  EXPECT_EQ(Versions(hub_.Pull(*again->sub.subscriber, 1 << 20)), Range(21, 21));  // live again
}

TEST_F(SmallHubTest, ASubscriberThatStopsPullingFallsOutOfTheBoundedHistory) {
  auto slow = Subscribe("", 0);
  auto fast = Subscribe("", 0);
  for (core::Version v = 1; v <= 40; v += 4) {
    Changes(v, v + 3);
    hub_.Flush();
    EXPECT_FALSE(hub_.Pull(*fast->sub.subscriber, 1 << 20).behind);
  }
  EXPECT_EQ(slow->wakes, 1);  // woken once; never pulled; nothing queued for it
  const Hub::Pulled p = hub_.Pull(*slow->sub.subscriber, 1 << 20);
  EXPECT_TRUE(p.behind);
  EXPECT_EQ(p.version, 40u);
}

TEST_F(HubTest, PullsAreBoundedInBytes) {
  auto a = Subscribe("", 0);
  Changes(1, 100);  // "v1".."v100": 2..4 bytes each
  hub_.Flush();
  const Hub::Pulled first = hub_.Pull(*a->sub.subscriber, 10);
  EXPECT_EQ(Versions(first), Range(1, 5));  // 2+2+2+2+2 = 10
  EXPECT_EQ(Versions(hub_.Pull(*a->sub.subscriber, 1 << 20)), Range(6, 100));
}

TEST_F(HubTest, HoldEventsGoOnlyToTheHoldersOwnStreams) {
  auto alice = Subscribe("alice", 0);
  auto bob = Subscribe("bob", 0);
  auto anonymous = Subscribe("", 0);
  auto alice_elsewhere = Subscribe("alice", 0, std::nullopt, /*show=*/2);
  service::HoldEvent e;
  e.show = kShow;
  e.hold = 7;
  e.user = "alice";
  e.kind = service::HoldEventKind::kExpiringSoon;
  hub_.Publish(e);
  hub_.Flush();
  const Hub::Pulled pa = hub_.Pull(*alice->sub.subscriber, 1 << 20);
  ASSERT_EQ(pa.events.size(), 1u);
  EXPECT_EQ(*pa.events[0], "alice:expiring_soon");
  EXPECT_TRUE(hub_.Pull(*bob->sub.subscriber, 1 << 20).events.empty());
  EXPECT_TRUE(hub_.Pull(*anonymous->sub.subscriber, 1 << 20).events.empty());
  EXPECT_TRUE(hub_.Pull(*alice_elsewhere->sub.subscriber, 1 << 20).events.empty());
  EXPECT_EQ(bob->wakes, 0);
}

TEST_F(SmallHubTest, QueuedHoldEventsAreBounded) {
  auto alice = Subscribe("alice", 0);
  service::HoldEvent e;
  e.show = kShow;
  e.user = "alice";
  for (int i = 0; i < 5; ++i) hub_.Publish(e);
  hub_.Flush();
  const Hub::Pulled p = hub_.Pull(*alice->sub.subscriber, 1 << 20);
  EXPECT_EQ(p.events.size(), 2u);
  EXPECT_TRUE(p.events_overflowed);
}

TEST_F(HubTest, ShutdownClosesEveryStreamAndRefusesNewOnes) {
  auto a = Subscribe("", 0);
  auto b = Subscribe("", 0, std::nullopt, 2);
  EXPECT_EQ(hub_.subscribers(), 2u);
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    a.reset();
    b.reset();
  });
  hub_.Shutdown(std::chrono::seconds(10));
  release.join();
  EXPECT_EQ(hub_.subscribers(), 0u);
  EXPECT_EQ(Subscribe("", 0)->sub.subscriber, nullptr);
}

TEST_F(HubTest, ShutdownCallsClose) {
  auto a = Subscribe("", 0);
  hub_.Shutdown(std::chrono::milliseconds(0));
  EXPECT_EQ(a->closes, 1);
}

TEST_F(SmallHubTest, SubscribersBeyondTheLimitAreRefused) {
  std::vector<std::unique_ptr<Probe>> probes;
  for (int i = 0; i < 100; ++i) probes.push_back(Subscribe("", 0));
  EXPECT_NE(probes.back()->sub.subscriber, nullptr);
  EXPECT_EQ(Subscribe("", 0)->sub.subscriber, nullptr);
  probes.pop_back();
  EXPECT_NE(Subscribe("", 0)->sub.subscriber, nullptr);
}

TEST_F(HubTest, TheNotifierThreadDeliversChangesFromManyThreads) {
  std::atomic<int> wakes{0};
  Hub::Subscription s = hub_.Subscribe(
      kShow, "", 0, std::nullopt, [&] { wakes.fetch_add(1); }, [] {});
  hub_.Start();
  constexpr core::Version kChanges = 2000;
  // One show's changes come from one thread at a time (its lock); another
  // show changes concurrently.
  std::thread other([&] {
    for (core::Version v = 1; v <= kChanges; ++v) Changes(v, v, /*show=*/2);
  });
  for (core::Version v = 1; v <= kChanges; ++v) Changes(v, v);
  other.join();
  std::vector<core::Version> got;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (got.size() < kChanges && std::chrono::steady_clock::now() < deadline) {
    const Hub::Pulled p = hub_.Pull(*s.subscriber, 1 << 20);
    ASSERT_FALSE(p.behind);
    for (const auto& m : p.changes) got.push_back(m->version);
    if (p.changes.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(got, Range(1, kChanges));
  // The wake for the last batch may still be on its way (the pull was faster).
  for (int i = 0; i < 1000 && wakes.load() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_GE(wakes.load(), 1);
  s.subscriber.reset();
  hub_.Shutdown(std::chrono::seconds(1));
}

TEST_F(HubTest, QueueStatusReachesEverySubscriberOfTheShowNewestOnly) {
  const auto status = [](std::string json) {
    auto b = std::make_shared<service::QueueStatusBody>();
    b->json = std::move(json);
    return std::shared_ptr<const service::QueueStatusBody>(std::move(b));
  };
  auto fan = Subscribe("alice", 0);
  auto other_show = Subscribe("", 0, std::nullopt, kShow + 1);
  hub_.OnQueueStatus(kShow, status("q1"));
  hub_.OnQueueStatus(kShow, status("q2"));  // before anyone pulled: replaces q1
  hub_.Flush();
  EXPECT_GE(fan->wakes, 1);
  Hub::Pulled p = hub_.Pull(*fan->sub.subscriber, 1 << 16);
  ASSERT_NE(p.queue, nullptr);
  EXPECT_EQ(*p.queue, "q2");
  EXPECT_EQ(hub_.Pull(*fan->sub.subscriber, 1 << 16).queue, nullptr);  // once
  EXPECT_EQ(hub_.Pull(*other_show->sub.subscriber, 1 << 16).queue, nullptr);
  // A later subscriber starts with the latest status.
  auto late = Subscribe("", 0);
  Hub::Pulled first = hub_.Pull(*late->sub.subscriber, 1 << 16);
  ASSERT_NE(first.queue, nullptr);
  EXPECT_EQ(*first.queue, "q2");
}

}  // namespace
}  // namespace boxoffice::live
