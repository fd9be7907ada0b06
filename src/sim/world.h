// World: one Boxoffice server under simulation, in process — the real
// BookingService (waiting rooms, ledger, core) behind the real v1 routes of
// http::Api, on a FaultyStore over a real SQLite file, paying through a
// SimGateway, on a SimClock, every source of randomness seeded.
//
// Requests go to the routes directly (no sockets). Their answers arrive on
// the simulation's thread, at once or when the store makes their batch
// durable, and wait in the inbox for TakeAnswers. Crash() kills the process
// (its waiting batches and unanswered requests are lost); Start() runs a new
// one over what the store kept, as a restarted server recovers.
//
// Thread-safety: one thread, the simulation's.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http/api.h"
#include "http/catalog_codec.h"
#include "http/router.h"
#include "metrics/metrics.h"
#include "service/booking_service.h"
#include "sim/faulty_store.h"
#include "sim/sim_clock.h"
#include "sim/sim_gateway.h"

namespace boxoffice::sim {

inline constexpr char kJwtSecret[] = "simulation-jwt-secret-0123456789abcdef";
inline constexpr char kAdminKey[] = "simulation-admin-key-0123456789abcdef";
inline constexpr char kQueueSecret[] = "simulation-queue-secret-0123456789abcdef";
inline constexpr char kWebhookSecret[] = "simulation-webhook-secret";
inline constexpr core::DurationMs kCheckoutExtensionMs = 120'000;
inline constexpr core::DurationMs kReconcileAfterMs = 30'000;

struct Answer {
  uint64_t request = 0;
  http::Response response;
};

class World {
 public:
  World(std::string dir, uint64_t seed, SimClock& clock, SimGateway& gateway);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Runs a server over what the store kept (recovery included).
  Status Start();
  // The process dies: waiting batches, gateway answers and unanswered
  // requests are lost.
  void Crash();
  bool running() const { return svc_ != nullptr; }

  // Sends a request to the routes; its answer comes back in TakeAnswers()
  // under the returned id (perhaps never, if the server crashes first).
  uint64_t Send(http::Method method, const std::string& target, std::string body,
                const std::vector<std::pair<std::string, std::string>>& headers);
  std::vector<Answer> TakeAnswers();

  service::BookingService& service() { return *svc_; }
  FaultyStore& store() { return *store_; }
  // A fan's bearer token ("Bearer ..."), minted on the gateway's (true) clock.
  std::string FanAuth(const std::string& user);

 private:
  class Inbox;

  const std::string dir_;
  const uint64_t seed_;
  SimClock& clock_;
  SimGateway& gateway_;
  http::JsonCatalogCodec codec_;
  uint64_t next_request_ = 1;
  uint64_t starts_ = 0;
  std::shared_ptr<Inbox> inbox_;
  std::unique_ptr<metrics::Registry> metrics_;
  std::unique_ptr<FaultyStore> store_;
  std::unique_ptr<service::BookingService> svc_;
  std::unique_ptr<http::Api> api_;
  std::unique_ptr<http::Router> router_;
  std::map<std::string, std::string> fan_auth_;
};

}  // namespace boxoffice::sim
