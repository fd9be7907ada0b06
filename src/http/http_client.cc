#include "http/http_client.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>
#include <optional>

namespace boxoffice::http {

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

StatusOr<HttpUrl> ParseHttpUrl(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("bad URL " + std::string(text) + ": " + std::string(why));
  };
  const auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return bad("not a URL");
  const boost::urls::url_view u = *parsed;
  if (u.scheme() != "http") return bad("the scheme must be http");
  if (u.has_userinfo() || u.has_query() || u.has_fragment()) {
    return bad("no credentials, query or fragment");
  }
  HttpUrl out;
  switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::name:
      out.server.ip = u.host();
      break;
    case boost::urls::host_type::ipv6:
      out.server.ip = u.host_ipv6_address().to_string();
      break;
    default:
      return bad("no host");
  }
  if (out.server.ip.empty()) return bad("no host");
  if (u.has_port()) {
    const std::string_view port = u.port();
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > UINT16_MAX) {
      return bad("the port must be 1..65535");
    }
    out.server.port = static_cast<uint16_t>(value);
  }
  out.server.host = std::string(u.encoded_host_and_port());
  out.path = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  return out;
}

class HttpConnection::Impl {
 public:
  Impl(asio::any_io_executor executor, ServerAddress server, std::chrono::milliseconds timeout)
      : stream_(std::move(executor)),
        server_(std::move(server)),
        timeout_(timeout),
        buffer_(kReadBufferBytesMax) {
    boost::system::error_code ec;
    const asio::ip::address ip = asio::ip::make_address(server_.ip, ec);
    if (!ec) endpoint_ = tcp::endpoint(ip, server_.port);  // else resolved on connect
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
    if (endpoint_) {
      co_await stream_.async_connect(*endpoint_, asio::redirect_error(asio::use_awaitable, ec));
    } else {
      tcp::resolver resolver(stream_.get_executor());
      const auto found = co_await resolver.async_resolve(
          server_.ip, std::to_string(server_.port), asio::redirect_error(asio::use_awaitable, ec));
      if (!ec) {
        co_await stream_.async_connect(found, asio::redirect_error(asio::use_awaitable, ec));
      }
    }
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
  std::optional<tcp::endpoint> endpoint_;  // none: resolve server_.ip on connect
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

}  // namespace boxoffice::http
