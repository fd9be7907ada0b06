#include "testing/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>

namespace boxoffice::testing {
namespace {

namespace json = boost::json;

constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";

std::string Where(const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  return "line " + std::to_string(m.line + 1) + ", column " + std::to_string(m.column + 1);
}

bool IsDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// [-+]? digits
std::optional<json::value> CoreInteger(std::string_view s) {
  const std::string_view digits = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? s.substr(1) : s;
  if (!IsDigits(digits)) return std::nullopt;
  const std::string_view text = s[0] == '+' ? s.substr(1) : s;
  int64_t i = 0;
  if (auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
      ec == std::errc() && p == text.data() + text.size()) {
    return json::value(i);
  }
  uint64_t u = 0;
  if (auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), u);
      ec == std::errc() && p == text.data() + text.size()) {
    return json::value(u);
  }
  return std::nullopt;
}

// [-+]? ( . digits | digits [ . digits? ] ) ( [eE] [-+]? digits )?, and .inf / .nan.
std::optional<json::value> CoreFloat(std::string_view s) {
  std::string_view body = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? s.substr(1) : s;
  const bool negative = !s.empty() && s[0] == '-';
  if (body == ".inf" || body == ".Inf" || body == ".INF") {
    return json::value(negative ? -std::numeric_limits<double>::infinity()
                                : std::numeric_limits<double>::infinity());
  }
  if (s == ".nan" || s == ".NaN" || s == ".NAN") {
    return json::value(std::numeric_limits<double>::quiet_NaN());
  }
  const size_t e = body.find_first_of("eE");
  const std::string_view mantissa = body.substr(0, e);
  if (e != std::string_view::npos) {
    std::string_view exponent = body.substr(e + 1);
    if (!exponent.empty() && (exponent[0] == '-' || exponent[0] == '+')) exponent.remove_prefix(1);
    if (!IsDigits(exponent)) return std::nullopt;
  }
  const size_t dot = mantissa.find('.');
  const std::string_view whole = mantissa.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : mantissa.substr(dot + 1);
  const bool shaped = dot == std::string_view::npos
                          ? IsDigits(whole)
                          : (whole.empty() || IsDigits(whole)) &&
                                (fraction.empty() || IsDigits(fraction)) &&
                                !(whole.empty() && fraction.empty());
  if (!shaped) return std::nullopt;
  return json::value(std::strtod(std::string(s).c_str(), nullptr));
}

json::value PlainScalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (std::optional<json::value> i = CoreInteger(s)) return *i;
  if (std::optional<json::value> f = CoreFloat(s)) return *f;
  return json::value(s);
}

StatusOr<json::value> Convert(const YAML::Node& node);

StatusOr<json::value> ConvertScalar(const YAML::Node& node) {
  const std::string& tag = node.Tag();
  const std::string& text = node.Scalar();
  if (tag == "!" || tag == std::string(kTagPrefix) + "str") return json::value(text);
  if (tag == "?") return PlainScalar(text);
  return Status::InvalidArgument("unsupported tag '" + tag + "' at " + Where(node));
}

StatusOr<json::value> ConvertMap(const YAML::Node& node) {
  json::object out;
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) {
      return Status::InvalidArgument("a mapping key that is not a scalar at " + Where(entry.first));
    }
    const std::string& key = entry.first.Scalar();
    if (out.contains(key)) {
      return Status::InvalidArgument("duplicate key '" + key + "' at " + Where(entry.first));
    }
    StatusOr<json::value> v = Convert(entry.second);
    if (!v.ok()) return v.status();
    out.emplace(key, std::move(*v));
  }
  return json::value(std::move(out));
}

StatusOr<json::value> Convert(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return json::value(nullptr);
    case YAML::NodeType::Scalar:
      return ConvertScalar(node);
    case YAML::NodeType::Sequence: {
      json::array out;
      for (const YAML::Node& item : node) {
        StatusOr<json::value> v = Convert(item);
        if (!v.ok()) return v.status();
        out.push_back(std::move(*v));
      }
      return json::value(std::move(out));
    }
    case YAML::NodeType::Map:
      return ConvertMap(node);
  }
  return Status::InvalidArgument("unknown YAML node at " + Where(node));
}

}  // namespace

StatusOr<json::value> ParseYaml(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("not valid YAML: " + e.msg + " at line " +
                                   std::to_string(e.mark.line + 1) + ", column " +
                                   std::to_string(e.mark.column + 1));
  }
  return Convert(root);
}

StatusOr<json::value> ReadYamlFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  StatusOr<json::value> v = ParseYaml(s.str());
  if (!v.ok()) return Status::InvalidArgument(path + ": " + v.status().message());
  return v;
}

}  // namespace boxoffice::testing
