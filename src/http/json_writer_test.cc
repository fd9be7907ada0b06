#include "http/json_writer.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <limits>
#include <string>

namespace boxoffice::http {
namespace {

TEST(JsonWriterTest, WritesNestedObjectsAndArraysWithCommasInOrder) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Member("a", 1).Member("b", "x").Member("t", true).Member("f", false);
  w.Key("list").BeginArray().Int(-1).Uint(2).BeginObject().EndObject().BeginArray().EndArray();
  w.String("s").EndArray();
  w.Key("empty").BeginObject().EndObject();
  w.Key("raw").Raw(R"({"k":[1]})");
  w.EndObject();
  EXPECT_EQ(out, R"({"a":1,"b":"x","t":true,"f":false,"list":[-1,2,{},[],"s"],"empty":{},)"
                 R"("raw":{"k":[1]}})");
}

TEST(JsonWriterTest, WritesIntegerExtremes) {
  std::string out;
  JsonWriter w(out);
  w.BeginArray()
      .Int(std::numeric_limits<int64_t>::min())
      .Uint(std::numeric_limits<uint64_t>::max())
      .Int(0);
  w.EndArray();
  EXPECT_EQ(out, "[-9223372036854775808,18446744073709551615,0]");
}

TEST(JsonWriterTest, EscapesWhatJsonRequiresAndReadsBackTheSameBytes) {
  const std::string nasty = std::string("q\"b\\s/\b\f\n\r\t\x01\x1f", 13) + std::string(1, '\0') +
                            "\x7f" + "\xc3\xa9";  // é stays as UTF-8
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Member(nasty, nasty).EndObject();
  EXPECT_EQ(out.find('\n'), std::string::npos);
  EXPECT_NE(out.find(R"(\u0001\u001f\u0000)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"(q\"b\\s/\b\f\n\r\t)"), std::string::npos) << out;
  const boost::json::value v = boost::json::parse(out);
  ASSERT_TRUE(v.is_object());
  ASSERT_EQ(v.as_object().size(), 1u);
  const auto& [key, value] = *v.as_object().begin();
  EXPECT_EQ(std::string(key), nasty);
  EXPECT_EQ(std::string(value.as_string()), nasty);
}

TEST(JsonWriterDeathTest, UnbalancedOrKeylessStructureCrashes) {
  EXPECT_DEATH(
      {
        std::string out;
        JsonWriter(out).BeginObject().Int(1);
      },
      "");
  EXPECT_DEATH(
      {
        std::string out;
        JsonWriter(out).BeginArray().EndObject();
      },
      "");
  EXPECT_DEATH(
      {
        std::string out;
        JsonWriter(out).BeginArray().Key("k");
      },
      "");
}

}  // namespace
}  // namespace boxoffice::http
