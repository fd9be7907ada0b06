// Strict reading of JSON request bodies.
//
// ParseJson enforces the body limits (size, nesting depth) and rejects
// invalid UTF-8, trailing garbage and duplicate-free violations that
// Boost.JSON reports. ObjectReader then reads one object's members with
// types and ranges checked, and rejects members it was not asked about, so a
// typo in a field name is an error rather than silently ignored. The first
// problem found wins and names the member by its path, e.g.
// "sections[2].rows[0].blocks[1].last: expected an integer".
//
// Thread-safety: plain values; one reader per request.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/status.h"

namespace boxoffice::http {

inline constexpr size_t kJsonDepthMax = 16;

StatusOr<boost::json::value> ParseJson(std::string_view body);

enum class Field : uint8_t { kOptional, kRequired };

class ObjectReader {
 public:
  // `path` names `v` in messages ("" for the document root).
  ObjectReader(const boost::json::value& v, std::string path);

  std::optional<std::string> String(std::string_view key, Field f, size_t bytes_max);
  std::optional<int64_t> Int(std::string_view key, Field f, int64_t min, int64_t max);
  std::optional<bool> Bool(std::string_view key, Field f);
  // The member if present (and of any type); marks it as read.
  const boost::json::value* Value(std::string_view key, Field f);
  const boost::json::array* Array(std::string_view key, Field f, size_t items_max);

  // The path of a member of this object, or of an element of one of its arrays.
  std::string PathOf(std::string_view key) const;
  std::string PathOf(std::string_view key, size_t index) const;

  // Records an error found by the caller (first one wins).
  void Fail(const std::string& path, std::string_view what);
  // Takes over a nested reader's error, if it has one and this one has none.
  void Adopt(const Status& nested) {
    if (error_.ok() && !nested.ok()) error_ = nested;
  }
  // Rejects members nobody asked about; then reports the first error, if any.
  Status Finish();
  bool ok() const { return error_.ok(); }
  const Status& error() const { return error_; }

 private:
  const boost::json::value* Member(std::string_view key, Field f);

  const boost::json::object* object_ = nullptr;
  std::string path_;
  std::set<std::string, std::less<>> read_;
  Status error_;
};

// Reads an array element that must be an integer in [min, max].
std::optional<int64_t> ElementInt(const boost::json::value& v, const std::string& path, int64_t min,
                                  int64_t max, ObjectReader& errors);

}  // namespace boxoffice::http
