#include "loadgen/crowd.h"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include "http/http_client.h"
#include "loadgen/queue_proof.h"
#include "loadgen/wall_clock.h"

namespace boxoffice::loadgen {

namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;
using Clock = std::chrono::steady_clock;
using http::HttpConnection;
using http::HttpReply;
using http::HttpRequest;

namespace {

// A fan who finds nothing free while seats are held waits for holds to
// expire: this long times the attempt, at most kSeatsBackWaitMaxMs, +-50 %.
constexpr core::DurationMs kSeatsBackWaitMs = 250;
constexpr core::DurationMs kSeatsBackWaitMaxMs = 1'000;
// A fan told their seats are gone looks again after this long (to click).
constexpr core::DurationMs kConflictThinkMinMs = 100;
constexpr core::DurationMs kConflictThinkMaxMs = 400;
constexpr size_t kFailureSamplesMax = 8;
constexpr size_t kSampleBodyBytesMax = 300;
// A fan paying at checkout looks at its hold this often, checks out again
// every so many looks (a declined payment is then replaced), and gives up
// after so many (the gateway must settle by itself: auto-pay).
constexpr core::DurationMs kPaymentPollMs = 20;
constexpr uint32_t kCheckoutEveryPolls = 10;
constexpr uint32_t kPaymentPollsMax = 3'000;
// The event loop's lag is sampled this often (see ProbeLoopLag).
constexpr std::chrono::milliseconds kLoopLagProbeInterval{10};

enum class VisitEnd : uint8_t {
  kBooked,
  kAbandoned,
  kSoldOut,
  kGaveUp,
  kFailed,
  kToldSoldOut,  // the waiting room: no seats left for this place in line
  kSessionOver,  // the shopping session ended first
};

// A fan in the waiting room looks at its status this often (+-50 %), and
// gives up after so many looks.
constexpr core::DurationMs kQueuePollMs = 200;
constexpr uint32_t kQueuePollsMax = 100'000;
// Every so many fans first try a hold without an access token (a line
// jumper): the server must refuse it.
constexpr uint64_t kLineJumperEvery = 50;

std::optional<RequestKind> KindOf(Route route, unsigned status) {
  switch (route) {
    case Route::kAvailability:
      return RequestKind::kAvailability;
    case Route::kHold:
      if (status == 200 || status == 201) return RequestKind::kHoldCreated;
      if (status == 409) return RequestKind::kHoldConflict;
      return std::nullopt;
    case Route::kRelease:
      return RequestKind::kRelease;
    case Route::kConfirm:
      return RequestKind::kConfirm;
    case Route::kCheckout:
      return RequestKind::kCheckout;
    case Route::kHoldStatus:
      return std::nullopt;  // polls while a payment settles: not a fan-facing latency
    case Route::kQueueJoin:
      return RequestKind::kQueueJoin;
    case Route::kQueueStatus:
      return RequestKind::kQueueStatus;
    case Route::kQueueAccess:
      if (status == 200) return RequestKind::kQueueAccess;
      return std::nullopt;
  }
  return std::nullopt;
}

uint64_t MicrosSince(Clock::time_point t) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t).count());
}

void Rethrow(const std::exception_ptr& e) {
  if (e) std::rethrow_exception(e);
}

