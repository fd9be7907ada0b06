// The server over real sockets on 127.0.0.1: routing, async answers, limits,
// malformed input, timeouts, keep-alive, shutdown and metrics.
#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "http/problem.h"
#include "http/test_client.h"
#include "testing/seed.h"

namespace boxoffice::http {
namespace {

using std::chrono::milliseconds;

// Runs jobs on a thread of its own, each after a delay: stands in for the
// service's writer thread that answers once a batch is durable.
class Worker {
 public:
  Worker() : thread_([this] { Loop(); }) {}
  ~Worker() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void Post(milliseconds delay, std::function<void()> job) {
    {
      std::lock_guard lock(mu_);
      jobs_.emplace_back(delay, std::move(job));
    }
    cv_.notify_all();
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return done_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      auto [delay, job] = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      std::this_thread::sleep_for(delay);
      job();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<milliseconds, std::function<void()>>> jobs_;
  bool done_ = false;
  std::thread thread_;
};

// Holds on to Responders that a test answers itself.
class Parked {
 public:
  void Park(Responder r) {
    std::lock_guard lock(mu_);
    parked_.push_back(std::move(r));
    cv_.notify_all();
  }
  Responder Take() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !parked_.empty(); });
    Responder r = std::move(parked_.front());
    parked_.pop_front();
    return r;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Responder> parked_;
};

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    options_.io_threads = 2;
    router_.Add(Method::kGet, "/v1/shows/{id}", [](Request&& req, Responder r) {
      r(Response::Json(200, "{\"id\":\"" + std::string(req.PathParam("id")) + "\"}"));
    });
    router_.Add(Method::kPost, "/v1/shows/{id}/holds",
                [](Request&& req, Responder r) { r(Response::Json(201, req.body)); });
    router_.Add(Method::kGet, "/echo", [](Request&& req, Responder r) {
      std::string out = req.path;
      for (const auto& [k, v] : req.query) out += "|" + k + "=" + v;
      Response resp = Response::Text(200, out);
      resp.headers.Add("X-Seen-Client", std::string(req.Header("x-test-client").value_or("")));
      r(std::move(resp));
    });
    router_.Add(Method::kGet, "/later", [this](Request&&, Responder r) {
      worker_.Post(milliseconds(50), [r = std::make_shared<Responder>(std::move(r))] {
        (*r)(Response::Text(200, "answered from the worker"));
      });
    });
    router_.Add(Method::kGet, "/dropped", [](Request&&, Responder) {});
    router_.Add(Method::kGet, "/throws",
                [](Request&&, Responder) { throw std::runtime_error("handler bug"); });
    router_.Add(Method::kGet, "/parked",
                [this](Request&&, Responder r) { parked_.Park(std::move(r)); });
    router_.Add(Method::kGet, "/bad-header", [](Request&&, Responder r) {
      Response resp = Response::Text(200, "x");
      resp.headers.Add("X-Injected", "a\r\nSet-Cookie: evil");
      r(std::move(resp));
    });
  }

  ~ServerTest() override {
    if (server_) server_->Stop();
  }

  void Start() {
    server_ = std::make_unique<Server>(options_, std::move(router_), registry_);
    const Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.message();
    ASSERT_NE(server_->port(), 0);
  }

  TestClient Client() { return TestClient("127.0.0.1", server_->port()); }

  static std::string Code(const ClientResponse& r) {
    const auto at = r.body.find("\"code\":\"");
    if (at == std::string::npos) return "";
    const auto start = at + 8;
    return r.body.substr(start, r.body.find('"', start) - start);
  }

  ServerOptions options_;
  Router router_;
  metrics::Registry registry_;
  Worker worker_;
  Parked parked_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, RoutesToTheHandlerWithPathParameters) {
  Start();
  auto client = Client();
  auto r = client.Request("GET", "/v1/shows/42");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body, R"({"id":"42"})");
  EXPECT_EQ(r->headers.Get("content-type"), "application/json");

  auto p = client.Request("POST", "/v1/shows/7/holds", R"({"seats":["A-1-1"]})");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->status, 201u);
  EXPECT_EQ(p->body, R"({"seats":["A-1-1"]})");
}

