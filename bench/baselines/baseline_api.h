// BaselineApi: the part of the v1 API that `boxoffice bench onsale` uses,
// served over a baseline's SeatStore, so that the same fan model and the same
// audit drive our server and the seed design's baselines.
//
//   POST   /v1/venues                   admin    the venue (kept in memory)
//   POST   /v1/shows                    admin    the show (kept in memory; the store prepares it)
//   GET    /v1/shows/{id}/seatmap                the seat map
//   GET    /v1/shows/{id}/availability           counts and 2-bit seat states, read from the store
//   POST   /v1/shows/{id}/holds         fan      {"seats":[...]} or {"best_available":{...}}
//   DELETE /v1/holds/{id}               fan      X-Hold-Token
//   POST   /v1/holds/{id}/confirm       admin    {"payment_ref":...}
//   GET    /v1/bookings?show={id}       admin    every booking of the show, from the store
//   GET    /healthz
//
// Requests and answers have the shapes of docs/openapi.yaml (the JSON comes
// from http/api_json.h). What the baselines leave out: ETags (the seed design
// keeps no version), idempotency keys, per-fan seat limits, GA areas,
// extensions, payments. Best available reads every seat's state from the
// store, picks seats with core::FindBestAvailable and holds them, trying
// again (kBestAvailableTriesMax) when another fan was quicker.
//
// Thread-safety: handlers run on the io threads; store work runs on the
// WorkerPool; the catalog is behind a mutex.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "http/router.h"
#include "service/booking_service.h"
#include "worker_pool.h"

namespace boxoffice::baselines {

inline constexpr int kBestAvailableTriesMax = 3;

struct BaselineOptions {
  std::string admin_key;
  std::string jwt_secret;
  service::ShowSettings show_defaults;
};

class BaselineApi {
 public:
  BaselineApi(WorkerPool* pool, BaselineOptions options);

  void Register(http::Router& router);

 private:
  void CreateVenue(http::Request&& req, http::Responder respond);
  void CreateShow(http::Request&& req, http::Responder respond);
  void GetSeatMap(http::Request&& req, http::Responder respond);
  void GetAvailability(http::Request&& req, http::Responder respond);
  void CreateHold(http::Request&& req, http::Responder respond);
  void ReleaseHold(http::Request&& req, http::Responder respond);
  void ConfirmHold(http::Request&& req, http::Responder respond);
  void ListBookings(http::Request&& req, http::Responder respond);

  std::shared_ptr<const service::Show> FindShow(std::string_view public_id) const;
  // Runs `job` on a worker; answers 503 when the pool is full.
  void OnWorker(http::Responder respond, std::function<http::Response(SeatStore&)> job);

  WorkerPool* const pool_;
  const BaselineOptions options_;

  mutable std::mutex mu_;  // guards the catalog
  uint64_t venues_created_ = 0;
  core::ShowId shows_created_ = 0;
  std::map<uint64_t, std::shared_ptr<const service::Venue>> venues_;
  std::map<core::ShowId, std::shared_ptr<const service::Show>> shows_;
  std::map<core::ShowId, std::shared_ptr<const std::string>> seat_maps_;  // rendered once
};

}  // namespace boxoffice::baselines
