// Tests name the core's deterministic TokenSource from here.
#pragma once

#include "core/seeded_tokens.h"

namespace boxoffice::testing {

using core::SeededTokens;

}  // namespace boxoffice::testing