TEST_F(ServerTest, PathParametersArePercentDecoded) {
  Start();
  auto client = Client();
  auto r = client.Request("GET", "/v1/shows/a%2Fb%20c");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, R"({"id":"a/b c"})");
}

TEST_F(ServerTest, UnknownPathIsNotFoundProblem) {
  Start();
  auto client = Client();
  auto r = client.Request("GET", "/v1/nothing/here");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404u);
  EXPECT_EQ(r->headers.Get("Content-Type"), "application/problem+json");
  EXPECT_EQ(Code(*r), "not_found");
  EXPECT_NE(r->body.find("\"type\":\"https://boxoffice.dev/problems/not_found\""),
            std::string::npos);
  EXPECT_TRUE(r->keep_alive);  // a clean 404 keeps the connection
}

TEST_F(ServerTest, WrongMethodIsMethodNotAllowedWithAllow) {
  Start();
  auto client = Client();
  auto r = client.Request("DELETE", "/v1/shows/1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 405u);
  EXPECT_EQ(r->headers.Get("Allow"), "GET, HEAD");
  EXPECT_EQ(Code(*r), "method_not_allowed");
}

TEST_F(ServerTest, UnknownMethodIsNotImplemented) {
  Start();
  auto client = Client();
  ASSERT_TRUE(client.SendRaw("BREW /v1/shows/1 HTTP/1.1\r\nHost: x\r\n\r\n").ok());
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 501u);
  EXPECT_EQ(Code(*r), "method_not_implemented");
}

TEST_F(ServerTest, ParsesQueryParametersAndHeaders) {
  Start();
  auto client = Client();
  auto r = client.Request("GET", "/echo?q=rock%20band&x=1+2&flag&q=again", {},
                          {{"X-Test-Client", "gtest"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body, "/echo|q=rock band|x=1 2|flag=|q=again");
  EXPECT_EQ(r->headers.Get("x-seen-client"), "gtest");
}

TEST_F(ServerTest, InvalidPercentEncodingIsBadRequest) {
  Start();
  auto client = Client();
  for (const char* target : {"/v1/shows/%zz", "/echo?q=%G1", "/echo?q=%4"}) {
    auto r = client.Request("GET", target);
    ASSERT_TRUE(r.ok()) << target << ": " << r.status().message();
    EXPECT_EQ(r->status, 400u) << target;
    EXPECT_EQ(Code(*r), "invalid_target") << target;
  }
  EXPECT_EQ(client.connects(), 1);  // the connection survives a bad target
}

TEST_F(ServerTest, HeadAnswersGetsHeadersWithoutTheBody) {
  Start();
  auto client = Client();
  auto r = client.Request("HEAD", "/v1/shows/12345");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->headers.Get("Content-Length"), "14");  // {"id":"12345"}
  EXPECT_TRUE(r->body.empty());
  auto next = client.Request("GET", "/v1/shows/1");  // the stream is still in step
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->body, R"({"id":"1"})");
}

TEST_F(ServerTest, ResponderCalledLaterFromAnotherThread) {
  Start();
  auto client = Client();
  for (int i = 0; i < 3; ++i) {
    auto r = client.Request("GET", "/later");
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->status, 200u);
    EXPECT_EQ(r->body, "answered from the worker");
  }
  EXPECT_EQ(client.connects(), 1);
}

TEST_F(ServerTest, DroppedResponderAnswersInternalError) {
  Start();
  auto client = Client();
  auto r = client.Request("GET", "/dropped");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 500u);
  EXPECT_EQ(Code(*r), "internal_error");
  auto next = client.Request("GET", "/v1/shows/1");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->status, 200u);
}

TEST_F(ServerTest, ThrowingHandlerAnswersInternalError) {
  Start();
  auto client = Client();
  auto r = client.Request("GET", "/throws");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 500u);
  // The count follows the answer; the next answer on this connection follows the count.
  ASSERT_TRUE(client.Request("GET", "/v1/shows/1").ok());
  EXPECT_NE(registry_.RenderText().find("http_handler_exceptions_total 1\n"), std::string::npos);
}

TEST_F(ServerTest, InvalidResponseHeaderBecomesInternalError) {
  Start();
  auto client = Client();
  auto r = client.Request("GET", "/bad-header");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 500u);
  EXPECT_FALSE(r->headers.Has("Set-Cookie"));
}

