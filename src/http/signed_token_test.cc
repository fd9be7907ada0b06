#include "http/signed_token.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "testing/seed.h"

namespace boxoffice::http {
namespace {

constexpr std::string_view kKey = "signing-key-0123456789abcdef-0123456789";
constexpr std::string_view kOtherKey = "another-key-0123456789abcdef-0123456789";

TEST(SignedToken, VerifiesAndReturnsThePayload) {
  const std::string payload = std::string("show=7;seq=12345;\0\xff", 20);
  const std::string token = SignToken("queue-ticket", payload, kKey);
  StatusOr<std::string> verified = VerifySignedToken("queue-ticket", token, kKey);
  ASSERT_TRUE(verified.ok()) << verified.status().message();
  EXPECT_EQ(*verified, payload);
}

TEST(SignedToken, EmptyPayloadIsAllowed) {
  StatusOr<std::string> verified = VerifySignedToken("access", SignToken("access", "", kKey), kKey);
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(*verified, "");
}

TEST(SignedToken, TokenForOnePurposeDoesNotVerifyForAnother) {
  const std::string token = SignToken("queue-ticket", "seq=1", kKey);
  EXPECT_FALSE(VerifySignedToken("access", token, kKey).ok());
  EXPECT_FALSE(VerifySignedToken("queue-ticke", token, kKey).ok());
}

TEST(SignedToken, RejectsAnotherKey) {
  EXPECT_FALSE(VerifySignedToken("access", SignToken("access", "u=1", kOtherKey), kKey).ok());
}

TEST(SignedToken, RejectsAChangedPayloadUnderTheOriginalSignature) {
  const std::string token = SignToken("access", "user=1", kKey);
  const std::string other = SignToken("access", "user=2", kKey);
  const std::string spliced = other.substr(0, other.find('.')) + token.substr(token.find('.'));
  StatusOr<std::string> verified = VerifySignedToken("access", spliced, kKey);
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.status().code(), StatusCode::kInvalidArgument);
}

TEST(SignedToken, RejectsMalformedAndOversizedTokens) {
  for (std::string_view token : {"", ".", "abc", "abc.", ".abc", "a.b.c"}) {
    EXPECT_FALSE(VerifySignedToken("access", token, kKey).ok()) << token;
  }
  const std::string oversized =
      SignToken("access", "", kKey) + std::string(kSignedTokenBytesMax, 'A');
  EXPECT_FALSE(VerifySignedToken("access", oversized, kKey).ok());
}

TEST(SignedToken, MutatedTokensNeverVerify) {
  std::mt19937_64 rng(testing::TestSeed("SignedToken.MutatedTokensNeverVerify"));
  const std::string original = SignToken("access", "user=42;show=7;exp=1700000000", kKey);
  const uint64_t rounds = testing::ScaledOps(30'000);
  for (uint64_t round = 0; round < rounds; ++round) {
    std::string token = original;
    const size_t at = rng() % token.size();
    switch (rng() % 3) {
      case 0:
        token[at] = static_cast<char>(token[at] ^ (1 + rng() % 255));
        break;
      case 1:
        token.resize(at);
        break;
      case 2:
        token.insert(at, 1, "A.=-_"[rng() % 5]);
        break;
    }
    EXPECT_EQ(VerifySignedToken("access", token, kKey).ok(), token == original)
        << "round " << round << " token " << token;
  }
}

TEST(DetachedSignature, MatchesOnlyTheSignedMessagePurposeAndKey) {
  const std::string body = R"({"payment":"p1","status":"paid"})";
  const std::string message = "1700000000." + body;
  const std::string signature = SignDetached("webhook", message, kKey);
  EXPECT_EQ(signature.size(), 43u);
  EXPECT_TRUE(DetachedSignatureMatches("webhook", message, kKey, signature));
  EXPECT_FALSE(DetachedSignatureMatches("webhook", message + " ", kKey, signature));
  EXPECT_FALSE(DetachedSignatureMatches("webhook", "1700000001." + body, kKey, signature));
  EXPECT_FALSE(DetachedSignatureMatches("access", message, kKey, signature));
  EXPECT_FALSE(DetachedSignatureMatches("webhook", message, kOtherKey, signature));
  EXPECT_FALSE(DetachedSignatureMatches("webhook", message, kKey, signature.substr(1)));
  EXPECT_FALSE(DetachedSignatureMatches("webhook", message, kKey, ""));
}

}  // namespace
}  // namespace boxoffice::http
