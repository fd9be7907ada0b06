#include "loadgen/queue_storm.h"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "http/http_client.h"
#include "loadgen/control.h"
#include "loadgen/fan_model.h"
#include "loadgen/wall_clock.h"

namespace boxoffice::loadgen {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using Clock = std::chrono::steady_clock;
using http::HttpConnection;
using http::HttpReply;
using http::HttpRequest;

constexpr std::chrono::seconds kProgressInterval{1};
constexpr size_t kFailureSamplesMax = 8;
constexpr size_t kSampleBodyBytesMax = 300;
// After the joins the room's counts and gauges catch up on its next tick.
constexpr std::chrono::seconds kRoomSettle{10};
constexpr std::chrono::milliseconds kRoomSettlePoll{100};

enum class StormStep : uint8_t { kJoin, kPoll };

// What one thread of the storm saw.
struct StormTally {
  std::array<LatencyHistogram, kStormRequestCount> latency;
  std::map<unsigned, uint64_t> join_statuses;
  std::map<unsigned, uint64_t> status_statuses;
  uint64_t transport_errors = 0;
  uint64_t unexpected = 0;
  std::vector<std::string> failure_samples;
  uint64_t mint_ns = 0;

  void Sample(std::string line) {
    if (failure_samples.size() < kFailureSamplesMax) failure_samples.push_back(std::move(line));
  }
};

// Shared by the threads of one step.
struct StormShared {
  const BenchOptions& options;
  const std::string show_path;  // /v1/shows/{id}/queue
  const StormStep step;
  std::atomic<uint64_t> next_fan{0};
  std::atomic<uint64_t> answered{0};
  std::atomic<uint64_t> answered_ok{0};
};

// One thread: `connections` coroutines, each taking the next fan.
class StormWorker {
 public:
  StormWorker(StormShared& shared, uint32_t connections) : s_(shared) {
    for (uint32_t i = 0; i < connections; ++i) {
      conns_.push_back(std::make_unique<HttpConnection>(io_.get_executor(), s_.options.server,
                                                        s_.options.request_timeout));
    }
  }

  void Run() {
    for (const auto& c : conns_) {
      asio::co_spawn(io_, s_.step == StormStep::kJoin ? Joins(*c) : Polls(*c),
                     [](const std::exception_ptr& e) {
                       if (e) std::rethrow_exception(e);
                     });
    }
    io_.run();
    for (const auto& c : conns_) c->Close();
  }

  const StormTally& tally() const { return tally_; }

 private:
  awaitable<void> Joins(HttpConnection& conn) {
    for (;;) {
      const uint64_t fan = s_.next_fan.fetch_add(1, std::memory_order_relaxed);
      if (fan >= s_.options.fans) co_return;
      const Clock::time_point mint_start = Clock::now();
      HttpRequest req{"POST", s_.show_path};
      req.headers = {{"Authorization", FanBearer(fan, s_.options.jwt_secret, WallNowMs())}};
      tally_.mint_ns += static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - mint_start).count());
      StatusOr<HttpReply> r = co_await conn.Send(req);
      if (!Answered(r, "join")) continue;
      tally_.join_statuses[r->status]++;
      if (r->status != 201) {
        Unexpected("join", *r);
        continue;
      }
      tally_.latency[static_cast<size_t>(StormRequest::kJoin)].Record(r->latency_us);
      s_.answered_ok.fetch_add(1, std::memory_order_relaxed);
    }
  }

  // Each fan polls polls_per_fan times; its browser sends the ETag it saw.
  awaitable<void> Polls(HttpConnection& conn) {
    const std::string target = s_.show_path + "/status";
    for (;;) {
      const uint64_t fan = s_.next_fan.fetch_add(1, std::memory_order_relaxed);
      if (fan >= s_.options.fans) co_return;
      std::string etag;
      for (uint32_t poll = 0; poll < s_.options.polls_per_fan; ++poll) {
        HttpRequest req{"GET", target};
        if (!etag.empty()) req.headers = {{"If-None-Match", etag}};
        StatusOr<HttpReply> r = co_await conn.Send(req);
        if (!Answered(r, "status")) continue;
        tally_.status_statuses[r->status]++;
        if (r->status != 200 && r->status != 304) {
          Unexpected("status", *r);
          continue;
        }
        if (r->status == 200) etag = r->etag;
        const StormRequest kind =
            r->status == 200 ? StormRequest::kStatus : StormRequest::kStatusNotModified;
        tally_.latency[static_cast<size_t>(kind)].Record(r->latency_us);
        s_.answered_ok.fetch_add(1, std::memory_order_relaxed);
      }
    }
  }

  // False (counted) when no response came.
  bool Answered(const StatusOr<HttpReply>& r, std::string_view what) {
    if (r.ok()) {
      s_.answered.fetch_add(1, std::memory_order_relaxed);
      return true;
    }
    tally_.transport_errors++;
    tally_.Sample(std::string(what) + ": " + r.status().message());
    return false;
  }

  void Unexpected(std::string_view what, const HttpReply& r) {
    tally_.unexpected++;
    tally_.Sample(std::string(what) + ": " + std::to_string(r.status) + " " +
                  r.body.substr(0, kSampleBodyBytesMax));
  }

  StormShared& s_;
  asio::io_context io_{1};
  std::vector<std::unique_ptr<HttpConnection>> conns_;
  StormTally tally_;
};

