// A sale the crash tests drive and then check: fans hold seats of one show
// while the box office confirms most holds, each with an Idempotency-Key;
// every confirmation answered 201 is kept in a Ledger, and afterwards each
// acknowledged booking must read back as confirmed with its seats, its
// confirm replayed with its key must answer the same 201, no seat may be
// booked twice, and the show's audit must pass.
//
// Thread-safety: Shop runs on threads of its own, sharing one Ledger (its
// mutex guards it); the checks run once the shops have stopped.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "api_client.h"
#include "server_process.h"

namespace boxoffice::itest {

inline constexpr uint32_t kSaleRows = 40;  // 2000 seats a show
inline constexpr uint32_t kSaleSeatsPerRow = 50;

struct Acknowledged {
  std::string show;
  std::vector<std::string> seats;
  std::string confirm_target;  // the confirm request, replayed with its key
  std::string confirm_body;
  std::string key;
  std::string answer;  // the 201's body
};

struct Ledger {
  std::mutex mu;
  std::map<std::string, Acknowledged> bookings;  // id -> what the 201 said
};

// How a shop takes a server that stops answering.
enum class Outage {
  kEnds,     // the first transport failure ends the shop (the server was killed)
  kRetries,  // transport failures and 503s are waited out and retried
};

// One fan thread: holds 1-2 random adjacent seats of `show` (a grid of
// kSaleRows x kSaleSeatsPerRow), the box office confirms 3 holds of 4,
// until `stop`.
void Shop(int thread, uint64_t seed, ServerProcess& server, const std::string& show,
          const HeaderList& admin, const std::atomic<bool>& stop, Ledger& ledger, Outage outage);

// Every acknowledged booking of `ids` reads back as confirmed with its seats.
void CheckAcknowledged(Api& api, const HeaderList& admin, const Ledger& ledger,
                       const std::set<std::string>& ids);

// Replaying an acknowledged confirm of `ids` with its Idempotency-Key answers
// the first 201 again: the key's record was durable with the booking.
void CheckReplays(Api& api, const HeaderList& admin, const Ledger& ledger,
                  const std::set<std::string>& ids);

// The show's bookings hold every acknowledged one, no seat twice, agree with
// the availability counts, and the audit passes.
void CheckShow(Api& api, const HeaderList& admin, const Ledger& ledger, const std::string& show);

}  // namespace boxoffice::itest
