#include "stream_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/parse.hpp>

namespace boxoffice::itest {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;
}  // namespace

std::string StreamMessage::type() const {
  const auto* o = json.if_object();
  const auto* t = o == nullptr ? nullptr : o->if_contains("type");
  return t != nullptr && t->is_string() ? std::string(t->as_string()) : std::string();
}

uint64_t StreamMessage::version() const {
  const auto* o = json.if_object();
  const auto* v = o == nullptr ? nullptr : o->if_contains("version");
  return v != nullptr && v->is_number() ? v->to_number<uint64_t>() : 0;
}

class StreamClient::Impl {
 public:
  Impl(Kind kind, uint16_t port, std::string target, http::TestClient::HeaderList headers,
       int rcvbuf)
      : kind_(kind),
        port_(port),
        target_(std::move(target)),
        headers_(std::move(headers)),
        rcvbuf_(rcvbuf),
        ws_(ioc_) {}

  Status Connect(std::chrono::milliseconds timeout) {
    tcp::socket& s = beast::get_lowest_layer(ws_);
    error_code ec;
    s.open(tcp::v4(), ec);
    if (rcvbuf_ > 0) s.set_option(asio::socket_base::receive_buffer_size(rcvbuf_), ec);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
    if (ec) return Status::IoError("connect: " + ec.message());
    if (kind_ == Kind::kWebSocket) return HandshakeWs(timeout);
    std::string req =
        "GET " + target_ + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
    for (const auto& [k, v] : headers_) req += k + ": " + v + "\r\n";
    req += "\r\n";
    asio::write(s, asio::buffer(req), ec);
    if (ec) return Status::IoError("write: " + ec.message());
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    size_t end;
    while ((end = in_.find("\r\n\r\n")) == std::string::npos) {
      if (Status st = ReadMore(deadline); !st.ok())
        return Status::IoError("head: " + st.message() + ": " + in_);
    }
    const std::string head = in_.substr(0, end);
    in_.erase(0, end + 4);
    if (head.rfind("HTTP/1.1 200", 0) != 0) {
      // A problem answer: read what body there is, for the message.
      (void)ReadMore(std::chrono::steady_clock::now() + std::chrono::milliseconds(500));
      return Status::FailedPrecondition(head + "\r\n\r\n" + in_);
    }
    return Status::Ok();
  }

  StatusOr<StreamMessage> Next(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (kind_ == Kind::kWebSocket) return NextWs(deadline);
    for (;;) {
      size_t end = in_.find("\n\n");
      while (end == std::string::npos) {
        if (Status st = ReadMore(deadline); !st.ok()) return st;
        end = in_.find("\n\n");
      }
      const std::string block = in_.substr(0, end);
      in_.erase(0, end + 2);
      StreamMessage m;
      std::string data;
      size_t pos = 0;
      while (pos <= block.size()) {
        size_t nl = block.find('\n', pos);
        if (nl == std::string::npos) nl = block.size();
        const std::string line = block.substr(pos, nl - pos);
        pos = nl + 1;
        if (line.rfind("event: ", 0) == 0) m.event = line.substr(7);
        if (line.rfind("id: ", 0) == 0) m.id = std::stoull(line.substr(4));
        if (line.rfind("data: ", 0) == 0) data += line.substr(6);
      }
      if (block.rfind(":", 0) == 0) ++heartbeats_;
      if (data.empty()) continue;  // a comment or the retry hint
      error_code ec;
      m.json = boost::json::parse(data, ec);
      if (ec) return Status::Corruption("not JSON: " + data);
      m.received_at = std::chrono::steady_clock::now();
      return m;
    }
  }

  std::string close_reason() const {
    const websocket::close_reason& r = ws_.reason();
    return std::to_string(r.code) + " " + std::string(r.reason.data(), r.reason.size());
  }
  int heartbeats() const { return heartbeats_; }
  Kind kind() const { return kind_; }

 private:
  // Runs the io_context until `done` or the deadline; on timeout cancels.
  Status RunUntil(bool& done, std::chrono::steady_clock::time_point deadline) {
    ioc_.restart();
    while (!done) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline || ioc_.run_one_for(deadline - now) == 0) {
        if (done) break;
        error_code ignored;
        beast::get_lowest_layer(ws_).cancel(ignored);
        ioc_.restart();
        ioc_.run();  // let the cancelled operation complete
        return Status::Unavailable("timed out");
      }
    }
    return Status::Ok();
  }

  Status ReadMore(std::chrono::steady_clock::time_point deadline) {
    std::array<char, 16 << 10> chunk;
    bool done = false;
    error_code result;
    size_t got = 0;
    beast::get_lowest_layer(ws_).async_read_some(asio::buffer(chunk), [&](error_code ec, size_t n) {
      result = ec;
      got = n;
      done = true;
    });
    if (Status st = RunUntil(done, deadline); !st.ok()) return st;
    if (result) return Status::IoError("stream ended: " + result.message());
    in_.append(chunk.data(), got);
    return Status::Ok();
  }

  Status HandshakeWs(std::chrono::milliseconds timeout) {
    ws_.set_option(websocket::stream_base::decorator([this](websocket::request_type& req) {
      for (const auto& [k, v] : headers_) req.set(k, v);
    }));
    bool done = false;
    error_code result;
    websocket::response_type res;
    ws_.async_handshake(res, "127.0.0.1", target_, [&](error_code ec) {
      result = ec;
      done = true;
    });
    if (Status st = RunUntil(done, std::chrono::steady_clock::now() + timeout); !st.ok()) return st;
    if (result)
      return Status::FailedPrecondition("handshake: " + result.message() + " (HTTP " +
                                        std::to_string(res.result_int()) + " " + res.body() + ")");
    return Status::Ok();
  }

  StatusOr<StreamMessage> NextWs(std::chrono::steady_clock::time_point deadline) {
    bool done = false;
    error_code result;
    buffer_.clear();
    ws_.async_read(buffer_, [&](error_code ec, size_t) {
      result = ec;
      done = true;
    });
    if (Status st = RunUntil(done, deadline); !st.ok()) return st;
    if (result) return Status::IoError("stream ended: " + result.message());
    StreamMessage m;
    const std::string data = beast::buffers_to_string(buffer_.data());
    error_code ec;
    m.json = boost::json::parse(data, ec);
    if (ec) return Status::Corruption("not JSON: " + data);
    m.event = m.type();
    m.received_at = std::chrono::steady_clock::now();
    return m;
  }

  const Kind kind_;
  const uint16_t port_;
  const std::string target_;
  const http::TestClient::HeaderList headers_;
  const int rcvbuf_;
  asio::io_context ioc_;
  websocket::stream<tcp::socket> ws_;  // its socket serves SSE too
  beast::flat_buffer buffer_;
  std::string in_;
  int heartbeats_ = 0;
};

StreamClient::StreamClient(Kind kind, uint16_t port, std::string target,
                           http::TestClient::HeaderList headers, int receive_buffer_bytes)
    : impl_(std::make_unique<Impl>(kind, port, std::move(target), std::move(headers),
                                   receive_buffer_bytes)) {}
StreamClient::~StreamClient() = default;
Status StreamClient::Connect(std::chrono::milliseconds timeout) { return impl_->Connect(timeout); }
StatusOr<StreamMessage> StreamClient::Next(std::chrono::milliseconds timeout) {
  return impl_->Next(timeout);
}
std::string StreamClient::close_reason() const { return impl_->close_reason(); }
int StreamClient::heartbeats() const { return impl_->heartbeats(); }
StreamClient::Kind StreamClient::kind() const { return impl_->kind(); }

}  // namespace boxoffice::itest
