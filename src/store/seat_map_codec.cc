#include "store/seat_map_codec.h"

#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

namespace boxoffice::store {

namespace {

constexpr std::string_view kMagic = "BXSM";
constexpr int kVarintBytesMax = 10;

class Writer {
 public:
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void Signed(int64_t v) {  // zigzag
    Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void Text(std::string_view s) {
    Varint(s.size());
    out_.append(s);
  }
  void Optional(const std::optional<uint32_t>& v) { Varint(v ? uint64_t{*v} + 1 : 0); }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads values in order; the first malformed one sets the error and every
// later read returns a zero value.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  uint64_t Varint() {
    uint64_t v = 0;
    for (int i = 0; i < kVarintBytesMax; ++i) {
      if (at_ >= in_.size()) return Fail("ends inside a number");
      const auto byte = static_cast<uint8_t>(in_[at_++]);
      v |= uint64_t{byte & 0x7fu} << (7 * i);
      if ((byte & 0x80) == 0) return v;
    }
    return Fail("has a number longer than 64 bits");
  }
  int64_t Signed() {
    const uint64_t v = Varint();
    return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
  }
  template <typename T>
  T Number(const char* what) {
    const int64_t v = std::is_signed_v<T> ? Signed() : static_cast<int64_t>(Varint());
    if (!std::in_range<T>(v)) {
      Fail(what);
      return T{};
    }
    return static_cast<T>(v);
  }
  std::string Text() {
    const uint64_t n = Count();
    std::string s(in_.substr(at_, n));
    at_ += s.size();
    return s;
  }
  std::optional<uint32_t> Optional() {
    const uint64_t v = Varint();
    if (v == 0) return std::nullopt;
    if (v - 1 > UINT32_MAX) {
      Fail("has a rank out of range");
      return std::nullopt;
    }
    return static_cast<uint32_t>(v - 1);
  }
  // A length: every element takes at least one byte, so a length beyond the
  // bytes left is damage, not a reason to allocate.
  uint64_t Count() {
    const uint64_t n = Varint();
    if (n > in_.size() - at_) return Fail("has a length beyond its end");
    return n;
  }
  bool Expect(std::string_view bytes) {
    if (in_.substr(at_, bytes.size()) != bytes) {
      Fail("does not start with BXSM");
      return false;
    }
    at_ += bytes.size();
    return true;
  }

  bool ok() const { return error_.empty(); }
  bool at_end() const { return at_ == in_.size(); }
  uint64_t Fail(std::string_view what) {
    if (error_.empty()) error_ = std::string(what);
    at_ = in_.size();  // later reads find nothing
    return 0;
  }
  const std::string& error() const { return error_; }

 private:
  std::string_view in_;
  size_t at_ = 0;
  std::string error_;
};

void PutRow(Writer& w, const core::RowSpec& r) {
  w.Text(r.label);
  w.Text(r.category);
  w.Optional(r.rank);
  w.Varint(r.blocks.size());
  for (const core::SeatBlockSpec& b : r.blocks) {
    w.Signed(b.first_number);
    w.Signed(b.last_number);
    w.Signed(b.step);
    w.Text(b.category);
  }
  w.Varint(r.accessible.size());
  for (int32_t n : r.accessible) w.Signed(n);
}

void PutSection(Writer& w, const core::SectionSpec& s) {
  w.Text(s.id);
  w.Text(s.name);
  w.Optional(s.rank);
  w.Varint(s.general_admission ? 1 : 0);
  w.Varint(s.capacity);
  w.Text(s.category);
  w.Varint(s.rows.size());
  for (const core::RowSpec& r : s.rows) PutRow(w, r);
}

core::RowSpec GetRow(Reader& in) {
  core::RowSpec r;
  r.label = in.Text();
  r.category = in.Text();
  r.rank = in.Optional();
  for (uint64_t n = in.Count(); n > 0 && in.ok(); --n) {
    core::SeatBlockSpec& b = r.blocks.emplace_back();
    b.first_number = in.Number<int32_t>("has a seat number out of range");
    b.last_number = in.Number<int32_t>("has a seat number out of range");
    b.step = in.Number<int32_t>("has a seat step out of range");
    b.category = in.Text();
  }
  for (uint64_t n = in.Count(); n > 0 && in.ok(); --n) {
    r.accessible.push_back(in.Number<int32_t>("has a seat number out of range"));
  }
  return r;
}

core::SectionSpec GetSection(Reader& in) {
  core::SectionSpec s;
  s.id = in.Text();
  s.name = in.Text();
  s.rank = in.Optional();
  const uint64_t ga = in.Varint();
  if (ga > 1) in.Fail("has a flag that is neither 0 nor 1");
  s.general_admission = ga == 1;
  s.capacity = in.Number<uint32_t>("has a capacity out of range");
  s.category = in.Text();
  for (uint64_t n = in.Count(); n > 0 && in.ok(); --n) s.rows.push_back(GetRow(in));
  return s;
}

}  // namespace

std::string EncodeSeatMap(const core::SeatMapSpec& spec) {
  Writer w;
  w.Varint(kSeatMapFormat);
  w.Text(spec.name);
  w.Varint(spec.categories.size());
  for (const core::CategorySpec& c : spec.categories) {
    w.Text(c.id);
    w.Text(c.name);
  }
  w.Varint(spec.sections.size());
  for (const core::SectionSpec& s : spec.sections) PutSection(w, s);
  return std::string(kMagic) + w.Take();
}

StatusOr<core::SeatMapSpec> DecodeSeatMap(std::string_view doc) {
  Reader in(doc);
  core::SeatMapSpec spec;
  if (in.Expect(kMagic)) {
    const uint64_t version = in.Varint();
    if (in.ok() && version != kSeatMapFormat) {
      in.Fail("is of seat-map format " + std::to_string(version) + ", this build reads " +
              std::to_string(kSeatMapFormat));
    }
    spec.name = in.Text();
    for (uint64_t n = in.Count(); n > 0 && in.ok(); --n) {
      core::CategorySpec& c = spec.categories.emplace_back();
      c.id = in.Text();
      c.name = in.Text();
    }
    for (uint64_t n = in.Count(); n > 0 && in.ok(); --n) spec.sections.push_back(GetSection(in));
  }
  if (in.ok() && !in.at_end()) in.Fail("has bytes after its end");
  if (!in.ok()) return Status::Corruption("a stored seat map " + in.error());
  return spec;
}

}  // namespace boxoffice::store
