#include "loadgen/api_views.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdlib>

#include "crypto/encoding.h"
#include "crypto/proof_of_work.h"
#include "http/api_json.h"

namespace boxoffice::loadgen {
namespace {

namespace json = boost::json;

constexpr size_t kJsonDepthMax = 16;

StatusOr<json::value> Parse(std::string_view text, std::string_view what) {
  boost::system::error_code ec;
  json::parse_options opt;
  opt.max_depth = kJsonDepthMax;
  json::value v = json::parse(text, ec, {}, opt);
  if (ec) return Status::InvalidArgument(std::string(what) + ": not JSON (" + ec.message() + ")");
  return v;
}

// Members of a JSON object; the first problem is kept and reported by Finish.
class Members {
 public:
  Members(const json::value& v, std::string path) : path_(std::move(path)) {
    obj_ = v.if_object();
    if (obj_ == nullptr) Fail("", "expected an object");
  }

  const json::value* Get(std::string_view key) {
    if (obj_ == nullptr) return nullptr;
    const json::value* v = obj_->if_contains(key);
    if (v == nullptr) Fail(key, "missing");
    return v;
  }
  std::string Str(std::string_view key) {
    const json::value* v = Get(key);
    if (v == nullptr) return "";
    if (!v->is_string()) {
      Fail(key, "expected a string");
      return "";
    }
    return std::string(v->get_string());
  }
  std::optional<std::string> OptStr(std::string_view key) {
    if (obj_ == nullptr || !obj_->contains(key)) return std::nullopt;
    return Str(key);
  }
  uint64_t Uint(std::string_view key) {
    const json::value* v = Get(key);
    if (v == nullptr) return 0;
    if (v->is_uint64()) return v->get_uint64();
    if (v->is_int64() && v->get_int64() >= 0) return static_cast<uint64_t>(v->get_int64());
    Fail(key, "expected a non-negative integer");
    return 0;
  }
  // An RFC 3339 time member as milliseconds since the epoch.
  core::TimeMs Time(std::string_view key) {
    const std::string text = Str(key);
    if (!ok()) return 0;
    const std::optional<core::TimeMs> t = http::ParseTime(text);
    if (!t) Fail(key, "not an RFC 3339 time");
    return t.value_or(0);
  }
  bool Bool(std::string_view key) {
    const json::value* v = Get(key);
    if (v == nullptr) return false;
    if (!v->is_bool()) {
      Fail(key, "expected true or false");
      return false;
    }
    return v->get_bool();
  }
  const json::array* Arr(std::string_view key) {
    const json::value* v = Get(key);
    if (v == nullptr) return nullptr;
    if (!v->is_array()) {
      Fail(key, "expected an array");
      return nullptr;
    }
    return &v->get_array();
  }
  std::vector<std::string> Strings(std::string_view key) {
    std::vector<std::string> out;
    const json::array* a = Arr(key);
    if (a == nullptr) return out;
    for (const json::value& e : *a) {
      if (!e.is_string()) {
        Fail(key, "expected strings");
        break;
      }
      out.emplace_back(e.get_string());
    }
    return out;
  }
  std::string PathOf(std::string_view key, size_t i) const {
    return Join(key) + "[" + std::to_string(i) + "]";
  }
  void Fail(std::string_view key, std::string_view why) {
    if (error_.empty())
      error_ =
          (key.empty() ? (path_.empty() ? "body" : path_) : Join(key)) + ": " + std::string(why);
  }
  void Adopt(const Members& inner) {
    if (error_.empty()) error_ = inner.error_;
  }
  bool ok() const { return error_.empty(); }
  Status Finish(std::string_view what) const {
    if (error_.empty()) return Status::Ok();
    return Status::InvalidArgument(std::string(what) + ": " + error_);
  }

