// Router: a trie of path segments, literal children before the parameter child.
#include "http/router.h"

#include <array>

#include "core/status.h"

namespace boxoffice::http {

struct Router::Node {
  std::vector<std::pair<std::string, std::unique_ptr<Node>>> literals;
  std::unique_ptr<Node> param;
  std::array<const Route*, kMethodCount> routes{};

  bool HasRoutes() const {
    for (const Route* r : routes) {
      if (r != nullptr) return true;
    }
    return false;
  }
};

namespace {

// "/" -> {}, "/a/{b}" -> {"a", "{b}"}; the caller has validated the pattern.
std::vector<std::string_view> SplitPattern(std::string_view pattern) {
  std::vector<std::string_view> parts;
  if (pattern == "/") return parts;
  size_t start = 1;
  while (start <= pattern.size()) {
    size_t end = pattern.find('/', start);
    if (end == std::string_view::npos) end = pattern.size();
    parts.push_back(pattern.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool IsParam(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

bool IsValidParamName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsValidLiteral(std::string_view segment) {
  if (segment.empty()) return false;
  for (char c : segment) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == '~' || c == ':' || c == '@';
    if (!ok) return false;
  }
  return true;
}

std::string AllowHeader(const std::array<const Route*, kMethodCount>& routes) {
  std::string allow;
  const bool has_get = routes[static_cast<size_t>(Method::kGet)] != nullptr;
  for (size_t i = 0; i < kMethodCount; ++i) {
    const auto m = static_cast<Method>(i);
    if (routes[i] == nullptr && !(m == Method::kHead && has_get)) continue;
    if (!allow.empty()) allow += ", ";
    allow += MethodName(m);
  }
  return allow;
}

}  // namespace

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

bool Router::IsValidPattern(std::string_view pattern) {
  if (pattern.empty() || pattern.front() != '/') return false;
  for (std::string_view part : SplitPattern(pattern)) {
    const bool ok =
        IsParam(part) ? IsValidParamName(part.substr(1, part.size() - 2)) : IsValidLiteral(part);
    if (!ok) return false;
  }
  return true;
}

void Router::Add(Method method, std::string_view pattern, Handler handler) {
  BOX_ASSERT(IsValidPattern(pattern));
  BOX_ASSERT(handler != nullptr);
  auto route = std::make_unique<Route>(
      Route{method, std::string(pattern), {}, std::move(handler), routes_.size()});
  Node* node = root_.get();
  for (std::string_view part : SplitPattern(pattern)) {
    if (IsParam(part)) {
      route->param_names.emplace_back(part.substr(1, part.size() - 2));
      if (!node->param) node->param = std::make_unique<Node>();
      node = node->param.get();
      continue;
    }
    Node* next = nullptr;
    for (auto& [literal, child] : node->literals) {
      if (literal == part) next = child.get();
    }
    if (next == nullptr) {
      node->literals.emplace_back(std::string(part), std::make_unique<Node>());
      next = node->literals.back().second.get();
    }
    node = next;
  }
  const Route*& slot = node->routes[static_cast<size_t>(method)];
  BOX_ASSERT(slot == nullptr);  // the same method and path twice
  slot = route.get();
  routes_.push_back(std::move(route));
}

void Router::WrapHandlers(const std::function<Handler(const Route&, Handler)>& wrap) {
  for (const auto& r : routes_) {
    r->handler = wrap(*r, std::move(r->handler));
    BOX_ASSERT(r->handler != nullptr);
  }
}

std::vector<RouteInfo> Router::Routes() const {
  std::vector<RouteInfo> out;
  out.reserve(routes_.size());
  for (const auto& r : routes_) out.push_back({r->method, r->pattern});
  return out;
}

namespace {

// Depth-first: the literal child, then the parameter child. `values` collects
// the indexes of the segments that parameters matched.
template <typename NodeT>
const NodeT* Walk(const NodeT* node, const std::vector<std::string>& segments, size_t i,
                  std::vector<size_t>& values) {
  if (i == segments.size()) return node->HasRoutes() ? node : nullptr;
  const std::string& segment = segments[i];
  for (const auto& [literal, child] : node->literals) {
    if (literal != segment) continue;
    if (const NodeT* found = Walk(child.get(), segments, i + 1, values)) return found;
  }
  if (node->param && !segment.empty()) {
    values.push_back(i);
    if (const NodeT* found = Walk(node->param.get(), segments, i + 1, values)) return found;
    values.pop_back();
  }
  return nullptr;
}

}  // namespace

Router::Match Router::Find(Method method, const std::vector<std::string>& segments) const {
  Match match;
  std::vector<size_t> values;
  const Node* node = Walk(root_.get(), segments, 0, values);
  if (node == nullptr) return match;
  const Route* route = node->routes[static_cast<size_t>(method)];
  if (route == nullptr && method == Method::kHead) {
    route = node->routes[static_cast<size_t>(Method::kGet)];
  }
  if (route == nullptr) {
    match.kind = Match::Kind::kMethodNotAllowed;
    match.allow = AllowHeader(node->routes);
    return match;
  }
  BOX_ASSERT(route->param_names.size() == values.size());
  match.kind = Match::Kind::kFound;
  match.route = route;
  match.params.reserve(values.size());
  for (size_t k = 0; k < values.size(); ++k) {
    match.params.emplace_back(route->param_names[k], segments[values[k]]);
  }
  return match;
}

}  // namespace boxoffice::http
