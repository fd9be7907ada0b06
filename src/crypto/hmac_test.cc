#include "crypto/hmac.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "crypto/encoding.h"
#include "testing/seed.h"

namespace boxoffice::crypto {
namespace {

std::string Unhex(std::string_view hex) {
  std::optional<std::string> bytes = HexDecode(hex);
  EXPECT_TRUE(bytes.has_value()) << hex;
  return bytes.value_or("");
}

std::string HexHmac(std::string_view key, std::string_view message) {
  return HexEncode(HmacSha256(key, message));
}

// RFC 4231 §4.2 – §4.8, HMAC-SHA-256 results.
TEST(HmacSha256, MatchesRfc4231TestCase1) {
  EXPECT_EQ(HexHmac(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(HmacSha256, MatchesRfc4231TestCase2KeyShorterThanOutput) {
  EXPECT_EQ(HexHmac("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256, MatchesRfc4231TestCase3) {
  EXPECT_EQ(HexHmac(std::string(20, '\xaa'), std::string(50, '\xdd')),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
}

TEST(HmacSha256, MatchesRfc4231TestCase4) {
  EXPECT_EQ(
      HexHmac(Unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"), std::string(50, '\xcd')),
      "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
}

TEST(HmacSha256, MatchesRfc4231TestCase5TruncatedOutput) {
  EXPECT_EQ(HexHmac(std::string(20, '\x0c'), "Test With Truncation").substr(0, 32),
            "a3b6167473100ee06e0c796c2955552b");
}

TEST(HmacSha256, MatchesRfc4231TestCase6KeyLargerThanBlock) {
  EXPECT_EQ(
      HexHmac(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First"),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256, MatchesRfc4231TestCase7KeyAndDataLargerThanBlock) {
  EXPECT_EQ(HexHmac(std::string(131, '\xaa'),
                    "This is a test using a larger than block-size key and a larger than "
                    "block-size data. The key needs to be hashed before being used by the "
                    "HMAC algorithm."),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST(HmacSha256, AcceptsEmptyKeyAndMessage) {
  EXPECT_EQ(HexHmac("", ""), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HmacSha256, SpanAndStringOverloadsAgree) {
  const std::string key = "0123456789abcdef0123456789abcdef";
  const std::string message = "seat A-12-7";
  const std::span<const uint8_t> key_bytes(reinterpret_cast<const uint8_t*>(key.data()),
                                           key.size());
  const std::span<const uint8_t> message_bytes(reinterpret_cast<const uint8_t*>(message.data()),
                                               message.size());
  EXPECT_EQ(HmacSha256(key_bytes, message_bytes), HmacSha256(key, message));
}

TEST(Sha256, MatchesFips180Examples) {
  EXPECT_EQ(HexEncode(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ConstantTimeEqual, EqualBytesCompareEqual) {
  EXPECT_TRUE(ConstantTimeEqual("", ""));
  EXPECT_TRUE(ConstantTimeEqual("secret", "secret"));
  EXPECT_TRUE(ConstantTimeEqual(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
}

TEST(ConstantTimeEqual, AnyDifferingByteCompareUnequal) {
  const std::string base = "0123456789abcdef0123456789abcdef";
  for (size_t i = 0; i < base.size(); ++i) {
    std::string other = base;
    other[i] = static_cast<char>(other[i] ^ 0x01);
    EXPECT_FALSE(ConstantTimeEqual(other, base)) << "byte " << i;
  }
}

TEST(ConstantTimeEqual, DifferentLengthsCompareUnequalEvenAsPrefix) {
  EXPECT_FALSE(ConstantTimeEqual("secret", "secret!"));
  EXPECT_FALSE(ConstantTimeEqual("secret!", "secret"));
  EXPECT_FALSE(ConstantTimeEqual("", "x"));
  EXPECT_FALSE(ConstantTimeEqual("x", ""));
}

TEST(ConstantTimeEqual, SpanOverloadComparesDigests) {
  const Sha256Digest a = Sha256("a");
  Sha256Digest b = a;
  EXPECT_TRUE(ConstantTimeEqual(a, b));
  b[31] = static_cast<uint8_t>(b[31] ^ 0x80);
  EXPECT_FALSE(ConstantTimeEqual(a, b));
}

}  // namespace
}  // namespace boxoffice::crypto

namespace boxoffice::crypto {
namespace {

// Keyed states are kept per thread and reused: repeated and
// interleaved keys must give the same MACs as fresh computations.
TEST(HmacSha256, RepeatedAndInterleavedKeysGiveStableResults) {
  const Sha256Digest a1 = HmacSha256("key-a-0123456789", "message");
  const Sha256Digest b1 = HmacSha256("key-b-0123456789", "message");
  const Sha256Digest a2 = HmacSha256("key-a-0123456789", "message");
  const Sha256Digest a3 = HmacSha256("key-a-0123456789", "message");
  const Sha256Digest b2 = HmacSha256("key-b-0123456789", "message");
  EXPECT_EQ(a1, a2);
  EXPECT_EQ(a2, a3);
  EXPECT_EQ(b1, b2);
  EXPECT_NE(a1, b1);
  EXPECT_NE(HmacSha256("key-a-0123456789", "other"), a1);
}

// OpenSSL's one-shot HMAC, which keys a fresh context on every call.
Sha256Digest ReferenceHmac(std::string_view key, std::string_view message) {
  static constexpr char kEmpty = 0;
  Sha256Digest out{};
  size_t out_len = 0;
  const unsigned char* mac = EVP_Q_mac(
      nullptr, "HMAC", nullptr, "SHA256", nullptr, key.empty() ? &kEmpty : key.data(), key.size(),
      reinterpret_cast<const unsigned char*>(message.empty() ? &kEmpty : message.data()),
      message.size(), out.data(), out.size(), &out_len);
  EXPECT_TRUE(mac != nullptr && out_len == out.size());
  return out;
}

std::string RandomBytes(std::mt19937_64& rng, size_t size) {
  std::string s(size, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// Keys of every length around the block size (hashed first beyond 64
// bytes), more keys than a thread keeps keyed, used in a random order, so
// MACs come from freshly keyed, kept and replaced states alike.
TEST(HmacSha256, KeptKeysGiveTheOneShotResultForManyKeysAndMessages) {
  std::mt19937_64 rng(
      testing::TestSeed("HmacSha256.KeptKeysGiveTheOneShotResultForManyKeysAndMessages"));
  std::vector<std::string> keys;
  for (const size_t size :
       std::initializer_list<size_t>{0, 1, 16, 31, 32, 33, 55, 63, 64, 65, 100, 128, 129, 200}) {
    keys.push_back(RandomBytes(rng, size));
  }
  while (keys.size() < 3 * kHmacKeysPerThread) keys.push_back(RandomBytes(rng, 32 + rng() % 40));
  for (int i = 0; i < 5000; ++i) {
    // Mostly a few keys in turn, as a request uses them; now and then any key.
    const size_t k = i % 7 == 0 ? rng() % keys.size() : rng() % 3;
    const std::string message = RandomBytes(rng, rng() % 300);
    ASSERT_EQ(HmacSha256(keys[k], message), ReferenceHmac(keys[k], message))
        << "key " << k << " of " << keys[k].size() << " bytes, message of " << message.size()
        << " bytes, call " << i;
  }
}

// Each thread keeps its own keyed states: threads using the same keys at
// once agree with the one-shot MAC.
TEST(HmacSha256, ThreadsKeepTheirOwnKeyedStates) {
  const std::vector<std::string> keys = {std::string(32, 'a'), std::string(32, 'b'),
                                         std::string(70, 'c')};
  std::vector<std::vector<Sha256Digest>> results(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        results[t].push_back(HmacSha256(keys[(i + t) % keys.size()], std::to_string(i)));
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (size_t t = 0; t < results.size(); ++t) {
    for (int i = 0; i < 2000; ++i) {
      const std::string& key = keys[(i + t) % keys.size()];
      ASSERT_EQ(results[t][i], ReferenceHmac(key, std::to_string(i)))
          << "thread " << t << ", " << i;
    }
  }
}

}  // namespace
}  // namespace boxoffice::crypto
