#include "service/show_states.h"

namespace boxoffice::service {

using store::SalesState;

std::string_view SalesStateName(SalesState s) {
  switch (s) {
    case SalesState::kOpen:
      return "open";
    case SalesState::kPaused:
      return "paused";
    case SalesState::kClosed:
      return "closed";
  }
  return "open";
}

std::optional<SalesState> ParseSalesState(std::string_view name) {
  for (SalesState s : {SalesState::kOpen, SalesState::kPaused, SalesState::kClosed}) {
    if (SalesStateName(s) == name) return s;
  }
  return std::nullopt;
}

std::string_view CheckinResultName(CheckinResult r) {
  switch (r) {
    case CheckinResult::kCheckedIn:
      return "checked_in";
    case CheckinResult::kAlreadyCheckedIn:
      return "already_checked_in";
    case CheckinResult::kCancelled:
      return "cancelled";
    case CheckinResult::kWrongShow:
      return "wrong_show";
  }
  return "checked_in";
}

ShowStates::ShowStates(Submit submit, std::function<Status()> refusal,
                       std::function<core::TimeMs()> clock, metrics::Registry& metrics)
    : submit_(std::move(submit)), refusal_(std::move(refusal)), clock_(std::move(clock)) {
  for (CheckinResult r : {CheckinResult::kCheckedIn, CheckinResult::kAlreadyCheckedIn,
                          CheckinResult::kCancelled, CheckinResult::kWrongShow}) {
    checkins_[static_cast<size_t>(r)] =
        &metrics.GetCounter("checkins_total", "Ticket scans at the door, by result",
                            {{"result", std::string(CheckinResultName(r))}});
  }
}

void ShowStates::Recover(const store::Snapshot& snap) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const store::ShowSalesRecord& r : snap.show_sales) {
    sales_[r.show_id] = SalesView{r.show_id, r.state, r.at_ms};
  }
  for (const store::TicketCheckinRecord& r : snap.checkins) checked_in_[r.code] = r.at_ms;
}

SalesView ShowStates::Sales(core::ShowId show) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sales_.find(show);
  return it == sales_.end() ? SalesView{show, SalesState::kOpen, 0} : it->second;
}

void ShowStates::SetSales(core::ShowId show, SalesState state,
                          std::function<void(StatusOr<SalesView>)> done) {
  if (Status refused = refusal_(); !refused.ok()) return done(refused);
  SalesView now = Sales(show);
  if (now.state == state) return done(now);
  if (now.state == SalesState::kClosed) {
    return done(Status::FailedPrecondition("sales of this show are closed for good"));
  }
  const SalesView next{show, state, clock_()};
  // The state takes effect once durable: a hold refused for a pause that
  // did not survive a crash would be a refusal nobody can explain.
  submit_(store::Batch{{store::ShowSalesRecord{show, state, next.at_ms}}},
          [this, next, done = std::move(done)](Status s) {
            if (!s.ok()) return done(s);
            {
              std::lock_guard<std::mutex> lock(mu_);
              SalesView& v = sales_[next.show];
              if (v.state != SalesState::kClosed) v = next;
            }
            done(Sales(next.show));
          });
}

void ShowStates::Count(CheckinResult r) { checkins_[static_cast<size_t>(r)]->Inc(); }

void ShowStates::CheckIn(const TicketAtDoor& ticket, core::ShowId expected_show,
                         std::function<void(CheckinReply)> done) {
  if (expected_show != 0 && ticket.show != expected_show) {
    Count(CheckinResult::kWrongShow);
    return done(CheckinReply{Status::Ok(), CheckinResult::kWrongShow, 0});
  }
  if (ticket.cancelled) {
    Count(CheckinResult::kCancelled);
    return done(CheckinReply{Status::Ok(), CheckinResult::kCancelled, 0});
  }
  if (Status refused = refusal_(); !refused.ok()) {
    return done(CheckinReply{refused, CheckinResult::kCheckedIn, 0});
  }
  const core::TimeMs now = clock_();
  {
    std::lock_guard<std::mutex> lock(mu_);
    const auto [it, added] = checked_in_.emplace(ticket.code, now);
    if (!added) {
      Count(CheckinResult::kAlreadyCheckedIn);
      return done(CheckinReply{Status::Ok(), CheckinResult::kAlreadyCheckedIn, it->second});
    }
  }
  submit_(store::Batch{{store::TicketCheckinRecord{ticket.code, ticket.show, now}}},
          [this, code = ticket.code, now, done = std::move(done)](Status s) {
            if (!s.ok()) {
              {
                std::lock_guard<std::mutex> lock(mu_);
                checked_in_.erase(code);
              }
              return done(CheckinReply{s, CheckinResult::kCheckedIn, 0});
            }
            Count(CheckinResult::kCheckedIn);
            done(CheckinReply{Status::Ok(), CheckinResult::kCheckedIn, now});
          });
}

std::optional<core::TimeMs> ShowStates::CheckedInAt(const std::string& code) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = checked_in_.find(code);
  if (it == checked_in_.end()) return std::nullopt;
  return it->second;
}

}  // namespace boxoffice::service
