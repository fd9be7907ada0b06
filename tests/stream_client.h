// StreamClient: a blocking client of GET /v1/shows/{id}/changes for tests and
// the fan-out benchmark, over Server-Sent Events or a WebSocket.
//
//   itest::StreamClient sse(itest::StreamClient::Kind::kSse, port, "/v1/shows/s1/changes");
//   ASSERT_TRUE(sse.Connect().ok());
//   StatusOr<itest::StreamMessage> m = sse.Next(std::chrono::seconds(5));  // "hello" first
//
// Every wait is bounded; a timeout or a closed stream is a Status, not a hang.
// `receive_buffer_bytes` (SO_RCVBUF, before connecting) lets a test build a
// client whose socket fills quickly when it stops reading.
// Thread-safety: none; one client per thread.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/status.h"
#include "http/test_client.h"

namespace boxoffice::itest {

struct StreamMessage {
  std::string event;           // SSE `event:`; for WebSocket, the JSON "type"
  std::optional<uint64_t> id;  // SSE `id:`
  boost::json::value json;     // the data
  std::chrono::steady_clock::time_point received_at;
  std::string type() const;  // json["type"]
  uint64_t version() const;  // json["version"], 0 when absent
};

class StreamClient {
 public:
  enum class Kind { kSse, kWebSocket };

  StreamClient(Kind kind, uint16_t port, std::string target,
               http::TestClient::HeaderList headers = {}, int receive_buffer_bytes = 0);
  ~StreamClient();
  StreamClient(const StreamClient&) = delete;
  StreamClient& operator=(const StreamClient&) = delete;

  // Connects and completes the handshake (SSE: a 200 head; WebSocket: 101).
  // A refusal is an error whose message holds the status and body.
  Status Connect(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The next message (SSE comments and WebSocket pings are skipped).
  StatusOr<StreamMessage> Next(std::chrono::milliseconds timeout);
  // Why the server closed a WebSocket (code and reason), once Next failed.
  std::string close_reason() const;
  // Heartbeats seen so far (SSE comments).
  int heartbeats() const;
  Kind kind() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace boxoffice::itest