TEST_F(ServerTest, HandlerThatNeverAnswersTimesOut) {
  options_.handler_timeout = milliseconds(100);
  Start();
  auto client = Client();
  auto r = client.Request("GET", "/parked");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 503u);
  EXPECT_EQ(Code(*r), "handler_timeout");
  Responder late = parked_.Take();
  late(Response::Text(200, "too late"));  // dropped, harmlessly
  auto next = client.Request("GET", "/v1/shows/5");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->body, R"({"id":"5"})");
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  Start();
  auto client = Client();
  for (int i = 0; i < 200; ++i) {
    auto r = client.Request("GET", "/v1/shows/" + std::to_string(i));
    ASSERT_TRUE(r.ok()) << r.status().message();
    ASSERT_EQ(r->body, "{\"id\":\"" + std::to_string(i) + "\"}");
    ASSERT_TRUE(r->keep_alive);
  }
  EXPECT_EQ(client.connects(), 1);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  Start();
  auto client = Client();
  std::string batch;
  for (int i = 0; i < 5; ++i) {
    batch += "GET /v1/shows/" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  }
  batch += "GET /later HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/shows/last HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(client.SendRaw(batch).ok());
  for (int i = 0; i < 5; ++i) {
    auto r = client.ReadResponse();
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->body, "{\"id\":\"" + std::to_string(i) + "\"}");
  }
  auto later = client.ReadResponse();
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->body, "answered from the worker");
  auto last = client.ReadResponse();
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->body, R"({"id":"last"})");
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  Start();
  auto client = Client();
  auto r = client.Request("GET", "/v1/shows/1", {}, {{"Connection", "close"}});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->keep_alive);
  EXPECT_EQ(r->headers.Get("connection"), "close");

  TestClient old = Client();
  ASSERT_TRUE(old.SendRaw("GET /v1/shows/2 HTTP/1.0\r\n\r\n").ok());
  auto r10 = old.ReadResponse();
  ASSERT_TRUE(r10.ok()) << r10.status().message();
  EXPECT_EQ(r10->body, R"({"id":"2"})");
  EXPECT_TRUE(old.WaitForClose().ok());
}

TEST_F(ServerTest, RequestsPerConnectionAreCapped) {
  options_.requests_per_connection_max = 3;
  Start();
  auto client = Client();
  for (int i = 0; i < 3; ++i) {
    auto r = client.Request("GET", "/v1/shows/1");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->keep_alive, i < 2) << i;
  }
  auto again = client.Request("GET", "/v1/shows/1");  // reconnects
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(client.connects(), 2);
}

TEST_F(ServerTest, OversizedBodyIsPayloadTooLarge) {
  options_.body_bytes_max = 1024;
  Start();
  auto client = Client();
  auto ok = client.Request("POST", "/v1/shows/1/holds", std::string(1024, 'a'));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 201u);

  auto r = client.Request("POST", "/v1/shows/1/holds", std::string(200'000, 'a'));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 413u);
  EXPECT_EQ(Code(*r), "payload_too_large");
  EXPECT_FALSE(r->keep_alive);
}

TEST_F(ServerTest, DeclaredOversizedBodyIsRefusedBeforeItIsSent) {
  options_.body_bytes_max = 1024;
  Start();
  auto client = Client();
  ASSERT_TRUE(client
                  .SendRaw("POST /v1/shows/1/holds HTTP/1.1\r\nHost: x\r\n"
                           "Content-Length: 10000000000\r\n\r\n")
                  .ok());
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 413u);
}