uint64_t Mix(uint64_t seed, uint64_t i) {  // splitmix64 of seed + i
  uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (i + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

// ---- Shared state ----------------------------------------------------------------------------

struct Crowd::State {
  State(const BenchOptions& o, SaleTarget t) : options(o), target(std::move(t)) {}

  const BenchOptions options;
  const SaleTarget target;
  Clock::time_point start;
  std::atomic<uint64_t> next_fan{0};

  std::atomic<uint64_t> fans_done{0}, requests{0}, holds{0}, bookings{0}, seats_booked{0},
      conflicts{0}, in_line{0}, admitted{0}, told_sold_out{0};

  mutable std::mutex mu;  // guards what follows
  std::condition_variable all_done;
  size_t workers_running = 0;
  std::optional<SoldOutMoment> sold_out;

  CrowdCounters Read() const {
    constexpr auto r = std::memory_order_relaxed;
    return {fans_done.load(r), requests.load(r),     holds.load(r),
            bookings.load(r),  seats_booked.load(r), conflicts.load(r),
            in_line.load(r),   admitted.load(r),     told_sold_out.load(r)};
  }

  void AddBookedSeats(uint64_t seats) {
    const uint64_t before = seats_booked.fetch_add(seats, std::memory_order_relaxed);
    if (before < target.sellable && before + seats >= target.sellable) {
      const SoldOutMoment m{Clock::now(), Read()};
      std::lock_guard<std::mutex> lock(mu);
      sold_out = m;
    }
  }

  bool is_sold_out() const {
    return seats_booked.load(std::memory_order_relaxed) >= target.sellable;
  }
};

// ---- One thread of fans -----------------------------------------------------------------------

class Crowd::Worker {
 public:
  Worker(State& state, uint32_t connections, uint64_t inside_max, uint64_t seed)
      : s_(state),
        connections_(connections),
        inside_max_(inside_max),
        rng_(seed),
        pool_(io_, connections),
        places_(io_, inside_max) {}

  // On the worker's own thread: lets fans in until none is left and every
  // visit ended.
  void Run() {
    for (uint32_t i = 0; i < connections_; ++i) {
      conns_.push_back(std::make_unique<HttpConnection>(io_.get_executor(), s_.options.server,
                                                        s_.options.request_timeout));
      const bool pooled = pool_.try_send(boost::system::error_code{}, conns_.back().get());
      BOX_ASSERT(pooled);
    }
    for (uint64_t i = 0; i < inside_max_; ++i) {
      const bool placed = places_.try_send(boost::system::error_code{});
      BOX_ASSERT(placed);
    }
    asio::co_spawn(io_, LetFansIn(), Rethrow);
    asio::co_spawn(io_, ProbeLoopLag(), Rethrow);
    io_.run();
    for (const auto& c : conns_) {
      result_.connects += c->connects();
      c->Close();
    }
  }

  LatencyHistogram TakeRecent() {
    std::lock_guard<std::mutex> lock(recent_mu_);
    LatencyHistogram h = recent_;
    recent_.Clear();
    return h;
  }

  const CrowdResult& result() const { return result_; }

 private:
  // A hold the fan has, as the server described it.
  using Hold = HoldCreated;
  // Idle connections; a request takes one and gives it back.
  using ConnectionPool =
      asio::experimental::channel<void(boost::system::error_code, HttpConnection*)>;
  // Places for fans inside; a visit takes one and gives it back.
  using Places = asio::experimental::channel<void(boost::system::error_code)>;

  // Lets the fans in, in arrival order, each at its arrival time once a
  // place inside is free; each visit runs on its own.
  awaitable<void> LetFansIn() {
    asio::steady_timer timer(io_);
    const BenchOptions& o = s_.options;
    for (;;) {
      const uint64_t fan = s_.next_fan.fetch_add(1, std::memory_order_relaxed);
      if (fan >= o.fans) break;
      const Clock::time_point arrival =
          s_.start +
          std::chrono::milliseconds(ArrivalOffsetMs(o.profile, fan, o.fans, o.duration_s * 1000LL));
      if (arrival > Clock::now()) {
        timer.expires_at(arrival);
        co_await timer.async_wait(asio::use_awaitable);
      }
      co_await places_.async_receive(asio::use_awaitable);
      result_.fan_wait.Record(MicrosSince(arrival));
      visits_++;
      asio::co_spawn(io_, Visit(fan), [this](const std::exception_ptr& e) {
        Rethrow(e);
        const bool freed = places_.try_send(boost::system::error_code{});
        BOX_ASSERT(freed);
        visits_--;
      });
    }
    all_in_ = true;
  }

  // How late the event loop runs a timer: the time a response may wait in
  // the client before its latency is taken. Stops once every visit ended.
  awaitable<void> ProbeLoopLag() {
    asio::steady_timer timer(io_);
    while (!all_in_ || visits_ > 0) {
      const Clock::time_point due = Clock::now() + kLoopLagProbeInterval;
      timer.expires_at(due);
      co_await timer.async_wait(asio::use_awaitable);
      result_.loop_lag.Record(MicrosSince(due));
    }
  }

  awaitable<void> Visit(uint64_t fan) {
    const std::string bearer = FanBearer(fan, s_.options.jwt_secret, WallNowMs());
    const VisitEnd v = s_.options.scenario == Scenario::kOnsale
                           ? co_await OnsaleVisit(fan, bearer)
                           : co_await HotseatVisit(fan, bearer);
    Tally(v);
    s_.fans_done.fetch_add(1, std::memory_order_relaxed);
  }

  // ---- Visits ----

  // What an on-sale fan is after.
  struct Wish {
    uint32_t seats = 1;
    bool best_available = false;  // else: seats picked on the availability
    bool allow_split = false;     // best available only: seats need not be together
  };

  // The next hold request of a fan: its body, or the end of the visit, or
  // neither (the fan waited for seats to come back: try again).
  struct Ask {
    std::string body;
    std::optional<VisitEnd> end;
  };

  awaitable<VisitEnd> OnsaleVisit(uint64_t fan, const std::string& bearer) {
    Wish wish{SeatsWanted(rng_),
              std::uniform_real_distribution<double>(0, 1)(rng_) < s_.options.best_available};
    std::string access;  // the waiting room's access token
    if (s_.options.queue.enabled) {
      if (fan % kLineJumperEvery == 0 && !co_await JumpTheLine(fan, bearer)) {
        co_return VisitEnd::kFailed;
      }
      Admission a = co_await WaitInLine(bearer);
      if (a.end) co_return *a.end;
      access = std::move(a.access_token);
      result_.admitted_users.push_back(FanUser(fan));
    }
    for (uint32_t attempt = 0; attempt < s_.options.attempts; ++attempt) {
      if (attempt > 0) result_.retries++;
      const Ask ask = co_await NextAsk(wish, attempt);
      if (ask.end) co_return *ask.end;
      if (ask.body.empty()) continue;
      std::optional<HttpReply> r =
          co_await Call(Route::kHold, HoldRequest(bearer, ask.body, access));
      if (!r) {
        result_.hold_unknown = true;
        co_return VisitEnd::kFailed;
      }
      std::optional<VisitEnd> end;
      if (r->status == 403 && !access.empty() && ProblemCode(r->body) == "access_invalid") {
        co_return VisitEnd::kSessionOver;  // the session ran out while the fan shopped
      }
      if (r->status == 200 || r->status == 201) {
        StatusOr<Hold> hold = ParseHoldCreated(r->body);
        if (!hold.ok()) co_return Unexpected("hold", *r, hold.status().message());
        s_.holds.fetch_add(1, std::memory_order_relaxed);
        end = co_await UseHold(fan, attempt, bearer, *hold);
      } else {
        end = co_await AfterRefusal(*r, wish, attempt);
      }
      if (end) co_return *end;
    }
    co_return VisitEnd::kGaveUp;
  }

  // Best available asks the server; otherwise the fan looks at the
  // availability and picks adjacent free seats, waits for held seats to come
  // back, or finds the show sold out.
  awaitable<Ask> NextAsk(const Wish& wish, uint32_t attempt) {
    if (wish.best_available) {
      co_return Ask{json::serialize(json::object{
          {"best_available", {{"count", wish.seats}, {"allow_split", wish.allow_split}}}})};
    }
    // The view is read before the next suspension: another fan may refresh it.
    const AvailabilityView* a = co_await Availability();
    if (a == nullptr) co_return Ask{"", VisitEnd::kFailed};
    if (a->free() == 0) {
      if (a->held() == 0) co_return Ask{"", VisitEnd::kSoldOut};
      co_await WaitForSeatsBack(attempt);
      co_return Ask{};
    }
    json::array labels;
    for (uint32_t seat : PickAdjacentFreeSeats(s_.target.map, a->seats, wish.seats, rng_)) {
      labels.emplace_back(s_.target.map.labels[seat]);
    }
    co_return Ask{json::serialize(json::object{{"seats", std::move(labels)}})};
  }

  // After a hold was refused: the end of the visit, or nullopt to try again
  // (after a moment to click, or once held seats may have come back).
  awaitable<std::optional<VisitEnd>> AfterRefusal(const HttpReply& r, Wish& wish,
                                                  uint32_t attempt) {
    if (r.status != 409) co_return Unexpected("hold", r, "");
    s_.conflicts.fetch_add(1, std::memory_order_relaxed);
    const std::string code = ProblemCode(r.body);
    if (code == "seat_unavailable") {  // someone was quicker: look again
      co_await Sleep(kConflictThinkMinMs, kConflictThinkMaxMs);
      co_return std::nullopt;
    }
    if (code != "not_enough_seats") co_return Unexpected("hold", r, "");
    // Best available found nothing: sold out, wait for seats to come back,
    // or accept fewer seats, apart.
    const AvailabilityView* a = co_await Availability();
    if (a == nullptr) co_return VisitEnd::kFailed;
    const uint64_t free = a->free();
    if (free == 0 && a->held() == 0) co_return VisitEnd::kSoldOut;
    if (free == 0) {
      co_await WaitForSeatsBack(attempt);
      co_return std::nullopt;
    }
    wish.seats = static_cast<uint32_t>(std::min<uint64_t>(wish.seats, free));
    wish.allow_split = true;
    co_await Sleep(kConflictThinkMinMs, kConflictThinkMaxMs);
    co_return std::nullopt;
  }

  // ---- The waiting room ----

  // How a fan's wait in line ended: an access token, or the end of the visit.
  struct Admission {
    std::string access_token;
    std::optional<VisitEnd> end;
  };

  // Joins the line, watches the status until the fan's place is served (or
  // nothing is left for it), then exchanges the ticket for an access token.
  awaitable<Admission> WaitInLine(const std::string& bearer) {
    const Clock::time_point joined_at = Clock::now();
    std::optional<QueueJoined> place = co_await JoinLine(bearer);
    if (!place) co_return Admission{"", VisitEnd::kFailed};
    result_.queue_joined++;
    s_.in_line.fetch_add(1, std::memory_order_relaxed);
    Admission a = co_await WatchLine(bearer, *place);
    s_.in_line.fetch_sub(1, std::memory_order_relaxed);
    if (!a.end) {
      result_.queue_wait.Record(MicrosSince(joined_at));
      s_.admitted.fetch_add(1, std::memory_order_relaxed);
    } else if (*a.end == VisitEnd::kToldSoldOut) {
      s_.told_sold_out.fetch_add(1, std::memory_order_relaxed);
    }
    co_return a;
  }

  awaitable<Admission> WatchLine(const std::string& bearer, QueueJoined& place) {
    for (uint32_t poll = 0; poll < kQueuePollsMax; ++poll) {
      const std::optional<QueueStatusView> status = co_await QueueStatus();
      if (!status) co_return Admission{"", VisitEnd::kFailed};
      if (!place.sequence && status->state != "prequeue" && status->state != "not_open") {
        // The pre-queue was drawn: joining again tells the fan its place.
        std::optional<QueueJoined> again = co_await JoinLine(bearer);
        if (!again) co_return Admission{"", VisitEnd::kFailed};
        place = std::move(*again);
      }
      if (place.sequence && *place.sequence <= status->now_serving) {
        // Admitted: the place was served before any sell-out after it.
        std::optional<Admission> a = co_await AskForAccess(bearer, place.ticket);
        if (a) co_return std::move(*a);
      } else if (status->sold_out) {
        // Beyond served_through the fan is only told it will probably get
        // nothing (the seats are spoken for, and may come back): it waits on.
        co_return Admission{"", VisitEnd::kToldSoldOut};
      }
      co_await Sleep(kQueuePollMs / 2, kQueuePollMs * 3 / 2);
    }
    co_return Admission{"", VisitEnd::kGaveUp};
  }

  // The fan's place in line; nullopt (counted) when the join failed.
  // With proof of work on (queue_pow_bits), the first join answers
  // proof_required: the fan fetches a challenge, solves it and joins again.
  awaitable<std::optional<QueueJoined>> JoinLine(const std::string& bearer) {
    HttpRequest req{"POST", QueuePath()};
    req.headers = {{"Authorization", bearer}};
    std::optional<HttpReply> r = co_await Call(Route::kQueueJoin, req);
    if (r && r->status == 403 && ProblemCode(r->body) == "proof_required") {
      std::optional<std::string> proof = co_await SolveChallenge(bearer);
      if (!proof) co_return std::nullopt;
      req.body = std::move(*proof);
      r = co_await Call(Route::kQueueJoin, std::move(req));
    }
    if (!r) co_return std::nullopt;
    if (r->status != 201 && r->status != 200) {
      Unexpected("queue join", *r, "");
      co_return std::nullopt;
    }
    StatusOr<QueueJoined> joined = ParseQueueJoined(r->body);
    if (!joined.ok()) {
      Unexpected("queue join", *r, joined.status().message());
      co_return std::nullopt;
    }
    co_return std::move(joined).value();
  }

  // The join body with a solved proof of work (loadgen/queue_proof.h), or
  // nullopt (counted). Its request is tallied with the joins. Solving runs on
  // this io thread: about 2^bits hashes, a millisecond at 10 bits.
  awaitable<std::optional<std::string>> SolveChallenge(const std::string& bearer) {
    HttpRequest req{"GET", QueuePath() + "/challenge"};
    req.headers = {{"Authorization", bearer}};
    std::optional<HttpReply> r = co_await Call(Route::kQueueJoin, std::move(req));
    if (!r) co_return std::nullopt;
    StatusOr<std::string> body = r->status == 200 ? QueueJoinBody(std::string_view(r->body))
                                                  : Status::InvalidArgument("not 200");
    if (!body.ok()) {
      Unexpected("queue challenge", *r, body.status().message());
      co_return std::nullopt;
    }
    co_return std::move(body).value();
  }

  // An admission, or nullopt when not admitted yet (look again later).
  awaitable<std::optional<Admission>> AskForAccess(const std::string& bearer,
                                                   const std::string& ticket) {
    HttpRequest req{"POST", QueuePath() + "/access"};
    req.headers = {{"Authorization", bearer}};
    req.body = json::serialize(json::object{{"ticket", ticket}});
    std::optional<HttpReply> r = co_await Call(Route::kQueueAccess, std::move(req));
    if (!r) co_return Admission{"", VisitEnd::kFailed};
    if (r->status == 409 && ProblemCode(r->body) == "not_admitted") co_return std::nullopt;
    if (r->status == 410) co_return Admission{"", VisitEnd::kSessionOver};
    std::string token = r->status == 200 ? StringMember(r->body, "access_token") : "";
    if (token.empty()) {
      Unexpected("queue access", *r, "");
      co_return Admission{"", VisitEnd::kFailed};
    }
    co_return Admission{std::move(token), std::nullopt};
  }

  // A hold without an access token while the room is on must be refused
  // (403 access_required); false when the visit cannot go on.
  awaitable<bool> JumpTheLine(uint64_t fan, const std::string& bearer) {
    const std::string body =
        json::serialize(json::object{{"best_available", {{"count", 1}, {"allow_split", false}}}});
    std::optional<HttpReply> r = co_await Call(Route::kHold, HoldRequest(bearer, body, ""));
    if (!r) {
      result_.hold_unknown = true;
      co_return false;
    }
    if (r->status == 403 && ProblemCode(r->body) == "access_required") {
      result_.line_jumps_refused++;
      co_return true;
    }
    if (r->status == 200 || r->status == 201) {
      StatusOr<Hold> hold = ParseHoldCreated(r->body);
      if (hold.ok()) {
        KeepOpen(*hold);
        result_.held_without_access.push_back({FanUser(fan), hold->id});
        co_return true;
      }
    }
    Unexpected("hold without access", *r, "");
    co_return false;
  }

  // The worker's latest queue status, refreshed with If-None-Match.
  awaitable<std::optional<QueueStatusView>> QueueStatus() {
    HttpRequest req{"GET", QueuePath() + "/status"};
    if (!queue_etag_.empty()) req.headers = {{"If-None-Match", queue_etag_}};
    std::optional<HttpReply> r = co_await Call(Route::kQueueStatus, std::move(req));
    if (!r) co_return std::nullopt;
    if (r->status == 304 && !queue_etag_.empty()) co_return queue_status_;
    if (r->status != 200) {
      Unexpected("queue status", *r, "");
      co_return std::nullopt;
    }
    StatusOr<QueueStatusView> status = ParseQueueStatus(r->body);
    if (!status.ok()) {
      Unexpected("queue status", *r, status.status().message());
      co_return std::nullopt;
    }
    queue_status_ = std::move(status).value();
    queue_etag_ = r->etag;
    co_return queue_status_;
  }

  std::string QueuePath() const { return "/v1/shows/" + s_.target.show_id + "/queue"; }

  awaitable<VisitEnd> HotseatVisit(uint64_t fan, const std::string& bearer) {
    const std::vector<std::string>& hot = s_.target.hot_seats;
    for (uint32_t attempt = 0; attempt < s_.options.attempts; ++attempt) {
      if (attempt > 0) result_.retries++;
      const std::string& seat = hot[std::uniform_int_distribution<size_t>(0, hot.size() - 1)(rng_)];
      const std::string body =
          json::serialize(json::object{{"seats", json::array{json::string(seat)}}});
      std::optional<HttpReply> r = co_await Call(Route::kHold, HoldRequest(bearer, body, ""));
      if (!r) {
        result_.hold_unknown = true;
        co_return VisitEnd::kFailed;
      }
      if (r->status == 409) {
        s_.conflicts.fetch_add(1, std::memory_order_relaxed);
        if (ProblemCode(r->body) != "seat_unavailable") co_return Unexpected("hold", *r, "");
        continue;
      }
      if (r->status != 200 && r->status != 201) co_return Unexpected("hold", *r, "");
      StatusOr<Hold> hold = ParseHoldCreated(r->body);
      if (!hold.ok()) co_return Unexpected("hold", *r, hold.status().message());
      s_.holds.fetch_add(1, std::memory_order_relaxed);
      const std::optional<VisitEnd> end = co_await Pay(fan, attempt, bearer, *hold);
      if (end) co_return *end;
    }
    co_return s_.is_sold_out() ? VisitEnd::kSoldOut : VisitEnd::kGaveUp;
  }

  // Abandons, releases or pays for `hold`; the end of the visit, or nullopt
  // to try again.
  awaitable<std::optional<VisitEnd>> UseHold(uint64_t fan, uint32_t attempt,
                                             const std::string& bearer, const Hold& hold) {
    const BenchOptions& o = s_.options;
    switch (ChooseWhatToDo(o.abandon, o.release, rng_)) {
      case HoldChoice::kAbandon:
        KeepOpen(hold);
        co_return VisitEnd::kAbandoned;
      case HoldChoice::kRelease:
        co_return co_await Release(bearer, hold);
      case HoldChoice::kPay:
        co_return co_await Pay(fan, attempt, bearer, hold);
    }
    co_return VisitEnd::kFailed;
  }

  awaitable<std::optional<VisitEnd>> Release(const std::string& bearer, const Hold& hold) {
    HttpRequest req{"DELETE", "/v1/holds/" + hold.id};
    req.headers = {{"Authorization", bearer}, {"X-Hold-Token", hold.token}};
    std::optional<HttpReply> r = co_await Call(Route::kRelease, std::move(req));
    if (!r) {
      KeepOpen(hold);
      co_return VisitEnd::kFailed;
    }
    // 410: the hold expired first (the fan was slow); either way the seats are free.
    if (r->status != 204 && r->status != 410) co_return Unexpected("release", *r, "");
    result_.releases++;
    co_return std::nullopt;
  }

  // Pays at the box office (the organiser confirms) or at checkout.
  awaitable<std::optional<VisitEnd>> Pay(uint64_t fan, uint32_t attempt, const std::string& bearer,
                                         const Hold& hold) {
    if (s_.options.payment == Payment::kCheckout)
      co_return co_await PayAtCheckout(fan, bearer, hold);
    HttpRequest req{"POST", "/v1/holds/" + hold.id + "/confirm"};
    req.headers = {{"X-Admin-Key", s_.options.admin_key}};
    req.body = json::serialize(json::object{
        {"payment_ref", "bench-" + std::to_string(fan) + "-" + std::to_string(attempt)}});
    std::optional<HttpReply> r = co_await Call(Route::kConfirm, std::move(req));
    if (!r) {
      KeepOpen(hold);
      co_return VisitEnd::kFailed;
    }
    if (r->status == 410 && ProblemCode(r->body) == "hold_expired") {
      result_.confirms_too_late++;
      co_return std::nullopt;
    }
    if (r->status != 201) co_return Unexpected("confirm", *r, "");
    StatusOr<BookingRecord> booking = ParseBooking(r->body);
    if (!booking.ok()) co_return Unexpected("confirm", *r, booking.status().message());
    result_.told_booked.push_back({FanUser(fan), hold.id, booking->id, hold.seats});
    s_.bookings.fetch_add(1, std::memory_order_relaxed);
    s_.AddBookedSeats(hold.seats.size());
    co_return VisitEnd::kBooked;
  }

  // Checks out through the server's payment gateway, then waits for the
  // payment to settle (the gateway approves or declines by itself): booked,
  // or after a decline checks out again (a new payment), until the hold is
  // booked or gone.
  awaitable<std::optional<VisitEnd>> PayAtCheckout(uint64_t fan, const std::string& bearer,
                                                   const Hold& hold) {
    std::string payment;
    for (uint32_t poll = 0; poll < kPaymentPollsMax; ++poll) {
      if (poll % kCheckoutEveryPolls == 0) {
        HttpRequest req{"POST", "/v1/holds/" + hold.id + "/checkout"};
        req.headers = {{"Authorization", bearer}, {"X-Hold-Token", hold.token}};
        std::optional<HttpReply> r = co_await Call(Route::kCheckout, std::move(req));
        if (!r) {
          KeepOpen(hold);
          co_return VisitEnd::kFailed;
        }
        if (r->status == 410) {  // the hold expired first
          result_.confirms_too_late++;
          co_return std::nullopt;
        }
        // 503: the last payment (a decline, say) is being settled or recorded;
        // the fan's page asks again at the next round.
        const bool busy = r->status == 503;
        if (r->status != 200 && r->status != 201 && !busy) co_return Unexpected("checkout", *r, "");
        if (busy) {
          co_await Sleep(kPaymentPollMs, kPaymentPollMs);
          continue;
        }
        const std::string id = StringMember(r->body, "payment_id");
        if (id.empty()) co_return Unexpected("checkout", *r, "no payment_id");
        if (!payment.empty() && id != payment) result_.payment_retries++;
        payment = id;
      }
      co_await Sleep(kPaymentPollMs, kPaymentPollMs);
      HttpRequest get{"GET", "/v1/holds/" + hold.id};
      get.headers = {{"Authorization", bearer}};
      std::optional<HttpReply> r = co_await Call(Route::kHoldStatus, std::move(get));
      if (!r) {
        KeepOpen(hold);
        co_return VisitEnd::kFailed;
      }
      if (r->status != 200) co_return Unexpected("hold status", *r, "");
      const std::string status = StringMember(r->body, "status");
      if (status == "held") continue;
      if (status != "confirmed") {  // expired or released before the payment settled
        result_.confirms_too_late++;
        co_return std::nullopt;
      }
      const std::string booking = StringMember(r->body, "booking_id");
      if (booking.empty()) co_return Unexpected("hold status", *r, "confirmed without booking_id");
      result_.told_booked.push_back({FanUser(fan), hold.id, booking, hold.seats});
      s_.bookings.fetch_add(1, std::memory_order_relaxed);
      s_.AddBookedSeats(hold.seats.size());
      co_return VisitEnd::kBooked;
    }
    KeepOpen(hold);
    co_return Unexpected("checkout", HttpReply{}, "the payment never settled");
  }

  // ---- Requests ----

  // The worker's latest availability, refreshed with If-None-Match; nullptr
  // when it could not be read. Valid until the caller's next suspension.
  awaitable<const AvailabilityView*> Availability() {
    HttpRequest req{"GET", "/v1/shows/" + s_.target.show_id + "/availability"};
    if (!etag_.empty()) req.headers = {{"If-None-Match", etag_}};
    std::optional<HttpReply> r = co_await Call(Route::kAvailability, std::move(req));
    if (!r) co_return nullptr;
    if (r->status == 304 && !etag_.empty()) co_return &availability_;
    if (r->status != 200) {
      Unexpected("availability", *r, "");
      co_return nullptr;
    }
    StatusOr<AvailabilityView> a = ParseAvailability(r->body, s_.target.map.seat_count());
    if (!a.ok()) {
      Unexpected("availability", *r, a.status().message());
      co_return nullptr;
    }
    availability_ = std::move(a).value();
    etag_ = r->etag;
    co_return &availability_;
  }

  // `access`: the waiting room's access token, if any.
  HttpRequest HoldRequest(const std::string& bearer, std::string body,
                          const std::string& access) const {
    HttpRequest req{"POST", "/v1/shows/" + s_.target.show_id + "/holds"};
    req.headers = {{"Authorization", bearer}};
    if (!access.empty()) req.headers.emplace_back("Boxoffice-Access", access);
    req.body = std::move(body);
    return req;
  }

  // Sends one request on the next free connection and files its status and
  // latency; nullopt (counted as a transport error) when no response came.
  awaitable<std::optional<HttpReply>> Call(Route route, HttpRequest req) {
    const Clock::time_point queued = Clock::now();
    HttpConnection* conn = co_await pool_.async_receive(asio::use_awaitable);
    result_.connection_wait.Record(MicrosSince(queued));
    StatusOr<HttpReply> r = co_await conn->Send(req);
    const bool returned = pool_.try_send(boost::system::error_code{}, conn);
    BOX_ASSERT(returned);
    s_.requests.fetch_add(1, std::memory_order_relaxed);
    if (!r.ok()) {
      result_.transport_errors++;
      Sample(r.status().message());
      co_return std::nullopt;
    }
    result_.statuses[static_cast<size_t>(route)][r->status]++;
    if (const std::optional<RequestKind> kind = KindOf(route, r->status)) {
      result_.latency[static_cast<size_t>(*kind)].Record(r->latency_us);
    }
    {
      std::lock_guard<std::mutex> lock(recent_mu_);
      recent_.Record(r->latency_us);
    }
    co_return std::move(r).value();
  }

  awaitable<void> WaitForSeatsBack(uint32_t attempt) {
    const core::DurationMs base =
        std::min<core::DurationMs>(kSeatsBackWaitMs * (attempt + 1), kSeatsBackWaitMaxMs);
    co_await Sleep(base / 2, base * 3 / 2);
  }

  // Waits a random time between min_ms and max_ms.
  awaitable<void> Sleep(core::DurationMs min_ms, core::DurationMs max_ms) {
    const core::DurationMs ms =
        std::uniform_int_distribution<core::DurationMs>(min_ms, max_ms)(rng_);
    asio::steady_timer timer(io_, std::chrono::milliseconds(ms));
    co_await timer.async_wait(asio::use_awaitable);
  }

  // ---- Bookkeeping ----

  // The hold may still be live: the audit waits for its expiry.
  void KeepOpen(const Hold& hold) {
    result_.latest_open_expiry_ms = std::max(result_.latest_open_expiry_ms, hold.expires_at_ms);
  }

  VisitEnd Unexpected(std::string_view route, const HttpReply& r, const std::string& why) {
    result_.unexpected++;
    std::string line = std::string(route) + ": " + std::to_string(r.status) + " " +
                       r.body.substr(0, kSampleBodyBytesMax);
    if (!why.empty()) line += " (" + why + ")";
    Sample(std::move(line));
    return VisitEnd::kFailed;
  }

  void Sample(std::string line) {
    if (result_.failure_samples.size() < kFailureSamplesMax)
      result_.failure_samples.push_back(std::move(line));
  }

  void Tally(VisitEnd v) {
    FanTally& t = result_.fans;
    switch (v) {
      case VisitEnd::kBooked:
        t.booked++;
        break;
      case VisitEnd::kAbandoned:
        t.abandoned++;
        break;
      case VisitEnd::kSoldOut:
        t.sold_out++;
        break;
      case VisitEnd::kGaveUp:
        t.gave_up++;
        break;
      case VisitEnd::kFailed:
        t.failed++;
        break;
      case VisitEnd::kToldSoldOut:
        t.told_sold_out++;
        break;
      case VisitEnd::kSessionOver:
        t.session_over++;
        break;
    }
  }

  State& s_;
  const uint32_t connections_;
  const uint64_t inside_max_;
  std::mt19937_64 rng_;
  asio::io_context io_{1};
  std::vector<std::unique_ptr<HttpConnection>> conns_;
  ConnectionPool pool_;
  Places places_;
  uint64_t visits_ = 0;  // visits running
  bool all_in_ = false;  // no fan is left to let in
  AvailabilityView availability_;
  std::string etag_;
  QueueStatusView queue_status_;
  std::string queue_etag_;
  CrowdResult result_;
  std::mutex recent_mu_;
  LatencyHistogram recent_;
};

// ---- Crowd
// ----------------------------------------------------------------------------------------

Crowd::Crowd(const BenchOptions& options, SaleTarget target)
    : state_(std::make_unique<State>(options, std::move(target))) {
  BOX_ASSERT(ValidateOptions(options).ok());
  BOX_ASSERT(options.scenario != Scenario::kHotseat || !state_->target.hot_seats.empty());
  const uint32_t threads = std::min(options.client_threads, options.connections);
  const uint64_t inside =
      std::max<uint64_t>(std::min(options.fans_inside_max, options.fans), threads);
  for (uint32_t i = 0; i < threads; ++i) {
    const uint32_t connections =
        options.connections / threads + (i < options.connections % threads ? 1 : 0);
    const uint64_t places = inside / threads + (i < inside % threads ? 1 : 0);
    workers_.push_back(
        std::make_unique<Worker>(*state_, connections, places, Mix(options.seed, i)));
  }
}

Crowd::~Crowd() { Join(); }

void Crowd::Start() {
  BOX_ASSERT(threads_.empty());
  state_->start = Clock::now();
  state_->workers_running = workers_.size();
  for (const auto& w : workers_) {
    threads_.emplace_back([this, worker = w.get()] {
      worker->Run();
      std::lock_guard<std::mutex> lock(state_->mu);
      if (--state_->workers_running == 0) state_->all_done.notify_all();
    });
  }
}

bool Crowd::WaitUntilDone(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(state_->mu);
  return state_->all_done.wait_for(lock, timeout, [this] { return state_->workers_running == 0; });
}

void Crowd::Join() {
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

Clock::time_point Crowd::started_at() const { return state_->start; }

CrowdCounters Crowd::Counters() const { return state_->Read(); }

LatencyHistogram Crowd::TakeRecentLatencies() {
  LatencyHistogram all;
  for (const auto& w : workers_) all.Merge(w->TakeRecent());
  return all;
}

std::optional<SoldOutMoment> Crowd::SoldOut() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->sold_out;
}

CrowdResult Crowd::Result() const {
  BOX_ASSERT(threads_.empty());
  CrowdResult all;
  for (const auto& w : workers_) {
    const CrowdResult& r = w->result();
    for (size_t k = 0; k < kRequestKindCount; ++k) all.latency[k].Merge(r.latency[k]);
    for (size_t k = 0; k < kRouteCount; ++k) {
      for (const auto& [status, n] : r.statuses[k]) all.statuses[k][status] += n;
    }
    all.fan_wait.Merge(r.fan_wait);
    all.connection_wait.Merge(r.connection_wait);
    all.loop_lag.Merge(r.loop_lag);
    all.fans.booked += r.fans.booked;
    all.fans.abandoned += r.fans.abandoned;
    all.fans.sold_out += r.fans.sold_out;
    all.fans.gave_up += r.fans.gave_up;
    all.fans.failed += r.fans.failed;
    all.fans.told_sold_out += r.fans.told_sold_out;
    all.fans.session_over += r.fans.session_over;
    all.queue_joined += r.queue_joined;
    all.line_jumps_refused += r.line_jumps_refused;
    all.queue_wait.Merge(r.queue_wait);
    all.admitted_users.insert(all.admitted_users.end(), r.admitted_users.begin(),
                              r.admitted_users.end());
    all.held_without_access.insert(all.held_without_access.end(), r.held_without_access.begin(),
                                   r.held_without_access.end());
    all.retries += r.retries;
    all.releases += r.releases;
    all.confirms_too_late += r.confirms_too_late;
    all.payment_retries += r.payment_retries;
    all.transport_errors += r.transport_errors;
    all.unexpected += r.unexpected;
    all.connects += r.connects;
    for (const std::string& s : r.failure_samples) {
      if (all.failure_samples.size() < kFailureSamplesMax) all.failure_samples.push_back(s);
    }
    all.told_booked.insert(all.told_booked.end(), r.told_booked.begin(), r.told_booked.end());
    all.latest_open_expiry_ms = std::max(all.latest_open_expiry_ms, r.latest_open_expiry_ms);
    all.hold_unknown = all.hold_unknown || r.hold_unknown;
  }
  return all;
}

}  // namespace boxoffice::loadgen
