// The API's mapping of domain outcomes and Status codes to problems.
#include "http/api_detail.h"

#include <gtest/gtest.h>

namespace boxoffice::http::api_detail {
namespace {

// Every refusal the core can give is a client error with its own stable code,
// never a 500: an outcome added without a problem fails here (and the switch
// in FromOutcome has no default, so the compiler names it first).
TEST(ApiProblemsTest, EveryRefusalIsAClientErrorWithACode) {
  for (int i = 1; i <= static_cast<int>(core::kOutcomeLast); ++i) {
    const auto o = static_cast<core::Outcome>(i);
    const Problem p = FromOutcome(o);
    SCOPED_TRACE(std::string(core::OutcomeName(o)));
    EXPECT_GE(p.status, 400u);
    EXPECT_LT(p.status, 500u);
    EXPECT_FALSE(p.code.empty());
    EXPECT_NE(p.code, "internal_error");
  }
}

TEST(ApiProblemsTest, SeatNotBlockedIsAConflict) {
  const Problem p = FromOutcome(core::Outcome::kSeatNotBlocked);
  EXPECT_EQ(p.status, 409u);
  EXPECT_EQ(p.code, "seat_not_blocked");
}

}  // namespace
}  // namespace boxoffice::http::api_detail
