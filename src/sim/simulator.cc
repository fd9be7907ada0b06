#include "sim/simulator.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <utility>

#include "core/seat_map.h"
#include "crypto/encoding.h"
#include "http/api_json.h"
#include "http/payments_json.h"
#include "http/seat_map_json.h"
#include "payments/webhook.h"
#include "service/booking_service.h"
#include "sim/world.h"

namespace boxoffice::sim {

namespace {

using http::Method;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr core::TimeMs kStartMs = 1'800'000'000'000;  // 2027-01-15
// A replayed key must find its first answer while the key is kept: the
// record of a key is made after the request is first sent, so within this
// long of that it is kept for sure.
constexpr core::DurationMs kReplayWithinMs = service::kIdempotencyRetentionMs - 3'600'000;
constexpr size_t kTraceBodyBytes = 160;
// How long the end of a run lets things settle, in steps of a minute.
constexpr int kSettleMinutes = 6 * 60;

core::SeatMapSpec Venue() {
  core::SeatMapSpec spec;
  spec.name = "Simulated hall";
  spec.categories = {{"P1", "Front"}, {"P2", "Back"}};
  for (uint32_t s = 0; s < kSections; ++s) {
    core::SectionSpec sec;
    sec.id = "S" + std::to_string(s + 1);
    for (uint32_t r = 0; r < kRows; ++r) {
      core::RowSpec row;
      row.label = std::to_string(r + 1);
      row.category = r < kRows / 2 ? "P1" : "P2";
      row.blocks.push_back({1, static_cast<int32_t>(kSeatsPerRow), 1, ""});
      sec.rows.push_back(std::move(row));
    }
    spec.sections.push_back(std::move(sec));
  }
  core::SectionSpec ga;
  ga.id = "GA";
  ga.general_admission = true;
  ga.capacity = kPlacesStanding;
  ga.category = "P2";
  spec.sections.push_back(std::move(ga));
  return spec;
}

std::string SeatLabel(uint32_t section, uint32_t row, uint32_t seat) {
  return "S" + std::to_string(section + 1) + "-" + std::to_string(row + 1) + "-" +
         std::to_string(seat + 1);
}

boost::json::object JsonOf(const http::Response& r) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(r.body.view(), ec);
  if (ec || !v.is_object()) return {};
  return v.as_object();
}

std::string StrOf(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : "";
}

std::vector<std::string> StringsOf(const boost::json::object& o, std::string_view key) {
  std::vector<std::string> out;
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_array()) return out;
  for (const boost::json::value& e : v->as_array()) {
    if (e.is_string()) out.emplace_back(e.as_string());
  }
  return out;
}

// What the oracle knows of a hold a fan was given.
struct KnownHold {
  std::string id;  // "h<show>-<hold>"
  core::ShowId show = 0;
  core::HoldId hold = 0;
  std::string user;
  std::string token;
  uint32_t show_index = 0;
  // Every deadline the server told of the hold, as shown and stored (wall
  // clock), with the wall clock's error it was told with: after a crash the
  // hold may have any of them (holds and extensions are answered before they
  // are durable, and the new process maps them with the error of its start);
  // the last one otherwise.
  struct Told {
    core::TimeMs wall = 0;
    core::DurationMs error = 0;
    core::TimeMs deadline() const { return wall - error; }
  };
  std::vector<Told> told;
  bool exact = true;  // the last one told is the one
  // Checkouts may have extended the hold, untold yet (answers on their way, or
  // lost in a crash after the extension was durable); the wall clock's error
  // may have changed between the extension and its answer.
  int checkouts_in_flight = 0;
  bool maybe_extended = false;
  core::DurationMs checkout_error_lo = 0;
  core::DurationMs checkout_error_hi = 0;
  bool open = true;
  uint64_t crashes_at_creation = 0;
  // A confirmation acknowledged (answered once durable): the hold answers
  // "confirmed" for kClosedHoldMemoryMs after it, restarts or not. Its
  // request's time is a lower bound of when the server closed the hold.
  bool confirmed = false;
  core::TimeMs confirm_sent_ms = 0;
  uint64_t wall_changes_at_confirm = 0;
  // The earliest and latest deadline the hold may have on the monotonic clock.
  core::TimeMs earliest() const {
    if (exact) return told.back().deadline();
    core::TimeMs t = told.front().deadline();
    for (const Told& d : told) t = std::min(t, d.deadline());
    return t;
  }
  core::TimeMs latest() const {
    core::TimeMs t = told.front().deadline();
    for (const Told& d : told) t = std::max(t, d.deadline());
    return t + (checkouts_in_flight > 0 || maybe_extended ? kCheckoutExtensionMs : 0);
  }
};

struct KnownPayment {
  std::string id;
  size_t hold = 0;  // index into holds_
};

struct KnownBooking {
  std::string id;
  std::vector<std::string> seats;
  bool cancel_acknowledged = false;
};

// A request sent with an Idempotency-Key, and the first answer to it.
struct KeyedRequest {
  Method method = Method::kPost;
  std::string target;
  std::string body;
  Headers headers;
  bool durable_route = false;  // answered only once its effect is durable
  bool answered = false;
  unsigned status = 0;
  std::string answer;
  core::TimeMs sent_at_ms = 0;  // first sent: its record is no older than this

  uint64_t crashes_at_answer = 0;
};

struct Fan {
  std::string ticket;  // queue ticket (show 1's room)
  std::string access;  // access token, once admitted
  bool session_ended = false;
};

