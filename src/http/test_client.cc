// TestClient: blocking calls built from Asio async operations, each run on a
// private io_context for at most the timeout.
#include "http/test_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace boxoffice::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr size_t kClientBodyBytesMax = 64 << 20;

class TestClient::Impl {
 public:
  Impl(std::string host, uint16_t port, std::chrono::milliseconds timeout)
      : host_(std::move(host)), port_(port), timeout_(timeout) {}

  // Starts `op` with a completion handler and runs the loop until it
  // completes or the timeout passes (then the socket is closed).
  template <typename Op>
  error_code Run(Op op) {
    bool done = false;
    error_code result;
    op([&](error_code ec, auto&&...) {
      done = true;
      result = ec;
    });
    ioc_.restart();
    ioc_.run_for(timeout_);
    if (done) return result;
    error_code ignored;
    socket_.close(ignored);
    ioc_.restart();
    ioc_.run();  // lets the cancelled operation finish
    return asio::error::timed_out;
  }

  Status Connect() {
    Close();
    error_code ec;
    const auto address = asio::ip::make_address(host_, ec);
    if (ec) return Status::InvalidArgument("address '" + host_ + "': " + ec.message());
    ec = Run([&](auto handler) { socket_.async_connect(tcp::endpoint(address, port_), handler); });
    if (ec) return Status::IoError("connect: " + ec.message());
    ++connects_;
    buffer_.clear();
    return Status::Ok();
  }

  Status SendRaw(std::string_view bytes) {
    if (!socket_.is_open()) {
      if (Status s = Connect(); !s.ok()) return s;
    }
    const error_code ec =
        Run([&](auto handler) { asio::async_write(socket_, asio::buffer(bytes), handler); });
    if (ec) return Status::IoError("send: " + ec.message());
    return Status::Ok();
  }

  StatusOr<ClientResponse> ReadResponse(bool head) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(kClientBodyBytesMax);
    parser.skip(head);
    const error_code ec =
        Run([&](auto handler) { bhttp::async_read(socket_, buffer_, parser, handler); });
    if (ec) return Status::IoError("read: " + ec.message());
    auto& msg = parser.get();
    ClientResponse r;
    r.status = msg.result_int();
    for (const auto& field : msg) {
      r.headers.Add(std::string(field.name_string()), std::string(field.value()));
    }
    r.body = std::move(msg.body());
    r.keep_alive = msg.keep_alive();
    if (!r.keep_alive) Close();
    return r;
  }

  StatusOr<ClientResponse> Request(std::string_view method, std::string_view target,
                                   std::string_view body, const HeaderList& headers) {
    if (!socket_.is_open()) {
      if (Status s = Connect(); !s.ok()) return s;
    }
    bhttp::request<bhttp::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    bool has_host = false;
    for (const auto& [name, value] : headers) {
      req.insert(name, value);  // repeated names stay repeated
      has_host = has_host || EqualsIgnoreCase(name, "host");
    }
    if (!has_host) req.set(bhttp::field::host, host_);
    req.body() = std::string(body);
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      req.content_length(body.size());
    }
    const error_code ec = Run([&](auto handler) { bhttp::async_write(socket_, req, handler); });
    if (ec) return Status::IoError("send: " + ec.message());
    return ReadResponse(method == "HEAD");
  }

  Status WaitForClose() {
    char byte;
    size_t got = 0;
    const error_code ec = Run([&](auto handler) {
      socket_.async_read_some(asio::buffer(&byte, 1), [&got, handler](error_code e, size_t n) {
        got = n;
        handler(e);
      });
    });
    if (ec == asio::error::timed_out) return Status::Unavailable("the server kept the connection");
    if (!ec && got > 0) return Status::FailedPrecondition("the server sent more bytes");
    Close();
    return Status::Ok();  // end of stream or reset
  }

  size_t BytesAvailable() {
    error_code ec;
    const size_t pending = socket_.is_open() ? socket_.available(ec) : 0;
    return buffer_.size() + (ec ? 0 : pending);
  }

  void Close() {
    error_code ignored;
    socket_.close(ignored);
  }

  bool connected() const { return socket_.is_open(); }
  int connects() const { return connects_; }

 private:
  asio::io_context ioc_{1};
  tcp::socket socket_{ioc_};
  beast::flat_buffer buffer_;
  std::string host_;
  uint16_t port_;
  std::chrono::milliseconds timeout_;
  int connects_ = 0;
};

TestClient::TestClient(std::string host, uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(std::move(host), port, timeout)) {}
TestClient::~TestClient() = default;

StatusOr<ClientResponse> TestClient::Request(std::string_view method, std::string_view target,
                                             std::string_view body, const HeaderList& headers) {
  return impl_->Request(method, target, body, headers);
}
Status TestClient::Connect() { return impl_->Connect(); }
Status TestClient::SendRaw(std::string_view bytes) { return impl_->SendRaw(bytes); }
StatusOr<ClientResponse> TestClient::ReadResponse(bool head) { return impl_->ReadResponse(head); }
Status TestClient::WaitForClose() { return impl_->WaitForClose(); }
size_t TestClient::BytesAvailable() { return impl_->BytesAvailable(); }
void TestClient::Close() { impl_->Close(); }
bool TestClient::connected() const { return impl_->connected(); }
int TestClient::connects() const { return impl_->connects(); }

}  // namespace boxoffice::http
