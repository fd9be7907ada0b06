// Many clients at once against one server: every request is answered, in
// order per connection, whether handlers answer inline or from other threads.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "http/server.h"
#include "http/test_client.h"
#include "testing/seed.h"

namespace boxoffice::http {
namespace {

TEST(ServerConcurrencyTest, ManyClientsManyRequestsAllAnswered) {
  const uint64_t seed = testing::TestSeed("ManyClientsManyRequestsAllAnswered");
  constexpr int kClients = 16;
  const int requests_per_client = static_cast<int>(testing::ScaledOps(300));

  // Answers either at once or from one of two "writer" threads.
  std::atomic<bool> stop_writers{false};
  std::mutex mu;
  std::vector<std::pair<Responder, std::string>> queue;
  Router router;
  router.Add(Method::kGet, "/inline/{n}", [](Request&& req, Responder r) {
    r(Response::Text(200, std::string(req.PathParam("n"))));
  });
  router.Add(Method::kPost, "/deferred/{n}", [&](Request&& req, Responder r) {
    std::lock_guard lock(mu);
    queue.emplace_back(std::move(r), std::string(req.PathParam("n")) + ":" + req.body);
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&] {
      while (!stop_writers.load()) {
        std::vector<std::pair<Responder, std::string>> batch;
        {
          std::lock_guard lock(mu);
          batch.swap(queue);
        }
        for (auto& [responder, text] : batch) responder(Response::Text(201, std::move(text)));
        if (batch.empty()) std::this_thread::yield();
      }
    });
  }

  metrics::Registry registry;
  ServerOptions options;
  options.io_threads = 2;
  Server server(options, std::move(router), registry);
  ASSERT_TRUE(server.Start().ok());

  std::atomic<int> failures{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      std::mt19937_64 rng(seed + static_cast<uint64_t>(c));
      TestClient client("127.0.0.1", server.port());
      for (int i = 0; i < requests_per_client; ++i) {
        const std::string n = std::to_string(c) + "-" + std::to_string(i);
        const bool deferred = rng() % 2 == 0;
        auto r = deferred ? client.Request("POST", "/deferred/" + n, "body" + n)
                          : client.Request("GET", "/inline/" + n);
        const std::string want = deferred ? n + ":body" + n : n;
        if (!r.ok() || r->status != (deferred ? 201u : 200u) || r->body != want) {
          failures.fetch_add(1);
          return;
        }
      }
      if (client.connects() != 1) failures.fetch_add(1);
    });
  }
  for (auto& t : clients) t.join();
  server.Stop();
  stop_writers.store(true);
  for (auto& t : writers) t.join();

  EXPECT_EQ(failures.load(), 0);
  uint64_t answered = 0;
  for (const char* route : {"/inline/{n}", "/deferred/{n}"}) {
    const char* method = route[1] == 'i' ? "GET" : "POST";
    for (const char* cls : {"2xx", "4xx", "5xx"}) {
      answered += registry
                      .GetCounter("http_requests_total", "",
                                  {{"route", route}, {"method", method}, {"status", cls}})
                      .Value();
    }
  }
  EXPECT_EQ(answered, static_cast<uint64_t>(kClients) * requests_per_client);
}

TEST(ServerConcurrencyTest, StopWhileClientsAreBusyNeitherHangsNorCrashes) {
  Router router;
  router.Add(Method::kGet, "/x", [](Request&&, Responder r) { r(Response::Text(200, "x")); });
  metrics::Registry registry;
  ServerOptions options;
  options.io_threads = 2;
  options.drain_timeout = std::chrono::milliseconds(200);
  Server server(options, std::move(router), registry);
  ASSERT_TRUE(server.Start().ok());

  std::atomic<int> answered{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&] {
      TestClient client("127.0.0.1", server.port(), std::chrono::seconds(5));
      // Bounded: a client stops at its first failure (the server went away).
      for (int i = 0; i < 100'000 && !stop.load(); ++i) {
        auto r = client.Request("GET", "/x");
        if (!r.ok()) return;
        answered.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 30'000 && answered.load() < 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  server.Stop();
  stop.store(true);
  for (auto& t : clients) t.join();
  EXPECT_GE(answered.load(), 200);
  TestClient late("127.0.0.1", server.port(), std::chrono::seconds(1));
  EXPECT_FALSE(late.Request("GET", "/x").ok());
}

}  // namespace
}  // namespace boxoffice::http