class Simulation {
 public:
  Simulation(uint64_t seed, const std::string& dir, std::FILE* trace)
      : seed_(seed),
        trace_(trace),
        clock_(kStartMs),
        gateway_(seed, clock_),
        world_(dir, seed, clock_, gateway_),
        rng_(seed ^ 0x5157u) {
    gateway_.SetRefundFailurePercent(20);
  }

  // Creates the venue, the shows and the waiting room; false (with the
  // violation set) if that fails.
  bool SetUp();
  void Step(const Action& a);
  void Settle();
  void CheckEnd();
  const std::string& violation() const { return violation_; }
  std::string Summary() const;

 private:
  using Continuation = std::function<void(const http::Response&)>;

  void Fail(std::string what) {
    if (violation_.empty()) violation_ = std::move(what);
  }
  void Restart();
  void Send(Method m, const std::string& target, std::string body, Headers headers, Continuation k,
            std::optional<size_t> keyed = std::nullopt);
  void Drain();
  Headers FanHeaders(const std::string& user) {
    return {{"Authorization", world_.FanAuth(user)}, {"Content-Type", "application/json"}};
  }
  Headers AdminHeaders() { return {{"X-Admin-Key", kAdminKey}}; }
  // Adds an Idempotency-Key to `h` and remembers the request; its index.
  size_t Keyed(Method m, const std::string& target, const std::string& body, Headers& h,
               bool durable_route);
  void OnKeyedAnswer(size_t index, const http::Response& r);
  void Replay(size_t index);
  void ReplayOnPrune();

  KnownHold* PickHold(uint32_t pick, bool open_only);
  void Hold(const Action& a);
  void Extend(const Action& a);
  void Release(const Action& a);
  void Checkout(const Action& a);
  std::function<void(const http::Response&)> CheckoutSent(size_t index, bool replayed);
  void Pay(const Action& a);
  void Confirm(const Action& a);
  void CancelBooking(const Action& a);
  void JoinQueue(const Action& a);
  void QueueAccess(const Action& a);
  void EndSession(const Action& a);
  void DeliverWebhook(const Action& a);
  // Notes the deadline an answer tells of hold `index`, told on a wall clock
  // whose error was between `error_lo` and `error_hi` ms.
  void TrackHoldAnswer(size_t index, const http::Response& r, core::DurationMs error_lo,
                       core::DurationMs error_hi);

  // The wall clock was stepped: checkouts on their way saw the error change.
  void NoteWallError() {
    for (KnownHold& h : holds_) {
      if (h.checkouts_in_flight == 0) continue;
      h.checkout_error_lo = std::min(h.checkout_error_lo, clock_.wall_error_ms());
      h.checkout_error_hi = std::max(h.checkout_error_hi, clock_.wall_error_ms());
    }
  }
  void CheckInvariants();
  void CheckHolds();
  void CheckBookings();
  void CheckConfirmedHolds();
  void NoteWebhookBooking(const std::string& payment_id);

  const uint64_t seed_;
  std::FILE* const trace_;     // every step and answer, when set
  uint64_t wall_changes_ = 0;  // steps and corrections of the wall clock
  SimClock clock_;
  SimGateway gateway_;
  World world_;
  std::mt19937_64 rng_;
  std::string violation_;

  std::vector<std::string> show_ids_;  // "s1", "s2"
  std::vector<core::ShowId> shows_;
  std::map<uint64_t, Continuation> pending_;
  std::vector<KnownHold> holds_;
  std::vector<KnownPayment> payments_;
  std::map<std::string, KnownBooking> bookings_;
  std::vector<std::string> booking_ids_;
  std::vector<KeyedRequest> keyed_;
  std::map<uint32_t, Fan> fans_;
  uint64_t crashes_ = 0;
  uint64_t next_key_ = 1;
  uint64_t next_ref_ = 1;
  bool store_failed_ = false;  // a failure was injected since the last restart
  struct Counts {
    uint64_t holds = 0, checkouts = 0, charges = 0, bookings = 0, webhooks = 0, replays = 0,
             crashes = 0, store_failures = 0, wall_steps = 0;
  } counts_;
};

// ---- Requests ------------------------------------------------------------------------------

void Simulation::Send(Method m, const std::string& target, std::string body, Headers headers,
                      Continuation k, std::optional<size_t> keyed) {
  if (!world_.running()) return;
  const uint64_t id = world_.Send(m, target, std::move(body), headers);
  pending_[id] = [this, k = std::move(k), keyed, target](const http::Response& r) {
    if (trace_ != nullptr) {
      std::fprintf(trace_, "      %s -> %u %s\n", target.c_str(), r.status,
                   std::string(r.body.view()).substr(0, kTraceBodyBytes).c_str());
    }
    if (r.status >= 500 && r.status != 503) {
      Fail("answered " + std::to_string(r.status) + ": " + std::string(r.body.view()));
    }
    if (keyed) OnKeyedAnswer(*keyed, r);
    if (k) k(r);
  };
}

void Simulation::Drain() {
  // Answers may set off more requests (a replay at a pruning): drain until quiet.
  for (int round = 0; round < 16; ++round) {
    std::vector<Answer> answers = world_.TakeAnswers();
    if (answers.empty()) return;
    for (Answer& a : answers) {
      auto it = pending_.find(a.request);
      if (it == pending_.end()) continue;
      Continuation k = std::move(it->second);
      pending_.erase(it);
      k(a.response);
    }
  }
}

