#include "testing/openapi_contract.h"

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <cctype>

#include "testing/yaml_json.h"

namespace boxoffice::testing {
namespace {

namespace json = boost::json;

constexpr std::string_view kMethods[] = {"get",   "put",  "post",    "delete",
                                         "patch", "head", "options", "trace"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t at = path.starts_with('/') ? 1 : 0;
  for (;;) {
    const size_t slash = path.find('/', at);
    out.push_back(path.substr(at, slash - at));
    if (slash == std::string_view::npos) return out;
    at = slash + 1;
  }
}

bool IsParameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// How many literal segments of `templ` the path matches, or -1 when it does not.
int MatchScore(const std::vector<std::string_view>& path, std::string_view templ) {
  const std::vector<std::string_view> parts = Segments(templ);
  if (parts.size() != path.size()) return -1;
  int literals = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (IsParameter(parts[i])) {
      if (path[i].empty()) return -1;
    } else if (parts[i] == path[i]) {
      ++literals;
    } else {
      return -1;
    }
  }
  return literals;
}

// "application/problem+json; charset=utf-8" -> "application/problem+json"
std::string MediaType(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  return Lower(t);
}

bool IsJson(std::string_view media) {
  return media == "application/json" || media.ends_with("+json");
}

std::string Keys(const json::object& o) {
  std::string out;
  for (const auto& m : o) out += (out.empty() ? "" : ", ") + std::string(m.key());
  return out;
}

json::object AnyRouteResponse() {
  return {
      {"description", "a problem any route may answer (the document's conventions)"},
      {"content",
       {{"application/problem+json", {{"schema", {{"$ref", "#/components/schemas/Problem"}}}}}}}};
}

}  // namespace

OpenApiContract::OpenApiContract(json::value document)
    : document_(std::make_unique<json::value>(std::move(document))),
      validator_(std::make_unique<SchemaValidator>(
          *document_, SchemaValidator::Options{.closed_objects = true})) {}

StatusOr<OpenApiContract> OpenApiContract::Load(const std::string& path) {
  return FromDocument(ReadYamlFile(path));
}

StatusOr<OpenApiContract> OpenApiContract::FromYaml(std::string_view text) {
  return FromDocument(ParseYaml(text));
}

StatusOr<OpenApiContract> OpenApiContract::FromDocument(StatusOr<json::value> doc) {
  if (!doc.ok()) return doc.status();
  const json::object* root = doc->if_object();
  if (root == nullptr || !root->contains("paths") || !root->at("paths").is_object()) {
    return Status::InvalidArgument("not an OpenAPI document: no `paths` object");
  }
  return OpenApiContract(std::move(*doc));
}

std::vector<OpenApiContract::Operation> OpenApiContract::Operations() const {
  std::vector<Operation> out;
  for (const auto& [path, item] : document_->at("paths").as_object()) {
    if (!item.is_object()) continue;
    for (const auto& member : item.as_object()) {
      if (std::find(std::begin(kMethods), std::end(kMethods), member.key()) != std::end(kMethods)) {
        out.push_back({Upper(member.key()), std::string(path)});
      }
    }
  }
  return out;
}

std::optional<std::string> OpenApiContract::MatchPath(std::string_view path) const {
  const std::vector<std::string_view> segments = Segments(path);
  std::optional<std::string> best;
  int best_score = -1;
  for (const auto& entry : document_->at("paths").as_object()) {
    const int score = MatchScore(segments, entry.key());
    if (score > best_score) {
      best_score = score;
      best = std::string(entry.key());
    }
  }
  return best;
}

const json::object* OpenApiContract::ResponseFor(const json::object& operation,
                                                 unsigned status) const {
  const json::value* responses = operation.if_contains("responses");
  if (responses == nullptr || !responses->is_object()) return nullptr;
  const json::object& r = responses->as_object();
  const std::string exact = std::to_string(status);
  const std::string range = exact.substr(0, 1) + "XX";
  const json::value* found = r.if_contains(exact);
  if (found == nullptr) found = r.if_contains(range);
  if (found == nullptr) found = r.if_contains("default");
  if (found == nullptr || !found->is_object()) return nullptr;
  if (const json::value* ref = found->as_object().if_contains("$ref"); ref && ref->is_string()) {
    found = validator_->Resolve(ref->as_string());
  }
  return found == nullptr ? nullptr : found->if_object();
}

