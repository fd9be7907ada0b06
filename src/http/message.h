// HTTP requests and responses as the service layer sees them: plain structs
// with no Beast or Asio types, filled in and sent by http::Server.
//
// Thread-safety: plain values; a Request is owned by the handler it is given
// to, a Response by whoever builds it until it is handed to a Responder.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boxoffice::http {

// The methods the router knows. A request with any other method is answered
// 501 by the server before routing.
enum class Method : uint8_t { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions };
inline constexpr size_t kMethodCount = 7;

std::string_view MethodName(Method m);                     // "GET"
std::optional<Method> ParseMethod(std::string_view name);  // exact, case-sensitive

// Header fields in arrival order. Names compare case-insensitively; values
// are kept as received (without surrounding whitespace).
class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  // The first field named `name`, if any.
  std::optional<std::string_view> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  // Appends a field (a repeated name is allowed, e.g. Set-Cookie).
  void Add(std::string name, std::string value);
  // Replaces every field named `name` by one.
  void Set(std::string name, std::string value);
  void Remove(std::string_view name);
  void Reserve(size_t fields) { fields_.reserve(fields); }

  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  std::vector<Field>::const_iterator begin() const { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const { return fields_.end(); }

 private:
  std::vector<Field> fields_;
};

// Case-insensitive ASCII comparison, as header names and tokens need.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

struct Request {
  using Param = std::pair<std::string, std::string>;

  Method method = Method::kGet;
  std::string target;              // the raw request-target, e.g. "/v1/shows?q=a%20b"
  std::string path;                // percent-decoded path, e.g. "/v1/shows"
  std::vector<Param> query;        // decoded, in order; "+" reads as a space
  std::vector<Param> path_params;  // the route's {name} segments, decoded
  std::string_view route;          // the matched pattern, e.g. "/v1/shows/{id}"; lives
                                   // as long as the server
  Headers headers;
  std::string body;
  std::string remote_address;  // the peer's IP address as text, e.g. "127.0.0.1"
  uint16_t remote_port = 0;
  // When the whole request had arrived (steady clock), for latency and deadlines.
  std::chrono::steady_clock::time_point received_at;

  // The first query parameter named `name`; an empty value for "?flag".
  std::optional<std::string_view> Query(std::string_view name) const;
  // The route parameter `name`; asking for a name the route lacks is a
  // programmer error and crashes.
  std::string_view PathParam(std::string_view name) const;
  std::optional<std::string_view> Header(std::string_view name) const { return headers.Get(name); }
  // The token of `Authorization: Bearer <token>` (scheme case-insensitive);
  // nothing when the field is missing, empty after the scheme, or of another scheme.
  std::optional<std::string_view> BearerToken() const;
};

inline constexpr std::string_view kJsonContentType = "application/json";
inline constexpr std::string_view kProblemContentType = "application/problem+json";
inline constexpr std::string_view kTextContentType = "text/plain; charset=utf-8";

// A response body: text of its own, or immutable text shared with a cache
// (a rendered body reused for many responses), which is sent without a copy.
class Body {
 public:
  Body() = default;
  Body(std::string text) : owned_(std::move(text)) {}  // NOLINT: implicit, like a string
  explicit Body(std::shared_ptr<const std::string> shared);
  Body& operator=(std::string text);

  std::string_view view() const { return shared_ ? std::string_view(*shared_) : owned_; }
  operator std::string_view() const { return view(); }  // NOLINT: reads like a string
  size_t size() const { return view().size(); }
  bool empty() const { return view().empty(); }
  friend bool operator==(const Body& a, std::string_view b) { return a.view() == b; }

 private:
  std::string owned_;
  std::shared_ptr<const std::string> shared_;  // when set, the body; never null inside
};

struct Response {
  unsigned status = 200;
  Headers headers;           // besides Content-Type, Content-Length and Connection
  std::string content_type;  // empty: no Content-Type
  Body body;

  static Response Json(unsigned status, std::string json);
  static Response Json(unsigned status, std::shared_ptr<const std::string> json);
  static Response Text(unsigned status, std::string text);
  static Response Empty(unsigned status);  // e.g. 204, 304
};

// Text made safe inside HTML or XML (SVG) text and attribute values: < > & " '
// become character references.
std::string EscapeMarkup(std::string_view text);

}  // namespace boxoffice::http
