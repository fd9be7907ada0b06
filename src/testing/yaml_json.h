// ParseYaml: one YAML document as a Boost.JSON value, for the tests that
// read docs/openapi.yaml. The only place that includes yaml-cpp.
//
//   StatusOr<boost::json::value> doc = testing::ReadYamlFile("docs/openapi.yaml");
//
// Plain scalars are typed by the YAML 1.2 core schema (null, true/false,
// decimal integers, floats; anything else is a string); quoted scalars and
// `!!str` are strings. Mapping keys must be scalars and unique: a repeated
// key is an error (yaml-cpp would keep both), as are other explicit tags.
// A document that is not valid YAML is InvalidArgument with yaml-cpp's
// line and column (1-based).
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "core/status.h"

namespace boxoffice::testing {

StatusOr<boost::json::value> ParseYaml(std::string_view text);

// ParseYaml of the file's contents; IoError when it cannot be read.
StatusOr<boost::json::value> ReadYamlFile(const std::string& path);

}  // namespace boxoffice::testing
