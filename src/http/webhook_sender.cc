#include "http/webhook_sender.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <thread>

#include "http/http_client.h"
#include "http/payments_json.h"
#include "payments/webhook.h"

namespace boxoffice::http {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

struct Item {
  std::string body;  // the event, encoded once
  Clock::time_point first_attempt{};
  uint32_t failed = 0;
};
using ItemPtr = std::shared_ptr<Item>;

}  // namespace

class WebhookSender::Impl {
 public:
  Impl(WebhookSender& owner, WebhookSenderOptions options, payments::WallClock now_ms)
      : owner_(owner),
        options_(std::move(options)),
        now_ms_(std::move(now_ms)),
        rng_state_(options_.seed),
        work_(asio::make_work_guard(io_)),
        ready_(io_, options_.queue_max) {}

  Status Start(const std::string& url) {
    BOX_ASSERT(!thread_.joinable());
    StatusOr<HttpUrl> parsed = ParseHttpUrl(url);
    if (!parsed.ok()) return parsed.status();
    if (Status s = payments::ValidateRetryPolicy(options_.retry); !s.ok()) return s;
    if (options_.connections == 0 || options_.connections > kWebhookConnectionsMax) {
      return Status::InvalidArgument("webhook connections: must be from 1 to " +
                                     std::to_string(kWebhookConnectionsMax));
    }
    url_ = std::move(parsed).value();
    for (size_t i = 0; i < options_.connections; ++i) {
      asio::co_spawn(io_, Worker(), asio::detached);
    }
    thread_ = std::thread([this] { io_.run(); });
    return Status::Ok();
  }

  void Stop() {
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  // Any thread: hands the delivery to the io thread.
  void Post(payments::Delivery d) {
    asio::post(io_, [this, d = std::move(d)] {
      auto item = std::make_shared<Item>();
      item->body = EncodeWebhookEvent(d.event);
      const int64_t wait_ms = d.not_before_ms - now_ms_();
      if (wait_ms > 0) return Later(std::move(item), wait_ms);
      Ready(std::move(item));
    });
  }

 private:
  void Ready(ItemPtr item) {
    // Never full: pending_ (which bounds the items alive) is at most the capacity.
    const bool sent = ready_.try_send(boost::system::error_code{}, std::move(item));
    BOX_ASSERT(sent);
  }

  void Later(ItemPtr item, int64_t wait_ms) {
    auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(wait_ms));
    timer->async_wait([this, timer, item = std::move(item)](boost::system::error_code ec) mutable {
      if (!ec) Ready(std::move(item));
    });
  }

  asio::awaitable<void> Worker() {
    HttpConnection conn(io_.get_executor(), url_.server, options_.timeout);
    for (;;) {
      boost::system::error_code ec;
      ItemPtr item = co_await ready_.async_receive(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      co_await Attempt(conn, std::move(item));
    }
  }

  asio::awaitable<void> Attempt(HttpConnection& conn, ItemPtr item) {
    if (item->failed == 0) item->first_attempt = Clock::now();
    HttpRequest req{"POST", url_.path};
    req.body = item->body;
    req.headers.emplace_back(payments::kSignatureHeader,
                             payments::SignWebhook(options_.secret, item->body, now_ms_() / 1000));
    StatusOr<HttpReply> reply = co_await conn.Send(req);
    if (reply.ok() && reply->status >= 200 && reply->status < 300) {
      owner_.delivered_.Inc();
      owner_.pending_.fetch_sub(1);
      co_return;
    }
    item->failed++;
    const int64_t delay_ms = payments::BackoffDelayMs(options_.retry, item->failed, Next());
    const int64_t age_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - item->first_attempt)
            .count();
    if (!payments::ShouldRetry(options_.retry, item->failed, age_ms, delay_ms)) {
      owner_.dropped_.Inc();
      owner_.pending_.fetch_sub(1);
      co_return;
    }
    owner_.retried_.Inc();
    Later(std::move(item), delay_ms);
  }

  uint64_t Next() {  // SplitMix64, for the jitter
    uint64_t z = (rng_state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  WebhookSender& owner_;
  const WebhookSenderOptions options_;
  const payments::WallClock now_ms_;
  uint64_t rng_state_;  // io thread only
  HttpUrl url_;         // set by Start, before the io thread runs
  asio::io_context io_{1};
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  asio::experimental::channel<void(boost::system::error_code, ItemPtr)> ready_;
  std::thread thread_;
};

WebhookSender::WebhookSender(WebhookSenderOptions options, metrics::Registry& registry,
                             payments::WallClock now_ms)
    : queue_max_(options.queue_max),
      delivered_(registry.GetCounter("webhook_deliveries_total", "Webhook deliveries by outcome",
                                     {{"outcome", "delivered"}})),
      retried_(registry.GetCounter("webhook_deliveries_total", "Webhook deliveries by outcome",
                                   {{"outcome", "retried"}})),
      dropped_(registry.GetCounter("webhook_deliveries_total", "Webhook deliveries by outcome",
                                   {{"outcome", "dropped"}})),
      impl_(std::make_unique<Impl>(*this, std::move(options), std::move(now_ms))) {
  BOX_ASSERT(queue_max_ > 0);
}

WebhookSender::~WebhookSender() { Stop(); }

Status WebhookSender::Start(const std::string& url) { return impl_->Start(url); }

void WebhookSender::Stop() { impl_->Stop(); }

void WebhookSender::Deliver(payments::Delivery delivery) {
  if (pending_.fetch_add(1) >= queue_max_) {
    pending_.fetch_sub(1);
    dropped_.Inc();
    return;
  }
  impl_->Post(std::move(delivery));
}

WebhookSenderStats WebhookSender::stats() const {
  return {delivered_.Value(), retried_.Value(), dropped_.Value()};
}

}  // namespace boxoffice::http
