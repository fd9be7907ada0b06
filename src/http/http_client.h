// HttpConnection: one keep-alive HTTP/1.1 client connection, driven by C++20
// coroutines on an Asio executor. The load generator, the webhook sender and
// the payment gateway client use it.
//
//   StatusOr<HttpUrl> url = ParseHttpUrl("http://127.0.0.1:8090");
//   HttpConnection conn(io.get_executor(), url->server);
//   StatusOr<HttpReply> r = co_await conn.Send({"GET", "/healthz"});
//
// One request at a time (the caller awaits each); the connection is opened
// on first use and again after the server closed it or an error closed it.
// Nothing is retried: a failure is an IoError naming the step (connect,
// write, read) and the connection is closed. Every step is bounded by the
// timeout; a response header by kResponseHeaderBytesMax and its body by the
// request's body_bytes_max. Thousands of connections can share one thread.
//
// Where it connects is the caller's business: the load generator only ever
// passes loopback addresses (loadgen/loopback_url.h). A host name is resolved
// on each connect. Thread-safety: a connection belongs to its executor's thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace boxoffice::http {

// A server to connect to.
struct ServerAddress {
  std::string ip;    // an IP literal ("127.0.0.1", "::1") or a host name to resolve
  std::string host;  // the Host header: "127.0.0.1:8080", "localhost:8080", "[::1]:8080"
  uint16_t port = 80;

  std::string Url() const { return "http://" + host; }
};

// An http:// URL split for a client: the server and the path ("/" if none).
struct HttpUrl {
  ServerAddress server;
  std::string path;
};

// Accepts http://HOST[:PORT][/PATH]: no https, credentials, query or fragment.
StatusOr<HttpUrl> ParseHttpUrl(std::string_view url);

inline constexpr size_t kResponseHeaderBytesMax = 16 << 10;
inline constexpr size_t kResponseBodyBytesMaxDefault = 1 << 20;
inline constexpr std::chrono::milliseconds kRequestTimeoutDefault = std::chrono::seconds(30);

struct HttpRequest {
  std::string_view method;  // "GET", "POST", "DELETE"
  std::string target;
  std::string body;  // sent as application/json when not empty (or when the method is POST)
  std::vector<std::pair<std::string_view, std::string>> headers;
  size_t body_bytes_max = kResponseBodyBytesMaxDefault;
};

struct HttpReply {
  unsigned status = 0;
  std::string body;
  std::string etag;         // the ETag header, if any
  uint64_t latency_us = 0;  // from the first byte written to the last byte read
};

class HttpConnection {
 public:
  HttpConnection(boost::asio::any_io_executor executor, ServerAddress server,
                 std::chrono::milliseconds timeout = kRequestTimeoutDefault);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  boost::asio::awaitable<StatusOr<HttpReply>> Send(const HttpRequest& request);
  void Close();

  uint64_t connects() const;  // connections opened so far

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace boxoffice::http
