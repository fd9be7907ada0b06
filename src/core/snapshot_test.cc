#include "core/snapshot.h"

#include <gtest/gtest.h>

namespace boxoffice::core {
namespace {

TEST(Snapshot, EncodesTwoBitsPerSeatAndDecodesBack) {
  std::vector<SeatState> states;
  for (int i = 0; i < 4 * 7 + 3; ++i) states.push_back(static_cast<SeatState>((i * 7 + i / 3) % 4));
  const std::string enc = EncodeSeatStates(states);
  EXPECT_EQ(enc.size(), (states.size() + 3) / 4);
  for (SeatIndex i = 0; i < states.size(); ++i) EXPECT_EQ(DecodeSeatState(enc, i), states[i]) << i;
}

TEST(Snapshot, KnownBytes) {
  const std::vector<SeatState> states = {SeatState::kFree, SeatState::kHeld, SeatState::kBooked,
                                         SeatState::kBlocked, SeatState::kHeld};
  const std::string enc = EncodeSeatStates(states);
  ASSERT_EQ(enc.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(enc[0]), 0b11'10'01'00);
  EXPECT_EQ(static_cast<unsigned char>(enc[1]), 0b01);
}

TEST(Snapshot, EmptyShowEncodesToNothing) { EXPECT_TRUE(EncodeSeatStates({}).empty()); }

}  // namespace
}  // namespace boxoffice::core
