#include "crypto/encoding.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "testing/seed.h"

namespace boxoffice::crypto {
namespace {

// RFC 4648 §10 test vectors.
TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, DecodesRfc4648Vectors) {
  EXPECT_EQ(Base64Decode(""), "");
  EXPECT_EQ(Base64Decode("Zg=="), "f");
  EXPECT_EQ(Base64Decode("Zm8="), "fo");
  EXPECT_EQ(Base64Decode("Zm9vYmFy"), "foobar");
}

TEST(Base64, UsesPlusAndSlashWhereBase64UrlUsesMinusAndUnderscore) {
  const std::string bytes("\xfb\xff\xbf", 3);
  EXPECT_EQ(Base64Encode(bytes), "+/+/");
  EXPECT_EQ(Base64UrlEncode(bytes), "-_-_");
  EXPECT_EQ(Base64Decode("+/+/"), bytes);
  EXPECT_EQ(Base64UrlDecode("-_-_"), bytes);
  EXPECT_EQ(Base64Decode("-_-_"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("+/+/"), std::nullopt);
}

TEST(Base64, RejectsInvalidInput) {
  for (std::string_view bad : {"Zg", "Zg=", "Zg===", "Z===", "====", "Zm9", "Zm9vY", "Z=g=", "Zm=v",
                               "Zm9v\n", " Zm9v", "Zm9v====", "Zh==", "Zm9="}) {
    EXPECT_EQ(Base64Decode(bad), std::nullopt) << bad;
  }
}

TEST(Base64Url, EncodesWithoutPadding) {
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlDecode("Zg"), "f");
  EXPECT_EQ(Base64UrlDecode("Zm8"), "fo");
}

TEST(Base64Url, RejectsPaddingBadLengthAndNonCanonicalTail) {
  // "Zh" would decode to 'f' with a stray bit set; only "Zg" is canonical.
  for (std::string_view bad :
       {"Zg==", "Zm8=", "Z", "Zm9vY", "Zh", "Zm9", "Zm+v", "Zm/v", "Zm9v.", "Zm9v\xff"}) {
    EXPECT_EQ(Base64UrlDecode(bad), std::nullopt) << bad;
  }
}

TEST(Hex, EncodesLowerCaseAndDecodesEitherCase) {
  EXPECT_EQ(HexEncode(std::string("\x00\x01\xab\xff", 4)), "0001abff");
  EXPECT_EQ(HexDecode("0001abff"), std::string("\x00\x01\xab\xff", 4));
  EXPECT_EQ(HexDecode("0001ABFF"), std::string("\x00\x01\xab\xff", 4));
  EXPECT_EQ(HexDecode(""), "");
}

TEST(Hex, RejectsOddLengthAndNonHexDigits) {
  for (std::string_view bad : {"0", "abc", "0g", "g0", " 0", "0x00", "zz"}) {
    EXPECT_EQ(HexDecode(bad), std::nullopt) << bad;
  }
}

TEST(Encoding, RandomBytesRoundTripInEveryEncoding) {
  std::mt19937_64 rng(testing::TestSeed("Encoding.RandomBytesRoundTripInEveryEncoding"));
  for (int round = 0; round < 2000; ++round) {
    std::string bytes(rng() % 70, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    EXPECT_EQ(Base64Decode(Base64Encode(bytes)), bytes);
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(bytes)), bytes);
    EXPECT_EQ(HexDecode(HexEncode(bytes)), bytes);
  }
}

TEST(Encoding, RandomTextNeverCrashesAndDecodesOnlyToItsCanonicalForm) {
  std::mt19937_64 rng(
      testing::TestSeed("Encoding.RandomTextNeverCrashesAndDecodesOnlyToItsCanonicalForm"));
  constexpr std::string_view kChars = "AZaz09+/-_=Zgh. \n\xff";
  for (int round = 0; round < 20000; ++round) {
    std::string text(rng() % 12, '\0');
    for (char& c : text) c = kChars[rng() % kChars.size()];
    if (auto bytes = Base64Decode(text)) {
      EXPECT_EQ(Base64Encode(*bytes), text);
    }
    if (auto bytes = Base64UrlDecode(text)) {
      EXPECT_EQ(Base64UrlEncode(*bytes), text);
    }
  }
}

TEST(TokenText, RoundTripsAs22Base64UrlCharacters) {
  core::Token token;
  for (size_t i = 0; i < token.bytes.size(); ++i) token.bytes[i] = static_cast<uint8_t>(i * 17 + 3);
  const std::string text = TokenToString(token);
  EXPECT_EQ(text.size(), kTokenTextBytes);
  EXPECT_EQ(
      text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  EXPECT_EQ(TokenFromString(text), token);
}

TEST(TokenText, RejectsWrongLengthAlphabetAndNonCanonicalText) {
  const std::string text = TokenToString(core::Token{});
  EXPECT_EQ(text, "AAAAAAAAAAAAAAAAAAAAAA");
  EXPECT_EQ(TokenFromString(text.substr(1)), std::nullopt);
  EXPECT_EQ(TokenFromString(text + "A"), std::nullopt);
  EXPECT_EQ(TokenFromString("AAAAAAAAAAAAAAAAAAAAA="), std::nullopt);
  EXPECT_EQ(TokenFromString("AAAAAAAAAAAAAAAAAAAAA+"), std::nullopt);
  EXPECT_EQ(TokenFromString("AAAAAAAAAAAAAAAAAAAAAB"), std::nullopt);  // unused bits set
  EXPECT_EQ(TokenFromString(""), std::nullopt);
}

}  // namespace
}  // namespace boxoffice::crypto
