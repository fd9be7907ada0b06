#include "http/json_reader.h"

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

namespace boxoffice::http {
namespace {

const char* KindName(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null:
      return "null";
    case boost::json::kind::bool_:
      return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
      return "an integer";
    case boost::json::kind::double_:
      return "a number";
    case boost::json::kind::string:
      return "a string";
    case boost::json::kind::array:
      return "an array";
    case boost::json::kind::object:
      return "an object";
  }
  return "a value";
}

std::string Describe(const std::string& path) { return path.empty() ? "body" : path; }

}  // namespace

StatusOr<boost::json::value> ParseJson(std::string_view body) {
  boost::json::parse_options opts;
  opts.max_depth = kJsonDepthMax;
  opts.allow_comments = false;
  opts.allow_trailing_commas = false;
  opts.allow_invalid_utf8 = false;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec, {}, opts);
  if (ec) return Status::InvalidArgument("body: invalid JSON (" + ec.message() + ")");
  return v;
}

ObjectReader::ObjectReader(const boost::json::value& v, std::string path) : path_(std::move(path)) {
  object_ = v.if_object();
  if (object_ == nullptr) Fail(path_, std::string("expected an object, got ") + KindName(v));
}

std::string ObjectReader::PathOf(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

std::string ObjectReader::PathOf(std::string_view key, size_t index) const {
  return PathOf(key) + "[" + std::to_string(index) + "]";
}

void ObjectReader::Fail(const std::string& path, std::string_view what) {
  if (error_.ok()) error_ = Status::InvalidArgument(Describe(path) + ": " + std::string(what));
}

const boost::json::value* ObjectReader::Member(std::string_view key, Field f) {
  if (object_ == nullptr) return nullptr;
  read_.emplace(key);
  const boost::json::value* v = object_->if_contains(key);
  if (v == nullptr && f == Field::kRequired) Fail(PathOf(key), "is required");
  return v;
}

const boost::json::value* ObjectReader::Value(std::string_view key, Field f) {
  return Member(key, f);
}

std::optional<std::string> ObjectReader::String(std::string_view key, Field f, size_t bytes_max) {
  const boost::json::value* v = Member(key, f);
  if (v == nullptr) return std::nullopt;
  const boost::json::string* s = v->if_string();
  if (s == nullptr) {
    Fail(PathOf(key), std::string("expected a string, got ") + KindName(*v));
    return std::nullopt;
  }
  if (s->size() > bytes_max) {
    Fail(PathOf(key), "longer than " + std::to_string(bytes_max) + " bytes");
    return std::nullopt;
  }
  // No text column of a database takes a NUL, and no name needs one.
  if (std::string_view(s->data(), s->size()).find('\0') != std::string_view::npos) {
    Fail(PathOf(key), "contains a NUL character (\\u0000)");
    return std::nullopt;
  }
  return std::string(s->data(), s->size());
}

std::optional<int64_t> ObjectReader::Int(std::string_view key, Field f, int64_t min, int64_t max) {
  const boost::json::value* v = Member(key, f);
  if (v == nullptr) return std::nullopt;
  return ElementInt(*v, PathOf(key), min, max, *this);
}

std::optional<int64_t> ElementInt(const boost::json::value& v, const std::string& path, int64_t min,
                                  int64_t max, ObjectReader& errors) {
  int64_t n = 0;
  if (const int64_t* i = v.if_int64()) {
    n = *i;
  } else if (const uint64_t* u = v.if_uint64()) {
    if (*u > static_cast<uint64_t>(INT64_MAX)) {
      errors.Fail(path, "out of range");
      return std::nullopt;
    }
    n = static_cast<int64_t>(*u);
  } else {
    errors.Fail(path, std::string("expected an integer, got ") + KindName(v));
    return std::nullopt;
  }
  if (n < min || n > max) {
    errors.Fail(path, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::optional<bool> ObjectReader::Bool(std::string_view key, Field f) {
  const boost::json::value* v = Member(key, f);
  if (v == nullptr) return std::nullopt;
  if (!v->is_bool()) {
    Fail(PathOf(key), std::string("expected a boolean, got ") + KindName(*v));
    return std::nullopt;
  }
  return v->get_bool();
}

const boost::json::array* ObjectReader::Array(std::string_view key, Field f, size_t items_max) {
  const boost::json::value* v = Member(key, f);
  if (v == nullptr) return nullptr;
  const boost::json::array* a = v->if_array();
  if (a == nullptr) {
    Fail(PathOf(key), std::string("expected an array, got ") + KindName(*v));
    return nullptr;
  }
  if (a->size() > items_max) {
    Fail(PathOf(key), "more than " + std::to_string(items_max) + " items");
    return nullptr;
  }
  return a;
}

Status ObjectReader::Finish() {
  if (error_.ok() && object_ != nullptr) {
    for (const auto& kv : *object_) {
      if (read_.find(std::string_view(kv.key())) == read_.end()) {
        Fail(PathOf(kv.key()), "unknown member");
        break;
      }
    }
  }
  return error_;
}

}  // namespace boxoffice::http
