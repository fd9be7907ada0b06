#include "redis_store.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>

#include "crypto/encoding.h"

namespace boxoffice::baselines {
namespace {

namespace json = boost::json;

constexpr timeval kConnectTimeout{2, 0};
constexpr std::string_view kHeld = "held";
constexpr std::string_view kBooked = "booked";

// Checks that every seat still carries the hold's token, then makes each a
// booking that never expires. Returns 1 booked, 0 expired, 2 already confirmed.
//   KEYS: hold, avail, bookings, lock of each seat
//   ARGV: token, booking id, booking, booked lock value, confirmed hold, each seat
constexpr const char* kConfirmScript = R"lua(
local h = redis.call('GET', KEYS[1])
if not h then return 0 end
local hold = cjson.decode(h)
if hold.booking then return 2 end
if hold.token ~= ARGV[1] then return 0 end
for i = 4, #KEYS do
  local v = redis.call('GET', KEYS[i])
  if not v then return 0 end
  local lock = cjson.decode(v)
  if lock.token ~= ARGV[1] or lock.booking then return 0 end
end
for i = 4, #KEYS do
  redis.call('SET', KEYS[i], ARGV[4])
  redis.call('HSET', KEYS[2], ARGV[i + 2], 'booked')
end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
redis.call('SET', KEYS[1], ARGV[5])
return 1
)lua";

// Deletes the locks that still carry the token (check-and-delete), and the
// hold if it is the token's and not confirmed.
//   KEYS: hold, avail, lock of each seat
//   ARGV: token, each seat
constexpr const char* kUnlockScript = R"lua(
for i = 3, #KEYS do
  local v = redis.call('GET', KEYS[i])
  if v then
    local lock = cjson.decode(v)
    if lock.token == ARGV[1] and not lock.booking then
      redis.call('DEL', KEYS[i])
      redis.call('HDEL', KEYS[2], ARGV[i - 1])
    end
  end
end
local h = redis.call('GET', KEYS[1])
if h then
  local hold = cjson.decode(h)
  if hold.token == ARGV[1] and not hold.booking then redis.call('DEL', KEYS[1]) end
end
return 1
)lua";

// Drops the availability hash's "held" of seats whose lock expired, checking
// each lock again (a new hold may have taken the seat meanwhile).
//   KEYS: avail, lock of each seat
//   ARGV: each seat
constexpr const char* kForgetExpiredScript = R"lua(
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 0 then redis.call('HDEL', KEYS[1], ARGV[i - 1]) end
end
return 1
)lua";

std::string ShowKey(std::string_view kind, const service::Show& show) {
  return std::string(kind) + ":show:" + std::to_string(show.id);
}
// Seats are named by their index in the seat map, in keys and hash fields.
std::string LockKey(const service::Show& show, core::SeatIndex seat) {
  return ShowKey("lock", show) + ":seat:" + std::to_string(seat);
}

std::optional<core::SeatIndex> ParseSeat(std::string_view s, size_t seat_count) {
  core::SeatIndex v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v >= seat_count) return std::nullopt;
  return v;
}
std::string HoldKey(const service::Show& show, core::HoldId hold) {
  return ShowKey("hold", show) + ":" + std::to_string(hold);
}

// The hold as kept under its key.
struct HoldRecord {
  std::string user;
  std::string token;
  std::vector<core::SeatIndex> seats;
  std::optional<core::BookingId> booking;
};

std::optional<HoldRecord> ParseHoldRecord(std::string_view text, size_t seat_count) {
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  if (o == nullptr) return std::nullopt;
  HoldRecord h;
  const json::value* user = o->if_contains("user");
  const json::value* token = o->if_contains("token");
  const json::value* seats = o->if_contains("seats");
  if (user == nullptr || !user->is_string() || token == nullptr || !token->is_string() ||
      seats == nullptr || !seats->is_array())
    return std::nullopt;
  h.user = user->get_string();
  h.token = token->get_string();
  for (const json::value& s : seats->get_array()) {
    if (!s.is_int64() || s.get_int64() < 0 || static_cast<size_t>(s.get_int64()) >= seat_count)
      return std::nullopt;
    h.seats.push_back(static_cast<core::SeatIndex>(s.get_int64()));
  }
  if (const json::value* b = o->if_contains("booking"); b != nullptr && b->is_int64())
    h.booking = static_cast<core::BookingId>(b->get_int64());
  return h;
}

