#include "crypto/hmac.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <climits>

#include "core/status.h"

namespace boxoffice::crypto {
namespace {

std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

Sha256Digest HmacSha256(std::span<const uint8_t> key, std::span<const uint8_t> message) {
  BOX_ASSERT(key.size() <= INT_MAX);
  // OpenSSL refuses a null key pointer even with length zero.
  static constexpr uint8_t kEmpty = 0;
  const uint8_t* key_data = key.empty() ? &kEmpty : key.data();
  const uint8_t* message_data = message.empty() ? &kEmpty : message.data();
  Sha256Digest out{};
  unsigned int out_len = 0;
  const uint8_t* result = HMAC(EVP_sha256(), key_data, static_cast<int>(key.size()), message_data,
                               message.size(), out.data(), &out_len);
  BOX_ASSERT(result != nullptr && out_len == out.size());
  return out;
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