TEST_F(ServerTest, ExpectContinueIsAnsweredBeforeTheBodyIsSent) {
  options_.body_bytes_max = 1024;
  Start();
  auto client = Client();
  ASSERT_TRUE(client
                  .SendRaw("POST /v1/shows/1/holds HTTP/1.1\r\nHost: x\r\n"
                           "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n")
                  .ok());
  auto interim = client.ReadResponse();
  ASSERT_TRUE(interim.ok()) << interim.status().message();
  EXPECT_EQ(interim->status, 100u);
  ASSERT_TRUE(client.SendRaw("hello").ok());
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 201u);
  EXPECT_EQ(client.BytesAvailable(), 0u);

  // With the body already sent, there is nothing to wait for: no 100.
  ASSERT_TRUE(client
                  .SendRaw("POST /v1/shows/1/holds HTTP/1.1\r\nHost: x\r\n"
                           "Expect: 100-continue\r\nContent-Length: 5\r\n\r\nhello")
                  .ok());
  r = client.ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 201u);

  // A body over the limit is refused at once, not invited.
  ASSERT_TRUE(client
                  .SendRaw("POST /v1/shows/1/holds HTTP/1.1\r\nHost: x\r\n"
                           "Expect: 100-continue\r\nContent-Length: 5000\r\n\r\n")
                  .ok());
  r = client.ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 413u);
}

TEST_F(ServerTest, OversizedHeaderIsHeaderTooLarge) {
  options_.header_bytes_max = 4096;
  Start();
  auto client = Client();
  auto r = client.Request("GET", "/v1/shows/1", {}, {{"X-Big", std::string(8000, 'b')}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 431u);
  EXPECT_EQ(Code(*r), "header_too_large");
  EXPECT_FALSE(r->keep_alive);
}

TEST_F(ServerTest, EndlessHeaderLineIsHeaderTooLarge) {
  options_.header_bytes_max = 2048;
  Start();
  auto client = Client();
  ASSERT_TRUE(client.SendRaw("GET /" + std::string(100'000, 'a')).ok());
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 431u);
}

TEST_F(ServerTest, LongTargetIsTargetTooLong) {
  options_.target_bytes_max = 100;
  Start();
  auto client = Client();
  auto r = client.Request("GET", "/v1/shows/" + std::string(200, 'x'));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 414u);
}

TEST_F(ServerTest, MalformedRequestsAreBadRequestAndClose) {
  Start();
  for (const char* raw :
       {"GARBAGE\r\n\r\n", "GET /x HTTP/9.9\r\n\r\n", "GET /x HTTP/1.1\r\nBad Header\r\n\r\n",
        "POST /v1/shows/1/holds HTTP/1.1\r\nContent-Length: nope\r\n\r\n",
        "GET /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "\x16\x03\x01\x02\xfc\x03\x03\r\n\r\n"}) {
    auto client = Client();
    ASSERT_TRUE(client.SendRaw(raw).ok());
    auto r = client.ReadResponse();
    ASSERT_TRUE(r.ok()) << raw << ": " << r.status().message();
    EXPECT_EQ(r->status, 400u) << raw;
    EXPECT_EQ(Code(*r), "malformed_request") << raw;
    EXPECT_FALSE(r->keep_alive);
  }
}

TEST_F(ServerTest, SlowHeaderClientIsCutOff) {
  options_.request_read_timeout = milliseconds(200);
  Start();
  auto client = Client();
  ASSERT_TRUE(client.SendRaw("GET /v1/shows/1 HTTP/1.1\r\nX-Slow: ").ok());
  // Dribble one byte every 20 ms; each byte arriving must not extend the
  // deadline. Bounded: gives up after 10 s.
  bool answered = false;
  for (int i = 0; i < 500 && !answered; ++i) {
    answered = client.BytesAvailable() > 0;
    if (!answered) {
      ASSERT_TRUE(client.SendRaw("a").ok());
      std::this_thread::sleep_for(milliseconds(20));
    }
  }
  ASSERT_TRUE(answered);
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 408u);
  EXPECT_EQ(Code(*r), "request_timeout");
  EXPECT_TRUE(client.WaitForClose().ok());
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  options_.keep_alive_timeout = milliseconds(100);
  Start();
  auto client = Client();
  auto r = client.Request("GET", "/v1/shows/1");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(client.WaitForClose().ok());
}

TEST_F(ServerTest, ClientDisconnectingMidRequestIsHarmless) {
  Start();
  {
    auto client = Client();
    ASSERT_TRUE(
        client.SendRaw("POST /v1/shows/1/holds HTTP/1.1\r\nContent-Length: 100\r\n\r\nab").ok());
  }
  {
    auto client = Client();
    ASSERT_TRUE(client.SendRaw("GET /parked HTTP/1.1\r\n\r\n").ok());
    client.Close();
    parked_.Take()(Response::Text(200, "nobody listens"));
  }
  auto client = Client();
  auto r = client.Request("GET", "/v1/shows/9");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200u);
}

TEST_F(ServerTest, ConnectionsBeyondTheLimitAreRefused) {
  options_.connections_max = 1;
  Start();
  auto first = Client();
  ASSERT_TRUE(first.Request("GET", "/v1/shows/1").ok());
  auto second = Client();
  ASSERT_TRUE(second.Connect().ok());
  auto r = second.ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 503u);
  EXPECT_EQ(Code(*r), "overloaded");
  auto still = first.Request("GET", "/v1/shows/2");
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->status, 200u);
}