std::string HoldRecordJson(const HoldRecord& h) {
  json::array seats;
  for (core::SeatIndex s : h.seats) seats.emplace_back(s);
  json::object o{{"user", h.user}, {"token", h.token}, {"seats", std::move(seats)}};
  if (h.booking) o["booking"] = *h.booking;
  return json::serialize(o);
}

std::string BookingJson(const service::BookingView& b) {
  json::array seats;
  for (const std::string& s : b.seats) seats.emplace_back(s);
  return json::serialize(json::object{{"booking", b.booking},
                                      {"hold", b.hold},
                                      {"user", b.user},
                                      {"seats", std::move(seats)},
                                      {"total_minor", b.total_minor},
                                      {"currency", b.currency},
                                      {"payment_ref", b.payment_ref},
                                      {"booked_at_ms", b.booked_at_ms}});
}

std::optional<service::BookingView> ParseBooking(std::string_view text, core::ShowId show) {
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  if (o == nullptr) return std::nullopt;
  service::BookingView b;
  b.show = show;
  try {
    b.booking = o->at("booking").to_number<uint64_t>();
    b.hold = o->at("hold").to_number<uint64_t>();
    b.user = o->at("user").as_string();
    for (const json::value& s : o->at("seats").as_array()) b.seats.emplace_back(s.as_string());
    b.total_minor = o->at("total_minor").to_number<int64_t>();
    b.currency = o->at("currency").as_string();
    b.payment_ref = o->at("payment_ref").as_string();
    b.booked_at_ms = o->at("booked_at_ms").to_number<int64_t>();
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return b;
}

}  // namespace

class RedisStore::Reply {
 public:
  explicit Reply(redisReply* r) : r_(r, &freeReplyObject) {}
  const redisReply& operator*() const { return *r_; }
  const redisReply* operator->() const { return r_.get(); }
  bool nil() const { return r_->type == REDIS_REPLY_NIL; }
  std::string_view str() const { return {r_->str, r_->len}; }

 private:
  std::unique_ptr<redisReply, void (*)(void*)> r_;
};

RedisStore::RedisStore(std::string host, int port) : host_(std::move(host)), port_(port) {}

RedisStore::~RedisStore() {
  if (ctx_ != nullptr) redisFree(ctx_);
}

StatusOr<RedisStore::Reply> RedisStore::Command(const std::vector<std::string>& args) {
  if (ctx_ == nullptr) {
    ctx_ = redisConnectWithTimeout(host_.c_str(), port_, kConnectTimeout);
    if (ctx_ == nullptr || ctx_->err != 0) {
      const std::string why = ctx_ == nullptr ? "out of memory" : ctx_->errstr;
      if (ctx_ != nullptr) redisFree(ctx_);
      ctx_ = nullptr;
      return Status::Unavailable("redis: cannot connect: " + why);
    }
  }
  std::vector<const char*> argv;
  std::vector<size_t> argvlen;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    argvlen.push_back(a.size());
  }
  auto* raw = static_cast<redisReply*>(
      redisCommandArgv(ctx_, static_cast<int>(args.size()), argv.data(), argvlen.data()));
  if (raw == nullptr) {
    const std::string why = ctx_->errstr;
    redisFree(ctx_);
    ctx_ = nullptr;
    return Status::Unavailable("redis: " + why);
  }
  Reply reply(raw);
  if (reply->type == REDIS_REPLY_ERROR)
    return Status::Internal("redis " + args[0] + ": " + std::string(reply.str()));
  return reply;
}

Status RedisStore::CreateShow(const service::Show&) { return Status::Ok(); }

