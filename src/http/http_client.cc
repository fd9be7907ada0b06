#include "loadgen/http_client.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace boxoffice::loadgen {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// The read buffer holds a response header and one chunk of body at a time.
constexpr size_t kReadBufferBytesMax = 64 << 10;
// A connection idle this long is reopened before use: the server closes
// idle keep-alive connections (after 30 s by default), and a request written
// into a connection it is closing would be lost.
constexpr Clock::duration kIdleReconnect = std::chrono::seconds(10);

class HttpConnection::Impl {
 public:
  Impl(asio::any_io_executor executor, ServerAddress server, std::chrono::milliseconds timeout)
      : stream_(std::move(executor)),
        server_(std::move(server)),
        endpoint_(asio::ip::make_address(server_.ip), server_.port),
        timeout_(timeout),
        buffer_(kReadBufferBytesMax) {
    BOX_ASSERT(endpoint_.address().is_loopback());  // ParseLoopbackUrl made the address
  }

  asio::awaitable<StatusOr<HttpReply>> Send(const HttpRequest& r) {
    const bhttp::verb verb = bhttp::string_to_verb(r.method);
    BOX_ASSERT(verb != bhttp::verb::unknown);
    if (stream_.socket().is_open() && Clock::now() - last_used_ > kIdleReconnect) Close();
    if (!stream_.socket().is_open()) {
      Status s = co_await Connect();
      if (!s.ok()) co_return s;
    }
    bhttp::request<bhttp::string_body> req{verb, r.target, 11};
    req.set(bhttp::field::host, server_.host);
    for (const auto& [name, value] : r.headers) req.set(name, value);
    if (!r.body.empty() || verb == bhttp::verb::post) {
      req.set(bhttp::field::content_type, "application/json");
      req.body() = r.body;
    }
    req.keep_alive(true);
    req.prepare_payload();

    boost::system::error_code ec;
    stream_.expires_after(timeout_);
    const Clock::time_point start = Clock::now();
    co_await bhttp::async_write(stream_, req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return Fail("write", r, ec);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<uint32_t>(kResponseHeaderBytesMax));
    parser.body_limit(r.body_bytes_max);
    parser.skip(verb == bhttp::verb::head);
    co_await bhttp::async_read(stream_, buffer_, parser,
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return Fail("read", r, ec);
    last_used_ = Clock::now();
    stream_.expires_never();

    bhttp::response<bhttp::string_body>& msg = parser.get();
    HttpReply reply;
    reply.status = msg.result_int();
    reply.latency_us = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(last_used_ - start).count());
    if (auto it = msg.find(bhttp::field::etag); it != msg.end())
      reply.etag = std::string(it->value());
    reply.body = std::move(msg.body());
    if (!msg.keep_alive()) Close();
    co_return reply;
  }

  void Close() {
    boost::system::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    buffer_.clear();
  }

  uint64_t connects() const { return connects_; }

 private:
  asio::awaitable<Status> Connect() {
    buffer_.clear();
    boost::system::error_code ec;
    stream_.expires_after(timeout_);
    co_await stream_.async_connect(endpoint_, asio::redirect_error(asio::use_awaitable, ec));
    stream_.expires_never();
    if (ec) {
      stream_.close();
      co_return Status::IoError("connect to " + server_.Url() + ": " + ec.message());
    }
    stream_.socket().set_option(tcp::no_delay(true), ec);
    connects_++;
    last_used_ = Clock::now();
    co_return Status::Ok();
  }

  Status Fail(std::string_view step, const HttpRequest& r, const boost::system::error_code& ec) {
    Close();
    return Status::IoError(std::string(step) + " " + std::string(r.method) + " " + r.target + ": " +
                           ec.message());
  }

  beast::tcp_stream stream_;
  ServerAddress server_;
  tcp::endpoint endpoint_;
  std::chrono::milliseconds timeout_;
  beast::flat_buffer buffer_;
  Clock::time_point last_used_{};
  uint64_t connects_ = 0;
};

HttpConnection::HttpConnection(asio::any_io_executor executor, ServerAddress server,
                               std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(server), timeout)) {}

HttpConnection::~HttpConnection() = default;

asio::awaitable<StatusOr<HttpReply>> HttpConnection::Send(const HttpRequest& request) {
  co_return co_await impl_->Send(request);
}

void HttpConnection::Close() { impl_->Close(); }

uint64_t HttpConnection::connects() const { return impl_->connects(); }

}  // namespace boxoffice::loadgen
