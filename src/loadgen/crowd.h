// Crowd: the simulated fans of one sale, as Asio coroutines on
// `client_threads` threads, sharing `connections` keep-alive connections.
//
// Fans come in arrival order, each at its arrival time (fan_model.h), as
// long as fewer than `fans_inside_max` are inside; the others wait outside
// (the wait is reported). Every fan inside plays their visit on their own;
// each request takes the next idle connection and gives it back when its
// response arrived, so a fan who waits (for seats to come back) holds no
// connection, and at most `connections` requests are in flight. The visits:
//   onsale   look at the availability and pick adjacent free seats, or ask
//            for the best available; with a hold, abandon it, release it
//            and try again, or pay (the organiser's confirm, a stand-in until
//            payments exist); on a conflict try again with fresh
//            availability; when nothing is free but seats are held, wait for
//            them to come back; stop when nothing is free or held (sold out)
//            or after `attempts` tries.
//            With the waiting room on (--queue) an on-sale fan first joins
//            the line, watches its status (If-None-Match) until their place
//            is served, exchanges the ticket for an access token and sends
//            it with every hold; a fan whose place will get no seats is
//            told sold out. Every kLineJumperEvery-th fan first tries a
//            hold without a token, which must be refused.
//   hotseat  ask for one of the hot seats, at random; pay for it when held;
//            on a conflict try another, `attempts` times.
// Bounded: fans inside, connections, and every request (timeout, sizes).
//
// Thread-safety: Start, WaitUntilDone, Join and Result from one controlling
// thread; Counters, TakeRecentLatencies and SoldOut from any thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "loadgen/api_views.h"
#include "loadgen/audit.h"
#include "loadgen/bench_options.h"
#include "loadgen/control.h"
#include "loadgen/histogram.h"
#include "loadgen/report.h"

namespace boxoffice::loadgen {

// Live totals of the sale so far.
struct CrowdCounters {
  uint64_t fans_done = 0;
  uint64_t requests = 0;
  uint64_t holds = 0;
  uint64_t bookings = 0;
  uint64_t seats_booked = 0;
  uint64_t conflicts = 0;
  uint64_t in_line = 0;  // the waiting room: joined, not yet admitted
  uint64_t admitted = 0;
  uint64_t told_sold_out = 0;
};

// What the crowd did, merged over its threads.
struct CrowdResult {
  std::array<LatencyHistogram, kRequestKindCount> latency;
  std::array<std::map<unsigned, uint64_t>, kRouteCount> statuses;
  LatencyHistogram fan_wait;         // from arrival until inside
  LatencyHistogram connection_wait;  // from a request's start until a connection took it
  LatencyHistogram loop_lag;         // how late the client's event loop ran a timer
  FanTally fans;
  uint64_t retries = 0;
  uint64_t releases = 0;
  uint64_t confirms_too_late = 0;
  uint64_t payment_retries = 0;
  uint64_t transport_errors = 0;
  uint64_t unexpected = 0;
  uint64_t connects = 0;
  std::vector<std::string> failure_samples;
  std::vector<ToldBooked> told_booked;
  // The latest expires_at (wall clock, ms) of any hold that may still be
  // live: abandoned, or its release or confirm went unanswered.
  core::TimeMs latest_open_expiry_ms = 0;
  bool hold_unknown = false;  // a hold request went unanswered: a hold may exist unseen
  // The waiting room (--queue).
  uint64_t queue_joined = 0;
  uint64_t line_jumps_refused = 0;
  LatencyHistogram queue_wait;              // from joining until the access token
  std::vector<std::string> admitted_users;  // fans given an access token
  std::vector<HeldWithoutAccess> held_without_access;
};

struct SoldOutMoment {
  std::chrono::steady_clock::time_point at;
  CrowdCounters counters;  // at that moment (each read on its own)
};

class Crowd {
 public:
  Crowd(const BenchOptions& options, SaleTarget target);
  ~Crowd();
  Crowd(const Crowd&) = delete;
  Crowd& operator=(const Crowd&) = delete;

  // The sale starts now: starts the threads.
  void Start();
  // Waits until every fan's visit ended or `timeout` passed; true when ended.
  bool WaitUntilDone(std::chrono::milliseconds timeout);
  // Waits for the end and joins the threads.
  void Join();

  std::chrono::steady_clock::time_point started_at() const;
  CrowdCounters Counters() const;
  // Every response's latency since the previous call, for a live p99.
  LatencyHistogram TakeRecentLatencies();
  std::optional<SoldOutMoment> SoldOut() const;
  // After Join.
  CrowdResult Result() const;

 private:
  class Worker;
  struct State;
  std::unique_ptr<State> state_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
};

}  // namespace boxoffice::loadgen
