// What every `boxoffice bench` scenario does on its controlling thread:
// blocking calls to the server over one connection (Control), the set-up of
// the venue and show the fans come for, its waiting room, the server's
// memory as its /metrics reports it, and the client's own CPU time.
//
// Thread-safety: a Control belongs to the thread that made it; the free
// functions are called from that thread too.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "http/http_client.h"
#include "loadgen/api_views.h"
#include "loadgen/bench_options.h"
#include "loadgen/report.h"

namespace boxoffice::loadgen {

// The seat map and the list of bookings are read whole: up to this big.
inline constexpr size_t kShowReadBytesMax = 512u << 20;

// Blocking calls on the controlling thread, over one connection.
class Control {
 public:
  explicit Control(const BenchOptions& o);

  StatusOr<http::HttpReply> Call(http::HttpRequest req);
  // An organiser's call that must be answered `expected`; its body.
  StatusOr<std::string> Admin(unsigned expected, http::HttpRequest req);
  StatusOr<AvailabilityView> Availability(const std::string& show_id, size_t seat_count);

  uint64_t requests() const { return requests_; }

 private:
  boost::asio::awaitable<void> Send(http::HttpRequest req,
                                    std::optional<StatusOr<http::HttpReply>>* out);

  const BenchOptions& o_;
  boost::asio::io_context io_{1};
  http::HttpConnection conn_;
  uint64_t requests_ = 0;
};

// The show the fans come for, fixed before the sale.
struct SaleTarget {
  std::string venue_id;
  std::string show_id;
  uint64_t capacity = 0;  // the show object's
  SeatMapView map;
  std::vector<std::string> hot_seats;  // hotseat: the seats everybody wants
  uint64_t sellable = 0;               // booked seats that sell the show out
};

// The venue the bench creates: `seats` seats in sections S1, S2, ... of up
// to 20 rows R1, R2, ... of up to 50 seats, one category STD.
std::string BenchVenueJson(std::string_view name, uint32_t seats);

// Creates a venue of `seats` seats and a show on sale now, reads its seat map.
StatusOr<SaleTarget> SetUpSale(Control& c, const BenchOptions& o);

// Turns on the show's waiting room (options.queue): the pre-queue opens
// now, the on-sale onsale_in_s later. The body of the 200 answer.
StatusOr<std::string> OpenWaitingRoom(Control& c, const BenchOptions& o,
                                      const std::string& show_id);

// The server's memory as GET /metrics reports it.
StatusOr<ServerMemory> ReadServerMemory(Control& c);

struct CpuTimes {
  double user_s = 0;
  double system_s = 0;
  double total_s() const { return user_s + system_s; }
};
// This process's CPU time so far.
CpuTimes ProcessCpu();

double Seconds(std::chrono::steady_clock::duration d);

}  // namespace boxoffice::loadgen