size_t Simulation::Keyed(Method m, const std::string& target, const std::string& body, Headers& h,
                         bool durable_route) {
  const std::string key = "k-" + std::to_string(next_key_++);
  h.emplace_back("Idempotency-Key", key);
  KeyedRequest r;
  r.method = m;
  r.target = target;
  r.body = body;
  r.headers = h;
  r.durable_route = durable_route;
  r.sent_at_ms = clock_.NowMs();
  keyed_.push_back(std::move(r));
  return keyed_.size() - 1;
}

void Simulation::OnKeyedAnswer(size_t index, const http::Response& r) {
  KeyedRequest& k = keyed_[index];
  const std::string body(r.body.view());
  // Not remembered: a refusal before any work, or a failure.
  if (r.status >= 500 || (r.status == 409 && JsonOf(r).contains("code") &&
                          StrOf(JsonOf(r), "code") == "request_in_progress")) {
    return;
  }
  if (!k.answered) {
    k.answered = true;
    k.status = r.status;
    k.answer = body;
    k.crashes_at_answer = crashes_;
    return;
  }
  // A repeat: the first answer again, while the key is kept (and, for a route
  // answered before it is durable, if no crash could have lost the record).
  const bool kept = clock_.NowMs() - k.sent_at_ms < kReplayWithinMs;
  const bool survives = k.durable_route && k.status < 300;
  if (kept && (survives || k.crashes_at_answer == crashes_)) {
    if (r.status != k.status || body != k.answer) {
      Fail("a request repeated with its Idempotency-Key (" + k.target + ") answered " +
           std::to_string(r.status) + " " + body + " instead of the first answer " +
           std::to_string(k.status) + " " + k.answer);
    }
  }
}

void Simulation::Replay(size_t index) {
  if (keyed_.empty()) return;
  const KeyedRequest& k = keyed_[index % keyed_.size()];
  ++counts_.replays;
  std::function<void(const http::Response&)> on_answer;
  if (k.target.ends_with("/checkout")) {  // it may extend the hold as the first did
    // The newest hold of that id: an id lost in a crash is given again.
    for (size_t h = holds_.size(); h-- > 0;) {
      if ("/v1/holds/" + holds_[h].id + "/checkout" == k.target) {
        on_answer = CheckoutSent(h, true);
        break;
      }
    }
  }
  Send(k.method, k.target, k.body, k.headers, std::move(on_answer), index % keyed_.size());
}

// The sweeper submits its pruning outside every lock: a request of another
// thread may run right then. A quarter of the time one does: a fan's retry.
void Simulation::ReplayOnPrune() {
  if (keyed_.empty() || rng_() % 4 != 0) return;
  Replay(static_cast<size_t>(rng_()));
}

// ---- Set-up and restarts ------------------------------------------------------------------

bool Simulation::SetUp() {
  if (Status s = world_.Start(); !s.ok()) {
    Fail("the server did not start: " + s.message());
    return false;
  }
  world_.store().SetUnlockedSubmitHook([this] { ReplayOnPrune(); });
  std::string venue;
  Send(Method::kPost, "/v1/venues", boost::json::serialize(http::SeatMapSpecToJson(Venue())),
       AdminHeaders(), [&venue](const http::Response& r) { venue = StrOf(JsonOf(r), "id"); });
  world_.store().MakeDurable(world_.store().waiting());
  Drain();
  for (uint32_t s = 0; s < kShows && !venue.empty(); ++s) {
    const std::string body = R"({"venue_id":")" + venue + R"(","name":"Show )" + std::to_string(s) +
                             R"(","starts_at":")" + http::FormatTime(kStartMs + 30LL * 86'400'000) +
                             R"(","on_sale_at":")" + http::FormatTime(kStartMs - 60'000) +
                             R"(","currency":"EUR","prices":{"P1":5000,"P2":2500},"hold_ttl_s":60,)"
                             R"("seats_per_order_max":6,"seats_per_fan_max":8})";
    Send(Method::kPost, "/v1/shows", body, AdminHeaders(),
         [this](const http::Response& r) { show_ids_.push_back(StrOf(JsonOf(r), "id")); });
    world_.store().MakeDurable(world_.store().waiting());
    Drain();
  }
  if (show_ids_.size() != kShows) {
    Fail("could not create the venue and shows");
    return false;
  }
  for (const std::string& id : show_ids_) shows_.push_back(*http::ParseShowId(id));
  // Show 1 sells through a waiting room: three shoppers at a time.
  const std::string room =
      R"({"enabled":true,"prequeue_opens_at":")" + http::FormatTime(kStartMs - 120'000) +
      R"(","onsale_at":")" + http::FormatTime(kStartMs - 60'000) +
      R"(","admissions_per_minute":600,"active_shoppers_max":3,"session_seconds":300})";
  bool configured = false;
  Send(Method::kPut, "/v1/shows/" + show_ids_[1] + "/queue", room, AdminHeaders(),
       [&configured](const http::Response& r) { configured = r.status == 200; });
  world_.store().MakeDurable(world_.store().waiting());
  Drain();
  if (!configured) Fail("could not configure the waiting room");
  return configured;
}

