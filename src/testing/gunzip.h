// Gunzip: inflates a gzip body with zlib, for tests that check a server's
// gzip content coding independently of the code that compressed it.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace boxoffice::testing {

// The text of one complete gzip member; kInvalidArgument if `gz` is not one
// (truncated, corrupt, or followed by other bytes).
StatusOr<std::string> Gunzip(std::string_view gz);

}  // namespace boxoffice::testing
