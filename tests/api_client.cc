#include "api_client.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>

#include "api_contract.h"
#include "core/snapshot.h"
#include "crypto/encoding.h"

namespace boxoffice::itest {
namespace json = boost::json;

namespace {

const json::value* Member(const json::value& v, std::string_view key) {
  const json::object* o = v.if_object();
  return o == nullptr ? nullptr : o->if_contains(key);
}

const json::array kEmptyArray;
const json::object kEmptyObject;

}  // namespace

// ---- Reply ------------------------------------------------------------------------

std::string Reply::code() const {
  const json::value* c = Member(json, "code");
  return c != nullptr && c->is_string() ? std::string(c->as_string()) : "";
}

std::string Reply::Header(std::string_view name) const {
  return std::string(headers.Get(name).value_or(""));
}

bool Reply::Has(std::string_view key) const { return Member(json, key) != nullptr; }

std::string Reply::Str(std::string_view key) const {
  const json::value* m = Member(json, key);
  if (m == nullptr || !m->is_string()) {
    ADD_FAILURE() << "no string member '" << key << "' in " << Describe();
    return "";
  }
  return std::string(m->as_string());
}

int64_t Reply::Int(std::string_view key) const {
  const json::value* m = Member(json, key);
  if (m == nullptr || !(m->is_int64() || m->is_uint64())) {
    ADD_FAILURE() << "no integer member '" << key << "' in " << Describe();
    return 0;
  }
  return m->is_int64() ? m->as_int64() : static_cast<int64_t>(m->as_uint64());
}

bool Reply::Bool(std::string_view key) const {
  const json::value* m = Member(json, key);
  if (m == nullptr || !m->is_bool()) {
    ADD_FAILURE() << "no boolean member '" << key << "' in " << Describe();
    return false;
  }
  return m->as_bool();
}

const json::array& Reply::Arr(std::string_view key) const {
  const json::value* m = Member(json, key);
  if (m == nullptr || !m->is_array()) {
    ADD_FAILURE() << "no array member '" << key << "' in " << Describe();
    return kEmptyArray;
  }
  return m->as_array();
}

const json::object& Reply::Obj(std::string_view key) const {
  const json::value* m = Member(json, key);
  if (m == nullptr || !m->is_object()) {
    ADD_FAILURE() << "no object member '" << key << "' in " << Describe();
    return kEmptyObject;
  }
  return m->as_object();
}

std::string Reply::Describe() const {
  if (status == 0) return "no response: " + error;
  constexpr size_t kBodyShownMax = 2000;
  return std::to_string(status) + " " +
         (body.size() > kBodyShownMax ? body.substr(0, kBodyShownMax) + "..." : body);
}

// ---- Api --------------------------------------------------------------------------

Api::Api(uint16_t port, std::chrono::milliseconds timeout) : client_("127.0.0.1", port, timeout) {}

Reply Api::Call(std::string_view method, std::string_view target, std::string_view body,
                const HeaderList& headers) {
  Reply reply;
  StatusOr<http::ClientResponse> r = client_.Request(method, target, body, headers);
  if (!r.ok()) {
    reply.error = r.status().message();
    client_.Close();
    return reply;
  }
  reply.status = r->status;
  reply.headers = std::move(r->headers);
  reply.body = std::move(r->body);
  if (!reply.body.empty()) {
    boost::system::error_code ec;
    json::value v = json::parse(reply.body, ec);
    if (!ec) reply.json = std::move(v);
  }
  RecordAnswer(method, target, reply);
  return reply;
}

Reply Api::Get(std::string_view target, const HeaderList& headers) {
  return Call("GET", target, {}, headers);
}

Reply Api::Post(std::string_view target, std::string_view body, const HeaderList& headers) {
  for (const auto& [name, value] : headers) {
    if (http::EqualsIgnoreCase(name, "Content-Type")) return Call("POST", target, body, headers);
  }
  return Call("POST", target, body, With({{"Content-Type", "application/json"}}, headers));
}

Reply Api::Delete(std::string_view target, const HeaderList& headers) {
  return Call("DELETE", target, {}, headers);
}

// ---- Credentials ------------------------------------------------------------------

HeaderList With(HeaderList a, const HeaderList& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

HeaderList AdminAuth(ServerProcess& server) {
  StatusOr<std::string> key = server.AdminKey();
  if (!key.ok()) {
    ADD_FAILURE() << "admin key: " << key.status().message();
    return {};
  }
  return {{"X-Admin-Key", *key}};
}

HeaderList FanAuth(ServerProcess& server, const std::string& user) {
  StatusOr<std::string> token = server.FanToken(user);
  if (!token.ok()) {
    ADD_FAILURE() << "fan token for " << user << ": " << token.status().message();
    return {};
  }
  return {{"Authorization", "Bearer " + *token}};
}

HeaderList HoldToken(std::string_view token) { return {{"X-Hold-Token", std::string(token)}}; }

HeaderList IdempotencyKey(std::string_view key) { return {{"Idempotency-Key", std::string(key)}}; }

// ---- JSON -------------------------------------------------------------------------

std::string JsonStr(const json::value& v, std::string_view key) {
  const json::value* m = Member(v, key);
  if (m == nullptr || !m->is_string()) {
    ADD_FAILURE() << "no string member '" << key << "' in " << json::serialize(v);
    return "";
  }
  return std::string(m->as_string());
}

int64_t JsonInt(const json::value& v, std::string_view key) {
  const json::value* m = Member(v, key);
  if (m == nullptr || !(m->is_int64() || m->is_uint64())) {
    ADD_FAILURE() << "no integer member '" << key << "' in " << json::serialize(v);
    return 0;
  }
  return m->is_int64() ? m->as_int64() : static_cast<int64_t>(m->as_uint64());
}

std::vector<std::string> JsonStrings(const json::value& v, std::string_view key) {
  std::vector<std::string> out;
  const json::value* m = Member(v, key);
  if (m == nullptr || !m->is_array()) {
    ADD_FAILURE() << "no array member '" << key << "' in " << json::serialize(v);
    return out;
  }
  for (const json::value& e : m->as_array()) {
    if (!e.is_string()) {
      ADD_FAILURE() << "'" << key << "' holds a non-string in " << json::serialize(v);
      continue;
    }
    out.emplace_back(e.as_string());
  }
  return out;
}

std::string ToJson(const json::value& v) { return json::serialize(v); }

// ---- Venues and shows -------------------------------------------------------------

std::string TheatreJson(std::string_view name) {
  return R"({"name":")" + std::string(name) + R"(",
    "categories":[{"id":"PREM","name":"Premium"},{"id":"STD","name":"Standard"}],
    "sections":[
      {"id":"STALLS","name":"Stalls","rows":[
        {"label":"A","category":"PREM","blocks":[{"first":1,"last":5},{"first":6,"last":10}]},
        {"label":"B","category":"PREM","seats":10},
        {"label":"C","category":"STD","seats":10},
        {"label":"D","category":"STD","seats":10,"accessible":[1,2]}]},
      {"id":"FLOOR","name":"Floor","general_admission":true,"capacity":100,"category":"STD"}]})";
}