void Simulation::Restart() {
  world_.Crash();
  pending_.clear();
  ++crashes_;
  ++counts_.crashes;
  store_failed_ = false;
  if (Status s = world_.Start(); !s.ok()) {
    Fail("recovery failed: " + s.message());
    return;
  }
  world_.store().SetUnlockedSubmitHook([this] { ReplayOnPrune(); });
  // Deadlines were stored in wall-clock time: the new process maps them back
  // with the wall clock as it is now.
  // A hold that ended before the crash, durably, keeps the deadline it had;
  // one that was live is mapped again: either may be the case now.
  for (KnownHold& h : holds_) {
    if (!h.open) continue;
    const size_t told = h.told.size();
    for (size_t i = 0; i < told; ++i) {
      h.told.push_back(KnownHold::Told{h.told[i].wall, clock_.wall_error_ms()});
    }
    h.exact = false;
    if (h.checkouts_in_flight > 0) h.maybe_extended = true;  // their answers are lost
    h.checkouts_in_flight = 0;
  }
  CheckBookings();
  CheckConfirmedHolds();
}

// A hold whose confirmation was acknowledged still answers "confirmed" after
// a restart, for as long as closed holds are remembered (the bound is only
// sure while the wall clock, which stores the closing time, was not stepped).
void Simulation::CheckConfirmedHolds() {
  if (!world_.running()) return;
  const core::TimeMs now = clock_.NowMs();
  for (const KnownHold& h : holds_) {
    if (!h.confirmed || h.wall_changes_at_confirm != wall_changes_ ||
        now >= h.confirm_sent_ms + service::kClosedHoldMemoryMs) {
      continue;
    }
    const service::Reply<service::HoldView> r = world_.service().GetHold(h.show, h.hold);
    if (!r.status.ok() || r.value.status != service::HoldStatus::kConfirmed) {
      Fail("hold " + h.id + ", confirmed and acknowledged, is " +
           (r.status.ok() ? "no longer confirmed" : "forgotten") + " after a restart");
    }
  }
}

// ---- Fans and organisers ------------------------------------------------------------------

KnownHold* Simulation::PickHold(uint32_t pick, bool open_only) {
  if (holds_.empty()) return nullptr;
  // Prefer recent holds: they are the ones still in play.
  const size_t window = std::min<size_t>(holds_.size(), 64);
  KnownHold& h = holds_[holds_.size() - 1 - pick % window];
  if (open_only && !h.open) return nullptr;
  return &h;
}

void Simulation::TrackHoldAnswer(size_t index, const http::Response& r, core::DurationMs error_lo,
                                 core::DurationMs error_hi) {
  KnownHold& h = holds_[index];
  const std::optional<core::TimeMs> expires = http::ParseTime(StrOf(JsonOf(r), "expires_at"));
  if (!expires) return;
  h.told.push_back(KnownHold::Told{*expires, error_lo});
  if (error_hi != error_lo) h.told.push_back(KnownHold::Told{*expires, error_hi});
  h.exact = error_hi == error_lo;
  h.maybe_extended = false;  // told since
}

void Simulation::Hold(const Action& a) {
  const uint32_t show = a.show % kShows;
  const std::string user = "fan-" + std::to_string(a.fan);
  std::string body;
  if (a.arg % 3 == 0) {
    const uint32_t section = a.pick % kSections;
    const uint32_t row = (a.pick / kSections) % kRows;
    const uint32_t first = (a.pick / (kSections * kRows)) % (kSeatsPerRow - 2);
    body = R"({"seats":[)";
    for (uint32_t i = 0; i < a.count; ++i) {
      body += (i ? "," : "") + std::string("\"") + SeatLabel(section, row, first + i) + "\"";
    }
    body += "]}";
  } else if (a.arg % 3 == 1) {
    body = R"({"best_available":{"count":)" + std::to_string(a.count) + "}}";
  } else {
    body = R"({"general_admission":{"area":"GA","quantity":)" + std::to_string(a.count) + "}}";
  }
  Headers h = FanHeaders(user);
  Fan& fan = fans_[a.fan];
  const bool with_access = show == 1 && !fan.access.empty();
  if (with_access) h.emplace_back("Boxoffice-Access", fan.access);
  const bool ended = fan.session_ended;
  const std::string target = "/v1/shows/" + show_ids_[show] + "/holds";
  std::optional<size_t> keyed;
  if (a.keyed) keyed = Keyed(Method::kPost, target, body, h, false);
  Send(
      Method::kPost, target, body, h,
      [this, show, user, with_access, ended](const http::Response& r) {
        if (r.status != 201 && r.status != 200) return;
        if (show == 1 && (!with_access || ended)) {
          Fail(user + " held seats of the show with a waiting room " +
               (with_access ? "after ending its session" : "without being admitted"));
        }
        const boost::json::object o = JsonOf(r);
        KnownHold k;
        k.id = StrOf(o, "id");
        const auto ids = http::ParseHoldId(k.id);
        if (!ids) return Fail("a hold answered without an id: " + std::string(r.body.view()));
        if (r.status == 200) {  // the fan's live hold of the same seats, made earlier
          for (const KnownHold& known : holds_) {
            if (known.id == k.id) return;
          }
        }
        k.show = ids->first;
        k.hold = ids->second;
        k.user = user;
        k.token = StrOf(o, "token");
        k.show_index = show;
        k.crashes_at_creation = crashes_;
        holds_.push_back(k);
        ++counts_.holds;
        TrackHoldAnswer(holds_.size() - 1, r, clock_.wall_error_ms(), clock_.wall_error_ms());
      },
      keyed);
}

