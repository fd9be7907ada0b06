#include "testing/yaml_json.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace boxoffice::testing {
namespace {

namespace json = boost::json;

json::value Parsed(std::string_view text) {
  StatusOr<json::value> v = ParseYaml(text);
  EXPECT_TRUE(v.ok()) << v.status().message();
  return v.ok() ? *v : json::value();
}

TEST(YamlJsonTest, PlainScalarsAreTypedByTheCoreSchema) {
  const json::value v = Parsed(
      "int: 42\nnegative: -7\nbig: 18446744073709551615\nfloat: 1.5\nexp: 2e3\n"
      "yes_is_text: yes\nt: true\nf: False\nnothing: null\ntilde: ~\nempty:\n"
      "text: Boxoffice API\nversion: 1.0.3\n");
  const json::object& o = v.as_object();
  EXPECT_EQ(o.at("int"), json::value(42));
  EXPECT_EQ(o.at("negative"), json::value(-7));
  EXPECT_TRUE(o.at("big").is_uint64());
  EXPECT_EQ(o.at("float"), json::value(1.5));
  EXPECT_EQ(o.at("exp"), json::value(2000.0));
  EXPECT_EQ(o.at("yes_is_text"), json::value("yes"));  // YAML 1.2: not a boolean
  EXPECT_EQ(o.at("t"), json::value(true));
  EXPECT_EQ(o.at("f"), json::value(false));
  EXPECT_TRUE(o.at("nothing").is_null());
  EXPECT_TRUE(o.at("tilde").is_null());
  EXPECT_TRUE(o.at("empty").is_null());
  EXPECT_EQ(o.at("text"), json::value("Boxoffice API"));
  EXPECT_EQ(o.at("version"), json::value("1.0.3"));
}

TEST(YamlJsonTest, QuotedScalarsStayStrings) {
  const json::value v = Parsed("\"200\": {a: '1', b: \"true\", c: !!str 3}\n");
  EXPECT_EQ(json::serialize(v), R"({"200":{"a":"1","b":"true","c":"3"}})");
}

TEST(YamlJsonTest, SequencesMappingsAndBlockText) {
  const json::value v = Parsed(
      "tags: [a, b]\nlist:\n  - name: x\n    n: 1\n  - name: y\ntext: |\n  line one\n  line two\n");
  EXPECT_EQ(json::serialize(v), R"({"tags":["a","b"],"list":[{"name":"x","n":1},{"name":"y"}],)"
                                R"("text":"line one\nline two\n"})");
}

// The form docs/openapi.yaml once had: a plain scalar with ": " inside.
TEST(YamlJsonTest, APlainScalarWithAColonAndSpaceIsAnErrorWithItsLine) {
  StatusOr<json::value> v = ParseYaml(
      "responses:\n  \"200\":\n    description: A fresh challenge (`Cache-Control: "
      "no-store`).\n");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("line 3"), std::string::npos) << v.status().message();
}

TEST(YamlJsonTest, ARepeatedKeyIsAnError) {
  StatusOr<json::value> v = ParseYaml("a:\n  b: 1\n  b: 2\n");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("duplicate key 'b'"), std::string::npos)
      << v.status().message();
}

TEST(YamlJsonTest, UnknownTagsAndComplexKeysAreErrors) {
  EXPECT_FALSE(ParseYaml("a: !custom 1\n").ok());
  EXPECT_FALSE(ParseYaml("? [a, b]\n: 1\n").ok());
}

TEST(YamlJsonTest, AMissingFileIsAnIoError) {
  StatusOr<json::value> v = ReadYamlFile("/nonexistent/openapi.yaml");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace boxoffice::testing