TEST_F(ServerTest, StopLetsAnInFlightRequestFinish) {
  Start();
  auto pending = std::async(std::launch::async, [port = server_->port()] {
    TestClient c("127.0.0.1", port);
    return c.Request("GET", "/parked");
  });
  Responder responder = parked_.Take();  // the request is in its handler
  auto idle = Client();
  ASSERT_TRUE(idle.Request("GET", "/v1/shows/1").ok());

  std::thread stopper([this] { server_->Stop(); });
  // Stop has begun once new connections are refused; bounded wait.
  bool refused = false;
  for (int i = 0; i < 500 && !refused; ++i) {
    TestClient probe("127.0.0.1", server_->port(), milliseconds(500));
    refused = !probe.Connect().ok();
    if (!refused) std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_TRUE(refused);
  EXPECT_TRUE(idle.WaitForClose().ok());  // idle keep-alive connections are closed

  responder(Response::Text(200, "finished during drain"));
  stopper.join();
  auto r = pending.get();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body, "finished during drain");
  EXPECT_FALSE(r->keep_alive);
}

TEST_F(ServerTest, StopClosesRequestsThatOutliveTheDrainTimeout) {
  options_.drain_timeout = milliseconds(100);
  Start();
  auto pending = std::async(std::launch::async, [port = server_->port()] {
    TestClient c("127.0.0.1", port);
    return c.Request("GET", "/parked");
  });
  Responder responder = parked_.Take();
  server_->Stop();
  EXPECT_FALSE(pending.get().ok());              // cut off, not answered
  responder(Response::Text(200, "after stop"));  // dropped, harmlessly
  server_.reset();                               // even after the server is gone
}

// A client that sent half a request and went quiet does not hold the stop
// for the drain timeout (nor for the read timeout, which would answer 408):
// it is answered 503 and closed kDrainQuietTimeout after the drain began,
// while a request in its handler is still answered.
TEST_F(ServerTest, StopDoesNotWaitForAClientThatStoppedSending) {
  options_.drain_timeout = std::chrono::minutes(2);
  options_.request_read_timeout = std::chrono::seconds(15);
  Start();
  auto pending = std::async(std::launch::async, [port = server_->port()] {
    TestClient c("127.0.0.1", port);
    return c.Request("GET", "/parked");
  });
  Responder responder = parked_.Take();
  TestClient half("127.0.0.1", server_->port(), std::chrono::seconds(30));
  ASSERT_TRUE(half.SendRaw("POST /v1/shows/1/holds HTTP/1.1\r\nHost: x\r\n"
                           "Expect: 100-continue\r\nContent-Length: 100\r\n\r\n")
                  .ok());
  auto interim = half.ReadResponse();  // the server is reading this request
  ASSERT_TRUE(interim.ok()) << interim.status().message();
  ASSERT_EQ(interim->status, 100u);
  ASSERT_TRUE(half.SendRaw("{\"seats\":").ok());  // and no more
  auto stopped = std::async(std::launch::async, [this] { server_->Stop(); });
  auto r = half.ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 503u);
  EXPECT_EQ(Code(*r), "overloaded");
  half.Close();
  responder(Response::Text(200, "finished during drain"));
  ASSERT_EQ(stopped.wait_for(std::chrono::seconds(30)), std::future_status::ready);  // bounded
  auto answered = pending.get();
  ASSERT_TRUE(answered.ok()) << answered.status().message();
  EXPECT_EQ(answered->body, "finished during drain");
}

