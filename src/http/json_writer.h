// JsonWriter: renders JSON text straight into a string, for the responses
// on the hot paths (a hold, a booking), where building a Boost.JSON object
// first costs more than the rest of the request. Members come out in the
// order they are written; strings are escaped as RFC 8259 requires.
//
//   std::string out;
//   JsonWriter w(out);
//   w.BeginObject().Member("id", "h1-4").Member("total_minor", 5000);
//   w.Key("seats").BeginArray().String("A-1").EndArray();
//   w.EndObject();   // {"id":"h1-4","total_minor":5000,"seats":["A-1"]}
//
// Nesting must balance and keys go only in objects (BOX_ASSERT): the
// structure is the caller's code, never user input. Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace boxoffice::http {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& BeginObject() { return Open('{', true); }
  JsonWriter& EndObject() { return Close('}', true); }
  JsonWriter& BeginArray() { return Open('[', false); }
  JsonWriter& EndArray() { return Close(']', false); }
  JsonWriter& Key(std::string_view key);

  JsonWriter& String(std::string_view s);
  JsonWriter& Int(int64_t v);
  JsonWriter& Uint(uint64_t v);
  JsonWriter& Bool(bool v);
  // An already rendered JSON value, e.g. an object from another writer.
  JsonWriter& Raw(std::string_view json);

  // Key(key) and its value.
  JsonWriter& Member(std::string_view key, std::string_view value) {
    return Key(key).String(value);
  }
  JsonWriter& Member(std::string_view key, const char* value) { return Key(key).String(value); }
  template <typename T>
  requires std::is_integral_v<T> JsonWriter& Member(std::string_view key, T value) {
    Key(key);
    if constexpr (std::is_same_v<T, bool>) {
      return Bool(value);
    } else if constexpr (std::is_signed_v<T>) {
      return Int(value);
    } else {
      return Uint(value);
    }
  }

 private:
  static constexpr int kDepthMax = 32;

  JsonWriter& Open(char c, bool object);
  JsonWriter& Close(char c, bool object);
  void BeforeValue();

  std::string& out_;
  int depth_ = 0;
  uint32_t object_bits_ = 0;  // bit d: level d+1 is an object
  uint32_t empty_bits_ = 0;   // bit d: level d+1 has no element yet
  bool after_key_ = false;
};

}  // namespace boxoffice::http
