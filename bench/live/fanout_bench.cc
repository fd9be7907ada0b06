// The live stream's fan-out, end to end: S subscribers (half SSE, half
// WebSocket) on one show of a real `boxoffice serve`, while W writers make
// changes (hold one general-admission place, release it: two changes per
// round) as fast as they can, or at --rate changes per second. Reports the changes per second the
// server made, the messages per second delivered (subscribers x changes), and the delivery latency:
// from the change's `at` (server clock, milliseconds) to its arrival at the subscriber (same
// machine, same clock), so each figure is high by up to 1 ms of truncation.
//
//   build/release/boxoffice_bench_fanout --subscribers 200 --writers 2 --rounds 2000
//   build/release/boxoffice_bench_fanout --subscribers 100 --rounds 2000 --rate 1000
//
// Every subscriber must receive every change, contiguous; the run fails
// otherwise.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "api_client.h"
#include "server_process.h"
#include "stream_client.h"

namespace boxoffice::itest {
namespace {

int64_t WallUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Options {
  int subscribers = 200;
  int writers = 2;
  int rounds = 2000;  // per writer
  unsigned io_threads = 2;
  int rate = 0;  // changes per second, all writers together; 0: as fast as they can
};

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const int v = std::atoi(argv[i + 1]);
    if (flag == "--subscribers")
      o.subscribers = v;
    else if (flag == "--writers")
      o.writers = v;
    else if (flag == "--rounds")
      o.rounds = v;
    else if (flag == "--io-threads")
      o.io_threads = static_cast<unsigned>(v);
    else if (flag == "--rate")
      o.rate = v;
    else {
      std::fprintf(stderr,
                   "usage: %s [--subscribers N] [--writers N] [--rounds N] [--io-threads N] "
                   "[--rate CHANGES_PER_S]\n",
                   argv[0]);
      std::exit(2);
    }
  }
  return o;
}

double Percentile(std::vector<int64_t>& v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return static_cast<double>(v[k]) / 1000.0;
}

int Run(const Options& o) {
  ServerProcess server(
      {"--io-threads", std::to_string(o.io_threads), "--seats-per-owner-max", "1000"});
  if (Status s = server.Start(); !s.ok()) {
    std::fprintf(stderr, "server: %s\n%s\n", s.message().c_str(), server.Log().c_str());
    return 1;
  }
  Api api(server.port());
  const std::string venue = CreateVenue(api, AdminAuth(server), TheatreJson());
  const std::string show =
      CreateShow(api, AdminAuth(server), ShowJson(venue, "Fan-out", TheatrePrices()));
  const std::string path = "/v1/shows/" + show + "/changes";
  const uint64_t total = 2ull * static_cast<uint64_t>(o.writers) * static_cast<uint64_t>(o.rounds);

  std::vector<std::vector<int64_t>> latencies(static_cast<size_t>(o.subscribers));
  std::atomic<int> connected{0}, failed{0};
  std::vector<std::thread> subs;
  for (int i = 0; i < o.subscribers; ++i) {
    subs.emplace_back([&, i] {
      StreamClient c(i % 2 == 0 ? StreamClient::Kind::kSse : StreamClient::Kind::kWebSocket,
                     server.port(), path);
      if (!c.Connect().ok() || !c.Next(std::chrono::seconds(10)).ok()) {
        failed.fetch_add(1);
        connected.fetch_add(1);
        return;
      }
      connected.fetch_add(1);
      std::vector<int64_t>& lat = latencies[static_cast<size_t>(i)];
      lat.reserve(total);
      uint64_t last = 0;
      while (last < total) {
        StatusOr<StreamMessage> m = c.Next(std::chrono::seconds(30));
        const int64_t now_us = WallUs();
        if (!m.ok() || m->version() != last + 1) {
          failed.fetch_add(1);
          return;
        }
        last = m->version();
        lat.push_back(now_us - ParseTimeMs(JsonStr(m->json, "at")) * 1000);
      }
    });
  }
  while (connected.load() < o.subscribers)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));

  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> writers;
  for (int w = 0; w < o.writers; ++w) {
    writers.emplace_back([&, w] {
      Api mine(server.port());
      const HeaderList fan = FanAuth(server, "writer" + std::to_string(w));
      // With --rate, round r of each writer starts on schedule (two changes a round).
      const double round_s = o.rate > 0 ? 2.0 * o.writers / o.rate : 0;
      for (int r = 0; r < o.rounds; ++r) {
        if (round_s > 0)
          std::this_thread::sleep_until(start +
                                        std::chrono::duration_cast<std::chrono::nanoseconds>(
                                            std::chrono::duration<double>(r * round_s)));
        const Reply h = mine.Post("/v1/shows/" + show + "/holds",
                                  R"({"general_admission":{"area":"FLOOR","quantity":1}})", fan);
        mine.Delete("/v1/holds/" + h.Str("id"), With(fan, HoldToken(h.Str("token"))));
      }
    });
  }
  for (auto& t : writers) t.join();
  const double make_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (auto& t : subs) t.join();
  const double deliver_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::vector<int64_t> all;
  for (auto& v : latencies) all.insert(all.end(), v.begin(), v.end());
  const uint64_t version = AvailabilityVersion(api, show);
  std::printf(
      "RESULT subscribers=%d writers=%d changes=%llu version=%llu failed_subscribers=%d "
      "changes_per_s=%.0f delivered_per_s=%.0f latency_ms_p50=%.2f p99=%.2f p999=%.2f max=%.2f\n",
      o.subscribers, o.writers, static_cast<unsigned long long>(total),
      static_cast<unsigned long long>(version), failed.load(), static_cast<double>(total) / make_s,
      static_cast<double>(all.size()) / deliver_s, Percentile(all, 0.50), Percentile(all, 0.99),
      Percentile(all, 0.999), Percentile(all, 1.0));
  (void)server.Stop();
  return failed.load() == 0 && version == total ? 0 : 1;
}

}  // namespace
}  // namespace boxoffice::itest

int main(int argc, char** argv) {
  return boxoffice::itest::Run(boxoffice::itest::Parse(argc, argv));
}
