// ShowStates: what a show is besides its seats — whether it sells (open,
// paused, closed: an organiser's word, journaled) and which of its tickets
// were let in at the door (check-in: durable, and once per ticket).
//
//   sales      a show without a record is open; `SetSales` answers once the
//              new state is durable. A closed show stays closed. The HTTP
//              layer refuses new holds unless Sales(show) is kOpen.
//   check-in   the first scan of a valid ticket records (code, show, time)
//              and answers once that is durable; every later scan answers
//              kAlreadyCheckedIn with the first time, never a second record
//              (the store refuses one too). A scan while the first is being
//              written already answers kAlreadyCheckedIn.
//
// Thread-safety: every method may be called from any thread; `done`
// callbacks run on the store's writer thread.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"
#include "core/types.h"
#include "metrics/metrics.h"
#include "store/store.h"

namespace boxoffice::service {

std::string_view SalesStateName(store::SalesState s);
std::optional<store::SalesState> ParseSalesState(std::string_view name);

struct SalesView {
  core::ShowId show = 0;
  store::SalesState state = store::SalesState::kOpen;
  core::TimeMs at_ms = 0;  // when it last changed; 0: never
};

// What a scan of a ticket came to. Stable: the HTTP layer maps each to an answer.
enum class CheckinResult : uint8_t {
  kCheckedIn,         // let in now
  kAlreadyCheckedIn,  // let in before, at `at_ms`
  kCancelled,         // its booking was cancelled: the ticket is void
  kWrongShow,         // a ticket of another show
};
std::string_view CheckinResultName(CheckinResult r);

struct CheckinReply {
  Status status;  // kUnavailable when the journal failed or the store is unreachable
  CheckinResult result = CheckinResult::kCheckedIn;
  core::TimeMs at_ms = 0;  // kCheckedIn, kAlreadyCheckedIn: when it was let in
};

// What the door knows of a ticket, from the booking service.
struct TicketAtDoor {
  std::string code;
  core::ShowId show = 0;
  bool cancelled = false;
};

class ShowStates {
 public:
  using Submit = std::function<void(store::Batch, store::DurableCallback)>;

  // `refusal` says why changes are refused now (the journal failed, the store
  // is unreachable), or OK when they are not.
  ShowStates(Submit submit, std::function<Status()> refusal, std::function<core::TimeMs()> clock,
             metrics::Registry& metrics);

  // Takes the sales states and check-ins of the store's snapshot.
  void Recover(const store::Snapshot& snap);

  SalesView Sales(core::ShowId show) const;
  // kFailedPrecondition when the show is closed (for good); `done` runs once
  // the new state is durable. Setting the state it has is a no-op answered at once.
  void SetSales(core::ShowId show, store::SalesState state,
                std::function<void(StatusOr<SalesView>)> done);

  // `expected_show` 0: any show. `done` may run before CheckIn returns.
  void CheckIn(const TicketAtDoor& ticket, core::ShowId expected_show,
               std::function<void(CheckinReply)> done);
  // When the ticket was let in, if it was.
  std::optional<core::TimeMs> CheckedInAt(const std::string& code) const;

 private:
  void Count(CheckinResult r);

  Submit submit_;
  std::function<Status()> refusal_;
  std::function<core::TimeMs()> clock_;
  mutable std::mutex mu_;
  std::map<core::ShowId, SalesView> sales_;                   // guarded by mu_
  std::unordered_map<std::string, core::TimeMs> checked_in_;  // guarded by mu_
  metrics::Counter* checkins_[4];
};

}  // namespace boxoffice::service