void Simulation::Extend(const Action& a) {
  KnownHold* h = PickHold(a.pick, true);
  if (h == nullptr) return;
  const size_t index = static_cast<size_t>(h - holds_.data());
  Headers hdr = FanHeaders(h->user);
  hdr.emplace_back("X-Hold-Token", h->token);
  const std::string target = "/v1/holds/" + h->id + "/extend";
  const std::string body = R"({"by_s":)" + std::to_string(10 + a.pick % 60) + "}";
  std::optional<size_t> keyed;
  if (a.keyed) keyed = Keyed(Method::kPost, target, body, hdr, false);
  Send(
      Method::kPost, target, body, hdr,
      [this, index](const http::Response& r) {
        if (r.status == 200) {
          TrackHoldAnswer(index, r, clock_.wall_error_ms(), clock_.wall_error_ms());
        }
      },
      keyed);
}

void Simulation::Release(const Action& a) {
  KnownHold* h = PickHold(a.pick, true);
  if (h == nullptr) return;
  const size_t index = static_cast<size_t>(h - holds_.data());
  Headers hdr = FanHeaders(h->user);
  hdr.emplace_back("X-Hold-Token", h->token);
  Send(Method::kDelete, "/v1/holds/" + h->id, "", hdr, [this, index](const http::Response& r) {
    if (r.status < 300) holds_[index].open = false;
  });
}

void Simulation::Checkout(const Action& a) {
  KnownHold* h = PickHold(a.pick, true);
  if (h == nullptr) return;
  const size_t index = static_cast<size_t>(h - holds_.data());
  Headers hdr = FanHeaders(h->user);
  hdr.emplace_back("X-Hold-Token", h->token);
  if (h->show_index == 1 && !fans_[a.fan].access.empty()) {
    hdr.emplace_back("Boxoffice-Access", fans_[a.fan].access);
  }
  const std::string target = "/v1/holds/" + h->id + "/checkout";
  std::optional<size_t> keyed;
  if (a.keyed) keyed = Keyed(Method::kPost, target, "", hdr, true);
  ++counts_.checkouts;
  Send(Method::kPost, target, "", hdr, CheckoutSent(index, false), keyed);
}

// A checkout of hold `index` is on its way (first sent, or `replayed`): it
// may extend the hold until its answer comes. What to do with that answer. A
// replay's answer may be the first one again, told with the wall clock's
// error of then: it says the hold may have been extended, not to when.
std::function<void(const http::Response&)> Simulation::CheckoutSent(size_t index, bool replayed) {
  KnownHold& h = holds_[index];
  if (h.checkouts_in_flight++ == 0) {
    h.checkout_error_lo = h.checkout_error_hi = clock_.wall_error_ms();
  }
  return [this, index, replayed](const http::Response& r) {
    KnownHold& held = holds_[index];
    --held.checkouts_in_flight;
    if (r.status != 200 && r.status != 201) return;
    if (replayed) {
      held.maybe_extended = true;
      return;
    }
    const std::string id = StrOf(JsonOf(r), "payment_id");
    TrackHoldAnswer(index, r, held.checkout_error_lo, held.checkout_error_hi);
    for (const KnownPayment& p : payments_) {
      if (p.id == id) return;
    }
    payments_.push_back(KnownPayment{id, index});
  };
}

void Simulation::Pay(const Action& a) {
  if (payments_.empty()) return;
  const size_t window = std::min<size_t>(payments_.size(), 32);
  const KnownPayment& p = payments_[payments_.size() - 1 - a.pick % window];
  StatusOr<payments::Payment> paid = a.arg == 0 ? gateway_.Approve(p.id) : gateway_.Decline(p.id);
  if (paid.ok() && paid->status == payments::PaymentStatus::kSucceeded) ++counts_.charges;
}

void Simulation::Confirm(const Action& a) {
  KnownHold* h = PickHold(a.pick, true);
  if (h == nullptr) return;
  const size_t index = static_cast<size_t>(h - holds_.data());
  Headers hdr = AdminHeaders();
  const std::string target = "/v1/holds/" + h->id + "/confirm";
  const std::string body = R"({"payment_ref":"box-office-)" + std::to_string(next_ref_++) + "\"}";
  std::optional<size_t> keyed;
  if (a.keyed) keyed = Keyed(Method::kPost, target, body, hdr, true);
  const core::TimeMs sent = clock_.NowMs();
  Send(
      Method::kPost, target, body, hdr,
      [this, index, sent](const http::Response& r) {
        if (r.status != 201) return;
        const boost::json::object o = JsonOf(r);
        KnownBooking b{StrOf(o, "id"), StringsOf(o, "seats"), false};
        KnownHold& held = holds_[index];
        held.open = false;
        if (!held.confirmed) {
          held.confirmed = true;
          held.confirm_sent_ms = sent;
          held.wall_changes_at_confirm = wall_changes_;
        }
        if (bookings_.count(b.id) > 0) return;
        booking_ids_.push_back(b.id);
        bookings_[b.id] = std::move(b);
        ++counts_.bookings;
      },
      keyed);
}

void Simulation::CancelBooking(const Action& a) {
  if (booking_ids_.empty()) return;
  const std::string id = booking_ids_[a.pick % booking_ids_.size()];
  Headers hdr = AdminHeaders();
  const std::string target = "/v1/bookings/" + id + "/cancel";
  std::optional<size_t> keyed;
  if (a.keyed) keyed = Keyed(Method::kPost, target, "", hdr, true);
  Send(
      Method::kPost, target, "", hdr,
      [this, id](const http::Response& r) {
        if (r.status == 200 && bookings_.count(id) > 0) bookings_[id].cancel_acknowledged = true;
      },
      keyed);
}

