// The server's answers as the load generator reads them: plain values parsed
// from the JSON of the v1 API (docs/openapi.yaml), nothing else.
//
// The parsers are strict about what the load generator relies on (a missing
// or mistyped member is an InvalidArgument naming it) and ignore members it
// does not use. They never throw and never crash on any input.
//
// Thread-safety: pure functions and plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/types.h"

namespace boxoffice::loadgen {

// GET /v1/shows/{id}/seatmap: seats in seat-map order, which is also the
// order of the availability's seat states.
struct SeatMapView {
  struct Section {
    std::string id;
    bool general_admission = false;
    uint64_t capacity = 0;    // seats, or places of a GA area
    uint32_t first_seat = 0;  // seated sections: seats [first_seat, first_seat + seat_count)
    uint32_t seat_count = 0;
  };
  struct Row {
    uint32_t first_seat = 0;
    uint32_t seat_count = 0;
  };
  std::vector<Section> sections;
  std::vector<Row> rows;
  std::vector<std::string> labels;   // by seat index
  std::vector<uint8_t> aisle_after;  // by seat index: 1 = not adjacent to the next seat

  size_t seat_count() const { return labels.size(); }
  uint64_t capacity() const;  // seats plus GA places
};

// Counts of one section in GET /v1/shows/{id}/availability.
struct SectionCounts {
  std::string id;
  uint64_t free = 0, held = 0, booked = 0, blocked = 0;
  uint64_t total() const { return free + held + booked + blocked; }
};

struct AvailabilityView {
  uint64_t version = 0;
  std::vector<SectionCounts> sections;
  std::vector<core::SeatState> seats;  // decoded 2-bit states, seat-map order

  uint64_t held() const;
  uint64_t free() const;
};

// A booking object (GET /v1/bookings?show=, POST .../confirm).
struct BookingRecord {
  std::string id;
  std::string hold_id;
  std::string user;
  std::string status;  // "confirmed" or "cancelled"
  std::vector<std::string> seats;
  std::string ga_area;
  uint64_t ga_quantity = 0;
};

// The 201 answer to POST /v1/shows/{id}/holds.
struct HoldCreated {
  std::string id;
  std::string token;
  std::vector<std::string> seats;
  core::TimeMs expires_at_ms = 0;
};

StatusOr<SeatMapView> ParseSeatMap(std::string_view json);
// `seat_count` is the seat map's: the encoded states must hold exactly that many.
StatusOr<AvailabilityView> ParseAvailability(std::string_view json, size_t seat_count);
StatusOr<BookingRecord> ParseBooking(std::string_view json);
// {"bookings":[...]}
StatusOr<std::vector<BookingRecord>> ParseBookingList(std::string_view json);
StatusOr<HoldCreated> ParseHoldCreated(std::string_view json);
// A show object (POST /v1/shows, GET /v1/shows/{id}): what the bench uses.
struct ShowSummary {
  std::string id;
  uint64_t capacity = 0;
  uint64_t hold_ttl_s = 0;
};

// The answer to POST /v1/shows/{id}/queue (201 first join, 200 again).
struct QueueJoined {
  std::string ticket;
  uint64_t entry = 0;                // arrival number
  std::optional<uint64_t> sequence;  // place in line; none until the pre-queue is drawn
  bool prequeue = false;
};

// GET /v1/shows/{id}/queue/status: what the fans use of it.
struct QueueStatusView {
  std::string state;  // not_open, prequeue, admitting, paused, spoken_for, sold_out
  uint64_t now_serving = 0;
  uint64_t fans = 0;
  std::optional<uint64_t> served_through;  // fans above it get no seats
  bool sold_out = false;
};

StatusOr<QueueJoined> ParseQueueJoined(std::string_view json);
StatusOr<QueueStatusView> ParseQueueStatus(std::string_view json);

// The sum of the samples of metric `name` in a Prometheus text exposition
// (every label set); nullopt when no sample of it is there.
std::optional<double> MetricSum(std::string_view text, std::string_view name);

// The "id" member of a created resource (venue).
StatusOr<std::string> ParseCreatedId(std::string_view json);
StatusOr<ShowSummary> ParseShow(std::string_view json);
// GET /v1/shows/{id}/queue/challenge: a proof-of-work challenge to join the
// waiting room (http/queue_challenge.h).
struct QueueChallengeView {
  std::string challenge;
  uint32_t difficulty_bits = 0;
  core::TimeMs expires_at_ms = 0;
};
StatusOr<QueueChallengeView> ParseQueueChallenge(std::string_view json);

// The "code" of a problem+json body, or "" when the body is not one.
std::string ProblemCode(std::string_view json);
// A top-level non-negative integer member of a JSON object.
StatusOr<uint64_t> UintMember(std::string_view json, std::string_view key);
// A top-level string member of a JSON object; "" when absent or not a string.
std::string StringMember(std::string_view json, std::string_view key);

}  // namespace boxoffice::loadgen
