#include "loadgen/bench_options.h"

namespace boxoffice::loadgen {

std::string_view ScenarioName(Scenario s) {
  switch (s) {
    case Scenario::kOnsale:
      return "onsale";
    case Scenario::kHotseat:
      return "hotseat";
    case Scenario::kQueue:
      return "queue";
  }
  return "?";
}

std::string_view PaymentName(Payment p) {
  return p == Payment::kCheckout ? "checkout" : "box-office";
}

std::optional<Payment> ParsePayment(std::string_view name) {
  if (name == "checkout") return Payment::kCheckout;
  if (name == "box-office") return Payment::kBoxOffice;
  return std::nullopt;
}

Status ValidateOptions(const BenchOptions& o) {
  const auto bad = [](const std::string& what) { return Status::InvalidArgument(what); };
  if (o.server.ip.empty()) return bad("--url: required");
  if (o.admin_key.empty()) return bad("the admin key is empty (--admin-key-file)");
  if (o.jwt_secret.size() < 32)
    return bad("the JWT secret is shorter than 32 bytes (--jwt-secret-file)");
  if (o.fans < 1 || o.fans > kFansMax) return bad("--fans: 1.." + std::to_string(kFansMax));
  if (o.connections < 1 || o.connections > kConnectionsMax) {
    return bad("--connections: 1.." + std::to_string(kConnectionsMax));
  }
  if (o.fans_inside_max < 1 || o.fans_inside_max > kFansInsideMax) {
    return bad("--fans-inside: 1.." + std::to_string(kFansInsideMax));
  }
  if (o.seats < 1 || o.seats > kBenchSeatsMax)
    return bad("--seats: 1.." + std::to_string(kBenchSeatsMax));
  if (o.hold_ttl_s < core::kHoldTtlSecondsMin || o.hold_ttl_s > core::kHoldTtlSecondsMax) {
    return bad("--hold-ttl-s: " + std::to_string(core::kHoldTtlSecondsMin) + ".." +
               std::to_string(core::kHoldTtlSecondsMax));
  }
  if (!(o.abandon >= 0 && o.abandon <= 1)) return bad("--abandon: a share between 0 and 1");
  if (!(o.release >= 0 && o.release <= 1)) return bad("--release: a share between 0 and 1");
  if (o.abandon + o.release > 1) return bad("--abandon plus --release must not exceed 1");
  if (!(o.best_available >= 0 && o.best_available <= 1))
    return bad("--best-available: a share between 0 and 1");
  if (o.duration_s < 1 || o.duration_s > kDurationSecondsMax) {
    return bad("--duration-s: 1.." + std::to_string(kDurationSecondsMax));
  }
  if (o.attempts < 1 || o.attempts > kAttemptsMax)
    return bad("--attempts: 1.." + std::to_string(kAttemptsMax));
  if (o.client_threads < 1 || o.client_threads > kClientThreadsMax) {
    return bad("--client-threads: 1.." + std::to_string(kClientThreadsMax));
  }
  if (o.request_timeout.count() < 1) return bad("--timeout-s: at least 1");
  if (o.polls_per_fan > kPollsPerFanMax)
    return bad("--polls-per-fan: 0.." + std::to_string(kPollsPerFanMax));
  return ValidateQueueSettings(o.queue);
}

Status ValidateQueueSettings(const QueueSettings& q) {
  const auto in = [](uint32_t v, uint32_t lo, uint32_t hi) { return v >= lo && v <= hi; };
  const auto bad = [](const char* flag, uint32_t lo, uint32_t hi) {
    return Status::InvalidArgument(std::string(flag) + ": " + std::to_string(lo) + ".." +
                                   std::to_string(hi));
  };
  if (!in(q.admissions_per_minute, 1, core::kAdmissionsPerMinuteMax))
    return bad("--queue-rate", 1, core::kAdmissionsPerMinuteMax);
  if (!in(q.shoppers_max, 1, core::kActiveShoppersMax))
    return bad("--shoppers-max", 1, core::kActiveShoppersMax);
  if (!in(q.session_s, core::kSessionSecondsMin, core::kSessionSecondsMax))
    return bad("--session-s", core::kSessionSecondsMin, core::kSessionSecondsMax);
  if (!in(q.onsale_in_s, 1, kOnsaleInSecondsMax))
    return bad("--onsale-in-s", 1, kOnsaleInSecondsMax);
  return Status::Ok();
}

}  // namespace boxoffice::loadgen
