// docs/openapi.yaml is kept true: the operations it documents are exactly the
// routes the binary serves (from `boxoffice routes`), the live server answers
// each documented operation without 405, and every $ref in the file names a
// component that exists. The YAML is read with a small line parser that
// knows the file's layout (two-space indentation), not a YAML library.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

#include "api_client.h"
#include "server_process.h"

namespace boxoffice::itest {
namespace {

using Operation = std::pair<std::string, std::string>;  // {"GET", "/v1/shows/{}"}

std::string ReadOpenApi() {
  std::ifstream in(BOXOFFICE_OPENAPI_FILE);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The key of a line that is exactly `indent` spaces, a key without spaces,
// a colon and nothing else ("  /v1/shows:" at indent 2 -> "/v1/shows").
std::optional<std::string> KeyAt(std::string_view line, size_t indent) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
  if (line.size() < indent + 2 || line.back() != ':') return std::nullopt;
  if (line.find_first_not_of(' ') != indent) return std::nullopt;
  const std::string_view key = line.substr(indent, line.size() - indent - 1);
  if (key.find_first_of(" :\t") != std::string_view::npos) return std::nullopt;
  return std::string(key);
}

// "/v1/shows/{id}/holds" -> "/v1/shows/{}/holds": parameter names may differ.
std::string NormalizePath(std::string_view path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    out += path[i];
    if (path[i] != '{') continue;
    const size_t close = path.find('}', i);
    if (close == std::string_view::npos) break;
    out += '}';
    i = close;
  }
  return out;
}

// The operations under the top-level `paths:` key.
std::set<Operation> DocumentedOperations(const std::string& yaml) {
  static const std::set<std::string> kMethods = {"get",   "put",  "post",   "delete",
                                                 "patch", "head", "options"};
  std::set<Operation> ops;
  bool in_paths = false;
  std::string path;
  for (const std::string& line : Lines(yaml)) {
    if (!line.empty() && std::isalpha(static_cast<unsigned char>(line[0]))) {
      in_paths = line.rfind("paths:", 0) == 0;
      path.clear();
    } else if (!in_paths) {
      continue;
    } else if (auto p = KeyAt(line, 2); p && p->starts_with("/")) {
      path = NormalizePath(*p);
    } else if (auto m = KeyAt(line, 4); m && kMethods.contains(*m) && !path.empty()) {
      ops.insert({Upper(*m), path});
    }
  }
  return ops;
}

// The operations `boxoffice routes` lists.
StatusOr<std::set<Operation>> ServedOperations() {
  StatusOr<std::vector<ServedRoute>> routes = ServedRoutes();
  if (!routes.ok()) return routes.status();
  std::set<Operation> ops;
  for (const ServedRoute& r : *routes) ops.insert({r.method, NormalizePath(r.path)});
  return ops;
}

// The path with every "{}" replaced by `value`.
std::string Fill(std::string path, std::string_view value) {
  for (size_t at; (at = path.find("{}")) != std::string::npos;) path.replace(at, 2, value);
  return path;
}

std::string Join(const std::set<Operation>& ops) {
  std::string out;
  for (const auto& [method, path] : ops) out += "  " + method + " " + path + "\n";
  return out;
}

std::set<Operation> Minus(const std::set<Operation>& a, const std::set<Operation>& b) {
  std::set<Operation> out;
  for (const Operation& op : a) {
    if (!b.contains(op)) out.insert(op);
  }
  return out;
}

TEST(OpenApi, DocumentsTheContractsOperations) {
  const std::set<Operation> documented = DocumentedOperations(ReadOpenApi());
  // The parser found the file and its layout: these must be there.
  for (const Operation& op : std::set<Operation>{{"GET", "/healthz"},
                                                 {"POST", "/v1/shows/{}/holds"},
                                                 {"POST", "/v1/holds/{}/confirm"},
                                                 {"DELETE", "/v1/holds/{}"}}) {
    EXPECT_TRUE(documented.contains(op)) << op.first << " " << op.second << " in\n"
                                         << Join(documented);
  }
}

TEST(OpenApi, DocumentsEveryServedRouteAndNothingElse) {
  const std::set<Operation> documented = DocumentedOperations(ReadOpenApi());
  StatusOr<std::set<Operation>> served = ServedOperations();
  ASSERT_TRUE(served.ok()) << served.status().message();
  ASSERT_FALSE(served->empty());
  // HEAD is answered by the GET handler without a route of its own.
  std::set<Operation> served_without_head;
  for (const Operation& op : *served) {
    if (op.first != "HEAD") served_without_head.insert(op);
  }
  EXPECT_EQ(Minus(served_without_head, documented), std::set<Operation>{})
      << "served but not in docs/openapi.yaml:\n"
      << Join(Minus(served_without_head, documented));
  EXPECT_EQ(Minus(documented, served_without_head), std::set<Operation>{})
      << "in docs/openapi.yaml but not served:\n"
      << Join(Minus(documented, served_without_head));
}

// Every documented operation reaches a handler on the live server: not 405
// (method not allowed) and not 501, with or without credentials.
TEST(OpenApi, LiveServerAnswersEveryDocumentedOperation) {
  ServerProcess server;
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  Api api(server.port());
  for (const auto& [method, path] : DocumentedOperations(ReadOpenApi())) {
    const std::string target = Fill(path, "x1");
    Reply r = api.Call(method, target, method == "POST" ? "{}" : "",
                       {{"Content-Type", "application/json"}});
    ASSERT_TRUE(r.ok()) << method << " " << target << ": " << r.error;
    EXPECT_NE(r.status, 405u) << method << " " << target << ": " << r.Describe();
    EXPECT_NE(r.status, 501u) << method << " " << target << ": " << r.Describe();
    EXPECT_LT(r.status, 500u) << method << " " << target << ": " << r.Describe();
  }
  EXPECT_TRUE(server.Stop().ok()) << server.Log();
}

// Every `$ref: "#/components/KIND/NAME"` names a component defined in the file.
TEST(OpenApi, EveryReferenceResolves) {
  constexpr std::string_view kRefPrefix = "$ref: \"#/components/";
  std::set<std::pair<std::string, std::string>> defined;
  std::set<std::pair<std::string, std::string>> referenced;
  bool in_components = false;
  std::string kind;
  for (const std::string& line : Lines(ReadOpenApi())) {
    if (!line.empty() && line[0] != ' ' && line[0] != '#') {
      in_components = line.rfind("components:", 0) == 0;
    } else if (auto k = KeyAt(line, 2); in_components && k) {
      kind = *k;
    } else if (auto n = KeyAt(line, 4); in_components && n) {
      defined.insert({kind, *n});
    }
    if (const size_t at = line.find(kRefPrefix); at != std::string::npos) {
      const std::string ref = line.substr(at + kRefPrefix.size());
      const size_t slash = ref.find('/');
      const size_t quote = ref.find('"');
      ASSERT_TRUE(slash != std::string::npos && quote != std::string::npos && slash < quote)
          << line;
      referenced.insert({ref.substr(0, slash), ref.substr(slash + 1, quote - slash - 1)});
    }
  }
  ASSERT_FALSE(referenced.empty());
  for (const auto& ref : referenced) {
    EXPECT_TRUE(defined.contains(ref)) << "#/components/" << ref.first << "/" << ref.second;
  }
  for (const char* schema :
       {"Venue", "SeatMap", "Show", "Availability", "Hold", "Booking", "Problem"}) {
    EXPECT_TRUE(defined.contains({"schemas", schema})) << schema;
  }
}

}  // namespace
}  // namespace boxoffice::itest
