#include "testing/json_schema.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace boxoffice::testing {
namespace {

namespace json = boost::json;

// A document with the shapes the API uses: a discriminated union of holds,
// a problem with free members, a base schema extended through allOf.
const json::value kDocument = json::parse(R"({
  "components": {"schemas": {
    "LiveHold": {"type": "object", "required": ["id", "status", "seats", "expires_at"],
      "properties": {"id": {"type": "string", "pattern": "^h[0-9]+-[0-9]+$"},
                     "status": {"type": "string", "enum": ["held"]},
                     "seats": {"type": "array", "minItems": 1, "maxItems": 3,
                               "items": {"type": "string", "maxLength": 4}},
                     "expires_at": {"type": "string", "format": "date-time"},
                     "total_minor": {"type": "integer", "minimum": 0, "maximum": 100}}},
    "ClosedHold": {"type": "object", "required": ["id", "status"],
      "properties": {"id": {"type": "string"},
                     "status": {"type": "string", "enum": ["released", "expired"]}}},
    "Hold": {"oneOf": [{"$ref": "#/components/schemas/LiveHold"},
                       {"$ref": "#/components/schemas/ClosedHold"}],
             "discriminator": {"propertyName": "status",
               "mapping": {"held": "#/components/schemas/LiveHold",
                           "released": "#/components/schemas/ClosedHold",
                           "expired": "ClosedHold"}}},
    "Problem": {"type": "object", "required": ["code"], "additionalProperties": true,
      "properties": {"code": {"type": "string"}, "type": {"type": "string", "format": "uri"}}},
    "Base": {"type": "object", "properties": {"a": {"type": "integer"}}},
    "Extended": {"allOf": [{"$ref": "#/components/schemas/Base"},
                           {"type": "object", "properties": {"b": {"type": "boolean"}}}]},
    "Prices": {"type": "object", "additionalProperties": {"type": "integer"}},
    "Nullable": {"type": "integer", "nullable": true},
    "Bytes": {"type": "string", "format": "byte"},
    "Either": {"anyOf": [{"type": "integer"}, {"type": "string", "minLength": 2}]}
  }}})");

std::vector<std::string> Errors(std::string_view schema, std::string_view instance,
                                bool closed = true) {
  const SchemaValidator v(kDocument, {.closed_objects = closed});
  return v.Validate(json::value{{"$ref", "#/components/schemas/" + std::string(schema)}},
                    json::parse(instance));
}

::testing::AssertionResult Valid(std::string_view schema, std::string_view instance) {
  const std::vector<std::string> e = Errors(schema, instance);
  if (e.empty()) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure() << instance << " is not a valid " << schema << ":";
  for (const std::string& s : e) failure << "\n  " << s;
  return failure;
}

// At least one error, and one of them mentions `what`.
::testing::AssertionResult Invalid(std::string_view schema, std::string_view instance,
                                   std::string_view what) {
  const std::vector<std::string> e = Errors(schema, instance);
  for (const std::string& s : e) {
    if (s.find(what) != std::string::npos) return ::testing::AssertionSuccess();
  }
  auto failure = ::testing::AssertionFailure()
                 << instance << " as " << schema << ": no error with '" << what << "' among "
                 << e.size() << ":";
  for (const std::string& s : e) failure << "\n  " << s;
  return failure;
}

constexpr std::string_view kLive =
    R"({"id":"h1-2","status":"held","seats":["A-1"],"expires_at":"2026-11-28T20:00:00.000Z"})";

