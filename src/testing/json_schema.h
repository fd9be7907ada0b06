// SchemaValidator: checks JSON values against the Schema Objects of one
// OpenAPI 3.0 document, for the tests that hold the server to
// docs/openapi.yaml.
//
//   testing::SchemaValidator v(document, {.closed_objects = true});
//   std::vector<std::string> errors = v.Validate(schema, instance);  // empty: valid
//
// The subset of JSON Schema the document uses:
//   type (one of string, number, integer, boolean, array, object), nullable,
//   enum, required, properties, additionalProperties (bool or schema), items,
//   minItems, maxItems, minLength, maxLength (in code points), pattern
//   (ECMAScript, unanchored), minimum, maximum, oneOf (exactly one), anyOf,
//   allOf, $ref ("#/..." in the same document, alone: OpenAPI 3.0 ignores
//   its siblings), format (date-time, uri, byte), discriminator (propertyName
//   and mapping).
// Annotations are skipped: description, title, example, default, deprecated,
// readOnly, writeOnly and x-* extensions. Any other keyword, a keyword with a
// value of the wrong kind, an unknown format or a reference that resolves to
// nothing is an error in the schema, reported among the errors: a schema the
// validator does not understand never passes silently. CheckSchema reports
// those without an instance.
//
// closed_objects: an object schema that lists `properties` and says nothing
// of `additionalProperties` admits no other members (OpenAPI admits any by
// default). Used on responses, so that a member the server sends and the
// document does not describe is a finding. The members of an `allOf` are
// those of all its parts.
//
// Errors read "<JSON pointer of the instance>: <what>", at most kErrorsMax.
// Thread-safety: const methods, safe to share once built; the document must
// outlive the validator.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace boxoffice::testing {

// A member name as a JSON pointer token ("a/b" -> "a~1b").
std::string EscapePointer(std::string_view token);

class SchemaValidator {
 public:
  struct Options {
    bool closed_objects = false;
  };
  static constexpr size_t kErrorsMax = 20;

  SchemaValidator(const boost::json::value& document, Options options);

  std::vector<std::string> Validate(const boost::json::value& schema,
                                    const boost::json::value& instance) const;

  // Errors in `schema` itself and every schema nested in it (not following
  // references, which must resolve), named from `where`.
  std::vector<std::string> CheckSchema(const boost::json::value& schema,
                                       const std::string& where) const;

  // The value a local reference ("#/components/schemas/Hold") names, or nullptr.
  const boost::json::value* Resolve(std::string_view ref) const;

 private:
  struct Run;

  void Check(Run& run, const boost::json::value& schema, const boost::json::value& instance,
             bool closed) const;
  void CheckAt(Run& run, const boost::json::value& schema, const boost::json::value& instance,
               bool closed) const;
  bool CheckType(Run& run, const boost::json::object& schema,
                 const boost::json::value& instance) const;
  void CheckObject(Run& run, const boost::json::object& schema, const boost::json::object& instance,
                   bool closed) const;
  void CheckArray(Run& run, const boost::json::object& schema,
                  const boost::json::array& instance) const;
  void CheckString(Run& run, const boost::json::object& schema, std::string_view instance) const;
  void CheckNumber(Run& run, const boost::json::object& schema,
                   const boost::json::value& instance) const;
  void CheckCombinations(Run& run, const boost::json::object& schema,
                         const boost::json::value& instance) const;
  void CheckOneOf(Run& run, const boost::json::object& schema,
                  const boost::json::value& instance) const;
  // The oneOf alternative the discriminator names for `instance`, if any.
  std::optional<size_t> DiscriminatedAlternative(const boost::json::object& schema,
                                                 const boost::json::value& instance) const;
  // The members `schema` declares, through $ref and allOf; false when it
  // declares none (a free-form object).
  bool DeclaredMembers(const boost::json::value& schema, std::set<std::string>& out,
                       int depth = 0) const;
  // The schema's own keywords (not the schemas nested in it).
  void ShallowCheck(const boost::json::object& schema, const std::string& where,
                    std::vector<std::string>& errors) const;
  void CheckSchemaAt(const boost::json::value& schema, const std::string& where,
                     std::vector<std::string>& errors) const;
  void CheckDiscriminator(const boost::json::object& schema, const std::string& where,
                          std::vector<std::string>& errors) const;

  const boost::json::value& document_;
  Options options_;
};

}  // namespace boxoffice::testing
