#include "http/json_writer.h"

#include <charconv>

#include "core/status.h"

namespace boxoffice::http {

namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendEscaped(std::string& out, std::string_view s) {
  out += '"';
  size_t plain = 0;  // start of the run of characters copied as they are
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out.append(s.data() + plain, s.size() - plain);
  out += '"';
}

template <typename T>
void AppendNumber(std::string& out, T v) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  BOX_ASSERT(ec == std::errc());
  out.append(buf, end);
}

}  // namespace

JsonWriter& JsonWriter::Open(char c, bool object) {
  BeforeValue();
  BOX_ASSERT(depth_ < kDepthMax);
  const uint32_t bit = uint32_t{1} << depth_;
  object_bits_ = object ? object_bits_ | bit : object_bits_ & ~bit;
  empty_bits_ |= bit;
  ++depth_;
  out_ += c;
  return *this;
}

JsonWriter& JsonWriter::Close(char c, bool object) {
  BOX_ASSERT(depth_ > 0 && !after_key_);
  --depth_;
  BOX_ASSERT(((object_bits_ >> depth_) & 1) == (object ? 1u : 0u));
  out_ += c;
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  BOX_ASSERT(depth_ > 0 && ((object_bits_ >> (depth_ - 1)) & 1) && !after_key_);
  const uint32_t bit = uint32_t{1} << (depth_ - 1);
  if ((empty_bits_ & bit) == 0) out_ += ',';
  empty_bits_ &= ~bit;
  AppendEscaped(out_, key);
  out_ += ':';
  after_key_ = true;
  return *this;
}

// A value goes after a key in an object, after a comma in an array, or alone.
void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ == 0) return;
  BOX_ASSERT(((object_bits_ >> (depth_ - 1)) & 1) == 0);  // an object value needs a key
  const uint32_t bit = uint32_t{1} << (depth_ - 1);
  if ((empty_bits_ & bit) == 0) out_ += ',';
  empty_bits_ &= ~bit;
}

JsonWriter& JsonWriter::String(std::string_view s) {
  BeforeValue();
  AppendEscaped(out_, s);
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t v) {
  BeforeValue();
  AppendNumber(out_, v);
  return *this;
}

JsonWriter& JsonWriter::Uint(uint64_t v) {
  BeforeValue();
  AppendNumber(out_, v);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool v) {
  BeforeValue();
  out_ += v ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_ += json;
  return *this;
}

}  // namespace boxoffice::http
