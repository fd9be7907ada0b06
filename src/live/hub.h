// Hub: the live-stream fan-out. It receives every change of every show (as
// the booking service's ChangeSink) and the holders' hold lifecycle events
// (as its HoldEventSink), keeps each show's recent changes (ChangeHistory),
// and wakes the subscribers — one per live-stream connection — that have
// something new.
//
//   live::Hub hub(options, encoder, registry);
//   svc.SetChangeSink(&hub); svc.SetHoldEventSink(&hub);
//   hub.Start();
//   auto sub = hub.Subscribe(show, user, version_now, since, wake, close);
//   ... in `wake` (posted to the connection's thread): hub.Pull(*sub, bytes) ...
//   hub.Shutdown(wait);   // closes every stream
//
// The booking path only queues: OnChanges and Publish copy what they are
// given into a pending list under a short lock and signal the notifier
// thread, which encodes each change once, appends it to the show's history
// and calls the `wake` of each subscriber of the show (at most one wake in
// flight per subscriber). Subscribers pull on their own (network) threads.
//
// Slow consumers cost a bounded amount: a subscriber holds a cursor into the
// shared history, at most kHoldEventsQueuedMax queued hold events, and what
// its connection is writing (bounded by the bytes it pulls at a time). One
// whose cursor falls out of the history is told so by Pull (`behind`), and
// its connection sends `resync` or disconnects.
//
// Thread-safety: every method may be called from any thread. `wake` and
// `close` are called from the notifier thread or Shutdown's caller; they must
// only post.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/change.h"
#include "core/seat_map.h"
#include "live/change_history.h"
#include "live/stream_policy.h"
#include "metrics/metrics.h"
#include "service/change_sink.h"
#include "service/hold_events.h"
#include "service/waiting_rooms.h"

namespace boxoffice::live {

// The wire format of changes and hold events (implemented in http/).
class MessageEncoder {
 public:
  virtual ~MessageEncoder() = default;
  virtual std::string Change(const core::SeatMap& map, const core::Change& c,
                             std::span<const core::SeatIndex> seats) const = 0;
  virtual std::string HoldEvent(const service::HoldEvent& e) const = 0;
};

struct HubOptions {
  size_t history_changes_max = kHistoryChangesMaxDefault;
  size_t subscribers_max = kSubscribersMaxDefault;
  size_t hold_events_queued_max = kHoldEventsQueuedMax;
};

class Hub;

// One connection's place in the hub. Created by Hub::Subscribe; the
// connection owns it, and unsubscribes by dropping it.
class Subscriber {
 public:
  ~Subscriber();
  core::ShowId show() const { return show_; }
  const std::string& user() const { return user_; }
  core::Version cursor() const { return cursor_; }  // the last version pulled

 private:
  friend class Hub;
  Subscriber(Hub& hub, core::ShowId show, std::string user, std::function<void()> wake,
             std::function<void()> close)
      : hub_(hub),
        show_(show),
        user_(std::move(user)),
        wake_(std::move(wake)),
        close_(std::move(close)) {}
  void Wake();

  Hub& hub_;
  const core::ShowId show_;
  const std::string user_;  // "" for anonymous subscribers: no hold events
  const std::function<void()> wake_;
  const std::function<void()> close_;
  std::atomic<bool> wake_pending_{false};
  core::Version cursor_ = 0;  // guarded by the show's channel lock