void Simulation::JoinQueue(const Action& a) {
  const std::string user = "fan-" + std::to_string(a.fan);
  const uint32_t fan = a.fan;
  Send(Method::kPost, "/v1/shows/" + show_ids_[1] + "/queue", "{}", FanHeaders(user),
       [this, fan](const http::Response& r) {
         if (r.status == 200 || r.status == 201) fans_[fan].ticket = StrOf(JsonOf(r), "ticket");
       });
}

void Simulation::QueueAccess(const Action& a) {
  Fan& fan = fans_[a.fan];
  if (fan.ticket.empty()) return;
  const uint32_t index = a.fan;
  Send(Method::kPost, "/v1/shows/" + show_ids_[1] + "/queue/access",
       R"({"ticket":")" + fan.ticket + "\"}", FanHeaders("fan-" + std::to_string(a.fan)),
       [this, index](const http::Response& r) {
         if (r.status != 200) return;
         fans_[index].access = StrOf(JsonOf(r), "access_token");
         fans_[index].session_ended = false;
       });
}

void Simulation::EndSession(const Action& a) {
  Fan& fan = fans_[a.fan];
  if (fan.access.empty()) return;
  const uint32_t index = a.fan;
  Send(Method::kDelete, "/v1/shows/" + show_ids_[1] + "/queue/access", "",
       FanHeaders("fan-" + std::to_string(a.fan)), [this, index](const http::Response& r) {
         if (r.status == 204) fans_[index].session_ended = true;
       });
}

// The gateway delivers a webhook, signed on its own (true) clock.
void Simulation::DeliverWebhook(const Action& a) {
  std::vector<payments::WebhookEvent>& outbox = gateway_.outbox();
  if (outbox.empty() || gateway_.down()) return;
  const size_t i = a.pick % outbox.size();
  const payments::WebhookEvent event = outbox[i];
  if (a.arg != 1) outbox.erase(outbox.begin() + static_cast<std::ptrdiff_t>(i));
  if (a.arg == 2) return;  // lost: the sender gave up
  ++counts_.webhooks;
  const std::string body = http::EncodeWebhookEvent(event);
  Headers h = {{std::string(payments::kSignatureHeader),
                payments::SignWebhook(kWebhookSecret, body, clock_.NowMs() / 1000)},
               {"Content-Type", "application/json"}};
  Send(Method::kPost, "/v1/payments/webhook", body, h, [this, event](const http::Response& r) {
    if (r.status == 200) return NoteWebhookBooking(event.payment.id);
    // Refused for now (a settlement in flight, the journal, or a wall
    // clock stepped past the signature's window): the sender retries.
    gateway_.outbox().push_back(event);
  });
}

// A webhook answered 200 made its effect durable: a booking it made is
// acknowledged to the gateway and must survive.
void Simulation::NoteWebhookBooking(const std::string& payment_id) {
  if (!world_.running()) return;
  const std::optional<store::PaymentRecord> p = world_.service().FindPayment(payment_id);
  if (!p || p->booking_id == 0 || p->state != store::PaymentState::kBooked) return;
  const std::string id = http::BookingId(p->show_id, p->booking_id);
  if (bookings_.count(id) > 0) return;
  const service::Reply<service::BookingView> b =
      world_.service().GetBooking(p->show_id, p->booking_id);
  if (!b.ok()) return Fail("the booking of paid payment " + payment_id + " is missing");
  std::vector<std::string> seats = b.value.seats;
  booking_ids_.push_back(id);
  bookings_[id] = KnownBooking{id, std::move(seats), false};
  ++counts_.bookings;
}

// ---- Steps ------------------------------------------------------------------------------------

void Simulation::Step(const Action& a) {
  if (trace_ != nullptr) std::fprintf(trace_, "  %s\n", Describe(a).c_str());
  if (!world_.running()) return;
  switch (a.kind) {
    case ActionKind::kHold:
      Hold(a);
      break;
    case ActionKind::kExtend:
      Extend(a);
      break;
    case ActionKind::kRelease:
      Release(a);
      break;
    case ActionKind::kCheckout:
      Checkout(a);
      break;
    case ActionKind::kPay:
      Pay(a);
      break;
    case ActionKind::kConfirm:
      Confirm(a);
      break;
    case ActionKind::kCancelBooking:
      CancelBooking(a);
      break;
    case ActionKind::kReplay:
      Replay(a.pick);
      break;
    case ActionKind::kJoinQueue:
      JoinQueue(a);
      break;
    case ActionKind::kQueueAccess:
      QueueAccess(a);
      break;
    case ActionKind::kEndSession:
      EndSession(a);
      break;
    case ActionKind::kReadHold:
      if (KnownHold* h = PickHold(a.pick, true); h != nullptr) {
        Headers hdr = FanHeaders(h->user);
        Send(Method::kGet, "/v1/holds/" + h->id, "", hdr, nullptr);
      }
      CheckHolds();
      break;
    case ActionKind::kAdvance:
      clock_.Advance(a.ms);
      break;
    case ActionKind::kSweep:
      world_.service().Sweep();
      Drain();
      CheckHolds();
      break;
    case ActionKind::kDurable:
      world_.store().MakeDurable(a.arg);
      break;
    case ActionKind::kStoreFail:
      ++counts_.store_failures;
      if (world_.store().waiting() > 0) {
        store_failed_ = true;
        world_.store().FailNext();
        world_.store().MakeDurable(world_.store().waiting());  // they fail after it
        Drain();
        CheckInvariants();
      }
      Restart();  // the operator restarts the server
      break;
    case ActionKind::kCrash:
      Restart();
      break;
    case ActionKind::kGatewayAnswer:
      gateway_.Answer(a.pick);
      break;
    case ActionKind::kWebhook:
      DeliverWebhook(a);
      break;
    case ActionKind::kGatewayDown:
      gateway_.SetDown(a.arg == 1);
      break;
    case ActionKind::kWallStep:
      ++counts_.wall_steps;
      ++wall_changes_;
      clock_.StepWall(a.ms);
      NoteWallError();
      break;
    case ActionKind::kWallCorrect:
      ++wall_changes_;
      clock_.CorrectWall();
      NoteWallError();
      break;
  }
  Drain();
  CheckInvariants();
}

