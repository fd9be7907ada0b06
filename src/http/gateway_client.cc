#include "http/gateway_client.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <thread>
#include <vector>

#include "http/http_client.h"
#include "http/payments_json.h"

namespace boxoffice::http {

namespace asio = boost::asio;
using payments::Done;
using payments::Payment;
using payments::Refund;

namespace {

// The `detail` of a problem+json body, or the status line when there is none.
std::string ProblemDetail(const HttpReply& reply) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(reply.body, ec);
  if (!ec && v.is_object()) {
    if (const boost::json::value* d = v.as_object().if_contains("detail"); d && d->is_string()) {
      return std::string(d->as_string());
    }
  }
  return "the gateway answered " + std::to_string(reply.status);
}

Status StatusOfReply(const HttpReply& reply) {
  switch (reply.status) {
    case 400:
    case 422:
      return Status::InvalidArgument(ProblemDetail(reply));
    case 404:
      return Status::NotFound(ProblemDetail(reply));
    case 409:
      return Status::FailedPrecondition(ProblemDetail(reply));
    default:
      return Status::Unavailable("payment gateway: " + ProblemDetail(reply));
  }
}

// Ids the gateway makes are [A-Za-z0-9_]; anything else is no payment of its.
bool IsPlainId(std::string_view id) {
  return !id.empty() && id.size() <= kPaymentIdBytesMax &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_';
         });
}

}  // namespace

class HttpGatewayClient::Impl {
 public:
  Impl(GatewayClientOptions options, ServerAddress server)
      : options_(std::move(options)),
        bearer_("Bearer " + options_.api_key),
        work_(asio::make_work_guard(io_)),
        idle_(io_, options_.connections) {
    for (size_t i = 0; i < options_.connections; ++i) {
      conns_.push_back(
          std::make_unique<HttpConnection>(io_.get_executor(), server, options_.timeout));
      const bool given = idle_.try_send(boost::system::error_code{}, conns_.back().get());
      BOX_ASSERT(given);
    }
    thread_ = std::thread([this] { io_.run(); });
  }

  ~Impl() {
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  // Sends `req` and hands `decode`'s result of a 2xx body to `done`, on the io thread.
  template <typename T>
  void Call(HttpRequest req, StatusOr<T> (*decode)(std::string_view), Done<T> done) {
    req.headers.emplace_back("Authorization", bearer_);
    asio::co_spawn(io_, Exchange<T>(std::move(req), decode, std::move(done)), asio::detached);
  }

  // `done(status)` on the io thread: never inline in the caller.
  template <typename T>
  void Fail(Status status, Done<T> done) {
    asio::post(io_, [status = std::move(status), done = std::move(done)] { done(status); });
  }

 private:
  template <typename T>
  asio::awaitable<void> Exchange(HttpRequest req, StatusOr<T> (*decode)(std::string_view),
                                 Done<T> done) {
    StatusOr<HttpReply> reply = co_await Send(req);
    if (!reply.ok()) {
      done(Status::Unavailable("payment gateway unreachable: " + reply.status().message()));
      co_return;
    }
    if (reply->status != 200 && reply->status != 201) {
      done(StatusOfReply(*reply));
      co_return;
    }
    StatusOr<T> value = decode(reply->body);
    if (!value.ok()) {
      done(Status::Unavailable("payment gateway: unreadable answer: " + value.status().message()));
      co_return;
    }
    done(std::move(value));
  }

  // One idle connection for the exchange; once more on a fresh connection if
  // a reused one failed (the gateway may have closed it while idle).
  asio::awaitable<StatusOr<HttpReply>> Send(const HttpRequest& req) {
    boost::system::error_code ec;
    HttpConnection* conn =
        co_await idle_.async_receive(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return Status::Unavailable("payment gateway client stopped");
    const uint64_t connects = conn->connects();
    StatusOr<HttpReply> reply = co_await conn->Send(req);
    if (!reply.ok() && connects > 0 && conn->connects() == connects) {
      reply = co_await conn->Send(req);
    }
    const bool returned = idle_.try_send(boost::system::error_code{}, conn);
    BOX_ASSERT(returned);
    co_return reply;
  }

  const GatewayClientOptions options_;
  const std::string bearer_;
  asio::io_context io_{1};
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  asio::experimental::channel<void(boost::system::error_code, HttpConnection*)> idle_;
  std::vector<std::unique_ptr<HttpConnection>> conns_;
  std::thread thread_;
};

StatusOr<std::unique_ptr<HttpGatewayClient>> HttpGatewayClient::Create(
    GatewayClientOptions options) {
  StatusOr<HttpUrl> url = ParseHttpUrl(options.url);
  if (!url.ok()) return url.status();
  if (url->path != "/") {
    return Status::InvalidArgument("gateway URL: give the gateway's root, without a path");
  }
  if (options.connections == 0 || options.connections > kGatewayClientConnectionsMax) {
    return Status::InvalidArgument("gateway connections: must be from 1 to " +
                                   std::to_string(kGatewayClientConnectionsMax));
  }
  if (options.api_key.empty()) return Status::InvalidArgument("gateway API key: must be set");
  return std::unique_ptr<HttpGatewayClient>(
      new HttpGatewayClient(std::make_unique<Impl>(std::move(options), std::move(url->server))));
}

HttpGatewayClient::HttpGatewayClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpGatewayClient::~HttpGatewayClient() = default;

void HttpGatewayClient::CreatePayment(const payments::PaymentRequest& request, Done<Payment> done) {
  HttpRequest req{"POST", "/gateway/v1/payments"};
  req.body = EncodePaymentRequest(request);
  impl_->Call<Payment>(std::move(req), &DecodePayment, std::move(done));
}

void HttpGatewayClient::GetPayment(const std::string& payment_id, Done<Payment> done) {
  if (!IsPlainId(payment_id))
    return impl_->Fail(Status::NotFound("no such payment"), std::move(done));
  impl_->Call<Payment>(HttpRequest{"GET", "/gateway/v1/payments/" + payment_id}, &DecodePayment,
                       std::move(done));
}

void HttpGatewayClient::CancelPayment(const std::string& payment_id, Done<Payment> done) {
  if (!IsPlainId(payment_id))
    return impl_->Fail(Status::NotFound("no such payment"), std::move(done));
  impl_->Call<Payment>(HttpRequest{"POST", "/gateway/v1/payments/" + payment_id + "/cancel"},
                       &DecodePayment, std::move(done));
}

void HttpGatewayClient::RefundPayment(const std::string& payment_id,
                                      const std::string& idempotency_key, Done<Refund> done) {
  if (!IsPlainId(payment_id))
    return impl_->Fail(Status::NotFound("no such payment"), std::move(done));
  HttpRequest req{"POST", "/gateway/v1/payments/" + payment_id + "/refunds"};
  req.body = boost::json::serialize(boost::json::object{{"idempotency_key", idempotency_key}});
  impl_->Call<Refund>(std::move(req), &DecodeRefund, std::move(done));
}

}  // namespace boxoffice::http