 private:
  std::string Join(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  const json::object* obj_ = nullptr;
  std::string path_;
  std::string error_;
};

// Parses `text` as one JSON object and reads it with `read(members, value)`,
// which returns the view; problems name `what`.
template <typename T, typename Read>
StatusOr<T> ParseObject(std::string_view text, std::string_view what, Read read) {
  StatusOr<json::value> v = Parse(text, what);
  if (!v.ok()) return v.status();
  Members m(*v, "");
  T out = read(m, *v);
  if (Status st = m.Finish(what); !st.ok()) return st;
  return out;
}

// Reads a booking object into `b`; problems go to `errors`.
void ReadBooking(const json::value& v, const std::string& path, BookingRecord& b, Members& errors) {
  Members m(v, path);
  b.id = m.Str("id");
  b.hold_id = m.Str("hold_id");
  b.user = m.Str("user");
  b.status = m.Str("status");
  b.seats = m.Strings("seats");
  if (const json::value* ga =
          v.is_object() ? v.get_object().if_contains("general_admission") : nullptr) {
    Members g(*ga, path + ".general_admission");
    b.ga_area = g.Str("area");
    b.ga_quantity = g.Uint("quantity");
    m.Adopt(g);
  }
  errors.Adopt(m);
}

// The rows of a seated section `sec`, appended to `map`.
void ReadRows(const json::array& rows, SeatMapView& map, Members& sec) {
  for (size_t r = 0; r < rows.size() && sec.ok(); ++r) {
    Members row(rows[r], sec.PathOf("rows", r));
    const json::array* seats = row.Arr("seats");
    SeatMapView::Row out{static_cast<uint32_t>(map.labels.size()), 0};
    for (size_t i = 0; seats != nullptr && i < seats->size() && row.ok(); ++i) {
      Members seat((*seats)[i], row.PathOf("seats", i));
      map.labels.push_back(seat.Str("label"));
      map.aisle_after.push_back(seat.Bool("aisle_after") ? 1 : 0);
      out.seat_count++;
      row.Adopt(seat);
    }
    if (out.seat_count > 0) map.aisle_after.back() = 1;  // the end of a row is never adjacent
    map.rows.push_back(out);
    sec.Adopt(row);
  }
}

// The core/snapshot.h encoding, inline: the bench decodes a whole venue for
// every fresh availability it reads, so this avoids a call and a bounds check
// per seat. Requires encoded.size() == (count + 3) / 4. (Tests check it
// against core's encoder.)
void DecodeSeatStates(std::string_view encoded, size_t count, std::vector<core::SeatState>& out) {
  out.resize(count);
  for (size_t i = 0; i < count; ++i) {
    const auto byte = static_cast<unsigned char>(encoded[i / 4]);
    out[i] = static_cast<core::SeatState>((byte >> (2 * (i % 4))) & 3u);
  }
}

}  // namespace

uint64_t SeatMapView::capacity() const {
  uint64_t total = 0;
  for (const Section& s : sections) total += s.capacity;
  return total;
}

uint64_t AvailabilityView::held() const {
  uint64_t n = 0;
  for (const SectionCounts& s : sections) n += s.held;
  return n;
}

uint64_t AvailabilityView::free() const {
  uint64_t n = 0;
  for (const SectionCounts& s : sections) n += s.free;
  return n;
}

StatusOr<SeatMapView> ParseSeatMap(std::string_view text) {
  return ParseObject<SeatMapView>(text, "seat map", [](Members& m, const json::value&) {
    SeatMapView map;
    const json::array* sections = m.Arr("sections");
    for (size_t s = 0; sections != nullptr && s < sections->size() && m.ok(); ++s) {
      Members sec((*sections)[s], m.PathOf("sections", s));
      SeatMapView::Section out;
      out.id = sec.Str("id");
      out.general_admission = sec.Bool("general_admission");
      out.capacity = sec.Uint("capacity");
      out.first_seat = static_cast<uint32_t>(map.labels.size());
      if (!out.general_admission && sec.ok()) {
        if (const json::array* rows = sec.Arr("rows")) ReadRows(*rows, map, sec);
        out.seat_count = static_cast<uint32_t>(map.labels.size()) - out.first_seat;
        if (sec.ok() && out.seat_count != out.capacity)
          sec.Fail("capacity", "differs from the number of seats");
      }
      m.Adopt(sec);
      map.sections.push_back(std::move(out));
    }
    return map;
  });
}

StatusOr<AvailabilityView> ParseAvailability(std::string_view text, size_t seat_count) {
  std::string data;  // the seats' base64, decoded once the members are read
  StatusOr<AvailabilityView> a =
      ParseObject<AvailabilityView>(text, "availability", [&](Members& m, const json::value&) {
        AvailabilityView view;
        view.version = m.Uint("version");
        const json::array* sections = m.Arr("sections");
        for (size_t i = 0; sections != nullptr && i < sections->size() && m.ok(); ++i) {
          Members s((*sections)[i], m.PathOf("sections", i));
          SectionCounts c;
          c.id = s.Str("id");
          c.free = s.Uint("free");
          c.held = s.Uint("held");
          c.booked = s.Uint("booked");
          c.blocked = s.Uint("blocked");
          m.Adopt(s);
          view.sections.push_back(std::move(c));
        }
        if (const json::value* seats = m.Get("seats"); seats != nullptr && m.ok()) {
          Members s(*seats, "seats");
          if (s.Str("encoding") != "2bit" && s.ok()) s.Fail("encoding", "expected \"2bit\"");
          data = s.Str("data");
          m.Adopt(s);
        }
        return view;
      });
  if (!a.ok()) return a;
  const std::optional<std::string> bytes = crypto::Base64Decode(data);
  if (!bytes) return Status::InvalidArgument("availability: seats.data is not base64");
  if (bytes->size() != (seat_count + 3) / 4) {
    return Status::InvalidArgument(
        "availability: seats.data holds " + std::to_string(bytes->size()) + " bytes, " +
        std::to_string(seat_count) + " seats need " + std::to_string((seat_count + 3) / 4));
  }
  DecodeSeatStates(*bytes, seat_count, a->seats);
  return a;
}

StatusOr<BookingRecord> ParseBooking(std::string_view text) {
  return ParseObject<BookingRecord>(text, "booking", [](Members& m, const json::value& v) {
    BookingRecord b;
    ReadBooking(v, "", b, m);
    return b;
  });
}

StatusOr<std::vector<BookingRecord>> ParseBookingList(std::string_view text) {
  return ParseObject<std::vector<BookingRecord>>(
      text, "bookings", [](Members& m, const json::value&) {
        std::vector<BookingRecord> out;
        const json::array* list = m.Arr("bookings");
        for (size_t i = 0; list != nullptr && i < list->size() && m.ok(); ++i) {
          out.emplace_back();
          ReadBooking((*list)[i], m.PathOf("bookings", i), out.back(), m);
        }
        return out;
      });
}

StatusOr<HoldCreated> ParseHoldCreated(std::string_view text) {
  return ParseObject<HoldCreated>(text, "hold", [](Members& m, const json::value&) {
    HoldCreated h;
    h.id = m.Str("id");
    h.token = m.Str("token");
    h.seats = m.Strings("seats");
    h.expires_at_ms = m.Time("expires_at");
    return h;
  });
}

StatusOr<QueueChallengeView> ParseQueueChallenge(std::string_view text) {
  return ParseObject<QueueChallengeView>(text, "queue challenge",
                                         [](Members& m, const json::value&) {
                                           QueueChallengeView c;
                                           c.challenge = m.Str("challenge");
                                           const uint64_t bits = m.Uint("difficulty_bits");
                                           if (m.ok() && bits > crypto::kProofBitsMax)
                                             m.Fail("difficulty_bits", "beyond 32");
                                           c.difficulty_bits = static_cast<uint32_t>(bits);
                                           if (m.ok() && m.Str("algorithm") != "sha256")
                                             m.Fail("algorithm", "expected sha256");
                                           c.expires_at_ms = m.Time("expires_at");
                                           return c;
                                         });
}

StatusOr<std::string> ParseCreatedId(std::string_view text) {
  return ParseObject<std::string>(text, "created resource", [](Members& m, const json::value&) {
    std::string id = m.Str("id");
    return id;
  });
}

StatusOr<ShowSummary> ParseShow(std::string_view text) {
  return ParseObject<ShowSummary>(text, "show", [](Members& m, const json::value&) {
    ShowSummary s;
    s.id = m.Str("id");
    s.capacity = m.Uint("capacity");
    s.hold_ttl_s = m.Uint("hold_ttl_s");
    return s;
  });
}

namespace {

// A member that is a non-negative integer or null.
std::optional<uint64_t> OptionalUint(Members& m, const json::value& v, std::string_view key) {
  const json::object* o = v.if_object();
  const json::value* member = o != nullptr ? o->if_contains(key) : nullptr;
  if (member != nullptr && member->is_null()) return std::nullopt;
  return m.Uint(key);
}

}  // namespace

StatusOr<QueueJoined> ParseQueueJoined(std::string_view text) {
  return ParseObject<QueueJoined>(text, "queue join", [](Members& m, const json::value& v) {
    QueueJoined j;
    j.ticket = m.Str("ticket");
    j.entry = m.Uint("entry");
    j.sequence = OptionalUint(m, v, "sequence");
    j.prequeue = m.Bool("prequeue");
    return j;
  });
}

StatusOr<QueueStatusView> ParseQueueStatus(std::string_view text) {
  return ParseObject<QueueStatusView>(text, "queue status", [](Members& m, const json::value& v) {
    QueueStatusView q;
    q.state = m.Str("state");
    q.now_serving = m.Uint("now_serving");
    q.fans = m.Uint("fans");
    q.served_through = OptionalUint(m, v, "served_through");
    q.sold_out = m.Bool("sold_out");
    return q;
  });
}

std::optional<double> MetricSum(std::string_view text, std::string_view name) {
  std::optional<double> sum;
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    if (!line.starts_with(name) || line.size() <= name.size()) continue;
    const char after = line[name.size()];
    if (after != ' ' && after != '{') continue;
    const size_t space = line.rfind(' ');
    const std::string value(line.substr(space + 1));
    char* end = nullptr;
    const double d = std::strtod(value.c_str(), &end);
    if (end == value.c_str() || *end != '\0') continue;
    sum = sum.value_or(0) + d;
  }
  return sum;
}

StatusOr<uint64_t> UintMember(std::string_view text, std::string_view key) {
  return ParseObject<uint64_t>(text, key,
                               [key](Members& m, const json::value&) { return m.Uint(key); });
}

std::string StringMember(std::string_view json_text, std::string_view key) {
  boost::system::error_code ec;
  const json::value v = json::parse(json_text, ec);
  if (ec || !v.is_object()) return "";
  const json::value* m = v.get_object().if_contains(key);
  return m != nullptr && m->is_string() ? std::string(m->get_string()) : "";
}

std::string ProblemCode(std::string_view text) { return StringMember(text, "code"); }

}  // namespace boxoffice::loadgen
