#include "crypto/random.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <set>

namespace boxoffice::crypto {
namespace {

constexpr size_t kTokensPerBuffer = RandomTokens::kBufferBytes / sizeof(core::Token::bytes);

TEST(RandomBytes, FillsTheWholeBuffer) {
  // The chance that a given byte stays zero in all three draws is 2^-24.
  std::array<uint8_t, 64> seen_nonzero{};
  for (int draw = 0; draw < 3; ++draw) {
    std::array<uint8_t, 64> buffer{};
    RandomBytes(buffer);
    for (size_t i = 0; i < buffer.size(); ++i) seen_nonzero[i] |= buffer[i];
  }
  EXPECT_EQ(std::count(seen_nonzero.begin(), seen_nonzero.end(), 0), 0);
}

TEST(RandomBytes, AcceptsAnEmptyBuffer) { RandomBytes({}); }

TEST(RandomTokens, HandsOutDistinctTokens) {
  RandomTokens tokens;
  std::set<std::array<uint8_t, 16>> seen;
  const size_t count = kTokensPerBuffer * 5 + 7;
  for (size_t i = 0; i < count; ++i) seen.insert(tokens.Next().bytes);
  EXPECT_EQ(seen.size(), count);
}

TEST(RandomTokens, RefillsOnlyWhenTheBufferIsUsedUp) {
  RandomTokens tokens;
  EXPECT_EQ(tokens.refills(), 0u);
  (void)tokens.Next();
  EXPECT_EQ(tokens.refills(), 1u);
  for (size_t i = 1; i < kTokensPerBuffer; ++i) (void)tokens.Next();
  EXPECT_EQ(tokens.refills(), 1u);
  (void)tokens.Next();
  EXPECT_EQ(tokens.refills(), 2u);
}

TEST(RandomTokens, TokensAcrossARefillAreDistinctAndNotZero) {
  RandomTokens tokens;
  for (size_t i = 0; i + 1 < kTokensPerBuffer; ++i) (void)tokens.Next();
  const core::Token last = tokens.Next();
  const core::Token first_of_refill = tokens.Next();
  EXPECT_EQ(tokens.refills(), 2u);
  EXPECT_NE(last, first_of_refill);
  EXPECT_NE(first_of_refill, core::Token{});
}

TEST(RandomTokens, TwoSourcesDoNotRepeatEachOther) {
  RandomTokens a;
  RandomTokens b;
  EXPECT_NE(a.Next(), b.Next());
}

}  // namespace
}  // namespace boxoffice::crypto
