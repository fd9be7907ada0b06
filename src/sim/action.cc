#include "sim/action.h"

#include <random>

namespace boxoffice::sim {

namespace {

// Relative weights of the kinds: what a busy on-sale looks like, with rare faults.
struct Weight {
  ActionKind kind;
  uint32_t weight;
};
constexpr Weight kWeights[] = {
    {ActionKind::kHold, 140},        {ActionKind::kExtend, 20},
    {ActionKind::kRelease, 25},      {ActionKind::kCheckout, 70},
    {ActionKind::kPay, 80},          {ActionKind::kConfirm, 35},
    {ActionKind::kCancelBooking, 8}, {ActionKind::kReplay, 40},
    {ActionKind::kJoinQueue, 20},    {ActionKind::kQueueAccess, 25},
    {ActionKind::kEndSession, 6},    {ActionKind::kReadHold, 25},
    {ActionKind::kAdvance, 130},     {ActionKind::kSweep, 80},
    {ActionKind::kDurable, 130},     {ActionKind::kStoreFail, 1},
    {ActionKind::kCrash, 8},         {ActionKind::kGatewayAnswer, 110},
    {ActionKind::kWebhook, 80},      {ActionKind::kGatewayDown, 4},
    {ActionKind::kWallStep, 4},      {ActionKind::kWallCorrect, 4},
};

core::DurationMs DrawAdvance(std::mt19937_64& rng) {
  const uint64_t r = rng() % 1000;
  const auto between = [&rng](core::DurationMs lo, core::DurationMs hi) {
    return lo + static_cast<core::DurationMs>(rng() % static_cast<uint64_t>(hi - lo + 1));
  };
  if (r < 700) return between(50, 3'000);              // requests keep coming
  if (r < 900) return between(10'000, 90'000);         // holds time out
  if (r < 970) return between(300'000, 1'800'000);     // payments are reconciled
  if (r < 995) return between(3'600'000, 10'800'000);  // closed holds are forgotten
  return between(86'400'000, 93'600'000);              // idempotency keys are forgotten
}

}  // namespace

std::vector<Action> Generate(uint64_t seed, size_t steps) {
  std::mt19937_64 rng(seed);
  uint32_t total = 0;
  for (const Weight& w : kWeights) total += w.weight;
  std::vector<Action> out;
  out.reserve(steps);
  for (size_t i = 0; i < steps; ++i) {
    uint32_t r = static_cast<uint32_t>(rng() % total);
    const Weight* w = kWeights;
    while (r >= w->weight) r -= (w++)->weight;
    Action a;
    a.kind = w->kind;
    a.fan = static_cast<uint32_t>(rng() % kFans);
    a.show = static_cast<uint32_t>(rng() % kShows);
    a.pick = static_cast<uint32_t>(rng() % 1'000'000);
    a.keyed = rng() % 2 == 0;
    switch (a.kind) {
      case ActionKind::kHold:
        a.arg = static_cast<uint32_t>(rng() % 3);
        a.count = 1 + static_cast<uint32_t>(rng() % 3);
        break;
      case ActionKind::kPay:
        a.arg = rng() % 3 == 0 ? 1 : 0;
        break;
      case ActionKind::kWebhook:
        a.arg = static_cast<uint32_t>(rng() % 10 < 7 ? 0 : rng() % 10 < 5 ? 1 : 2);
        break;
      case ActionKind::kDurable:
        a.arg = 1 + static_cast<uint32_t>(rng() % 8);
        break;
      case ActionKind::kGatewayDown:
        a.arg = rng() % 2;
        break;
      case ActionKind::kAdvance:
        a.ms = DrawAdvance(rng);
        break;
      case ActionKind::kWallStep: {
        const core::DurationMs by = 60'000 + static_cast<core::DurationMs>(rng() % 7'200'000);
        a.ms = rng() % 2 == 0 ? by : -by;
        break;
      }
      default:
        break;
    }
    out.push_back(a);
  }
  return out;
}

std::string Describe(const Action& a) {
  const std::string fan = "fan-" + std::to_string(a.fan);
  const std::string show = "show " + std::to_string(a.show);
  const std::string pick = "#" + std::to_string(a.pick);
  const std::string key = a.keyed ? " with an Idempotency-Key" : "";
  switch (a.kind) {
    case ActionKind::kHold: {
      const char* what[] = {"seats", "best available", "standing places"};
      return fan + " holds " + std::to_string(a.count) + " " + what[a.arg % 3] + " of " + show +
             " (" + pick + ")" + key;
    }
    case ActionKind::kExtend:
      return "the holder of hold " + pick + " extends it" + key;
    case ActionKind::kRelease:
      return "the holder of hold " + pick + " releases it";
    case ActionKind::kCheckout:
      return "the holder of hold " + pick + " checks out" + key;
    case ActionKind::kPay:
      return std::string("a fan ") + (a.arg == 0 ? "approves" : "declines") + " payment " + pick +
             " at the gateway";
    case ActionKind::kConfirm:
      return "the box office confirms hold " + pick + key;
    case ActionKind::kCancelBooking:
      return "the organiser cancels booking " + pick + key;
    case ActionKind::kReplay:
      return "request " + pick + " is sent again with its Idempotency-Key";
    case ActionKind::kJoinQueue:
      return fan + " joins the waiting room";
    case ActionKind::kQueueAccess:
      return fan + " asks for access from the waiting room";
    case ActionKind::kEndSession:
      return fan + " ends its shopping session";
    case ActionKind::kReadHold:
      return "the holder of hold " + pick + " reads it";
    case ActionKind::kAdvance:
      return std::to_string(a.ms) + " ms pass";
    case ActionKind::kSweep:
      return "the sweeper runs";
    case ActionKind::kDurable:
      return "the store makes " + std::to_string(a.arg) + " waiting batches durable";
    case ActionKind::kStoreFail:
      return "the store fails the next batch; the server is restarted";
    case ActionKind::kCrash:
      return "kill -9, and a restart";
    case ActionKind::kGatewayAnswer:
      return "the gateway answers call " + pick;
    case ActionKind::kWebhook: {
      const char* how[] = {"is delivered", "is delivered twice", "is lost"};
      return "webhook " + pick + " " + how[a.arg % 3];
    }
    case ActionKind::kGatewayDown:
      return a.arg ? "the gateway goes down" : "the gateway comes back";
    case ActionKind::kWallStep:
      return "the wall clock is stepped by " + std::to_string(a.ms) + " ms";
    case ActionKind::kWallCorrect:
      return "the wall clock is corrected";
  }
  return "?";
}

}  // namespace boxoffice::sim
