// Methods, header fields and response helpers.
#include "http/message.h"

#include <algorithm>
#include <array>

#include "core/status.h"

namespace boxoffice::http {
namespace {

constexpr std::array<std::string_view, kMethodCount> kMethodNames = {
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string_view MethodName(Method m) { return kMethodNames[static_cast<size_t>(m)]; }

std::optional<Method> ParseMethod(std::string_view name) {
  for (size_t i = 0; i < kMethodNames.size(); ++i) {
    if (kMethodNames[i] == name) return static_cast<Method>(i);
  }
  return std::nullopt;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return LowerAscii(x) == LowerAscii(y);
         });
}

std::optional<std::string_view> Headers::Get(std::string_view name) const {
  for (const auto& [n, v] : fields_) {
    if (EqualsIgnoreCase(n, name)) return std::string_view(v);
  }
  return std::nullopt;
}

void Headers::Add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

void Headers::Set(std::string name, std::string value) {
  Remove(name);
  Add(std::move(name), std::move(value));
}

void Headers::Remove(std::string_view name) {
  std::erase_if(fields_, [name](const Field& f) { return EqualsIgnoreCase(f.first, name); });
}

std::optional<std::string_view> Request::Query(std::string_view name) const {
  for (const auto& [n, v] : query) {
    if (n == name) return std::string_view(v);
  }
  return std::nullopt;
}

std::optional<std::string_view> Request::BearerToken() const {
  constexpr std::string_view kBearer = "Bearer ";
  const std::optional<std::string_view> auth = Header("Authorization");
  if (!auth || auth->size() <= kBearer.size() ||
      !EqualsIgnoreCase(auth->substr(0, kBearer.size()), kBearer)) {
    return std::nullopt;
  }
  return auth->substr(kBearer.size());
}

std::string_view Request::PathParam(std::string_view name) const {
  for (const auto& [n, v] : path_params) {
    if (n == name) return v;
  }
  BOX_ASSERT(!"the route has no such path parameter");
  return {};
}

Body::Body(std::shared_ptr<const std::string> shared) : shared_(std::move(shared)) {
  BOX_ASSERT(shared_ != nullptr);
}

Body& Body::operator=(std::string text) {
  shared_.reset();
  owned_ = std::move(text);
  return *this;
}

Response Response::Json(unsigned status, std::shared_ptr<const std::string> json) {
  Response r;
  r.status = status;
  r.content_type = kJsonContentType;
  r.body = Body(std::move(json));
  return r;
}

Response Response::Json(unsigned status, std::string json) {
  Response r;
  r.status = status;
  r.content_type = kJsonContentType;
  r.body = std::move(json);
  return r;
}

Response Response::Text(unsigned status, std::string text) {
  Response r;
  r.status = status;
  r.content_type = kTextContentType;
  r.body = std::move(text);
  return r;
}

Response Response::Empty(unsigned status) {
  Response r;
  r.status = status;
  return r;
}

std::string EscapeMarkup(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace boxoffice::http
