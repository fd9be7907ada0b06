#include "http/json_reader.h"

#include <gtest/gtest.h>

namespace boxoffice::http {
namespace {

std::string ErrorOf(std::string_view body, void (*read)(ObjectReader&)) {
  StatusOr<boost::json::value> v = ParseJson(body);
  if (!v.ok()) return v.status().message();
  ObjectReader r(*v, "");
  read(r);
  return r.Finish().message();
}

TEST(JsonReader, RejectsMalformedJson) {
  EXPECT_FALSE(ParseJson("{").ok());
  EXPECT_FALSE(ParseJson("{\"a\":1,}").ok());
  EXPECT_FALSE(ParseJson("{\"a\":1} x").ok());
  EXPECT_FALSE(ParseJson("").ok());
  EXPECT_FALSE(ParseJson("// c\n{}").ok());
}

TEST(JsonReader, RejectsDeepNesting) {
  std::string deep(kJsonDepthMax + 1, '[');
  deep += std::string(kJsonDepthMax + 1, ']');
  EXPECT_FALSE(ParseJson(deep).ok());
  std::string ok(kJsonDepthMax - 1, '[');
  ok += std::string(kJsonDepthMax - 1, ']');
  EXPECT_TRUE(ParseJson(ok).ok());
}

TEST(JsonReader, RejectsInvalidUtf8) {
  EXPECT_FALSE(ParseJson("{\"a\":\"\xff\xfe\"}").ok());
  EXPECT_FALSE(ParseJson("{\"a\":\"\xc3\"}").ok());
  EXPECT_TRUE(ParseJson("{\"a\":\"caf\xc3\xa9\"}").ok());
}

TEST(JsonReader, AStringWithANulCharacterIsRefused) {
  const std::string error = ErrorOf(
      R"({"name":"a\u0000b"})", [](ObjectReader& r) { r.String("name", Field::kRequired, 10); });
  EXPECT_NE(error.find("name"), std::string::npos) << error;
  EXPECT_NE(error.find("NUL"), std::string::npos) << error;
}

TEST(JsonReader, ReadsTypedMembers) {
  StatusOr<boost::json::value> v = ParseJson(R"({"s":"x","i":7,"b":true,"a":[1,2]})");
  ASSERT_TRUE(v.ok());
  ObjectReader r(*v, "");
  EXPECT_EQ(r.String("s", Field::kRequired, 10), "x");
  EXPECT_EQ(r.Int("i", Field::kRequired, 0, 10), 7);
  EXPECT_EQ(r.Bool("b", Field::kRequired), true);
  ASSERT_NE(r.Array("a", Field::kRequired, 2), nullptr);
  EXPECT_EQ(r.String("missing", Field::kOptional, 10), std::nullopt);
  EXPECT_TRUE(r.Finish().ok());
}

TEST(JsonReader, NamesTheMemberInEveryError) {
  EXPECT_EQ(ErrorOf(R"([])", [](ObjectReader&) {}), "body: expected an object, got an array");
  EXPECT_EQ(ErrorOf(R"({})", [](ObjectReader& r) { r.String("name", Field::kRequired, 5); }),
            "name: is required");
  EXPECT_EQ(
      ErrorOf(R"({"name":3})", [](ObjectReader& r) { r.String("name", Field::kRequired, 5); }),
      "name: expected a string, got an integer");
  EXPECT_EQ(ErrorOf(R"({"name":"toolong"})",
                    [](ObjectReader& r) { r.String("name", Field::kRequired, 5); }),
            "name: longer than 5 bytes");
  EXPECT_EQ(ErrorOf(R"({"n":11})", [](ObjectReader& r) { r.Int("n", Field::kRequired, 0, 10); }),
            "n: must be between 0 and 10");
  EXPECT_EQ(ErrorOf(R"({"n":1.5})", [](ObjectReader& r) { r.Int("n", Field::kRequired, 0, 10); }),
            "n: expected an integer, got a number");
  EXPECT_EQ(ErrorOf(R"({"n":18446744073709551615})",
                    [](ObjectReader& r) { r.Int("n", Field::kRequired, 0, 10); }),
            "n: out of range");
  EXPECT_EQ(
      ErrorOf(R"({"n":1,"typo":2})", [](ObjectReader& r) { r.Int("n", Field::kRequired, 0, 10); }),
      "typo: unknown member");
  EXPECT_EQ(ErrorOf(R"({"a":[1,2,3]})", [](ObjectReader& r) { r.Array("a", Field::kRequired, 2); }),
            "a: more than 2 items");
}

}  // namespace
}  // namespace boxoffice::http
