#include "store/seat_map_codec.h"

#include <gtest/gtest.h>

#include <random>

#include "store/store_test_util.h"
#include "testing/seed.h"

namespace boxoffice::store {
namespace {

TEST(SeatMapCodec, EveryElementOfADescriptionRoundTrips) {
  const core::SeatMapSpec spec = testing::SmallSeatMap();
  StatusOr<core::SeatMapSpec> back = DecodeSeatMap(EncodeSeatMap(spec));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, spec);
  StatusOr<core::SeatMapSpec> empty = DecodeSeatMap(EncodeSeatMap({}));
  ASSERT_TRUE(empty.ok()) << empty.status().message();
  EXPECT_EQ(*empty, core::SeatMapSpec{});
}

TEST(SeatMapCodec, ExtremeNumbersRoundTrip) {
  core::SeatMapSpec spec;
  spec.sections.push_back({.id = "S", .rank = UINT32_MAX, .capacity = UINT32_MAX});
  spec.sections[0].rows.push_back({.label = "R",
                                   .blocks = {{INT32_MIN, INT32_MAX, -1, ""}},
                                   .accessible = {INT32_MIN, 0, INT32_MAX},
                                   .rank = 0});
  StatusOr<core::SeatMapSpec> back = DecodeSeatMap(EncodeSeatMap(spec));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, spec);
}

TEST(SeatMapCodec, ADocumentIsVersionedAndAnotherVersionIsRefused) {
  std::string doc = EncodeSeatMap(testing::SmallSeatMap());
  ASSERT_EQ(doc.substr(0, 5), std::string("BXSM") + char(kSeatMapFormat));
  doc[4] = static_cast<char>(kSeatMapFormat + 1);
  StatusOr<core::SeatMapSpec> newer = DecodeSeatMap(doc);
  EXPECT_EQ(newer.status().code(), StatusCode::kCorruption);
  EXPECT_NE(newer.status().message().find("format 2"), std::string::npos)
      << newer.status().message();
}

TEST(SeatMapCodec, EveryTruncationAndTrailingBytesAreCorruption) {
  const std::string doc = EncodeSeatMap(testing::SmallSeatMap());
  for (size_t n = 0; n < doc.size(); ++n) {
    EXPECT_EQ(DecodeSeatMap(doc.substr(0, n)).status().code(), StatusCode::kCorruption) << n;
  }
  EXPECT_EQ(DecodeSeatMap(doc + "x").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeSeatMap(R"({"name":"json"})").status().code(), StatusCode::kCorruption);
}

// Damaged documents decode to an error or to some description, never to a
// crash or a huge allocation.
TEST(SeatMapCodec, RandomDamageIsAnErrorNotACrash) {
  const uint64_t seed = boxoffice::testing::TestSeed("SeatMapCodec.RandomDamageIsAnErrorNotACrash");
  std::mt19937_64 rng(seed);
  const std::string doc = EncodeSeatMap(testing::SmallSeatMap());
  int refused = 0;
  for (int round = 0; round < 20'000; ++round) {
    std::string damaged = doc;
    for (int k = 1 + static_cast<int>(rng() % 3); k > 0; --k) {
      damaged[4 + rng() % (damaged.size() - 4)] = static_cast<char>(rng());
    }
    if (!DecodeSeatMap(damaged).ok()) ++refused;
  }
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace boxoffice::store