// The end of a run: faults stop, and time passes until every hold has ended
// and every payment is final, with the sweeper, the store and the gateway
// doing their work.
void Simulation::Settle() {
  if (!world_.running()) return;
  clock_.CorrectWall();
  NoteWallError();
  gateway_.SetDown(false);
  for (int minute = 0; minute < kSettleMinutes && violation_.empty(); ++minute) {
    for (int round = 0; round < 8; ++round) {
      for (size_t n = gateway_.outbox().size(); n > 0; --n) {  // each once; refused ones return
        Action deliver;
        deliver.kind = ActionKind::kWebhook;
        DeliverWebhook(deliver);
        world_.store().MakeDurable(world_.store().waiting());
        Drain();
      }
      while (gateway_.answers_waiting() > 0) gateway_.Answer(0);
      world_.store().MakeDurable(world_.store().waiting());
      Drain();
    }
    clock_.Advance(60'000);
    world_.service().Sweep();
    world_.store().MakeDurable(world_.store().waiting());
    Drain();
  }
  CheckInvariants();
}

// ---- The oracle -------------------------------------------------------------------------------

void Simulation::CheckInvariants() {
  if (!world_.running()) return;
  service::BookingService& svc = world_.service();
  if (svc.failed() && !store_failed_) {
    Fail("the service refuses every change, yet no store failure was injected");
  }
  for (core::ShowId show : shows_) {
    const service::AuditResult audit = svc.Audit(show);
    if (!audit.ok) {
      Fail("the audit of show " + std::to_string(show) +
           " fails: " + (audit.violations.empty() ? "" : audit.violations[0]));
    }
    std::set<std::string> seats;
    uint32_t standing = 0;
    for (const service::BookingView& b : svc.BookingsOfShow(show)) {
      if (b.cancelled) continue;
      for (const std::string& s : b.seats) {
        if (!seats.insert(s).second)
          Fail("seat " + s + " of show " + std::to_string(show) + " is sold twice");
      }
      standing += b.ga_quantity;
    }
    if (standing > kPlacesStanding) {
      Fail(std::to_string(standing) + " standing places sold of " +
           std::to_string(kPlacesStanding) + " in show " + std::to_string(show));
    }
  }
  CheckBookings();
}

// Every acknowledged booking is there, with its seats; cancelled if its
// cancellation was acknowledged.
void Simulation::CheckBookings() {
  if (!world_.running()) return;
  for (const auto& [id, known] : bookings_) {
    const auto ids = http::ParseBookingId(id);
    const service::Reply<service::BookingView> b =
        world_.service().GetBooking(ids->first, ids->second);
    if (!b.ok()) return Fail("acknowledged booking " + id + " is lost");
    // (A cancelled booking no longer lists its seats: they may be sold again.)
    if (!b.value.cancelled && !known.seats.empty() && b.value.seats != known.seats) {
      Fail("acknowledged booking " + id + " changed its seats");
    }
    if (known.cancel_acknowledged && !b.value.cancelled) {
      Fail("booking " + id + " was cancelled, acknowledged, and is active again");
    }
  }
}

// No hold lives past its deadline on the monotonic clock, nor ends before it.
void Simulation::CheckHolds() {
  if (!world_.running()) return;
  const core::TimeMs now = clock_.NowMs();
  for (KnownHold& h : holds_) {
    if (!h.open || h.told.empty()) continue;
    const service::Reply<service::HoldView> r = world_.service().GetHold(h.show, h.hold);
    if (!r.status.ok()) {
      // Lost in a crash before it was durable (holds are answered once
      // queued), or forgotten long after it ended.
      if (h.crashes_at_creation == crashes_ && now < h.latest() + service::kClosedHoldMemoryMs) {
        Fail("hold " + h.id + " vanished while it was live");
      }
      h.open = false;
      continue;
    }
    if (r.value.status == service::HoldStatus::kHeld &&
        crypto::TokenToString(r.value.token) != h.token) {
      // The hold was lost in a crash before it was durable, and its id was
      // given again after the restart: another hold now (perhaps the same
      // fan's, asking again).
      h.open = false;
      continue;
    }
    switch (r.value.status) {
      case service::HoldStatus::kHeld:
        if (now >= h.latest()) {
          Fail("hold " + h.id + " is still held " + std::to_string(now - h.latest()) +
               " ms after its deadline (the service's deadline is " +
               std::to_string(clock_.FromWallMs(r.value.expires_at_ms) - now) +
               " ms from now; checkouts on their way: " + std::to_string(h.checkouts_in_flight) +
               ")");
        }
        break;
      case service::HoldStatus::kExpired:
        if (now + 1 < h.earliest()) {
          Fail("hold " + h.id + " expired " + std::to_string(h.earliest() - now) +
               " ms before its deadline");
        }
        h.open = false;
        break;
      default:
        h.open = false;
        break;
    }
  }
}

// Once settled: every charge is exactly one booking or one refund.
void Simulation::CheckEnd() {
  if (!world_.running() || !violation_.empty()) return;
  service::BookingService& svc = world_.service();
  std::map<std::string, const service::BookingView*> active_by_payment;
  std::vector<service::BookingView> all;
  for (core::ShowId show : shows_) {
    for (service::BookingView& b : svc.BookingsOfShow(show)) all.push_back(std::move(b));
  }
  for (const service::BookingView& b : all) {
    if (b.cancelled || !b.payment_ref.starts_with("pay_")) continue;
    if (!active_by_payment.emplace(b.payment_ref, &b).second) {
      Fail("payment " + b.payment_ref + " paid for two bookings");
    }
  }
  std::map<std::string, std::string> charged_order;  // the order (hold) -> its charged payment
  for (const std::string& id : gateway_.payment_ids()) {
    const std::optional<payments::Payment> p = gateway_.Find(id);
    const std::optional<store::PaymentRecord> ours = svc.FindPayment(id);
    switch (p->status) {
      case payments::PaymentStatus::kSucceeded: {
        if (active_by_payment.count(id) == 0) Fail("payment " + id + " was charged for nothing");
        auto [it, first] = charged_order.emplace(p->reference, id);
        if (!first) Fail("order " + p->reference + " was charged twice: " + it->second + ", " + id);
        break;
      }
      case payments::PaymentStatus::kRefunded:
        if (auto b = active_by_payment.find(id); b != active_by_payment.end()) {
          Fail("payment " + id + " was refunded (" + (ours ? ours->note : "unknown to us") +
               "), yet booking " + http::BookingId(b->second->show, b->second->booking) +
               " of hold " + http::HoldId(b->second->show, b->second->hold) + " stands on it");
        }
        break;
      case payments::PaymentStatus::kPending:
      case payments::PaymentStatus::kFailed:
        if (ours && ours->state != store::PaymentState::kCancelled) {
          Fail("payment " + id + " is still open at the end (" +
               std::string(payments::PaymentStatusName(p->status)) + ")");
        }
        break;
      case payments::PaymentStatus::kCancelled:
        break;
    }
    if (ours && ours->state == store::PaymentState::kRefunding) {
      Fail("payment " + id + " is still waiting for its refund");
    }
  }
  for (const auto& [payment, booking] : active_by_payment) {
    const std::optional<payments::Payment> p = gateway_.Find(payment);
    if (!p || p->status != payments::PaymentStatus::kSucceeded) {
      Fail("booking " + http::BookingId(booking->show, booking->booking) + " stands on payment " +
           payment + ", which was not charged");
    }
  }
}

std::string Simulation::Summary() const {
  return std::to_string(counts_.holds) + " holds, " + std::to_string(counts_.checkouts) +
         " checkouts, " + std::to_string(counts_.charges) + " charges, " +
         std::to_string(counts_.bookings) + " bookings acknowledged, " +
         std::to_string(counts_.webhooks) + " webhooks, " + std::to_string(counts_.replays) +
         " replays, " + std::to_string(counts_.crashes) + " restarts, " +
         std::to_string(counts_.store_failures) + " store failures, " +
         std::to_string(counts_.wall_steps) + " wall-clock steps";
}

}  // namespace

