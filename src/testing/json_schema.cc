#include "testing/json_schema.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cmath>
#include <optional>

#include "testing/ecma_pattern.h"

namespace boxoffice::testing {
namespace {

namespace json = boost::json;

constexpr std::string_view kKeywords[] = {
    "type",    "nullable",     "enum",     "required",  "properties", "additionalProperties",
    "items",   "minItems",     "maxItems", "minLength", "maxLength",  "pattern",
    "minimum", "maximum",      "oneOf",    "anyOf",     "allOf",      "$ref",
    "format",  "discriminator"};
constexpr std::string_view kAnnotations[] = {"description", "title",    "example",  "default",
                                             "deprecated",  "readOnly", "writeOnly"};
constexpr std::string_view kTypes[] = {"string", "number", "integer", "boolean", "array", "object"};
constexpr std::string_view kFormats[] = {"date-time", "uri", "byte"};
constexpr int kDepthMax = 64;
constexpr std::string_view kSchemasPrefix = "#/components/schemas/";

template <size_t N>
bool OneOf(const std::string_view (&set)[N], std::string_view s) {
  return std::find(std::begin(set), std::end(set), s) != std::end(set);
}

bool IsCount(const json::value& v) { return (v.is_int64() && v.as_int64() >= 0) || v.is_uint64(); }

bool IsSchemaArray(const json::value& v) {
  return v.is_array() && !v.as_array().empty() &&
         std::all_of(v.as_array().begin(), v.as_array().end(),
                     [](const json::value& s) { return s.is_object(); });
}

bool IsStringArray(const json::value& v) {
  return v.is_array() && std::all_of(v.as_array().begin(), v.as_array().end(),
                                     [](const json::value& s) { return s.is_string(); });
}

// Whether `value` is of the kind keyword `key` takes.
bool KindFits(std::string_view key, const json::value& value) {
  if (key == "type") return value.is_string() && OneOf(kTypes, value.as_string());
  if (key == "format") return value.is_string() && OneOf(kFormats, value.as_string());
  if (key == "nullable" || key == "deprecated" || key == "readOnly" || key == "writeOnly") {
    return value.is_bool();
  }
  if (key == "enum") return value.is_array() && !value.as_array().empty();
  if (key == "required") return IsStringArray(value);
  if (key == "properties") {
    return value.is_object() && std::all_of(value.as_object().begin(), value.as_object().end(),
                                            [](const auto& m) { return m.value().is_object(); });
  }
  if (key == "additionalProperties") return value.is_bool() || value.is_object();
  if (key == "items" || key == "discriminator") return value.is_object();
  if (key.starts_with("min") || key.starts_with("max")) {
    return key == "minimum" || key == "maximum" ? value.is_number() : IsCount(value);
  }
  if (key == "oneOf" || key == "anyOf" || key == "allOf") return IsSchemaArray(value);
  if (key == "$ref" || key == "pattern" || key == "description" || key == "title") {
    return value.is_string();
  }
  return true;  // example, default: any value
}

const char* KindOf(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
      return "an integer";
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "?";
}

bool HasType(const json::value& v, std::string_view type) {
  if (type == "integer") {
    return v.is_int64() || v.is_uint64() ||
           (v.is_double() && std::isfinite(v.as_double()) &&
            std::trunc(v.as_double()) == v.as_double());
  }
  if (type == "number") return v.is_number();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_bool();
  if (type == "array") return v.is_array();
  return type == "object" && v.is_object();
}

size_t CodePoints(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool Digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

int Number(std::string_view digits) {
  int n = 0;
  for (char c : digits) n = n * 10 + (c - '0');
  return n;
}

// RFC 3339: 2026-11-28T20:00:00.000Z, fraction optional, Z or +hh:mm / -hh:mm.
bool DateTimeFits(std::string_view s) {
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  if (s.size() < kShape.size() + 1) return false;
  for (size_t i = 0; i < kShape.size(); ++i) {
    const char c = s[i];
    const bool ok = kShape[i] == 'd'   ? std::isdigit(static_cast<unsigned char>(c)) != 0
                    : kShape[i] == 'T' ? (c == 'T' || c == 't')
                                       : c == kShape[i];
    if (!ok) return false;
  }
  std::string_view rest = s.substr(kShape.size());
  if (rest.starts_with('.')) {
    const size_t end = rest.find_first_not_of("0123456789", 1);
    if (end == 1 || end == std::string_view::npos) return false;
    rest.remove_prefix(end);
  }
  const bool zone = rest == "Z" || rest == "z" ||
                    (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
                     Digits(rest.substr(1, 2)) && Digits(rest.substr(4, 2)));
  const int month = Number(s.substr(5, 2)), day = Number(s.substr(8, 2));
  return zone && month >= 1 && month <= 12 && day >= 1 && day <= 31 &&
         Number(s.substr(11, 2)) <= 23 && Number(s.substr(14, 2)) <= 59 &&
         Number(s.substr(17, 2)) <= 60;
}

// An absolute URI: a scheme, a colon, and no white space.
bool UriFits(std::string_view s) {
  const size_t colon = s.find(':');
  if (colon == 0 || colon == std::string_view::npos ||
      !std::isalpha(static_cast<unsigned char>(s[0]))) {
    return false;
  }
  const bool scheme = std::all_of(s.begin(), s.begin() + colon, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '.' || c == '-';
  });
  return scheme && std::none_of(s.begin(), s.end(),
                                [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

// Base64 with padding (RFC 4648).
bool Base64Fits(std::string_view s) {
  if (s.size() % 4 != 0) return false;
  const size_t padding = s.ends_with("==") ? 2 : s.ends_with('=') ? 1 : 0;
  return std::all_of(s.begin(), s.end() - static_cast<std::ptrdiff_t>(padding), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
  });
}

bool FormatFits(std::string_view format, std::string_view s) {
  if (format == "date-time") return DateTimeFits(s);
  if (format == "uri") return UriFits(s);
  return Base64Fits(s);  // byte
}

// The name of an alternative: its reference's last part, or its index.
std::string AlternativeName(const json::value& alternative, size_t index) {
  const json::value* ref = alternative.as_object().if_contains("$ref");
  if (ref == nullptr || !ref->is_string()) return "#" + std::to_string(index);
  const std::string_view r = ref->as_string();
  return std::string(r.substr(r.rfind('/') + 1));
}

// Where a discriminator sends `value`: its mapping, or the schema of that name.
std::string DiscriminatorTarget(const json::object& discriminator, std::string_view value) {
  if (const json::value* mapping = discriminator.if_contains("mapping");
      mapping != nullptr && mapping->is_object()) {
    if (const json::value* to = mapping->as_object().if_contains(value);
        to != nullptr && to->is_string()) {
      const std::string_view target = to->as_string();
      return target.starts_with("#") ? std::string(target)
                                     : std::string(kSchemasPrefix) + std::string(target);
    }
  }
  return std::string(kSchemasPrefix) + std::string(value);
}

}  // namespace

std::string EscapePointer(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

struct SchemaValidator::Run {
  std::string path;  // JSON pointer of the instance being checked
  std::vector<std::string> errors;
  int depth = 0;

  void Fail(std::string_view what) { Add((path.empty() ? "/" : path) + ": " + std::string(what)); }
  void Add(std::string error) {
    if (errors.size() < kErrorsMax) errors.push_back(std::move(error));
  }
  bool full() const { return errors.size() >= kErrorsMax; }
};

namespace {

// Appends a member name or an index to the run's path for the scope's life.
class PathScope {
 public:
  PathScope(std::string& path, std::string_view token) : path_(path), size_(path.size()) {
    path_ += '/';
    path_ += EscapePointer(token);
  }
  ~PathScope() { path_.resize(size_); }
  PathScope(const PathScope&) = delete;
  PathScope& operator=(const PathScope&) = delete;

 private:
  std::string& path_;
  size_t size_;
};

}  // namespace

SchemaValidator::SchemaValidator(const json::value& document, Options options)
    : document_(document), options_(options) {}

const json::value* SchemaValidator::Resolve(std::string_view ref) const {
  if (!ref.starts_with("#/")) return ref == "#" ? &document_ : nullptr;
  const json::value* at = &document_;
  std::string_view rest = ref.substr(2);
  while (at != nullptr) {
    const size_t slash = rest.find('/');
    std::string token(rest.substr(0, slash));
    for (size_t i; (i = token.find("~1")) != std::string::npos;) token.replace(i, 2, "/");
    for (size_t i; (i = token.find("~0")) != std::string::npos;) token.replace(i, 2, "~");
    if (const json::object* o = at->if_object()) {
      at = o->if_contains(token);
    } else {
      return nullptr;
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return at;
}

// ---- the schema itself ------------------------------------------------------------

std::vector<std::string> SchemaValidator::CheckSchema(const json::value& schema,
                                                      const std::string& where) const {
  std::vector<std::string> errors;
  CheckSchemaAt(schema, where, errors);
  return errors;
}

void SchemaValidator::ShallowCheck(const json::object& schema, const std::string& where,
                                   std::vector<std::string>& errors) const {
  for (const auto& member : schema) {
    const std::string_view key = member.key();
    const std::string at = where + "/" + EscapePointer(key);
    if (!OneOf(kKeywords, key) && !OneOf(kAnnotations, key) && !key.starts_with("x-")) {
      errors.push_back(at + ": unsupported keyword");
    } else if (!KindFits(key, member.value())) {
      errors.push_back(at + ": unsupported value " + json::serialize(member.value()));
    } else if (key == "pattern" && !PatternMatches(member.value().as_string(), "").has_value()) {
      errors.push_back(at + ": not an ECMAScript regular expression");
    }
  }
  if (const json::value* ref = schema.if_contains("$ref"); ref != nullptr && ref->is_string()) {
    if (schema.size() != 1)
      errors.push_back(where + ": $ref with siblings (OpenAPI 3.0 ignores them)");
    if (Resolve(ref->as_string()) == nullptr) {
      errors.push_back(where + ": $ref " + std::string(ref->as_string()) + " names nothing");
    }
  }
  if (schema.contains("discriminator")) CheckDiscriminator(schema, where, errors);
}

void SchemaValidator::CheckSchemaAt(const json::value& schema, const std::string& where,
                                    std::vector<std::string>& errors) const {
  const json::object* o = schema.if_object();
  if (o == nullptr) {
    errors.push_back(where + ": a schema must be an object");
    return;
  }
  ShallowCheck(*o, where, errors);
  for (const auto& member : *o) {
    const std::string_view key = member.key();
    const std::string at = where + "/" + EscapePointer(key);
    if (key == "properties" && member.value().is_object()) {
      for (const auto& p : member.value().as_object()) {
        CheckSchemaAt(p.value(), at + "/" + EscapePointer(p.key()), errors);
      }
    } else if ((key == "items" || key == "additionalProperties") && member.value().is_object()) {
      CheckSchemaAt(member.value(), at, errors);
    } else if ((key == "oneOf" || key == "anyOf" || key == "allOf") && member.value().is_array()) {
      const json::array& parts = member.value().as_array();
      for (size_t i = 0; i < parts.size(); ++i) {
        CheckSchemaAt(parts[i], at + "/" + std::to_string(i), errors);
      }
    }
  }
}

// Every value an alternative's discriminating property may take leads back
// to that alternative (through the mapping or the schema's name).
void SchemaValidator::CheckDiscriminator(const json::object& schema, const std::string& where,
                                         std::vector<std::string>& errors) const {
  const json::object& d = schema.at("discriminator").as_object();
  const json::value* name = d.if_contains("propertyName");
  const json::value* alternatives = schema.if_contains("oneOf");
  if (alternatives == nullptr) alternatives = schema.if_contains("anyOf");
  if (name == nullptr || !name->is_string() || alternatives == nullptr ||
      !alternatives->is_array()) {
    errors.push_back(where + ": a discriminator needs propertyName and oneOf or anyOf");
    return;
  }
  for (const json::value& alternative : alternatives->as_array()) {
    const json::value* ref =
        alternative.is_object() ? alternative.as_object().if_contains("$ref") : nullptr;
    const json::value* target =
        ref != nullptr && ref->is_string() ? Resolve(ref->as_string()) : nullptr;
    const json::value* property = target == nullptr
                                      ? nullptr
                                      : Resolve(std::string(ref->as_string()) + "/properties/" +
                                                std::string(name->as_string()));
    const json::value* values = property != nullptr && property->is_object()
                                    ? property->as_object().if_contains("enum")
                                    : nullptr;
    if (values == nullptr || !IsStringArray(*values)) {
      errors.push_back(where +
                       ": discriminated alternatives must be references to schemas with an "
                       "enum of strings for '" +
                       std::string(name->as_string()) + "'");
      continue;
    }
    for (const json::value& v : values->as_array()) {
      const std::string to = DiscriminatorTarget(d, v.as_string());
      if (to != ref->as_string()) {
        errors.push_back(where + ": discriminator value '" + std::string(v.as_string()) +
                         "' leads to " + to + ", not " + std::string(ref->as_string()));
      }
    }
  }
}

// ---- instances --------------------------------------------------------------------

std::vector<std::string> SchemaValidator::Validate(const json::value& schema,
                                                   const json::value& instance) const {
  Run run;
  Check(run, schema, instance, options_.closed_objects);
  return std::move(run.errors);
}

void SchemaValidator::Check(Run& run, const json::value& schema_value, const json::value& instance,
                            bool closed) const {
  if (run.full()) return;
  if (++run.depth > kDepthMax) {
    run.Fail("schema: nested deeper than " + std::to_string(kDepthMax) + " (a reference cycle?)");
    --run.depth;
    return;
  }
  CheckAt(run, schema_value, instance, closed);
  --run.depth;
}

void SchemaValidator::CheckAt(Run& run, const json::value& schema_value,
                              const json::value& instance, bool closed) const {
  const json::object* schema = schema_value.if_object();
  std::vector<std::string> broken;
  if (schema == nullptr) {
    broken.push_back("a schema must be an object");
  } else {
    ShallowCheck(*schema, "schema", broken);
  }
  for (const std::string& b : broken) run.Fail("schema error: " + b);
  if (!broken.empty()) return;
  if (const json::value* ref = schema->if_contains("$ref")) {
    Check(run, *Resolve(ref->as_string()), instance, closed);
    return;
  }
  const json::value* nullable = schema->if_contains("nullable");
  if (instance.is_null() && nullable != nullptr && nullable->as_bool()) return;
  if (!CheckType(run, *schema, instance)) return;
  if (const json::value* e = schema->if_contains("enum")) {
    const json::array& values = e->as_array();
    if (std::find(values.begin(), values.end(), instance) == values.end()) {
      run.Fail(json::serialize(instance) + " is not one of " + json::serialize(*e));
    }
  }
  if (instance.is_object()) CheckObject(run, *schema, instance.as_object(), closed);
  if (instance.is_array()) CheckArray(run, *schema, instance.as_array());
  if (instance.is_string()) CheckString(run, *schema, instance.as_string());
  if (instance.is_number()) CheckNumber(run, *schema, instance);
  CheckCombinations(run, *schema, instance);
}

bool SchemaValidator::CheckType(Run& run, const json::object& schema,
                                const json::value& instance) const {
  const json::value* type = schema.if_contains("type");
  if (type == nullptr) return true;
  if (HasType(instance, type->as_string())) return true;
  run.Fail(std::string(KindOf(instance)) + " where the schema wants " +
           std::string(type->as_string()));
  return false;
}

void SchemaValidator::CheckObject(Run& run, const json::object& schema,
                                  const json::object& instance, bool closed) const {
  if (const json::value* required = schema.if_contains("required")) {
    for (const json::value& name : required->as_array()) {
      if (!instance.contains(name.as_string())) {
        run.Fail("missing required member '" + std::string(name.as_string()) + "'");
      }
    }
  }
  const json::value* properties = schema.if_contains("properties");
  const json::value* additional = schema.if_contains("additionalProperties");
  std::set<std::string> declared;
  const bool closes =
      additional == nullptr && closed && DeclaredMembers(json::value(schema), declared);
  for (const auto& member : instance) {
    const json::value* property =
        properties == nullptr ? nullptr : properties->as_object().if_contains(member.key());
    PathScope scope(run.path, member.key());
    if (property != nullptr) {
      Check(run, *property, member.value(), options_.closed_objects);
    } else if (additional != nullptr && additional->is_object()) {
      Check(run, *additional, member.value(), options_.closed_objects);
    } else if ((additional != nullptr && additional->is_bool() && !additional->as_bool()) ||
               (closes && !declared.contains(std::string(member.key())))) {
      run.Fail("a member the schema does not declare");
    }
  }
}

bool SchemaValidator::DeclaredMembers(const json::value& schema, std::set<std::string>& out,
                                      int depth) const {
  const json::object* o = schema.if_object();
  if (o == nullptr || depth > kDepthMax) return false;
  if (const json::value* ref = o->if_contains("$ref"); ref != nullptr && ref->is_string()) {
    const json::value* target = Resolve(ref->as_string());
    return target != nullptr && DeclaredMembers(*target, out, depth + 1);
  }
  bool declares = false;
  if (const json::value* p = o->if_contains("properties"); p != nullptr && p->is_object()) {
    declares = true;
    for (const auto& m : p->as_object()) out.insert(std::string(m.key()));
  }
  if (const json::value* all = o->if_contains("allOf"); all != nullptr && all->is_array()) {
    for (const json::value& part : all->as_array()) {
      declares = DeclaredMembers(part, out, depth + 1) || declares;
    }
  }
  return declares;
}

void SchemaValidator::CheckArray(Run& run, const json::object& schema,
                                 const json::array& instance) const {
  if (const json::value* min = schema.if_contains("minItems");
      min != nullptr && instance.size() < min->to_number<uint64_t>()) {
    run.Fail("fewer than " + json::serialize(*min) + " items");
  }
  if (const json::value* max = schema.if_contains("maxItems");
      max != nullptr && instance.size() > max->to_number<uint64_t>()) {
    run.Fail("more than " + json::serialize(*max) + " items");
  }
  const json::value* items = schema.if_contains("items");
  if (items == nullptr) return;
  for (size_t i = 0; i < instance.size() && !run.full(); ++i) {
    PathScope scope(run.path, std::to_string(i));
    Check(run, *items, instance[i], options_.closed_objects);
  }
}

void SchemaValidator::CheckString(Run& run, const json::object& schema,
                                  std::string_view instance) const {
  const size_t length = CodePoints(instance);
  if (const json::value* min = schema.if_contains("minLength");
      min != nullptr && length < min->to_number<uint64_t>()) {
    run.Fail("shorter than " + json::serialize(*min) + " characters");
  }
  if (const json::value* max = schema.if_contains("maxLength");
      max != nullptr && length > max->to_number<uint64_t>()) {
    run.Fail("longer than " + json::serialize(*max) + " characters");
  }
  if (const json::value* pattern = schema.if_contains("pattern");
      pattern != nullptr && !PatternMatches(pattern->as_string(), instance).value_or(false)) {
    run.Fail("\"" + std::string(instance) + "\" does not match " + json::serialize(*pattern));
  }
  if (const json::value* format = schema.if_contains("format");
      format != nullptr && !FormatFits(format->as_string(), instance)) {
    run.Fail("\"" + std::string(instance) + "\" is not a " + std::string(format->as_string()));
  }
}

void SchemaValidator::CheckNumber(Run& run, const json::object& schema,
                                  const json::value& instance) const {
  const double x = instance.to_number<double>();
  if (const json::value* min = schema.if_contains("minimum");
      min != nullptr && x < min->to_number<double>()) {
    run.Fail(json::serialize(instance) + " is below the minimum " + json::serialize(*min));
  }
  if (const json::value* max = schema.if_contains("maximum");
      max != nullptr && x > max->to_number<double>()) {
    run.Fail(json::serialize(instance) + " is above the maximum " + json::serialize(*max));
  }
}

void SchemaValidator::CheckCombinations(Run& run, const json::object& schema,
                                        const json::value& instance) const {
  if (const json::value* all = schema.if_contains("allOf")) {
    // The parts are not closed on their own: the members of all of them count.
    for (const json::value& part : all->as_array()) Check(run, part, instance, false);
  }
  if (const json::value* any = schema.if_contains("anyOf")) {
    std::vector<std::string> first_errors;
    for (const json::value& alternative : any->as_array()) {
      Run sub{run.path, {}, run.depth};
      Check(sub, alternative, instance, options_.closed_objects);
      if (sub.errors.empty()) return;
      if (first_errors.empty()) first_errors = std::move(sub.errors);
    }
    run.Fail("matches none of the anyOf alternatives; the first says: " +
             (first_errors.empty() ? std::string() : first_errors.front()));
  }
  if (schema.contains("oneOf")) CheckOneOf(run, schema, instance);
}

void SchemaValidator::CheckOneOf(Run& run, const json::object& schema,
                                 const json::value& instance) const {
  const json::array& alternatives = schema.at("oneOf").as_array();
  std::vector<std::vector<std::string>> errors(alternatives.size());
  std::string matched;
  size_t matches = 0;
  for (size_t i = 0; i < alternatives.size(); ++i) {
    Run sub{run.path, {}, run.depth};
    Check(sub, alternatives[i], instance, options_.closed_objects);
    errors[i] = std::move(sub.errors);
    if (errors[i].empty()) {
      ++matches;
      matched += (matched.empty() ? "" : ", ") + AlternativeName(alternatives[i], i);
    }
  }
  if (matches == 1) return;
  if (matches > 1) {
    run.Fail("matches more than one oneOf alternative: " + matched);
    return;
  }
  std::optional<size_t> chosen = DiscriminatedAlternative(schema, instance);
  const size_t shown_from = chosen ? *chosen : 0;
  const size_t shown_to = chosen ? *chosen + 1 : alternatives.size();
  run.Fail(chosen ? "is not a valid " + AlternativeName(alternatives[*chosen], *chosen)
                  : std::string("matches none of the oneOf alternatives"));
  for (size_t i = shown_from; i < shown_to; ++i) {
    for (const std::string& e : errors[i]) {
      run.Add("  (" + AlternativeName(alternatives[i], i) + ") " + e);
    }
  }
}

std::optional<size_t> SchemaValidator::DiscriminatedAlternative(const json::object& schema,
                                                                const json::value& instance) const {
  const json::value* d = schema.if_contains("discriminator");
  if (d == nullptr || !instance.is_object()) return std::nullopt;
  const json::value* name = d->as_object().if_contains("propertyName");
  const json::value* value = name != nullptr && name->is_string()
                                 ? instance.as_object().if_contains(name->as_string())
                                 : nullptr;
  if (value == nullptr || !value->is_string()) return std::nullopt;
  const std::string target = DiscriminatorTarget(d->as_object(), value->as_string());
  const json::array& alternatives = schema.at("oneOf").as_array();
  for (size_t i = 0; i < alternatives.size(); ++i) {
    const json::value* ref = alternatives[i].as_object().if_contains("$ref");
    if (ref != nullptr && ref->is_string() && ref->as_string() == target) return i;
  }
  return std::nullopt;
}

}  // namespace boxoffice::testing
