#include "testing/ecma_pattern.h"

#include <regex>
#include <string>

namespace boxoffice::testing {

std::optional<bool> PatternMatches(std::string_view pattern, std::string_view text) {
  try {
    const std::regex re{std::string(pattern), std::regex::ECMAScript};
    return std::regex_search(text.begin(), text.end(), re);
  } catch (const std::regex_error&) {
    return std::nullopt;
  }
}

}  // namespace boxoffice::testing