std::vector<std::string> OpenApiContract::CheckAnswer(const Answer& a) const {
  const std::string_view path = std::string_view(a.target).substr(0, a.target.find('?'));
  const std::optional<std::string> templ = MatchPath(path);
  if (!templ) return {};
  const bool head = a.method == "HEAD";
  const json::object& item = document_->at("paths").at(*templ).as_object();
  const json::value* operation = item.if_contains(Lower(head ? "GET" : a.method));
  const json::object* response = operation != nullptr && operation->is_object()
                                     ? ResponseFor(operation->as_object(), a.status)
                                     : nullptr;
  if (response != nullptr) return CheckContent(*response, a, head);
  const bool any_route =
      std::any_of(std::begin(kAnyRouteProblems), std::end(kAnyRouteProblems),
                  [&](const AnyRouteProblem& p) { return p.status == a.status; });
  if (any_route) return CheckAnyRouteProblem(a);
  return {operation == nullptr ? "the document has no such operation"
                               : "the operation does not list this status"};
}

// A problem+json with one of the codes kAnyRouteProblems gives its status.
std::vector<std::string> OpenApiContract::CheckAnyRouteProblem(const Answer& a) const {
  static const json::object kResponse = AnyRouteResponse();
  std::vector<std::string> errors = CheckContent(kResponse, a, a.method == "HEAD");
  if (!errors.empty() || a.method == "HEAD") return errors;
  const json::value body = json::parse(a.body);
  const json::value* code = body.is_object() ? body.as_object().if_contains("code") : nullptr;
  const bool listed = std::any_of(std::begin(kAnyRouteProblems), std::end(kAnyRouteProblems),
                                  [&](const AnyRouteProblem& p) {
                                    return p.status == a.status && code != nullptr &&
                                           code->is_string() && code->as_string() == p.code;
                                  });
  if (listed) return {};
  return {
      "the operation does not list this status, and it is not a problem any route may answer "
      "with this code"};
}

std::vector<std::string> OpenApiContract::CheckContent(const json::object& response,
                                                       const Answer& a, bool head) const {
  const json::value* content = response.if_contains("content");
  if (content == nullptr || !content->is_object()) {
    if (a.body.empty()) return {};
    return {"a body where the document describes none: " + a.body.substr(0, 200)};
  }
  if (head || a.status == 204 || a.status == 304) return {};
  const std::string media = MediaType(a.content_type);
  const json::value* described = content->as_object().if_contains(media);
  if (described == nullptr) {
    return {"Content-Type '" + a.content_type + "' is not one of " + Keys(content->as_object())};
  }
  const json::value* schema =
      described->is_object() ? described->as_object().if_contains("schema") : nullptr;
  if (!IsJson(media) || schema == nullptr) return {};
  boost::system::error_code ec;
  const json::value body = json::parse(a.body, ec);
  if (ec) return {"the body is not JSON: " + a.body.substr(0, 200)};
  return validator_->Validate(*schema, body);
}

std::vector<std::string> OpenApiContract::CheckSchemas() const {
  std::vector<std::string> errors;
  const json::value* schemas = validator_->Resolve("#/components/schemas");
  if (schemas != nullptr && schemas->is_object()) {
    for (const auto& [name, schema] : schemas->as_object()) {
      for (std::string& e :
           validator_->CheckSchema(schema, "#/components/schemas/" + std::string(name))) {
        errors.push_back(std::move(e));
      }
    }
  }
  CheckSchemasUnder(*document_, "#", errors);
  return errors;
}

// Every `schema` member outside components/schemas (parameters, media
// types, headers), without descending into the schemas themselves.
void OpenApiContract::CheckSchemasUnder(const json::value& node, const std::string& where,
                                        std::vector<std::string>& errors) const {
  if (where == "#/components/schemas") return;
  if (const json::array* a = node.if_array()) {
    for (size_t i = 0; i < a->size(); ++i) {
      CheckSchemasUnder((*a)[i], where + "/" + std::to_string(i), errors);
    }
    return;
  }
  const json::object* o = node.if_object();
  if (o == nullptr) return;
  for (const auto& [key, value] : *o) {
    const std::string at = where + "/" + EscapePointer(key);
    if (key == "schema") {
      for (std::string& e : validator_->CheckSchema(value, at)) errors.push_back(std::move(e));
    } else {
      CheckSchemasUnder(value, at, errors);
    }
  }
}

}  // namespace boxoffice::testing