StatusOr<std::vector<core::SeatState>> RedisStore::SeatStates(const service::Show& show,
                                                              core::TimeMs) {
  const core::SeatMap& map = *show.venue->map;
  StatusOr<Reply> all = Command({"HGETALL", ShowKey("avail", show)});
  if (!all.ok()) return all.status();
  std::vector<core::SeatState> states(map.seat_count(), core::SeatState::kFree);
  std::vector<core::SeatIndex> held;
  for (size_t i = 0; i + 1 < (*all)->elements; i += 2) {
    const redisReply* field = (*all)->element[i];
    const redisReply* value = (*all)->element[i + 1];
    const std::optional<core::SeatIndex> seat =
        ParseSeat(std::string_view(field->str, field->len), map.seat_count());
    if (!seat) continue;
    if (std::string_view(value->str, value->len) == kBooked) {
      states[*seat] = core::SeatState::kBooked;
    } else {
      held.push_back(*seat);
    }
  }
  if (held.empty()) return states;
  std::vector<std::string> mget{"MGET"};
  for (core::SeatIndex s : held) mget.push_back(LockKey(show, s));
  StatusOr<Reply> locks = Command(mget);
  if (!locks.ok()) return locks.status();
  std::vector<core::SeatIndex> expired;
  for (size_t i = 0; i < held.size() && i < (*locks)->elements; ++i) {
    const redisReply* lock = (*locks)->element[i];
    if (lock->type != REDIS_REPLY_STRING) {  // the lock expired: the seat is free
      expired.push_back(held[i]);
      continue;
    }
    const bool booked =
        std::string_view(lock->str, lock->len).find("\"booking\"") != std::string_view::npos;
    states[held[i]] = booked ? core::SeatState::kBooked : core::SeatState::kHeld;
  }
  if (expired.empty()) return states;
  std::vector<std::string> forget{"EVAL", kForgetExpiredScript, std::to_string(1 + expired.size()),
                                  ShowKey("avail", show)};
  for (core::SeatIndex s : expired) forget.push_back(LockKey(show, s));
  for (core::SeatIndex s : expired) forget.push_back(std::to_string(s));
  if (StatusOr<Reply> f = Command(forget); !f.ok()) return f.status();
  return states;
}

StatusOr<HoldResult> RedisStore::Hold(const service::Show& show, const std::string& user,
                                      std::span<const core::SeatIndex> seats,
                                      const core::Token& token, core::TimeMs now_ms) {
  const core::SeatMap& map = *show.venue->map;
  StatusOr<Reply> id = Command({"INCR", ShowKey("holdseq", show)});
  if (!id.ok()) return id.status();
  HoldResult r;
  r.hold = static_cast<core::HoldId>((*id)->integer);
  r.expires_at_ms = now_ms + core::DurationMs{show.settings.hold_ttl_s} * 1000;
  const std::string token_text = crypto::TokenToString(token);
  const std::string value = json::serialize(json::object{
      {"hold", r.hold}, {"user", user}, {"token", token_text}, {"expires_at_ms", r.expires_at_ms}});
  const std::string ttl = std::to_string(show.settings.hold_ttl_s);
  size_t locked = 0;
  for (; locked < seats.size(); ++locked) {
    const std::string key = LockKey(show, seats[locked]);
    StatusOr<Reply> set = Command({"SET", key, value, "NX", "EX", ttl});
    if (!set.ok()) return set.status();
    if (set->nil()) break;
    StatusOr<Reply> owner = Command({"GET", key});  // the seed design checks the owner
    if (!owner.ok()) return owner.status();
    if (owner->nil() || owner->str() != value) break;
  }
  if (locked < seats.size()) {
    r.outcome = core::Outcome::kSeatUnavailable;
    r.conflicts.push_back(map.label(seats[locked]));
    if (Status s = Unlock(show, r.hold, seats.first(locked), token_text); !s.ok()) return s;
    return r;
  }
  std::vector<std::string> hset{"HSET", ShowKey("avail", show)};
  for (core::SeatIndex s : seats) {
    hset.push_back(std::to_string(s));
    hset.emplace_back(kHeld);
  }
  if (StatusOr<Reply> h = Command(hset); !h.ok()) return h.status();
  const HoldRecord record{user, token_text, {seats.begin(), seats.end()}, std::nullopt};
  StatusOr<Reply> set = Command({"SET", HoldKey(show, r.hold), HoldRecordJson(record), "EX", ttl});
  if (!set.ok()) return set.status();
  return r;
}

Status RedisStore::Unlock(const service::Show& show, core::HoldId hold,
                          std::span<const core::SeatIndex> seats, const std::string& token) {
  std::vector<std::string> args{"EVAL", kUnlockScript, std::to_string(2 + seats.size()),
                                HoldKey(show, hold), ShowKey("avail", show)};
  for (core::SeatIndex s : seats) args.push_back(LockKey(show, s));
  args.push_back(token);
  for (core::SeatIndex s : seats) args.push_back(std::to_string(s));
  StatusOr<Reply> r = Command(args);
  return r.ok() ? Status::Ok() : r.status();
}

