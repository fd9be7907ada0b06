// Api: a JSON-speaking client of a running `boxoffice serve`, and the venues,
// shows and credentials the integration tests build with it.
//
//   itest::Api api(server.port());
//   itest::Reply r = api.Post("/v1/shows/s1/holds", R"({"seats":["STALLS-A-1"]})",
//                             itest::FanAuth(server, "alice"));
//   EXPECT_EQ(r.status, 201) << r.Describe();
//   std::string hold = r.Str("id");
//
// A transport failure (refused, reset, timeout) is a Reply with status 0 and
// `error` set, not a test failure: crash tests expect them. The accessors
// (Str, Int, Arr, ...) record a test failure naming the member and the body
// when it is missing or of another type, and return an empty value.
//
// Thread-safety: one Api per thread (it owns one keep-alive connection);
// the free functions are thread-safe.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"
#include "http/test_client.h"
#include "server_process.h"

namespace boxoffice::itest {

using HeaderList = http::TestClient::HeaderList;

struct Reply {
  unsigned status = 0;  // 0: no response; see `error`
  http::Headers headers;
  std::string body;
  boost::json::value json;  // the parsed body; null when empty or not JSON
  std::string error;        // why there is no response

  bool ok() const { return status != 0; }
  // The problem's "code", or "" when the body is not a problem.
  std::string code() const;
  std::string Header(std::string_view name) const;
  // Top-level members of the JSON body.
  bool Has(std::string_view key) const;
  std::string Str(std::string_view key) const;
  int64_t Int(std::string_view key) const;
  bool Bool(std::string_view key) const;
  const boost::json::array& Arr(std::string_view key) const;
  const boost::json::object& Obj(std::string_view key) const;
  // "STATUS BODY" (or the transport error), for assertion messages.
  std::string Describe() const;
};

class Api {
 public:
  explicit Api(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(15));

  Reply Call(std::string_view method, std::string_view target, std::string_view body = {},
             const HeaderList& headers = {});
  Reply Get(std::string_view target, const HeaderList& headers = {});
  // Adds Content-Type: application/json unless `headers` name one.
  Reply Post(std::string_view target, std::string_view body, const HeaderList& headers = {});
  Reply Delete(std::string_view target, const HeaderList& headers = {});

  http::TestClient& client() { return client_; }

 private:
  http::TestClient client_;
};

// `a` followed by `b`.
HeaderList With(HeaderList a, const HeaderList& b);

// Credentials; a failure to get them is recorded as a test failure.
HeaderList AdminAuth(ServerProcess& server);
HeaderList FanAuth(ServerProcess& server, const std::string& user);
HeaderList HoldToken(std::string_view token);
HeaderList IdempotencyKey(std::string_view key);

// Members of a JSON value with test failures instead of exceptions.
std::string JsonStr(const boost::json::value& v, std::string_view key);
int64_t JsonInt(const boost::json::value& v, std::string_view key);
std::vector<std::string> JsonStrings(const boost::json::value& v, std::string_view key);
std::string ToJson(const boost::json::value& v);

// The small theatre the API tests use (40 seats and a 100-place floor):
//   STALLS  rows A, B (category PREM) and C, D (STD), seats 1..10 each;
//           row A has an aisle between 5 and 6; D-1 and D-2 are accessible
//   FLOOR   general admission, capacity 100, category STD
inline constexpr uint32_t kTheatreSeats = 40;
inline constexpr uint32_t kTheatreFloorCapacity = 100;
inline constexpr int64_t kTheatrePremMinor = 9900;
inline constexpr int64_t kTheatreStdMinor = 4900;
std::string TheatreJson(std::string_view name = "Lyric Theatre");
std::string TheatrePrices();  // {"PREM":9900,"STD":4900}

// One section MAIN of `rows` rows (labels R1, R2, ...) of `seats_per_row`
// seats, category STD: labels MAIN-R<row>-<seat>.
std::string GridJson(std::string_view name, uint32_t rows, uint32_t seats_per_row);
std::string GridPrices();  // {"STD":2500}
std::string GridSeat(uint32_t row, uint32_t seat);

// A POST /v1/shows body; `extra_members` is spliced in (",\"hold_ttl_s\":60").
std::string ShowJson(std::string_view venue_id, std::string_view name, std::string_view prices,
                     std::string_view extra_members = "",
                     std::string_view starts_at = "2030-06-01T20:00:00.000Z");

// Create and return the id; record a test failure (and return "") otherwise.
std::string CreateVenue(Api& api, const HeaderList& admin, const std::string& seat_map_json);
std::string CreateShow(Api& api, const HeaderList& admin, const std::string& show_json);

// The show's availability version (0 and a test failure when unreadable).
uint64_t AvailabilityVersion(Api& api, std::string_view show_id);
// Every seat label of the show in seat-map order (the availability order).
std::vector<std::string> SeatLabels(Api& api, std::string_view show_id);
// Every seat's state from an availability reply, in seat-map order.
std::vector<core::SeatState> SeatStates(const Reply& availability, size_t seat_count);

// An RFC 3339 UTC time with milliseconds ("2026-11-28T20:00:00.000Z") as
// milliseconds since the epoch; -1 when it is not in that form.
int64_t ParseTimeMs(std::string_view text);

}  // namespace boxoffice::itest