TEST(SchemaValidatorTest, AcceptsWhatTheSchemaDescribes) {
  EXPECT_TRUE(Valid("LiveHold", kLive));
  EXPECT_TRUE(Valid("Hold", kLive));
  EXPECT_TRUE(Valid("Hold", R"({"id":"h1-2","status":"expired"})"));
  EXPECT_TRUE(Valid("Problem", R"({"code":"x","type":"https://boxoffice.dev/problems/x","n":1})"));
  EXPECT_TRUE(Valid("Extended", R"({"a":1,"b":true})"));
  EXPECT_TRUE(Valid("Prices", R"({"PREM":9900,"STD":4900})"));
  EXPECT_TRUE(Valid("Nullable", "null"));
  EXPECT_TRUE(Valid("Nullable", "7"));
  EXPECT_TRUE(Valid("Nullable", "7.0"));  // JSON Schema: an integral number is an integer
  EXPECT_TRUE(Valid("Bytes", R"("AAEC/w==")"));
  EXPECT_TRUE(Valid("Either", "3"));
  EXPECT_TRUE(Valid("Either", R"("ab")"));
}

TEST(SchemaValidatorTest, TypesRequiredMembersAndEnums) {
  EXPECT_TRUE(Invalid("LiveHold", R"([])", "an array where the schema wants object"));
  EXPECT_TRUE(Invalid("LiveHold", R"({"id":"h1-2","status":"held","seats":["A"]})",
                      "missing required member 'expires_at'"));
  EXPECT_TRUE(Invalid("ClosedHold", R"({"id":"h1-2","status":"held"})", "is not one of"));
  EXPECT_TRUE(Invalid("Nullable", "1.5", "a number where the schema wants integer"));
  EXPECT_TRUE(Valid("Nullable", "1e300"));  // integral, though no int64 holds it
  EXPECT_TRUE(Invalid("Nullable", R"("7")", "a string where the schema wants integer"));
  EXPECT_TRUE(Invalid("Prices", R"({"PREM":"9900"})", "/PREM: a string"));
}

TEST(SchemaValidatorTest, StringArrayAndNumberLimits) {
  EXPECT_TRUE(Invalid("LiveHold",
                      R"({"id":"x1-2","status":"held","seats":["A"],)"
                      R"("expires_at":"2026-11-28T20:00:00Z"})",
                      "does not match"));
  EXPECT_TRUE(Invalid("LiveHold",
                      R"({"id":"h1-2","status":"held","seats":[],)"
                      R"("expires_at":"2026-11-28T20:00:00Z"})",
                      "fewer than 1 items"));
  EXPECT_TRUE(Invalid("LiveHold",
                      R"({"id":"h1-2","status":"held","seats":["A","B","C","D"],)"
                      R"("expires_at":"2026-11-28T20:00:00Z"})",
                      "more than 3 items"));
  EXPECT_TRUE(Invalid("LiveHold",
                      R"({"id":"h1-2","status":"held","seats":["A-123"],)"
                      R"("expires_at":"2026-11-28T20:00:00Z"})",
                      "/seats/0: longer than 4"));
  EXPECT_TRUE(Invalid("LiveHold",
                      R"({"id":"h1-2","status":"held","seats":["A"],)"
                      R"("expires_at":"2026-11-28T20:00:00Z","total_minor":101})",
                      "above the maximum"));
  EXPECT_TRUE(Invalid("Either", R"("a")", "matches none of the anyOf"));
}

TEST(SchemaValidatorTest, Formats) {
  for (const char* good : {"2026-11-28T20:00:00+02:00", "2026-11-28t20:00:00.5z"}) {
    EXPECT_TRUE(Valid(
        "LiveHold",
        std::string(R"({"id":"h1-2","status":"held","seats":["A"],"expires_at":")") + good + "\"}"))
        << good;
  }
  for (const char* bad : {"2026-11-28 20:00:00Z", "2026-13-28T20:00:00Z", "2026-11-28T20:00:00",
                          "2026-11-28T24:00:00Z", "2026-11-28T20:00:00.Z", "yesterday"}) {
    EXPECT_TRUE(Invalid(
        "LiveHold",
        std::string(R"({"id":"h1-2","status":"held","seats":["A"],"expires_at":")") + bad + "\"}",
        "is not a date-time"))
        << bad;
  }
  EXPECT_TRUE(Invalid("Problem", R"({"code":"x","type":"no scheme"})", "is not a uri"));
  EXPECT_TRUE(Invalid("Bytes", R"("AAE")", "is not a byte"));
  EXPECT_TRUE(Invalid("Bytes", R"("AA=A")", "is not a byte"));
}

TEST(SchemaValidatorTest, ClosedObjectsRefuseMembersTheSchemaDoesNotDeclare) {
  const std::string extra =
      R"({"id":"h1-2","status":"held","seats":["A"],"expires_at":"2026-11-28T20:00:00Z","x":1})";
  EXPECT_TRUE(Invalid("LiveHold", extra, "/x: a member the schema does not declare"));
  EXPECT_TRUE(Errors("LiveHold", extra, /*closed=*/false).empty());
  // allOf: the members of every part count, and only those.
  EXPECT_TRUE(Invalid("Extended", R"({"a":1,"b":true,"c":2})", "/c: a member"));
  // Explicitly open objects stay open.
  EXPECT_TRUE(Valid("Problem", R"({"code":"x","conflicts":["A-1"]})"));
}

TEST(SchemaValidatorTest, OneOfWantsExactlyOneAndTheDiscriminatorNamesTheCulprit) {
  // A closed hold with the live members: the discriminator says which
  // alternative was meant, and its errors are the ones reported.
  EXPECT_TRUE(Invalid("Hold", R"({"id":"h1-2","status":"released","seats":["A"]})",
                      "is not a valid ClosedHold"));
  EXPECT_TRUE(Invalid("Hold", R"({"id":"h1-2","status":"released","seats":["A"]})",
                      "/seats: a member the schema does not declare"));
  EXPECT_TRUE(Invalid("Hold", R"({"id":"h1-2","status":"lost"})",
                      "matches none of the oneOf alternatives"));
  const json::value both = json::parse(R"({"components":{"schemas":{
      "Any": {"oneOf": [{"type": "integer"}, {"type": "number"}]}}}})");
  const SchemaValidator v(both, {});
  const std::vector<std::string> e =
      v.Validate(json::value{{"$ref", "#/components/schemas/Any"}}, json::value(3));
  ASSERT_EQ(e.size(), 1u);
  EXPECT_NE(e[0].find("matches more than one oneOf alternative"), std::string::npos) << e[0];
}

