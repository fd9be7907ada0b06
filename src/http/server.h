// http::Server: the HTTP/1.1 server on Boost.Beast that the API runs on.
//
//   http::Router router;
//   router.Add(http::Method::kGet, "/healthz", [](http::Request&&, http::Responder r) {
//     r(http::Response::Text(200, "ok\n"));
//   });
//   http::Server server(http::ServerOptions{}, std::move(router), registry);
//   if (auto s = server.Start(); !s.ok()) ...;   // binds and starts the io threads
//   ... wait for SIGINT/SIGTERM ...
//   server.Stop();                                // drains, then joins
//
// Threads: `io_threads` threads each run their own event loop; a connection
// lives on one of them for its whole life, so handlers run on that thread
// with no locking and no hop. Start/Stop are called from one controlling
// thread (Stop also from a signal-waiting thread), never from a handler.
//
// Per connection: one request at a time (pipelined requests wait in the read
// buffer and are answered in order), keep-alive, and these deadlines:
//   idle (waiting for the first byte of a request)  keep_alive_timeout -> close
//   reading one request, from its first byte       request_read_timeout -> 408
//   handler answering through its Responder        handler_timeout -> 503
//   writing the response                           write_timeout -> close
// (checked a few times per shortest timeout, between 5 and 250 ms apart).
// Every error the server answers itself is problem+json (see problem.h):
// 400 malformed_request / invalid_target, 404, 405 (+Allow), 408, 413, 414,
// 431, 500 (handler threw or dropped its Responder), 501 (unknown method),
// 503 (too many connections, handler timeout).
//
// Metrics (registered in the registry given to the constructor):
//   http_requests_total{route,method,status}        status is the class: "2xx"
//   http_request_duration_seconds{route,method}      from the request's arrival
//                                                    to its response's hand-over
//                                                    to the socket
//   http_connections_open, http_connections_rejected_total,
//   http_handler_exceptions_total
// `route` is the matched pattern, or "unmatched" when no route matched.
//
// Streaming (SSE/WebSocket) later: a connection's life is a small state
// machine (idle, reading, handling, writing, lingering, closed); a
// streaming answer becomes one more state that keeps the socket after the
// head is written, reached through a Responder method, without changing the
// request/response path.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/router.h"
#include "metrics/metrics.h"

namespace boxoffice::http {

// Limits and their defaults, in one place.
inline constexpr size_t kBodyBytesMaxDefault = 1 << 20;     // 1 MiB
inline constexpr size_t kHeaderBytesMaxDefault = 16 << 10;  // request line + fields
inline constexpr size_t kTargetBytesMaxDefault = 4 << 10;   // the request-target alone
inline constexpr size_t kConnectionsMaxDefault = 10'000;
inline constexpr std::chrono::milliseconds kKeepAliveTimeoutDefault = std::chrono::seconds(60);
inline constexpr std::chrono::milliseconds kRequestReadTimeoutDefault = std::chrono::seconds(10);
inline constexpr std::chrono::milliseconds kWriteTimeoutDefault = std::chrono::seconds(10);
inline constexpr std::chrono::milliseconds kHandlerTimeoutDefault = std::chrono::seconds(30);
inline constexpr std::chrono::milliseconds kDrainTimeoutDefault = std::chrono::seconds(10);
// After a response with "Connection: close" the server stops sending and
// reads (and discards) what the client still sends, so that the client sees
// the response instead of a reset; bounded in time and bytes.
inline constexpr std::chrono::milliseconds kLingerTimeout = std::chrono::seconds(2);
// While the server stops, a request still being read gets this long after
// its last byte (or the start of the drain) before it is answered 503
// overloaded and closed: a client that stopped sending does not hold up the
// drain. The drain's lingering closes are bounded by it too.
inline constexpr std::chrono::milliseconds kDrainQuietTimeout = std::chrono::seconds(1);
inline constexpr size_t kLingerBytesMax = 4 << 20;
inline constexpr size_t kReadChunkBytes = 8 << 10;  // also each connection's idle buffer

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;        // 0: an ephemeral port; see Server::port()
  unsigned io_threads = 0;  // 0: std::thread::hardware_concurrency()
  size_t body_bytes_max = kBodyBytesMaxDefault;
  size_t header_bytes_max = kHeaderBytesMaxDefault;
  size_t target_bytes_max = kTargetBytesMaxDefault;
  size_t connections_max = kConnectionsMaxDefault;
  uint32_t requests_per_connection_max = 0;  // 0: unlimited
  std::chrono::milliseconds keep_alive_timeout = kKeepAliveTimeoutDefault;
  std::chrono::milliseconds request_read_timeout = kRequestReadTimeoutDefault;
  std::chrono::milliseconds write_timeout = kWriteTimeoutDefault;
  std::chrono::milliseconds handler_timeout = kHandlerTimeoutDefault;
  std::chrono::milliseconds drain_timeout = kDrainTimeoutDefault;
};

// OK, or InvalidArgument naming the first option out of range (a zero limit
// or timeout). Start() checks it.
Status ValidateOptions(const ServerOptions& options);

namespace internal {
class ServerImpl;
}

class Server {
 public:
  Server(ServerOptions options, Router router, metrics::Registry& registry);
  ~Server();  // Stop()s first
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the io threads. Once per server.
  Status Start();
  // Stops accepting, closes idle connections, lets requests in flight finish
  // for up to drain_timeout (a request still arriving only while its bytes
  // keep coming: kDrainQuietTimeout), then closes the rest and joins the io
  // threads.
  // Idempotent; safe from any thread that is not an io thread (e.g. one that
  // waits in sigwait), but not from inside a signal handler: it locks.
  void Stop();

  uint16_t port() const;  // the bound port, after a successful Start()
  const ServerOptions& options() const;
  const Router& router() const;

 private:
  std::unique_ptr<internal::ServerImpl> impl_;
};

}  // namespace boxoffice::http
