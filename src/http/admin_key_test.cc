#include "http/admin_key.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "crypto/encoding.h"

namespace boxoffice::http {
namespace {

TEST(AdminKey, GeneratedKeysCarry32RandomBytesAsBase64Url) {
  const std::string key = GenerateAdminKey();
  EXPECT_EQ(key.size(), 43u);
  std::optional<std::string> bytes = crypto::Base64UrlDecode(key);
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(bytes->size(), kAdminKeyEntropyBytes);
}

TEST(AdminKey, GeneratedKeysDiffer) {
  std::set<std::string> keys;
  for (int i = 0; i < 100; ++i) keys.insert(GenerateAdminKey());
  EXPECT_EQ(keys.size(), 100u);
}

TEST(AdminKey, MatchesOnlyTheExactKey) {
  const std::string key = GenerateAdminKey();
  EXPECT_TRUE(AdminKeyMatches(key, key));
  EXPECT_FALSE(AdminKeyMatches(key.substr(1), key));
  EXPECT_FALSE(AdminKeyMatches(key + "x", key));
  EXPECT_FALSE(AdminKeyMatches("", key));
  std::string flipped = key;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(AdminKeyMatches(flipped, key));
}

TEST(AdminKey, AnotherExpectedKeyIsHonouredAtOnce) {
  const std::string a = GenerateAdminKey(), b = GenerateAdminKey();
  EXPECT_TRUE(AdminKeyMatches(a, a));
  EXPECT_FALSE(AdminKeyMatches(a, b));
  EXPECT_TRUE(AdminKeyMatches(b, b));
  EXPECT_FALSE(AdminKeyMatches(b, a));
  EXPECT_FALSE(AdminKeyMatches(b, ""));
  EXPECT_TRUE(AdminKeyMatches(a, a));
}

TEST(AdminKey, EmptyExpectedKeyMatchesNothing) {
  EXPECT_FALSE(AdminKeyMatches("", ""));
  EXPECT_FALSE(AdminKeyMatches("anything", ""));
}

}  // namespace
}  // namespace boxoffice::http
