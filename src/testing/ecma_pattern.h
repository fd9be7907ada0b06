// PatternMatches: a JSON Schema `pattern` (an ECMAScript regular expression,
// not anchored) against a string, with std::regex.
//
// In a file of its own because GCC 12 warns falsely (maybe-uninitialized,
// inside libstdc++'s regex compiler) when built with -O1 and the
// sanitizers; only this file is built without that warning.
//
// Thread-safety: a pure function.
#pragma once

#include <optional>
#include <string_view>

namespace boxoffice::testing {

// Whether `text` contains a match of `pattern`; nullopt when `pattern` is
// not an ECMAScript regular expression.
std::optional<bool> PatternMatches(std::string_view pattern, std::string_view text);

}  // namespace boxoffice::testing
