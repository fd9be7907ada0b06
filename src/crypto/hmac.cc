#include "crypto/hmac.h"

// SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, but
// they are the only way to copy a keyed hash state without a heap
// allocation; HMAC below is built on them.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <climits>
#include <memory>
#include <string>

#include "core/status.h"

namespace boxoffice::crypto {
namespace {

std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

constexpr size_t kSha256BlockBytes = 64;

// HMAC-SHA256 (RFC 2104) under one key, with the hash states after the
// key's inner and outer pad precomputed: a MAC is then a copy of each state
// and the hashing of the message and of the inner digest, with no key
// schedule, no algorithm lookup and no allocation.
class KeyedMac {
 public:
  explicit KeyedMac(std::span<const uint8_t> key) {
    std::array<uint8_t, kSha256BlockBytes> block{};
    if (key.size() > block.size()) {
      BOX_ASSERT(SHA256(key.data(), key.size(), block.data()) != nullptr);
    } else if (!key.empty()) {
      std::copy(key.begin(), key.end(), block.begin());
    }
    std::array<uint8_t, kSha256BlockBytes> pad{};
    for (size_t i = 0; i < block.size(); ++i) pad[i] = static_cast<uint8_t>(block[i] ^ 0x36);
    BOX_ASSERT(SHA256_Init(&inner_) == 1 && SHA256_Update(&inner_, pad.data(), pad.size()) == 1);
    for (size_t i = 0; i < block.size(); ++i) pad[i] = static_cast<uint8_t>(block[i] ^ 0x5c);
    BOX_ASSERT(SHA256_Init(&outer_) == 1 && SHA256_Update(&outer_, pad.data(), pad.size()) == 1);
    OPENSSL_cleanse(block.data(), block.size());
    OPENSSL_cleanse(pad.data(), pad.size());
  }
  ~KeyedMac() {
    OPENSSL_cleanse(&inner_, sizeof(inner_));
    OPENSSL_cleanse(&outer_, sizeof(outer_));
  }
  KeyedMac(const KeyedMac&) = delete;
  KeyedMac& operator=(const KeyedMac&) = delete;

  Sha256Digest Compute(std::span<const uint8_t> message) const {
    Sha256Digest inner_digest{};
    Sha256Digest out{};
    SHA256_CTX ctx = inner_;
    BOX_ASSERT(SHA256_Update(&ctx, message.data(), message.size()) == 1 &&
               SHA256_Final(inner_digest.data(), &ctx) == 1);
    ctx = outer_;
    BOX_ASSERT(SHA256_Update(&ctx, inner_digest.data(), inner_digest.size()) == 1 &&
               SHA256_Final(out.data(), &ctx) == 1);
    OPENSSL_cleanse(&ctx, sizeof(ctx));
    OPENSSL_cleanse(inner_digest.data(), inner_digest.size());
    return out;
  }

 private:
  SHA256_CTX inner_{};
  SHA256_CTX outer_{};
};

// The keys last used on one thread, each with its KeyedMac. A request
// typically MACs under a few server secrets in turn (the JWT secret, a
// room's key, the ticket key); keeping several means none of them is keyed
// again on every use. When all slots are taken the oldest key is replaced.
class ThreadMacs {
 public:
  ThreadMacs() = default;
  ~ThreadMacs() {
    for (Slot& s : slots_) OPENSSL_cleanse(s.key.data(), s.key.size());
  }
  ThreadMacs(const ThreadMacs&) = delete;
  ThreadMacs& operator=(const ThreadMacs&) = delete;

  const KeyedMac& For(std::span<const uint8_t> key) {
    const std::string_view key_text = AsChars(key);
    for (Slot& s : slots_) {
      if (s.mac != nullptr && s.key == key_text) return *s.mac;
    }
    Slot& s = slots_[next_];
    next_ = (next_ + 1) % slots_.size();
    OPENSSL_cleanse(s.key.data(), s.key.size());
    s.key.assign(key_text);
    s.mac = std::make_unique<KeyedMac>(key);
    return *s.mac;
  }

 private:
  struct Slot {
    std::string key;
    std::unique_ptr<KeyedMac> mac;  // null: the slot was never used
  };
  std::array<Slot, kHmacKeysPerThread> slots_;
  size_t next_ = 0;
};

}  // namespace

Sha256Digest HmacSha256(std::span<const uint8_t> key, std::span<const uint8_t> message) {
  BOX_ASSERT(key.size() <= INT_MAX);
  thread_local ThreadMacs macs;
  return macs.For(key).Compute(message);
}

Sha256Digest HmacSha256(std::string_view key, std::string_view message) {
  return HmacSha256(AsBytes(key), AsBytes(message));
}

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest out{};
  unsigned int out_len = 0;
  static constexpr char kEmpty = 0;
  const char* bytes = data.empty() ? &kEmpty : data.data();
  BOX_ASSERT(EVP_Digest(bytes, data.size(), out.data(), &out_len, EVP_sha256(), nullptr) == 1);
  BOX_ASSERT(out_len == out.size());
  return out;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  return ConstantTimeEqual(AsBytes(a), AsBytes(b));
}

bool ConstantTimeEqual(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  const bool same_size = a.size() == b.size();
  // With different sizes, compare `a` with itself so the work is the same.
  const uint8_t* other = same_size ? b.data() : a.data();
  const int diff = CRYPTO_memcmp(a.data(), other, a.size());
  return same_size & (diff == 0);
}

}  // namespace boxoffice::crypto