TEST_F(ServerTest, StopIsIdempotentAndWorksBeforeStart) {
  server_ = std::make_unique<Server>(options_, Router(), registry_);
  server_->Stop();
  server_->Stop();
  Start();  // builds a new server
  server_->Stop();
  server_->Stop();
}

TEST_F(ServerTest, MetricsCountRequestsByRouteMethodAndStatusClass) {
  Start();
  auto client = Client();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client.Request("GET", "/v1/shows/1").ok());
  ASSERT_TRUE(client.Request("GET", "/nope").ok());
  ASSERT_TRUE(client.Request("GET", "/dropped").ok());
  const std::string text = registry_.RenderText();
  EXPECT_NE(text.find("http_requests_total{method=\"GET\",route=\"/v1/shows/{id}\",status="
                      "\"2xx\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("http_requests_total{method=\"GET\",route=\"unmatched\",status=\"4xx\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("http_requests_total{method=\"GET\",route=\"/dropped\",status=\"5xx\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("http_request_duration_seconds_count{method=\"GET\",route=\"/v1/shows/"
                      "{id}\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE http_connections_open gauge\nhttp_connections_open 1\n"),
            std::string::npos);
}

TEST_F(ServerTest, RouterListsTheRegisteredRoutes) {
  Start();
  const auto routes = server_->router().Routes();
  ASSERT_FALSE(routes.empty());
  EXPECT_EQ(routes[0], (RouteInfo{Method::kGet, "/v1/shows/{id}"}));
}

TEST_F(ServerTest, RandomBytesNeverBreakTheServer) {
  const uint64_t seed = testing::TestSeed("RandomBytesNeverBreakTheServer");
  std::mt19937_64 rng(seed);
  options_.request_read_timeout = milliseconds(100);
  options_.body_bytes_max = 64;
  options_.header_bytes_max = 512;
  Start();
  const std::string valid =
      "POST /v1/shows/1/holds?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";
  const int rounds = static_cast<int>(testing::ScaledOps(300));
  int answered = 0;
  for (int i = 0; i < rounds; ++i) {
    std::string input = valid;
    if (rng() % 8 == 0) {
      input.assign(rng() % 700, '\0');
      for (char& c : input) c = static_cast<char>(rng());
    } else {
      for (uint64_t m = rng() % 4 + 1; m > 0; --m) {
        const size_t at = rng() % input.size();
        switch (rng() % 3) {
          case 0:
            input[at] = static_cast<char>(rng());
            break;
          case 1:
            input.erase(at, 1);
            break;
          default:
            input.insert(at, 1, "\r\n:%/ {}\0"[rng() % 9]);
            break;
        }
      }
    }
    TestClient client("127.0.0.1", server_->port(), milliseconds(300));
    if (!client.SendRaw(input).ok()) continue;
    auto r = client.ReadResponse();  // an answer, a close, or our own timeout
    if (r.ok()) {
      ++answered;
      EXPECT_GE(r->status, 200u);
      EXPECT_LT(r->status, 600u);
    }
  }
  EXPECT_GT(answered, 0);
  auto client = Client();
  auto r = client.Request("GET", "/v1/shows/1");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 200u);
}

TEST_F(ServerTest, InvalidOptionsAreRefused) {
  ServerOptions bad;
  bad.header_bytes_max = 0;
  EXPECT_FALSE(ValidateOptions(bad).ok());
  bad = ServerOptions{};
  bad.target_bytes_max = 0;
  EXPECT_FALSE(ValidateOptions(bad).ok());
  bad = ServerOptions{};
  bad.request_read_timeout = milliseconds(0);
  Server server(bad, Router(), registry_);
  EXPECT_EQ(server.Start().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ValidateOptions(ServerOptions{}).ok());
}

TEST_F(ServerTest, StartFailsOnABadAddress) {
  options_.address = "not-an-address";
  Server server(options_, Router(), registry_);
  EXPECT_EQ(server.Start().code(), StatusCode::kInvalidArgument);
}

TEST_F(ServerTest, StartFailsWhenThePortIsTaken) {
  Start();
  ServerOptions taken = options_;
  taken.port = server_->port();
  Server second(taken, Router(), registry_);
  EXPECT_EQ(second.Start().code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace boxoffice::http
