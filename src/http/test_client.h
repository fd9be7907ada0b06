// TestClient: a small blocking HTTP/1.1 client for tests, over one keep-alive
// connection to a loopback server. Every operation gives up after `timeout`
// and reports it as a Status, so a misbehaving server fails a test instead
// of hanging it.
//
//   http::TestClient client("127.0.0.1", server.port());
//   auto r = client.Request("POST", "/v1/shows/7/holds", R"({"seats":["A-1-1"]})",
//                           {{"Content-Type", "application/json"}});
//   ASSERT_TRUE(r.ok()) << r.status().message();
//   EXPECT_EQ(r->status, 201);
//
// SendRaw/ReadResponse write and read bytes as they are, for malformed input.
// Thread-safety: none; one client per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "http/message.h"

namespace boxoffice::http {

struct ClientResponse {
  unsigned status = 0;
  Headers headers;
  std::string body;
  bool keep_alive = false;  // false: the server closes the connection after this response
};

class TestClient {
 public:
  using HeaderList = std::vector<std::pair<std::string, std::string>>;

  TestClient(std::string host, uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  // Connects if not connected (again after the server closed), sends one
  // request with Host and Content-Length, and reads its response.
  StatusOr<ClientResponse> Request(std::string_view method, std::string_view target,
                                   std::string_view body = {}, const HeaderList& headers = {});

  Status Connect();
  Status SendRaw(std::string_view bytes);
  // Reads one response; `head` for the answer to a HEAD request (no body).
  StatusOr<ClientResponse> ReadResponse(bool head = false);
  // Waits until the server closes the connection: OK on end-of-stream or
  // reset, an error if bytes arrive or the timeout passes first.
  Status WaitForClose();
  // Bytes received and not yet read, without waiting.
  size_t BytesAvailable();
  void Close();

  bool connected() const;
  int connects() const;  // connections opened so far

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace boxoffice::http
