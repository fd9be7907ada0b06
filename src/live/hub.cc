#include "live/hub.h"

#include <algorithm>
#include <thread>

#include "core/status.h"

namespace boxoffice::live {

Subscriber::~Subscriber() { hub_.OnSubscriberGone(); }

void Subscriber::Wake() {
  if (!wake_pending_.exchange(true, std::memory_order_acq_rel)) wake_();
}

Hub::Hub(HubOptions options, const MessageEncoder& encoder, metrics::Registry& registry)
    : options_(options),
      encoder_(encoder),
      subscribers_gauge_(registry.GetGauge("live_subscribers",
                                           "Open live-stream connections (SSE and WebSocket).")),
      sent_(registry.GetCounter("live_messages_sent_total",
                                "Messages written to live-stream connections.")),
      resyncs_(registry.GetCounter("live_resyncs_total",
                                   "Live-stream subscribers told to reload the snapshot.")),
      slow_disconnects_(
          registry.GetCounter("live_slow_consumer_disconnects_total",
                              "Live-stream connections closed because they fell too far behind.")) {
  BOX_ASSERT(options_.history_changes_max > 0);
}

Hub::~Hub() { Shutdown(std::chrono::milliseconds(0)); }

void Hub::Start() {
  BOX_ASSERT(!notifier_.joinable());
  notifier_ = std::thread([this] { Run(); });
}

void Hub::Run() {
  std::unique_lock<std::mutex> lock(pending_mu_);
  for (;;) {
    pending_cv_.wait(lock, [this] {
      return stopping_ || !pending_changes_.empty() || !pending_events_.empty() ||
             !pending_queue_.empty();
    });
    if (stopping_) return;
    lock.unlock();
    std::this_thread::sleep_for(kNotifyCoalesce);  // let a burst gather
    Flush();
    lock.lock();
  }
}

void Hub::Shutdown(std::chrono::milliseconds wait) {
  if (!closed_.exchange(true)) {
    std::vector<std::shared_ptr<Subscriber>> all;
    {
      std::lock_guard<std::mutex> lock(channels_mu_);
      for (auto& [show, channel] : channels_) {
        std::vector<std::shared_ptr<Subscriber>> live = LiveSubscribers(*channel);
        all.insert(all.end(), live.begin(), live.end());
      }
    }
    for (const auto& s : all) s->close_();
    all.clear();
    std::unique_lock<std::mutex> lock(gone_mu_);
    gone_cv_.wait_for(lock, wait, [this] { return subscriber_count_.load() == 0; });
  }
  {
    std::lock_guard<std::mutex> lock(pending_mu_);
    stopping_ = true;
  }
  pending_cv_.notify_all();
  if (notifier_.joinable()) notifier_.join();
}

void Hub::OnChanges(const std::shared_ptr<const core::SeatMap>& map, const core::ChangeLog& log) {
  if (closed_.load(std::memory_order_relaxed)) return;
  {
    std::lock_guard<std::mutex> lock(pending_mu_);
    for (const core::Change& c : log.changes()) {
      const auto seats = log.seats(c);
      pending_changes_.push_back(PendingChange{map, c, {seats.begin(), seats.end()}});
    }
  }
  pending_cv_.notify_one();
}

void Hub::Publish(const service::HoldEvent& e) {
  if (closed_.load(std::memory_order_relaxed)) return;
  {
    std::lock_guard<std::mutex> lock(pending_mu_);
    pending_events_.push_back(e);
  }
  pending_cv_.notify_one();
}

void Hub::OnQueueStatus(core::ShowId show, std::shared_ptr<const service::QueueStatusBody> body) {
  if (closed_.load(std::memory_order_relaxed)) return;
  {
    std::lock_guard<std::mutex> lock(pending_mu_);
    pending_queue_[show] = std::shared_ptr<const std::string>(body, &body->json);
  }
  pending_cv_.notify_one();
}

Hub::Channel& Hub::ChannelOf(core::ShowId show) {
  std::lock_guard<std::mutex> lock(channels_mu_);
  std::unique_ptr<Channel>& c = channels_[show];
  if (c == nullptr) c = std::make_unique<Channel>(options_.history_changes_max);
  return *c;
}

// The channel's subscribers still alive; drops the rest. Under c.mu or not
// shared yet.
std::vector<std::shared_ptr<Subscriber>> Hub::LiveSubscribers(Channel& c) {
  std::lock_guard<std::mutex> lock(c.mu);
  std::vector<std::shared_ptr<Subscriber>> live;
  live.reserve(c.subs.size());
  std::erase_if(c.subs, [&](const std::weak_ptr<Subscriber>& w) {
    std::shared_ptr<Subscriber> s = w.lock();
    if (s == nullptr) return true;
    live.push_back(std::move(s));
    return false;
  });
  return live;
}

void Hub::Flush() {
  std::lock_guard<std::mutex> flush(flush_mu_);
  std::vector<PendingChange> changes;
  std::vector<service::HoldEvent> events;
  std::map<core::ShowId, std::shared_ptr<const std::string>> queue;
  {
    std::lock_guard<std::mutex> lock(pending_mu_);
    changes.swap(pending_changes_);
    events.swap(pending_events_);
    queue.swap(pending_queue_);
  }
  for (const auto& [show, text] : queue) {
    Channel& c = ChannelOf(show);
    {
      std::lock_guard<std::mutex> lock(c.mu);
      c.queue = text;
    }
    for (const auto& s : LiveSubscribers(c)) {
      {
        std::lock_guard<std::mutex> lock(s->events_mu_);
        s->queue_ = text;
      }
      s->Wake();
    }
  }
  std::vector<core::ShowId> touched;
  for (const PendingChange& p : changes) {
    auto m = std::make_shared<Message>();
    m->version = p.change.version;
    m->text = encoder_.Change(*p.map, p.change, p.seats);
    Channel& c = ChannelOf(p.change.show);
    {
      std::lock_guard<std::mutex> lock(c.mu);
      c.history.Append(std::move(m));
    }
    if (touched.empty() || touched.back() != p.change.show) touched.push_back(p.change.show);
  }
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  for (core::ShowId show : touched) {
    for (const auto& s : LiveSubscribers(ChannelOf(show))) s->Wake();
  }
  for (const service::HoldEvent& e : events) {
    if (e.user.empty()) continue;
    std::shared_ptr<const std::string> text;
    for (const auto& s : LiveSubscribers(ChannelOf(e.show))) {
      if (s->user() != e.user) continue;
      if (text == nullptr) text = std::make_shared<const std::string>(encoder_.HoldEvent(e));
      {
        std::lock_guard<std::mutex> lock(s->events_mu_);
        if (s->events_.size() < options_.hold_events_queued_max) {
          s->events_.push_back(text);
        } else {
          s->events_overflowed_ = true;
        }
      }
      s->Wake();
    }
  }
}

Hub::Subscription Hub::Subscribe(core::ShowId show, std::string user, core::Version version_now,
                                 std::optional<core::Version> since, std::function<void()> wake,
                                 std::function<void()> close) {
  Subscription out;
  if (closed_.load()) return out;
  if (subscriber_count_.fetch_add(1) >= options_.subscribers_max) {
    subscriber_count_.fetch_sub(1);
    return out;
  }
  subscribers_gauge_.Inc();
  // Every change up to version_now is queued by now (the service announces
  // changes before it publishes their version): take them into the history,
  // so that a resume from just before version_now finds them.
  Flush();
  auto s = std::shared_ptr<Subscriber>(
      new Subscriber(*this, show, std::move(user), std::move(wake), std::move(close)));
  Channel& c = ChannelOf(show);
  std::lock_guard<std::mutex> lock(c.mu);
  c.history.Observe(version_now);
  out.version = c.history.head();
  s->cursor_ = since.value_or(out.version);
  s->queue_ = c.queue;  // the room's status so far, first thing on the stream
  c.subs.push_back(s);
  out.subscriber = std::move(s);
  return out;
}

Hub::Pulled Hub::Pull(Subscriber& s, size_t bytes_max) {
  s.wake_pending_.store(false, std::memory_order_release);
  Pulled out;
  Channel& c = ChannelOf(s.show());
  {
    std::lock_guard<std::mutex> lock(c.mu);
    if (!c.history.CanContinueFrom(s.cursor_)) {
      out.behind = true;
      s.cursor_ = c.history.head();
    } else {
      s.cursor_ = c.history.ReadAfter(s.cursor_, bytes_max, &out.changes);
    }
    out.version = s.cursor_;
  }
  std::lock_guard<std::mutex> lock(s.events_mu_);
  out.events.assign(s.events_.begin(), s.events_.end());
  s.events_.clear();
  out.events_overflowed = s.events_overflowed_;
  s.events_overflowed_ = false;
  out.queue = std::move(s.queue_);
  s.queue_ = nullptr;
  return out;
}

void Hub::OnSubscriberGone() {
  subscribers_gauge_.Dec();
  if (subscriber_count_.fetch_sub(1) == 1) {
    std::lock_guard<std::mutex> lock(gone_mu_);
    gone_cv_.notify_all();
  }
}

}  // namespace boxoffice::live
