// Router: method + path pattern -> handler.
//
// A pattern is "/" or a sequence of "/segment" parts; a segment is a literal
// ("shows") or a parameter ("{id}", name [a-z_][a-z0-9_]*), which matches one
// non-empty path segment. Matching works on percent-decoded segments, so
// "%2F" inside a segment stays inside that segment. A literal beats a
// parameter at the same position. HEAD falls back to the GET handler.
//
// Routes are added before the server starts; afterwards the router is only
// read and may be used from any number of threads. Adding an invalid or
// duplicate route is a programmer error and crashes.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/handler.h"
#include "http/message.h"

namespace boxoffice::http {

struct RouteInfo {
  Method method;
  std::string pattern;
  friend bool operator==(const RouteInfo&, const RouteInfo&) = default;
};

struct Route {
  Method method;
  std::string pattern;
  std::vector<std::string> param_names;  // the pattern's {names}, in order
  Handler handler;
  size_t index;  // registration order, 0-based
};

class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  void Add(Method method, std::string_view pattern, Handler handler);
  // Replaces every route's handler by `wrap(route, handler)`, e.g. to put a
  // check in front of all of them. Before the server starts, like Add.
  void WrapHandlers(const std::function<Handler(const Route&, Handler)>& wrap);

  // Every registered (method, pattern), in registration order.
  std::vector<RouteInfo> Routes() const;
  size_t size() const { return routes_.size(); }
  const Route& route(size_t index) const { return *routes_[index]; }

  struct Match {
    enum class Kind { kFound, kNotFound, kMethodNotAllowed } kind = Kind::kNotFound;
    const Route* route = nullptr;        // kFound
    std::vector<Request::Param> params;  // kFound: name -> decoded value
    std::string allow;                   // kMethodNotAllowed: "GET, HEAD, POST"
  };
  // `segments` are the request path's decoded segments ("/a/b" -> {"a", "b"},
  // "/" -> {}).
  Match Find(Method method, const std::vector<std::string>& segments) const;

  // True if `pattern` is a valid route pattern.
  static bool IsValidPattern(std::string_view pattern);

 private:
  struct Node;

  std::unique_ptr<Node> root_;
  std::vector<std::unique_ptr<Route>> routes_;
};

}  // namespace boxoffice::http