TEST(SchemaValidatorTest, KeywordsItDoesNotKnowAreErrorsNotSilence) {
  const SchemaValidator v(kDocument, {});
  const json::value unknown = json::parse(R"({"type":"string","minLenght":3})");
  std::vector<std::string> e = v.Validate(unknown, json::value("ab"));
  ASSERT_EQ(e.size(), 1u);
  EXPECT_NE(e[0].find("schema error: schema/minLenght: unsupported keyword"), std::string::npos)
      << e[0];
  e = v.CheckSchema(json::parse(R"({"type":"object","properties":{"a":{"type":"strin"}}})"), "#/x");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_NE(e[0].find("#/x/properties/a/type: unsupported value"), std::string::npos) << e[0];
  e = v.CheckSchema(json::parse(R"({"type":"string","format":"email"})"), "#/y");
  EXPECT_EQ(e.size(), 1u);
  e = v.CheckSchema(json::parse(R"({"type":"string","pattern":"^[a-"})"), "#/p");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_NE(e[0].find("not an ECMAScript regular expression"), std::string::npos) << e[0];
  e = v.CheckSchema(json::parse(R"({"$ref":"#/components/schemas/Nope"})"), "#/z");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_NE(e[0].find("names nothing"), std::string::npos) << e[0];
  e = v.CheckSchema(json::parse(R"({"$ref":"#/components/schemas/Base","description":"d"})"),
                    "#/w");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_NE(e[0].find("$ref with siblings"), std::string::npos) << e[0];
  EXPECT_TRUE(v.CheckSchema(json::parse(R"({"type":"string","x-internal":true})"), "#/v").empty());
}

TEST(SchemaValidatorTest, ADiscriminatorWhoseValuesLeadElsewhereIsAnError) {
  const SchemaValidator v(kDocument, {});
  for (const auto& [name, schema] : kDocument.at("components").at("schemas").as_object()) {
    EXPECT_TRUE(v.CheckSchema(schema, std::string(name)).empty()) << name;
  }
  // Without a mapping, "held" would mean a schema named "held".
  const json::value unmapped = json::parse(R"({
      "oneOf": [{"$ref": "#/components/schemas/LiveHold"},
                {"$ref": "#/components/schemas/ClosedHold"}],
      "discriminator": {"propertyName": "status"}})");
  const std::vector<std::string> e = v.CheckSchema(unmapped, "#/u");
  ASSERT_EQ(e.size(), 3u);  // held, released, expired
  EXPECT_NE(e[0].find("discriminator value 'held' leads to #/components/schemas/held"),
            std::string::npos)
      << e[0];
}

}  // namespace
}  // namespace boxoffice::testing