std::string TheatrePrices() { return R"({"PREM":9900,"STD":4900})"; }

std::string GridJson(std::string_view name, uint32_t rows, uint32_t seats_per_row) {
  std::string j = R"({"name":")" + std::string(name) +
                  R"(","categories":[{"id":"STD","name":"Standard"}],)"
                  R"("sections":[{"id":"MAIN","name":"Main","rows":[)";
  for (uint32_t r = 1; r <= rows; ++r) {
    if (r > 1) j += ",";
    j += R"({"label":"R)" + std::to_string(r) + R"(","category":"STD","seats":)" +
         std::to_string(seats_per_row) + "}";
  }
  return j + "]}]}";
}

std::string GridPrices() { return R"({"STD":2500})"; }

std::string GridSeat(uint32_t row, uint32_t seat) {
  return "MAIN-R" + std::to_string(row) + "-" + std::to_string(seat);
}

std::string ShowJson(std::string_view venue_id, std::string_view name, std::string_view prices,
                     std::string_view extra_members, std::string_view starts_at) {
  return R"({"venue_id":")" + std::string(venue_id) + R"(","name":")" + std::string(name) +
         R"(","starts_at":")" + std::string(starts_at) + R"(","currency":"EUR","prices":)" +
         std::string(prices) + std::string(extra_members) + "}";
}