RunResult RunActions(uint64_t seed, const std::vector<Action>& actions, const std::string& dir,
                     std::FILE* trace) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  RunResult result;
  {
    Simulation sim(seed, dir, trace);
    if (sim.SetUp()) {
      for (size_t i = 0; i < actions.size() && sim.violation().empty(); ++i) {
        sim.Step(actions[i]);
        if (!sim.violation().empty()) result.failed_at = i + 1;
      }
      if (sim.violation().empty()) {
        sim.Settle();
        sim.CheckEnd();
      }
    }
    result.ok = sim.violation().empty();
    result.violation = sim.violation();
    result.summary = sim.Summary();
  }
  std::filesystem::remove_all(dir);
  return result;
}

// What kind of violation a message names: its words, without the ids and
// numbers that change as actions are removed.
std::string KindOf(const std::string& violation) {
  std::string kind;
  for (char c : violation) {
    if (c >= '0' && c <= '9') continue;
    kind += c;
  }
  return kind;
}

std::vector<Action> Shrink(uint64_t seed, std::vector<Action> actions, const std::string& dir,
                           size_t runs_max) {
  // A failure at step k needs nothing after it.
  RunResult first = RunActions(seed, actions, dir);
  size_t runs = 1;
  if (first.ok) return actions;
  const std::string kind = KindOf(first.violation);
  if (first.failed_at > 0) actions.resize(first.failed_at);
  // Then remove chunks, halving their size, while it still fails (ddmin).
  for (size_t chunk = std::max<size_t>(actions.size() / 2, 1); chunk >= 1 && runs < runs_max;
       chunk /= 2) {
    for (size_t start = 0; start < actions.size() && runs < runs_max;) {
      std::vector<Action> fewer;
      fewer.reserve(actions.size());
      for (size_t i = 0; i < actions.size(); ++i) {
        if (i < start || i >= start + chunk) fewer.push_back(actions[i]);
      }
      const RunResult r = RunActions(seed, fewer, dir);
      ++runs;
      if (!r.ok && KindOf(r.violation) == kind) {  // the same failure, not another one
        actions = std::move(fewer);
        if (r.failed_at > 0) actions.resize(std::min(actions.size(), r.failed_at));
      } else {
        start += chunk;
      }
    }
    if (chunk == 1) break;
  }
  return actions;
}

}  // namespace boxoffice::sim