StatusOr<core::Outcome> RedisStore::Release(const service::Show& show, core::HoldId hold,
                                            const std::string& user, const core::Token& token,
                                            core::TimeMs) {
  StatusOr<Reply> h = Command({"GET", HoldKey(show, hold)});
  if (!h.ok()) return h.status();
  if (h->nil()) return core::Outcome::kHoldExpired;
  const std::optional<HoldRecord> record = ParseHoldRecord(h->str(), show.venue->map->seat_count());
  if (!record) return Status::Corruption("redis: hold " + std::to_string(hold) + " is unreadable");
  if (record->booking) return core::Outcome::kHoldConfirmed;
  const std::optional<core::Token> stored = crypto::TokenFromString(record->token);
  if (record->user != user || !stored || !core::TokensEqualConstantTime(*stored, token))
    return core::Outcome::kWrongToken;
  if (Status s = Unlock(show, hold, record->seats, record->token); !s.ok()) return s;
  return core::Outcome::kOk;
}

StatusOr<ConfirmResult> RedisStore::Confirm(const service::Show& show, core::HoldId hold,
                                            const std::string& payment_ref, core::TimeMs now_ms) {
  const core::SeatMap& map = *show.venue->map;
  ConfirmResult c;
  StatusOr<Reply> h = Command({"GET", HoldKey(show, hold)});
  if (!h.ok()) return h.status();
  if (h->nil()) {
    c.outcome = core::Outcome::kHoldExpired;
    return c;
  }
  std::optional<HoldRecord> record = ParseHoldRecord(h->str(), map.seat_count());
  if (!record) return Status::Corruption("redis: hold " + std::to_string(hold) + " is unreadable");
  if (record->booking) {
    c.outcome = core::Outcome::kHoldConfirmed;
    return c;
  }
  StatusOr<Reply> id = Command({"INCR", ShowKey("bookingseq", show)});
  if (!id.ok()) return id.status();
  service::BookingView& b = c.booking;
  b.show = show.id;
  b.booking = static_cast<core::BookingId>((*id)->integer);
  b.hold = hold;
  b.user = record->user;
  for (core::SeatIndex s : record->seats) b.seats.push_back(map.label(s));
  b.total_minor = TotalMinor(show, record->seats);
  b.currency = show.settings.currency;
  b.payment_ref = payment_ref;
  b.booked_at_ms = now_ms;
  const std::string token = record->token;
  record->booking = b.booking;
  std::vector<std::string> args{"EVAL",
                                kConfirmScript,
                                std::to_string(3 + record->seats.size()),
                                HoldKey(show, hold),
                                ShowKey("avail", show),
                                ShowKey("bookings", show)};
  for (core::SeatIndex s : record->seats) args.push_back(LockKey(show, s));
  args.push_back(token);
  args.push_back(std::to_string(b.booking));
  args.push_back(BookingJson(b));
  args.push_back(json::serialize(json::object{{"booking", b.booking}, {"token", token}}));
  args.push_back(HoldRecordJson(*record));
  for (core::SeatIndex s : record->seats) args.push_back(std::to_string(s));
  StatusOr<Reply> r = Command(args);
  if (!r.ok()) return r.status();
  switch ((*r)->integer) {
    case 1:
      return c;
    case 2:
      c.outcome = core::Outcome::kHoldConfirmed;
      return c;
    default:
      c.outcome = core::Outcome::kHoldExpired;
      return c;
  }
}

StatusOr<std::vector<service::BookingView>> RedisStore::Bookings(const service::Show& show) {
  StatusOr<Reply> all = Command({"HVALS", ShowKey("bookings", show)});
  if (!all.ok()) return all.status();
  std::vector<service::BookingView> out;
  for (size_t i = 0; i < (*all)->elements; ++i) {
    const redisReply* e = (*all)->element[i];
    std::optional<service::BookingView> b = ParseBooking(std::string_view(e->str, e->len), show.id);
    if (!b) return Status::Corruption("redis: a booking is unreadable");
    out.push_back(std::move(*b));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.booking < b.booking; });
  return out;
}

}  // namespace boxoffice::baselines
