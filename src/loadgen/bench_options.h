// The settings of one `boxoffice bench` run, their defaults and limits.
//
// Thread-safety: plain values.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/limits.h"
#include "core/status.h"
#include "loadgen/fan_model.h"
#include "loadgen/loopback_url.h"

namespace boxoffice::loadgen {

enum class Scenario : uint8_t {
  kOnsale,   // a crowd buys a venue: holds, abandons, releases, pays
  kHotseat,  // everybody wants the same few seats
  kQueue,    // a storm of fans joining the waiting room, then polling its status
};

std::string_view ScenarioName(Scenario s);

inline constexpr uint64_t kFansMax = 10'000'000;
inline constexpr uint32_t kConnectionsMax = 10'000;
inline constexpr uint64_t kFansInsideMax = 1'000'000;  // each fan inside is a coroutine
inline constexpr uint32_t kBenchSeatsMax = 200'000;    // the venue is posted as one JSON body
inline constexpr uint32_t kDurationSecondsMax = 3'600;
inline constexpr uint32_t kAttemptsMax = 100;
inline constexpr uint32_t kClientThreadsMax = 8;
inline constexpr uint32_t kPollsPerFanMax = 1'000;
inline constexpr uint32_t kOnsaleInSecondsMax = 86'400;

// How a fan who decides to pay pays.
enum class Payment : uint8_t {
  kBoxOffice = 0,  // the organiser confirms the hold (admin key)
  kCheckout,       // checkout through the server's payment gateway, which must
                   // settle by itself (gateway_auto_pay_ms); a declined payment is retried
};
std::string_view PaymentName(Payment p);
std::optional<Payment> ParsePayment(std::string_view name);

// The waiting room the bench sets up on its show (PUT /v1/shows/{id}/queue):
// the pre-queue opens at once, the on-sale `onsale_in_s` later.
struct QueueSettings {
  bool enabled = false;
  uint32_t admissions_per_minute = 60'000;
  uint32_t shoppers_max = 2'000;  // the room's active_shoppers_max
  uint32_t session_s = 60;
  uint32_t onsale_in_s = 2;  // the pre-queue's lottery is drawn then
};

struct BenchOptions {
  Scenario scenario = Scenario::kOnsale;
  ServerAddress server;
  std::string admin_key;
  std::string jwt_secret;  // signs the fans' bearer tokens (HS256)

  uint64_t fans = 20'000;
  uint32_t connections = 500;
  uint64_t fans_inside_max = 10'000;  // fans inside at once; later arrivals wait outside
  uint32_t seats = 5'000;             // onsale: the venue; hotseat: the hot seats (and the venue)
  uint32_t hold_ttl_s = 2;            // the show's hold TTL: short, so abandoned holds come back
  double abandon = 0.7;               // share of holds left to expire
  double release = 0.1;               // share of holds released before trying again; the rest pay
  double best_available = 0.5;        // share of fans asking for best-available, not picking seats
  Payment payment = Payment::kBoxOffice;
  ArrivalProfile profile = ArrivalProfile::kAllAtOnce;
  uint32_t duration_s = 10;  // the span over which fans arrive (ramp, steady)
  uint32_t attempts = 10;    // hold attempts per fan before giving up
  uint32_t client_threads = 1;
  uint64_t seed = 1;
  std::chrono::milliseconds request_timeout = std::chrono::seconds(30);
  bool progress = true;        // a progress line on stderr every second
  QueueSettings queue;         // onsale --queue; always on for the queue scenario
  uint32_t polls_per_fan = 3;  // queue: status polls per fan after the joins
};

// OK, or InvalidArgument naming the first setting out of range.
Status ValidateOptions(const BenchOptions& o);
Status ValidateQueueSettings(const QueueSettings& q);

}  // namespace boxoffice::loadgen