  std::mutex events_mu_;
  std::deque<std::shared_ptr<const std::string>> events_;  // guarded by events_mu_
  bool events_overflowed_ = false;                         // guarded by events_mu_
  std::shared_ptr<const std::string> queue_;  // the latest queue status not pulled; events_mu_
};

class Hub final : public service::ChangeSink,
                  public service::HoldEventSink,
                  public service::QueueStatusSink {
 public:
  Hub(HubOptions options, const MessageEncoder& encoder, metrics::Registry& registry);
  ~Hub() override;
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  void Start();  // starts the notifier thread
  // Refuses new subscribers, calls every subscriber's `close`, and waits up to
  // `wait` for their connections to let go; then stops the notifier. Idempotent.
  void Shutdown(std::chrono::milliseconds wait);

  // ChangeSink, HoldEventSink: queue and return.
  void OnChanges(const std::shared_ptr<const core::SeatMap>& map,
                 const core::ChangeLog& log) override;
  void Publish(const service::HoldEvent& e) override;
  // QueueStatusSink: every subscriber of the show gets the latest status
  // (one not pulled yet is replaced: a slow stream skips to the newest).
  void OnQueueStatus(core::ShowId show,
                     std::shared_ptr<const service::QueueStatusBody> body) override;

  // Encodes and distributes everything queued so far. The notifier thread
  // calls it; tests without Start() call it directly.
  void Flush();

  struct Subscription {
    std::shared_ptr<Subscriber> subscriber;  // null: refused (shutting down or full)
    core::Version version = 0;               // the version the stream starts after
  };
  // Subscribes to `show`, whose version is `version_now` (read after its
  // changes were handed to OnChanges). With `since`, the stream resumes after
  // that version (Pull says `behind` when it cannot).
  Subscription Subscribe(core::ShowId show, std::string user, core::Version version_now,
                         std::optional<core::Version> since, std::function<void()> wake,
                         std::function<void()> close);

  struct Pulled {
    bool behind = false;  // the cursor fell out of the history; it now is `version`
    core::Version version = 0;
    std::vector<MessagePtr> changes;
    std::vector<std::shared_ptr<const std::string>> events;
    bool events_overflowed = false;            // some hold events were dropped: too slow
    std::shared_ptr<const std::string> queue;  // the show's waiting-room status, if it changed
  };
  // What `s` has not had yet: changes after its cursor up to about
  // `bytes_max`, and its queued hold events. Call from the subscriber's
  // connection after a wake (and again while it returns something).
  Pulled Pull(Subscriber& s, size_t bytes_max);

  // Counters the connections update.
  void CountSent(uint64_t messages) { sent_.Inc(messages); }
  void CountResync() { resyncs_.Inc(); }
  void CountSlowDisconnect() { slow_disconnects_.Inc(); }

  size_t subscribers() const { return subscriber_count_.load(); }
  size_t subscribers_max() const { return options_.subscribers_max; }

 private:
  friend class Subscriber;
  struct Channel {
    explicit Channel(size_t capacity) : history(capacity) {}
    std::mutex mu;
    ChangeHistory history;                        // guarded by mu
    std::vector<std::weak_ptr<Subscriber>> subs;  // guarded by mu
    std::shared_ptr<const std::string> queue;     // the latest waiting-room status; mu
  };
  struct PendingChange {
    std::shared_ptr<const core::SeatMap> map;
    core::Change change;
    std::vector<core::SeatIndex> seats;
  };

  Channel& ChannelOf(core::ShowId show);
  std::vector<std::shared_ptr<Subscriber>> LiveSubscribers(Channel& c);
  void OnSubscriberGone();
  void Run();

  const HubOptions options_;
  const MessageEncoder& encoder_;
  metrics::Gauge& subscribers_gauge_;
  metrics::Counter& sent_;
  metrics::Counter& resyncs_;
  metrics::Counter& slow_disconnects_;

  std::mutex channels_mu_;
  std::map<core::ShowId, std::unique_ptr<Channel>> channels_;  // guarded by channels_mu_

  std::mutex pending_mu_;
  std::condition_variable pending_cv_;
  std::vector<PendingChange> pending_changes_;      // guarded by pending_mu_
  std::vector<service::HoldEvent> pending_events_;  // guarded by pending_mu_
  std::map<core::ShowId, std::shared_ptr<const std::string>> pending_queue_;  // pending_mu_
  bool stopping_ = false;  // guarded by pending_mu_

  std::mutex flush_mu_;  // one Flush at a time: history order is version order

  std::atomic<size_t> subscriber_count_{0};
  std::atomic<bool> closed_{false};
  std::mutex gone_mu_;
  std::condition_variable gone_cv_;
  std::thread notifier_;
};

}  // namespace boxoffice::live
