#include "http/jwt.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/hmac.h"
#include "testing/seed.h"

namespace boxoffice::http {
namespace {

constexpr std::string_view kSecret = "test-secret-0123456789abcdef-0123456789";
constexpr core::TimeMs kNowMs = 1'700'000'000'000;
constexpr int64_t kNowS = kNowMs / 1000;

JwtClaims FanClaims() {
  JwtClaims claims;
  claims.sub = "user-42";
  claims.iat_s = kNowS;
  claims.exp_s = kNowS + 3600;
  return claims;
}

// A token with arbitrary header and payload JSON, correctly signed with `secret`.
std::string MakeToken(std::string_view header_json, std::string_view payload_json,
                      std::string_view secret = kSecret) {
  std::string input =
      crypto::Base64UrlEncode(header_json) + "." + crypto::Base64UrlEncode(payload_json);
  return input + "." + crypto::Base64UrlEncode(crypto::HmacSha256(secret, input));
}

std::string MakeToken(std::string_view payload_json) {
  return MakeToken(R"({"alg":"HS256","typ":"JWT"})", payload_json);
}

// The rejection message of `token`, or "accepted".
std::string Rejection(std::string_view token, std::string_view audience = {}) {
  StatusOr<JwtClaims> claims = VerifyJwt(token, kSecret, kNowMs, kJwtLeewayDefaultMs, audience);
  if (claims.ok()) return "accepted";
  EXPECT_EQ(claims.status().code(), StatusCode::kInvalidArgument);
  return claims.status().message();
}

::testing::AssertionResult Mentions(const std::string& message, std::string_view part) {
  if (message.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "\"" << message << "\" does not mention \"" << part << "\"";
}

TEST(Jwt, SignedClaimsVerifyAndRoundTrip) {
  JwtClaims claims = FanClaims();
  claims.aud = "boxoffice";
  claims.role = JwtRole::kAdmin;
  claims.nbf_s = kNowS - 5;
  StatusOr<JwtClaims> verified =
      VerifyJwt(SignJwt(claims, kSecret), kSecret, kNowMs, kJwtLeewayDefaultMs, "boxoffice");
  ASSERT_TRUE(verified.ok()) << verified.status().message();
  EXPECT_EQ(verified->sub, "user-42");
  EXPECT_EQ(verified->iat_s, kNowS);
  EXPECT_EQ(verified->exp_s, kNowS + 3600);
  EXPECT_EQ(verified->nbf_s, kNowS - 5);
  EXPECT_EQ(verified->aud, "boxoffice");
  EXPECT_EQ(verified->role, JwtRole::kAdmin);
}

TEST(Jwt, SignedTokenHasTheStandardHeader) {
  const std::string token = SignJwt(FanClaims(), kSecret);
  EXPECT_EQ(crypto::Base64UrlDecode(token.substr(0, token.find('.'))),
            R"({"alg":"HS256","typ":"JWT"})");
}

TEST(Jwt, MinimalForeignTokenVerifiesAsFan) {
  StatusOr<JwtClaims> claims = VerifyJwt(
      MakeToken(R"({"alg":"HS256"})", R"({"sub":"u1","exp":1700000100.5})"), kSecret, kNowMs);
  ASSERT_TRUE(claims.ok()) << claims.status().message();
  EXPECT_EQ(claims->sub, "u1");
  EXPECT_EQ(claims->exp_s, 1'700'000'100);
  EXPECT_EQ(claims->iat_s, 0);
  EXPECT_EQ(claims->role, JwtRole::kFan);
}

TEST(Jwt, RejectsEveryAlgorithmButHs256) {
  const std::string payload = R"({"sub":"u1","exp":1700003600})";
  const std::string none =
      crypto::Base64UrlEncode(R"({"alg":"none"})") + "." + crypto::Base64UrlEncode(payload) + ".";
  EXPECT_TRUE(Mentions(Rejection(none), "alg must be HS256"));
  for (std::string_view header :
       {R"({"alg":"none"})", R"({"alg":"HS384"})", R"({"alg":"RS256"})", R"({"alg":"hs256"})",
        R"({"alg":["HS256"]})", R"({"typ":"JWT"})", R"({"alg":null})"}) {
    EXPECT_TRUE(Mentions(Rejection(MakeToken(header, payload)), "alg must be HS256")) << header;
  }
}

TEST(Jwt, RejectsUnknownTypeAndCriticalHeaders) {
  const std::string payload = R"({"sub":"u1","exp":1700003600})";
  EXPECT_TRUE(
      Mentions(Rejection(MakeToken(R"({"alg":"HS256","typ":"JOSE+JSON"})", payload)), "typ"));
  EXPECT_TRUE(Mentions(Rejection(MakeToken(R"({"alg":"HS256","crit":["exp"]})", payload)), "crit"));
}

TEST(Jwt, RejectsMalformedSegments) {
  const std::string good = SignJwt(FanClaims(), kSecret);
  for (std::string_view token : {"", ".", "..", "...", "abc", "a.b", "a.b.c.d"}) {
    EXPECT_NE(Rejection(token), "accepted") << token;
  }
  EXPECT_TRUE(Mentions(Rejection(good + ".x"), "three"));
  EXPECT_TRUE(Mentions(Rejection("!!!" + good.substr(good.find('.'))), "header is not base64url"));
  const std::string not_json = crypto::Base64UrlEncode("{alg:HS256}");
  EXPECT_TRUE(Mentions(Rejection(not_json + good.substr(good.find('.'))), "header is not JSON"));
  const std::string array = crypto::Base64UrlEncode(R"(["HS256"])");
  EXPECT_TRUE(Mentions(Rejection(array + good.substr(good.find('.'))), "not a JSON object"));
}

TEST(Jwt, RejectsPaddedBase64EvenWhenSigned) {
  // Base64url in a JWT has no padding; a signer that pads is refused.
  const std::string payload = crypto::Base64UrlEncode(R"({"sub":"u","exp":1700003600})") + "=";
  const std::string input = crypto::Base64UrlEncode(R"({"alg":"HS256"})") + "." + payload;
  const std::string token =
      input + "." + crypto::Base64UrlEncode(crypto::HmacSha256(kSecret, input));
  EXPECT_TRUE(Mentions(Rejection(token), "payload is not base64url"));
}

TEST(Jwt, RejectsWrongSignature) {
  const std::string token = SignJwt(FanClaims(), kSecret);
  const std::string other_key = SignJwt(FanClaims(), "another-secret-0123456789abcdef-01234");
  EXPECT_TRUE(Mentions(Rejection(other_key), "signature"));
  EXPECT_TRUE(Mentions(Rejection(token.substr(0, token.rfind('.') + 1)), "signature"));
  JwtClaims other = FanClaims();
  other.sub = "user-43";
  const std::string forged = SignJwt(other, kSecret);
  // user-43's payload under user-42's signature.
  EXPECT_TRUE(
      Mentions(Rejection(forged.substr(0, forged.rfind('.')) + token.substr(token.rfind('.'))),
               "signature"));
}

TEST(Jwt, RejectsExpiredTokensBeyondTheLeeway) {
  JwtClaims claims = FanClaims();
  claims.exp_s = kNowS - 10;
  const std::string token = SignJwt(claims, kSecret);
  EXPECT_TRUE(VerifyJwt(token, kSecret, kNowMs, /*leeway_ms=*/30'000).ok());
  StatusOr<JwtClaims> late = VerifyJwt(token, kSecret, kNowMs, /*leeway_ms=*/5'000);
  ASSERT_FALSE(late.ok());
  EXPECT_TRUE(Mentions(late.status().message(), "expired"));
  claims.exp_s = kNowS;
  EXPECT_FALSE(VerifyJwt(SignJwt(claims, kSecret), kSecret, kNowMs, 0).ok());
  EXPECT_TRUE(VerifyJwt(SignJwt(claims, kSecret), kSecret, kNowMs - 1, 0).ok());
}

TEST(Jwt, RejectsTokensBeforeNotBefore) {
  JwtClaims claims = FanClaims();
  claims.nbf_s = kNowS + 60;
  const std::string token = SignJwt(claims, kSecret);
  EXPECT_TRUE(Mentions(Rejection(token), "not valid yet"));
  EXPECT_TRUE(VerifyJwt(token, kSecret, kNowMs + 31'000, kJwtLeewayDefaultMs).ok());
}

TEST(Jwt, RejectsMissingOrBadSubject) {
  EXPECT_TRUE(Mentions(Rejection(MakeToken(R"({"exp":1700003600})")), "sub is missing"));
  for (std::string_view payload :
       {R"({"sub":"","exp":1700003600})", R"({"sub":42,"exp":1700003600})",
        R"({"sub":"a\nb","exp":1700003600})", R"({"sub":null,"exp":1700003600})"}) {
    EXPECT_TRUE(Mentions(Rejection(MakeToken(payload)), "sub")) << payload;
  }
  const std::string long_sub(kJwtSubjectBytesMax + 1, 'u');
  EXPECT_TRUE(
      Mentions(Rejection(MakeToken(R"({"sub":")" + long_sub + R"(","exp":1700003600})")), "sub"));
  const std::string max_sub(kJwtSubjectBytesMax, 'u');
  EXPECT_EQ(Rejection(MakeToken(R"({"sub":")" + max_sub + R"(","exp":1700003600})")), "accepted");
}

TEST(Jwt, RejectsMissingOrBadTimes) {
  EXPECT_TRUE(Mentions(Rejection(MakeToken(R"({"sub":"u"})")), "exp is missing"));
  for (std::string_view payload :
       {R"({"sub":"u","exp":"1700003600"})", R"({"sub":"u","exp":-1})",
        R"({"sub":"u","exp":1e300})", R"({"sub":"u","exp":18446744073709551615})",
        R"({"sub":"u","exp":true})", R"({"sub":"u","exp":1700003600,"iat":"now"})",
        R"({"sub":"u","exp":1700003600,"nbf":[1]})"}) {
    EXPECT_TRUE(Mentions(Rejection(MakeToken(payload)), "seconds since the epoch")) << payload;
  }
}

TEST(Jwt, ChecksTheAudience) {
  const std::string one = MakeToken(R"({"sub":"u","exp":1700003600,"aud":"boxoffice"})");
  const std::string many = MakeToken(R"({"sub":"u","exp":1700003600,"aud":["x","boxoffice"]})");
  const std::string none = MakeToken(R"({"sub":"u","exp":1700003600})");
  EXPECT_EQ(Rejection(one, "boxoffice"), "accepted");
  EXPECT_EQ(Rejection(many, "boxoffice"), "accepted");
  EXPECT_TRUE(Mentions(Rejection(one, "other"), "aud does not match"));
  EXPECT_TRUE(Mentions(Rejection(many, "other"), "aud does not match"));
  EXPECT_TRUE(Mentions(Rejection(none, "boxoffice"), "aud is missing"));
  EXPECT_TRUE(Mentions(Rejection(one), "aud is not expected"));
  EXPECT_TRUE(Mentions(Rejection(MakeToken(R"({"sub":"u","exp":1700003600,"aud":7})"), "boxoffice"),
                       "aud must be"));
}

TEST(Jwt, RejectsUnknownRoles) {
  EXPECT_EQ(Rejection(MakeToken(R"({"sub":"u","exp":1700003600,"role":"fan"})")), "accepted");
  EXPECT_TRUE(
      Mentions(Rejection(MakeToken(R"({"sub":"u","exp":1700003600,"role":"root"})")), "role"));
  EXPECT_TRUE(Mentions(Rejection(MakeToken(R"({"sub":"u","exp":1700003600,"role":1})")), "role"));
}

TEST(Jwt, RejectsOversizedTokensUnread) {
  const std::string padding(kJwtBytesMax, 'p');
  const std::string token = MakeToken(R"({"sub":"u","exp":1700003600,"x":")" + padding + R"("})");
  EXPECT_TRUE(Mentions(Rejection(token), "too long"));
}

TEST(Jwt, RejectsDeeplyNestedJson) {
  EXPECT_TRUE(Mentions(Rejection(MakeToken(R"({"alg":"HS256","x":[[[[[[[[1]]]]]]]]})",
                                           R"({"sub":"u","exp":1700003600})")),
                       "header is not JSON"));
}

TEST(Jwt, ValidateClaimsRefusesWhatSignWouldCrashOn) {
  EXPECT_TRUE(ValidateJwtClaims(FanClaims()).ok());
  JwtClaims claims = FanClaims();
  claims.sub = "";
  EXPECT_FALSE(ValidateJwtClaims(claims).ok());
  claims = FanClaims();
  claims.sub = std::string(kJwtSubjectBytesMax + 1, 'x');
  EXPECT_FALSE(ValidateJwtClaims(claims).ok());
  claims = FanClaims();
  claims.exp_s = 0;
  EXPECT_FALSE(ValidateJwtClaims(claims).ok());
  claims = FanClaims();
  claims.iat_s = -1;
  EXPECT_FALSE(ValidateJwtClaims(claims).ok());
  claims = FanClaims();
  claims.aud = "a\tb";
  EXPECT_FALSE(ValidateJwtClaims(claims).ok());
}

// Mutations of a valid token: whatever comes out, nothing crashes and only the
// untouched token verifies.
TEST(Jwt, MutatedTokensNeverVerify) {
  std::mt19937_64 rng(testing::TestSeed("Jwt.MutatedTokensNeverVerify"));
  JwtClaims claims = FanClaims();
  claims.aud = "boxoffice";
  const std::string original = SignJwt(claims, kSecret);
  const uint64_t rounds = testing::ScaledOps(30'000);
  uint64_t accepted = 0;
  for (uint64_t round = 0; round < rounds; ++round) {
    std::string token = original;
    const uint64_t edits = 1 + rng() % 3;
    for (uint64_t e = 0; e < edits && !token.empty(); ++e) {
      const size_t at = rng() % token.size();
      switch (rng() % 4) {
        case 0:
          token[at] = static_cast<char>(token[at] ^ (1 + rng() % 255));
          break;
        case 1:
          token.resize(at);
          break;
        case 2:
          token.insert(at, 1, "A.=-_\0\xff"[rng() % 7]);
          break;
        case 3:
          token.erase(at, 1 + rng() % 4);
          break;
      }
    }
    StatusOr<JwtClaims> result =
        VerifyJwt(token, kSecret, kNowMs, kJwtLeewayDefaultMs, "boxoffice");
    if (result.ok()) ++accepted;
    EXPECT_EQ(result.ok(), token == original) << "round " << round << " token " << token;
  }
  EXPECT_LT(accepted, rounds);
}

// ---- VerifyJwtRemembered ----------------------------------------------------------

// "accepted SUB" or the rejection message: what a caller can observe.
std::string Outcome(const StatusOr<JwtClaims>& claims) {
  return claims.ok() ? "accepted " + claims->sub : claims.status().message();
}

TEST(Jwt, RememberedVerificationAnswersAsVerifyJwtDoesWhenAskedAgain) {
  constexpr std::string_view kOtherSecret = "another-secret-0123456789abcdef-012345";
  JwtClaims claims = FanClaims();
  claims.exp_s = kNowS + 60;
  claims.nbf_s = kNowS - 10;
  const std::string token = SignJwt(claims, kSecret);
  const std::string tampered =
      token.substr(0, token.size() - 2) + (token.back() == 'A' ? "BB" : "AA");
  struct Ask {
    std::string_view token;
    std::string_view secret;
    core::TimeMs now_ms;
    std::string_view audience;
  };
  const Ask asks[] = {
      {token, kSecret, kNowMs, {}},           // verified, then remembered
      {token, kSecret, kNowMs, {}},           // from memory
      {token, kSecret, kNowMs + 90'000, {}},  // expired meanwhile (60 s + 30 s leeway)
      {token, kSecret, kNowMs + 10'000, {}},  // still fine
      {token, kSecret, kNowMs - 45'000, {}},  // not valid yet (nbf - leeway)
      {token, kOtherSecret, kNowMs, {}},      // another secret: not this token's
      {token, kSecret, kNowMs, {}},           // verified again
      {token, kSecret, kNowMs, "boxoffice"},  // an audience the token lacks
      {tampered, kSecret, kNowMs, {}},        // a different token
      {tampered, kSecret, kNowMs, {}},       {"", kSecret, kNowMs, {}},
  };
  for (const Ask& a : asks) {
    const std::string expected =
        Outcome(VerifyJwt(a.token, a.secret, a.now_ms, kJwtLeewayDefaultMs, a.audience));
    EXPECT_EQ(
        Outcome(VerifyJwtRemembered(a.token, a.secret, a.now_ms, kJwtLeewayDefaultMs, a.audience)),
        expected)
        << "token " << a.token << " at " << a.now_ms << " audience " << a.audience;
  }
  EXPECT_EQ(Outcome(VerifyJwtRemembered(token, kSecret, kNowMs)), "accepted user-42");
  EXPECT_TRUE(Mentions(Outcome(VerifyJwtRemembered(token, kSecret, kNowMs + 90'000)), "expired"));
}

TEST(Jwt, RememberedVerificationKeepsABoundedNumberOfTokens) {
  JwtClaims claims = FanClaims();
  for (size_t i = 0; i < kJwtVerifiedPerThreadMax + 10; ++i) {
    claims.sub = "fan" + std::to_string(i);
    StatusOr<JwtClaims> v = VerifyJwtRemembered(SignJwt(claims, kSecret), kSecret, kNowMs);
    ASSERT_TRUE(v.ok()) << v.status().message();
    ASSERT_EQ(v->sub, claims.sub);
  }
}

// More tokens than slots: tokens share slots and push each other out, and
// every token, asked again, still answers with its own claims.
TEST(Jwt, RememberedVerificationNeverAnswersWithAnotherTokensClaims) {
  JwtClaims claims = FanClaims();
  std::vector<std::string> tokens;
  for (size_t i = 0; i < 2 * kJwtVerifiedPerThreadMax; ++i) {
    claims.sub = "fan" + std::to_string(i);
    tokens.push_back(SignJwt(claims, kSecret));
  }
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < tokens.size(); ++i) {
      StatusOr<JwtClaims> v = VerifyJwtRemembered(tokens[i], kSecret, kNowMs);
      ASSERT_TRUE(v.ok()) << v.status().message();
      ASSERT_EQ(v->sub, "fan" + std::to_string(i)) << "round " << round;
    }
  }
}

}  // namespace
}  // namespace boxoffice::http