std::string CreateVenue(Api& api, const HeaderList& admin, const std::string& seat_map_json) {
  Reply r = api.Post("/v1/venues", seat_map_json, admin);
  if (r.status != 201) {
    ADD_FAILURE() << "POST /v1/venues: " << r.Describe();
    return "";
  }
  return r.Str("id");
}

std::string CreateShow(Api& api, const HeaderList& admin, const std::string& show_json) {
  Reply r = api.Post("/v1/shows", show_json, admin);
  if (r.status != 201) {
    ADD_FAILURE() << "POST /v1/shows " << show_json << ": " << r.Describe();
    return "";
  }
  return r.Str("id");
}

uint64_t AvailabilityVersion(Api& api, std::string_view show_id) {
  Reply r = api.Get("/v1/shows/" + std::string(show_id) + "/availability");
  if (r.status != 200) {
    ADD_FAILURE() << "availability of " << show_id << ": " << r.Describe();
    return 0;
  }
  return static_cast<uint64_t>(r.Int("version"));
}

std::vector<std::string> SeatLabels(Api& api, std::string_view show_id) {
  std::vector<std::string> labels;
  Reply r = api.Get("/v1/shows/" + std::string(show_id) + "/seatmap");
  if (r.status != 200) {
    ADD_FAILURE() << "seatmap of " << show_id << ": " << r.Describe();
    return labels;
  }
  for (const json::value& section : r.Arr("sections")) {
    const json::value* rows = Member(section, "rows");
    if (rows == nullptr || !rows->is_array()) continue;  // GA areas have no rows
    for (const json::value& row : rows->as_array()) {
      const json::value* seats = Member(row, "seats");
      if (seats == nullptr || !seats->is_array()) {
        ADD_FAILURE() << "a row without seats: " << json::serialize(row);
        continue;
      }
      for (const json::value& seat : seats->as_array()) labels.push_back(JsonStr(seat, "label"));
    }
  }
  return labels;
}

std::vector<core::SeatState> SeatStates(const Reply& availability, size_t seat_count) {
  std::vector<core::SeatState> states;
  const json::object& seats = availability.Obj("seats");
  const json::value* data = seats.if_contains("data");
  if (data == nullptr || !data->is_string()) {
    ADD_FAILURE() << "no seats.data in " << availability.Describe();
    return states;
  }
  const std::optional<std::string> bytes = crypto::Base64Decode(data->as_string());
  if (!bytes || bytes->size() != (seat_count + 3) / 4) {
    ADD_FAILURE() << "seats.data is not base64 of " << (seat_count + 3) / 4 << " bytes";
    return states;
  }
  for (size_t i = 0; i < seat_count; ++i) {
    states.push_back(core::DecodeSeatState(*bytes, static_cast<core::SeatIndex>(i)));
  }
  return states;
}

int64_t ParseTimeMs(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS.mmmZ
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (t.size() != kShape.size()) return -1;
  for (size_t i = 0; i < t.size(); ++i) {
    const bool ok = kShape[i] == 'd' ? (t[i] >= '0' && t[i] <= '9') : t[i] == kShape[i];
    if (!ok) return -1;
  }
  auto num = [&](size_t at, size_t n) {
    int v = 0;
    for (size_t i = at; i < at + n; ++i) v = v * 10 + (t[i] - '0');
    return v;
  };
  using namespace std::chrono;
  const year_month_day ymd{year{num(0, 4)}, month{static_cast<unsigned>(num(5, 2))},
                           day{static_cast<unsigned>(num(8, 2))}};
  if (!ymd.ok() || num(11, 2) > 23 || num(14, 2) > 59 || num(17, 2) > 60) return -1;
  const sys_days days{ymd};
  const auto ms = days.time_since_epoch() + hours{num(11, 2)} + minutes{num(14, 2)} +
                  seconds{num(17, 2)} + milliseconds{num(20, 3)};
  return duration_cast<milliseconds>(ms).count();
}

}  // namespace boxoffice::itest