void MergeInto(QueueStormReport& r, const StormTally& t) {
  for (size_t k = 0; k < kStormRequestCount; ++k) r.latency[k].Merge(t.latency[k]);
  for (const auto& [status, n] : t.join_statuses) r.join_statuses[status] += n;
  for (const auto& [status, n] : t.status_statuses) r.status_statuses[status] += n;
  r.transport_errors += t.transport_errors;
  r.unexpected += t.unexpected;
  for (const std::string& s : t.failure_samples) {
    if (r.failure_samples.size() < kFailureSamplesMax) r.failure_samples.push_back(s);
  }
  r.jwt_mint_seconds += static_cast<double>(t.mint_ns) / 1e9;
}

// Runs one step over every fan on client_threads threads, with a progress
// line every second; the step's totals.
StormPhase RunStep(const BenchOptions& o, const std::string& show_id, StormStep step,
                   std::FILE* progress, QueueStormReport& report) {
  StormShared shared{o, "/v1/shows/" + show_id + "/queue", step};
  const uint32_t threads = std::min(o.client_threads, o.connections);
  std::vector<std::unique_ptr<StormWorker>> workers;
  for (uint32_t i = 0; i < threads; ++i) {
    workers.push_back(std::make_unique<StormWorker>(
        shared, o.connections / threads + (i < o.connections % threads ? 1 : 0)));
  }
  std::mutex mu;
  std::condition_variable done_cv;
  size_t running = workers.size();
  const CpuTimes cpu0 = ProcessCpu();
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> pool;
  for (const auto& w : workers) {
    pool.emplace_back([&, worker = w.get()] {
      worker->Run();
      std::lock_guard<std::mutex> lock(mu);
      if (--running == 0) done_cv.notify_all();
    });
  }
  const char* name = step == StormStep::kJoin ? "joins" : "polls";
  const uint64_t total = step == StormStep::kJoin ? o.fans : o.fans * o.polls_per_fan;
  uint64_t before = 0;
  for (;;) {
    std::unique_lock<std::mutex> lock(mu);
    if (done_cv.wait_for(lock, kProgressInterval, [&] { return running == 0; })) break;
    lock.unlock();
    const uint64_t now = shared.answered.load(std::memory_order_relaxed);
    if (o.progress && progress != nullptr) {
      std::fprintf(progress, "[%6.1f s] %s %llu/%llu  %llu/s\n", Seconds(Clock::now() - start),
                   name, static_cast<unsigned long long>(now),
                   static_cast<unsigned long long>(total),
                   static_cast<unsigned long long>(now - before));
      std::fflush(progress);
    }
    before = now;
  }
  for (std::thread& t : pool) t.join();
  StormPhase p;
  p.seconds = Seconds(Clock::now() - start);
  p.client_cpu_s = ProcessCpu().total_s() - cpu0.total_s();
  p.requests = shared.answered.load();
  p.answered_ok = shared.answered_ok.load();
  for (const auto& w : workers) MergeInto(report, w->tally());
  return p;
}

// The room's fan count as the organiser sees it (GET /v1/shows/{id}/queue,
// counted live), once it reached `expected` or kRoomSettleMs passed.
std::optional<uint64_t> RoomFans(Control& c, const std::string& show_id, uint64_t expected) {
  std::optional<uint64_t> fans;
  const Clock::time_point deadline = Clock::now() + kRoomSettle;
  do {
    StatusOr<std::string> body = c.Admin(200, {"GET", "/v1/shows/" + show_id + "/queue"});
    if (!body.ok()) return std::nullopt;
    StatusOr<uint64_t> room_fans = UintMember(*body, "fans");
    if (!room_fans.ok()) return std::nullopt;
    fans = *room_fans;
    if (*fans >= expected) break;
    std::this_thread::sleep_for(kRoomSettlePoll);
  } while (Clock::now() < deadline);
  return fans;
}

// The server's memory once its waiting-room gauges (updated on the room's
// tick) count `fans` more than `before`, or kRoomSettle passed.
StatusOr<ServerMemory> SettledMemory(Control& c, const ServerMemory& before, uint64_t fans) {
  const Clock::time_point deadline = Clock::now() + kRoomSettle;
  for (;;) {
    StatusOr<ServerMemory> m = ReadServerMemory(c);
    if (!m.ok() || !m->queue_fans || Clock::now() >= deadline) return m;
    if (*m->queue_fans >= before.queue_fans.value_or(0) + static_cast<double>(fans)) {
      return ReadServerMemory(c);  // the byte gauge is set just after the fan gauge
    }
    std::this_thread::sleep_for(kRoomSettlePoll);
  }
}

}  // namespace

StatusOr<QueueStormReport> RunQueueStorm(const BenchOptions& o, std::FILE* progress) {
  if (Status s = ValidateOptions(o); !s.ok()) return s;
  QueueStormReport report;
  report.options = o;
  Control control(o);
  StatusOr<SaleTarget> target = SetUpSale(control, o);
  if (!target.ok()) return target.status();
  report.venue_id = target->venue_id;
  report.show_id = target->show_id;
  StatusOr<std::string> room = OpenWaitingRoom(control, o, target->show_id);
  if (!room.ok()) return room.status();

  StatusOr<ServerMemory> before = ReadServerMemory(control);
  if (!before.ok()) return before.status();
  report.memory_before = *before;
  report.joins = RunStep(o, target->show_id, StormStep::kJoin, progress, report);
  report.room_fans = RoomFans(control, target->show_id, report.joins.answered_ok);
  StatusOr<ServerMemory> after = SettledMemory(control, *before, report.joins.answered_ok);
  if (!after.ok()) return after.status();
  report.memory_after = *after;
  if (o.polls_per_fan > 0)
    report.polls = RunStep(o, target->show_id, StormStep::kPoll, progress, report);
  return report;
}

}  // namespace boxoffice::loadgen
